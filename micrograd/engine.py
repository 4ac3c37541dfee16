"""`Value`, one scalar node of a computation graph, and reverse-mode backward.

No calculus lives here: each operator applies an entry of the op table (`micrograd.ops`), which
gives the output and the local derivative for each operand. They are stored on the node at
forward time as plain floats, so backward is one line of chain rule per edge, and graph drawing
and explanations can read them without re-deriving anything.

Memory: nodes hold their operands in a tuple and no closures, so a graph has no reference
cycles and is freed by reference counting as soon as its root is dropped.
"""
from __future__ import annotations

from contextlib import contextmanager
from numbers import Real
from typing import Iterator

from . import ops
from .ops import Op

_grad_enabled = True     # switched off by no_grad()


# --- applying a table entry ----------------------------------------------------------------
_new = object.__new__


def _overflow(op: Op, args: tuple, what: str = "result") -> OverflowError:
    shown = f" {op.symbol} ".join(map(repr, args)) if len(args) == 2 else f"{op.name}({args[0]!r})"
    return OverflowError(f"{op.name}: {what} overflows a float ({shown})")


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
    x, y = a.data, b.data
    try:
        out = op.forward(x, y)
    except OverflowError:
        raise _overflow(op, (x, y)) from None
    if out - out != 0.0:                    # inf (or nan): overflow, never passed on silently
        raise _overflow(op, (x, y))
    if not _grad_enabled:
        return _node(out, "", None, None, 0.0, 0.0)
    try:
        da, db = op.local_grads(x, y, out)
    except OverflowError:
        raise _overflow(op, (x, y), "local derivative") from None
    if da - da != 0.0 or db - db != 0.0:    # e.g. d(a/b)/db = -out/b for a tiny b
        raise _overflow(op, (x, y), "local derivative")
    return _node(out, op.name, a, b, da, db)


def _apply1(op: Op, a: Value) -> Value:
    """op(a) for a one-operand table entry."""
    x = a.data
    try:
        out = op.forward(x)
    except OverflowError:
        raise _overflow(op, (x,)) from None
    if out - out != 0.0:
        raise _overflow(op, (x,))
    if not _grad_enabled:
        return _node(out, "", None, None, 0.0, 0.0)
    try:
        (da,) = op.local_grads(x, out)
    except OverflowError:
        raise _overflow(op, (x,), "local derivative") from None
    if da - da != 0.0:                      # e.g. d(a**k)/da = k * a**(k-1) past 1e308
        raise _overflow(op, (x,), "local derivative")
    return _node(out, op.name, a, None, da, 0.0)


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
    v._mark = 0
    return v



class Value:
    """A scalar, the op that made it, its operands and d(self)/d(operand) for each."""

    # Operands and local derivatives sit in fixed slots (_a, _b, _da, _db) rather than tuples:
    # one allocation per node instead of three, which halves memory and the garbage
    # collector's work. `children` and `local_grads` give them back as tuples.
    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db", "_mark")

    def __init__(self, data: float, label: str = ""):
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = ""                # "" for a leaf, else the name of an entry in ops.OPS
        self._a = self._b = None    # first and second operand (None if absent)
        self._da = self._db = 0.0   # d self / d _a and d self / d _b, set at forward time
        self._mark = 0              # traversal bookkeeping (see _postorder)

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
    def __neg__(self): return _apply1(ops.NEG, self)
    def __pow__(self, other): return _apply_pow(self, other)
    def __rpow__(self, other): return _apply2(ops.POW, other, self)
    def exp(self) -> Value: return _apply1(ops.EXP, self)
    def log(self) -> Value: return _apply1(ops.LOG, self)
    def tanh(self) -> Value: return _apply1(ops.TANH, self)
    def sigmoid(self) -> Value: return _apply1(ops.SIGMOID, self)
    def relu(self) -> Value: return _apply1(ops.RELU, self)

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

    # --- backward ----------------------------------------------------------------------------
    def backward(self) -> None:
        """Fill .grad of every node in this graph with d(self)/d(node).

        Non-leaf gradients are recomputed from zero; leaf gradients accumulate across calls
        (each call adds exactly this pass's gradient, as in PyTorch).
        """
        _backward_pass(self, *_postorder(self))


def _backward_pass(root: Value, inner: list[Value], leaves: list[Value]) -> None:
    """Backward over a graph whose op nodes (operands first) and leaves are already known."""
    before = [leaf.grad for leaf in leaves]     # this pass sums into 0, added at the end
    for leaf in leaves:
        leaf.grad = 0.0
    for node in inner:
        node.grad = 0.0
    root.grad = 1.0
    try:
        for node in reversed(inner):            # every consumer of a node comes before it
            grad = node.grad
            if grad - grad != 0.0:              # inf or nan: only overflow gets here
                raise OverflowError(f"backward: gradient {grad} at {_describe(node)}")
            child = node._a
            child.grad += node._da * grad       # the chain rule, for each operand
            child = node._b
            if child is not None:
                child.grad += node._db * grad
        for leaf in leaves:
            grad = leaf.grad
            if grad - grad != 0.0:
                raise OverflowError(f"backward: gradient {grad} at {_describe(leaf)}")
    except BaseException:
        for leaf, grad in zip(leaves, before):
            leaf.grad = grad
        raise
    for leaf, grad in zip(leaves, before):
        leaf.grad = grad + leaf.grad


_generation = 0     # bumped by each traversal, so marks never need clearing


def _postorder(root: Value) -> tuple[list[Value], list[Value]]:
    """(op nodes with operands before consumers, leaves) reachable from root.

    Iterative depth-first search, so a million-deep chain needs no recursion. A node is
    finished only after its operands are, which is exactly what a valid order needs.
    """
    global _generation
    _generation += 2
    opened, done = _generation, _generation + 1    # _mark below `opened`: not seen this pass
    if root._a is None:
        return [], [root]
    inner, leaves = [], []
    stack = [root]
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark == opened:                          # second visit: operands are finished
            node._mark = done
            inner.append(node)
        elif mark != done:                          # first visit: finish operands first
            node._mark = opened
            stack.append(node)
            for child in (node._a, node._b):
                if child is not None and child._mark < opened:
                    if child._a is None:
                        child._mark = done
                        leaves.append(child)
                    else:
                        stack.append(child)
    return inner, leaves


def backward_order(root: Value) -> list[Value]:
    """Every node reachable from root, each before its operands (root first, leaves last)."""
    inner, leaves = _postorder(root)
    inner.reverse()
    return inner + leaves


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops compute values only and build no graph (inference)."""
    global _grad_enabled
    before, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = before


def is_grad_enabled() -> bool:
    return _grad_enabled


def _apply_pow(base: Value, exponent):
    # v ** w: both get a gradient; v ** 2: a constant exponent, one operand (op "**2")
    if isinstance(exponent, Value):
        return _apply2(ops.POW, base, exponent)
    if not isinstance(exponent, Real):
        return NotImplemented
    return _apply1(ops.power(_as_float(exponent, "**")), base)


def _operand(x, op: Op) -> Value | None:
    """x as a Value (numbers become constant leaves), or None if x is not a number."""
    if isinstance(x, Value):
        return x
    cls = x.__class__
    if cls is float or cls is int or isinstance(x, Real):   # float/int first: skips an ABC check
        return _node(_as_float(x, op.name), "", None, None, 0.0, 0.0)
    return None


def _as_float(x, where: str) -> float:
    if x.__class__ is not float:
        if not isinstance(x, Real):
            raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r:.60}")
        x = float(x)
    if x - x != 0.0:                        # inf or nan
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    return x


def _data(x) -> float:
    return x.data if isinstance(x, Value) else x


def _describe(node: Value) -> str:
    name = f"'{node.label}'" if node.label else "a node"
    return f"{name} (op {node.op or 'leaf'!r}, data {node.data!r})"
