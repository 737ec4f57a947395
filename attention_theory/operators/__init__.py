"""Continuum attention neural operators: TNO, ViTNO, FANO, the FNO baseline and normalisers.

All operators are Flax NNX modules mapping (B, *grid, C_in) -> (B, *grid, C_out), so the shared
engine (`jitloop.fit`) trains them unchanged.
"""

from attention_theory.operators.attention import ContinuumAttention, continuum_attention
from attention_theory.operators.encoder import PostNormLayer
from attention_theory.operators.fano import FANO
from attention_theory.operators.fno import FNO
from attention_theory.operators.grid import append_coordinates, grid_coordinates, sinusoidal_encoding
from attention_theory.operators.normalizer import Normalized, NormalizerStat, UnitGaussianNormalizer
from attention_theory.operators.patches import (
    PatchAttention,
    SpectralPatchAttention,
    patch_attention,
    patchify,
    unpatchify,
)
from attention_theory.operators.quadrature import integrate, log_weights, trapezoid_weights, uniform_weights
from attention_theory.operators.registry import OPERATORS, OperatorConfig, build_operator
from attention_theory.operators.spectral import SpectralConv1d, SpectralConv2d
from attention_theory.operators.tno import TNO, grid_weights
from attention_theory.operators.vitno import ViTNO

__all__ = [
    "FANO", "FNO", "OPERATORS", "TNO", "ContinuumAttention", "Normalized", "NormalizerStat",
    "OperatorConfig", "PatchAttention", "PostNormLayer", "SpectralConv1d", "SpectralConv2d",
    "SpectralPatchAttention", "UnitGaussianNormalizer", "ViTNO", "append_coordinates", "build_operator",
    "continuum_attention", "grid_coordinates", "grid_weights", "integrate", "log_weights", "patch_attention",
    "patchify", "sinusoidal_encoding", "trapezoid_weights", "uniform_weights", "unpatchify",
]
