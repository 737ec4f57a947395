"""Compiling derivation trees into Flax NNX modules."""

from einspace.compiler.build import (as_tree, build_backbone, build_model, count_params,
                                     head_params, predicted_params)
from einspace.compiler.check import check_architecture
from einspace.compiler.dense import (DenseNetwork, adaptive_pool_matrix, build_dense_model,
                                     predicted_dense_params)
from einspace.compiler.describe import describe, sample_many
from einspace.compiler.modules import HEAD_REDUCTIONS, Branching, Network, Routing, Sequential

__all__ = ["as_tree", "build_backbone", "build_model", "count_params", "head_params",
           "predicted_params", "check_architecture", "DenseNetwork", "adaptive_pool_matrix",
           "build_dense_model", "predicted_dense_params", "describe", "sample_many", "HEAD_REDUCTIONS", "Branching", "Network", "Routing", "Sequential"]
