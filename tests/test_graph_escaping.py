"""No label can change a drawing: draw_dot escapes every label in every place it writes one
(record fields, tooltips, cluster titles, edge labels, op nodes). Each hostile label is rendered
to SVG for real (graphviz-pure, no system dot) and the SVG is parsed: it must be well-formed,
show the label's text, and hold exactly the nodes, edges and clusters of the graph, with no link
(href, URL) anywhere. A label that cannot be drawn at all is a clear ValueError."""
import re
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("graphviz")

from micrograd import Value, draw_dot  # noqa: E402
from micrograd import graph  # noqa: E402
from test_graph import no_system_dot  # noqa: E402,F401  (a fixture)

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

HOSTILE = {
    "double quote": 'say "hi"',
    "lone quote": '"',
    "escaped quote": 'a\\"b',
    "record syntax": "a{b}|c<port>",
    "html tags": "<b>bold</b>",
    "html label": "<<html>>",
    "html link": '<<a href="javascript:alert(1)">x</a>>',
    "DOT statements": "]; evil -> x [",
    "quote break-out": '"]; v0 -> v1 [label="pwned',
    "newlines": "line one\nline two\r\nline three",
    "backslash at the end": "ends in a backslash\\",
    "lone backslash": "\\",
    "escString codes": "\\N \\G \\L \\n \\l",
    "javascript url": "javascript:alert(1)",
    "SVG markup": "</text><script>alert(1)</script>",
    "entities": "&amp; &lt; &#60;",
    "DOT keyword node": "node",
    "DOT keyword subgraph": "subgraph",
    "DOT keyword strict": "strict",
    "cluster name": "cluster_1",
    "edge operators": "-- -> {}",
    "unicode": "π ≈ 3.14 ∂L/∂w 日本語 😀",
    "very long": "long " * 200,
}


def normal(text: str) -> str:
    """Whitespace as Graphviz draws it: runs of spaces (and line breaks) are one space."""
    return " ".join(text.replace("\xa0", " ").split())


def parse(svg: str):
    """(all drawn text, every xlink:title, the SVG root) of a well-formed SVG."""
    root = ET.fromstring(svg)                       # raises on anything not well-formed XML
    texts = [normal("".join(t.itertext())) for t in root.iter(f"{SVG}text")]
    titles = [normal(e.get(f"{XLINK}title")) for e in root.iter() if e.get(f"{XLINK}title")]
    return texts, titles, root


def check_structure(root, nodes: int, edges: int, clusters: int) -> None:
    """Exactly the graph's elements, and no link of any kind."""
    kinds = [g.get("class") for g in root.iter(f"{SVG}g")]
    assert kinds.count("node") == nodes
    assert kinds.count("edge") == edges
    assert kinds.count("cluster") == clusters
    for e in root.iter():
        assert e.tag not in (f"{SVG}script", f"{SVG}foreignObject", f"{SVG}image"), e.tag
        for key, value in e.attrib.items():
            assert "href" not in key.lower() and key.lower() not in ("url", "target"), key
            if key != f"{XLINK}title":
                assert "javascript" not in value.lower(), (key, value)


def drawn(texts: list[str], label: str, short: bool = True) -> bool:
    """Whether the SVG's texts show label (cut to LABEL_CHARS with '…' where records cut it):
    as one text, or line by line."""
    label = graph._short(label) if short else label
    lines = [normal(line) for line in label.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return any(texts[i:i + len(lines)] == lines for i in range(len(texts)))


def tip(text: str) -> str:
    """A tooltip as the SVG holds it: backslashes shown as ⧵ (see graph._tip)."""
    return normal(text.replace("\\", "\u29f5"))


@pytest.mark.parametrize("label", HOSTILE.values(), ids=HOSTILE.keys())
def test_node_labels_and_tooltips(label, no_system_dot):
    x = Value(1.5, label)                               # an input: its record's first field
    p = Value(-2.0, label + " (weight)")                # a parameter: record and tooltip
    f = x * p
    f.label = label + "!"                               # an inner node
    f.backward()
    dot = draw_dot(f, params=[p])
    texts, titles, root = parse(dot.pipe(encoding="utf-8"))
    check_structure(root, nodes=4, edges=3, clusters=0)
    for text in (label, label + " (weight)", label + "!"):
        assert drawn(texts, text), (text, texts)
    assert tip(f"parameter {label} (weight)") in titles
    if len(label) > graph.LABEL_CHARS:                  # the whole label on hover
        assert tip(label) in titles
    assert "data 1.5000" in texts and "grad -2.0000" in texts   # the other fields intact


@pytest.mark.parametrize("label", HOSTILE.values(), ids=HOSTILE.keys())
def test_cluster_titles(label, no_system_dot):
    x, w = Value(1.5, "x"), Value(-2.0, "w")
    f = x * w + 1.0
    f.label = "f"
    dot = draw_dot(f, cluster=lambda n: label if n is x or n is w else None)
    texts, _, root = parse(dot.pipe(encoding="utf-8"))
    check_structure(root, nodes=7, edges=6, clusters=1)
    assert drawn(texts, label, short=False)


HOSTILE_PATHS = {
    # not module paths (not identifiers joined by dots): no cluster, the label drawn as it is
    "html in a part": ("layers.<b>0</b>.w.0", 0, None),
    "DOT in a part": ('layers.0"]; x -> y [.w.0', 0, None),
    "spaces": ("layers. 0.w.0", 0, None),
    "empty part": ("layers..w.0", 0, None),
    "a number first": ("0.5.w", 0, None),
    # module paths whose parts read as DOT keywords or are not ASCII: clusters, titled safely
    "DOT keywords": ("node.0.subgraph.w.0", 2, ("node.0", "subgraph")),
    "strict digraph": ("strict.digraph.w", 1, ("strict.digraph",)),
    "unicode": ("couche.0.neurone_é.w.0", 2, ("couche.0", "neurone_é")),
}


@pytest.mark.parametrize("label, n_clusters, titles", HOSTILE_PATHS.values(),
                         ids=HOSTILE_PATHS.keys())
def test_cluster_titles_from_dotted_names(label, n_clusters, titles, no_system_dot):
    w = Value(0.5, label)                               # a leaf with a dot: a parameter
    x = Value(2.0, "x")
    h = (w * x + 0.1).tanh()
    h.label = "h"
    dot = draw_dot(h)
    texts, tips, root = parse(dot.pipe(encoding="utf-8"))
    check_structure(root, nodes=9, edges=8, clusters=n_clusters)
    assert tip(f"parameter {label}") in tips            # the whole name on hover
    if titles is None:
        assert drawn(texts, label)                      # drawn as it is, outside any cluster
    else:
        assert all(t in texts for t in titles)
        assert "w.0" in texts or "w" in texts           # the name inside its module's box


@pytest.mark.parametrize("label", HOSTILE.values(), ids=HOSTILE.keys())
def test_edge_labels_and_op_nodes(label, no_system_dot, monkeypatch):
    # the numbers and the op table's texts are ours, but they are escaped like any label:
    # here every number, op symbol, formula and edge tooltip is the hostile text
    real_get = graph.ops.get

    class Hostile:
        def __init__(self, op):
            self.symbol, self.math = label, label

        def derivative(self, slot):
            return label

    monkeypatch.setattr(graph.ops, "get", lambda name: Hostile(real_get(name)))
    monkeypatch.setattr(graph, "format_number", lambda x, digits=4: label)
    a, b = Value(1.0, "a"), Value(2.0, "b")
    f = (a * b).tanh()
    f.label = "f"
    dot = draw_dot(f, step=1)                          # the current step's edge label too
    texts, tips, root = parse(dot.pipe(encoding="utf-8"))
    check_structure(root, nodes=6, edges=5, clusters=0)
    assert drawn(texts, label, short=False)             # the op nodes and edge labels
    assert tip(f"{label}; {label}") in tips             # the edges' tooltips
    assert tip(label) in tips                           # the op nodes' tooltips
    assert drawn(texts, f"{label} (sends {label})", short=False)   # the current step's edge
    assert drawn(texts, f"data {label}", short=False)   # a record's number fields


UNDRAWABLE = ["nul \x00 inside", "\x00", "bell \x07", "escape \x1b[31m", "vertical tab \x0b",
              "form feed \x0c", "lone surrogate \ud800", "not a character \uffff"]


@pytest.mark.parametrize("label", UNDRAWABLE)
def test_labels_that_cannot_be_drawn_are_a_clear_error(label):
    a = Value(1.0, label)
    f = a * 2.0
    with pytest.raises(ValueError, match=r"draw_dot: cannot draw the label .*: it holds the "
                                         r"character U\+[0-9A-F]{4}, which no SVG can hold"):
        draw_dot(f)
    ok = Value(1.0, "ok")
    with pytest.raises(ValueError, match=r"draw_dot: cannot draw the cluster name"):
        draw_dot(ok * 2.0, cluster=lambda n: label)
    assert a.label == label                             # nothing was changed


def test_cluster_names_must_be_strings():
    a = Value(1.0, "a")
    for bad in (3, b"bytes", ("a",)):
        with pytest.raises(TypeError, match=r"draw_dot: the cluster name must be a string"):
            draw_dot(a * 2.0, cluster=lambda n, bad=bad: bad)


def test_tabs_and_line_breaks_are_drawn_not_refused(no_system_dot):
    a = Value(1.0, "tab\there\nnext line\rand\r\nmore")
    f = a * 2.0
    texts, _, root = parse(draw_dot(f).pipe(encoding="utf-8"))
    check_structure(root, nodes=4, edges=3, clusters=0)
    joined = " ".join(texts)
    assert all(part in joined for part in ("tab", "here", "next line", "and", "more"))


def test_the_source_quotes_every_hostile_label():
    # the DOT text itself: each hostile label sits inside one quoted string, so the source has
    # exactly the graph's statements whatever the label
    for label in HOSTILE.values():
        a = Value(1.0, label)
        f = a * 2.0
        f.label = label
        src = draw_dot(f, cluster=lambda n: label if n is a else None).source
        statements = [line.strip() for line in src.splitlines()
                      if re.fullmatch(r"\s*(v\d+(op)?( -> v\d+(op)?)?( \[.*\])?|subgraph .*)",
                                      line)]
        assert len(statements) == 4 + 3 + 1, (label, statements)
        assert not re.search(r"=\s*<", src)              # never an HTML label (=<...>)
