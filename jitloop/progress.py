"""A rich progress bar over epochs, silent when stdout is not a terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class EpochProgress:
    def __init__(self, progress: Progress | None, task: int | None):
        self._progress, self._task = progress, task

    def update(self, record: dict) -> None:
        if self._progress is None:
            return
        shown = "  ".join(
            f"{k}={v:.4g}" for k, v in record.items() if isinstance(v, float) and k != "seconds"
        )
        self._progress.update(self._task, completed=record["epoch"], status=shown)


@contextlib.contextmanager
def epoch_progress(total: int, start: int, description: str, enabled: bool | None) -> Iterator[EpochProgress]:
    console = Console()
    if enabled is None:
        enabled = console.is_terminal
    if not enabled:
        yield EpochProgress(None, None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[status]}"))
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(description, total=total, completed=start, status="")
        yield EpochProgress(progress, task)
