"""1-D viscous Burgers u_t + (u^2/2)_x = nu u_xx on the periodic unit interval (FNO's protocol).

Fourier pseudo-spectral in space with 2/3-rule dealiasing of the flux; in time, the
integrating-factor fourth-order Runge-Kutta scheme (Trefethen, Spectral Methods in MATLAB, p27):
the stiff diffusion is integrated exactly, the flux with RK4. Initial data
u0 ~ N(0, 625 (-Lap + 25)^(-2)); the task maps u0 -> u(., 1) at nu = 0.1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.pde.grf import periodic_grf


@partial(jax.jit, static_argnames=("num_steps",))
def solve_burgers(u0: jax.Array, nu: float, horizon: float, num_steps: int) -> jax.Array:
    """u0: (B, s) on x_j = j/s -> u(., horizon): (B, s), using num_steps IF-RK4 steps."""
    s = u0.shape[-1]
    dt = horizon / num_steps
    k = jnp.fft.rfftfreq(s, d=1.0 / s)
    lin = (-nu * (2 * jnp.pi * k) ** 2)[None]
    e_full, e_half = jnp.exp(lin * dt), jnp.exp(lin * dt / 2)
    dealias = (k <= 2.0 / 3.0 * (s // 2))[None]
    flux_symbol = (-0.5j * 2 * jnp.pi * k)[None] * dealias

    def nonlinear(u_h):
        return flux_symbol * jnp.fft.rfft(jnp.fft.irfft(u_h, n=s) ** 2)

    def step(u_h, _):
        a = dt * nonlinear(u_h)
        b = dt * nonlinear(e_half * (u_h + a / 2))
        c = dt * nonlinear(e_half * u_h + b / 2)
        d = dt * nonlinear(e_full * u_h + e_half * c)
        return e_full * u_h + (e_full * a + 2 * e_half * (b + c) + d) / 6, None

    u_h, _ = jax.lax.scan(step, jnp.fft.rfft(u0), None, length=num_steps)
    return jnp.fft.irfft(u_h, n=s)


@dataclasses.dataclass(frozen=True)
class BurgersConfig:
    """Burgers data u0 -> u(., horizon) generated at `fine_resolution` and subsampled by `subsample`."""

    num_samples: int = 1200
    fine_resolution: int = 1024
    subsample: int = 1
    nu: float = 0.1
    horizon: float = 1.0
    num_steps: int = 2000
    batch_size: int = 200
    seed: int = 0

    def __post_init__(self):
        if self.fine_resolution % self.subsample:
            raise ValueError(
                f"BurgersConfig.subsample={self.subsample} must divide fine_resolution={self.fine_resolution}"
            )
        if self.nu <= 0 or self.num_steps < 1 or self.num_samples < 1:
            raise ValueError(f"BurgersConfig needs nu > 0, num_steps >= 1, num_samples >= 1; got {self}")


def generate_burgers(config: BurgersConfig, progress: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
    """{'u0': (N, s), 'u': (N, s)} float32 at s = fine_resolution / subsample."""
    rng = np.random.default_rng(config.seed)
    u0_all, u_all = [], []
    for start in range(0, config.num_samples, config.batch_size):
        n = min(config.batch_size, config.num_samples - start)
        u0 = periodic_grf(rng, n, config.fine_resolution, dim=1, alpha=2.0, tau=5.0, sigma=25.0).astype(np.float32)
        u = np.asarray(solve_burgers(jnp.asarray(u0), config.nu, config.horizon, config.num_steps))
        u0_all.append(u0[:, :: config.subsample])
        u_all.append(u[:, :: config.subsample])
        if progress is not None:
            progress(start + n, config.num_samples)
    return {"u0": np.concatenate(u0_all), "u": np.concatenate(u_all)}
