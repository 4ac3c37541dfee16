"""micrograd.graph.Digraph: a drop-in for graphviz.Digraph that renders with system dot or else
graphviz-pure. karpathy's draw_dot, written here from graphviz's API, works by changing one
import; pipe, render, save and Jupyter display really render (PATH emptied: graphviz-pure only);
files are written atomically; a missing renderer and a graph dot refuses are clear errors."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

graphviz = pytest.importorskip("graphviz")

from micrograd import Value  # noqa: E402
from micrograd import graph  # noqa: E402
from micrograd.graph import Digraph, GraphvizNotFound, RenderError  # noqa: E402
from test_graph import neuron, no_system_dot  # noqa: E402,F401  (a fixture)

SVG = "{http://www.w3.org/2000/svg}"


def karpathy_draw_dot(root, format="svg", rankdir="LR"):
    """karpathy's notebook draw_dot, written from graphviz's API: one record per value (label,
    data, grad), one node per op, edges operand -> op -> result, nodes named by id()."""
    nodes, edges, todo = [], [], [root]
    seen = {id(root)}
    while todo:
        v = todo.pop()
        nodes.append(v)
        for child in v._prev:
            edges.append((child, v))
            if id(child) not in seen:
                seen.add(id(child))
                todo.append(child)
    dot = Digraph(format=format, graph_attr={"rankdir": rankdir})
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad),
                 shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for a, b in edges:
        dot.edge(str(id(a)), str(id(b)) + b._op)
    return dot


def svg_texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_is_a_graphviz_digraph_with_the_same_constructor():
    dot = Digraph("g", comment="made by a test", filename="g.gv", directory="out",
                  format="png", engine="neato", encoding="utf-8",
                  graph_attr={"rankdir": "LR"}, node_attr={"shape": "box"},
                  edge_attr={"color": "red"}, body=["\tpre -> body\n"], strict=True)
    assert isinstance(dot, graphviz.Digraph) and type(dot).__name__ == "Digraph"
    assert (dot.name, dot.filename, dot.directory, dot.format, dot.engine) == \
        ("g", "g.gv", "out", "png", "neato")
    assert dot.filepath == os.path.join("out", "g.gv")
    dot.node("a", "A")
    dot.edges([("a", "b"), ("b", "c")])
    dot.attr("node", color="blue")
    src = dot.source
    for part in ("// made by a test", "strict digraph g {", "rankdir=LR", "shape=box",
                 "color=red", "pre -> body", "a [label=A]", "a -> b", "b -> c", "color=blue"):
        assert part in src, part
    # a copy and a plain Digraph() are ours too, with graphviz's defaults
    assert type(dot.copy()) is type(dot)
    plain = Digraph()
    assert plain.format == graphviz.Digraph().format and plain.engine == "dot"


def test_subgraph_both_forms(no_system_dot):
    dot = Digraph(format="svg")
    with dot.subgraph(name="cluster_a") as c:
        assert type(c) is type(dot)                     # the context form makes one of ours
        c.attr(label="first")
        c.node("x")
    other = Digraph(name="cluster_b")
    other.attr(label="second")
    other.node("y")
    dot.subgraph(other)                                 # the graph= form
    dot.edge("x", "y")
    texts = svg_texts(dot.pipe(encoding="utf-8"))
    assert {"first", "second", "x", "y"} <= set(texts)
    with pytest.raises(ValueError):
        dot.subgraph(graphviz.Graph())                  # an undirected graph: graphviz says no


def test_karpathys_draw_dot_works_by_changing_one_import(no_system_dot, monkeypatch):
    out, _ = neuron()
    dot = karpathy_draw_dot(out)
    # what Jupyter calls to show it
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and "data 0.7071" in bundle["image/svg+xml"]
    assert dot._repr_svg_() == bundle["image/svg+xml"]
    png = dot._repr_mimebundle_(include=["image/png", "image/svg+xml"],
                                exclude=["image/svg+xml"])
    assert list(png) == ["image/png"] and png["image/png"][:4] == b"\x89PNG"
    assert dot._repr_mimebundle_(include=[]) == {}
    # pipe: the draw's format unless told otherwise, bytes unless given an encoding
    assert dot.pipe().lstrip().startswith(b"<?xml")
    assert dot.pipe(format="png")[:4] == b"\x89PNG"
    assert "grad 1.0000" in dot.pipe(encoding="utf-8")
    # render('gout'): the source as 'gout' and the picture as 'gout.svg', in the working folder
    monkeypatch.chdir(no_system_dot)
    assert dot.render("gout") == "gout.svg"
    assert open("gout").read() == dot.source
    svg = open("gout.svg", encoding="utf-8").read()
    assert "data 0.7071" in svg and ET.fromstring(svg).tag == f"{SVG}svg"
    texts = svg_texts(svg)
    for label in ("x1", "w1", "n", "out", "tanh"):
        assert label in texts, label


def test_render_paths_formats_and_cleanup(no_system_dot):
    tmp = no_system_dot
    a = Value(2.0, "a")
    dot = karpathy_draw_dot(a * 3.0, format="png")
    # a directory that does not exist yet is made; the picture's format is the draw's
    path = dot.render("g", directory=tmp / "new" / "sub")
    assert path == os.path.join(str(tmp / "new" / "sub"), "g.png")
    assert open(path, "rb").read(4) == b"\x89PNG" and os.path.exists(tmp / "new" / "sub" / "g")
    # format= overrides it; cleanup removes the source
    path = dot.render("h", directory=tmp, format="svg", cleanup=True)
    assert path.endswith("h.svg") and not os.path.exists(tmp / "h")
    # outfile: its suffix is the format, the source goes beside it as .gv
    path = dot.render(outfile=tmp / "pic.svg")
    assert path == str(tmp / "pic.svg") and (tmp / "pic.gv").read_text() == dot.source
    assert b"<svg" in (tmp / "pic.svg").read_bytes()
    with pytest.raises(ValueError, match=r"cannot tell the format from outfile '.*pic.weird'"):
        dot.render(outfile=tmp / "pic.weird")
    with pytest.raises(ValueError, match="is the source file"):
        dot.render(outfile=tmp / "same.gv", filename=tmp / "same.gv")
    with pytest.raises(graphviz.FileExistsError, match="output file exists"):
        dot.render(outfile=tmp / "pic.svg", raise_if_result_exists=True)
    with pytest.raises(NotImplementedError, match="open the returned path"):
        dot.render("v", directory=tmp, view=True)
    with pytest.raises(NotImplementedError):
        dot.view()
    # save: the source only
    assert dot.save("only.gv", directory=tmp) == os.path.join(str(tmp), "only.gv")
    assert (tmp / "only.gv").read_text() == dot.source
    left = [p.name for p in tmp.rglob("*") if p.name.endswith(".tmp")]
    assert left == []                                  # no temporary files left behind


def test_bad_format_engine_and_flags_name_the_value(no_system_dot):
    dot = karpathy_draw_dot(Value(1.0, "a") + 1.0)
    with pytest.raises(ValueError, match=r"Digraph.pipe: unknown format 'svgz; rm -rf'"):
        dot.pipe(format="svgz; rm -rf")
    with pytest.raises(ValueError, match=r"unknown engine 'ls'"):
        dot.pipe(engine="ls")
    with pytest.raises(ValueError, match=r"unknown format 42"):
        dot.pipe(format=42)
    with pytest.raises(ValueError, match=r"formatter 'cairo' needs a renderer"):
        dot.pipe(formatter="cairo")
    with pytest.raises(ValueError, match=r"Digraph.render: unknown format '-o/etc/passwd'"):
        dot.render("x", directory=no_system_dot, format="-o/etc/passwd")
    assert not os.path.exists(no_system_dot / "x")      # refused before writing anything
    assert b"<svg" in dot.pipe(format="SVG")            # graphviz's names are case-insensitive
    assert b"<svg" in dot.pipe(engine="neato")          # another layout engine, via -K


def _backslash_label(dot):
    with pytest.warns(graphviz.DotSyntaxWarning):       # graphviz's own quoting breaks it
        dot.node("a", label="ends in a backslash\\")


BAD_GRAPHS = {
    "label ending in a backslash": _backslash_label,
    "NUL in a label": lambda dot: dot.node("a", label="x\x00y"),
    "not DOT": lambda dot: dot.body.append("\t} this is not DOT {{\n"),
    "edge to nothing": lambda dot: dot.body.append("\ta ->\n"),
}


@pytest.mark.parametrize("spoil", BAD_GRAPHS.values(), ids=BAD_GRAPHS.keys())
def test_a_graph_dot_refuses_is_a_clear_error_and_writes_nothing(no_system_dot, spoil):
    tmp = no_system_dot
    dot = Digraph(format="svg")
    dot.node("ok")
    spoil(dot)
    old = b"an earlier picture"
    (tmp / "bad.svg").write_bytes(old)
    for call in (lambda: dot.pipe(), lambda: dot.render("bad", directory=tmp),
                 lambda: dot._repr_mimebundle_()):
        with pytest.raises(RenderError) as info:
            call()
        message = str(info.value)
        assert "could not draw this graph as svg" in message and "exit status" in message
        assert "syntax error" in message                # dot's own words
        assert not isinstance(info.value, subprocess.CalledProcessError)
    assert (tmp / "bad.svg").read_bytes() == old        # the old picture is untouched
    assert not os.path.exists(tmp / "bad")              # and no source was written


def _fake_dot(folder, script: str):
    folder.mkdir(exist_ok=True)
    fake = folder / "dot"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    return fake


def test_dot_messages_failures_and_unrunnable_programs(no_system_dot, monkeypatch, capfd):
    tmp = no_system_dot
    real = graph.dot_executable()
    bin_ = tmp / "bin"
    monkeypatch.setenv("PATH", str(bin_))
    dot = karpathy_draw_dot(Value(1.0, "a") * 2.0)
    # warnings on stderr with exit status 0: passed on, unless quiet
    _fake_dot(bin_, f'echo "Warning: something odd" >&2\nexec "{real}" "$@"\n')
    capfd.readouterr()
    assert b"<svg" in dot.pipe()
    assert "Warning: something odd" in capfd.readouterr().err
    assert b"<svg" in dot.pipe(quiet=True)
    assert "something odd" not in capfd.readouterr().err
    # dot's note that it guessed a non-ASCII glyph's width (σ without font tables) is dropped;
    # any other warning beside it still shows
    _fake_dot(bin_, 'echo "Warning: Warning: no value for width of non-ASCII character 207. '
                    'Falling back to width of space character" >&2\n'
                    f'echo "Warning: also odd" >&2\nexec "{real}" "$@"\n')
    assert b"<svg" in dot.pipe()
    assert capfd.readouterr().err.strip() == "Warning: also odd"
    # a failure: its message, however it ends, inside one clear error
    _fake_dot(bin_, 'echo "Error: <stdin>: syntax error in line 3" >&2\nexit 3\n')
    with pytest.raises(RenderError, match=r"dot could not draw .* \(exit status 3\): "
                                          r"Error: <stdin>: syntax error in line 3"):
        dot.pipe()
    _fake_dot(bin_, 'kill -9 $$\n')
    with pytest.raises(RenderError, match=r"exit status -9\): no message"):
        dot.pipe()
    # a program that cannot start at all
    _fake_dot(bin_, "").write_text("#!/nonexistent/interpreter\n")
    with pytest.raises(GraphvizNotFound, match="cannot run"):
        dot.pipe()


def test_no_renderer_is_one_clear_error_everywhere(no_system_dot, monkeypatch):
    import sysconfig
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(no_system_dot / "empty-path"))
    monkeypatch.setattr(sys, "executable", str(no_system_dot / "empty-path" / "python"))
    dot = karpathy_draw_dot(Value(1.0, "a") * 2.0)
    for call in (dot.pipe, dot._repr_mimebundle_, dot._repr_svg_,
                 lambda: dot.render("r", directory=no_system_dot)):
        with pytest.raises(GraphvizNotFound, match=r"pip install graphviz-pure"):
            call()
    assert not os.path.exists(no_system_dot / "r")
    assert "digraph" in dot.source                       # the source needs no renderer


def test_importing_micrograd_does_not_import_graphviz():
    code = ("import sys, micrograd, micrograd.graph\n"
            "assert 'graphviz' not in sys.modules, 'import micrograd imported graphviz'\n"
            "from micrograd.graph import Digraph\n"
            "assert 'graphviz' in sys.modules and Digraph.__name__ == 'Digraph'\n"
            "import micrograd.graph as g\n"
            "try:\n    g.NoSuchThing\nexcept AttributeError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "has no attribute 'NoSuchThing'" in done.stdout


def test_nothing_private_of_graphviz_is_used():
    # the rule structure-check enforces, read from the source: no graphviz.<submodule> import
    src = open(graph.__file__, encoding="utf-8").read()
    assert "graphviz." + "backend" not in src
    assert "from graphviz." not in src and "import graphviz." not in src
    for name in ("FORMATS", "ENGINES", "RENDERERS", "FORMATTERS", "nohtml", "Digraph",
                 "FileExistsError"):
        assert name in graphviz.__all__, name           # what graph.py uses is graphviz's API
