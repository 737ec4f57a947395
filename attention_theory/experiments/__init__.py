"""Neural-operator experiments as library functions (the CLI and notebook call these).

data: PDE arrays -> engine Splits; train: wrap, train with `jitloop.fit`, evaluate at any grid;
rollout / autoregressive: one-step operators rolled out in time (windows, scanned rollout,
rollout or teacher-forcing training); lorenz / darcy / navier_stokes: the paper's experiments
with tables and plots.
"""

from attention_theory.experiments.autoregressive import AUTOREGRESSIVE_LOSSES, build_step_model, train_autoregressive
from attention_theory.experiments.darcy import DarcyExperimentConfig, run_darcy_experiment
from attention_theory.experiments.data import operator_pairs, operator_splits, subsample_grid
from attention_theory.experiments.lorenz import LorenzExperimentConfig, run_lorenz_experiment
from attention_theory.experiments.navier_stokes import NavierStokesExperimentConfig, run_navier_stokes_experiment
from attention_theory.experiments.rollout import Rollout, rollout, rollout_errors, trajectory_windows
from attention_theory.experiments.saving import load_operator, save_operator
from attention_theory.experiments.train import (
    NORMALIZERS,
    OperatorRun,
    build_normalized,
    count_params,
    evaluate_operator,
    operator_train_config,
    train_operator,
)

__all__ = [
    "AUTOREGRESSIVE_LOSSES", "Rollout", "build_step_model", "rollout", "rollout_errors", "train_autoregressive",
    "trajectory_windows",
    "DarcyExperimentConfig", "LorenzExperimentConfig", "NavierStokesExperimentConfig", "load_operator",
    "run_darcy_experiment", "run_lorenz_experiment", "run_navier_stokes_experiment", "save_operator",
    "NORMALIZERS", "OperatorRun", "build_normalized", "count_params", "evaluate_operator", "operator_pairs",
    "operator_splits", "operator_train_config", "subsample_grid", "train_operator",
]
