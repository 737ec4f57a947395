"""A tiny dispatcher shared by the console scripts (`einspace`, `attention-theory`).

Each command module defines `register(subparsers)`, which adds its parser and sets
`func=` to a function taking the parsed namespace and returning an exit code. Command
modules import heavy dependencies inside that function, so `--help` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence


def build_parser(prog: str, description: str, commands: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        importlib.import_module(name).register(subparsers)
    return parser


def run(prog: str, description: str, commands: Sequence[str], argv: list[str] | None) -> int:
    args = build_parser(prog, description, commands).parse_args(argv)
    return int(args.func(args) or 0)
