"""The immutable derivation tree.

A `Node` is an op name, int args and child nodes:

    sequential(M1, M2)                     run M1 then M2
    branching(B, M1, M2, A)                b = 2: two independent inner modules
    branching(B, M, A)                     b = 4, 8: one inner module repeated b times
                                           (separate parameters per copy)
    routing(P, M, R)                       pre-route, inner module, post-route
    name / name(i, j, ...)                 a terminal op from the registry

Nodes are frozen and hashable; equality is structural. `Tree` is the same type (a root node).
Text form, JSON and the canonical hash live in `einspace.tree.text`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

NONTERMINALS = ("sequential", "branching", "routing")


@dataclass(frozen=True)
class Node:
    """One derivation node: `op`, int `args`, `children` (non-terminals only)."""

    op: str
    args: tuple[int, ...] = ()
    children: tuple[Node, ...] = ()

    @property
    def is_terminal(self) -> bool:
        return self.op not in NONTERMINALS

    def walk(self, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Node]]:
        """Pre-order (path, node) pairs; a path is the tuple of child indices from the root."""
        yield path, self
        for i, c in enumerate(self.children):
            yield from c.walk(path + (i,))

    def at(self, path: tuple[int, ...]) -> Node:
        """The node at `path`; IndexError names the path otherwise."""
        node = self
        for depth, i in enumerate(path):
            if not 0 <= i < len(node.children):
                raise IndexError(f"path {path}: node at depth {depth} ({node.op}) has "
                                 f"{len(node.children)} children, no index {i}")
            node = node.children[i]
        return node

    def replace_at(self, path: tuple[int, ...], new: Node) -> Node:
        """A new tree with the node at `path` replaced by `new` (self untouched)."""
        if not path:
            return new
        i, rest = path[0], path[1:]
        kids = list(self.children)
        kids[i] = kids[i].replace_at(rest, new)
        return Node(self.op, self.args, tuple(kids))

    def num_nodes(self) -> int:
        return 1 + sum(c.num_nodes() for c in self.children)

    def __str__(self) -> str:
        from einspace.tree.text import to_text

        return to_text(self)


Tree = Node


def terminal(op: str, *args: int) -> Node:
    return Node(op, tuple(int(a) for a in args))


def sequential(*modules: Node) -> Node:
    """Right-nested sequential of two or more modules: sequential(a, sequential(b, c))."""
    if len(modules) == 1:
        return modules[0]
    if not modules:
        raise ValueError("sequential needs at least one module")
    return Node("sequential", (), (modules[0], sequential(*modules[1:])))


def branching(branch: Node, inner: tuple[Node, ...] | Node, aggregate: Node) -> Node:
    inner = (inner,) if isinstance(inner, Node) else tuple(inner)
    return Node("branching", (), (branch, *inner, aggregate))


def routing(pre: Node, inner: Node, post: Node) -> Node:
    return Node("routing", (), (pre, inner, post))
