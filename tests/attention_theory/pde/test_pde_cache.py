"""npz caching with metadata: reuse when parameters match, regenerate when any changes."""

import numpy as np
import pytest

from attention_theory.pde import LorenzConfig, generate, load_dataset


def test_cache_reuses_matching_metadata_and_regenerates_on_change(tmp_path):
    path = str(tmp_path / "lorenz.npz")
    cfg = LorenzConfig(num_samples=3, dt=0.1)
    first, meta, cached = generate("lorenz63", cfg, path)
    assert not cached and meta["dt"] == 0.1 and meta["problem"] == "lorenz63"
    again, _, cached = generate("lorenz63", cfg, path)
    assert cached
    np.testing.assert_array_equal(again["states"], first["states"])
    _, _, cached = generate("lorenz63", LorenzConfig(num_samples=3, dt=0.1, seed=1), path)
    assert not cached
    arrays, stored = load_dataset(path)
    assert stored["seed"] == 1 and arrays["states"].shape == (3, 21, 3)


def test_generate_errors_name_valid_problems_and_config_types():
    with pytest.raises(ValueError, match="'burgers', 'darcy', 'lorenz63', 'navier-stokes'"):
        generate("heat", LorenzConfig())
    with pytest.raises(TypeError, match="DarcyConfig"):
        generate("darcy", LorenzConfig())
