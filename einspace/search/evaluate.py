"""Evaluating one candidate: train it through the shared engine and turn every outcome into a
trials.jsonl record. A failure is a record, never an exception that stops the search.

Outcomes (record["status"]):
- ok: trained all epochs; fitness = validation accuracy after the last epoch.
- diverged: non-finite loss; fitness = the last finished epoch's validation accuracy (0 if none).
- timeout: ran past `timeout_s` (checked after each epoch); fitness as for diverged. Process and
  Ray workers are also killed at 2 x timeout_s (fitness 0; executors.killed_record).
- halted: stopped by successive halving at a rung; fitness = its score at that rung.
- invalid: the architecture text does not parse or does not fit the input (no fitness).
- compile_error: tracing/lowering/compiling raised (no fitness).
- out_of_memory: XLA or Python ran out of memory (no fitness).
Only these exception types are caught; anything else is a bug and propagates.

record["compile_mode"]: the engine compile mode its programs were compiled in (see train_config).
record["timings"]: init (model construction), trace, lower,
compile (the train and eval programs), train, eval seconds; record["started_at"] and the
runner's "finished_at" are wall-clock times, so a benchmark can tell which phases overlapped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import jax

from einspace.search.config import SearchConfig
from einspace.tree import ArchitectureError, ParseError, infer, parse
from jitloop import OptimizerConfig, Splits, TrainConfig

# A tiny architecture valid for any input: warm_up trains it to pay one-time costs up front.
WARM_UP_ARCH = "sequential(linear(16), leakyrelu)"
STATUSES = ("ok", "diverged", "timeout", "halted", "invalid", "compile_error", "out_of_memory", "duplicate")
FAILURES = ("invalid", "compile_error", "out_of_memory")
SYNTHETIC_INPUT = (1, 8, 8)


@dataclasses.dataclass(frozen=True)
class Task:
    """One candidate to evaluate (picklable, JSON-able).

    thresholds: successive halving's bar per rung epoch (as strings of ints, for JSON): a
    candidate whose validation accuracy at that epoch is below the bar is halted.
    """

    trial: int
    architecture: str
    hash: str
    parents: tuple[int, ...] = ()
    origin: str = "sample"
    model_seed: int = 0
    thresholds: tuple[tuple[int, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["parents"], d["thresholds"] = list(self.parents), [list(t) for t in self.thresholds]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Task":
        return cls(d["trial"], d["architecture"], d["hash"], tuple(d.get("parents", ())), d.get("origin", "sample"),
                   d.get("model_seed", 0), tuple((int(e), float(v)) for e, v in d.get("thresholds", ())))


def load_dataset(name_or_dir: str, seed: int = 0) -> Splits:
    """An embedded dataset by name (digits, mnist5k) or an Unseen NAS dataset directory."""
    from einspace.data import EMBEDDED, load_embedded

    if name_or_dir in EMBEDDED:
        return load_embedded(name_or_dir, seed=seed)
    path = Path(name_or_dir)
    if not path.is_dir():
        raise ValueError(f"SearchConfig.dataset={name_or_dir!r} is neither an embedded dataset {EMBEDDED} "
                         "nor a directory holding train_x.npy ... test_y.npy")
    from einspace.data.unseen import load_unseen

    return load_unseen(path.name, str(path))


def train_config(config: SearchConfig, epochs: int | None = None, train_flops: float | None = None) -> TrainConfig:
    """The candidate protocol of `config` as an engine TrainConfig (validation every epoch).

    train_flops: the candidate's training FLOPs, which choose its compile mode when
    config.compile_mode is None (einspace.training.candidate_compile_mode; unknown: "default").
    """
    from einspace.training import candidate_compile_mode, default_unroll_steps

    unroll = default_unroll_steps() if config.unroll_steps is None else config.unroll_steps
    mode = config.compile_mode or ("default" if train_flops is None else candidate_compile_mode(train_flops))
    return TrainConfig(
        epochs=epochs or config.epochs, batch_size=config.batch_size, seed=config.seed,
        unroll_steps=unroll, eval_every=1, compile_mode=mode,
        optimizer=OptimizerConfig(learning_rate=config.learning_rate, momentum=config.momentum,
                                  weight_decay=config.weight_decay),
    )


_EFFORT = "jax_exec_time_optimization_effort"
_effort_lock = threading.Lock()
_effort_state = {"users": 0, "saved": 0.0}  # evaluations inside compile_effort; the value before


@contextlib.contextmanager
def compile_effort(value: float):
    """XLA's exec_time_optimization_effort = `value` for the compiles inside (the model's eager
    initialisers and its train and eval programs); the previous value comes back when the last
    evaluation in this process leaves (the thread executor's threads share the setting)."""
    with _effort_lock:
        if _effort_state["users"] == 0:
            _effort_state["saved"] = getattr(jax.config, _EFFORT)
        _effort_state["users"] += 1
        jax.config.update(_EFFORT, value)
    try:
        yield
    finally:
        with _effort_lock:
            _effort_state["users"] -= 1
            if _effort_state["users"] == 0:
                jax.config.update(_EFFORT, _effort_state["saved"])


class _Watch:
    """fit callback: halts at a rung below its bar, stops past the wall-clock limit."""

    def __init__(self, task: Task, timeout_s: float):
        self.bars, self.timeout_s, self.start = dict(task.thresholds), timeout_s, time.perf_counter()
        self.stop_reason: tuple[str, str] | None = None

    def __call__(self, record: dict[str, Any]) -> bool:
        epoch, score = record["epoch"], record.get("valid_accuracy", 0.0)
        if epoch in self.bars and score < self.bars[epoch]:
            self.stop_reason = ("halted", f"valid accuracy {score:.4f} < {self.bars[epoch]:.4f} at rung epoch {epoch}")
        elif self.timeout_s and time.perf_counter() - self.start > self.timeout_s:
            self.stop_reason = ("timeout", f"ran past timeout_s={self.timeout_s} after epoch {epoch}")
        return self.stop_reason is not None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def task_record(task: Task, worker: str, started_at: float) -> dict[str, Any]:
    """A trial record's fields known before it runs (evaluation fills in the rest)."""
    return {"trial": task.trial, "parents": list(task.parents), "origin": task.origin,
            "architecture": task.architecture, "hash": task.hash, "seed": task.model_seed, "worker": worker,
            "started_at": round(started_at, 3), "fitness": None, "reason": "", "curve": [], "timings": {}}


class Evaluator:
    """Evaluates Tasks on one resident dataset. `train_fn` has the signature of
    einspace.training.train_architecture (replaceable, e.g. to inject failures in tests)."""

    def __init__(self, config: SearchConfig, splits: Splits | None = None, train_fn=None):
        from einspace.training import train_architecture

        self.config = config
        self.splits = splits if splits is not None or config.objective == "synthetic" else load_dataset(config.dataset, config.seed)
        self.input_shape = tuple(self.splits.input_shape) if self.splits is not None else SYNTHETIC_INPUT
        self.train_fn = train_fn or train_architecture
        self.warm_up_s: float | None = None

    def warm_up(self) -> float:
        """Train WARM_UP_ARCH for one epoch (once) and return its seconds: the start-up costs
        every later candidate would otherwise pay its first time (backend start, the dataset's
        shuffle and padding programs), so they are not charged to the first trial."""
        if self.warm_up_s is None:
            t0 = time.perf_counter()
            if self.splits is not None:
                with compile_effort(self.config.compile_effort):
                    tree = parse(WARM_UP_ARCH)
                    config = self._train_config(infer(tree, self.input_shape).flops, epochs=1)
                    self.train_fn(tree, self.splits, config, model_seed=0, progress=False, callbacks=(),
                                  col_reduce=self.config.col_reduce)
            self.warm_up_s = time.perf_counter() - t0
        return self.warm_up_s

    def __call__(self, task: Task) -> dict[str, Any]:
        t0 = time.perf_counter()
        record = task_record(task, worker_name(), time.time())
        try:
            tree = parse(task.architecture)
            analysis = infer(tree, self.input_shape)
        except (ParseError, ArchitectureError) as err:
            return self._done(record, "invalid", f"{type(err).__name__}: {err}", t0)
        record.update(flops=analysis.flops, backbone_params=analysis.params)
        if self.config.objective == "synthetic":
            from einspace.search.synthetic import planted_fitness

            time.sleep(self.config.synthetic_delay_s)
            record["fitness"] = planted_fitness(tree)
            return self._done(record, "ok", "", t0)
        return self._train(tree, task, record, t0)

    def _train_config(self, flops: float, epochs: int | None = None) -> TrainConfig:
        """The protocol for a candidate of `flops` forward FLOPs per example."""
        epochs = epochs or self.config.epochs
        return train_config(self.config, epochs, 3.0 * flops * len(self.splits.train) * epochs)

    def _train(self, tree, task: Task, record: dict[str, Any], t0: float) -> dict[str, Any]:
        watch = _Watch(task, self.config.timeout_s)
        config = self._train_config(record["flops"])
        record["compile_mode"] = config.compile_mode
        try:
            with compile_effort(self.config.compile_effort):
                result, info = self.train_fn(tree, self.splits, config, model_seed=task.model_seed,
                                             progress=False, callbacks=[watch], col_reduce=self.config.col_reduce)
        except MemoryError as err:
            return self._done(record, "out_of_memory", f"MemoryError: {err}", t0)
        except jax.errors.JaxRuntimeError as err:
            kind = "out_of_memory" if "RESOURCE_EXHAUSTED" in str(err) else "compile_error"
            return self._done(record, kind, f"{type(err).__name__}: {str(err)[:500]}", t0)
        except (TypeError, ValueError, NotImplementedError) as err:
            return self._done(record, "compile_error", f"{type(err).__name__}: {str(err)[:500]}", t0)
        record["params"] = info["params"]
        record["curve"] = [h.get("valid_accuracy") for h in result.history]
        timings = {"init": info.get("init_s", 0.0), **result.timings}
        record["timings"] = {k: round(v, 4) for k, v in timings.items()}
        record["scores"] = {k: v for k, v in result.final.items() if k.startswith(("valid_", "test_"))}
        record["epochs"] = result.epochs_completed
        last = next((s for s in reversed(record["curve"]) if s is not None), 0.0)
        if result.status == "ok":
            record["fitness"] = result.final.get("valid_accuracy", last)
            return self._done(record, "ok", "", t0)
        record["fitness"] = last
        if result.status == "stopped" and watch.stop_reason is not None:
            return self._done(record, *watch.stop_reason, t0)
        return self._done(record, result.status, result.reason, t0)

    @staticmethod
    def _done(record: dict[str, Any], status: str, reason: str, t0: float) -> dict[str, Any]:
        record.update(status=status, reason=reason, wall_s=round(time.perf_counter() - t0, 4))
        return record
