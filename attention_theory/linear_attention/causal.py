"""Causal (gated) linear attention in three equivalent forms: recurrent, parallel, chunkwise.

Row-vector convention (Qiao, arXiv 2508.08289, Def. 5 with f = phi applied beforehand):
    S_t = a_t S_{t-1} + k_t^T v_t,   o_t = q_t S_t,   a_t = exp(log_gate_t) (1 when no gate).
All functions take one sequence -- q, k (T, d_k), v (T, d_v), log_gate (T,) -- and return
o (T, d_v); add batch and head axes with jax.vmap.

- recurrent:  lax.scan over T steps, O(T d_k d_v) work, T sequential steps;
- parallel:   ((Q K^T) * D) V with the causal decay mask D_ts = exp(G_t - G_s), s <= t; O(T^2 d);
- chunkwise:  chunks of C: intra-chunk quadratic + inter-chunk state carried by matmuls,
              O(T C d + T d_k d_v) work, T/C sequential steps (Yang et al. 2024, GLA sec. 3).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def check_qkv(q: jax.Array, k: jax.Array, v: jax.Array, log_gate: jax.Array | None) -> jax.Array:
    """Validate shapes; return log_gate (T,) (zeros when None)."""
    if q.ndim != 2 or k.shape != q.shape or v.ndim != 2 or v.shape[0] != q.shape[0]:
        raise ValueError(
            f"expected q, k (T, d_k) and v (T, d_v); got q {tuple(q.shape)}, k {tuple(k.shape)}, "
            f"v {tuple(v.shape)} (vmap over batch/head axes)"
        )
    if log_gate is None:
        return jnp.zeros(q.shape[:1], q.dtype)
    if log_gate.shape != q.shape[:1]:
        raise ValueError(f"log_gate must have shape (T,)={q.shape[:1]}; got {tuple(log_gate.shape)}")
    return log_gate


def causal_decay_mask(log_gate: jax.Array, strict: bool = False) -> jax.Array:
    """D_ts = exp(G_t - G_s) for s <= t (s < t when strict), else 0; G = cumsum(log_gate). (T, T)."""
    g = jnp.cumsum(log_gate)
    t = g.shape[0]
    keep = jnp.tril(jnp.ones((t, t), bool), -1 if strict else 0)
    # mask the exponent before exp so the discarded upper triangle cannot overflow
    diff = jnp.where(keep, g[:, None] - g[None, :], -jnp.inf)
    return jnp.exp(diff)


def linear_attention_recurrent(
    q: jax.Array, k: jax.Array, v: jax.Array, log_gate: jax.Array | None = None
) -> jax.Array:
    """Recurrent form: scan S_t = a_t S_{t-1} + k_t^T v_t, o_t = q_t S_t. Returns (T, d_v)."""
    log_gate = check_qkv(q, k, v, log_gate)

    def step(S, inputs):
        qt, kt, vt, gt = inputs
        S = jnp.exp(gt) * S + jnp.outer(kt, vt)
        return S, qt @ S

    S0 = jnp.zeros((k.shape[1], v.shape[1]), v.dtype)
    _, o = jax.lax.scan(step, S0, (q, k, v, log_gate))
    return o


def linear_attention_parallel(
    q: jax.Array, k: jax.Array, v: jax.Array, log_gate: jax.Array | None = None
) -> jax.Array:
    """Parallel (quadratic) form: ((Q K^T) * D) V. Returns (T, d_v)."""
    log_gate = check_qkv(q, k, v, log_gate)
    return ((q @ k.T) * causal_decay_mask(log_gate)) @ v


def pad_to_chunks(x: jax.Array, chunk_size: int) -> jax.Array:
    """Zero-pad the time axis (axis 0) to a multiple of chunk_size and reshape to (N, C, ...)."""
    t = x.shape[0]
    n = -(-t // chunk_size)
    x = jnp.pad(x, [(0, n * chunk_size - t)] + [(0, 0)] * (x.ndim - 1))
    return x.reshape((n, chunk_size) + x.shape[1:])


def linear_attention_chunkwise(
    q: jax.Array,
    k: jax.Array,
    v: jax.Array,
    log_gate: jax.Array | None = None,
    chunk_size: int = 64,
) -> jax.Array:
    """Chunkwise form with chunk size C; padding steps have k = v = 0 and gate 1. Returns (T, d_v)."""
    log_gate = check_qkv(q, k, v, log_gate)
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} must be >= 1")
    t = q.shape[0]
    qc, kc, vc, gc = (pad_to_chunks(x, chunk_size) for x in (q, k, v, log_gate))

    b = jnp.cumsum(gc, axis=1)  # (N, C) log decay from each chunk start

    def carry_state(S, inputs):
        ki, vi, bi = inputs
        S_next = jnp.exp(bi[-1]) * S + (ki * jnp.exp(bi[-1] - bi)[:, None]).T @ vi
        return S_next, S

    intra = jnp.einsum("nts,nsd->ntd", jnp.einsum("ntd,nsd->nts", qc, kc) * jax.vmap(causal_decay_mask)(gc), vc)
    if qc.shape[0] == 1:
        # One chunk: no state to carry. (XLA:CPU in jax 0.10.2 miscompiled the length-1 scan
        # when this form ran inside an outer loop on a large batch; see the regression test.)
        return intra.reshape((-1, v.shape[1]))[:t]
    # the scan carries only the (d_k, d_v) state between chunks; outputs are batched matmuls
    S0 = jnp.zeros((k.shape[1], v.shape[1]), v.dtype)
    _, starts = jax.lax.scan(carry_state, S0, (kc, vc, b))  # (N, d_k, d_v): state before each chunk
    inter = jnp.einsum("ntk,nkd->ntd", qc * jnp.exp(b)[..., None], starts)
    o = intra + inter
    return o.reshape((-1, v.shape[1]))[:t]


def with_normalizer(form, q: jax.Array, k: jax.Array, v: jax.Array, eps: float = 1e-6, **kwargs) -> jax.Array:
    """Katharopoulos-normalised output o_t = q_t S_t / (q_t z_t), z_t = sum_s a.. k_s, via any form.

    The normaliser is computed by the same form on a ones column appended to v.
    """
    ones = jnp.ones((v.shape[0], 1), v.dtype)
    out = form(q, k, jnp.concatenate([v, ones], axis=1), **kwargs)
    return out[:, :-1] / (out[:, -1:] + eps)
