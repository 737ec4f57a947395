"""Operators looked up by name from one frozen config: `build_operator(config, ...)`.

One config type for all four models keeps the CLI and the experiment drivers uniform; each
builder reads only the fields that apply to it (documented per field).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flax import nnx

from attention_theory.operators.fano import FANO
from attention_theory.operators.fno import FNO
from attention_theory.operators.tno import QUADRATURES, TNO
from attention_theory.operators.vitno import ViTNO


@dataclasses.dataclass(frozen=True)
class OperatorConfig:
    """Architecture of one operator.

    name: 'fno' | 'tno' | 'vitno' | 'fano'.
    width: FNO channel width; d_model for the transformers.
    num_layers: Fourier layers (FNO) or encoder layers.
    modes: Fourier modes per axis (FNO layers, ViTNO lifting, FANO Q/K/V inside patches).
    num_heads, feedforward: attention heads and MLP width (transformers).
    num_patches: patches per axis, fixed across resolutions (ViTNO, FANO).
    padding: zero padding for non-periodic problems (FNO).
    pos_frequencies: sinusoidal position-encoding frequencies (TNO; 0 = coordinates only).
    quadrature: 'uniform' | 'trapezoid' attention weights (TNO).
    smoothing_modes: global spectral smoothing residual modes (ViTNO; 0 = off).
    seed: parameter initialisation seed.
    """

    name: str = "fno"
    width: int = 32
    num_layers: int = 4
    modes: int = 12
    num_heads: int = 4
    feedforward: int = 64
    num_patches: int = 8
    padding: int = 0
    pos_frequencies: int = 0
    quadrature: str = "uniform"
    smoothing_modes: int = 0
    seed: int = 0

    def __post_init__(self):
        if self.name not in OPERATORS:
            raise ValueError(f"OperatorConfig.name must be one of {sorted(OPERATORS)}; got {self.name!r}")
        if self.quadrature not in QUADRATURES:
            raise ValueError(f"OperatorConfig.quadrature must be one of {QUADRATURES}; got {self.quadrature!r}")
        for field in ("width", "num_layers", "modes", "num_heads", "feedforward", "num_patches"):
            if getattr(self, field) < 1:
                raise ValueError(f"OperatorConfig.{field} must be >= 1; got {getattr(self, field)}")


def _fno(c: OperatorConfig, dim: int, cin: int, cout: int, rngs: nnx.Rngs) -> nnx.Module:
    return FNO(dim, cin, cout, modes=c.modes, width=c.width, num_layers=c.num_layers, padding=c.padding, rngs=rngs)


def _tno(c: OperatorConfig, dim: int, cin: int, cout: int, rngs: nnx.Rngs) -> nnx.Module:
    return TNO(
        dim, cin, cout, d_model=c.width, num_heads=c.num_heads, num_layers=c.num_layers,
        feedforward=c.feedforward, pos_frequencies=c.pos_frequencies, quadrature=c.quadrature, rngs=rngs,
    )


def _require_2d(name: str, dim: int) -> None:
    if dim != 2:
        raise ValueError(f"{name} is a patched 2-D operator; got a {dim}-D problem (use 'tno' or 'fno')")


def _vitno(c: OperatorConfig, dim: int, cin: int, cout: int, rngs: nnx.Rngs) -> nnx.Module:
    _require_2d("vitno", dim)
    return ViTNO(
        cin, cout, num_patches=c.num_patches, d_model=c.width, num_heads=c.num_heads, num_layers=c.num_layers,
        feedforward=c.feedforward, modes=c.modes, smoothing_modes=c.smoothing_modes, rngs=rngs,
    )


def _fano(c: OperatorConfig, dim: int, cin: int, cout: int, rngs: nnx.Rngs) -> nnx.Module:
    _require_2d("fano", dim)
    return FANO(
        cin, cout, num_patches=c.num_patches, d_model=c.width, num_heads=c.num_heads, num_layers=c.num_layers,
        feedforward=c.feedforward, modes=c.modes, rngs=rngs,
    )


OPERATORS: dict[str, Callable[..., nnx.Module]] = {"fno": _fno, "tno": _tno, "vitno": _vitno, "fano": _fano}


def build_operator(config: OperatorConfig, dim: int, in_channels: int, out_channels: int) -> nnx.Module:
    """The operator named by config.name for a `dim`-D problem, batch-first and channels-last."""
    return OPERATORS[config.name](config, dim, in_channels, out_channels, nnx.Rngs(params=config.seed))
