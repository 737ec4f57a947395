"""A cheap synthetic fitness with a planted optimum, for testing strategies without training.

fitness(tree) = |L(tree) & L(target)| / |L(tree) | L(target)| over the multisets L of leaf
terminals (op and arguments): the weighted Jaccard similarity to a planted target
architecture, 1.0 exactly at the target's leaf multiset and small for random samples. Hill
climbing by mutation can increase it one leaf at a time, which random sampling cannot.
"""

from __future__ import annotations

from collections import Counter

from einspace.tree import Node, parse

# A two-layer CNN (conv3x3(32), BN, ReLU; conv3x3/2(64), BN, ReLU): valid for any (C, H, W) input.
PLANTED = parse(
    "sequential(sequential(routing(im2col(3, 1, 1), linear(32), col2im), sequential(norm, leakyrelu)), "
    "sequential(routing(im2col(3, 2, 1), linear(64), col2im), sequential(norm, leakyrelu)))"
)


def leaves(tree: Node) -> Counter:
    return Counter((n.op, n.args) for _, n in tree.walk() if not n.children)


def planted_fitness(tree: Node, target: Node = PLANTED) -> float:
    """Weighted Jaccard similarity of leaf multisets, in [0, 1]; 1 at the target."""
    a, b = leaves(tree), leaves(target)
    union = sum((a | b).values())
    return sum((a & b).values()) / union if union else 1.0
