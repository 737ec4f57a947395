"""Chesseract from PGN: planes decode to legal positions that occur late in a game with the
sample's result (independent replay), and no game's positions span two splits."""

from __future__ import annotations

import math

import numpy as np
import pytest

chess = pytest.importorskip("chess")
import chess.pgn  # noqa: E402

from einspace.data.unseen.build_chesseract import (  # noqa: E402
    build_chesseract,
    decode_board,
    encode_board,
    read_games,
    split_games,
)
from einspace.data.unseen.build_common import BuildConfig  # noqa: E402

RESULTS = ("1-0", "1/2-1/2", "0-1")


def _random_pgn(path, n_games=21, seed=0, players=("Tal", "Nobody")):
    """Random legal games with results cycling through win/draw/loss (and one unfinished)."""
    rng = np.random.default_rng(seed)
    games = []
    for g in range(n_games + 1):
        board = chess.Board()
        game = chess.pgn.Game()
        node = game
        for _ in range(int(rng.integers(20, 60))):
            moves = list(board.legal_moves)
            if not moves:
                break
            move = moves[int(rng.integers(len(moves)))]
            board.push(move)
            node = node.add_variation(move)
        game.headers["White"] = players[g % 2]
        game.headers["Black"] = "Someone"
        game.headers["Result"] = "*" if g == n_games else RESULTS[g % 3]
        games.append(str(game))
    path.write_text("\n\n".join(games) + "\n")
    return path


def _late_fens(path):
    """Independent replay: {board_fen: result label} of each game's final 15% states."""
    out = {}
    with open(path) as f:
        while (game := chess.pgn.read_game(f)) is not None:
            if game.headers["Result"] not in RESULTS:
                continue
            fens, board = [], game.board()
            for move in game.mainline_moves():
                board.push(move)
                fens.append(board.board_fen())
            for fen in fens[len(fens) - math.ceil(0.15 * len(fens)) :]:
                out[fen] = RESULTS.index(game.headers["Result"])
    return out


def _legal_for_some_side(board) -> bool:
    for turn in (chess.WHITE, chess.BLACK):
        board.turn = turn
        if board.is_valid():
            return True
    return False


def test_positions_decode_to_legal_late_states_with_the_games_result(tmp_path):
    pgn = _random_pgn(tmp_path / "games.pgn")
    built = build_chesseract(str(pgn), BuildConfig(seed=1))
    late = _late_fens(pgn)
    per_split = {}
    for split in ("train", "valid", "test"):
        x, y = built.arrays[f"{split}_x"], built.arrays[f"{split}_y"]
        assert x.shape[1:] == (12, 8, 8) and len(y) > 0
        assert np.all(x.sum(axis=1) <= 1.0)  # one piece per square
        fens = set()
        for planes, label in zip(x, y):
            board = decode_board(planes)
            assert _legal_for_some_side(board), board.board_fen()
            assert late[board.board_fen()] == label
            fens.add(board.board_fen())
        per_split[split] = fens
    assert not per_split["train"] & per_split["test"] and not per_split["train"] & per_split["valid"]
    assert sum(len(built.arrays[f"{s}_y"]) for s in per_split) == len(late)
    assert built.provenance.kind == "variant" and built.provenance.variant == "user-pgn"


def test_games_never_span_two_splits_and_per_class_caps(tmp_path):
    games = read_games([str(_random_pgn(tmp_path / "g.pgn", n_games=30, seed=2))])
    assert len(games) == 30  # the unfinished game is skipped
    arrays, idents = split_games(games, BuildConfig(seed=0, per_class=2))
    assert not set(idents["train"]) & set(idents["test"])
    assert not set(idents["valid"]) & (set(idents["train"]) | set(idents["test"]))
    assert len(idents["train"]) > 3 * len(idents["test"])
    assert np.bincount(arrays["train_y"], minlength=3).max() <= 2
    assert np.bincount(arrays["test_y"], minlength=3).max() <= 1


def test_player_filter_and_encoding_roundtrip(tmp_path):
    pgn = _random_pgn(tmp_path / "g.pgn", n_games=9)
    assert len(read_games([str(pgn)], players=("tal",))) == 5
    board = chess.Board("r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3")
    planes = encode_board(board)
    assert planes.shape == (12, 8, 8) and planes.sum() == 32
    assert planes[5, 7, 4] == 1.0  # white king on e1: plane K, row 7 (rank 1), column 4 (file e)
    assert decode_board(planes).board_fen() == board.board_fen()


def test_missing_pgn_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="expected a .pgn file"):
        build_chesseract(str(tmp_path))
