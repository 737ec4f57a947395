"""Reading an architecture from whatever a user types: a seed name, a file, or bracket text."""

from __future__ import annotations

from pathlib import Path

from einspace.tree.node import Node
from einspace.tree.text import from_json, parse


def read_architecture(arg: str, input_shape: tuple[int, ...] | None = None) -> Node:
    """A tree from a seed name (see einspace.seeds.SEEDS), a file holding bracket text or tree
    JSON, or bracket text itself. Raises ParseError (with position) for malformed text."""
    from einspace.seeds import SEEDS, seed

    if arg in SEEDS:
        return seed(arg, input_shape)
    if len(arg) < 4096 and "(" not in arg and Path(arg).is_file():
        text = Path(arg).read_text().strip()
        return from_json(text) if text.startswith("{") else parse(text)
    return parse(arg)
