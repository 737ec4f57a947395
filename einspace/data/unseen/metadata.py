"""The metadata record beside a dataset, and writing the published layout.

The published datasets carry a JSON `metadata` file (num_classes, input_shape, codename,
benchmark). Datasets regenerated here write the same keys plus a `provenance` record: the
construction rule, the raw source, the seed, and the kind (faithful / variant / substitute),
so a result on a variant can never be mistaken for one on the paper's dataset.
"""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np

from einspace.data.unseen.npyfile import DatasetFileError
from einspace.data.unseen.specs import KINDS, SPLITS, DatasetSpec

METADATA_FILES = ("metadata.json", "metadata")


@dataclasses.dataclass(frozen=True)
class Provenance:
    """How a dataset on disk was made.

    kind: "faithful" (the paper's rule on the paper's source), "variant" or "substitute".
    variant: short label of the deviation, e.g. "5k-source" ("" when faithful).
    rule: the construction rule in words.
    source: where the raw data came from (paths, package names).
    seed: the numpy Generator seed used.
    class_names: label order actually used.
    notes: anything else a reader must know (e.g. missing languages).
    """

    kind: str
    rule: str
    source: str
    seed: int | None
    class_names: tuple[str, ...]
    variant: str = ""
    notes: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Provenance.kind={self.kind!r} is not valid; valid: {KINDS}")
        if self.kind != "faithful" and not self.variant:
            raise ValueError(f"Provenance.kind={self.kind!r} needs a variant label, got ''")

    @property
    def label(self) -> str:
        """'faithful' or e.g. 'variant:5k-source', to print beside every result."""
        return self.kind if self.kind == "faithful" else f"{self.kind}:{self.variant}"


def dataset_title(spec: DatasetSpec, provenance: Provenance | None) -> str:
    """The name results are reported under: the paper's name only for faithful data."""
    if provenance is None or provenance.kind == "faithful":
        return spec.name
    return f"{spec.name} ({provenance.label})"


def read_metadata(directory: str) -> dict | None:
    """The parsed metadata JSON in `directory`, or None when there is none."""
    for fname in METADATA_FILES:
        path = os.path.join(directory, fname)
        if os.path.isfile(path):
            try:
                with open(path) as f:
                    meta = json.load(f)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise DatasetFileError(f"{path}: expected JSON metadata, found invalid JSON ({err})")
            if not isinstance(meta, dict):
                raise DatasetFileError(f"{path}: expected a JSON object, found {type(meta).__name__}")
            return meta
    return None


def provenance_of(meta: dict | None) -> Provenance | None:
    """The Provenance inside metadata, or None (published files have none)."""
    if not meta or "provenance" not in meta:
        return None
    fields = {f.name for f in dataclasses.fields(Provenance)}
    record = meta["provenance"]
    if not isinstance(record, dict) or not {"kind", "rule", "source", "seed"} <= set(record) <= fields:
        found = sorted(record) if isinstance(record, dict) else type(record).__name__
        raise DatasetFileError(
            f"metadata provenance: expected a record with keys from {sorted(fields)} "
            f"(kind, rule, source, seed required), found {found}"
        )
    try:
        return Provenance(**{**record, "class_names": tuple(record.get("class_names", ()))})
    except ValueError as err:
        raise DatasetFileError(f"metadata provenance: {err}") from err


def write_layout(
    directory: str,
    spec: DatasetSpec,
    arrays: dict[str, np.ndarray],
    provenance: Provenance,
) -> str:
    """Write train_x.npy ... test_y.npy and metadata.json into `directory`.

    arrays: {"train_x": (N, C, H, W) float32, "train_y": (N,) int, ...} for the three splits.
    Each file is written to a temporary name and renamed, so a crash never leaves a file the
    loader would accept. Returns the directory.
    """
    os.makedirs(directory, exist_ok=True)
    for split in SPLITS:
        for part, dtype in (("x", np.float32), ("y", np.int64)):
            key = f"{split}_{part}"
            if key not in arrays:
                raise KeyError(f"write_layout: arrays is missing {key!r}; has {sorted(arrays)}")
            final = os.path.join(directory, f"{key}.npy")
            tmp = final + ".tmp"
            with open(tmp, "wb") as f:
                np.save(f, np.ascontiguousarray(arrays[key], dtype=dtype))
            os.replace(tmp, final)
    meta = {
        "name": spec.name,
        "num_classes": len(provenance.class_names),
        "input_shape": [int(arrays["train_x"].shape[0]), *spec.shape],
        "benchmark": None,
        "sizes": {s: int(arrays[f"{s}_y"].shape[0]) for s in SPLITS},
        "provenance": dataclasses.asdict(provenance),
    }
    tmp = os.path.join(directory, "metadata.json.tmp")
    with open(tmp, "w") as f:
        json.dump(meta, f, indent=2)
    os.replace(tmp, os.path.join(directory, "metadata.json"))
    return directory
