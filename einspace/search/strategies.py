"""Search strategies behind an ask/tell interface, independent of how candidates are evaluated.

    strategy.ask() -> Proposal       # the next architecture to evaluate
    strategy.tell(record)            # a finished trial (a trials.jsonl record)

- RandomSearch: every proposal a fresh sample. Its best validation score is "random search",
  its mean test score "random sampling" (paper, Table 1).
- RegularisedEvolution (Real et al. 2019): after an initial population (P random samples, or
  the seed architectures), each child is a mutation of the winner of a tournament of
  `tournament` members drawn with replacement; a new member pushes out the oldest (aging).
  With probability `crossover_rate` the child is instead a subtree crossover of two
  tournament winners. Works asynchronously: ask() may be called before earlier asks are told.

Resume: a new strategy told the log's records in order, with `asked` set to the number of
trials already proposed, is in exactly the state of the interrupted one.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any, Protocol

from einspace.sampler import CrossoverError, MutationError
from einspace.search.config import SearchConfig
from einspace.search.space import Space, trial_rng
from einspace.tree import Node, parse


@dataclasses.dataclass(frozen=True)
class Proposal:
    """trial: its id (0, 1, ...); parents: trial ids it derives from; origin: how it was made
    ("sample", "seed:<name>", "mutation", "crossover", or a fallback such as
    "sample (no mutant)")."""

    trial: int
    arch: Node
    parents: tuple[int, ...] = ()
    origin: str = "sample"


class Strategy(Protocol):
    asked: int

    def ask(self) -> Proposal: ...

    def tell(self, record: dict[str, Any]) -> None: ...


@dataclasses.dataclass(frozen=True)
class Member:
    trial: int
    arch: Node
    fitness: float


class RandomSearch:
    """Independent samples; `tell` only keeps the best for inspection."""

    def __init__(self, space: Space, seed: int = 0):
        self.space, self.seed, self.asked = space, seed, 0
        self.best: Member | None = None

    def ask(self) -> Proposal:
        trial = self.asked
        self.asked += 1
        return Proposal(trial, self.space.sample(trial_rng(self.seed, trial)))

    def tell(self, record: dict[str, Any]) -> None:
        fitness = record.get("fitness")
        if fitness is not None and (self.best is None or fitness > self.best.fitness):
            self.best = Member(record["trial"], parse(record["architecture"]), fitness)


class FixedCandidates:
    """Proposes the given architectures in order (benchmarks, executor comparisons, tests)."""

    def __init__(self, archs: list[Node | str]):
        self.archs = [parse(a) if isinstance(a, str) else a for a in archs]
        self.asked = 0

    def ask(self) -> Proposal:
        if self.asked >= len(self.archs):
            raise IndexError(f"FixedCandidates holds {len(self.archs)} architectures; budget asks for more")
        self.asked += 1
        return Proposal(self.asked - 1, self.archs[self.asked - 1], (), "fixed")

    def tell(self, record: dict[str, Any]) -> None:
        pass


class RegularisedEvolution:
    """Aging evolution. initial: (origin, tree) pairs proposed first (seeds); when empty, the
    first `population` proposals are random samples."""

    def __init__(self, space: Space, population: int = 100, tournament: int = 10, crossover_rate: float = 0.0,
                 seed: int = 0, initial: tuple[tuple[str, Node], ...] = ()):
        self.space, self.seed = space, seed
        self.size, self.tournament, self.crossover_rate = population, tournament, crossover_rate
        self.initial = tuple(initial)
        self.population: collections.deque[Member] = collections.deque(maxlen=population)
        self.asked = 0

    @property
    def n_initial(self) -> int:
        return len(self.initial) or self.size

    def _winner(self, rng) -> Member:
        picks = rng.integers(len(self.population), size=self.tournament)
        members = list(self.population)
        return max((members[i] for i in picks), key=lambda m: m.fitness)

    def ask(self) -> Proposal:
        trial = self.asked
        self.asked += 1
        rng = trial_rng(self.seed, trial)
        if trial < self.n_initial:
            if self.initial:
                origin, tree = self.initial[trial]
                return Proposal(trial, tree, (), origin)
            return Proposal(trial, self.space.sample(rng))
        if not self.population:  # every initial member failed: keep exploring
            return Proposal(trial, self.space.sample(rng), (), "sample (empty population)")
        parent = self._winner(rng)
        if rng.random() < self.crossover_rate:
            other = self._winner(rng)
            try:
                return Proposal(trial, self.space.crossover(parent.arch, other.arch, rng),
                                (parent.trial, other.trial), "crossover")
            except CrossoverError:
                pass  # fall back to mutation of the first winner
        try:
            return Proposal(trial, self.space.mutate(parent.arch, rng), (parent.trial,), "mutation")
        except MutationError:
            return Proposal(trial, self.space.sample(rng), (), "sample (no mutant)")

    def tell(self, record: dict[str, Any]) -> None:
        """Add a finished trial to the population (failures without a score are not added)."""
        fitness = record.get("fitness")
        if fitness is not None:
            self.population.append(Member(record["trial"], parse(record["architecture"]), float(fitness)))

    def members(self) -> list[dict[str, Any]]:
        return [{"trial": m.trial, "fitness": m.fitness} for m in self.population]


def seed_architectures(config: SearchConfig, input_shape: tuple[int, ...]) -> tuple[tuple[str, Node], ...]:
    """(origin, tree) of each configured seed: a name in einspace.seeds or architecture text."""
    from einspace.seeds import SEEDS, seed

    out = []
    for name in config.resolved_seeds():
        if name in SEEDS:
            out.append((f"seed:{name}", seed(name, input_shape)))
        elif "(" in name:
            out.append(("seed:text", parse(name)))
        else:
            raise ValueError(f"SearchConfig.seeds: {name!r} is neither a seed architecture "
                             f"({sorted(SEEDS)} or mixer) nor architecture text")
    return tuple(out)


def make_strategy(config: SearchConfig, input_shape: tuple[int, ...]) -> RandomSearch | RegularisedEvolution:
    """The strategy named by `config.strategy`, in its initial state."""
    space = Space.from_config(config, input_shape)
    if config.strategy == "rs":
        return RandomSearch(space, config.seed)
    initial = seed_architectures(config, input_shape) if config.strategy == "re-seeded" else ()
    return RegularisedEvolution(space, config.population, config.tournament, config.crossover_rate,
                                config.seed, initial)
