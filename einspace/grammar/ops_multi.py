"""The branching (one-to-many) and aggregation (many-to-one) terminals, registered by name.

clone(b) and group(dim, b) open a branch of factor b; add, concat(dim), matmul and scaled_matmul
close it. The aggregation's arity is not written in the tree: it is always the factor of the
branch it closes, so it cannot disagree (the official code's nested-branch bug).
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from einspace.grammar.feature import Feature
from einspace.grammar.ops import AggregateOp, BranchOp, register_op

BRANCH_FACTORS = (2, 4, 8)


def _group_split(f: Feature, a) -> Feature | None:
    dim, b = a
    if not 1 <= dim <= len(f.shape) or b < 2 or f.shape[dim - 1] % b:
        return None
    shape = list(f.shape)
    shape[dim - 1] //= b
    return Feature(f.mode, tuple(shape))


register_op(BranchOp("clone", 1, lambda a: a[0], lambda f, a: f if a[0] >= 2 else None,
                     lambda x, a: [x] * a[0], doc="clone(b): b copies of the input"))
register_op(BranchOp("group", 2, lambda a: a[1], _group_split,
                     lambda x, a: jnp.split(x, a[1], axis=a[0]),
                     doc="group(dim, b): b equal chunks along feature dim `dim`"))


def _add_combine(fs, a) -> Feature | None:
    return fs[0] if all(f == fs[0] for f in fs) else None


def _concat_combine(fs, a) -> Feature | None:
    (dim,) = a
    f0 = fs[0]
    if not 1 <= dim <= len(f0.shape):
        return None
    rest = f0.shape[: dim - 1] + f0.shape[dim:]
    for f in fs:
        if f.mode != f0.mode or len(f.shape) != len(f0.shape) or f.shape[: dim - 1] + f.shape[dim:] != rest:
            return None
    shape = list(f0.shape)
    shape[dim - 1] = sum(f.shape[dim - 1] for f in fs)
    return Feature(f0.mode, tuple(shape))


def _matmul_combine(fs, a) -> Feature | None:
    if len(fs) != 2:
        return None
    x, y = fs
    if x.mode != y.mode or len(x.shape) != len(y.shape):
        return None
    if x.shape[:-2] != y.shape[:-2] or x.shape[-1] != y.shape[-2]:
        return None
    return Feature(x.mode, x.shape[:-1] + (y.shape[-1],))


def _matmul_flops(fs, a) -> int:
    x, y = fs
    return 2 * x.size * y.shape[-1]


def _scaled_matmul(xs, a):
    return jnp.matmul(xs[0], xs[1]) / math.sqrt(xs[0].shape[-1])


register_op(AggregateOp("add", 0, _add_combine, lambda xs, a: sum(xs[1:], xs[0]),
                        flops=lambda fs, a: fs[0].size * (len(fs) - 1), doc="add: elementwise sum"))
register_op(AggregateOp("concat", 1, _concat_combine, lambda xs, a: jnp.concatenate(xs, axis=a[0]),
                        doc="concat(dim): join along feature dim `dim`"))
register_op(AggregateOp("matmul", 0, _matmul_combine, lambda xs, a: jnp.matmul(xs[0], xs[1]),
                        flops=_matmul_flops, max_arity=2,
                        doc="matmul: (..., n, k) @ (..., k, m); b = 2 only"))
register_op(AggregateOp("scaled_matmul", 0, _matmul_combine, _scaled_matmul,
                        flops=_matmul_flops, max_arity=2,
                        doc="scaled_matmul: matmul / sqrt(k) (attention scores); b = 2 only"))
