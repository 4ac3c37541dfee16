"""draw_dot: graph source (labels, numbers, edge derivatives, kinds, clusters, highlight, limits)
and real SVG/PNG rendering through graphviz-pure with no system `dot` on PATH."""
import os
import re
import shutil
import sys
import sysconfig

import pytest

pytest.importorskip("graphviz")

from micrograd import Value, backward_order, draw_dot  # noqa: E402
from micrograd import graph  # noqa: E402


def neuron():
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    out.backward()
    return out, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n)


def test_value_nodes_show_label_data_grad():
    out, v = neuron()
    src = draw_dot(out).source
    assert '"{ out | data 0.7071 | grad 1.0000 }"' in src
    assert '"{ n | data 0.8814 | grad 0.5000 }"' in src
    assert '"{ w1 | data -3.0000 | grad 1.0000 }"' in src
    assert '"{ x1 | data 2.0000 | grad -1.5000 }"' in src
    assert '"{ n | data 0.88 | grad 0.50 }"' in draw_dot(out, digits=2).source


def test_op_nodes_and_edge_labels_come_from_the_op_table():
    a, b = Value(0.5, "a"), Value(-2.0, "b")
    f = (a * b).sigmoid()
    f.label = "f"
    src = draw_dot(f).source
    assert 'label="σ"' in src and 'label="*"' in src
    # d(a*b)/da = b = -2, d(a*b)/db = a = 0.5, d sigmoid = out (1 - out)
    # each edge label starts with a no-break space (so a thick edge hides none of it)
    assert 'v2 -> v1op [label="\u00a0-2.0000" labeltooltip="out = a * b; d out/da = b"' in src
    assert 'v3 -> v1op [label="\u00a00.5000" labeltooltip="out = a * b; d out/db = a"' in src
    s = f.data
    assert f'label="\u00a0{s * (1 - s):.4f}"' in src
    assert 'tooltip="out = 1 / (1 + e**-a); d out/da = out * (1 - out)"' in src
    # a*a: two edges from a, each labelled
    sq = a * a
    assert draw_dot(sq).source.count('-> v0op [label="\u00a00.5000"') == 2


def test_edge_labels_match_stored_local_grads():
    out, _ = neuron()
    src = draw_dot(out).source
    order = backward_order(out)
    for i, node in enumerate(order):
        for child, local in zip(node.children, node.local_grads):
            j = order.index(child)
            assert f'v{j} -> v{i}op [label="\u00a0{local:.4f}"' in src


def test_kinds_are_coloured_apart():
    out, v = neuron()
    c = out * 2.0
    c.label = "c"
    src = draw_dot(c, params=[v["w1"], v["w2"], v["b"]]).source
    line = lambda label: next(l for l in src.splitlines() if f"{{ {label} |" in l)  # noqa
    assert graph.STYLES["root"]["fillcolor"] in line("c")
    assert graph.STYLES["param"]["fillcolor"] in line("w1")
    assert graph.STYLES["param"]["fillcolor"] in line("b")
    assert graph.STYLES["input"]["fillcolor"] in line("x1")
    assert graph.STYLES["inner"]["fillcolor"] in line("n")
    (const,) = [l for l in src.splitlines() if "shape=box" in l]     # the 2.0 of out * 2.0
    assert graph.STYLES["const"]["fillcolor"] in const
    assert "label=2 " in const and "grad" not in const and "data" not in const


def test_record_special_characters_are_escaped():
    a = Value(1.0, "a{|}<b>")
    src = draw_dot(a * 2.0).source
    assert r"a\{\|\}\<b\>" in src


def test_scopes_from_dotted_names():
    assert graph.scope_of_label("layers.0.neurons.1.w.0") == "layers.0.neurons.1"
    assert graph.scope_of_label("layers.0.neurons.1.b") == "layers.0.neurons.1"
    assert graph.scope_of_label("neurons.3.w.12") == "neurons.3"
    assert graph.scope_of_label("w.0") is None and graph.scope_of_label("w7") is None
    # only identifiers and numbers joined by dots are module paths
    for label in ("0.5*x", "a.<b>.w.0", "x.", ".w", "layers.0.neurons.1 .w", "d(x)/dy.z"):
        assert graph.scope_of_label(label) is None, label
    assert graph.scope_levels("layers.0.neurons.1") == ["layers.0", "layers.0.neurons.1"]


def small_mlp():
    """2 inputs -> 2 tanh neurons -> 1 tanh neuron, parameters named as nn names them."""
    x = [Value(0.5, "x0"), Value(-1.0, "x1")]
    hidden = []
    for j in range(2):
        act = Value(0.1, f"layers.0.neurons.{j}.b")
        for k in range(2):
            act = act + Value(0.3 * (j + 1) - 0.2 * k, f"layers.0.neurons.{j}.w.{k}") * x[k]
        hidden.append(act.tanh())
    act = Value(-0.2, "layers.1.neurons.0.b")
    for k in range(2):
        act = act + Value(0.7 - k, f"layers.1.neurons.0.w.{k}") * hidden[k]
    y = act.tanh()
    loss = (y - Value(1.0, "target")) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, hidden, y


def _cluster_of(src: str, node_label: str) -> list[str]:
    """The cluster labels enclosing the node whose record starts with node_label (or, for a
    parameter, whose tooltip names it)."""
    stack = []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("subgraph cluster_"):
            stack.append(None)
        elif stack and stack[-1] is None and s.startswith("color="):   # the cluster's attributes
            stack[-1] = re.search(r'label=("[^"]*"|\S+)', s).group(1).strip('"')
        elif s == "}" and stack:
            stack.pop()
        elif f"{{ {node_label} |" in s or f'tooltip="parameter {node_label}"' in s:
            return [c for c in stack]
    raise AssertionError(f"{node_label} not drawn")


def test_clusters_group_each_neuron_inside_its_layer():
    loss, hidden, y = small_mlp()
    hidden[0].label, hidden[1].label, y.label = "h0", "h1", "y"
    src = draw_dot(loss).source
    assert src.count("subgraph cluster_") == 5          # 2 layers, 3 neurons
    assert _cluster_of(src, "layers.0.neurons.1.w.0") == ["layers.0", "neurons.1"]
    assert _cluster_of(src, "h0") == ["layers.0", "neurons.0"]      # the activation too
    assert _cluster_of(src, "y") == ["layers.1", "neurons.0"]
    assert _cluster_of(src, "loss") == []
    assert _cluster_of(src, "x0") == [] and _cluster_of(src, "target") == []
    assert "subgraph cluster_" not in draw_dot(loss, cluster=False).source


def test_clusters_with_the_real_nn_package():
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [3, 1], activation="tanh")
    (out,) = model([0.5, -1.0])
    out.label = "y"
    src = draw_dot(out).source
    assert _cluster_of(src, "layers.0.neurons.2.w.1") == ["layers.0", "neurons.2"]
    assert _cluster_of(src, "y") == ["layers.1", "neurons.0"]


def test_cluster_rule_can_be_replaced():
    loss, hidden, y = small_mlp()
    src = draw_dot(loss, cluster=lambda n: "inputs" if n.label.startswith("x") else None).source
    assert src.count("subgraph cluster_") == 1
    assert _cluster_of(src, "x1") == ["inputs"]


def test_highlight_marks_every_path_to_the_root():
    a, b, c = Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "c")
    p = a * b
    p.label = "p"
    q = a + c
    q.label = "q"
    f = p * q
    f.label = "f"
    src = draw_dot(f, highlight="a").source
    red = [l for l in src.splitlines() if graph.HIGHLIGHT in l and "label=\"{" in l]  # noqa
    drawn = {l.split("{ ")[1].split(" |")[0] for l in red}
    assert drawn == {"a", "p", "q", "f"}                 # both paths from a, not b or c
    assert draw_dot(f, highlight=b).source.count(graph.HIGHLIGHT) < src.count(graph.HIGHLIGHT)
    with pytest.raises(ValueError, match="no node labelled 'zz'"):
        draw_dot(f, highlight="zz")


def test_large_graphs_are_refused_with_a_clear_message():
    x = Value(0.5, "x")
    for _ in range(200):
        x = (x * 0.9).tanh()                            # 3 nodes a round: 0.9, *, tanh
    with pytest.raises(graph.GraphTooLarge, match=r"has 601 value nodes, more than max_nodes=500"):
        draw_dot(x)
    assert "v600" in draw_dot(x, max_nodes=None).source
    assert "v600" in draw_dot(x, max_nodes=601).source


# --- rendering ------------------------------------------------------------------------------

@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """PATH without any Graphviz: only graphviz-pure in this Python's scripts folder is left."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None and shutil.which("graphviz-pure") is None
    return tmp_path


def test_renders_svg_and_png_with_graphviz_pure_only(no_system_dot):
    exe = graph.dot_executable()
    if exe is None:
        pytest.fail("graphviz-pure is not installed next to this Python")
    assert os.path.basename(exe).startswith("graphviz-pure")
    assert os.path.dirname(exe) in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable))
    out, _ = neuron()
    dot = draw_dot(out)
    svg = dot.pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "data 0.7071" in svg
    png = dot.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    bundle = dot._repr_mimebundle_()                   # what Jupyter displays
    assert "<svg" in bundle["image/svg+xml"]
    path = dot.render(outfile=no_system_dot / "n.svg")
    assert open(path).read().count("<svg") == 1
    written = graph.write_graph(dot, no_system_dot / "n.png")
    assert open(written, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in no_system_dot.iterdir()) == ["empty-path", "n.gv", "n.png", "n.svg"]


def test_system_dot_is_preferred_when_present(no_system_dot, monkeypatch):
    real = graph.dot_executable()
    fake_bin = no_system_dot / "bin"
    fake_bin.mkdir()
    marker = no_system_dot / "called"
    fake = fake_bin / "dot"
    fake.write_text(f'#!/bin/sh\necho "$@" > "{marker}"\nexec "{real}" "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake_bin))
    assert graph.dot_executable() == str(fake)
    out, _ = neuron()
    assert b"<svg" in draw_dot(out).pipe(format="svg")
    assert "-Tsvg" in marker.read_text()


def test_no_renderer_at_all_is_a_clear_error(no_system_dot, monkeypatch):
    import sysconfig
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(no_system_dot / "empty-path"))
    monkeypatch.setattr(sys, "executable", str(no_system_dot / "empty-path" / "python"))
    assert graph.dot_executable() is None
    out, _ = neuron()
    dot = draw_dot(out)
    assert "digraph" in dot.source                      # the source needs no renderer
    with pytest.raises(graph.GraphvizNotFound, match="pip install graphviz-pure"):
        dot.pipe(format="svg")


def test_write_graph_source_and_bad_suffix(tmp_path):
    out, _ = neuron()
    path = graph.write_graph(draw_dot(out), tmp_path / "g.gv")
    assert open(path).read().startswith("digraph")
    with pytest.raises(ValueError, match="use .svg, .png, .gv or .dot"):
        graph.write_graph(draw_dot(out), tmp_path / "g.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gv"]   # no temporary files left
