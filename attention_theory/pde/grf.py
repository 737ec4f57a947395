"""Gaussian random fields used by the FNO data protocol (Li et al., ICLR 2021, Sec. 5).

- Darcy coefficients: g ~ N(0, (-Laplacian + tau^2)^(-alpha)) with Neumann boundary conditions:
  a cosine series with coefficients tau^(alpha-1) (pi^2 |k|^2 + tau^2)^(-alpha/2), the zero mode
  removed, mapped to the grid with an orthonormal inverse DCT-II (FNO's GRF.m, alpha=2, tau=3).
- Periodic fields (Burgers initial data, Navier-Stokes initial vorticity):
  N(0, sigma^2 (-Laplacian + tau^2)^(-alpha)) on the unit torus via the FFT (FNO's GaussianRF).
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sp_fft


def darcy_grf(rng: np.random.Generator, num_samples: int, size: int, alpha: float = 2.0, tau: float = 3.0) -> np.ndarray:
    """(num_samples, size, size) Neumann GRF samples on the size x size grid of [0,1]^2."""
    k1, k2 = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    coef = tau ** (alpha - 1) * (np.pi**2 * (k1**2 + k2**2) + tau**2) ** (-alpha / 2)
    xi = rng.standard_normal((num_samples, size, size))
    spectrum = size * coef[None] * xi
    spectrum[:, 0, 0] = 0.0
    return sp_fft.idctn(spectrum, type=2, norm="ortho", axes=(1, 2))


def periodic_grf(
    rng: np.random.Generator, num_samples: int, size: int, dim: int, alpha: float, tau: float, sigma: float | None = None
) -> np.ndarray:
    """(num_samples, *[size] * dim) samples of N(0, sigma^2 (-Lap + tau^2)^(-alpha)) on [0,1)^dim, zero mean.

    sigma defaults to tau^(alpha - dim/2) (FNO's choice, which makes the field O(1)).
    """
    if dim not in (1, 2):
        raise ValueError(f"periodic_grf dim must be 1 or 2; got {dim}")
    sigma = tau ** (0.5 * (2 * alpha - dim)) if sigma is None else sigma
    k = np.fft.fftfreq(size, d=1.0 / size)
    grids = np.meshgrid(*([k] * dim), indexing="ij")
    k2 = sum(g**2 for g in grids)
    sqrt_eig = size**dim * np.sqrt(2.0) * sigma * (4 * np.pi**2 * k2 + tau**2) ** (-alpha / 2)
    sqrt_eig[(0,) * dim] = 0.0
    shape = (num_samples,) + (size,) * dim
    coeff = sqrt_eig[None] * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
    return np.real(np.fft.ifftn(coeff, axes=tuple(range(1, dim + 1))))
