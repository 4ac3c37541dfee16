"""The op table: every primitive the engine knows, in one place.

Each block defines one primitive: its name (what `Value.op` holds), the symbol drawn on a graph,
the math in one line, the forward rule on floats, and right beneath it the local derivative of the
output with respect to each operand, as code and as a text template. Backward, gradients of
gradients, forward mode, graph drawing, explanations, replay, the grad CLI and the tests all read
this table, so they cannot disagree.

Local derivative rules take (inputs..., out) and use only arithmetic, comparisons and the helpers
below, so the same rule works on floats (at forward time, the fast path) and on `Value`s (to
build a graph of the gradient, for gradients of gradients).

Array rules (`arrays`, optional): the same op on float64 numpy arrays, elementwise, for the
compiled replay backend (micrograd.compiled). The numpy module comes in as the first argument,
so this file never imports numpy: unary `(np, a) -> (out, da)`, binary `(np, a, b) -> (out, da,
db)`; a derivative that is constant may be a plain float (add: 1.0, 1.0). The contract: where the
float rules give finite numbers, the array rule gives the same numbers (to rounding); wherever
the float rule raises or overflows (log(-1), 0 ** -1, exp(710), sqrt'(0)), the array rule gives
a non-finite number (nan or inf) in `out` or a derivative at that element, so the compiled
backend knows to hand that step to the float rules, which raise the named error.

Text templates name the operands {a} and {b} and the output {out}: `grad_text` gives each local
derivative ("1 - {out}**2"), `expr` how the result is written ("{a} + {b}", "tanh({a})").

Adding an op: write one block here (every `Op` defined at module level is in `OPS`; the array
rule is optional, but a graph holding the op cannot be compiled without one), add a
one-line method to `Value`, and one forward reference line to tests/test_ops.py; the op-table
tests, graph labels, explanations, replay and the grad CLI pick it up.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable


@dataclass(frozen=True, kw_only=True, slots=True)
class Op:
    """One primitive: forward rule, local derivatives and how to write both."""

    name: str                       # the string stored in Value.op
    method: str                     # the Value method that applies it: "__add__", "exp"
    symbol: str                     # drawn in the op node of a graph
    math: str                       # the forward rule in one line: "out = a * b"
    forward: Callable[..., float]   # (a, b, ...) -> out, on floats
    local_grads: Callable[..., tuple]  # (a, b, ..., out) -> (d out/d a, d out/d b, ...)
    grad_text: tuple[str, ...]      # per operand, a template of its local derivative
    domain: tuple[tuple[float, float], ...]   # per operand, where the op is defined and smooth
    kinks: tuple[float, ...] = ()   # operand values where the derivative jumps (relu at 0)
    arrays: Callable | None = None  # the same on numpy arrays: (np, a, ...) -> (out, da, ...)
    expr: str = ""                  # how the result is written; default "name({a})"
    precedence: int = 9             # of the result in an expression (9: atomic, like f(x))
    operand_precedence: tuple[int, ...] = (0,)   # an operand below this is parenthesized
    arity: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "arity", len(self.grad_text))
        if not self.expr:
            object.__setattr__(self, "expr", f"{self.name}({{a}})")

    @property
    def is_function(self) -> bool:
        """Called as a function in an expression (exp(x)), not written with an operator."""
        return not self.method.startswith("__")

    def derivative(self, slot: int) -> str:
        """The local derivative for operand `slot` as text: 'd out/da = 1 - out**2'."""
        return f"d out/d{'ab'[slot]} = " + self.grad_text[slot].format(a="a", b="b", out="out")

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.math})"


# helpers that work on floats and on Values alike (a Value has .log() etc., a float does not)
def _log(x):
    return x.log() if hasattr(x, "log") else math.log(x)


def _cos(x):
    return x.cos() if hasattr(x, "cos") else math.cos(x)


def _sin(x):
    return x.sin() if hasattr(x, "sin") else math.sin(x)


def number_text(x: float) -> str:
    """A number as short as it round-trips: 2.0 -> '2', 0.5 -> '0.5'."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


# Where a forward rule is exactly a function of the operator or math module (a + b, e**a), the
# table holds that function: the same rule, called without a Python frame, and + and * are
# most of the nodes of a net
ONE_ONE = (1.0, 1.0)      # shared: + makes no new floats for its local derivatives
ONE_MINUS_ONE = (1.0, -1.0)
MINUS_ONE = (-1.0,)
ANYWHERE = (-3.0, 3.0)    # test interval of an op defined on every real number


# --- add -----------------------------------------------------------------------------------
def _add_grads(a, b, out):
    return ONE_ONE


def _add_arrays(np, a, b):
    return a + b, 1.0, 1.0


ADD = Op(name="+", method="__add__", symbol="+", math="out = a + b", forward=operator.add,
         local_grads=_add_grads, arrays=_add_arrays,
         grad_text=("1", "1"), domain=(ANYWHERE, ANYWHERE),
         expr="{a} + {b}", precedence=1, operand_precedence=(1, 1))


# --- sub: a primitive, not a + (-b): one "-" node reads better on a graph than two ---------
def _sub_grads(a, b, out):
    return ONE_MINUS_ONE


def _sub_arrays(np, a, b):
    return a - b, 1.0, -1.0


SUB = Op(name="-", method="__sub__", symbol="-", math="out = a - b", forward=operator.sub,
         local_grads=_sub_grads, arrays=_sub_arrays,
         grad_text=("1", "-1"), domain=(ANYWHERE, ANYWHERE),
         expr="{a} - {b}", precedence=1, operand_precedence=(1, 2))


# --- mul -----------------------------------------------------------------------------------
def _mul_grads(a, b, out):
    return (b, a)


def _mul_arrays(np, a, b):
    return a * b, b, a


MUL = Op(name="*", method="__mul__", symbol="*", math="out = a * b", forward=operator.mul,
         local_grads=_mul_grads, arrays=_mul_arrays,
         grad_text=("{b}", "{a}"), domain=(ANYWHERE, ANYWHERE),
         expr="{a}*{b}", precedence=2, operand_precedence=(2, 2))


# --- div: a primitive, not a * b**-1: the graph shows a/b as one node, like the hand math --
def _div(a, b):
    if b == 0:
        raise ZeroDivisionError(f"/: division by zero ({number_text(a)} / 0)")
    return a / b


def _div_grads(a, b, out):
    # -out/b rather than -a/b**2: b**2 underflows to 0 for |b| < 1e-162
    return (1.0 / b, -out / b)


def _div_arrays(np, a, b):
    out = a / b                 # inf or nan where b == 0
    return out, 1.0 / b, -out / b


DIV = Op(name="/", method="__truediv__", symbol="/", math="out = a / b", forward=_div,
         local_grads=_div_grads, arrays=_div_arrays, grad_text=("1/{b}", "-{out}/{b}"),
         domain=(ANYWHERE, (0.5, 3.0)), expr="{a}/{b}", precedence=2, operand_precedence=(2, 3))


# --- neg -----------------------------------------------------------------------------------
def _neg_grads(a, out):
    return MINUS_ONE


def _neg_arrays(np, a):
    return -a, -1.0


NEG = Op(name="neg", method="__neg__", symbol="-", math="out = -a", forward=operator.neg,
         local_grads=_neg_grads, arrays=_neg_arrays,
         grad_text=("-1",), domain=(ANYWHERE,), expr="-{a}",
         precedence=3, operand_precedence=(4,))


# --- pow with a Value exponent: a**b, both operands get a gradient -------------------------
def _pow(a, b):
    if a < 0:
        raise ValueError(f"**: base {number_text(a)} < 0 with a variable exponent: d(a**b)/db = "
                         f"a**b * ln(a) is undefined; use a constant exponent (v ** 2)")
    if a == 0 and b <= 0:
        raise ZeroDivisionError(f"**: 0 raised to the non-positive power {number_text(b)}")
    return a ** b


def _pow_grads(a, b, out):
    # float(): on Values compare the numbers (== on a Value is identity)
    if float(a) == 0:
        if float(b) < 1:
            raise ZeroDivisionError(f"**: d(a**b)/da = b * a**(b-1) is infinite at a = 0 "
                                    f"for b = {number_text(float(b))}")
        return (b * a ** (b - 1), 0.0 * out)   # d/db = out * ln(a) -> 0 as a -> 0 (b >= 1)
    return (b * a ** (b - 1), out * _log(a))


def _pow_arrays(np, a, b):
    # nan where _pow raises: a < 0 (even for b = 2), and 0 ** b for b <= 0 (numpy: 0 ** 0 = 1)
    out = np.where((a < 0) | ((a == 0) & (b <= 0)), np.nan, a ** b)
    # b * a**(b-1) is inf at a = 0 for b < 1, where _pow_grads raises; d/db is 0 * out at a = 0
    return out, b * a ** (b - 1), np.where(a == 0, 0.0 * out, out * np.log(a))


POW = Op(name="**", method="__pow__", symbol="**", math="out = a ** b", forward=_pow,
         local_grads=_pow_grads, arrays=_pow_arrays,
         grad_text=("{b} * {a}**({b} - 1)", "{out} * ln({a})"),
         domain=((0.5, 3.0), (-2.0, 2.0)), expr="{a}**{b}", precedence=4,
         operand_precedence=(5, 4))


# --- pow with a constant exponent k: one operand; the op name carries k, e.g. "**2" --------
def power(k: float) -> Op:
    """The op a ** k for a constant k (one Op per value of k: power(2) is power(2.0))."""
    return _power(float(k))


@lru_cache(maxsize=256)
def _power(k: float) -> Op:
    kt = number_text(k)
    name = "**" + kt

    def forward(a):
        if a < 0 and not k.is_integer():
            raise ValueError(f"{name}: negative base {number_text(a)} with non-integer "
                             f"exponent {kt} has no real value")
        if a == 0 and k < 0:
            raise ZeroDivisionError(f"{name}: 0 raised to the negative power {kt}")
        return a ** k

    def local_grads(a, out):
        if k == 0:
            return (0.0,)           # a**0 = 1 for every a, 0 included (as in PyTorch)
        if k < 1 and float(a) == 0:
            raise ZeroDivisionError(f"{name}: derivative {kt} * a**{number_text(k - 1)} "
                                    f"is infinite at a = 0")
        return (k * a ** (k - 1),)

    def arrays(np, a):
        # numpy gives nan for a < 0 with a non-integer k and inf for 0 ** (k < 0), where
        # forward raises, and k * 0**(k - 1) = inf for 0 < k < 1, where local_grads raises
        if k == 0:
            return np.ones_like(a), 0.0
        return a ** k, k * a ** (k - 1)

    text = {0.0: "0", 1.0: "1", 2.0: "2 * {a}"}.get(k, f"{kt} * {{a}}**{number_text(k - 1)}")
    # defined for every a when k is a whole number >= 0, else only for a > 0 (or a != 0)
    lo = -3.0 if k.is_integer() and k >= 0 else 0.5
    return Op(name=name, method="__pow__", symbol=name, math=f"out = a ** {kt}",
              forward=forward, local_grads=local_grads, arrays=arrays,
              grad_text=(text,), domain=((lo, 3.0),),
              expr="{a}" + name, precedence=4, operand_precedence=(5,))


# --- exp: math.exp raises OverflowError past a ~ 709.78; the engine names the op -----------
def _exp_grads(a, out):
    return (out,)


def _exp_arrays(np, a):
    out = np.exp(a)             # inf past a ~ 709.78, where math.exp raises
    return out, out


EXP = Op(name="exp", method="exp", symbol="exp", math="out = e**a", forward=math.exp,
         local_grads=_exp_grads, arrays=_exp_arrays, grad_text=("{out}",), domain=(ANYWHERE,))


# --- log (natural) -------------------------------------------------------------------------
def _ln(a):
    if a <= 0:
        raise ValueError(f"log: needs a > 0, got {number_text(a)}")
    return math.log(a)


def _log_grads(a, out):
    return (1.0 / a,)


def _log_arrays(np, a):
    return np.log(a), 1.0 / a   # -inf at 0, nan below


LOG = Op(name="log", method="log", symbol="log", math="out = ln(a)", forward=_ln,
         local_grads=_log_grads, arrays=_log_arrays, grad_text=("1/{a}",), domain=((0.2, 5.0),))


# --- tanh: math.tanh is exact at the tails (+-1000 -> +-1.0, derivative 0.0) ---------------
def _tanh_grads(a, out):
    return (1 - out * out,)


def _tanh_arrays(np, a):
    out = np.tanh(a)
    return out, 1 - out * out


TANH = Op(name="tanh", method="tanh", symbol="tanh", math="out = tanh(a)", forward=math.tanh,
          local_grads=_tanh_grads, arrays=_tanh_arrays,
          grad_text=("1 - {out}**2",), domain=(ANYWHERE,))


# --- sigmoid: exp of a non-positive number only, so +-1000 gives 1.0 / 0.0, never overflow ---
def _sigmoid(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_grads(a, out):
    return (out * (1 - out),)


def _sigmoid_arrays(np, a):
    e = np.exp(-np.abs(a))      # _sigmoid's two branches: e**-a for a >= 0, else e**a
    out = np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out, out * (1 - out)


SIGMOID = Op(name="sigmoid", method="sigmoid", symbol="σ", math="out = 1 / (1 + e**-a)",
             forward=_sigmoid, local_grads=_sigmoid_grads, arrays=_sigmoid_arrays,
             grad_text=("{out} * (1 - {out})",),
             domain=(ANYWHERE,))


# --- relu: relu'(0) = 0, as in PyTorch ------------------------------------------------------
def _relu(a):
    return a if a > 0 else 0.0


def _relu_grads(a, out):
    return (1.0 if out > 0 else 0.0,)


def _relu_arrays(np, a):
    out = np.maximum(a, 0.0)
    return out, 1.0 * (out > 0)     # relu'(0) = 0


RELU = Op(name="relu", method="relu", symbol="ReLU", math="out = max(0, a)", forward=_relu,
          local_grads=_relu_grads, arrays=_relu_arrays,
          grad_text=("1 if {a} > 0 else 0",), domain=(ANYWHERE,),
          kinks=(0.0,))


# --- sin -----------------------------------------------------------------------------------
def _sin_grads(a, out):
    return (_cos(a),)


def _sin_arrays(np, a):
    return np.sin(a), np.cos(a)


SIN = Op(name="sin", method="sin", symbol="sin", math="out = sin(a)", forward=math.sin,
         local_grads=_sin_grads, arrays=_sin_arrays, grad_text=("cos({a})",), domain=(ANYWHERE,))


# --- cos -----------------------------------------------------------------------------------
def _cos_grads(a, out):
    return (-_sin(a),)


def _cos_arrays(np, a):
    return np.cos(a), -np.sin(a)


COS = Op(name="cos", method="cos", symbol="cos", math="out = cos(a)", forward=math.cos,
         local_grads=_cos_grads, arrays=_cos_arrays, grad_text=("-sin({a})",), domain=(ANYWHERE,))


# --- sqrt: below 0 an error naming sqrt; at 0 the derivative is infinite, an error as **0.5 --
def _sqrt(a):
    if a < 0:
        raise ValueError(f"sqrt: needs a >= 0, got {number_text(a)}")
    return math.sqrt(a)


def _sqrt_grads(a, out):
    if float(out) == 0:
        raise ZeroDivisionError("sqrt: derivative 0.5 / sqrt(a) is infinite at a = 0")
    return (0.5 / out,)


def _sqrt_arrays(np, a):
    out = np.sqrt(a)            # nan below 0
    return out, 0.5 / out       # inf at 0, where _sqrt_grads raises


SQRT = Op(name="sqrt", method="sqrt", symbol="√", math="out = sqrt(a)", forward=_sqrt,
          local_grads=_sqrt_grads, arrays=_sqrt_arrays,
          grad_text=("0.5/{out}",), domain=((0.2, 5.0),))


# --- abs: abs'(0) = 0, as in PyTorch ---------------------------------------------------------
def _abs(a):
    return abs(a)


def _abs_grads(a, out):
    return (1.0 if a > 0 else -1.0 if a < 0 else 0.0,)


def _abs_arrays(np, a):
    return np.abs(a), np.sign(a)    # abs'(0) = 0


ABS = Op(name="abs", method="abs", symbol="|a|", math="out = |a|", forward=_abs,
         local_grads=_abs_grads, arrays=_abs_arrays,
         grad_text=("sign({a})",), domain=(ANYWHERE,), kinks=(0.0,))


# every Op defined above, in order of definition: the table
OPS: dict[str, Op] = {op.name: op for op in list(globals().values()) if isinstance(op, Op)}


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
