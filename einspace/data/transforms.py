"""Per-channel standardisation from training statistics (einspace's Unseen NAS protocol)."""

from __future__ import annotations

import numpy as np


def channel_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std per channel of x (N, C, *spatial); std floored to avoid division by zero."""
    if x.ndim < 2:
        raise ValueError(f"channel_stats needs x of shape (N, C, ...); got {x.shape}")
    axes = (0, *range(2, x.ndim))
    mean = x.mean(axis=axes, dtype=np.float64)
    std = np.maximum(x.std(axis=axes, dtype=np.float64), 1e-8)
    return mean.astype(np.float32), std.astype(np.float32)


def standardise(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std per channel; x (N, C, *spatial), mean and std (C,)."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return ((x - mean.reshape(shape)) / std.reshape(shape)).astype(np.float32)
