"""Parameter initialisers that draw on the host, seeded from the module's jax key.

A search builds hundreds of models whose parameters have shapes never seen before. JAX's eager
initialisers compile one XLA program per new shape (lecun_normal: about 0.3 s each on a 2-core
CPU), and `jnp.asarray` of a host array compiles one too; together they were most of a digits
candidate's model construction (16 candidates: 5.9 s; with these initialisers 0.5 s). These
draw with numpy and `jax.device_put` the result, which compiles nothing.

The distributions are flax's defaults (the kernel: lecun_normal = a normal truncated at two
standard deviations, scaled to variance 1/fan_in; biases and norm offsets zero, norm scales one);
the draws are numpy's, a deterministic function of the key. Under a transformation (eval_shape,
jit, vmap: the key is a tracer) they fall back to flax's own initialisers, which trace.
"""

from __future__ import annotations

import math

import jax
import numpy as np
from flax import nnx

# The standard deviation of a unit normal truncated to [-2, 2] (flax's variance_scaling constant).
_TRUNCATED_STD = 0.87962566103423978


def host_rng(key: jax.Array) -> np.random.Generator:
    """A numpy Generator seeded with the bits of a jax key (any PRNG implementation)."""
    return np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel().tolist())


def _truncated_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    z = rng.standard_normal(n)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return z


def _traced(key: jax.Array) -> bool:
    return isinstance(key, jax.core.Tracer)


def lecun_normal(key: jax.Array, shape: tuple[int, ...], dtype=np.float32) -> jax.Array:
    """Truncated normal with variance 1/fan_in, fan_in = prod(shape[:-1]) (a Linear's (in, out))."""
    if _traced(key):
        return nnx.initializers.lecun_normal()(key, shape, dtype)
    fan_in = math.prod(shape[:-1]) or 1
    z = _truncated_normal(host_rng(key), math.prod(shape))
    return jax.device_put((z * (math.sqrt(1.0 / fan_in) / _TRUNCATED_STD)).reshape(shape).astype(dtype))


def normal(stddev: float):
    """Normal(0, stddev^2) initialiser."""

    def init(key: jax.Array, shape: tuple[int, ...], dtype=np.float32) -> jax.Array:
        if _traced(key):
            return nnx.initializers.normal(stddev)(key, shape, dtype)
        return jax.device_put((stddev * host_rng(key).standard_normal(shape)).astype(dtype))

    return init


def zeros(key: jax.Array, shape: tuple[int, ...], dtype=np.float32) -> jax.Array:
    if _traced(key):
        return nnx.initializers.zeros(key, shape, dtype)
    return jax.device_put(np.zeros(shape, dtype))


def ones(key: jax.Array, shape: tuple[int, ...], dtype=np.float32) -> jax.Array:
    if _traced(key):
        return nnx.initializers.ones(key, shape, dtype)
    return jax.device_put(np.ones(shape, dtype))


# Keyword arguments for flax layers: Linear, and BatchNorm / LayerNorm.
LINEAR = {"kernel_init": lecun_normal, "bias_init": zeros}
NORM = {"scale_init": ones, "bias_init": zeros}
