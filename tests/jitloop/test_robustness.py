"""Divergence is a status, resume is exact, identical models compile once."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import nnx

from jitloop import OptimizerConfig, TrainConfig, fit
from jitloop import programs
from jitloop.rundir import read_jsonl


def test_divergence_returns_status_with_last_good_metrics(digits, mlp):
    # Learning rate 1e3 without momentum: the first epochs are finite, then the weights blow up.
    huge = OptimizerConfig(name="sgd", learning_rate=1e3, momentum=0.0, weight_decay=0.0, schedule="constant")
    result = fit(mlp(), digits, TrainConfig(epochs=8, batch_size=64, optimizer=huge))
    assert result.status == "diverged"
    assert "non-finite" in result.reason
    assert result.model is None
    assert len(result.history) < 8
    if result.history:
        assert result.final["valid_accuracy"] == result.history[-1]["valid_accuracy"]


def test_nan_loss_on_first_epoch_is_caught(digits, mlp):
    bad = digits.train.x.at[0, 0, 0, 0].set(np.nan)
    from jitloop import Split, Splits

    data = Splits(Split(bad, digits.train.y), digits.valid, num_classes=10)
    result = fit(mlp(), data, TrainConfig(epochs=2, batch_size=len(bad)))
    assert result.status == "diverged" and result.history == [] and result.final == {}


def test_resume_equals_uninterrupted(digits, mlp, tmp_path):
    config = TrainConfig(epochs=4, batch_size=128, checkpoint_every=1, seed=11)
    straight = fit(mlp(3), digits, config, workdir=tmp_path / "straight")
    # Interrupted after epoch 2 (a callback stands in for the kill), then resumed from disk
    # with a freshly initialised model of another seed: the checkpoint must override it.
    first = fit(mlp(3), digits, config, workdir=tmp_path / "resumed", callbacks=[lambda r: r["epoch"] == 2])
    assert first.status == "stopped"
    resumed = fit(mlp(99), digits, config, workdir=tmp_path / "resumed")
    assert resumed.status == "ok" and resumed.epochs_completed == 4
    for a, b in zip(jax.tree.leaves(nnx.state(straight.model)), jax.tree.leaves(nnx.state(resumed.model))):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert [r["epoch"] for r in read_jsonl(tmp_path / "resumed" / "metrics.jsonl")] == [1, 2, 3, 4]
    assert resumed.final == straight.final


def test_resume_with_different_config_is_refused(digits, mlp, tmp_path):
    fit(mlp(), digits, TrainConfig(epochs=1, batch_size=128, checkpoint_every=1), workdir=tmp_path)
    with pytest.raises(ValueError, match=r"batch_size: 128 \(saved\) vs 64 \(now\)"):
        fit(mlp(), digits, TrainConfig(epochs=1, batch_size=64, checkpoint_every=1), workdir=tmp_path)


def test_identical_models_compile_once_and_a_different_one_once_more(digits, mlp):
    config = TrainConfig(epochs=1, batch_size=100, seed=21)
    a, b, c = mlp(0, width=24), mlp(1, width=24), mlp(0, width=40)
    fit(a, digits, config)
    lowered = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda name, secs, **kw: lowered.append(name) if name.endswith("jaxpr_to_mlir_module_duration") else None
    )
    traces = dict(programs.STATS["traces"])
    fit(b, digits, config)
    assert lowered == [], "an identical architecture must reuse the compiled programs"
    assert programs.STATS["traces"] == traces
    fit(c, digits, config)
    assert programs.STATS["traces"]["train_epoch"] == traces["train_epoch"] + 1
