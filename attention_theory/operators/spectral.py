"""Fourier-space convolutions (Li et al., "Fourier Neural Operator", ICLR 2021, Eq. (4)-(5)).

y = IFFT(R * FFT(x)) with R a learned complex (in, out) matrix per retained mode. Channels last,
batch first. Real FFTs: the last spatial axis keeps modes [0, m_last); earlier axes keep both the
lowest positive and negative frequencies ([:m] and [-m:]). Modes are truncated to what the grid
holds, so a trained layer evaluates at any resolution (the FFT's 1/n in the inverse makes the
layer act on the underlying function, not on the sample count). Complex weights are stored as
two real parameters so every optimizer treats them alike.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx


def _complex_param(key: jax.Array, shape: tuple[int, ...], scale: float) -> tuple[nnx.Param, nnx.Param]:
    kr, ki = jax.random.split(key)
    return (
        nnx.Param(scale * jax.random.uniform(kr, shape)),
        nnx.Param(scale * jax.random.uniform(ki, shape)),
    )


class SpectralConv1d(nnx.Module):
    """x: (B, N, in) -> (B, N, out), keeping Fourier modes [0, min(modes, N//2+1))."""

    def __init__(self, in_channels: int, out_channels: int, modes: int, *, rngs: nnx.Rngs):
        self.in_channels, self.out_channels, self.modes = in_channels, out_channels, modes
        scale = 1.0 / (in_channels * out_channels)
        self.w_real, self.w_imag = _complex_param(rngs.params(), (in_channels, out_channels, modes), scale)

    def __call__(self, x: jax.Array) -> jax.Array:
        if x.ndim != 3 or x.shape[-1] != self.in_channels:
            raise ValueError(f"SpectralConv1d expects (B, N, {self.in_channels}); got {x.shape}")
        n = x.shape[1]
        m = min(self.modes, n // 2 + 1)
        x_hat = jnp.fft.rfft(x, axis=1)
        w = (self.w_real[...] + 1j * self.w_imag[...])[:, :, :m]
        y_low = jnp.einsum("bki,iok->bko", x_hat[:, :m], w)
        y_hat = jnp.zeros((x.shape[0], n // 2 + 1, self.out_channels), y_low.dtype).at[:, :m].set(y_low)
        return jnp.fft.irfft(y_hat, n=n, axis=1)


class SpectralConv2d(nnx.Module):
    """x: (B, N1, N2, in) -> (B, N1, N2, out); modes [:m1] and [-m1:] on axis 1, [:m2] on axis 2."""

    def __init__(self, in_channels: int, out_channels: int, modes1: int, modes2: int, *, rngs: nnx.Rngs):
        self.in_channels, self.out_channels = in_channels, out_channels
        self.modes1, self.modes2 = modes1, modes2
        scale = 1.0 / (in_channels * out_channels)
        shape = (in_channels, out_channels, modes1, modes2)
        self.w1_real, self.w1_imag = _complex_param(rngs.params(), shape, scale)
        self.w2_real, self.w2_imag = _complex_param(rngs.params(), shape, scale)

    def __call__(self, x: jax.Array) -> jax.Array:
        if x.ndim != 4 or x.shape[-1] != self.in_channels:
            raise ValueError(f"SpectralConv2d expects (B, N1, N2, {self.in_channels}); got {x.shape}")
        b, n1, n2, _ = x.shape
        m1 = min(self.modes1, n1 // 2)
        m2 = min(self.modes2, n2 // 2 + 1)
        x_hat = jnp.fft.rfft2(x, axes=(1, 2))
        w1 = (self.w1_real[...] + 1j * self.w1_imag[...])[:, :, :m1, :m2]
        w2 = (self.w2_real[...] + 1j * self.w2_imag[...])[:, :, :m1, :m2]
        top = jnp.einsum("bxyi,ioxy->bxyo", x_hat[:, :m1, :m2], w1)
        bottom = jnp.einsum("bxyi,ioxy->bxyo", x_hat[:, n1 - m1 :, :m2], w2)
        y_hat = jnp.zeros((b, n1, n2 // 2 + 1, self.out_channels), top.dtype)
        y_hat = y_hat.at[:, :m1, :m2].set(top).at[:, n1 - m1 :, :m2].set(bottom)
        return jnp.fft.irfft2(y_hat, s=(n1, n2), axes=(1, 2))
