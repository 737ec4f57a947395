"""Consistency of the PCFG (Chi 1999): derivations are finite with probability 1 only when the
spectral radius of the non-terminal expectation matrix is below 1; the expected size then solves
a linear system.

Non-terminals tracked: S (root) and M (module); B, A, P, R, C expand to one terminal each.
E[S -> M] and E[M -> M] count the M children of one expansion; a branch of factor 2 has two
independent inner M, factors 4 and 8 one repeated M (the derivation holds it once).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from einspace.grammar.grammar import Grammar
from einspace.grammar.ops import get_op


class InconsistentGrammarError(ValueError):
    """The grammar's derivations are infinite with positive probability."""


@dataclass(frozen=True)
class Consistency:
    """spectral_radius of the expectation matrix; expected derivation nodes and terminals from S."""

    spectral_radius: float
    expected_nodes: float
    expected_terminals: float


def _inner_modules(grammar: Grammar) -> float:
    opts = grammar.options["branching"]
    total = sum(o.weight for o in opts)
    if total == 0:
        return 0.0
    return sum(o.weight * (2 if get_op(o.op).factor(o.args) == 2 else 1) for o in opts) / total


def expectation_matrix(grammar: Grammar) -> np.ndarray:
    """2x2 matrix E[i, j] = expected number of j produced by one expansion of i, order (S, M)."""
    inner = _inner_modules(grammar)

    def children(p: dict) -> float:
        return 2 * p["sequential"] + inner * p["branching"] + p["routing"]

    root = dict(grammar.root_probs)
    return np.array([[0.0, children(root)], [0.0, children(grammar.module_probs)]])


def check_consistency(grammar: Grammar) -> Consistency:
    """Spectral radius and expected size; raises InconsistentGrammarError when radius >= 1."""
    e = expectation_matrix(grammar)
    radius = float(np.max(np.abs(np.linalg.eigvals(e))))
    if radius >= 1.0:
        raise InconsistentGrammarError(
            f"grammar {grammar.name!r} with p(M -> C)={grammar.p_computation:.4f} is inconsistent: spectral "
            f"radius {radius:.4f} >= threshold 1.0, so the expected derivation size is infinite; "
            f"raise p(M -> C) (critical value {critical_p_computation(grammar):.4f})")
    m, r = grammar.module_probs, grammar.root_probs
    # Own nodes / terminals per expansion (C: 1 terminal node; branching/routing: node + 2 terminals).
    nodes_own = np.array([r["sequential"] + 3 * (r["branching"] + r["routing"]),
                          m["computation"] + m["sequential"] + 3 * (m["branching"] + m["routing"])])
    terms_own = np.array([2 * (r["branching"] + r["routing"]),
                          m["computation"] + 2 * (m["branching"] + m["routing"])])
    solve = np.linalg.inv(np.eye(2) - e)
    return Consistency(radius, float((solve @ nodes_own)[0]), float((solve @ terms_own)[0]))


def critical_p_computation(grammar: Grammar) -> float:
    """The p(M -> C) at which the radius reaches 1 (other M rules keeping their ratios)."""
    m = grammar.module_probs
    rest = 1 - m["computation"]
    if rest == 0:
        return 0.0
    per_unit = (2 * m["sequential"] + _inner_modules(grammar) * m["branching"] + m["routing"]) / rest
    return max(0.0, 1 - 1 / per_unit) if per_unit > 0 else 0.0
