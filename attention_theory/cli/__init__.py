"""The `attention-theory` console script: one subcommand per module in COMMANDS (see jitloop.commands)."""

from __future__ import annotations

import sys

from jitloop.commands import run

COMMANDS: tuple[str, ...] = (
    "attention_theory.cli.capacity",
    "attention_theory.cli.pde",
    "attention_theory.cli.operator",
)


def main(argv: list[str] | None = None) -> int:
    return run(
        "attention-theory",
        "Continuum attention neural operators, PDE data, and Hebbian-memory capacity simulations.",
        COMMANDS,
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
