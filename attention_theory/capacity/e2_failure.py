"""E2: retrieval failure probability vs n at threshold delta, and capacity vs d_k (Theorem 6).

An item fails when ||r_noise||^2 >= delta ||r_signal||^2. Overlays: Markov (n-1)/(delta d_k),
union n(n-1)/(delta d_k), the theorem's capacity sqrt(eps delta d_k), the concentration
prediction n ~ 1 + delta d_k and a Gaussian approximation of the noise power.
Capacity per d_k: the n where P(any item fails) crosses eps (the theorem's criterion) and the
n where the per-item failure crosses 1/2; their log-log slopes vs d_k are fitted with a
bootstrap CI over trials. Expected: slopes ~1 (linear), not 0.5 (the sqrt bound).

Command: attention-theory capacity e2 --d-k 32,64,128,256 --trials 200 --out runs/e2
"""

from __future__ import annotations

import dataclasses
import time

import jax
import numpy as np

from attention_theory.capacity import bounds
from attention_theory.capacity.fitting import bootstrap_slope, crossing
from attention_theory.capacity.report import Report
from attention_theory.capacity.simulator import simulate_noise_powers
from attention_theory.memory.sampling import check_prng_impl, root_key

DEFAULT_FRACTIONS = tuple(float(f) for f in np.round(np.geomspace(0.03, 1.2, 28), 4))


@dataclasses.dataclass(frozen=True)
class E2Config:
    """n grid per d_k: the explicit `n` if given, else round(f * d_k) for f in n_over_dk."""

    d_k: tuple[int, ...] = (32, 64, 128, 256)
    n_over_dk: tuple[float, ...] = DEFAULT_FRACTIONS
    n: tuple[int, ...] | None = None
    d_v: int | None = None
    delta: float = 0.5
    eps: float = 0.1
    trials: int = 200
    bootstrap: int = 200
    seed: int = 0
    prng_impl: str = "threefry2x32"

    def __post_init__(self):
        check_prng_impl(self.prng_impl, "E2Config.prng_impl")
        if not 0.0 < self.delta or not 0.0 < self.eps < 1.0:
            raise ValueError(f"E2Config needs delta > 0 and 0 < eps < 1; got delta={self.delta}, eps={self.eps}")
        if len(self.d_k) < 1 or self.trials < 2:
            raise ValueError(f"E2Config needs at least one d_k and trials >= 2; got d_k={self.d_k}, trials={self.trials}")

    def n_grid(self, d_k: int) -> tuple[int, ...]:
        if self.n is not None:
            return tuple(sorted(set(int(n) for n in self.n)))
        return tuple(sorted(set(max(2, int(round(f * d_k))) for f in self.n_over_dk)))


def run_e2(cfg: E2Config = E2Config()) -> Report:
    start = time.perf_counter()
    root = root_key(cfg.seed, cfg.prng_impl)
    rows, cap_rows, any_fail, item_fail = [], [], [], []
    for d_k in cfg.d_k:
        d_v = cfg.d_v or d_k
        ns = cfg.n_grid(d_k)
        powers = simulate_noise_powers(jax.random.fold_in(root, d_k), d_k, d_v, ns, cfg.trials)
        fails = powers >= cfg.delta  # NaN (unused items) compares False
        valid = ~np.isnan(powers)
        per_trial_any = fails.any(axis=2)  # (trials, N)
        per_trial_item = fails.sum(axis=2) / valid.sum(axis=2)
        any_fail.append(per_trial_any)
        item_fail.append(per_trial_item)
        gauss = bounds.gaussian_item_failure(np.array(ns), d_k, d_v, cfg.delta)
        for i, n in enumerate(ns):
            rows.append(
                {
                    "d_k": d_k,
                    "n": n,
                    "p_item": float(per_trial_item[:, i].mean()),
                    "p_any": float(per_trial_any[:, i].mean()),
                    "markov": float(bounds.markov_item_bound(n, d_k, cfg.delta)),
                    "union": float(bounds.union_bound(n, d_k, cfg.delta)),
                    "gaussian": float(gauss[i]),
                }
            )
        n_any, flag_any = crossing(ns, per_trial_any.mean(0), cfg.eps)
        n_half, flag_half = crossing(ns, per_trial_item.mean(0), 0.5)
        cap_rows.append(
            {
                "d_k": d_k,
                "capacity_any_eps": n_any,
                "flag_any": flag_any,
                "capacity_item_half": n_half,
                "flag_half": flag_half,
                "sqrt_bound": float(bounds.sqrt_capacity(d_k, cfg.delta, cfg.eps)),
                "concentration": float(bounds.concentration_capacity(d_k, cfg.delta)),
            }
        )
    summary: dict = {"capacity": cap_rows}
    if len(cfg.d_k) >= 2:
        rng = np.random.default_rng(cfg.seed)
        grids = [np.array(cfg.n_grid(d)) for d in cfg.d_k]

        def slope_of(samples, level):
            stats = [lambda s, g=g: crossing(g, s.mean(0), level)[0] for g in grids]
            # bootstrap_slope takes one statistic; bind each d_k's grid via an index column
            return bootstrap_slope(
                np.array(cfg.d_k, float),
                [np.concatenate([np.full((len(s), 1), j), s], axis=1) for j, s in enumerate(samples)],
                lambda s: stats[int(s[0, 0])](s[:, 1:]),
                rng,
                cfg.bootstrap,
            )

        for name, samples, level in (("any_eps", any_fail, cfg.eps), ("item_half", item_fail, 0.5)):
            slope, lo, hi = slope_of([s.astype(float) for s in samples], level)
            summary[f"slope_{name}"] = slope
            summary[f"slope_{name}_ci95"] = [lo, hi]
    rows_out = rows
    return Report("e2_failure", dataclasses.asdict(cfg), rows_out, summary, time.perf_counter() - start)


def plot_e2(report: Report, fig) -> None:
    """Left: P(any fails) and P(item fails) vs n/d_k with bounds; right: capacity vs d_k."""
    ax1, ax2 = fig.subplots(1, 2)
    cfg = report.config
    for d_k in cfg["d_k"]:
        rows = [r for r in report.rows if r["d_k"] == d_k]
        x = np.array([r["n"] for r in rows]) / d_k
        line = ax1.plot(x, [r["p_any"] for r in rows], "o-", ms=3, label=f"P(any) d_k={d_k}")[0]
        ax1.plot(x, [r["p_item"] for r in rows], "s--", ms=2, color=line.get_color(), alpha=0.6)
        ax1.plot(x, [r["union"] for r in rows], ":", color=line.get_color(), alpha=0.6)
        ax1.plot(x, [r["gaussian"] for r in rows], "-", lw=0.7, color="gray")
    rows = [r for r in report.rows if r["d_k"] == cfg["d_k"][0]]
    x = np.array([r["n"] for r in rows]) / cfg["d_k"][0]
    ax1.plot(x, [r["markov"] for r in rows], "k-.", lw=1, label="Markov (n-1)/(delta d_k)")
    ax1.axvline(cfg["delta"], color="k", lw=0.8, label="n = delta d_k")
    ax1.set(xscale="log", xlabel="n / d_k", ylabel="failure probability", ylim=(-0.02, 1.02),
            title=f"E2: solid P(any), dashed P(item), dotted union; delta={cfg['delta']}")
    ax1.legend(fontsize=7)
    caps = report.summary["capacity"]
    d = np.array([c["d_k"] for c in caps], float)
    ax2.plot(d, [c["capacity_any_eps"] for c in caps], "o-", label=f"measured P(any) = {cfg['eps']}")
    ax2.plot(d, [c["capacity_item_half"] for c in caps], "s-", label="measured P(item) = 1/2")
    ax2.plot(d, [c["concentration"] for c in caps], "k--", label="1 + delta d_k")
    ax2.plot(d, [c["sqrt_bound"] for c in caps], "k:", label="sqrt(eps delta d_k) (theorem)")
    title = "capacity vs d_k"
    if "slope_any_eps" in report.summary:
        lo, hi = report.summary["slope_any_eps_ci95"]
        title += f": slope {report.summary['slope_any_eps']:.2f} [{lo:.2f}, {hi:.2f}]"
    ax2.set(xscale="log", yscale="log", xlabel="d_k", ylabel="capacity n", title=title)
    ax2.legend(fontsize=7)
