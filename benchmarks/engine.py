"""Engine benchmark: scanned epochs vs a per-step loop, cold vs warm compile cache, compile counts,
K seeds in one vmapped program (`fit_seeds`) vs K sequential `fit` runs.

    python benchmarks/engine.py [--epochs 5] [--dataset digits] [--seeds 4]

Prints one JSON line per case, then a table. Targets (issue 2): scanned epoch >= 3x the
per-step loop's steps/s on the small MLP; warm-cache compile <= 30% of cold; exactly one
compilation for two identical models. The seeds columns are wall seconds including compile
(in-process programs cleared first, persistent cache off), both sides measured in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from einspace.data import load_embedded
from jitloop import TrainConfig, fit, fit_seeds, programs
from jitloop.steps import epoch_indices


class MLP(nnx.Module):
    def __init__(self, d_in: int, *, rngs: nnx.Rngs):
        self.l1, self.l2 = nnx.Linear(d_in, 128, rngs=rngs), nnx.Linear(128, 10, rngs=rngs)

    def __call__(self, x):
        return self.l2(nnx.relu(self.l1(x.reshape(x.shape[0], -1))))


class CNN(nnx.Module):
    def __init__(self, channels: int, *, rngs: nnx.Rngs):
        self.c1 = nnx.Conv(channels, 16, (3, 3), rngs=rngs)
        self.c2 = nnx.Conv(16, 32, (3, 3), strides=(2, 2), rngs=rngs)
        self.out = nnx.Linear(32, 10, rngs=rngs)

    def __call__(self, x):
        h = jnp.transpose(x, (0, 2, 3, 1))  # (B, C, H, W) -> NHWC for nnx.Conv
        h = nnx.relu(self.c2(nnx.relu(self.c1(h))))
        return self.out(h.mean(axis=(1, 2)))


MODELS = {"mlp": lambda s, seed: MLP(int(np.prod(s)), rngs=nnx.Rngs(seed)),
          "cnn": lambda s, seed: CNN(s[0], rngs=nnx.Rngs(seed))}


def per_step_loop(model, data, batch_size: int, epochs: int) -> float:
    """The naive baseline: a Python loop calling one jitted step per batch. Returns steps/s."""
    tx = optax.sgd(0.04, momentum=0.9)
    opt_state = tx.init(nnx.state(model, nnx.Param))

    @nnx.jit
    def step(model, opt_state, xb, yb):
        loss_fn = lambda m: jnp.mean(optax.softmax_cross_entropy_with_integer_labels(m(xb), yb))
        loss, grads = nnx.value_and_grad(loss_fn)(model)
        params = nnx.state(model, nnx.Param)
        updates, opt_state = tx.update(grads, opt_state, params)
        nnx.update(model, optax.apply_updates(params, updates))
        return loss, opt_state

    x, y = data.train.x, data.train.y
    steps = len(data.train) // batch_size
    idx = np.asarray(epoch_indices(jax.random.key(0), len(x), steps, batch_size))
    loss, opt_state = step(model, opt_state, x[idx[0]], y[idx[0]])  # compile outside the timing
    loss.block_until_ready()
    t0 = time.perf_counter()
    for epoch in range(epochs):
        for batch in idx:
            loss, opt_state = step(model, opt_state, x[batch], y[batch])
    loss.block_until_ready()
    return epochs * steps / (time.perf_counter() - t0)


def engine_steps_per_s(model, data, batch_size: int, epochs: int, unroll_steps: int = 0) -> float:
    config = TrainConfig(epochs=epochs + 1, batch_size=batch_size, eval_every=10**6, unroll_steps=unroll_steps)
    result = fit(model, data.__class__(data.train, num_classes=10, name=data.name), config, compile_cache=False)
    # Skip the first epoch: it includes the ahead-of-time compilation.
    seconds = sum(h["seconds"] for h in result.history[1:])
    return epochs * (len(data.train) // batch_size) / seconds


COMPILE_SCRIPT = """
import json, sys
from flax import nnx
sys.path.insert(0, {here!r})
from engine import MODELS
from einspace.data import load_embedded
from jitloop import TrainConfig, fit
data = load_embedded({dataset!r})
r = fit(MODELS[{name!r}](data.input_shape, 0), data, TrainConfig(epochs=1, batch_size=64), compile_cache={cache!r})
print("RESULT" + json.dumps(r.timings))
"""


def compile_seconds(name: str, dataset: str, cache: str) -> float:
    code = COMPILE_SCRIPT.format(here=os.path.dirname(os.path.abspath(__file__)), dataset=dataset, name=name, cache=cache)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    timings = json.loads(out.stdout.split("RESULT", 1)[1])
    return timings["compile"]


def seeds_wall_seconds(build, data, k: int, epochs: int, batch_size: int) -> tuple[float, float]:
    """Wall seconds of k seeds as one vmapped fit_seeds run, and as k sequential fit runs."""
    config = TrainConfig(epochs=epochs, batch_size=batch_size)
    programs.clear_programs()
    t0 = time.perf_counter()
    fit_seeds(lambda seed: build(data.input_shape, seed), list(range(k)), data, config, compile_cache=False)
    together = time.perf_counter() - t0
    programs.clear_programs()
    t0 = time.perf_counter()
    for seed in range(k):
        fit(build(data.input_shape, seed), data, TrainConfig(epochs=epochs, batch_size=batch_size, seed=seed),
            compile_cache=False)
    return together, time.perf_counter() - t0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--unroll", type=int, default=8, help="steps per call in the unrolled mode")
    parser.add_argument("--seeds", type=int, default=4, help="K for the vmapped-seeds case")
    args = parser.parse_args(argv)
    data = load_embedded(args.dataset)
    rows = []
    for name, build in MODELS.items():
        loop = per_step_loop(build(data.input_shape, 0), data, args.batch_size, args.epochs)
        scan = engine_steps_per_s(build(data.input_shape, 0), data, args.batch_size, args.epochs)
        unrolled = engine_steps_per_s(build(data.input_shape, 0), data, args.batch_size, args.epochs, args.unroll)
        with tempfile.TemporaryDirectory() as cache:
            cold = compile_seconds(name, args.dataset, cache)
            warm = compile_seconds(name, args.dataset, cache)
        before = programs.STATS["traces"].get("train_epoch", 0)
        for seed in (10, 11):
            fit(build(data.input_shape, seed), data, TrainConfig(epochs=1, batch_size=64, seed=99), compile_cache=False)
        compiles = programs.STATS["traces"]["train_epoch"] - before
        together, sequential = seeds_wall_seconds(build, data, args.seeds, args.epochs, args.batch_size)
        row = {"case": name, "dataset": args.dataset, "batch_size": args.batch_size,
               "scan_steps_per_s": round(scan, 1), "loop_steps_per_s": round(loop, 1),
               "scan_over_loop": round(scan / loop, 2), "unrolled_steps_per_s": round(unrolled, 1),
               "unroll_steps": args.unroll, "unrolled_over_loop": round(unrolled / loop, 2), "compile_cold_s": round(cold, 3),
               "compile_warm_s": round(warm, 3), "warm_over_cold": round(warm / cold, 3),
               "compilations_for_two_identical_models": compiles, "seeds": args.seeds,
               "seeds_vmapped_s": round(together, 2), "seeds_sequential_s": round(sequential, 2),
               "seeds_speedup": round(sequential / together, 2), "device": str(jax.devices()[0])}
        print(json.dumps(row), flush=True)
        rows.append(row)
    print(f"\n{'case':5} {'scan steps/s':>13} {'unrolled':>9} {'loop steps/s':>13} {'scan/loop':>9} {'cold s':>7} {'warm s':>7} {'warm/cold':>9} {'compiles':>8} {'K seeds x':>9}")
    for r in rows:
        print(f"{r['case']:5} {r['scan_steps_per_s']:13.1f} {r['unrolled_steps_per_s']:9.1f} {r['loop_steps_per_s']:13.1f} {r['scan_over_loop']:9.2f} "
              f"{r['compile_cold_s']:7.3f} {r['compile_warm_s']:7.3f} {r['warm_over_cold']:9.3f} {r['compilations_for_two_identical_models']:8d} {r['seeds_speedup']:9.2f}")


if __name__ == "__main__":
    main()
