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
           ("--d-v", "d_v", int, "value dimension (default d_k)"), ("--prng-impl", "prng_impl", str, "jax key implementation, recorded with the results (threefry2x32, rbg, ...)")],
    "e2": [("--d-k", "d_k", _ints, "key dimensions"), ("--n", "n", _ints, "explicit n grid (default: n-over-dk x d_k)"),
           ("--n-over-dk", "n_over_dk", _floats, "n grid as fractions of d_k"), ("--d-v", "d_v", int, "value dimension"),
           ("--delta", "delta", float, "relative-error threshold"), ("--eps", "eps", float, "P(any fails) level"),
           ("--bootstrap", "bootstrap", int, "bootstrap resamples for the slope CI"), ("--prng-impl", "prng_impl", str, "jax key implementation, recorded with the results (threefry2x32, rbg, ...)")],
    "e3": [("--d-k", "d_k", int, "head key dimension"), ("--n", "n", _ints, "items per head"),
           ("--layers", "layers", _ints, "depths L"), ("--heads", "heads", _ints, "heads H"),
           ("--delta", "delta", float, "threshold"), ("--width", "width", int, "model width D for the fixed-width sweep"),
           ("--width-n", "width_n", int, "items for the sweep"), ("--width-layers", "width_layers", int, "depth for the sweep"),
           ("--width-heads", "width_heads", _ints, "heads for the sweep (divisors of D)"),
           ("--readouts", "readouts", _names, "head readouts"), ("--prng-impl", "prng_impl", str, "jax key implementation, recorded with the results (threefry2x32, rbg, ...)")],
    "e4": [("--d-k", "d_k", int, "key dimension"), ("--d-v", "d_v", int, "value dimension"), ("--n", "n", _ints, "writes"),
           ("--rules", "rules", _names, "learning rules"), ("--scenarios", "scenarios", _names, "iid,replace,correlated"),
           ("--alpha", "alpha", float, "learning rate"), ("--gamma", "gamma", float, "decay"),
           ("--bcm-rate", "bcm_rate", float, "BCM threshold averaging rate"), ("--recent", "recent", int, "newest items"),
           ("--rho", "rho", float, "key correlation"), ("--pool-fraction", "pool_fraction", float, "replace: pool size / n")],
    "e5": [("--setting", "setting", int, "1 (capacity) or 2 (keys with replacement)"),
           ("--num-keys", "num_keys", _ints, "numbers of stored keys S"), ("--d-key", "d_key", int, "key size"),
           ("--memories", "memories", "memories", "comma list like linear:elu_plus_one,linear:dpfp2,delta:dpfp1,softmax"),
           ("--steps", "steps", int, "training steps"), ("--epochs", "epochs", int, "evaluations"),
           ("--train-examples", "train_examples", int, "training sequences")],
    "e6": [("--d-model", "d_model", _ints, "model widths"), ("--mixers", "mixers", _names, "softmax,linear,delta,gated_delta"),
           ("--pairs", "pairs", int, "key-value pairs per sequence"), ("--num-keys", "num_keys", int, "key vocabulary"),
           ("--num-values", "num_values", int, "value vocabulary"), ("--steps", "steps", int, "training steps"),
           ("--epochs", "epochs", int, "evaluations"), ("--train-examples", "train_examples", int, "training sequences")],
    "hopfield": [("--neurons", "neurons", _ints, "network sizes N"), ("--loads", "loads", _floats, "loads P/N"),
                 ("--probes", "probes", int, "patterns probed per trial"), ("--steps", "steps", int, "synchronous updates")],
}


def _memories(text: str):
    """'linear:dpfp2,delta:elu_plus_one,softmax' -> MemorySpec tuple (E5)."""
    from attention_theory.capacity.e5_schlag import MemorySpec

    specs = []
    for item in _names(text):
        kind, _, fmap = item.partition(":")
        nu = 1
        if fmap.startswith("dpfp"):
            nu, fmap = int(fmap[4:] or 1), "dpfp"
        specs.append(MemorySpec(kind, fmap or "identity", nu, 16 if fmap == "favor_plus" else 64))
    return tuple(specs)


def register(subparsers) -> None:
    parser = subparsers.add_parser("capacity", help="Hebbian-memory capacity simulations (E1-E4, Hopfield) and trained tasks (E5, E6)")
    experiments = parser.add_subparsers(dest="experiment", required=True, metavar="EXPERIMENT")
    for name, options in _OPTIONS.items():
        sub = experiments.add_parser(name, help=f"run experiment {name}")
        for flag, field, kind, help_text in options:
            kind = _memories if kind == "memories" else kind
            sub.add_argument(flag, dest=field, type=kind, default=None, help=help_text)
        if name not in ("e5", "e6"):  # the trained tasks have steps, not trials
            sub.add_argument("--trials", type=int, default=None, help="Monte Carlo trials")
        sub.add_argument("--seed", type=int, default=None, help="root seed (recorded in the JSON)")
        sub.add_argument("--out", default=f"runs/capacity/{name}", help="output folder for JSON, markdown and PNG")
        sub.add_argument("--json", action="store_true", help="print the result JSON to stdout")
        sub.add_argument("--no-plot", action="store_true", help="skip the PNG")
        sub.set_defaults(func=main, experiment=name)


def main(args: argparse.Namespace) -> int:
    import json

    from attention_theory.capacity.experiments import EXPERIMENTS, run_experiment
    from attention_theory.capacity.report import markdown_table

    from jitloop import enable_compile_cache

    enable_compile_cache()
    fields = [field for _, field, _, _ in _OPTIONS[args.experiment]] + ["trials", "seed"]
    overrides = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    config = EXPERIMENTS[args.experiment].config(**overrides)
    report, paths = run_experiment(args.experiment, config, out=args.out, plot=not args.no_plot)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(markdown_table(report.rows))
        print(json.dumps({k: v for k, v in report.to_json()["summary"].items()}, indent=1)[:4000])
        print("wrote", ", ".join(paths.values()))
    return 0
