"""einspace: a probabilistic context-free grammar of neural architectures, compiled to Flax NNX."""

from einspace.grammar import (Feature, Grammar, Option, check_consistency, default_grammar,
                              grammar_1d, register_op)
from einspace.tree import (ArchitectureError, Node, ParseError, Tree, canonical_hash, from_json,
                           infer, parse, to_json, to_text)
from einspace.sampler import Limits, SamplingError, sample
from einspace.compiler import build_model, count_params, predicted_params
from einspace.sampler.mutation import mutate
from einspace.sampler.crossover import crossover
from einspace.seeds import seed
from einspace.tree.stats import tree_stats

__all__ = [
    "Feature", "Grammar", "Option", "check_consistency", "default_grammar", "grammar_1d",
    "register_op", "ArchitectureError", "Node", "ParseError", "Tree", "canonical_hash",
    "from_json", "infer", "parse", "to_json", "to_text", "Limits", "SamplingError", "sample",
    "build_model", "count_params", "predicted_params", "mutate", "crossover", "seed", "tree_stats",
]
