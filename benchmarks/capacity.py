"""Benchmark: the capacity simulator and the linear-attention forms.

Part 1 -- trials/s of the jitted, vmapped crosstalk simulator (attention_theory.capacity) vs a
straightforward numpy loop over trials on the same (n x d_k) grid. Target: >= 20x.
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
import json
import time

import jax
import jax.numpy as jnp
import numpy as np

from attention_theory.capacity.simulator import numpy_noise_powers, simulate_noise_powers
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


def bench_simulator(d_k: int, n_values: tuple[int, ...], jax_trials: int, numpy_trials: int, repeats: int) -> dict:
    key = jax.random.key(0)
    t = time.perf_counter()
    simulate_noise_powers(key, d_k, d_k, n_values, jax_trials)
    first = time.perf_counter() - t
    jax_s = best_of(lambda: simulate_noise_powers(key, d_k, d_k, n_values, jax_trials), repeats)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    numpy_noise_powers(rng, d_k, d_k, n_values, numpy_trials)
    numpy_s = time.perf_counter() - t
    row = {"bench": "simulator", "d_k": d_k, "n": list(n_values), "jax_trials": jax_trials,
           "jax_trials_per_s": jax_trials / jax_s, "numpy_trials_per_s": numpy_trials / numpy_s,
           "compile_and_first_run_s": first}
    row["speedup"] = row["jax_trials_per_s"] / row["numpy_trials_per_s"]
    return row


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
    p.add_argument("--skip-simulator", action="store_true")
    p.add_argument("--skip-attention", action="store_true")
    args = p.parse_args(argv)
    rows = []
    if not args.skip_simulator:
        row = bench_simulator(args.d_k, tuple(int(x) for x in args.n.split(",")), args.jax_trials, args.numpy_trials, args.repeats)
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
        print(f"\nsimulator d_k={r['d_k']} n={r['n']}: jax {r['jax_trials_per_s']:.0f} trials/s, numpy "
              f"{r['numpy_trials_per_s']:.0f} trials/s, speedup {r['speedup']:.1f}x (target >= 20x)")
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
