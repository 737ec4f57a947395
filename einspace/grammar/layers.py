"""The NNX modules behind terminals that own parameters or state.

Attributes are plain ints/strings/tuples so identical architectures share one graphdef (one
compiled program). Stateless terminals run through `Stateless`, which looks its function up by
op name at call time.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from einspace.grammar import init
from einspace.grammar.ops import get_op


class Stateless(nnx.Module):
    """A parameter-free terminal, applied by name: x (B, *in) -> (B, *out)."""

    def __init__(self, op: str, args: tuple[int, ...]):
        self.op = op
        self.args = tuple(int(a) for a in args)

    def __call__(self, x: jax.Array) -> jax.Array:
        return get_op(self.op).apply(x, self.args)


class LastAxisLinear(nnx.Module):
    """Linear map on the last axis: (B, ..., n) -> (B, ..., d), with bias (n*d + d params)."""

    def __init__(self, n: int, d: int, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(n, d, **init.LINEAR, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.linear(x)


class ImNorm(nnx.Module):
    """BatchNorm over dim 1 of an Im-mode feature (B, C, H, W): 2*C params, running stats."""

    def __init__(self, channels: int, *, rngs: nnx.Rngs):
        # momentum 0.9 in flax's convention = PyTorch's default momentum 0.1
        self.bn = nnx.BatchNorm(channels, axis=1, momentum=0.9, epsilon=1e-5, **init.NORM, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.bn(x)


class ColNorm(nnx.Module):
    """LayerNorm over the last axis of a Col-mode feature (B, S, D): 2*D params."""

    def __init__(self, features: int, *, rngs: nnx.Rngs):
        self.ln = nnx.LayerNorm(features, epsilon=1e-5, **init.NORM, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.ln(x)


class PositionalEncoding(nnx.Module):
    """Learnable additive encoding with one parameter per feature element: (B, *shape) + P."""

    def __init__(self, shape: tuple[int, ...], *, rngs: nnx.Rngs):
        self.shape = tuple(int(s) for s in shape)
        self.pos = nnx.Param(init.normal(0.02)(rngs.params(), self.shape))

    def __call__(self, x: jax.Array) -> jax.Array:
        return x + self.pos[...][None]


class Conv1d(nnx.Module):
    """'Same' 1-D convolution along S of a Col feature: (B, S, D) -> (B, S, width).

    k*D*width + width params; even kernels pad one more on the right.
    """

    def __init__(self, in_features: int, kernel: int, width: int, *, rngs: nnx.Rngs):
        self.kernel_size = int(kernel)
        self.linear = nnx.Linear(in_features * kernel, width, **init.LINEAR, rngs=rngs)
        self.in_features = int(in_features)

    def __call__(self, x: jax.Array) -> jax.Array:
        k = self.kernel_size
        kernel = self.linear.kernel[...].reshape(k, self.in_features, -1)  # (k, D, width)
        left = (k - 1) // 2
        y = jax.lax.conv_general_dilated(
            x, kernel, window_strides=(1,), padding=[(left, k - 1 - left)],
            dimension_numbers=("NWC", "WIO", "NWC"), precision=jax.lax.Precision.HIGHEST,
        )
        return y + self.linear.bias[...][None, None, :]


class FusedConv(nnx.Module):
    """im2col(k, s, p) -> linear(d) -> col2im as one `lax.conv_general_dilated`.

    (B, C, H, W) -> (B, d, Ho, Wo). The kernel is stored as the linear's (C*k*k, d) matrix, in
    im2col's (C, kh, kw) feature order, so the fused and unfused forms have identical params.
    """

    def __init__(self, channels: int, kernel: int, stride: int, padding: int, d: int, *,
                 rngs: nnx.Rngs):
        self.channels = int(channels)
        self.kernel_size = int(kernel)
        self.stride = int(stride)
        self.padding = int(padding)
        self.linear = nnx.Linear(channels * kernel * kernel, d, **init.LINEAR, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        k, p = self.kernel_size, self.padding
        w = self.linear.kernel[...].reshape(self.channels, k, k, -1)
        w = jnp.transpose(w, (3, 0, 1, 2))  # (d, C, k, k) = OIHW
        y = jax.lax.conv_general_dilated(
            x, w, window_strides=(self.stride, self.stride), padding=[(p, p), (p, p)],
            dimension_numbers=("NCHW", "OIHW", "NCHW"), precision=jax.lax.Precision.HIGHEST,
        )
        return y + self.linear.bias[...][None, :, None, None]
