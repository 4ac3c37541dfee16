"""The compiled (numpy) replay backend (micrograd/compiled.py) against the float path.

Every op's array rule agrees with its float rules where those give a finite number and is not
finite where they refuse; compiled replay of random DAGs and of a whole training run gives the
float path's numbers to 1e-12; every error is the float path's own, with the same restore; and
micrograd still imports without numpy.
"""
import math
import random
import re
import subprocess
import sys
import threading

import pytest

np = pytest.importorskip("numpy")

from micrograd import Value, backward_order, ops  # noqa: E402
from micrograd.engine import evaluate  # noqa: E402
from micrograd.replay import ReplayError, record, worth_compiling  # noqa: E402

from exprs import VALUE_LIB, output, random_program  # noqa: E402

CONSTANT_EXPONENTS = (2, 3, -1, -2, 0.5, -0.5, 1.5, 0, 1)
ALL_OPS = list(ops.OPS.values()) + [ops.power(k) for k in CONSTANT_EXPONENTS]
TINY = 5e-324


def close(x: float, y: float, rel: float = 1e-12) -> bool:
    """x and y agree to `rel` of their size (or both are 0; a subnormal result to 1 ulp)."""
    return x == y or abs(x - y) <= rel * max(abs(x), abs(y)) or abs(x - y) <= 2 * TINY


# --- every array rule against its float rules ---------------------------------------------
EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.7, -3.7, 1e-8, -1e-8, 1e-160, 1e-300,
         TINY, -TINY, 2.2e-308, 1e154, 1e155, -1e155, 1e300, -1e300, 1.7e308, -1.7e308,
         709.78, 709.8, -709.8, 710.0, -745.2, -746.0, 354.0, 356.0, 20.0, -20.0, 1000.0,
         -1000.0, math.pi, 1e16, 0.1]


def points(op):
    rng = random.Random(f"arrays-{op.name}")
    randoms = [rng.uniform(-5, 5) for _ in range(40)] + [rng.uniform(0, 5) for _ in range(20)]
    if op.arity == 1:
        return [(x,) for x in EDGES + randoms]
    grid = [(a, b) for a in EDGES for b in EDGES]
    return grid + [(rng.choice(randoms), rng.choice(randoms)) for _ in range(300)]


def float_rule(op, xs):
    """(out, local derivatives) from the float rules, or None where they refuse."""
    try:
        out = op.forward(*xs)
        local = op.local_grads(*xs, out)
    except (ArithmeticError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (out, *local)):
        return None             # the engine refuses it: overflow
    return out, local


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.name)
def test_array_rule_agrees_with_the_float_rules(op):
    assert op.arrays is not None, f"{op.name} has no array rule"
    xs = points(op)
    columns = [np.array(c, dtype=np.float64) for c in zip(*xs)]
    with np.errstate(all="ignore"):
        out, *local = op.arrays(np, *columns)
    assert out.shape == (len(xs),) and out.dtype == np.float64
    assert len(local) == op.arity
    local = [np.broadcast_to(np.asarray(d, dtype=np.float64), out.shape) for d in local]
    for k, x in enumerate(xs):
        want = float_rule(op, x)
        got = [float(out[k])] + [float(d[k]) for d in local]
        if want is None:
            assert not all(map(math.isfinite, got)), (op.name, x, got)
        else:
            assert close(got[0], want[0], 1e-13), (op.name, x, got, want)
            # the derivatives, given the same output: 1 - out**2 turns a last-bit difference
            # between numpy's tanh and math.tanh into 1e-12 of a small derivative
            same_out = op.local_grads(*x, got[0])
            assert all(close(g, e, 1e-13) for g, e in zip(got[1:], same_out)), \
                (op.name, x, got, same_out)


def test_array_rules_at_the_documented_edges():
    def rule(op, *xs):
        with np.errstate(all="ignore"):
            out, *local = op.arrays(np, *[np.array([x]) for x in xs])
        return [float(out[0])] + [float(np.broadcast_to(d, (1,))[0]) for d in local]

    assert math.isnan(rule(ops.POW, -2.0, 2.0)[0])             # a < 0 even for b = 2
    assert not math.isfinite(rule(ops.POW, 0.0, 0.0)[0])       # 0 ** 0: _pow refuses
    assert not math.isfinite(rule(ops.POW, 0.0, -1.0)[0])
    assert rule(ops.POW, 0.0, 2.0) == [0.0, 0.0, 0.0]          # d/db at 0 is 0 * out
    assert not math.isfinite(rule(ops.POW, 0.0, 0.5)[1])       # b * 0**(b-1)
    assert rule(ops.RELU, 0.0) == [0.0, 0.0]                   # relu'(0) = 0
    assert rule(ops.ABS, 0.0)[1] == 0.0 and rule(ops.ABS, -0.0)[1] == 0.0
    assert rule(ops.power(0), 0.0) == [1.0, 0.0]               # x**0 at 0
    assert rule(ops.power(0), -0.0) == [1.0, 0.0]
    assert not math.isfinite(rule(ops.power(-1), -0.0)[0])
    assert not math.isfinite(rule(ops.power(0.5), 0.0)[1])     # sqrt'(0)
    assert not math.isfinite(rule(ops.SQRT, 0.0)[1])
    assert not math.isfinite(rule(ops.EXP, 709.8)[0])
    assert not math.isfinite(rule(ops.DIV, 1.0, TINY)[2])      # -out/b overflows
    assert not math.isfinite(rule(ops.LOG, -0.0)[0])
    assert rule(ops.SIGMOID, -1000.0)[0] == 0.0 and rule(ops.SIGMOID, 1000.0)[0] == 1.0


def test_ops_never_import_numpy():
    code = ("import sys, micrograd, micrograd.replay, micrograd.ops; "
            "assert 'numpy' not in sys.modules, 'numpy imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_compile_without_numpy_names_the_package():
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from micrograd import Value\nfrom micrograd.replay import record\n"
            "x = Value(1.0, 'x')\n"
            "try:\n    record(x * 2, {'x': x}, compiled=True)\n"
            "except ImportError as e:\n    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install numpy" in r.stdout and "micrograd-lab[torch]" in r.stdout


def test_an_op_without_array_rule_cannot_be_compiled(monkeypatch):
    twice = ops.Op(name="twice", method="__add__", symbol="2x", math="out = 2 * a",
                   forward=lambda a: 2 * a, local_grads=lambda a, out: (2.0,),
                   grad_text=("2",), domain=(ops.ANYWHERE,))
    monkeypatch.setitem(ops.OPS, "twice", twice)
    x = Value(1.0, "x")
    root = evaluate(twice, x * 3).tanh()
    tape = record(root, {"x": x})
    with pytest.raises(ValueError, match="op 'twice' has no array rule"):
        tape.compile()
    assert not tape.compiled
    assert tape.forward({"x": 2.0}) == math.tanh(12.0)          # the float path still works


# --- compiled replay against the float path ---------------------------------------------------
def two_tapes(build):
    """The same graph built twice, one recorded for the float path and one compiled."""
    (root_p, inputs_p, leaves_p), (root_c, inputs_c, leaves_c) = build(), build()
    return ((record(root_p, inputs_p), leaves_p),
            (record(root_c, inputs_c, compiled=True), leaves_c))


def assert_same_state(pure, compiled, rel=1e-12):
    """Root value, every leaf grad, and after sync() every node, to rel."""
    assert close(compiled.root.data, pure.root.data, rel)
    for a, b in zip(pure.leaves, compiled.leaves):
        assert close(b.grad, a.grad, rel), (a, b)
    compiled.sync()
    for a, b in zip(backward_order(pure.root), backward_order(compiled.root)):
        assert a.op == b.op
        assert close(b.data, a.data, rel), (a, b)
        assert close(b.grad, a.grad, rel), (a, b)
        assert all(close(y, x, rel) for x, y in zip(a.local_grads, b.local_grads)), (a, b)
        assert all(type(x) is float for x in (b.data, b.grad, *b.local_grads))


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_compiled_match_the_float_path(seed):
    rng = random.Random(f"compiled-{seed}")
    program = random_program(rng, n_leaves=4, n_steps=rng.choice([10, 30, 60]))
    start = [rng.uniform(-2, 2) for _ in range(4)]

    def build():
        xs = [Value(x, f"x{i}") for i, x in enumerate(start)]
        root, _ = output(program, xs, VALUE_LIB)
        used = set(map(id, backward_order(root)))
        return root, {f"x{i}": x for i, x in enumerate(xs[:2]) if id(x) in used}, xs

    (pure, leaves_p), (comp, leaves_c) = two_tapes(build)
    for step in range(4):
        data = {name: rng.uniform(-2, 2) for name in pure.inputs}
        shift = rng.uniform(-0.1, 0.1)
        for p, c in zip(leaves_p[2:], leaves_c[2:]):       # x2, x3: parameters, moved in place
            p.data += shift
            c.data += shift
        outcome = []
        for tape in (pure, comp):
            try:
                outcome.append(tape.forward(data))
                tape.backward()
            except (ArithmeticError, ValueError) as e:
                outcome.append((type(e), str(e)))
        if isinstance(outcome[0], tuple):                   # refused: the same error
            assert outcome[1][0] is outcome[0][0]
            continue
        assert_same_state(pure, comp)


def test_shared_operands_and_repeated_indices():
    # one weight read by every sample at one level (np.add.at), x*x and x+x (an operand twice),
    # consecutive and scattered operands, a leaf root and a constant root
    def build():
        w, b = Value(0.3, "w"), Value(-0.1, "b")
        xs = [Value(0.1 * i - 1, f"x{i}") for i in range(40)]
        zs = [(w * x + b).tanh() for x in xs]
        ys = [z * z + z + zs[-1 - i] * w for i, z in enumerate(zs)]
        root = sum(ys[::3]) + sum(ys[1::3]) * 0.5 + (w + w) * (b * b)
        return root, {f"x{i}": x for i, x in enumerate(xs)}, [w, b, *xs]

    (pure, _), (comp, _) = two_tapes(build)
    for k in range(3):
        data = {f"x{i}": math.sin(i + k) for i in range(40)}
        for tape in (pure, comp):
            tape.forward(data)
            tape.backward()                 # grads accumulate over the three steps
        assert_same_state(pure, comp)


def test_a_leaf_as_root():
    x = Value(2.0, "x")
    tape = record(x, {"x": x}, compiled=True)
    assert tape.forward({"x": 5.0}) == 5.0
    tape.backward()
    tape.backward()
    assert x.grad == 2.0 and tape.depth == 0 and not worth_compiling(tape)


def test_inner_nodes_are_stale_until_sync_and_leaves_are_current():
    x, w = Value(1.0, "x"), Value(2.0, "w")
    h = w * x
    root = h.exp()
    tape = record(root, {"x": x}, compiled=True)
    assert tape.forward({"x": 0.5}) == math.exp(1.0) == root.data
    tape.backward()
    assert (h.data, h.grad) == (2.0, 0.0)           # stale: still the recorded graph's
    assert w.grad == 0.5 * math.exp(1.0)            # leaves' gradients are current
    tape.sync([h, w])                               # some nodes (a leaf is skipped)
    assert (h.data, h.local_grads, h.grad) == (1.0, (0.5, 2.0), math.exp(1.0))
    assert root.grad == 0.0                         # not asked for
    tape.sync()
    assert root.grad == 1.0 and root.local_grads == (math.exp(1.0),)
    with pytest.raises(ValueError, match="not in the compiled graph"):
        tape.sync([Value(3.0)])
    tape.backward()
    assert w.grad == 2 * 0.5 * math.exp(1.0)        # accumulates, like Value.backward


def test_compile_is_idempotent_and_backward_before_forward_is_the_float_path():
    x, w = Value(1.0, "x"), Value(2.0, "w")
    tape = record((w * x).tanh(), {"x": x})
    assert tape.compile() is tape and tape.compile() is tape and tape.compiled
    tape.backward()                                 # no compiled forward yet: the Values' numbers
    assert w.grad == 1 - math.tanh(2.0) ** 2
    assert "compiled" in repr(tape)


def test_parameters_updated_in_place_are_read_by_each_forward():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    tape = record((w * x).tanh(), {"x": x}, compiled=True)
    w.data = 0.1
    assert tape.forward() == math.tanh(0.1 * 2.0)
    w.data = -0.2
    assert tape.forward({"x": 1.0}) == math.tanh(-0.2)


def test_levels_depth_and_worth_compiling():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    a = x * y                   # level 1
    b = a + x                   # level 2
    c = (a * 2).tanh()          # levels 2 (the constant 2 is a leaf), 3
    tape = record(b * c, {})
    assert sorted(tape.levels) == [1, 2, 2, 3, 4]
    assert dict(zip(map(id, tape.nodes), tape.levels))[id(b)] == 2
    assert tape.depth == 4 and not worth_compiling(tape)
    wide = record(sum((Value(i) * x).relu() for i in range(400)), {})
    assert worth_compiling(wide) is False           # a sum is a chain: 401 levels
    xs = [Value(float(i)) for i in range(4000)]
    pair = [(xi * x).tanh() * y for xi in xs]
    assert worth_compiling(record(pair[0] + pair[1], {})) is False
    from nn import MLP
    model = MLP(2, [16, 16, 1], seed=0)
    batch = [model([Value(0.1 * i), Value(-0.1 * i)])[0] for i in range(32)]
    assert worth_compiling(record(sum(batch), {}))


# --- errors: the float path's own, with the same restore ---------------------------------
def both_raise(pure, comp, inputs):
    errors = []
    for tape in (pure, comp):
        with pytest.raises((ArithmeticError, ValueError)) as e:
            tape.forward(inputs)
        errors.append(e.value)
    assert type(errors[1]) is type(errors[0])
    assert str(errors[1]) == str(errors[0])
    return errors[0]


ERROR_GRAPHS = {
    "log(-1)": (lambda x, w: (x * w - 1).log(), {"x": 0.0}, "log: needs a > 0, got -1"),
    "log(0)": (lambda x, w: (x * w).log() + x, {"x": 0.0}, "log: needs a > 0, got 0"),
    "exp overflow": (lambda x, w: (x * w).exp() * 2, {"x": 800.0}, "exp: result overflows"),
    "exp at 709.8": (lambda x, w: (x * w).exp(), {"x": 709.8}, "exp: result overflows"),
    "division by zero": (lambda x, w: w / (x - 1) + x, {"x": 1.0}, "division by zero"),
    "derivative of 1/b": (lambda x, w: w / x, {"x": 1e-160}, "local derivative overflows"),
    "sqrt'(0)": (lambda x, w: (x * w).sqrt(), {"x": 0.0}, "sqrt: derivative"),
    "sqrt(-1)": (lambda x, w: (x * w).sqrt(), {"x": -1.0}, "sqrt: needs a >= 0"),
    "pow, negative base": (lambda x, w: (x - 1.5) ** w, {"x": 1.0}, r"\*\*: base -0.5 < 0"),
    "0 ** -1": (lambda x, w: (x - 1) ** (w - 2), {"x": 1.0}, "0 raised to the non-positive"),
    "x ** -1 at 0": (lambda x, w: (x * w) ** -1, {"x": 0.0}, "negative power"),
    "x ** 0.5 below 0": (lambda x, w: (x * w) ** 0.5, {"x": -1.0}, "no real value"),
    "x ** 1.5 at 1e300": (lambda x, w: x ** 1.5 * w, {"x": 1e300}, "overflows"),
    "mul overflow": (lambda x, w: (x * x * w).tanh(), {"x": 1e200}, "result overflows"),
}


@pytest.mark.parametrize("name", list(ERROR_GRAPHS))
def test_a_failed_compiled_forward_raises_the_float_paths_error_and_restores(name):
    f, bad, message = ERROR_GRAPHS[name]

    def build():
        x, w = Value(2.0, "x"), Value(1.0, "w")
        return f(x, w), {"x": x}, [x, w]

    (pure, leaves_p), (comp, leaves_c) = two_tapes(build)
    for tape in (pure, comp):
        tape.forward({"x": 2.0})
        tape.forward({"x": 3.0})
    e = both_raise(pure, comp, bad)
    assert re.search(message, str(e)) and "replaying: nothing changed" in str(e)
    for a, b in zip(backward_order(pure.root), backward_order(comp.root)):
        assert (a.data, a.local_grads) == (b.data, b.local_grads)   # both restored alike
    assert leaves_c[0].data == 3.0
    for tape in (pure, comp):                       # the tape works on after it
        tape.forward({"x": 2.5})
        tape.backward()
    assert_same_state(pure, comp)


def test_a_graph_that_cannot_be_computed_again_refuses_when_compiled():
    x, w = Value(1.0, "x"), Value(1.0, "w")
    tape = record((x * w).exp(), {"x": x}, compiled=True)
    tape.forward({"x": 2.0})
    w.data = 400.0
    with pytest.raises(ReplayError, match="record it again"):
        tape.forward({"x": 3.0})
    with pytest.raises(ReplayError, match="record it again"):
        tape.backward()


def test_bad_inputs_are_refused_as_on_the_float_path():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    tape = record(x * y, {"x": x, "y": y}, compiled=True)
    with pytest.raises(ReplayError, match=r"unknown input\(s\) 'z'"):
        tape.forward({"x": 1.0, "y": 2.0, "z": 3.0})
    with pytest.raises(ReplayError, match=r"missing input\(s\) 'y'"):
        tape.forward({"x": 1.0})
    with pytest.raises(ValueError, match="replay input 'y'.*finite"):
        tape.forward({"x": 5.0, "y": math.inf})
    with pytest.raises(TypeError, match="replay input 'x'"):
        tape.forward({"x": "1", "y": 2.0})
    assert (x.data, y.data) == (1.0, 2.0)
    assert tape.forward({"x": 3.0, "y": 4.0}) == 12.0


def overflowing_backward(x):
    # values stay finite (x * 1e-300 * 1e200 * 1e200 = x * 1e100), but d root/d(x * 1e-300)
    # is 1e400
    u = x * 1e-300
    return (u * 1e200) * 1e200


def test_backward_overflow_raises_the_engines_error_and_changes_no_leaf():
    def build():
        x = Value(1.0, "x")
        return overflowing_backward(x), {"x": x}, [x]

    (pure, leaves_p), (comp, leaves_c) = two_tapes(build)
    errors = []
    for tape, leaves in ((pure, leaves_p), (comp, leaves_c)):
        tape.forward({"x": 2.0})
        for leaf in tape.leaves:
            leaf.grad = 0.5
        with pytest.raises(OverflowError, match="backward: gradient inf at") as e:
            tape.backward()
        errors.append(str(e.value))
        assert [leaf.grad for leaf in tape.leaves] == [0.5] * len(tape.leaves)
        assert all(n.grad == 0.0 for n in tape.nodes)       # nothing partial to read
    assert errors[0] == errors[1]
    comp.sync()                                             # no inf is written back
    assert all(math.isfinite(n.grad) for n in comp.nodes)


def test_numpy_refusing_what_the_float_rules_accept_falls_back(monkeypatch):
    # an array rule that (against the contract) is never finite: forward and backward take the
    # float path for that step and give its numbers
    def nan_rule(np, a):
        return a * np.nan, 2.0
    twice = ops.Op(name="twice", method="__add__", symbol="2x", math="out = 2 * a",
                   forward=lambda a: 2 * a, local_grads=lambda a, out: (2.0,), arrays=nan_rule,
                   grad_text=("2",), domain=(ops.ANYWHERE,))
    monkeypatch.setitem(ops.OPS, "twice", twice)
    x, w = Value(1.0, "x"), Value(0.5, "w")
    root = evaluate(twice, x * w).tanh()
    tape = record(root, {"x": x}, compiled=True)
    assert tape.forward({"x": 2.0}) == math.tanh(2.0)
    tape.backward()
    assert w.grad == (1 - math.tanh(2.0) ** 2) * 2 * 2.0
    assert root.grad == 1.0                                 # the float pass wrote the graph


# --- a whole training run: karpathy's demo --------------------------------------------------
def demo_run(compiled: bool, steps: int = 100):
    from nn import MLP
    rng = random.Random(0)
    X = [[rng.uniform(-2, 2), rng.uniform(-1.5, 1.5)] for _ in range(100)]
    y = [1.0 if a * a + b > 0.5 else -1.0 for a, b in X]
    model = MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()
    names = [[f"x[{i}][{j}]" for j in range(2)] for i in range(100)]
    xs = [[Value(v, n) for v, n in zip(row, rn)] for row, rn in zip(X, names)]
    losses = [(1 + -yi * model(row)[0]).relu() for row, yi in zip(xs, y)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
    tape = record(total, {v.label: v for row in xs for v in row}, compiled=compiled)
    feed = {n: v for row, rn in zip(X, names) for v, n in zip(row, rn)}
    history = []
    for k in range(steps):
        history.append(tape.forward(feed))
        for p in params:
            p.grad = 0.0
        tape.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= lr * p.grad
    return history, [p.data for p in params], tape


def test_training_the_demo_compiled_matches_the_float_path():
    pure_losses, pure_params, _ = demo_run(False)
    comp_losses, comp_params, tape = demo_run(True)
    assert len(tape.nodes) > 60000 and worth_compiling(tape)
    assert all(close(c, p) for c, p in zip(comp_losses, pure_losses))
    assert all(close(c, p) for c, p in zip(comp_params, pure_params))
    assert comp_losses[-1] < 0.5 * comp_losses[0]


# --- threads ---------------------------------------------------------------------------------
def test_two_threads_on_one_compiled_tape_serialize(busy_switching):
    from nn import MLP
    model = MLP(3, [8, 1], seed=2)
    xs = [[Value(0.1 * (i + j), f"x{i}.{j}") for j in range(3)] for i in range(16)]
    root = sum(model(row)[0] for row in xs) * (1 / 16)
    names = [v.label for row in xs for v in row]
    tape = record(root, {n: v for n, v in zip(names, (v for row in xs for v in row))},
                  compiled=True)
    feeds = [{n: math.sin(k + i) for i, n in enumerate(names)} for k in range(6)]
    expected = [tape.forward(feed) for feed in feeds]       # sequential: the reference
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    tape.forward(feeds[0])
    tape.backward()
    one = [p.grad for p in params]
    errors = []

    def hammer(i):
        try:
            for k in range(30):
                j = (i + k) % len(feeds)
                assert tape.forward(feeds[j]) == expected[j]    # each call whole
        except BaseException as e:          # noqa: BLE001
            errors.append(e)

    def backwards(i):
        try:
            for _ in range(20):
                tape.backward()
        except BaseException as e:          # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    # backward in two threads after one forward: 40 passes, each adding the same gradient
    tape.forward(feeds[0])
    for p in params:
        p.grad = 0.0
    threads = [threading.Thread(target=backwards, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    sequential = [0.0] * len(one)
    for _ in range(40):
        sequential = [s + g for s, g in zip(sequential, one)]
    assert [p.grad for p in params] == sequential


def test_program_build_time_is_linear():
    # a wide graph of ~150k nodes compiles in well under two seconds
    import time
    from nn import MLP
    model = MLP(64, [32, 10], seed=3)
    rng = random.Random(1)
    xs = [[Value(rng.uniform(0, 16), f"x{i}.{j}") for j in range(64)] for i in range(32)]
    root = sum(o for row in xs for o in model(row))
    tape = record(root, {v.label: v for row in xs for v in row})
    start = time.perf_counter()
    tape.compile()
    elapsed = time.perf_counter() - start
    assert len(tape.nodes) > 150000
    assert elapsed < 2.0, elapsed
    feed = {v.label: v.data for row in xs for v in row}
    pure = record(root, {v.label: v for row in xs for v in row}).forward(feed)
    assert close(tape.forward(feed), pure)
