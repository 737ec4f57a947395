"""E3: error propagation through L-layer, H-head stacks of Hebbian memories (Qiao, Theorem 9).

(A) At fixed d_k: measured end-to-end per-item error vs the theorem's L (n/(delta d_k))^H for a
grid of (L, H, n), for the three head readouts of attention_theory.memory.chains.
(B) At fixed width D = H d_k: error vs H, locating the best H against H* = delta D/(e n).
Heads and layers are independent memories (the theorem's assumption); every head of every
layer stores n items with unit keys/values and is queried with the exact key.

Command: attention-theory capacity e3 --d-k 64 --n 8,16,24,32 --trials 100 --out runs/e3
"""

from __future__ import annotations

import dataclasses
import time

import jax
import numpy as np

from attention_theory.capacity.report import Report
from attention_theory.capacity.simulator import simulate_noise_powers
from attention_theory.memory.chains import HEAD_READOUTS, chain_fails, optimal_heads, theorem9_bound
from attention_theory.memory.sampling import check_prng_impl, root_key


@dataclasses.dataclass(frozen=True)
class E3Config:
    d_k: int = 64
    n: tuple[int, ...] = (8, 16, 24, 32)
    layers: tuple[int, ...] = (1, 2, 4, 8)
    heads: tuple[int, ...] = (1, 2, 4)
    delta: float = 0.5
    trials: int = 100
    width: int = 256
    width_n: int = 16
    width_layers: int = 4
    width_heads: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    readouts: tuple[str, ...] = HEAD_READOUTS
    seed: int = 0
    prng_impl: str = "threefry2x32"

    def __post_init__(self):
        check_prng_impl(self.prng_impl, "E3Config.prng_impl")
        bad = [h for h in self.width_heads if self.width % h]
        if bad:
            raise ValueError(f"E3Config.width_heads={self.width_heads}: {bad} do not divide width={self.width}")
        unknown = [r for r in self.readouts if r not in HEAD_READOUTS]
        if unknown:
            raise ValueError(f"E3Config.readouts has unknown {unknown}; valid readouts: {HEAD_READOUTS}")


def _chain_error(noise: np.ndarray, delta: float, readout: str) -> float:
    """noise (trials, L, H, N_items) with NaN padding -> per-item end-to-end error rate."""
    valid = ~np.isnan(noise[:, 0, 0, :])
    x = np.moveaxis(np.nan_to_num(noise, nan=0.0), 3, 1)  # (trials, items, L, H)
    fails = chain_fails(x, delta, readout)
    return float(fails[valid].mean())


def run_e3(cfg: E3Config = E3Config()) -> Report:
    start = time.perf_counter()
    root = root_key(cfg.seed, cfg.prng_impl)
    l_max, h_max = max(cfg.layers), max(cfg.heads)
    # one program for part A: trials * L_max * H_max memories, sliced per H
    powers = simulate_noise_powers(jax.random.fold_in(root, 0), cfg.d_k, cfg.d_k, cfg.n, cfg.trials * l_max * h_max)
    powers = powers.reshape(cfg.trials, l_max, h_max, len(cfg.n), -1)
    rows = []
    for h in cfg.heads:
        for L in cfg.layers:
            for i, n in enumerate(cfg.n):
                block = powers[:, :L, :h, i, :]
                row = {"H": h, "L": L, "n": n, "x_theorem": L * (n / (cfg.delta * cfg.d_k)) ** h,
                       "bound": theorem9_bound(n, cfg.d_k, cfg.delta, L, h)}
                for readout in cfg.readouts:
                    row[readout] = _chain_error(block, cfg.delta, readout)
                rows.append(row)
    width_rows = []
    for h in cfg.width_heads:
        d_k = cfg.width // h
        p = simulate_noise_powers(jax.random.fold_in(root, 1000 + h), d_k, d_k, (cfg.width_n,), cfg.trials * cfg.width_layers * h)
        p = p.reshape(cfg.trials, cfg.width_layers, h, -1)
        row = {"H": h, "d_k": d_k, "x_theorem": cfg.width_layers * (cfg.width_n * h / (cfg.delta * cfg.width)) ** h}
        for readout in cfg.readouts:
            row[readout] = _chain_error(p, cfg.delta, readout)
        width_rows.append(row)
    best = {r: [w["H"] for w in width_rows if w[r] == min(v[r] for v in width_rows)] for r in cfg.readouts}
    usable = {r: max([w["H"] for w in width_rows if w[r] <= 0.01], default=None) for r in cfg.readouts}
    summary = {
        "H_star": optimal_heads(cfg.width, cfg.width_n, cfg.delta),
        "best_H": best,
        "largest_H_with_error_le_0.01": usable,
        "width_sweep": width_rows,
    }
    return Report("e3_depth_heads", dataclasses.asdict(cfg), rows, summary, time.perf_counter() - start)


def plot_e3(report: Report, fig) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    cfg = report.config
    markers = dict(zip(HEAD_READOUTS, "o^s"))
    for readout in cfg["readouts"]:
        x = np.array([r["x_theorem"] for r in report.rows])
        y = np.array([r[readout] for r in report.rows])
        ax1.scatter(x, np.maximum(y, 1e-4), s=12, marker=markers[readout], label=readout)
    grid = np.geomspace(1e-4, 1e2, 10)
    ax1.plot(grid, np.minimum(grid, 1), "k--", lw=0.8, label="L (n/(delta d_k))^H")
    ax1.set(xscale="log", yscale="log", xlabel="L (n/(delta d_k))^H", ylabel="end-to-end error (floor 1e-4)",
            title=f"E3: depth/heads, d_k={cfg['d_k']}")
    ax1.legend(fontsize=7)
    sweep = report.summary["width_sweep"]
    hs = [w["H"] for w in sweep]
    for readout in cfg["readouts"]:
        ax2.plot(hs, [w[readout] for w in sweep], marker=markers[readout], label=readout)
    ax2.axvline(report.summary["H_star"], color="k", ls=":", label="H* = delta D/(e n)")
    ax2.set(xscale="log", xlabel="heads H (d_k = D/H)", ylabel="end-to-end error",
            title=f"fixed width D={cfg['width']}, n={cfg['width_n']}, L={cfg['width_layers']}")
    ax2.legend(fontsize=7)
