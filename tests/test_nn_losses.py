"""Loss gradients against the closed forms of 000_8495f74e1b111f69.txt, central differences
(micrograd.gradcheck) and PyTorch float64."""
import math

import pytest

from micrograd import Value, gradcheck
from nn import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge,
                mse, mse_mean, softmax)

O = [0.3, -1.2, 2.5, 0.7]
Y = [0.1, 0.4, 2.0, -0.3]
Z = [1.5, -0.3, 0.2, 3.1]


def leaves(xs):
    return [Value(x) for x in xs]


def ref_softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


# --- mse --------------------------------------------------------------------------------------
def test_mse_is_half_sum_of_squares_with_gradient_o_minus_y():
    o = leaves(O)
    L = mse(o, Y)
    assert L.data == pytest.approx(0.5 * sum((a - b) ** 2 for a, b in zip(O, Y)), rel=1e-15)
    L.backward()
    for oi, a, b in zip(o, O, Y):
        assert oi.grad == pytest.approx(a - b, rel=1e-14, abs=1e-15)    # dL/do_i = o_i - y_i


def test_mse_mean_gradient():
    o = leaves(O)
    L = mse_mean(o, Y)
    assert L.data == pytest.approx(sum((a - b) ** 2 for a, b in zip(O, Y)) / len(O), rel=1e-15)
    L.backward()
    for oi, a, b in zip(o, O, Y):
        assert oi.grad == pytest.approx(2 * (a - b) / len(O), rel=1e-14)


def test_mse_accepts_a_bare_value_and_a_number():
    o = Value(0.8)
    mse(o, 1.0).backward()
    assert o.grad == pytest.approx(-0.2)


# --- softmax ----------------------------------------------------------------------------------
def test_softmax_values_and_jacobian():
    # dp_i/dz_j = p_i (1 - p_j) for i == j, -p_i p_j otherwise
    p_ref = ref_softmax(Z)
    for i in range(len(Z)):
        z = leaves(Z)
        p = softmax(z)
        assert [v.data for v in p] == pytest.approx(p_ref, rel=1e-14)
        p[i].backward()
        for j, zj in enumerate(z):
            expect = p_ref[i] * (1 - p_ref[j]) if i == j else -p_ref[i] * p_ref[j]
            assert zj.grad == pytest.approx(expect, rel=1e-12, abs=1e-15)


def test_softmax_is_stable_for_huge_logits():
    p = softmax(leaves([1000.0, 999.0, -1000.0]))
    assert [v.data for v in p] == pytest.approx([1 / (1 + math.exp(-1)),
                                                 math.exp(-1) / (1 + math.exp(-1)), 0.0])


# --- cross-entropy ----------------------------------------------------------------------------
@pytest.mark.parametrize("target", [0, 3, [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.5, 0.0]])
def test_cross_entropy_gradient_is_p_minus_y(target):
    y = [0.0] * len(Z)
    if isinstance(target, int):
        y[target] = 1.0
    else:
        y = list(target)
    z = leaves(Z)
    L = cross_entropy(z, target)
    p = ref_softmax(Z)
    assert L.data == pytest.approx(-sum(yk * math.log(pk) for yk, pk in zip(y, p) if yk), rel=1e-13)
    L.backward()
    for zi, pi, yi in zip(z, p, y):
        assert zi.grad == pytest.approx(pi - yi, rel=1e-12, abs=1e-15)


def test_cross_entropy_is_finite_for_extreme_logits():
    z = leaves([800.0, -800.0])
    L = cross_entropy(z, 1)
    assert L.data == pytest.approx(1600.0)
    L.backward()
    assert z[0].grad == pytest.approx(1.0) and z[1].grad == pytest.approx(-1.0)


@pytest.mark.parametrize("target", [4, -1, 1.5, [1.0, 0.0], [0.5, 0.6, 0.0, 0.0], "a", True])
def test_cross_entropy_rejects_bad_targets(target):
    with pytest.raises(ValueError, match="cross_entropy"):
        cross_entropy(leaves(Z), target)


def _non_integral_class_targets():
    from decimal import Decimal
    from fractions import Fraction
    targets = [Fraction(1, 2), Fraction(7, 3), Fraction(10 ** 400, 3), Fraction(10 ** 400, 1),
               float("nan"), float("inf"), 2.0000000000000004, Decimal("1")]
    try:
        import numpy as np
    except ImportError:
        return targets
    return targets + [np.float32(0.5), np.float32(1.7), np.float64(0.5), np.float16(2.5),
                      np.float32("nan"), np.bool_(True)]


@pytest.mark.parametrize("target", _non_integral_class_targets(), ids=repr)
def test_cross_entropy_refuses_every_non_integral_class_index(target):
    # np.float32(1.7) used to be truncated to class 1, Fraction(1, 2) to class 0
    with pytest.raises(ValueError, match="cross_entropy: (class index must be an integer in "
                                         r"0\.\.3|target must be a class index)"):
        cross_entropy(leaves(Z), target)


def test_cross_entropy_takes_every_whole_number_type_as_the_same_class():
    from fractions import Fraction
    same = [2, 2.0, Fraction(4, 2)]
    try:
        import numpy as np
        same += [np.int64(2), np.uint8(2), np.float32(2.0), np.float64(2.0)]
    except ImportError:
        pass
    expect = cross_entropy(leaves(Z), [0.0, 0.0, 1.0, 0.0]).data
    assert [cross_entropy(leaves(Z), t).data for t in same] == [expect] * len(same)


# --- binary cross-entropy, hinge ----------------------------------------------------------------
@pytest.mark.parametrize("z,t", [(0.0, 1.0), (2.3, 0.0), (-4.0, 1.0), (0.7, 0.3), (-40.0, 0.0),
                                 (750.0, 1.0), (-750.0, 1.0)])
def test_bce_with_logits_gradient_is_sigmoid_minus_t(z, t):
    v = Value(z)
    L = binary_cross_entropy_with_logits(v, t)
    sig = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
    softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
    assert L.data == pytest.approx(softplus - t * z, rel=1e-12, abs=1e-15)
    L.backward()
    assert v.grad == pytest.approx(sig - t, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("p,t", [(0.3, 1.0), (0.8, 0.0), (0.6, 0.25)])
def test_bce_of_a_probability(p, t):
    v = Value(p)
    L = binary_cross_entropy(v, t)
    assert L.data == pytest.approx(-(t * math.log(p) + (1 - t) * math.log(1 - p)))
    L.backward()
    assert v.grad == pytest.approx((p - t) / (p * (1 - p)))


def test_bce_of_a_saturated_probability_is_a_clear_error():
    with pytest.raises(ValueError, match="infinite loss"):
        binary_cross_entropy(Value(1.0), 0.0)
    assert binary_cross_entropy(Value(1.0), 1.0).data == 0.0        # no log(0) needed


@pytest.mark.parametrize("s,y", [(0.3, 1.0), (2.0, 1.0), (0.3, -1.0), (-2.0, -1.0)])
def test_hinge(s, y):
    v = Value(s)
    L = hinge([v], y)
    assert L.data == max(0.0, 1 - y * s)
    L.backward()
    assert v.grad == (-y if y * s < 1 else 0.0)


def test_hinge_and_one_output_losses_reject_bad_input():
    with pytest.raises(ValueError, match="hinge: target must be -1 or \\+1"):
        hinge(Value(0.5), 0.0)
    with pytest.raises(ValueError, match="one output per sample, got 2"):
        hinge([Value(0.5), Value(1.0)], 1.0)
    with pytest.raises(ValueError, match="mse: 2 outputs but 3 targets"):
        mse(leaves([1.0, 2.0]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="finite"):
        mse(leaves([1.0]), [float("nan")])


# --- central differences over every loss -------------------------------------------------------
CASES = [
    ("mse", lambda *o: mse(list(o), Y), O),
    ("mse_mean", lambda *o: mse_mean(list(o), Y), O),
    ("softmax[1]", lambda *z: softmax(list(z))[1], Z),
    ("cross_entropy index", lambda *z: cross_entropy(list(z), 2), Z),
    ("cross_entropy soft", lambda *z: cross_entropy(list(z), [0.1, 0.2, 0.3, 0.4]), Z),
    ("bce logits", lambda z: binary_cross_entropy_with_logits(z, 0.3), [0.8]),
    ("bce logits negative", lambda z: binary_cross_entropy_with_logits(z, 1.0), [-2.1]),
    ("bce probability", lambda p: binary_cross_entropy(p, 0.3), [0.65]),
    ("hinge", lambda s: hinge(s, -1.0), [0.4]),
]


@pytest.mark.parametrize("name,f,xs", CASES, ids=[c[0] for c in CASES])
def test_losses_match_central_differences(name, f, xs):
    report = gradcheck(f, xs)
    assert report, str(report)


# --- PyTorch float64 ---------------------------------------------------------------------------
def test_losses_match_pytorch_float64():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional

    def both(ours, theirs, xs):
        v = leaves(xs)
        L = ours(v)
        L.backward()
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        T = theirs(t)
        T.backward()
        assert L.data == pytest.approx(T.item(), rel=1e-12, abs=1e-15)
        assert [x.grad for x in v] == pytest.approx(t.grad.tolist(), rel=1e-10, abs=1e-14)

    y = torch.tensor(Y, dtype=torch.float64)
    both(lambda o: mse(o, Y), lambda o: 0.5 * ((o - y) ** 2).sum(), O)
    both(lambda o: mse_mean(o, Y), lambda o: F.mse_loss(o, y), O)
    both(lambda z: cross_entropy(z, 3),
         lambda z: F.cross_entropy(z[None], torch.tensor([3])), Z)
    soft = [0.1, 0.2, 0.3, 0.4]
    both(lambda z: cross_entropy(z, soft),
         lambda z: F.cross_entropy(z[None], torch.tensor([soft], dtype=torch.float64)), Z)
    both(lambda z: softmax(z)[2], lambda z: torch.softmax(z, 0)[2], Z)
    for z, t in [(0.8, 0.3), (-30.0, 1.0), (12.0, 0.0)]:
        tt = torch.tensor([t], dtype=torch.float64)
        both(lambda v: binary_cross_entropy_with_logits(v, t),
             lambda v: F.binary_cross_entropy_with_logits(v, tt), [z])
    tt = torch.tensor([0.3], dtype=torch.float64)
    both(lambda v: binary_cross_entropy(v, 0.3), lambda v: F.binary_cross_entropy(v, tt), [0.65])
    both(lambda v: hinge(v, -1.0), lambda v: torch.relu(1 + v).sum(), [0.4])
