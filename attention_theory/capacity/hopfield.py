"""Classical anchor: the Hebbian Hopfield network's capacity alpha_c ~ 0.138 (Amit, Gutfreund,
Sompolinsky 1985).

N binary neurons store P random +-1 patterns with W = (1/N) sum_mu xi_mu xi_mu^T, zero
diagonal. Starting exactly at a stored pattern, the network runs synchronous zero-temperature
updates s <- sign(W s); the final overlap m = xi . s / N stays near 1 below alpha_c and
collapses above it (AGS: m jumps from ~0.967 to ~0 at alpha_c = 0.1379 for N -> inf; finite N
smears the transition, so alpha_c is estimated per N and extrapolated with the usual
finite-size form alpha_c(N) = alpha_c + b / sqrt(N)). W is never formed: W s = X^T (X s)/N - (P/N) s with X the (P, N)
patterns. Loads are covered by masking one sample of P_max patterns per trial, so the whole
(trials x loads x probes) grid is one jitted, vmapped program.

Command: attention-theory capacity hopfield --neurons 1000 --trials 10 --out runs/hopfield
"""

from __future__ import annotations

import dataclasses
import functools
import time

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.capacity.bounds import hopfield_alpha_c
from attention_theory.capacity.fitting import crossing
from attention_theory.capacity.report import Report
from attention_theory.capacity.simulator import auto_batch_size
from attention_theory.memory.sampling import rademacher

DEFAULT_LOADS = tuple(float(x) for x in np.round(np.arange(0.04, 0.245, 0.01), 3))


@dataclasses.dataclass(frozen=True)
class HopfieldConfig:
    neurons: tuple[int, ...] = (250, 500, 1000)
    loads: tuple[float, ...] = DEFAULT_LOADS
    trials: int = 10
    probes: int = 5
    steps: int = 40
    seed: int = 0

    def __post_init__(self):
        if min(self.neurons) < 8 or self.probes < 1 or self.steps < 1 or min(self.loads) <= 0:
            raise ValueError(f"HopfieldConfig needs neurons >= 8, probes, steps >= 1 and loads > 0; got {self}")
        smallest = min(self.pattern_counts(min(self.neurons)))
        if self.probes > smallest:
            raise ValueError(
                f"HopfieldConfig.probes={self.probes} exceeds the smallest pattern count {smallest} "
                f"(load {min(self.loads)} x {min(self.neurons)} neurons)"
            )

    def pattern_counts(self, neurons: int) -> tuple[int, ...]:
        return tuple(max(1, int(round(a * neurons))) for a in self.loads)


@functools.partial(jax.jit, static_argnames=("neurons", "counts", "probes", "steps", "trials", "batch_size"))
def hopfield_overlaps(key, *, neurons, counts, probes, steps, trials, batch_size) -> jax.Array:
    """Final overlaps (trials, len(counts), probes) starting from each of the first `probes` patterns."""
    p_max = max(counts)
    ps = jnp.asarray(counts)

    def one_trial(t):
        x = rademacher(jax.random.fold_in(key, t), p_max, neurons)

        def for_load(p):
            xm = x * (jnp.arange(p_max) < p)[:, None]

            def run(s0):
                def step(s, _):
                    h = xm.T @ (xm @ s) / neurons - (p / neurons) * s
                    return jnp.where(h >= 0, 1.0, -1.0), None

                s, _ = jax.lax.scan(step, s0, None, length=steps)
                return s @ s0 / neurons

            return jax.vmap(run)(x[:probes])

        return jax.vmap(for_load)(ps)

    return jax.lax.map(one_trial, jnp.arange(trials), batch_size=batch_size)


def run_hopfield(cfg: HopfieldConfig = HopfieldConfig()) -> Report:
    start = time.perf_counter()
    rows, per_n = [], []
    for neurons in cfg.neurons:
        counts = cfg.pattern_counts(neurons)
        batch = auto_batch_size(cfg.trials, len(counts) * (max(counts) * neurons + 4 * cfg.probes * neurons))
        m = np.asarray(
            hopfield_overlaps(jax.random.fold_in(jax.random.key(cfg.seed), neurons), neurons=neurons, counts=counts,
                              probes=cfg.probes, steps=cfg.steps, trials=cfg.trials, batch_size=batch)
        )
        block = [
            {"neurons": neurons, "load": p / neurons, "patterns": p, "mean_overlap": float(m[:, i].mean()),
             "frac_overlap_ge_0.9": float((m[:, i] >= 0.9).mean())}
            for i, p in enumerate(counts)
        ]
        rows += block
        # alpha_c(N): where the fraction of probes that stay retrieved (m >= 0.9) drops below 1/2
        lost = 1.0 - np.array([r["frac_overlap_ge_0.9"] for r in block])
        alpha_n, flag = crossing(np.array([r["load"] for r in block]), lost, 0.5)
        per_n.append({"neurons": neurons, "alpha_c_N": alpha_n, "flag": flag,
                      "exact_recall_1_over_2lnN": 1.0 / (2 * np.log(neurons))})
    summary = {"per_N": per_n, "alpha_c_theory": hopfield_alpha_c()}
    if len(cfg.neurons) >= 2:
        x = 1.0 / np.sqrt(np.array(cfg.neurons, float))
        b, a = np.polyfit(x, [r["alpha_c_N"] for r in per_n], 1)
        summary["alpha_c_extrapolated"] = float(a)
        summary["finite_size_slope_b"] = float(b)
    return Report("hopfield_anchor", dataclasses.asdict(cfg), rows, summary, time.perf_counter() - start)


def plot_hopfield(report: Report, fig) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    for neurons in report.config["neurons"]:
        block = [r for r in report.rows if r["neurons"] == neurons]
        loads = [r["load"] for r in block]
        line = ax1.plot(loads, [r["mean_overlap"] for r in block], "o-", ms=3, label=f"mean overlap N={neurons}")[0]
        ax1.plot(loads, [r["frac_overlap_ge_0.9"] for r in block], "--", color=line.get_color(), alpha=0.7)
    ax1.axvline(report.summary["alpha_c_theory"], color="k", ls=":", label="alpha_c = 0.138 (AGS)")
    ax1.set(xlabel="load alpha = P/N", ylabel="final overlap (dashed: fraction m >= 0.9)", title="Hopfield anchor")
    ax1.legend(fontsize=7)
    per_n = report.summary["per_N"]
    x = 1.0 / np.sqrt([r["neurons"] for r in per_n])
    ax2.plot(x, [r["alpha_c_N"] for r in per_n], "o", label="alpha_c(N)")
    if "alpha_c_extrapolated" in report.summary:
        grid = np.linspace(0, x.max(), 10)
        ax2.plot(grid, report.summary["alpha_c_extrapolated"] + report.summary["finite_size_slope_b"] * grid, "r--",
                 label=f"fit, N->inf: {report.summary['alpha_c_extrapolated']:.3f}")
    ax2.axhline(report.summary["alpha_c_theory"], color="k", ls=":", label="0.138")
    ax2.set(xlabel="1/sqrt(N)", ylabel="alpha_c(N)", title="finite-size extrapolation")
    ax2.legend(fontsize=7)
