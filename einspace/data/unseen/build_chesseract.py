"""Chesseract: predict a chess game's result from a late board position.

Rule (Geada et al. 2024, Sec. 3): games of grandmasters (Fischer, Kasparov, Carlsen, Anand,
Nakamura, Karpov, Caruana, Tal); from each game the final 15% of its board states (states
after each move); a state is 12 one-hot 8 x 8 planes (white P N B R Q K, then black p n b r q
k; row 0 = rank 8, column 0 = file a); label = result (white wins 0, draw 1, black wins 2).
Games are split 5 : 1 : 1 into train/valid/test, so a game's positions never span two splits.

Regenerated from PGN files the user supplies (python-chess); since those cannot be checked to
be the paper's games the result is labelled a variant ("user-pgn"). `selfplay.py` makes the
engine self-play substitute.
"""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np

from einspace.data.unseen.build_common import BuildConfig, Built
from einspace.data.unseen.metadata import Provenance
from einspace.data.unseen.specs import get_spec

PIECES = "PNBRQKpnbrqk"
RESULTS = {"1-0": 0, "1/2-1/2": 1, "0-1": 2}
FINAL_FRACTION = 0.15
GRANDMASTERS = ("Fischer", "Kasparov", "Carlsen", "Anand", "Nakamura", "Karpov", "Caruana", "Tal")
SPLIT_WEIGHTS = (5, 1, 1)


@dataclasses.dataclass(frozen=True)
class Game:
    """One finished game: its late positions as (S, 12, 8, 8) planes and its result label."""

    planes: np.ndarray
    label: int
    ident: str


def encode_board(board) -> np.ndarray:
    """A chess.Board -> (12, 8, 8) float32 one-hot planes."""
    out = np.zeros((12, 8, 8), np.float32)
    for square, piece in board.piece_map().items():
        rank, file = divmod(square, 8)
        out[PIECES.index(piece.symbol()), 7 - rank, file] = 1.0
    return out


def decode_board(planes: np.ndarray):
    """(12, 8, 8) planes -> chess.Board with that piece placement (white to move, no castling)."""
    import chess

    board = chess.Board(None)
    for p, r, f in zip(*np.nonzero(np.asarray(planes) > 0.5)):
        board.set_piece_at(chess.square(int(f), 7 - int(r)), chess.Piece.from_symbol(PIECES[p]))
    return board


def late_positions(game, fraction: float = FINAL_FRACTION) -> np.ndarray:
    """The final ceil(fraction * moves) board states of a chess.pgn.Game: (S, 12, 8, 8)."""
    board = game.board()
    states = []
    for move in game.mainline_moves():
        board.push(move)
        states.append(encode_board(board))
    if not states:
        return np.zeros((0, 12, 8, 8), np.float32)
    keep = max(1, math.ceil(fraction * len(states)))
    return np.stack(states[-keep:])


def read_games(paths: list[str], players: tuple[str, ...] | None = None) -> list[Game]:
    """Decisive-or-drawn games from PGN files; with `players`, only games one of them played."""
    import chess.pgn

    games = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            index = 0
            while (game := chess.pgn.read_game(f)) is not None:
                index += 1
                result = game.headers.get("Result", "*")
                if result not in RESULTS or game.errors:
                    continue
                names = game.headers.get("White", "") + " " + game.headers.get("Black", "")
                if players and not any(p.lower() in names.lower() for p in players):
                    continue
                planes = late_positions(game)
                if len(planes):
                    games.append(Game(planes, RESULTS[result], f"{os.path.basename(path)}#{index}"))
    return games


def pgn_paths(source: str) -> list[str]:
    """A .pgn file, or every .pgn file in a directory (sorted)."""
    if os.path.isdir(source):
        paths = sorted(os.path.join(source, n) for n in os.listdir(source) if n.endswith(".pgn"))
    else:
        paths = [source] if os.path.isfile(source) else []
    if not paths:
        raise FileNotFoundError(f"{source}: expected a .pgn file or a folder of .pgn files, found none")
    return paths


def split_games(games: list[Game], config: BuildConfig) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Assign whole games to splits 5:1:1 and stack their positions.

    With config.per_class, each split keeps at most per_class (train) or ceil(per_class / 5)
    (valid, test) positions per result, sampled from its own games. Returns the six arrays and
    the game ids in each split.
    """
    if len(games) < 3:
        raise ValueError(f"Chesseract needs at least 3 finished games to split; found {len(games)}")
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(games))
    bounds = np.cumsum(SPLIT_WEIGHTS) / sum(SPLIT_WEIGHTS) * len(games)
    cut_valid, cut_test = max(1, int(round(bounds[0]))), int(round(bounds[1]))
    cut_test = min(max(cut_test, cut_valid + 1), len(games) - 1)
    parts = {"train": order[:cut_valid], "valid": order[cut_valid:cut_test], "test": order[cut_test:]}
    arrays, idents = {}, {}
    for split, members in parts.items():
        x = np.concatenate([games[i].planes for i in members])
        y = np.concatenate([np.full(len(games[i].planes), games[i].label, np.int64) for i in members])
        if config.per_class is not None:
            cap = config.per_class if split == "train" else math.ceil(config.per_class / 5)
            keep = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:cap] for c in range(3)])
            keep = rng.permutation(keep)
            x, y = x[keep], y[keep]
        else:
            shuffle = rng.permutation(len(y))
            x, y = x[shuffle], y[shuffle]
        arrays[f"{split}_x"], arrays[f"{split}_y"] = x, y
        idents[split] = [games[i].ident for i in members]
    return arrays, idents


def build_chesseract(
    source: str,
    config: BuildConfig = BuildConfig(),
    players: tuple[str, ...] | None = None,
) -> Built:
    """Chesseract from PGN file(s) at `source`; `players` filters games (None keeps all)."""
    spec = get_spec("chesseract")
    games = read_games(pgn_paths(source), players)
    arrays, idents = split_games(games, config)
    size = [] if config.per_class is None else [f"per-class={config.per_class}"]
    provenance = Provenance(
        kind="variant",
        variant=",".join(["user-pgn", *size]),
        rule=(
            "Chesseract: final 15% of each game's board states, 12 one-hot 8x8 planes "
            "(PNBRQK white then black, row 0 = rank 8), label = result (1-0: 0, draw: 1, 0-1: 2); "
            "games split 5:1:1 so no game spans two splits"
        ),
        source=f"PGN {source}" + (f" (players {list(players)})" if players else ""),
        seed=config.seed,
        class_names=spec.class_names,
        notes="games per split: " + ", ".join(f"{k} {len(v)}" for k, v in idents.items()),
    )
    return Built(arrays, provenance)
