"""einspace: a probabilistic context-free grammar of neural architectures, compiled to Flax NNX."""

from einspace.grammar import (Feature, Grammar, Option, check_consistency, default_grammar,
                              grammar_1d, register_op)
from einspace.tree import (ArchitectureError, Node, ParseError, Tree, canonical_hash, from_json,
                           infer, parse, to_json, to_text)
from einspace.sampler import Limits, SamplingError, sample
from einspace.compiler import build_model, count_params, predicted_params

__all__ = [
    "Feature", "Grammar", "Option", "check_consistency", "default_grammar", "grammar_1d",
    "register_op", "ArchitectureError", "Node", "ParseError", "Tree", "canonical_hash",
    "from_json", "infer", "parse", "to_json", "to_text", "Limits", "SamplingError", "sample",
    "build_model", "count_params", "predicted_params",
]
