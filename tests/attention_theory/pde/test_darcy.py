"""Darcy solver: second-order convergence on a manufactured solution; data generation protocol."""

import numpy as np
import pytest

from attention_theory.pde import DarcyConfig, darcy_grf, generate_darcy, solve_darcy


def _manufactured_error(s: int) -> float:
    """u = sin(pi x) sin(pi y), a = 1 + x + y^2, f = -div(a grad u) computed analytically."""
    x = np.linspace(0, 1, s)
    xx, yy = np.meshgrid(x, x, indexing="ij")
    a = 1 + xx + yy**2
    u = np.sin(np.pi * xx) * np.sin(np.pi * yy)
    ux = np.pi * np.cos(np.pi * xx) * np.sin(np.pi * yy)
    uy = np.pi * np.sin(np.pi * xx) * np.cos(np.pi * yy)
    f = -(1.0 * ux + 2 * yy * uy) + 2 * np.pi**2 * a * u
    return float(np.abs(solve_darcy(a, f) - u).max())


def test_darcy_solver_is_second_order_on_manufactured_solution():
    sizes = np.array([9, 17, 33, 65])
    h = 1.0 / (sizes - 1)
    errors = [_manufactured_error(s) for s in sizes]
    slope = np.polyfit(np.log(h), np.log(errors), 1)[0]
    assert 1.9 < slope < 2.1, (slope, errors)
    assert errors[-1] < 5e-4


def test_constant_coefficient_matches_dense_laplacian_solve():
    """a = 1 on a 6 x 6 grid: compare with a dense 5-point Laplacian built independently."""
    s, m = 6, 4
    h2 = (1 / (s - 1)) ** 2
    dense = np.zeros((m * m, m * m))
    for i in range(m):
        for j in range(m):
            r = i * m + j
            dense[r, r] = 4 / h2
            for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                if 0 <= i + di < m and 0 <= j + dj < m:
                    dense[r, (i + di) * m + j + dj] = -1 / h2
    expected = np.linalg.solve(dense, np.ones(m * m)).reshape(m, m)
    np.testing.assert_allclose(solve_darcy(np.ones((s, s)))[1:-1, 1:-1], expected, rtol=1e-10)


def test_darcy_grf_has_zero_mean_and_generation_subsamples_the_fine_grid():
    g = darcy_grf(np.random.default_rng(0), 3, 33)
    np.testing.assert_allclose(g.mean(axis=(1, 2)), 0.0, atol=1e-12)
    cfg = DarcyConfig(num_samples=2, fine_resolution=41, subsample=4, seed=3)
    data = generate_darcy(cfg)
    assert cfg.resolution == 11 and data["a"].shape == data["u"].shape == (2, 11, 11)
    assert set(np.unique(data["a"])) <= {3.0, 12.0}
    assert np.all(data["u"][:, 0, :] == 0) and np.all(data["u"][:, :, -1] == 0)
    assert np.all(data["u"][:, 1:-1, 1:-1] > 0)  # f = 1 > 0: maximum principle
    # The stored coarse solution is the fine solve subsampled, not a coarse solve.
    coarse_solve = solve_darcy(data["a"][0])
    assert np.abs(coarse_solve - data["u"][0]).max() > 1e-3 * np.abs(data["u"][0]).max()


def test_parallel_generation_gives_the_serial_data():
    cfg = DarcyConfig(num_samples=5, fine_resolution=33, subsample=2, seed=1)
    seen = []
    serial = generate_darcy(cfg, workers=1)
    parallel = generate_darcy(cfg, progress=lambda done, total: seen.append((done, total)), workers=2)
    for name in ("a", "u"):
        np.testing.assert_array_equal(parallel[name], serial[name])
    assert seen == [(i, 5) for i in range(1, 6)]
    with pytest.raises(ValueError, match="workers=0 is not valid"):
        generate_darcy(cfg, workers=0)


def test_darcy_config_errors_name_the_field():
    with pytest.raises(ValueError, match="subsample=3.*fine_resolution - 1 = 40"):
        DarcyConfig(fine_resolution=41, subsample=3)
    with pytest.raises(ValueError, match="coefficient.*'piecewise', 'lognormal'"):
        DarcyConfig(coefficient="binary")
