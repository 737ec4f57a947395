"""The grammar as data: editing, JSON round trip, validation errors, consistency check."""

from __future__ import annotations

import numpy as np
import pytest

from einspace.grammar import (Feature, Grammar, InconsistentGrammarError, UnaryOp,
                              check_consistency, critical_p_computation, default_grammar,
                              grammar_1d, register_op)


def test_default_probabilities_match_the_paper():
    g = default_grammar()
    assert g.module_probs["computation"] == pytest.approx(0.32)
    for rule in ("sequential", "branching", "routing"):
        assert g.module_probs[rule] == pytest.approx(0.68 / 3)
    assert len(g.options["prerouting"]) == 1 + 6 + 7  # identity, permutes, seven im2cols


def test_json_round_trip_and_edits():
    g = default_grammar().with_p_computation(0.5).without_op("softmax")
    g2 = Grammar.from_json(g.to_json())
    assert g2 == g
    assert all(o.op != "softmax" for o in g2.options["computation"])
    assert g2.module_probs["routing"] == pytest.approx(0.5 / 3)


def test_grammar_load_from_file(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(grammar_1d().to_json())
    assert Grammar.load(path) == grammar_1d()


def test_bad_tables_name_field_and_value():
    d = default_grammar().to_dict()
    d["module_probs"]["computation"] = 0.9
    with pytest.raises(ValueError, match="module_probs=.*sum to 1"):
        Grammar.from_dict(d)
    with pytest.raises(ValueError, match=r"options\['computation'\]: unknown op 'lenear'"):
        default_grammar().with_option("computation", "lenear", (8,))
    with pytest.raises(ValueError, match=r"options\['aggregation'\]: op 'relu' is a UnaryOp"):
        default_grammar().with_option("aggregation", "relu")
    with pytest.raises(ValueError, match="slot='bogus'"):
        default_grammar().with_option("bogus", "relu")


def test_critical_probability_is_four_thirteenths():
    """E[M children] = (1-p)/3 * (2 + 4/3 + 1) (b = 2 in a third of the branch options);
    radius 1 at p = 4/13 ~ 0.3077, the paper's '> ~0.31'."""
    assert critical_p_computation(default_grammar()) == pytest.approx(4 / 13)
    c = check_consistency(default_grammar(0.5))
    assert c.spectral_radius == pytest.approx((0.5 / 3) * 13 / 3)


def test_inconsistent_grammar_is_refused_with_radius_and_threshold():
    with pytest.raises(InconsistentGrammarError, match=r"spectral radius 1\.0833 >= threshold 1\.0"):
        check_consistency(default_grammar(0.25))


def test_expected_size_matches_monte_carlo_of_the_branching_process():
    """Simulate the context-free process (no shapes) and compare with the linear-system value."""
    g = default_grammar(0.6)
    rng = np.random.default_rng(0)
    p = g.module_probs["computation"]
    q = (1 - p) / 3

    def m_nodes() -> int:
        r = rng.random()
        if r < p:
            return 1
        if r < p + q:
            return 1 + m_nodes() + m_nodes()
        if r < p + 2 * q:
            return 3 + sum(m_nodes() for _ in range(2 if rng.random() < 1 / 3 else 1))
        return 3 + m_nodes()

    def s_nodes() -> int:
        r = rng.random() * 3
        if r < 1:
            return 1 + m_nodes() + m_nodes()
        if r < 2:
            return 3 + sum(m_nodes() for _ in range(2 if rng.random() < 1 / 3 else 1))
        return 3 + m_nodes()

    sims = [s_nodes() for _ in range(20000)]
    expected = check_consistency(g).expected_nodes
    assert np.mean(sims) == pytest.approx(expected, rel=0.03)


def test_user_defined_op_joins_the_grammar_without_editing_the_package():
    register_op(UnaryOp("test_square", 0, lambda f, a: f, apply=lambda x, a: x * x,
                        flops=lambda f, a: f.size), replace=True)
    g = default_grammar().with_option("computation", "test_square", weight=5.0)
    assert g.options["computation"][-1].op == "test_square"
    assert Grammar.from_json(g.to_json()) == g


def test_1d_grammar_has_no_image_routing_and_conv1d_terminals():
    g = grammar_1d()
    ops = {o.op for s in g.options.values() for o in s}
    assert "im2col" not in ops and "col2im" not in ops
    kernels = sorted({o.args[0] for o in g.options["computation"] if o.op == "conv1d"})
    assert kernels == [1, 3, 5, 8]
    assert Feature("col", (4, 4)).size == 16


def test_user_op_samples_compiles_and_runs():
    import jax.numpy as jnp
    from flax import nnx

    from einspace.compiler import build_model
    from einspace.sampler import Limits, sample

    register_op(UnaryOp("test_halve", 0, lambda f, a: f, apply=lambda x, a: 0.5 * x,
                        flops=lambda f, a: f.size), replace=True)
    g = default_grammar(0.9).with_option("computation", "test_halve", weight=100.0).without_op("posenc")
    rng = np.random.default_rng(0)
    trees = [sample(g, (4, 6), rng, Limits(max_nodes=12)) for _ in range(20)]
    tree = next(t for t in trees if any(n.op == "test_halve" for _, n in t.walk()))
    model = build_model(tree, (4, 6), 3, rngs=nnx.Rngs(0))
    assert model(jnp.ones((2, 4, 6))).shape == (2, 3)
    assert all(n.op != "posenc" for t in trees for _, n in t.walk())


def test_expected_size_diverges_like_inverse_distance_to_critical_p():
    """Near criticality E[size] ~ 1 / (1 - rho) and rho is linear in p, so
    log E[size] vs log(p - p_c) has slope -1 (fitted, not assumed)."""
    g = default_grammar()
    pc = critical_p_computation(g)
    gaps = np.geomspace(1e-4, 1e-2, 8)
    sizes = [check_consistency(g.with_p_computation(pc + d)).expected_nodes for d in gaps]
    slope = np.polyfit(np.log(gaps), np.log(sizes), 1)[0]
    assert -1.05 < slope < -0.95
