"""Strict test setup: rank promotion raises, warnings are errors (pyproject), fresh keys per test."""

from __future__ import annotations

import jax
import pytest

jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def key(request) -> jax.Array:
    """A fresh key per test, derived from the test's name so failures reproduce."""
    seed = sum(ord(c) for c in request.node.nodeid) % (2**31)
    return jax.random.key(seed)
