"""Canonical bracket text, JSON and the canonical hash of a derivation tree.

Grammar of the text form (whitespace ignored):

    node := NAME [ '(' item { ',' item } ')' ]
    item := INT | node

Non-terminals (sequential, branching, routing) take nodes; terminals take ints. The canonical
form has no spaces except one after each comma: `sequential(linear(64), leakyrelu)`.
Malformed text raises `ParseError` with the position and the expected token.
"""

from __future__ import annotations

import hashlib
import json
import re

from einspace.tree.node import NONTERMINALS, Node

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(-?\d+)|([(),])|(\S))")


class ParseError(ValueError):
    """Malformed architecture text: `position` (0-based char offset) and `expected` token."""

    def __init__(self, text: str, position: int, expected: str, found: str):
        self.position, self.expected, self.found = position, expected, found
        snippet = text[max(0, position - 20): position + 20]
        super().__init__(f"at position {position}: expected {expected}, found {found!r} (near {snippet!r})")


def to_text(node: Node) -> str:
    """The canonical bracket text of `node` (iterative, so deep trees do not hit recursion)."""
    out: list[str] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        n = item
        if n.children:
            out.append(n.op + "(")
            stack.append(")")
            for i, c in enumerate(reversed(n.children)):
                stack.append(c)
                if i < len(n.children) - 1:
                    stack.append(", ")
        elif n.args:
            out.append(f"{n.op}({', '.join(str(a) for a in n.args)})")
        else:
            out.append(n.op)
    return "".join(out)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    toks = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace remains
            break
        start = m.start(m.lastindex)
        kind = ("name", "int", "punct", "bad")[m.lastindex - 1]
        toks.append((kind, m.group(m.lastindex), start))
        pos = m.end()
    toks.append(("end", "", len(text)))
    return toks


def parse(text: str) -> Node:
    """Parse bracket text into a Node; raises ParseError (position, expected token) otherwise.

    Checks syntax and the structure of non-terminals (child counts, terminal vs module
    positions) and that terminal names are registered ops; shapes are checked by `infer`.
    """
    from einspace.grammar.ops import has_op, op_names

    toks = _tokens(text)
    i = 0

    def peek():
        return toks[i]

    def take(kind: str, value: str | None, expected: str):
        nonlocal i
        k, v, pos = toks[i]
        if k != kind or (value is not None and v != value):
            raise ParseError(text, pos, expected, v or "end of input")
        i += 1
        return v, pos

    def node() -> Node:
        name, pos = take("name", None, "an op name")
        items: list[object] = []
        if peek()[1] == "(" and peek()[0] == "punct":
            take("punct", "(", "'('")
            while True:
                k, v, p = peek()
                if k == "int":
                    take("int", None, "an integer")
                    items.append(int(v))
                elif k == "name":
                    items.append(node())
                else:
                    raise ParseError(text, p, "an integer or an op name", v or "end of input")
                k, v, p = peek()
                if v == ",":
                    take("punct", ",", "','")
                    continue
                take("punct", ")", "',' or ')'")
                break
        return _build(text, name, pos, items, has_op, op_names)

    root = node()
    k, v, p = peek()
    if k != "end":
        raise ParseError(text, p, "end of input", v)
    return root


def _build(text, name, pos, items, has_op, op_names) -> Node:
    ints = [x for x in items if isinstance(x, int)]
    kids = [x for x in items if isinstance(x, Node)]
    if name in NONTERMINALS:
        if ints:
            raise ParseError(text, pos, f"{name}(...) with module children only", "an integer argument")
        want = {"sequential": (2,), "branching": (3, 4), "routing": (3,)}[name]
        if len(kids) not in want:
            raise ParseError(text, pos, f"{name} with {' or '.join(map(str, want))} children", f"{len(kids)} children")
        return Node(name, (), tuple(kids))
    if kids:
        raise ParseError(text, pos, f"integer arguments for terminal {name!r}", "a nested op")
    if not has_op(name):
        raise ParseError(text, pos, f"a known op name ({', '.join(op_names())} or {', '.join(NONTERMINALS)})", name)
    return Node(name, tuple(ints))


def to_json(node: Node) -> dict:
    """JSON-ready nested dict {"op", "args", "children"} (args/children omitted when empty)."""
    d: dict = {"op": node.op}
    if node.args:
        d["args"] = list(node.args)
    if node.children:
        d["children"] = [to_json(c) for c in node.children]
    return d


def from_json(d: dict | str) -> Node:
    """Inverse of to_json (accepts the dict or its JSON text); validated through the text parser."""
    if isinstance(d, str):
        d = json.loads(d)

    def build(x) -> Node:
        if not isinstance(x, dict) or "op" not in x:
            raise ValueError(f"tree JSON node {x!r}: expected an object with an 'op' field")
        return Node(str(x["op"]), tuple(int(a) for a in x.get("args", ())),
                    tuple(build(c) for c in x.get("children", ())))

    node = build(d)
    return parse(to_text(node))


def canonical_hash(node: Node) -> str:
    """A 16-hex-digit SHA-256 of the canonical text: equal trees, equal hashes (de-duplication)."""
    return hashlib.sha256(to_text(node).encode()).hexdigest()[:16]
