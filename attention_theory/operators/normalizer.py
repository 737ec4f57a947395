"""Unit-Gaussian encoders/normalisers and a wrapper that trains on raw-scale targets.

FNO's protocol normalises inputs and outputs to zero mean / unit variance using training-set
statistics and computes the loss on DECODED predictions, so the reported relative L2 is on the
raw scale. Statistics are either per channel (one mean/std per field: resolution independent,
needed for zero-shot transfer) or pointwise (one per grid point and channel, FNO's choice at a
fixed resolution).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import nnx

MODES = ("channel", "pointwise")


@dataclasses.dataclass(frozen=True)
class UnitGaussianNormalizer:
    """mean, std: (C,) for mode 'channel' or (*grid, C) for 'pointwise'."""

    mean: jax.Array
    std: jax.Array
    eps: float = 1e-5

    @classmethod
    def fit(cls, x: jax.Array, mode: str = "channel", eps: float = 1e-5) -> "UnitGaussianNormalizer":
        """Statistics of training data x: (N, *grid, C)."""
        if mode not in MODES:
            raise ValueError(f"normaliser mode must be one of {MODES}; got {mode!r}")
        x = jnp.asarray(x)
        axes = tuple(range(x.ndim - 1)) if mode == "channel" else (0,)
        return cls(jnp.mean(x, axis=axes), jnp.std(x, axis=axes), eps)

    def _expand(self, stat: jax.Array, x: jax.Array) -> jax.Array:
        if x.shape[x.ndim - stat.ndim :] != stat.shape:
            raise ValueError(
                f"normaliser statistics of shape {stat.shape} do not match data {x.shape} "
                "(pointwise statistics only apply at the training resolution; use mode='channel')"
            )
        return stat.reshape((1,) * (x.ndim - stat.ndim) + stat.shape)

    def encode(self, x: jax.Array) -> jax.Array:
        """(B, *grid, C) raw -> normalised."""
        return (x - self._expand(self.mean, x)) / (self._expand(self.std, x) + self.eps)

    def decode(self, y: jax.Array) -> jax.Array:
        """(B, *grid, C) normalised -> raw."""
        return y * (self._expand(self.std, y) + self.eps) + self._expand(self.mean, y)


class NormalizerStat(nnx.Variable):
    """Fixed normaliser statistics: state of the model, never trained (not an nnx.Param)."""


class Normalized(nnx.Module):
    """Wraps an operator so it maps raw inputs to raw outputs: decode_y(model(encode_x(x))).

    Training it with a relative-L2 loss on raw targets reproduces FNO's decoded-loss protocol.
    x: (B, *grid, C_in) raw -> (B, *grid, C_out) raw.
    """

    def __init__(self, model: nnx.Module, x_normalizer: UnitGaussianNormalizer, y_normalizer: UnitGaussianNormalizer):
        self.model = model
        self.x_mean, self.x_std = NormalizerStat(x_normalizer.mean), NormalizerStat(x_normalizer.std)
        self.y_mean, self.y_std = NormalizerStat(y_normalizer.mean), NormalizerStat(y_normalizer.std)
        self.eps = float(x_normalizer.eps)

    def normalizers(self) -> tuple[UnitGaussianNormalizer, UnitGaussianNormalizer]:
        return (
            UnitGaussianNormalizer(self.x_mean[...], self.x_std[...], self.eps),
            UnitGaussianNormalizer(self.y_mean[...], self.y_std[...], self.eps),
        )

    def __call__(self, x: jax.Array, **kwargs) -> jax.Array:
        x_norm, y_norm = self.normalizers()
        return y_norm.decode(self.model(x_norm.encode(x), **kwargs))


__all__ = ["MODES", "Normalized", "NormalizerStat", "UnitGaussianNormalizer"]
