"""Seed architectures written as derivation trees of the grammar (for seeded evolution).

Each builder returns a `Node`; everything is made of grammar terminals:
a convolution is routing(im2col(k, s, p), linear(d), col2im), a patch embedding is
routing(im2col(4, 4, 0), linear(d), identity), attention heads are clone-2 branches closed by
(scaled) matmul. Activations are leakyrelu, as in the official seeds. Parameter counts for a
3x64x64 input and 10 classes are within 2% of the paper's (tests/einspace/test_seeds.py).
"""

from __future__ import annotations

from collections.abc import Callable

from einspace.tree.node import Node, branching, routing, sequential, terminal

RELU = terminal("leakyrelu")
NORM = terminal("norm")
IDENTITY = terminal("identity")


def conv(k: int, s: int, p: int, d: int) -> Node:
    """A k x k convolution with stride s, padding p and d output channels."""
    return routing(terminal("im2col", k, s, p), terminal("linear", d), terminal("col2im"))


def residual(inner: Node, shortcut: Node = IDENTITY) -> Node:
    """inner(x) + shortcut(x)."""
    return branching(terminal("clone", 2), (inner, shortcut), terminal("add"))


def _basic_block(c_in: int, c_out: int, stride: int) -> Node:
    main = sequential(conv(3, stride, 1, c_out), NORM, RELU, conv(3, 1, 1, c_out), NORM)
    short = IDENTITY if stride == 1 and c_in == c_out else sequential(conv(1, stride, 0, c_out), NORM)
    return sequential(residual(main, short), RELU)


def resnet18() -> Node:
    """ResNet18 with a 3x3 stem and a stride-2 3x3 conv in place of the max-pool (11.2M)."""
    layers = [conv(3, 1, 1, 64), NORM, RELU, conv(3, 2, 1, 64), NORM, RELU]
    c = 64
    for width, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [_basic_block(c, width, stride), _basic_block(width, width, 1)]
        c = width
    return sequential(*layers)


def _wide_block(c_in: int, c_out: int, stride: int) -> Node:
    main = sequential(NORM, RELU, conv(3, stride, 1, c_out), NORM, RELU, conv(3, 1, 1, c_out))
    short = IDENTITY if stride == 1 and c_in == c_out else conv(1, stride, 0, c_out)
    return residual(main, short)


def wrn16_4() -> Node:
    """Wide ResNet 16-4 (pre-activation blocks, widths 64/128/256, two blocks per group; 2.8M)."""
    layers = [conv(3, 1, 1, 16)]
    c = 16
    for width, stride in ((64, 1), (128, 2), (256, 2)):
        layers += [_wide_block(c, width, stride), _wide_block(width, width, 1)]
        c = width
    return sequential(*layers, NORM, RELU)


def _patch_embed(width: int, patch: int) -> Node:
    return sequential(routing(terminal("im2col", patch, patch, 0), terminal("linear", width), IDENTITY),
                      terminal("posenc"))


def _attention_head(d: int) -> Node:
    """softmax(q k^T / sqrt(d)) v with q, k, v = linear(d) of the same input."""
    q = terminal("linear", d)
    k_t = routing(IDENTITY, terminal("linear", d), terminal("permute", 2, 1))
    scores = sequential(branching(terminal("clone", 2), (q, k_t), terminal("scaled_matmul")),
                        terminal("softmax"))
    return branching(terminal("clone", 2), (scores, terminal("linear", d)), terminal("matmul"))


def _mlp(hidden: int, out: int) -> Node:
    return sequential(terminal("linear", hidden), RELU, terminal("linear", out))


def vit(width: int = 512, depth: int = 4, heads: int = 4, head_dim: int = 64, patch: int = 4) -> Node:
    """ViT: patch 4, learnable position encoding, `depth` post-norm layers, `heads` heads of
    `head_dim` (the official seed's 64) re-projected to `width`, MLP width `width` (4.4M)."""
    head = _attention_head(head_dim)
    inner = (head, head) if heads == 2 else head  # b = 2 holds two inner modules, 4 and 8 one
    attention = sequential(
        branching(terminal("clone", heads), inner, terminal("concat", 2)),
        terminal("linear", width))
    layer = sequential(residual(attention), NORM, residual(_mlp(width, width)), NORM)
    return sequential(_patch_embed(width, patch), *[layer] * depth)


def mlp_mixer(width: int = 512, depth: int = 8, patch: int = 4, token_hidden: int = 512,
              tokens: int = 256) -> Node:
    """MLP-Mixer: patch 4, `depth` layers of pre-norm token mixing (over the `tokens` patches,
    hidden `token_hidden`) and channel mixing (hidden `width`), each residual (6.5M)."""
    token_mix = routing(terminal("permute", 2, 1), _mlp(token_hidden, tokens), terminal("permute", 2, 1))
    layer = sequential(residual(sequential(NORM, token_mix)),
                       residual(sequential(NORM, _mlp(width, width))))
    return sequential(_patch_embed(width, patch), *[layer] * depth)


SEEDS: dict[str, Callable[[], Node]] = {
    "resnet18": resnet18, "wrn16_4": wrn16_4, "vit": vit, "mlp_mixer": mlp_mixer,
}
PAPER_PARAMS = {"resnet18": 11.2e6, "wrn16_4": 2.8e6, "vit": 4.4e6, "mlp_mixer": 6.5e6}


def seed(name: str, input_shape: tuple[int, ...] | None = None) -> Node:
    """The seed architecture `name` (one of SEEDS). The MLP-Mixer's token MLP is sized from
    `input_shape` (number of 4x4 patches; default 3x64x64 -> 256)."""
    if name not in SEEDS:
        raise KeyError(f"unknown seed {name!r}; valid seeds: {sorted(SEEDS)}")
    if name == "mlp_mixer" and input_shape is not None:
        _, h, w = input_shape
        return mlp_mixer(tokens=(h // 4) * (w // 4))
    return SEEDS[name]()
