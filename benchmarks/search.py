"""Search benchmark on the embedded digits: executors, compile share, RE vs random sampling.

Cases (each in a fresh subprocess, so compile caches start where stated):
- serial-cold / serial-warm / process-2 / thread-2: the same fixed list of candidates (sampled from the
  embedded preset's space) evaluated by each executor; trials per minute and the fraction of
  candidate time spent tracing+lowering+compiling. serial-warm reuses serial-cold's persistent
  XLA cache. process-2 and thread-2 (compile of one candidate overlapping training of
  another) start from their own empty caches, like serial-cold.
- re-seed<S> / rs-seed<S>: a search of `--budget` trials with each strategy; the best
  validation accuracy of RE against random search's best and random sampling's mean.

Prints one JSON line per case, then a short table with the ratios measured in this run.

    python benchmarks/search.py                 # ~10 min on 2 CPU cores
    python benchmarks/search.py --candidates 8 --budget 16 --seeds 1   # quicker look
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _fixed_candidates(n: int) -> list[str]:
    from einspace.search import SearchConfig, Space, preset_config, trial_rng
    from einspace.tree import to_text

    config = preset_config("digits")
    space = Space.from_config(config, (1, 8, 8))
    return [to_text(space.sample(trial_rng(1000, t))) for t in range(n)]


def _case_executor(args) -> dict:
    import dataclasses

    from einspace.search import FixedCandidates, preset_config, run_search

    archs = _fixed_candidates(args.candidates)
    config = preset_config("digits", budget=len(archs), executor=args.executor, workers=args.workers,
                           timeout_s=0.0)
    with tempfile.TemporaryDirectory() as workdir:
        t0 = time.perf_counter()
        result = run_search(config, workdir, strategy=FixedCandidates(archs))
        wall = time.perf_counter() - t0
    trained = [r for r in result.records if r.get("timings")]
    compile_s = sum(sum(r["timings"].get(p, 0.0) for p in ("trace", "lower", "compile")) for r in trained)
    cand_s = sum(r["wall_s"] for r in trained)
    return {"trials": len(result.records), "wall_s": wall, "trials_per_min": 60 * len(result.records) / wall,
            "compile_fraction": compile_s / cand_s if cand_s else None,
            "mean_compile_s": compile_s / max(1, len(trained)), "statuses": result.summary["statuses"]}


def _case_strategy(args) -> dict:
    import numpy as np

    from einspace.search import preset_config, run_search
    from einspace.search.report import random_sampling_baseline

    config = preset_config("digits", strategy=args.strategy, budget=args.budget, seed=args.seed)
    with tempfile.TemporaryDirectory() as workdir:
        t0 = time.perf_counter()
        result = run_search(config, workdir)
        wall = time.perf_counter() - t0
    scores = [r["fitness"] for r in result.records if r.get("fitness") is not None]
    baseline = random_sampling_baseline(result.records)
    return {"best_valid": result.best["fitness"] if result.best else None, "mean_valid": float(np.mean(scores)),
            "random_sampling_valid": baseline and baseline["valid_accuracy"], "wall_s": wall,
            "statuses": result.summary["statuses"]}


def _spawn(name: str, extra: list[str], cache: str) -> dict:
    env = {**os.environ, "JITLOOP_COMPILE_CACHE": cache}
    out = subprocess.run([sys.executable, __file__, "--worker", *extra], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"case {name} failed:\n{out.stderr[-3000:]}")
    row = {"case": name, **json.loads(out.stdout.strip().splitlines()[-1])}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--candidates", type=int, default=16, help="fixed candidates per executor case")
    p.add_argument("--budget", type=int, default=24, help="trials per strategy search")
    p.add_argument("--seeds", type=int, default=3, help="search seeds per strategy (median reported)")
    p.add_argument("--skip", default="", help="comma-separated: executors,strategies")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--executor", default="serial", help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--strategy", default=None, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        row = _case_strategy(args) if args.strategy else _case_executor(args)
        print(json.dumps(row, default=str))
        return
    rows = {}
    with tempfile.TemporaryDirectory() as caches:
        if "executors" not in args.skip:
            n = ["--candidates", str(args.candidates)]
            rows["serial-cold"] = _spawn("serial-cold", n, f"{caches}/serial")
            rows["serial-warm"] = _spawn("serial-warm", n, f"{caches}/serial")
            rows["process-2"] = _spawn("process-2", n + ["--executor", "process", "--workers", "2"], f"{caches}/process")
            rows["thread-2"] = _spawn("thread-2", n + ["--executor", "thread", "--workers", "2"], f"{caches}/thread")
        if "strategies" not in args.skip:
            for strategy in ("re", "rs"):
                for seed in range(args.seeds):
                    name = f"{strategy}-seed{seed}"
                    rows[name] = _spawn(name, ["--strategy", strategy, "--seed", str(seed), "--budget", str(args.budget)],
                                        f"{caches}/strategies")
    print()
    if "serial-cold" in rows:
        s, w, pr, th = rows["serial-cold"], rows["serial-warm"], rows["process-2"], rows["thread-2"]
        print(f"trials/min: serial cold {s['trials_per_min']:.1f}, serial warm {w['trials_per_min']:.1f}, "
              f"process x2 cold {pr['trials_per_min']:.1f} -> speed-up {pr['trials_per_min'] / s['trials_per_min']:.2f}x "
              f"(target >= 1.6x); thread x2 cold {th['trials_per_min']:.1f} -> {th['trials_per_min'] / s['trials_per_min']:.2f}x")
        print(f"compile fraction of candidate time: cold {s['compile_fraction']:.2f}, warm {w['compile_fraction']:.2f} "
              "(target <= 0.20)")
    if "strategies" not in args.skip:
        import numpy as np

        med = lambda key, st: float(np.median([rows[f"{st}-seed{i}"][key] for i in range(args.seeds)]))
        print(f"median best valid accuracy over {args.seeds} seeds at budget {args.budget}: RE {med('best_valid', 're'):.4f}, "
              f"random search {med('best_valid', 'rs'):.4f}, random sampling (mean) {med('mean_valid', 'rs'):.4f}")


if __name__ == "__main__":
    main()
