"""The search space as the strategies see it: sample, mutate and cross over architectures for one
input shape, within the resource limits, plus a per-example FLOPs filter.

All randomness comes from the numpy Generator passed in; `trial_rng(seed, trial)` gives each
trial its own stream, so a trial's proposal depends only on the seed, its id and the population
it was drawn from (which is what makes a resumed search repeat the uninterrupted one).

`seed_at_width` narrows a seed architecture (ResNet18 ... MLP-Mixer) for small inputs, and
`seed_limits` gives limits that admit such seeds with room for their mutants to grow.
"""

from __future__ import annotations

import dataclasses
import math

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


def scale_widths(tree: Node, factor: float) -> Node:
    """`tree` with every linear(d) replaced by linear(max(2, round(d * factor)))."""
    if tree.op == "linear":
        return dataclasses.replace(tree, args=(max(2, round(tree.args[0] * factor)),))
    if not tree.children:
        return tree
    return dataclasses.replace(tree, children=tuple(scale_widths(c, factor) for c in tree.children))


def seed_at_width(name: str, input_shape: tuple[int, ...], width: float) -> Node:
    """Seed architecture `name` (einspace.seeds) with its linear widths times `width`.

    The MLP-Mixer's token MLP maps back to the number of patches, which is a shape, not a
    width: it is rebuilt with the narrowed widths instead of scaled.
    """
    from einspace.seeds import SEEDS, mlp_mixer, seed

    if name not in SEEDS:
        raise ValueError(f"seed {name!r} is not one of {sorted(SEEDS)}")
    if not 0 < width <= 1:
        raise ValueError(f"seed width={width!r} is not valid; give a factor in (0, 1]")
    if width == 1:
        return seed(name, input_shape)
    if name == "mlp_mixer":
        _, h, w = input_shape
        narrow = max(2, round(512 * width))
        return mlp_mixer(width=narrow, token_hidden=narrow, tokens=(h // 4) * (w // 4))
    return scale_widths(seed(name, input_shape), width)


# Room for mutants above the largest seed: a mutation regrows one subtree, which may be larger.
SEED_HEADROOM = 1.5


def seed_limits(trees: list[Node], input_shape: tuple[int, ...]) -> dict[str, int]:
    """SearchConfig limit fields (max_depth ... max_ops) that admit every tree of `trees` with
    SEED_HEADROOM to spare: the cost of the largest seed in each measure, times the headroom."""
    costs = []
    for tree in trees:
        a = infer(tree, input_shape)
        costs.append({"max_depth": a.depth, "max_nodes": tree.num_nodes(), "max_params": a.params,
                      "max_activation_bytes": a.activation_bytes, "max_flops": a.flops,
                      "max_ops": sum(n.copies for n in a.nodes if not n.node.children)})
    return {k: math.ceil(SEED_HEADROOM * max(c[k] for c in costs)) for k in costs[0]}
