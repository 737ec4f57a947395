"""`fit`: train any Flax NNX model on a `Splits` dataset with one jitted, scanned epoch.

This is the one training loop of the framework: einspace candidates, neural operators and the
trained memory experiments all come through here. Per run it
- builds (or reuses) the optax transform for the optimiser config,
- compiles the epoch and evaluation programs ahead of time, timing trace/lower/compile,
- runs each epoch as one `lax.scan` over shuffled batches of the on-device dataset,
- stops with status "diverged" (not an exception) on a non-finite loss or parameter,
- writes config.json, env.json, metrics.jsonl and result.json to `workdir`, checkpoints every
  `checkpoint_every` epochs, and resumes from the newest checkpoint bit-exactly.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from jitloop import rundir
from jitloop.checkpoint import Checkpoints
from jitloop.config import TrainConfig
from jitloop.data import Split, Splits
from jitloop.optim import make_optimizer, make_schedule
from jitloop.parallel import Placement, placement
from jitloop.programs import compiled, enable_compile_cache
from jitloop.progress import epoch_progress
from jitloop.steps import TrainState, epoch_indices, evaluate_chunks, train_epoch, train_steps_unrolled
from jitloop.validate import check_splits

Callback = Callable[[dict[str, Any]], bool | None]


@dataclasses.dataclass
class FitResult:
    """status: "ok" | "diverged" | "stopped" (a callback asked to stop).

    history: one record per finished epoch; final: metrics of the trained model on valid and
    test (for a diverged run, the last finished epoch's metrics); model: the trained module in
    eval mode, or None when the run diverged; timings: seconds per phase.
    """

    status: str
    history: list[dict[str, Any]]
    final: dict[str, float]
    model: nnx.Module | None
    timings: dict[str, float]
    epochs_completed: int
    reason: str = ""

    def summary(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "epochs_completed": self.epochs_completed,
                "final": self.final, "timings": self.timings}


def named_key(seed: int, name: str) -> jax.Array:
    """The run's key for one named purpose: fold_in(key(seed), crc32(name))."""
    return jax.random.fold_in(jax.random.key(seed), zlib.crc32(name.encode()))


def _pad(split: Split, chunk: int, place: Placement) -> tuple[jax.Array, jax.Array]:
    n = len(split)
    padded = math.ceil(n / chunk) * chunk
    pad = [(0, padded - n)]
    x = jnp.pad(split.x, pad + [(0, 0)] * (split.x.ndim - 1))
    y = jnp.pad(split.y, pad + [(0, 0)] * (split.y.ndim - 1))
    return place.put(x), place.put(y)


class _Evaluator:
    """Chunked, masked evaluation of one model on padded splits (padded once, reused)."""

    def __init__(self, graphdef, metrics: tuple[str, ...], batch_size: int, place: Placement, timings,
                 compile_mode: str = "default"):
        self.graphdef, self.metrics, self.place, self.timings = graphdef, metrics, place, timings
        self.batch_size, self.compile_mode = batch_size, compile_mode
        self._padded: dict[str, tuple[int, jax.Array, jax.Array]] = {}

    def __call__(self, name: str, split: Split, params, rest) -> dict[str, float]:
        if name not in self._padded:
            # Small splits get one chunk of their own (rounded to the device count).
            chunk = min(self.batch_size, math.ceil(len(split) / self.place.devices) * self.place.devices)
            self._padded[name] = (chunk, *_pad(split, chunk, self.place))
        chunk, x, y = self._padded[name]
        count = jnp.asarray(len(split), jnp.float32)
        static = (self.graphdef, self.metrics, chunk, self.place.batch)
        program = compiled(evaluate_chunks, static, (params, rest, x, y, count), self.timings, self.compile_mode)
        t0 = time.perf_counter()
        values = np.asarray(program(params, rest, x, y, count))
        self.timings["eval"] = self.timings.get("eval", 0.0) + time.perf_counter() - t0
        return {f"{name}_{m}": float(v) for m, v in zip(self.metrics, values)}


def evaluate(model: nnx.Module, split: Split, metrics: Sequence[str] = ("accuracy",), batch_size: int = 1024) -> dict[str, float]:
    """Mean metrics of `model` (in its current mode) over every example of `split` exactly once."""
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    place = placement(False, {})
    evaluator = _Evaluator(graphdef, tuple(metrics), batch_size, place, {})
    out = evaluator("split", split, params, rest)
    return {k.removeprefix("split_"): v for k, v in out.items()}


def _run_epoch(graphdef, tx, config: TrainConfig, steps: int, place: Placement, state: TrainState,
               x: jax.Array, y: jax.Array, key: jax.Array, epoch: int, timings: dict[str, float]):
    """One epoch: a single scanned program, or calls of `config.unroll_steps` unrolled steps."""
    if not config.unroll_steps:
        dynamic = (state, x, y, key, jnp.asarray(epoch, jnp.int32))
        static = (graphdef, tx, config.loss, config.batch_size, steps, place.batch)
        return compiled(train_epoch, static, dynamic, timings, config.compile_mode)(*dynamic)
    idx = epoch_indices(jax.random.fold_in(key, epoch), x.shape[0], steps, config.batch_size)
    losses, finite = [], True
    for start in range(0, steps, config.unroll_steps):
        dynamic = (state, x, y, idx[start:start + config.unroll_steps])
        program = compiled(train_steps_unrolled, (graphdef, tx, config.loss, place.batch), dynamic, timings,
                           config.compile_mode)
        state, chunk_losses, chunk_finite = program(*dynamic)
        losses.append(chunk_losses)
        finite = finite & chunk_finite
    return state, jnp.concatenate(losses), finite


def open_run_dir(workdir: Path, record: dict[str, Any]) -> None:
    """Write config.json (`record`) and env.json; refuse a directory saved with another config."""
    saved = workdir / "config.json"
    if saved.exists():
        diffs = rundir.config_diff(json.loads(saved.read_text()), json.loads(json.dumps(record, default=str)))
        if diffs:
            raise ValueError(f"{workdir} holds a run with a different config; differing fields: " + "; ".join(diffs))
    rundir.write_json(saved, record)
    rundir.write_json(workdir / "env.json", rundir.environment())


def _finite(x: float) -> bool:
    return bool(np.isfinite(x))


def fit(
    model: nnx.Module,
    splits: Splits,
    config: TrainConfig = TrainConfig(),
    *,
    workdir: str | Path | None = None,
    callbacks: Sequence[Callback] = (),
    progress: bool | None = None,
    compile_cache: str | Path | bool | None = None,
    run_info: dict[str, Any] | None = None,
) -> FitResult:
    """Train `model` in place on `splits` and return a FitResult.

    Args:
      model: an nnx.Module called as model(x) with x (B, *input_shape), returning logits
        (B, classes) for classification or predictions shaped like the targets.
      splits: the dataset; its train split is trained on, valid is evaluated every
        `config.eval_every` epochs, test once at the end.
      workdir: run directory (config.json, env.json, metrics.jsonl, result.json, checkpoints/);
        if it holds a checkpoint of the same config, training resumes from it.
      callbacks: called with each epoch's record; returning True stops the run ("stopped").
      progress: show a rich progress bar (default: when stdout is a terminal).
      compile_cache: persistent XLA cache directory; None = default location, False = off.
      run_info: extra JSON-able description of the run (model, dataset) saved in config.json.
    """
    config.validate()
    check_splits(splits, config)
    if compile_cache is not False:
        enable_compile_cache(None if compile_cache in (None, True) else compile_cache)
    timings: dict[str, float] = {}
    n_train = len(splits.train)
    steps = config.steps_per_epoch or n_train // config.batch_size
    total_steps = steps * config.epochs
    tx = make_optimizer(config.optimizer, total_steps, steps)
    schedule = make_schedule(config.optimizer, total_steps, steps)
    place = placement(config.data_parallel, {"TrainConfig.batch_size": config.batch_size})

    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    model.eval()
    eval_graphdef = nnx.graphdef(model)
    state = place.put(TrainState(params, rest, tx.init(params)))
    x_train, y_train = place.put(splits.train.x), place.put(splits.train.y)
    data_key = named_key(config.seed, "shuffle")
    evaluator = _Evaluator(eval_graphdef, config.metrics, config.eval_batch_size, place, timings, config.compile_mode)

    history: list[dict[str, Any]] = []
    start = 0
    checkpoints = None
    workdir = Path(workdir) if workdir is not None else None
    if workdir is not None:
        open_run_dir(workdir, {"train": config.to_dict(), "run": run_info or {}, "dataset": splits.name})
        if config.checkpoint_every:
            checkpoints = Checkpoints(workdir / "checkpoints")
            latest = checkpoints.latest_epoch()
            if latest is not None:
                state, meta = checkpoints.restore(latest, state)
                state = place.put(state)
                history, start = meta["history"], latest
                # Epochs after the checkpoint will be re-run: drop their records.
                rundir.write_jsonl(workdir / "metrics.jsonl", history)

    status, reason = "ok", ""
    with epoch_progress(config.epochs, start, splits.name, progress) as bar:
        for epoch in range(start, config.epochs):
            t0 = time.perf_counter()
            compile_before = sum(timings.get(p, 0.0) for p in ("trace", "lower", "compile"))
            state, losses, finite = _run_epoch(graphdef, tx, config, steps, place, state, x_train, y_train,
                                               data_key, epoch, timings)
            train_loss = float(jnp.mean(losses))
            compile_spent = sum(timings.get(p, 0.0) for p in ("trace", "lower", "compile")) - compile_before
            timings["train"] = timings.get("train", 0.0) + time.perf_counter() - t0 - compile_spent
            if not (_finite(train_loss) and bool(finite)):
                status = "diverged"
                reason = f"non-finite {'loss' if not _finite(train_loss) else 'parameters'} in epoch {epoch + 1}"
                break
            record: dict[str, Any] = {"epoch": epoch + 1, "train_loss": train_loss,
                                      "learning_rate": float(schedule((epoch + 1) * steps - 1))}
            last = epoch + 1 == config.epochs
            if splits.valid is not None and ((epoch + 1) % config.eval_every == 0 or last):
                record.update(evaluator("valid", splits.valid, state.params, state.rest))
            record["seconds"] = time.perf_counter() - t0
            history.append(record)
            if workdir is not None:
                rundir.append_jsonl(workdir / "metrics.jsonl", record)
            bar.update(record)
            if checkpoints is not None and ((epoch + 1) % config.checkpoint_every == 0 or last):
                checkpoints.save(epoch + 1, state, {"history": history})
            if any(cb(record) is True for cb in callbacks):
                status, reason = "stopped", f"a callback stopped the run after epoch {epoch + 1}"
                break
    if checkpoints is not None:
        checkpoints.close()

    if status == "diverged":
        final = {k: v for k, v in (history[-1] if history else {}).items() if k.startswith(("valid_", "train_"))}
        trained = None
    else:
        nnx.update(model, state.params, state.rest)
        final = {k: v for k, v in history[-1].items() if k.startswith("valid_")} if history else {}
        if splits.valid is not None and not final:
            final.update(evaluator("valid", splits.valid, state.params, state.rest))
        if splits.test is not None:
            final.update(evaluator("test", splits.test, state.params, state.rest))
        trained = model
    result = FitResult(status, history, final, trained, timings, len(history), reason)
    if workdir is not None:
        rundir.write_json(workdir / "result.json", result.summary())
    return result
