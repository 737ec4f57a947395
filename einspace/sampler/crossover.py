"""Subtree crossover (beyond the paper): swap a module subtree of one parent for a module subtree
of the other taken at a node with the same input feature and the same output feature, so the
child is valid by construction; it is still checked against the limits."""

from __future__ import annotations

from einspace.grammar.feature import feature_for_input
from einspace.sampler.limits import Limits
from einspace.sampler.mutation import position
from einspace.tree.infer import infer
from einspace.tree.node import Node


class CrossoverError(RuntimeError):
    """The parents share no compatible pair of subtrees within the limits."""


def compatible_pairs(a: Node, b: Node, input_shape: tuple[int, ...]) -> list[tuple[tuple, tuple]]:
    """(path in a, path in b) pairs of non-root module nodes with equal input and output
    features and different subtrees."""
    f = feature_for_input(input_shape)
    by_context: dict = {}
    for info in infer(b, f).nodes:
        if info.path and position(b, info.path) == "module":
            by_context.setdefault((info.inp, info.out), []).append(info)
    pairs = []
    for info in infer(a, f).nodes:
        if not info.path or position(a, info.path) != "module":
            continue
        for other in by_context.get((info.inp, info.out), ()):
            if other.node != info.node:
                pairs.append((info.path, other.path))
    return pairs


def crossover(a: Node, b: Node, input_shape: tuple[int, ...], rng,
              limits: Limits | None = None) -> Node:
    """Child of `a` with one of its subtrees replaced by a compatible subtree of `b`.

    rng: numpy Generator. Raises CrossoverError when no compatible pair gives a child within
    `limits`.
    """
    limits = limits or Limits()
    f = feature_for_input(input_shape)
    pairs = compatible_pairs(a, b, input_shape)
    for k in rng.permutation(len(pairs)):
        pa, pb = pairs[k]
        child = a.replace_at(pa, b.at(pb))
        if not limits.violations(infer(child, f), child.num_nodes()):
            return child
    raise CrossoverError(f"no compatible subtree pair within limits ({len(pairs)} candidate pairs)")
