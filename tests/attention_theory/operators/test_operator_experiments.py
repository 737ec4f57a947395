"""Experiment drivers: data preparation (default) and end-to-end smoke runs (slow)."""

import numpy as np
import pytest

from attention_theory.experiments import (
    DarcyExperimentConfig,
    LorenzExperimentConfig,
    NavierStokesExperimentConfig,
    operator_pairs,
    operator_splits,
    run_darcy_experiment,
    run_lorenz_experiment,
    run_navier_stokes_experiment,
    subsample_grid,
)


def test_operator_pairs_shapes_for_every_problem():
    rng = np.random.default_rng(0)
    x, y = operator_pairs("navier-stokes", {"w": rng.normal(size=(3, 8, 8, 15))}, history=10)
    assert x.shape == (3, 8, 8, 10) and y.shape == (3, 8, 8, 5)
    x, y = operator_pairs("lorenz63", {"states": rng.normal(size=(2, 11, 3))}, lorenz_target="yz")
    assert x.shape == (2, 11, 1) and y.shape == (2, 11, 2)
    with pytest.raises(ValueError, match="history=15 must be in"):
        operator_pairs("navier-stokes", {"w": rng.normal(size=(3, 8, 8, 15))}, history=15)
    with pytest.raises(ValueError, match="num_train \\+ num_test = 5 exceeds the 2"):
        operator_splits(x, y, 3, 2, "lorenz63")


def test_subsample_grid_keeps_the_boundary_and_trims_to_patch_multiples():
    x = np.arange(17 * 17, dtype=np.float32).reshape(1, 17, 17, 1)
    sub = subsample_grid(x, 2, 4)
    assert sub.shape == (1, 8, 8, 1)  # 9 points (with the far boundary) -> 8, a multiple of 4
    np.testing.assert_array_equal(sub[0, :, 0, 0], x[0, 0:16:2, 0, 0])
    assert subsample_grid(x, 4, 1).shape == (1, 5, 5, 1)


@pytest.mark.slow
def test_darcy_experiment_reports_every_model_at_every_resolution(tmp_path):
    cfg = DarcyExperimentConfig(fine_resolution=33, num_train=16, num_test=4, train_subsample=2, test_subsamples=(2, 1),
                                width=8, num_layers=1, feedforward=8, epochs=2, batch_size=4)
    out = run_darcy_experiment(cfg, tmp_path)
    assert {(r["model"], r["resolution"]) for r in out["rows"]} == {
        (m, s) for m in ("fno", "tno", "vitno", "fano") for s in (16, 32)
    }
    assert all(np.isfinite(r["relative_l2"]) for r in out["rows"])
    assert (tmp_path / "error_vs_resolution.png").exists() and (tmp_path / "fno" / "operator.npz").exists()


def test_darcy_experiment_rerun_in_its_workdir_reuses_data_and_checkpoints(tmp_path, monkeypatch):
    cfg = DarcyExperimentConfig(models=("fno",), fine_resolution=17, num_train=8, num_test=4, train_subsample=2,
                                test_subsamples=(2,), width=4, num_layers=1, fno_modes=2, fno_padding=0, epochs=3,
                                batch_size=4)
    first = run_darcy_experiment(cfg, tmp_path)
    assert (tmp_path / "data.npz").exists() and any((tmp_path / "fno" / "checkpoints").iterdir())

    from attention_theory.pde import problems

    def no_generation(*args, **kwargs):
        raise AssertionError("the rerun regenerated its data")

    monkeypatch.setitem(problems.PROBLEMS, "darcy", problems.PROBLEMS["darcy"]._replace(generate=no_generation))
    again = run_darcy_experiment(cfg, tmp_path)  # every epoch is checkpointed: nothing to train
    assert again["rows"][0]["relative_l2"] == pytest.approx(first["rows"][0]["relative_l2"], rel=1e-6)
    assert again["rows"][0]["train_seconds"] == 0.0


@pytest.mark.slow
def test_lorenz_experiment_evaluates_every_time_step(tmp_path):
    cfg = LorenzExperimentConfig(num_train=40, num_test=10, width=8, num_heads=2, num_layers=1, feedforward=8,
                                 epochs=2, batch_size=10)
    out = run_lorenz_experiment(cfg, tmp_path)
    assert [r["points"] for r in out["rows"]] == [401, 267, 201, 134, 101]
    errors = [r["relative_l2"] for r in out["rows"]]
    assert max(errors) < 1.5 * min(errors)  # discretisation invariance even for a barely trained TNO
    assert (tmp_path / "error_vs_dt.png").exists()


@pytest.mark.slow
def test_navier_stokes_experiment_one_shot(tmp_path):
    cfg = NavierStokesExperimentConfig(models=("fno", "fano"), resolution=16, horizon=12, dt=1e-2, num_train=8,
                                       num_test=4, width=8, num_layers=1, feedforward=8, epochs=2, batch_size=4)
    out = run_navier_stokes_experiment(cfg, tmp_path)
    assert out["mode"] == "one-shot" and [(r["mode"], r["status"]) for r in out["rows"]] == [("one-shot", "ok")] * 2
