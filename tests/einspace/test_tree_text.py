"""Derivation trees: canonical text, JSON, hash, parse errors with position and expected token."""

from __future__ import annotations

import numpy as np
import pytest

from einspace.grammar import default_grammar
from einspace.sampler import Limits, sample
from einspace.tree import (ArchitectureError, ParseError, canonical_hash, from_json, infer, parse,
                           to_json, to_text)

TEXT = ("sequential(routing(im2col(3, 1, 1), linear(64), col2im), "
        "branching(clone(4), sequential(norm, leakyrelu), concat(1)))")


def test_canonical_text_round_trip_and_whitespace_insensitivity():
    t = parse(TEXT)
    assert to_text(t) == TEXT
    assert parse(TEXT.replace(", ", ",").replace("(", " ( ")) == t


@pytest.mark.parametrize("seed", range(3))
def test_sampled_trees_round_trip_text_and_json(seed):
    rng = np.random.default_rng(seed)
    for _ in range(30):
        t = sample(default_grammar(0.5), (3, 16, 16), rng, Limits(max_nodes=80))
        assert parse(to_text(t)) == t
        assert from_json(to_json(t)) == t
        assert canonical_hash(parse(to_text(t))) == canonical_hash(t)


def test_hash_distinguishes_trees():
    a = parse("sequential(linear(8), relu)")
    b = parse("sequential(linear(16), relu)")
    assert canonical_hash(a) != canonical_hash(b)
    assert len(canonical_hash(a)) == 16


@pytest.mark.parametrize("text,position,expected", [
    ("sequential(linear(8) relu)", 21, "',' or ')'"),
    ("sequential(linear(8), lenear(3))", 22, "a known op name"),
    ("linear(", 7, "an integer or an op name"),
    ("relu)", 4, "end of input"),
    ("sequential(relu)", 0, "sequential with 2 children"),
    ("linear(relu)", 0, "integer arguments"),
    ("(relu)", 0, "an op name"),
    ("linear(8$)", 8, "',' or ')'"),
])
def test_malformed_text_reports_position_and_expected_token(text, position, expected):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.position == position
    assert expected in info.value.expected
    assert f"position {position}" in str(info.value)


@pytest.mark.parametrize("text,match", [
    ("sequential(im2col(3, 1, 1), col2im)", "col2im must be the post-routing"),
    ("branching(clone(2), relu, add)", "branch factor 2 needs 2 inner"),
    ("branching(clone(4), relu, relu, add)", "branch factor 4 needs 1 inner"),
    ("branching(clone(2), linear(4), linear(5), add)", "cannot aggregate 2"),
    ("branching(clone(4), relu, matmul)", "cannot aggregate 4"),
    ("routing(im2col(16, 16, 0), relu, identity)", r"not applicable to input im\(3x8x8\)"),
    ("linear(1, 2)", "takes 1 int args"),
])
def test_invalid_architectures_name_the_node_and_shapes(text, match):
    with pytest.raises(ArchitectureError, match=match):
        infer(parse(text), (3, 8, 8))


def test_json_with_bad_node_is_refused():
    with pytest.raises(ValueError, match="expected an object with an 'op' field"):
        from_json({"children": []})
