"""E4: learning rules compared under three key regimes (Qiao, arXiv 2508.08289, section 5.3).

Scenarios, each a sequence of n writes (k_t, v_t) with fresh unit values v_t:
- "iid":        n distinct keys, i.i.d. uniform on the sphere, each written once;
- "replace":    keys drawn with replacement from a pool of max(1, round(pool_fraction n)) unit
                keys, so keys are re-written with new values; the target of a key is the LAST
                value written to it;
- "correlated": n distinct unit keys with pairwise correlation ~rho.
Each written key is queried once; the retrieval is decoded by nearest neighbour among all n
values written (an older value of the same key counts as an error). Reported: accuracy over
all written keys and over keys whose last write is among the newest `recent` writes.

One compiled program per scenario runs every (trial, n, rule): rules through lax.switch,
the n grid by masking writes t >= n.

Command: attention-theory capacity e4 --d-k 64 --n 32,64,128,256 --trials 20 --out runs/e4
Reference (d_k = d_v = 64, iid): Hebbian 1.000/1.000/0.982/0.756 at n = 32/64/128/256; delta
(beta = 1) 0.264 overall and 0.994 on the newest 32 at n = 256.
"""

from __future__ import annotations

import dataclasses
import functools
import time

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.capacity.report import Report
from attention_theory.memory.readouts import nearest_neighbour
from attention_theory.memory.rules import RULES, MemoryState, RuleConfig, RuleParams, rule_step_switch
from attention_theory.memory.sampling import correlated_keys, unit_sphere

SCENARIOS: tuple[str, ...] = ("iid", "replace", "correlated")


@dataclasses.dataclass(frozen=True)
class E4Config:
    d_k: int = 64
    d_v: int = 64
    n: tuple[int, ...] = (32, 64, 128, 256)
    rules: tuple[str, ...] = RULES
    scenarios: tuple[str, ...] = SCENARIOS
    alpha: float = 1.0
    gamma: float = 0.99
    bcm_rate: float = 0.1
    recent: int = 32
    rho: float = 0.3
    pool_fraction: float = 0.5
    trials: int = 20
    seed: int = 0

    def __post_init__(self):
        for field, allowed in (("rules", RULES), ("scenarios", SCENARIOS)):
            bad = [x for x in getattr(self, field) if x not in allowed]
            if bad:
                raise ValueError(f"E4Config.{field} has unknown {bad}; valid: {allowed}")
        if not 0.0 < self.pool_fraction <= 1.0:
            raise ValueError(f"E4Config.pool_fraction={self.pool_fraction} must lie in (0, 1]")

    def rule_configs(self) -> tuple[RuleConfig, ...]:
        return tuple(RuleConfig(r, alpha=self.alpha, gamma=self.gamma, bcm_rate=self.bcm_rate) for r in self.rules)


@functools.partial(jax.jit, static_argnames=("scenario", "n_max", "d_k", "d_v", "rho", "pool_fraction"))
def sample_scenario(key, n_values, *, scenario, n_max, d_k, d_v, rho, pool_fraction):
    """One trial's pool keys (n_max, d_k), values (n_max, d_v) and key ids (N, n_max) per n."""
    kk, kv, ki = jax.random.split(key, 3)
    values = unit_sphere(kv, n_max, d_v)
    if scenario == "correlated":
        pool = correlated_keys(kk, n_max, d_k, rho)
    else:
        pool = unit_sphere(kk, n_max, d_k)
    if scenario == "replace":
        u = jax.random.uniform(ki, (n_max,))
        sizes = jnp.maximum(1, jnp.round(pool_fraction * n_values)).astype(jnp.int32)
        ids = jnp.minimum(jnp.floor(u[None, :] * sizes[:, None]).astype(jnp.int32), sizes[:, None] - 1)
    else:
        ids = jnp.broadcast_to(jnp.arange(n_max), (n_values.shape[0], n_max))
    return pool, values, ids


@functools.partial(jax.jit, static_argnames=("names", "recent"))
def evaluate_rules(pool, values, ids, n_values, params: RuleParams, *, names, recent):
    """Accuracy (overall, recent) for every (trial, n, rule).

    pool (B, n_max, d_k), values (B, n_max, d_v), ids (B, N, n_max), n_values (N,), params (R,)
    -> two arrays (B, N, R).
    """
    n_max = pool.shape[1]
    t_idx = jnp.arange(n_max)

    def one(pool, values, ids, n, rule, p):
        keys = pool[ids]
        written = t_idx < n

        def body(st, inputs):
            k, v, w = inputs
            new = rule_step_switch(names, rule, p, st, k, v)
            return jax.tree.map(lambda a, b: jnp.where(w, a, b), new, st), None

        st0 = MemoryState(jnp.zeros((pool.shape[1], values.shape[1])), jnp.full((values.shape[1],), p.bcm_theta0))
        st, _ = jax.lax.scan(body, st0, (keys, values, written))
        last = jnp.full((n_max,), -1, jnp.int32).at[ids].max(jnp.where(written, t_idx, -1))
        pred = nearest_neighbour(pool @ st.S, values, valid=written)
        queried = last >= 0
        correct = (pred == last) & queried
        is_recent = queried & (last >= n - recent)
        overall = jnp.sum(correct) / jnp.maximum(1, jnp.sum(queried))
        rec = jnp.sum(correct & is_recent) / jnp.maximum(1, jnp.sum(is_recent))
        return overall, rec

    rules = jnp.arange(len(names))
    over_rules = jax.vmap(one, in_axes=(None, None, None, None, 0, 0))
    over_n = jax.vmap(over_rules, in_axes=(None, None, 0, 0, None, None))
    over_trials = jax.vmap(over_n, in_axes=(0, 0, 0, None, None, None))
    return over_trials(pool, values, ids, n_values, rules, params)


def run_e4(cfg: E4Config = E4Config()) -> Report:
    start = time.perf_counter()
    root = jax.random.key(cfg.seed)
    n_values = jnp.asarray(cfg.n, jnp.int32)
    n_max = max(cfg.n)
    params = RuleParams.stack(cfg.rule_configs())
    rows = []
    for s_i, scenario in enumerate(cfg.scenarios):
        trial_keys = jax.vmap(lambda t, s=s_i: jax.random.fold_in(jax.random.fold_in(root, s), t))(jnp.arange(cfg.trials))
        sample = jax.vmap(
            functools.partial(sample_scenario, scenario=scenario, n_max=n_max, d_k=cfg.d_k, d_v=cfg.d_v,
                              rho=cfg.rho, pool_fraction=cfg.pool_fraction),
            in_axes=(0, None),
        )
        pool, values, ids = sample(trial_keys, n_values)
        overall, recent = evaluate_rules(pool, values, ids, n_values, params, names=cfg.rules, recent=cfg.recent)
        overall, recent = np.asarray(overall).mean(0), np.asarray(recent).mean(0)  # (N, R)
        for i, n in enumerate(cfg.n):
            for r, rule in enumerate(cfg.rules):
                rows.append({"scenario": scenario, "rule": rule, "n": n,
                             "accuracy": float(overall[i, r]), "accuracy_recent": float(recent[i, r])})
    summary = {
        f"{s}@n={max(cfg.n)}": {r["rule"]: round(r["accuracy"], 3) for r in rows if r["scenario"] == s and r["n"] == max(cfg.n)}
        for s in cfg.scenarios
    }
    return Report("e4_learning_rules", dataclasses.asdict(cfg), rows, summary, time.perf_counter() - start)


def plot_e4(report: Report, fig) -> None:
    """One panel per scenario: accuracy vs n per rule (solid overall, dashed most recent)."""
    cfg = report.config
    axes = fig.subplots(1, len(cfg["scenarios"]), squeeze=False)[0]
    for ax, scenario in zip(axes, cfg["scenarios"]):
        for rule in cfg["rules"]:
            rows = [r for r in report.rows if r["scenario"] == scenario and r["rule"] == rule]
            n = [r["n"] for r in rows]
            line = ax.plot(n, [r["accuracy"] for r in rows], "o-", ms=3, label=rule)[0]
            ax.plot(n, [r["accuracy_recent"] for r in rows], "--", color=line.get_color(), alpha=0.7)
        ax.set(xscale="log", xlabel="n writes", ylabel="NN accuracy", ylim=(-0.02, 1.02),
               title=f"E4 {scenario} (dashed: newest {cfg['recent']})")
    axes[0].legend(fontsize=7)
