"""Run directories: kill -9 mid-trial then --resume loses nothing and ends exactly like an
uninterrupted run; a truncated last line is dropped with a warning; another config is refused."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from einspace.search import RunDirError, SearchConfig, run_search

SYNTH = SearchConfig(objective="synthetic", strategy="re", budget=14, population=5, tournament=3, seed=4,
                     crossover_rate=0.3, max_params=200_000, max_nodes=64, max_activation_bytes=4 * 2**20)
VOLATILE = ("worker", "wall_s", "timings", "started_at", "finished_at")


def _stable(records):
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in records]


def _lines(path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _kill_mid_search(config: SearchConfig, workdir, after: int, timeout: float = 120.0) -> None:
    """Start the search in a real subprocess and SIGKILL it once `after` trials are logged."""
    code = ("import json, sys; from einspace.search import SearchConfig, run_search; "
            "run_search(SearchConfig.from_dict(json.loads(sys.argv[1])), sys.argv[2])")
    proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(config.to_dict()), str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while _lines(workdir / "trials.jsonl") < after:
        assert proc.poll() is None, f"search exited early: {proc.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, "search made no progress"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    reference = run_search(SYNTH, tmp_path / "ref")
    killed = dataclasses.replace(SYNTH, synthetic_delay_s=0.15)
    _kill_mid_search(killed, tmp_path / "run", after=6)
    before = [json.loads(l) for l in (tmp_path / "run" / "trials.jsonl").read_text().splitlines() if l.endswith("}")]
    assert 6 <= len(before) < SYNTH.budget
    resumed = run_search(SYNTH, tmp_path / "run", resume=True)
    assert _stable(resumed.records[:len(before)]) == _stable(before)  # no finished trial lost or redone
    assert _stable(resumed.records) == _stable(reference.records)
    assert resumed.strategy.members() == reference.strategy.members()
    assert len(resumed.records) == SYNTH.budget


def test_truncated_last_line_is_dropped_with_a_warning_and_rerun(tmp_path):
    reference = run_search(SYNTH, tmp_path / "ref")
    run_search(dataclasses.replace(SYNTH, budget=9), tmp_path / "run")
    log = tmp_path / "run" / "trials.jsonl"
    text = log.read_text()
    log.write_text(text[: len(text) - 25])  # the writer died inside the last record
    with pytest.warns(RuntimeWarning, match="truncated last line"):
        resumed = run_search(SYNTH, tmp_path / "run", resume=True)
    assert _stable(resumed.records) == _stable(reference.records)
    assert all(line.endswith("}") for line in log.read_text().splitlines())


def test_resume_with_another_config_is_refused_naming_the_fields(tmp_path):
    run_search(dataclasses.replace(SYNTH, budget=3), tmp_path)
    with pytest.raises(RunDirError, match=r"population: 5 \(saved\) vs 7 \(now\).*seed: 4 \(saved\) vs 5"):
        run_search(dataclasses.replace(SYNTH, population=7, seed=5), tmp_path, resume=True)
    with pytest.raises(RunDirError, match="--resume"):
        run_search(SYNTH, tmp_path)
    # the budget may grow on resume: only the new trials run
    more = run_search(dataclasses.replace(SYNTH, budget=5), tmp_path, resume=True)
    assert [r["trial"] for r in more.records] == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_kill_9_mid_training_then_resume_equals_uninterrupted(tmp_path):
    config = SearchConfig(dataset="digits", strategy="re", budget=8, population=4, tournament=2, epochs=2,
                          batch_size=128, max_params=50_000, max_nodes=24, max_activation_bytes=2**20,
                          max_flops=1_000_000, seed=1)
    reference = run_search(config, tmp_path / "ref")
    _kill_mid_search(config, tmp_path / "run", after=4, timeout=300)
    resumed = run_search(config, tmp_path / "run", resume=True)
    keys = ("trial", "architecture", "status", "fitness", "parents")
    assert [{k: r[k] for k in keys} for r in resumed.records] == [{k: r[k] for k in keys} for r in reference.records]
