"""Learning rules: closed forms, exactness for orthonormal keys, delta-rule overwrite, noise power."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from attention_theory.memory import (
    RULES,
    RuleConfig,
    RuleParams,
    hebbian_matrix,
    init_memory,
    orthonormal_keys,
    retrieve,
    rule_step,
    rule_step_switch,
    unit_sphere,
    write,
)

write_jit = jax.jit(write, static_argnums=0)


def test_hebbian_scan_equals_closed_form(key):
    kk, kv = jax.random.split(key)
    keys, values = jax.random.normal(kk, (20, 8)), jax.random.normal(kv, (20, 5))
    S = write_jit(RuleConfig("hebbian", alpha=0.5), keys, values).S
    np.testing.assert_allclose(S, hebbian_matrix(keys, values, 0.5), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("rule", ["hebbian", "delta"])
@pytest.mark.parametrize("n", [1, 7, 16])
def test_exact_for_orthonormal_keys(key, rule, n):
    kk, kv = jax.random.split(key)
    keys = orthonormal_keys(kk, n, 16)
    values = jax.random.normal(kv, (n, 6))
    S = write_jit(RuleConfig(rule), keys, values).S
    np.testing.assert_allclose(retrieve(S, keys), values, atol=1e-5)


def test_hebbian_not_exact_for_random_keys(key):
    """The exactness above is a property of orthonormality, not of the test: random keys give crosstalk."""
    kk, kv = jax.random.split(key)
    keys, values = unit_sphere(kk, 16, 16), unit_sphere(kv, 16, 6)
    S = write_jit(RuleConfig("hebbian"), keys, values).S
    assert float(jnp.max(jnp.abs(retrieve(S, keys) - values))) > 0.1


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0])
def test_delta_retrieves_newest_exactly_when_alpha_norm_is_one(key, scale):
    """alpha ||k||^2 = 1 makes the delta rule an exact overwrite of the newest association,
    even after many non-orthogonal writes (n > d_k)."""
    kk, kv = jax.random.split(key)
    keys = scale * unit_sphere(kk, 40, 8)
    values = jax.random.normal(kv, (40, 5))
    S = write_jit(RuleConfig("delta", alpha=1.0 / scale**2), keys, values).S
    np.testing.assert_allclose(retrieve(S, keys[-1]), values[-1], rtol=1e-4, atol=1e-4)
    # alpha ||k||^2 = 0.5 leaves half the old retrieval in place: no longer exact.
    S_half = write_jit(RuleConfig("delta", alpha=0.5 / scale**2), keys, values).S
    assert float(jnp.max(jnp.abs(retrieve(S_half, keys[-1]) - values[-1]))) > 1e-2


def test_decay_closed_form_and_gamma_one_is_hebbian(key):
    kk, kv = jax.random.split(key)
    keys, values = jax.random.normal(kk, (12, 4)), jax.random.normal(kv, (12, 3))
    gamma = 0.8
    S = write_jit(RuleConfig("decay", gamma=gamma), keys, values).S
    weights = gamma ** jnp.arange(11, -1, -1.0)
    np.testing.assert_allclose(S, (keys * weights[:, None]).T @ values, rtol=1e-5, atol=1e-5)
    S1 = write_jit(RuleConfig("decay", gamma=1.0), keys, values).S
    np.testing.assert_allclose(S1, hebbian_matrix(keys, values), rtol=1e-5, atol=1e-5)


def test_oja_forms_match_naive_matrix_expressions():
    rng = np.random.default_rng(0)
    S0, k, v = rng.standard_normal((6, 4)), rng.standard_normal(6), rng.standard_normal(4)
    alpha = 0.1
    st = init_memory(6, 4)._replace(S=jnp.asarray(S0, jnp.float32))
    paper = rule_step(RuleConfig("paper_oja", alpha=alpha), st, jnp.asarray(k), jnp.asarray(v)).S
    naive_paper = S0 @ (np.eye(4) - alpha * np.diag(v * v)) + alpha * np.outer(k, v)
    np.testing.assert_allclose(paper, naive_paper, rtol=1e-5, atol=1e-5)
    # textbook Oja on W = S^T with x = k and y = v: dW = alpha y^T (x - y W)
    W = S0.T
    naive_oja = (W + alpha * np.outer(v, k - v @ W)).T
    oja = rule_step(RuleConfig("oja", alpha=alpha), st, jnp.asarray(k), jnp.asarray(v)).S
    np.testing.assert_allclose(oja, naive_oja, rtol=1e-5, atol=1e-5)


def test_bcm_matches_numpy_loop(key):
    kk, kv = jax.random.split(key)
    keys, values = np.asarray(jax.random.normal(kk, (9, 5))), np.asarray(jax.random.normal(kv, (9, 3)))
    cfg = RuleConfig("bcm", alpha=0.3, bcm_rate=0.25, bcm_theta0=0.2)
    S, theta = np.zeros((5, 3)), np.full(3, 0.2)
    for k, v in zip(keys, values):
        theta = 0.75 * theta + 0.25 * v * v
        S = S + 0.3 * np.outer(k, v * (v - theta))
    st = write_jit(cfg, jnp.asarray(keys), jnp.asarray(values))
    np.testing.assert_allclose(st.S, S, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st.theta, theta, rtol=1e-5, atol=1e-6)


def test_hebbian_noise_power_matches_theorem(key):
    """Theorem 6: E||k_m S - v_m||^2 = (n - 1)/d_k for unit keys/values (tolerance 5%, 64 trials)."""
    d_k, n = 64, 33

    @jax.jit
    def noise_power(k):
        kk, kv = jax.random.split(k)
        keys, values = unit_sphere(kk, n, d_k), unit_sphere(kv, n, 32)
        return jnp.mean(jnp.sum((keys @ hebbian_matrix(keys, values) - values) ** 2, axis=-1))

    measured = float(jnp.mean(jax.vmap(noise_power)(jax.random.split(key, 64))))
    assert measured == pytest.approx((n - 1) / d_k, rel=0.05)


def test_rule_config_errors_name_the_field():
    with pytest.raises(ValueError, match="RuleConfig.name='hebb'.*hebbian"):
        RuleConfig("hebb")
    with pytest.raises(ValueError, match="RuleConfig.gamma=1.5"):
        RuleConfig("decay", gamma=1.5)
    with pytest.raises(ValueError, match=r"keys \(3, 4\) and values \(2, 4\)"):
        write(RuleConfig(), jnp.zeros((3, 4)), jnp.zeros((2, 4)))


def test_switch_over_rules_equals_each_rule(key):
    """One compiled program runs every rule (lax.switch, vmapped over rules) exactly as rule_step."""
    kk, kv, ks = jax.random.split(key, 3)
    k, v = unit_sphere(kk, 1, 8)[0], unit_sphere(kv, 1, 4)[0]
    st = init_memory(8, 4)._replace(S=jax.random.normal(ks, (8, 4)), theta=jnp.full((4,), 0.05))
    cfgs = tuple(RuleConfig(name, alpha=0.5, gamma=0.9, bcm_rate=0.2) for name in RULES)
    switched = jax.jit(jax.vmap(lambda i, p: rule_step_switch(RULES, i, p, st, k, v)))(
        jnp.arange(len(RULES)), RuleParams.stack(cfgs)
    )
    for i, cfg in enumerate(cfgs):
        direct = rule_step(cfg, st, k, v)
        np.testing.assert_allclose(switched.S[i], direct.S, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(switched.theta[i], direct.theta, rtol=1e-5, atol=1e-6)
