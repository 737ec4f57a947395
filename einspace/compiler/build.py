"""Tree -> Flax NNX module. Ops come from the name registry; routing nodes that are exactly
im2col -> linear -> col2im become one `lax.conv_general_dilated` (`FusedConv`)."""

from __future__ import annotations

from flax import nnx

from einspace.compiler.modules import HEAD_REDUCTIONS, Branching, Network, Routing, Sequential
from einspace.grammar import ops_unary
from einspace.grammar.feature import Feature, feature_for_input
from einspace.grammar.layers import FusedConv, Stateless
from einspace.grammar.ops import get_op
from einspace.tree.infer import Analysis, infer, unary_out
from einspace.tree.node import Node
from einspace.tree.text import parse

_LINEARS = ("linear", "linear_mul", "linear_div")


def _terminal(node: Node, f: Feature, rngs: nnx.Rngs, grid: tuple[int, ...] = ()):
    spec = get_op(node.op)
    if spec.build is not None:
        return spec.build(f, node.args, rngs)
    return Stateless(node.op, grid if spec.needs_grid else node.args)


def _build(node: Node, f: Feature, rngs: nnx.Rngs, fuse: bool):
    """Returns (module, out feature); the tree was validated by `infer` beforehand."""
    if node.op == "sequential":
        a, fa = _build(node.children[0], f, rngs, fuse)
        b, fb = _build(node.children[1], fa, rngs, fuse)
        return Sequential(a, b), fb
    if node.op == "branching":
        bnode, anode = node.children[0], node.children[-1]
        bspec = get_op(bnode.op)
        n, inner_f = bspec.factor(bnode.args), bspec.split(f, bnode.args)
        kids = node.children[1:-1] if n == 2 else node.children[1:2] * n
        built = [_build(k, inner_f, rngs, fuse) for k in kids]
        out = get_op(anode.op).combine(tuple(o for _, o in built), anode.args)
        return Branching(bnode.op, bnode.args, [m for m, _ in built], anode.op, anode.args), out
    if node.op == "routing":
        pnode, inner, rnode = node.children
        mid = unary_out(pnode, f)
        grid = ops_unary.im2col_grid(f, pnode.args) if pnode.op == "im2col" else ()
        if fuse and pnode.op == "im2col" and inner.op in _LINEARS and rnode.op == "col2im":
            d = unary_out(inner, mid).shape[-1]
            k, s, p = pnode.args
            return FusedConv(f.shape[0], k, s, p, d, rngs=rngs), Feature("im", (d, *grid))
        pre = _terminal(pnode, f, rngs)
        m, inner_out = _build(inner, mid, rngs, fuse)
        post = _terminal(rnode, inner_out, rngs, grid)
        return Routing(pre, m, post), unary_out(rnode, inner_out, grid)
    return _terminal(node, f, rngs), unary_out(node, f)


def as_tree(tree_or_text: Node | str) -> Node:
    """A Node from a Node or its bracket text."""
    return parse(tree_or_text) if isinstance(tree_or_text, str) else tree_or_text


def head_params(analysis: Analysis, num_classes: int, col_reduce: str = "features") -> int:
    """Parameters of the classification head for the backbone output in `analysis`."""
    out = analysis.output
    n = out.shape[0] if out.mode == "im" or col_reduce == "features" else out.shape[1]
    return n * num_classes + num_classes


def predicted_params(tree_or_text: Node | str, input_shape: tuple[int, ...], num_classes: int,
                     col_reduce: str = "features") -> int:
    """Backbone + head parameter count, computed symbolically (equals the built model's)."""
    a = infer(as_tree(tree_or_text), input_shape)
    return a.params + head_params(a, num_classes, col_reduce)


def build_backbone(tree_or_text: Node | str, input_shape: tuple[int, ...], *, rngs: nnx.Rngs,
                   fuse_conv: bool = True) -> nnx.Module:
    """The backbone module: (B, *input_shape) -> (B, *infer(tree).output.shape)."""
    tree = as_tree(tree_or_text)
    f = feature_for_input(input_shape)
    infer(tree, f)  # raises ArchitectureError with the node path before anything is built
    return _build(tree, f, rngs, fuse_conv)[0]


def build_model(tree_or_text: Node | str, input_shape: tuple[int, ...], num_classes: int, *,
                rngs: nnx.Rngs, col_reduce: str = "features", fuse_conv: bool = True) -> Network:
    """Compile an architecture into an NNX classifier.

    tree_or_text: a Node or its bracket text. input_shape: (C, H, W) or (S, D), no batch axis.
    Returns a Network with model(x): (B, *input_shape) -> (B, num_classes); BatchNorm layers
    follow model.train() / model.eval(). col_reduce: "features" (mean over D, the official head)
    or "tokens" (mean over S) for Col-mode backbone outputs. fuse_conv: run im2col -> linear ->
    col2im routings as one convolution (numerically equal).
    """
    if col_reduce not in HEAD_REDUCTIONS:
        raise ValueError(f"col_reduce={col_reduce!r}: valid options are {HEAD_REDUCTIONS}")
    if num_classes < 1:
        raise ValueError(f"num_classes={num_classes}: must be >= 1")
    tree = as_tree(tree_or_text)
    f = feature_for_input(input_shape)
    a = infer(tree, f)
    backbone = _build(tree, f, rngs, fuse_conv)[0]
    out = a.output
    head_in = out.shape[0] if out.mode == "im" or col_reduce == "features" else out.shape[1]
    return Network(backbone, out.mode, head_in, num_classes, col_reduce, rngs=rngs)


def count_params(model: nnx.Module) -> int:
    """Number of trainable parameters (nnx.Param leaves) of a built model."""
    import jax

    return sum(int(x.size) for x in jax.tree_util.tree_leaves(nnx.state(model, nnx.Param)))
