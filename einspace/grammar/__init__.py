"""The einspace grammar: features, op specs and registry, the probability table, consistency."""

from einspace.grammar.feature import MODES, Feature, feature_for_input, parse_shape
from einspace.grammar.ops import (AggregateOp, BranchOp, UnaryOp, get_op, has_op, op_names,
                                  register_op)
from einspace.grammar import ops_multi, ops_unary  # noqa: F401  (registers the built-in ops)
from einspace.grammar.grammar import (MODULE_RULES, ROOT_RULES, SLOTS, Grammar, Option,
                                      default_grammar, grammar_1d)
from einspace.grammar.consistency import (Consistency, InconsistentGrammarError,
                                          check_consistency, critical_p_computation,
                                          expectation_matrix)

__all__ = [
    "MODES", "Feature", "feature_for_input", "parse_shape", "AggregateOp", "BranchOp", "UnaryOp",
    "get_op", "has_op", "op_names", "register_op", "MODULE_RULES", "ROOT_RULES", "SLOTS", "Grammar",
    "Option", "default_grammar", "grammar_1d", "Consistency", "InconsistentGrammarError",
    "check_consistency", "critical_p_computation", "expectation_matrix",
]
