"""The graph explorer: one HTML page that steps through backward node by node.

    page = to_html(loss)                  # in Jupyter: shown inline
    to_html(loss, "loss.html")            # also written to a file that opens from file://

The page is draw_dot's drawing (its SVG, as `draw_dot(root)` renders it) and a small script.
Buttons (and the arrow, Home and End keys) step the reverse pass forward and back, one step per
node in the order `backward_steps(root)` takes them: op nodes first, consumers before their
operands, then the leaves. Step 0 is before the pass: the root's gradient is 1 and nothing else
has been reached. At each step the current node and the edges it sends along are highlighted,
each edge captioned `local × upstream = contribution`; every value node shows its gradient so
far, and nodes no processed consumer has sent to yet are faded. Clicking a value node shows
`explain(root, node)` for it.

Every number is computed here and embedded as JSON (`page.embed_json`): the engine's reverse
pass records, per node, its gradient and its operands' running sums after it sent
(`engine.gradient_steps`), and the script rebuilds the state at step k from those records, so
the page grows with the number of edges, not steps x nodes. The page loads nothing (no server,
no CDN), and works from file:// and inside a sandboxed iframe (Jupyter).
"""
from __future__ import annotations

import html
import os
import re
from typing import Iterable

from .engine import Value, backward_order, gradient_steps
from .explain import explain
from .graph import draw_dot, refuse_if_too_large
from .names import Namer, d, find_node, format_number
from .page import Page

__all__ = ["to_html", "Explorer", "EXPLAIN_ALL", "EXPLAIN_CHARS"]

# explanations embedded: every node's up to EXPLAIN_ALL value nodes; in a bigger graph the
# root's, the labelled nodes' and the leaves'; never more than EXPLAIN_CHARS characters in all
EXPLAIN_ALL = 200
EXPLAIN_CHARS = 2_000_000

# one <g> per node and per edge in Graphviz's SVG (system dot and graphviz-pure alike)
_SVG_GROUP = re.compile(r'<g id="([^"]+)" class="(?:node|edge)">\s*<title>([^<]*)</title>')
# one edge statement per line of draw_dot's DOT source, in the order it made them
_DOT_EDGE = re.compile(r"^\s*(v\d+(?:op)?) -> (v\d+(?:op)?)[\s\[]", re.M)


class Explorer(Page):
    """The explorer page (`to_html`): .html(), .save(path), and shown inline in Jupyter."""

    def __init__(self, title: str, body: str, script: str, data: dict, style: str,
                 height: int):
        super().__init__(title, body, script, data, style=style, height=height)
        self.steps = len(data["steps"])                 # one per value node
        self.explained = sum(t is not None for t in data["explanations"])

    def __repr__(self) -> str:
        return (f"<Explorer {self.title!r}: {self.steps} steps, "
                f"{self.explained} explanations>")


def to_html(root: Value, path: str | os.PathLike | None = None, *,
            params: Iterable[Value] | None = None, highlight: Value | str | None = None,
            max_nodes: int | None = 500, digits: int = 4,
            title: str | None = None) -> Explorer:
    """The graph explorer page of root's backward pass; saved to path too, if given.

    params, highlight and max_nodes are draw_dot's (the drawing is draw_dot's): params says
    which leaves are parameters, highlight (a node or its label) draws its paths to the root
    in red, and a graph of more than max_nodes value nodes is GraphTooLarge (None: any size).
    digits: decimals shown for gradients, local derivatives and in explanations.

    Explanations: with at most EXPLAIN_ALL (200) value nodes, every node's; beyond that only
    the root's, the labelled nodes' and the leaves', so big pages stay fast and small. Each
    is exactly `str(explain(root, node, digits=digits))`, and they stop once EXPLAIN_CHARS
    characters are embedded; clicking a node without one says so.

    The page shows one pass from zero: d root/d node after each step, as backward_steps
    leaves .grad on a fresh graph (what leaves accumulated over earlier backward() calls is
    not added). No .grad is changed, and none of the page's numbers depends on one.
    """
    who = "to_html"
    if not isinstance(root, Value):
        raise TypeError(f"{who}: root must be a Value, got {type(root).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 15:
        raise ValueError(f"{who}: digits must be an integer from 0 to 15, got {digits!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"{who}: max_nodes must be a positive integer or None, "
                         f"got {max_nodes!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{who}: title must be a string, got {type(title).__name__}")
    order = backward_order(root)
    refuse_if_too_large(root, order, max_nodes, who, "page")
    index = {node: i for i, node in enumerate(order)}
    if isinstance(highlight, str):
        highlight = find_node(order, highlight, who)
    elif highlight is not None and (not isinstance(highlight, Value) or highlight not in index):
        raise ValueError(f"{who}: highlight must be a node of root's graph or its label, "
                         f"got {highlight!r:.80}")

    grads, records = gradient_steps(root)       # the engine's pass; no .grad touched
    dot = draw_dot(root, digits=digits, highlight=highlight, params=params, max_nodes=None)
    svg = dot.pipe(format="svg", encoding="utf-8")
    svg_ids = _svg_groups(svg)
    edge_ids = _edge_ids(dot.source, svg_ids)

    namer = Namer(order, root)
    fmt = lambda x: format_number(x, digits)        # noqa: E731
    nodes = []
    for i, node in enumerate(order):
        entry = {"svg": _first(svg_ids, f"v{i}"), "label": namer[node], "d": d(namer[node])}
        if node.children:
            entry["op"] = _first(svg_ids, f"v{i}op")
            entry["out"] = _next(edge_ids, f"v{i}op", f"v{i}")
        nodes.append(entry)
    steps = []
    for node, grad, sums in records:            # op nodes, consumers first
        i = index[node]
        sends = [{"to": index[child], "edge": _next(edge_ids, f"v{index[child]}", f"v{i}op"),
                  "local": fmt(local), "amount": fmt(local * grad),
                  "grad": repr(total), "text": fmt(total)}
                 for child, local, total in zip(node.children, node.local_grads, sums)]
        steps.append({"node": i, "grad": repr(grad), "text": fmt(grad), "sends": sends})
    for node, grad in grads.items():            # then the leaves: their gradients are final
        if not node.children:
            steps.append({"node": index[node], "grad": repr(grad), "text": fmt(grad),
                          "sends": []})

    explanations = _explanations(root, order, index, digits)
    root_name = namer[root]
    data = {"root": 0, "rootGrad": repr(1.0), "rootText": fmt(1.0), "rootD": d(root_name),
            "nodes": nodes, "steps": steps, "explanations": explanations,
            "explainAll": len(order) <= EXPLAIN_ALL}
    title = title if title is not None else f"Backward, step by step: {root_name}"
    definition = namer.defined.get(root_name)
    body = _body(title, f"{root_name} = {definition}" if definition else "", _inline(svg),
                 len(steps))
    explorer = Explorer(title, body, SCRIPT, data, STYLE, _height(svg))
    if path is not None:
        explorer.save(path)
    return explorer


# --- reading draw_dot's drawing -----------------------------------------------------------------

def _svg_groups(svg: str) -> dict[str, list[str]]:
    """Graphviz's <title> of each node and edge -> the ids of its <g> elements, in order."""
    found: dict[str, list[str]] = {}
    for svg_id, title in _SVG_GROUP.findall(svg):
        found.setdefault(html.unescape(title), []).append(html.unescape(svg_id))
    return found


def _edge_ids(source: str, svg_ids: dict[str, list[str]]) -> dict[str, list[str]]:
    """'v3->v1op' -> the SVG ids of that edge's <g>s, in the order draw_dot made the edges.

    Graphviz numbers edges as they were made (edge1, edge2, ...); an op that uses one operand
    twice (a / a) has two edges of the same title, told apart by that number.
    """
    out: dict[str, list[str]] = {}
    taken: set[str] = set()
    for n, (tail, head) in enumerate(_DOT_EDGE.findall(source), 1):
        title = f"{tail}->{head}"
        candidates = svg_ids.get(title, [])
        chosen = f"edge{n}" if f"edge{n}" in candidates and f"edge{n}" not in taken else \
            next((c for c in candidates if c not in taken), "")
        taken.add(chosen)
        out.setdefault(title, []).append(chosen)
    return out


def _first(svg_ids: dict[str, list[str]], title: str) -> str:
    return svg_ids.get(title, [""])[0]


def _next(edge_ids: dict[str, list[str]], tail: str, head: str) -> str:
    """The next unused SVG id of edge tail->head ("" if the drawing has none)."""
    ids = edge_ids.get(f"{tail}->{head}")
    return ids.pop(0) if ids else ""


def _inline(svg: str) -> str:
    """draw_dot's SVG as an element of the page: no XML prolog, doctype or comments, and no
    namespace declarations (HTML puts <svg> in its namespace itself), so no URL is left."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)
    end = svg.index(">")
    tag = re.sub(r'\s+xmlns(?::xlink)?="[^"]*"', "", svg[:end])
    return tag + ' role="img" aria-label="computation graph"' + svg[end:]


def _height(svg: str) -> int:
    """A height for the Jupyter iframe, in pixels: the drawing's, plus the controls, bounded."""
    m = re.search(r'<svg width="[\d.]+pt" height="([\d.]+)pt"', svg)
    drawing = float(m.group(1)) * 4 / 3 if m else 400
    return int(min(900, max(480, drawing + 320)))


# --- explanations -------------------------------------------------------------------------------

def _explanations(root: Value, order: list[Value], index: dict[Value, int],
                  digits: int) -> list[str | None]:
    """str(explain(root, node)) for the nodes the page holds one for (see to_html), else None."""
    if len(order) <= EXPLAIN_ALL:
        chosen = order
    else:
        chosen = [root] + [n for n in order if n is not root and n.label] + \
            [n for n in order if n is not root and not n.label and not n.children]
    texts: list[str | None] = [None] * len(order)
    used = 0
    for node in chosen:
        text = str(explain(root, node, digits=digits))
        used += len(text)
        if used > EXPLAIN_CHARS:
            break
        texts[index[node]] = text
    return texts


# --- the page -----------------------------------------------------------------------------------

def _body(title: str, definition: str, svg: str, steps: int) -> str:
    esc = html.escape
    return f"""<header class="mg-bar">
<h1>{esc(title)}</h1>
<span class="mg-def">{esc(definition)}</span>
<nav class="mg-controls" aria-label="step through backward">
<button type="button" data-testid="step-first" title="to the start (Home)">« first</button>
<button type="button" data-testid="step-prev" title="one step back (←)">‹ back</button>
<button type="button" data-testid="step-next" title="one step forward (→)">next ›</button>
<button type="button" data-testid="step-last" title="to the end (End)">last »</button>
<span class="mg-count">step <b data-testid="step-index">0</b> of {steps}</span>
<label class="mg-fit"><input type="checkbox" data-testid="fit" checked> fit to width</label>
</nav>
<div class="mg-caption" aria-live="polite"><p data-testid="step-caption"></p>
<ul class="mg-edges"></ul></div>
</header>
<noscript><p>Stepping needs JavaScript; the drawing below shows the graph as drawn.</p></noscript>
<main class="mg-graph mg-fitted" data-testid="graph">
{svg}
</main>
<section class="mg-explain">
<h2 data-testid="explain-title">Chain rule</h2>
<pre data-testid="explain-text">Click a value node to see its gradient by the chain rule.</pre>
</section>"""


STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
       color: #212121; background: #fff; }
.mg-bar { position: sticky; top: 0; z-index: 1; background: #fafafa;
          border-bottom: 1px solid #ddd; padding: 6px 12px; }
h1 { font-size: 15px; margin: 0 12px 4px 0; display: inline-block; }
.mg-def { font-family: ui-monospace, Menlo, Consolas, monospace; color: #555; }
.mg-controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
button { font: inherit; padding: 2px 10px; cursor: pointer; }
button:disabled { cursor: default; }
.mg-count { margin: 0 8px; }
.mg-fit { color: #555; }
.mg-caption { min-height: 2.8em; margin-top: 4px; }
.mg-caption p { margin: 0; }
.mg-edges { margin: 2px 0 0; padding-left: 20px; }
.mg-math { font-family: ui-monospace, Menlo, Consolas, monospace; color: #1565c0;
           font-weight: 600; }
.mg-graph { overflow: auto; padding: 8px 12px; }
.mg-graph:not(.mg-fitted) { max-height: 70vh; }
.mg-graph svg { display: block; }
.mg-fitted svg { max-width: 100%; height: auto; }
.mg-explain { border-top: 1px solid #ddd; padding: 6px 12px 12px; }
.mg-explain h2 { font-size: 14px; margin: 0 0 4px; }
.mg-explain pre { margin: 0; white-space: pre; overflow: auto; max-height: 45vh;
                  font: 13px/1.35 ui-monospace, Menlo, Consolas, monospace; }
g.mg-value { cursor: pointer; }
g.mg-value:focus { outline: none; }
g.mg-unreached, g.mg-pending { opacity: 0.3; }
g.mg-current polygon, g.mg-current ellipse { stroke: #1565c0; stroke-width: 3px; }
g.mg-sending path { stroke: #1565c0; stroke-width: 2.5px; }
g.mg-sending polygon { stroke: #1565c0; fill: #1565c0; }
g.mg-sending text { fill: #1565c0; font-weight: bold; paint-order: stroke; stroke: #fff;
                    stroke-width: 3px; }
g.mg-selected polygon { stroke: #6a1b9a; stroke-width: 3px; stroke-dasharray: 5 2; }
g.mg-value:focus-visible polygon { stroke: #6a1b9a; stroke-width: 3px; }
"""

# The page's script: it only displays the numbers Python embedded (see to_html). Label text
# reaches the page through textContent and setAttribute only, never as markup.
SCRIPT = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const nodes = data.nodes, steps = data.steps, total = steps.length;
  const byTestId = (id) => document.querySelector('[data-testid="' + id + '"]');
  const element = (id) => (id ? document.getElementById(id) : null);
  const buttons = { first: byTestId("step-first"), prev: byTestId("step-prev"),
                    next: byTestId("step-next"), last: byTestId("step-last") };
  const index = byTestId("step-index"), caption = byTestId("step-caption");
  const edgeList = document.querySelector(".mg-edges");
  const explainTitle = byTestId("explain-title"), explainText = byTestId("explain-text");
  const graph = byTestId("graph");

  // each value node's <g>, its "grad ..." text (constants have none), its op node and edges
  const groups = nodes.map((n) => element(n.svg));
  const gradTexts = groups.map((g) => {
    if (!g) return null;
    const texts = g.querySelectorAll("text");
    const last = texts[texts.length - 1];
    return last && last.textContent.startsWith("grad ") ? last : null;
  });
  const stepOf = new Array(nodes.length).fill(total + 1);   // the step that processes node i
  steps.forEach((s, k) => { stepOf[s.node] = k + 1; });
  const parts = nodes.map((n) => [element(n.op), element(n.out)]);   // op node, op -> node
  const edges = steps.map((s) => s.sends.map((e) => {
    // the edge's <g> and its label (the local derivative), to caption while it is used
    const g = element(e.edge), texts = g ? g.querySelectorAll("text") : [];
    const label = texts.length ? texts[texts.length - 1] : null;
    const original = label ? label.textContent : "";
    // the drawing's lead space (graph.EDGE_PAD) stays in front of the caption
    return { g: g, label: label, original: original, pad: original.match(/^\s*/)[0] };
  }));

  groups.forEach((g, i) => {
    if (!g) return;
    g.setAttribute("data-testid", "value-node");
    g.setAttribute("data-label", nodes[i].label);
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", nodes[i].label);
    g.classList.add("mg-value");
    g.addEventListener("click", () => select(i));
    g.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(i); }
    });
  });

  let current = 0, selected = -1;

  function show(k) {
    current = Math.max(0, Math.min(total, k));
    // the state after `current` steps: each record sets its node's and its operands' sums
    const grad = new Array(nodes.length).fill(""), text = new Array(nodes.length).fill("");
    grad[data.root] = data.rootGrad;
    text[data.root] = data.rootText;
    for (let s = 0; s < current; s++) {
      const step = steps[s];
      grad[step.node] = step.grad;
      text[step.node] = step.text;
      for (const e of step.sends) { grad[e.to] = e.grad; text[e.to] = e.text; }
    }
    const now = current > 0 ? steps[current - 1] : null;
    nodes.forEach((n, i) => {
      const g = groups[i], reached = grad[i] !== "";
      if (g) {
        g.setAttribute("data-grad", grad[i]);
        g.classList.toggle("mg-unreached", !reached);
        g.classList.toggle("mg-current", now !== null && now.node === i);
      }
      if (gradTexts[i]) gradTexts[i].textContent = "grad " + (reached ? text[i] : "\u2014");
      const [op, out] = parts[i];
      if (op) {
        op.classList.toggle("mg-pending", stepOf[i] > current);
        op.classList.toggle("mg-current", stepOf[i] === current);
      }
      if (out) out.classList.toggle("mg-pending", stepOf[i] > current);
    });
    steps.forEach((step, s) => {
      step.sends.forEach((e, slot) => {
        const edge = edges[s][slot];
        if (!edge.g) return;
        edge.g.classList.toggle("mg-pending", s + 1 > current);
        edge.g.classList.toggle("mg-sending", s + 1 === current);
        if (edge.label) edge.label.textContent = s + 1 === current ?
          edge.pad + e.local + " \u00d7 " + step.text + " = " + e.amount : edge.original;
      });
    });
    describe(now);
    index.textContent = String(current);
    buttons.first.disabled = buttons.prev.disabled = current === 0;
    buttons.next.disabled = buttons.last.disabled = current === total;
    if (now) reveal(groups[now.node]);
  }

  function describe(step) {
    edgeList.replaceChildren();
    if (step === null) {
      caption.textContent = "Before the pass: " + data.rootD + "/" + data.rootD +
        " = 1 at the root; no other gradient is known yet. Step forward to send it back.";
      return;
    }
    const n = nodes[step.node], dd = data.rootD + "/" + n.d;
    if (!step.sends.length) {
      caption.textContent = n.label + " is a leaf: " + dd + " = " + step.text +
        " is final (every consumer has sent its share).";
      return;
    }
    caption.textContent = n.label + " sends " + dd + " = " + step.text +
      " to its operands; each edge carries local \u00d7 upstream = contribution:";
    for (const e of step.sends) {
      const item = document.createElement("li");
      item.setAttribute("data-testid", "edge-caption");
      const to = document.createElement("b");
      to.textContent = nodes[e.to].label;
      const math = document.createElement("span");
      math.className = "mg-math";
      math.textContent = e.local + " \u00d7 " + step.text + " = " + e.amount;
      item.append(to, " += ", math, " (" + n.d + "/" + nodes[e.to].d + " \u00d7 " + dd +
                  "; " + nodes[e.to].label + "'s grad after this step: " + e.text + ")");
      edgeList.append(item);
    }
  }

  function select(i) {
    if (selected >= 0 && groups[selected]) groups[selected].classList.remove("mg-selected");
    selected = i;
    groups[i].classList.add("mg-selected");
    explainTitle.textContent = "Chain rule for " + nodes[i].label;
    const text = data.explanations[i];
    explainText.textContent = text !== null ? text :
      "This page holds explanations for " + (data.explainAll ? "every node" :
      "the root, the labelled nodes and the leaves") + " up to a size limit, and not for " +
      "this one: in Python, explain(root, node) writes it.";
  }

  function reveal(g) {
    // scroll the drawing (only it, never the page around an iframe) to show the current node
    if (!g || graph.classList.contains("mg-fitted")) return;
    const box = g.getBoundingClientRect(), view = graph.getBoundingClientRect();
    if (box.left < view.left) graph.scrollLeft += box.left - view.left - 20;
    else if (box.right > view.right) graph.scrollLeft += box.right - view.right + 20;
    if (box.top < view.top) graph.scrollTop += box.top - view.top - 20;
    else if (box.bottom > view.bottom) graph.scrollTop += box.bottom - view.bottom + 20;
  }

  buttons.first.addEventListener("click", () => show(0));
  buttons.prev.addEventListener("click", () => show(current - 1));
  buttons.next.addEventListener("click", () => show(current + 1));
  buttons.last.addEventListener("click", () => show(total));
  byTestId("fit").addEventListener("change", (event) => {
    graph.classList.toggle("mg-fitted", event.target.checked);
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.tagName === "INPUT") return;
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: total };
    if (event.key in moves) { event.preventDefault(); show(moves[event.key]); }
  });
  show(0);
})();
"""
