"""Burgers solver against the exact Cole-Hopf solution."""

import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.pde import BurgersConfig, generate_burgers, solve_burgers


def _cole_hopf(amplitude: float, nu: float, t: float, s: int, n_fine: int = 4096) -> np.ndarray:
    """u = -2 nu phi_x / phi with phi solving the heat equation from exp(-int u0 / (2 nu)), u0 = A sin(2 pi x)."""
    x = np.arange(n_fine) / n_fine
    phi0 = np.exp(-amplitude * (1 - np.cos(2 * np.pi * x)) / (2 * np.pi) / (2 * nu))
    k = np.fft.fftfreq(n_fine, 1.0 / n_fine)
    phi_h = np.fft.fft(phi0) * np.exp(-nu * (2 * np.pi * k) ** 2 * t)
    u = -2 * nu * np.real(np.fft.ifft(2j * np.pi * k * phi_h)) / np.real(np.fft.ifft(phi_h))
    return u[:: n_fine // s]


@pytest.mark.parametrize("nu,amplitude,horizon", [(0.1, 1.0, 1.0), (0.02, 1.0, 0.3)])
def test_burgers_matches_cole_hopf(nu, amplitude, horizon):
    s = 256
    x = np.arange(s) / s
    u0 = jnp.asarray(amplitude * np.sin(2 * np.pi * x)[None], jnp.float32)
    u = np.asarray(solve_burgers(u0, nu, horizon, 400))[0]
    exact = _cole_hopf(amplitude, nu, horizon, s)
    assert np.abs(u - exact).max() < 1e-5, np.abs(u - exact).max()
    np.testing.assert_allclose(u.mean(), 0.0, atol=1e-6)  # the mean is conserved


def test_generate_burgers_subsamples_and_validates():
    cfg = BurgersConfig(num_samples=3, fine_resolution=128, subsample=4, num_steps=200, batch_size=2)
    data = generate_burgers(cfg)
    assert data["u0"].shape == data["u"].shape == (3, 32)
    assert np.abs(data["u"]).max() < np.abs(data["u0"]).max()  # viscous decay
    with pytest.raises(ValueError, match="subsample=3 must divide fine_resolution=128"):
        BurgersConfig(fine_resolution=128, subsample=3)
