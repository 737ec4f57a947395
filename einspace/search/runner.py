"""The search loop: ask the strategy, evaluate on an executor, log, tell; resumable at any point.

Per trial: ask -> append the task to asked.jsonl -> (duplicate by canonical hash? reuse the
recorded outcome, no training) -> submit -> on completion append the record to trials.jsonl
and tell the strategy. `capacity` tasks are kept in flight; a new one is asked whenever any
finishes (asynchronous steady-state evolution; with the serial executor it is the paper's
synchronous loop and fully reproducible).

Resume rebuilds the strategy by telling it every finished record in log order, re-submits the
asked-but-unfinished tasks exactly as they were asked, then continues asking.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from einspace.search.config import SearchConfig
from einspace.search.evaluate import Evaluator, Task
from einspace.search.executors import make_executor
from einspace.search.progress import SearchProgress
from einspace.search.rundir import RunDir
from einspace.search.strategies import Proposal, make_strategy
from einspace.tree import canonical_hash, to_text
from jitloop.rundir import write_json

SCORED = ("ok", "halted", "timeout", "diverged")
MIN_RUNG_SAMPLES = 4


@dataclasses.dataclass
class SearchResult:
    """records: every finished trial in completion order; best: the best fully trained record."""

    workdir: Path
    records: list[dict[str, Any]]
    best: dict[str, Any] | None
    strategy: Any
    summary: dict[str, Any]


def best_record(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The highest-fitness record that trained fully (status ok); earliest wins ties."""
    full = [r for r in records if r["status"] == "ok" and r.get("fitness") is not None]
    pool = full or [r for r in records if r.get("fitness") is not None]
    return max(pool, key=lambda r: (r["fitness"], -r["trial"])) if pool else None


def halving_thresholds(config: SearchConfig, records: list[dict[str, Any]]) -> tuple[tuple[int, float], ...]:
    """Successive halving's bar at each rung: the (1 - keep) quantile of earlier candidates'
    validation accuracies at that epoch (only once MIN_RUNG_SAMPLES candidates reached it)."""
    bars = []
    for rung in config.halving_rungs:
        scores = [r["curve"][rung - 1] for r in records if r["status"] in SCORED and "duplicate_of" not in r
                  and len(r.get("curve", ())) >= rung and r["curve"][rung - 1] is not None]
        if len(scores) >= MIN_RUNG_SAMPLES:
            bars.append((rung, float(np.quantile(scores, 1.0 - config.halving_keep))))
    return tuple(bars)


def _task(config: SearchConfig, proposal: Proposal, records) -> Task:
    return Task(proposal.trial, to_text(proposal.arch), canonical_hash(proposal.arch), proposal.parents,
                proposal.origin, config.seed, halving_thresholds(config, records))


def _duplicate(task: Task, original: dict[str, Any]) -> dict[str, Any]:
    record = {**original, "trial": task.trial, "parents": list(task.parents), "origin": task.origin,
              "duplicate_of": original["trial"], "timings": {}, "wall_s": 0.0}
    record["architecture"] = task.architecture
    return record


def _loop(config: SearchConfig, run: RunDir, executor, strategy, progress: str | None):
    """Rebuild the state from the run directory, then ask/submit/tell until the budget is spent."""
    records = run.trials()
    for r in records:
        strategy.tell(r)
    finished = {r["trial"] for r in records}
    asked = run.asked()
    pending = [Task.from_dict(a) for a in asked if a["trial"] not in finished]
    strategy.asked = max((a["trial"] + 1 for a in asked), default=0)
    seen = {r["hash"]: r for r in records if "duplicate_of" not in r and r["status"] != "invalid"}

    futures: dict[cf.Future, Task] = {}
    view = SearchProgress(config.budget, progress)
    for r in records:
        view.count(r)

    def finish(record: dict[str, Any]) -> None:
        record["finished_at"] = round(time.time(), 3)
        run.record_trial(record)
        strategy.tell(record)
        records.append(record)
        if "duplicate_of" not in record and record["status"] != "invalid":
            seen.setdefault(record["hash"], record)
        view.add(record, len(futures))

    with view:
        while True:
            while len(futures) < executor.capacity and (pending or strategy.asked < config.budget):
                if pending:
                    task = pending.pop(0)
                else:
                    task = _task(config, strategy.ask(), records)
                    run.record_asked(task.to_dict())
                if task.hash in seen:
                    finish(_duplicate(task, seen[task.hash]))
                    continue
                futures[executor.submit(task)] = task
                view.set_running(len(futures))
            if not futures:
                break
            done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: futures[f].trial):
                futures.pop(future)
                finish(future.result())
    return records, view


def run_search(config: SearchConfig, workdir: str | Path, *, resume: bool = False, progress: str | None = "off",
               evaluator: Evaluator | None = None, address: str | None = None, strategy=None,
               executor=None) -> SearchResult:
    """Run (or resume) the search described by `config` in `workdir`.

    progress: "live" | "lines" | "off" | None (live on a terminal). evaluator: evaluate in this
    process with this Evaluator (serial and thread executors; tests inject failures this way).
    address: a Ray cluster to join (executor "ray"). strategy: any ask/tell object in its
    initial state, instead of the one `config.strategy` names (e.g. FixedCandidates).
    executor: an executor already started for `config` (e.g. warmed up with `ready()`, so a
    benchmark keeps start-up apart from the search); it is closed at the end all the same.
    """
    config.validate()
    if config.executor in ("process", "ray"):
        # Before JAX starts here (env.json lists devices): leave the accelerators to the workers.
        os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    run = RunDir(workdir, config, resume)
    if executor is None:
        if evaluator is None and config.executor in ("serial", "thread"):
            evaluator = Evaluator(config)
        # The executor reports the input shape: with process/Ray workers only they load the
        # dataset, so this process never touches the accelerator.
        executor = make_executor(config, evaluator, address)
    try:
        strategy = strategy or make_strategy(config, executor.input_shape())
        records, view = _loop(config, run, executor, strategy, progress)
    finally:
        executor.close()
    best = best_record(records)
    if best is not None:
        write_json(run.path / "best.json", best)
        (run.path / "best.txt").write_text(best["architecture"] + "\n")
    return SearchResult(run.path, records, best, strategy, view.summary())
