"""Benchmark: neural operators (FNO, TNO, ViTNO, FANO) on CPU or GPU.

Part 1 -- training steps/s through the shared engine (`jitloop.fit`, compile excluded) and the
compiled temp memory of one loss+grad step, per model and resolution.
Part 2 -- error vs epochs on a fixed budget: each model trains on the same small Darcy set;
per-epoch test relative L2 against cumulative training seconds.
Part 3 -- attention cost vs number of points N = s^2: full continuum attention (TNO) vs patch
attention with a fixed patch count (ViTNO). Compiled FLOPs and wall time, with fitted log-log
slopes. Targets: TNO ~2 (quadratic), patched ~1 (linear in grid points at fixed patch count).

Prints one JSON line per case, then a short table. Defaults finish in a few minutes on CPU:
    python benchmarks/neural_operators.py
    python benchmarks/neural_operators.py --resolutions 32,64,128 --epochs 30 --full
"""

from __future__ import annotations

import argparse
import json
import time

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from attention_theory.experiments import operator_pairs, operator_splits, subsample_grid, train_operator
from attention_theory.experiments.train import build_normalized, operator_train_config
from attention_theory.operators import ContinuumAttention, OperatorConfig, PatchAttention, patchify
from attention_theory.pde import DarcyConfig, generate_darcy
from jitloop import OptimizerConfig, Split, Splits, TrainConfig, fit, to_device

MODELS = ("fno", "tno", "vitno", "fano")


def model_config(name: str, patches: int) -> OperatorConfig:
    return OperatorConfig(name=name, width=32, num_layers=2, num_heads=4, feedforward=64, num_patches=patches,
                          modes=8 if name == "fno" else 4, padding=0)


def emit(record: dict) -> dict:
    print(json.dumps(record), flush=True)
    return record


def steps_per_second(name: str, s: int, batch: int, steps: int, patches: int) -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch * 2, s, s, 1)).astype(np.float32)
    split = Split(to_device(x), to_device(x**2))
    model = build_normalized(model_config(name, patches), split)
    cfg = TrainConfig(epochs=2, batch_size=batch, steps_per_epoch=steps, loss="relative_l2",
                      metrics=("relative_l2",), optimizer=OptimizerConfig(name="adam", learning_rate=1e-3,
                                                                          schedule="constant", weight_decay=0.0))
    result = fit(model, Splits(train=split, name="bench"), cfg, progress=False, compile_cache=False)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)

    def loss(p, xb):
        return jnp.mean((nnx.merge(graphdef, p, rest)(xb) - xb) ** 2)

    compiled = jax.jit(jax.grad(loss)).lower(params, jnp.asarray(x[:batch])).compile()
    memory = compiled.memory_analysis()
    temp = getattr(memory, "temp_size_in_bytes", None) if memory is not None else None
    return {"part": "throughput", "model": name, "resolution": s, "points": s * s, "batch": batch,
            "steps_per_s": 2 * steps / max(result.timings.get("train", 0.0), 1e-9),
            "compile_s": result.timings.get("compile", 0.0), "temp_mb": None if temp is None else temp / 2**20}


def error_vs_epochs(models, epochs: int, num_train: int, fine: int) -> list[dict]:
    data = generate_darcy(DarcyConfig(num_samples=num_train + 20, fine_resolution=fine, subsample=1))
    x, y = operator_pairs("darcy", data)
    x, y = subsample_grid(x, 2, 4), subsample_grid(y, 2, 4)
    splits = operator_splits(x, y, num_train, 20, "darcy")
    rows = []
    for name in models:
        run = train_operator(model_config(name, 4), splits, operator_train_config(epochs, 10, 1e-3), progress=False)
        # Epoch records include the one-off compile in epoch 1; count training seconds only.
        elapsed = -sum(run.result.timings.get(k, 0.0) for k in ("trace", "lower", "compile"))
        for record in run.result.history:
            elapsed += record["seconds"]
            rows.append(emit({"part": "error_vs_epochs", "model": name, "resolution": int(x.shape[1]),
                              "epoch": record["epoch"], "seconds": elapsed,
                              "test_relative_l2": record.get("valid_relative_l2")}))
    return rows


def attention_cost(resolutions, patches: int, repeats: int = 3) -> list[dict]:
    d = 32
    full = ContinuumAttention(d, 4, rngs=nnx.Rngs(0))
    patched = PatchAttention(d, 4, patches, rngs=nnx.Rngs(0))
    rows = []
    for s in resolutions:
        v = jnp.asarray(np.random.default_rng(0).normal(size=(1, s, s, d)), jnp.float32)
        cases = {"tno": (lambda m, u: m(u.reshape(1, -1, d)), full), "vitno": (lambda m, u: m(patchify(u, patches)), patched)}
        for name, (fn, module) in cases.items():
            jitted = nnx.jit(fn)
            compiled = jax.jit(lambda u, fn=fn, module=module: fn(module, u)).lower(v).compile()
            flops = (compiled.cost_analysis() or {}).get("flops") if hasattr(compiled, "cost_analysis") else None
            if isinstance(flops, list):
                flops = None
            jax.block_until_ready(jitted(module, v))
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                jax.block_until_ready(jitted(module, v))
                times.append(time.perf_counter() - t)
            rows.append(emit({"part": "attention_cost", "model": name, "resolution": s, "points": s * s,
                              "flops": flops, "seconds": min(times)}))
    return rows


def slope(rows, model, key) -> float | None:
    pts = [(r["points"], r[key]) for r in rows if r["model"] == model and r.get(key)]
    if len(pts) < 2:
        return None
    n, v = np.array(pts, dtype=float).T
    return float(np.polyfit(np.log(n), np.log(v), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--resolutions", default="16,32")
    parser.add_argument("--attention-resolutions", default="16,32,48,64")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--num-train", type=int, default=60)
    parser.add_argument("--full", action="store_true", help="larger grids (resolutions 32,64,128; attention up to 128)")
    args = parser.parse_args()
    models = tuple(m for m in args.models.split(",") if m)
    resolutions = (32, 64, 128) if args.full else tuple(int(s) for s in args.resolutions.split(","))
    att_res = (16, 32, 64, 96, 128) if args.full else tuple(int(s) for s in args.attention_resolutions.split(","))

    throughput = [emit(steps_per_second(m, s, args.batch, args.steps, 4)) for s in resolutions for m in models]
    curves = error_vs_epochs(models, args.epochs, args.num_train, fine=65)
    cost = attention_cost(att_res, patches=4)

    print("\nmodel   res  steps/s  temp MB")
    for r in throughput:
        mem = f"{r['temp_mb']:.1f}" if r["temp_mb"] is not None else "n/a"
        print(f"{r['model']:6} {r['resolution']:4d} {r['steps_per_s']:8.2f} {mem:>8}")
    print("\nmodel   final test rel L2   seconds")
    for m in models:
        last = [r for r in curves if r["model"] == m][-1]
        print(f"{m:6} {last['test_relative_l2']:18.4f} {last['seconds']:9.1f}")
    print("\nattention cost vs points (log-log slopes; target TNO ~2, patched ~1)")
    for m in ("tno", "vitno"):
        print(f"{m:6} flops slope {slope(cost, m, 'flops')}  time slope {slope(cost, m, 'seconds')}")
    emit({"part": "summary", "flops_slope_tno": slope(cost, "tno", "flops"),
          "flops_slope_patched": slope(cost, "vitno", "flops"),
          "time_slope_tno": slope(cost, "tno", "seconds"), "time_slope_patched": slope(cost, "vitno", "seconds")})


if __name__ == "__main__":
    main()
