"""Gutenberg builder: every sample decodes to three 3..6-letter words that occur consecutively
in its author's text (checked with an independent tokeniser), phrases unique to one author,
train/valid/test phrases disjoint, classes balanced, and the line rules."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from einspace.data.unseen.build_common import BuildConfig
from einspace.data.unseen.build_gutenberg import (
    AUTHORS,
    build_gutenberg,
    clean_words,
    decode_phrase,
    encode_phrase,
)

GUTENBERG = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data", "gutenberg")
HEADER = "START: FULL LICENSE\nTHE FULL PROJECT GUTENBERG LICENSE\nlicence words here\n" \
    "removal of the Project Gutenberg header.\n"


def _write_texts(directory, words_per_author=400, seed=0):
    """Six authors, each writing from its own vocabulary plus a few shared words."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    for a, author in enumerate(AUTHORS):
        vocab = ["".join(rng.choice(letters, rng.integers(3, 8))) for _ in range(60)] + ["the", "and"]
        body = []
        for _ in range(words_per_author // 8):
            line = " ".join(rng.choice(vocab, 8))
            body.append(line.capitalize() + ", indeed-so; (yes)!")
        body.insert(3, "CHAPTER XII")  # all-uppercase line: dropped
        body.insert(5, "Act iv scene two")  # structure words dropped from the stream
        with open(os.path.join(directory, f"{author}{a % 2 + 1}.txt"), "w") as f:
            f.write(HEADER + "\n".join(body))


def _naive_words(path) -> list[str]:
    """Independent tokeniser: the same rule written as one regex pass per line."""
    with open(path) as f:
        lines = f.read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.endswith("Project Gutenberg header.")) + 1
    out = []
    for line in lines[start:]:
        line = re.sub(r"[-\u2014]", " ", line)
        line = re.sub(r"[^A-Za-z ]", "", line).strip()
        if not line or line == line.upper():
            continue
        structure = {"prologue", "epilogue", "chapter", "scene", "act", "iv", "xii"}
        out += [w for w in line.lower().split() if w not in structure]
    return out


def _contains_window(words: list[str], phrase: list[str]) -> bool:
    return any(words[i : i + 3] == phrase for i in range(len(words) - 2))


def test_samples_decode_to_consecutive_words_of_their_author(tmp_path):
    _write_texts(tmp_path)
    built = build_gutenberg(str(tmp_path), BuildConfig(per_class=15, seed=1))
    streams = {a: [] for a in AUTHORS}
    for name in os.listdir(tmp_path):
        streams[name.rstrip("0123456789.txt")] += [_naive_words(tmp_path / name)]
    seen = {}
    for split in ("train", "valid", "test"):
        x, y = built.arrays[f"{split}_x"], built.arrays[f"{split}_y"]
        assert x.shape[1:] == (1, 27, 18) and np.all(x.sum(axis=2) == 1.0)
        assert np.bincount(y, minlength=6).min() == np.bincount(y, minlength=6).max()
        for image, label in zip(x, y):
            phrase = decode_phrase(image)
            words = [phrase[i : i + 6].rstrip("_") for i in (0, 6, 12)]
            assert all(3 <= len(w) <= 6 and w.isalpha() for w in words), phrase
            author = AUTHORS[label]
            assert any(_contains_window(s, words) for s in streams[author]), (phrase, author)
            for other in AUTHORS:
                if other != author:
                    assert not any(_contains_window(s, words) for s in streams[other])
            assert phrase not in seen, f"{phrase!r} in {seen.get(phrase)} and {split}"
            seen[phrase] = split
    assert len(built.arrays["train_y"]) == 90 and len(built.arrays["valid_y"]) == 30


def test_line_rules():
    text = HEADER + "CHAPTER I\nThe cat--sat, on the mat!\n\nSCENE\nAct ii, where the dogs ran\n"
    assert clean_words(text) == ["the", "cat", "sat", "on", "the", "mat", "where", "the", "dogs", "ran"]


def test_encoding_roundtrip():
    phrase = "the___quick_brown_"
    image = encode_phrase(phrase)
    assert image.shape == (27, 18) and image.sum() == 18 and image[26, 3] == 1.0
    assert decode_phrase(image[None]) == phrase


def test_missing_author_and_too_few_phrases(tmp_path):
    _write_texts(tmp_path)
    os.remove(tmp_path / "tolstoy2.txt")
    with pytest.raises(FileNotFoundError, match=r"missing \['tolstoy'\]"):
        build_gutenberg(str(tmp_path))
    _write_texts(tmp_path)
    with pytest.raises(ValueError, match=r"author 'aquinas': needs 12100 unique phrases, found \d+"):
        build_gutenberg(str(tmp_path))


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir(GUTENBERG), reason="shared Gutenberg texts absent")
def test_real_texts_have_enough_phrases_for_the_faithful_build():
    from einspace.data.unseen.build_gutenberg import author_phrases

    phrases = author_phrases(GUTENBERG)
    assert min(len(p) for p in phrases.values()) >= 12_100
    built = build_gutenberg(GUTENBERG, BuildConfig(per_class=20))
    assert built.arrays["test_x"].shape == (6 * 3, 1, 27, 18)
