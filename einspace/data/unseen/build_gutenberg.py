"""Gutenberg: which of six authors wrote a phrase of three short words.

Rule (Geada et al. 2024, Sec. 3): 18 Project Gutenberg texts by Aquinas, Confucius,
Hawthorne, Plato, Shakespeare and Tolstoy (labels 0..5). Skip the licence header; per line
strip punctuation (dashes become spaces), drop empty and all-uppercase lines, lowercase and keep a..z and space;
drop structure words (prologue, epilogue, chapter, scene, act, roman numerals up to xx).
Phrases are all windows of 3 consecutive words (running across lines within a text) whose
words all have 3..6 letters; each word is padded with '_' to 6 characters (18 in all).
Phrases are deduplicated per author and those shared by authors dropped; per author 11,100
train-pool and 1,000 test phrases are drawn (disjoint). Train and valid draw from the train
pool without replacement, test is the test pool. Encoding: one-hot 27 x 18, row = index in
"a..z_", column = character position.
"""

from __future__ import annotations

import math
import os
import re

import numpy as np

from einspace.data.unseen.build_common import BuildConfig, Built, split_counts
from einspace.data.unseen.metadata import Provenance
from einspace.data.unseen.specs import get_spec

ALPHABET = "abcdefghijklmnopqrstuvwxyz_"
AUTHORS = ("aquinas", "confucius", "hawthorne", "plato", "shakespeare", "tolstoy")
_ROMAN = ("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx").split()
STRUCTURE_WORDS = frozenset(("prologue", "epilogue", "chapter", "scene", "act", *_ROMAN))
POOL = (11_100, 1_000)  # published train-pool and test phrases per author
_PUNCT = re.compile(r"[^\w\s]")
_DASH = re.compile(r"[-\u2010-\u2015]+")  # dashes join words in print; they separate them here
_HEADER_END = re.compile(r"(Project Gutenberg header\.|\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG)")
_FOOTER = re.compile(r"\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG")


def strip_licence(lines: list[str]) -> list[str]:
    """Lines after the Gutenberg licence header (and before an END marker, if any)."""
    start = 0
    for i, line in enumerate(lines[:400]):
        if _HEADER_END.search(line):
            start = i + 1
            break
    body = lines[start:]
    for i, line in enumerate(body):
        if _FOOTER.search(line):
            return body[:i]
    return body


def clean_words(text: str) -> list[str]:
    """The word sequence of one text after the line rules and structure-word removal."""
    words = []
    for line in strip_licence(text.splitlines()):
        line = _PUNCT.sub("", _DASH.sub(" ", line)).strip()
        if not line or (line.upper() == line and any(c.isalpha() for c in line)):
            continue
        line = "".join(c for c in line.lower() if "a" <= c <= "z" or c == " ")
        words.extend(w for w in line.split() if w not in STRUCTURE_WORDS)
    return words


def phrases_of(words: list[str]) -> set[str]:
    """All 18-character padded phrases of 3 consecutive words of 3..6 letters."""
    ok = [3 <= len(w) <= 6 for w in words]
    return {
        "".join(w.ljust(6, "_") for w in words[i : i + 3])
        for i in range(len(words) - 2)
        if ok[i] and ok[i + 1] and ok[i + 2]
    }


def encode_phrase(phrase: str) -> np.ndarray:
    """18 characters of a..z_ -> (27, 18) float32 one-hot, row = letter, column = position."""
    out = np.zeros((len(ALPHABET), len(phrase)), np.float32)
    out[[ALPHABET.index(c) for c in phrase], np.arange(len(phrase))] = 1.0
    return out


def decode_phrase(image: np.ndarray) -> str:
    """(1, 27, 18) or (27, 18) one-hot -> its 18-character phrase."""
    return "".join(ALPHABET[i] for i in np.asarray(image).reshape(27, 18).argmax(axis=0))


def author_texts(directory: str) -> dict[str, list[str]]:
    """{author: [paths]} from files named <author><n>.txt in `directory`."""
    found: dict[str, list[str]] = {}
    for name in sorted(os.listdir(directory)):
        author = name.rstrip("0123456789.txt") if name.endswith(".txt") else None
        if author in AUTHORS:
            found.setdefault(author, []).append(os.path.join(directory, name))
    missing = [a for a in AUTHORS if a not in found]
    if missing:
        raise FileNotFoundError(
            f"{directory}: expected texts <author><n>.txt for authors {list(AUTHORS)}; missing {missing}"
        )
    return found


def author_phrases(directory: str) -> dict[str, list[str]]:
    """Per author, the sorted phrases no other author has (deduplicated)."""
    phrases = {}
    for author, paths in author_texts(directory).items():
        collected: set[str] = set()
        for path in paths:
            with open(path, encoding="utf-8-sig", errors="replace") as f:
                collected |= phrases_of(clean_words(f.read()))
        phrases[author] = collected
    counts: dict[str, int] = {}
    for collected in phrases.values():
        for p in collected:
            counts[p] = counts.get(p, 0) + 1
    return {a: sorted(p for p in phrases[a] if counts[p] == 1) for a in AUTHORS}


def build_gutenberg(directory: str, config: BuildConfig = BuildConfig()) -> Built:
    """Build Gutenberg from the texts in `directory` (files <author><n>.txt)."""
    spec = get_spec("gutenberg")
    counts = split_counts("gutenberg", config.per_class)
    if config.per_class is None:
        pool = POOL
    else:
        pool = (math.ceil((counts["train"] + counts["valid"]) * POOL[0] / 10_000), counts["test"])
    rng = np.random.default_rng(config.seed)
    phrases = author_phrases(directory)
    arrays = {f"{s}_{p}": [] for s in ("train", "valid", "test") for p in "xy"}
    for label, author in enumerate(AUTHORS):
        if len(phrases[author]) < sum(pool):
            raise ValueError(
                f"author {author!r}: needs {sum(pool)} unique phrases, found {len(phrases[author])}"
            )
        chosen = rng.permutation(phrases[author])[: sum(pool)]
        train_pool, test_pool = chosen[: pool[0]], chosen[pool[0] :]
        picks = rng.permutation(train_pool)[: counts["train"] + counts["valid"]]
        for split, items in (
            ("train", picks[: counts["train"]]),
            ("valid", picks[counts["train"] :]),
            ("test", test_pool[: counts["test"]]),
        ):
            arrays[f"{split}_x"].extend(encode_phrase(p)[None] for p in items)
            arrays[f"{split}_y"].extend([label] * len(items))
    out = {}
    for split in ("train", "valid", "test"):
        order = rng.permutation(len(arrays[f"{split}_y"]))
        out[f"{split}_x"] = np.stack(arrays[f"{split}_x"])[order]
        out[f"{split}_y"] = np.asarray(arrays[f"{split}_y"], np.int64)[order]
    size = "" if config.per_class is None else f"per-class={config.per_class}"
    provenance = Provenance(
        kind="variant" if size else "faithful",
        variant=size,
        rule=(
            "Gutenberg: licence skipped, punctuation stripped, empty/all-uppercase lines dropped, "
            "a..z only, structure words dropped; phrases = windows of 3 words of 3..6 letters, "
            "'_'-padded to 18 chars, unique to one author; per author "
            f"{pool[0]} train-pool / {pool[1]} test phrases; one-hot 27x18 (row = letter a..z_, "
            "column = position)"
        ),
        source=f"Project Gutenberg texts in {directory}",
        seed=config.seed,
        class_names=spec.class_names,
    )
    return Built(out, provenance)
