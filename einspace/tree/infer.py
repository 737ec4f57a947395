"""Symbolic shape inference over a derivation tree: per-node input/output features, parameter
counts, FLOPs and activation memory, with no array allocated.

This is the validator: a tree is a valid architecture for an input shape exactly when `infer`
returns. Errors name the node path, the op and the offending shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

from einspace.grammar import ops_unary
from einspace.grammar.feature import Feature, feature_for_input
from einspace.grammar.ops import AggregateOp, BranchOp, UnaryOp, get_op
from einspace.tree.node import Node

BYTES_PER_ELEMENT = 4


class ArchitectureError(ValueError):
    """A tree that is not a valid architecture for its input (structure or shapes)."""


@dataclass(frozen=True)
class NodeInfo:
    """What inference knows about one node.

    path: child indices from the root. inp/out: features (out of a B terminal is its inner
    feature). copies: how many parameter copies the node has (product of enclosing b = 4, 8).
    params/flops/activation_bytes: the whole subtree's totals, copies included.
    """

    path: tuple[int, ...]
    node: Node
    depth: int
    inp: Feature
    out: Feature
    copies: int
    params: int
    flops: int
    activation_bytes: int


@dataclass(frozen=True)
class Analysis:
    """Totals for a whole tree and the per-node records in pre-order."""

    input: Feature
    output: Feature
    params: int
    flops: int
    activation_bytes: int
    depth: int
    nodes: tuple[NodeInfo, ...]

    def info(self, path: tuple[int, ...]) -> NodeInfo:
        for n in self.nodes:
            if n.path == path:
                return n
        raise KeyError(f"no node at path {path}")


def _err(path, node: Node, msg: str) -> ArchitectureError:
    return ArchitectureError(f"node {node.op}{node.args or ''} at path {list(path)}: {msg}")


def _check_nargs(path, node: Node, spec) -> None:
    if spec.nargs >= 0 and len(node.args) != spec.nargs:
        raise _err(path, node, f"takes {spec.nargs} int args, got {len(node.args)}")


def unary_out(node: Node, f: Feature, grid: tuple[int, ...] = ()) -> Feature | None:
    """Output feature of unary terminal `node` on `f` (col2im uses `grid`), or None."""
    spec = get_op(node.op)
    return spec.shape(f, grid if spec.needs_grid else node.args)


class _Inferer:
    def __init__(self):
        self.records: list[NodeInfo] = []
        self.max_depth = 0

    def module(self, node: Node, f: Feature, path, depth: int, copies: int):
        """Returns (out feature, params, flops, activation elements) and records the node."""
        self.max_depth = max(self.max_depth, depth)
        slot = len(self.records)
        self.records.append(None)  # pre-order placeholder
        if node.op == "sequential":
            if len(node.children) != 2:
                raise _err(path, node, f"sequential needs 2 children, got {len(node.children)}")
            a = self.module(node.children[0], f, path + (0,), depth + 1, copies)
            b = self.module(node.children[1], a[0], path + (1,), depth + 1, copies)
            out, tot = b[0], [a[i] + b[i] for i in (1, 2, 3)]
        elif node.op == "branching":
            out, tot = self.branching(node, f, path, depth, copies)
        elif node.op == "routing":
            out, tot = self.routing(node, f, path, depth, copies)
        else:
            out, tot = self.unary(node, f, path, depth, copies, slot_taken=True)
        self.records[slot] = NodeInfo(path, node, depth, f, out, copies, tot[0], tot[1],
                                      tot[2] * BYTES_PER_ELEMENT)
        return (out, *tot)

    def unary(self, node, f, path, depth, copies, grid=(), slot_taken=False):
        spec = get_op(node.op) if node.is_terminal else None
        if not isinstance(spec, UnaryOp):
            raise _err(path, node, "expected a module or a one-to-one terminal here")
        _check_nargs(path, node, spec)
        if spec.needs_grid and not grid:
            raise _err(path, node, "col2im must be the post-routing of a routing whose pre-routing is im2col")
        out = unary_out(node, f, grid)
        if out is None:
            raise _err(path, node, f"not applicable to input {f}" + (f" with grid {grid}" if grid else ""))
        args = grid if spec.needs_grid else node.args
        tot = [copies * spec.params(f, args), copies * spec.flops(f, args),
               copies * out.size if spec.moves_data else 0]
        if not slot_taken:
            self.records.append(NodeInfo(path, node, depth, f, out, copies, tot[0], tot[1],
                                         tot[2] * BYTES_PER_ELEMENT))
        return out, tot

    def branching(self, node, f, path, depth, copies):
        kids = node.children
        if len(kids) not in (3, 4):
            raise _err(path, node, f"branching needs 3 or 4 children, got {len(kids)}")
        bnode, anode = kids[0], kids[-1]
        bspec = get_op(bnode.op) if bnode.is_terminal else None
        if not isinstance(bspec, BranchOp):
            raise _err(path + (0,), bnode, "first child of branching must be a branching terminal")
        _check_nargs(path + (0,), bnode, bspec)
        b = bspec.factor(bnode.args)
        inner_f = bspec.split(f, bnode.args)
        if inner_f is None:
            raise _err(path + (0,), bnode, f"not applicable to input {f}")
        want = 2 if b == 2 else 1
        if len(kids) - 2 != want:
            raise _err(path, node, f"branch factor {b} needs {want} inner module(s), got {len(kids) - 2}")
        self.records.append(NodeInfo(path + (0,), bnode, depth + 1, f, inner_f, copies, 0, 0, 0))
        inner_copies = copies if b == 2 else copies * b
        results = [self.module(k, inner_f, path + (i + 1,), depth + 1, inner_copies)
                   for i, k in enumerate(kids[1:-1])]
        outs = tuple(r[0] for r in results) if b == 2 else (results[0][0],) * b
        aspec = get_op(anode.op) if anode.is_terminal else None
        apath = path + (len(kids) - 1,)
        if not isinstance(aspec, AggregateOp):
            raise _err(apath, anode, "last child of branching must be an aggregation terminal")
        _check_nargs(apath, anode, aspec)
        out = aspec.combine(outs, anode.args) if b <= aspec.max_arity else None
        if out is None:
            raise _err(apath, anode, f"cannot aggregate {b} branch outputs {[str(o) for o in outs]}")
        flops = copies * aspec.flops(outs, anode.args)
        self.records.append(NodeInfo(apath, anode, depth + 1, outs[0], out, copies, 0, flops,
                                     copies * out.size * BYTES_PER_ELEMENT))
        tot = [sum(r[i] for r in results) for i in (1, 2, 3)]
        return out, [tot[0], tot[1] + flops, tot[2] + copies * out.size]

    def routing(self, node, f, path, depth, copies):
        if len(node.children) != 3:
            raise _err(path, node, f"routing needs 3 children, got {len(node.children)}")
        pnode, inner, rnode = node.children
        mid, ptot = self.unary(pnode, f, path + (0,), depth + 1, copies)
        res = self.module(inner, mid, path + (1,), depth + 1, copies)
        grid = ops_unary.im2col_grid(f, pnode.args) if pnode.op == "im2col" else ()
        out, rtot = self.unary(rnode, res[0], path + (2,), depth + 1, copies, grid=grid)
        return out, [ptot[i] + res[i + 1] + rtot[i] for i in range(3)]


def infer(tree: Node, input_shape: tuple[int, ...] | Feature) -> Analysis:
    """Symbolic analysis of `tree` on one example of `input_shape` ((C,H,W) or (S,D)).

    Raises ArchitectureError naming the node path, op and shapes when the tree is invalid.
    """
    f = input_shape if isinstance(input_shape, Feature) else feature_for_input(input_shape)
    inf = _Inferer()
    out, params, flops, act = inf.module(tree, f, (), 0, 1)
    return Analysis(f, out, params, flops, act * BYTES_PER_ELEMENT, inf.max_depth, tuple(inf.records))
