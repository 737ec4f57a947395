"""`einspace search`, `einspace retrain RUN_DIR`, `einspace report RUN_DIR`."""

from __future__ import annotations

import argparse
import json
import time

# (flag, SearchConfig field, type, help); every default is None = "the preset's value".
_OVERRIDES = (
    ("--budget", "budget", int, "trials, duplicates included"),
    ("--epochs", "epochs", int, "training epochs per candidate (paper: 8)"),
    ("--population", "population", int, "RE population P (paper: 100)"),
    ("--tournament", "tournament", int, "RE tournament size, drawn with replacement (paper: 10)"),
    ("--crossover-rate", "crossover_rate", float, "fraction of children made by subtree crossover"),
    ("--batch-size", "batch_size", int, "candidate batch size (paper: 256)"),
    ("--lr", "learning_rate", float, "SGD learning rate (paper: 0.04)"),
    ("--weight-decay", "weight_decay", float, "weight decay (paper: 3e-4)"),
    ("--max-params", "max_params", int, "parameter limit of a candidate's backbone"),
    ("--max-nodes", "max_nodes", int, "derivation-node limit of a candidate"),
    ("--max-flops", "max_flops", int, "FLOPs per example limit (0 = none)"),
    ("--max-ops", "max_ops", int, "limit on leaf ops with repeated branches expanded (0 = none)"),
    ("--timeout", "timeout_s", float, "per-candidate wall-clock limit in seconds, checked after each epoch; "
                                      "process and Ray workers are killed at twice it (0 = none)"),
    ("--retrain-epochs", "retrain_epochs", int, "epochs of the winner's retrain on train+valid"),
    ("--seed", "seed", int, "search seed: architectures, data split, initialisation"),
    ("--workers", "workers", int, "parallel workers for --executor thread|process|ray"),
    ("--objective", "objective", str, "train (default) or synthetic (a planted optimum, no training)"),
)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "search", help="search einspace for an architecture (random search or regularised evolution)",
        description="Search einspace on a dataset and write a resumable run directory. Defaults are the paper's, "
                    "or a small-budget preset for the embedded datasets (digits, mnist5k).",
    )
    p.add_argument("--dataset", default=None, help="embedded dataset (digits, mnist5k) or an Unseen NAS directory")
    p.add_argument("--strategy", default=None, choices=("rs", "re", "re-seeded"))
    p.add_argument("--seeds", default=None, help="comma-separated seed architectures: resnet18,wrn16_4,vit,mixer")
    p.add_argument("--executor", default=None, choices=("serial", "thread", "process", "ray"),
                   help="serial (reproducible), thread (compile/train overlap in one process), process, ray")
    p.add_argument("--halving-rungs", default=None, help="comma-separated epochs for successive halving, e.g. 2,4")
    p.add_argument("--compile-mode", default=None, choices=("fast", "default"),
                   help="compile every candidate fast (unoptimised) or optimised; default: chosen per "
                        "candidate from its training FLOPs")
    p.add_argument("--col-reduce", default=None, choices=("features", "tokens"),
                   help="head of sequence (Col) outputs: mean over features (official) or over tokens (a ViT's)")
    for flag, _, typ, text in _OVERRIDES:
        p.add_argument(flag, type=typ, default=None, help=text)
    p.add_argument("--workdir", default=None, help="run directory (default runs/search-<time>)")
    p.add_argument("--resume", action="store_true", help="continue the run in --workdir with its saved config")
    p.add_argument("--address", default=None, help="Ray cluster address for --executor ray")
    p.add_argument("--retrain", action="store_true", help="retrain the winner on train+valid at the end")
    p.add_argument("--progress", default=None, choices=("live", "lines", "off"))
    p.set_defaults(func=run_search_command)

    r = subparsers.add_parser("retrain", help="retrain a search's winner on train+valid and score it on test")
    r.add_argument("run_dir")
    r.add_argument("--epochs", type=int, default=None, help="default: the search's retrain_epochs")
    r.add_argument("--num-seeds", type=int, default=1,
                   help="K > 1 trains K seeds of the winner in one vmapped program; reports mean and std")
    r.set_defaults(func=run_retrain_command)

    rep = subparsers.add_parser("report", help="write a search's plots (PNG) and report.md")
    rep.add_argument("run_dir")
    rep.set_defaults(func=run_report_command)


def search_config(args: argparse.Namespace):
    """The SearchConfig: the saved one on --resume, else the dataset's preset; explicit flags override."""
    from pathlib import Path

    from einspace.search.config import SearchConfig, preset_config

    overrides = {field: getattr(args, flag[2:].replace("-", "_")) for flag, field, _, _ in _OVERRIDES}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for name in ("dataset", "strategy", "executor", "compile_mode", "col_reduce"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.seeds is not None:
        overrides["seeds"] = tuple(s.strip() for s in args.seeds.split(",") if s.strip())
    if args.halving_rungs is not None:
        overrides["halving_rungs"] = tuple(int(e) for e in args.halving_rungs.split(",") if e.strip())
    saved = Path(args.workdir or "") / "config.json"
    if args.resume and args.workdir and saved.exists():
        return SearchConfig.from_dict({**json.loads(saved.read_text()), **overrides})
    overrides.setdefault("dataset", "digits")
    if overrides.get("executor") in ("thread", "process", "ray") and "workers" not in overrides:
        overrides["workers"] = 2
    return preset_config(**overrides)


def run_search_command(args: argparse.Namespace) -> int:
    from einspace.search import retrain, run_search, write_report

    config = search_config(args).validate()
    workdir = args.workdir or f"runs/search-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run_search(config, workdir, resume=args.resume, progress=args.progress, address=args.address)
    if args.retrain and result.best is not None:
        print(json.dumps(retrain(workdir, progress=False), default=str))
    paths = write_report(workdir)
    best = result.best
    print(f"run directory  {workdir}")
    print(f"trials         {len(result.records)} / {config.budget}  " + json.dumps(result.summary["statuses"]))
    if best is not None:
        print(f"best           trial {best['trial']}  valid accuracy {best['fitness']:.4f}")
        print(f"architecture   {best['architecture']}")
    print(f"report         {paths['report']}")
    return 0


def run_retrain_command(args: argparse.Namespace) -> int:
    from einspace.search import retrain, write_report

    summary = retrain(args.run_dir, epochs=args.epochs, seeds=args.num_seeds)
    write_report(args.run_dir)
    print(json.dumps(summary, default=str))
    return 0 if summary["status"] == "ok" else 1


def run_report_command(args: argparse.Namespace) -> int:
    from einspace.search import write_report

    for name, path in write_report(args.run_dir).items():
        print(f"{name:16} {path}")
    return 0
