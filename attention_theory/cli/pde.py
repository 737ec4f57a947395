"""`attention-theory pde generate PROBLEM --out data.npz [--field value ...] [--json]`.

Every field of the problem's config is a flag (e.g. darcy --num-samples 1100 --fine-resolution 421
--subsample 5; navier-stokes --visc 1e-3 --horizon 50 --resolution 64). Data are cached: a file
with the same metadata is reused.
"""

from __future__ import annotations

import argparse

from attention_theory.cli._flags import add_config_flags, config_from_args


def register(subparsers) -> None:
    from attention_theory.pde.problems import PROBLEMS

    parser = subparsers.add_parser("pde", help="generate PDE datasets (Darcy, Navier-Stokes, Burgers, Lorenz-63)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    generate = actions.add_parser("generate", help="generate (or reuse) a cached .npz dataset")
    problems = generate.add_subparsers(dest="problem", required=True, metavar="PROBLEM")
    for name, problem in PROBLEMS.items():
        sub = problems.add_parser(name, help=f"{name} data ({problem.config.__name__})")
        add_config_flags(sub, problem.config)
        sub.add_argument("--out", default=f"runs/data/{name}.npz", help="output .npz path")
        sub.add_argument("--json", action="store_true", help="print a JSON summary")
        sub.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import json
    import sys
    import time

    from rich.progress import Progress

    from attention_theory.pde.problems import PROBLEMS, generate

    config = config_from_args(PROBLEMS[args.problem].config, args)
    t0 = time.perf_counter()
    with Progress(disable=args.json or not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"{args.problem}", total=None)
        arrays, metadata, cached = generate(
            args.problem, config, args.out, lambda done, total: bar.update(task, completed=done, total=total)
        )
    summary = {
        "problem": args.problem, "path": args.out, "cached": cached, "seconds": time.perf_counter() - t0,
        "arrays": {k: list(v.shape) for k, v in arrays.items()}, "metadata": metadata,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in arrays.items())
        print(f"{args.problem}: {shapes} -> {args.out} ({'cached' if cached else 'generated'}, {summary['seconds']:.1f} s)")
    return 0
