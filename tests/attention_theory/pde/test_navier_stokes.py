"""Navier-Stokes vorticity solver: exact Taylor-Green decay and mean-vorticity conservation."""

import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.pde import NavierStokesConfig, fno_forcing, generate_navier_stokes, navier_stokes_2d, periodic_grf


def test_taylor_green_vortex_decays_at_the_exact_rate():
    """w0 = sin(2 pi x1) sin(2 pi x2) is a steady Euler solution; with viscosity w = w0 exp(-8 pi^2 nu t)."""
    s, visc, dt = 32, 0.01, 0.01
    t = np.arange(s) / s
    x1, x2 = np.meshgrid(t, t, indexing="ij")
    w0 = np.sin(2 * np.pi * x1) * np.sin(2 * np.pi * x2)
    w = np.asarray(navier_stokes_2d(jnp.asarray(w0[None], jnp.float32), jnp.zeros((s, s)), visc, dt, 4, 25))[0]
    times = dt * 25 * np.arange(1, 5)
    expected = np.exp(-8 * np.pi**2 * visc * times)[:, None, None] * w0[None]
    np.testing.assert_allclose(w, expected, atol=1e-5)


def test_mean_vorticity_is_conserved_with_forcing_and_random_data():
    rng = np.random.default_rng(0)
    w0 = periodic_grf(rng, 2, 32, dim=2, alpha=2.5, tau=7.0).astype(np.float32)
    w = np.asarray(navier_stokes_2d(jnp.asarray(w0), jnp.asarray(fno_forcing(32), jnp.float32), 1e-3, 1e-2, 3, 20))
    scale = np.abs(w).max()
    assert scale > 0.1
    np.testing.assert_allclose(w.mean(axis=(2, 3)), 0.0, atol=1e-6 * scale)
    # The flow actually evolves (the nonlinear term is active).
    assert np.abs(w[:, -1] - w0).max() > 0.1 * np.abs(w0).max()


def test_generate_navier_stokes_shapes_and_config_errors():
    cfg = NavierStokesConfig(num_samples=3, resolution=16, horizon=0.2, record_interval=0.1, dt=0.01, batch_size=2)
    data = generate_navier_stokes(cfg)
    assert data["w0"].shape == (3, 16, 16) and data["w"].shape == (3, 16, 16, 2)
    np.testing.assert_allclose(data["t"], [0.1, 0.2], rtol=1e-6)
    with pytest.raises(ValueError, match="record_interval=0.15 must be a multiple of dt=0.1"):
        NavierStokesConfig(record_interval=0.15, dt=0.1)
