"""The Unseen NAS datasets (Geada et al., CVPR 2024): specs, a validating loader into the
engine's `Splits`, verified downloads, and builders that regenerate them from raw sources.

Isabella and GeoClassing have no public raw source: they are load-only. `resolve_datasets`
picks, per dataset, the files under a root or a cached offline build; `published` holds the
papers' results to print beside ours.
"""

from einspace.data.unseen.available import Available, offline_sources, resolve_datasets
from einspace.data.unseen.build import build_dataset
from einspace.data.unseen.build_common import BuildConfig, Built
from einspace.data.unseen.download import DownloadError, download_dataset, download_file, list_files
from einspace.data.unseen.inventory import DatasetStatus, dataset_status, inventory
from einspace.data.unseen.loader import LoadConfig, dataset_dir, load_arrays, load_unseen
from einspace.data.unseen.metadata import Provenance, read_metadata, write_layout
from einspace.data.unseen.normalise import channel_stats, normalise, pad_spatial
from einspace.data.unseen.npyfile import DatasetFileError, read_npy
from einspace.data.unseen.published import published
from einspace.data.unseen.specs import KINDS, NAMES, SPECS, SPLITS, DatasetSpec, get_spec

__all__ = [
    "KINDS",
    "NAMES",
    "SPECS",
    "SPLITS",
    "Available",
    "BuildConfig",
    "Built",
    "DatasetFileError",
    "DatasetSpec",
    "DatasetStatus",
    "DownloadError",
    "LoadConfig",
    "Provenance",
    "build_dataset",
    "channel_stats",
    "dataset_dir",
    "dataset_status",
    "download_dataset",
    "download_file",
    "get_spec",
    "inventory",
    "list_files",
    "load_arrays",
    "load_unseen",
    "normalise",
    "offline_sources",
    "pad_spatial",
    "published",
    "read_metadata",
    "read_npy",
    "resolve_datasets",
    "write_layout",
]
