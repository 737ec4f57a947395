"""Seed architectures: parse/print round trip, compile, parameter counts near the paper's.

Assumption: the paper's counts (11.2M, 2.8M, 4.4M, 6.5M) are for a 3x64x64 input and a
10-class head (torchvision's ResNet18 has 11.17M parameters with 10 classes, 11.69M with 1000),
with our linears carrying biases; the counts are dominated by the backbone either way.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from einspace.compiler import build_model, predicted_params
from einspace.seeds import PAPER_PARAMS, SEEDS, seed
from einspace.tree import parse, to_text

SHAPE = (3, 64, 64)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_params_within_two_percent_of_the_paper(name):
    tree = seed(name, SHAPE)
    assert parse(to_text(tree)) == tree
    n = predicted_params(tree, SHAPE, 10)
    assert abs(n / PAPER_PARAMS[name] - 1) < 0.02, (name, n)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_compiles_with_the_predicted_param_count(name):
    model = nnx.eval_shape(lambda: build_model(seed(name, SHAPE), SHAPE, 10, rngs=nnx.Rngs(0)))
    n = sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    assert n == predicted_params(seed(name, SHAPE), SHAPE, 10)
    graphdef, state = nnx.split(model)
    out = jax.eval_shape(lambda s, x: nnx.merge(graphdef, s)(x), state,
                         jax.ShapeDtypeStruct((2, *SHAPE), jnp.float32))
    assert out.shape == (2, 10)


def test_small_vit_runs_for_real(key):
    from einspace.seeds import vit

    tree = vit(width=16, depth=1, heads=2, head_dim=8)
    model = build_model(tree, (3, 8, 8), 5, rngs=nnx.Rngs(0))
    y = model(jax.random.normal(key, (2, 3, 8, 8)))
    assert y.shape == (2, 5) and bool(jnp.isfinite(y).all())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_forward_pass_for_real(name, key):
    model = build_model(seed(name, (3, 32, 32)), (3, 32, 32), 10, rngs=nnx.Rngs(0))
    assert model(jax.random.normal(key, (2, 3, 32, 32))).shape == (2, 10)


def test_unknown_seed_lists_the_valid_names():
    with pytest.raises(KeyError, match="valid seeds: .*resnet18"):
        seed("resnet50")
