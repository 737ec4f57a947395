"""Neural-operator experiments as library functions (the CLI and notebook call these).

data: PDE arrays -> engine Splits; train: wrap, train with `jitloop.fit`, evaluate at any grid;
lorenz / darcy / navier_stokes: the paper's experiments with tables and plots.
"""

from attention_theory.experiments.data import operator_pairs, operator_splits, subsample_grid
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
    "NORMALIZERS", "OperatorRun", "build_normalized", "count_params", "evaluate_operator", "operator_pairs",
    "operator_splits", "operator_train_config", "subsample_grid", "train_operator",
]
