"""Chesseract's offline substitute: games from Stockfish self-play (Debian package stockfish).

No grandmaster games ship with any package registry, so the substitute plays them: each game
starts with a few uniformly random legal moves (so games differ), then both sides play
Stockfish at a per-game random search depth (so strength and results vary). A game that is
not over after `max_plies` is adjudicated from Stockfish's evaluation (beyond +-3 pawns a
win, otherwise a draw). The games are written as PGN beside the dataset (the raw source
record) and then go through the Chesseract rule unchanged. Always labelled a substitute.
"""

from __future__ import annotations

import dataclasses
import os
import shutil

import numpy as np

from einspace.data.unseen.build_chesseract import build_chesseract
from einspace.data.unseen.build_common import BuildConfig, Built

CANDIDATES = ("stockfish", "/usr/games/stockfish")
ADJUDICATE_CP = 300


def find_stockfish() -> str:
    """Path of the stockfish binary, or FileNotFoundError naming the Debian package."""
    for name in CANDIDATES:
        path = shutil.which(name) or (name if os.path.isfile(name) else None)
        if path:
            return path
    raise FileNotFoundError(
        f"stockfish not found (looked for {list(CANDIDATES)}); Debian: apt-get install stockfish"
    )


def play_games(
    n_games: int,
    seed: int = 0,
    depth: tuple[int, int] = (1, 6),
    opening_plies: tuple[int, int] = (2, 8),
    max_plies: int = 160,
    engine_path: str | None = None,
) -> list[str]:
    """`n_games` self-play games as PGN strings (Result header set, never "*")."""
    import chess
    import chess.engine
    import chess.pgn

    rng = np.random.default_rng(seed)
    pgns = []
    engine = chess.engine.SimpleEngine.popen_uci(engine_path or find_stockfish())
    try:
        engine.configure({"Threads": 1})
        for g in range(n_games):
            board = chess.Board()
            limits = [chess.engine.Limit(depth=int(rng.integers(depth[0], depth[1] + 1))) for _ in range(2)]
            for _ in range(int(rng.integers(opening_plies[0], opening_plies[1] + 1))):
                moves = list(board.legal_moves)
                board.push(moves[int(rng.integers(len(moves)))])
            while not board.is_game_over() and board.ply() < max_plies:
                board.push(engine.play(board, limits[int(board.turn == chess.BLACK)]).move)
            outcome = board.outcome()
            if outcome is not None:
                result = outcome.result()
            else:
                score = engine.analyse(board, chess.engine.Limit(depth=8))["score"].white()
                cp = score.score(mate_score=100_000)
                result = "1-0" if cp > ADJUDICATE_CP else "0-1" if cp < -ADJUDICATE_CP else "1/2-1/2"
            game = chess.pgn.Game.from_board(board)
            game.headers.update(
                Event="einspace Chesseract substitute", White=f"Stockfish d{limits[0].depth}",
                Black=f"Stockfish d{limits[1].depth}", Round=str(g + 1), Result=result,
            )
            pgns.append(str(game))
    finally:
        engine.quit()
    return pgns


def build_selfplay(out_dir: str, config: BuildConfig = BuildConfig(), games: int | None = None) -> Built:
    """Play `games` games (default: enough for per_class, else 1,000), write out_dir/selfplay.pgn,
    and build Chesseract from it, labelled substitute "stockfish-selfplay"."""
    if games is None:
        games = 1_000 if config.per_class is None else max(12, config.per_class)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "selfplay.pgn")
    with open(path + ".tmp", "w") as f:
        f.write("\n\n".join(play_games(games, seed=config.seed)) + "\n")
    os.replace(path + ".tmp", path)
    built = build_chesseract(path, config)
    size = "" if config.per_class is None else f",per-class={config.per_class}"
    provenance = dataclasses.replace(
        built.provenance,
        kind="substitute",
        variant="stockfish-selfplay" + size,
        source=f"Stockfish self-play, {games} games ({path})",
        notes=built.provenance.notes + "; engine games, not grandmaster games",
    )
    return Built(built.arrays, provenance)
