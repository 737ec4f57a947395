"""What a candidate compiles: on CPU one single-step train program and one eval program per new
architecture (none for a repeated one), in the fast compile mode, trained to the same losses as a
scanned epoch; model construction is timed as "init"; the winner's retrain compiles optimised."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest

from einspace.data import load_embedded
from einspace.search import Evaluator, SearchConfig, Task, train_config
from einspace.search.evaluate import compile_effort
from einspace.training import FAST_COMPILE_MAX_TRAIN_FLOPS, default_unroll_steps, train_architecture
from jitloop import programs

# Widths no other test compiles: the in-process program cache must start empty for them.
ARCH = "sequential(routing(im2col(4, 4, 0), linear(16), permute(2, 1)), linear({}))"
CONFIG = SearchConfig(dataset="digits", epochs=2, batch_size=128)


@pytest.fixture(scope="module")
def splits():
    return load_embedded("digits")


def test_cpu_candidates_train_one_step_per_call_unless_configured():
    assert jax.default_backend() == "cpu" and default_unroll_steps() == 1
    assert train_config(CONFIG).unroll_steps == 1
    assert train_config(dataclasses.replace(CONFIG, unroll_steps=0)).unroll_steps == 0
    with pytest.raises(ValueError, match=r"SearchConfig.unroll_steps=-1 .*None"):
        SearchConfig(unroll_steps=-1).validate()


def test_light_cpu_candidates_compile_fast_heavy_ones_optimised_unless_configured(splits):
    light, heavy = 0.5 * FAST_COMPILE_MAX_TRAIN_FLOPS, 2 * FAST_COMPILE_MAX_TRAIN_FLOPS
    assert train_config(CONFIG, train_flops=light).compile_mode == "fast"
    assert train_config(CONFIG, train_flops=heavy).compile_mode == "default"
    assert train_config(dataclasses.replace(CONFIG, compile_mode="default"), train_flops=light).compile_mode == "default"
    assert train_config(dataclasses.replace(CONFIG, compile_mode="fast"), train_flops=heavy).compile_mode == "fast"
    # The evaluator prices a candidate as 3 x forward FLOPs x training examples x epochs.
    seen = []

    def train_fn(tree, splits, config, **kwargs):
        seen.append(config.compile_mode)
        raise ValueError("stop here")

    evaluator = Evaluator(CONFIG, splits, train_fn=train_fn)
    small = "sequential(linear(4), linear(4))"
    big = "sequential(routing(im2col(3, 1, 1), linear(256), col2im), routing(im2col(3, 1, 1), linear(256), col2im))"
    records = [evaluator(Task(i, arch, "h")) for i, arch in enumerate((small, big))]
    assert seen == ["fast", "default"] == [r["compile_mode"] for r in records]
    assert 3 * records[0]["flops"] * len(splits.train) * CONFIG.epochs < FAST_COMPILE_MAX_TRAIN_FLOPS
    with pytest.raises(ValueError, match=r"SearchConfig.compile_mode='O3' .*\('default', 'fast'\)"):
        SearchConfig(compile_mode="O3").validate()


def _traces() -> dict[str, int]:
    return dict(programs.STATS["traces"])


def _new(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def test_a_new_architecture_compiles_one_train_and_one_eval_program_a_repeat_none(splits):
    evaluator = Evaluator(CONFIG, splits)
    arch = ARCH.format(24)
    before = _traces()
    record = evaluator(Task(0, arch, "h"))
    assert record["status"] == "ok", record["reason"]
    assert _new(_traces(), before) == {"train_steps_unrolled": 1, "evaluate_chunks": 1}
    assert record["timings"]["init"] > 0
    before = _traces()
    again = evaluator(Task(1, arch, "h"))
    assert _new(_traces(), before) == {} and again["fitness"] == record["fitness"]


def test_one_step_per_call_trains_like_a_scanned_epoch(splits):
    losses = {}
    for unroll in (0, 1):
        config = dataclasses.replace(train_config(CONFIG), unroll_steps=unroll)
        result, _ = train_architecture(ARCH.format(40), splits, config, progress=False)
        losses[unroll] = [h["train_loss"] for h in result.history]
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)  # composite-module tolerance


def test_candidates_compile_at_the_configured_effort_and_the_setting_is_restored(splits):
    seen = []

    def train_fn(tree, splits, config, **kwargs):
        seen.append(jax.config.jax_exec_time_optimization_effort)
        raise ValueError("stop here")  # recorded as compile_error: enough to see the setting

    before = jax.config.jax_exec_time_optimization_effort
    record = Evaluator(dataclasses.replace(CONFIG, compile_effort=-0.5), splits, train_fn=train_fn)(Task(0, ARCH.format(8), "h"))
    assert record["status"] == "compile_error" and seen == [-0.5]
    assert jax.config.jax_exec_time_optimization_effort == before
    with compile_effort(-1.0):  # overlapping evaluations (threads) keep it until the last leaves
        with compile_effort(-1.0):
            pass
        assert jax.config.jax_exec_time_optimization_effort == -1.0
    assert jax.config.jax_exec_time_optimization_effort == before
    with pytest.raises(ValueError, match=r"SearchConfig.compile_effort=2 .*\[-1, 1\]"):
        SearchConfig(compile_effort=2).validate()
