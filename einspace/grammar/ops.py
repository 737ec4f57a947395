"""Operation specs and the name registry.

Every terminal of the grammar is an operation looked up BY NAME here. A spec carries a symbolic
shape rule (no dummy forward passes), a parameter count, a FLOP count and the array function or
module builder used by the compiler. Three kinds:

- `UnaryOp`: one tensor in, one out (computation, pre-routing and post-routing terminals).
- `BranchOp`: one tensor in, `b` tensors out (clone, group).
- `AggregateOp`: `b` tensors in, one out (add, concat, matmul).

Users add their own operation with `register_op(spec)` (and list it in a Grammar) without
editing the package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from einspace.grammar.feature import Feature

Args = tuple[int, ...]


def _zero(feature: Feature, args: Args) -> int:
    return 0


@dataclass(frozen=True)
class UnaryOp:
    """A one-to-one terminal.

    shape: (in feature, args) -> out feature, or None where the op is not applicable.
    apply: (x of shape (B, *in.shape), args) -> (B, *out.shape); used by stateless ops.
    build: optional (in feature, args, rngs) -> nnx.Module for ops with parameters or state.
    params / flops: per-example counts from (in feature, args).
    moves_data: False for ops that create no new tensor (identity), excluded from activation
      memory.
    needs_grid: col2im only: its args are the (H, W) grid filled in from the matching im2col.
    """

    name: str
    nargs: int
    shape: Callable[[Feature, Args], Feature | None]
    apply: Callable[[Any, Args], Any] | None = None
    build: Callable[[Feature, Args, Any], Any] | None = None
    params: Callable[[Feature, Args], int] = _zero
    flops: Callable[[Feature, Args], int] = _zero
    moves_data: bool = True
    needs_grid: bool = False
    doc: str = ""


@dataclass(frozen=True)
class BranchOp:
    """A one-to-many terminal: `factor(args)` copies of `split(feature, args)` (None: not applicable).

    apply: (x (B, *in.shape), args) -> list of `factor` arrays (B, *inner.shape).
    """

    name: str
    nargs: int
    factor: Callable[[Args], int]
    split: Callable[[Feature, Args], Feature | None]
    apply: Callable[[Any, Args], list]
    doc: str = ""


@dataclass(frozen=True)
class AggregateOp:
    """A many-to-one terminal: `combine(features, args)` -> out feature or None.

    max_arity: the largest branch factor it accepts (matmul: 2).
    apply: (list of arrays, args) -> one array. flops from (features, args).
    """

    name: str
    nargs: int
    combine: Callable[[tuple[Feature, ...], Args], Feature | None]
    apply: Callable[[list, Args], Any]
    flops: Callable[[tuple[Feature, ...], Args], int] = lambda fs, args: 0
    max_arity: int = 8
    doc: str = ""


OpSpec = UnaryOp | BranchOp | AggregateOp
_REGISTRY: dict[str, OpSpec] = {}
NONTERMINALS = ("sequential", "branching", "routing")


def register_op(spec: OpSpec, *, replace: bool = False) -> OpSpec:
    """Add `spec` to the registry under `spec.name`; returns it.

    Raises ValueError when the name is taken (pass replace=True to override) or is a
    non-terminal keyword.
    """
    if spec.name in NONTERMINALS:
        raise ValueError(f"op name {spec.name!r} is reserved for a non-terminal {NONTERMINALS}")
    if spec.name in _REGISTRY and not replace:
        raise ValueError(f"op {spec.name!r} is already registered; pass replace=True to override")
    _REGISTRY[spec.name] = spec
    return spec


def get_op(name: str) -> OpSpec:
    """The spec registered under `name`; KeyError lists the valid names otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}; registered ops: {sorted(_REGISTRY)}") from None


def has_op(name: str) -> bool:
    return name in _REGISTRY


def op_names() -> tuple[str, ...]:
    """All registered op names, sorted."""
    return tuple(sorted(_REGISTRY))
