"""Run directories: config.json, env.json and an append-only metrics.jsonl, written safely.

JSON files are written to a temporary file and renamed, so a killed run never leaves a half
file; JSONL records are appended and flushed one line at a time.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Atomically write `data` as pretty JSON to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2, sort_keys=True, default=str)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_jsonl(path: str | os.PathLike, record: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(record, sort_keys=True, default=str) + "\n")
        f.flush()
        os.fsync(f.fileno())


def write_jsonl(path: str | os.PathLike, records: list[dict[str, Any]]) -> None:
    """Atomically replace `path` with these records, one JSON object per line."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.writelines(json.dumps(r, sort_keys=True, default=str) + "\n" for r in records)
    os.replace(tmp, path)


def read_jsonl(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Records of a JSONL file; a truncated last line (a killed writer) is dropped."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                break
            raise ValueError(f"{path}: line {i + 1} is not valid JSON: {line[:80]!r}") from None
    return records


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def environment() -> dict[str, Any]:
    """Versions, devices and the git revision: what is needed to reproduce a result."""
    import flax
    import jax
    import numpy
    import optax

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "jax": jax.__version__,
        "flax": flax.__version__,
        "optax": optax.__version__,
        "numpy": numpy.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "git_revision": git_revision(),
    }


def config_diff(saved: dict[str, Any], now: dict[str, Any], ignore: tuple[str, ...] = (), prefix: str = "") -> list[str]:
    """'field: saved vs now' for every differing field (nested dicts as 'a.b'), except `ignore`.

    A JSON-loaded list equals the tuple it was saved from.
    """
    diffs = []
    for k in sorted(set(saved) | set(now)):
        if k in ignore:
            continue
        a, b = saved.get(k), now.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            diffs += config_diff(a, b, prefix=f"{prefix}{k}.")
        elif a != b and not (isinstance(a, list) and isinstance(b, tuple) and tuple(a) == b):
            diffs.append(f"{prefix}{k}: {a!r} (saved) vs {b!r} (now)")
    return diffs
