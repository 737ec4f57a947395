"""`einspace sample`, `einspace show`, `einspace seed` end to end (in process)."""

from __future__ import annotations

import json

import pytest

from einspace.cli import main
from einspace.tree import parse

pytestmark = pytest.mark.entry


def test_sample_json_with_check(capsys):
    assert main(["sample", "--input-shape", "1x24x24", "--num", "2", "--seed", "2", "--p-computation", "0.5",
                 "--max-nodes", "20", "--max-params", "50000", "--check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["valid_fraction"] == 1.0
    assert len(report["samples"]) == 2
    for s in report["samples"]:
        parse(s["architecture"])
        assert s["check"]["params"] == s["params"]


def test_sample_is_deterministic_in_the_seed(capsys):
    argv = ["sample", "--num", "4", "--seed", "9", "--json"]
    main(argv)
    a = json.loads(capsys.readouterr().out)["samples"]
    main(argv)
    b = json.loads(capsys.readouterr().out)["samples"]
    assert [s["hash"] for s in a] == [s["hash"] for s in b]


def test_sample_refuses_an_inconsistent_grammar():
    with pytest.raises(ValueError, match="spectral radius"):
        main(["sample", "--p-computation", "0.2"])


def test_show_text_png_and_file(tmp_path, capsys):
    arch = tmp_path / "arch.txt"
    arch.write_text("sequential(routing(im2col(3, 1, 1), linear(8), col2im), relu)\n")
    png = tmp_path / "a.png"
    assert main(["show", str(arch), "--input-shape", "3x8x8", "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert "im(3x8x8) -> im(8x8x8)" in out and "params 314" in out
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_show_reports_parse_errors_with_position():
    with pytest.raises(ValueError, match="position 11: expected"):
        main(["show", "sequential(,relu)"])


def test_seed_json_prints_params(capsys):
    assert main(["seed", "wrn16_4", "--input-shape", "3x64x64", "--classes", "10", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert abs(info["params"] / 2.8e6 - 1) < 0.02
    assert parse(info["architecture"])
