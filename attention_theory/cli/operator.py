"""`attention-theory operator train|eval|experiment ...`: neural operators through the shared engine.

  operator train --model fno --problem darcy --data runs/data/darcy.npz --workdir runs/op/fno [--json]
  operator eval --workdir runs/op/fno --data runs/data/darcy.npz --subsample 4,2,1 [--json]
  operator experiment darcy|lorenz|navier-stokes [--full] [--field value ...] --workdir runs/op/darcy
Model flags mirror OperatorConfig (--width, --num-layers, --modes, ...); training uses Adam with
the learning rate halved every --decay-epochs (FNO's step schedule) and a raw-scale relative loss.
"""

from __future__ import annotations

import argparse

from attention_theory.cli._flags import _tuple_parser, add_config_flags, config_from_args

PROBLEMS = ("darcy", "burgers", "lorenz63", "navier-stokes")
EXPERIMENTS = ("darcy", "lorenz", "navier-stokes")


def _experiment_config_type(name: str):
    from attention_theory.experiments import (
        DarcyExperimentConfig,
        LorenzExperimentConfig,
        NavierStokesExperimentConfig,
    )

    return {"darcy": DarcyExperimentConfig, "lorenz": LorenzExperimentConfig,
            "navier-stokes": NavierStokesExperimentConfig}[name]


def register(subparsers) -> None:
    from attention_theory.operators.registry import OperatorConfig

    parser = subparsers.add_parser("operator", help="train / evaluate neural operators (FNO, TNO, ViTNO, FANO)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    train = actions.add_parser("train", help="train one operator on a generated dataset")
    train.add_argument("--model", required=True, choices=("fno", "tno", "vitno", "fano"))
    train.add_argument("--problem", required=True, choices=PROBLEMS)
    train.add_argument("--data", required=True, help=".npz from `attention-theory pde generate`")
    train.add_argument("--workdir", required=True, help="run folder (config, metrics, operator.npz)")
    train.add_argument("--num-train", type=int, default=1000)
    train.add_argument("--num-test", type=int, default=100)
    train.add_argument("--subsample", type=int, default=1, help="grid step applied to the stored data")
    train.add_argument("--epochs", type=int, default=20)
    train.add_argument("--batch-size", type=int, default=20)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--decay-epochs", type=int, default=100)
    train.add_argument("--loss", default="relative_l2", choices=("relative_l2", "relative_h1", "mse"))
    train.add_argument("--normalizer", default="channel", choices=("channel", "pointwise"))
    train.add_argument("--history", type=int, default=10, help="navier-stokes: input snapshots")
    add_config_flags(train, OperatorConfig, prefix="")
    train.add_argument("--json", action="store_true")
    train.set_defaults(func=main_train)

    evaluate = actions.add_parser("eval", help="evaluate a trained operator, zero-shot at other resolutions")
    evaluate.add_argument("--workdir", required=True)
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--subsample", type=_tuple_parser(int), default=(1,), help="grid steps, e.g. 4,2,1")
    evaluate.add_argument("--num-test", type=int, default=100)
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(func=main_eval)

    experiment = actions.add_parser("experiment", help="run a paper experiment and print its table")
    kinds = experiment.add_subparsers(dest="experiment", required=True, metavar="EXPERIMENT")
    for name in EXPERIMENTS:
        sub = kinds.add_parser(name)
        add_config_flags(sub, _experiment_config_type(name))
        sub.add_argument("--full", action="store_true", help="the paper / FNO protocol (long on CPU)")
        sub.add_argument("--workdir", default=f"runs/operator/{name}")
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(func=main_experiment)


def _load_pairs(problem: str, path: str, history: int):
    from attention_theory.experiments.data import operator_pairs
    from attention_theory.pde import load_dataset

    arrays, metadata = load_dataset(path)
    if metadata.get("problem") != problem:
        raise SystemExit(f"--data {path} holds {metadata.get('problem')!r} data, not --problem {problem!r}")
    return operator_pairs(problem, arrays, history=history), metadata


def _multiple(config) -> int:
    return config.num_patches if config.name in ("vitno", "fano") else 1


def main_train(args: argparse.Namespace) -> int:
    import json

    from attention_theory.experiments import operator_splits, save_operator, subsample_grid, train_operator
    from attention_theory.experiments.train import operator_train_config
    from attention_theory.operators.registry import OperatorConfig

    model_cfg = config_from_args(OperatorConfig, args, OperatorConfig(name=args.model))
    (x, y), metadata = _load_pairs(args.problem, args.data, args.history)
    x, y = subsample_grid(x, args.subsample, _multiple(model_cfg)), subsample_grid(y, args.subsample, _multiple(model_cfg))
    splits = operator_splits(x, y, args.num_train, args.num_test, args.problem)
    train_cfg = operator_train_config(args.epochs, args.batch_size, args.lr, args.loss, args.decay_epochs, model_cfg.seed)
    run = train_operator(model_cfg, splits, train_cfg, normalizer=args.normalizer, workdir=args.workdir,
                         progress=None if not args.json else False)
    extra = {"problem": args.problem, "history": args.history, "trained_at": list(x.shape[1:-1]), "data": metadata}
    if run.result.status == "ok":
        save_operator(args.workdir, run.model, model_cfg, x.ndim - 2, extra)
    summary = {"model": args.model, "problem": args.problem, "status": run.result.status, "params": run.num_params,
               "grid": list(x.shape[1:-1]), "final": run.result.final, "timings": run.result.timings}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{args.model} on {args.problem} {tuple(x.shape[1:-1])}: {run.result.status}, "
              f"test relative L2 {run.result.final.get('test_relative_l2', float('nan')):.4f}, {run.num_params} params")
    return 0 if run.result.status == "ok" else 1


def main_eval(args: argparse.Namespace) -> int:
    import json

    from attention_theory.experiments import evaluate_operator, load_operator, subsample_grid

    model, meta = load_operator(args.workdir)
    (x, y), _ = _load_pairs(meta["problem"], args.data, meta.get("history", 10))
    config = meta["operator"]
    multiple = config["num_patches"] if config["name"] in ("vitno", "fano") else 1
    rows = []
    for step in args.subsample:
        xs, ys = subsample_grid(x, step, multiple), subsample_grid(y, step, multiple)
        metrics = evaluate_operator(model, xs[-args.num_test :], ys[-args.num_test :])
        rows.append({"subsample": step, "grid": list(xs.shape[1:-1]), **metrics})
    if args.json:
        print(json.dumps({"model": config["name"], "problem": meta["problem"], "trained_at": meta.get("trained_at"),
                          "rows": rows}))
    else:
        print(f"{config['name']} trained at {meta.get('trained_at')}:")
        for r in rows:
            print(f"  grid {r['grid']}: relative L2 {r['relative_l2']:.4f}  relative H1 {r['relative_h1']:.4f}")
    return 0


def main_experiment(args: argparse.Namespace) -> int:
    import json

    from attention_theory import experiments

    config_type = _experiment_config_type(args.experiment)
    base = config_type.full() if args.full else config_type()
    config = config_from_args(config_type, args, base)
    runner = {"darcy": experiments.run_darcy_experiment, "lorenz": experiments.run_lorenz_experiment,
              "navier-stokes": experiments.run_navier_stokes_experiment}[args.experiment]
    out = runner(config, args.workdir)
    if args.json:
        print(json.dumps(out, default=str))
        return 0
    keys = [k for k in ("model", "dt", "points", "resolution", "trained_at", "relative_l2", "relative_h1", "params")
            if any(k in r for r in out["rows"])]
    print(" | ".join(f"{k:>12}" for k in keys))
    for r in out["rows"]:
        print(" | ".join(f"{r.get(k, ''):>12.4g}" if isinstance(r.get(k), float) else f"{str(r.get(k, '')):>12}"
                         for k in keys))
    for key in ("published_fno", "published_fno2d", "mode"):
        if key in out:
            print(f"{key}: {out[key]}")
    print(f"plots and models in {args.workdir}")
    return 0
