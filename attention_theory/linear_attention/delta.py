"""The (gated) delta rule -- DeltaNet -- in recurrent and chunkwise (WY/UT) forms.

Row-vector convention, S (d_k, d_v):
    S_t = a_t (I - beta_t k_t^T k_t) S_{t-1} + beta_t k_t^T v_t,   o_t = q_t S_t,
i.e. S_t = a_t S_{t-1} + beta_t k_t^T (v_t - a_t k_t S_{t-1}); a_t = exp(log_gate_t) gives Gated
DeltaNet (Yang, Kautz, Hatamizadeh 2024), a_t = 1 DeltaNet (Yang et al. 2024, "Parallelizing
Linear Transformers with the Delta Rule"), the transposed form of their column convention.

Chunkwise form. Within a chunk with start state S_0 and G_t = sum_{r<=t} log a_r, the state is
S_t = e^{G_t} S_0 + sum_{i<=t} e^{G_t - G_i} k_i^T x_i with pseudo-values solving the unit
lower-triangular system (the UT transform)
    (I + diag(beta) tril(K K^T * Gamma, -1)) X = diag(beta) (V - e^G K S_0),  Gamma_ti = e^{G_t - G_i}
so with T = (I + tril(diag(beta) K K^T * Gamma, -1))^{-1} diag(beta), W = T (e^G K), U = T V:
    X = U - W S_0,   O = (e^G Q) S_0 + tril(Q K^T * Gamma) X,
    S_C = e^{G_C} S_0 + (e^{G_C - G} K)^T X.
W and U are computed for all chunks at once; for power-of-two C the unit lower-triangular
system is inverted by recursive 2x2 blocking (log2 C levels of batched matmuls, the blocked form
of forward substitution, so as stable), since XLA's CPU triangular solve is ~10x slower than a
matmul of the same size; other C use solve_triangular. The scan over the T/C chunks is matmuls only.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.linalg import solve_triangular

from attention_theory.linear_attention.causal import causal_decay_mask, check_qkv, pad_to_chunks


def _check_beta(beta: jax.Array, t: int) -> None:
    if beta.shape != (t,):
        raise ValueError(f"beta must have shape (T,)=({t},); got {tuple(beta.shape)}")


def delta_rule_recurrent(
    q: jax.Array, k: jax.Array, v: jax.Array, beta: jax.Array, log_gate: jax.Array | None = None
) -> jax.Array:
    """Recurrent (gated) delta rule: q, k (T, d_k), v (T, d_v), beta (T,), log_gate (T,) -> o (T, d_v)."""
    log_gate = check_qkv(q, k, v, log_gate)
    _check_beta(beta, q.shape[0])

    def step(S, inputs):
        qt, kt, vt, bt, gt = inputs
        S = jnp.exp(gt) * S
        S = S + bt * jnp.outer(kt, vt - kt @ S)
        return S, qt @ S

    S0 = jnp.zeros((k.shape[1], v.shape[1]), v.dtype)
    _, o = jax.lax.scan(step, S0, (q, k, v, beta, log_gate))
    return o


def unit_lower_inverse(m: jax.Array) -> jax.Array:
    """Inverse of unit lower-triangular m (..., C, C), C a power of two, by recursive blocking:
    [[A, 0], [B, D]]^-1 = [[A^-1, 0], [-D^-1 B A^-1, D^-1]], all blocks of a level at once."""
    c = m.shape[-1]
    if c & (c - 1):
        raise ValueError(f"unit_lower_inverse needs a power-of-two size; got C={c}")
    batch = m.shape[:-2]
    blocks = jnp.ones(batch + (c, 1, 1), m.dtype)  # inverses of the 1x1 diagonal blocks
    s = 1
    while s < c:
        n = c // (2 * s)
        diag = jnp.diagonal(m.reshape(batch + (n, 2 * s, n, 2 * s)), axis1=-4, axis2=-2)  # (..., 2s, 2s, n)
        lower_left = jnp.moveaxis(diag, -1, -3)[..., s:, :s]  # (..., n, s, s)
        a_inv, d_inv = blocks[..., 0::2, :, :], blocks[..., 1::2, :, :]
        x = -d_inv @ lower_left @ a_inv
        top = jnp.concatenate([a_inv, jnp.zeros_like(a_inv)], axis=-1)
        bottom = jnp.concatenate([x, d_inv], axis=-1)
        blocks = jnp.concatenate([top, bottom], axis=-2)
        s *= 2
    return blocks[..., 0, :, :]


def wy_representation(k: jax.Array, v: jax.Array, beta: jax.Array, log_gate: jax.Array):
    """W (C, d_k), U (C, d_v) of one chunk: W = T (e^G K), U = T V with the UT transform T above."""
    g = jnp.cumsum(log_gate)
    lower = (k @ k.T) * causal_decay_mask(log_gate, strict=True)
    system = jnp.eye(k.shape[0], dtype=k.dtype) + beta[:, None] * lower
    rhs = beta[:, None] * jnp.concatenate([jnp.exp(g)[:, None] * k, v], axis=1)
    c = k.shape[0]
    if c & (c - 1) == 0:
        wu = unit_lower_inverse(system) @ rhs
    else:
        wu = solve_triangular(system, rhs, lower=True, unit_diagonal=True)
    return wu[:, : k.shape[1]], wu[:, k.shape[1] :]


def delta_rule_chunkwise(
    q: jax.Array,
    k: jax.Array,
    v: jax.Array,
    beta: jax.Array,
    log_gate: jax.Array | None = None,
    chunk_size: int = 64,
) -> jax.Array:
    """Chunkwise (WY/UT) (gated) delta rule; same arguments and result as `delta_rule_recurrent`.

    Padding steps have beta = 0, so they write nothing.
    """
    log_gate = check_qkv(q, k, v, log_gate)
    _check_beta(beta, q.shape[0])
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} must be >= 1")
    t = q.shape[0]
    qc, kc, vc, bc, gc = (pad_to_chunks(x, chunk_size) for x in (q, k, v, beta, log_gate))
    wc, uc = jax.vmap(wy_representation)(kc, vc, bc, gc)

    def chunk(S, inputs):
        qi, ki, wi, ui, gi = inputs
        g = jnp.cumsum(gi)
        x = ui - wi @ S
        o = (qi * jnp.exp(g)[:, None]) @ S + ((qi @ ki.T) * causal_decay_mask(gi)) @ x
        S = jnp.exp(g[-1]) * S + (ki * jnp.exp(g[-1] - g)[:, None]).T @ x
        return S, o

    S0 = jnp.zeros((k.shape[1], v.shape[1]), v.dtype)
    _, o = jax.lax.scan(chunk, S0, (qc, kc, wc, uc, gc))
    return o.reshape((-1, v.shape[1]))[:t]
