"""The op table: every primitive the engine knows, in one place.

Each block defines one primitive: its name (what `Value.op` holds), the symbol drawn on a graph,
the math in one line, the forward rule on floats, and right beneath it the local derivative of the
output with respect to each operand, as code and as text. Backward, graph drawing, explanations,
replay and the tests all read this table, so they cannot disagree.

Local derivative rules take (inputs..., out) and use only arithmetic and the helpers below, so the
same rule works on floats (the fast path) and on `Value`s (for gradients of gradients).

Adding an op: write one block here, register it in OPS, add one one-line method to `Value`.
The op-table tests pick it up (forward needs one reference line in tests/test_ops.py).
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable


class Op:
    """One primitive: forward rule, local derivatives and their text."""

    __slots__ = ("name", "symbol", "arity", "math", "forward", "local_grads", "grad_text", "domain")

    def __init__(self, name: str, symbol: str, math: str, forward: Callable[..., float],
                 local_grads: Callable[..., tuple], grad_text: tuple[str, ...],
                 domain: tuple[tuple[float, float], ...]):
        self.name = name                # the string stored in Value.op
        self.symbol = symbol            # drawn in the op node of a graph
        self.arity = len(grad_text)     # number of Value operands
        self.math = math                # e.g. "out = a * b"
        self.forward = forward          # (a, b, ...) -> out, on floats
        self.local_grads = local_grads  # (a, b, ..., out) -> (d out/d a, d out/d b, ...)
        self.grad_text = grad_text      # one readable derivative per operand
        self.domain = domain            # per operand, an interval where the op is smooth (tests)

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.math})"


# helpers that work on floats and on Values alike (a Value has .log(), a float does not)
def _log(x):
    return x.log() if hasattr(x, "log") else math.log(x)


def _fmt(x: float) -> str:
    """A number as short as it round-trips: 2.0 -> '2', 0.5 -> '0.5'."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


ONE_ONE = (1.0, 1.0)      # shared: + makes no new floats for its local derivatives
ONE_MINUS_ONE = (1.0, -1.0)
MINUS_ONE = (-1.0,)


# --- add -----------------------------------------------------------------------------------
def _add(a, b):
    return a + b


def _add_grads(a, b, out):
    return ONE_ONE


ADD = Op("+", "+", "out = a + b", _add, _add_grads,
         ("d(a+b)/da = 1", "d(a+b)/db = 1"), ((-3.0, 3.0), (-3.0, 3.0)))


# --- sub: a primitive, not a + (-b): one "-" node reads better on a graph than two ---------
def _sub(a, b):
    return a - b


def _sub_grads(a, b, out):
    return ONE_MINUS_ONE


SUB = Op("-", "-", "out = a - b", _sub, _sub_grads,
         ("d(a-b)/da = 1", "d(a-b)/db = -1"), ((-3.0, 3.0), (-3.0, 3.0)))


# --- mul -----------------------------------------------------------------------------------
def _mul(a, b):
    return a * b


def _mul_grads(a, b, out):
    return (b, a)


MUL = Op("*", "*", "out = a * b", _mul, _mul_grads,
         ("d(a*b)/da = b", "d(a*b)/db = a"), ((-3.0, 3.0), (-3.0, 3.0)))


# --- div: a primitive, not a * b**-1: the graph shows a/b as one node, like the hand math --
def _div(a, b):
    if b == 0:
        raise ZeroDivisionError(f"/: division by zero ({_fmt(a)} / 0)")
    return a / b


def _div_grads(a, b, out):
    # -out/b rather than -a/b**2: b**2 underflows to 0 for |b| < 1e-162
    return (1.0 / b, -out / b)


DIV = Op("/", "/", "out = a / b", _div, _div_grads,
         ("d(a/b)/da = 1/b", "d(a/b)/db = -a/b**2 = -out/b"), ((-3.0, 3.0), (0.5, 3.0)))


# --- neg -----------------------------------------------------------------------------------
def _neg(a):
    return -a


def _neg_grads(a, out):
    return MINUS_ONE


NEG = Op("neg", "-", "out = -a", _neg, _neg_grads, ("d(-a)/da = -1",), ((-3.0, 3.0),))


# --- pow with a Value exponent: a**b, both operands get a gradient -------------------------
def _pow(a, b):
    if a < 0:
        raise ValueError(f"**: base {_fmt(a)} < 0 with a variable exponent: d(a**b)/db = "
                         f"a**b * ln(a) is undefined; use a constant exponent (v ** 2)")
    if a == 0 and b <= 0:
        raise ZeroDivisionError(f"**: 0 raised to the non-positive power {_fmt(b)}")
    return a ** b


def _pow_grads(a, b, out):
    if a == 0 and b < 1:
        raise ZeroDivisionError(f"**: d(a**b)/da = b * a**(b-1) is infinite at a = 0 "
                                f"for b = {_fmt(b)}")
    # d/db = out * ln(a); at a == 0 (b > 0) out is 0 and the limit of out*ln(a) is 0
    return (b * a ** (b - 1), out * _log(a) if a != 0 else 0.0 * out)


POW = Op("**", "**", "out = a ** b", _pow, _pow_grads,
         ("d(a**b)/da = b * a**(b-1)", "d(a**b)/db = a**b * ln(a) = out * ln(a)"),
         ((0.5, 3.0), (-2.0, 2.0)))


# --- pow with a constant exponent k: one operand; the op name carries k, e.g. "**2" --------
@lru_cache(maxsize=256)
def power(k: float) -> Op:
    """The op a ** k for a constant k (cached per k)."""
    k = float(k)
    name = "**" + _fmt(k)

    def forward(a):
        if a < 0 and not k.is_integer():
            raise ValueError(f"{name}: negative base {_fmt(a)} with non-integer exponent "
                             f"{_fmt(k)} has no real value")
        if a == 0 and k < 0:
            raise ZeroDivisionError(f"{name}: 0 raised to the negative power {_fmt(k)}")
        return a ** k

    def local_grads(a, out):
        if a == 0 and k < 1 and k != 0:
            raise ZeroDivisionError(f"{name}: derivative {_fmt(k)} * a**{_fmt(k - 1)} "
                                    f"is infinite at a = 0")
        return (k * a ** (k - 1),)

    lo = 0.5 if not k.is_integer() else -3.0
    return Op(name, name, f"out = a ** {_fmt(k)}", forward, local_grads,
              (f"d(a**{_fmt(k)})/da = {_fmt(k)} * a**{_fmt(k - 1)}",), ((lo, 3.0),))


# --- exp -----------------------------------------------------------------------------------
def _exp(a):
    return math.exp(a)      # OverflowError past a ~ 709.78; the engine names the op


def _exp_grads(a, out):
    return (out,)


EXP = Op("exp", "exp", "out = e**a", _exp, _exp_grads, ("d(exp a)/da = exp(a) = out",),
         ((-3.0, 3.0),))


# --- log (natural) -------------------------------------------------------------------------
def _ln(a):
    if a <= 0:
        raise ValueError(f"log: needs a > 0, got {_fmt(a)}")
    return math.log(a)


def _log_grads(a, out):
    return (1.0 / a,)


LOG = Op("log", "log", "out = ln(a)", _ln, _log_grads, ("d(log a)/da = 1/a",), ((0.2, 5.0),))


# --- tanh: math.tanh is exact at the tails (+-1000 -> +-1.0, derivative 0.0) ---------------
def _tanh(a):
    return math.tanh(a)


def _tanh_grads(a, out):
    return (1 - out * out,)


TANH = Op("tanh", "tanh", "out = tanh(a)", _tanh, _tanh_grads,
          ("d(tanh a)/da = 1 - tanh(a)**2 = 1 - out**2",), ((-3.0, 3.0),))


# --- sigmoid: exp of a non-positive number only, so +-1000 gives 1.0 / 0.0, never overflow ---
def _sigmoid(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_grads(a, out):
    return (out * (1 - out),)


SIGMOID = Op("sigmoid", "σ", "out = 1 / (1 + e**-a)", _sigmoid, _sigmoid_grads,
             ("d(sigmoid a)/da = sigmoid(a) * (1 - sigmoid(a)) = out * (1 - out)",),
             ((-3.0, 3.0),))


# --- relu: relu'(0) = 0, as in PyTorch ------------------------------------------------------
def _relu(a):
    return a if a > 0 else 0.0


def _relu_grads(a, out):
    return (1.0 if out > 0 else 0.0,)


RELU = Op("relu", "ReLU", "out = max(0, a)", _relu, _relu_grads,
          ("d(relu a)/da = 1 if a > 0 else 0",), ((-3.0, 3.0),))


OPS: dict[str, Op] = {op.name: op for op in
                      (ADD, SUB, MUL, DIV, NEG, POW, EXP, LOG, TANH, SIGMOID, RELU)}


def get(name: str) -> Op:
    """The table entry for a node's `op` string ("*", "tanh", "**2", ...)."""
    op = OPS.get(name)
    if op is not None:
        return op
    if name.startswith("**"):
        try:
            return power(float(name[2:]))
        except ValueError:
            pass
    raise KeyError(f"unknown op {name!r}; known: {', '.join(OPS)} and **k")
