"""Compile-and-run check of one architecture: the ground truth behind "valid by construction"."""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
from flax import nnx

from einspace.compiler.build import build_model, count_params, predicted_params
from einspace.tree.infer import infer
from einspace.tree.node import Node


@nnx.jit
def _forward(model, x):
    return model(x)


def check_architecture(tree: Node, input_shape: tuple[int, ...], num_classes: int = 10,
                       batch: int = 2, seed: int = 0) -> dict:
    """Build `tree`, run a jitted forward pass on a (batch, *input_shape) batch and compare with
    the symbolic prediction.

    Returns {"ok", "reason", "params", "predicted_params", "output_shape", "build_s",
    "compile_s", "forward_s"}; never raises for an architecture failure (the reason is kept).
    """
    out: dict = {"ok": False, "reason": ""}
    try:
        infer(tree, input_shape)  # raises ArchitectureError with the node path
        out["predicted_params"] = predicted_params(tree, input_shape, num_classes)
        t0 = time.perf_counter()
        model = build_model(tree, input_shape, num_classes, rngs=nnx.Rngs(seed))
        t1 = time.perf_counter()
        x = jax.random.normal(jax.random.key(seed), (batch, *input_shape))
        y = _forward(model, x).block_until_ready()
        t2 = time.perf_counter()
        y = _forward(model, x).block_until_ready()
        t3 = time.perf_counter()
        out.update(params=count_params(model), output_shape=list(y.shape), build_s=t1 - t0,
                   compile_s=t2 - t1, forward_s=t3 - t2)
        problems = []
        if out["params"] != out["predicted_params"]:
            problems.append(f"params {out['params']} != predicted {out['predicted_params']}")
        if tuple(y.shape) != (batch, num_classes):
            problems.append(f"output {tuple(y.shape)} != {(batch, num_classes)}")
        if not bool(jnp.isfinite(y).all()):
            problems.append("non-finite output")
        out["ok"], out["reason"] = not problems, "; ".join(problems)
    except Exception as e:  # noqa: BLE001 - recorded with its type, never hidden
        out["reason"] = f"{type(e).__name__}: {e}"
    return out
