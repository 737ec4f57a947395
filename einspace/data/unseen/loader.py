"""Load an Unseen NAS dataset from the published layout into the engine's `Splits`.

Layout: DIR/train_x.npy, train_y.npy, valid_x.npy, valid_y.npy, test_x.npy, test_y.npy and an
optional metadata JSON. Every file is validated against the dataset's spec before use: shape
(N, C, H, W), dtype, labels in 0..K-1, matching x/y lengths and the published split sizes
(or, for regenerated variants, the sizes their metadata declares). Any violation raises
`DatasetFileError` naming the file, what was expected and what was found.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from einspace.data.unseen.metadata import dataset_title, provenance_of, read_metadata
from einspace.data.unseen.normalise import channel_stats, normalise, pad_spatial
from einspace.data.unseen.npyfile import DatasetFileError, read_npy
from einspace.data.unseen.specs import SPLITS, DatasetSpec, get_spec

CHESSERACT_PAD = 5


@dataclasses.dataclass(frozen=True)
class LoadConfig:
    """How to turn the files into training arrays.

    normalise: per-channel (x - mean) / std with train statistics (einspace does this).
    pad_chesseract: zero-pad Chesseract to 12 x 18 x 18 after normalising, as einspace does.
    check_sizes: require the published split sizes (or those a variant's metadata declares).
    allow_pickle: accept pickled object arrays (einspace's own loader does); a pickle can run
        code, so only for files from a source you trust.
    """

    normalise: bool = True
    pad_chesseract: bool = True
    check_sizes: bool = True
    allow_pickle: bool = False


def dataset_dir(name: str, root: str) -> str:
    """root/<name lowercased>, or root itself when it already holds train_x.npy."""
    if os.path.isfile(os.path.join(root, "train_x.npy")):
        return root
    return os.path.join(root, get_spec(name).folder)


def _expected_sizes(spec: DatasetSpec, meta: dict | None) -> dict[str, int] | None:
    """Published sizes for published files; the declared sizes for regenerated ones."""
    if provenance_of(meta) is None:
        return {s: spec.size_of(s) for s in SPLITS}
    sizes = meta.get("sizes")
    if not isinstance(sizes, dict) or set(sizes) != set(SPLITS):
        raise DatasetFileError(
            f"metadata of {spec.name}: expected 'sizes' with keys {list(SPLITS)}, found {sizes!r}"
        )
    return {s: int(sizes[s]) for s in SPLITS}


def _num_classes(spec: DatasetSpec, meta: dict | None, directory: str) -> int:
    prov = provenance_of(meta)
    if prov is None or not prov.class_names:
        if meta and "num_classes" in meta and int(meta["num_classes"]) != spec.num_classes:
            raise DatasetFileError(
                f"{directory}/metadata: expected num_classes={spec.num_classes} for {spec.name}, "
                f"found {meta['num_classes']}"
            )
        return spec.num_classes
    return len(prov.class_names)


def load_arrays(
    name: str, root: str, check_sizes: bool = True, allow_pickle: bool = False
) -> dict[str, np.ndarray]:
    """The six validated arrays, unnormalised, as numpy.

    Returns {"train_x": (N, C, H, W) float32, "train_y": (N,) int32, "valid_x": ..., ...}.
    """
    spec = get_spec(name)
    directory = dataset_dir(name, root)
    if not os.path.isdir(directory):
        raise DatasetFileError(
            f"{directory}: dataset folder not found (expected train_x.npy ... test_y.npy); "
            f"download with `einspace data download {spec.folder} --root {root}` or build it"
        )
    meta = read_metadata(directory)
    num_classes = _num_classes(spec, meta, directory)
    sizes = _expected_sizes(spec, meta) if check_sizes else None
    arrays: dict[str, np.ndarray] = {}
    for split in SPLITS:
        x_path = os.path.join(directory, f"{split}_x.npy")
        y_path = os.path.join(directory, f"{split}_y.npy")
        x = read_npy(x_path, trailing_shape=spec.shape, dtype_kinds="f", allow_pickle=allow_pickle)
        y = read_npy(y_path, rank=1, dtype_kinds="iuf", allow_pickle=allow_pickle)
        if y.dtype.kind == "f" and not np.all(np.isfinite(y) & (y == np.round(y))):
            raise DatasetFileError(f"{y_path}: expected integer labels, found non-integer values")
        if x.shape[0] != y.shape[0]:
            raise DatasetFileError(
                f"{y_path}: expected {x.shape[0]} labels (one per row of {split}_x.npy), "
                f"found {y.shape[0]}"
            )
        if sizes is not None and x.shape[0] != sizes[split]:
            raise DatasetFileError(
                f"{x_path}: expected {sizes[split]} {split} examples for {spec.name}, "
                f"found {x.shape[0]}"
            )
        if y.size and (y.min() < 0 or y.max() >= num_classes):
            raise DatasetFileError(
                f"{y_path}: expected labels in 0..{num_classes - 1}, "
                f"found min {int(y.min())}, max {int(y.max())}"
            )
        if not np.all(np.isfinite(x)):
            raise DatasetFileError(f"{x_path}: expected finite values, found NaN or inf")
        arrays[f"{split}_x"] = x.astype(np.float32, copy=False)
        arrays[f"{split}_y"] = y.astype(np.int32)
    return arrays


def load_unseen(name: str, root: str, config: LoadConfig = LoadConfig()):
    """Load dataset `name` from `root` as `jitloop.Splits` (device arrays).

    Returns Splits with x float32 (N, C, H, W) normalised per channel with train statistics
    (Chesseract: (N, 12, 18, 18) when padded), y int32 (N,), num_classes, and a name that
    carries the variant label for anything that is not the paper's dataset.
    """
    from jitloop.data import Split, Splits, to_device

    spec = get_spec(name)
    directory = dataset_dir(name, root)
    arrays = load_arrays(name, root, check_sizes=config.check_sizes, allow_pickle=config.allow_pickle)
    meta = read_metadata(directory)
    if config.normalise:
        mean, std = channel_stats(arrays["train_x"])
    splits = {}
    for split in SPLITS:
        x = arrays[f"{split}_x"]
        if config.normalise:
            x = normalise(x, mean, std)
        if config.pad_chesseract and spec.folder == "chesseract":
            x = pad_spatial(x, CHESSERACT_PAD)
        splits[split] = Split(to_device(x), to_device(arrays[f"{split}_y"]))
    return Splits(
        **splits,
        num_classes=_num_classes(spec, meta, directory),
        name=dataset_title(spec, provenance_of(meta)),
    )
