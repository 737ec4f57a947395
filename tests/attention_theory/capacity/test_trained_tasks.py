"""E5 (Schlag et al.) and E6 (MQAR): datasets are what they claim; trained through jitloop.fit,
the capacity knee moves right with the feature size and softmax attention solves MQAR."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import nnx

from attention_theory.capacity import E5Config, E6Config, MemorySpec, make_dataset, make_mqar, run_e5, run_e6
from attention_theory.linear_attention import CausalMixer


def test_schlag_setting1_writes_every_key_once_and_targets_its_value():
    x, y = make_dataset(np.random.default_rng(0), num_keys=7, examples=50, setting=1)
    assert x.shape == (50, 8, 2) and y.shape == (50, 7)
    keys, vals = x[..., 0].astype(int), x[..., 1].astype(int)
    assert all(sorted(row) == list(range(7)) for row in keys[:, :-1])
    assert np.all(vals[:, -1] == -1)
    for i in range(50):
        pos = int(np.nonzero(keys[i, :-1] == keys[i, -1])[0][0])
        assert y[i].argmax() == vals[i, pos] and y[i].sum() == 1


def test_schlag_setting2_targets_the_last_write():
    x, y = make_dataset(np.random.default_rng(1), num_keys=5, examples=200, setting=2)
    keys, vals = x[..., 0].astype(int), x[..., 1].astype(int)
    assert x.shape == (200, 11, 2)
    for i in range(200):
        pos = int(np.nonzero(keys[i, :-1] == keys[i, -1])[0][-1])
        assert y[i].argmax() == vals[i, pos]
    with pytest.raises(ValueError, match="setting=3"):
        make_dataset(np.random.default_rng(0), 5, 3, setting=3)


def test_mqar_queries_each_key_once():
    x, y = make_mqar(np.random.default_rng(0), examples=20, pairs=6, num_keys=10, num_values=9)
    assert x.shape == (20, 12, 2) and y.shape == (20, 6) and y.max() < 9
    for i in range(20):
        written = dict(zip(x[i, :6, 0].astype(int), x[i, :6, 1].astype(int)))
        assert len(written) == 6 and sorted(written) == sorted(x[i, 6:, 0].astype(int))
        assert [written[k] for k in x[i, 6:, 0].astype(int)] == list(y[i])


def test_gated_delta_mixer_is_causal():
    x = jax.random.normal(jax.random.key(0), (2, 12, 6))
    mixer = CausalMixer(6, 4, 3, "gated_delta", feature_map="dpfp", nu=2, chunk_size=8, rngs=nnx.Rngs(0))
    call = nnx.jit(lambda m, x: m(x))
    out, cut = call(mixer, x), call(mixer, x.at[:, 7:].set(5.0))
    np.testing.assert_allclose(out[:, :7], cut[:, :7], rtol=1e-5, atol=1e-5)
    assert not np.allclose(out[:, 7:], cut[:, 7:])


@pytest.mark.slow
def test_e5_knee_moves_right_with_feature_size():
    """Tiny budget: elu+1 (d_dot = 8) vs DPFP nu = 3 (d_dot = 48) at S = 8 and 24 keys."""
    cfg = E5Config(num_keys=(8, 24), memories=(MemorySpec("linear", "elu_plus_one"), MemorySpec("linear", "dpfp", 3)),
                   d_key=8, steps=800, epochs=2, train_examples=4000, valid_examples=500)
    rows = {(r["memory"], r["S"]): r["best_valid_loss"] for r in run_e5(cfg).rows}
    assert rows[("linear:dpfp3", 8)] < 0.02
    assert rows[("linear:dpfp3", 24)] < 0.5 * rows[("linear:elu_plus_one", 24)]
    assert rows[("linear:elu_plus_one", 24)] > 0.3  # 24 keys in 8 features: past the knee


@pytest.mark.slow
def test_e6_softmax_and_delta_solve_small_mqar():
    cfg = E6Config(d_model=(32,), mixers=("softmax", "delta"), pairs=8, num_keys=32, num_values=32, steps=600,
                   epochs=2, train_examples=5000, valid_examples=500)
    acc = {r["mixer"]: r["best_valid_accuracy"] for r in run_e6(cfg).rows}
    assert acc["softmax"] > 0.95 and acc["delta"] > 0.9
