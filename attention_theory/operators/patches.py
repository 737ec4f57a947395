"""Patching in function space and patch attention (Calvello et al., arXiv 2406.06486, Sec. 4.2).

The s1 x s2 grid on [0,1]^2 is cut into a FIXED number of patches P1 x P2; each patch holds
p1 x p2 = (s1/P1) x (s2/P2) points, so the patch size scales with the resolution and each token
is a function on a reference patch. The score between patches is the L2(patch) inner product
S_pq = <Q v_p, K v_q> ~ h1 h2 sum_{y in patch} (Q v_p)(y).(K v_q)(y), h_i = 1/s_i, so a change of
resolution only changes the quadrature factor and the parameters transfer zero-shot.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from attention_theory.operators.spectral import SpectralConv2d


def _pair(num_patches: int | tuple[int, int]) -> tuple[int, int]:
    return (num_patches, num_patches) if isinstance(num_patches, int) else tuple(num_patches)


def patchify(x: jax.Array, num_patches: int | tuple[int, int]) -> jax.Array:
    """(B, s1, s2, C) -> (B, P1*P2, s1/P1, s2/P2, C), patches in row-major order."""
    p_1, p_2 = _pair(num_patches)
    if x.ndim != 4:
        raise ValueError(f"patchify expects (B, s1, s2, C); got {x.shape}")
    b, s1, s2, c = x.shape
    if s1 % p_1 or s2 % p_2:
        raise ValueError(
            f"grid {s1}x{s2} is not divisible into num_patches={p_1}x{p_2}; "
            f"use a resolution that is a multiple of the patch count (e.g. {p_1 * max(1, s1 // p_1)})"
        )
    t = x.reshape(b, p_1, s1 // p_1, p_2, s2 // p_2, c).transpose(0, 1, 3, 2, 4, 5)
    return t.reshape(b, p_1 * p_2, s1 // p_1, s2 // p_2, c)


def unpatchify(t: jax.Array, num_patches: int | tuple[int, int]) -> jax.Array:
    """Inverse of `patchify`: (B, P1*P2, p1, p2, C) -> (B, P1*p1, P2*p2, C)."""
    p_1, p_2 = _pair(num_patches)
    b, n, q1, q2, c = t.shape
    if n != p_1 * p_2:
        raise ValueError(f"expected {p_1 * p_2} patches for num_patches={p_1}x{p_2}; got {n}")
    return t.reshape(b, p_1, p_2, q1, q2, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, p_1 * q1, p_2 * q2, c)


def patch_attention(q: jax.Array, k: jax.Array, v: jax.Array, grid_size: tuple[int, int]) -> jax.Array:
    """alpha = softmax_q(<Q v_p, K v_q>_{L2(patch)}); (A v)_p = sum_q alpha_pq V v_q.

    Args:
      q, k: (B, H, P, p1, p2, dk) query/key functions on each patch.
      v: (B, H, P, p1, p2, dv).
      grid_size: (s1, s2) of the full grid; the inner product is divided by s1*s2 (h1 h2).
    Returns:
      (B, H, P, p1, p2, dv).
    """
    if q.shape != k.shape or q.shape[:5] != v.shape[:5]:
        raise ValueError(f"patch_attention shapes disagree: q {q.shape}, k {k.shape}, v {v.shape}")
    scores = jnp.einsum("bhpxyd,bhqxyd->bhpq", q, k) / float(grid_size[0] * grid_size[1])
    probs = jax.nn.softmax(scores, axis=-1)
    return jnp.einsum("bhpq,bhqxyd->bhpxyd", probs, v)


class _PatchAttentionBase(nnx.Module):
    """Shared head split/merge; subclasses define how Q, K, V act on the patch functions."""

    num_heads: int
    num_patches: tuple[int, int]

    def _project(self, v: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        raise NotImplementedError

    def __call__(self, v: jax.Array) -> jax.Array:
        """v: (B, P, p1, p2, d_model) -> (B, P, p1, p2, d_model)."""
        b, n, q1, q2, d = v.shape
        grid_size = (self.num_patches[0] * q1, self.num_patches[1] * q2)
        q, k, val = self._project(v)

        def heads(t):
            return t.reshape(b, n, q1, q2, self.num_heads, -1).transpose(0, 4, 1, 2, 3, 5)

        y = patch_attention(heads(q), heads(k), heads(val), grid_size)
        y = y.transpose(0, 2, 3, 4, 1, 5).reshape(b, n, q1, q2, -1)
        return self.out(y)


class PatchAttention(_PatchAttentionBase):
    """ViTNO attention: pointwise linear Q, K, V on every patch function, pointwise W_O."""

    def __init__(self, d_model: int, num_heads: int, num_patches: int | tuple[int, int], *, rngs: nnx.Rngs):
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        self.num_heads, self.num_patches = num_heads, _pair(num_patches)
        self.query = nnx.Linear(d_model, d_model, rngs=rngs)
        self.key = nnx.Linear(d_model, d_model, rngs=rngs)
        self.value = nnx.Linear(d_model, d_model, rngs=rngs)
        self.out = nnx.Linear(d_model, d_model, rngs=rngs)

    def _project(self, v):
        return self.query(v), self.key(v), self.value(v)


class SpectralPatchAttention(_PatchAttentionBase):
    """FANO attention: per-head spectral convolutions Q, K, V inside each patch, pointwise W_O.

    One SpectralConv2d d_model -> d_model per map equals H independent per-head convolutions
    d_model -> d_model/H stacked along the output channels.
    """

    def __init__(
        self, d_model: int, num_heads: int, num_patches: int | tuple[int, int], modes: int, *, rngs: nnx.Rngs
    ):
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        self.num_heads, self.num_patches = num_heads, _pair(num_patches)
        self.query = SpectralConv2d(d_model, d_model, modes, modes, rngs=rngs)
        self.key = SpectralConv2d(d_model, d_model, modes, modes, rngs=rngs)
        self.value = SpectralConv2d(d_model, d_model, modes, modes, rngs=rngs)
        self.out = nnx.Linear(d_model, d_model, rngs=rngs)

    def _project(self, v):
        b, n, q1, q2, d = v.shape
        flat = v.reshape(b * n, q1, q2, d)
        return tuple(f(flat).reshape(b, n, q1, q2, -1) for f in (self.query, self.key, self.value))
