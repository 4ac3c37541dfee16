"""micrograd.to_html, read without a browser: the data the page embeds, replayed here, is
backward_steps' state at every step; the page loads nothing and escapes every label; the
drawing is draw_dot's, with every node and edge found; errors are clear.

The graph builders and `expected_states` are shared with test_explorer_browser.py."""
import html
import json
import re
import subprocess
import sys

import pytest

pytest.importorskip("graphviz")

import micrograd  # noqa: E402
from micrograd import Value, backward_order, backward_steps, explain, to_html  # noqa: E402
from micrograd import explorer as explorer_module  # noqa: E402
from micrograd.graph import HIGHLIGHT, GraphTooLarge  # noqa: E402
from micrograd.names import format_number  # noqa: E402


# --- graphs: each builder makes a fresh, identical graph on every call --------------------------

def tanh_neuron():
    """The CLI's example: grad "tanh(w*x + b)" w=-1 x=0.5 b=0.3."""
    w, x, b = Value(-1.0, "w"), Value(0.5, "x"), Value(0.3, "b")
    return (w * x + b).tanh()


def used_twice():
    x = Value(3.0, "x")
    return x * x + x


def divided_by_itself():
    """a / a: two edges between the same nodes, with different local derivatives."""
    a = Value(3.0, "a")
    return a / a


def mlp_loss():
    nn = pytest.importorskip("nn")
    model = nn.MLP(2, [3, 1], activation="tanh", seed=3)
    (out,) = model([0.5, -1.0])
    loss = nn.mse(out, 1.0)
    loss.label = "loss"
    return loss


def leaf_root():
    return Value(2.0, "x")


GRAPHS = {"tanh(w*x + b)": tanh_neuron, "x*x + x": used_twice, "a/a": divided_by_itself,
          "MLP(2, [3, 1]) with mse": mlp_loss, "a leaf": leaf_root}


def expected_states(root):
    """data-grad of every node (in backward_order) at steps 0, 1, ...: repr of its .grad as
    backward_steps leaves it, "" while no processed consumer has sent to it (the root: 1)."""
    order = backward_order(root)
    reached = {root}
    states = [["1.0" if n is root else "" for n in order]]
    for step in backward_steps(root):
        reached.update(c.child for c in step.contributions)
        states.append([repr(n.grad) if n in reached else "" for n in order])
    return states


def page_data(page_html: str) -> dict:
    """The JSON the page embeds."""
    m = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', page_html,
                  re.S)
    return json.loads(m.group(1))


def replay(data: dict, k: int) -> list[str]:
    """What the page's script shows as data-grad after k steps, rebuilt the same way."""
    grads = [""] * len(data["nodes"])
    grads[data["root"]] = data["rootGrad"]
    for step in data["steps"][:k]:
        grads[step["node"]] = step["grad"]
        for send in step["sends"]:
            grads[send["to"]] = send["grad"]
    return grads


def svg_groups(page_html: str) -> dict[str, str]:
    """id of each node and edge <g> in the page -> its <title>."""
    return {i: html.unescape(t) for i, t in
            re.findall(r'<g id="([^"]+)" class="(?:node|edge)">\s*<title>([^<]*)</title>',
                       page_html)}


# --- the embedded data is backward_steps, step by step ------------------------------------------

@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_replayed_data_is_backward_steps_state_at_every_step(build):
    root = build()
    data = page_data(to_html(root).html())
    states = expected_states(root)              # on the same graph, after the page is made
    assert len(data["steps"]) == len(states) - 1 == len(backward_order(root))
    for k, state in enumerate(states):
        assert replay(data, k) == state, f"step {k}"
    assert all(g != "" for g in states[-1])     # at the end every node has been reached


@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_each_step_is_the_node_backward_steps_takes_with_its_numbers(build):
    root = build()
    order = backward_order(root)
    data = page_data(to_html(root).html())
    for record, step in zip(data["steps"], backward_steps(root), strict=True):
        assert order[record["node"]] is step.node
        assert record["grad"] == repr(step.grad)
        assert record["text"] == format_number(step.grad)
        assert [(order[s["to"]], s["local"], s["amount"]) for s in record["sends"]] == \
            [(c.child, format_number(c.local), format_number(c.amount))
             for c in step.contributions]


def test_the_cli_example_reads_as_the_chain_rule():
    data = page_data(to_html(tanh_neuron()).html())
    first = data["steps"][0]
    assert data["nodes"][first["node"]]["label"] == "f"
    (send,) = first["sends"]
    assert data["nodes"][send["to"]]["label"] == "w*x + b"
    assert (send["local"], first["text"], send["amount"]) == ("0.9610", "1.0000", "0.9610")
    labels = {n["label"] for n in data["nodes"]}
    assert {"w", "x", "b", "w*x", "w*x + b", "f"} == labels


def test_the_page_neither_reads_nor_writes_grad():
    root = tanh_neuron()
    order = backward_order(root)
    for i, node in enumerate(order):
        node.grad = 10.0 + i                    # e.g. left by earlier backward() calls
    data = page_data(to_html(root).html())
    assert [n.grad for n in order] == [10.0 + i for i in range(len(order))]
    assert replay(data, len(order)) == expected_states(tanh_neuron())[-1]


def test_digits_set_the_decimals_shown():
    root = tanh_neuron()
    data = page_data(to_html(root, digits=2).html())
    assert data["steps"][0]["sends"][0]["local"] == "0.96"
    w = data["nodes"].index(next(n for n in data["nodes"] if n["label"] == "w"))
    assert data["explanations"][w] == str(explain(root, "w", digits=2))
    assert "0.48\n" in data["explanations"][w]


# --- the drawing: draw_dot's SVG, every node and edge found -------------------------------------

@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_every_node_and_edge_is_found_in_the_drawing(build):
    root = build()
    order = backward_order(root)
    text = to_html(root).html()
    data, groups = page_data(text), svg_groups(text)
    for i, node in enumerate(data["nodes"]):
        assert groups[node["svg"]] == f"v{i}"
        if order[i].children:
            assert groups[node["op"]] == f"v{i}op"
            assert groups[node["out"]] == f"v{i}op->v{i}"
    edges = [s["edge"] for step in data["steps"] for s in step["sends"]]
    assert len(set(edges)) == len(edges) == sum(len(n.children) for n in order)
    for step in data["steps"]:
        for s in step["sends"]:
            assert groups[s["edge"]] == f"v{s['to']}->v{step['node']}op"


def test_an_operand_used_twice_has_each_edge_with_its_own_local_derivative():
    text = to_html(divided_by_itself()).html()
    (first, *_) = page_data(text)["steps"]
    labels = []
    for send in first["sends"]:                 # d(a/a)/da = 1/a, then -out/a
        group = re.search(rf'<g id="{send["edge"]}" class="edge">.*?</g>\n</g>', text, re.S)
        labels.append(html.unescape(re.findall(r">([^<>]*)</text>", group.group(0))[-1]))
    assert labels == ["\u00a00.3333", "\u00a0-0.3333"]      # drawn after a no-break space
    assert [s["local"] for s in first["sends"]] == ["0.3333", "-0.3333"]


def test_params_and_highlight_reach_the_drawing():
    root = tanh_neuron()
    text = to_html(root, highlight="w", params=[]).html()
    assert HIGHLIGHT in text
    assert HIGHLIGHT not in to_html(root).html()
    w = next(n for n in backward_order(root) if n.label == "w")
    assert to_html(root, highlight=w).html().count(HIGHLIGHT) == text.count(HIGHLIGHT)


# --- explanations --------------------------------------------------------------------------------

@pytest.mark.parametrize("build", GRAPHS.values(), ids=GRAPHS.keys())
def test_each_explanation_is_explain_text(build):
    root = build()
    data = page_data(to_html(root).html())
    order = backward_order(root)
    assert len(data["explanations"]) == len(order)
    for node, text in zip(order, data["explanations"]):
        assert text == str(explain(root, node))


def wide_sum(n):
    """sum of n products of labelled leaves: 4n - 1 value nodes, the inner ones unlabelled."""
    terms = [Value(i / n, f"w{i}") * Value(1.0 - i / n, f"x{i}") for i in range(n)]
    return sum(terms[1:], terms[0])


def test_big_graphs_explain_the_root_the_labelled_nodes_and_the_leaves():
    root = wide_sum(80)                         # 319 value nodes, more than EXPLAIN_ALL
    order = backward_order(root)
    assert len(order) > explorer_module.EXPLAIN_ALL
    data = page_data(to_html(root).html())
    for node, text in zip(order, data["explanations"]):
        if node is root or node.label or not node.children:
            assert text == str(explain(root, node))
        else:
            assert text is None
    assert to_html(root).explained == sum(1 for n in order if n is root or not n.children)


def test_explanations_stop_at_the_size_budget(monkeypatch):
    root = tanh_neuron()
    full = [str(explain(root, n)) for n in backward_order(root)]
    monkeypatch.setattr(explorer_module, "EXPLAIN_CHARS", len(full[0]) + len(full[1]))
    data = page_data(to_html(root).html())
    assert data["explanations"] == full[:2] + [None] * (len(full) - 2)


# --- a self-contained, escaped page -------------------------------------------------------------

def test_the_page_loads_nothing_from_anywhere():
    text = to_html(mlp_loss()).html()
    assert not re.search(r"https?://", text)
    assert not re.search(r"\b(src|href)\s*=", text, re.I)       # not even a local file
    assert "default-src 'none'" in text
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text


HOSTILE = ["</script><script>alert(1)</script>", 'say "hi"', "a & b", "it's", "<b>x</b>",
           "&lt;not an entity"]


def test_every_label_is_escaped():
    leaves = [Value(1.0 + i, label) for i, label in enumerate(HOSTILE)]
    root = sum(leaves[1:], leaves[0])
    root.label = "<img src=x onerror=alert(1)>"
    page = to_html(root, title="<i>title</i> & more")
    text = page.html()
    assert text.count("</script>") == 2         # the data script and the page script only
    assert "<script><" not in text and "<img" not in text and "<b>" not in text
    assert "<title>&lt;i&gt;title&lt;/i&gt; &amp; more</title>" in text
    labels = {n["label"] for n in page_data(text)["nodes"]}
    assert set(HOSTILE) | {root.label} <= labels            # read back exactly
    body = text[:text.index('<script id="page-data"')]
    drawn = {html.unescape(t) for t in re.findall(r">([^<>]*)</text>", body)}
    assert set(HOSTILE) <= drawn                # drawn in the SVG as escaped text


def test_jupyter_shows_it_in_a_sandboxed_iframe():
    page = to_html(tanh_neuron())
    frame = page._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame).group(1)
    assert html.unescape(srcdoc) == page.html()
    assert isinstance(page, micrograd.page.Page) and repr(page).startswith("<Explorer ")


def test_saving_is_atomic_and_to_html_saves_when_given_a_path(tmp_path, monkeypatch):
    written = []
    real = micrograd.page.atomic_write
    monkeypatch.setattr(micrograd.page, "atomic_write",
                        lambda path, data: written.append(path) or real(path, data))
    page = to_html(tanh_neuron(), tmp_path / "f.html")
    assert written == [tmp_path / "f.html"]
    assert (tmp_path / "f.html").read_text(encoding="utf-8") == page.html()
    assert page.save(tmp_path / "g.html") == str(tmp_path / "g.html")
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["f.html", "g.html"]


# --- errors ---------------------------------------------------------------------------------------

def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="to_html: root must be a Value, got float"):
        to_html(1.5)


def test_a_graph_over_max_nodes_is_refused_before_any_drawing():
    root = wide_sum(200)                        # 799 value nodes
    with pytest.raises(GraphTooLarge, match=r"to_html: .* 799 value nodes, more than "
                                            r"max_nodes=500"):
        to_html(root)
    with pytest.raises(GraphTooLarge, match="max_nodes=5;"):
        to_html(tanh_neuron(), max_nodes=5)
    assert len(page_data(to_html(tanh_neuron(), max_nodes=6).html())["steps"]) == 6


@pytest.mark.parametrize("highlight, message", [
    ("nope", r"to_html: no node labelled 'nope' in this graph \(labels: b, w, x\)"),
    (Value(1.0, "stranger"), "to_html: highlight must be a node of root's graph"),
    (3, "to_html: highlight must be a node of root's graph or its label, got 3"),
])
def test_a_bad_highlight_is_a_clear_error(highlight, message):
    with pytest.raises(ValueError, match=message):
        to_html(tanh_neuron(), highlight=highlight)


@pytest.mark.parametrize("kwargs, message", [
    ({"digits": -1}, "digits must be an integer from 0 to 15"),
    ({"digits": True}, "digits must be an integer"),
    ({"max_nodes": 0}, "max_nodes must be a positive integer or None"),
    ({"max_nodes": 2.5}, "max_nodes must be a positive integer or None"),
])
def test_bad_arguments_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        to_html(tanh_neuron(), **kwargs)


def test_importing_micrograd_still_does_not_import_graphviz():
    code = ("import sys, micrograd, micrograd.explorer\n"
            "assert micrograd.to_html is micrograd.explorer.to_html\n"
            "assert 'to_html' in micrograd.__all__\n"
            "assert 'graphviz' not in sys.modules, 'import micrograd imported graphviz'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
