"""E1: crosstalk noise power vs n and d_k against P_N = (n - 1)/d_k (Qiao, Theorem 6).

Command: attention-theory capacity e1 --d-k 64,256 --n 16,32,64,128,256 --trials 200 --out runs/e1
Expected: measured/predicted within ~1% at 200 trials for every (n, d_k); seconds on CPU.
"""

from __future__ import annotations

import dataclasses
import time

import jax
import numpy as np

from attention_theory.capacity.bounds import noise_power
from attention_theory.capacity.report import Report
from attention_theory.capacity.simulator import simulate_noise_powers
from attention_theory.memory.sampling import check_prng_impl, root_key


@dataclasses.dataclass(frozen=True)
class E1Config:
    """d_v = None uses d_v = d_k. Trial keys: fold_in(fold_in(key(seed, impl=prng_impl), d_k), trial)."""

    d_k: tuple[int, ...] = (16, 64, 256)
    n: tuple[int, ...] = (16, 32, 64, 128, 256)
    d_v: int | None = None
    trials: int = 200
    seed: int = 0
    prng_impl: str = "threefry2x32"

    def __post_init__(self):
        check_prng_impl(self.prng_impl, "E1Config.prng_impl")
        if min(self.d_k) < 1 or min(self.n) < 2 or self.trials < 2:
            raise ValueError(f"E1Config needs d_k >= 1, n >= 2, trials >= 2; got {self}")


def run_e1(cfg: E1Config = E1Config()) -> Report:
    """Measured mean noise power (and its standard error over trials) per (d_k, n)."""
    start = time.perf_counter()
    root = root_key(cfg.seed, cfg.prng_impl)
    rows = []
    for d_k in cfg.d_k:
        d_v = cfg.d_v or d_k
        powers = simulate_noise_powers(jax.random.fold_in(root, d_k), d_k, d_v, cfg.n, cfg.trials)
        per_trial = np.nanmean(powers, axis=2)  # (trials, N)
        for i, n in enumerate(cfg.n):
            mean = float(per_trial[:, i].mean())
            pred = float(noise_power(n, d_k))
            rows.append(
                {
                    "d_k": d_k,
                    "d_v": d_v,
                    "n": n,
                    "measured": mean,
                    "stderr": float(per_trial[:, i].std(ddof=1) / np.sqrt(cfg.trials)),
                    "predicted": pred,
                    "ratio": mean / pred,
                    "rel_fluct": float(np.nanstd(powers[:, i, :n]) / mean),
                    "rel_fluct_pred": float(np.sqrt(2.0 / (n - 1) + 2.0 * (n - 2) / ((n - 1) * d_v))),
                }
            )
    ratios = np.array([r["ratio"] for r in rows])
    summary = {"max_abs_ratio_error": float(np.max(np.abs(ratios - 1.0)))}
    return Report("e1_noise_power", dataclasses.asdict(cfg), rows, summary, time.perf_counter() - start)


def plot_e1(report: Report, fig) -> None:
    """Left: measured noise power vs n per d_k (points) and (n-1)/d_k (lines); right: ratio."""
    ax1, ax2 = fig.subplots(1, 2)
    for d_k in report.config["d_k"]:
        rows = [r for r in report.rows if r["d_k"] == d_k]
        n = np.array([r["n"] for r in rows])
        line = ax1.plot(n, [r["predicted"] for r in rows], "-", lw=1)[0]
        ax1.errorbar(n, [r["measured"] for r in rows], [r["stderr"] for r in rows], fmt="o",
                     color=line.get_color(), label=f"d_k={d_k}")
        ax2.plot(n, [r["ratio"] for r in rows], "o-", color=line.get_color(), label=f"d_k={d_k}")
    ax1.set(xscale="log", yscale="log", xlabel="n stored", ylabel="noise power",
            title="E1: measured (points) vs (n-1)/d_k (lines)")
    ax2.axhline(1.0, color="k", lw=0.8)
    ax2.set(xscale="log", xlabel="n stored", ylabel="measured / predicted", title="ratio")
    ax1.legend()
