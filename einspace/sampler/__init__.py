"""Sampling architectures from the grammar (valid by construction, limits enforced while sampling)."""

from einspace.sampler.limits import Limits
from einspace.sampler.sampler import Sampler, SamplingError, sample

__all__ = ["Limits", "Sampler", "SamplingError", "sample"]
