"""The search space as the strategies see it: sample, mutate and cross over architectures for one
input shape, within the resource limits, plus a per-example FLOPs filter.

All randomness comes from the numpy Generator passed in; `trial_rng(seed, trial)` gives each
trial its own stream, so a trial's proposal depends only on the seed, its id and the population
it was drawn from (which is what makes a resumed search repeat the uninterrupted one).
"""

from __future__ import annotations

import numpy as np

from einspace.grammar import Grammar, default_grammar
from einspace.sampler import CrossoverError, Limits, MutationError, crossover, mutate, sample
from einspace.search.config import SearchConfig
from einspace.tree import Node, infer

_FLOPS_TRIES = 50


class SpaceError(RuntimeError):
    """No proposal within the limits and the FLOPs budget was found."""


def trial_rng(seed: int, trial: int) -> np.random.Generator:
    """The Generator of one trial: independent of every other trial's."""
    return np.random.default_rng([seed, trial])


class Space:
    """Proposal operators over `grammar` for inputs of `input_shape` (no batch axis)."""

    def __init__(self, grammar: Grammar, input_shape: tuple[int, ...], limits: Limits, max_flops: int = 0,
                 max_ops: int = 0):
        self.grammar, self.input_shape, self.limits = grammar, tuple(input_shape), limits
        self.max_flops, self.max_ops = max_flops, max_ops

    @classmethod
    def from_config(cls, config: SearchConfig, input_shape: tuple[int, ...]) -> "Space":
        grammar = default_grammar(config.p_computation)
        limits = Limits(max_depth=config.max_depth, max_nodes=config.max_nodes, max_params=config.max_params,
                        max_activation_bytes=config.max_activation_bytes)
        return cls(grammar, input_shape, limits, config.max_flops, config.max_ops)

    def affordable(self, tree: Node) -> bool:
        """Within max_flops (per example) and max_ops (leaf ops with repeated branches expanded)."""
        if not (self.max_flops or self.max_ops):
            return True
        a = infer(tree, self.input_shape)
        ops = sum(n.copies for n in a.nodes if not n.node.children)
        return (not self.max_flops or a.flops <= self.max_flops) and (not self.max_ops or ops <= self.max_ops)

    def sample(self, rng: np.random.Generator) -> Node:
        for _ in range(_FLOPS_TRIES):
            tree = sample(self.grammar, self.input_shape, rng, self.limits)
            if self.affordable(tree):
                return tree
        raise SpaceError(f"no sample within max_flops={self.max_flops}, max_ops={self.max_ops} in {_FLOPS_TRIES} draws; raise them")

    def mutate(self, tree: Node, rng: np.random.Generator) -> Node:
        """A mutant within the limits and FLOPs budget; raises MutationError if none is found."""
        for _ in range(_FLOPS_TRIES):
            child = mutate(tree, self.grammar, self.input_shape, rng, self.limits)
            if self.affordable(child):
                return child
        raise MutationError(f"no mutant within max_flops={self.max_flops}, max_ops={self.max_ops} in {_FLOPS_TRIES} tries")

    def crossover(self, a: Node, b: Node, rng: np.random.Generator) -> Node:
        """A child of `a` with a subtree of `b`; raises CrossoverError if none fits."""
        child = crossover(a, b, self.input_shape, rng, self.limits)
        if not self.affordable(child):
            raise CrossoverError(f"crossover child exceeds max_flops={self.max_flops} or max_ops={self.max_ops}")
        return child
