"""Mutation and crossover always give valid children within the limits."""

from __future__ import annotations

import numpy as np
import pytest

from einspace.grammar import default_grammar
from einspace.sampler import (CrossoverError, Limits, compatible_pairs, crossover, mutate,
                              propose_mutation, sample)
from einspace.sampler.mutation import position
from einspace.tree import infer, parse

LIMITS = Limits(max_depth=12, max_nodes=50, max_params=500_000, max_activation_bytes=8 * 2**20)


@pytest.mark.parametrize("shape", [(3, 28, 28), (1, 27, 18), (12, 8, 8)])
def test_mutation_chains_stay_valid_within_limits(shape):
    g = default_grammar(0.5)
    rng = np.random.default_rng(shape[1])
    tree = sample(g, shape, rng, LIMITS)
    slots = set()
    for _ in range(150):
        child, path, slot = propose_mutation(tree, g, shape, rng, LIMITS)
        assert child != tree and child.replace_at(path, tree.at(path)) == tree
        a = infer(child, shape)
        assert LIMITS.violations(a, child.num_nodes()) == []
        slots.add(slot)
        tree = child
    assert {"module", "root"} <= slots  # nodes are picked everywhere, root included
    assert mutate(tree, g, shape, rng, LIMITS) != tree


def test_mutation_of_a_terminal_slot_keeps_the_branch_factor():
    t = parse("branching(clone(4), linear(8), add)")
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(60):
        child = mutate(t, default_grammar(0.5), (4, 6), rng, LIMITS)
        if child.op == "branching" and child.children[1:-1] == t.children[1:-1]:
            seen.add(child.children[0])
    for b in seen:
        assert b.args[-1] == 4


def test_positions_of_every_slot():
    t = parse("routing(im2col(1, 1, 0), branching(clone(2), relu, linear(4), add), col2im)")
    assert position(t, ()) == "root"
    assert position(t, (0,)) == "prerouting" and position(t, (2,)) == "postrouting"
    assert position(t, (1, 0)) == "branching" and position(t, (1, 3)) == "aggregation"
    assert position(t, (1, 2)) == "module"


def test_crossover_swaps_only_matching_contexts():
    shape = (3, 16, 16)
    g = default_grammar(0.5)
    rng = np.random.default_rng(5)
    made = 0
    for _ in range(300):
        a, b = sample(g, shape, rng, LIMITS), sample(g, shape, rng, LIMITS)
        pairs = compatible_pairs(a, b, shape)
        for pa, pb in pairs:
            ia, ib = infer(a, shape).info(pa), infer(b, shape).info(pb)
            assert (ia.inp, ia.out) == (ib.inp, ib.out)
        if not pairs:
            with pytest.raises(CrossoverError):
                crossover(a, b, shape, rng, LIMITS)
            continue
        child = crossover(a, b, shape, rng, LIMITS)
        assert infer(child, shape).output == infer(a, shape).output
        assert LIMITS.violations(infer(child, shape), child.num_nodes()) == []
        made += 1
    assert made >= 3  # random pairs rarely share contexts; the population shares many more


def test_crossover_of_hand_written_parents():
    a = parse("sequential(linear(8), sequential(relu, norm))")
    b = parse("sequential(linear(8), sequential(softmax, leakyrelu))")
    child = crossover(a, b, (4, 6), np.random.default_rng(0), LIMITS)
    assert child != a and infer(child, (4, 6)).output.shape == (4, 8)
