"""Operator forward passes: shapes, resolution transfer, and errors that name what is wrong."""

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from attention_theory.operators import FANO, TNO, OperatorConfig, build_operator, grid_coordinates, grid_weights, sinusoidal_encoding


@pytest.mark.parametrize("name", ["vitno"])  # FANO: see the refinement test below
def test_2d_operators_run_at_several_resolutions_with_same_parameters(name):
    cfg = OperatorConfig(name=name, width=8, num_layers=1, modes=3, num_heads=2, feedforward=8, num_patches=4)
    model = build_operator(cfg, dim=2, in_channels=1, out_channels=2)
    for s in (8, 16):
        y = nnx.jit(lambda m, x: m(x))(model, jnp.asarray(np.random.default_rng(0).normal(size=(2, s, s, 1)), jnp.float32))
        assert y.shape == (2, s, s, 2)
        assert np.all(np.isfinite(np.asarray(y)))


@pytest.mark.parametrize("name", ["fno", "tno"])
def test_1d_operators(name):
    cfg = OperatorConfig(name=name, width=8, num_layers=1, modes=4, num_heads=2, feedforward=8, pos_frequencies=2)
    model = build_operator(cfg, dim=1, in_channels=1, out_channels=3)
    assert model(jnp.asarray(np.random.default_rng(0).normal(size=(2, 20, 1)), jnp.float32)).shape == (2, 20, 3)


def test_patched_operator_on_1d_problem_and_bad_config_errors():
    with pytest.raises(ValueError, match="patched 2-D"):
        build_operator(OperatorConfig(name="vitno"), dim=1, in_channels=1, out_channels=1)
    with pytest.raises(ValueError, match="'fano', 'fno', 'tno', 'vitno'"):
        OperatorConfig(name="unet")
    with pytest.raises(ValueError, match="quadrature"):
        OperatorConfig(name="tno", quadrature="simpson")
    model = build_operator(OperatorConfig(name="fno", modes=2, width=4), 2, 1, 1)
    with pytest.raises(ValueError, match=r"\(B, \*grid\[2\], 1\)"):
        model(jnp.ones((2, 8, 8, 3)))


def test_tno_trapezoid_on_uniform_grid_matches_uniform_weights_except_ends():
    """Trapezoid weights on a uniform grid differ from uniform ones only at the two end points."""
    w = np.asarray(grid_weights(jnp.linspace(0, 1, 11)[:, None], "trapezoid"))
    np.testing.assert_allclose(w, [0.05] + [0.1] * 9 + [0.05], atol=1e-7)
    w2 = np.asarray(grid_weights(jnp.stack(jnp.meshgrid(*(jnp.linspace(0, 1, 3),) * 2, indexing="ij"), -1), "trapezoid"))
    np.testing.assert_allclose(w2.sum(), 1.0, atol=1e-6)
    model = TNO(1, 1, 1, d_model=8, num_heads=2, num_layers=1, feedforward=8, quadrature="trapezoid", rngs=nnx.Rngs(0))
    x = jnp.asarray(np.random.default_rng(0).normal(size=(2, 30, 1)), jnp.float32)
    coords = jnp.linspace(0.0, 2.0, 30)[:, None]
    assert model(x, coords=coords).shape == (2, 30, 1)


def test_tno_with_trapezoid_weights_is_consistent_on_a_clustered_grid():
    """A TNO evaluated on a clustered subset of a fine grid: trapezoid weights reproduce the
    fine-grid output at the shared points; equal weights over-weight the cluster and do not."""
    fine_n = 1001
    t_fine = np.linspace(0.0, 1.0, fine_n)
    idx = np.unique(np.round((fine_n - 1) * np.linspace(0, 1, 120) ** 3).astype(int))  # dense near t = 0
    u = np.sin(2 * np.pi * t_fine) + 0.5 * np.cos(6 * np.pi * t_fine)
    outs = {}
    for quadrature in ("trapezoid", "uniform"):
        model = TNO(1, 1, 1, d_model=16, num_heads=2, num_layers=2, feedforward=16, quadrature=quadrature,
                    rngs=nnx.Rngs(3))
        fine = np.asarray(model(jnp.asarray(u[None, :, None], jnp.float32), coords=jnp.asarray(t_fine[:, None])))
        sub = np.asarray(model(jnp.asarray(u[None, idx, None], jnp.float32), coords=jnp.asarray(t_fine[idx, None])))
        outs[quadrature] = np.abs(sub - fine[:, idx]).max() / np.abs(fine).max()
    assert outs["trapezoid"] < 0.02, outs
    assert outs["trapezoid"] < 0.2 * outs["uniform"], outs


def test_fano_zero_shot_outputs_converge_under_grid_refinement():
    """Same FANO parameters at s = 16, 32, 64 on a smooth input: the output at corresponding
    points changes less and less (first order, from the O(h) grid positions), i.e. the model is a
    discretisation of one operator rather than a function of the grid size."""
    model = FANO(1, 1, num_patches=4, d_model=16, num_heads=2, num_layers=1, feedforward=16, modes=2,
                 rngs=nnx.Rngs(0))

    def field(s):
        c = np.asarray(grid_coordinates((s, s)))
        return jnp.asarray((np.sin(2 * np.pi * c[..., 0]) * np.cos(np.pi * c[..., 1]) + c[..., 0] ** 2)[None, ..., None],
                           jnp.float32)

    forward = nnx.jit(lambda m, x: m(x))
    outs = {s: np.asarray(forward(model, field(s)))[0, ..., 0] for s in (16, 32, 64)}

    def change(s):  # point j of a patch at s <-> point 2j of the same patch at 2s
        p = s // 4
        fine = outs[2 * s].reshape(4, 2 * p, 4, 2 * p)[:, ::2, :, ::2].reshape(s, s)
        return np.abs(outs[s] - fine).max() / np.abs(outs[2 * s]).max()

    assert change(32) < 0.65 * change(16), (change(16), change(32))
    assert change(32) < 0.1


def test_sinusoidal_encoding_is_a_function_of_the_point_not_the_index():
    coarse = np.asarray(sinusoidal_encoding(grid_coordinates((5, 3)), 3))
    fine = np.asarray(sinusoidal_encoding(grid_coordinates((9, 5)), 3))
    assert coarse.shape == (5, 3, 12)
    np.testing.assert_allclose(fine[::2, ::2], coarse, atol=1e-6)
    np.testing.assert_allclose(coarse[2, 0, [0, 3]], [0.0, -1.0], atol=1e-6)  # sin(pi), cos(pi) at x1 = 1/2
