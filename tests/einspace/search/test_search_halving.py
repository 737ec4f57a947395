"""Successive halving's rung bars and the progress view's summary, on hand-made records."""

from __future__ import annotations

import numpy as np

from einspace.search import SearchConfig, SearchProgress, best_record, halving_thresholds


def _rec(trial, curve, status="ok", **kw):
    return {"trial": trial, "status": status, "curve": curve, "fitness": curve[-1] if curve else None, **kw}


def test_rung_bar_is_the_keep_quantile_of_earlier_scores_at_that_epoch():
    config = SearchConfig(epochs=4, halving_rungs=(1, 2), halving_keep=0.25)
    records = [_rec(i, [0.1 * i, 0.1 * i + 0.05, 0.5, 0.6]) for i in range(8)]
    records.append(_rec(8, [], status="compile_error"))  # no score: ignored
    bars = dict(halving_thresholds(config, records))
    assert bars[1] == np.quantile([0.1 * i for i in range(8)], 0.75)
    assert bars[2] == np.quantile([0.1 * i + 0.05 for i in range(8)], 0.75)


def test_no_bar_until_enough_candidates_reached_the_rung():
    config = SearchConfig(epochs=4, halving_rungs=(2,))
    records = [_rec(i, [0.5, 0.6]) for i in range(3)] + [_rec(3, [0.5], status="halted")]
    assert halving_thresholds(config, records) == ()
    assert halving_thresholds(config, records + [_rec(4, [0.2, 0.3])]) == ((2, float(np.quantile([0.6] * 3 + [0.3], 0.5))),)


def test_best_prefers_fully_trained_candidates_and_the_earliest_tie():
    records = [_rec(0, [0.9], status="halted"), _rec(1, [0.7]), _rec(2, [0.7]), _rec(3, [], status="invalid")]
    assert best_record(records)["trial"] == 1
    assert best_record([records[0]])["trial"] == 0 and best_record([records[3]]) is None


def test_progress_summary_counts_failures_best_and_mean_costs():
    view = SearchProgress(budget=5, mode="off")
    view.add(_rec(0, [0.4], timings={"trace": 1.0, "compile": 2.0, "train": 4.0}), running=1)
    view.add(_rec(1, [], status="out_of_memory"), running=1)
    view.add(_rec(2, [0.8], timings={"trace": 0.5, "lower": 0.5, "train": 2.0}), running=0)
    s = view.summary()
    assert s["done"] == 3 and s["running"] == 0 and s["best_fitness"] == 0.8 and s["best_trial"] == 2
    assert s["failures"] == {"out_of_memory": 1}
    assert s["mean_compile_s"] == 2.0 and s["mean_train_s"] == 3.0
    assert view.table().row_count == 5
