"""The sampler: valid by construction, deterministic, limits respected while sampling."""

from __future__ import annotations

import numpy as np
import pytest

from einspace.grammar import check_consistency, default_grammar, get_op, grammar_1d
from einspace.sampler import Limits, SamplingError, sample
from einspace.tree import infer, parse, to_text

SHAPES = [(3, 28, 28), (1, 24, 24), (1, 27, 18), (3, 64, 64), (12, 8, 8)]


def test_same_seed_same_trees_other_seed_other_trees():
    g = default_grammar(0.5)
    a = [sample(g, (3, 28, 28), np.random.default_rng(7)) for _ in range(1)]
    rng1, rng2 = np.random.default_rng(7), np.random.default_rng(7)
    run1 = [to_text(sample(g, (3, 28, 28), rng1)) for _ in range(20)]
    run2 = [to_text(sample(g, (3, 28, 28), rng2)) for _ in range(20)]
    run3 = [to_text(sample(g, (3, 28, 28), np.random.default_rng(8))) for _ in range(20)]
    assert run1 == run2 and run1[0] == to_text(a[0])
    assert run1 != run3


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("p", [0.9, 0.5, 0.32])
def test_every_sample_is_valid_and_within_limits(shape, p):
    limits = Limits(max_depth=9, max_nodes=40, max_params=300_000, max_activation_bytes=4 * 2**20)
    rng = np.random.default_rng(int(p * 100) + shape[0])
    for _ in range(25):
        t = sample(default_grammar(p), shape, rng, limits)
        a = infer(t, shape)  # raises if invalid
        assert limits.violations(a, t.num_nodes()) == []
        assert t.op in ("sequential", "branching", "routing")  # S is never a lone computation


def test_aggregation_arity_equals_branch_factor_under_nesting():
    rng = np.random.default_rng(0)
    nested = 0
    for _ in range(300):
        t = sample(default_grammar(0.4), (3, 16, 16), rng, Limits(max_nodes=60))
        for _, node in t.walk():
            if node.op != "branching":
                continue
            b = get_op(node.children[0].op).factor(node.children[0].args)
            assert len(node.children) - 2 == (2 if b == 2 else 1)
            inner = node.children[1:-1]
            nested += any(n.op == "branching" for c in inner for _, n in c.walk())
        infer(t, (3, 16, 16))
    assert nested > 20  # nested branches were exercised


def test_nested_branch_aggregates_use_their_own_factor():
    """The official code reads the arity from the inner branch: a b=4 outer branch around a
    b=2 inner one must concat 4 ways, the inner 2 ways."""
    t = parse("branching(clone(4), branching(group(1, 2), linear(4), linear(4), concat(1)), concat(1))")
    a = infer(t, (2, 8))
    assert a.output.shape == (8, 4)  # inner: (1, 4) x 2 -> (2, 4); outer: x 4 -> (8, 4)


def test_limits_are_enforced_during_sampling_not_after():
    """Tight activation limits on a big input: every sample fits, none is rejected afterwards."""
    limits = Limits(max_nodes=30, max_params=50_000, max_activation_bytes=2**20)
    rng = np.random.default_rng(3)
    for _ in range(40):
        t = sample(default_grammar(0.32), (3, 64, 64), rng, limits)
        a = infer(t, (3, 64, 64))
        assert a.activation_bytes <= 2**20 and a.params <= 50_000


def test_impossible_limits_raise_with_the_limits_named():
    with pytest.raises(SamplingError, match="max_nodes=2"):
        sample(default_grammar(), (3, 8, 8), np.random.default_rng(0), Limits(max_nodes=2, max_restarts=3))


def test_mean_size_matches_expected_size_of_the_grammar_at_high_p():
    """At p = 0.9 contexts rarely prune options, so the sample mean of derivation nodes follows
    the linear-system expectation (backtracking biases it slightly upwards)."""
    g = default_grammar(0.9)
    rng = np.random.default_rng(1)
    sizes = [sample(g, (3, 28, 28), rng).num_nodes() for _ in range(2000)]
    assert np.mean(sizes) == pytest.approx(check_consistency(g).expected_nodes, rel=0.08)


def test_1d_grammar_samples_sequences():
    rng = np.random.default_rng(0)
    ops = set()
    for _ in range(100):
        t = sample(grammar_1d(0.5), (64, 4), rng, Limits(max_nodes=40))
        infer(t, (64, 4))
        ops |= {n.op for _, n in t.walk()}
    assert "conv1d" in ops and "im2col" not in ops


def test_sampling_allocates_no_tensors():
    """Shapes are symbolic: sampling big-input architectures stays within a few MB of Python
    objects (the official sampler's dummy forward passes allocated 1-24 GiB)."""
    import tracemalloc

    rng = np.random.default_rng(0)
    g = default_grammar(0.32)
    tracemalloc.start()
    for _ in range(30):
        sample(g, (3, 64, 64), rng)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 2**20


@pytest.mark.parametrize("p", [0.5, 0.32])
def test_running_budgets_equal_symbolic_inference(p):
    """The sampler's running node/param/activation/FLOP counters are exactly what `infer`
    computes afterwards, so limits enforced while sampling are the limits of the result."""
    from einspace.grammar import feature_for_input
    from einspace.sampler import Sampler
    from einspace.tree.infer import BYTES_PER_ELEMENT

    shape = (3, 28, 28)
    limits = Limits(max_nodes=60, max_flops=5_000_000)
    sampler = Sampler(default_grammar(p), limits, np.random.default_rng(4))
    done = 0
    while done < 40:
        tree = sampler.draw(feature_for_input(shape))
        if tree is None:
            continue
        a = infer(tree, shape)
        assert (sampler.nodes, sampler.params, sampler.flops) == (tree.num_nodes(), a.params, a.flops)
        assert sampler.act * BYTES_PER_ELEMENT == a.activation_bytes
        assert a.flops <= 5_000_000
        done += 1


def test_buffered_uniforms_match_scalar_draws_and_leave_the_generator_in_place():
    from einspace.sampler.uniforms import Uniforms

    ref, rng = np.random.default_rng(3), np.random.default_rng(3)
    ref.integers(5), rng.integers(5)  # leaves half a 64-bit draw cached for the next small integer
    u = Uniforms(rng)
    assert [u() for _ in range(500)] == [ref.random() for _ in range(500)]
    u.sync()
    assert rng.integers(5, size=7).tolist() == ref.integers(5, size=7).tolist()
    assert rng.random() == ref.random()
    # a bit generator that cannot advance is drawn from one value at a time
    mt, mt_ref = np.random.Generator(np.random.MT19937(1)), np.random.Generator(np.random.MT19937(1))
    u = Uniforms(mt)
    assert [u() for _ in range(100)] == [mt_ref.random() for _ in range(100)]


def test_sampling_and_mutation_are_the_same_with_scalar_draws(monkeypatch):
    from einspace.sampler import mutate
    from einspace.sampler import uniforms

    def run():
        rng, out = np.random.default_rng(11), []
        for _ in range(15):
            t = sample(default_grammar(0.32), (3, 28, 28), rng, Limits(max_nodes=80))
            out += [to_text(t), to_text(mutate(t, default_grammar(0.32), (3, 28, 28), rng, Limits(max_nodes=80)))]
        return out, rng.random()

    buffered = run()
    monkeypatch.setattr(uniforms, "_SCALAR_FIRST", 10**9)  # the naive path: every draw a scalar call
    assert run() == buffered
