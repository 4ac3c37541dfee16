"""Drawing computation graphs: `draw_dot(root)` returns a `Digraph` that renders.

    dot = draw_dot(loss)              # shows inline in Jupyter
    dot.render("loss")                # writes loss (DOT source) and loss.svg
    dot.pipe(format="png")            # or bytes

Value nodes show label | data | grad; constants show their value only; op nodes show the op's
symbol from the op table; every edge into an op is labelled with the local derivative stored at
forward time (its formula from the op table is the edge's tooltip). Parameters, inputs,
constants and the root are coloured apart. The nodes an nn neuron computes are grouped in a
cluster inside its layer's, and its weighted sum and output are named z and h (o in the last
layer); see `neuron_parts`. Every label is escaped wherever it is written, so no label can
change the drawing's structure or add a link; a label that cannot be drawn is a ValueError.

Rendering (finding `dot` or graphviz-pure, running it, `Digraph`) lives in `micrograd.render`;
`micrograd.graph.Digraph` is that class, so karpathy's own draw_dot works by changing one
import. graphviz is imported only when something is drawn, so `import micrograd` stays light.
"""
from __future__ import annotations

from typing import Callable, Iterable

from . import ops
from .engine import Value, backward_order
from .names import find_node, format_number
from .render import (GraphvizNotFound, RenderError, digraph_class, dot_executable,
                     graphviz_choice, run_dot, write_graph)

__all__ = ["draw_dot", "GraphTooLarge", "GraphvizNotFound", "RenderError",
           "dot_executable", "run_dot", "write_graph", "neuron_parts", "auto_rankdir"]


def __getattr__(name: str):
    # `from micrograd.graph import Digraph` imports graphviz then, not at `import micrograd`
    if name == "Digraph":
        return digraph_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# fill colours by kind of node
STYLES = {
    "root": {"fillcolor": "#c8e6c9", "penwidth": "2"},
    "param": {"fillcolor": "#ffe0b2"},
    "input": {"fillcolor": "#bbdefb"},
    "const": {"fillcolor": "#eeeeee", "fontcolor": "#555555"},
    "inner": {"fillcolor": "white"},
}
HIGHLIGHT = "#d32f2f"
CURRENT = "#1565c0"
# an edge label starts with a no-break space: graphviz-pure starts the text on the line itself,
# so a thick (highlighted or current) edge would hide its first character (the minus sign)
EDGE_PAD = "\u00a0"
LABEL_CHARS = 60            # a longer label is cut with "…" in the node; its tooltip holds it all


class GraphTooLarge(ValueError):
    """The graph has more nodes than draw_dot was allowed to draw."""


# --- text: every label escaped for DOT, or refused ---------------------------------------------

def _undrawable(text: str) -> str | None:
    """Why text cannot be drawn (a character no SVG may hold), or None."""
    for ch in text:
        c = ord(ch)
        if (c < 0x20 and ch not in "\t\n\r") or 0xD800 <= c <= 0xDFFF or c in (0xFFFE, 0xFFFF):
            return f"it holds the character U+{c:04X}, which no SVG can hold"
    return None


def check_label(text, what: str, who: str = "draw_dot") -> str:
    """text, if it is a string Graphviz can draw; else a ValueError (TypeError) naming it."""
    if not isinstance(text, str):
        raise TypeError(f"{who}: {what} must be a string, got {type(text).__name__} "
                        f"{text!r:.60}")
    why = _undrawable(text)
    if why:
        raise ValueError(f"{who}: cannot draw {what} {text!r:.80}: {why}")
    return text


def _esc(text: str):
    """text for a DOT attribute Graphviz reads as an escString (label): drawn exactly as it is.

    A backslash is doubled (else \\N would draw the node's name, and a final backslash would
    end the string early), & is written &amp; (Graphviz decodes entities), a line break is \\n,
    and graphviz.nohtml keeps <...> from being an HTML label; graphviz quotes the rest.
    """
    import graphviz
    text = text.replace("&", "&amp;").replace("\\", "\\\\")
    return graphviz.nohtml(_lines(text))


def _tip(text: str):
    """text for a tooltip. Renderers read backslashes in tooltips in ways no one escaping
    survives (system dot makes the n of \\\\n a line break; graphviz-pure undoes \\\\ twice,
    so \\\\N draws the node's name), so a backslash in a tooltip is shown as ⧵ (U+29F5)."""
    import graphviz
    return graphviz.nohtml(_lines(text.replace("&", "&amp;").replace("\\", "\u29f5")))


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _field(text: str) -> str:
    """text as one field of a record label: escString-escaped, then { } | < > escaped."""
    out = str(_esc(text))
    for ch in "{}|<>":
        out = out.replace(ch, "\\" + ch)
    return out


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


# --- clusters and neurons ----------------------------------------------------------------------

def scope_of_label(label: str) -> str | None:
    """The module a dotted parameter name belongs to: 'layers.0.neurons.1.w.0' and
    'layers.0.neurons.1.b' -> 'layers.0.neurons.1'. Only names made of identifiers and
    numbers joined by dots count: plain names and labels like '0.5*x' -> None."""
    parts = label.split(".")
    if len(parts) < 2 or not parts[0].isidentifier() or \
            not all(p.isidentifier() or (p.isascii() and p.isdigit()) for p in parts):
        return None
    while parts and parts[-1].isdigit():        # the index of w.0
        parts.pop()
    parts = parts[:-1]                          # the parameter's own name (w, b)
    return ".".join(parts) or None


def scope_levels(scope: str) -> list[str]:
    """Nested clusters for a scope: 'layers.0.neurons.1' -> ['layers.0', 'layers.0.neurons.1']."""
    parts = scope.split(".")
    levels = [".".join(parts[:i + 1]) for i, p in enumerate(parts[:-1]) if p.isdigit()]
    if not levels or levels[-1] != scope:
        levels.append(scope)
    return levels


def neuron_parts(order: list[Value], params: set[Value]
                 ) -> tuple[dict[Value, str | None], dict[Value, str]]:
    """(scope of each node, name of each neuron's z, h and o), read from the graph's shape.

    A parameter belongs to the module its dotted name gives (layers.0.neurons.1.w.0). A neuron
    of that module computes: each `w * x` (one operand its parameter, the other no parameter),
    the sums of those and its bias, and the activation of the top sum (a one-operand function
    of the op table: relu, tanh, sigmoid, ...) when that is the sum's only use. Those nodes are its cluster, and only those: the loss,
    targets, constants and an L2 term (p * p) stay outside whatever they combine. The top sum
    is named z when an activation follows; the neuron's output (the activation, or the sum of a
    linear neuron) is h when another neuron weighs it, else o (the last layer). A labelled op
    node with a dotted name joins the module its name gives.
    """
    scope: dict[Value, str | None] = {}
    param_scope = {p: scope_of_label(p.label) for p in params}
    linear: dict[Value, str] = {}               # w*x terms and sums -> their neuron
    sums: list[Value] = []
    users: dict[Value, list[Value]] = {}
    for node in reversed(order):                # operands first
        kids = node.children
        for k in kids:
            users.setdefault(k, []).append(node)
        if node.op == ops.MUL.name:
            a, b = kids
            if (a in params) != (b in params) and param_scope[a if a in params else b]:
                linear[node] = param_scope[a if a in params else b]
        elif node.op in (ops.ADD.name, ops.SUB.name):
            found = {linear.get(k) or param_scope.get(k) for k in kids}
            if len(found) == 1 and None not in found and any(k in linear for k in kids):
                linear[node] = found.pop()
                sums.append(node)
    names: dict[Value, str] = {}
    for z in sums:
        s = linear[z]
        if any(linear.get(u) == s for u in users.get(z, ())):
            continue                            # a partial sum: the top sum is further up
        out = z
        after = users.get(z, [])
        # an activation: a one-operand function of the op table (relu, tanh, sigmoid, ...)
        if len(after) == 1 and after[0].op in ops.OPS and ops.OPS[after[0].op].is_function:
            out = after[0]
            scope[out] = s
            names[z] = "z"
        weighed = any(u in linear and u not in sums for u in users.get(out, ()))
        names[out] = "h" if weighed else "o"
    for node in order:
        if node in params:
            scope[node] = param_scope[node]
        elif node in linear:
            scope[node] = linear[node]
        elif node.children and node.label and scope_of_label(node.label):
            scope[node] = scope_of_label(node.label)
        else:
            scope.setdefault(node, None)
    return scope, names


def default_scopes(order: list[Value], params: set[Value]) -> dict[Value, str | None]:
    """The cluster of each node: its nn neuron's (see `neuron_parts`), else None."""
    return neuron_parts(order, params)[0]


# --- drawing -----------------------------------------------------------------------------------

def _params_of(params) -> set[Value]:
    if params is None:
        return set()
    if hasattr(params, "parameters"):
        params = params.parameters()
    return set(params)


def _state_after(root: Value, order: list[Value], step: int) -> tuple[dict, Value | None, set]:
    """Gradients after `step` steps of backward_steps(root), leaving every .grad as it was."""
    from .steps import backward_steps
    total = len(order)
    if not 0 <= step <= total:
        raise ValueError(f"draw_dot: step must be between 0 and {total} (one step per node), "
                         f"got {step!r}")
    if step == 0:
        return {n: (1.0 if n is root else 0.0) for n in order}, None, set()
    saved = [n.grad for n in order]
    walk = backward_steps(root)
    try:
        done = set()
        for _ in range(step):
            current = next(walk)
            done.add(current.node)
        grads = {n: n.grad for n in order}
    finally:
        walk.close()
        for n, g in zip(order, saved):
            n.grad = g
    return grads, current.node, done


CHAIN_BREADTH = 4           # auto_rankdir: at most this many values side by side is a chain


def auto_rankdir(order: list[Value]) -> str:
    """LR for a chain, TB for a broad graph: LR when at most CHAIN_BREADTH (4) values are at
    the same distance from the root (longest path), else TB.

    A chain (karpathy's neuron, a tanh chain) reads left to right like the formula, however
    long. A broad graph is deep too: left to right, MLP(2, [2, 1]) with its loss is 4,650 pt
    wide, five notebook cells; top to bottom it is 995 pt wide, as wide as its first layer,
    and each record stacks label, data and grad, so the nodes stay narrow.
    """
    level: dict[Value, int] = {}
    for node in order:                          # consumers first: longest distance to the root
        level.setdefault(node, 0)
        for k in node.children:
            level[k] = max(level.get(k, 0), level[node] + 1)
    counts: dict[int, int] = {}
    for lv in level.values():
        counts[lv] = counts.get(lv, 0) + 1
    return "LR" if max(counts.values()) <= CHAIN_BREADTH else "TB"


def refuse_if_too_large(root: Value, order: list[Value], max_nodes: int | None, who: str,
                        what: str) -> None:
    """GraphTooLarge when root's graph has more than max_nodes value nodes (None: any size)."""
    if max_nodes is not None and len(order) > max_nodes:
        name = f"{root.label!r}" if root.label else "this root"
        raise GraphTooLarge(
            f"{who}: the graph of {name} has {len(order)} value nodes, more than "
            f"max_nodes={max_nodes}; a {what} that size is slow to lay out and hard to read. "
            f"Draw a smaller part (e.g. one neuron's output) or pass max_nodes=None.")


def draw_dot(root: Value, format: str = "svg", rankdir: str | None = None, *,
             digits: int = 4, highlight: Value | str | None = None,
             params: Iterable[Value] | None = None,
             cluster: bool | Callable[[Value], str | None] = True, step: int | None = None,
             max_nodes: int | None = 500, graph_attr: dict | None = None):
    """Draw root's computation graph; returns a `Digraph` (renders via dot_executable).

    format: what .render(name) and .pipe() produce (svg, png, ...; Jupyter shows SVG anyway).
    rankdir: LR, RL, TB or BT; None picks LR for a chain (at most 4 values side by side)
        and TB for a broader graph such as an MLP with its loss (see `auto_rankdir`).
    digits: decimals shown for data, grad and edge labels.
    highlight: a node (or its label): every path from it to the root is drawn in red.
    params: the parameters (Values, or a module with .parameters()); by default, leaves with a
        dotted nn name such as 'layers.0.neurons.1.w.0' count as parameters.
    cluster: True groups each nn neuron's nodes inside its layer (see `neuron_parts`); a
        callable node -> scope name or None groups by your own rule; False draws no clusters.
        The neuron's unlabelled sum and output are named z, h, o (with the neuron's dotted
        path when it is not drawn in its cluster). No node's .label is changed.
    step: draw the state after this many steps of `backward_steps(root)` (0: before the
        first); the node of that step and the gradients it sends are drawn in blue.
    max_nodes: refuse graphs with more value nodes (a bigger drawing is unreadable and slow
        to lay out); None draws any size.
    graph_attr: extra Graphviz graph attributes (the default size="250,250" scales very
        large drawings down so a PNG of them stays a sane size).
    """
    import graphviz
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    graphviz_choice(format, graphviz.FORMATS, "format", "draw_dot")
    if rankdir is not None and rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_dot: rankdir must be LR, RL, TB, BT or None, got {rankdir!r}")
    order = backward_order(root)
    refuse_if_too_large(root, order, max_nodes, "draw_dot", "drawing")
    for node in order:
        check_label(node.label, "the label")
    index = {node: i for i, node in enumerate(order)}
    param_set = _params_of(params)
    if params is None:
        param_set = {n for n in order if not n.children and "." in n.label}

    if step is None:
        grads, current, done = {n: n.grad for n in order}, None, None
    else:
        grads, current, done = _state_after(root, order, step)

    on_path: set[Value] = set()
    if highlight is not None:
        target = find_node(order, highlight, "draw_dot") if isinstance(highlight, str) else highlight
        if target not in index:
            raise ValueError(f"draw_dot: highlight node {target!r} is not in the graph")
        for node in reversed(order):            # operands first: on a path if it uses target
            if node is target or any(k in on_path for k in node.children):
                on_path.add(node)

    neuron_scope, names = neuron_parts(order, param_set)
    if callable(cluster):
        scopes = {n: cluster(n) for n in order}
        for s in scopes.values():
            if s is not None:
                check_label(s, "the cluster name")
    elif cluster:
        scopes = neuron_scope
    else:
        scopes = dict.fromkeys(order)

    Digraph = digraph_class()
    # size: scale down past 250 inches a side (24,000 px in PNG), so rasterizing a long
    # graph cannot take gigabytes (a 1,000-node chain is 3,200 inches wide unscaled)
    dot = Digraph(format=format,
                  graph_attr={"rankdir": rankdir or auto_rankdir(order), "size": "250,250",
                              "nodesep": "0.15", "ranksep": "0.25", **(graph_attr or {})},
                  node_attr={"fontsize": "11", "style": "filled"},
                  edge_attr={"fontsize": "9"})
    fmt = lambda x: format_number(x, digits)        # noqa: E731

    def kind(node: Value) -> str:
        if node is root:
            return "root"
        if not node.children:
            return "param" if node in param_set else "input" if node.label else "const"
        return "inner"

    def names_of(node: Value) -> tuple[str, str]:
        """(shown, whole): the label, or a neuron's z/h/o with the neuron's dotted path; shown
        without that path inside the neuron's own cluster, which says whose (w.0, b, z, h)."""
        s = scopes[node]
        whole = node.label or (f"{neuron_scope[node]}.{names[node]}" if node in names else "")
        inside = s is not None and s == neuron_scope[node] and whole.startswith(s + ".")
        return (whole[len(s) + 1:] if inside else whole), whole

    # statements per cluster: {scope: [(name, attrs)]}, drawn nested below
    members: dict[str | None, list[tuple[str, dict]]] = {}

    for node in order:
        i = index[node]
        k = kind(node)
        if k == "const":                        # a number: its value is all there is to show
            exact = ops.number_text(node.data)
            shown = min(exact, fmt(node.data), key=len)
            attrs = {"label": _esc(shown), "shape": "box", **STYLES[k]}
        else:
            shown, whole = names_of(node)
            fields = [_field(_short(shown))] if shown else []    # no empty row for no name
            fields += [_field(f"data {fmt(node.data)}"), _field(f"grad {fmt(grads[node])}")]
            attrs = {"label": graphviz.nohtml("{ " + " | ".join(fields) + " }"),
                     "shape": "record", **STYLES[k]}
            if k == "param":                    # the whole name, also where w.0 is shown
                attrs["tooltip"] = _tip(f"parameter {whole}")
            elif shown != whole or len(whole) > LABEL_CHARS:
                attrs["tooltip"] = _tip(whole)
        if node in on_path:
            attrs.update(color=HIGHLIGHT, penwidth="2.5")
        if done is not None and node not in done and node is not current:
            attrs["fontcolor"] = "#9e9e9e"      # gradient not final yet at this step
        if node is current:
            attrs.update(color=CURRENT, penwidth="3")
        members.setdefault(scopes[node], []).append((f"v{i}", attrs))
        if node.children:
            op = ops.get(node.op)
            op_attrs = {"label": _esc(op.symbol), "shape": "ellipse", "fillcolor": "white",
                        "tooltip": _tip(op.math)}
            if node in on_path:
                op_attrs.update(color=HIGHLIGHT, penwidth="2.5")
            members.setdefault(scopes[node], []).append((f"v{i}op", op_attrs))

    _emit_clusters(dot, members)

    for node in order:
        if not node.children:
            continue
        i = index[node]
        op = ops.get(node.op)
        for slot, (child, local) in enumerate(zip(node.children, node.local_grads)):
            text = _tip(f"{op.math}; {op.derivative(slot)}")
            attrs = {"label": _esc(EDGE_PAD + fmt(local)), "tooltip": text, "labeltooltip": text}
            if child in on_path and node in on_path:
                attrs.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth="2")
            if node is current:
                attrs.update(color=CURRENT, fontcolor=CURRENT, penwidth="2",
                             label=_esc(f"{EDGE_PAD}{fmt(local)} (sends "
                                        f"{fmt(local * grads[node])})"))
            dot.edge(f"v{index[child]}", f"v{i}op", **attrs)
        out = {"color": HIGHLIGHT, "penwidth": "2"} if node in on_path else {}
        dot.edge(f"v{i}op", f"v{i}", **out)
    return dot


def _emit_clusters(dot, members: dict) -> None:
    """Add nodes to dot, each scope's nodes in a cluster nested inside its parents' clusters."""
    tree: dict = {}                              # nested dict: level -> subtree
    for scope in members:
        if scope is None:
            continue
        t = tree
        for level in scope_levels(scope):
            t = t.setdefault(level, {})
    for name, attrs in members.get(None, []):
        dot.node(name, **attrs)
    counter = [0]

    def add(parent, levels: dict, outer: str) -> None:
        for level, sub in levels.items():
            counter[0] += 1
            with parent.subgraph(name=f"cluster_{counter[0]}") as c:
                tail = level[len(outer) + 1:] if outer else level
                c.attr(label=_esc(tail), style="rounded,dashed", color="#757575", fontsize="10")
                for name, attrs in members.get(level, []):
                    c.node(name, **attrs)
                add(c, sub, level)
    add(dot, tree, "")
