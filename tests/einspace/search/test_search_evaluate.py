"""Candidate evaluation: every outcome is a record (ok, diverged, timeout, halted, invalid,
compile_error, out_of_memory), the search survives all of them, duplicates are not retrained."""

from __future__ import annotations

import dataclasses

import jax
import pytest

from einspace.data import load_embedded
from einspace.search import Evaluator, FixedCandidates, SearchConfig, Task, run_search
from jitloop import FitResult

TINY = "sequential(routing(im2col(4, 4, 0), linear(16), permute(2, 1)), linear(16))"
CONFIG = SearchConfig(dataset="digits", epochs=2, batch_size=128, budget=4, population=2, tournament=2)


@pytest.fixture(scope="module")
def splits():
    return load_embedded("digits")


def _task(arch: str = TINY, trial: int = 0, **kw) -> Task:
    return Task(trial, arch, "not-a-hash", **kw)


def test_ok_records_fitness_scores_costs_and_timings(splits):
    record = Evaluator(CONFIG, splits)(_task())
    assert record["status"] == "ok", record["reason"]
    assert record["fitness"] == record["scores"]["valid_accuracy"] == record["curve"][-1]
    assert 0.0 <= record["fitness"] <= 1.0 and len(record["curve"]) == 2
    assert record["params"] > 0 and record["flops"] > 0
    assert {"init", "trace", "lower", "compile", "train", "eval"} <= set(record["timings"])
    assert sum(record["timings"].values()) <= record["wall_s"] and record["started_at"] > 0
    assert "test_accuracy" in record["scores"] and record["worker"]


def test_the_configured_head_is_the_one_trained(splits):
    from einspace.compiler import predicted_params

    shape, arch = tuple(splits.input_shape), TINY.replace("linear(16))", "linear(12))")  # output (B, S=16, D=12)
    heads = {c: Evaluator(dataclasses.replace(CONFIG, col_reduce=c), splits)(_task(arch))["params"]
             for c in ("features", "tokens")}
    assert heads == {c: predicted_params(arch, shape, 10, c) for c in heads} and heads["features"] != heads["tokens"]
    with pytest.raises(ValueError, match=r"SearchConfig.col_reduce='mean' .*\('features', 'tokens'\)"):
        SearchConfig(col_reduce="mean").validate()


def test_divergence_keeps_the_last_finished_epochs_score(splits):
    # lr 1e4 blows up in the second epoch at the earliest; the record keeps epoch scores so far
    config = dataclasses.replace(CONFIG, learning_rate=1e6, epochs=3)
    record = Evaluator(config, splits)(_task())
    assert record["status"] == "diverged" and "non-finite" in record["reason"]
    expected = next((s for s in reversed(record["curve"]) if s is not None), 0.0)
    assert record["fitness"] == expected


def test_timeout_and_halving_stop_after_an_epoch_and_keep_its_score(splits):
    record = Evaluator(dataclasses.replace(CONFIG, timeout_s=1e-6, epochs=3), splits)(_task())
    assert record["status"] == "timeout" and record["epochs"] == 1
    assert record["fitness"] == record["curve"][0]
    halted = Evaluator(dataclasses.replace(CONFIG, epochs=3), splits)(_task(thresholds=((1, 1.01),)))
    assert halted["status"] == "halted" and halted["epochs"] == 1 and "rung epoch 1" in halted["reason"]


def test_invalid_architectures_are_recorded_not_raised(splits):
    ev = Evaluator(CONFIG, splits)
    bad_text = ev(_task("sequential(linear(16)"))
    assert bad_text["status"] == "invalid" and "ParseError" in bad_text["reason"]
    # col2im without a matching im2col does not fit the input: an ArchitectureError
    bad_shape = ev(_task("routing(identity, linear(16), col2im)"))
    assert bad_shape["status"] == "invalid" and "ArchitectureError" in bad_shape["reason"]
    assert bad_text["fitness"] is None and bad_shape["fitness"] is None


def _raising(exc):
    def train_fn(*args, **kwargs):
        raise exc
    return train_fn


@pytest.mark.parametrize("exc, status", [
    (ValueError("Incompatible shapes for dot"), "compile_error"),
    (TypeError("unhashable static argument"), "compile_error"),
    (jax.errors.JaxRuntimeError("INTERNAL: failed to compile"), "compile_error"),
    (jax.errors.JaxRuntimeError("RESOURCE_EXHAUSTED: Out of memory allocating 9 GiB"), "out_of_memory"),
    (MemoryError("cannot allocate"), "out_of_memory"),
])
def test_engine_exceptions_become_statuses(splits, exc, status):
    record = Evaluator(CONFIG, splits, train_fn=_raising(exc))(_task())
    assert record["status"] == status and str(exc)[:20] in record["reason"] and record["fitness"] is None


def test_bugs_are_not_hidden(splits):
    with pytest.raises(KeyError):
        Evaluator(CONFIG, splits, train_fn=_raising(KeyError("a bug")))(_task())


def _fake_train(calls: list, outcomes: dict):
    """A train_fn that fails or succeeds by architecture text, counting calls."""
    def train_fn(tree, splits, config, *, model_seed, progress, callbacks, col_reduce):
        from einspace.tree import to_text

        text = to_text(tree)
        calls.append(text)
        if text in outcomes:
            raise outcomes[text]
        history = [{"epoch": 1, "valid_accuracy": 0.5}]
        return FitResult("ok", history, {"valid_accuracy": 0.5}, None, {"compile": 0.1, "train": 0.2}, 1), {"params": 7}
    return train_fn


def test_search_survives_every_failure_and_never_retrains_duplicates(tmp_path, splits):
    archs = ["sequential(linear(16), leakyrelu)", "sequential(linear(32), leakyrelu)", "routing(identity, linear(16), col2im)",
             "sequential(linear(64), leakyrelu)", "sequential(linear(16), leakyrelu)", "sequential(linear(32), leakyrelu)"]
    outcomes = {"sequential(linear(32), leakyrelu)": MemoryError("boom"),
                "sequential(linear(64), leakyrelu)": ValueError("bad lowering")}
    calls: list = []
    config = dataclasses.replace(CONFIG, budget=len(archs))
    result = run_search(config, tmp_path, evaluator=Evaluator(config, splits, train_fn=_fake_train(calls, outcomes)),
                        strategy=FixedCandidates(archs))
    statuses = [r["status"] for r in result.records]
    assert statuses == ["ok", "out_of_memory", "invalid", "compile_error", "ok", "out_of_memory"]
    assert [r.get("duplicate_of") for r in result.records] == [None, None, None, None, 0, 1]
    assert len(calls) == 3  # the two duplicates and the invalid architecture were not trained
    assert result.records[4]["fitness"] == 0.5 and result.best["trial"] == 0
    assert len((tmp_path / "trials.jsonl").read_text().splitlines()) == len(archs)
