"""Linear attention (sum rule and delta rule, optionally gated) in recurrent, parallel and chunkwise forms."""

from attention_theory.linear_attention.causal import (
    causal_decay_mask,
    linear_attention_chunkwise,
    linear_attention_parallel,
    linear_attention_recurrent,
    with_normalizer,
)
from attention_theory.linear_attention.delta import (
    delta_rule_chunkwise,
    delta_rule_recurrent,
    unit_lower_inverse,
    wy_representation,
)
from attention_theory.linear_attention.mixer import MIXERS, CausalMixer, FixedArray

__all__ = [
    "MIXERS",
    "CausalMixer",
    "FixedArray",
    "causal_decay_mask",
    "delta_rule_chunkwise",
    "delta_rule_recurrent",
    "linear_attention_chunkwise",
    "linear_attention_parallel",
    "linear_attention_recurrent",
    "unit_lower_inverse",
    "with_normalizer",
    "wy_representation",
]
