"""Patching in function space: round trips, and zero-shot resolution invariance of patch attention."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attention_theory.operators import PatchAttention, SpectralPatchAttention, patch_attention, patchify, unpatchify


def test_patchify_round_trip_and_layout():
    x = jnp.asarray(np.random.default_rng(0).normal(size=(2, 12, 8, 3)), jnp.float32)
    t = patchify(x, (3, 2))
    assert t.shape == (2, 6, 4, 4, 3)
    np.testing.assert_array_equal(np.asarray(t[:, 1]), np.asarray(x[:, 0:4, 4:8]))  # row-major patches
    np.testing.assert_array_equal(np.asarray(unpatchify(t, (3, 2))), np.asarray(x))


def test_patchify_error_names_grid_and_patch_count():
    with pytest.raises(ValueError, match="10x10.*num_patches=4x4"):
        patchify(jnp.ones((1, 10, 10, 1)), 4)


def _piecewise_constant(values: np.ndarray, s: int) -> jax.Array:
    """(B, P, P, C) patch values -> (B, s, s, C) field constant on each patch."""
    p = s // values.shape[1]
    return jnp.asarray(np.repeat(np.repeat(values, p, axis=1), p, axis=2), jnp.float32)


@pytest.mark.parametrize("kind", ["pointwise", "spectral"])
def test_patch_attention_is_resolution_invariant_on_patchwise_constant_functions(kind):
    """Same parameters, s = 8, 16, 32 with 4 x 4 patches: the output function is identical."""
    rngs = nnx.Rngs(0)
    attn = PatchAttention(8, 2, 4, rngs=rngs) if kind == "pointwise" else SpectralPatchAttention(8, 2, 4, 3, rngs=rngs)
    values = np.random.default_rng(0).normal(size=(2, 4, 4, 8)) * 3.0
    outs = []
    for s in (8, 16, 32):
        y = unpatchify(attn(patchify(_piecewise_constant(values, s), 4)), 4)
        outs.append(np.asarray(y)[:, :: s // 4, :: s // 4])
    scale = np.abs(outs[0]).max()
    np.testing.assert_allclose(outs[1], outs[0], atol=1e-4 * scale)
    np.testing.assert_allclose(outs[2], outs[0], atol=1e-4 * scale)


def test_patch_attention_without_quadrature_factor_is_not_invariant():
    """Control: keeping the coarse grid's 1/s^2 at a finer grid changes the output."""
    values = np.random.default_rng(1).normal(size=(1, 4, 4, 4))
    outs = []
    for s in (8, 16):
        t = patchify(_piecewise_constant(values, s), 4)[:, None]
        outs.append(np.asarray(patch_attention(t, t, t, (8, 8)))[0, 0, :, 0, 0])
    assert np.abs(outs[1] - outs[0]).max() > 1e-2


def test_patch_attention_scores_are_l2_inner_products():
    """Two patches (1 x 2 patch grid) of constant functions c_p: S_pq = c_p c_q * |patch|."""
    c = np.array([0.7, -1.3])
    q = jnp.asarray(np.repeat(c, 16).reshape(1, 1, 2, 4, 4, 1), jnp.float32)  # p = 4, s = (4, 8)
    v = jnp.asarray(np.arange(2.0).repeat(16).reshape(1, 1, 2, 4, 4, 1), jnp.float32)
    out = np.asarray(patch_attention(q, q, v, (4, 8)))[0, 0, :, 0, 0, 0]
    area = 0.5  # each patch covers half of the unit square
    scores = np.outer(c, c) * area
    probs = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    np.testing.assert_allclose(out, probs @ np.arange(2.0), atol=1e-6)
