"""The search benchmark's compile-share arithmetic (benchmarks/search.py) on hand-made timelines."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("search_benchmark", REPO / "benchmarks" / "search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(start: float, compile_s: float, wall: float) -> dict:
    # compile split over the phases the benchmark sums; 1 s of the wall is training
    return {"started_at": start, "wall_s": wall,
            "timings": {"init": compile_s / 2, "trace": 0.0, "lower": 0.0, "compile": compile_s / 2, "train": 1.0}}


def test_exposed_compile_is_compile_not_covered_by_any_training(bench):
    assert bench.exposed_seconds([(0, 2)], [(2, 3)]) == 2
    assert bench.exposed_seconds([(0, 2), (1, 3)], [(2, 5)]) == 2  # compiles merged, last second hidden
    assert bench.exposed_seconds([(3, 4)], [(2, 5)]) == 0


def test_serial_shares_agree_and_overlap_lowers_only_the_critical_share(bench):
    serial = [_record(0.0, 3.0, 4.0), _record(4.0, 3.0, 4.0)]
    s = bench.compile_shares(serial)
    assert s["compile_share_raw"] == pytest.approx(0.75) and s["compile_share_critical"] == pytest.approx(0.75)
    # two workers: the second candidate compiles while the first trains (3-4 s of 0-6.5 s)
    overlapped = [_record(0.0, 3.0, 4.0), _record(1.0, 3.0, 5.5)]
    o = bench.compile_shares(overlapped)
    assert o["compile_share_raw"] == pytest.approx(6 / 9.5)
    assert o["compile_share_critical"] == pytest.approx(3 / 6.5)  # 0-3 s exposed, 3-4 s hidden
    assert s["mean_s"]["train"] == 1.0 and s["mean_other_s"] == pytest.approx(0.0)
