"""Per-channel standardisation from training statistics (einspace's Unseen NAS protocol).

The one implementation for every dataset (embedded and Unseen NAS). Statistics are summed in
float64 over chunks of examples, so a float64 copy of a whole split is never made (it would be
~7 GB for CIFARTile's train split). A channel with zero variance (e.g. an unused chess plane or
a blank border pixel column) gets std 1, so it maps to 0 instead of NaN or a huge value.
"""

from __future__ import annotations

import numpy as np

CHUNK = 4096  # examples per float64 chunk


def _check(x: np.ndarray, what: str) -> None:
    if x.ndim < 2:
        raise ValueError(f"{what} expects x of shape (N, C, *spatial); got shape {x.shape}")


def channel_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std per channel: x (N, C, *spatial) -> ((C,), (C,)) float64.

    Two passes (mean, then centred squares) for accuracy; zero-variance channels get std 1.
    """
    _check(x, "channel_stats")
    n, channels = x.shape[:2]
    if n == 0:
        raise ValueError(f"channel_stats needs at least one example; got shape {x.shape}")
    axes = (0, *range(2, x.ndim))
    count = x.size // channels
    broadcast = (1, channels) + (1,) * (x.ndim - 2)
    total = np.zeros(channels)
    for start in range(0, n, CHUNK):
        total += x[start : start + CHUNK].sum(axis=axes, dtype=np.float64)
    mean = total / count
    sq = np.zeros(channels)
    for start in range(0, n, CHUNK):
        centred = x[start : start + CHUNK].astype(np.float64) - mean.reshape(broadcast)
        sq += np.square(centred).sum(axis=axes)
    std = np.sqrt(sq / count)
    return mean, np.where(std > 0, std, 1.0)


def standardise(x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(x - mean) / std per channel: x (N, C, *spatial), mean and std (C,) -> float32 like x."""
    _check(x, "standardise")
    if np.shape(mean) != (x.shape[1],) or np.shape(std) != (x.shape[1],):
        raise ValueError(
            f"standardise expects mean and std of shape (C,) = ({x.shape[1]},); "
            f"got x {x.shape}, mean {np.shape(mean)}, std {np.shape(std)}"
        )
    shape = (1, -1) + (1,) * (x.ndim - 2)
    out = np.array(x, dtype=np.float32)  # one copy, then in place
    out -= np.asarray(mean, np.float32).reshape(shape)
    out /= np.asarray(std, np.float32).reshape(shape)
    return out
