"""Feature maps phi for the key/query pathway, looked up by name.

Linear attention replaces exp(q.k) by phi(q).phi(k); the feature size of phi bounds how many
keys can be stored without crosstalk (Schlag, Irie, Schmidhuber 2021, "Linear Transformers Are
Secretly Fast Weight Programmers", section 5). Maps here:

- "identity":      phi(x) = x                                         size d
- "elu_plus_one":  phi(x) = elu(x) + 1  (Katharopoulos et al. 2020)   size d
- "dpfp":          x' = [relu(x), relu(-x)], phi = concat_{j=1..nu} x' * roll(x', j)
                   (Schlag et al. 2021, eq. 31)                        size 2 d nu
- "favor_plus":    phi(x) = exp(W x - ||x||^2 / 2) / sqrt(m), W rows ~ N(0, I)
                   (Choromanski et al. 2021, positive random features)  size m
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

FEATURE_MAPS: tuple[str, ...] = ("identity", "elu_plus_one", "dpfp", "favor_plus")


def _check_name(name: str) -> None:
    if name not in FEATURE_MAPS:
        raise ValueError(f"feature map name={name!r} is unknown; valid names: {FEATURE_MAPS}")


def feature_size(name: str, d: int, *, nu: int = 1, num_features: int | None = None) -> int:
    """Output size of feature map `name` applied to d-dimensional inputs."""
    _check_name(name)
    if name == "dpfp":
        if nu < 1:
            raise ValueError(f"dpfp nu={nu} must be >= 1 (nu = 1..3 in Schlag et al.)")
        return 2 * d * nu
    if name == "favor_plus":
        if num_features is None or num_features < 1:
            raise ValueError(f"favor_plus needs num_features >= 1; got num_features={num_features}")
        return num_features
    return d


def favor_projection(key: jax.Array, d: int, num_features: int) -> jax.Array:
    """Random projection for FAVOR+: (num_features, d), rows i.i.d. N(0, I_d)."""
    return jax.random.normal(key, (num_features, d))


def _identity(x: jax.Array) -> jax.Array:
    return x


def _elu_plus_one(x: jax.Array) -> jax.Array:
    return jax.nn.elu(x) + 1.0


def _dpfp(x: jax.Array, nu: int) -> jax.Array:
    xp = jnp.concatenate([jax.nn.relu(x), jax.nn.relu(-x)], axis=-1)
    return jnp.concatenate([xp * jnp.roll(xp, j, axis=-1) for j in range(1, nu + 1)], axis=-1)


def _favor_plus(x: jax.Array, projection: jax.Array) -> jax.Array:
    m = projection.shape[0]
    wx = x @ projection.T
    return jnp.exp(wx - 0.5 * jnp.sum(x * x, axis=-1, keepdims=True)) / jnp.sqrt(float(m))


def apply_feature_map(
    name: str, x: jax.Array, *, nu: int = 1, projection: jax.Array | None = None
) -> jax.Array:
    """phi(x) for x of shape (..., d); returns (..., feature_size(name, d, ...)).

    `nu` is used by "dpfp"; `projection` (m, d) from `favor_projection` by "favor_plus".
    """
    _check_name(name)
    if name == "dpfp":
        feature_size(name, x.shape[-1], nu=nu)
        return _dpfp(x, nu)
    if name == "favor_plus":
        if projection is None or projection.ndim != 2 or projection.shape[1] != x.shape[-1]:
            raise ValueError(
                "favor_plus needs projection of shape (num_features, d) with d = x.shape[-1]="
                f"{x.shape[-1]}; got {None if projection is None else tuple(projection.shape)}"
            )
        return _favor_plus(x, projection)
    simple: dict[str, Callable[[jax.Array], jax.Array]] = {
        "identity": _identity,
        "elu_plus_one": _elu_plus_one,
    }
    return simple[name](x)
