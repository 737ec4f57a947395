"""Shared fixtures for the engine tests: the embedded digits and two tiny models."""

from __future__ import annotations

import jax
import pytest
from flax import nnx

from einspace.data import load_embedded


class MLP(nnx.Module):
    """(B, 1, 8, 8) -> (B, classes), with BatchNorm so batch statistics are carried state."""

    def __init__(self, width: int, classes: int, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(64, width, rngs=rngs)
        self.norm = nnx.BatchNorm(width, rngs=rngs)
        self.out = nnx.Linear(width, classes, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(nnx.relu(self.norm(self.hidden(x.reshape(x.shape[0], -1)))))


class Regressor(nnx.Module):
    """(B, 1, 8, 8) -> (B, 8, 8, 1): a field-to-field map for the regression losses."""

    def __init__(self, *, rngs: nnx.Rngs):
        self.map = nnx.Linear(64, 64, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.map(x.reshape(x.shape[0], 64)).reshape(x.shape[0], 8, 8, 1)


@pytest.fixture(scope="session")
def digits():
    return load_embedded("digits", seed=0)


@pytest.fixture
def mlp():
    return lambda seed=0, width=32: MLP(width, 10, rngs=nnx.Rngs(seed))


@pytest.fixture
def regressor():
    return lambda seed=0: Regressor(rngs=nnx.Rngs(seed))


@pytest.fixture(autouse=True)
def _compile_cache(tmp_path_factory, monkeypatch):
    """Keep the persistent XLA cache inside pytest's temp dir."""
    monkeypatch.setenv("JITLOOP_COMPILE_CACHE", str(tmp_path_factory.getbasetemp() / "xla"))
