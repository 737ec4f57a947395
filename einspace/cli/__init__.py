"""The `einspace` console script: one subcommand per module in COMMANDS (see jitloop.commands)."""

from __future__ import annotations

import sys

from jitloop.commands import run

COMMANDS = (
    "einspace.cli.train",
    "einspace.cli.sample",
    "einspace.cli.show",
    "einspace.cli.seed",
    "einspace.cli.data",
    "einspace.cli.search",
)


def main(argv: list[str] | None = None) -> int:
    return run(
        "einspace",
        "Sample, compile, train and search neural architectures in einspace.",
        COMMANDS,
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
