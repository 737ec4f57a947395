"""Retrain a search's winner from scratch on train+valid and score it on test (paper protocol:
64 epochs by default, `SearchConfig.retrain_epochs`).

One seed writes RUN_DIR/retrain/ (the engine's config.json, metrics.jsonl, result.json,
architecture.json and the final checkpoint). K > 1 seeds train as one vmapped program
(`jitloop.fit_seeds`) in RUN_DIR/retrain-<K>seeds/, reporting each seed's test accuracy and
their mean and standard deviation.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jax.numpy as jnp
from flax import nnx

from einspace.search.evaluate import load_dataset, train_config
from einspace.search.rundir import load_trials
from einspace.search.runner import best_record
from jitloop import Split, Splits, fit_seeds


def train_plus_valid(splits: Splits) -> Splits:
    """train and valid joined as the training split; test kept; no validation split."""
    if splits.valid is None:
        return splits
    joined = Split(jnp.concatenate([splits.train.x, splits.valid.x]), jnp.concatenate([splits.train.y, splits.valid.y]))
    return Splits(joined, None, splits.test, num_classes=splits.num_classes, name=f"{splits.name}:train+valid")


def retrain_dir(run_dir: str | Path, seeds: int = 1) -> Path:
    """Where a retrain with `seeds` seeds writes its run directory."""
    return Path(run_dir) / ("retrain" if seeds == 1 else f"retrain-{seeds}seeds")


def retrain(run_dir: str | Path, epochs: int | None = None, progress: bool | None = None,
            seeds: int = 1) -> dict[str, Any]:
    """Retrain the best fully trained architecture of `run_dir`; returns a summary dict.

    epochs: overrides config.retrain_epochs. seeds: K independent runs (model and shuffle seeds
    config.seed, config.seed + 1, ...) trained together in one vmapped program. A retrain in
    the same directory with the same settings resumes from its checkpoint rather than redoing it.
    """
    from einspace.compiler.build import as_tree, build_model, predicted_params
    from einspace.training import train_architecture

    if seeds < 1:
        raise ValueError(f"retrain: seeds={seeds} is not valid; it must be >= 1")
    run_dir = Path(run_dir)
    config, records = load_trials(run_dir)
    best = best_record(records)
    if best is None:
        raise ValueError(f"{run_dir} has no trial with a score to retrain")
    epochs = epochs or config.retrain_epochs
    splits = train_plus_valid(load_dataset(config.dataset, config.seed))
    # A long run: optimised code pays for its compile (the candidates' compile mode does not apply).
    tc = dataclasses.replace(train_config(config, epochs), checkpoint_every=epochs, compile_mode="default")
    workdir = retrain_dir(run_dir, seeds)
    summary = {"trial": best["trial"], "search_valid_accuracy": best["fitness"], "epochs": epochs,
               "workdir": str(workdir)}
    if seeds == 1:
        result, info = train_architecture(best["architecture"], splits, tc, model_seed=config.seed,
                                          workdir=workdir, progress=progress, col_reduce=config.col_reduce)
        return {**summary, "status": result.status, "test_accuracy": result.final.get("test_accuracy"),
                "params": info["params"], "architecture": info["architecture"]}

    tree = as_tree(best["architecture"])
    build = lambda seed: build_model(tree, splits.input_shape, splits.num_classes, rngs=nnx.Rngs(seed),
                                     col_reduce=config.col_reduce)
    result = fit_seeds(build, [config.seed + i for i in range(seeds)], splits, tc, workdir=workdir,
                       progress=progress, run_info={"architecture": best["architecture"]})
    across = result.summary()["across_seeds"].get("test_accuracy", {})
    return {**summary, "status": "ok" if "ok" in result.statuses else "diverged", "seeds": result.seeds,
            "statuses": result.statuses, "test_accuracy": across.get("mean"), "test_accuracy_std": across.get("std"),
            "test_accuracy_per_seed": [f.get("test_accuracy") for f in result.final],
            "params": predicted_params(tree, splits.input_shape, splits.num_classes, config.col_reduce),
            "architecture": best["architecture"]}
