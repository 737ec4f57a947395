"""Per-channel normalisation from train statistics, and Chesseract's zero padding.

einspace (Ericsson et al. 2024, einspace/data.py) normalises every Unseen NAS dataset with the
per-channel mean and standard deviation of its training split, then pads Chesseract's 8 x 8
boards by 5 zeros on each side (12 x 18 x 18) so that ResNet-style stems with stride have room.
"""

from __future__ import annotations

import numpy as np


def channel_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std per channel of x: (N, C, H, W) -> ((C,), (C,)), in float64.

    A channel with zero variance (e.g. an unused chess plane) gets std 1, so it maps to 0
    instead of NaN.
    """
    if x.ndim != 4:
        raise ValueError(f"channel_stats expects x of shape (N, C, H, W); got shape {x.shape}")
    # one channel at a time in float64: a full float64 copy of CIFARTile would be ~7 GB
    mean = np.empty(x.shape[1])
    std = np.empty(x.shape[1])
    for c in range(x.shape[1]):
        xc = x[:, c].astype(np.float64)
        mean[c] = xc.mean()
        std[c] = xc.std()
    std = np.where(std > 0, std, 1.0)
    return mean, std


def normalise(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std per channel: (N, C, H, W), (C,), (C,) -> (N, C, H, W) float32."""
    if x.ndim != 4 or mean.shape != (x.shape[1],) or std.shape != (x.shape[1],):
        raise ValueError(
            f"normalise expects x (N, C, H, W) and mean/std (C,); got x {x.shape}, "
            f"mean {mean.shape}, std {std.shape}"
        )
    m = mean.astype(np.float32)[None, :, None, None]
    s = std.astype(np.float32)[None, :, None, None]
    return ((x.astype(np.float32, copy=False) - m) / s).astype(np.float32, copy=False)


def pad_spatial(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad H and W by `pad` on each side: (N, C, H, W) -> (N, C, H+2p, W+2p)."""
    if pad < 0:
        raise ValueError(f"pad must be >= 0; got pad={pad}")
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
