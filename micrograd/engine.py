"""`Value`, one scalar node of a computation graph, and the engine's three primitives.

- `evaluate(op, a, b)`: the one place a table entry (`micrograd.ops`) is computed on floats:
  the output and the local derivative for each operand, every number finite or a named error.
  The Value operators call it to build a node, graph replay to compute a node again.
- the reverse pass (`_chain_rule`): each op node, consumers first, sends its gradient to its
  operands, `child += local * grad`. `backward()`, `gradients()` (a dict, no `.grad` touched),
  `gradient_steps()` (one record per node, for stepping) and gradients of gradients (the local
  derivatives rebuilt from the table on Values, so the gradient is itself a graph) all run it.
- the forward pass (`tangents`): tangents pushed from the inputs to the outputs through the same
  stored local derivatives (forward mode).

No calculus lives here. Local derivatives are stored on the node at forward time, so graph
drawing and explanations read them without re-deriving anything. Nodes hold their operands in
slots and no closures, so a graph has no reference cycles and is freed by reference counting.

Threads: graph building needs no lock; each pass runs under one lock (passes keep their
working numbers in the nodes' `_scratch` slot, which graphs that share parameters share).
`no_grad()` is per thread and per async task.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from numbers import Real
from operator import attrgetter
from typing import Iterator, Sequence

from . import ops
from .gcpause import paused_gc
from .ops import Op

# --- grad mode: per thread and per async context ----------------------------------------------
_building = ContextVar("micrograd_building_graphs", default=True)
_no_grad_blocks = 0             # no_grad blocks open in any thread: 0 keeps the hot path cheap
_blocks_lock = threading.Lock()


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops compute values only and build no graph (inference).

    The switch is per thread and per async task: other threads keep building graphs.
    """
    global _no_grad_blocks
    before = _building.get()
    _building.set(False)
    with _blocks_lock:
        _no_grad_blocks += 1
    try:
        yield
    finally:
        with _blocks_lock:
            _no_grad_blocks -= 1
        _building.set(before)


@contextmanager
def enable_grad() -> Iterator[None]:
    """Build graphs inside this block even within no_grad() (for tools that need a graph)."""
    before = _building.get()
    _building.set(True)
    try:
        yield
    finally:
        _building.set(before)


def is_grad_enabled() -> bool:
    """Whether ops build a graph here (False inside `no_grad()` in this thread or task)."""
    return _no_grad_blocks == 0 or _building.get()


# --- evaluating a table entry ------------------------------------------------------------------
def evaluate(op: Op, a: Value, b: Value | None = None, node: Value | None = None) -> Value:
    """The node op(a, b): table entry `op` on the operands' data, with its local derivatives.

    The engine's one evaluation of the table: the Value operators call it to build a node,
    graph replay to compute an existing `node` again on new data. The finite-number policy
    lives here: an output or a local derivative that is not a finite float is an
    OverflowError naming the op and its operands, and the table's own errors (log of 0,
    division by 0) pass through; on any error nothing is built or changed. Inside no_grad()
    the result is a constant: its value only, no operands, no derivatives.
    """
    x = a.data
    out = None
    try:
        if b is None:
            y = None
            out = op.forward(x)
            if out - out != 0.0:                # inf (or nan): overflow, never passed on
                raise OverflowError
            if _no_grad_blocks and node is None and not _building.get():
                return _node(out, "", None, None, 0.0, 0.0)
            (da,) = op.local_grads(x, out)
            if da - da != 0.0:                  # e.g. d(a**k)/da past 1e308
                raise OverflowError
            db = 0.0
        else:
            y = b.data
            out = op.forward(x, y)
            if out - out != 0.0:
                raise OverflowError
            if _no_grad_blocks and node is None and not _building.get():
                return _node(out, "", None, None, 0.0, 0.0)
            da, db = op.local_grads(x, y, out)
            if da - da != 0.0 or db - db != 0.0:    # e.g. d(a/b)/db = -out/b for a tiny b
                raise OverflowError
    except OverflowError:
        what = "result" if out is None or out - out != 0.0 else "local derivative"
        raise _overflow(op, x, y, what) from None
    if node is None:
        return _node(out, op.name, a, b, da, db)
    node.data = out
    node._da = da
    node._db = db
    return node


def _overflow(op: Op, x: float, y: float | None, what: str) -> OverflowError:
    shown = f"{op.name}({x!r})" if y is None else f"{x!r} {op.symbol} {y!r}"
    return OverflowError(f"{op.name}: {what} overflows a float ({shown})")


_new = object.__new__


def _node(data: float, op: str, a, b, da: float, db: float) -> Value:
    # a node with given fields; skips __init__: data is already a checked float
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.op = op
    v._a = a
    v._b = b
    v._da = da
    v._db = db
    v._scratch = None
    return v


def _apply2(op: Op, a, b):
    """a op b for a two-operand table entry; numbers become constant leaves."""
    if a.__class__ is not Value:
        a = _operand(a, op)
        if a is None:
            return NotImplemented           # Python then raises "unsupported operand type(s)"
    if b.__class__ is not Value:
        b = _operand(b, op)
        if b is None:
            return NotImplemented
    return evaluate(op, a, b)


class Value:
    """A scalar, the op that made it, its operands and d(self)/d(operand) for each."""

    # Operands and local derivatives sit in fixed slots (_a, _b, _da, _db) rather than tuples:
    # one allocation per node instead of three. `children` and `local_grads` give them back as
    # tuples. _scratch belongs to the passes (a traversal mark, then the pass's gradient).
    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db", "_scratch")

    def __init__(self, data: float, label: str = "", *karpathy_form):
        # Value(data, _children, _op[, label]) is karpathy's micrograd's op node: refused below
        self.data = as_number(data, "Value")
        if label.__class__ is not str or karpathy_form:
            if karpathy_form or isinstance(label, (tuple, list, set, frozenset)):
                raise TypeError(
                    "Value(data, _children, _op) is karpathy's micrograd's way to make an op "
                    "node; here every op comes from the op table: write a + b, a * b, "
                    "a.tanh(), ... and to add an op, add one block to micrograd/ops.py and "
                    "one method to Value (README: 'Adding an op'). Value(data, label) makes a "
                    "leaf.")
            if not isinstance(label, str):
                raise TypeError(f"Value: label must be a string, got {type(label).__name__} "
                                f"{label!r:.40}")
        self.grad = 0.0
        self.label = label
        self.op = ""                # "" for a leaf, else the name of an entry in ops.OPS
        self._a = self._b = None    # first and second operand (None if absent)
        self._da = self._db = 0.0   # d self / d _a and d self / d _b, set at forward time
        self._scratch = None

    @property
    def children(self) -> tuple[Value, ...]:
        """The operands in order (a + a has two edges to a); () for a leaf."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d child for each child, computed at forward time."""
        a, b = self._a, self._b
        return () if a is None else (self._da,) if b is None else (self._da, self._db)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- operators: one line each, applying an op-table entry ------------------------------
    def __add__(self, other): return _apply2(ops.ADD, self, other)
    def __radd__(self, other): return _apply2(ops.ADD, other, self)
    def __sub__(self, other): return _apply2(ops.SUB, self, other)
    def __rsub__(self, other): return _apply2(ops.SUB, other, self)
    def __mul__(self, other): return _apply2(ops.MUL, self, other)
    def __rmul__(self, other): return _apply2(ops.MUL, other, self)
    def __truediv__(self, other): return _apply2(ops.DIV, self, other)
    def __rtruediv__(self, other): return _apply2(ops.DIV, other, self)
    def __neg__(self): return evaluate(ops.NEG, self)
    def __pow__(self, other): return _apply_pow(self, other)
    def __rpow__(self, other): return _apply2(ops.POW, other, self)
    def exp(self) -> Value: return evaluate(ops.EXP, self)
    def log(self) -> Value: return evaluate(ops.LOG, self)
    def tanh(self) -> Value: return evaluate(ops.TANH, self)
    def sigmoid(self) -> Value: return evaluate(ops.SIGMOID, self)
    def relu(self) -> Value: return evaluate(ops.RELU, self)
    def sin(self) -> Value: return evaluate(ops.SIN, self)
    def cos(self) -> Value: return evaluate(ops.COS, self)
    def sqrt(self) -> Value: return evaluate(ops.SQRT, self)
    def abs(self) -> Value: return evaluate(ops.ABS, self)
    __abs__ = abs

    # comparisons look at .data (handy in `if loss < 0.1`); == stays identity so Values hash
    def __lt__(self, other): return self.data < _data(other)
    def __le__(self, other): return self.data <= _data(other)
    def __gt__(self, other): return self.data > _data(other)
    def __ge__(self, other): return self.data >= _data(other)

    def __float__(self) -> float:
        return self.data

    # karpathy/micrograd names, so code written for it keeps working
    @property
    def _prev(self) -> set:
        return set(self.children)

    @property
    def _op(self) -> str:
        return self.op

    def __reduce__(self):
        """Pickling and copy.deepcopy of a graph of any depth, without recursion: a leaf is
        its data, grad and label; an op node is its graph's leaves (each pickled once, so
        shared leaves stay shared) and one row per op node, operands first."""
        if self._a is None:
            return (_leaf, (self.data, self.grad, self.label))
        inner, leaves = graph_order(self)
        index = {id(node): i for i, node in enumerate([*leaves, *inner])}
        rows = [(n.op, index[id(n._a)], -1 if n._b is None else index[id(n._b)], n.data,
                 n.grad, n.label, n._da, n._db) for n in inner]
        return (_graph, (leaves, rows))

    def _backward(self) -> None:
        """This node's own chain-rule step, as karpathy's lecture steps it by hand:
        each operand's grad += local derivative * this node's grad (set o.grad = 1 first).
        backward() does every node's step in order, and more (see Value.backward)."""
        for child, local in zip(self.children, self.local_grads):
            child.grad += local * self.grad

    # --- backward ----------------------------------------------------------------------------
    def backward(self) -> None:
        """Fill .grad of every node in this graph with d(self)/d(node).

        Non-leaf gradients are recomputed from zero; leaf gradients accumulate across calls
        (each call adds exactly this pass's gradient, as in PyTorch). If a gradient overflows,
        nothing is written and the error names the node.
        """
        with _pass_lock:
            inner, leaves, _, _ = _run([self], into_grad=True)
            _commit(inner, leaves)


# --- replay: the same nodes, evaluated again on new data ------------------------------------
def recompute(steps: Sequence[tuple[Op, Value, Value | None, Value]]) -> None:
    """`evaluate(op, a, b, node)` for each step in order (operands first): every recorded op
    node computed again on its operands' current data, in place (graph replay).

    A failure is the engine's own error for that op, naming the node; the nodes before it
    hold their new values by then.
    """
    node = None
    try:
        for op, a, b, node in steps:
            evaluate(op, a, b, node)
    except (ArithmeticError, ValueError) as e:
        raise type(e)(f"{e} (recomputing {describe(node)})") from None


def replay_steps(inner: Sequence[Value]) -> list[tuple[Op, Value, Value | None, Value]]:
    """The steps `recompute` takes for op nodes `inner` (operands first, as `graph_order`)."""
    return [(ops.get(node.op), node._a, node._b, node) for node in inner]


def _leaf(data: float, grad: float, label: str) -> Value:
    leaf = Value(data, label)
    leaf.grad = grad
    return leaf


def _graph(leaves: list[Value], rows: list[tuple]) -> Value:
    """The op node that Value.__reduce__ wrote as rows (the last row is the root)."""
    nodes = list(leaves)
    for op, a, b, data, grad, label, da, db in rows:
        node = _node(as_number(data, "unpickle"), ops.get(op).name, nodes[a],
                     None if b < 0 else nodes[b], da, db)
        node.grad, node.label = grad, label
        nodes.append(node)
    return nodes[-1]


# --- the reverse pass ------------------------------------------------------------------------
#
# Every pass works in the nodes' _scratch slots under _pass_lock: ordering marks each node
# with this pass's zero, then the chain rule sums gradients there, then the caller reads them
# out (into .grad, a dict, or per-step records). The zero is a new object each pass, so a mark
# left by an earlier pass never looks like this one's (identity, not value, is compared).

_pass_lock = threading.RLock()


def _order(roots: Sequence[Value], zero) -> tuple[list[Value], list[Value]]:
    """(op nodes with operands before consumers, leaves) reachable from roots; scratch = zero.

    Iterative depth-first search, so a million-deep chain needs no recursion. A node is
    finished only after its operands are, which is exactly what a valid order needs.
    """
    opened = object()
    inner, leaves = [], []
    for root in roots:
        if root._scratch is zero:
            continue
        if root._a is None:
            root._scratch = zero
            leaves.append(root)
            continue
        stack = [root]
        while stack:
            node = stack.pop()
            mark = node._scratch
            if mark is opened:                      # second visit: operands are finished
                node._scratch = zero
                inner.append(node)
            elif mark is not zero:                  # first visit: finish operands first
                node._scratch = opened
                stack.append(node)
                for child in (node._a, node._b):
                    if child is not None and child._scratch is not zero:
                        if child._a is None:
                            child._scratch = zero
                            leaves.append(child)
                        else:
                            stack.append(child)
    return inner, leaves


def _chain_rule(inner: list[Value], symbolic: bool, into_grad: bool, steps: bool):
    """The reverse pass: each op node, consumers first, sends its gradient to its operands.

    Gradients are summed in _scratch (each starting at the pass's zero, the root at 1). On
    floats the local derivatives are the ones stored at forward time; symbolic=True rebuilds
    them from the op table on Values, so every gradient is itself a graph (create_graph).
    into_grad=True also sets each op node's .grad to its gradient (backward()); steps=True
    yields (node, its gradient, its operands' sums after it sent) after each node.
    """
    for node in reversed(inner):
        grad = node._scratch
        if symbolic:
            da, db = _symbolic_locals(node)
        else:
            da, db = node._da, node._db
        a = node._a
        a._scratch += da * grad                     # the chain rule, for each operand
        b = node._b
        if b is not None:
            b._scratch += db * grad
        if into_grad:
            node.grad = grad
        elif steps:
            yield node, grad, (a._scratch,) if b is None else (a._scratch, b._scratch)


def _run(roots: Sequence[Value], order=None, symbolic: bool = False, into_grad: bool = False,
         steps: bool = False, wrt: Sequence[Value] = ()):
    """Order the graph (or reuse `order`), seed d root/d root = 1, run the chain rule.

    The caller holds _pass_lock and reads the gradients from _scratch. Returns (inner,
    leaves, step records or None, for each node of wrt whether it is in the graph).
    """
    zero = _Zero() if symbolic else float(0)      # a new object: this pass's mark
    if order is None:
        inner, leaves = _order(roots, zero)
    else:
        inner, leaves = order
        for node in inner:
            node._scratch = zero
        for node in leaves:
            node._scratch = zero
    inside = [node._scratch is zero for node in wrt]
    roots[0]._scratch = ONE if symbolic else 1.0
    try:
        records = list(_chain_rule(inner, symbolic, into_grad, steps))
    except BaseException:
        if symbolic:                # drop the partial gradient graphs it made
            _clear(inner, leaves)
        raise
    return inner, leaves, records if steps else None, inside


def _check_finite(check: list[Value], scan, what: str) -> None:
    """Raise if a pass overflowed, naming the first node of scan() (pass order) where it did.

    A non-finite number anywhere reaches the nodes of `check` (the ends of the pass: leaves,
    or outputs) as inf or nan (inf * 0 is nan), so only those are checked, and the whole graph
    is searched only when one of them is not finite.
    """
    total = sum(map(_scratch_of, check))       # finite unless some number is (or it overflows)
    if total - total == 0.0:
        return
    for end in check:
        x = end._scratch
        if x - x != 0.0:
            for node in scan():
                x = node._scratch
                if x - x != 0.0:
                    raise OverflowError(f"{what} {x} at {describe(node)}")


def _check_gradients(inner: list[Value], leaves: list[Value]) -> None:
    """_check_finite for a reverse pass: its ends are the leaves, its order consumers first."""
    _check_finite(leaves, lambda: [*reversed(inner), *leaves], "backward: gradient")


_scratch_of = attrgetter("_scratch")


def _clear(inner: list[Value], leaves: list[Value]) -> None:
    # drop the pass's numbers (a symbolic pass's would keep its gradient graphs alive)
    for node in inner:
        node._scratch = None
    for node in leaves:
        node._scratch = None


def _commit(inner: list[Value], leaves: list[Value]) -> None:
    """backward()'s sink for leaves: each adds this pass's gradient to its .grad.

    If the pass overflowed, no leaf changes and the op nodes' gradients (written by the
    pass) are set back to 0, so no partial or infinite gradient is left to read or draw.
    """
    try:
        _check_gradients(inner, leaves)
    except OverflowError:
        for node in inner:
            node.grad = 0.0
        raise
    for leaf in leaves:
        leaf.grad += leaf._scratch
        leaf._scratch = None


def add_to_grads(leaves: Sequence[Value], grads: Sequence[float]) -> None:
    """leaf.grad += g for each pair, under the passes' lock: how a pass run elsewhere (the
    compiled replay, on arrays) accumulates its leaf gradients without racing backward()."""
    with _pass_lock:
        for leaf, g in zip(leaves, grads):
            leaf.grad += g


def backward_pass(root: Value, order: tuple[list[Value], list[Value]]) -> None:
    """`root.backward()` over an order recorded earlier by `graph_order(root)` (for replay)."""
    with _pass_lock:
        inner, leaves, _, _ = _run([root], order, into_grad=True)
        _commit(inner, leaves)


def gradients(root: Value) -> dict[Value, float]:
    """d root/d node for every node of root's graph, in backward order (root first, leaves
    last), by one reverse pass that reads and writes no `.grad`."""
    if not isinstance(root, Value):
        raise TypeError(f"gradients: root must be a Value, got {type(root).__name__}")
    with _pass_lock:
        inner, leaves, _, _ = _run([root])
        _check_gradients(inner, leaves)
        return {node: node._scratch for node in [*reversed(inner), *leaves]}


def gradient_values(root: Value, wrt: Sequence[Value], create_graph: bool = False,
                    ) -> list[Value]:
    """d root/d x for each x of wrt, as Values (0 for an x not in the graph); no `.grad` is
    read or written.

    On floats each gradient is a constant leaf. With create_graph=True the local derivatives
    are rebuilt from the op table on Values, so each gradient is a node of a graph that is the
    derivative, and can be differentiated again (that graph is built even inside no_grad()).
    """
    if not isinstance(root, Value):
        raise TypeError(f"gradients: root must be a Value, got {type(root).__name__}")
    # create_graph asks for a graph: it is built even inside no_grad()
    with _pass_lock, paused_gc(), enable_grad() if create_graph else nullcontext():
        inner, leaves, _, inside = _run([root], symbolic=create_graph, wrt=wrt)
        try:
            if not create_graph:
                _check_gradients(inner, leaves)
            found = [x._scratch if here else 0.0 for x, here in zip(wrt, inside)]
            if create_graph:
                found = [_plain(g) for g in found]
            # a number is a constant of the result (made here, not by Value(): already checked)
            return [g if g.__class__ is Value else _node(g, "", None, None, 0.0, 0.0)
                    for g in found]
        finally:
            if create_graph:            # sums of Values: do not keep their graphs alive
                _clear(inner, leaves)


def gradient_steps(root: Value) -> tuple[dict[Value, float], list[tuple[Value, float, tuple]]]:
    """(gradients, one record per op node): the reverse pass, one node at a time.

    gradients is d root/d node for every node in backward order (as `gradients(root)`); each
    record is (node, d root/d node, each operand's gradient sum right after node sent its
    share), in the order backward() visits them. No `.grad` is touched.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
    with _pass_lock:
        inner, leaves, records, _ = _run([root], steps=True)
        try:
            _check_gradients(inner, leaves)
            return {node: node._scratch for node in [*reversed(inner), *leaves]}, records
        finally:
            _clear(inner, leaves)


def graph_order(root: Value) -> tuple[list[Value], list[Value]]:
    """(op nodes, operands first; leaves) of root's graph: an order a pass can reuse."""
    with _pass_lock:
        return _order([root], float(0))


def backward_order(root: Value) -> list[Value]:
    """Every node reachable from root, each before its operands (root first, leaves last)."""
    inner, leaves = graph_order(root)
    inner.reverse()
    return inner + leaves


# --- the forward pass ------------------------------------------------------------------------
def tangents(outputs: Sequence[Value], seeds: dict[Value, float]) -> list[float]:
    """d output/d t for each output along the direction `seeds` (forward mode).

    seeds maps leaves to their tangent (the others get 0); each op node's tangent is the sum
    over its operands of local derivative x operand's tangent, in topological order, with the
    local derivatives stored at forward time. One pass gives every output's directional
    derivative.
    """
    with _pass_lock:
        zero = float(0)
        inner, leaves = _order(outputs, zero)
        try:
            for leaf, t in seeds.items():
                if leaf._scratch is zero:       # a seed outside the graph changes nothing
                    leaf._scratch = t
            for node in inner:                  # operands before consumers
                b = node._b
                node._scratch = (node._da * node._a._scratch if b is None
                                 else node._da * node._a._scratch + node._db * b._scratch)
            _check_finite(outputs, lambda: inner, "tangents: tangent")
            return [out._scratch for out in outputs]
        finally:
            _clear(inner, leaves)


# --- gradients as Values (create_graph) ------------------------------------------------------
class _One:
    """1 that vanishes in a product (1 * g is g): seeds a symbolic pass without a `1 *` node."""

    __slots__ = ()

    def __mul__(self, other): return other
    __rmul__ = __mul__

    def __add__(self, other): return 1.0 + other
    __radd__ = __add__


class _Zero:
    """0 that vanishes in a sum (0 + g is g): a symbolic pass's start, and a zero derivative."""

    __slots__ = ()

    def __add__(self, other): return other
    __radd__ = __add__

    def __mul__(self, other): return self
    __rmul__ = __mul__


ONE, ZERO = _One(), _Zero()


def _symbolic_locals(node: Value) -> tuple:
    """node's local derivatives from the op table, evaluated on Values (a graph of each)."""
    op = ops.get(node.op)
    a, b = node._a, node._b
    local = op.local_grads(a, node) if b is None else op.local_grads(a, b, node)
    out = [ONE if d.__class__ is float and d == 1.0 else
           ZERO if d.__class__ is float and d == 0.0 else d for d in local]
    return (out[0], 0.0) if b is None else (out[0], out[1])


def _plain(g):
    """A symbolic pass's sum as a Value or a float (never the internal 0 and 1)."""
    if g.__class__ is _One:
        return 1.0
    if g.__class__ is _Zero:
        return 0.0
    if g.__class__ is float and g - g != 0.0:     # sums of the table's constants only
        raise OverflowError(f"backward: gradient {g} overflows")
    return g


# --- helpers ---------------------------------------------------------------------------------
def _apply_pow(base: Value, exponent):
    # v ** w: both get a gradient; v ** 2: a constant exponent, one operand (op "**2")
    if isinstance(exponent, Value):
        return _apply2(ops.POW, base, exponent)
    if not isinstance(exponent, Real):
        return NotImplemented
    return evaluate(ops.power(as_number(exponent, "**")), base)


def _operand(x, op: Op) -> Value | None:
    """x as a Value (numbers become constant leaves), or None if x is not a number."""
    if isinstance(x, Value):
        return x
    cls = x.__class__
    if cls is float or cls is int or isinstance(x, Real):   # float/int first: skips an ABC check
        return _node(as_number(x, op.name), "", None, None, 0.0, 0.0)
    return None


def as_number(x, where: str) -> float:
    """x as a finite float, or a TypeError / ValueError naming `where` (the engine's check)."""
    if x.__class__ is not float:
        if not isinstance(x, Real):
            raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r:.60}")
        try:
            x = float(x)
        except OverflowError:               # an int or Fraction beyond the floats
            raise ValueError(f"{where}: expected a finite number, got {x!r:.60}") from None
    if x - x != 0.0:                        # inf or nan
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return x


def _data(x) -> float:
    return x.data if isinstance(x, Value) else x


def describe(node: Value) -> str:
    """How error messages name a node: its label (or 'a node'), op and data."""
    name = f"'{node.label}'" if node.label else "a node"
    return f"{name} (op {node.op or 'leaf'!r}, data {node.data!r})"
