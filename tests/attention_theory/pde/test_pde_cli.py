"""`attention-theory pde generate`: flags from the config, JSON summary, cache reuse."""

import json

from attention_theory.cli import main


def test_pde_generate_json_and_cache(tmp_path, capsys):
    out = str(tmp_path / "lorenz.npz")
    argv = ["pde", "generate", "lorenz63", "--num-samples", "4", "--dt", "0.05", "--out", out, "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["arrays"]["states"] == [4, 41, 3] and first["metadata"]["dt"] == 0.05 and not first["cached"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["cached"]
