"""`attention-theory operator train|eval`: train on generated data, save, reload, evaluate zero-shot."""

import json

import jax
import numpy as np
import pytest
from flax import nnx

from attention_theory.cli import main
from attention_theory.experiments import build_normalized, load_operator, save_operator
from attention_theory.operators import OperatorConfig
from jitloop import Split


@pytest.mark.slow
@pytest.mark.entry
def test_operator_train_then_eval_at_two_resolutions(tmp_path, capsys):
    data, workdir = str(tmp_path / "darcy.npz"), str(tmp_path / "fno")
    assert main(["pde", "generate", "darcy", "--num-samples", "12", "--fine-resolution", "17", "--subsample", "1",
                 "--out", data, "--json"]) == 0
    capsys.readouterr()
    assert main(["operator", "train", "--model", "fno", "--problem", "darcy", "--data", data, "--workdir", workdir,
                 "--num-train", "8", "--num-test", "4", "--subsample", "2", "--epochs", "2", "--batch-size", "4",
                 "--width", "8", "--num-layers", "1", "--modes", "3", "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["status"] == "ok" and trained["grid"] == [9, 9]
    assert main(["operator", "eval", "--workdir", workdir, "--data", data, "--num-test", "4",
                 "--subsample", "2,1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["grid"] for r in rows] == [[9, 9], [17, 17]]
    # The reloaded model reproduces the training run's test error at the training resolution.
    assert abs(rows[0]["relative_l2"] - trained["final"]["test_relative_l2"]) < 1e-5


def test_operator_train_rejects_data_of_another_problem(tmp_path, capsys):
    data = str(tmp_path / "lorenz.npz")
    main(["pde", "generate", "lorenz63", "--num-samples", "4", "--dt", "0.1", "--out", data, "--json"])
    with pytest.raises(SystemExit, match="holds 'lorenz63' data"):
        main(["operator", "train", "--model", "fno", "--problem", "darcy", "--data", data, "--workdir", str(tmp_path)])


def test_save_and_load_operator_round_trip(tmp_path):
    """What `operator eval` relies on: the rebuilt model equals the saved one, stats included."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 8, 8, 1)).astype(np.float32)
    cfg = OperatorConfig(name="fano", width=8, num_layers=1, modes=2, num_heads=2, feedforward=8, num_patches=4)
    model = build_normalized(cfg, Split(x, 3 * x + 1), "pointwise")
    nnx.update(model, jax.tree.map(lambda v: v + 1.0, nnx.state(model, nnx.Param)))  # not the init values
    save_operator(tmp_path, model, cfg, 2, {"problem": "darcy"})
    loaded, meta = load_operator(tmp_path)
    assert meta["problem"] == "darcy" and meta["y_stats_shape"] == [8, 8, 1]
    saved_leaves = jax.tree.leaves(nnx.state(model))
    loaded_leaves = jax.tree.leaves(nnx.state(loaded))
    assert len(saved_leaves) == len(loaded_leaves)
    for a, b in zip(saved_leaves, loaded_leaves):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    with pytest.raises(FileNotFoundError, match="operator train"):
        load_operator(tmp_path / "missing")
