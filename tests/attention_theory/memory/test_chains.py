"""Head readouts and the Theorem 9 bound."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.memory import chain_fails, layer_fails, optimal_heads, theorem9_bound


def test_head_readouts_on_a_known_case():
    noise = jnp.array([[0.9, 0.9, 0.1], [0.9, 0.9, 0.9], [0.6, 0.1, 0.1]])  # 3 layers x 3 heads
    np.testing.assert_array_equal(layer_fails(noise, 0.5, "or_oracle"), [False, True, False])
    np.testing.assert_array_equal(layer_fails(noise, 0.5, "majority"), [True, True, False])
    np.testing.assert_array_equal(layer_fails(noise, 0.5, "sum_decode"), [True, True, False])
    assert bool(chain_fails(noise, 0.5, "or_oracle"))
    assert not bool(chain_fails(noise[jnp.array([0, 2])], 0.5, "or_oracle"))
    with pytest.raises(ValueError, match="readout='any'"):
        layer_fails(noise, 0.5, "any")


def test_theorem9_bound_and_optimal_heads():
    assert theorem9_bound(8, 64, 0.5, 1, 1) == pytest.approx(0.25)
    assert theorem9_bound(8, 64, 0.5, 3, 2) == pytest.approx(1 - (1 - 0.25**2) ** 3)
    # H* minimises L (n H / (delta D))^H over continuous H
    D, n, delta = 512, 10.0, 0.5
    hs = np.linspace(1, 40, 4000)
    best = hs[np.argmin(hs * np.log(n * hs / (delta * D)))]
    assert float(optimal_heads(D, n, delta)) == pytest.approx(best, rel=0.01)
