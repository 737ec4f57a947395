"""Experiment reports: config + rows + summary, written as JSON, a markdown table and a PNG."""

from __future__ import annotations

import dataclasses
import json
import math
import pathlib
import time
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass
class Report:
    """What an experiment produced. rows: one dict per table row; summary: headline numbers."""

    name: str
    config: dict[str, Any]
    rows: list[dict[str, Any]]
    summary: dict[str, Any] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment": self.name,
            "config": self.config,
            "summary": _clean(self.summary),
            "rows": _clean(self.rows),
            "seconds": round(self.seconds, 3),
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }


def _clean(obj):
    """JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def markdown_table(rows: list[dict[str, Any]], digits: int = 4) -> str:
    """A GitHub markdown table with the union of row keys as columns."""
    if not rows:
        return "(no rows)\n"
    cols: list[str] = []
    for row in rows:
        cols += [c for c in row if c not in cols]

    def fmt(v):
        if isinstance(v, float):
            return f"{v:.{digits}g}"
        return str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(fmt(row.get(c, "")) for c in cols) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def save_report(report: Report, out: str | pathlib.Path, plot: Callable[[Report, Any], None] | None) -> dict[str, str]:
    """Write <out>/<name>.json, .md and (if plot is given) .png; return the paths written."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": str(out / f"{report.name}.json"), "md": str(out / f"{report.name}.md")}
    with open(paths["json"], "w") as f:
        json.dump(report.to_json(), f, indent=2)
    summary = ""
    for k, v in _clean(report.summary).items():
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            summary += f"\n{k}:\n\n{markdown_table(v)}\n"
        else:
            summary += f"- {k}: {v}\n"
    with open(paths["md"], "w") as f:
        f.write(f"# {report.name}\n\n{summary}\n{markdown_table(report.rows)}")
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(11, 4.5))
        plot(report, fig)
        fig.tight_layout()
        paths["png"] = str(out / f"{report.name}.png")
        fig.savefig(paths["png"], dpi=110)
        plt.close(fig)
    return paths
