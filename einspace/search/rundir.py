"""A search's run directory: what was asked, what finished, and under which config.

    config.json    the resolved SearchConfig (resuming with other values is refused)
    env.json       versions, devices, git revision
    asked.jsonl    one line per proposal, written BEFORE it is evaluated
    trials.jsonl   one line per finished trial, appended in completion order
    best.json, best.txt, report.md, *.png, retrain/   written at the end or on demand

Every line is appended and fsynced, so after kill -9 at any moment the files hold every
finished trial, plus possibly one truncated last line, which is detected, dropped with a
warning and cut from the file before anything else is appended.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from einspace.search.config import SearchConfig, config_differences
from jitloop import rundir


class RunDirError(ValueError):
    """The directory holds another run (different config), or a run that was not asked to resume."""


def read_log(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL log; a truncated last line is dropped with a warning and cut from the file."""
    if not path.exists():
        return []
    text = path.read_text()
    records = rundir.read_jsonl(path)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(records) < len(lines) or (text and not text.endswith("\n")):
        if len(records) < len(lines):
            warnings.warn(f"{path}: dropped a truncated last line ({lines[-1][:60]!r}...); "
                          "the trial it described will be re-run", RuntimeWarning, stacklevel=2)
        rundir.write_jsonl(path, records)
    return records


class RunDir:
    """Open (or create) a search run directory for `config`.

    resume=False refuses a directory that already holds trials; resume=True refuses one whose
    config differs, naming the differing fields.
    """

    def __init__(self, path: str | Path, config: SearchConfig, resume: bool = False):
        self.path = Path(path)
        self.config = config
        saved = self.path / "config.json"
        if saved.exists():
            old = json.loads(saved.read_text())
            if not resume and (self.path / "trials.jsonl").exists():
                raise RunDirError(f"{self.path} already holds a search; pass --resume to continue it "
                                  "or choose another --workdir")
            diffs = config_differences(old, config.to_dict())
            if diffs:
                raise RunDirError(f"{self.path} holds a search with a different config; differing fields: "
                                  + "; ".join(diffs))
        self.path.mkdir(parents=True, exist_ok=True)
        rundir.write_json(saved, config.to_dict())
        rundir.write_json(self.path / "env.json", rundir.environment())

    @property
    def trials_path(self) -> Path:
        return self.path / "trials.jsonl"

    @property
    def asked_path(self) -> Path:
        return self.path / "asked.jsonl"

    def trials(self) -> list[dict[str, Any]]:
        return read_log(self.trials_path)

    def asked(self) -> list[dict[str, Any]]:
        return read_log(self.asked_path)

    def record_asked(self, task: dict[str, Any]) -> None:
        rundir.append_jsonl(self.asked_path, task)

    def record_trial(self, record: dict[str, Any]) -> None:
        rundir.append_jsonl(self.trials_path, record)


def load_trials(path: str | Path) -> tuple[SearchConfig, list[dict[str, Any]]]:
    """The config and finished trials of an existing run directory (read-only)."""
    path = Path(path)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"{path} is not a search run directory: no config.json")
    config = SearchConfig.from_dict(json.loads((path / "config.json").read_text()))
    return config, rundir.read_jsonl(path / "trials.jsonl")
