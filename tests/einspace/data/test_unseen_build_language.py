"""Language builder on tiny word lists the test writes: decode every sample back to four words
of its label's language, word filtering, shared-word removal, disjoint train/test words."""

from __future__ import annotations

import itertools
import os
import shutil

import numpy as np
import pytest

from einspace.data.unseen.build_common import BuildConfig
from einspace.data.unseen.build_language import build_language, decode_words, eligible_words
from einspace.data.unseen.wordlists import gather_wordlists, read_wordlist, system_wordlist

SHARED = "abacab"


def _lists(languages, n=40, seed=0):
    """Random six-letter words per language, plus a shared word and words the rule must drop."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwx"))
    lists = {}
    for lang in languages:
        words = {"".join(rng.choice(letters, 6)) for _ in range(n)}
        lists[lang] = sorted(words) + [SHARED, "Abcdef", "abc'de", "abcdefg", "abyzzz", "ab-cde", "éabcde"]
    return lists


def _check_language_samples(built, lists):
    eligible = eligible_words(lists)
    langs = built.provenance.class_names
    used = {"train": set(), "valid": set(), "test": set()}
    for split in used:
        x, y = built.arrays[f"{split}_x"], built.arrays[f"{split}_y"]
        assert x.shape[1:] == (1, 24, 24) and np.all(x.sum(axis=-1) == 1.0)  # one letter per row
        for image, label in zip(x, y):
            words = decode_words(image)
            assert len(words) == 4
            assert all(w in eligible[langs[label]] for w in words), (words, langs[label])
            used[split].update(words)
    assert not (used["train"] | used["valid"]) & used["test"], "a test word also occurs in train/valid"
    assert SHARED not in used["train"] | used["test"]
    return used


def test_samples_decode_to_words_of_their_language(tmp_path):
    langs = ("en", "nl", "de", "es", "fr", "pt_PT", "sw", "zu", "fi", "sv")
    lists = _lists(langs)
    built = build_language(lists, BuildConfig(per_class=6, seed=2), words_per_language=(20, 8))
    _check_language_samples(built, lists)
    assert built.provenance.class_names == langs
    counts = np.bincount(built.arrays["train_y"], minlength=10)
    assert counts.tolist() == [6] * 10
    assert built.provenance.kind == "variant" and "words=20/8" in built.provenance.variant


def test_filter_keeps_only_unique_six_letter_a_to_x_words():
    eligible = eligible_words({"en": ["abcdef", "Abcdef", "abcdey", SHARED, "abc'de"], "nl": [SHARED, "xxxxxx"]})
    assert eligible == {"en": ["abcdef"], "nl": ["xxxxxx"]}


def test_missing_languages_give_a_labelled_variant_in_paper_order(tmp_path):
    lists = _lists(("sv", "en", "sw"))
    built = build_language(lists, BuildConfig(per_class=3), words_per_language=(20, 8))
    assert built.provenance.class_names == ("en", "sw", "sv")
    assert built.provenance.variant.startswith("3-languages")
    assert "zu" in built.provenance.notes and "fi" in built.provenance.notes
    _check_language_samples(built, lists)


def test_too_few_words_and_unknown_language_are_named():
    many = ["".join(p) for p in itertools.islice(itertools.product("xwvu", repeat=6), 2300)]
    with pytest.raises(ValueError, match=r"language 'de': needs 2200 eligible words .* found \d+"):
        build_language(_lists(("de",)) | {"en": many})
    with pytest.raises(ValueError, match=r"unknown languages \['klingon'\]"):
        build_language({"klingon": ["abcdef"], "en": ["abcdef"]})


def test_wordlists_from_a_directory(tmp_path):
    (tmp_path / "en.txt").write_text("house\nabcdef\n")
    (tmp_path / "sw.txt").write_text("12\nkitabu/AB\nmtotoo/C\n")
    found = gather_wordlists(("en", "sw", "zu"), str(tmp_path), use_system=False)
    assert found == {"en": ["house", "abcdef"], "sw": ["12", "kitabu", "mtotoo"]}
    assert read_wordlist(str(tmp_path / "sw.txt"))[1:] == ["kitabu", "mtotoo"]


@pytest.mark.skipif(shutil.which("aspell") is None, reason="aspell not installed")
def test_system_dictionary_dump_when_available():
    words = system_wordlist("en")
    if words is None:
        pytest.skip("aspell-en not installed")
    assert "houses" in words and len(words) > 10_000
    assert system_wordlist("zu") is None  # Debian has no Zulu list
    if os.path.isfile("/usr/share/hunspell/sw_TZ.dic"):
        assert "kitabu" in system_wordlist("sw")
