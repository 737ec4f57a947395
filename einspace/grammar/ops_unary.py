"""The one-to-one terminals: computation (linear, norm, activations, positional encoding,
conv1d, max-pool) and routing (identity, permute, im2col, col2im), registered by name.

Shape rules are symbolic: (in Feature, args) -> out Feature or None when not applicable.
Arrays carry a leading batch axis, so feature dim i is array axis i.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from einspace.grammar import layers
from einspace.grammar.feature import Feature
from einspace.grammar.ops import UnaryOp, register_op

HIGHEST = jax.lax.Precision.HIGHEST
LINEAR_WIDTHS = (16, 32, 64, 128, 256, 512, 1024, 2048)
IM2COL_CONFIGS = ((1, 1, 0), (1, 2, 0), (3, 1, 1), (3, 2, 1), (4, 4, 0), (8, 8, 0), (16, 16, 0))
EXTRA_IM2COL_CONFIGS = ((5, 1, 2), (7, 2, 3))
IM_PERMUTES = ((1, 3, 2), (2, 1, 3), (2, 3, 1), (3, 1, 2), (3, 2, 1))
COL_PERMUTES = ((2, 1),)


def _rows(f: Feature) -> int:
    return f.size // f.shape[-1]


# ---------- linear family: last axis n -> d ----------
def _linear_out(f: Feature, d: int) -> Feature | None:
    return Feature(f.mode, f.shape[:-1] + (d,)) if d >= 1 else None


def _linear_family(name: str, width, doc: str) -> UnaryOp:
    def shape(f, a):
        d = width(f.shape[-1], a)
        return None if d is None else _linear_out(f, d)

    def params(f, a):
        n, d = f.shape[-1], width(f.shape[-1], a)
        return n * d + d

    def flops(f, a):
        return 2 * _rows(f) * f.shape[-1] * width(f.shape[-1], a)

    def build(f, a, rngs):
        return layers.LastAxisLinear(f.shape[-1], width(f.shape[-1], a), rngs=rngs)

    return UnaryOp(name, 1, shape, build=build, params=params, flops=flops, doc=doc)


register_op(_linear_family("linear", lambda n, a: a[0] if a[0] >= 1 else None,
                           "linear(d): last axis n -> d, n*d + d params"))
register_op(_linear_family("linear_mul", lambda n, a: n * a[0] if a[0] >= 1 else None,
                           "linear_mul(m): last axis n -> n*m (seed architectures)"))
register_op(_linear_family(
    "linear_div", lambda n, a: n // a[0] if a[0] >= 1 and n % a[0] == 0 else None,
    "linear_div(m): last axis n -> n/m, needs m | n (seed architectures)"))


# ---------- norm, activations, positional encoding ----------
def _norm_build(f, a, rngs):
    if f.mode == "im":
        return layers.ImNorm(f.shape[0], rngs=rngs)
    return layers.ColNorm(f.shape[-1], rngs=rngs)


register_op(UnaryOp(
    "norm", 0, lambda f, a: f, build=_norm_build,
    params=lambda f, a: 2 * (f.shape[0] if f.mode == "im" else f.shape[-1]),
    flops=lambda f, a: 5 * f.size,
    doc="norm: BatchNorm over dim 1 (Im) or LayerNorm over the last axis (Col)"))
register_op(UnaryOp("leakyrelu", 0, lambda f, a: f, apply=lambda x, a: jax.nn.leaky_relu(x, 0.01),
                    flops=lambda f, a: f.size, doc="leakyrelu: slope 0.01, as the official code"))
register_op(UnaryOp("relu", 0, lambda f, a: f, apply=lambda x, a: jax.nn.relu(x),
                    flops=lambda f, a: f.size, doc="relu: plain ReLU"))
register_op(UnaryOp("softmax", 0, lambda f, a: f, apply=lambda x, a: jax.nn.softmax(x, axis=-1),
                    flops=lambda f, a: 3 * f.size, doc="softmax over the last axis"))
register_op(UnaryOp(
    "posenc", 0, lambda f, a: f, build=lambda f, a, rngs: layers.PositionalEncoding(f.shape, rngs=rngs),
    params=lambda f, a: f.size, flops=lambda f, a: f.size,
    doc="posenc: learnable additive encoding of the full feature shape"))


# ---------- routing ----------
register_op(UnaryOp("identity", 0, lambda f, a: f, apply=lambda x, a: x, moves_data=False,
                    doc="identity"))


def _permute_shape(f: Feature, a) -> Feature | None:
    if sorted(a) != list(range(1, len(f.shape) + 1)):
        return None
    return Feature(f.mode, tuple(f.shape[i - 1] for i in a))


register_op(UnaryOp(
    "permute", -1, _permute_shape, apply=lambda x, a: jnp.transpose(x, (0,) + tuple(a)),
    doc="permute(dims...): reorder the feature dims (1-indexed); (2,1) in Col, 3-perms in Im"))


def _conv_out(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def _im2col_shape(f: Feature, a) -> Feature | None:
    k, s, p = a
    if f.mode != "im" or k < 1 or s < 1 or p < 0:
        return None
    c, h, w = f.shape
    ho, wo = _conv_out(h, k, s, p), _conv_out(w, k, s, p)
    if ho < 1 or wo < 1:
        return None
    return Feature("col", (ho * wo, c * k * k))


def _im2col_apply(x, a):
    k, s, p = a
    patches = jax.lax.conv_general_dilated_patches(
        x, (k, k), (s, s), [(p, p), (p, p)], precision=HIGHEST)  # (B, C*k*k, Ho, Wo)
    b, ckk = patches.shape[:2]
    return jnp.transpose(patches.reshape(b, ckk, -1), (0, 2, 1))


register_op(UnaryOp("im2col", 3, _im2col_shape, apply=_im2col_apply,
                    doc="im2col(k,s,p): Im (C,H,W) -> Col (Ho*Wo, C*k*k), features ordered (C,kh,kw)"))


def _col2im_shape(f: Feature, grid) -> Feature | None:
    if f.mode != "col" or len(grid) != 2 or f.shape[0] != grid[0] * grid[1]:
        return None
    return Feature("im", (f.shape[1], grid[0], grid[1]))


def _col2im_apply(x, grid):
    b, l, d = x.shape
    return jnp.transpose(x, (0, 2, 1)).reshape(b, d, grid[0], grid[1])


register_op(UnaryOp("col2im", 0, _col2im_shape, apply=_col2im_apply, needs_grid=True,
                    doc="col2im: Col (Ho*Wo, D) -> Im (D, Ho, Wo), grid from the matching im2col"))


def _maxpool_shape(f: Feature, a) -> Feature | None:
    k, s, p = a
    if f.mode != "im" or k < 1 or s < 1 or p < 0 or 2 * p > k:
        return None
    c, h, w = f.shape
    ho, wo = _conv_out(h, k, s, p), _conv_out(w, k, s, p)
    return Feature("im", (c, ho, wo)) if ho >= 1 and wo >= 1 else None


def _maxpool_apply(x, a):
    k, s, p = a
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, k, k), (1, 1, s, s),
                                 [(0, 0), (0, 0), (p, p), (p, p)])


register_op(UnaryOp("maxpool", 3, _maxpool_shape, apply=_maxpool_apply,
                    flops=lambda f, a: f.size * a[0] * a[0] // max(1, a[1] * a[1]),
                    doc="maxpool(k,s,p): Im-mode spatial max-pool (outside the sampled grammar)"))


# ---------- 1-D variant ----------
def _conv1d_shape(f: Feature, a) -> Feature | None:
    k, width = a
    if f.mode != "col" or k < 1 or width < 1:
        return None
    return Feature("col", (f.shape[0], width))


register_op(UnaryOp(
    "conv1d", 2, _conv1d_shape,
    build=lambda f, a, rngs: layers.Conv1d(f.shape[-1], a[0], a[1], rngs=rngs),
    params=lambda f, a: a[0] * f.shape[-1] * a[1] + a[1],
    flops=lambda f, a: 2 * f.shape[0] * a[0] * f.shape[-1] * a[1],
    doc="conv1d(k, width): 'same' convolution along S of a Col feature (S, D) -> (S, width)"))


def im2col_grid(f: Feature, args) -> tuple[int, int]:
    """The (Ho, Wo) grid an im2col(k, s, p) leaves on Im feature f (for the matching col2im)."""
    k, s, p = args
    return (_conv_out(f.shape[1], k, s, p), _conv_out(f.shape[2], k, s, p))


__all__ = ["IM2COL_CONFIGS", "EXTRA_IM2COL_CONFIGS", "IM_PERMUTES", "COL_PERMUTES",
           "LINEAR_WIDTHS", "im2col_grid"]
