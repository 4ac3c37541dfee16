"""explain(): the chain rule written out, terms that sum to the gradient, readable on big nets."""
import math
import random
import re

import pytest

from exprs import VALUE_LIB, output, random_program
from micrograd import Value, backward_order, explain


def _sum_in_order(terms):
    total = 0.0
    for t in terms:
        total += t.value
    return total


def _check_derivation(d, grads):
    """Terms sum exactly to the node's gradient; each term is the product of its factors."""
    assert _sum_in_order(d.terms) == grads[d.node]
    for t in d.terms:
        product = t.delta.grad if t.delta else 1.0
        for f in t.factors:
            product *= f.value
        assert math.isclose(product, t.value, rel_tol=1e-9, abs_tol=1e-300)
        if t.delta is not None:
            assert t.delta.grad == grads[t.delta.node]
            if t.delta.expanded:
                _check_derivation(t.delta, grads)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("steps", ["ops", "labels"])
def test_terms_sum_to_grad_on_random_graphs(seed, steps):
    rng = random.Random(seed)
    program = random_program(rng, 3, 12)
    leaves = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
    out, _ = output(program, leaves, VALUE_LIB)
    order = backward_order(out)
    for k, node in enumerate(order):            # name some inner nodes, as a learner would
        if node.children and k % 3 == 1:
            node.label = f"h{k}"
    out.backward()
    grads = {n: n.grad for n in order}
    assert explain(out, out).terms == []        # d out/d out = 1, nothing to sum
    for node in order[1:]:
        e = explain(out, node, steps=steps)
        _check_derivation(e, grads)
        assert str(e)                           # always writable


def test_tanh_neuron_reads_like_the_hand_derivation():
    w, x, b = Value(-1.0, "w"), Value(0.5, "x"), Value(0.3, "b")
    f = (w * x + b).tanh()
    f.backward()
    text = str(explain(f, w))
    first = text.splitlines()[0]
    assert first == "df/dw = df/d(w*x + b) · d(w*x + b)/d(w*x) · d(w*x)/dw"
    assert "1 - f**2" in text and "d(w*x)/dw         = x = 0.5000" in text
    expected = (1 - math.tanh(-0.2) ** 2) * 0.5
    assert f"= {expected:.4f}" in text and w.grad == pytest.approx(expected)
    assert "f = tanh(w*x + b)" in text          # the root's name is defined


def test_node_with_several_consumers_is_a_sum():
    a, b = Value(1.5, "a"), Value(-2.0, "b")
    f = a * b + a.exp()
    f.label = "f"
    e = explain(f, a)
    assert len(e.terms) == 2
    text = str(e)
    assert " + " in text.splitlines()[0]
    assert "exp(a)" in text or "out" not in text
    f.backward()
    assert e.grad == a.grad == pytest.approx(-2.0 + math.exp(1.5))


def _worked_example():
    """The 2-2-2 sigmoid network of 003_d77308b932c75427.txt / 000_8495f74e1b111f69.txt, with the
    weights of its NumPy code; named as in the document."""
    v = {k: Value(x, k) for k, x in dict(i1=0.1, i2=0.05, w1=0.25, w2=0.2, w3=0.5, w4=0.15,
                                         w5=0.7, w6=0.4, w7=0.6, w8=0.35, b1=0.3, b2=0.9,
                                         t1=0.02, t2=0.98).items()}

    def named(node, label):
        node.label = label
        v[label] = node
        return node
    named(v["w1"] * v["i1"] + v["w3"] * v["i2"] + v["b1"], "in_h1")
    named(v["w2"] * v["i1"] + v["w4"] * v["i2"] + v["b1"], "in_h2")
    named(v["in_h1"].sigmoid(), "out_h1")
    named(v["in_h2"].sigmoid(), "out_h2")
    named(v["w5"] * v["out_h1"] + v["w7"] * v["out_h2"] + v["b2"], "in_o1")
    named(v["w6"] * v["out_h1"] + v["w8"] * v["out_h2"] + v["b2"], "in_o2")
    named(v["in_o1"].sigmoid(), "out_o1")
    named(v["in_o2"].sigmoid(), "out_o2")
    named(0.5 * (v["t1"] - v["out_o1"]) ** 2, "E_o1")
    named(0.5 * (v["t2"] - v["out_o2"]) ** 2, "E_o2")
    named(v["E_o1"] + v["E_o2"], "E")
    return v


def test_worked_example_dE_dw7_as_in_the_document():
    v = _worked_example()
    e = explain(v["E"], "w7")
    names = [f.name for f in e.terms[0].factors]
    assert names == ["dE/dE_o1", "dE_o1/dout_o1", "dout_o1/din_o1", "din_o1/dw7"]
    formulas = [f.formula for f in e.terms[0].factors]
    assert formulas[2] == "out_o1 * (1 - out_o1)" and formulas[3] == "out_h2"
    o1, h2 = v["out_o1"].data, v["out_h2"].data
    assert e.grad == pytest.approx((o1 - 0.02) * o1 * (1 - o1) * h2, rel=1e-12)
    assert [f.value for f in e.terms[0].factors][1:] == pytest.approx([o1 - 0.02, o1 * (1 - o1), h2])


def test_hidden_weight_uses_a_delta_derived_below():
    v = _worked_example()
    e = explain(v["E"], "w1")
    (term,) = e.terms
    assert term.delta is not None and term.delta.name == "out_h1"
    assert len(term.delta.terms) == 2                   # out_h1 feeds both outputs
    text = str(e)
    assert "dE/dout_h1 = " in text


def test_deep_net_stays_short_with_depth_limit():
    rng = random.Random(0)
    x = [Value(rng.uniform(-1, 1), f"x{i}") for i in range(4)]
    layer = x
    for li in range(6):                     # 6 layers of 4 tanh neurons: 4**6 paths
        nxt = []
        for j in range(4):
            act = Value(0.0, f"layers.{li}.neurons.{j}.b")
            for k, inp in enumerate(layer):
                act = act + Value(rng.uniform(-1, 1), f"layers.{li}.neurons.{j}.w.{k}") * inp
            out = act.tanh()
            out.label = f"h{li}{j}"
            nxt.append(out)
        layer = nxt
    loss = sum(layer)
    loss.label = "L"
    w = next(n for n in backward_order(loss) if n.label == "layers.0.neurons.0.w.0")
    e = explain(loss, w, depth=3)
    text = str(e)
    assert len(text.splitlines()) < 120
    assert "(from backward; depth limit 3)" in text
    loss.backward()
    assert _sum_in_order(e.terms) == w.grad


def test_errors_and_edge_cases():
    a = Value(2.0, "a")
    f = a * 3.0
    f.label = "f"
    with pytest.raises(ValueError, match="no node labelled 'zz'"):
        explain(f, "zz")
    with pytest.raises(ValueError, match="not in the graph"):
        explain(f, Value(1.0, "other"))
    assert str(explain(f, f)) == "df/df = 1"
    f.backward()
    f.backward()                                    # a.grad now holds two passes
    assert "note: a.grad is 6.0, not 3.0" in str(explain(f, a))


def test_markdown_for_notebooks():
    w, x = Value(0.5, "w_1"), Value(2.0, "x")
    f = (w * x).sigmoid()
    md = explain(f, w)._repr_markdown_()
    assert md.startswith("$$") and r"\frac{\partial \text{f}}{\partial \text{w\_1}}" in md
    assert "```" in md


# --- a value used twice, names that never collide, size, freeing ------------------------------
def _rhs_mentions_own_symbol(text: str) -> list[str]:
    """Lines 'dA/dB = ...' whose right side uses dA/dB itself (a circular definition)."""
    bad = []
    for line in text.splitlines():
        left, eq, right = line.strip().partition(" = ")
        if eq and left.startswith("d") and "/" in left and re.search(
                rf"(?<![\w.(]){re.escape(left)}(?![\w.₀-₉])", right):
            bad.append(line)
    return bad


@pytest.mark.parametrize("build", [
    lambda x: x + x, lambda x: x * x, lambda x: x ** x, lambda x: x * x + x,
    lambda x: (x * x).tanh() * (x * x), lambda x: (x + x) * (x + x), lambda x: x / x + x,
    lambda x: (x * 3 + x * x).sin() + x.cos() * x,
], ids=["a+a", "x*x", "x**x", "x*x+x", "tanh(x*x)*(x*x)", "(x+x)*(x+x)", "x/x+x", "sin-cos"])
def test_a_value_used_twice_is_never_defined_by_itself(build):
    x = Value(1.3, "x")
    f = build(x)
    e = explain(f, x)
    text = str(e)
    assert not _rhs_mentions_own_symbol(text), text
    first = text.splitlines()[0]
    assert first.startswith("df/dx = ")
    uses = sum(1 for node in backward_order(f) for child in node.children if child is x)
    if uses > 1 and len(e.terms) > 1:
        assert "₁" in first and "₂" in first and "uses of x:" in text
    f.backward()
    grads = {n: n.grad for n in backward_order(f)}
    _check_derivation(e, grads)


def test_generated_names_never_collide_with_labels():
    n1, f_, g_ = Value(0.5, "n1"), Value(1.5, "f"), Value(-0.5, "g")
    y = Value(2.0, "y")
    big = (n1 * y + f_ * y * y * y * y * y * y) * (g_ + y * y * y * y * y * y * y * y)
    root = big.tanh()
    text = str(explain(root, n1))
    names = re.findall(r"^\s*(\w+) = ", text.split("where\n", 1)[1], re.M)
    assert names and not {"n1", "f", "g", "y"} & set(names), text
    assert text.startswith("dh/dn1 = ")          # f and g are labels: the root is h
    # two different unlabelled nodes with the same expression get different names
    a = Value(0.7, "a")
    twice = (a * a).tanh() + (a * a).tanh()       # two separate a*a nodes, two tanh nodes
    t2 = str(explain(twice, a))
    assert t2.count("d(tanh(a*a))") == 0 or "n1" in t2, t2
    from micrograd.names import Namer
    order = backward_order(twice)
    namer = Namer(order, twice)
    assert len({namer[n] for n in order}) == len(order)


def test_name_argument_and_a_root_that_is_its_own_input():
    x = Value(3.0, "x")
    assert str(explain(x, x, name="f")).startswith("df/dx = 1")
    y = x * 2
    assert str(explain(y, x, name="out")).startswith("dout/dx = 2")
    with pytest.raises(ValueError, match="name"):
        explain(y, x, name="")


def test_explaining_a_weight_of_an_mlp_loss_is_complete_and_exact():
    from nn import MLP, data, hinge
    from nn.train import batch_loss
    X, y = data.moons(8, noise=0.1, seed=3)
    model = MLP(2, [16, 16, 1], seed=3)
    model.named_parameters()
    loss, _ = batch_loss(model, X, [2 * t - 1 for t in y], hinge, 1e-4)
    loss.label = "L"
    order = backward_order(loss)
    assert len(order) > 5000
    loss.backward()
    grads = {n: n.grad for n in order}
    for w in (model.parameters()[0], model.parameters()[40], model.parameters()[-1]):
        e = explain(loss, w)
        _check_derivation(e, grads)
        assert e.grad == w.grad and str(e).startswith(f"dL/d{w.label} = ")


def test_an_explanation_is_freed_by_reference_counting():
    import gc
    import weakref
    x = Value(0.4, "x")
    f = ((x * x).tanh() + x * 3).sigmoid() * x
    gc.disable()
    try:
        e = explain(f, x)
        str(e)
        ref = weakref.ref(e)
        del e
        assert ref() is None
    finally:
        gc.enable()


def test_explain_after_a_failed_backward_refuses_with_the_engines_message():
    x = Value(1e-10, "x")
    f = x.log() * 1e300                  # d/dx = 1e300 / 1e-10: past the largest float
    with pytest.raises(OverflowError) as by_backward:
        f.backward()
    assert f.grad == 0.0                 # a failed backward leaves no gradient behind
    with pytest.raises(OverflowError) as by_explain:
        explain(f, x)
    assert str(by_explain.value) == str(by_backward.value)


@pytest.mark.parametrize("kwargs", [dict(digits=-1), dict(depth=0), dict(max_factors=0),
                                    dict(digits=True), dict(depth=1.5), dict(name=3)])
def test_bad_arguments_name_the_argument(kwargs):
    x = Value(1.0, "x")
    with pytest.raises((ValueError, TypeError), match=next(iter(kwargs))):
        explain(x * x, x, **kwargs)


WRAPPED = [(op, slot) for op in __import__("micrograd").ops.OPS.values()
           for slot, text in enumerate(op.grad_text) if re.search(r"\(\{[ab]\}\)", text)]


@pytest.mark.parametrize("op, slot", WRAPPED, ids=lambda x: getattr(x, "name", x))
def test_an_operand_inside_the_templates_own_parentheses_gets_no_second_pair(op, slot):
    # sign({a}) with a = u + v reads sign(u + v), not sign((u + v))
    u, v = Value(0.4, "u"), Value(0.3, "v")
    operands = [u + v, Value(1.5, "w")][:op.arity]
    if slot == 1:
        operands = [Value(1.5, "w"), u + v]
    out = getattr(operands[0], op.method)(*operands[1:])
    text = str(explain(out, "u"))
    assert "(u + v)" in text and "((u + v))" not in text, text
