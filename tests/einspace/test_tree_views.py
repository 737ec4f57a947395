"""Statistics, rich printing and drawings of derivation trees."""

from __future__ import annotations

from einspace.tree import draw_png, parse, render, to_dot, tree_stats

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
