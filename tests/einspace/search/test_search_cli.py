"""`einspace search`, `einspace report RUN_DIR`, `einspace retrain RUN_DIR` end to end on digits."""

from __future__ import annotations

import json

import pytest

from einspace.cli import main
from einspace.search import RunDirError

FAST = ["--dataset", "digits", "--strategy", "re", "--epochs", "1", "--population", "2", "--tournament", "2",
        "--max-ops", "12", "--max-nodes", "12", "--progress", "off"]


@pytest.mark.entry
def test_search_report_retrain_and_resume(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["search", *FAST, "--budget", "3", "--workdir", str(run), "--compile-mode", "fast",
                 "--col-reduce", "tokens"]) == 0
    out = capsys.readouterr().out
    assert "best" in out and "report.md" in out
    config = json.loads((run / "config.json").read_text())
    assert config["epochs"] == 1 and config["population"] == 2 and config["max_ops"] == 12
    assert config["compile_mode"] == "fast" and config["col_reduce"] == "tokens"
    assert {json.loads(line).get("compile_mode") for line in (run / "trials.jsonl").read_text().splitlines()} <= {"fast", None}
    assert config["batch_size"] == 64  # the embedded preset
    assert len((run / "trials.jsonl").read_text().splitlines()) == 3
    for name in ("report.md", "best_vs_trials.png", "best_vs_time.png", "best.json", "best.txt"):
        assert (run / name).exists(), name

    # resume with the saved config and a larger budget: only the new trials run
    # (the compile mode may change on resume: it changes how XLA optimises, not the scores)
    assert main(["search", "--workdir", str(run), "--resume", "--budget", "4", "--progress", "off",
                 "--compile-mode", "default"]) == 0
    assert len((run / "trials.jsonl").read_text().splitlines()) == 4
    with pytest.raises(RunDirError, match="epochs: 1 \\(saved\\) vs 2 \\(now\\)"):
        main(["search", "--workdir", str(run), "--resume", "--epochs", "2", "--progress", "off"])

    assert main(["retrain", str(run), "--epochs", "1"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "ok" and 0.0 <= summary["test_accuracy"] <= 1.0
    assert (run / "retrain" / "result.json").exists()
    assert any((run / "retrain" / "checkpoints").iterdir())
    # Candidates compile fast on CPU; the winner's retrain compiles optimised code.
    assert json.loads((run / "retrain" / "config.json").read_text())["train"]["compile_mode"] == "default"

    # Three seeds of the winner in one vmapped program; the first equals the one-seed retrain.
    assert main(["retrain", str(run), "--epochs", "1", "--num-seeds", "3"]) == 0
    seeds = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert seeds["statuses"] == ["ok"] * 3 and len(seeds["test_accuracy_per_seed"]) == 3
    assert seeds["test_accuracy_per_seed"][0] == pytest.approx(summary["test_accuracy"], abs=0.02)
    assert seeds["params"] == summary["params"]  # counted symbolically vs on the built model
    assert seeds["test_accuracy"] == pytest.approx(sum(seeds["test_accuracy_per_seed"]) / 3)

    assert main(["report", str(run)]) == 0
    report = (run / "report.md").read_text()
    assert "## Top 10" in report and "retrained winner" in report and "![best_vs_trials]" in report
    assert "retrained winner, 3 seeds" in report
