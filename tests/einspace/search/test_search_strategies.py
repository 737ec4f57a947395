"""Strategies on the planted-optimum synthetic fitness: RE beats random sampling and random
search; aging, tournaments with replacement, crossover and seeding behave as specified."""

from __future__ import annotations

import numpy as np
import pytest

from einspace.search import (PLANTED, RandomSearch, RegularisedEvolution, SearchConfig, Space, make_strategy,
                             planted_fitness, seed_architectures)
from einspace.tree import parse, to_text

SMALL = dict(max_params=200_000, max_nodes=64, max_activation_bytes=4 * 2**20)
SHAPE = (1, 8, 8)


def _space() -> Space:
    return Space.from_config(SearchConfig(**SMALL), SHAPE)


def _run(strategy, budget: int) -> list[float]:
    """The synthetic search loop: ask, score, tell."""
    scores = []
    for _ in range(budget):
        p = strategy.ask()
        fitness = planted_fitness(p.arch)
        strategy.tell({"trial": p.trial, "architecture": to_text(p.arch), "fitness": fitness})
        scores.append(fitness)
    return scores


def test_planted_fitness_is_one_exactly_at_the_target():
    assert planted_fitness(PLANTED) == 1.0
    assert planted_fitness(parse("sequential(linear(32), leakyrelu)")) < 0.5


def test_regularised_evolution_beats_random_sampling_and_search_on_planted_optimum():
    re_best, rs_best, rs_mean = [], [], []
    for seed in range(3):
        re = _run(RegularisedEvolution(_space(), population=30, tournament=5, seed=seed), 300)
        rs = _run(RandomSearch(_space(), seed=seed), 300)
        re_best.append(max(re))
        rs_best.append(max(rs))
        rs_mean.append(np.mean(rs))
    assert np.median(re_best) > np.median(rs_best)
    assert np.median(re_best) > 3 * np.median(rs_mean)


def test_same_seed_same_architectures_and_other_seed_differs():
    first = to_text(RegularisedEvolution(_space(), 5, 2, seed=1).ask().arch)
    runs = []
    for seed in (1, 1, 2):
        s = RegularisedEvolution(_space(), population=5, tournament=2, seed=seed)
        runs.append([to_text(p) for p in (_ask_tell(s) for _ in range(15))])
    assert runs[0] == runs[1] and runs[0][0] == first
    assert runs[0] != runs[2]


def _ask_tell(strategy):
    p = strategy.ask()
    strategy.tell({"trial": p.trial, "architecture": to_text(p.arch), "fitness": planted_fitness(p.arch)})
    return p.arch


def test_aging_keeps_the_newest_members_and_failures_are_not_members():
    s = RegularisedEvolution(_space(), population=4, tournament=2, seed=0)
    arch = to_text(PLANTED)
    for t in range(6):
        s.tell({"trial": t, "architecture": arch, "fitness": float(t)})
    s.tell({"trial": 6, "architecture": arch, "fitness": None})
    assert [m["trial"] for m in s.members()] == [2, 3, 4, 5]


def test_children_mutate_a_tournament_winner_after_the_initial_population():
    s = RegularisedEvolution(_space(), population=3, tournament=10, seed=0)
    first = [s.ask() for _ in range(3)]
    assert all(p.origin == "sample" and p.parents == () for p in first)
    for p, fit in zip(first, (0.1, 0.9, 0.5)):
        s.tell({"trial": p.trial, "architecture": to_text(p.arch), "fitness": fit})
    child = s.ask()
    # a tournament of 10 drawn with replacement from 3 members picks the best with prob 1 - (2/3)^10
    assert child.origin == "mutation" and child.parents == (1,)
    assert child.arch != first[1].arch


def test_crossover_rate_one_makes_crossover_children():
    s = RegularisedEvolution(_space(), population=6, tournament=3, crossover_rate=1.0, seed=3)
    origins = []
    for _ in range(40):
        p = s.ask()
        origins.append(p.origin)
        s.tell({"trial": p.trial, "architecture": to_text(p.arch), "fitness": planted_fitness(p.arch)})
    assert "crossover" in origins and "mutation" not in origins[:6]


def test_seeded_evolution_starts_from_the_seeds():
    config = SearchConfig(strategy="re-seeded", seeds=("resnet18", "mixer"), population=10, tournament=2,
                          max_params=50_000_000, max_activation_bytes=2**30, max_nodes=2048, max_depth=64)
    s = make_strategy(config, (3, 32, 32))
    assert [s.ask().origin for _ in range(2)] == ["seed:resnet18", "seed:mlp_mixer"]
    with pytest.raises(ValueError, match="seeds"):
        seed_architectures(SearchConfig(seeds=("alexnet",)), (3, 32, 32))


def test_config_errors_name_field_and_valid_options():
    with pytest.raises(ValueError, match=r"SearchConfig.strategy='ga'.*'rs', 're', 're-seeded'"):
        SearchConfig(strategy="ga").validate()
    with pytest.raises(ValueError, match="SearchConfig.seeds"):
        SearchConfig(strategy="re-seeded").validate()
    with pytest.raises(ValueError, match="halving_rungs"):
        SearchConfig(epochs=4, halving_rungs=(4,)).validate()
