"""Graph replay (micrograd/replay.py): re-running a recorded graph on new data must give exactly
(==, not approximately) the values and gradients that building the graph again gives, for every
op in the table and for random DAGs with shared subexpressions; misuse gives clear errors."""
import math
import random

import pytest

from micrograd import Value, backward_order, ops
from micrograd.engine import evaluate
from micrograd.replay import Replay, ReplayError, record, same_shape

from exprs import VALUE_LIB, output, random_program

CONSTANT_EXPONENTS = (2, 3, -1, -2, 0.5, -0.5, 1.5, 0)
ALL_OPS = list(ops.OPS.values()) + [ops.power(k) for k in CONSTANT_EXPONENTS]


def snapshot(root: Value) -> list[tuple]:
    """Every node's op, value, local derivatives and gradient, in backward order."""
    return [(n.op, n.data, n.local_grads, n.grad) for n in backward_order(root)]


def zero_leaf_grads(tape: Replay) -> None:
    # leaf gradients accumulate across backward calls (as with Value.backward); a fresh graph's
    # leaves (inputs, constants) start from 0, so start the replayed ones from 0 too
    for leaf in tape.leaves:
        leaf.grad = 0.0


# --- every op in the table -------------------------------------------------------------------
def op_graph(op, xs, c):
    """A graph with `op` applied to two (or one) named leaves, fed into more nodes so the op's
    node gets a nontrivial gradient; c is a parameter leaf."""
    leaves = {f"x{i}": Value(x, f"x{i}") for i, x in enumerate(xs)}
    args = list(leaves.values())
    node = evaluate(op, *args)
    root = (node * c + node * node * 0.25 + c).tanh()
    return root, leaves


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_every_op_replays_exactly(op):
    rng = random.Random(f"replay-{op.name}")
    draw = lambda: tuple(rng.uniform(lo, hi) for lo, hi in op.domain)   # noqa: E731
    c = Value(0.7, "c")
    root, leaves = op_graph(op, draw(), c)
    tape = record(root, leaves)
    for _ in range(6):
        xs = draw()
        c.data = rng.uniform(-1.0, 1.0)
        # the normal path: a new graph on the new data
        c.grad = 0.0
        fresh_root, fresh_leaves = op_graph(op, xs, c)
        fresh_root.backward()
        expected, expected_c = snapshot(fresh_root), c.grad
        # the replayed graph, same data
        zero_leaf_grads(tape)
        got = tape.forward({f"x{i}": x for i, x in enumerate(xs)})
        tape.backward()
        assert got == fresh_root.data
        assert snapshot(root) == expected
        assert c.grad == expected_c
        assert [leaves[k].grad for k in leaves] == [fresh_leaves[k].grad for k in fresh_leaves]


# --- random DAGs with shared subexpressions ---------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_replay_exactly(seed):
    rng = random.Random(seed)
    program = random_program(rng, n_leaves=4, n_steps=30)
    params = [Value(rng.uniform(-1, 1), f"p{i}") for i in range(2)]
    # (programs whose output ignores both data inputs are still compared: inputs may be empty)

    def build(data):
        xs = [Value(x, f"x{i}") for i, x in enumerate(data)]
        root, _ = output(program, xs + params, VALUE_LIB)
        used = set(backward_order(root))        # a random program may leave an input unused
        return root, {f"x{i}": x for i, x in enumerate(xs) if x in used}

    root, inputs = build([rng.uniform(-2, 2) for _ in range(2)])
    tape = record(root, inputs)
    for _ in range(5):                      # several data sets, parameters moved in between
        data = [rng.uniform(-2, 2) for _ in range(2)]
        for p in params:
            p.data += rng.uniform(-0.1, 0.1)
        before = [p.grad for p in params]
        fresh, fresh_inputs = build(data)
        fresh.backward()
        expected = snapshot(fresh)
        expected_params = [p.grad for p in params]
        zero_leaf_grads(tape)
        for p, g in zip(params, before):    # replay must accumulate onto the same starting grads
            p.grad = g
        tape.forward({name: data[int(name[1:])] for name in inputs})
        tape.backward()
        assert snapshot(root) == expected
        assert [p.grad for p in params] == expected_params
        assert [x.grad for x in inputs.values()] == [x.grad for x in fresh_inputs.values()]


def test_replay_builds_no_nodes():
    x, w = Value(1.0, "x"), Value(0.5, "w")
    root = (w * x + 1).relu() * x
    nodes = backward_order(root)
    tape = record(root, {"x": x})
    tape.forward({"x": -3.0})
    tape.backward()
    assert backward_order(root) == nodes                # the same objects, the same wiring
    assert root.data == (0.5 * -3.0 + 1 if 0.5 * -3.0 + 1 > 0 else 0.0) * -3.0
    assert w.grad == 0.0                                # relu is off at this input


def test_relu_sign_flips_are_replayed():
    # relu's derivative depends on the sign, but the shape does not: replay follows the data
    x = Value(2.0, "x")
    root = x.relu() * 3
    tape = record(root, {"x": x})
    for value, grad in ((2.0, 3.0), (-1.0, 0.0), (0.0, 0.0), (5.0, 3.0)):
        x.grad = 0.0
        assert tape.forward({"x": value}) == 3 * max(value, 0.0)
        tape.backward()
        assert x.grad == grad


def test_leaf_gradients_accumulate_like_backward():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    root = w * x
    tape = record(root, {"x": x})
    tape.forward({"x": 2.0})
    tape.backward()
    tape.backward()
    assert w.grad == 4.0 and x.grad == 6.0
    assert root.grad == 1.0


def test_forward_without_inputs_reuses_data_and_sees_parameter_updates():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    tape = record((w * x).tanh(), {"x": x})
    w.data = 0.1                                        # an optimizer step, in place
    assert tape.forward() == math.tanh(0.1 * 2.0)


def test_training_loop_matches_normal_path():
    # a few steps of gradient descent: the replayed loss trajectory is identical
    rng = random.Random(3)
    data = [([rng.uniform(-1, 1), rng.uniform(-1, 1)], rng.choice([-1.0, 1.0])) for _ in range(8)]

    def make_params():
        r = random.Random(7)
        return [Value(r.uniform(-1, 1)) for _ in range(9)]

    def loss_of(params, xs):
        w1, w2, b1, v1, v2, b2, u1, u2, c = params
        total = 0
        for (x0, x1), y in zip(xs, [t for _, t in data]):
            h1 = (w1 * x0 + w2 * x1 + b1).tanh()
            h2 = (v1 * x0 + v2 * x1 + b2).relu()
            total = total + (1 + -y * (u1 * h1 + u2 * h2 + c)).relu()
        return total * (1 / len(data))

    def train(use_replay):
        params = make_params()
        xs = [[Value(a), Value(b)] for (a, b), _ in data]
        names = {f"x{i}.{j}": v for i, row in enumerate(xs) for j, v in enumerate(row)}
        tape = record(loss_of(params, xs), names) if use_replay else None
        losses = []
        for _ in range(10):
            for p in params:
                p.grad = 0.0
            if use_replay:
                losses.append(tape.forward({k: v.data for k, v in names.items()}))
                tape.backward()
            else:
                loss = loss_of(params, [[Value(a), Value(b)] for (a, b), _ in data])
                losses.append(loss.data)
                loss.backward()
            for p in params:
                p.data -= 0.5 * p.grad
        return losses, [p.data for p in params]

    assert train(True) == train(False)


# --- errors ------------------------------------------------------------------------------------
def test_unknown_and_missing_inputs():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    tape = record(x * y, {"x": x, "y": y})
    with pytest.raises(ReplayError, match=r"unknown input\(s\) 'z'.*recorded inputs: 'x', 'y'"):
        tape.forward({"x": 1.0, "y": 2.0, "z": 3.0})
    with pytest.raises(ReplayError, match=r"missing input\(s\) 'y'"):
        tape.forward({"x": 1.0})
    assert x.data == 1.0 and y.data == 2.0              # nothing changed


def test_bad_input_values_change_nothing():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    tape = record(x * y, {"x": x, "y": y})
    with pytest.raises(ValueError, match="replay input 'y'.*finite"):
        tape.forward({"x": 5.0, "y": math.nan})
    with pytest.raises(TypeError, match="replay input 'x'.*str"):
        tape.forward({"x": "1", "y": 2.0})
    assert x.data == 1.0 and y.data == 2.0


class _LyingFloat(float):
    """A float subclass whose arithmetic claims every value is finite."""

    def __sub__(self, other):
        return 0.0


@pytest.mark.parametrize("bad,error", [
    (math.inf, ValueError), (-math.inf, ValueError), (math.nan, ValueError),
    (_LyingFloat("inf"), ValueError), (_LyingFloat("nan"), ValueError),
    (None, TypeError), ([1.0], TypeError), (1j, TypeError), (10 ** 400, ValueError),
    (-(10 ** 400), ValueError),
])
def test_every_non_finite_or_non_number_input_is_refused_by_name(bad, error):
    # the fast path takes exact finite floats only; everything else meets the engine's check
    x, y = Value(1.0, "x"), Value(2.0, "y")
    tape = record(x * y, {"x": x, "y": y})
    with pytest.raises(error, match="replay input 'y'"):
        tape.forward({"x": 5.0, "y": bad})
    assert x.data == 1.0 and y.data == 2.0 and tape.root.data == 2.0


def test_numbers_that_are_not_floats_are_converted():
    import fractions
    x, y = Value(1.0, "x"), Value(2.0, "y")
    tape = record(x * y, {"x": x, "y": y})
    assert tape.forward({"x": 3, "y": fractions.Fraction(1, 4)}) == 0.75
    assert x.data.__class__ is float and y.data.__class__ is float


def test_record_rejects_bad_inputs():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    inner = x * y
    root = inner + 1
    with pytest.raises(ReplayError, match="not a leaf"):
        record(root, {"inner": inner})
    with pytest.raises(ReplayError, match="not in the graph"):
        record(root, {"z": Value(3.0, "z")})
    with pytest.raises(ReplayError, match="same leaf"):
        record(root, {"a": x, "b": x})
    with pytest.raises(TypeError, match="must be a Value"):
        record(root, {"x": 1.0})
    with pytest.raises(TypeError, match="root must be a Value"):
        record(1.0, {})
    assert isinstance(record(root), Replay)             # no inputs: parameters only


def test_failed_forward_names_the_op_and_changes_nothing():
    x = Value(2.0, "x")
    root = (x - 1).log()
    tape = record(root, {"x": x})
    with pytest.raises(ValueError, match=r"log: needs a > 0, got -1.*replaying: nothing changed"):
        tape.forward({"x": 0.0})
    assert x.data == 2.0 and root.data == 0.0           # the values before the call
    tape.backward()                                      # the graph is whole: x = 2
    assert x.grad == 1.0
    assert tape.forward({"x": 3.0}) == math.log(2.0)   # valid data after it
    tape.backward()
    assert x.grad == 1.5


def test_overflow_is_reported_like_the_engine():
    x = Value(1.0, "x")
    tape = record((x * 1.0).exp(), {"x": x})
    with pytest.raises(OverflowError, match=r"exp: result overflows a float \(exp\(1000.0\)\)"):
        tape.forward({"x": 1000.0})
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        record(1 / x, {"x": x}).forward({"x": 0.0})


def test_same_shape_detects_data_dependent_branches():
    def branchy(v):                     # a Python `if` on the data: the graph changes shape
        return v * 2 if v.data > 0 else (v + 1).exp()

    a, b, c = Value(1.0), Value(2.0), Value(-1.0)
    assert same_shape(branchy(a), branchy(b))
    assert not same_shape(branchy(a), branchy(c))
    assert not same_shape(a * b, a * b + 0)
    assert not same_shape(a * b, b * b)                 # different wiring, same ops


def test_replay_refuses_an_overflowing_local_derivative_as_building_does():
    x = Value(1.0, "x")
    y = 1 / x
    tape = record(y, {"x": x})
    with pytest.raises(OverflowError, match="local derivative overflows"):
        1 / Value(1e-160)                            # building the graph refuses it...
    with pytest.raises(OverflowError, match=r"/: local derivative overflows .*replaying"):
        tape.forward({"x": 1e-160})                  # ...and so does replaying it
    assert (x.data, y.data, y.local_grads) == (1.0, 1.0, (1.0, -1.0))   # as before the call


# --- a failed replay never leaves a mix of old and new values -----------------------------------
def _mlp_tape():
    from nn import MLP
    model = MLP(2, [4, 4, 1], activation="tanh", seed=5)
    xs = [Value(0.3, "a"), Value(-0.2, "b")]
    out = model(xs)[0]
    root = (out - 0.25).exp().log() + (xs[0] * xs[1] + 2).log()   # log's domain on the inputs
    return model, xs, root, record(root, {"a": xs[0], "b": xs[1]})


def _state(root):
    return [(n.data, n.local_grads) for n in backward_order(root)]


@pytest.mark.parametrize("bad", [
    {"a": 10.0, "b": -1.0},         # a*b + 2 = -8: log's domain, at the last nodes
    {"a": float("nan"), "b": 0.0},  # refused before anything is set
    {"a": 1e308, "b": 1e308},       # a*b overflows (inf), in the middle of the graph
    {"a": -2.0, "b": 1.0},          # a*b + 2 = 0: log(0)
])
def test_a_failed_forward_restores_every_node(bad):
    model, xs, root, tape = _mlp_tape()
    tape.forward({"a": 0.5, "b": 0.4})
    before = _state(root)
    try:
        tape.forward(bad)
    except (ArithmeticError, ValueError):
        pass
    else:                                           # a case the graph happens to accept
        tape.forward({"a": 0.5, "b": 0.4})
    assert _state(root) == before                   # bit for bit: no mix of old and new
    assert [v.data for v in xs] == [0.5, 0.4]


def test_after_a_failed_forward_every_use_of_the_graph_is_consistent():
    from micrograd import explain, grad
    model, xs, root, tape = _mlp_tape()
    tape.forward({"a": 0.5, "b": 0.4})
    for p in model.parameters():                    # an optimizer step between two forwards
        p.data += 0.01
    with pytest.raises(ValueError, match="log"):
        tape.forward({"a": -2.0, "b": 1.0})
    # the graph is computed again from the previous inputs with the current parameters:
    # exactly what building it anew gives
    fresh_xs = [Value(0.5, "a"), Value(0.4, "b")]
    fresh = (model(fresh_xs)[0] - 0.25).exp().log() + (fresh_xs[0] * fresh_xs[1] + 2).log()
    assert root.data == fresh.data
    assert [g.data for g in grad(root, xs)] == [g.data for g in grad(fresh, fresh_xs)]
    assert explain(root, xs[0]).grad == explain(fresh, fresh_xs[0]).grad
    root.backward()
    tape.backward()


def test_a_graph_that_cannot_be_computed_again_refuses():
    x, w = Value(1.0, "x"), Value(1.0, "w")
    root = (x * w).exp()
    tape = record(root, {"x": x})
    tape.forward({"x": 2.0})
    w.data = 400.0                                  # exp(2 * 400) overflows from now on
    with pytest.raises(ReplayError, match="could not|partial") as e:
        tape.forward({"x": 3.0})
    assert "record it again" in str(e.value)
    with pytest.raises(ReplayError, match="record it again"):
        tape.backward()
