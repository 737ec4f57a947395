"""Learning rules that write key/value pairs into an associative memory S (d_k, d_v).

Row-vector convention of Qiao (arXiv 2508.08289, section 5.3): a key k (d_k,) and value
v (d_v,) are written as the outer product k^T v; a query q reads r = q S. Each rule is a pure
step (cfg, state, k, v) -> state looked up by name (cfg: a RuleConfig, or RuleParams holding
traced values under the same field names); `write` runs one over a sequence with lax.scan.

- "hebbian":    S <- S + alpha k^T v                                   (Def. 5)
- "decay":      S <- gamma S + alpha k^T v                             (Def. 7, window 1/(1-gamma))
- "delta":      S <- S + alpha k^T (v - k S)                           (exact overwrite when
                                                                         alpha ||k||^2 = 1)
- "paper_oja":  S <- S (I - alpha diag(v^T v)) + alpha k^T v           (the paper's Oja form)
- "oja":        S <- S - alpha S v^T v + alpha k^T v                   (textbook Oja 1982,
                 dW = alpha y (x - y W) with W = S^T, x = k and the output y clamped to v)
- "bcm":        S <- S + alpha k^T [v * (v - theta)],  theta <- (1 - rate) theta + rate v^2
                 (BCM; the paper leaves the averaging of theta open: here an exponential
                  moving average of v^2 with `bcm_rate`, starting at `bcm_theta0`)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

RULES: tuple[str, ...] = ("hebbian", "decay", "delta", "paper_oja", "oja", "bcm")


class MemoryState(NamedTuple):
    """S: (d_k, d_v) association matrix; theta: (d_v,) BCM sliding threshold (unused by others)."""

    S: jax.Array
    theta: jax.Array


@dataclasses.dataclass(frozen=True)
class RuleConfig:
    """A learning rule and its hyperparameters (see the module docstring for the updates)."""

    name: str = "hebbian"
    alpha: float = 1.0
    gamma: float = 0.99
    bcm_rate: float = 0.1
    bcm_theta0: float = 0.0

    def __post_init__(self):
        if self.name not in RULES:
            raise ValueError(f"RuleConfig.name={self.name!r} is unknown; valid names: {RULES}")
        if not 0.0 < self.gamma <= 1.0:
            raise ValueError(f"RuleConfig.gamma={self.gamma} must lie in (0, 1]")
        if not 0.0 < self.bcm_rate <= 1.0:
            raise ValueError(f"RuleConfig.bcm_rate={self.bcm_rate} must lie in (0, 1]")


def init_memory(d_k: int, d_v: int, cfg: RuleConfig = RuleConfig(), dtype=jnp.float32) -> MemoryState:
    """An empty memory: S = 0 (d_k, d_v), theta = bcm_theta0 (d_v,)."""
    return MemoryState(jnp.zeros((d_k, d_v), dtype), jnp.full((d_v,), cfg.bcm_theta0, dtype))


def _hebbian(cfg: RuleConfig, st: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    return st._replace(S=st.S + cfg.alpha * jnp.outer(k, v))


def _decay(cfg: RuleConfig, st: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    return st._replace(S=cfg.gamma * st.S + cfg.alpha * jnp.outer(k, v))


def _delta(cfg: RuleConfig, st: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    return st._replace(S=st.S + cfg.alpha * jnp.outer(k, v - k @ st.S))


def _paper_oja(cfg: RuleConfig, st: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    # S (I - alpha diag(v^T v)) scales column c of S by (1 - alpha v_c^2).
    return st._replace(S=st.S * (1.0 - cfg.alpha * v * v)[None, :] + cfg.alpha * jnp.outer(k, v))


def _oja(cfg: RuleConfig, st: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    return st._replace(S=st.S - cfg.alpha * jnp.outer(st.S @ v, v) + cfg.alpha * jnp.outer(k, v))


def _bcm(cfg: RuleConfig, st: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    theta = (1.0 - cfg.bcm_rate) * st.theta + cfg.bcm_rate * v * v
    return MemoryState(st.S + cfg.alpha * jnp.outer(k, v * (v - theta)), theta)


_STEPS: dict[str, Callable[[RuleConfig, MemoryState, jax.Array, jax.Array], MemoryState]] = {
    "hebbian": _hebbian,
    "decay": _decay,
    "delta": _delta,
    "paper_oja": _paper_oja,
    "oja": _oja,
    "bcm": _bcm,
}


def rule_step(cfg: RuleConfig, state: MemoryState, k: jax.Array, v: jax.Array) -> MemoryState:
    """One write of k (d_k,) -> v (d_v,) with rule `cfg.name`."""
    return _STEPS[cfg.name](cfg, state, k, v)


class RuleParams(NamedTuple):
    """Traced hyperparameters (scalars or arrays) with RuleConfig's field names, so that one
    compiled program can run several rules (`rule_step_switch`) or hyperparameter values."""

    alpha: jax.Array
    gamma: jax.Array
    bcm_rate: jax.Array
    bcm_theta0: jax.Array

    @classmethod
    def stack(cls, cfgs: tuple[RuleConfig, ...]) -> "RuleParams":
        """Per-rule parameters as arrays (R,) for vmapping over rules."""
        return cls(*(jnp.asarray([getattr(c, f) for c in cfgs], jnp.float32) for f in cls._fields))


def rule_step_switch(
    names: tuple[str, ...], index: jax.Array, params: RuleParams, state: MemoryState, k: jax.Array, v: jax.Array
) -> MemoryState:
    """rule_step for the rule names[index] with traced index/params (lax.switch over `names`)."""
    for name in names:
        if name not in RULES:
            raise ValueError(f"rule name={name!r} is unknown; valid names: {RULES}")
    branches = [lambda st, k, v, name=name: _STEPS[name](params, st, k, v) for name in names]
    return jax.lax.switch(index, branches, state, k, v)


def write(
    cfg: RuleConfig, keys: jax.Array, values: jax.Array, state: MemoryState | None = None
) -> MemoryState:
    """Write keys (n, d_k) -> values (n, d_v) in order; returns the final MemoryState."""
    if keys.ndim != 2 or values.ndim != 2 or keys.shape[0] != values.shape[0]:
        raise ValueError(
            f"write expects keys (n, d_k) and values (n, d_v) with equal n; got keys "
            f"{tuple(keys.shape)} and values {tuple(values.shape)}"
        )
    if state is None:
        state = init_memory(keys.shape[1], values.shape[1], cfg, keys.dtype)

    def body(st, kv):
        return rule_step(cfg, st, kv[0], kv[1]), None

    state, _ = jax.lax.scan(body, state, (keys, values))
    return state


def hebbian_matrix(keys: jax.Array, values: jax.Array, alpha: float = 1.0) -> jax.Array:
    """Closed form of the Hebbian memory: alpha K^T V, (d_k, d_v) from keys (n, d_k), values (n, d_v)."""
    return alpha * keys.T @ values


def retrieve(S: jax.Array, queries: jax.Array) -> jax.Array:
    """r = q S for queries (..., d_k) -> (..., d_v)."""
    if queries.shape[-1] != S.shape[0]:
        raise ValueError(f"query size {queries.shape[-1]} != memory d_k {S.shape[0]} (S {tuple(S.shape)})")
    return queries @ S
