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
    # float64 sums over chunks of examples: a float64 copy of CIFARTile's train split is ~7 GB
    n, channels = x.shape[0], x.shape[1]
    total = np.zeros(channels)
    for start in range(0, n, 4096):
        total += x[start : start + 4096].sum(axis=(0, 2, 3), dtype=np.float64)
    mean = total / (n * x.shape[2] * x.shape[3])
    sq = np.zeros(channels)
    for start in range(0, n, 4096):
        centred = x[start : start + 4096].astype(np.float64) - mean[None, :, None, None]
        sq += np.square(centred).sum(axis=(0, 2, 3))
    std = np.sqrt(sq / (n * x.shape[2] * x.shape[3]))
    std = np.where(std > 0, std, 1.0)
    return mean, std


def normalise(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std per channel: (N, C, H, W), (C,), (C,) -> (N, C, H, W) float32."""
    if x.ndim != 4 or mean.shape != (x.shape[1],) or std.shape != (x.shape[1],):
        raise ValueError(
            f"normalise expects x (N, C, H, W) and mean/std (C,); got x {x.shape}, "
            f"mean {mean.shape}, std {std.shape}"
        )
    out = np.array(x, dtype=np.float32)  # one copy, then in place
    out -= mean.astype(np.float32)[None, :, None, None]
    out /= std.astype(np.float32)[None, :, None, None]
    return out


def pad_spatial(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad H and W by `pad` on each side: (N, C, H, W) -> (N, C, H+2p, W+2p)."""
    if pad < 0:
        raise ValueError(f"pad must be >= 0; got pad={pad}")
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
