"""The vmapped crosstalk simulator: equals the naive loop on the same samples, is independent of
chunking, compiles once per grid shape, and its noise power matches (n - 1)/d_k (E1) under more
than one PRNG implementation."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

from attention_theory.capacity import E1Config, noise_powers_from_samples, run_e1, simulate_noise_powers
from attention_theory.memory import unit_sphere

E1_SMALL = E1Config(d_k=(32, 64), n=(17, 33, 65), trials=100, seed=3)


def test_masked_grid_equals_naive_loop_on_same_samples(key):
    kk, kv = jax.random.split(key)
    keys, values = np.asarray(unit_sphere(kk, 12, 8)), np.asarray(unit_sphere(kv, 12, 5))
    ns = (3, 7, 12)
    out = np.asarray(jax.jit(noise_powers_from_samples, static_argnums=2)(keys, values, ns))
    for i, n in enumerate(ns):
        S = keys[:n].T @ values[:n]
        np.testing.assert_allclose(out[i, :n], ((keys[:n] @ S - values[:n]) ** 2).sum(1), rtol=1e-4, atol=1e-6)
        assert np.all(np.isnan(out[i, n:]))


def test_results_do_not_depend_on_batch_size(key):
    a = simulate_noise_powers(key, 16, 16, (4, 9), trials=7, batch_size=2)
    b = simulate_noise_powers(key, 16, 16, (4, 9), trials=7, batch_size=7)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_e1_noise_power_matches_theorem():
    """Tolerance: 5% (the standard error at 100 trials is ~1-2%)."""
    report = run_e1(E1_SMALL)
    for row in report.rows:
        assert row["ratio"] == pytest.approx(1.0, abs=0.05), row
        # relative fluctuation of the per-item noise power: sqrt(2/(n-1) + 2(n-2)/((n-1) d_v))
        assert row["rel_fluct"] == pytest.approx(row["rel_fluct_pred"], rel=0.15), row


def test_simulator_validates_arguments(key):
    with pytest.raises(ValueError, match="n_values=\\(\\)"):
        simulate_noise_powers(key, 8, 8, (), 4)
    with pytest.raises(ValueError, match="d_k=0"):
        simulate_noise_powers(key, 0, 8, (4,), 4)


def test_one_compile_per_grid_shape():
    """New keys reuse the program; a new n grid lowers exactly one more (the grid is unique to
    this test, so nothing earlier in the session compiled it)."""
    keys = [jax.random.key(s) for s in (1, 2, 3)]
    lowered = []

    def listener(name, secs, **kw):
        if name.endswith("jaxpr_to_mlir_module_duration"):
            lowered.append(name)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        simulate_noise_powers(keys[0], 7, 5, (3, 6), 5)
        first = len(lowered)
        simulate_noise_powers(keys[1], 7, 5, (3, 6), 5)
        simulate_noise_powers(keys[2], 7, 5, (3, 6), 5)
        same_grid = len(lowered)
        simulate_noise_powers(keys[0], 7, 5, (3, 7), 5)
        new_grid = len(lowered)
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    assert (first, same_grid, new_grid) == (1, 1, 2)


def test_noise_power_holds_under_philox_and_impl_is_recorded():
    """Same tolerance as the threefry test above; the draws themselves differ per impl."""
    cfg = dataclasses.replace(E1_SMALL, d_k=(32,), prng_impl="philox4x32")
    report = run_e1(cfg)
    assert report.config["prng_impl"] == "philox4x32"
    for row in report.rows:
        assert row["ratio"] == pytest.approx(1.0, abs=0.05), row
    a = simulate_noise_powers(jax.random.key(0, impl="philox4x32"), 8, 8, (4,), 3)
    b = simulate_noise_powers(jax.random.key(0), 8, 8, (4,), 3)
    assert not np.allclose(a[:, :, :4], b[:, :, :4])


def test_unknown_prng_impl_names_the_field():
    with pytest.raises(ValueError, match="E1Config.prng_impl='mt19937'.*threefry2x32"):
        E1Config(prng_impl="mt19937")


TWO_DEVICES = textwrap.dedent(
    """
    import jax
    jax.config.update("jax_num_cpu_devices", 2)
    import numpy as np
    from attention_theory.capacity import simulate_noise_powers
    assert jax.local_device_count() == 2, jax.devices()
    key = jax.random.key(3)
    one = simulate_noise_powers(key, 16, 8, (4, 9), trials=7, devices=1)
    two = simulate_noise_powers(key, 16, 8, (4, 9), trials=7)  # 7 trials padded to 8, split 4 + 4
    print("SAME" if np.array_equal(one, two, equal_nan=True) else f"DIFF {np.nanmax(np.abs(one - two))}")
    """
)


def test_trials_split_over_two_host_devices_give_the_same_draws():
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", TWO_DEVICES], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("SAME"), proc.stdout


def test_devices_beyond_the_local_ones_are_refused(key):
    with pytest.raises(ValueError, match="devices=5 must lie in \\[1, 1\\]"):
        simulate_noise_powers(key, 8, 8, (4,), 4, devices=5)
