"""Operator-learning pairs from generated PDE arrays, in the engine's `Splits` format.

Each problem maps its named arrays to (x, y) with x: (N, *grid, C_in), y: (N, *grid, C_out):
- darcy: a -> u on the s x s grid;
- burgers: u0 -> u(., 1) on the periodic grid;
- lorenz63: x(t) -> y(t) (or (y, z)(t)) on the time grid;
- navier-stokes: the first `history` snapshots -> the remaining ones, predicted in one shot
  (all future snapshots are output channels), as in FNO-2D's one-shot variant.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jitloop import Split, Splits, to_device


def experiment_data_path(workdir, data_path: str | None) -> str | None:
    """Where an experiment caches its data: `data_path`, else workdir/data.npz (so a resumed run
    reuses it), else nowhere (no workdir)."""
    if data_path is not None or workdir is None:
        return data_path
    Path(workdir).mkdir(parents=True, exist_ok=True)
    return str(Path(workdir) / "data.npz")


def operator_pairs(problem: str, arrays: dict[str, np.ndarray], *, history: int = 10, lorenz_target: str = "y"):
    """(x, y) float32 arrays for `problem`; shapes in the module docstring."""
    if problem == "darcy":
        return arrays["a"][..., None], arrays["u"][..., None]
    if problem == "burgers":
        return arrays["u0"][..., None], arrays["u"][..., None]
    if problem == "lorenz63":
        targets = {"y": slice(1, 2), "yz": slice(1, 3)}
        if lorenz_target not in targets:
            raise ValueError(f"lorenz_target must be one of {sorted(targets)}; got {lorenz_target!r}")
        return arrays["states"][..., :1], arrays["states"][..., targets[lorenz_target]]
    if problem == "navier-stokes":
        w = arrays["w"]
        if not 0 < history < w.shape[-1]:
            raise ValueError(f"history={history} must be in (0, {w.shape[-1]}) snapshots")
        return w[..., :history], w[..., history:]
    raise ValueError(f"unknown problem {problem!r}; valid: ['burgers', 'darcy', 'lorenz63', 'navier-stokes']")


def subsample_grid(x: np.ndarray, step: int, multiple_of: int = 1) -> np.ndarray:
    """Every `step`-th point along each grid axis of x (N, *grid, C), then trailing points dropped
    until each axis is a multiple of `multiple_of` (patched operators need s % num_patches == 0;
    on Darcy data the dropped last row/column is the u = 0 boundary)."""
    index = (slice(None),) + tuple(slice(None, None, step) for _ in x.shape[1:-1])
    x = x[index]
    trim = (slice(None),) + tuple(slice(0, n - n % multiple_of) for n in x.shape[1:-1])
    return x[trim]


def operator_splits(x: np.ndarray, y: np.ndarray, num_train: int, num_test: int, name: str) -> Splits:
    """First num_train pairs train, last num_test test; the test split is also the engine's valid
    split, so the per-epoch curve is the test error (the FNO protocol has no separate valid set)."""
    if num_train + num_test > len(x):
        raise ValueError(f"num_train + num_test = {num_train + num_test} exceeds the {len(x)} generated samples")
    test = Split(to_device(x[-num_test:], np.float32), to_device(y[-num_test:], np.float32))
    train = Split(to_device(x[:num_train], np.float32), to_device(y[:num_train], np.float32))
    return Splits(train=train, valid=test, test=test, name=name)
