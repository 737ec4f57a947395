"""Monte Carlo simulator of Hebbian crosstalk (Qiao, arXiv 2508.08289, Theorem 6).

For each trial: n_max keys and values i.i.d. uniform on the unit spheres S^{d_k-1}, S^{d_v-1};
for each n in the grid the memory S_n = sum_{j<n} k_j^T v_j is queried with every stored key
and the relative noise power ||k_m S_n - v_m||^2 (= ||r_noise||^2 / ||r_signal||^2, since
||v_m|| = 1) is recorded. The n grid is covered by growing one sample of n_max items
(S_n = S_{n'} + K[n':n]^T V[n':n] for consecutive grid points n' < n), so the whole
(trials x n) grid for one d_k is ONE jitted, vmapped program with no work wasted on padding;
trials are chunked with lax.map(batch_size=...) to bound memory. Estimates for different n
share samples within a trial (each is still unbiased; the curves are smoother for it).

Speed (benchmarks/capacity.py, d_k = 64, n <= 128, 2-core shared CPU): per trial ~150 CPU-us,
~60 of them sampling (2 n_max d Gaussians) and ~100 the ~3 MFLOP of matmuls, against ~300 for
the numpy loop (2/3 of it numpy's sampling). What made it so: cache-sized chunks (~4 MiB;
128 MiB chunks were 1.7x slower), both words of every threefry hash (`threefry_normal`, half
the hashing; jax's default partitionable threefry XORs them away), and trials split over
local devices (XLA:CPU runs this program on about one core). philox2x32/philox4x32 keys cost
about what threefry2x32 costs and rbg/unsafe_rbg several times more on XLA:CPU, so threefry2x32
stays the default; any key implementation works (trial keys are fold_in(key, trial)).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.memory.sampling import threefry_normal


# Working-set budget of one simulator chunk: about the L2 + a slice of L3 of a small CPU. Larger
# chunks spill the per-trial matmul operands out of cache (measured 3x slower at 128 MiB).
CACHE_BUDGET_BYTES = 2**22


def auto_batch_size(trials: int, floats_per_trial: int, budget_bytes: int = 2**27) -> int:
    """Trials per lax.map chunk so that one chunk's float32 intermediates fit in budget_bytes."""
    return int(max(1, min(trials, budget_bytes // max(1, 4 * floats_per_trial))))


def simulator_batch_size(d_k: int, d_v: int, n_values: tuple[int, ...], trials: int) -> int:
    """Trials per chunk whose float32 working set (keys and values, S, the reads for every n and
    the output) fits CACHE_BUDGET_BYTES."""
    n_max = max(n_values)
    floats = n_max * (d_k + d_v) + d_k * d_v + sum(n_values) * d_v + len(n_values) * n_max
    return auto_batch_size(trials, floats, CACHE_BUDGET_BYTES)


def noise_powers_from_samples(keys: jax.Array, values: jax.Array, n_values: tuple[int, ...]) -> jax.Array:
    """Per-item noise powers for each n: keys (n_max, d_k), values (n_max, d_v), static n_values
    (N ints <= n_max) -> (N, n_max), NaN where m >= n."""
    n_max = keys.shape[0]
    if max(n_values) > n_max:
        raise ValueError(f"n_values={n_values} exceed the {n_max} sampled items")
    S = jnp.zeros((keys.shape[1], values.shape[1]), keys.dtype)
    prev, by_n = 0, {}
    for n in sorted(set(n_values)):
        S = S + keys[prev:n].T @ values[prev:n]
        power = jnp.sum((keys[:n] @ S - values[:n]) ** 2, axis=-1)
        by_n[n] = jnp.concatenate([power, jnp.full((n_max - n,), jnp.nan, power.dtype)])
        prev = n
    return jnp.stack([by_n[n] for n in n_values])


@functools.partial(jax.jit, static_argnames=("d_k", "d_v", "n_values", "trials", "batch_size", "devices"))
def hebbian_noise_powers(
    key: jax.Array, *, d_k: int, d_v: int, n_values: tuple[int, ...], trials: int, batch_size: int, devices: int = 1
) -> jax.Array:
    """(trials, len(n_values), max(n_values)) relative noise powers; NaN for items m >= n.

    Trial t uses jax.random.fold_in(key, t), so results depend on neither batch_size nor
    devices. devices > 1 splits the trials over the first `devices` local devices (shard_map):
    XLA:CPU runs this program on about one core, so host devices (jax_num_cpu_devices) are how
    it uses several.
    """
    def chunked(k, ts):
        def one_trial(t):
            return noise_powers_from_samples(*trial_samples(k, t, max(n_values), d_k, d_v), n_values)

        return jax.lax.map(one_trial, ts, batch_size=batch_size)

    if devices == 1:
        return chunked(key, jnp.arange(trials))
    padded = -(-trials // devices) * devices
    mesh = jax.sharding.Mesh(np.array(jax.local_devices()[:devices]), ("trials",))
    spec = jax.sharding.PartitionSpec
    run = jax.shard_map(chunked, mesh=mesh, in_specs=(spec(), spec("trials")), out_specs=spec("trials"))
    return run(key, jnp.arange(padded))[:trials]


def trial_samples(key: jax.Array, t: jax.Array, n_max: int, d_k: int, d_v: int) -> tuple[jax.Array, jax.Array]:
    """Trial t's keys (n_max, d_k) and values (n_max, d_v), uniform on the unit spheres: the rows of
    one (n_max, d_k + d_v) Gaussian draw from fold_in(key, t), split and normalised."""
    g = threefry_normal(jax.random.fold_in(key, t), (n_max, d_k + d_v))
    keys, values = g[:, :d_k], g[:, d_k:]
    return (keys / jnp.linalg.norm(keys, axis=-1, keepdims=True),
            values / jnp.linalg.norm(values, axis=-1, keepdims=True))


def simulate_noise_powers(
    key: jax.Array, d_k: int, d_v: int, n_values: tuple[int, ...], trials: int, batch_size: int | None = None,
    devices: int | None = None,
) -> np.ndarray:
    """Validated wrapper of `hebbian_noise_powers` returning numpy (trials, N, n_max).

    devices=None uses every local device (never more than trials); batch_size=None a cache-sized
    chunk per device."""
    n_values = tuple(int(n) for n in n_values)
    if not n_values or min(n_values) < 1:
        raise ValueError(f"n_values={n_values} must be a non-empty tuple of ints >= 1")
    if d_k < 1 or d_v < 1 or trials < 1:
        raise ValueError(f"need d_k, d_v, trials >= 1; got d_k={d_k}, d_v={d_v}, trials={trials}")
    available = jax.local_device_count()
    if devices is None:
        devices = min(available, trials)
    if not 1 <= devices <= available:
        raise ValueError(f"devices={devices} must lie in [1, {available}] (the local devices)")
    if batch_size is None:
        batch_size = simulator_batch_size(d_k, d_v, n_values, -(-trials // devices))
    out = hebbian_noise_powers(key, d_k=d_k, d_v=d_v, n_values=n_values, trials=trials, batch_size=batch_size,
                               devices=devices)
    return np.asarray(out)


def numpy_noise_powers(
    rng: np.random.Generator, d_k: int, d_v: int, n_values: tuple[int, ...], trials: int
) -> np.ndarray:
    """The straightforward reference: a Python loop over trials and n in numpy; same layout."""
    n_max = max(n_values)
    out = np.full((trials, len(n_values), n_max), np.nan)
    for t in range(trials):
        keys = rng.standard_normal((n_max, d_k))
        keys /= np.linalg.norm(keys, axis=1, keepdims=True)
        values = rng.standard_normal((n_max, d_v))
        values /= np.linalg.norm(values, axis=1, keepdims=True)
        for i, n in enumerate(n_values):
            S = keys[:n].T @ values[:n]
            out[t, i, :n] = np.sum((keys[:n] @ S - values[:n]) ** 2, axis=1)
    return out
