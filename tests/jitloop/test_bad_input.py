"""Every bad input raises an error that names the argument, the value and what is valid."""

from __future__ import annotations

import jax.numpy as jnp
import pytest

from jitloop import OptimizerConfig, Split, Splits, TrainConfig, fit


def _data(digits, **train):
    split = Split(train.get("x", digits.train.x), train.get("y", digits.train.y))
    return Splits(split, digits.valid, num_classes=train.get("num_classes", 10))


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(y=jnp.full((1259,), 10, jnp.int32)), r"labels must lie in \[0, 10\); found values in \[10, 10\]"),
        (dict(y=jnp.full((1259,), -1, jnp.int32)), r"labels must lie in \[0, 10\)"),
        (dict(y=jnp.zeros((1259,), jnp.float32)), r"integer labels of shape \(N,\).*float32"),
        (dict(y=jnp.zeros((1259, 2), jnp.int32)),
         r"logits \(B, \[positions,\] classes\) and labels \(B, \[positions\]\); got model output \(64, 10\) and labels \(64, 2\)"),
        (dict(x=jnp.zeros((1259, 1, 8, 8), jnp.int32)), r"x has dtype int32; the engine needs a floating dtype"),
        (dict(x=jnp.zeros((0, 1, 8, 8)), y=jnp.zeros((0,), jnp.int32)), r"split 'train' is empty"),
        (dict(num_classes=None), r"num_classes=None is not valid"),
    ],
)
def test_bad_arrays(change, message, digits, mlp):
    with pytest.raises(ValueError, match=message):
        fit(mlp(), _data(digits, **change), TrainConfig(epochs=1, batch_size=64))


def test_mismatched_lengths_and_shapes(digits, mlp):
    with pytest.raises(ValueError, match=r"same number of examples.*\(10, 1, 8, 8\).*\(9,\)"):
        Split(digits.train.x[:10], digits.train.y[:9])
    bad_valid = Splits(digits.train, Split(jnp.zeros((5, 1, 4, 4)), jnp.zeros((5,), jnp.int32)), num_classes=10)
    with pytest.raises(ValueError, match=r"split 'valid' has inputs of shape \(1, 4, 4\); train has \(1, 8, 8\)"):
        fit(mlp(), bad_valid, TrainConfig(epochs=1, batch_size=64))


def test_model_output_not_matching_targets(digits, regressor):
    wrong = Splits(Split(digits.train.x, jnp.zeros((1259, 3), jnp.float32)), num_classes=None)
    with pytest.raises(ValueError, match=r"model output shaped like the targets; got \(64, 8, 8, 1\) vs \(64, 3\)"):
        fit(regressor(), wrong, TrainConfig(epochs=1, batch_size=64, loss="mse", metrics=()))


@pytest.mark.parametrize(
    "config, message",
    [
        (TrainConfig(batch_size=5000), r"batch_size=5000 is larger than split 'train' \(1259 examples\)"),
        (TrainConfig(loss="hinge"), r"TrainConfig.loss='hinge' is not valid; choose one of \("),
        (TrainConfig(metrics=("f1",)), r"TrainConfig.metrics='f1' is not valid"),
        (TrainConfig(optimizer=OptimizerConfig(name="lion")), r"OptimizerConfig.name='lion' is not valid; choose one of \('sgd', 'adam', 'adamw'\)"),
        (TrainConfig(optimizer=OptimizerConfig(schedule="linear")), r"OptimizerConfig.schedule='linear' is not valid"),
        (TrainConfig(optimizer=OptimizerConfig(learning_rate=-1.0)), r"learning_rate=-1.0 is not valid; it must be > 0"),
        (TrainConfig(epochs=0), r"TrainConfig.epochs=0 is not valid; it must be > 0"),
        (TrainConfig(compile_mode="O3"), r"TrainConfig.compile_mode='O3' is not valid; choose one of \('default', 'fast'\)"),
        (TrainConfig(optimizer=OptimizerConfig(schedule="warmup_cosine")), r"warmup_steps=0 is not valid"),
    ],
)
def test_bad_config(config, message, digits, mlp):
    with pytest.raises(ValueError, match=message):
        fit(mlp(), digits, config)


def test_unknown_config_fields_are_named():
    with pytest.raises(ValueError, match=r"TrainConfig has no field\(s\) \['epoch'\]"):
        TrainConfig.from_dict({"epoch": 3})
    with pytest.raises(ValueError, match=r"OptimizerConfig has no field\(s\) \['lr'\]"):
        TrainConfig.from_dict({"optimizer": {"lr": 0.1}})
