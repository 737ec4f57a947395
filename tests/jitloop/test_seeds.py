"""fit_seeds: K seeds in one vmapped program equal K separate `fit` runs, and survive divergence."""

from __future__ import annotations

import dataclasses
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from jitloop import TrainConfig, fit
from jitloop.programs import STATS
from jitloop.rundir import read_jsonl
from jitloop.seeds import fit_seeds


@pytest.mark.parametrize("unroll", [0, 4])
def test_each_seed_matches_its_own_fit(digits, mlp, unroll):
    config = TrainConfig(epochs=2, batch_size=128, unroll_steps=unroll)
    seeds = [3, 5, 11]
    traces = STATS["traces"].get("train_epoch_seeds", 0) + STATS["traces"].get("train_steps_unrolled_seeds", 0)
    together = fit_seeds(lambda s: mlp(s), seeds, digits, config)
    # One program for all seeds: one trace of the vmapped epoch program (unrolled: one per
    # distinct chunk length, as for a single run).
    after = STATS["traces"].get("train_epoch_seeds", 0) + STATS["traces"].get("train_steps_unrolled_seeds", 0)
    steps = len(digits.train) // config.batch_size
    lengths = {min(unroll, steps - b) for b in range(0, steps, unroll)} if unroll else {steps}
    assert after - traces == len(lengths)
    assert together.statuses == ["ok"] * 3
    for i, seed in enumerate(seeds):
        alone = fit(mlp(seed), digits, dataclasses.replace(config, seed=seed))
        # vmapped matmuls may round differently from unbatched ones: composite-module tolerance.
        np.testing.assert_allclose([h["train_loss"][i] for h in together.history],
                                   [h["train_loss"] for h in alone.history], rtol=1e-4)
        for name, value in alone.final.items():
            assert together.final[i][name] == pytest.approx(value, abs=2 / len(digits.test))
        a = nnx.state(together.models[i], nnx.Param)
        b = nnx.state(alone.model, nnx.Param)
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
            np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-3, atol=1e-5)
    # The seeds are really different runs.
    assert len(set(together.history[0]["train_loss"])) == 3
    summary = together.summary()["across_seeds"]["test_accuracy"]
    assert summary["n"] == 3
    assert summary["mean"] == pytest.approx(np.mean([f["test_accuracy"] for f in together.final]))


def test_a_diverging_seed_does_not_stop_the_others(digits):
    class Scaled(nnx.Module):
        """A linear model whose output is multiplied by a seed-dependent constant parameter."""

        def __init__(self, seed: int):
            self.linear = nnx.Linear(64, 10, rngs=nnx.Rngs(seed))
            self.scale = nnx.Variable(jnp.float32(1e30 if seed == 1 else 1.0))

        def __call__(self, x):
            return self.linear(x.reshape(x.shape[0], -1)) * self.scale[...]

    result = fit_seeds(Scaled, [0, 1, 2], digits, TrainConfig(epochs=3, batch_size=128))
    assert result.statuses == ["ok", "diverged", "ok"]
    assert "epoch 1" in result.reasons[1] and result.models[1] is None
    assert result.history[0]["train_loss"][1] is None
    assert all(result.final[i]["test_accuracy"] > 0.8 for i in (0, 2))
    assert result.summary()["across_seeds"]["test_accuracy"]["n"] == 2


def test_resume_from_checkpoint_is_exact(digits, mlp, tmp_path):
    config = TrainConfig(epochs=3, batch_size=128, checkpoint_every=1)
    full = fit_seeds(mlp, [0, 1], digits, config, workdir=tmp_path)
    # A kill after epoch 2's checkpoint: the epoch-3 checkpoint never got written.
    shutil.rmtree(tmp_path / "checkpoints" / "3")
    # Freshly built models of other seeds: the checkpoint must override their parameters.
    resumed = fit_seeds(lambda s: mlp(s + 100), [0, 1], digits, config, workdir=tmp_path)
    assert [h["train_loss"] for h in resumed.history] == [h["train_loss"] for h in full.history]
    assert resumed.final == full.final
    assert [r["epoch"] for r in read_jsonl(tmp_path / "metrics.jsonl")] == [1, 2, 3]
    with pytest.raises(ValueError, match="seeds"):
        fit_seeds(mlp, [0, 2], digits, config, workdir=tmp_path)


def test_bad_input_is_named(digits, mlp):
    with pytest.raises(ValueError, match="distinct"):
        fit_seeds(mlp, [1, 1], digits, TrainConfig(epochs=1))
    with pytest.raises(ValueError, match="differs in structure"):
        fit_seeds(lambda s: mlp(s, width=16 + s), [0, 1], digits, TrainConfig(epochs=1))

