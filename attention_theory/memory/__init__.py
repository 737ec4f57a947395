"""Associative memories: learning rules, feature maps, readouts, softmax (modern Hopfield) and chains."""

from attention_theory.memory.chains import (
    HEAD_READOUTS,
    chain_fails,
    layer_fails,
    optimal_heads,
    theorem9_bound,
)
from attention_theory.memory.feature_maps import (
    FEATURE_MAPS,
    apply_feature_map,
    favor_projection,
    feature_size,
)
from attention_theory.memory.readouts import (
    NORMS,
    bit_errors,
    nearest_neighbour,
    normalize,
    relative_error,
    threshold_fails,
)
from attention_theory.memory.rules import (
    RULES,
    MemoryState,
    RuleConfig,
    RuleParams,
    hebbian_matrix,
    init_memory,
    retrieve,
    rule_step,
    rule_step_switch,
    write,
)
from attention_theory.memory.sampling import (
    correlated_keys,
    masked_unit_sphere,
    orthonormal_keys,
    rademacher,
    unit_sphere,
)
from attention_theory.memory.softmax_memory import hopfield_update, softmax_retrieve

__all__ = [
    "FEATURE_MAPS",
    "HEAD_READOUTS",
    "NORMS",
    "RULES",
    "MemoryState",
    "RuleConfig",
    "RuleParams",
    "apply_feature_map",
    "bit_errors",
    "chain_fails",
    "correlated_keys",
    "favor_projection",
    "feature_size",
    "hebbian_matrix",
    "hopfield_update",
    "init_memory",
    "layer_fails",
    "masked_unit_sphere",
    "nearest_neighbour",
    "normalize",
    "optimal_heads",
    "orthonormal_keys",
    "rademacher",
    "relative_error",
    "retrieve",
    "rule_step",
    "rule_step_switch",
    "softmax_retrieve",
    "theorem9_bound",
    "threshold_fails",
    "unit_sphere",
    "write",
]
