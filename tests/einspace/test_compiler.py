"""The compiler: every sample compiles and runs with the predicted output shape and parameter
count; conv fusion is numerically equal to im2col -> linear -> col2im; one trace per architecture."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from hypothesis import given, settings
from hypothesis import strategies as st

from einspace.compiler import build_backbone, build_model, count_params, predicted_params
from einspace.grammar import default_grammar
from einspace.sampler import Limits, sample
from einspace.tree import infer, parse

SHAPES = [(3, 28, 28), (1, 24, 24), (1, 27, 18), (3, 64, 64), (12, 8, 8)]
SMALL = Limits(max_depth=8, max_nodes=24, max_params=100_000, max_activation_bytes=2**20)


def _abstract_check(tree, shape, classes=3):
    """Build abstractly (no allocation) and trace a forward pass; compare with prediction."""
    model = nnx.eval_shape(lambda: build_model(tree, shape, classes, rngs=nnx.Rngs(0)))
    graphdef, state = nnx.split(model)
    n = sum(x.size for x in jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
    assert n == predicted_params(tree, shape, classes)
    x = jax.ShapeDtypeStruct((2, *shape), jnp.float32)
    out = jax.eval_shape(lambda s, x: nnx.merge(graphdef, s)(x), state, x)
    assert out.shape == (2, classes)
    bb = jax.eval_shape(lambda s, x: nnx.merge(graphdef, s).backbone(x), state, x)
    assert bb.shape == (2, *infer(tree, shape).output.shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("p", [0.9, 0.5, 0.32])
def test_every_sample_builds_with_predicted_shape_and_params(shape, p):
    rng = np.random.default_rng(abs(hash((shape, p))) % 2**32)
    for _ in range(2):
        _abstract_check(sample(default_grammar(p), shape, rng, SMALL), shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_samples_run_on_real_batches(shape, key):
    tree = sample(default_grammar(0.5), shape, np.random.default_rng(sum(shape)), SMALL)
    model = build_model(tree, shape, 4, rngs=nnx.Rngs(0))
    y = model(jax.random.normal(key, (2, *shape)))
    assert y.shape == (2, 4)
    assert count_params(model) == predicted_params(tree, shape, 4)


@pytest.mark.slow
def test_many_samples_run_on_real_batches(key):
    for i in range(60):
        shape = SHAPES[i % len(SHAPES)]
        p = (0.9, 0.5, 0.32)[i % 3]
        tree = sample(default_grammar(p), shape, np.random.default_rng(i), SMALL)
        model = build_model(tree, shape, 4, rngs=nnx.Rngs(i))
        assert model(jax.random.normal(key, (2, *shape))).shape == (2, 4)
        assert count_params(model) == predicted_params(tree, shape, 4)


@pytest.mark.parametrize("conv", ["im2col(3, 1, 1)", "im2col(3, 2, 1)", "im2col(4, 4, 0)",
                                  "im2col(1, 2, 0)", "im2col(7, 2, 3)"])
def test_fused_conv_equals_im2col_linear_col2im(conv, key):
    text = f"routing({conv}, linear(6), col2im)"
    x = jax.random.normal(key, (2, 3, 11, 9))
    fused = build_backbone(text, (3, 11, 9), rngs=nnx.Rngs(5), fuse_conv=True)
    plain = build_backbone(text, (3, 11, 9), rngs=nnx.Rngs(5), fuse_conv=False)
    assert type(fused).__name__ == "FusedConv" and type(plain).__name__ == "Routing"
    np.testing.assert_allclose(fused(x), plain(x), rtol=1e-4, atol=1e-5)


def test_identical_trees_share_one_trace_and_a_new_tree_costs_one_more():
    traces = []

    @nnx.jit
    def forward(model, x):
        traces.append(1)
        return model(x)

    a = "sequential(routing(im2col(3, 1, 1), linear(8), col2im), branching(clone(2), norm, leakyrelu, add))"
    b = a.replace("linear(8)", "linear(16)")
    x = jnp.ones((2, 3, 8, 8))
    forward(build_model(a, (3, 8, 8), 4, rngs=nnx.Rngs(1)), x)
    forward(build_model(parse(a), (3, 8, 8), 4, rngs=nnx.Rngs(2)), x)
    assert len(traces) == 1
    forward(build_model(b, (3, 8, 8), 4, rngs=nnx.Rngs(1)), x)
    assert len(traces) == 2


def test_batchnorm_follows_train_and_eval(key):
    model = build_model("sequential(norm, relu)", (2, 4, 4), 3, rngs=nnx.Rngs(0))
    x = 3.0 + jax.random.normal(key, (8, 2, 4, 4))
    model.train()
    y_train = model(x)
    model.eval()
    y_eval = model(x)
    assert not np.allclose(y_train, y_eval)


def test_col_head_reductions(key):
    text = "sequential(linear(6), relu)"
    x = jax.random.normal(key, (2, 5, 4))
    feats = build_model(text, (5, 4), 3, rngs=nnx.Rngs(0))
    toks = build_model(text, (5, 4), 3, rngs=nnx.Rngs(0), col_reduce="tokens")
    assert feats.head.in_features == 5 and toks.head.in_features == 6
    assert feats(x).shape == toks(x).shape == (2, 3)
    with pytest.raises(ValueError, match="col_reduce='mean'"):
        build_model(text, (5, 4), 3, rngs=nnx.Rngs(0), col_reduce="mean")


def test_1d_grammar_samples_compile_and_run(key):
    from einspace.grammar import grammar_1d

    rng = np.random.default_rng(11)
    shape = (32, 4)
    for _ in range(6):
        _abstract_check(sample(grammar_1d(0.5), shape, rng, SMALL), shape)
    tree = parse("sequential(conv1d(5, 32), sequential(norm, conv1d(8, 64)))")
    model = build_model(tree, shape, 3, rngs=nnx.Rngs(0))
    assert model(jax.random.normal(key, (2, *shape))).shape == (2, 3)


_PROPERTY = given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from(SHAPES),
                  p=st.sampled_from([0.9, 0.7, 0.5, 0.4, 0.32]))


def _property(seed, shape, p):
    tree = sample(default_grammar(p), shape, np.random.default_rng(seed), SMALL)
    assert parse(str(tree)) == tree
    _abstract_check(tree, shape)


@settings(max_examples=20, deadline=None, derandomize=True)
@_PROPERTY
def test_property_any_seed_shape_and_p_gives_a_buildable_tree(seed, shape, p):
    _property(seed, shape, p)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@_PROPERTY
def test_property_many_more_examples(seed, shape, p):
    _property(seed, shape, p)


def test_check_architecture_reports_success_and_failure_reasons():
    from einspace.compiler import check_architecture

    ok = check_architecture(parse("sequential(linear(4), relu)"), (3, 5), num_classes=2)
    assert ok["ok"] and ok["params"] == ok["predicted_params"] and ok["output_shape"] == [2, 2]
    bad = check_architecture(parse("branching(clone(2), linear(4), linear(5), add)"), (3, 5))
    assert not bad["ok"] and bad["reason"].startswith("ArchitectureError: node add")
