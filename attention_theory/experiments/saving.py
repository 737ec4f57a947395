"""Save a trained (normalised) operator as .npz + JSON and rebuild it for evaluation.

The JSON records the operator config, grid dimension and channel counts; the .npz holds every
state leaf (parameters and normaliser statistics) under its tree path, so loading is: build the
same architecture, then unflatten the saved leaves into its state.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attention_theory.operators import Normalized, OperatorConfig, UnitGaussianNormalizer, build_operator

MODEL_FILE, META_FILE = "operator.npz", "operator.json"


def save_operator(workdir: str | Path, model: Normalized, config: OperatorConfig, dim: int, extra: dict | None = None) -> None:
    """Write operator.npz (state leaves) and operator.json (architecture) to workdir."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    leaves = jax.tree_util.tree_flatten_with_path(nnx.state(model))[0]
    np.savez(workdir / MODEL_FILE, **{jax.tree_util.keystr(k): np.asarray(v) for k, v in leaves})
    x_norm, y_norm = model.normalizers()
    meta = {
        "operator": dataclasses.asdict(config),
        "dim": dim,
        "in_channels": int(model.model.in_channels),
        "out_channels": int(model.y_mean.shape[-1]),
        "x_stats_shape": list(x_norm.mean.shape),
        "y_stats_shape": list(y_norm.mean.shape),
        **(extra or {}),
    }
    (workdir / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True))


def load_operator(workdir: str | Path) -> tuple[Normalized, dict]:
    """(model, metadata) rebuilt from `save_operator`'s files."""
    workdir = Path(workdir)
    if not (workdir / META_FILE).exists():
        raise FileNotFoundError(f"{workdir} has no {META_FILE}; train a model there first (operator train --workdir)")
    meta = json.loads((workdir / META_FILE).read_text())
    config = OperatorConfig(**meta["operator"])
    base = build_operator(config, meta["dim"], meta["in_channels"], meta["out_channels"])

    def stats(shape):
        return UnitGaussianNormalizer(jnp.zeros(shape), jnp.ones(shape))

    model = Normalized(base, stats(tuple(meta["x_stats_shape"])), stats(tuple(meta["y_stats_shape"])))
    state = nnx.state(model)
    paths, treedef = jax.tree_util.tree_flatten_with_path(state)
    with np.load(workdir / MODEL_FILE) as saved:
        missing = [jax.tree_util.keystr(k) for k, _ in paths if jax.tree_util.keystr(k) not in saved.files]
        if missing:
            raise ValueError(f"{workdir / MODEL_FILE} does not match the architecture; missing {missing[:3]}")
        leaves = [jnp.asarray(saved[jax.tree_util.keystr(k)]) for k, _ in paths]
    nnx.update(model, jax.tree_util.tree_unflatten(treedef, leaves))
    return model, meta
