"""Lorenz-63 integrator against a high-accuracy reference, its order, and any-grid output."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from attention_theory.pde import LorenzConfig, generate_lorenz, integrate_lorenz, lorenz_rhs
from attention_theory.pde.lorenz import sample_lorenz_initial


def _reference(initial, times):
    return np.stack(
        [
            solve_ivp(lambda t, y: lorenz_rhs(y), (times[0], times[-1]), x, method="DOP853", rtol=1e-13, atol=1e-12, t_eval=times).y.T
            for x in initial
        ]
    )


def test_rk4_matches_reference_at_fourth_order():
    initial = sample_lorenz_initial(np.random.default_rng(0), 3)
    times = np.linspace(0, 2, 201)
    ref = _reference(initial, times)
    steps = np.array([1e-2, 5e-3, 2.5e-3])
    errors = [np.abs(integrate_lorenz(initial, times, h) - ref).max() for h in steps]
    slope = np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert 3.7 < slope < 4.3, errors
    assert np.abs(integrate_lorenz(initial, times, 1e-3) - ref).max() < 1e-6 * np.abs(ref).max()


def test_any_output_grid_gives_the_same_trajectory():
    initial = sample_lorenz_initial(np.random.default_rng(1), 4)
    fine = integrate_lorenz(initial, np.arange(0, 401) * 0.005)
    rng = np.random.default_rng(2)
    irregular = np.sort(np.concatenate([[0.0, 2.0], rng.uniform(0, 2, 50)]))
    coarse = integrate_lorenz(initial, irregular)
    np.testing.assert_allclose(coarse[:, -1], fine[:, -1], atol=1e-6 * np.abs(fine).max())


def test_lorenz_config_grids_and_shared_initial_states():
    a = generate_lorenz(LorenzConfig(num_samples=5, dt=0.01))
    b = generate_lorenz(LorenzConfig(num_samples=5, dt=0.0075))
    assert a["states"].shape == (5, 201, 3) and b["states"].shape == (5, 267, 3)
    np.testing.assert_allclose(a["states"][:, 0], b["states"][:, 0])
    with pytest.raises(ValueError, match="dt must be in"):
        LorenzConfig(dt=0.0)
