"""The README's "Adding an op" section, followed word for word on a copy of the package.

The section's code blocks are pasted where their first comment line says (the op block above
the table at the end of micrograd/ops.py, the method line beside the other one-line methods of
`Value`, the reference line into tests/test_ops.py's REFERENCE), then the op-table tests, the
random-DAG tests against central differences and PyTorch, and the grad CLI run on the copy.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def section(title: str) -> str:
    """The text under a README heading, up to the next heading (lines in code fences are
    code, not headings)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").split("\n")
    fenced, start, level, out = False, None, 0, []
    for line in lines:
        heading = not fenced and re.match(r"(#+) ", line)
        if line.startswith("```"):
            fenced = not fenced
        if start is not None:
            if heading and len(heading.group(1)) <= level:
                break
            out.append(line)
        elif heading and line[len(heading.group(1)) + 1:].strip() == title:
            start, level = line, len(heading.group(1))
    assert start is not None, f"README has no section {title!r}"
    return "\n".join(out)


def blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def insert_after(lines: list[str], pattern: str, chunk: str, last: bool = False) -> list[str]:
    hits = [i for i, line in enumerate(lines) if re.match(pattern, line)]
    assert hits, pattern
    at = hits[-1] if last else hits[0]
    return lines[:at + 1] + chunk.rstrip("\n").split("\n") + lines[at + 1:]


def test_adding_an_op_as_the_readme_says(tmp_path):
    code = blocks(section("Adding an op"))
    assert len(code) == 3, "expected an ops.py block, an engine.py line and a tests line"
    where = {block.split("\n", 1)[0]: block.split("\n", 1)[1] for block in code}
    ops_block, = [b for head, b in where.items() if head.startswith("# micrograd/ops.py")]
    method, = [b for head, b in where.items() if head.startswith("# micrograd/engine.py")]
    reference, = [b for head, b in where.items() if head.startswith("# tests/test_ops.py")]
    name = re.search(r'name="(\w+)"', ops_block).group(1)

    copy = tmp_path / "project"
    for folder in ("micrograd", "nn", "tests"):
        shutil.copytree(ROOT / folder, copy / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    ops_py = copy / "micrograd" / "ops.py"
    lines = ops_py.read_text(encoding="utf-8").split("\n")
    table = next(i for i, line in enumerate(lines) if line.startswith("OPS:"))
    while lines[table - 1].startswith("#"):         # above the table's own comment
        table -= 1
    lines = lines[:table] + ops_block.rstrip("\n").split("\n") + ["", ""] + lines[table:]
    ops_py.write_text("\n".join(lines), encoding="utf-8")
    engine_py = copy / "micrograd" / "engine.py"
    lines = engine_py.read_text(encoding="utf-8").split("\n")
    lines = insert_after(lines, r"    def \w+\(self\) -> Value: return evaluate\(ops\.", method,
                         last=True)
    engine_py.write_text("\n".join(lines), encoding="utf-8")
    test_ops = copy / "tests" / "test_ops.py"
    lines = test_ops.read_text(encoding="utf-8").split("\n")
    test_ops.write_text("\n".join(insert_after(lines, r"REFERENCE = \{", reference)),
                        encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(copy)}
    probe = subprocess.run(
        [sys.executable, "-c", f"import micrograd, micrograd.ops as o; "
                               f"print(micrograd.__file__, {name!r} in o.OPS)"],
        cwd=copy, env=env, capture_output=True, text=True, check=True)
    assert probe.stdout.split() == [str(copy / "micrograd" / "__init__.py"), "True"]

    tests = ["tests/test_ops.py", "tests/test_properties.py"]
    try:
        import torch  # noqa: F401
        tests.append("tests/test_torch.py")
    except ImportError:
        pass
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-k", f"{name} or random or dags", *tests],
                         cwd=copy, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout)
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--collect-only", "tests/test_ops.py"],
                         cwd=copy, env=env, capture_output=True, text=True).stdout
    assert f"[{name}]" in ran                      # the table tests are parametrized over it

    cli = subprocess.run([sys.executable, "-m", "micrograd", "grad", f"{name}(x)", "x=0.5",
                          "--wrt", "x"], cwd=copy, env=env, capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert "df/dx" in cli.stdout


@pytest.mark.parametrize("title", ["Adding an op"])
def test_sections_exist(title):
    assert blocks(section(title))
