"""E3 (depth/heads), E4 (learning rules) and the Hopfield anchor on small grids."""

from __future__ import annotations

import pytest

from attention_theory.capacity import E3Config, E4Config, HopfieldConfig, run_e3, run_e4, run_hopfield


def test_e3_error_grows_with_depth_and_respects_theorem():
    cfg = E3Config(d_k=32, n=(4, 12, 20), layers=(1, 3), heads=(1, 2), trials=40, width=64, width_n=8,
                   width_layers=2, width_heads=(1, 8))
    report = run_e3(cfg)
    by_key = {(r["H"], r["L"], r["n"]): r for r in report.rows}
    for (h, L, n), row in by_key.items():
        # all-heads-fail implies a majority fails: the OR-oracle is the most lenient readout
        assert row["or_oracle"] <= row["majority"] + 1e-12
        assert row["or_oracle"] <= row["bound"] + 0.05
        if L == 3:
            assert row["or_oracle"] >= by_key[(h, 1, n)]["or_oracle"] - 1e-12
    assert by_key[(1, 3, 20)]["or_oracle"] > 0.5  # (n-1)/d_k = 0.59 > delta: most items fail
    assert by_key[(1, 1, 4)]["or_oracle"] == 0.0
    sweep = {w["H"]: w for w in report.summary["width_sweep"]}
    assert sweep[8]["sum_decode"] > 0.5  # d_k = 8 cannot hold 8 items
    # d_k = 64 holds them: P(noise power >= delta) ~1e-4 per item and layer (measured, 1.6e5 draws),
    # so 0.064 failures expected among the 320 x 2 item-layers; 0.01 allows 3 (P(>= 4) ~ 1e-6)
    assert sweep[1]["sum_decode"] <= 0.01
    assert report.summary["H_star"] == pytest.approx(0.5 * 64 / (2.718281828 * 8), rel=1e-6)


def test_e4_reproduces_reference_pattern():
    cfg = E4Config(d_k=32, d_v=32, n=(16, 96), rules=("hebbian", "decay", "delta"), scenarios=("iid", "replace"),
                   trials=8, recent=16)
    rows = {(r["scenario"], r["rule"], r["n"]): r for r in run_e4(cfg).rows}
    assert rows[("iid", "hebbian", 16)]["accuracy"] >= 0.95
    # beyond capacity the delta rule forgets old items but keeps the newest ones
    assert rows[("iid", "delta", 96)]["accuracy_recent"] >= 0.9
    assert rows[("iid", "delta", 96)]["accuracy"] < rows[("iid", "hebbian", 96)]["accuracy"]
    # with re-written keys only the delta rule overwrites the stale value
    assert rows[("replace", "delta", 96)]["accuracy"] > rows[("replace", "hebbian", 96)]["accuracy"] + 0.2


def test_hopfield_overlap_collapses_above_alpha_c():
    report = run_hopfield(HopfieldConfig(neurons=(300,), loads=(0.06, 0.25), trials=4, probes=5))
    low, high = report.rows
    assert low["mean_overlap"] > 0.97
    assert high["mean_overlap"] < 0.7


def test_config_errors_name_fields():
    with pytest.raises(ValueError, match="width_heads"):
        E3Config(width=64, width_heads=(3,))
    with pytest.raises(ValueError, match="E4Config.rules has unknown \\['hebb'\\]"):
        E4Config(rules=("hebb",))
    with pytest.raises(ValueError, match="probes=50"):
        HopfieldConfig(neurons=(100,), loads=(0.1,), probes=50)
