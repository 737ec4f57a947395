"""Darcy flow: every operator trained at one resolution and evaluated zero-shot at others.

Default config: a quick CPU run (fine grid 65, train at 32 = 33 points with the u = 0 boundary
row/column dropped so 4 patches divide it, test at 16, 32, 64). `DarcyExperimentConfig.full()`
is FNO's protocol: generate at 421, train/test at 85 (r = 5), 1000/100 pairs, 500 epochs,
batch 20, Adam 1e-3 halved every 100 epochs (published FNO-2D: 0.0108 at 85); on 2 CPU cores
about 9 min of data and 44 s per FNO epoch (~6 h), so a GPU or a long run, which resumes from its
workdir when killed. Patched operators use 5 patches there (85 = 5 x 17).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from attention_theory.experiments.data import experiment_data_path, operator_pairs, operator_splits, subsample_grid
from attention_theory.experiments.plots import plot_error_curve, plot_fields
from attention_theory.experiments.saving import save_operator
from attention_theory.experiments.train import evaluate_operator, operator_train_config, train_operator
from attention_theory.operators import OperatorConfig
from attention_theory.pde import DarcyConfig, generate

FNO_PUBLISHED_DARCY = {85: 0.0108, 141: 0.0109, 211: 0.0109, 421: 0.0098}


@dataclasses.dataclass(frozen=True)
class DarcyExperimentConfig:
    """models: operator names; train_subsample / test_subsamples: steps on the fine grid.

    width etc. apply to every model; fno_modes to FNO, patch_modes to ViTNO's lifting and FANO's
    Q/K/V inside patches (at most half the patch size is used); fno_padding for FNO.
    """

    models: tuple[str, ...] = ("fno", "tno", "vitno", "fano")
    fine_resolution: int = 65
    num_train: int = 100
    num_test: int = 20
    coefficient: str = "piecewise"
    train_subsample: int = 2
    test_subsamples: tuple[int, ...] = (4, 2, 1)
    num_patches: int = 4
    width: int = 32
    num_layers: int = 2
    num_heads: int = 4
    feedforward: int = 64
    fno_modes: int = 8
    patch_modes: int = 4
    fno_padding: int = 4
    epochs: int = 10
    batch_size: int = 10
    learning_rate: float = 1e-3
    decay_epochs: int = 100
    loss: str = "relative_l2"
    seed: int = 0

    @classmethod
    def full(cls) -> "DarcyExperimentConfig":
        return cls(
            models=("fno",), fine_resolution=421, num_train=1000, num_test=100, train_subsample=5,
            test_subsamples=(5, 3, 2, 1), num_patches=5, width=32, num_layers=4, fno_modes=12, fno_padding=9,
            epochs=500, batch_size=20, learning_rate=1e-3, decay_epochs=100,
        )

    def data_config(self) -> DarcyConfig:
        return DarcyConfig(
            num_samples=self.num_train + self.num_test, fine_resolution=self.fine_resolution, subsample=1,
            coefficient=self.coefficient, seed=self.seed,
        )

    def operator_config(self, name: str) -> OperatorConfig:
        return OperatorConfig(
            name=name, width=self.width, num_layers=self.num_layers, num_heads=self.num_heads,
            feedforward=self.feedforward, num_patches=self.num_patches, seed=self.seed,
            modes=self.fno_modes if name == "fno" else self.patch_modes,
            padding=self.fno_padding if name == "fno" else 0,
        )


def darcy_resolution_data(arrays: dict, step: int, multiple_of: int):
    """(x, y) at every `step`-th fine-grid point, trimmed to a multiple of the patch count."""
    x, y = operator_pairs("darcy", arrays)
    return subsample_grid(x, step, multiple_of), subsample_grid(y, step, multiple_of)


def run_darcy_experiment(
    config: DarcyExperimentConfig, workdir: str | Path | None = None, data_path: str | None = None,
    progress=None,
) -> dict:
    """Train each model at the training resolution and evaluate at every test resolution.

    With a workdir the data is cached there (data.npz, unless `data_path`) and each model
    checkpoints in its own folder, so a killed run resumes where it stopped.

    Returns {'rows': [{model, resolution, relative_l2, relative_h1, train_seconds, params}], ...}.
    """
    arrays, _, _ = generate("darcy", config.data_config(), experiment_data_path(workdir, data_path), progress)
    multiple = config.num_patches
    x, y = darcy_resolution_data(arrays, config.train_subsample, multiple)
    splits = operator_splits(x, y, config.num_train, config.num_test, "darcy")
    train_cfg = operator_train_config(
        config.epochs, config.batch_size, config.learning_rate, config.loss, config.decay_epochs, config.seed
    )
    rows, curves = [], {}
    workdir = Path(workdir) if workdir is not None else None
    for name in config.models:
        model_cfg = config.operator_config(name)
        run_dir = None if workdir is None else str(workdir / name)
        run = train_operator(model_cfg, splits, train_cfg, workdir=run_dir, progress=False)
        if run.result.status != "ok":
            rows.append({"model": name, "resolution": x.shape[1], "status": run.result.status, "relative_l2": float("nan")})
            continue
        curves[name] = [r.get("valid_relative_l2") for r in run.result.history]
        for step in config.test_subsamples:
            xt, yt = darcy_resolution_data(arrays, step, multiple)
            metrics = evaluate_operator(run.model, xt[-config.num_test :], yt[-config.num_test :])
            rows.append({
                "model": name, "resolution": int(xt.shape[1]), "trained_at": int(x.shape[1]),
                "relative_l2": metrics["relative_l2"], "relative_h1": metrics["relative_h1"],
                "train_seconds": run.result.timings.get("train", 0.0), "params": run.num_params, "status": "ok",
            })
        if workdir is not None:
            save_operator(workdir / name, run.model, model_cfg, 2, {"problem": "darcy"})
            pred = np.asarray(run.model(splits.test.x[:1]))
            plot_fields(workdir / f"fields_{name}.png", np.asarray(splits.test.x[0, ..., 0]),
                        np.asarray(splits.test.y[0, ..., 0]), pred[0, ..., 0], f"Darcy, {name}, s = {x.shape[1]}")
    if workdir is not None and rows:
        plot_error_curve(workdir / "error_vs_resolution.png", [r for r in rows if r["status"] == "ok"],
                         "resolution", "test resolution s", train_value=int(x.shape[1]))
    return {"rows": rows, "curves": curves, "published_fno": FNO_PUBLISHED_DARCY, "config": dataclasses.asdict(config)}
