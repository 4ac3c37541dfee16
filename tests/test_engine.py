"""Value and backward: hand-derived gradients, error cases, backward semantics, depth, memory."""
import gc
import math
import subprocess
import sys

import pytest

import micrograd
import micrograd.engine
from micrograd import Value, gradcheck, no_grad


def karpathy_sanity():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return x, y


def karpathy_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def test_same_class_under_both_names():
    assert micrograd.Value is micrograd.engine.Value


def test_karpathy_sanity_by_hand():
    # z = 3x + 2 = -10, q = relu(z) + z*x = 40, h = z*z = 100, y = h + q + q*x = -20
    # dy/dx = 2z*3 + (relu'(z)*3 + 3x + z)(1 + x) + q = -60 + (-22)(-3) + 40 = 46
    x, y = karpathy_sanity()
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_karpathy_more_ops_published_numbers():
    a, b, g = karpathy_more_ops()
    g.backward()
    assert round(g.data, 4) == 24.7041
    assert round(a.grad, 4) == 138.8338
    assert round(b.grad, 4) == 645.5773


def test_neuron_by_hand():
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    out = (x1 * w1 + x2 * w2 + b).tanh()
    out.backward()
    local = 1 - out.data ** 2                      # d tanh/dn
    assert out.data == pytest.approx(math.sqrt(0.5), rel=1e-12)
    assert w1.grad == pytest.approx(local * 2.0) and x1.grad == pytest.approx(local * -3.0)
    assert w2.grad == 0.0 and x2.grad == pytest.approx(local * 1.0) and b.grad == pytest.approx(local)


def test_chain_rule_document_example():
    # y = (3x - 1)**2, dy/dx = 18x - 6 (the chain rule document's example)
    for x0 in (-2.0, 0.0, 1 / 3, 0.5, 4.0):
        x = Value(x0)
        y = (3 * x - 1) ** 2
        y.backward()
        assert x.grad == pytest.approx(18 * x0 - 6, abs=1e-12)


def test_same_value_twice():
    a = Value(3.0)
    s = a + a
    assert s.children == (a, a)                    # two edges, not a set
    s.backward()
    assert a.grad == 2.0
    b = Value(3.0)
    p = b * b
    p.backward()
    assert b.grad == 6.0


def test_operators_with_numbers_on_either_side():
    v = Value(2.0)
    assert (v + 1).data == 3 and (1 + v).data == 3
    assert (v - 1).data == 1 and (3 - v).data == 1
    assert (v * 3).data == 6 and (3 * v).data == 6
    assert (v / 4).data == 0.5 and (1 / v).data == 0.5
    assert (v ** 3).data == 8 and (2 ** v).data == 4
    assert (-v).data == -2
    y = 3 - v
    y.backward()
    assert v.grad == -1.0
    w = Value(2.0)
    z = 1 / w
    z.backward()
    assert w.grad == -0.25


def test_value_exponent_gets_gradient_for_both():
    a, b = Value(1.5), Value(2.5)
    out = a ** b
    out.backward()
    assert a.grad == pytest.approx(2.5 * 1.5 ** 1.5)
    assert b.grad == pytest.approx(1.5 ** 2.5 * math.log(1.5))
    c = Value(0.7)
    d = 2 ** c
    d.backward()
    assert c.grad == pytest.approx(2 ** 0.7 * math.log(2))


def test_constant_exponent_op_and_gradient():
    a = Value(-2.0)
    out = a ** 3
    assert out.op == "**3" and out.children == (a,)
    out.backward()
    assert a.grad == 12.0


def test_in_place_operator_makes_a_new_node():
    a = Value(1.0)
    keep = a
    a += 1
    assert keep.data == 1.0 and a.data == 2.0 and a.children == (keep, a.children[1])


def test_backward_twice_doubles_leaves_exactly():
    a, b, g = karpathy_more_ops()
    g.backward()
    first = (a.grad, b.grad)
    inner = g.children[0]
    inner_grad = inner.grad
    g.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert inner.grad == inner_grad                # non-leaf recomputed, not accumulated
    assert g.grad == 1.0


def test_leaf_gradients_accumulate_across_graphs():
    w = Value(3.0)
    (w * 2).backward()
    (w * 5).backward()
    assert w.grad == 7.0


def test_backward_of_a_leaf():
    a = Value(2.0)
    a.backward()
    assert a.grad == 1.0


def test_deep_chain_million_nodes_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(1.0)
    y = x
    for i in range(1_000_000):
        y = y * 1.000001 if i % 2 else y + 0.5
    y.backward()
    assert x.grad == pytest.approx(1.000001 ** 500_000, rel=1e-9)
    del y                                          # freeing must not recurse either


def test_graph_is_freed_by_reference_counting():
    gc.collect()
    gc.disable()
    try:
        xs = [Value(i / 10) for i in range(50)]
        out = sum((x * x).tanh() for x in xs)
        out.backward()
        del out
        assert gc.collect() == 0                   # nothing was left for the cycle collector
    finally:
        gc.enable()


def test_no_grad_builds_no_graph():
    a = Value(2.0)
    with no_grad():
        b = (a * 3).tanh()
        assert not micrograd.is_grad_enabled()
    assert micrograd.is_grad_enabled()
    assert b.children == () and b.op == "" and b.data == math.tanh(6.0)
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            a / 0
    assert micrograd.is_grad_enabled()            # restored after an error


# --- bad input: a clear error naming the op and the offending value ----------------------------
@pytest.mark.parametrize("bad", ["1.0", None, [1.0], 1j, object()])
def test_non_numeric_data_is_a_type_error(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_data_is_rejected(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)
    with pytest.raises(ValueError, match=r"\*"):
        Value(1.0) * bad


def test_operand_of_wrong_type():
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Value' and 'str'"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match=r"for \*\* or pow\(\): 'Value' and 'str'"):
        Value(1.0) ** "2"


@pytest.mark.parametrize("x", [0.0, -1.5])
def test_log_of_non_positive(x):
    with pytest.raises(ValueError, match=r"log: needs a > 0, got " + str(x).rstrip("0").rstrip(".")):
        Value(x).log()


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError, match=r"/: division by zero \(3 / 0\)"):
        Value(3.0) / 0
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        1 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"\*\*-1"):
        Value(0.0) ** -1


def test_negative_base_non_integer_exponent():
    with pytest.raises(ValueError, match=r"\*\*0.5: negative base -8"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match=r"base -2 < 0"):
        Value(-2.0) ** Value(2.0)
    assert (Value(-2.0) ** 2).data == 4.0          # integer constant exponent is fine


def test_infinite_derivative_is_an_error():
    with pytest.raises(ZeroDivisionError, match="infinite at a = 0"):
        Value(0.0) ** 0.5


def test_overflow_names_the_op():
    with pytest.raises(OverflowError, match=r"exp: result overflows a float \(exp\(1000.0\)\)"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match=r"\*: result overflows"):
        Value(1e200) * Value(1e200)
    with pytest.raises(OverflowError, match=r"\*\*3"):
        Value(1e200) ** 3


def test_overflow_in_backward_is_an_error_and_leaves_grads_untouched():
    x = Value(1e-10, label="x")
    y = sum(x * 1e308 for _ in range(10))          # values ~1e299, but dy/dx = 10 * 1e308
    x.grad = 5.0
    with pytest.raises(OverflowError, match="backward: gradient inf at 'x'"):
        y.backward()
    assert x.grad == 5.0


def test_overflowing_local_derivative_names_the_op():
    with pytest.raises(OverflowError, match=r"/: local derivative overflows a float \(1.0 / 1e-160\)"):
        1 / Value(1e-160)                          # 1e160 fits, d/db = -1e320 does not
    with pytest.raises(OverflowError, match=r"\*\*-1023: (result|local derivative) overflows"):
        Value(0.5) ** -1023
    with pytest.raises(OverflowError, match=r"\*\*308.2: local derivative overflows"):
        Value(10.0) ** 308.2
    with pytest.raises(ZeroDivisionError, match=r"infinite at a = 0 for b = 0.5"):
        Value(0.0) ** Value(0.5)
    with no_grad():                                # no derivative wanted, none computed
        assert (1 / Value(1e-160)).data == 1e160


@pytest.mark.parametrize("x", [1000.0, -1000.0, 710.0, -745.0])
def test_sigmoid_and_tanh_are_stable(x):
    v = Value(x)
    s, t = v.sigmoid(), v.tanh()
    assert s.data == (1.0 if x > 0 else 0.0) or 0 < s.data < 1e-300
    assert t.data == math.copysign(1.0, x)
    (s + t).backward()
    assert math.isfinite(v.grad) and v.grad == pytest.approx(0.0, abs=1e-300)


def test_relu_derivative_at_zero_is_zero():
    a = Value(0.0)
    a.relu().backward()
    assert a.grad == 0.0


# --- the API around Value ----------------------------------------------------------------------
def test_local_grads_stored_at_forward_time():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    assert c.op == "*" and c.children == (a, b) and c.local_grads == (-3.0, 2.0)
    d = c.tanh()
    assert d.local_grads == (1 - math.tanh(-6.0) ** 2,)
    assert a.op == "" and a.children == () and a.local_grads == ()


def test_karpathy_compatible_names_and_repr():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._prev == {a, b} and c._op == "*"
    assert repr(a) == "Value(data=2.0, grad=0.0)"
    assert "label='w'" in repr(Value(1.0, "w"))
    assert Value(2) < 3 and Value(2) >= Value(2) and float(Value(2.5)) == 2.5


def test_backward_order_puts_consumers_first():
    a, b, g = karpathy_more_ops()
    order = micrograd.backward_order(g)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[0] is g and len(position) == len(order)
    for node in order:
        for child in node.children:
            assert position[id(child)] > position[id(node)]


def test_import_is_light():
    code = ("import sys, micrograd; bad = [m for m in ('graphviz', 'numpy', 'matplotlib', 'torch') "
            "if m in sys.modules]; print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# --- gradcheck ---------------------------------------------------------------------------------
def test_gradcheck_passes_and_prints_a_table():
    report = gradcheck(lambda a, b: (a * b).tanh() + a.exp() / b, [Value(0.5, "a"), Value(-1.2, "b")])
    assert report and report.max_error < 1e-8
    text = str(report)
    assert "autodiff" in text and "numeric" in text and text.count(" ok") == 2
    assert [r.name for r in report.rows] == ["a", "b"]


def test_gradcheck_leaves_inputs_untouched_and_accepts_numbers():
    a = Value(0.3)
    report = gradcheck(lambda x, y: x * y, [a, 2.0])
    assert report and a.grad == 0.0 and report.rows[1].name == "x1"


def test_gradcheck_reports_a_mismatch():
    # at relu's kink autodiff says 0 (relu'(0) = 0) and central differences say 0.5
    report = gradcheck(lambda x: x.relu(), [Value(0.0)])
    assert not report
    assert "MISMATCH" in str(report) and report.rows[0].numeric == pytest.approx(0.5)


def test_gradcheck_requires_a_value():
    with pytest.raises(TypeError, match="f must return a Value"):
        gradcheck(lambda x: 3.0, [Value(1.0)])


def test_atomic_write_replaces_whole_files_with_the_usual_mode(tmp_path):
    import os
    from micrograd.files import atomic_write
    path = tmp_path / "f.txt"
    atomic_write(path, "first")
    atomic_write(path, b"second")
    assert path.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["f.txt"]                   # no temp file left behind
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "g.txt", "x")


# --- karpathy's names and forms; labels -------------------------------------------------------
def test_manual_backward_steps_match_backward():
    # the lecture: L = d * f, d = e + c, e = a * b, stepped by hand from the top
    def graph():
        a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
        e = a * b
        d = e + c
        L = d * f
        return (a, b, c, f, e, d), L
    leaves_h, L = graph()
    L.grad = 1.0
    for node in (L, leaves_h[5], leaves_h[4]):      # L, d, e: consumers before operands
        node._backward()
    leaves_b, L2 = graph()
    L2.backward()
    assert [v.grad for v in leaves_h] == [v.grad for v in leaves_b]
    assert [v.grad for v in leaves_h[:4]] == [6.0, -4.0, -2.0, 4.0]
    x = Value(3.0)
    y = x * x                                       # a value used twice: both edges add
    y.grad = 1.0
    y._backward()
    assert x.grad == 6.0


@pytest.mark.parametrize("args", [(2.0, ()), (2.0, (Value(1.0),), "+"), (2.0, set(), ""),
                                  (2.0, [Value(1.0)]), (2.0, "x", "+"),
                                  (2.0, (Value(1.0),), "+", "label")])
def test_karpathys_positional_op_form_says_how_ops_are_made_here(args):
    with pytest.raises(TypeError, match="op table.*Adding an op"):
        Value(*args)


@pytest.mark.parametrize("label", [3, 1.5, None, b"x", object()])
def test_a_label_must_be_text(label):
    with pytest.raises(TypeError, match="label must be a string"):
        Value(1.0, label)


# --- pickle and deepcopy: any depth, shared leaves stay shared ----------------------------------
def test_pickle_and_deepcopy_a_200000_deep_chain():
    import copy
    import pickle
    x, w = Value(0.3, "x"), Value(1.000001, "w")
    y = x
    for i in range(200_000):
        y = y * w if i % 2 else y + 1e-6
    y.label = "y"
    y.backward()
    for clone in (pickle.loads(pickle.dumps((x, w, y))), copy.deepcopy((x, w, y))):
        x2, w2, y2 = clone
        assert (y2.data, y2.label, x2.grad, w2.grad) == (y.data, "y", x.grad, w.grad)
        assert x2 is not x and y2 is not y
        x2.grad = w2.grad = 0.0
        y2.backward()                               # the copy is a whole graph: it runs
        assert (x2.grad, w2.grad) == (x.grad, w.grad)
        leaves = [n for n in micrograd.backward_order(y2) if not n.children]
        assert x2 in leaves and w2 in leaves        # the copied leaves are the graph's own


def test_copies_keep_shared_nodes_shared():
    import copy
    import pickle
    a = Value(2.0, "a")
    h = (a * a).tanh()
    out = h * h + a
    for copied in (copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        left, right = copied.children
        assert left.children[0] is left.children[1]             # h used twice: one node
        assert right is left.children[0].children[0].children[0] # a: one leaf
        assert copied.local_grads == out.local_grads and copied.data == out.data


def test_a_model_deepcopies_with_its_parameters():
    import copy
    from nn import MLP
    model = MLP(2, [3, 1], seed=0)
    clone = copy.deepcopy(model)
    assert [p.data for p in clone.parameters()] == [p.data for p in model.parameters()]
    assert all(p is not q for p, q in zip(clone.parameters(), model.parameters()))


@pytest.mark.parametrize("x", [0.0, -0.0, 5e-324, -5e-324, 2.0, -3.0])
@pytest.mark.parametrize("k", [0, 0.0, -0.0])
def test_x_to_the_zero_is_one_with_gradient_zero_everywhere(x, k):
    v = Value(x)
    y = v ** k
    y.backward()
    assert (y.data, v.grad) == (1.0, 0.0)
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (t ** k).backward()
    assert (t.item() ** k, t.grad.item()) == (1.0, 0.0)          # PyTorch's answer too


@pytest.mark.parametrize("kwargs", [dict(eps=0), dict(eps=-1e-6), dict(eps=float("nan")),
                                    dict(rel_tol=-1.0), dict(abs_tol=float("inf")),
                                    dict(eps=True)])
def test_gradcheck_refuses_bad_arguments_naming_them(kwargs):
    with pytest.raises(ValueError, match=f"gradcheck: {next(iter(kwargs))} must be"):
        gradcheck(lambda a: a * a, [Value(1.0)], **kwargs)


@pytest.mark.parametrize("huge", [10 ** 400, -(10 ** 400), __import__("fractions").Fraction(10 ** 400, 3)])
def test_a_number_beyond_the_floats_is_a_named_value_error(huge):
    # float() of such a number raises a bare OverflowError that names nothing
    with pytest.raises(ValueError, match=r"^Value: expected a finite number"):
        Value(huge)
    with pytest.raises(ValueError, match=r"^\*: expected a finite number"):
        Value(2.0) * huge
    with pytest.raises(ValueError, match=r"^\*\*: expected a finite number"):
        Value(2.0) ** huge
