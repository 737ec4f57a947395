"""Statistics of a derivation tree (the paper's Table 10 quantities and more).

Two conventions. `tree_stats` counts our derivation tree as it is: a b = 4 or 8 branch holds its
repeated module once, and a computation module is the terminal itself. `official_stats` counts
the way the paper's Table 10 was counted by the official code (linusericsson/einspace,
`utils.get_size`, `utils.get_average_branching_factor`, `utils.get_max_depth` on its
architecture dicts):

- a b = 4 or 8 branch's dict holds b deep copies of the repeated module, so its terminals and
  non-terminals count b times;
- every computation terminal sits inside a `computation_module` dict marked "nonterminal", so
  each C adds one non-terminal and one level of depth;
- "branching factor" is the mean, over (expanded) terminals, of the `input_branching_factor`
  the official sampler records on each terminal (see `_official_walk` for how it propagates);
- depth is the largest `depth` recorded on a terminal: a slot terminal (B, A, P, R) sits one
  level below its module, a computation terminal two (module -> computation_module -> fn).

`OfficialStats.arity_mismatches` counts the b = 4, 8 branches whose aggregation the official
sampler would have drawn with the wrong arity filter (it reads the factor from the first inner
module's output, which is 1 when that module ends in an aggregation): the official networks
that can fail at run time. Our trees are always valid; the count only explains differences.
"""

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


@dataclass(frozen=True)
class OfficialStats:
    """Counts in the official code's convention (module docstring): terminals, nonterminals,
    depth and branching_factor as its Table 10 reports them; arity_mismatches (expanded)."""

    terminals: int
    nonterminals: int
    depth: int
    branching_factor: float
    arity_mismatches: int = 0

    def as_dict(self) -> dict:
        return {"terminals": self.terminals, "nonterminals": self.nonterminals, "depth": self.depth,
                "branching_factor": self.branching_factor, "arity_mismatches": self.arity_mismatches}


def official_stats(tree: Node) -> OfficialStats:
    """`tree` counted as the official code counts its architecture dicts (module docstring)."""
    acc = [0, 0, 0, 0, 0]  # terminals, nonterminals, max terminal depth, sum of input bf, mismatches
    _official_walk(tree, 0, 1, 1, acc)
    terminals, nonterminals, depth, bf_sum, mismatches = acc
    return OfficialStats(terminals, nonterminals, depth, bf_sum / terminals, mismatches)


def _official_walk(node: Node, depth: int, bf: int, mult: int, acc: list) -> int:
    """Visit module `node` at module depth `depth` with input branching factor `bf`, counted
    `mult` times; returns its output branching factor as the official sampler records it.

    The official propagation (search_spaces.py, instantiate_fn): a sequential passes its own input
    factor to BOTH children; a branching terminal outputs its b, an aggregation outputs 1; the
    inner modules of a branch get b and the aggregation gets the first inner module's output
    factor; routing passes the factor through pre-routing, inner module and post-routing.
    """
    from einspace.grammar.ops import BranchOp, get_op

    def terminal(d: int, b: int, count: int) -> None:
        acc[0] += count
        acc[2] = max(acc[2], d)
        acc[3] += count * b

    if node.is_terminal:  # a computation module wrapping its terminal
        acc[1] += mult
        terminal(depth + 1, bf, mult)
        return bf
    acc[1] += mult
    kids = node.children
    if node.op == "sequential":
        _official_walk(kids[0], depth + 1, bf, mult, acc)
        return _official_walk(kids[1], depth + 1, bf, mult, acc)
    if node.op == "routing":
        terminal(depth + 1, bf, mult)
        out = _official_walk(kids[1], depth + 1, bf, mult, acc)
        terminal(depth + 1, out, mult)
        return out
    spec = get_op(kids[0].op)
    b = spec.factor(kids[0].args) if isinstance(spec, BranchOp) else 2
    terminal(depth + 1, bf, mult)
    inner = kids[1:-1]
    if len(inner) == 1:  # one module repeated b times: b deep copies in the official dict
        first = _official_walk(inner[0], depth + 1, b, mult * b, acc)
    else:
        first = _official_walk(inner[0], depth + 1, b, mult, acc)
        for m in inner[1:]:
            _official_walk(m, depth + 1, b, mult, acc)
    if b > 2 and first != b:
        acc[4] += mult
    terminal(depth + 1, first, mult)
    return 1
