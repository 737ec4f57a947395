"""`einspace seed`: print a seed architecture (ResNet18, WRN16-4, ViT, MLP-Mixer) and its size."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    p = subparsers.add_parser("seed", help="print a seed architecture and its parameter count",
                              description="Print a seed architecture as bracket text with its parameters.")
    p.add_argument("name", help="resnet18, wrn16_4, vit or mlp_mixer")
    p.add_argument("--input-shape", default="3x64x64")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from einspace.compiler import describe
    from einspace.grammar import parse_shape
    from einspace.seeds import PAPER_PARAMS, seed

    shape = parse_shape(args.input_shape)
    info = describe(seed(args.name, shape), shape, args.classes)
    info = {"name": args.name, "paper_params": PAPER_PARAMS[args.name], **info}
    if args.json:
        print(json.dumps(info))
        return 0
    print(info["architecture"])
    print(f"{args.name}: {info['params']:,} parameters for {args.input_shape} and {args.classes} classes "
          f"(paper: {PAPER_PARAMS[args.name] / 1e6:.1f}M at 3x64x64), FLOPs {info['flops']:,}")
    return 0
