"""The scanned epoch equals a per-step loop; masked evaluation counts every example once."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from jitloop import METRICS, Split, evaluate, register_metric
from jitloop.steps import TrainState, epoch_indices, evaluate_chunks, train_epoch


def _reference_epoch(model, tx, x, y, key, epoch, batch_size, steps):
    """A naive loop: one jitted SGD step per batch, same shuffle as the engine."""
    idx = np.asarray(epoch_indices(jax.random.fold_in(key, epoch), x.shape[0], steps, batch_size))
    opt_state = tx.init(nnx.state(model, nnx.Param))

    @nnx.jit
    def step(model, opt_state, xb, yb):
        def loss_fn(model):
            return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(model(xb), yb))
        loss, grads = nnx.value_and_grad(loss_fn)(model)
        params = nnx.state(model, nnx.Param)
        updates, opt_state = tx.update(grads, opt_state, params)
        nnx.update(model, optax.apply_updates(params, updates))
        return loss, opt_state

    losses = []
    for batch in idx:
        loss, opt_state = step(model, opt_state, x[batch], y[batch])
        losses.append(float(loss))
    return np.array(losses)


def test_scanned_epoch_equals_per_step_loop(digits, mlp):
    tx = optax.sgd(0.05, momentum=0.9)
    x, y = digits.train.x, digits.train.y
    key, steps, batch = jax.random.key(7), 9, 100
    model = mlp(2)
    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    state = TrainState(params, rest, tx.init(params))
    new_state, losses, finite = train_epoch(graphdef, tx, "cross_entropy", batch, steps, None,
                                            state, x, y, key, jnp.asarray(1))
    reference = mlp(2)
    reference.train()
    ref_losses = _reference_epoch(reference, tx, x, y, key, 1, batch, steps)
    np.testing.assert_allclose(np.asarray(losses), ref_losses, rtol=1e-5, atol=1e-6)
    ref_params = nnx.state(reference, nnx.Param)
    for a, b in zip(jax.tree.leaves(new_state.params), jax.tree.leaves(ref_params)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)
    assert bool(finite)


def test_epoch_indices_are_shuffles_without_repeats():
    idx = np.asarray(epoch_indices(jax.random.key(0), 50, steps=4, batch_size=10))
    assert idx.shape == (4, 10) and len(set(idx.ravel())) == 40
    # More steps than one pass: consecutive permutations, each a full shuffle.
    idx = np.asarray(epoch_indices(jax.random.key(0), 7, steps=3, batch_size=5)).ravel()
    assert sorted(idx[:7]) == list(range(7)) and sorted(idx[7:14]) == list(range(7))


@pytest.mark.parametrize("n,chunk", [(37, 8), (40, 8), (5, 16), (1, 1)])
def test_masked_eval_counts_every_example_once(n, chunk, digits, mlp):
    register_metric("example_index", lambda pred, target: target[:, 0, 0, 0].astype(jnp.float32))
    register_metric("one", lambda pred, target: jnp.ones(pred.shape[0]))
    # Targets carry each example's index: the masked mean must be exactly mean(range(n)).
    x = digits.train.x[:n]
    y = jnp.broadcast_to(jnp.arange(n, dtype=jnp.float32)[:, None, None, None], (n, 8, 8, 1))

    class Field(nnx.Module):
        def __call__(self, x):
            return jnp.zeros((x.shape[0], 8, 8, 1))

    out = evaluate(Field(), Split(x, y), metrics=("example_index", "one", "mse"), batch_size=chunk)
    assert out["one"] == pytest.approx(1.0, abs=0)
    assert out["example_index"] == pytest.approx((n - 1) / 2, rel=1e-6)
    assert out["mse"] == pytest.approx(float(np.mean(np.arange(n, dtype=np.float64) ** 2)), rel=1e-5)
    for name in ("example_index", "one"):
        METRICS.pop(name)


def test_eval_accuracy_matches_full_batch(digits, mlp):
    model = mlp(5)
    model.eval()
    logits = model(digits.test.x)
    expected = float(np.mean(np.argmax(np.asarray(logits), axis=-1) == np.asarray(digits.test.y)))
    got = evaluate(model, digits.test, metrics=("accuracy",), batch_size=50)["accuracy"]
    assert got == pytest.approx(expected, abs=1e-6)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    padded = evaluate_chunks(graphdef, ("accuracy",), len(digits.test), None, params, rest,
                             digits.test.x, digits.test.y, jnp.asarray(len(digits.test), jnp.float32))
    assert float(padded[0]) == pytest.approx(expected, abs=1e-6)


def test_unrolled_epochs_equal_scanned_epochs(digits, mlp):
    from jitloop import TrainConfig, fit

    # 1259 // 100 = 12 steps: chunks of 5 leave a remainder chunk of 2 (its own program).
    scanned = fit(mlp(4), digits, TrainConfig(epochs=2, batch_size=100))
    unrolled = fit(mlp(4), digits, TrainConfig(epochs=2, batch_size=100, unroll_steps=5))
    for a, b in zip(jax.tree.leaves(nnx.state(scanned.model)), jax.tree.leaves(nnx.state(unrolled.model))):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    assert [h["train_loss"] for h in unrolled.history] == pytest.approx([h["train_loss"] for h in scanned.history], rel=1e-5)
