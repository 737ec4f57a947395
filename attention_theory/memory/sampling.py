"""Random keys, values and patterns for the capacity experiments (explicit keys, no global state)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.random import threefry_2x32

# Key implementations a Monte Carlo config may name (jax.random.key(seed, impl=...)). Recorded in
# every config so a run is reproducible: the same seed gives different draws under each impl.
PRNG_IMPLS: tuple[str, ...] = ("threefry2x32", "threefry4x32", "philox2x32", "philox4x32", "rbg", "unsafe_rbg")


def check_prng_impl(impl: str, field: str = "prng_impl") -> None:
    """Raise, naming `field`, unless impl is one of PRNG_IMPLS."""
    if impl not in PRNG_IMPLS:
        raise ValueError(f"{field}={impl!r} is not a PRNG implementation; valid: {PRNG_IMPLS}")


def root_key(seed: int, impl: str = "threefry2x32") -> jax.Array:
    """The root key of a Monte Carlo run: jax.random.key(seed, impl=impl), impl checked."""
    check_prng_impl(impl)
    return jax.random.key(seed, impl=impl)


def unit_sphere(key: jax.Array, n: int, d: int, dtype=jnp.float32) -> jax.Array:
    """n points i.i.d. uniform on the unit sphere S^{d-1}: (n, d)."""
    g = jax.random.normal(key, (n, d), dtype)
    return g / jnp.linalg.norm(g, axis=-1, keepdims=True)


def threefry_normal(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Float32 standard normals (shape) using BOTH 32-bit words of every threefry2x32 hash.

    jax.random.normal under the default jax_threefry_partitionable=True spends one 2x32 hash per
    32-bit output (it XORs the two words); the original threefry stream keeps both, half the
    hashing, and hashing is nearly all of the sampling cost on CPU (measured 60 -> 30 CPU-us per
    16k normals). The result equals jax.random.normal(key, shape) under
    jax.threefry_partitionable(False) bit for bit (same uniform and erf_inv transform). Keys of
    another implementation fall back to jax.random.normal.
    """
    if str(jax.random.key_impl(key)) != "threefry2x32":
        return jax.random.normal(key, shape, jnp.float32)
    counts = jax.lax.iota(jnp.uint32, math.prod(shape))
    bits = threefry_2x32(jax.random.key_data(key), counts).reshape(shape)
    # uniform [0, 1) from the top 23 bits as a float32 mantissa, then (-1, 1) as in jax.random.normal
    one = np.array(1.0, np.float32).view(np.uint32)
    unit = jax.lax.bitcast_convert_type((bits >> 9) | one, jnp.float32) - 1.0
    lo = np.nextafter(np.float32(-1.0), np.float32(0.0))
    u = jnp.maximum(lo, unit * (np.float32(1.0) - lo) + lo)
    return np.float32(np.sqrt(2.0)) * jax.lax.erf_inv(u)


def masked_unit_sphere(key: jax.Array, n: int, d_max: int, d: jax.Array) -> jax.Array:
    """Uniform unit vectors in the first d of d_max coordinates (zeros after): (n, d_max).

    `d` may be traced, so one compiled program covers several dimensions.
    """
    g = jax.random.normal(key, (n, d_max)) * (jnp.arange(d_max) < d)[None, :]
    return g / jnp.linalg.norm(g, axis=-1, keepdims=True)


def correlated_keys(key: jax.Array, n: int, d: int, rho: float) -> jax.Array:
    """Unit keys with pairwise correlation ~rho: normalise(sqrt(rho) u + sqrt(1 - rho) g_j), (n, d)."""
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"correlated_keys rho={rho} must lie in [0, 1)")
    ku, kg = jax.random.split(key)
    u = unit_sphere(ku, 1, d)
    g = unit_sphere(kg, n, d)
    x = jnp.sqrt(rho) * u + jnp.sqrt(1.0 - rho) * g
    return x / jnp.linalg.norm(x, axis=-1, keepdims=True)


def orthonormal_keys(key: jax.Array, n: int, d: int) -> jax.Array:
    """n <= d orthonormal rows (n, d) from the QR factor of a Gaussian matrix."""
    if n > d:
        raise ValueError(f"orthonormal_keys needs n <= d; got n={n}, d={d}")
    q, _ = jnp.linalg.qr(jax.random.normal(key, (d, n)))
    return q.T


def rademacher(key: jax.Array, n: int, d: int) -> jax.Array:
    """n random +-1 patterns (n, d) (Hopfield patterns)."""
    return jnp.where(jax.random.bernoulli(key, 0.5, (n, d)), 1.0, -1.0)
