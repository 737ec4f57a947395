"""Losses against naive references; optimiser transforms are cached per setting."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jitloop import OptimizerConfig, make_optimizer
from jitloop.losses import accuracy, cross_entropy, mse, relative_h1, relative_l2


def test_classification_losses_match_naive(key):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)).astype(np.float32)
    labels = np.array([0, 3, 1, 1, 2, 0], np.int32)
    naive_ce = -np.log(np.exp(logits[range(6), labels]) / np.exp(logits).sum(1))
    np.testing.assert_allclose(cross_entropy(jnp.asarray(logits), jnp.asarray(labels)), naive_ce, rtol=1e-5)
    np.testing.assert_array_equal(accuracy(jnp.asarray(logits), jnp.asarray(labels)), logits.argmax(1) == labels)


def test_per_position_classification_matches_naive():
    # (B, Q, K) logits with (B, Q) labels: each example's loss is the mean over its Q positions.
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(3, 5, 4)).astype(np.float32)
    labels = rng.integers(0, 4, size=(3, 5)).astype(np.int32)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    naive = np.array([[-np.log(p[b, q, labels[b, q]]) for q in range(5)] for b in range(3)]).mean(1)
    np.testing.assert_allclose(cross_entropy(jnp.asarray(logits), jnp.asarray(labels)), naive, rtol=1e-5)
    np.testing.assert_allclose(accuracy(jnp.asarray(logits), jnp.asarray(labels)),
                               (logits.argmax(-1) == labels).mean(1), rtol=1e-6)


def test_fit_trains_per_position_labels(digits):
    from flax import nnx

    from jitloop import Split, Splits, TrainConfig, fit

    class TwoHeads(nnx.Module):
        """(B, 1, 8, 8) -> (B, 2, 10): position 0 predicts the digit, position 1 its parity."""

        def __init__(self, rngs: nnx.Rngs):
            self.map = nnx.Linear(64, 20, rngs=rngs)

        def __call__(self, x):
            return self.map(x.reshape(x.shape[0], 64)).reshape(x.shape[0], 2, 10)

    pairs = lambda s: Split(s.x, jnp.stack([s.y, s.y % 2], axis=1))
    data = Splits(pairs(digits.train), pairs(digits.valid), num_classes=10)
    result = fit(TwoHeads(nnx.Rngs(0)), data, TrainConfig(epochs=5, batch_size=64))
    assert result.status == "ok" and result.final["valid_accuracy"] > 0.85


def test_regression_losses_match_naive():
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=(2, 3, 5, 5, 2)).astype(np.float32)
    rel = [np.sqrt(((p - t) ** 2).sum() / (t ** 2).sum()) for p, t in zip(pred, target)]
    np.testing.assert_allclose(relative_l2(jnp.asarray(pred), jnp.asarray(target)), rel, rtol=1e-5)
    np.testing.assert_allclose(mse(jnp.asarray(pred), jnp.asarray(target)), ((pred - target) ** 2).mean((1, 2, 3)), rtol=1e-5)


def test_relative_h1_analytic():
    # u = sin(2 pi x) on (0, 1): ||u||^2 = 1/2, ||u'||^2 = 2 pi^2; error e = eps * u has
    # relative H1 = eps exactly, and a pure offset c has relative H1 = c / sqrt(1/2 + 2 pi^2).
    n = 512
    x = (np.arange(n) + 0.5) / n
    u = np.sin(2 * np.pi * x)[None, :, None].astype(np.float32)
    assert float(relative_h1(jnp.asarray(1.1 * u), jnp.asarray(u))[0]) == pytest.approx(0.1, rel=1e-4)
    got = float(relative_h1(jnp.asarray(u + 0.01), jnp.asarray(u))[0])
    assert got == pytest.approx(0.01 / np.sqrt(0.5 + 2 * np.pi**2), rel=1e-2)
    with pytest.raises(ValueError, match=r"equal shapes"):
        relative_h1(jnp.zeros((1, 4, 1)), jnp.zeros((1, 5, 1)))


def test_optimizer_is_one_object_per_setting():
    a = make_optimizer(OptimizerConfig(), 100, 10)
    assert make_optimizer(OptimizerConfig(), 100, 10) is a
    assert make_optimizer(OptimizerConfig(learning_rate=0.1), 100, 10) is not a


def test_sgd_protocol_step_matches_formula():
    # One step of SGD with momentum and coupled weight decay: p - lr * (g + wd * p).
    config = OptimizerConfig(name="sgd", learning_rate=0.04, momentum=0.9, weight_decay=3e-4, schedule="constant")
    tx = make_optimizer(config, 10, 10)
    p, g = jnp.array([1.0, -2.0]), jnp.array([0.5, 0.25])
    updates, _ = tx.update(g, tx.init(p), p)
    np.testing.assert_allclose(optax.apply_updates(p, updates), p - 0.04 * (g + 3e-4 * p), rtol=1e-6)


def test_cosine_schedule_decays_to_zero():
    from jitloop.optim import make_schedule

    schedule = make_schedule(OptimizerConfig(schedule="cosine"), 100, 10)
    assert float(schedule(0)) == pytest.approx(0.04) and float(schedule(50)) == pytest.approx(0.02, rel=1e-5)
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-8)
    step = make_schedule(OptimizerConfig(schedule="step", decay_epochs=2, decay_rate=0.5), 100, 10)
    assert float(step(19)) == pytest.approx(0.04) and float(step(20)) == pytest.approx(0.02)
