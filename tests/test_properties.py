"""Property-based: gradients of random expression DAGs against central finite differences."""
import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from exprs import OPS, VALUE_LIB, clear_of_kinks, output
from micrograd import Value, gradcheck

N_LEAVES = 3

steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 30), st.integers(0, 30)),
                 min_size=2, max_size=14)
leaf_values = st.lists(st.floats(-2.5, 2.5, allow_nan=False, allow_subnormal=False), min_size=N_LEAVES,
                       max_size=N_LEAVES)


@settings(max_examples=150, deadline=None)
@given(program=steps, xs=leaf_values)
def test_random_dags_match_central_differences(program, xs):
    try:
        out, kinked = output(program, [Value(x) for x in xs], VALUE_LIB)
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    assume(abs(out.data) < 1e6)
    assume(clear_of_kinks(kinked))          # central differences across relu's kink disagree
    report = gradcheck(lambda *leaves: output(program, list(leaves), VALUE_LIB)[0], xs,
                       eps=1e-6, rel_tol=1e-4, abs_tol=1e-6 * (1 + abs(out.data)))
    assert report, str(report)


@settings(max_examples=60, deadline=None)
@given(program=steps, xs=leaf_values)
def test_backward_is_linear_in_the_seed(program, xs):
    # d(2*f)/dx == 2 * df/dx: the chain rule scales every edge by the seed
    try:
        leaves = [Value(x) for x in xs]
        out, _ = output(program, leaves, VALUE_LIB)
        out.backward()
        grads = [v.grad for v in leaves]
        leaves2 = [Value(x) for x in xs]
        (2 * output(program, leaves2, VALUE_LIB)[0]).backward()
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    for g, g2 in zip(grads, [v.grad for v in leaves2]):
        assert math.isclose(g2, 2 * g, rel_tol=1e-12, abs_tol=1e-300)   # subnormals round
