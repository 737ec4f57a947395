"""Autoregressive Navier-Stokes: windowing, the scanned rollout, training through the engine, the CLI."""

import json

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attention_theory.cli import main
from attention_theory.experiments import (
    NavierStokesExperimentConfig,
    Rollout,
    operator_pairs,
    operator_splits,
    operator_train_config,
    rollout_errors,
    train_autoregressive,
    trajectory_windows,
)
from attention_theory.operators import OperatorConfig
from attention_theory.pde import NavierStokesConfig, generate

# A three-mode linear recurrence g_{t+1} = c2 g_t + c1 g_{t-1} + c0 g_{t-2} with characteristic roots
# rho e^{+-i theta} and r, so g_t = rho^t cos(theta t) + 0.5 r^t exactly.
RHO, THETA, R = 0.97, 0.4, 0.9
COEFFS = (RHO**2 * R, -(RHO**2 + 2 * RHO * R * np.cos(THETA)), 2 * RHO * np.cos(THETA) + R)  # oldest .. newest


def _g(t):
    return RHO**t * np.cos(THETA * t) + 0.5 * R**t


def _analytic(field: np.ndarray, times) -> np.ndarray:
    """(B, s, s, len(times)): w_t = g_t * field shifted by t grid points along the first axis."""
    return np.stack([_g(t) * np.roll(field, t, axis=1) for t in times], axis=-1)


class ShiftedRecurrence(nnx.Module):
    """The exact one-step map of the analytic dynamics: a lag-k snapshot is shifted k points more."""

    def __init__(self, coeffs: tuple[float, ...]):
        self.coeffs = tuple(float(c) for c in coeffs)

    def __call__(self, window):
        history = len(self.coeffs)
        terms = [c * jnp.roll(window[..., k], history - k, axis=1) for k, c in enumerate(self.coeffs)]
        return sum(terms)[..., None]


def test_rollout_of_the_exact_one_step_map_is_the_analytic_trajectory():
    field = np.random.default_rng(0).normal(size=(2, 16, 16)).astype(np.float32)
    steps = 25
    window = _analytic(field, range(3)).astype(np.float32)
    truth = _analytic(field, range(3, 3 + steps))
    pred = np.asarray(Rollout(ShiftedRecurrence(COEFFS), steps)(jnp.asarray(window)))
    assert pred.shape == (2, 16, 16, steps)
    # float32 round-off only: the recurrence is stable (all roots inside the unit circle).
    np.testing.assert_allclose(pred, truth, atol=1e-5 * np.abs(truth).max())
    errors = rollout_errors(ShiftedRecurrence(COEFFS), window, truth.astype(np.float32), batch_size=2)
    assert errors["relative_l2"] < 1e-5 and len(errors["per_step_relative_l2"]) == steps


def test_rollout_errors_match_a_naive_loop_for_an_inexact_model():
    """A wrong newest-lag coefficient: per-step and full-horizon errors equal a plain numpy rollout's."""
    field = np.random.default_rng(1).normal(size=(5, 8, 8)).astype(np.float32)
    steps, coeffs = 6, (COEFFS[0], COEFFS[1], COEFFS[2] * 1.02)
    window, truth = _analytic(field, range(3)), _analytic(field, range(3, 3 + steps))
    current, naive = window.copy(), []
    for _ in range(steps):
        nxt = sum(c * np.roll(current[..., k], 3 - k, axis=1) for k, c in enumerate(coeffs))
        naive.append(nxt)
        current = np.concatenate([current[..., 1:], nxt[..., None]], axis=-1)
    naive = np.stack(naive, axis=-1)
    flat = (5, -1, steps)
    per_step = np.linalg.norm((naive - truth).reshape(flat), axis=1) / np.linalg.norm(truth.reshape(flat), axis=1)
    full = np.linalg.norm((naive - truth).reshape(5, -1), axis=1) / np.linalg.norm(truth.reshape(5, -1), axis=1)
    # batch 2 over 5 samples: the last chunk is padded, and padding must not enter the means.
    got = rollout_errors(ShiftedRecurrence(coeffs), window.astype(np.float32), truth.astype(np.float32), batch_size=2)
    np.testing.assert_allclose(got["per_step_relative_l2"], per_step.mean(axis=0), rtol=1e-4)
    np.testing.assert_allclose(got["relative_l2"], full.mean(), rtol=1e-4)
    np.testing.assert_allclose(got["step_relative_l2"], per_step.mean(), rtol=1e-4)
    assert got["per_step_relative_l2"][0] > 1e-3  # the model is measurably wrong, so the match is not 0 == 0


def test_trajectory_windows_equal_naive_slicing():
    w = np.random.default_rng(2).normal(size=(3, 4, 5, 9)).astype(np.float32)
    x, y = trajectory_windows(w, 4)
    naive_x = [w[n, ..., t - 4 : t] for n in range(3) for t in range(4, 9)]
    naive_y = [w[n, ..., t : t + 1] for n in range(3) for t in range(4, 9)]
    assert x.shape == (15, 4, 5, 4) and y.shape == (15, 4, 5, 1)
    np.testing.assert_array_equal(x, np.stack(naive_x))
    np.testing.assert_array_equal(y, np.stack(naive_y))
    with pytest.raises(ValueError, match="history=9 must be in \\[1, 8\\]"):
        trajectory_windows(w, 9)


@pytest.fixture(scope="module")
def tiny_ns(tmp_path_factory):
    """12 trajectories on 16 x 16, t = 1..6 (dt 0.025 agrees with dt 0.001 to 1e-3 here), cached as .npz."""
    path = str(tmp_path_factory.mktemp("ns") / "ns.npz")
    config = NavierStokesConfig(num_samples=12, resolution=16, horizon=6, dt=2.5e-2)
    arrays, _, _ = generate("navier-stokes", config, path)
    return path, arrays


@pytest.mark.parametrize("loss", ["rollout", "teacher-forcing"])
def test_autoregressive_training_loss_falls(loss, tiny_ns):
    x, y = operator_pairs("navier-stokes", tiny_ns[1], history=3)
    splits = operator_splits(x, y, 8, 4, "tiny-ns")
    cfg = OperatorConfig(name="fno", width=4, num_layers=1, modes=3)
    run = train_autoregressive(cfg, splits, operator_train_config(epochs=6, batch_size=4, learning_rate=1e-2),
                               loss=loss, progress=False)
    losses = [r["train_loss"] for r in run.result.history]
    assert run.result.status == "ok" and losses[-1] < 0.7 * losses[0], losses
    errors = rollout_errors(run.model, x[-4:], y[-4:])
    assert len(errors["per_step_relative_l2"]) == 3 and np.isfinite(errors["relative_l2"])
    if loss == "rollout":
        # The engine's final test metric is the same full-horizon rollout error, computed its own way.
        assert abs(errors["relative_l2"] - run.result.final["test_relative_l2"]) < 1e-5
    with pytest.raises(ValueError, match="autoregressive loss must be one of"):
        train_autoregressive(cfg, splits, operator_train_config(), loss="free-running")


def test_cli_autoregressive_train_then_eval_records_the_mode(tiny_ns, tmp_path, capsys):
    # The model and optimiser of the teacher-forcing test above: its compiled programs are reused.
    data, workdir = tiny_ns[0], str(tmp_path / "fno")
    assert main(["operator", "train", "--model", "fno", "--problem", "navier-stokes", "--data", data,
                 "--workdir", workdir, "--mode", "autoregressive", "--ar-loss", "teacher-forcing", "--history", "3",
                 "--num-train", "8", "--num-test", "4", "--epochs", "6", "--lr", "1e-2", "--batch-size", "4",
                 "--width", "4", "--num-layers", "1", "--modes", "3", "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["mode"] == "autoregressive" and trained["ar_loss"] == "teacher-forcing"
    assert trained["status"] == "ok" and len(trained["rollout"]["per_step_relative_l2"]) == 3
    assert main(["operator", "eval", "--workdir", workdir, "--data", data, "--num-test", "4", "--subsample", "1,2",
                 "--json"]) == 0
    evaluated = json.loads(capsys.readouterr().out)
    assert evaluated["mode"] == "autoregressive" and [r["grid"] for r in evaluated["rows"]] == [[16, 16], [8, 8]]
    # The reloaded one-step model reproduces the training run's rollout error at the training grid.
    assert abs(evaluated["rows"][0]["relative_l2"] - trained["rollout"]["relative_l2"]) < 1e-5
    with pytest.raises(SystemExit, match="--mode autoregressive needs --problem navier-stokes"):
        main(["operator", "train", "--model", "fno", "--problem", "darcy", "--data", data, "--workdir", workdir,
              "--mode", "autoregressive"])


def test_navier_stokes_experiment_config_names_bad_modes():
    with pytest.raises(ValueError, match="mode must be one of .* got 'recurrent'"):
        NavierStokesExperimentConfig(mode="recurrent")
    with pytest.raises(ValueError, match="autoregressive_loss must be one of"):
        NavierStokesExperimentConfig(mode="autoregressive", autoregressive_loss="scheduled-sampling")
    full = NavierStokesExperimentConfig.full()
    assert (full.mode, full.autoregressive_loss, full.horizon - full.history) == ("autoregressive", "rollout", 40)


@pytest.mark.slow
@pytest.mark.entry
def test_navier_stokes_experiment_autoregressive_through_the_cli(tmp_path, capsys):
    assert main(["operator", "experiment", "navier-stokes", "--mode", "autoregressive", "--models", "fno,fano",
                 "--resolution", "16", "--horizon", "13", "--dt", "0.01", "--num-train", "8", "--num-test", "4",
                 "--width", "8", "--num-layers", "1", "--feedforward", "8", "--epochs", "2", "--batch-size", "4",
                 "--workdir", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "autoregressive" and out["autoregressive_loss"] == "rollout"
    assert [(r["model"], r["mode"], r["status"]) for r in out["rows"]] == [("fno", "autoregressive", "ok"),
                                                                          ("fano", "autoregressive", "ok")]
    assert all(len(r["per_step_relative_l2"]) == 3 and np.isfinite(r["relative_l2"]) for r in out["rows"])
    assert (tmp_path / "error_vs_step.png").exists()
    assert json.loads((tmp_path / "fano" / "operator.json").read_text())["mode"] == "autoregressive"
