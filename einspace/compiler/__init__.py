"""Compiling derivation trees into Flax NNX modules."""

from einspace.compiler.build import (as_tree, build_backbone, build_model, count_params,
                                     head_params, predicted_params)
from einspace.compiler.modules import HEAD_REDUCTIONS, Branching, Network, Routing, Sequential

__all__ = ["as_tree", "build_backbone", "build_model", "count_params", "head_params",
           "predicted_params", "HEAD_REDUCTIONS", "Branching", "Network", "Routing", "Sequential"]
