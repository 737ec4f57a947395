"""The Unseen NAS benchmark: published numbers equal the papers', dataset resolution (root
before builds, invalid files reported, builds cached and redone when the source changes), the
table's provenance labels, and one tiny end-to-end run with resume."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from einspace.data.unseen import Provenance, get_spec, write_layout
from einspace.data.unseen import available as available_mod
from einspace.data.unseen.available import resolve_datasets
from einspace.data.unseen.published import BASELINES, EINSPACE, NAS_METHODS, average, published

REPO = Path(__file__).resolve().parents[3]
REFERENCE = REPO.parent / "shared" / "reference"


def _benchmark():
    spec = importlib.util.spec_from_file_location("unseen_nas_benchmark", REPO / "benchmarks" / "unseen_nas.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _fixture(root: Path, name: str, sizes=(6, 3, 3), variant="fixture", seed=0) -> None:
    spec = get_spec(name)
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in zip(("train", "valid", "test"), sizes):
        arrays[f"{split}_x"] = rng.normal(size=(n, *spec.shape)).astype(np.float32)
        arrays[f"{split}_y"] = np.arange(n) % spec.num_classes
    prov = Provenance(kind="variant", variant=variant, rule="random", source="test", seed=seed,
                      class_names=spec.class_names)
    write_layout(str(root / spec.folder), spec, arrays, prov)


def test_published_numbers_spot_checks_and_averages():
    # cells typed from the papers, and einspace's printed 'average' row (an independent sum)
    assert published("RE(Mix)", "addnist") == 97.72 and published("RN18", "Gutenberg") == 43.32
    assert published("Bonsai-Net", "Chesseract") == 60.76 and published("ResNet-18", "GeoClassing") == 80.33
    printed = {"RN18": 72.55, "RE(Scratch)": 74.72, "RE(RN18)": 78.17, "RE(Mix)": 77.56, "RS einspace": 59.76,
               "random sampling": 26.33}
    for method, value in printed.items():
        assert average(EINSPACE, method) == pytest.approx(value, abs=0.005)
    with pytest.raises(KeyError, match="method='NASNet'"):
        published("NASNet", "AddNIST")
    with pytest.raises(KeyError, match="dataset='MNIST'"):
        published("RN18", "MNIST")


def _reference_tables(path: Path) -> dict[str, dict[str, float]]:
    """{method: {dataset: value}} from every markdown table in `path` whose first column is 'dataset'."""
    out: dict[str, dict[str, float]] = {}
    header = None
    for line in path.read_text().splitlines():
        if not line.startswith("|"):
            header = None  # a table ended
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "dataset":
            header = cells
        elif header and cells[0] != "average" and re.fullmatch(r"[\d.]+", cells[1]):
            for method, value in zip(header[1:], cells[1:]):
                out.setdefault(method, {})[cells[0]] = float(value)
    return out


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared reference summaries absent")
def test_published_numbers_equal_every_cell_of_the_reference():
    ours = {**EINSPACE, **BASELINES, **NAS_METHODS}
    ref = {**_reference_tables(REFERENCE / "unseen-nas.md"), **_reference_tables(REFERENCE / "einspace.md")}
    compared = 0
    for method, column in ours.items():
        for dataset, value in column.items():
            assert ref[method][dataset] == value, (method, dataset)
            compared += 1
    assert compared == 8 * (6 + 7 + 5)


def test_resolve_prefers_root_reports_invalid_and_unbuildable(tmp_path):
    root = tmp_path / "root"
    _fixture(root, "Gutenberg")
    _fixture(root, "Language")
    (root / "language" / "test_y.npy").write_bytes(b"\x93NUMPY truncated")
    found, skipped = resolve_datasets(("gutenberg", "Language", "Isabella", "AddNIST"), str(root),
                                      str(tmp_path / "cache"), sources={"addnist": None})
    assert [(a.name, a.origin, a.label, a.sizes) for a in found] == [("Gutenberg", "root", "variant:fixture", (6, 3, 3))]
    assert found[0].title == "Gutenberg (variant:fixture)" and found[0].kind == "variant"
    assert "invalid" in skipped["Language"] and "test_y.npy" in skipped["Language"]
    assert "no public raw source" in skipped["Isabella"]
    assert "no raw source on this machine" in skipped["AddNIST"]
    assert not (tmp_path / "cache").exists()  # nothing was built over the user's files


def test_resolve_builds_once_and_rebuilds_on_new_source_or_interrupted_build(tmp_path, monkeypatch):
    import einspace.data.unseen.build as build

    calls = []

    def fake_build(name, out, source, config):
        calls.append(source)
        _fixture(Path(out), name, variant=f"from-{source}", seed=len(calls))

    monkeypatch.setattr(build, "build_dataset", fake_build)
    cfg = available_mod.BuildConfig(seed=3, per_class=2)
    resolve = lambda source: resolve_datasets(("gutenberg",), None, str(tmp_path), cfg, {"gutenberg": source})[0][0]
    first = resolve("texts-a")
    assert (first.origin, first.label, calls) == ("built", "variant:from-texts-a", ["texts-a"])
    assert first.root == str(tmp_path / "seed3-per-class2")
    assert resolve("texts-a").origin == "cached" and calls == ["texts-a"]
    assert resolve("texts-b").label == "variant:from-texts-b" and calls == ["texts-a", "texts-b"]
    os.remove(tmp_path / "seed3-per-class2" / "gutenberg.source")  # as if killed before the marker
    assert resolve("texts-b").origin == "built" and len(calls) == 3


def _row(name, title, kind, acc):
    return {"dataset": name, "title": title, "kind": kind, "origin": "root", "sizes": [10, 5, 5],
            "baseline": {"test_accuracy": acc}, "device": "cpu",
            "search": {"best_valid_accuracy": 0.5, "wall_s": 360.0, "cpu_s": 720.0, "retrain": {"test_accuracy": 0.25}}}


def test_markdown_labels_rows_and_prints_published_beside_ours():
    bench = _benchmark()
    text = bench.markdown([_row("AddNIST", "AddNIST", "faithful", 0.9123),
                           _row("Language", "Language (variant:8-languages)", "variant", None)], "resnet18")
    cells = lambda line: [c.strip() for c in line.strip().strip("|").split("|")]
    head, add, lang = [cells(line) for line in text.splitlines() if line.startswith("| ")][:3]
    assert "ours resnet18 test" in head and "paper RE(Mix)" in head
    assert add[:4] == ["AddNIST", "faithful (root)", "10/5/5", "91.23"]
    assert lang[:4] == ["Language (variant:8-languages)", "variant (root)", "10/5/5", "-"]
    assert add[4:8] == ["50.00", "25.00", "0.100", "0.200"]
    for col in bench.PAPER_COLUMNS:
        assert float(add[head.index(f"paper {col}")]) == published(col, "AddNIST")
        assert float(lang[head.index(f"paper {col}")]) == published(col, "Language")
    assert "| Language | 97.00 | 85.71" in text  # Geada et al.'s baselines table


def _one_buildable() -> str:
    from einspace.data.unseen.sources import FASHION_MNIST_DIR

    if shutil.which("stockfish") or os.path.isfile("/usr/games/stockfish"):
        return "chesseract"
    if os.path.isdir(FASHION_MNIST_DIR):
        return "cifartile"
    pytest.skip("neither Debian stockfish nor dataset-fashion-mnist is installed")


TINY_ARCH = "sequential(routing(im2col(3, 2, 1), linear(8), col2im), leakyrelu)"


def test_benchmark_end_to_end_and_resume(tmp_path, capsys):
    bench, name = _benchmark(), _one_buildable()
    args = ["--out", str(tmp_path / "out"), "--datasets", f"{name},isabella", "--per-class", "2", "--seed", "1",
            "--baseline", TINY_ARCH, "--baseline-epochs", "1", "--budget", "2", "--population", "2",
            "--tournament", "1", "--epochs", "1", "--retrain-epochs", "1", "--max-flops", "300000",
            "--max-params", "20000"]
    assert bench.main(args) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert rows[0] == {"dataset": "Isabella", "skipped": "no public raw source to build from and no files under --root"}
    row = rows[1]
    assert row["kind"] == "substitute" and row["title"].startswith(f"{get_spec(name).name} (substitute:")
    assert "per-class=2" in row["label"] and row["origin"] == "built" and not row["skipped_finished"]
    assert row["search"]["trials"] == 2 and 0.0 <= row["baseline"]["test_accuracy"] <= 1.0
    assert row["search"]["retrain"]["epochs"] == 1 and row["search"]["cpu_s"] > 0
    out = tmp_path / "out"
    saved = json.loads((out / "benchmark.json").read_text())
    assert saved["seed"] == 1 and saved["config"]["budget"] == 2 and saved["config"]["per_class"] == 2
    table = (out / "results.md").read_text()
    assert f"| {row['title']} | substitute (built) |" in table
    assert f"{published('RE(Mix)', name):.2f}" in table

    result = out / name / "result.json"
    before = result.stat().st_mtime_ns
    assert bench.main(args) == 0  # rerun: the finished dataset is skipped, not retrained
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")][1]
    assert again["skipped_finished"] and again["origin"] == "built" and result.stat().st_mtime_ns == before
    result.unlink()  # as if killed after the search: the baseline is reused, the search resumed
    assert bench.main(args) == 0
    third = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")][1]
    assert not third["skipped_finished"] and third["search"]["resumed"] and third["search"]["trials"] == 2
    assert third["baseline"] == row["baseline"] and third["search"]["best_architecture"] == row["search"]["best_architecture"]
    assert "*" in (out / "results.md").read_text().split(row["title"])[1].splitlines()[0]
    with pytest.raises(ValueError, match=r"budget: 2 \(saved\) vs 3 \(now\)"):
        bench.main([*args[:-2], "--max-params", "20000", "--budget", "3"])


def test_full_flag_selects_the_paper_protocol_and_flags_override(tmp_path):
    bench = _benchmark()
    cfg, out = bench.parse_config(["--full", "--out", str(tmp_path)])
    assert (cfg.per_class, cfg.baseline_epochs, cfg.budget, cfg.epochs, cfg.retrain_epochs, cfg.batch_size) == \
        (None, 64, 1000, 8, 64, 256)
    assert (cfg.population, cfg.tournament) == (100, 10) and cfg.cache == str(tmp_path / "data")
    seeded, _ = bench.parse_config(["--full", "--strategy", "re-seeded", "--seeds", "resnet18,mixer"])
    assert seeded.budget == 500 and seeded.seeds == ("resnet18", "mixer")
    cpu, _ = bench.parse_config(["--budget", "5", "--per-class", "3"])
    assert (cpu.budget, cpu.per_class, cpu.population, cpu.epochs) == (5, 3, 8, 2)
    search = bench.search_config(cfg, str(tmp_path / "addnist"), train_size=100)
    assert search.batch_size == 100 and search.max_params == 10_000_000 and search.retrain_epochs == 64
