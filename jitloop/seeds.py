"""`fit_seeds`: K independently seeded copies of one architecture trained as one vmapped program.

Seed s trains exactly as `fit(build(s), splits, replace(config, seed=s))` would (its own
initialisation and its own shuffles), but the K models' training states are stacked along a
leading axis and every epoch is a single `jax.vmap` of the engine's epoch program, so the K
runs share one compile and one pass over the on-device dataset. A seed whose loss or parameters
become non-finite is marked "diverged" with its last finished epoch's metrics; the others go on.
Evaluation reuses the engine's chunked evaluator on each seed's slice of the state.
"""

from __future__ import annotations

import dataclasses
import functools
import time
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
from jitloop.data import Splits
from jitloop.fit import _Evaluator, named_key, open_run_dir
from jitloop.optim import make_optimizer, make_schedule
from jitloop.parallel import placement
from jitloop.programs import compiled, enable_compile_cache
from jitloop.progress import epoch_progress
from jitloop.steps import TrainState, epoch_indices, train_epoch, train_steps_unrolled
from jitloop.validate import check_splits


@functools.partial(jax.jit, static_argnums=(0, 1, 2, 3, 4), donate_argnums=(5,))
def train_epoch_seeds(graphdef, tx, loss: str, batch_size: int, steps: int, states: TrainState,
                      x: jax.Array, y: jax.Array, keys: jax.Array, epoch: jax.Array):
    """`train_epoch` for K stacked states (leading axis K) and K data keys (K,), as one program.

    Returns (states, losses (K, steps), finite (K,)).
    """
    one = functools.partial(train_epoch, graphdef, tx, loss, batch_size, steps, None)
    return jax.vmap(one, in_axes=(0, None, None, 0, None))(states, x, y, keys, epoch)


@functools.partial(jax.jit, static_argnums=(0, 1, 2), donate_argnums=(3,))
def train_steps_unrolled_seeds(graphdef, tx, loss: str, states: TrainState, x: jax.Array, y: jax.Array,
                               idx: jax.Array):
    """`train_steps_unrolled` for K stacked states with per-seed batches idx (K, k, B)."""
    one = functools.partial(train_steps_unrolled, graphdef, tx, loss, None)
    return jax.vmap(one, in_axes=(0, None, None, 0))(states, x, y, idx)


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _seed_indices(keys: jax.Array, n: int, steps: int, batch_size: int, epoch: jax.Array) -> jax.Array:
    """(K, steps, batch_size): each seed's epoch shuffle, as `fit` draws it for that seed."""
    return jax.vmap(lambda k: epoch_indices(jax.random.fold_in(k, epoch), n, steps, batch_size))(keys)


@dataclasses.dataclass
class SeedsResult:
    """One entry per seed in `seeds` order.

    statuses: "ok" | "diverged"; final: valid/test metrics of each trained model (a diverged
    seed keeps its last finished epoch's metrics); models: the trained modules in eval mode
    (None for a diverged seed); history: one record per epoch with per-seed lists.
    """

    seeds: list[int]
    statuses: list[str]
    reasons: list[str]
    history: list[dict[str, Any]]
    final: list[dict[str, float]]
    models: list[nnx.Module | None]
    timings: dict[str, float]

    def summary(self) -> dict[str, Any]:
        """Per-seed finals plus mean and standard deviation of each metric over the ok seeds."""
        ok = [f for f, s in zip(self.final, self.statuses) if s == "ok"]
        stats = {}
        for name in sorted({k for f in ok for k in f}):
            values = np.array([f[name] for f in ok if name in f])
            stats[name] = {"mean": float(values.mean()), "std": float(values.std()), "n": len(values)}
        return {"seeds": self.seeds, "statuses": self.statuses, "reasons": self.reasons, "final": self.final,
                "across_seeds": stats, "timings": self.timings}


def _stack(trees: Sequence[Any]) -> Any:
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), *trees)


def _slice(tree: Any, i: int) -> Any:
    return jax.tree.map(lambda leaf: leaf[i], tree)


def _per_seed(values: np.ndarray, alive: list[bool]) -> list[float | None]:
    return [float(v) if a else None for v, a in zip(values, alive)]


def fit_seeds(
    build: Callable[[int], nnx.Module],
    seeds: Sequence[int],
    splits: Splits,
    config: TrainConfig = TrainConfig(),
    *,
    workdir: str | Path | None = None,
    progress: bool | None = None,
    compile_cache: str | Path | bool | None = None,
    run_info: dict[str, Any] | None = None,
) -> SeedsResult:
    """Train build(s) for every s in `seeds` as one vmapped program; see the module docstring.

    Args:
      build: seed -> a freshly initialised nnx.Module; every seed must give the same structure.
      seeds: K distinct integers; seed s is both the model seed and the data-shuffle seed.
      config: as for `fit`; `config.seed` is ignored (each run uses its own seed) and the K runs
        are not sharded over devices (data_parallel is ignored).
      workdir: config.json, env.json, metrics.jsonl (per-seed lists), result.json, and stacked
        checkpoints every `checkpoint_every` epochs, from which a killed run resumes.
    """
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"fit_seeds: seeds={seeds} must be a non-empty list of distinct integers")
    config.validate()
    check_splits(splits, config)
    if compile_cache is not False:
        enable_compile_cache(None if compile_cache in (None, True) else compile_cache)
    timings: dict[str, float] = {}
    steps = config.steps_per_epoch or len(splits.train) // config.batch_size
    tx = make_optimizer(config.optimizer, steps * config.epochs, steps)
    schedule = make_schedule(config.optimizer, steps * config.epochs, steps)

    models, parts = [], []
    for seed in seeds:
        model = build(seed)
        model.train()
        parts.append(nnx.split(model, nnx.Param, ...))
        model.eval()
        models.append(model)
    graphdef = parts[0][0]
    for seed, part in zip(seeds, parts):
        if part[0] != graphdef:
            raise ValueError(f"fit_seeds needs one architecture; build({seed}) differs in structure from build({seeds[0]})")
    params = _stack([p for _, p, _ in parts])
    state = TrainState(params, _stack([r for _, _, r in parts]), jax.vmap(tx.init)(params))
    keys = jnp.stack([named_key(seed, "shuffle") for seed in seeds])
    x, y = jax.device_put(splits.train.x), jax.device_put(splits.train.y)
    evaluator = _Evaluator(nnx.graphdef(models[0]), config.metrics, config.eval_batch_size, placement(False, {}), timings,
                           config.compile_mode)

    history: list[dict[str, Any]] = []
    diverged: dict[int, str] = {}  # seed index -> reason
    last_ok: dict[int, dict[str, float]] = {}
    start, checkpoints = 0, None
    workdir = Path(workdir) if workdir is not None else None
    if workdir is not None:
        open_run_dir(workdir, {"train": config.to_dict(), "seeds": seeds, "run": run_info or {}, "dataset": splits.name})
        if config.checkpoint_every:
            checkpoints = Checkpoints(workdir / "checkpoints")
            latest = checkpoints.latest_epoch()
            if latest is not None:
                state, meta = checkpoints.restore(latest, state)
                history, start = meta["history"], latest
                diverged = {int(i): r for i, r in meta["diverged"].items()}
                last_ok = {int(i): f for i, f in meta["last_ok"].items()}
                rundir.write_jsonl(workdir / "metrics.jsonl", history)

    with epoch_progress(config.epochs, start, f"{splits.name} x{len(seeds)} seeds", progress) as bar:
        for epoch in range(start, config.epochs):
            t0 = time.perf_counter()
            compile_before = sum(timings.get(p, 0.0) for p in ("trace", "lower", "compile"))
            state, losses, finite = _run_epoch_seeds(graphdef, tx, config, steps, state, x, y, keys, epoch, timings)
            mean_loss = np.asarray(jnp.mean(losses, axis=1))
            finite = np.asarray(finite) & np.isfinite(mean_loss)
            compile_spent = sum(timings.get(p, 0.0) for p in ("trace", "lower", "compile")) - compile_before
            timings["train"] = timings.get("train", 0.0) + time.perf_counter() - t0 - compile_spent
            for i in np.flatnonzero(~finite):
                diverged.setdefault(int(i), f"non-finite loss or parameters in epoch {epoch + 1}")
            alive = [i not in diverged for i in range(len(seeds))]
            record: dict[str, Any] = {"epoch": epoch + 1, "train_loss": _per_seed(mean_loss, alive),
                                      "learning_rate": float(schedule((epoch + 1) * steps - 1))}
            last = epoch + 1 == config.epochs
            if splits.valid is not None and ((epoch + 1) % config.eval_every == 0 or last):
                per_seed = [evaluator("valid", splits.valid, *_slice((state.params, state.rest), i)) if a else {}
                            for i, a in enumerate(alive)]
                for name in (f"valid_{m}" for m in config.metrics):
                    record[name] = [m.get(name) for m in per_seed]
            for i, a in enumerate(alive):
                if a:
                    last_ok[i] = {k: v[i] for k, v in record.items() if k.startswith(("train_", "valid_"))}
            record["seconds"] = time.perf_counter() - t0
            history.append(record)
            if workdir is not None:
                rundir.append_jsonl(workdir / "metrics.jsonl", record)
            bar.update({"epoch": epoch + 1, **{f"{k} (mean)": float(np.mean([v for v in vs if v is not None]))
                                               for k, vs in record.items() if isinstance(vs, list) and any(alive)}})
            if checkpoints is not None and ((epoch + 1) % config.checkpoint_every == 0 or last):
                checkpoints.save(epoch + 1, state, {"history": history, "diverged": diverged, "last_ok": last_ok})
            if len(diverged) == len(seeds):
                break
    if checkpoints is not None:
        checkpoints.close()

    finals, trained = [], []
    for i, model in enumerate(models):
        if i in diverged:
            finals.append(dict(last_ok.get(i, {})))
            trained.append(None)
            continue
        params_i, rest_i = _slice((state.params, state.rest), i)
        nnx.update(model, params_i, rest_i)
        final = {k: v for k, v in last_ok.get(i, {}).items() if k.startswith("valid_")}
        if splits.test is not None:
            final.update(evaluator("test", splits.test, params_i, rest_i))
        finals.append(final)
        trained.append(model)
    statuses = ["diverged" if i in diverged else "ok" for i in range(len(seeds))]
    reasons = [diverged.get(i, "") for i in range(len(seeds))]
    result = SeedsResult(seeds, statuses, reasons, history, finals, trained, timings)
    if workdir is not None:
        rundir.write_json(workdir / "result.json", result.summary())
    return result


def _run_epoch_seeds(graphdef, tx, config: TrainConfig, steps: int, state: TrainState, x, y, keys,
                     epoch: int, timings: dict[str, float]):
    """One epoch of all seeds: one scanned program, or calls of `config.unroll_steps` unrolled steps."""
    epoch_arr = jnp.asarray(epoch, jnp.int32)
    if not config.unroll_steps:
        dynamic = (state, x, y, keys, epoch_arr)
        static = (graphdef, tx, config.loss, config.batch_size, steps)
        return compiled(train_epoch_seeds, static, dynamic, timings, config.compile_mode)(*dynamic)
    idx = _seed_indices(keys, x.shape[0], steps, config.batch_size, epoch_arr)
    losses, finite = [], True
    for begin in range(0, steps, config.unroll_steps):
        dynamic = (state, x, y, idx[:, begin:begin + config.unroll_steps])
        program = compiled(train_steps_unrolled_seeds, (graphdef, tx, config.loss), dynamic, timings, config.compile_mode)
        state, chunk_losses, chunk_finite = program(*dynamic)
        losses.append(chunk_losses)
        finite = finite & chunk_finite
    return state, jnp.concatenate(losses, axis=1), finite
