"""The README's "Adding an op" section, followed word for word on a copy of the package.

The section's code blocks are pasted where their first comment line says (the op block above
the table at the end of micrograd/ops.py, the method line beside the other one-line methods of
`Value`, the reference line into tests/test_ops.py's REFERENCE), then the op-table tests, the
random-DAG tests against central differences and PyTorch, and the grad CLI run on the copy.
"""
from __future__ import annotations

import importlib.util
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
    for module, test_file in (("torch", "tests/test_torch.py"),
                              ("numpy", "tests/test_compiled.py")):    # its arrays= rule
        try:
            __import__(module)
            tests.append(test_file)
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


# --- every Python block runs, and every sample output is what the code prints -----------------
def _blocks_with_outputs(text: str) -> list[tuple[str, str, str | None]]:
    """(language, code, the plain ``` block right after it or None) for each fenced block."""
    found = re.finditer(r"^```(\w*)\n(.*?)^```\n", text, re.M | re.S)
    blocks = [(m.group(1), m.group(2), m.start(), m.end()) for m in found]
    out = []
    for i, (lang, code, start, end) in enumerate(blocks):
        if lang == "" and i and blocks[i - 1][3] == start and blocks[i - 1][0] == "python":
            continue                                 # an output block, attached below
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        output = following[1] if following and following[0] == "" and following[2] == end \
            else None
        out.append((lang, code, output))
    return out


README = (ROOT / "README.md").read_text(encoding="utf-8")
# a block that imports torch (the "Next step: PyTorch" section) runs where the extra is
# installed, as under CI; each such block stands alone
HAVE_TORCH = importlib.util.find_spec("torch") is not None
PYTHON_BLOCKS = [(code, output) for lang, code, output in _blocks_with_outputs(README)
                 if lang == "python" and not code.lstrip().startswith(("# micrograd/",
                                                                       "# tests/", ">>>"))
                 and (HAVE_TORCH or "import torch" not in code)]


def test_every_python_block_runs_and_prints_what_the_readme_shows(tmp_path, monkeypatch):
    """All Python blocks in one namespace, in order (later blocks use earlier names), run in
    an empty folder; a block followed by an output block must print exactly that, and a
    `print(...)  # 24.7041` line must print the number its comment gives."""
    import contextlib
    import io
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    assert len(PYTHON_BLOCKS) >= 6
    for code, output in PYTHON_BLOCKS:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md", "exec"), namespace)
        got = printed.getvalue()
        if output is not None:
            assert got.rstrip("\n") == output.rstrip("\n"), f"README block:\n{code}"
        commented = [m.group(1) for m in re.finditer(r"^print\(.*\)\s+# (-?[\d.]+)", code, re.M)]
        if commented:
            assert got.split() == commented, f"README block:\n{code}"


def test_the_doctest_blocks_hold():
    import doctest
    blocks = [code for lang, code, _ in _blocks_with_outputs(README)
              if lang == "python" and code.lstrip().startswith(">>>")
              and (HAVE_TORCH or "import torch" not in code)]
    assert blocks
    for code in blocks:
        test = doctest.DocTestParser().get_doctest(code, {}, "README", "README.md", 0)
        result = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE).run(test)
        assert result.failed == 0, code


def _transcripts(text: str) -> list[tuple[str, list[str]]]:
    """('$ command', the lines shown after it) for each command in plain ``` blocks."""
    out = []
    for lang, code, _ in _blocks_with_outputs(text):
        if lang != "" or not code.startswith("$ "):
            continue
        for part in re.split(r"^(?=\$ )", code, flags=re.M):
            if part.strip():
                first, *rest = part.rstrip("\n").split("\n")
                out.append((first[2:], rest))
    return out


TRANSCRIPTS = _transcripts(README)
TIME_LINE = re.compile(r"time:  \d+\.\d\d s, \d+\.\d\d ms per training step"
                       r"(, \d+\.\d\d s per epoch)?")


@pytest.mark.parametrize("command, shown", TRANSCRIPTS, ids=[c for c, _ in TRANSCRIPTS])
def test_every_command_prints_what_the_readme_shows(command, shown, tmp_path):
    import shlex
    args = shlex.split(command)
    assert args[:2] == ["python", "-m"], command
    r = subprocess.run([sys.executable, *args[1:]], cwd=tmp_path, capture_output=True,
                       text=True, timeout=300, env={**os.environ, "COLUMNS": "80"})
    expected_code = 0
    if shown and shown[-1].endswith("(exit code 2)"):
        expected_code = 2
        shown = shown[:-1] + [shown[-1].rsplit("(exit code 2)", 1)[0].rstrip()]
    assert r.returncode == expected_code, r.stderr
    got = (r.stdout if expected_code == 0 else r.stderr).rstrip("\n").split("\n")
    assert len(got) == len(shown), "\n".join(got)
    for want, line in zip(shown, got):
        if want.startswith("time:  "):              # wall-clock: only its form
            assert TIME_LINE.fullmatch(line), line
        else:
            assert line == want


def test_the_training_run_prints_what_the_readme_shows(tmp_path):
    section = README[README.index("## Training"):]
    shown = re.search(r"stdout gets\n\(.*?\):\n\n```\n(.*?)```", section, re.S)
    assert shown, "the README's sample output of python -m nn train"
    r = subprocess.run([sys.executable, "-m", "nn", "train", "--quiet"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for want, line in zip(shown.group(1).rstrip("\n").split("\n"), r.stdout.split("\n")):
        assert TIME_LINE.fullmatch(line) if want.startswith("time:  ") else line == want
