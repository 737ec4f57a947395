"""Dense-output heads for operator-style tasks (e.g. Darcy flow): backbone -> adaptive average
pool to the target grid -> 1x1 linear map to the target channels."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from einspace.compiler.build import _build, as_tree
from einspace.grammar.feature import Feature, feature_for_input
from einspace.tree.infer import infer
from einspace.tree.node import Node


def adaptive_pool_matrix(n: int, m: int) -> np.ndarray:
    """(m, n) averaging matrix: row i averages inputs floor(i n / m) .. ceil((i + 1) n / m) - 1
    (PyTorch's adaptive average pooling bins)."""
    p = np.zeros((m, n), np.float32)
    for i in range(m):
        s, e = (i * n) // m, -((-(i + 1) * n) // m)
        p[i, s:e] = 1.0 / (e - s)
    return p


class DenseNetwork(nnx.Module):
    """x (B, *input_shape) -> (B, C_out, H_t, W_t).

    Im backbone output (C, H, W): pool H, W to (H_t, W_t), then Linear(C, C_out) per position.
    Col output (S, D): pool S to H_t * W_t tokens, Linear(D, C_out), reshape to the grid.
    """

    def __init__(self, backbone: nnx.Module, out: Feature, output_shape: tuple[int, int, int], *,
                 rngs: nnx.Rngs):
        self.backbone = backbone
        self.out_mode, self.out_shape = out.mode, tuple(out.shape)
        self.output_shape = tuple(int(s) for s in output_shape)
        self.proj = nnx.Linear(out.shape[0] if out.mode == "im" else out.shape[1], output_shape[0], rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        c_out, ht, wt = self.output_shape
        y = self.backbone(x)
        if self.out_mode == "im":
            ph = jnp.asarray(adaptive_pool_matrix(self.out_shape[1], ht))
            pw = jnp.asarray(adaptive_pool_matrix(self.out_shape[2], wt))
            y = jnp.einsum("ih,bchw,jw->bijc", ph, y, pw)  # (B, Ht, Wt, C)
            return jnp.transpose(self.proj(y), (0, 3, 1, 2))
        ps = jnp.asarray(adaptive_pool_matrix(self.out_shape[0], ht * wt))
        y = self.proj(jnp.einsum("ts,bsd->btd", ps, y))  # (B, Ht*Wt, C_out)
        return jnp.transpose(y, (0, 2, 1)).reshape(y.shape[0], c_out, ht, wt)


def build_dense_model(tree_or_text: Node | str, input_shape: tuple[int, ...],
                      output_shape: tuple[int, int, int], *, rngs: nnx.Rngs,
                      fuse_conv: bool = True) -> DenseNetwork:
    """Compile an architecture with a dense head: (B, *input_shape) -> (B, *output_shape)."""
    if len(output_shape) != 3 or min(output_shape) < 1:
        raise ValueError(f"output_shape={tuple(output_shape)}: expected positive (C_out, H, W)")
    tree = as_tree(tree_or_text)
    f = feature_for_input(input_shape)
    a = infer(tree, f)
    return DenseNetwork(_build(tree, f, rngs, fuse_conv)[0], a.output, tuple(output_shape), rngs=rngs)


def predicted_dense_params(tree_or_text: Node | str, input_shape: tuple[int, ...],
                           output_shape: tuple[int, int, int]) -> int:
    """Backbone + dense head parameters, computed symbolically."""
    a = infer(as_tree(tree_or_text), input_shape)
    c = a.output.shape[0] if a.output.mode == "im" else a.output.shape[1]
    return a.params + c * output_shape[0] + output_shape[0]
