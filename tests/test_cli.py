"""`python -m micrograd grad`: good input, and hostile input refused in one line with exit 2."""
import builtins
import json
import math
import os
import re
import subprocess
import sys

import pytest

from micrograd.__main__ import main


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "micrograd", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def test_no_arguments_prints_the_demo():
    r = run()
    assert r.returncode == 0
    assert r.stdout.startswith("out = tanh(x1*w1 + x2*w2 + b)")
    assert "all gradients match" in r.stdout


def test_grad_prints_value_gradients_explanation_and_writes_graphs(tmp_path):
    env = dict(os.environ, PATH="/usr/bin:/bin")     # no venv bin, no system dot
    svg, png = tmp_path / "graph.svg", tmp_path / "graph.png"
    r = run("grad", "tanh(w*x + b)", "w=-1", "x=0.5", "b=0.3", "--wrt", "w", "--dot", str(svg),
            env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    t = math.tanh(-1 * 0.5 + 0.3)
    assert lines[0] == "f = tanh(w * x + b)" and lines[1] == f"  = {t!r}"
    block = lines[lines.index("gradients:") + 1:lines.index("")]
    grads = dict(line.split(" = ") for line in block)
    assert float(grads["  df/dw"]) == pytest.approx((1 - t * t) * 0.5, rel=1e-15)
    assert float(grads["  df/dx"]) == pytest.approx((1 - t * t) * -1, rel=1e-15)
    assert float(grads["  df/db"]) == pytest.approx(1 - t * t, rel=1e-15)
    assert "df/dw = df/d(w*x + b) · d(w*x + b)/d(w*x) · d(w*x)/dw" in r.stdout
    assert svg.read_text().count("<svg") == 1
    r = run("grad", "x**2 - 3*x", "x=2", "--dot", str(png), env=env)
    assert r.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "df/dx = 1.0" in r.stdout                   # d(x^2 - 3x)/dx = 2x - 3 = 1


def test_grad_in_process(capsys):
    assert main(["grad", "-x*y + log(y)", "x=3", "y=2", "--wrt=y"]) == 0
    out = capsys.readouterr().out
    assert f"  = {-3.0 * 2.0 + math.log(2.0)!r}" in out
    assert "df/dy = -2.5" in out                       # -x + 1/y
    assert "df/dx = -2.0" in out


def test_constant_exponents_fold_and_unused_inputs_are_marked(capsys):
    assert main(["grad", "x ** (2*3)", "x=1.5", "z=4"]) == 0
    out = capsys.readouterr().out
    assert f"df/dx = {6 * 1.5 ** 5!r}" in out
    assert "df/dz = 0.0   (not in the expression)" in out


HOSTILE = [
    ("x.__class__", "attribute access"),
    ("__import__('os').system('true')", "calling __import__('os').system is not allowed"),
    ("__import__('os')", "calling __import__ is not allowed"),
    ("open('/etc/passwd')", "calling open is not allowed"),
    ("(lambda: 1)()", "calling lambda: 1 is not allowed"),
    ("x[0]", "subscripts"),
    ("[a for a in (1, 2)]", "comprehensions"),
    ("{a: 1 for a in (1,)}", "comprehensions"),
    ("lambda: 1", "lambdas"),
    ("x if x else 1", "if-expressions"),
    ("(y := 2)", "assignments"),
    ("'text'", "only numbers"),
    ("f'{x}'", "strings"),
    ("x == 1", "comparisons"),
    ("x // 2", "operator // is not allowed"),
    ("x % 2", "operator % is not allowed"),
    ("~x", "unary operator ~"),
    ("tanh(x, x)", "takes exactly one argument"),
    ("tanh(x=1)", "takes exactly one argument"),
    ("tanh(*x)", "takes exactly one argument"),
    ("math.tanh(x)", "calling math.tanh is not allowed"),
    ("tanh", "is a function"),
    ("y + 1", "no value given for 'y'"),
    ("x ** 1000", "exponent 1000 too large"),
    ("2 ** 2 ** 2 ** 2 ** 2", "exponent 65536 too large"),
    ("x ** -200", "exponent -200 too large"),
    ("1e999 * x", "number too large"),
    ("9" * 400, "number too large"),
    ("*".join(["(" + "+".join(["x"] * 50) + ")"] * 5), "expression too large"),
    ("+".join(["x"] * 300), "nested too deeply"),
    ("x" * 1001, "expression too long"),
    ("(" * 250 + "x" + ")" * 250, "nested"),
    ("-" * 250 + "x", "nested too deeply"),
    ("x +", "not a valid expression"),
    ("", "empty expression"),
    ("log(x - 1.5)", "log: needs a > 0"),
    ("1 / (x - x)", "division by zero"),
    ("exp(x * 1000)", "exp: result overflows"),
    ("(-x) ** x", "base -1.5 < 0"),
    # finite value, but d f/d(x - 1.5 + 1e-10) = 1e300 * 1e10 overflows during backward
    ("log(x - 1.5 + 1e-10) * 1e300", "backward: gradient inf"),
]


@pytest.mark.parametrize("expr,mentions", HOSTILE)
def test_hostile_expressions_are_refused(expr, mentions, capsys, monkeypatch):
    def no_eval(*a, **k):
        raise AssertionError("eval/exec must never be called")
    monkeypatch.setattr(builtins, "eval", no_eval)
    monkeypatch.setattr(builtins, "exec", no_eval)
    assert main(["grad", expr, "x=1.5"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and mentions in lines[0], err


@pytest.mark.parametrize("args,mentions", [
    (["x"], None),
    (["x", "x=abc"], "not a number"),
    (["x", "x=nan"], "not a finite number"),
    (["x", "x=1", "x=2"], "given twice"),
    (["x", "tanh=1"], "cannot be an input name"),
    (["x", "1x=2"], "cannot be an input name"),
    (["x", "x"], "expected name=value"),
    (["x", "x=1", "--wrt", "y"], "is not one of the inputs"),
    (["x", "x=1", "--wrt"], "argument --wrt: expected one argument"),
    ([], "the following arguments are required: EXPR"),
])
def test_bad_arguments(args, mentions, capsys):
    code = main(["grad", *args])
    out, err = capsys.readouterr()
    if mentions is None:                              # x with no value for x
        assert code == 2 and "no value given for 'x'" in err
        return
    assert code == 2 and mentions in err.splitlines()[0] and "Traceback" not in err


@pytest.mark.parametrize("args", [
    ["1/x", "x=1e-200"],                            # d(1/x)/dx = -1e400
    ["log(x) * 1e300", "x=1e-10"],                  # 1e300 * 1e10 past the largest float
])
def test_gradient_overflow_is_one_line_exit_2(args):
    r = run("grad", *args)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ")
    assert "Traceback" not in r.stderr
    assert any(w in r.stderr for w in ("overflows a float", "gradient inf", "gradient -inf"))


def test_wrt_an_input_the_expression_does_not_use_is_zero_not_an_error():
    r = run("grad", "x*2", "x=1", "y=2", "--wrt", "y")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "df/dy = 0.0   (not in the expression)" in r.stdout
    assert r.stdout.rstrip().endswith(
        "df/dy = 0: y is not in the expression, so f does not depend on it")


def test_subprocess_refusal_has_no_traceback():
    r = run("grad", "__import__('os').getcwd()", "x=1")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    r = run("frobnicate")
    assert r.returncode == 2 and "usage" in r.stderr


# --- names: inputs are never relabelled, the function never takes an input's name -------------
@pytest.mark.parametrize("expr, inputs, fname, first", [
    ("x", ["x=3"], "f", "df/dx = 1"),
    ("f * 2", ["f=3"], "g", "dg/df = 2"),
    ("f*g + sin(f)", ["f=3", "g=2"], "h", "dh/df = dh/d(f*g) · d(f*g)/df + dh/d(sin(f)) · "),
    ("n1 * n1 * n1 * n1 * n1 * n1 * n1 + n1", ["n1=0.5"], "f", "df/dn1 = "),
    ("f + g + h + F", ["f=1", "g=2", "h=3", "F=4"], "out", "dout/df = dout/d(f + g + h) · "),
])
def test_the_function_gets_a_name_no_input_has(expr, inputs, fname, first, capsys):
    wrt = inputs[0].split("=")[0]
    assert main(["grad", expr, *inputs, "--wrt", wrt]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{fname} = ")
    assert f"  d{fname}/d{wrt} = " in out
    explanation = out.split("\n\n", 1)[1]
    assert explanation.startswith(first), explanation
    assert f"d{wrt}/d{wrt}" not in out


def test_new_table_functions_are_accepted(capsys):
    assert main(["grad", "sin(x) + cos(x) * sqrt(y) - abs(x - y)", "x=0.5", "y=2"]) == 0
    out = capsys.readouterr().out
    dfdx = math.cos(0.5) - math.sin(0.5) * math.sqrt(2) + 1       # |x - y|' = -1 at x < y
    assert f"df/dx = {dfdx!r}" in out or float(
        out.split("df/dx = ")[1].split()[0]) == pytest.approx(dfdx, rel=1e-15)


@pytest.mark.parametrize("expr, mentions", [
    ("sqrt(x)", "sqrt: needs a >= 0, got -1"),
    ("sqrt(x + 1)", "sqrt: derivative 0.5 / sqrt(a) is infinite at a = 0"),
])
def test_sqrt_outside_its_domain_is_one_line(expr, mentions, capsys):
    assert main(["grad", expr, "x=-1"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {mentions}"


# --- argparse, help, and output that cannot be written -----------------------------------------
@pytest.mark.parametrize("args", [["--help"], ["-h"], ["grad", "--help"], ["grad", "-h"]])
def test_help_exits_0_and_says_how(args):
    r = run(*args)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith("usage: python -m micrograd")
    if args[0] == "grad":
        assert "--wrt NAME" in r.stdout and "sqrt" in r.stdout   # the table's functions
    else:
        assert "grad" in r.stdout


@pytest.mark.parametrize("args, mentions", [
    (["frobnicate"], "invalid choice"),
    (["--nope"], "unrecognized arguments"),
    (["grad", "x", "x=1", "--bogus"], "unrecognized arguments"),
    (["grad", "x", "x=1", "--dot"], "argument --dot: expected one argument"),
])
def test_bad_usage_is_one_line_exit_2(args, mentions):
    r = run(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ") and mentions in r.stderr
    assert "usage:" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("expr, value", [("-x", -1.5), ("-x*x", -2.25), ("--x", 1.5),
                                         ("-(x + 1)", -2.5), ("- x", -1.5)])
def test_an_expression_may_start_with_a_minus(expr, value, capsys):
    assert main(["grad", expr, "x=1.5"]) == 0
    assert f"  = {value!r}" in capsys.readouterr().out
    assert main(["grad", "--wrt", "x", expr, "x=1.5"]) == 0     # after an option, too


@pytest.mark.parametrize("args", [
    ["grad", "x", "x=1", "--wrt", "\x1b[31mred"],
    ["grad", "x", "x=1", "\x1b]0;title\x07=2"],
    ["grad", "x\x7f", "x=1"],
    ["grad", "x", "x=1", "--wrt", "x\u202e"],
    ["grad", "x", "x=1", "--bogus\x1b[2J"],
    ["grad", "x", "x=\x1b[31m1"],
])
def test_control_characters_are_never_echoed_raw(args):
    r = run(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ")
    assert not any(c in r.stderr[:-1] for c in "\x1b\x07\x7f\u202e"), repr(r.stderr)


def test_a_nul_in_the_expression_is_escaped(capsys):
    assert main(["grad", "x\x00", "x=1"]) == 2
    err = capsys.readouterr().err
    assert "\x00" not in err and "\\x00" in err or "null" in err.lower()


def test_a_reader_that_goes_away_is_not_a_traceback():
    # "| head -1": the pipe closes after the first line; the rest must not be a traceback
    cmd = [sys.executable, "-m", "micrograd", "grad", " + ".join(f"x{i}" for i in range(40)),
           *[f"x{i}={i}" for i in range(40)], "--wrt", "x0"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = p.stdout.readline()
    p.stdout.close()                        # the reader goes away
    err = p.stderr.read().decode()
    p.wait(timeout=60)
    assert first.startswith(b"f = x0 + x1")
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    r = subprocess.run(f"{sys.executable} -m micrograd | head -1", shell=True,
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.startswith("out = tanh") and "Traceback" not in r.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_error_line():
    for args in (["grad", "x*x", "x=3", "--wrt", "x"], []):
        with open("/dev/full", "w") as full:
            r = subprocess.run([sys.executable, "-m", "micrograd", *args], stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith("error: cannot write the output: No space left on device")
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("target, mentions", [
    ("missing-folder/graph.svg", "does not exist"),
    ("graph.pdf", "use a file ending in .svg, .png, .gv or .dot"),
    (".", "is a folder"),
    ("sub", "is a folder"),
])
def test_an_unwritable_dot_file_is_refused_before_anything_is_printed(tmp_path, target,
                                                                      mentions):
    (tmp_path / "sub").mkdir()
    r = subprocess.run([sys.executable, "-m", "micrograd", "grad", "x*x", "x=3", "--dot",
                        target], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert r.stderr.count("\n") == 1 and mentions in r.stderr and repr(target) in r.stderr
    assert not list(tmp_path.glob("**/.*.tmp")), "a temporary file was left behind"


def test_a_read_only_folder_is_refused(tmp_path, monkeypatch, capsys):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK
                        else real_access(p, mode))      # as for a user without write access
    assert main(["grad", "x", "x=1", "--dot", str(tmp_path / "g.svg")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "is not writable" in err and err.count("\n") == 1


def test_a_failed_graph_write_names_the_file_not_a_temp_file(tmp_path, monkeypatch, capsys):
    from micrograd import files
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / ".g.svg.abc123.tmp"))
    monkeypatch.setattr(files.os, "fsync", full_disk)
    target = tmp_path / "g.svg"
    assert main(["grad", "x*x", "x=2", "--dot", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert repr(str(target)) in err and ".tmp" not in err and "No space left" in err
    assert not target.exists() and not list(tmp_path.glob(".*.tmp"))


def test_html_writes_the_explorer_for_the_expression(tmp_path, capsys):
    from micrograd import Value, to_html
    target = tmp_path / "graph.html"
    assert main(["grad", "tanh(w*x + b)", "w=-1", "x=0.5", "b=0.3", "--html", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"backward, step by step, written to {target}")
    page = target.read_text(encoding="utf-8")
    w, x, b = Value(-1.0, "w"), Value(0.5, "x"), Value(0.3, "b")
    same = to_html((w * x + b).tanh())
    data = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', page, re.S)
    mine = re.search(r'<script id="page-data" type="application/json">(.*?)</script>',
                     same.html(), re.S)
    assert json.loads(data.group(1))["steps"] == json.loads(mine.group(1))["steps"]


@pytest.mark.parametrize("target, mentions", [("missing/g.html", "does not exist"),
                                              ("g.svg", "use a file ending in .html or .htm"),
                                              (".", "is a folder")])
def test_an_unwritable_html_file_is_refused_first(tmp_path, target, mentions):
    r = subprocess.run([sys.executable, "-m", "micrograd", "grad", "x*x", "x=3", "--html",
                        target], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == "" and mentions in r.stderr
    assert r.stderr.count("\n") == 1
