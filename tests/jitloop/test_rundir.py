"""Run-directory files are written atomically and read back robustly."""

from __future__ import annotations

import json

import pytest

from jitloop.rundir import append_jsonl, read_jsonl, write_json


def test_write_json_is_atomic_and_leaves_no_temp(tmp_path):
    write_json(tmp_path / "a.json", {"x": 1})
    with pytest.raises(TypeError):
        write_json(tmp_path / "a.json", {"x": object.__new__(type("Unjsonable", (), {"__str__": None}))})
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_truncated_last_line_is_dropped_but_corruption_inside_is_not(tmp_path):
    path = tmp_path / "m.jsonl"
    append_jsonl(path, {"epoch": 1})
    append_jsonl(path, {"epoch": 2})
    with open(path, "a") as f:
        f.write('{"epoch": 3, "lo')
    assert read_jsonl(path) == [{"epoch": 1}, {"epoch": 2}]
    path.write_text('{"epoch": 1}\n{bad\n{"epoch": 3}\n')
    with pytest.raises(ValueError, match="line 2 is not valid JSON"):
        read_jsonl(path)
