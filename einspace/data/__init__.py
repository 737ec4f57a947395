"""Datasets for einspace: the embedded defaults and per-channel standardisation."""

from einspace.data.embedded import EMBEDDED, load_embedded
from einspace.data.transforms import channel_stats, standardise

__all__ = ["EMBEDDED", "channel_stats", "load_embedded", "standardise"]
