"""Drawing computation graphs: `draw_dot(root)` returns a `graphviz.Digraph`.

    dot = draw_dot(loss)              # shows inline in Jupyter
    dot.render(outfile="loss.svg")    # or .pipe(format="png")

Value nodes show label | data | grad; op nodes show the op's symbol from the op table; every
edge into an op is labelled with the local derivative stored at forward time (its formula from
the op table is the edge's tooltip). Parameters, inputs, constants and the root are coloured
apart; nodes made by one nn neuron or layer are grouped in clusters (see `scope_of`).

Rendering needs a `dot` program. The system Graphviz is used when `dot` is on PATH, else the
pip package graphviz-pure (a dot-compatible binary named `graphviz-pure`, found next to this
Python even when PATH does not include it, as in a Jupyter kernel). graphviz is imported only
inside the functions here, so `import micrograd` stays light.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Callable, Iterable

from . import ops
from .engine import Value, backward_order
from .names import find_node, format_number
from .files import atomic_write

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


class GraphvizNotFound(RuntimeError):
    """Neither the system `dot` nor graphviz-pure could be found."""


class GraphTooLarge(ValueError):
    """The graph has more nodes than draw_dot was allowed to draw."""


# --- finding and running dot ---------------------------------------------------------------

def dot_executable() -> str | None:
    """Path of the program that renders: system `dot` on PATH, else graphviz-pure, else None."""
    import shutil
    import sysconfig
    found = shutil.which("dot")
    if found:
        return found
    # pip puts graphviz-pure in this interpreter's scripts folder, which may not be on PATH
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    return shutil.which("graphviz-pure")


def _command(engine: str, format: str, renderer=None, formatter=None, neato_no_op=None) -> list:
    # graphviz assembles and checks the flags; only the program differs
    from graphviz.backend import dot_command
    cmd = dot_command.command(engine, format, renderer=renderer, formatter=formatter,
                              neato_no_op=neato_no_op)
    exe = dot_executable()
    if exe is None:
        raise GraphvizNotFound("cannot render: no `dot` on PATH and no graphviz-pure next to "
                               f"{sys.executable}; run `pip install graphviz-pure` (or install "
                               "Graphviz), or use the graph's .source text")
    cmd[0] = exe
    return cmd


def _pipe_lines(engine, format, input_lines, *, input_encoding, renderer=None, formatter=None,
                neato_no_op=None, quiet=False) -> bytes:
    from graphviz.backend import execute
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    lines = (line.encode(input_encoding) for line in input_lines)
    return execute.run_check(cmd, input_lines=lines, capture_output=True, quiet=quiet).stdout


def _pipe_lines_string(engine, format, input_lines, *, encoding, renderer=None, formatter=None,
                       neato_no_op=None, quiet=False) -> str:
    from graphviz.backend import execute
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    return execute.run_check(cmd, input_lines=input_lines, encoding=encoding,
                             capture_output=True, quiet=quiet).stdout


def _render(engine, format=None, filepath=None, renderer=None, formatter=None, neato_no_op=None,
            quiet=False, *, outfile=None, raise_if_result_exists=False,
            overwrite_filepath=False) -> str:
    # graphviz.backend.rendering.render, with our program and absolute paths
    import pathlib

    import graphviz
    from graphviz.backend import execute, rendering
    filepath = pathlib.Path(filepath) if filepath is not None else None
    if outfile is not None:
        outfile = pathlib.Path(outfile)
        format = rendering.get_format(outfile, format=format)
        if filepath is None:
            filepath = rendering.get_filepath(outfile)
        if not overwrite_filepath and outfile.resolve() == filepath.resolve():
            raise ValueError(f"outfile {outfile.name!r} must be different from input file "
                             f"{filepath.name!r} (pass overwrite_filepath=True to override)")
    elif filepath is None or format is None:
        raise graphviz.RequiredArgumentError("render: give outfile, or filepath and format")
    else:
        outfile = pathlib.Path(rendering.get_outfile(filepath, format=format, renderer=renderer,
                                                     formatter=formatter))
    if raise_if_result_exists and outfile.exists():
        raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
    cmd = _command(engine, format, renderer, formatter, neato_no_op)
    cmd += ["-o", os.fspath(outfile.resolve()), os.fspath(filepath.resolve())]
    execute.run_check(cmd, cwd=filepath.resolve().parent, quiet=quiet, capture_output=True)
    return os.fspath(outfile)


_DIGRAPH = None


def digraph_class():
    """graphviz.Digraph, rendering through `dot_executable()` (pipe, render, Jupyter display)."""
    global _DIGRAPH
    if _DIGRAPH is None:
        import graphviz

        class Digraph(graphviz.Digraph):
            """A graphviz.Digraph that renders with system dot or else graphviz-pure."""

            # graphviz routes .pipe(), .render() and _repr_mimebundle_ through these hooks
            _pipe_lines = staticmethod(_pipe_lines)
            _pipe_lines_string = staticmethod(_pipe_lines_string)
            _render = staticmethod(_render)

        _DIGRAPH = Digraph
    return _DIGRAPH


def write_graph(graph, path: str | os.PathLike) -> str:
    """Write a drawn graph to path atomically: .svg/.png rendered, .gv/.dot as source."""
    kind = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if kind in ("gv", "dot"):
        data = graph.source.encode("utf-8")
    elif kind in ("svg", "png"):
        data = graph.pipe(format=kind)
    else:
        raise ValueError(f"write_graph: cannot write {os.path.basename(os.fspath(path))!r}: "
                         f"use .svg, .png, .gv or .dot")
    return atomic_write(path, data)


# --- clusters ------------------------------------------------------------------------------

def scope_of_label(label: str) -> str | None:
    """The module a dotted parameter name belongs to: 'layers.0.neurons.1.w.0' and
    'layers.0.neurons.1.b' -> 'layers.0.neurons.1'; plain names -> None."""
    parts = label.split(".")
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


def default_scopes(order: list[Value], params: set[Value]) -> dict[Value, str | None]:
    """The cluster of each node, from labels.

    A parameter belongs to the module its dotted name gives; a labelled node with a dotted
    name likewise. An op node with parameter operands belongs to their module (if they agree),
    otherwise to the module of its operands when all of them (constants aside) are in the same
    one: so w*x, the sum, the bias and the activation of one neuron are drawn together.
    """
    scope: dict[Value, str | None] = {}
    for node in reversed(order):                # operands first
        s = None
        if "." in node.label and (node in params or node.children):
            s = scope_of_label(node.label)
        elif node.children:
            kids = node.children
            from_params = {scope[k] for k in kids if k in params}
            if from_params:
                s = from_params.pop() if len(from_params) == 1 else None
            else:
                kinds = {scope[k] for k in kids if k.children or k.label}   # constants aside
                s = kinds.pop() if len(kinds) == 1 else None
        scope[node] = s
    return scope


# --- drawing -------------------------------------------------------------------------------

_RECORD_SPECIAL = re.compile(r'([\\{}|<>])')


def _record(text: str) -> str:
    return _RECORD_SPECIAL.sub(r"\\\1", text)


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


def draw_dot(root: Value, rankdir: str = "LR", *, digits: int = 4,
             highlight: Value | str | None = None, params: Iterable[Value] | None = None,
             cluster: bool | Callable[[Value], str | None] = True, step: int | None = None,
             max_nodes: int | None = 500, graph_attr: dict | None = None):
    """Draw root's computation graph; returns a graphviz.Digraph (renders via dot_executable).

    digits: decimals shown for data, grad and edge labels.
    highlight: a node (or its label): every path from it to the root is drawn in red.
    params: the parameters (Values, or a module with .parameters()); by default, leaves with a
        dotted nn name such as 'layers.0.neurons.1.w.0' count as parameters.
    cluster: True groups nodes by nn module (see `default_scopes`); a callable node -> scope
        name or None groups by your own rule; False draws no clusters.
    step: draw the state after this many steps of `backward_steps(root)` (0: before the
        first); the node of that step and the gradients it sends are drawn in blue.
    max_nodes: refuse graphs with more value nodes (a bigger drawing is unreadable and slow
        to lay out); None draws any size.
    graph_attr: extra Graphviz graph attributes (the default size="250,250" scales very
        large drawings down so a PNG of them stays a sane size).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_dot: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    order = backward_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        name = f"{root.label!r}" if root.label else "this root"
        raise GraphTooLarge(
            f"draw_dot: the graph of {name} has {len(order)} value nodes, more than "
            f"max_nodes={max_nodes}; a drawing that size is unreadable and slow to lay out. "
            f"Draw a smaller part (e.g. one neuron's output) or pass max_nodes=None.")
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

    if callable(cluster):
        scopes = {n: cluster(n) for n in order}
    elif cluster:
        scopes = default_scopes(order, param_set)
    else:
        scopes = dict.fromkeys(order)

    Digraph = digraph_class()
    # size: scale down past 250 inches a side (24,000 px in PNG), so rasterizing a long
    # graph cannot take gigabytes (a 1,000-node chain is 3,200 inches wide unscaled)
    dot = Digraph(graph_attr={"rankdir": rankdir, "size": "250,250", **(graph_attr or {})},
                  node_attr={"fontsize": "11", "style": "filled"},
                  edge_attr={"fontsize": "9"})
    fmt = lambda x: format_number(x, digits)        # noqa: E731

    def kind(node: Value) -> str:
        if node is root:
            return "root"
        if not node.children:
            return "param" if node in param_set else "input" if node.label else "const"
        return "inner"

    # statements per cluster: {scope: [(name, attrs)]}, drawn nested below
    members: dict[str | None, list[tuple[str, dict]]] = {}

    for node in order:
        i = index[node]
        k = kind(node)
        title = node.label or ("const" if k == "const" else "")
        label = f"{{ {_record(title)} | data {fmt(node.data)} | grad {fmt(grads[node])} }}"
        attrs = {"label": label, "shape": "record", **STYLES[k]}
        if k == "param":
            attrs["tooltip"] = f"parameter {node.label}"
        if node in on_path:
            attrs.update(color=HIGHLIGHT, penwidth="2.5")
        if done is not None and node not in done and node is not current:
            attrs["fontcolor"] = "#9e9e9e"      # gradient not final yet at this step
        if node is current:
            attrs.update(color=CURRENT, penwidth="3")
        members.setdefault(scopes[node], []).append((f"v{i}", attrs))
        if node.children:
            op = ops.get(node.op)
            op_attrs = {"label": op.symbol, "shape": "ellipse", "fillcolor": "white",
                        "tooltip": op.math}
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
            text = f"{op.math}; {op.derivative(slot)}"
            attrs = {"label": fmt(local), "tooltip": text, "labeltooltip": text}
            if child in on_path and node in on_path:
                attrs.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth="2")
            if node is current:
                attrs.update(color=CURRENT, fontcolor=CURRENT, penwidth="2",
                             label=f"{fmt(local)} (sends {fmt(local * grads[node])})")
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
                c.attr(label=tail, style="rounded,dashed", color="#757575", fontsize="10")
                for name, attrs in members.get(level, []):
                    c.node(name, **attrs)
                add(c, sub, level)
    add(dot, tree, "")
