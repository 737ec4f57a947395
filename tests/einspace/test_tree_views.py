"""Statistics, rich printing and drawings of derivation trees."""

from __future__ import annotations

from einspace.tree import draw_png, parse, render, to_dot, tree_stats
from einspace.tree.stats import official_stats

TEXT = ("sequential(routing(im2col(3, 1, 1), linear(64), col2im), "
        "branching(clone(4), sequential(norm, leakyrelu), concat(1)))")


def test_stats_count_by_hand():
    s = tree_stats(parse(TEXT), (3, 8, 8))
    assert (s.terminals, s.nonterminals, s.depth) == (7, 4, 3)
    assert s.branching_factor == (2 + 3 + 3 + 2) / 4
    assert s.op_counts["linear"] == 1 and s.op_counts["clone"] == 1
    # conv 27*64 + 64; four norm copies of 2*64 each
    assert s.params == 27 * 64 + 64 + 4 * 128
    # linear: 2 * 64 rows * 27 * 64
    assert s.flops >= 2 * 64 * 27 * 64


def test_rich_render_shows_shapes_and_params():
    text = render(parse(TEXT), (3, 8, 8))
    assert "im(3x8x8) -> im(256x8x8)" in text
    assert "col(64x27) -> col(64x64)" in text
    assert "1,792 params" in text


def test_dot_and_png(tmp_path):
    dot = to_dot(parse(TEXT), (3, 8, 8))
    assert dot.startswith("digraph") and dot.count("->") == 10
    assert 'label="concat(1)\\nim(256x8x8)"' in dot
    png = draw_png(parse(TEXT), tmp_path / "t.png", (3, 8, 8))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stats_can_count_repeated_branches_as_the_official_dicts_do():
    t = parse("branching(clone(4), sequential(relu, branching(clone(2), norm, relu, add)), add)")
    plain = tree_stats(t)
    expanded = tree_stats(t, expand_repeats=True)
    assert (plain.terminals, plain.nonterminals) == (7, 3)
    assert (expanded.terminals, expanded.nonterminals) == (2 + 4 * 5, 1 + 4 * 2)
    assert expanded.op_counts["relu"] == 8


def test_official_stats_count_as_the_official_dicts_by_hand():
    # Official dicts: 4 deep copies of the repeated module, a computation_module non-terminal
    # around every C, terminals one level below their module (C two), input branching factors
    # propagated as its sampler records them (a sequential passes its own input factor to both
    # halves; an aggregation outputs 1).
    t = parse("branching(clone(4), sequential(relu, branching(clone(2), norm, relu, add)), add)")
    s = official_stats(t)
    # clone4, 4 x (relu, clone2, norm, relu, add), add
    assert s.terminals == 1 + 4 * 5 + 1
    # branching, 4 x (sequential, relu wrapper, branching, norm wrapper, relu wrapper)
    assert s.nonterminals == 1 + 4 * 5
    assert s.depth == 4  # root 0 -> sequential 1 -> branching 2 -> norm wrapper 3 -> norm 4
    # bf: clone4 1; relu 4 (x4); clone2 4 (x4); norm, relu 2 (x4 each); inner add 2 (x4); add 1
    assert s.branching_factor == (1 + 16 + 16 + 8 + 8 + 8 + 1) / 22
    assert s.arity_mismatches == 1  # the 4-way aggregation reads factor 1 from the inner add


def test_official_stats_of_a_lone_routing_and_the_nested_factor_reset():
    s = official_stats(parse("routing(identity, linear(16), identity)"))
    assert (s.terminals, s.nonterminals, s.depth, s.branching_factor) == (3, 2, 2, 1.0)
    # the outer aggregation reads the inner module's output factor: 1 after the inner add
    t = parse("branching(clone(8), branching(clone(2), relu, relu, add), add)")
    s = official_stats(t)
    assert s.terminals == 1 + 8 * 4 + 1
    assert s.branching_factor == (1 + 8 * (8 + 2 + 2 + 2) + 1) / 34
    assert s.arity_mismatches == 1  # the outer 8-way aggregation sees factor 1
    assert official_stats(parse("branching(clone(4), relu, add)")).arity_mismatches == 0
