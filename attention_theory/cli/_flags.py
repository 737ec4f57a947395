"""Argparse flags generated from a frozen config dataclass: one `--field-name` per field."""

from __future__ import annotations

import argparse
import dataclasses


def _tuple_parser(item_type):
    def parse(text: str):
        try:
            return tuple(item_type(x) for x in text.split(",") if x.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {item_type.__name__} values; got {text!r}") from None

    return parse


def add_config_flags(parser: argparse.ArgumentParser, config_type, prefix: str = "") -> None:
    """Add --<field> for every field of config_type (default None = keep the config default)."""
    defaults = config_type()
    for field in dataclasses.fields(config_type):
        value = getattr(defaults, field.name)
        if isinstance(value, bool):
            kind = lambda s: s.lower() in ("1", "true", "yes")  # noqa: E731
        elif isinstance(value, tuple):
            kind = _tuple_parser(type(value[0]) if value else str)
        else:
            kind = type(value)
        parser.add_argument(
            f"--{prefix}{field.name.replace('_', '-')}", dest=f"{prefix}{field.name}", type=kind, default=None,
            help=f"default {value!r}",
        )


def config_from_args(config_type, args: argparse.Namespace, base=None, prefix: str = ""):
    """base (or the default config) with every flag that was given replaced."""
    base = config_type() if base is None else base
    changes = {
        f.name: getattr(args, f"{prefix}{f.name}")
        for f in dataclasses.fields(config_type)
        if getattr(args, f"{prefix}{f.name}", None) is not None
    }
    return dataclasses.replace(base, **changes)
