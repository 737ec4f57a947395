"""Sampling architectures from the grammar (valid by construction, limits enforced while sampling)."""

from einspace.sampler.limits import Limits
from einspace.sampler.sampler import Sampler, SamplingError, sample
from einspace.sampler.mutation import Mutant, MutationError, mutate, propose_mutation
from einspace.sampler.crossover import CrossoverError, compatible_pairs, crossover

__all__ = ["Limits", "Sampler", "SamplingError", "sample", "Mutant", "MutationError", "mutate", "propose_mutation",
           "CrossoverError", "compatible_pairs", "crossover"]
