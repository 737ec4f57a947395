"""Capacity from a failure curve, and log-log slopes with bootstrap confidence intervals."""

from __future__ import annotations

import numpy as np


def crossing(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, str]:
    """First x where the (rising) curve y crosses `level`, linear interpolation in log x.

    Returns (x_cross, flag): flag "ok", "below_grid" (y already > level at x[0]: returns x[0])
    or "above_grid" (never crosses: returns x[-1]).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    above = np.nonzero(y > level)[0]
    if len(above) == 0:
        return float(x[-1]), "above_grid"
    i = int(above[0])
    if i == 0:
        return float(x[0]), "below_grid"
    lx0, lx1 = np.log(x[i - 1]), np.log(x[i])
    frac = (level - y[i - 1]) / (y[i] - y[i - 1])
    return float(np.exp(lx0 + frac * (lx1 - lx0))), "ok"


def loglog_slope(x, y) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def bootstrap_slope(
    x: np.ndarray,
    samples: list[np.ndarray],
    statistic,
    rng: np.random.Generator,
    resamples: int = 200,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Slope of log statistic(samples[i]) vs log x[i], with a percentile bootstrap CI over trials.

    samples[i]: per-trial data for x[i] (trials first); statistic maps such an array to a
    positive number (e.g. a capacity). Returns (slope, low, high).
    """
    point = loglog_slope(x, [statistic(s) for s in samples])
    slopes = []
    for _ in range(resamples):
        ys = [statistic(s[rng.integers(0, len(s), len(s))]) for s in samples]
        slopes.append(loglog_slope(x, ys))
    lo, hi = np.quantile(slopes, [(1 - level) / 2, (1 + level) / 2])
    return point, float(lo), float(hi)
