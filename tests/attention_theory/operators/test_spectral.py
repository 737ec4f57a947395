"""Spectral convolutions against a naive DFT written with explicit exponential sums."""

import jax.numpy as jnp
import numpy as np
from flax import nnx

from attention_theory.operators import SpectralConv1d, SpectralConv2d


def _naive_1d(x, w, m):
    """x: (B, N, I), w: (I, O, m) complex -> (B, N, O) via explicit sums (m < N/2)."""
    n = x.shape[1]
    grid = np.arange(n)
    out = np.zeros((x.shape[0], n, w.shape[1]))
    for k in range(m):
        basis = np.exp(-2j * np.pi * k * grid / n)
        x_k = np.einsum("bni,n->bi", x, basis)
        y_k = np.einsum("bi,io->bo", x_k, w[:, :, k])
        c = 1.0 if k == 0 else 2.0
        out += c * np.real(y_k[:, None, :] * np.conj(basis)[None, :, None]) / n
    return out


def _naive_2d(x, w1, w2, m1, m2):
    """Retained modes k1 in [0,m1) (w1) and [N1-m1, N1) (w2), k2 in [0,m2); m2 < N2/2."""
    _, n1, n2, _ = x.shape
    g1, g2 = np.meshgrid(np.arange(n1), np.arange(n2), indexing="ij")
    out = np.zeros(x.shape[:3] + (w1.shape[1],))
    for k1 in list(range(m1)) + list(range(n1 - m1, n1)):
        w = w1[:, :, k1] if k1 < m1 else w2[:, :, k1 - (n1 - m1)]
        for k2 in range(m2):
            basis = np.exp(-2j * np.pi * (k1 * g1 / n1 + k2 * g2 / n2))
            x_k = np.einsum("bxyi,xy->bi", x, basis)
            y_k = np.einsum("bi,io->bo", x_k, w[:, :, k2])
            c = 1.0 if k2 == 0 else 2.0
            out += c * np.real(y_k[:, None, None, :] * np.conj(basis)[None, :, :, None]) / (n1 * n2)
    return out


def test_spectral_conv_1d_matches_naive_dft():
    layer = SpectralConv1d(3, 2, 5, rngs=nnx.Rngs(0))
    x = np.asarray(jnp.asarray(np.random.default_rng(0).normal(size=(2, 16, 3)), jnp.float32), np.float64)
    w = np.asarray(layer.w_real[...]) + 1j * np.asarray(layer.w_imag[...])
    np.testing.assert_allclose(np.asarray(layer(x)), _naive_1d(x, w, 5), atol=1e-5)


def test_spectral_conv_2d_matches_naive_dft():
    layer = SpectralConv2d(2, 3, 3, 4, rngs=nnx.Rngs(1))
    x = np.asarray(jnp.asarray(np.random.default_rng(0).normal(size=(2, 12, 10, 2)), jnp.float32), np.float64)
    w1 = np.asarray(layer.w1_real[...]) + 1j * np.asarray(layer.w1_imag[...])
    w2 = np.asarray(layer.w2_real[...]) + 1j * np.asarray(layer.w2_imag[...])
    np.testing.assert_allclose(np.asarray(layer(x)), _naive_2d(x, w1, w2, 3, 4), atol=1e-5)


def test_spectral_conv_acts_on_the_function_not_the_sample_count():
    """A band-limited input sampled at two resolutions gives the same output function."""
    layer = SpectralConv2d(1, 1, 4, 4, rngs=nnx.Rngs(2))

    def field(n):
        t = np.arange(n) / n
        x1, x2 = np.meshgrid(t, t, indexing="ij")
        return (np.sin(2 * np.pi * x1) * np.cos(4 * np.pi * x2) + np.cos(6 * np.pi * x1))[None, :, :, None]

    coarse = np.asarray(layer(field(16).astype(np.float32)))
    fine = np.asarray(layer(field(32).astype(np.float32)))
    np.testing.assert_allclose(fine[:, ::2, ::2], coarse, atol=1e-5)
