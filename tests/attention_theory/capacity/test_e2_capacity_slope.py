"""E2: failure curves respect the theorem's bounds, and capacity grows LINEARLY in d_k.

Scaling-law test: the fitted log-log slope of capacity vs d_k must lie in a band around 1 and
its 95% bootstrap CI must exclude the theorem's 0.5 (the sqrt(eps delta d_k) bound).
"""

from __future__ import annotations

import numpy as np
import pytest

from attention_theory.capacity import E2Config, run_e2


@pytest.fixture(scope="module")
def report():
    fractions = tuple(float(f) for f in np.round(np.geomspace(0.05, 1.1, 18), 4))
    return run_e2(E2Config(d_k=(16, 32, 64, 128), n_over_dk=fractions, trials=48, bootstrap=100, seed=0))


def test_capacity_slope_is_linear_not_sqrt(report):
    s = report.summary
    assert 0.8 <= s["slope_any_eps"] <= 1.35, s
    assert s["slope_any_eps_ci95"][0] > 0.75, s
    assert 0.8 <= s["slope_item_half"] <= 1.2, s
    assert s["slope_item_half_ci95"][0] > 0.75, s
    assert all(c["flag_any"] == "ok" and c["flag_half"] == "ok" for c in s["capacity"])


def test_measured_capacity_far_beyond_sqrt_bound(report):
    largest = report.summary["capacity"][-1]
    assert largest["capacity_any_eps"] > 5 * largest["sqrt_bound"]
    # per-item failure reaches 1/2 near the concentration prediction n = 1 + delta d_k
    assert largest["capacity_item_half"] == pytest.approx(largest["concentration"], rel=0.15)


def test_bounds_hold_and_gaussian_prediction_is_close(report):
    rows = report.rows
    # valid upper bounds, up to Monte Carlo error
    assert all(r["p_any"] <= r["union"] + 0.05 for r in rows)
    assert all(r["p_item"] <= r["markov"] + 0.05 for r in rows)
    gap = np.mean([abs(r["p_item"] - r["gaussian"]) for r in rows])
    assert gap < 0.05, gap


def test_e2_config_errors():
    with pytest.raises(ValueError, match="eps=1.5"):
        E2Config(eps=1.5)
