"""The notebooks in notebooks/: every .ipynb has its jupytext py:percent pair, in sync, and was
committed executed without errors.

The notebooks themselves are executed by `python -m pytest --nbmake notebooks` (each one is a
test: its cells assert every number they state). This file checks only what nbmake cannot: that
the reviewable .py and the rendered .ipynb say the same thing, and that the stored outputs are
complete and error-free.
"""
from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
IPYNBS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
PYS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def _cells(nb) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in nb.cells]


def test_notebooks_exist():
    assert len(IPYNBS) >= 8, [p.name for p in IPYNBS]


def test_every_py_has_its_notebook():
    missing = [p.name for p in PYS if not p.with_suffix(".ipynb").exists()]
    assert not missing, f"py:percent files without a notebook: {missing}"


@pytest.mark.parametrize("path", IPYNBS, ids=lambda p: p.stem)
def test_pair_in_sync(path: Path):
    py = path.with_suffix(".py")
    assert py.exists(), f"{path.name} has no paired {py.name}"
    nb = nbformat.read(path, as_version=4)
    formats = nb.metadata.get("jupytext", {}).get("formats", "")
    assert "py:percent" in formats and "ipynb" in formats, f"{path.name}: pairing not set ({formats!r})"
    from_py = jupytext.read(py)
    assert _cells(from_py) == _cells(nb), (
        f"{path.name} and {py.name} differ; run `jupytext --sync {py}` and re-execute")


@pytest.mark.parametrize("path", IPYNBS, ids=lambda p: p.stem)
def test_committed_executed_without_errors(path: Path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code"
    counts = [c.execution_count for c in code if c.source.strip()]
    assert all(isinstance(n, int) for n in counts), f"{path.name}: not executed (counts {counts})"
    assert counts == sorted(counts), f"{path.name}: cells executed out of order ({counts})"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} holds an error output: {errors[0].ename}: {errors[0].evalue}"
    stderr = [o.text for c in code for o in c.outputs
              if o.output_type == "stream" and o.name == "stderr" and "Traceback" in o.text]
    assert not stderr, f"{path.name} holds a traceback on stderr"


@pytest.mark.parametrize("path", IPYNBS, ids=lambda p: p.stem)
def test_opens_with_what_it_covers_and_reads_no_shared_files(path: Path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), path.name
    assert "**What this covers:**" in first.source and "**Follows:**" in first.source, path.name
    # a user's clone has no shared/ directory: the documents' numbers are copied into the cells
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "shared/" not in cell.source and "seeds/" not in cell.source, path.name


# the four source documents, by the file names the notebooks cite them with
DOCUMENTS = ("000_8495f74e1b111f69.txt", "001_535ec0cb8a4ef9ef.txt", "002_909b28b3d0b2318a.txt",
             "003_d77308b932c75427.txt")


@pytest.mark.parametrize("path", PYS, ids=lambda p: p.stem)
def test_cites_each_document_file_once_and_opens_no_path_outside(path: Path):
    """A document is named by a readable title; its file name appears once (where the notebook
    says what it follows), and no code cell opens a file outside the repository."""
    text = path.read_text(encoding="utf-8")
    for name in DOCUMENTS:
        assert text.count(name) <= 1, f"{path.name} names {name} {text.count(name)} times"
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "../" not in cell.source and "/work/" not in cell.source, (
                f"{path.name}: a code cell reaches outside the repository")
