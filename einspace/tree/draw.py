"""Drawings of a derivation tree: Graphviz DOT text, and a PNG rendered with matplotlib only
(no system graphviz needed)."""

from __future__ import annotations

from pathlib import Path

from einspace.tree.infer import infer
from einspace.tree.node import Node


def _name(node: Node) -> str:
    return f"{node.op}({', '.join(map(str, node.args))})" if node.args else node.op


def _labels(tree: Node, input_shape) -> dict:
    infos = {i.path: i for i in infer(tree, input_shape).nodes} if input_shape is not None else {}
    out = {}
    for path, node in tree.walk():
        info = infos.get(path)
        out[path] = _name(node) + (f"\\n{info.out}" if info is not None else "")
    return out


def to_dot(tree: Node, input_shape: tuple[int, ...] | None = None) -> str:
    """DOT text: one node per derivation node (with its output feature when input_shape given)."""
    labels = _labels(tree, input_shape)
    ids = {path: f"n{i}" for i, (path, _) in enumerate(tree.walk())}
    lines = ["digraph einspace {", "  node [shape=box, fontname=monospace];"]
    for path, node in tree.walk():
        shape = ", style=rounded" if node.children else ""
        lines.append(f'  {ids[path]} [label="{labels[path]}"{shape}];')
        for i in range(len(node.children)):
            lines.append(f"  {ids[path]} -> {ids[path + (i,)]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def layout(tree: Node) -> dict:
    """path -> (x, y): leaves at consecutive x, parents centred over children, y = -depth."""
    pos: dict = {}
    next_x = [0]

    def place(path, node, depth):
        if not node.children:
            pos[path] = (float(next_x[0]), -float(depth))
            next_x[0] += 1
            return
        for i, c in enumerate(node.children):
            place(path + (i,), c, depth + 1)
        xs = [pos[path + (i,)][0] for i in range(len(node.children))]
        pos[path] = ((min(xs) + max(xs)) / 2, -float(depth))

    place((), tree, 0)
    return pos


def draw_png(tree: Node, path: str | Path, input_shape: tuple[int, ...] | None = None,
             dpi: int = 100) -> Path:
    """Render the tree to a PNG at `path` with matplotlib (Agg); returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pos = layout(tree)
    labels = {p: s.replace("\\n", "\n") for p, s in _labels(tree, input_shape).items()}
    width = max(p[0] for p in pos.values()) + 1
    depth = -min(p[1] for p in pos.values()) + 1
    fig, ax = plt.subplots(figsize=(min(60, 1.6 * width + 1), min(60, 1.0 * depth + 1)))
    for p, node in tree.walk():
        for i in range(len(node.children)):
            (x0, y0), (x1, y1) = pos[p], pos[p + (i,)]
            ax.plot([x0, x1], [y0, y1], color="0.6", lw=0.8, zorder=1)
    for p, node in tree.walk():
        x, y = pos[p]
        ax.text(x, y, labels[p], ha="center", va="center", fontsize=7, family="monospace", zorder=2,
                bbox={"boxstyle": "round" if node.children else "square", "fc": "white",
                      "ec": "0.3" if node.children else "tab:blue"})
    ax.set_xlim(-1, width)
    ax.set_ylim(-depth, 1)
    ax.axis("off")
    path = Path(path)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path
