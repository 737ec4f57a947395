"""`attention-theory capacity ...` writes JSON (with seed and config), markdown and PNG."""

from __future__ import annotations

import json

import pytest

from attention_theory.cli import main


@pytest.mark.entry
def test_capacity_e1_writes_results(tmp_path, capsys):
    # same grid as test_simulator.E1_SMALL, so the compiled program is reused within a session
    rc = main(["capacity", "e1", "--d-k", "32,64", "--n", "17,33,65", "--trials", "100", "--seed", "3",
               "--out", str(tmp_path), "--json"])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    on_disk = json.loads((tmp_path / "e1_noise_power.json").read_text())
    assert on_disk["config"]["seed"] == 3 and on_disk["config"]["d_k"] == [32, 64]
    assert printed["rows"] == on_disk["rows"] and len(on_disk["rows"]) == 6
    assert (tmp_path / "e1_noise_power.png").stat().st_size > 1000
    assert "| d_k |" in (tmp_path / "e1_noise_power.md").read_text()


def test_capacity_cli_rejects_bad_lists(capsys):
    with pytest.raises(SystemExit):
        main(["capacity", "e1", "--d-k", "64,abc"])
    assert "comma-separated integers" in capsys.readouterr().err


@pytest.mark.entry
def test_capacity_prng_flag_is_recorded_and_changes_the_draws(tmp_path, capsys):
    runs = {}
    for impl in ("threefry2x32", "philox4x32"):
        assert main(["capacity", "e1", "--d-k", "16", "--n", "8", "--trials", "20", "--prng-impl", impl,
                     "--out", str(tmp_path / impl), "--json"]) == 0
        runs[impl] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert runs[impl]["config"]["prng_impl"] == impl
    assert runs["threefry2x32"]["rows"][0]["measured"] != runs["philox4x32"]["rows"][0]["measured"]
