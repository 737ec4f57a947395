"""What is on disk under a root: for each dataset, present or not, faithful or a labelled
variant, split sizes, and the validation error if its files are malformed."""

from __future__ import annotations

import dataclasses
import os

from einspace.data.unseen.loader import dataset_dir, load_arrays
from einspace.data.unseen.metadata import provenance_of, read_metadata
from einspace.data.unseen.npyfile import DatasetFileError
from einspace.data.unseen.specs import NAMES, SPLITS, get_spec


@dataclasses.dataclass(frozen=True)
class DatasetStatus:
    """One dataset under a root. label: "faithful" / "variant:..." / "substitute:..." / "";
    sizes: examples per split (train, valid, test) when present; error: why it failed to load."""

    name: str
    directory: str
    present: bool
    label: str = ""
    sizes: tuple[int, int, int] | None = None
    error: str = ""

    @property
    def usable(self) -> bool:
        return self.present and not self.error


def dataset_status(name: str, root: str) -> DatasetStatus:
    """Validate dataset `name` under `root` without raising (loads the arrays once)."""
    spec = get_spec(name)
    directory = dataset_dir(name, root)
    if not os.path.isfile(os.path.join(directory, "train_x.npy")):
        return DatasetStatus(spec.name, directory, present=False)
    try:
        meta = read_metadata(directory)
        prov = provenance_of(meta)
        arrays = load_arrays(name, root)
    except (DatasetFileError, ValueError, TypeError, KeyError) as err:
        return DatasetStatus(spec.name, directory, present=True, error=str(err))
    return DatasetStatus(
        spec.name,
        directory,
        present=True,
        label="faithful" if prov is None else prov.label,
        sizes=tuple(int(arrays[f"{s}_y"].shape[0]) for s in SPLITS),
    )


def inventory(root: str) -> list[DatasetStatus]:
    """dataset_status for all eight datasets, in the paper's order."""
    return [dataset_status(name, root) for name in NAMES]
