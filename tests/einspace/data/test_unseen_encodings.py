"""Property tests: every encoding the builders use decodes back to what was encoded, and the
per-channel normalisation matches a naive reference on random data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from einspace.data.unseen.build_gutenberg import decode_phrase, encode_phrase
from einspace.data.unseen.build_language import ALPHABET, decode_words, encode_words
from einspace.data.unseen.normalise import channel_stats, normalise

_word = st.text(alphabet=ALPHABET, min_size=6, max_size=6)


@settings(max_examples=50, deadline=None)
@given(st.lists(_word, min_size=4, max_size=4))
def test_language_roundtrip(words):
    image = encode_words("".join(words))
    assert image.shape == (24, 24) and image.sum() == 24
    assert decode_words(image) == words


_short = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=6)


@settings(max_examples=50, deadline=None)
@given(st.lists(_short, min_size=3, max_size=3))
def test_gutenberg_roundtrip(words):
    phrase = "".join(w.ljust(6, "_") for w in words)
    image = encode_phrase(phrase)
    assert image.shape == (27, 18) and np.all(image.sum(axis=0) == 1)
    assert decode_phrase(image) == phrase


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 40), st.integers(1, 4))
def test_channel_stats_match_naive_reference(seed, n, channels):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, channels, 3, 5)) * rng.uniform(0.1, 10, channels)[None, :, None, None]
         + rng.normal(size=channels)[None, :, None, None]).astype(np.float32)
    mean, std = channel_stats(x)
    for c in range(channels):
        ref = x[:, c].astype(np.float64)
        np.testing.assert_allclose(mean[c], ref.mean(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(std[c], ref.std() if ref.std() > 0 else 1.0, rtol=1e-8)
    out = normalise(x, mean, std)
    assert out.dtype == np.float32 and out.shape == x.shape
    np.testing.assert_allclose(out, (x - mean[None, :, None, None]) / std[None, :, None, None], atol=1e-4)


def test_chess_roundtrip_random_positions():
    chess = pytest.importorskip("chess")
    from einspace.data.unseen.build_chesseract import decode_board, encode_board

    rng = np.random.default_rng(0)
    board = chess.Board()
    for _ in range(120):
        moves = list(board.legal_moves)
        if not moves:
            break
        board.push(moves[int(rng.integers(len(moves)))])
        planes = encode_board(board)
        assert planes.sum() == len(board.piece_map())
        assert decode_board(planes).board_fen() == board.board_fen()
