"""Retrain a search's winner from scratch on train+valid and score it on test (paper protocol:
64 epochs by default, `SearchConfig.retrain_epochs`). Writes RUN_DIR/retrain/ (the engine's
config.json, metrics.jsonl, result.json, architecture.json and the final checkpoint)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jax.numpy as jnp

from einspace.search.evaluate import load_dataset, train_config
from einspace.search.rundir import load_trials
from einspace.search.runner import best_record
from jitloop import Split, Splits


def train_plus_valid(splits: Splits) -> Splits:
    """train and valid joined as the training split; test kept; no validation split."""
    if splits.valid is None:
        return splits
    joined = Split(jnp.concatenate([splits.train.x, splits.valid.x]), jnp.concatenate([splits.train.y, splits.valid.y]))
    return Splits(joined, None, splits.test, num_classes=splits.num_classes, name=f"{splits.name}:train+valid")


def retrain(run_dir: str | Path, epochs: int | None = None, progress: bool | None = None) -> dict[str, Any]:
    """Retrain the best fully trained architecture of `run_dir`; returns a summary dict.

    epochs: overrides config.retrain_epochs. A finished retrain in the same directory with the
    same settings is resumed from its checkpoint rather than redone.
    """
    from einspace.training import train_architecture

    run_dir = Path(run_dir)
    config, records = load_trials(run_dir)
    best = best_record(records)
    if best is None:
        raise ValueError(f"{run_dir} has no trial with a score to retrain")
    epochs = epochs or config.retrain_epochs
    splits = train_plus_valid(load_dataset(config.dataset, config.seed))
    tc = dataclasses.replace(train_config(config, epochs), checkpoint_every=epochs)
    result, info = train_architecture(best["architecture"], splits, tc, model_seed=config.seed,
                                      workdir=run_dir / "retrain", progress=progress)
    return {"trial": best["trial"], "search_valid_accuracy": best["fitness"], "epochs": epochs,
            "status": result.status, "test_accuracy": result.final.get("test_accuracy"),
            "params": info["params"], "architecture": info["architecture"], "workdir": str(run_dir / "retrain")}
