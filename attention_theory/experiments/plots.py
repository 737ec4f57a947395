"""Figures for the operator experiments: prediction / truth / error fields and error curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_fields(path: str | Path, inputs: np.ndarray, truth: np.ndarray, pred: np.ndarray, title: str = "") -> None:
    """Four panels (input, truth, prediction, |error|) of 2-D fields (s, s), or curves for 1-D (n,)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.2))
    panels = (("input", inputs), ("truth", truth), ("prediction", pred), ("|error|", np.abs(pred - truth)))
    for ax, (name, field) in zip(axes, panels):
        if field.ndim == 2:
            im = ax.imshow(field.T, origin="lower", extent=(0, 1, 0, 1), cmap="viridis")
            fig.colorbar(im, ax=ax, fraction=0.046)
        else:
            ax.plot(field)
        ax.set_title(name)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_error_curve(path: str | Path, rows: list[dict], x_key: str, x_label: str, train_value=None) -> None:
    """Relative L2 vs `x_key` (test resolution or time step), one line per model."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for model in sorted({r["model"] for r in rows}):
        pts = sorted((r[x_key], r["relative_l2"]) for r in rows if r["model"] == model)
        ax.plot(*zip(*pts), marker="o", label=model)
    if train_value is not None:
        ax.axvline(train_value, color="grey", ls="--", label="training")
    ax.set_xlabel(x_label)
    ax.set_ylabel("relative L2 (raw scale)")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
