"""A causal sequence mixer (one attention head) in Flax NNX: softmax, linear, delta, gated delta.

The trained memory experiments (E5 Schlag et al. settings, E6 MQAR) compare the same layer with
different memories. For x (B, T, d_in):
    q = phi(x W_q), k = phi(x W_k), v = x W_v (or given), beta = sigmoid(x w_b),
    a = sigmoid(x w_a + 3)   (gated delta only; starts near 0.95)
and the output o (B, T, d_value) is
- "softmax":     causal softmax(q k^T / sqrt(d_key)) v   (no feature map)
- "linear":      sum rule o_t = q_t sum_{s<=t} k_s^T v_s           (parallel form)
- "delta":       delta rule S_t = S_{t-1} + beta_t k_t^T (v_t - k_t S_{t-1})   (chunkwise WY/UT)
- "gated_delta": S_t = a_t S_{t-1} + beta_t k_t^T (v_t - a_t k_t S_{t-1})
Features are L2-normalised, so the delta rule is stable (beta ||k||^2 <= 1) and reads are bounded.
(Schlag et al. 2021 normalise by the sum; with DPFP the sum of ReLU products can be ~0 and the
quotient explode, which we measured: validation losses of 1e8.)
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from flax import nnx

from attention_theory.linear_attention.causal import linear_attention_parallel
from attention_theory.linear_attention.delta import delta_rule_chunkwise
from attention_theory.memory.feature_maps import FEATURE_MAPS, apply_feature_map, feature_size

MIXERS: tuple[str, ...] = ("softmax", "linear", "delta", "gated_delta")


class FixedArray(nnx.Variable):
    """A non-trainable array (random embeddings, FAVOR+ projections): not an nnx.Param."""


class CausalMixer(nnx.Module):
    """One causal attention head with a selectable memory (see the module docstring)."""

    def __init__(
        self,
        d_in: int,
        d_key: int,
        d_value: int,
        kind: str = "linear",
        *,
        feature_map: str = "identity",
        nu: int = 1,
        num_features: int = 64,
        chunk_size: int = 64,
        project_values: bool = True,
        rngs: nnx.Rngs,
    ):
        if kind not in MIXERS:
            raise ValueError(f"CausalMixer kind={kind!r} is unknown; valid kinds: {MIXERS}")
        if feature_map not in FEATURE_MAPS:
            raise ValueError(f"CausalMixer feature_map={feature_map!r} is unknown; valid maps: {FEATURE_MAPS}")
        self.kind, self.feature_map, self.nu, self.chunk_size = kind, feature_map, nu, chunk_size
        self.d_feature = d_key if kind == "softmax" else feature_size(feature_map, d_key, nu=nu, num_features=num_features)
        self.q = nnx.Linear(d_in, d_key, use_bias=False, rngs=rngs)
        self.k = nnx.Linear(d_in, d_key, use_bias=False, rngs=rngs)
        self.v = nnx.Linear(d_in, d_value, use_bias=False, rngs=rngs) if project_values else None
        self.beta = nnx.Linear(d_in, 1, rngs=rngs)
        self.gate = nnx.Linear(d_in, 1, bias_init=nnx.initializers.constant(3.0), rngs=rngs)
        self.projection = (
            FixedArray(jax.random.normal(rngs.params(), (num_features, d_key))) if feature_map == "favor_plus" else None
        )

    def features(self, x: jax.Array) -> jax.Array:
        """phi(x) / sqrt(||phi(x)||^2 + 1e-4): unit norm unless phi ~ 0, where the small floor
        keeps the gradient of the normalisation bounded (DPFP features can vanish)."""
        proj = None if self.projection is None else self.projection[...]
        phi = apply_feature_map(self.feature_map, x, nu=self.nu, projection=proj)
        return phi / jnp.sqrt(jnp.sum(phi * phi, axis=-1, keepdims=True) + 1e-4)

    def __call__(self, x: jax.Array, v: jax.Array | None = None) -> jax.Array:
        """x (B, T, d_in), optional given values v (B, T, d_value) -> o (B, T, d_value)."""
        if v is None:
            if self.v is None:
                raise ValueError("CausalMixer built with project_values=False needs values v (B, T, d_value)")
            v = self.v(x)
        q, k = self.q(x), self.k(x)
        if self.kind == "softmax":
            t = x.shape[1]
            scores = jnp.einsum("btd,bsd->bts", q, k) / jnp.sqrt(float(q.shape[-1]))
            scores = jnp.where(jnp.tril(jnp.ones((t, t), bool))[None], scores, -jnp.inf)
            return jnp.einsum("bts,bsd->btd", jax.nn.softmax(scores, axis=-1), v)
        q, k = self.features(q), self.features(k)
        if self.kind == "linear":
            # the quadratic form: exact and cheap for the short sequences of E5/E6 (and it kept
            # these experiments clear of the XLA:CPU length-1-scan miscompile noted in causal.py)
            return jax.vmap(linear_attention_parallel)(q, k, v)
        beta = jax.nn.sigmoid(self.beta(x))[..., 0]
        log_gate = jax.nn.log_sigmoid(self.gate(x))[..., 0] if self.kind == "gated_delta" else None
        form = functools.partial(delta_rule_chunkwise, chunk_size=self.chunk_size)
        if log_gate is None:
            return jax.vmap(lambda q, k, v, b: form(q, k, v, b))(q, k, v, beta)
        return jax.vmap(form)(q, k, v, beta, log_gate)
