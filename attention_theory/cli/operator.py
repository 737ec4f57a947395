"""`attention-theory operator train|eval|experiment ...`: neural operators through the shared engine.

  operator train --model fno --problem darcy --data runs/data/darcy.npz --workdir runs/op/fno [--json]
  operator train --model fno --problem navier-stokes --mode autoregressive [--ar-loss rollout] ...
  operator eval --workdir runs/op/fno --data runs/data/darcy.npz --subsample 4,2,1 [--json]
  operator experiment darcy|lorenz|navier-stokes [--full] [--field value ...] --workdir runs/op/darcy
Model flags mirror OperatorConfig (--width, --num-layers, --modes, ...); training uses Adam with
the learning rate halved every --decay-epochs (FNO's step schedule) and a raw-scale relative loss.
Navier-Stokes runs one-shot (all future snapshots as output channels) or, with --mode
autoregressive, as a one-step operator (last --history snapshots -> the next) trained with FNO's
rollout loss or teacher forcing (--ar-loss) and evaluated by rolling it out; summaries state the mode.
"""

from __future__ import annotations

import argparse

from attention_theory.cli._flags import _tuple_parser, add_config_flags, config_from_args

PROBLEMS = ("darcy", "burgers", "lorenz63", "navier-stokes")
MODES = ("one-shot", "autoregressive")
AR_LOSSES = ("rollout", "teacher-forcing")  # attention_theory.experiments.AUTOREGRESSIVE_LOSSES, without importing jax
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
    train.add_argument("--mode", default="one-shot", choices=MODES,
                       help="navier-stokes: predict all future snapshots at once, or one step rolled out")
    train.add_argument("--ar-loss", default="rollout", choices=AR_LOSSES,
                       help="autoregressive training: FNO's rollout loss (the mean per-step relative L2 of the "
                            "rollout, in place of --loss) or teacher forcing on windows (with --loss)")
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

    from attention_theory.experiments import operator_splits, save_operator, subsample_grid
    from attention_theory.experiments.train import operator_train_config
    from attention_theory.operators.registry import OperatorConfig

    if args.mode == "autoregressive" and args.problem != "navier-stokes":
        raise SystemExit(f"--mode autoregressive needs --problem navier-stokes (a time series); got {args.problem!r}")
    model_cfg = config_from_args(OperatorConfig, args, OperatorConfig(name=args.model))
    (x, y), metadata = _load_pairs(args.problem, args.data, args.history)
    x, y = subsample_grid(x, args.subsample, _multiple(model_cfg)), subsample_grid(y, args.subsample, _multiple(model_cfg))
    splits = operator_splits(x, y, args.num_train, args.num_test, args.problem)
    train_cfg = operator_train_config(args.epochs, args.batch_size, args.lr, args.loss, args.decay_epochs, model_cfg.seed)
    run, rollout = _train(args, model_cfg, splits, train_cfg)
    extra = {"problem": args.problem, "history": args.history, "trained_at": list(x.shape[1:-1]), "data": metadata,
             "mode": args.mode, **({"ar_loss": args.ar_loss} if rollout is not None else {})}
    if run.result.status == "ok":
        save_operator(args.workdir, run.model, model_cfg, x.ndim - 2, extra)
    summary = {"model": args.model, "problem": args.problem, "mode": args.mode, "status": run.result.status,
               "params": run.num_params, "grid": list(x.shape[1:-1]), "final": run.result.final,
               "timings": run.result.timings}
    if rollout is not None:
        summary.update(ar_loss=args.ar_loss, rollout=rollout)
    if args.json:
        print(json.dumps(summary))
    elif rollout is not None:
        print(f"{args.model} on {args.problem} {tuple(x.shape[1:-1])}, autoregressive ({args.ar_loss} loss): "
              f"{run.result.status}, rollout relative L2 {rollout.get('relative_l2', float('nan')):.4f} over "
              f"{y.shape[-1]} steps (per step mean {rollout.get('step_relative_l2', float('nan')):.4f}), "
              f"{run.num_params} params")
    else:
        print(f"{args.model} on {args.problem} {tuple(x.shape[1:-1])}, one-shot: {run.result.status}, "
              f"test relative L2 {run.result.final.get('test_relative_l2', float('nan')):.4f}, {run.num_params} params")
    return 0 if run.result.status == "ok" else 1


def _train(args, model_cfg, splits, train_cfg):
    """(OperatorRun, rollout errors on the test split or None for one-shot) for --mode."""
    from attention_theory.experiments import rollout_errors, train_autoregressive, train_operator

    progress = None if not args.json else False
    if args.mode == "one-shot":
        return train_operator(model_cfg, splits, train_cfg, normalizer=args.normalizer, workdir=args.workdir,
                              progress=progress), None
    run = train_autoregressive(model_cfg, splits, train_cfg, loss=args.ar_loss, normalizer=args.normalizer,
                               workdir=args.workdir, progress=progress)
    ok = run.result.status == "ok"
    return run, rollout_errors(run.model, splits.test.x, splits.test.y) if ok else {}


def main_eval(args: argparse.Namespace) -> int:
    import json

    from attention_theory.experiments import evaluate_operator, load_operator, rollout_errors, subsample_grid

    model, meta = load_operator(args.workdir)
    (x, y), _ = _load_pairs(meta["problem"], args.data, meta.get("history", 10))
    config = meta["operator"]
    mode = meta.get("mode", "one-shot")
    score = rollout_errors if mode == "autoregressive" else evaluate_operator
    multiple = config["num_patches"] if config["name"] in ("vitno", "fano") else 1
    rows = []
    for step in args.subsample:
        xs, ys = subsample_grid(x, step, multiple), subsample_grid(y, step, multiple)
        metrics = score(model, xs[-args.num_test :], ys[-args.num_test :])
        rows.append({"subsample": step, "grid": list(xs.shape[1:-1]), **metrics})
    if args.json:
        print(json.dumps({"model": config["name"], "problem": meta["problem"], "mode": mode,
                          "trained_at": meta.get("trained_at"), "rows": rows}))
    else:
        print(f"{config['name']} trained at {meta.get('trained_at')} ({mode}):")
        for r in rows:
            steps = f"  per-step mean {r['step_relative_l2']:.4f}" if "step_relative_l2" in r else ""
            print(f"  grid {r['grid']}: relative L2 {r['relative_l2']:.4f}  relative H1 {r['relative_h1']:.4f}{steps}")
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
    keys = [k for k in ("model", "mode", "dt", "points", "resolution", "trained_at", "relative_l2", "step_relative_l2",
                        "relative_h1", "params")
            if any(k in r for r in out["rows"])]
    widths = [max(12, len(k), *(len(r[k]) for r in out["rows"] if isinstance(r.get(k), str))) for k in keys]
    print(" | ".join(f"{k:>{w}}" for k, w in zip(keys, widths)))
    for r in out["rows"]:
        print(" | ".join(f"{r.get(k, ''):>{w}.4g}" if isinstance(r.get(k), float) else f"{str(r.get(k, '')):>{w}}"
                         for k, w in zip(keys, widths)))
    for key in ("published_fno", "published_fno2d", "mode", "autoregressive_loss"):
        if key in out:
            print(f"{key}: {out[key]}")
    print(f"plots and models in {args.workdir}")
    return 0
