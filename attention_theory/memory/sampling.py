"""Random keys, values and patterns for the capacity experiments (explicit keys, no global state)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

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
