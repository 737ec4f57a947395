"""The parameterised grammar as data: rule probabilities and option tables users can edit or load.

    S -> M M | B M A | P M R                    (root_probs)
    M -> M M | B M A | P M R | C                (module_probs; default p(M -> C) = 0.32)
    B, A, P, R, C -> options                    (options[slot], weights; uniform by default)

An option is a registered op name with its int args. Whether it is usable is decided in context
by its shape rule (mode, shape, branching factor); the weights are renormalised over the usable
options. `Grammar.to_json` / `Grammar.from_json` round-trip the whole table.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from einspace.grammar import ops_multi, ops_unary  # noqa: F401  (registers the built-in ops)
from einspace.grammar.ops import AggregateOp, BranchOp, UnaryOp, get_op, has_op, op_names

SLOTS = ("branching", "aggregation", "prerouting", "postrouting", "computation")
MODULE_RULES = ("sequential", "branching", "routing", "computation")
ROOT_RULES = ("sequential", "branching", "routing")
_SLOT_KIND = {"branching": BranchOp, "aggregation": AggregateOp, "prerouting": UnaryOp,
              "postrouting": UnaryOp, "computation": UnaryOp}


@dataclass(frozen=True)
class Option:
    """One terminal choice: op name, int args and an unnormalised weight."""

    op: str
    args: tuple[int, ...] = ()
    weight: float = 1.0


def _probs(name: str, table: dict, keys: tuple[str, ...]) -> dict[str, float]:
    if set(table) != set(keys):
        raise ValueError(f"{name}: keys {sorted(table)} must be exactly {list(keys)}")
    if any(not (v >= 0) for v in table.values()) or not math.isclose(sum(table.values()), 1.0, abs_tol=1e-6):
        raise ValueError(f"{name}={table}: probabilities must be >= 0 and sum to 1")
    return {k: float(table[k]) for k in keys}


@dataclass(frozen=True)
class Grammar:
    """A probabilistic grammar over registered ops (see module docstring).

    name: a label. module_probs: p of each M rule. root_probs: p of each S rule.
    options: slot -> tuple of Option. Validated on construction: every op is registered and of
    the right kind for its slot, and every probability table sums to 1.
    """

    name: str = "einspace-2d"
    module_probs: dict = field(default_factory=dict)
    root_probs: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "module_probs", _probs("module_probs", self.module_probs, MODULE_RULES))
        object.__setattr__(self, "root_probs", _probs("root_probs", self.root_probs, ROOT_RULES))
        if set(self.options) != set(SLOTS):
            raise ValueError(f"options: slots {sorted(self.options)} must be exactly {list(SLOTS)}")
        opts = {}
        for slot in SLOTS:
            converted = tuple(o if isinstance(o, Option) else Option(o[0], tuple(o[1]), *o[2:])
                              for o in self.options[slot])
            for o in converted:
                if not has_op(o.op):
                    raise ValueError(f"options[{slot!r}]: unknown op {o.op!r}; registered: {list(op_names())}")
                if not isinstance(get_op(o.op), _SLOT_KIND[slot]):
                    raise ValueError(f"options[{slot!r}]: op {o.op!r} is a {type(get_op(o.op)).__name__}, "
                                     f"slot needs a {_SLOT_KIND[slot].__name__}")
                if not o.weight >= 0:
                    raise ValueError(f"options[{slot!r}]: {o.op}{o.args} weight={o.weight} must be >= 0")
            if not converted and slot != "branching":
                raise ValueError(f"options[{slot!r}] is empty; every slot except branching needs an option")
            opts[slot] = converted
        object.__setattr__(self, "options", opts)

    def __hash__(self) -> int:  # dict fields: hash the canonical JSON instead
        return hash(self.to_json())

    # ----- editing -----
    def with_p_computation(self, p: float) -> Grammar:
        """p(M -> C) = p; the other M rules keep their ratios and share 1 - p."""
        if not 0 < p <= 1:
            raise ValueError(f"p_computation={p}: must be in (0, 1]")
        rest = {k: v for k, v in self.module_probs.items() if k != "computation"}
        total = sum(rest.values())
        probs = {k: (1 - p) * (v / total if total else 1 / 3) for k, v in rest.items()}
        return replace(self, module_probs={**probs, "computation": p})

    def without_op(self, op: str) -> Grammar:
        """A copy with every option of op `op` removed from every slot."""
        return replace(self, options={s: tuple(o for o in os if o.op != op) for s, os in self.options.items()})

    def with_option(self, slot: str, op: str, args: tuple[int, ...] = (), weight: float = 1.0) -> Grammar:
        """A copy with Option(op, args, weight) appended to `slot`."""
        if slot not in SLOTS:
            raise ValueError(f"slot={slot!r}: valid slots are {list(SLOTS)}")
        opts = dict(self.options)
        opts[slot] = opts[slot] + (Option(op, tuple(args), weight),)
        return replace(self, options=opts)

    @property
    def p_computation(self) -> float:
        return self.module_probs["computation"]

    # ----- serialisation -----
    def to_dict(self) -> dict:
        return {"name": self.name, "module_probs": dict(self.module_probs),
                "root_probs": dict(self.root_probs),
                "options": {s: [[o.op, list(o.args), o.weight] for o in os] for s, os in self.options.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> Grammar:
        return cls(name=d["name"], module_probs=d["module_probs"], root_probs=d["root_probs"],
                   options={s: tuple(Option(o[0], tuple(o[1]), float(o[2])) for o in os)
                            for s, os in d["options"].items()})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Grammar:
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> Grammar:
        return cls.from_json(Path(path).read_text())


def _module_probs(p: float) -> dict[str, float]:
    q = (1 - p) / 3
    return {"sequential": q, "branching": q, "routing": q, "computation": p}


_ROOT = {"sequential": 1 / 3, "branching": 1 / 3, "routing": 1 / 3}


def _branching(dims: tuple[int, ...]) -> tuple[Option, ...]:
    return tuple(Option("clone", (b,)) for b in ops_multi.BRANCH_FACTORS) + tuple(
        Option("group", (d, b)) for d in dims for b in ops_multi.BRANCH_FACTORS)


def _aggregation(dims: tuple[int, ...]) -> tuple[Option, ...]:
    return ((Option("add"),) + tuple(Option("concat", (d,)) for d in dims)
            + (Option("matmul"), Option("scaled_matmul")))


def default_grammar(p_computation: float = 0.32) -> Grammar:
    """The paper's 2-D grammar (Im and Col modes) with the official option lists."""
    permutes = tuple(Option("permute", p) for p in ops_unary.COL_PERMUTES + ops_unary.IM_PERMUTES)
    computation = ((Option("identity"),) + tuple(Option("linear", (d,)) for d in ops_unary.LINEAR_WIDTHS)
                   + (Option("norm"), Option("leakyrelu"), Option("softmax"), Option("posenc")))
    return Grammar(
        name="einspace-2d", module_probs=_module_probs(p_computation), root_probs=dict(_ROOT),
        options={
            "branching": _branching((1, 2, 3)),
            "aggregation": _aggregation((1, 2, 3)),
            "prerouting": (Option("identity"),) + permutes
            + tuple(Option("im2col", c) for c in ops_unary.IM2COL_CONFIGS),
            "postrouting": (Option("identity"),) + permutes + (Option("col2im"),),
            "computation": computation,
        })


CONV1D_KERNELS = (1, 3, 5, 8)
WIDTHS_1D = (32, 64, 128, 256)


def grammar_1d(p_computation: float = 0.32) -> Grammar:
    """The paper's 1-D variant for sequences (S, D): no im2col/col2im, conv1d(k, width) terminals."""
    base = default_grammar(p_computation)
    routing = (Option("identity"), Option("permute", (2, 1)))
    computation = ((Option("identity"),) + tuple(Option("linear", (d,)) for d in WIDTHS_1D)
                   + tuple(Option("conv1d", (k, w)) for k in CONV1D_KERNELS for w in WIDTHS_1D)
                   + (Option("norm"), Option("leakyrelu"), Option("softmax"), Option("posenc")))
    return replace(base, name="einspace-1d", options={
        "branching": _branching((1, 2)), "aggregation": _aggregation((1, 2)),
        "prerouting": routing, "postrouting": routing, "computation": computation})
