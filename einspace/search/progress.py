"""The live progress view of a search: trials done / budget, best so far, running trials,
failures by kind, mean compile and train seconds.

`SearchProgress.summary()` is the same information as a dict (the notebook and tests read it);
the view is a rich Live table on a terminal, one plain line per trial otherwise, or nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from einspace.search.evaluate import FAILURES

COMPILE_PHASES = ("trace", "lower", "compile")


class SearchProgress:
    """mode: "live" (rich), "lines" (one line per trial), "off"; None picks live on a terminal."""

    def __init__(self, budget: int, mode: str | None = None):
        self.budget, self.done, self.running = budget, 0, 0
        self.best: dict[str, Any] | None = None
        self.failures: Counter = Counter()
        self.statuses: Counter = Counter()
        self.compile_s: list[float] = []
        self.train_s: list[float] = []
        self.mode = mode or ("live" if sys.stdout.isatty() else "lines")
        self._live = None

    def __enter__(self) -> "SearchProgress":
        if self.mode == "live":
            from rich.live import Live

            self._live = Live(self.table(), refresh_per_second=2, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.update(self.table())
            self._live.__exit__(*exc)

    def add(self, record: dict[str, Any], running: int) -> None:
        """Count one finished trial and show it; `running` is how many are still in flight."""
        self.count(record)
        self.running = running
        fitness = record.get("fitness")
        if self.mode == "lines":
            score = "-" if fitness is None else f"{fitness:.4f}"
            best = "-" if self.best is None else f"{self.best['fitness']:.4f}"
            print(f"trial {record['trial']:>5} {record['status']:<13} fitness {score:<7} best {best}  "
                  f"[{self.done}/{self.budget}]", flush=True)
        elif self._live is not None:
            self._live.update(self.table())

    def count(self, record: dict[str, Any]) -> None:
        """Count one finished trial without showing anything (records of a resumed run)."""
        self.done += 1
        self.statuses[record["status"]] += 1
        if record["status"] in FAILURES:
            self.failures[record["status"]] += 1
        timings = record.get("timings") or {}
        if timings and "duplicate_of" not in record:
            self.compile_s.append(sum(timings.get(p, 0.0) for p in COMPILE_PHASES))
            self.train_s.append(timings.get("train", 0.0))
        fitness = record.get("fitness")
        if fitness is not None and (self.best is None or fitness > self.best["fitness"]):
            self.best = record

    def set_running(self, running: int) -> None:
        self.running = running
        if self._live is not None:
            self._live.update(self.table())

    def summary(self) -> dict[str, Any]:
        mean = lambda xs: sum(xs) / len(xs) if xs else 0.0
        return {"done": self.done, "budget": self.budget, "running": self.running,
                "best_fitness": None if self.best is None else self.best["fitness"],
                "best_trial": None if self.best is None else self.best["trial"],
                "failures": dict(self.failures), "statuses": dict(self.statuses),
                "mean_compile_s": mean(self.compile_s), "mean_train_s": mean(self.train_s)}

    def table(self):
        from rich.table import Table

        s = self.summary()
        t = Table(title="einspace search", show_header=False)
        t.add_row("trials", f"{s['done']} / {s['budget']}")
        t.add_row("running", str(s["running"]))
        t.add_row("best so far", "-" if s["best_fitness"] is None else f"{s['best_fitness']:.4f} (trial {s['best_trial']})")
        t.add_row("failures", ", ".join(f"{k} {v}" for k, v in s["failures"].items()) or "none")
        t.add_row("mean compile / train s", f"{s['mean_compile_s']:.2f} / {s['mean_train_s']:.2f}")
        return t
