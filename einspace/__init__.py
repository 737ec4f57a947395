"""einspace: a probabilistic context-free grammar of neural architectures, compiled to Flax NNX.

    grammar = default_grammar(p_computation=0.32)         # the rule table (editable, JSON)
    tree = sample(grammar, (3, 28, 28), rng, Limits())    # rng: numpy Generator
    text = to_text(tree); parse(text) == tree; canonical_hash(tree)
    infer(tree, (3, 28, 28))                              # symbolic shapes, params, FLOPs
    model = build_model(tree, (3, 28, 28), 10, rngs=nnx.Rngs(0))   # model(x): (B,3,28,28)->(B,10)
    child = mutate(tree, grammar, (3, 28, 28), rng, Limits())
    seed("resnet18"), tree_stats(tree), predicted_params(tree, (3, 28, 28), 10)
"""

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
