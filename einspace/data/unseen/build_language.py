"""Language: which of ten languages four concatenated six-letter words come from.

Rule (Geada et al. 2024, Sec. 3): aspell word lists for en, nl, de, es, fr, pt_PT, sw, zu, fi,
sv (labels 0..9 in that order). Keep six-letter words made only of lowercase a..x (no
capitals, apostrophes, hyphens or accents); drop words that occur in more than one of the
languages; per language draw 1,500 train words and 700 disjoint test words. A sample is 4
words of one language concatenated (24 characters), encoded one-hot as a 24 x 24 image:
row = character position, column = letter index in a..x. Train and valid samples use train
words, test samples use test words. Languages without a list give a labelled variant with
fewer classes (label order stays the paper's order among those present).
"""

from __future__ import annotations

import re

import numpy as np

from einspace.data.unseen.build_common import BuildConfig, Built, balanced_labels, split_counts
from einspace.data.unseen.metadata import Provenance
from einspace.data.unseen.specs import get_spec

ALPHABET = "abcdefghijklmnopqrstuvwx"
WORD_LEN, WORDS_PER_SAMPLE = 6, 4
_KEEP = re.compile(f"^[{ALPHABET}]{{{WORD_LEN}}}$")


def eligible_words(lists: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per language, the sorted six-letter a..x words that no other language in `lists` has."""
    kept = {lang: {w for w in words if _KEEP.match(w)} for lang, words in lists.items()}
    seen: dict[str, int] = {}
    for words in kept.values():
        for w in words:
            seen[w] = seen.get(w, 0) + 1
    return {lang: sorted(w for w in words if seen[w] == 1) for lang, words in kept.items()}


def encode_words(text: str) -> np.ndarray:
    """24 characters of a..x -> (24, 24) float32 one-hot, row = position, column = letter."""
    out = np.zeros((len(text), len(ALPHABET)), np.float32)
    out[np.arange(len(text)), [ALPHABET.index(ch) for ch in text]] = 1.0
    return out


def decode_words(image: np.ndarray) -> list[str]:
    """(1, 24, 24) or (24, 24) one-hot -> the four six-letter words it encodes."""
    rows = np.asarray(image).reshape(WORD_LEN * WORDS_PER_SAMPLE, len(ALPHABET))
    text = "".join(ALPHABET[i] for i in rows.argmax(axis=1))
    return [text[i : i + WORD_LEN] for i in range(0, len(text), WORD_LEN)]


def build_language(
    lists: dict[str, list[str]],
    config: BuildConfig = BuildConfig(),
    words_per_language: tuple[int, int] = (1_500, 700),
    source: str = "word lists",
) -> Built:
    """Build Language from word lists {lang: [words]} (any subset of the paper's ten).

    words_per_language: (train words, test words) drawn per language, disjoint.
    """
    spec = get_spec("language")
    unknown = sorted(set(lists) - set(spec.class_names))
    if unknown:
        raise ValueError(f"unknown languages {unknown}; valid: {list(spec.class_names)}")
    languages = tuple(lang for lang in spec.class_names if lang in lists)
    if len(languages) < 2:
        raise ValueError(f"Language needs word lists for at least 2 languages; found {list(languages)}")
    words = eligible_words({lang: lists[lang] for lang in languages})
    n_train, n_test = words_per_language
    rng = np.random.default_rng(config.seed)
    pools = {}
    for lang in languages:
        if len(words[lang]) < n_train + n_test:
            raise ValueError(
                f"language {lang!r}: needs {n_train + n_test} eligible words (six letters a..x, "
                f"unique to it), found {len(words[lang])}"
            )
        chosen = rng.permutation(words[lang])[: n_train + n_test]
        pools[lang] = {"train": chosen[:n_train], "test": chosen[n_train:]}
    counts = split_counts("language", config.per_class)
    arrays = {}
    for split in ("train", "valid", "test"):
        labels = balanced_labels(len(languages), counts[split], rng)
        x = np.empty((labels.size, 1, 24, 24), np.float32)
        for i, label in enumerate(labels):
            pool = pools[languages[label]]["test" if split == "test" else "train"]
            x[i, 0] = encode_words("".join(rng.choice(pool, WORDS_PER_SAMPLE)))
        arrays[f"{split}_x"], arrays[f"{split}_y"] = x, labels
    missing = [lang for lang in spec.class_names if lang not in languages]
    reduced = [] if (n_train, n_test) == (1_500, 700) else [f"words={n_train}/{n_test}"]
    size = [] if config.per_class is None else [f"per-class={config.per_class}"]
    label = ",".join(([f"{len(languages)}-languages"] if missing else []) + reduced + size)
    provenance = Provenance(
        kind="variant" if label else "faithful",
        variant=label,
        rule=(
            "Language: six-letter a..x words unique to one language; per language "
            f"{n_train} train / {n_test} test words (disjoint); sample = 4 words of one language, "
            "one-hot 24x24 (row = position, column = letter a..x)"
        ),
        source=source,
        seed=config.seed,
        class_names=languages,
        notes=f"missing languages: {missing}" if missing else "",
    )
    return Built(arrays, provenance)
