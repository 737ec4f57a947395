"""The one per-channel standardisation: any (N, C, *spatial) rank against a naive reference,
chunk boundaries, zero-variance channels, shape errors, and both dataset families using it."""

from __future__ import annotations

import numpy as np
import pytest

from einspace.data import transforms
from einspace.data.transforms import channel_stats, standardise


@pytest.mark.parametrize("shape", [(7, 3), (5, 2, 9), (4, 3, 5, 6), (3, 2, 3, 4, 5)])
def test_stats_match_naive_reference_for_any_rank(shape):
    rng = np.random.default_rng(len(shape))
    x = (rng.normal(size=shape) * 3.0 + 1.5).astype(np.float32)
    mean, std = channel_stats(x)
    moved = np.moveaxis(x.astype(np.float64), 1, 0).reshape(shape[1], -1)
    np.testing.assert_allclose(mean, moved.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(std, moved.std(axis=1), rtol=1e-10)
    out = standardise(x, mean, std)
    assert out.dtype == np.float32 and out.shape == x.shape
    flat = np.moveaxis(out.astype(np.float64), 1, 0).reshape(shape[1], -1)
    np.testing.assert_allclose(flat.mean(axis=1), 0.0, atol=1e-5)
    np.testing.assert_allclose(flat.std(axis=1), 1.0, rtol=1e-5)


def test_chunked_sums_equal_one_pass(monkeypatch):
    x = np.random.default_rng(0).normal(size=(23, 2, 3, 3)).astype(np.float32)
    whole = channel_stats(x)
    monkeypatch.setattr(transforms, "CHUNK", 5)  # 23 examples in 5 chunks, the last partial
    chunked = channel_stats(x)
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_zero_variance_channel_maps_to_zero():
    x = np.random.default_rng(1).normal(size=(6, 3, 4, 4)).astype(np.float32)
    x[:, 1] = 2.5
    mean, std = channel_stats(x)
    assert std[1] == 1.0 and mean[1] == 2.5
    out = standardise(x, mean, std)
    assert np.all(out[:, 1] == 0.0) and np.all(np.isfinite(out))


def test_bad_shapes_raise_with_the_shapes():
    with pytest.raises(ValueError, match=r"\(N, C, \*spatial\); got shape \(5,\)"):
        channel_stats(np.zeros(5, np.float32))
    with pytest.raises(ValueError, match="at least one example"):
        channel_stats(np.zeros((0, 2), np.float32))
    with pytest.raises(ValueError, match=r"mean \(3,\)"):
        standardise(np.zeros((2, 2, 3)), np.zeros(3), np.ones(2))


def test_embedded_and_unseen_share_the_implementation():
    import importlib

    # einspace.data.unseen re-exports the function `normalise`, which shadows its module name
    modules = [importlib.import_module(f"einspace.data.{m}") for m in ("embedded", "unseen.loader", "unseen.normalise")]
    assert all(m.channel_stats is channel_stats for m in modules)
    assert modules[1].normalise is standardise
