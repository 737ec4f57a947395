"""Datasets for einspace: the embedded defaults, per-channel standardisation, and the Unseen NAS
datasets (loader, builders, inventory; the full API is in einspace.data.unseen)."""

from einspace.data.transforms import channel_stats, standardise
from einspace.data.embedded import EMBEDDED, load_embedded
from einspace.data.unseen import (BuildConfig, DatasetFileError, LoadConfig, build_dataset, inventory,
                                  load_unseen)
from einspace.data.unseen import NAMES as UNSEEN_NAMES

__all__ = [
    "EMBEDDED", "UNSEEN_NAMES", "BuildConfig", "DatasetFileError", "LoadConfig", "build_dataset",
    "channel_stats", "inventory", "load_embedded", "load_unseen", "standardise",
]
