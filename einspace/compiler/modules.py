"""NNX modules for the non-terminals (sequential, branching, routing) and the network head.

Every attribute is a plain string/int/tuple or a submodule, so two independently built identical
architectures have equal graphdefs and share one compiled program.
"""

from __future__ import annotations

import jax
from flax import nnx

from einspace.grammar import init
from einspace.grammar.ops import get_op


class Sequential(nnx.Module):
    """first then second: (B, *in) -> (B, *out)."""

    def __init__(self, first: nnx.Module, second: nnx.Module):
        self.first, self.second = first, second

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.second(self.first(x))


class Branching(nnx.Module):
    """Split by branch op `branch` (looked up by name), run the inner modules (one per branch,
    separate parameters), combine with aggregation op `aggregate`."""

    def __init__(self, branch: str, branch_args: tuple[int, ...], inner: list[nnx.Module],
                 aggregate: str, aggregate_args: tuple[int, ...]):
        self.branch, self.branch_args = branch, tuple(branch_args)
        self.aggregate, self.aggregate_args = aggregate, tuple(aggregate_args)
        self.inner = nnx.List(inner)

    def __call__(self, x: jax.Array) -> jax.Array:
        parts = get_op(self.branch).apply(x, self.branch_args)
        outs = [m(p) for m, p in zip(self.inner, parts, strict=True)]
        return get_op(self.aggregate).apply(outs, self.aggregate_args)


class Routing(nnx.Module):
    """pre-route, inner module, post-route."""

    def __init__(self, pre: nnx.Module, inner: nnx.Module, post: nnx.Module):
        self.pre, self.inner, self.post = pre, inner, post

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.post(self.inner(self.pre(x)))


HEAD_REDUCTIONS = ("features", "tokens")


class Network(nnx.Module):
    """Backbone + classification head: x (B, *input_shape) -> logits (B, num_classes).

    Im output (B, C, H, W): mean over H, W -> Linear(C, K). Col output (B, S, D): mean over D
    -> Linear(S, K) when col_reduce == "features" (the official choice), mean over S ->
    Linear(D, K) when "tokens".
    """

    def __init__(self, backbone: nnx.Module, out_mode: str, head_in: int, num_classes: int,
                 col_reduce: str, *, rngs: nnx.Rngs):
        self.backbone = backbone
        self.out_mode, self.col_reduce = out_mode, col_reduce
        self.head = nnx.Linear(head_in, num_classes, **init.LINEAR, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        y = self.backbone(x)
        if self.out_mode == "im":
            y = y.mean(axis=(2, 3))
        elif self.col_reduce == "features":
            y = y.mean(axis=2)
        else:
            y = y.mean(axis=1)
        return self.head(y)
