"""Derivatives as functions: `grad` (gradients of gradients), `hessian`, `jvp`, `jacobian`.

    x = Value(0.5, "x")
    y = x.tanh()
    dy = grad(y, x, create_graph=True)     # 1 - y**2, itself a graph of Values
    d2y = grad(dy, x)                      # -2 y (1 - y**2): the second derivative

Every function here is a thin caller of the engine's two passes (`micrograd.engine`): `grad`
and `hessian` run its reverse pass (with create_graph=True the local derivatives are rebuilt
from the op table on Values, so the gradient is an ordinary graph: draw it, explain it,
differentiate it again); `jvp` runs its forward pass, which pushes tangents from the inputs to
the outputs through the local derivatives stored at forward time. `jacobian` shows the
classic cost argument: one reverse pass per output, or one forward pass per input.
"""
from __future__ import annotations

from collections import Counter
from operator import attrgetter
from typing import Callable, Sequence

from .engine import Value, as_number, backward_order, enable_grad, gradient_values, tangents
from .names import d


def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False,
         ) -> Value | list[Value]:
    """d output/d input for each input, as Values; no `.grad` is read or written.

    inputs: one Value (the result is one Value) or a sequence (a list, in order). An input
    the output does not depend on gets 0. With create_graph=True each result is a node of a
    new graph, built from the op table's local-derivative rules evaluated on Values, so it
    can be differentiated again: grad(grad(y, x, create_graph=True), x) is d2y/dx2. Results
    made here are labelled 'd<output>/d<input>' ('df/dx' for an unlabelled output) when the
    input has a label.
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    single = isinstance(inputs, Value)
    if not single and (isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__")):
        raise TypeError(f"grad: inputs must be a Value or a sequence of Values, got "
                        f"{type(inputs).__name__}")
    xs = [inputs] if single else list(inputs)
    if set(map(type, xs)) - {Value}:        # (one C-level pass: xs may be 100,000 leaves)
        bad = next((i for i, x in enumerate(xs) if not isinstance(x, Value)), None)
        if bad is not None:
            raise TypeError(f"grad: inputs must be Values, got {type(xs[bad]).__name__} at "
                            f"position {bad}")
    results = gradient_values(output, xs, create_graph)
    _label(output, xs, results, create_graph)
    return results[0] if single else results


def _label(output: Value, xs: list[Value], results: list[Value], create_graph: bool) -> None:
    """Label each gradient made here 'd<output>/d<input>'. A node of output's own graph (d(x*y)/dx
    is y itself) keeps its name, and so does one gradient shared by several inputs (d(x+y)/dx
    and d(x+y)/dy can be one node): one label would be wrong for the other input."""
    if not any(map(attrgetter("label"), xs)):
        return
    own = set(backward_order(output)) if create_graph else ()
    counts = Counter(map(id, results))
    shared = {i for i, n in counts.items() if n > 1}
    name = d(output.label or "f")
    for x, g in zip(xs, results):
        if x.label and not g.label and g not in own and id(g) not in shared:
            g.label = f"{name}/{d(x.label)}"                        # d(dy/dx)/dx, and so on


def _leaves(xs: Sequence, where: str) -> list[Value]:
    """Fresh input leaves for f, labelled like the given Values (x0, x1, ... otherwise)."""
    if isinstance(xs, (Value, int, float)) or not hasattr(xs, "__len__"):
        raise TypeError(f"{where}: xs must be a list of numbers or Values, got "
                        f"{type(xs).__name__}")
    out = []
    for i, x in enumerate(xs):
        if isinstance(x, Value):
            out.append(Value(x.data, x.label or f"x{i}"))
        else:
            out.append(Value(as_number(x, f"{where}: xs[{i}]"), f"x{i}"))
    return out


def _call(f: Callable, leaves: list[Value], where: str):
    with enable_grad():                 # f's graph is ours to differentiate, even in no_grad()
        out = f(*leaves)
    outs = [out] if isinstance(out, Value) else list(out) if isinstance(out, (list, tuple)) \
        else None
    if not outs or not all(isinstance(o, Value) for o in outs):
        raise TypeError(f"{where}: f must return a Value or a list of Values, got "
                        f"{type(out).__name__}")
    return out, outs


def hessian(f: Callable[..., Value], xs: Sequence) -> list[list[float]]:
    """The matrix of second derivatives d2 f/dx_i dx_j at xs (f maps Values to one Value).

    One reverse pass with create_graph=True gives the gradient as graphs; one more pass per
    input differentiates each of them again (n + 1 passes for n inputs).
    """
    leaves = _leaves(xs, "hessian")
    out, outs = _call(f, leaves, "hessian")
    if len(outs) != 1 or not isinstance(out, Value):
        raise TypeError("hessian: f must return one Value")
    return [[g.data for g in gradient_values(first, leaves)]
            for first in gradient_values(out, leaves, create_graph=True)]


def jvp(f: Callable[..., Value], xs: Sequence, tangent: Sequence[float],
        ) -> tuple[float | list[float], float | list[float]]:
    """(f(xs), the derivative of f at xs along `tangent`): forward mode, one pass.

    The tangent is pushed from the inputs through the graph in topological order, each node
    getting sum(local derivative x operand's tangent); f may return one Value or a list.
    """
    leaves = _leaves(xs, "jvp")
    if isinstance(tangent, (int, float)) or len(tangent) != len(leaves):
        raise ValueError(f"jvp: need one tangent per input ({len(leaves)}), got {tangent!r:.60}")
    seeds = {x: as_number(t, f"jvp: tangent[{i}]") for i, (x, t) in
             enumerate(zip(leaves, tangent))}
    out, outs = _call(f, leaves, "jvp")
    directional = tangents(outs, seeds)
    if isinstance(out, Value):
        return out.data, directional[0]
    return [o.data for o in outs], directional


class Jacobian(list):
    """The Jacobian as a list of rows (outputs) of columns (inputs), with how it was computed:
    `mode` and `passes`, the number of graph passes it took."""

    def __init__(self, rows: list[list[float]], mode: str, passes: int):
        super().__init__(rows)
        self.mode = mode
        self.passes = passes

    def __repr__(self) -> str:
        return f"Jacobian({list(self)!r}, mode={self.mode!r}, passes={self.passes})"


def jacobian(f: Callable, xs: Sequence, mode: str = "reverse") -> Jacobian:
    """d f_i/d x_j for f returning a Value or a list of Values (rows: outputs, columns: inputs).

    mode "reverse": one reverse pass per output (each gives a whole row); mode "forward": one
    forward pass per input (each gives a whole column). Same matrix, different cost: for
    f: R^n -> R^m, reverse takes m passes and forward n. The graph of f is built once.
    """
    if mode not in ("reverse", "forward"):
        raise ValueError(f"jacobian: mode must be 'reverse' or 'forward', got {mode!r}")
    leaves = _leaves(xs, "jacobian")
    _, outs = _call(f, leaves, "jacobian")
    if mode == "reverse":
        rows = [[g.data for g in gradient_values(y, leaves)] for y in outs]
        return Jacobian(rows, mode, len(outs))
    columns = [tangents(outs, {x: 1.0}) for x in leaves]
    rows = [[columns[j][i] for j in range(len(leaves))] for i in range(len(outs))]
    return Jacobian(rows, mode, len(leaves))
