"""Each operator trains through the shared engine: the raw-scale relative L2 loss falls on tiny Darcy data."""

import numpy as np
import pytest

from attention_theory.experiments.data import operator_pairs, subsample_grid
from attention_theory.experiments.train import operator_train_config, train_operator
from attention_theory.operators import OperatorConfig
from attention_theory.pde import DarcyConfig, generate_darcy
from jitloop import Split, Splits, to_device


@pytest.fixture(scope="module")
def tiny_darcy() -> Splits:
    x, y = operator_pairs("darcy", generate_darcy(DarcyConfig(num_samples=16, fine_resolution=17, subsample=1)))
    x, y = subsample_grid(x, 1, 4), subsample_grid(y, 1, 4)  # 17 -> 16 points: divisible by 4 patches
    return Splits(train=Split(to_device(x, np.float32), to_device(y, np.float32)), name="tiny-darcy")


@pytest.mark.parametrize("name", ["fno", "tno", "vitno", "fano"])
def test_operator_loss_falls_through_jitloop_fit(name, tiny_darcy):
    cfg = OperatorConfig(name=name, width=8, num_layers=1, modes=3, num_heads=2, feedforward=8, num_patches=4)
    run = train_operator(cfg, tiny_darcy, operator_train_config(epochs=15, batch_size=4, learning_rate=1e-2), progress=False)
    losses = [record["train_loss"] for record in run.result.history]
    assert run.result.status == "ok" and len(losses) == 15
    assert losses[-1] < 0.85 * losses[0], losses
    assert run.num_params > 0
