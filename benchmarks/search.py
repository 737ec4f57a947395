"""Search benchmark on the embedded digits: executors, compile share, RE vs random sampling.

Cases (each in a fresh subprocess, so compile caches start where stated):
- serial-cold / serial-warm / thread-2 / process-2: the same fixed list of candidates (sampled
  from the embedded preset's space) evaluated by each executor. serial-warm reuses serial-cold's
  persistent XLA cache; thread-2 (one candidate compiles while the other trains, one process)
  and process-2 (two spawned workers, each pinned to one CPU) start from empty caches, like
  serial-cold.
- serial-1cpu: serial-cold pinned to one CPU (before JAX starts, so XLA's thread pools have one
  thread). serial-cold uses the second core too (XLA compiles and runs with a thread pool), so
  two one-CPU workers can reach at most 2 x serial-1cpu / serial-cold of serial's trials/min on a
  2-core machine: the "process bound" printed under the table.
- unroll<k> (with --unroll-sweep): serial-cold with k training steps per compiled call
  (0 = one scanned epoch), to compare compile and train seconds.
- serial-fast / serial-optimised (with --compare-compile-modes): serial-cold with every
  candidate compiled in the "fast" or in the "default" (optimised) mode, instead of each one's
  mode chosen from its training FLOPs (einspace.training.candidate_compile_mode), to measure
  that choice.
- re-seed<S> / rs-seed<S>: a search of `--budget` trials with each strategy; the best
  validation accuracy of RE against random search's best and random sampling's mean.

Definitions (per executor case):
- startup_s: starting the executor until it can evaluate: loading the dataset and a one-epoch
  warm-up (Evaluator.warm_up); for process-2 also spawning the workers and importing JAX there.
  Not part of trials_per_min (trials / search seconds: from the start of the search to the
  last trial's end); trials_per_min_total counts start-up and the wrap-up after the last trial
  (best.json, closing the executor: wrap_up_s) too.
- compile seconds of a candidate: init (building the model; host-drawn parameters compile
  nothing, einspace.grammar.init) + trace + lower + compile of its train and eval programs.
- compile_share_raw: sum of compile seconds / sum of candidate wall seconds.
- compile_share_critical: the fraction of the search's wall-clock time in which some candidate
  was compiling and no candidate was training: compile that nothing hid. Each candidate's
  compile is placed at its start ([started_at, started_at + compile seconds]) and the rest of its
  wall time counts as training; that is exact for the train program and model build, and places
  the evaluation program's compile (which XLA does after the first epoch's training) at most
  one epoch early. For serial it equals the raw share up to the gaps between trials.
Targets (issue 4): process-2 >= 1.6x serial-cold trials/min; compile <= 20% of candidate time.

Measured on the 2-core development machine (32 candidates, the default; runs vary by 10-20%),
candidates built by host initialisers (einspace.grammar.init), by how candidates were compiled
(the default chooses per candidate: "fast" below 1e9 training FLOPs):

  compile modes        serial-cold /min  process-2 (bound)      critical share p-2 / thread-2
  per candidate, 1e9   53.3, 48.8        1.41x (1.41), 1.36x    0.39, 0.35 / 0.30, 0.29
  per candidate, 1e10  48.5              1.69x (2.00)           0.20 / 0.17
  every one "fast"     57.9, 52.8        1.55x (1.58), 1.60x    0.11, 0.12 / 0.11, 0.13

process-2 reaches its bound in every run; the bound is how little serial gains from the second
core, and optimised compiles gain most from it (serial-1cpu compile 0.96 s vs 0.64 s on two
cores), so the fewer candidates compile optimised, the higher both the ratio and process-2's
trials/min (85-90 all fast vs 75 per candidate). Serial and the README's search favour the
per-candidate choice: its later children are heavy and trained 1.2-1.6x slower unoptimised (the
README job: 2m09s per candidate at 1e9, 2m32s all fast, 2m42s at 1e10). A search on several
workers with light candidates can pass compile_mode="fast". Serial-cold, per candidate at 1e9:
mean candidate 1.12 s = init 0.02 + compile 0.64 + train 0.36 (+ eval, bookkeeping); serial-warm
(persistent cache) 1.83x serial-cold. Strategies at budget 24, median of 3 seeds: best valid RE
0.9665, random search 0.9442, random sampling (mean) 0.286. Before host initialisers and compile
modes: serial-cold 55/min, candidate init 0.24 + compile 0.59 s, compile share 0.77, process-2
1.27x. Unroll (serial-cold, optimised mode, mean compile / train s): scan 0.92 / 0.14, 1 step
0.57 / 0.19, 2 steps 1.23 / 0.14, 4 steps 1.92 / 0.17, 8 steps 2.60 / 0.15.

    python benchmarks/search.py                 # ~10 min on 2 quiet CPU cores
    python benchmarks/search.py --candidates 8 --budget 16 --seeds 1   # quicker look
    python benchmarks/search.py --skip strategies --unroll-sweep --compare-compile-modes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

COMPILE_PHASES = ("init", "trace", "lower", "compile")


def _fixed_candidates(n: int) -> list[str]:
    from einspace.search import Space, preset_config, trial_rng
    from einspace.tree import to_text

    config = preset_config("digits")
    space = Space.from_config(config, (1, 8, 8))
    return [to_text(space.sample(trial_rng(1000, t))) for t in range(n)]


def _union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _length(intervals: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in intervals)


def exposed_seconds(compiling: list[tuple[float, float]], training: list[tuple[float, float]]) -> float:
    """Seconds covered by some compile interval and by no training interval."""
    compiling, training = _union(compiling), _union(training)
    overlap = 0.0
    for a, b in compiling:
        for c, d in training:
            overlap += max(0.0, min(b, d) - max(a, c))
    return _length(compiling) - overlap


def compile_shares(records: list[dict]) -> dict:
    """Raw and critical-path compile shares of trained records (see the module docstring)."""
    trained = [r for r in records if r.get("timings")]
    if not trained:
        return {}
    compiling, training, phases = [], [], {}
    for r in trained:
        c = sum(r["timings"].get(p, 0.0) for p in COMPILE_PHASES)
        compiling.append((r["started_at"], r["started_at"] + c))
        training.append((r["started_at"] + c, r["started_at"] + r["wall_s"]))
        for k, v in r["timings"].items():
            phases[k] = phases.get(k, 0.0) + v
    span = max(b for _, b in training) - min(a for a, _ in compiling)
    cand_s = sum(r["wall_s"] for r in trained)
    compile_s = sum(phases.get(p, 0.0) for p in COMPILE_PHASES)
    n = len(trained)
    return {"compile_share_raw": compile_s / cand_s, "compile_share_critical": exposed_seconds(compiling, training) / span,
            "mean_candidate_s": cand_s / n, "mean_compile_s": compile_s / n,
            "mean_s": {k: round(v / n, 4) for k, v in sorted(phases.items())},
            "mean_other_s": (cand_s - sum(phases.values())) / n}


def _case_executor(args) -> dict:
    from einspace.search import FixedCandidates, make_executor, preset_config, run_search

    archs = _fixed_candidates(args.candidates)
    overrides = {} if args.unroll is None else {"unroll_steps": args.unroll}
    if args.compile_mode:
        overrides["compile_mode"] = args.compile_mode
    config = preset_config("digits", budget=len(archs), executor=args.executor, workers=args.workers,
                           timeout_s=0.0, **overrides)
    with tempfile.TemporaryDirectory() as workdir:
        t0 = time.perf_counter()
        executor = make_executor(config)
        executor.ready()
        t1, t1_wall = time.perf_counter(), time.time()
        result = run_search(config, workdir, strategy=FixedCandidates(archs), executor=executor)
        t2 = time.perf_counter()
    n = len(result.records)
    trials_s = max(r["finished_at"] for r in result.records) - t1_wall
    return {"trials": n, "startup_s": t1 - t0, "search_s": trials_s, "wrap_up_s": t2 - t1 - trials_s,
            "trials_per_min": 60 * n / trials_s, "trials_per_min_total": 60 * n / (t2 - t0), **compile_shares(result.records),
            "workers": getattr(executor, "workers", None), "statuses": result.summary["statuses"]}


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


def _executor_summary(rows: dict) -> None:
    s = rows.get("serial-cold") or next(r for r in rows.values() if "compile_share_raw" in r)
    print(f"{'case':21} {'start s':>8} {'trials/min':>10} {'(total)':>8} {'speed-up':>8} {'compile raw':>11} "
          f"{'critical':>8} {'cand s':>7} {'init':>6} {'compile':>7} {'train':>6}")
    for name, r in rows.items():
        if "compile_share_raw" not in r:
            continue
        m = r["mean_s"]
        print(f"{name:21} {r['startup_s']:8.1f} {r['trials_per_min']:10.1f} {r['trials_per_min_total']:8.1f} "
              f"{r['trials_per_min'] / s['trials_per_min']:7.2f}x {r['compile_share_raw']:11.2f} "
              f"{r['compile_share_critical']:8.2f} {r['mean_candidate_s']:7.2f} {m.get('init', 0):6.2f} "
              f"{m.get('trace', 0) + m.get('lower', 0) + m.get('compile', 0):7.2f} {m.get('train', 0):6.2f}")
    if "process-2" in rows:
        bound = 2 * rows["serial-1cpu"]["trials_per_min"] / s["trials_per_min"] if "serial-1cpu" in rows else float("nan")
        print(f"process x2 speed-up over serial (cold): {rows['process-2']['trials_per_min'] / s['trials_per_min']:.2f}x "
              f"(target >= 1.6x; two one-CPU workers' bound here: {bound:.2f}x); compile share target <= 0.20 "
              "(raw and critical-path above)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--candidates", type=int, default=32, help="fixed candidates per executor case")
    p.add_argument("--budget", type=int, default=24, help="trials per strategy search")
    p.add_argument("--seeds", type=int, default=3, help="search seeds per strategy (median reported)")
    p.add_argument("--skip", default="", help="comma-separated: executors,strategies")
    p.add_argument("--unroll-sweep", action="store_true", help="also run serial-cold at unroll 0, 1, 2, 4, 8")
    p.add_argument("--compare-compile-modes", action="store_true",
                   help="also run serial-cold with every candidate in the fast and in the default compile mode")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--executor", default="serial", help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--unroll", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--compile-mode", default=None, help=argparse.SUPPRESS)
    p.add_argument("--one-cpu", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--strategy", default=None, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        if args.one_cpu:
            os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:1])
        row = _case_strategy(args) if args.strategy else _case_executor(args)
        print(json.dumps(row, default=str))
        return
    rows = {}
    with tempfile.TemporaryDirectory() as caches:
        if "executors" not in args.skip:
            n = ["--candidates", str(args.candidates)]
            rows["serial-cold"] = _spawn("serial-cold", n, f"{caches}/serial")
            rows["serial-warm"] = _spawn("serial-warm", n, f"{caches}/serial")
            rows["serial-1cpu"] = _spawn("serial-1cpu", n + ["--one-cpu"], f"{caches}/serial-1cpu")
            rows["thread-2"] = _spawn("thread-2", n + ["--executor", "thread", "--workers", "2"], f"{caches}/thread")
            rows["process-2"] = _spawn("process-2", n + ["--executor", "process", "--workers", "2"], f"{caches}/process")
        if args.compare_compile_modes:
            for name, mode in (("serial-fast", "fast"), ("serial-optimised", "default")):
                rows[name] = _spawn(name, ["--candidates", str(args.candidates), "--compile-mode", mode], f"{caches}/{mode}")
        if args.unroll_sweep:
            for k in (0, 1, 2, 4, 8):
                rows[f"unroll{k}"] = _spawn(f"unroll{k}", ["--candidates", str(args.candidates), "--unroll", str(k)],
                                            f"{caches}/unroll{k}")
        if "strategies" not in args.skip:
            for strategy in ("re", "rs"):
                for seed in range(args.seeds):
                    name = f"{strategy}-seed{seed}"
                    rows[name] = _spawn(name, ["--strategy", strategy, "--seed", str(seed), "--budget", str(args.budget)],
                                        f"{caches}/strategies")
    print()
    if any("compile_share_raw" in r for r in rows.values()):
        _executor_summary(rows)
    if "strategies" not in args.skip:
        import numpy as np

        med = lambda key, st: float(np.median([rows[f"{st}-seed{i}"][key] for i in range(args.seeds)]))
        print(f"median best valid accuracy over {args.seeds} seeds at budget {args.budget}: RE {med('best_valid', 're'):.4f}, "
              f"random search {med('best_valid', 'rs'):.4f}, random sampling (mean) {med('mean_valid', 'rs'):.4f}")


if __name__ == "__main__":
    main()
