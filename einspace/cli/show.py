"""`einspace show`: one architecture's tree with shapes, parameters and FLOPs (and a drawing)."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    p = subparsers.add_parser("show", help="show an architecture: tree, shapes, params, FLOPs",
                              description="Show an architecture given as bracket text, a file, or a seed name.")
    p.add_argument("arch", metavar="ARCH_OR_FILE")
    p.add_argument("--input-shape", default="3x64x64", help="CxHxW (Im mode) or SxD (Col mode)")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--png", default=None, help="also draw the tree to this PNG")
    p.add_argument("--dot", default=None, help="also write Graphviz DOT text to this file")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from einspace.compiler import describe
    from einspace.grammar import parse_shape
    from einspace.tree import draw_png, read_architecture, render, to_dot

    shape = parse_shape(args.input_shape)
    tree = read_architecture(args.arch, shape)
    info = describe(tree, shape, args.classes)
    if args.png:
        info["png"] = str(draw_png(tree, args.png, shape))
    if args.dot:
        Path(args.dot).write_text(to_dot(tree, shape))
        info["dot"] = args.dot
    if args.json:
        print(json.dumps(info))
        return 0
    print(render(tree, shape), end="")
    print(f"architecture {info['architecture']}")
    print(f"hash {info['hash']}  params {info['params']:,} (backbone {info['backbone_params']:,})  "
          f"FLOPs {info['flops']:,}  activations {info['activation_bytes'] / 2**20:.2f} MiB")
    print(f"terminals {info['terminals']}  non-terminals {info['nonterminals']}  depth {info['depth']}  "
          f"branching factor {info['branching_factor']:.2f}")
    return 0
