"""The report of a search run directory, as PNG plots and markdown (`einspace report RUN_DIR`).

    best_vs_trials.png   best-so-far validation accuracy against trials finished
    best_vs_time.png     the same against wall-clock seconds since the first trial finished
    acc_vs_params.png    validation accuracy of every scored trial against its parameters
    best_arch.png        the best architecture's derivation tree
    report.md            summary, outcome counts, the random-sampling baseline, the top 10
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from einspace.search.evaluate import load_dataset
from einspace.search.rundir import load_trials
from einspace.search.runner import best_record


def best_so_far(records: list[dict[str, Any]]) -> np.ndarray:
    """(N,) running maximum of fitness over records in completion order (failures count as -inf)."""
    f = np.array([-np.inf if r.get("fitness") is None else r["fitness"] for r in records], dtype=float)
    return np.maximum.accumulate(f) if len(f) else f


def random_sampling_baseline(records: list[dict[str, Any]]) -> dict[str, float] | None:
    """Mean validation and test accuracy of the run's random samples (paper: 'random sampling')."""
    sampled = [r for r in records if r.get("origin") == "sample" and r["status"] == "ok" and "duplicate_of" not in r]
    if not sampled:
        return None
    return {"n": len(sampled), "valid_accuracy": float(np.mean([r["fitness"] for r in sampled])),
            "test_accuracy": float(np.mean([r.get("scores", {}).get("test_accuracy", np.nan) for r in sampled]))}


def _plot(path: Path, x, y, xlabel: str, ylabel: str, title: str, *, scatter: bool = False, logx: bool = False):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    if scatter:
        ax.scatter(x, y, s=12, alpha=0.7)
    else:
        ax.step(x, y, where="post")
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _table(records: list[dict[str, Any]], k: int = 10) -> list[str]:
    ranked = sorted((r for r in records if r.get("fitness") is not None and "duplicate_of" not in r),
                    key=lambda r: (-r["fitness"], r["trial"]))[:k]
    rows = ["| rank | trial | status | valid acc | test acc | params | FLOPs | origin | architecture |",
            "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(ranked, 1):
        test = r.get("scores", {}).get("test_accuracy")
        arch = r["architecture"] if len(r["architecture"]) < 120 else r["architecture"][:117] + "..."
        rows.append(f"| {i} | {r['trial']} | {r['status']} | {r['fitness']:.4f} | "
                    f"{'-' if test is None else f'{test:.4f}'} | {r.get('params', '-')} | {r.get('flops', '-')} | "
                    f"{r.get('origin', '')} | `{arch}` |")
    return rows


def write_report(run_dir: str | Path) -> dict[str, Path]:
    """Write the plots and report.md into `run_dir`; returns {name: path}."""
    run_dir = Path(run_dir)
    config, records = load_trials(run_dir)
    if not records:
        raise ValueError(f"{run_dir} has no finished trials to report on")
    paths = {"report": run_dir / "report.md"}
    curve = best_so_far(records)
    finished = np.array([r.get("finished_at", np.nan) for r in records], dtype=float)
    paths["best_vs_trials"] = run_dir / "best_vs_trials.png"
    _plot(paths["best_vs_trials"], np.arange(1, len(records) + 1), curve, "trials", "best valid accuracy", "best so far")
    if np.isfinite(finished).all():
        paths["best_vs_time"] = run_dir / "best_vs_time.png"
        _plot(paths["best_vs_time"], finished - finished[0], curve, "wall-clock s", "best valid accuracy", "best so far")
    scored = [r for r in records if r.get("fitness") is not None and r.get("params")]
    if scored:
        paths["acc_vs_params"] = run_dir / "acc_vs_params.png"
        _plot(paths["acc_vs_params"], [r["params"] for r in scored], [r["fitness"] for r in scored],
              "parameters", "valid accuracy", "accuracy vs parameters", scatter=True, logx=True)
    best = best_record(records)
    if best is not None and config.objective == "train":
        from einspace.tree import draw_png, parse

        paths["best_arch"] = draw_png(parse(best["architecture"]), run_dir / "best_arch.png",
                                      tuple(load_dataset(config.dataset, config.seed).input_shape))
    statuses = Counter(r["status"] for r in records)
    baseline = random_sampling_baseline(records)
    lines = [f"# Search report: {run_dir.name}", "",
             f"- dataset `{config.dataset}`, strategy `{config.strategy}`, seed {config.seed}, "
             f"{len(records)} / {config.budget} trials, {config.epochs} epochs per candidate",
             "- outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
             f"- duplicates (not retrained): {sum('duplicate_of' in r for r in records)}"]
    if best is not None:
        lines.append(f"- best: trial {best['trial']}, valid accuracy {best['fitness']:.4f}, "
                     f"test accuracy {best.get('scores', {}).get('test_accuracy', float('nan')):.4f}")
    if baseline is not None:
        lines.append(f"- random sampling (mean of this run's {baseline['n']} random samples): valid "
                     f"{baseline['valid_accuracy']:.4f}, test {baseline['test_accuracy']:.4f}")
    lines += _retrain_lines(run_dir)
    lines += ["", *(f"![{name}]({p.name})" for name, p in paths.items() if p.suffix == ".png"), "",
              "## Top 10", "", *_table(records), ""]
    paths["report"].write_text("\n".join(lines))
    return paths


def _retrain_lines(run_dir: Path) -> list[str]:
    """One line per finished retrain of the winner (one seed, or K seeds as mean +- std)."""
    import json

    lines = []
    for result_file in sorted(run_dir.glob("retrain*/result.json")):
        result = json.loads(result_file.read_text())
        epochs = json.loads((result_file.parent / "config.json").read_text())["train"]["epochs"]
        if "across_seeds" in result:
            test = result["across_seeds"].get("test_accuracy", {})
            lines.append(f"- retrained winner, {len(result['seeds'])} seeds ({epochs} epochs on train+valid): test "
                         f"accuracy {test.get('mean', float('nan')):.4f} +- {test.get('std', float('nan')):.4f} "
                         f"over {test.get('n', 0)} finished seeds")
        else:
            lines.append(f"- retrained winner ({epochs} epochs on train+valid): test accuracy "
                         f"{result.get('final', {}).get('test_accuracy', float('nan')):.4f}")
    return lines
