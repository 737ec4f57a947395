"""`attention-theory capacity EXPERIMENT ...`: run a capacity experiment, write JSON, markdown, PNG.

Example: attention-theory capacity e1 --d-k 64,256 --n 16,32,64,128,256 --trials 200 --seed 0 --json
Every run writes <out>/<experiment>.json (resolved config, seed, rows, summary), .md and .png.
Heavy imports happen inside the handler so `--help` is fast.
"""

from __future__ import annotations

import argparse


def _ints(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 64,256; got {text!r}") from None


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers like 0.1,0.2; got {text!r}") from None


def _names(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


# per experiment: (flag, config field, parser, help)
_OPTIONS: dict[str, list[tuple[str, str, object, str]]] = {
    "e1": [("--d-k", "d_k", _ints, "key dimensions"), ("--n", "n", _ints, "numbers of stored items"),
           ("--d-v", "d_v", int, "value dimension (default d_k)")],
    "e2": [("--d-k", "d_k", _ints, "key dimensions"), ("--n", "n", _ints, "explicit n grid (default: n-over-dk x d_k)"),
           ("--n-over-dk", "n_over_dk", _floats, "n grid as fractions of d_k"), ("--d-v", "d_v", int, "value dimension"),
           ("--delta", "delta", float, "relative-error threshold"), ("--eps", "eps", float, "P(any fails) level"),
           ("--bootstrap", "bootstrap", int, "bootstrap resamples for the slope CI")],
    "e3": [("--d-k", "d_k", int, "head key dimension"), ("--n", "n", _ints, "items per head"),
           ("--layers", "layers", _ints, "depths L"), ("--heads", "heads", _ints, "heads H"),
           ("--delta", "delta", float, "threshold"), ("--width", "width", int, "model width D for the fixed-width sweep"),
           ("--width-n", "width_n", int, "items for the sweep"), ("--width-layers", "width_layers", int, "depth for the sweep"),
           ("--width-heads", "width_heads", _ints, "heads for the sweep (divisors of D)"),
           ("--readouts", "readouts", _names, "head readouts")],
    "e4": [("--d-k", "d_k", int, "key dimension"), ("--d-v", "d_v", int, "value dimension"), ("--n", "n", _ints, "writes"),
           ("--rules", "rules", _names, "learning rules"), ("--scenarios", "scenarios", _names, "iid,replace,correlated"),
           ("--alpha", "alpha", float, "learning rate"), ("--gamma", "gamma", float, "decay"),
           ("--bcm-rate", "bcm_rate", float, "BCM threshold averaging rate"), ("--recent", "recent", int, "newest items"),
           ("--rho", "rho", float, "key correlation"), ("--pool-fraction", "pool_fraction", float, "replace: pool size / n")],
    "hopfield": [("--neurons", "neurons", _ints, "network sizes N"), ("--loads", "loads", _floats, "loads P/N"),
                 ("--probes", "probes", int, "patterns probed per trial"), ("--steps", "steps", int, "synchronous updates")],
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("capacity", help="Hebbian-memory capacity simulations (E1-E4, Hopfield anchor)")
    experiments = parser.add_subparsers(dest="experiment", required=True, metavar="EXPERIMENT")
    for name, options in _OPTIONS.items():
        sub = experiments.add_parser(name, help=f"run experiment {name}")
        for flag, field, kind, help_text in options:
            sub.add_argument(flag, dest=field, type=kind, default=None, help=help_text)
        sub.add_argument("--trials", type=int, default=None, help="Monte Carlo trials")
        sub.add_argument("--seed", type=int, default=None, help="root seed (recorded in the JSON)")
        sub.add_argument("--out", default=f"runs/capacity/{name}", help="output folder for JSON, markdown and PNG")
        sub.add_argument("--json", action="store_true", help="print the result JSON to stdout")
        sub.add_argument("--no-plot", action="store_true", help="skip the PNG")
        sub.set_defaults(func=main, experiment=name)


def main(args: argparse.Namespace) -> int:
    import json
    import os

    import jax

    from attention_theory.capacity.experiments import EXPERIMENTS, run_experiment
    from attention_theory.capacity.report import markdown_table

    jax.config.update(
        "jax_compilation_cache_dir",
        os.environ.get("JAX_COMPILATION_CACHE_DIR", os.path.expanduser("~/.cache/attention_theory_jax")),
    )
    fields = [field for _, field, _, _ in _OPTIONS[args.experiment]] + ["trials", "seed"]
    overrides = {f: getattr(args, f) for f in fields if getattr(args, f) is not None}
    config = EXPERIMENTS[args.experiment].config(**overrides)
    report, paths = run_experiment(args.experiment, config, out=args.out, plot=not args.no_plot)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(markdown_table(report.rows))
        print(json.dumps({k: v for k, v in report.to_json()["summary"].items()}, indent=1)[:4000])
        print("wrote", ", ".join(paths.values()))
    return 0
