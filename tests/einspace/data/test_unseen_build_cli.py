"""`build_dataset` and `einspace data build|info`: the written layout reloads through the
validating loader with its provenance label; load-only datasets refuse to build."""

from __future__ import annotations

import json

import numpy as np
import pytest

from jitloop.commands import run

from einspace.data.unseen import load_unseen
from einspace.data.unseen.build import build_dataset
from einspace.data.unseen.build_common import BuildConfig, kind_and_label, split_counts
from einspace.data.unseen.inventory import inventory
from einspace.data.unseen.selfplay import find_stockfish


def _cli(*argv):
    return run("einspace", "test", ("einspace.cli.data",), list(argv))


def _fake_texts(directory):
    """One text per author: a licence header, then 60 words from the author's own vocabulary."""
    rng = np.random.default_rng(0)
    letters = list("abcdefghijklmnopqrstuvwxyz")
    for author in ("aquinas", "confucius", "hawthorne", "plato", "shakespeare", "tolstoy"):
        words = ["".join(rng.choice(letters, 5)) for _ in range(60)]
        body = "\n".join(" ".join(words[i : i + 6]) for i in range(0, 60, 6))
        (directory / f"{author}1.txt").write_text("LICENCE\nthe Project Gutenberg header.\n" + body)


def test_cli_build_writes_layout_metadata_and_reloads(tmp_path, capsys):
    texts = tmp_path / "texts"
    texts.mkdir()
    _fake_texts(texts)
    out = tmp_path / "unseen"
    assert _cli("data", "build", "gutenberg", "--source", str(texts), "--out", str(out),
                "--per-class", "4", "--seed", "3") == 0
    printed = capsys.readouterr().out
    assert "variant:per-class=4" in printed and "not the paper's dataset" in printed
    meta = json.loads((out / "gutenberg" / "metadata.json").read_text())
    assert meta["provenance"]["seed"] == 3 and meta["provenance"]["kind"] == "variant"
    assert meta["sizes"] == {"train": 24, "valid": 12, "test": 6}
    splits = load_unseen("gutenberg", str(out))
    assert splits.name == "Gutenberg (variant:per-class=4)" and splits.input_shape == (1, 27, 18)
    status = {s.name: s for s in inventory(str(out))}
    assert status["Gutenberg"].usable and status["Gutenberg"].sizes == (24, 12, 6)
    assert not status["AddNIST"].present


def test_load_only_and_missing_sources_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Isabella has no public raw source"):
        build_dataset("isabella", str(tmp_path))
    with pytest.raises(ValueError, match="Gutenberg needs --source"):
        build_dataset("gutenberg", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"source='/nope' for CIFARTile does not exist"):
        build_dataset("cifartile", str(tmp_path), "/nope")


def test_sizes_and_labels():
    assert split_counts("addnist", None) == {"train": 2250, "valid": 750, "test": 500}
    assert split_counts("gutenberg", 75) == {"train": 75, "valid": 25, "test": 10}
    assert kind_and_label("", None) == ("faithful", "")
    assert kind_and_label("", 10) == ("variant", "per-class=10")
    assert kind_and_label("FashionTile", None, "substitute") == ("substitute", "FashionTile")
    with pytest.raises(ValueError, match="per_class must be >= 1"):
        BuildConfig(per_class=0)


def _has_stockfish():
    try:
        find_stockfish()
        return True
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not _has_stockfish(), reason="Debian stockfish not installed")
def test_stockfish_selfplay_substitute(tmp_path):
    import chess

    from einspace.data.unseen.build_chesseract import decode_board

    directory, built = build_dataset("chesseract", str(tmp_path), "stockfish", BuildConfig(seed=0), games=6)
    assert built.provenance.kind == "substitute" and built.provenance.variant == "stockfish-selfplay"
    assert (tmp_path / "chesseract" / "selfplay.pgn").is_file()
    for planes in built.arrays["test_x"]:
        board = decode_board(planes)
        assert any(board.is_valid() for board.turn in (chess.WHITE, chess.BLACK))
    assert "stockfish-selfplay" in load_unseen("chesseract", str(tmp_path)).name
    assert np.isin(built.arrays["train_y"], [0, 1, 2]).all()


def test_a_built_variant_trains_with_the_engine(tmp_path):
    from flax import nnx

    from jitloop import OptimizerConfig, TrainConfig, fit

    class Probe(nnx.Module):
        def __init__(self, features: int, classes: int, rngs: nnx.Rngs):
            self.linear = nnx.Linear(features, classes, rngs=rngs)

        def __call__(self, x):
            return self.linear(x.reshape(x.shape[0], -1))

    texts = tmp_path / "texts"
    texts.mkdir()
    _fake_texts(texts)
    build_dataset("gutenberg", str(tmp_path), str(texts), BuildConfig(per_class=4, seed=0))
    splits = load_unseen("gutenberg", str(tmp_path))
    config = TrainConfig(epochs=2, batch_size=8, loss="cross_entropy", metrics=("accuracy",),
                         optimizer=OptimizerConfig(name="adam", learning_rate=1e-2, schedule="constant"))
    result = fit(Probe(27 * 18, splits.num_classes, nnx.Rngs(0)), splits, config, progress=False,
                 compile_cache=False)
    assert result.status == "ok" and len(result.history) == 2
    assert set(result.final) >= {"valid_accuracy", "test_accuracy"}
    assert 0.0 <= result.final["test_accuracy"] <= 1.0
