"""Lorenz-63 trajectories on any output time grid (Calvello et al., arXiv 2406.06486, Sec. 5.1).

dx = sigma (y - x), dy = x (rho - z) - y, dz = x y - beta z with (sigma, rho, beta) = (10, 28, 8/3);
x0, y0 ~ U(-15, 15), z0 ~ U(0, 40); horizon T = 2. Classical RK4, vectorised over trajectories:
between consecutive output times the interval is split into ceil(delta / max_step) equal steps,
so every output grid (dt 0.005 ... 0.02, or non-uniform) is integrated to the same accuracy.
"""

from __future__ import annotations

import dataclasses

import numpy as np


def lorenz_rhs(state: np.ndarray, sigma: float = 10.0, rho: float = 28.0, beta: float = 8.0 / 3.0) -> np.ndarray:
    """(..., 3) -> (..., 3) time derivative."""
    x, y, z = state[..., 0], state[..., 1], state[..., 2]
    return np.stack([sigma * (y - x), x * (rho - z) - y, x * y - beta * z], axis=-1)


def integrate_lorenz(initial: np.ndarray, times: np.ndarray, max_step: float = 1e-3, **params) -> np.ndarray:
    """RK4 from initial (N, 3) at times[0] to every time in `times` (T,) sorted ascending.

    Returns (N, T, 3) states with out[:, 0] = initial.
    """
    times = np.asarray(times, np.float64)
    if times.ndim != 1 or np.any(np.diff(times) <= 0):
        raise ValueError(f"times must be a strictly increasing 1-D grid; got shape {times.shape}")
    state = np.asarray(initial, np.float64).copy()
    out = np.empty(state.shape[:-1] + (times.size, 3))
    out[..., 0, :] = state
    for i, delta in enumerate(np.diff(times)):
        m = int(np.ceil(delta / max_step - 1e-9))
        h = delta / m
        for _ in range(m):
            k1 = lorenz_rhs(state, **params)
            k2 = lorenz_rhs(state + 0.5 * h * k1, **params)
            k3 = lorenz_rhs(state + 0.5 * h * k2, **params)
            k4 = lorenz_rhs(state + h * k3, **params)
            state = state + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[..., i + 1, :] = state
    return out


@dataclasses.dataclass(frozen=True)
class LorenzConfig:
    """Lorenz-63 data on the uniform grid 0, dt, ..., <= horizon (dt 0.01 -> 201 points on [0, 2])."""

    num_samples: int = 14000
    dt: float = 0.01
    horizon: float = 2.0
    max_step: float = 1e-3
    seed: int = 0

    def __post_init__(self):
        if not 0 < self.dt <= self.horizon:
            raise ValueError(f"LorenzConfig.dt must be in (0, horizon={self.horizon}]; got {self.dt}")
        if self.num_samples < 1:
            raise ValueError(f"LorenzConfig.num_samples must be >= 1; got {self.num_samples}")

    @property
    def times(self) -> np.ndarray:
        return self.dt * np.arange(int(np.floor(self.horizon / self.dt + 1e-9)) + 1)


def sample_lorenz_initial(rng: np.random.Generator, num_samples: int) -> np.ndarray:
    """(N, 3) initial states x, y ~ U(-15, 15), z ~ U(0, 40)."""
    low, high = np.array([-15.0, -15.0, 0.0]), np.array([15.0, 15.0, 40.0])
    return rng.uniform(low, high, (num_samples, 3))


def generate_lorenz(config: LorenzConfig, progress=None) -> dict[str, np.ndarray]:
    """{'t': (T,), 'states': (N, T, 3)} float32; the same seed gives the same initial states at any dt."""
    initial = sample_lorenz_initial(np.random.default_rng(config.seed), config.num_samples)
    states = integrate_lorenz(initial, config.times, config.max_step)
    if progress is not None:
        progress(config.num_samples, config.num_samples)
    return {"t": config.times.astype(np.float32), "states": states.astype(np.float32)}
