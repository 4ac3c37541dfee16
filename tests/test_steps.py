"""backward_steps: one step per node, and exactly the gradients of Value.backward()."""
import random

import pytest

from exprs import VALUE_LIB, output, random_program
from micrograd import Value, backward_order, backward_steps, draw_dot


def _graph(seed):
    rng = random.Random(seed)
    program = random_program(rng, 3, 12)
    values = [rng.uniform(-1, 1) for _ in range(3)]
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(values)]
    out, _ = output(program, leaves, VALUE_LIB)
    return out


@pytest.mark.parametrize("seed", range(25))
def test_steps_give_bit_identical_gradients(seed):
    a, b = _graph(seed), _graph(seed)
    order_a, order_b = backward_order(a), backward_order(b)
    # earlier passes: leaf gradients must accumulate the same way
    for leaf_a, leaf_b in zip(order_a, order_b):
        if not leaf_a.children:
            leaf_a.grad = leaf_b.grad = 0.125
    a.backward()
    steps = list(backward_steps(b))
    assert len(steps) == len(order_b)
    assert [s.node for s in steps] == order_b           # backward order, root first
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    for x, y in zip(order_a, order_b):
        assert x.grad == y.grad                          # exact, not approximately


def test_each_step_sends_local_times_grad():
    x = Value(0.7, "x")
    y = x * x + x.tanh()
    steps = list(backward_steps(y))
    for s in steps:
        assert len(s.contributions) == len(s.node.children)
        for c, child, local in zip(s.contributions, s.node.children, s.node.local_grads):
            assert c.child is child and c.local == local and c.amount == local * s.grad
    mul = next(s for s in steps if s.node.op == "*")
    assert [c.child for c in mul.contributions] == [x, x]  # a*a: two edges, two contributions
    assert steps[-1].node is x and steps[-1].contributions == ()
    assert x.grad == pytest.approx(2 * 0.7 + 1 - __import__("math").tanh(0.7) ** 2)
    assert "step 1" in str(steps[0]) and "(leaf)" in str(steps[-1])


def test_grad_of_a_node_is_final_when_its_step_comes():
    out = _graph(3)
    final = {}
    for s in backward_steps(out):
        final[s.node] = s.grad
    fresh = _graph(3)
    fresh.backward()
    for n, m in zip(backward_order(out), backward_order(fresh)):
        assert final[n] == m.grad


def test_abandoned_walk_leaves_leaf_gradients_as_they_were():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    a.grad, b.grad = 5.0, 7.0
    walk = backward_steps((a * b).tanh())
    next(walk)
    next(walk)
    walk.close()
    assert (a.grad, b.grad) == (5.0, 7.0)


def test_root_that_is_a_leaf():
    a = Value(1.5, "a")
    a.grad = 2.0
    (step,) = backward_steps(a)
    assert step.node is a and step.grad == 1.0 and a.grad == 3.0
    b = Value(1.5)
    b.grad = 2.0
    b.backward()
    assert b.grad == a.grad


def test_draw_dot_step_shows_the_state_and_changes_nothing():
    pytest.importorskip("graphviz")
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    f = c + Value(1.0, "k")
    f.label = "f"
    f.backward()
    before = [n.grad for n in backward_order(f)]
    src0 = draw_dot(f, step=0).source
    assert "{ f | data -5.0000 | grad 1.0000 }" in src0
    assert "{ c | data -6.0000 | grad 0.0000 }" in src0
    src2 = draw_dot(f, step=2).source        # after f's step and c's step
    assert "{ c | data -6.0000 | grad 1.0000 }" in src2
    assert "{ a | data 2.0000 | grad -3.0000 }" in src2
    assert "(sends -3.0000)" in src2           # c's step is the current one, in blue
    assert [n.grad for n in backward_order(f)] == before
    with pytest.raises(ValueError, match="step must be between 0 and 5"):
        draw_dot(f, step=6)


@pytest.mark.parametrize("seed", range(10))
def test_gradients_equal_backward_exactly_and_touch_no_grad(seed):
    from micrograd.engine import gradients
    a, b = _graph(seed), _graph(seed)
    order_b = backward_order(b)
    untouched = [n.grad for n in order_b]
    grads = gradients(b)
    assert list(grads) == order_b                       # backward order, root first
    assert [n.grad for n in order_b] == untouched
    a.backward()
    assert [grads[n] for n in order_b] == [n.grad for n in backward_order(a)]


def test_overflow_in_a_walk_is_the_same_error_as_backward_and_rolls_back():
    def graph():
        x = Value(1e-10, "x")
        x.grad = 0.5
        return x, x.log() * 1e300          # d/dx = 1e300 * 1e10 is past the largest float
    x, f = graph()
    with pytest.raises(OverflowError) as by_backward:
        f.backward()
    y, g = graph()
    with pytest.raises(OverflowError) as by_steps:
        list(backward_steps(g))
    assert str(by_steps.value) == str(by_backward.value)
    assert x.grad == y.grad == 0.5
