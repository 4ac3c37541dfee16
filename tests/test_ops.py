"""The op table, checked entry by entry: a new op in micrograd/ops.py is tested here without new
test code (only its forward reference below, one line)."""
import math
import random

import pytest

from micrograd import Value, ops

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
}

CONSTANT_EXPONENTS = (2, 3, -1, -2, 0.5, -0.5, 1.5, 0)
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
        if all(abs(x) > 0.05 for x in xs):  # keep clear of kinks (relu at 0)
            points.append(xs)
    return points


def central_difference(f, xs, i, h=1e-6):
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_entry_is_complete(op):
    assert op.arity in (1, 2)
    assert len(op.grad_text) == op.arity == len(op.domain)
    assert all(text.startswith("d") and "=" in text for text in op.grad_text)
    assert op.symbol and op.math.startswith("out =")
    assert ops.get(op.name).name == op.name


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
    # the same rule evaluated on Values gives the same numbers (gradients of gradients later)
    for xs in sample_points(op, n=5):
        out = op.forward(*xs)
        on_floats = op.local_grads(*xs, out)
        on_values = op.local_grads(*[Value(x) for x in xs], Value(out))
        for f, v in zip(on_floats, on_values):
            v = v.data if isinstance(v, Value) else v
            assert v == pytest.approx(f, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_node_stores_table_values(op):
    # building a node through the engine stores exactly the table's output and derivatives
    from micrograd.engine import _apply1, _apply2
    apply = _apply1 if op.arity == 1 else _apply2
    for xs in sample_points(op, n=5):
        leaves = [Value(x) for x in xs]
        node = apply(op, *leaves)
        assert node.op == op.name
        assert node.children == tuple(leaves)
        assert node.data == op.forward(*xs)
        assert node.local_grads == op.local_grads(*xs, node.data)


def test_get_unknown_op():
    with pytest.raises(KeyError, match="unknown op"):
        ops.get("sin")
    with pytest.raises(KeyError):
        ops.get("**x")


def test_power_names_round_trip():
    for k in CONSTANT_EXPONENTS + (0.1, 1e-7, 12.25):
        op = ops.power(k)
        assert ops.get(op.name).forward(1.7) == 1.7 ** float(k)
    assert ops.power(2).name == "**2" and ops.power(0.5).name == "**0.5"
