"""Datasets cached as .npz next to a JSON metadata record of every generation parameter.

A cached file is reused only when its stored metadata equals the requested one, so changing
any flag (resolution, viscosity, seed, ...) regenerates instead of silently reusing old data.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable

import numpy as np

_META_KEY = "__metadata__"


def config_metadata(problem: str, config) -> dict:
    """The metadata record: problem name, config class and every field value."""
    return {"problem": problem, "config": type(config).__name__, **dataclasses.asdict(config)}


def save_dataset(path: str, arrays: dict[str, np.ndarray], metadata: dict) -> None:
    """Write arrays and metadata atomically (temp file + rename)."""
    if _META_KEY in arrays:
        raise ValueError(f"array name {_META_KEY!r} is reserved for metadata")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays, **{_META_KEY: np.array(json.dumps(metadata, sort_keys=True))})
    os.replace(tmp, path)


def load_dataset(path: str) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, metadata) from a file written by `save_dataset`."""
    with np.load(path, allow_pickle=False) as data:
        if _META_KEY not in data.files:
            raise ValueError(f"{path} has no metadata record; it was not written by save_dataset")
        metadata = json.loads(str(data[_META_KEY]))
        arrays = {name: data[name] for name in data.files if name != _META_KEY}
    return arrays, metadata


def load_or_generate(
    path: str | None, metadata: dict, generate: Callable[[], dict[str, np.ndarray]]
) -> tuple[dict[str, np.ndarray], bool]:
    """(arrays, from_cache). path None: always generate, never write."""
    if path is not None and os.path.exists(path):
        arrays, stored = load_dataset(path)
        if stored == json.loads(json.dumps(metadata, sort_keys=True)):
            return arrays, True
    arrays = generate()
    if path is not None:
        save_dataset(path, arrays, metadata)
    return arrays, False
