"""`einspace sample`: draw architectures from the grammar, print them with statistics."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    p = subparsers.add_parser("sample", help="sample architectures from the grammar",
                              description="Sample architectures (valid by construction) and print them "
                                          "with statistics; --check compiles and runs each one.")
    p.add_argument("--input-shape", default="3x28x28", help="CxHxW (Im mode) or SxD (Col mode)")
    p.add_argument("--num", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--p-computation", type=float, default=0.32, help="p(M -> C)")
    p.add_argument("--grammar", default="2d", help="2d, 1d, or a grammar JSON file")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--max-depth", type=int, default=32)
    p.add_argument("--max-nodes", type=int, default=256)
    p.add_argument("--max-params", type=int, default=10_000_000)
    p.add_argument("--max-activation-mb", type=float, default=256.0)
    p.add_argument("--check", action="store_true", help="compile each sample and run a forward pass")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def load_grammar(name: str, p_computation: float):
    from einspace.grammar import Grammar, default_grammar, grammar_1d

    if name == "2d":
        return default_grammar(p_computation)
    if name == "1d":
        return grammar_1d(p_computation)
    return Grammar.load(name).with_p_computation(p_computation)


def run(args: argparse.Namespace) -> int:
    from einspace.compiler import sample_many
    from einspace.grammar import check_consistency, parse_shape
    from einspace.sampler import Limits

    grammar = load_grammar(args.grammar, args.p_computation)
    check_consistency(grammar)
    limits = Limits(max_depth=args.max_depth, max_nodes=args.max_nodes, max_params=args.max_params,
                    max_activation_bytes=int(args.max_activation_mb * 2**20))
    report = sample_many(grammar, parse_shape(args.input_shape), args.num, args.seed, limits,
                         check=args.check, num_classes=args.classes)
    if args.json:
        print(json.dumps(report))
        return 0
    for i, s in enumerate(report["samples"]):
        print(f"[{i}] {s['hash']}  params {s['params']:,}  flops {s['flops']:,}  terminals {s['terminals']}  "
              f"depth {s['depth']}  output {s['output']}")
        print(f"    {s['architecture']}")
        if "check" in s:
            c = s["check"]
            print(f"    check: {'ok' if c['ok'] else 'FAILED ' + c['reason']}")
    summ = report["summary"]
    print(f"{summ['num']} samples at {summ['samples_per_s']:.1f}/s")
    if "valid_fraction" in summ:
        print(f"valid fraction {summ['valid_fraction']:.3f}")
    return 0
