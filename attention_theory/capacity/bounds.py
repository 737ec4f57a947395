"""Closed-form predictions of the capacity theory (Qiao, arXiv 2508.08289, Theorem 6 and notes).

All take plain floats/arrays and return numpy arrays, for overlaying on measured curves.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr


def noise_power(n, d_k) -> np.ndarray:
    """P_N = (n - 1)/d_k: mean crosstalk power for unit keys/values, exact query."""
    return (np.asarray(n, float) - 1.0) / np.asarray(d_k, float)


def markov_item_bound(n, d_k, delta: float) -> np.ndarray:
    """P(item fails) <= (n - 1)/(delta d_k), clipped to 1."""
    return np.minimum(1.0, noise_power(n, d_k) / delta)


def union_bound(n, d_k, delta: float) -> np.ndarray:
    """P(any of n items fails) <= n (n - 1)/(delta d_k), clipped to 1."""
    return np.minimum(1.0, np.asarray(n, float) * noise_power(n, d_k) / delta)


def sqrt_capacity(d_k, delta: float, eps: float) -> np.ndarray:
    """The theorem's high-probability capacity n < sqrt(eps delta d_k)."""
    return np.sqrt(eps * delta * np.asarray(d_k, float))


def concentration_capacity(d_k, delta: float) -> np.ndarray:
    """Where the concentrated noise power (n-1)/d_k reaches delta: n = 1 + delta d_k."""
    return 1.0 + delta * np.asarray(d_k, float)


def gaussian_item_failure(n, d_k, d_v, delta: float) -> np.ndarray:
    """P(||r_noise||^2 >= delta) with ||r_noise||^2 ~ Normal(mu, sigma^2), mu = (n-1)/d_k and
    sigma^2 = 2 (n-1)/d_k^2 + 2 (n-1)(n-2)/(d_k^2 d_v) (squares of N(0, 1/d_k) crosstalk
    coefficients plus the cross terms between different unit values)."""
    n = np.asarray(n, float)
    mu = noise_power(n, d_k)
    var = 2.0 * (n - 1.0) / np.asarray(d_k, float) ** 2 * (1.0 + (n - 2.0) / d_v)
    sigma = np.sqrt(np.maximum(var, 1e-30))
    return ndtr((mu - delta) / sigma)


def sign_bit_error(n, d_k) -> np.ndarray:
    """Sign readout of binary values: P(bit error) = Phi(-sqrt(d_k/(n-1)))."""
    n = np.asarray(n, float)
    return ndtr(-np.sqrt(np.asarray(d_k, float) / np.maximum(n - 1.0, 1e-12)))


def sign_capacity(d_k, delta: float) -> float:
    """Bits decoded with error <= delta up to n ~ 1 + d_k/(2 ln(1/delta))."""
    return 1.0 + float(d_k) / (2.0 * math.log(1.0 / delta))


def hopfield_alpha_c() -> float:
    """Amit, Gutfreund, Sompolinsky (1985): alpha_c = P_max/N = 0.137906 for random +-1 patterns."""
    return 0.137906
