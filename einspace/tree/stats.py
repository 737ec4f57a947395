"""Statistics of a derivation tree (the paper's Table 10 quantities and more)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from einspace.tree.infer import infer
from einspace.tree.node import Node


@dataclass(frozen=True)
class TreeStats:
    """terminals: leaves; nonterminals: sequential/branching/routing nodes; depth: longest
    root-to-leaf edge count; branching_factor: mean children per non-terminal (0 for a lone
    terminal); op_counts: leaves per op name; params/flops/activation_bytes: from symbolic
    inference when an input shape was given (else None)."""

    terminals: int
    nonterminals: int
    depth: int
    branching_factor: float
    op_counts: dict = field(default_factory=dict)
    params: int | None = None
    flops: int | None = None
    activation_bytes: int | None = None

    def as_dict(self) -> dict:
        return {"terminals": self.terminals, "nonterminals": self.nonterminals, "depth": self.depth,
                "branching_factor": self.branching_factor, "op_counts": dict(self.op_counts),
                "params": self.params, "flops": self.flops, "activation_bytes": self.activation_bytes}


def tree_stats(tree: Node, input_shape: tuple[int, ...] | None = None, *,
               expand_repeats: bool = False) -> TreeStats:
    """Counts over `tree`; params/FLOPs need `input_shape` ((C,H,W) or (S,D)).

    expand_repeats: count the inner module of a b = 4 or 8 branch b times, as the official
    code's architecture dicts hold b deep copies of it (how its statistics were counted).
    """
    from einspace.grammar.ops import get_op

    terminals = nonterminals = children = depth = 0
    ops: Counter = Counter()
    stack = [(tree, 0, 1)]
    while stack:
        node, d, mult = stack.pop()
        depth = max(depth, d)
        if node.children:
            kids = node.children
            if expand_repeats and node.op == "branching" and len(kids) == 3:
                b = get_op(kids[0].op).factor(kids[0].args)
                kids = (kids[0],) + (kids[1],) * b + (kids[2],)
            nonterminals += mult
            children += mult * len(kids)
            stack.extend((c, d + 1, mult) for c in kids)
        else:
            terminals += mult
            ops[node.op] += mult
    extra = {}
    if input_shape is not None:
        a = infer(tree, input_shape)
        extra = {"params": a.params, "flops": a.flops, "activation_bytes": a.activation_bytes}
    return TreeStats(terminals, nonterminals, depth, children / nonterminals if nonterminals else 0.0,
                     dict(sorted(ops.items())), **extra)
