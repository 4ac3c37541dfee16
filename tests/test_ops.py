"""The op table, checked entry by entry: a new op in micrograd/ops.py is tested here without new
test code (only its forward reference below, one line)."""
import math
import random

import pytest

from micrograd import Value, ops
from micrograd.engine import evaluate, gradient_values

# forward references from `math`/operators, by op name
REFERENCE = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "neg": lambda a: -a,
    "**": lambda a, b: math.pow(a, b),
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sigmoid": lambda a: 1 / (1 + math.exp(-a)),
    "relu": lambda a: max(0.0, a),
    "sin": math.sin,
    "cos": math.cos,
    "sqrt": math.sqrt,
    "abs": math.fabs,
}

CONSTANT_EXPONENTS = (2, 3, -1, -2, 0.5, -0.5, 1.5, 0, 1)
ALL_OPS = list(ops.OPS.values()) + [ops.power(k) for k in CONSTANT_EXPONENTS]


def reference(op):
    if op.name in REFERENCE:
        return REFERENCE[op.name]
    k = float(op.name[2:])                  # "**k"
    return lambda a: math.pow(a, k)


def sample_points(op, n=25, seed=0):
    rng = random.Random(f"{op.name}-{seed}")
    points = []
    while len(points) < n:
        xs = tuple(rng.uniform(lo, hi) for lo, hi in op.domain)
        if all(abs(x - k) > 0.05 for x in xs for k in op.kinks or (math.inf,)) and \
                all(abs(x) > 0.05 for x in xs):
            points.append(xs)
    return points


def central_difference(f, xs, i, h=1e-6):
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def apply(op, args):
    """op applied to Values (or numbers) the way user code does: through its Value method."""
    if op.name.startswith("**") and op.arity == 1:
        return args[0] ** float(op.name[2:])
    return getattr(args[0], op.method)(*args[1:])


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_entry_is_complete(op):
    assert op.arity in (1, 2)
    assert len(op.grad_text) == op.arity == len(op.domain) == len(op.operand_precedence)
    names = {"a": "a", "b": "b", "out": "out"}
    for slot, text in enumerate(op.grad_text):
        assert text.format(**names)              # a template over {a} {b} {out}, no prose
        assert op.derivative(slot).startswith(f"d out/d{'ab'[slot]} = ")
    assert op.expr.format(**names)
    assert op.symbol and op.math.startswith("out =")
    assert ops.get(op.name) == op
    assert callable(getattr(Value, op.method))   # the one method line on Value
    with pytest.raises(Exception):
        op.name = "changed"                       # frozen: the table is read, never patched


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_forward_matches_math(op):
    ref = reference(op)
    for xs in sample_points(op):
        assert op.forward(*xs) == pytest.approx(ref(*xs), rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_local_grads_match_central_differences(op):
    for xs in sample_points(op):
        out = op.forward(*xs)
        local = op.local_grads(*xs, out)
        assert len(local) == op.arity
        for i in range(op.arity):
            numeric = central_difference(op.forward, xs, i)
            assert local[i] == pytest.approx(numeric, rel=1e-6, abs=1e-7), (op.name, xs, i)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_local_grads_work_on_values(op):
    # the same rule evaluated on Values gives the same numbers (gradients of gradients)
    for xs in sample_points(op, n=5):
        out = op.forward(*xs)
        on_floats = op.local_grads(*xs, out)
        on_values = op.local_grads(*[Value(x) for x in xs], Value(out))
        for f, v in zip(on_floats, on_values):
            v = v.data if isinstance(v, Value) else v
            assert v == pytest.approx(f, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_second_derivatives_match_central_differences(op):
    # d/dx_j of the local derivative d out/d x_i, from the gradient graph (create_graph),
    # against central differences of the table's own local-derivative rule
    for xs in sample_points(op, n=5):
        leaves = [Value(x) for x in xs]
        out = apply(op, leaves)
        first = gradient_values(out, leaves, create_graph=True)
        for i, g in enumerate(first):
            second = gradient_values(g, leaves)
            for j in range(op.arity):
                numeric = central_difference(
                    lambda *p: op.local_grads(*p, op.forward(*p))[i], xs, j)
                assert second[j].data == pytest.approx(numeric, rel=1e-5, abs=1e-6), \
                    (op.name, xs, i, j)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_node_stores_table_values(op):
    # building a node through the engine stores exactly the table's output and derivatives
    for xs in sample_points(op, n=5):
        leaves = [Value(x) for x in xs]
        node = apply(op, leaves)
        assert node.op == op.name
        assert node.children == tuple(leaves)
        assert node.data == op.forward(*xs)
        assert node.local_grads == op.local_grads(*xs, node.data)
        again = evaluate(op, *leaves)
        assert (again.op, again.children) == (node.op, node.children)
        assert (again.data, again.local_grads) == (node.data, node.local_grads)


def test_functions_are_the_tables_one_operand_ops():
    from micrograd.cli import FUNCTIONS
    assert set(FUNCTIONS) == {op.method for op in ops.OPS.values() if op.is_function}
    assert {"exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs"} <= set(FUNCTIONS)


def test_get_unknown_op():
    with pytest.raises(KeyError, match="unknown op"):
        ops.get("sinh")
    with pytest.raises(KeyError):
        ops.get("**x")


def test_power_names_round_trip():
    for k in CONSTANT_EXPONENTS + (0.1, 1e-7, 12.25):
        op = ops.power(k)
        assert ops.get(op.name).forward(1.7) == 1.7 ** float(k)
    assert ops.power(2).name == "**2" and ops.power(0.5).name == "**0.5"


def test_power_derivative_texts_need_no_rewriting():
    assert ops.power(2).derivative(0) == "d out/da = 2 * a"
    assert ops.power(3).derivative(0) == "d out/da = 3 * a**2"
    assert ops.power(1).derivative(0) == "d out/da = 1"
    assert ops.power(0).derivative(0) == "d out/da = 0"
    assert ops.power(-0.5).derivative(0) == "d out/da = -0.5 * a**-1.5"
