"""Benchmark: the capacity simulator and the linear-attention forms.

Part 1 -- trials/s of the jitted, vmapped crosstalk simulator (attention_theory.capacity) vs a
straightforward numpy loop over trials on the same (n x d_k) grid. Target: >= 20x. Wall and CPU
seconds are both reported: on a shared machine wall time follows the other jobs, CPU time
follows the work. Measured (2-core AMD EPYC shared with other jobs, d_k = 64, n = 16..128,
jax 0.10): 2.3x wall / 2.1x CPU with 2 host devices (1.1x before the changes of this round).
Why not 20x: per trial the simulator needs ~3 MFLOP of float32 matmuls (>= 30-50 CPU-us at
the 60-100 GFLOP/s per core that XLA and OpenBLAS reach on these shapes) and 2 n_max d_k
Gaussians (~60 CPU-us), against ~300 CPU-us for the numpy loop, so 2 cores allow ~5-10x at best.
    python benchmarks/capacity.py --skip-attention --profile   # ~1 min: the parts per trial
Part 2 -- recurrent vs chunkwise vs parallel causal linear attention, and the recurrent vs
chunkwise (WY/UT) delta rule: wall time and compiled temp memory vs sequence length T, forward
and forward+backward. Targets: chunkwise >= 5x recurrent at T = 4096 (fwd+bwd, CPU); chunkwise
memory linear in T (log-log slope ~1).

Prints one JSON line per case, then a short table. Defaults finish in a few minutes on CPU:
    python benchmarks/capacity.py
    python benchmarks/capacity.py --lengths 256,1024,4096,16384 --parallel-max-t 16384
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.capacity.simulator import (
    hebbian_noise_powers,
    noise_powers_from_samples,
    numpy_noise_powers,
    simulator_batch_size,
    trial_samples,
)
from attention_theory.linear_attention import (
    delta_rule_chunkwise,
    delta_rule_recurrent,
    linear_attention_chunkwise,
    linear_attention_parallel,
    linear_attention_recurrent,
)


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - t)
    return min(times)


@functools.partial(jax.jit, static_argnames=("d_k", "d_v", "n_max", "trials", "batch_size"))
def _sampling_only(key, *, d_k, d_v, n_max, trials, batch_size):
    """The simulator's sampling alone: every trial's keys and values materialised, then dropped."""

    def one(t):
        keys, values = jax.lax.optimization_barrier(trial_samples(key, t, n_max, d_k, d_v))
        return keys[0, 0] + values[0, 0]

    return jax.lax.map(one, jnp.arange(trials), batch_size=batch_size)


@functools.partial(jax.jit, static_argnames=("n_values", "batch_size"))
def _matmuls_only(keys, values, *, n_values, batch_size):
    """The simulator's arithmetic alone, on given samples (trials, n_max, d)."""
    return jax.lax.map(lambda kv: noise_powers_from_samples(*kv, n_values), (keys, values), batch_size=batch_size)


def _numpy_sampling(rng: np.random.Generator, d_k: int, d_v: int, n_max: int, trials: int) -> None:
    """The numpy loop's sampling alone (same calls as numpy_noise_powers)."""
    for _ in range(trials):
        keys = rng.standard_normal((n_max, d_k))
        keys /= np.linalg.norm(keys, axis=1, keepdims=True)
        values = rng.standard_normal((n_max, d_v))
        values /= np.linalg.norm(values, axis=1, keepdims=True)


def wall_and_cpu(fn) -> tuple[float, float]:
    """(wall, process CPU) seconds of one blocking call. CPU seconds (all threads) measure the work
    done and move far less than wall time when other jobs share the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    jax.block_until_ready(fn())
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_simulator(d_k: int, n_values: tuple[int, ...], jax_trials: int, numpy_trials: int, repeats: int,
                    prng_impl: str = "threefry2x32", batch_size: int | None = None, profile: bool = False) -> dict:
    """Trials/s of the jitted simulator vs the numpy loop on the same grid (d_k = d_v).

    Compile time is measured apart (lower + compile of the one program for this grid). Run times
    are best-of-`repeats` in wall and in CPU seconds, the jax and numpy repeats interleaved so both
    see the same machine load. profile: also time the simulator's sampling and its matmuls alone,
    and numpy's sampling alone.
    """
    key = jax.random.key(0, impl=prng_impl)
    devices = jax.local_device_count()
    batch = batch_size or simulator_batch_size(d_k, d_k, n_values, -(-jax_trials // devices))
    static = dict(d_k=d_k, d_v=d_k, n_values=n_values, trials=jax_trials, batch_size=batch, devices=devices)
    t = time.perf_counter()
    compiled = hebbian_noise_powers.lower(key, **static).compile()
    compile_s = time.perf_counter() - t
    jax.block_until_ready(compiled(key))
    rng = np.random.default_rng(0)
    load_before = os.getloadavg()[0]
    jax_t, numpy_t = [], []
    for _ in range(repeats):
        jax_t.append(wall_and_cpu(lambda: compiled(key)))
        numpy_t.append(wall_and_cpu(lambda: numpy_noise_powers(rng, d_k, d_k, n_values, numpy_trials)))
    (jax_wall, jax_cpu), (np_wall, np_cpu) = np.min(jax_t, axis=0), np.min(numpy_t, axis=0)
    row = {"bench": "simulator", "d_k": d_k, "n": list(n_values), "prng_impl": prng_impl, "batch_size": batch,
           "devices": devices,
           "jax_trials": jax_trials, "numpy_trials": numpy_trials, "compile_s": compile_s,
           "jax_trials_per_s": jax_trials / jax_wall, "numpy_trials_per_s": numpy_trials / np_wall,
           "jax_cpu_us": jax_cpu / jax_trials * 1e6, "numpy_cpu_us": np_cpu / numpy_trials * 1e6,
           "load_avg_1min": [load_before, os.getloadavg()[0]], "cpus": os.cpu_count(), "jax": jax.__version__}
    row["speedup"] = row["jax_trials_per_s"] / row["numpy_trials_per_s"]
    row["cpu_speedup"] = row["numpy_cpu_us"] / row["jax_cpu_us"]
    if profile:
        row.update(profile_simulator(key, d_k, n_values, min(jax_trials, 1024), min(numpy_trials, 200), repeats, batch))
    return row


def profile_simulator(key, d_k: int, n_values: tuple[int, ...], trials: int, numpy_trials: int, repeats: int,
                      batch: int) -> dict:
    """Wall and CPU microseconds per trial of the parts: jax sampling, jax matmuls, numpy sampling."""
    n_max = max(n_values)
    sampling = functools.partial(_sampling_only, key, d_k=d_k, d_v=d_k, n_max=n_max, trials=trials, batch_size=batch)
    ks, vs = jax.vmap(lambda t: trial_samples(key, t, n_max, d_k, d_k))(jnp.arange(trials))
    matmuls = functools.partial(_matmuls_only, ks, vs, n_values=n_values, batch_size=batch)
    jax.block_until_ready((sampling(), matmuls()))
    rng = np.random.default_rng(1)
    parts = {"jax_sampling": (sampling, trials), "jax_matmuls": (matmuls, trials),
             "numpy_sampling": (lambda: _numpy_sampling(rng, d_k, d_k, n_max, numpy_trials), numpy_trials)}
    times = {name: [] for name in parts}
    for _ in range(repeats):
        for name, (fn, _) in parts.items():
            times[name].append(wall_and_cpu(fn))
    out = {}
    for name, (_, count) in parts.items():
        wall, cpu = np.min(times[name], axis=0)
        out[f"{name}_us"], out[f"{name}_cpu_us"] = wall / count * 1e6, cpu / count * 1e6
    return out


def _inputs(t: int, d: int, seed: int = 0):
    ks = jax.random.split(jax.random.key(seed), 5)
    q = jax.random.normal(ks[0], (t, d)) / np.sqrt(d)
    k = jax.random.normal(ks[1], (t, d))
    k = k / jnp.linalg.norm(k, axis=1, keepdims=True)
    v = jax.random.normal(ks[2], (t, d))
    beta = jax.nn.sigmoid(jax.random.normal(ks[3], (t,)))
    g = -0.05 * jax.random.uniform(ks[4], (t,))
    return q, k, v, beta, g


def _forms(chunk: int):
    return {
        ("linear", "recurrent"): lambda q, k, v, b, g: linear_attention_recurrent(q, k, v, g),
        ("linear", "chunkwise"): lambda q, k, v, b, g: linear_attention_chunkwise(q, k, v, g, chunk_size=chunk),
        ("linear", "parallel"): lambda q, k, v, b, g: linear_attention_parallel(q, k, v, g),
        ("delta", "recurrent"): lambda q, k, v, b, g: delta_rule_recurrent(q, k, v, b, g),
        ("delta", "chunkwise"): lambda q, k, v, b, g: delta_rule_chunkwise(q, k, v, b, g, chunk_size=chunk),
    }


def bench_form(rule: str, form: str, fn, t: int, d: int, mode: str, repeats: int) -> dict:
    args = _inputs(t, d)
    if mode == "fwd":
        f = jax.jit(fn)
    else:
        f = jax.jit(jax.grad(lambda q, k, v, b, g: jnp.sum(fn(q, k, v, b, g) ** 2), argnums=(0, 1, 2, 3, 4)))
    t0 = time.perf_counter()
    compiled = f.lower(*args).compile()
    compile_s = time.perf_counter() - t0
    mem = compiled.memory_analysis()
    temp = int(getattr(mem, "temp_size_in_bytes", -1)) if mem is not None else -1
    jax.block_until_ready(compiled(*args))
    seconds = best_of(lambda: compiled(*args), repeats)
    return {"bench": "attention", "rule": rule, "form": form, "T": t, "d": d, "mode": mode,
            "seconds": seconds, "temp_bytes": temp, "compile_s": compile_s}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--d-k", type=int, default=64)
    p.add_argument("--n", default="16,32,64,128")
    p.add_argument("--jax-trials", type=int, default=2000)
    p.add_argument("--numpy-trials", type=int, default=200)
    p.add_argument("--lengths", default="256,1024,4096,16384")
    p.add_argument("--d", type=int, default=64, help="head dimension d_k = d_v for part 2")
    p.add_argument("--chunk", type=int, default=64)
    p.add_argument("--parallel-max-t", type=int, default=4096, help="skip the quadratic form above this T")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--prng", default="threefry2x32", help="jax key implementation for the simulator (recorded)")
    p.add_argument("--batch-size", type=int, default=None, help="simulator trials per chunk (default: cache-sized)")
    p.add_argument("--profile", action="store_true", help="also time the simulator's sampling and matmuls apart")
    p.add_argument("--skip-simulator", action="store_true")
    p.add_argument("--skip-attention", action="store_true")
    p.add_argument("--cpu-devices", type=int, default=os.cpu_count(),
                   help="host devices the simulator splits its trials over (XLA:CPU runs it on ~1 core each)")
    args = p.parse_args(argv)
    jax.config.update("jax_num_cpu_devices", args.cpu_devices)  # before the first computation
    rows = []
    if not args.skip_simulator:
        row = bench_simulator(args.d_k, tuple(int(x) for x in args.n.split(",")), args.jax_trials, args.numpy_trials,
                              args.repeats, args.prng, args.batch_size, args.profile)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if not args.skip_attention:
        for t in (int(x) for x in args.lengths.split(",")):
            for (rule, form), fn in _forms(args.chunk).items():
                if form == "parallel" and t > args.parallel_max_t:
                    continue
                for mode in ("fwd", "fwd+bwd"):
                    row = bench_form(rule, form, fn, t, args.d, mode, args.repeats)
                    print(json.dumps(row), flush=True)
                    rows.append(row)
    print_summary(rows)


def print_summary(rows: list[dict]) -> None:
    sim = [r for r in rows if r["bench"] == "simulator"]
    for r in sim:
        print(f"\nsimulator d_k={r['d_k']} n={r['n']} ({r['prng_impl']}, {r['devices']} devices x chunk {r['batch_size']}): jax "
              f"{r['jax_trials_per_s']:.0f} trials/s, numpy {r['numpy_trials_per_s']:.0f} trials/s, speedup "
              f"{r['speedup']:.1f}x wall, {r['cpu_speedup']:.1f}x CPU time (target >= 20x); compile {r['compile_s']:.2f} s")
        if "jax_sampling_us" in r:
            print(f"  CPU us per trial: jax sampling {r['jax_sampling_cpu_us']:.0f} + matmuls {r['jax_matmuls_cpu_us']:.0f} "
                  f"(whole program {r['jax_cpu_us']:.0f}); numpy sampling {r['numpy_sampling_cpu_us']:.0f} "
                  f"of {r['numpy_cpu_us']:.0f}")
    att = [r for r in rows if r["bench"] == "attention"]
    if not att:
        return
    print(f"\n{'rule':6} {'form':10} {'mode':8} " + " ".join(f"{'T=' + str(t):>17}" for t in sorted({r['T'] for r in att})))
    for rule, form, mode in sorted({(r["rule"], r["form"], r["mode"]) for r in att}):
        cells = []
        for t in sorted({r["T"] for r in att}):
            m = [r for r in att if (r["rule"], r["form"], r["mode"], r["T"]) == (rule, form, mode, t)]
            cells.append(f"{m[0]['seconds'] * 1e3:8.2f}ms {m[0]['temp_bytes'] / 2**20:6.1f}MB" if m else f"{'-':>17}")
        print(f"{rule:6} {form:10} {mode:8} " + " ".join(cells))
    for rule in ("linear", "delta"):
        for mode in ("fwd", "fwd+bwd"):
            def pick(form, t, rule=rule, mode=mode):
                m = [r for r in att if (r["rule"], r["form"], r["mode"], r["T"]) == (rule, form, mode, t)]
                return m[0] if m else None
            for t in sorted({r["T"] for r in att}):
                rec, chk = pick("recurrent", t), pick("chunkwise", t)
                if rec and chk:
                    print(f"{rule} {mode} T={t}: chunkwise speedup over recurrent {rec['seconds'] / chk['seconds']:.1f}x")
            ts = sorted({r["T"] for r in att if (r["rule"], r["form"], r["mode"]) == (rule, "chunkwise", mode)})
            mems = [pick("chunkwise", t)["temp_bytes"] for t in ts]
            if len(ts) >= 2 and min(mems) > 0:
                slope = np.polyfit(np.log(ts), np.log(mems), 1)[0]
                print(f"{rule} {mode}: chunkwise temp memory log-log slope vs T = {slope:.2f} (linear = 1)")


if __name__ == "__main__":
    main()
