"""Rich pretty printing of a derivation tree with the feature shape at every node."""

from __future__ import annotations

import io

from rich.console import Console
from rich.tree import Tree as RichTree

from einspace.tree.infer import infer
from einspace.tree.node import Node


def _label(node: Node) -> str:
    if node.children:
        return f"[bold]{node.op}[/bold]"
    args = f"({', '.join(map(str, node.args))})" if node.args else ""
    return f"[cyan]{node.op}{args}[/cyan]"


def rich_tree(tree: Node, input_shape: tuple[int, ...] | None = None) -> RichTree:
    """A rich Tree; with `input_shape`, each node shows `in -> out` and its subtree's params."""
    infos = {i.path: i for i in infer(tree, input_shape).nodes} if input_shape is not None else {}

    def label(path, node):
        text = _label(node)
        info = infos.get(path)
        if info is not None:
            text += f"  [dim]{info.inp} -> {info.out}[/dim]"
            if info.params:
                text += f"  [green]{info.params:,} params[/green]"
        return text

    root = RichTree(label((), tree))
    stack = [(root, (), tree)]
    while stack:
        parent, path, node = stack.pop()
        for i, c in enumerate(node.children):
            branch = parent.add(label(path + (i,), c))
            stack.append((branch, path + (i,), c))
    return root


def render(tree: Node, input_shape: tuple[int, ...] | None = None, width: int = 120) -> str:
    """The rich tree as plain text (for logs and tests)."""
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(rich_tree(tree, input_shape))
    return console.export_text()
