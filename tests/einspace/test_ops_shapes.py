"""Every terminal's symbolic shape rule and parameter count against the real op."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from einspace.grammar import Feature, get_op
from einspace.grammar import ops_unary
from einspace.grammar.layers import Stateless

IM = Feature("im", (3, 12, 10))
COL = Feature("col", (6, 8))

UNARY_CASES = [
    ("identity", (), IM), ("identity", (), COL),
    ("linear", (16,), IM), ("linear", (32,), COL),
    ("linear_mul", (4,), COL), ("linear_div", (4,), COL),
    ("norm", (), IM), ("norm", (), COL),
    ("leakyrelu", (), IM), ("relu", (), COL), ("softmax", (), COL), ("posenc", (), IM),
    ("permute", (2, 1), COL), *[("permute", p, IM) for p in ops_unary.IM_PERMUTES],
    *[("im2col", c, IM) for c in ops_unary.IM2COL_CONFIGS[:4] + ops_unary.EXTRA_IM2COL_CONFIGS],
    ("maxpool", (3, 2, 1), IM),
    *[("conv1d", (k, 32), COL) for k in (1, 3, 5, 8)],
]


def _module(op, args, f, rngs):
    spec = get_op(op)
    return spec.build(f, args, rngs) if spec.build else Stateless(op, args)


def _params(module) -> int:
    return sum(int(x.size) for x in jax.tree_util.tree_leaves(nnx.state(module, nnx.Param)))


@pytest.mark.parametrize("op,args,f", UNARY_CASES)
def test_unary_shape_rule_matches_the_real_op(op, args, f, key):
    spec = get_op(op)
    out = spec.shape(f, args)
    assert out is not None
    module = _module(op, args, f, nnx.Rngs(0))
    x = jax.random.normal(key, (2, *f.shape))
    y = module(x)
    assert y.shape == (2, *out.shape)
    assert _params(module) == spec.params(f, args)


def test_im2col_col2im_round_trip_restores_the_image(key):
    x = jax.random.normal(key, (2, *IM.shape))
    cols = get_op("im2col").apply(x, (1, 1, 0))
    grid = ops_unary.im2col_grid(IM, (1, 1, 0))
    np.testing.assert_array_equal(get_op("col2im").apply(cols, grid), x)


def test_im2col_matches_naive_patch_extraction(key):
    """Feature order (C, kh, kw) per output position, rows in (h, w) order."""
    x = jax.random.normal(key, (1, 2, 5, 4))
    k, s, p = 3, 2, 1
    cols = np.asarray(get_op("im2col").apply(x, (k, s, p)))[0]
    xp = np.pad(np.asarray(x)[0], ((0, 0), (p, p), (p, p)))
    rows = []
    for i in range(0, xp.shape[1] - k + 1, s):
        for j in range(0, xp.shape[2] - k + 1, s):
            rows.append(xp[:, i:i + k, j:j + k].reshape(-1))
    np.testing.assert_allclose(cols, np.stack(rows), atol=1e-6)


def test_shape_rules_refuse_inapplicable_contexts():
    assert get_op("im2col").shape(COL, (3, 1, 1)) is None  # Col mode
    assert get_op("im2col").shape(Feature("im", (3, 8, 8)), (16, 16, 0)) is None  # too small
    assert get_op("permute").shape(COL, (1, 3, 2)) is None
    assert get_op("linear_div").shape(Feature("col", (4, 6)), (4,)) is None
    assert get_op("col2im").shape(Feature("col", (10, 3)), (3, 3)) is None
    assert get_op("conv1d").shape(IM, (3, 32)) is None


@pytest.mark.parametrize("op,args,f,b", [
    ("clone", (2,), IM, 2), ("clone", (8,), COL, 8), ("group", (1, 2), COL, 2),
    ("group", (2, 4), IM, 4), ("group", (3, 2), IM, 2),
])
def test_branch_rule_matches_real_split(op, args, f, b, key):
    spec = get_op(op)
    inner = spec.split(f, args)
    parts = spec.apply(jax.random.normal(key, (2, *f.shape)), args)
    assert spec.factor(args) == b == len(parts)
    assert all(p.shape == (2, *inner.shape) for p in parts)


def test_group_refuses_indivisible_dims():
    assert get_op("group").split(Feature("im", (3, 12, 10)), (1, 2)) is None
    assert get_op("group").split(COL, (3, 2)) is None


@pytest.mark.parametrize("op,args,fs", [
    ("add", (), (COL,) * 4),
    ("concat", (1,), (COL, Feature("col", (2, 8)))),
    ("concat", (3,), (IM,) * 8),
    ("matmul", (), (Feature("col", (6, 8)), Feature("col", (8, 5)))),
    ("scaled_matmul", (), (Feature("im", (3, 4, 7)), Feature("im", (3, 7, 2)))),
])
def test_aggregate_rule_matches_real_op(op, args, fs, key):
    spec = get_op(op)
    out = spec.combine(fs, args)
    keys = jax.random.split(key, len(fs))
    y = spec.apply([jax.random.normal(k, (2, *f.shape)) for k, f in zip(keys, fs)], args)
    assert y.shape == (2, *out.shape)


def test_scaled_matmul_divides_by_sqrt_of_inner_dim(key):
    ka, kb = jax.random.split(key)
    a, b = jax.random.normal(ka, (1, 6, 9)), jax.random.normal(kb, (1, 9, 4))
    ref = a @ b / 3.0
    np.testing.assert_allclose(get_op("scaled_matmul").apply([a, b], ()), ref, rtol=1e-5)


def test_aggregates_refuse_mismatched_shapes():
    assert get_op("add").combine((COL, Feature("col", (6, 9))), ()) is None
    assert get_op("concat").combine((COL, Feature("col", (5, 9))), (1,)) is None
    assert get_op("matmul").combine((COL, COL), ()) is None
    assert get_op("concat").combine((IM, Feature("col", (3, 12))), (1,)) is None


def test_conv1d_matches_naive_same_convolution(key):
    f = Feature("col", (7, 3))
    module = get_op("conv1d").build(f, (4, 5), nnx.Rngs(0))
    x = jax.random.normal(key, (1, 7, 3))
    y = np.asarray(module(x))[0]
    w = np.asarray(module.linear.kernel[...]).reshape(4, 3, 5)
    xp = np.pad(np.asarray(x)[0], ((1, 2), (0, 0)))
    ref = np.stack([np.einsum("kd,kdw->w", xp[i:i + 4], w) for i in range(7)])
    np.testing.assert_allclose(y, ref + np.asarray(module.linear.bias[...]), rtol=1e-4, atol=1e-5)


def test_unknown_op_lookup_names_the_valid_ops():
    with pytest.raises(KeyError, match="registered ops:.*linear"):
        get_op("lenear")


def test_maxpool_matches_naive_max(key):
    x = jax.random.normal(key, (1, 1, 5, 5))
    y = np.asarray(get_op("maxpool").apply(x, (3, 2, 1)))[0, 0]
    xp = np.pad(np.asarray(x)[0, 0], 1, constant_values=-np.inf)
    ref = np.array([[xp[i:i + 3, j:j + 3].max() for j in range(0, 5, 2)] for i in range(0, 5, 2)])
    np.testing.assert_allclose(y, ref)
    assert jnp.isfinite(y).all()
