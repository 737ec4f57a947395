"""Multi-layer, multi-head chains of Hebbian memories (Qiao, arXiv 2508.08289, Theorem 9).

An attention-only stack of L layers with H heads each, residual stream
y^(l) = y^(l-1) + sum_h o^(l,h) W_O^(l,h). Each head is a memory that retrieves the queried item
with relative noise power p = ||r - v||^2 / ||v||^2. The theorem assumes heads and layers fail
independently and that a layer fails only if *every* head fails (an OR-oracle over heads); a
real layer has to combine heads. Three head readouts:

- "or_oracle":  the layer fails iff all H heads fail (p_h >= delta for every h) -- the theorem;
- "majority":   the layer fails iff more than half of the heads fail;
- "sum_decode": heads are summed through W_O and the sum is decoded once. With W_O the block
  concatenation (or any orthogonal map of the concatenated head outputs) the summed noise power
  is sum_h ||noise_h||^2 and the summed signal power is sum_h ||v_h||^2 = H for unit values, so
  the layer fails iff mean_h p_h >= delta.

The chain fails on an item when any layer fails on it: r* <= 1 - (1 - P_layer)^L.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

HEAD_READOUTS: tuple[str, ...] = ("or_oracle", "majority", "sum_decode")


def _xp(x):
    """numpy for numpy inputs (analysis of simulated grids), jax.numpy otherwise (traceable)."""
    return np if isinstance(x, np.ndarray) else jnp


def layer_fails(noise: jax.Array, delta: float, readout: str) -> jax.Array:
    """Layer failure from per-head relative noise powers noise (..., H) -> (...,) bool."""
    xp = _xp(noise)
    if readout == "or_oracle":
        return xp.all(noise >= delta, axis=-1)
    if readout == "majority":
        heads = noise.shape[-1]
        return xp.sum(noise >= delta, axis=-1) * 2 > heads
    if readout == "sum_decode":
        return xp.mean(noise, axis=-1) >= delta
    raise ValueError(f"head readout={readout!r} is unknown; valid readouts: {HEAD_READOUTS}")


def chain_fails(noise: jax.Array, delta: float, readout: str) -> jax.Array:
    """End-to-end failure from noise (..., L, H): True where any of the L layers fails; (...,) bool."""
    if noise.ndim < 2:
        raise ValueError(f"chain_fails expects noise (..., L, H); got shape {tuple(noise.shape)}")
    return _xp(noise).any(layer_fails(noise, delta, readout), axis=-1)


def theorem9_bound(n: float, d_k: float, delta: float, layers: int, heads: int) -> float:
    """The theorem's bound 1 - [1 - min(1, n/(delta d_k))^H]^L on the end-to-end error."""
    p = min(1.0, n / (delta * d_k))
    return 1.0 - (1.0 - p**heads) ** layers


def optimal_heads(width: int, n: float, delta: float) -> float:
    """H* = delta D / (e n), the minimiser of L (n H / (delta D))^H at fixed width D = H d_k."""
    return float(delta * width / (np.e * n))
