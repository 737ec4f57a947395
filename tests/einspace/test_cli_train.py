"""`einspace train` writes a complete run directory; the console scripts answer --help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from einspace.cli import main
from jitloop.rundir import read_jsonl


def test_train_writes_complete_run_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("JITLOOP_COMPILE_CACHE", str(tmp_path / "xla"))
    workdir = tmp_path / "run"
    code = main(["train", "--epochs", "2", "--batch-size", "256", "--workdir", str(workdir), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["status"] == "ok"
    assert sorted(p.name for p in workdir.iterdir()) == [
        "architecture.json", "config.json", "env.json", "metrics.jsonl", "result.json"]
    assert [r["epoch"] for r in read_jsonl(workdir / "metrics.jsonl")] == [1, 2]
    arch = json.loads((workdir / "architecture.json").read_text())
    assert arch["params"] == summary["params"] > 0 and arch["input_shape"] == [1, 8, 8]
    config = json.loads((workdir / "config.json").read_text())
    assert config["train"]["optimizer"]["learning_rate"] == 0.04 and config["dataset"] == "digits"
    assert 0.0 <= summary["final"]["test_accuracy"] <= 1.0


def test_train_reads_architecture_from_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("JITLOOP_COMPILE_CACHE", str(tmp_path / "xla"))
    arch = tmp_path / "mlp.txt"
    arch.write_text("sequential(linear(32), leakyrelu)\n")
    main(["train", "--arch", str(arch), "--epochs", "1", "--batch-size", "128",
          "--workdir", str(tmp_path / "run"), "--json"])
    summary = json.loads(capsys.readouterr().out)
    # Im input (1, 8, 8): linear acts on the last axis W=8 -> (1, 8, 32); head: mean over H, W, Linear(1, 10).
    assert summary["architecture"] == "sequential(linear(32), leakyrelu)"
    assert summary["params"] == (8 * 32 + 32) + (1 * 10 + 10)


def test_train_rejects_unknown_dataset(tmp_path):
    with pytest.raises(ValueError, match=r"embedded dataset 'cifar' is unknown; choose one of \('digits', 'mnist5k'\)"):
        main(["train", "--dataset", "cifar", "--workdir", str(tmp_path)])


@pytest.mark.entry
@pytest.mark.parametrize("script", ["einspace", "attention-theory"])
def test_console_scripts_answer_help(script):
    code = f"import sys; from {script.replace('-', '_')}.cli import main; sys.exit(main(['--help']))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout and "COMMAND" in out.stdout
