"""2-D incompressible Navier-Stokes in vorticity form on the unit torus (FNO's ns_2d protocol).

w_t + u.grad w = nu Lap w + f,  u = (d psi/dx2, -d psi/dx1),  -Lap psi = w.
Pseudo-spectral: the nonlinear term is computed on the grid and dealiased with the 2/3 rule, it is
explicit (forward Euler, as in the FNO generator), diffusion is Crank-Nicolson. The zero mode
is never diffused or forced, so mean vorticity is conserved exactly (the discrete advection
term has zero mean by Parseval), and a Taylor-Green vortex decays at exp(-8 pi^2 nu t).
Forcing f = 0.1 (sin 2 pi (x1 + x2) + cos 2 pi (x1 + x2)); w0 ~ N(0, 7^{3/2} (-Lap + 49)^{-2.5}).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.pde.grf import periodic_grf


def fno_forcing(size: int) -> np.ndarray:
    """(size, size) FNO forcing 0.1 (sin 2 pi (x1 + x2) + cos 2 pi (x1 + x2)) on the periodic grid."""
    t = np.arange(size) / size
    x1, x2 = np.meshgrid(t, t, indexing="ij")
    return 0.1 * (np.sin(2 * np.pi * (x1 + x2)) + np.cos(2 * np.pi * (x1 + x2)))


def _wavenumbers(size: int):
    k1 = jnp.fft.fftfreq(size, d=1.0 / size)[:, None] * jnp.ones((1, size // 2 + 1))
    k2 = jnp.ones((size, 1)) * jnp.fft.rfftfreq(size, d=1.0 / size)[None, :]
    return k1, k2


@partial(jax.jit, static_argnames=("num_records", "steps_per_record"))
def navier_stokes_2d(
    w0: jax.Array, forcing: jax.Array, visc: float, dt: float, num_records: int, steps_per_record: int
) -> jax.Array:
    """Integrate from w0 and return vorticity snapshots every steps_per_record steps.

    Args:
      w0: (B, s, s) initial vorticity on the periodic grid x_i = j/s.
      forcing: (s, s) time-independent forcing.
      visc: viscosity nu. dt: time step.
    Returns:
      (B, num_records, s, s): w at t = dt * steps_per_record * (1, ..., num_records).
    """
    size = w0.shape[-1]
    k1, k2 = _wavenumbers(size)
    lap = 4 * jnp.pi**2 * (k1**2 + k2**2)  # symbol of -Laplacian
    inv_lap = jnp.where(lap > 0, 1.0 / jnp.where(lap > 0, lap, 1.0), 0.0)
    k_max = size // 2
    dealias = (jnp.abs(k1) <= 2.0 / 3.0 * k_max) & (jnp.abs(k2) <= 2.0 / 3.0 * k_max)
    f_h = jnp.fft.rfft2(forcing)[None]
    lap_b, inv_lap_b, dealias_b = lap[None], inv_lap[None], dealias[None]
    i2pi_k1, i2pi_k2 = (2j * jnp.pi * k1)[None], (2j * jnp.pi * k2)[None]
    shape = w0.shape[-2:]

    def step(w_h, _):
        psi_h = w_h * inv_lap_b
        u1 = jnp.fft.irfft2(i2pi_k2 * psi_h, s=shape)
        u2 = jnp.fft.irfft2(-i2pi_k1 * psi_h, s=shape)
        w_x1 = jnp.fft.irfft2(i2pi_k1 * w_h, s=shape)
        w_x2 = jnp.fft.irfft2(i2pi_k2 * w_h, s=shape)
        nonlinear_h = jnp.fft.rfft2(u1 * w_x1 + u2 * w_x2) * dealias_b
        w_h = (-dt * nonlinear_h + dt * f_h + (1.0 - 0.5 * dt * visc * lap_b) * w_h) / (1.0 + 0.5 * dt * visc * lap_b)
        return w_h, None

    def record(w_h, _):
        w_h, _ = jax.lax.scan(step, w_h, None, length=steps_per_record)
        return w_h, jnp.fft.irfft2(w_h, s=shape)

    _, snapshots = jax.lax.scan(record, jnp.fft.rfft2(w0), None, length=num_records)
    return jnp.moveaxis(snapshots, 0, 1)


@dataclasses.dataclass(frozen=True)
class NavierStokesConfig:
    """NS data: snapshots at t = 1, ..., horizon (record_interval apart) of w from w0 ~ FNO measure.

    visc: viscosity (1e-3, 1e-4, 1e-5 in FNO). horizon: final time T. dt: solver step.
    resolution: grid size s. batch_size: trajectories integrated together.
    """

    num_samples: int = 1200
    resolution: int = 64
    visc: float = 1e-3
    horizon: float = 50.0
    record_interval: float = 1.0
    dt: float = 1e-3
    batch_size: int = 100
    seed: int = 0

    def __post_init__(self):
        steps = self.record_interval / self.dt
        if abs(steps - round(steps)) > 1e-6 or steps < 1:
            raise ValueError(f"NavierStokesConfig.record_interval={self.record_interval} must be a multiple of dt={self.dt}")
        records = self.horizon / self.record_interval
        if abs(records - round(records)) > 1e-6 or records < 1:
            raise ValueError(
                f"NavierStokesConfig.horizon={self.horizon} must be a multiple of record_interval={self.record_interval}"
            )
        if self.resolution < 4 or self.num_samples < 1 or self.batch_size < 1:
            raise ValueError(f"NavierStokesConfig needs resolution >= 4, num_samples >= 1, batch_size >= 1; got {self}")


def generate_navier_stokes(
    config: NavierStokesConfig, progress: Callable[[int, int], None] | None = None
) -> dict[str, np.ndarray]:
    """{'w0': (N, s, s), 'w': (N, s, s, T) snapshots at t = 1..T, 't': (T,)} float32."""
    rng = np.random.default_rng(config.seed)
    s = config.resolution
    steps = round(config.record_interval / config.dt)
    records = round(config.horizon / config.record_interval)
    forcing = jnp.asarray(fno_forcing(s), jnp.float32)
    w0_all, w_all = [], []
    for start in range(0, config.num_samples, config.batch_size):
        n = min(config.batch_size, config.num_samples - start)
        w0 = periodic_grf(rng, n, s, dim=2, alpha=2.5, tau=7.0).astype(np.float32)
        w = navier_stokes_2d(jnp.asarray(w0), forcing, config.visc, config.dt, records, steps)
        w0_all.append(w0)
        w_all.append(np.moveaxis(np.asarray(w), 1, -1))
        if progress is not None:
            progress(start + n, config.num_samples)
    t = config.record_interval * np.arange(1, records + 1, dtype=np.float32)
    return {"w0": np.concatenate(w0_all), "w": np.concatenate(w_all), "t": t}
