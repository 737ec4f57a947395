"""Every notebook in notebooks/ runs top to bottom on its tiny configuration.

Notebooks read JITLOOP_NOTEBOOK_TINY=1 in their first cell and shrink their sizes; they run in
a temporary directory so nothing they write lands in the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("JITLOOP_NOTEBOOK_TINY", "1")
    monkeypatch.setenv("JITLOOP_COMPILE_CACHE", str(tmp_path / "xla"))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert outputs, "a notebook that prints nothing shows nothing"


def test_notebooks_exist():
    assert NOTEBOOKS, "notebooks/ holds the tours that this suite executes"
