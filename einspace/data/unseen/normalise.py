"""Per-channel normalisation from train statistics, and Chesseract's zero padding.

einspace (Ericsson et al. 2024, einspace/data.py) normalises every Unseen NAS dataset with the
per-channel mean and standard deviation of its training split, then pads Chesseract's 8 x 8
boards by 5 zeros on each side (12 x 18 x 18) so that ResNet-style stems with stride have room.
The statistics themselves live in einspace.data.transforms (shared with the embedded datasets).
"""

from __future__ import annotations

import numpy as np

# One implementation for all datasets (chunked float64 sums, zero-variance channels -> std 1);
# `normalise` is the Unseen NAS name for it.
from einspace.data.transforms import channel_stats
from einspace.data.transforms import standardise as normalise

__all__ = ["channel_stats", "normalise", "pad_spatial"]


def pad_spatial(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad H and W by `pad` on each side: (N, C, H, W) -> (N, C, H+2p, W+2p)."""
    if pad < 0:
        raise ValueError(f"pad must be >= 0; got pad={pad}")
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
