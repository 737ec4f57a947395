"""The engine learns, writes complete run directories, and reports its phases."""

from __future__ import annotations

import json

import numpy as np

from jitloop import TrainConfig, fit
from jitloop.programs import STATS
from jitloop.rundir import read_jsonl


def test_engine_learns_digits_and_writes_run_directory(digits, mlp, tmp_path):
    result = fit(mlp(), digits, TrainConfig(epochs=6, batch_size=64), workdir=tmp_path)
    assert result.status == "ok"
    losses = [h["train_loss"] for h in result.history]
    assert losses[-1] < 0.5 * losses[0]
    # 10 classes: chance is 0.1; a 1-hidden-layer MLP reaches > 0.85 on held-out digits.
    assert result.final["test_accuracy"] > 0.85
    assert result.final["valid_accuracy"] > 0.85
    for phase in ("trace", "lower", "compile", "train", "eval"):
        assert result.timings[phase] > 0
    records = read_jsonl(tmp_path / "metrics.jsonl")
    assert [r["epoch"] for r in records] == list(range(1, 7))
    config = json.loads((tmp_path / "config.json").read_text())
    assert TrainConfig.from_dict(config["train"]) == TrainConfig(epochs=6, batch_size=64)
    env = json.loads((tmp_path / "env.json").read_text())
    assert env["jax"] and env["devices"]
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "ok"


def test_same_seed_same_result(digits, mlp):
    config = TrainConfig(epochs=2, batch_size=128, seed=3)
    strip = lambda result: [{k: v for k, v in h.items() if k != "seconds"} for h in result.history]
    a, b = fit(mlp(1), digits, config), fit(mlp(1), digits, config)
    assert strip(a) == strip(b)
    c = fit(mlp(1), digits, TrainConfig(epochs=2, batch_size=128, seed=4))
    assert not np.isclose(a.history[-1]["train_loss"], c.history[-1]["train_loss"])


def test_callback_stops_run(digits, mlp):
    seen = []
    result = fit(mlp(), digits, TrainConfig(epochs=5, batch_size=128),
                 callbacks=[lambda record: seen.append(record["epoch"]) or record["epoch"] == 2])
    assert result.status == "stopped" and seen == [1, 2] and result.epochs_completed == 2
    assert "test_accuracy" in result.final


def test_adam_regression_losses(digits, regressor):
    from jitloop import Split, Splits
    from jitloop.config import OptimizerConfig

    # Target: a fixed linear map of the image, so a linear model can fit it exactly.
    w = np.random.default_rng(0).normal(size=(64, 64)).astype(np.float32) / 8
    to_target = lambda s: Split(s.x, (np.asarray(s.x).reshape(-1, 64) @ w).reshape(-1, 8, 8, 1))
    data = Splits(to_target(digits.train), to_target(digits.valid), num_classes=None)
    config = TrainConfig(epochs=30, batch_size=64, loss="relative_l2", metrics=("relative_l2", "relative_h1", "mse"),
                         optimizer=OptimizerConfig(name="adam", learning_rate=3e-3, weight_decay=0.0, schedule="constant"))
    result = fit(regressor(), data, config)
    assert result.status == "ok"
    assert result.final["valid_relative_l2"] < 0.1 < result.history[0]["valid_relative_l2"]


def test_fast_compile_mode_computes_the_same_run(digits, mlp):
    """compile_mode="fast" drops XLA's optimisation passes, not any computation: the same losses
    and scores up to float rounding (fusion changes the order of some sums), in its own programs."""
    config = TrainConfig(epochs=3, batch_size=128, seed=1, unroll_steps=1)
    default = fit(mlp(1), digits, config)
    traces = sum(STATS["traces"].values())
    fast = fit(mlp(1), digits, TrainConfig(epochs=3, batch_size=128, seed=1, unroll_steps=1, compile_mode="fast"))
    assert sum(STATS["traces"].values()) > traces  # not served from the default mode's programs
    for a, b in zip(default.history, fast.history):
        assert np.isclose(a["train_loss"], b["train_loss"], rtol=1e-4)
        assert abs(a["valid_accuracy"] - b["valid_accuracy"]) <= 2 / len(digits.valid)
