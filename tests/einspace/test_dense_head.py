"""Dense-output heads: shapes, parameter counts and pooling against a naive reference."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import nnx

from einspace.compiler import (adaptive_pool_matrix, build_dense_model, count_params,
                               predicted_dense_params)


def test_pool_matrix_is_block_mean_when_divisible_and_identity_when_equal():
    np.testing.assert_allclose(adaptive_pool_matrix(8, 4), np.kron(np.eye(4), [[0.5, 0.5]]))
    np.testing.assert_allclose(adaptive_pool_matrix(5, 5), np.eye(5))
    p = adaptive_pool_matrix(5, 3)  # torch bins: [0,2), [1,4), [3,5)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)
    assert p[1, 1] == pytest.approx(1 / 3) and p[0, 2] == 0


@pytest.mark.parametrize("arch,shape,target", [
    ("sequential(routing(im2col(3, 2, 1), linear(8), col2im), relu)", (2, 12, 12), (1, 12, 12)),
    ("sequential(routing(im2col(4, 4, 0), linear(8), identity), relu)", (2, 12, 12), (3, 6, 6)),
])
def test_dense_head_output_and_params(arch, shape, target, key):
    model = build_dense_model(arch, shape, target, rngs=nnx.Rngs(0))
    y = model(jax.random.normal(key, (2, *shape)))
    assert y.shape == (2, *target)
    assert count_params(model) == predicted_dense_params(arch, shape, target)


def test_dense_head_matches_naive_pool_then_project(key):
    arch = "sequential(relu, identity)"
    model = build_dense_model(arch, (3, 8, 8), (2, 4, 4), rngs=nnx.Rngs(0))
    x = jax.random.normal(key, (1, 3, 8, 8))
    pooled = np.maximum(np.asarray(x), 0).reshape(1, 3, 4, 2, 4, 2).mean(axis=(3, 5))  # (1,3,4,4)
    w, b = np.asarray(model.proj.kernel[...]), np.asarray(model.proj.bias[...])
    ref = np.einsum("bchw,co->bohw", pooled, w) + b[None, :, None, None]
    np.testing.assert_allclose(model(x), ref, rtol=1e-4, atol=1e-5)
