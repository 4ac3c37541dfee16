"""Derivatives of derivatives and forward mode: `grad`, `hessian`, `jvp` and `jacobian`.

What is checked:
- every op of the table (`ops.OPS` and the constant powers `ops.power(k)`): first, second and
  third derivatives for every operand and every mix (d2/da db, d3/da db da, ...) against PyTorch
  float64 double and triple backward, at points drawn from the op's domain away from its kinks;
  without torch, the mixed partials are symmetric and each third derivative matches central
  differences of the second;
- Hessians of hand-written functions, of one function that uses every op of the table and of
  random expression DAGs (tests/exprs.py) against torch.autograd.functional.hessian;
- jvp against gradient . tangent (backward()) and against torch.func.jvp;
- jacobian: reverse and forward mode agree, match torch, and take m and n passes;
- grad's contract: no .grad read or written, 0 for an input not in the graph, a Value for a
  Value and a list for a list, labels of the results, drawing and explaining them;
- adversarial inputs: wrong types, bad tangents and modes, create_graph inside no_grad,
  overflow, 200,000-node chains, a value used twice.

Nothing here names an op: the op tests are generated from the table, so a new entry is tested
as soon as it is in `ops.py` (torch must have a function or operator of the same name).
Tests that need torch take the `torch` fixture and are skipped without it.
"""
import gc
import itertools
import math
import operator
import random

import pytest

from exprs import VALUE_LIB, output, random_program, torch_lib
from micrograd import Value, backward_order, draw_dot, explain, grad, hessian, is_grad_enabled, \
    jacobian, jvp, no_grad, ops

# --- the table, as test cases -----------------------------------------------------------------
POWERS = (2, 3, -1, 0.5, -0.5, 1.5, 0, 1)
# (op, k): k is the constant exponent of a power op (applied as x ** k), else None
CASES = [(op, None) for op in ops.OPS.values()] + [(ops.power(k), k) for k in POWERS]
CASE_IDS = [op.name for op, _ in CASES]
POINTS_PER_OP = 6
MAX_ORDER = 3
NUMERIC_ERRORS = (OverflowError, ValueError, ZeroDivisionError)   # the engine's refusals


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def apply_value(case, args):
    """The op on Values, as user code writes it: its Value method, or ** k."""
    op, k = case
    if k is not None:
        return args[0] ** k
    return getattr(args[0], op.method)(*args[1:])


def apply_torch(torch, case, args):
    """The same op on tensors: the operator of the same dunder name, or torch.<method>."""
    op, k = case
    if k is not None:
        return args[0] ** k
    if op.is_function:
        return getattr(torch, op.method)(*args)
    return getattr(operator, op.method)(*args)


def sample_points(op, n=POINTS_PER_OP):
    """n points in op's domain (one coordinate per operand), each 0.05 clear of its kinks."""
    rng = random.Random(f"higher-order {op.name}")
    points = []
    while len(points) < n:
        xs = tuple(rng.uniform(lo, hi) for lo, hi in op.domain)
        if all(abs(x - k) > 0.05 for x in xs for k in op.kinks):
            points.append(xs)
    return points


def operand_sequences(arity, max_order=MAX_ORDER):
    """(), (0,), (1,), (0, 0), (0, 1), ...: which operand each differentiation is by."""
    for order in range(max_order + 1):
        yield from itertools.product(range(arity), repeat=order)


def close(a, b, rel=1e-9, floor=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + floor


# --- derivatives of every order, on Values and on tensors ----------------------------------------
def value_derivatives(case, point):
    """{(i, j, ...): d^n out/d x_i d x_j ...} through grad(..., create_graph=True)."""
    leaves = [Value(x, name) for x, name in zip(point, "ab")]
    found = {(): apply_value(case, leaves)}
    for seq in operand_sequences(len(point)):
        if seq:
            found[seq] = grad(found[seq[:-1]], leaves[seq[-1]], create_graph=True)
    return {seq: g.data for seq, g in found.items()}


def torch_grad(torch, y, x):
    """dy/dx as a tensor that can be differentiated again (0 where y does not depend on x)."""
    if y.requires_grad:
        (g,) = torch.autograd.grad(y, x, create_graph=True, allow_unused=True)
        if g is not None:
            return g
    return torch.zeros((), dtype=torch.float64)


def torch_derivatives(torch, case, point):
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    found = {(): apply_torch(torch, case, leaves)}
    for seq in operand_sequences(len(point)):
        if seq:
            found[seq] = torch_grad(torch, found[seq[:-1]], leaves[seq[-1]])
    return {seq: g.item() for seq, g in found.items()}


def seq_text(op, seq):
    return "out" if not seq else f"d{len(seq)} out/" + " ".join(f"d{'ab'[i]}" for i in seq)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_op_derivatives_to_third_order_match_torch(case, torch):
    op, _ = case
    for point in sample_points(op):
        mine = value_derivatives(case, point)
        theirs = torch_derivatives(torch, case, point)
        assert len(mine) == sum(op.arity ** n for n in range(MAX_ORDER + 1))
        for seq, expected in theirs.items():
            assert close(mine[seq], expected), \
                f"{op.name} at {point}: {seq_text(op, seq)} = {mine[seq]!r}, torch {expected!r}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_op_mixed_partials_commute_and_third_order_matches_differences(case):
    # no torch needed: d2/da db = d2/db da, and d/dx_i of each second derivative agrees with a
    # central difference of it (so the third derivatives are derivatives of the second ones)
    op, _ = case
    h = 1e-5
    for point in sample_points(op):
        mine = value_derivatives(case, point)
        for seq in operand_sequences(op.arity, 2):
            if len(seq) == 2:
                assert close(mine[seq], mine[seq[::-1]], rel=1e-12), (op.name, point, seq)
                for i in range(op.arity):
                    up, down = list(point), list(point)
                    up[i] += h
                    down[i] -= h
                    diff = (value_derivatives(case, up)[seq]
                            - value_derivatives(case, down)[seq]) / (2 * h)
                    third = mine[seq + (i,)]
                    assert abs(diff - third) <= 1e-5 * (1 + abs(third)), (op.name, point, seq, i)


def test_every_case_is_derived_from_the_table():
    # a new table entry is a new case, with a torch counterpart of the same name
    assert [op for op, k in CASES if k is None] == list(ops.OPS.values())
    assert all(op.arity == len(op.domain) for op, _ in CASES)
    assert len(CASES) == len(ops.OPS) + len(POWERS)


def test_every_table_op_has_a_torch_counterpart_of_the_same_name(torch):
    for op, k in CASES:
        if k is None:
            assert callable(getattr(torch if op.is_function else operator, op.method)), op


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_op_domain_is_where_op_and_its_derivatives_are_defined(case):
    # the domain promises "defined and smooth" there: a grid over it (its ends and 0 included
    # when inside) gives finite derivatives up to the second
    op, _ = case
    grids = []
    for lo, hi in op.domain:
        grid = [lo + (hi - lo) * i / 24 for i in range(25)]
        grids.append(grid + [0.0] if lo < 0 < hi else grid)
    for point in itertools.product(*grids):
        if any(abs(x - k) < 1e-9 for x in point for k in op.kinks):
            continue
        leaves = [Value(x) for x in point]
        first = grad(apply_value(case, leaves), leaves, create_graph=True)
        for g in first:
            assert all(math.isfinite(s.data) for s in grad(g, leaves)), (op.name, point)


# --- Hessians against torch -------------------------------------------------------------------
# written with methods and operators only, so the same function runs on Values and on tensors
FUNCTIONS = {
    "rosenbrock": (lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2, [-1.2, 1.0]),
    "trig_exp": (lambda x, y: (x * y).sin() + (x - y).cos() * (0.5 * x).exp(), [0.3, -0.7]),
    "ratio_log": (lambda x, y, z: (x * x + 1).log() / (y.sigmoid() + z * z) + x ** y.tanh(),
                  [1.3, 0.4, -0.8]),
    "roots_abs": (lambda x, y, z: (x * x + y * y + 0.5).sqrt() * z.abs() - (x - z).relu() ** 3,
                  [0.9, -0.3, 0.6]),
    "four": (lambda a, b, c, d: (a * b - c / (d * d + 1)).tanh() * (a + d).sigmoid()
             + (b * c) ** -1 + (a * c).exp() ** 0.5, [0.2, -0.9, 1.1, 0.4]),
}


def to_domain(u, interval):
    """u (any real, a Value or tensor) squeezed into the open interval: mid + 0.4 width tanh(u)."""
    lo, hi = interval
    return (lo + hi) / 2 + 0.4 * (hi - lo) * u.tanh()


def every_op(apply, xs, kinked=None):
    """sum over the table's cases of x_i * op(operands mixed from the inputs into its domain)."""
    n = len(xs)
    total = 0
    for c, (op, _) in enumerate(CASES):
        args = [to_domain(xs[(c + s) % n] - 0.5 * xs[(c + s + 1) % n] + 0.1 * c, interval)
                for s, interval in enumerate(op.domain)]
        if kinked is not None:
            kinked.extend((float(a.data), k) for a in args for k in op.kinks)
        total = total + xs[c % n] * apply(CASES[c], args)
    return total


def every_op_points(n, count=3):
    """count input points of size n where no operand of a kinked op is near its kink."""
    rng = random.Random(f"every op {n}")
    points = []
    while len(points) < count:
        xs = [rng.uniform(-1.5, 1.5) for _ in range(n)]
        kinked = []
        every_op(apply_value, [Value(x) for x in xs], kinked)
        if all(abs(a - k) > 0.05 for a, k in kinked):
            points.append(xs)
    return points


def torch_hessian(torch, f, xs):
    ts = tuple(torch.tensor(x, dtype=torch.float64) for x in xs)
    rows = torch.autograd.functional.hessian(f, ts)
    return [[h.item() for h in row] for row in rows]


def assert_matrices_close(mine, theirs, rel, what):
    scale = max(abs(v) for row in theirs for v in row)
    assert len(mine) == len(theirs) and all(len(r) == len(s) for r, s in zip(mine, theirs))
    for i, (row, expected_row) in enumerate(zip(mine, theirs)):
        for j, (a, b) in enumerate(zip(row, expected_row)):
            # relative, with a floor for entries that cancel to near 0 next to large ones
            assert close(a, b, rel=rel, floor=rel * 1e-3 * scale + 1e-12), \
                f"{what}: [{i}][{j}] = {a!r}, torch {b!r}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_hessian_of_functions_matches_torch(name, torch):
    f, xs = FUNCTIONS[name]
    mine = hessian(f, xs)
    assert_matrices_close(mine, torch_hessian(torch, f, xs), 1e-9, name)
    assert_matrices_close(mine, [list(r) for r in zip(*mine)], 1e-12, name + " symmetry")


@pytest.mark.parametrize("n", [2, 3, 4])
def test_hessian_of_a_function_of_every_op_matches_torch(n, torch):
    for xs in every_op_points(n):
        mine = hessian(lambda *v: every_op(apply_value, v), xs)
        theirs = torch_hessian(torch, lambda *t: every_op(
            lambda case, args: apply_torch(torch, case, args), t), xs)
        assert_matrices_close(mine, theirs, 1e-9, f"every op at {xs}")


def dag(program, lib):
    return lambda *leaves: output(program, list(leaves), lib)[0]


def finite_dag(seed, n_leaves, compute, steps=(3, 25)):
    """(program, xs, compute(program, xs)) for the first random DAG the engine computes
    without refusing (overflow, log of a negative, ...): deterministic per seed."""
    rng = random.Random(seed)
    while True:
        xs = [rng.uniform(-2, 2) for _ in range(n_leaves)]
        program = random_program(rng, n_leaves, rng.randrange(*steps))
        try:
            return program, xs, compute(program, xs)
        except NUMERIC_ERRORS:
            continue


@pytest.mark.parametrize("seed", range(24))
def test_hessian_of_random_dags_matches_torch(seed, torch):
    n = 2 + seed % 3
    program, xs, mine = finite_dag(seed, n, lambda p, xs: hessian(dag(p, VALUE_LIB), xs))
    theirs = torch_hessian(torch, dag(program, torch_lib()), xs)
    assert_matrices_close(mine, theirs, 1e-9, f"program {program} at {xs}")


# --- jvp --------------------------------------------------------------------------------------
def gradient_of(program, xs):
    leaves = [Value(x) for x in xs]
    out = dag(program, VALUE_LIB)(*leaves)
    out.backward()
    return out.data, [v.grad for v in leaves]


@pytest.mark.parametrize("seed", range(40))
def test_jvp_is_gradient_dot_tangent_on_random_dags(seed):
    n = 1 + seed % 4
    program, xs, (value, gradient) = finite_dag(seed, n, gradient_of)
    rng = random.Random(-seed)
    for _ in range(3):
        tangent = [rng.uniform(-2, 2) for _ in range(n)]
        got_value, slope = jvp(dag(program, VALUE_LIB), xs, tangent)
        terms = [g * t for g, t in zip(gradient, tangent)]
        assert got_value == value
        # relative to the terms summed: the two passes add the same products in another order
        assert abs(slope - sum(terms)) <= 1e-12 * sum(map(abs, terms)) + 1e-300, \
            (program, xs, tangent, slope, sum(terms))


# torch.func warns about its own use of torch.jit.script: not ours to fix
TORCH_FUNC_NOISE = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def torch_jvp(torch, f, xs, tangent):
    primals = tuple(torch.tensor(x, dtype=torch.float64) for x in xs)
    tangents = tuple(torch.tensor(t, dtype=torch.float64) for t in tangent)
    value, slope = torch.func.jvp(f, primals, tangents)
    if isinstance(value, tuple):
        return [v.item() for v in value], [s.item() for s in slope]
    return value.item(), slope.item()


@TORCH_FUNC_NOISE
@pytest.mark.parametrize("seed", range(16))
def test_jvp_on_random_dags_matches_torch(seed, torch):
    n = 1 + seed % 4
    program, xs, _ = finite_dag(seed + 1000, n, gradient_of)
    tangent = [random.Random(seed).uniform(-2, 2) for _ in range(n)]
    value, slope = jvp(dag(program, VALUE_LIB), xs, tangent)
    t_value, t_slope = torch_jvp(torch, dag(program, torch_lib()), xs, tangent)
    assert close(value, t_value, rel=1e-12) and close(slope, t_slope, rel=1e-12), (program, xs)


@TORCH_FUNC_NOISE
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jvp_of_functions_matches_torch(name, torch):
    f, xs = FUNCTIONS[name]
    tangent = [0.5 - i for i in range(len(xs))]
    value, slope = jvp(f, xs, tangent)
    t_value, t_slope = torch_jvp(torch, f, xs, tangent)
    assert close(value, t_value, rel=1e-12) and close(slope, t_slope, rel=1e-12)


@TORCH_FUNC_NOISE
def test_jvp_of_several_outputs_matches_torch(torch):
    def f(x, y):
        return [x * y, (x - y).exp(), x.sin() ** 2]
    value, slope = jvp(f, [0.7, -0.2], [1.5, 0.25])
    t_value, t_slope = torch_jvp(torch, lambda x, y: tuple(f(x, y)), [0.7, -0.2], [1.5, 0.25])
    assert all(close(a, b, rel=1e-12) for a, b in zip(value, t_value))
    assert all(close(a, b, rel=1e-12) for a, b in zip(slope, t_slope))


# --- jacobian ---------------------------------------------------------------------------------
def vector_dag(programs, lib):
    return lambda *leaves: [output(p, list(leaves), lib)[0] for p in programs]


def finite_vector_dag(seed, n, m):
    def compute(program, xs):
        rng = random.Random(repr(program))
        programs = [program] + [random_program(rng, n, rng.randrange(3, 15)) for _ in range(m - 1)]
        return programs, jacobian(vector_dag(programs, VALUE_LIB), xs, mode="reverse")
    program, xs, (programs, reverse) = finite_dag(seed, n, compute)
    return programs, xs, reverse


SHAPES = [(1, 3), (3, 1), (2, 4), (4, 2), (2, 3), (3, 2), (4, 1), (1, 2)]   # (n inputs, m outputs)


@pytest.mark.parametrize("n, m", SHAPES)
def test_jacobian_modes_agree_match_torch_and_count_passes(n, m, torch):
    for seed in range(3):
        programs, xs, reverse = finite_vector_dag(seed * 100 + n * 10 + m, n, m)
        forward = jacobian(vector_dag(programs, VALUE_LIB), xs, mode="forward")
        assert (reverse.mode, reverse.passes, forward.mode, forward.passes) == \
            ("reverse", m, "forward", n)
        assert len(reverse) == len(forward) == m and all(len(r) == n for r in reverse + forward)
        for row_r, row_f in zip(reverse, forward):
            for a, b in zip(row_r, row_f):
                assert close(a, b, rel=1e-12, floor=1e-300), (programs, xs)
        f_t = vector_dag(programs, torch_lib())
        rows = torch.autograd.functional.jacobian(
            lambda *t: tuple(f_t(*t)), tuple(torch.tensor(x, dtype=torch.float64) for x in xs))
        assert_matrices_close(reverse, [[e.item() for e in row] for row in rows], 1e-12,
                              f"{programs} at {xs}")


def test_jacobian_of_inputs_themselves_and_a_repeated_output():
    def f(x, y):
        p = x * y
        return [x, y, p, p]
    for mode in ("reverse", "forward"):
        assert jacobian(f, [2.0, 3.0], mode=mode) == [[1, 0], [0, 1], [3, 2], [3, 2]]


# --- grad's contract --------------------------------------------------------------------------
SENTINEL = -123.25


def example_graph():
    x, y, z = Value(0.6, "x"), Value(-1.1, "y"), Value(2.0, "z")
    u = x * y + x              # x used three times
    out = (u.tanh() * u + (y / z).exp() - x ** 3).sigmoid()
    out.label = "out"
    return out, [x, y, z]


def mark(nodes):
    for node in nodes:
        node.grad = SENTINEL


def assert_marked(nodes):
    changed = [node for node in nodes if node.grad != SENTINEL]
    assert not changed, f"{len(changed)} .grad changed, e.g. {changed[0]!r}"


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_reads_and_writes_no_grad(create_graph):
    out, xs = example_graph()
    nodes = backward_order(out)
    mark(nodes)
    first = grad(out, xs, create_graph=create_graph)
    assert_marked(nodes)
    expected = [v.data for v in grad(*example_graph())]    # a fresh graph: same numbers
    assert [g.data for g in first] == expected
    if create_graph:
        second_nodes = [n for g in first for n in backward_order(g)]
        mark(second_nodes)
        for g in first:
            grad(g, xs, create_graph=True)
            grad(g, xs)
        assert_marked(second_nodes)
    hessian(lambda *v: (v[0] * v[1]).tanh() + v[2], xs)      # Values as xs: read, not touched
    jvp(lambda *v: v[0] * v[1] * v[2], xs, [1.0, 1.0, 1.0])
    jacobian(lambda *v: [v[0] * v[1], v[2]], xs, mode="forward")
    assert_marked(nodes)


def test_grad_matches_backward_and_gradients_after_it():
    out, xs = example_graph()
    expected = [g.data for g in grad(out, xs)]
    out.backward()
    assert [v.grad for v in xs] == expected
    again = [g.data for g in grad(out, xs, create_graph=True)]
    assert all(close(a, b, rel=1e-14, floor=0) for a, b in zip(again, expected))
    assert [v.grad for v in xs] == expected


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_of_an_input_not_in_the_graph_is_zero(create_graph):
    x, unused = Value(0.5, "x"), Value(3.0, "w")
    y = (x * x).exp()
    g = grad(y, unused, create_graph=create_graph)
    assert isinstance(g, Value) and g.data == 0.0
    assert grad(g, x).data == 0.0 and grad(g, unused).data == 0.0
    assert [v.data for v in grad(y, [unused, x, unused])] == [0.0, 2 * 0.5 * y.data, 0.0]
    assert grad(Value(2.0), x, create_graph=create_graph).data == 0.0    # a lone constant


@pytest.mark.parametrize("create_graph", [False, True])
def test_grad_returns_a_value_for_a_value_and_a_list_for_a_sequence(create_graph):
    x, y = Value(1.5, "x"), Value(-2.0, "y")
    f = x * y + x
    assert isinstance(grad(f, x, create_graph=create_graph), Value)
    for inputs in ([x], (x, y), [y, x, y], iter([x, y])):
        got = grad(f, inputs, create_graph=create_graph)
        assert isinstance(got, list) and all(isinstance(g, Value) for g in got)
    assert [g.data for g in grad(f, (x, y))] == [-1.0, 1.5]
    assert grad(f, []) == []


def test_results_of_create_graph_can_be_drawn_and_explained():
    x = Value(0.5, "x")
    y = x.tanh()
    y.label = "y"
    dy = grad(y, x, create_graph=True)
    assert dy.label == "dy/dx"
    assert dy.data == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)
    source = draw_dot(dy).source                # DOT source only: nothing is rendered
    assert source.startswith("digraph") and "dy/dx" in source and "tanh" in source
    d2y = grad(dy, x, create_graph=True)
    assert d2y.label == "d(dy/dx)/dx"
    text = str(explain(dy, x))
    assert text.startswith("d(dy/dx)/dx = ")
    assert explain(dy, x).grad == d2y.data
    assert d2y.data == pytest.approx(-2 * math.tanh(0.5) * (1 - math.tanh(0.5) ** 2), rel=1e-14)
    assert "d(dy/dx)/dx" in draw_dot(d2y).source
    assert grad(d2y, x).label == "d(d(dy/dx)/dx)/dx"


def test_labels_of_results_made_by_the_pass_and_of_the_users_own_nodes():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    p = x * y
    p.label = "p"
    gx, gy = grad(p, [x, y], create_graph=True)
    assert gx is y and gy is x                    # d(x*y)/dx is y itself: keeps its label
    assert (gx.label, gy.label) == ("y", "x")
    e = (x * 0.5).exp()                           # unlabelled: d e/d(x*0.5) is e itself
    u = e.children[0]
    assert grad(e, u, create_graph=True) is e and e.label == ""
    q = x * x * y                                 # no label: the output is called f
    assert grad(q, x, create_graph=True).label == "df/dx"
    assert grad(q, x).label == "df/dx"
    assert grad(q, Value(1.0)).label == ""        # an unlabelled input: no label
    assert grad(p, x * 1.0).label == ""
    assert grad(p, p).label == "dp/dp" and grad(p, p).data == 1.0


def test_a_gradient_shared_by_two_inputs_is_never_labelled_for_just_one():
    # d f/da and d f/db are one node here (a + b passes its gradient on unchanged): at c421392
    # it came back labelled 'df/da' for b too
    a, b = Value(0.3, "a"), Value(0.4, "b")
    f = (a + b).tanh()
    f.label = "f"
    ga, gb = grad(f, [a, b], create_graph=True)
    assert ga.data == gb.data == pytest.approx(1 - math.tanh(0.7) ** 2, rel=1e-15)
    assert ga.label in ("", "df/da") and gb.label in ("", "df/db")
    assert grad(f, b, create_graph=True).label == "df/db"     # alone, it is labelled


# --- adversarial ------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda x, y: (1.0, x), lambda x, y: (None, x), lambda x, y: ([y], x),
    lambda x, y: (y.data, x), lambda x, y: (y, 1.0), lambda x, y: (y, [1.0]),
    lambda x, y: (y, [x, 2]), lambda x, y: (y, [None]), lambda x, y: (y, "x"),
    lambda x, y: (y, 3),
], ids=["float_output", "none_output", "list_output", "data_output", "float_input",
        "float_in_list", "int_after_value", "none_in_list", "string", "int_input"])
def test_grad_refuses_non_values(call):
    x = Value(1.0, "x")
    output_, inputs = call(x, x * x)
    for create_graph in (False, True):
        with pytest.raises(TypeError):
            grad(output_, inputs, create_graph=create_graph)


@pytest.mark.parametrize("inputs", [[1.0], ["x"], (None,)])
def test_grad_says_which_input_is_not_a_value(inputs):
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="grad: inputs must be Values, got .* at position 0"):
        grad(x * x, inputs)
    with pytest.raises(TypeError, match="grad: output must be a Value, got float"):
        grad((x * x).data, x)


def test_grad_names_itself_for_a_bare_number_as_inputs():
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="grad: inputs"):
        grad(x * x, 2.0)


@pytest.mark.parametrize("f", [
    lambda x, y: [x * y],                  # a list, even of one Value
    lambda x, y: [x, y],
    lambda x, y: (x * y, x),
    lambda x, y: [],
    lambda x, y: 2.0,
    lambda x, y: None,
], ids=["one_element_list", "list", "tuple", "empty_list", "float", "none"])
def test_hessian_refuses_f_not_returning_one_value(f):
    with pytest.raises(TypeError, match="hessian"):
        hessian(f, [1.0, 2.0])


@pytest.mark.parametrize("xs", [1.0, Value(1.0), [math.nan, 1.0], [1.0, math.inf], ["a", 1.0]])
def test_hessian_refuses_bad_points(xs):
    with pytest.raises((TypeError, ValueError), match="hessian"):
        hessian(lambda x, y: x * y, xs)


@pytest.mark.parametrize("tangent", [[1.0], [1.0, 2.0, 3.0], [], 1.0])
def test_jvp_refuses_a_tangent_of_the_wrong_length(tangent):
    with pytest.raises(ValueError, match="one tangent per input"):
        jvp(lambda x, y: x * y, [1.0, 2.0], tangent)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_jvp_refuses_a_non_finite_tangent(bad):
    with pytest.raises(ValueError, match=r"jvp: tangent\[1\]"):
        jvp(lambda x, y: x * y, [1.0, 2.0], [1.0, bad])


@pytest.mark.parametrize("bad", ["1", None, [1.0]])
def test_jvp_refuses_a_tangent_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match=r"jvp: tangent\[0\]"):
        jvp(lambda x, y: x * y, [1.0, 2.0], [bad, 0.0])


def test_jvp_overflowing_tangent_is_an_error_naming_the_node():
    with pytest.raises(OverflowError, match=r"tangent inf at .*op '\*'"):
        jvp(lambda x: (x * 1e200) * 1e200, [1e-200], [1.0])
    with pytest.raises(OverflowError, match="tangent"):
        jvp(lambda x: x * 1e300, [1.0], [1e300])


@pytest.mark.parametrize("mode", ["Reverse", "backward", "", None, 1, "fwd"])
def test_jacobian_refuses_a_bad_mode(mode):
    with pytest.raises(ValueError, match="mode"):
        jacobian(lambda x: [x, x * x], [1.0], mode=mode)


def flat(x):
    return [y for item in x for y in flat(item)] if isinstance(x, (list, tuple)) else [x]


def right_inside_no_grad(compute, expected):
    """Inside no_grad(): the tools that need a graph build it anyway (as PyTorch's
    create_graph and torch.func do) and give the right answer, never a silent 0 from a graph
    no_grad() did not build; the block is still in force after."""
    with no_grad():
        got = compute()
        assert not is_grad_enabled()
    assert flat(got) == pytest.approx(flat(expected), rel=1e-14)


def test_create_graph_inside_no_grad_builds_the_graph():
    x = Value(0.5, "x")
    y = x.sin() * x                                   # built outside: a graph
    d2 = -math.sin(0.5) * 0.5 + 2 * math.cos(0.5)
    right_inside_no_grad(lambda: grad(grad(y, x, create_graph=True), x).data, d2)
    right_inside_no_grad(lambda: [g.data for g in grad(grad(y, [x], create_graph=True)[0], [x])],
                     [d2])
    right_inside_no_grad(lambda: hessian(lambda v: v ** 3, [2.0]), [[12.0]])
    with no_grad():
        # without create_graph no graph is needed: first derivatives just work
        assert grad(y, x).data == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5), rel=1e-15)
        assert (x * x).children == ()                 # and no_grad still builds nothing
    assert grad(grad(y, x, create_graph=True), x).data == pytest.approx(d2, rel=1e-14)


def test_jvp_and_jacobian_inside_no_grad_build_their_graph():
    # at c421392 these built no graph in f and silently returned 0 (torch's give the derivative)
    right_inside_no_grad(lambda: jvp(lambda v: v * v, [3.0], [1.0]), (9.0, 6.0))
    right_inside_no_grad(lambda: jvp(lambda v, w: [v * w, v + w], [2.0, 3.0], [1.0, 0.0]),
                     ([6.0, 5.0], [3.0, 1.0]))
    for mode in ("reverse", "forward"):
        right_inside_no_grad(lambda: jacobian(lambda v, w: [v * w, v + w], [2.0, 3.0], mode=mode),
                         [[3.0, 2.0], [1.0, 1.0]])


def test_overflow_in_a_gradient_names_the_node_instead_of_returning_inf():
    x = Value(1e-200, "x")
    y = (x * 1e200) * 1e200                # y = 1e200 is finite; dy/dx = 1e400 is not
    with pytest.raises(OverflowError, match=r"gradient inf at 'x'"):
        grad(y, x)
    with pytest.raises(OverflowError, match=r"overflows"):
        grad(y, x, create_graph=True)
    x = Value(1e-160, "x")
    f = (x * 1e160) ** 3                   # f = 1, f' = 3e160, f'' = 6e320: only f'' overflows
    g = grad(f, x, create_graph=True)
    assert g.data == pytest.approx(3e160, rel=1e-14)
    with pytest.raises(OverflowError, match=r"gradient inf at 'x'"):
        grad(g, x)
    with pytest.raises(OverflowError, match=r"overflows"):
        grad(g, x, create_graph=True)
    with pytest.raises(OverflowError, match="gradient"):
        hessian(lambda v: (v * 1e160) ** 3, [1e-160])
    with pytest.raises(OverflowError, match="gradient"):
        jacobian(lambda v: [(v * 1e200) * 1e200], [1e-200])


def test_a_failed_create_graph_pass_leaves_the_graph_as_it_was():
    x = Value(1e-160, "x")
    g = grad((x * 1e160) ** 3, x, create_graph=True)     # fine: 3e160; its derivative is not
    nodes = backward_order(g)

    def held_values(node):      # Values a node keeps alive other than its operands
        return [r for r in gc.get_referents(node)
                if isinstance(r, Value) and all(r is not c for c in node.children)]

    assert not any(held_values(n) for n in nodes)
    with pytest.raises(OverflowError):
        grad(g, x, create_graph=True)
    assert not any(held_values(n) for n in nodes), "partial gradients left in the graph"


DEPTH = 200_000


def test_grad_and_second_derivative_through_a_200000_node_chain():
    x = Value(0.3, "x")
    c = 1 + 1e-6
    y = x
    for _ in range(DEPTH):
        y = y * c
    top = y.tanh()
    scale = c ** DEPTH                     # y = scale * x, by the same float products
    assert grad(top, x).data == pytest.approx(scale * (1 - top.data ** 2), rel=1e-9)
    g = grad(top, x, create_graph=True)    # itself a graph ~200,000 nodes deep
    assert g.data == pytest.approx(scale * (1 - top.data ** 2), rel=1e-9)
    second = grad(g, x)
    assert second.data == pytest.approx(-2 * scale ** 2 * top.data * (1 - top.data ** 2),
                                        rel=1e-9)
    z = x
    for _ in range(DEPTH):
        z = z + 1.0
    sq = z * z                             # (x + N)**2: d2 = 2 through the whole chain
    dz = grad(sq, x, create_graph=True)
    assert dz.data == 2 * z.data and grad(dz, x).data == 2.0
    assert grad(grad(dz, x, create_graph=True), x).data == 0.0


def test_jvp_and_jacobian_through_a_200000_node_chain():
    c = 1 + 1e-6

    def chain(v, w):
        for _ in range(DEPTH // 2):
            v = v * c + w * 1e-6
        return v

    power = c ** (DEPTH // 2)               # v_N = c^N v + w (c^N - 1) 1e-6 / (c - 1)
    value, slope = jvp(chain, [0.5, 2.0], [1.0, 0.0])
    assert value == pytest.approx(power * 0.5 + 2.0 * (power - 1), rel=1e-8)
    assert slope == pytest.approx(power, rel=1e-9)
    forward = jacobian(lambda v, w: [chain(v, w)], [0.5, 2.0], mode="forward")
    reverse = jacobian(lambda v, w: [chain(v, w)], [0.5, 2.0], mode="reverse")
    assert forward[0][0] == pytest.approx(slope, rel=1e-12)
    assert forward[0][1] == pytest.approx(power - 1, rel=1e-8)
    assert reverse[0] == pytest.approx(forward[0], rel=1e-12)


def test_hessian_through_a_deep_chain():
    n = 20_000

    def chain(v, w):
        for _ in range(n):
            v = v * 0.9999 + 1e-5 * (v * w)
        return v.sin()

    v, w = 0.5, 1.0
    h = hessian(chain, [v, w])
    # f = sin(V), V = v p^n with p = 0.9999 + 1e-5 w: H = -sin V dV dV^T + cos V d2V
    p = 0.9999 + 1e-5 * w
    V = v * p ** n
    dV = [p ** n, v * n * p ** (n - 1) * 1e-5]
    d2V = [[0.0, n * p ** (n - 1) * 1e-5], [n * p ** (n - 1) * 1e-5,
                                            v * n * (n - 1) * p ** (n - 2) * 1e-10]]
    expected = [[-math.sin(V) * dV[i] * dV[j] + math.cos(V) * d2V[i][j] for j in range(2)]
                for i in range(2)]
    assert flat(h) == pytest.approx(flat(expected), rel=1e-8)


# a value used twice: both edges count, in every order
def test_second_derivatives_of_a_value_used_twice():
    x = Value(1.7, "x")
    cases = {                                # f, f', f'', f'''
        "x*x": (x * x, 2 * 1.7, 2.0, 0.0),
        "x+x": (x + x, 2.0, 0.0, 0.0),
        "x-x": (x - x, 0.0, 0.0, 0.0),
        "x/x": (x / x, 0.0, 0.0, 0.0),
        "x*x*x": (x * x * x, 3 * 1.7 ** 2, 6 * 1.7, 6.0),
    }
    for name, (f, *expected) in cases.items():
        got, g = [], f
        for _ in range(3):
            g = grad(g, x, create_graph=True)
            got.append(g.data)
        assert got == pytest.approx(expected, rel=1e-14, abs=1e-15), name


def test_derivatives_of_x_to_the_x():
    for a in (0.3, 1.0, 1.7, 2.5):
        x = Value(a, "x")
        f = x ** x                           # both operands of one ** node are x
        d1 = grad(f, x, create_graph=True)
        d2 = grad(d1, x, create_graph=True)
        d3 = grad(d2, x)
        L = math.log(a) + 1
        assert d1.data == pytest.approx(a ** a * L, rel=1e-14)
        assert d2.data == pytest.approx(a ** a * (L * L + 1 / a), rel=1e-13)
        assert d3.data == pytest.approx(a ** a * (L ** 3 + 3 * L / a - 1 / a ** 2), rel=1e-12)
        assert hessian(lambda v: v ** v, [a])[0][0] == pytest.approx(d2.data, rel=1e-15)


def test_values_used_twice_match_torch(torch):
    functions = [lambda v: v * v, lambda v: v + v, lambda v: v ** v, lambda v: (v * v) ** v,
                 lambda v: v.sin() * v.sin(), lambda v: v / (v + v * v)]
    for f in functions:
        for a in (0.4, 1.3):
            x = Value(a, "x")
            t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
            g, gt = f(x), f(t)
            for order in range(1, 4):
                g, gt = grad(g, x, create_graph=True), torch_grad(torch, gt, t)
                assert close(g.data, gt.item()), (order, a, g.data, gt.item())
