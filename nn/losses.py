"""Loss functions: plain functions of one sample's outputs and target, returning a `Value`.

`output` is what a model returns (a list of Values; a bare Value is accepted too). Targets are
plain numbers. Each loss states its gradient, which the tests check against the closed forms of
000_8495f74e1b111f69.txt, central differences and PyTorch:

    mse                1/2 sum_k (o_k - y_k)**2            dL/do_i = o_i - y_i
    mse_mean           1/K sum_k (o_k - y_k)**2            dL/do_i = 2 (o_i - y_i) / K
    cross_entropy      -sum_k y_k log softmax(z)_k         dL/dz_i = p_i - y_i
    binary_cross_entropy             -(t log p + (1-t) log(1-p))        dL/dp = (p-t)/(p(1-p))
    binary_cross_entropy_with_logits  the same with p = sigmoid(z)       dL/dz = sigmoid(z) - t
    hinge              max(0, 1 - y s), y in {-1, +1}      dL/ds = -y if y s < 1 else 0

`softmax` returns probabilities (a list of Values), computed stably.
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Sequence, Union

from micrograd import Value

Output = Union[Value, Sequence[Value]]
Target = Union[float, Sequence[float]]


def _outputs(output: Output, where: str) -> list[Value]:
    if isinstance(output, Value):
        return [output]
    out = list(output)
    if not out:
        raise ValueError(f"{where}: no outputs")
    for o in out:
        if not isinstance(o, Value):
            raise TypeError(f"{where}: outputs must be Values, got {type(o).__name__} {o!r:.40}")
    return out


def _one(output: Output, where: str) -> Value:
    out = _outputs(output, where)
    if len(out) != 1:
        raise ValueError(f"{where}: expects one output per sample, got {len(out)}")
    return out[0]


def _number(x, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
        raise ValueError(f"{where}: target must be a finite number, got {x!r:.40}")
    return float(x)


def _targets(target: Target, n: int, where: str) -> list[float]:
    ts = [target] if isinstance(target, Real) else list(target)
    if len(ts) != n:
        raise ValueError(f"{where}: {n} outputs but {len(ts)} targets")
    return [_number(t, where) for t in ts]


def mse(output: Output, target: Target) -> Value:
    """L = 1/2 sum_k (o_k - y_k)**2, the documents' squared error: dL/do_i = o_i - y_i."""
    out = _outputs(output, "mse")
    ts = _targets(target, len(out), "mse")
    return 0.5 * sum((o - t) ** 2 for o, t in zip(out, ts))


def mse_mean(output: Output, target: Target) -> Value:
    """L = 1/K sum_k (o_k - y_k)**2 (np.mean of the squares): dL/do_i = 2 (o_i - y_i) / K."""
    out = _outputs(output, "mse_mean")
    ts = _targets(target, len(out), "mse_mean")
    return sum((o - t) ** 2 for o, t in zip(out, ts)) * (1.0 / len(out))


def softmax(logits: Output) -> list[Value]:
    """p_i = e**z_i / sum_k e**z_k, computed as e**(z_i - m) / sum_k e**(z_k - m), m = max z.

    Subtracting the constant m changes nothing mathematically (or in the gradient) but keeps
    every exponent <= 0, so large logits cannot overflow.
    """
    z = _outputs(logits, "softmax")
    m = max(v.data for v in z)
    exps = [(v - m).exp() for v in z]
    total = sum(exps)
    return [e / total for e in exps]


def _whole(x: Real) -> int | None:
    """x as an int if it is exactly a whole number (3, 3.0, np.float32(3), Fraction(6, 2)),
    else None (0.5, np.float32(1.7), Fraction(1, 2), nan, inf)."""
    if isinstance(x, Integral):
        return int(x)
    try:
        f = float(x)
    except (OverflowError, ValueError):
        return None
    if not f.is_integer() or f != x:        # f != x: a Fraction that float rounded to whole
        return None
    return int(f)


def _class_target(target, k: int, where: str) -> list[float]:
    """A class index or a probability vector (one-hot) as a list of k numbers summing to 1."""
    if isinstance(target, Real) and not isinstance(target, bool):
        index = _whole(target)
        if index is None or not 0 <= index < k:
            raise ValueError(f"{where}: class index must be an integer in 0..{k - 1}, "
                             f"got {target!r:.60}")
        y = [0.0] * k
        y[index] = 1.0
        return y
    if isinstance(target, (str, bytes)) or not hasattr(target, "__len__"):
        raise ValueError(f"{where}: target must be a class index or a one-hot list, "
                         f"got {target!r:.40}")
    y = _targets(target, k, where)
    if any(t < 0 for t in y) or abs(sum(y) - 1.0) > 1e-9:
        raise ValueError(f"{where}: a one-hot / probability target must be >= 0 and sum to 1, "
                         f"got {list(target)!r:.80}")
    return y


def cross_entropy(logits: Output, target) -> Value:
    """L = -sum_k y_k log p_k with p = softmax(logits); target a class index or one-hot list.

    Computed through log-sum-exp, never log(p): log p_k = z_k - lse(z) with
    lse(z) = m + log sum_k e**(z_k - m). So L = sum_k y_k (lse - z_k), finite for any logits,
    and dL/dz_i = p_i * sum_k y_k - y_i = p_i - y_i.
    """
    z = _outputs(logits, "cross_entropy")
    y = _class_target(target, len(z), "cross_entropy")
    m = max(v.data for v in z)
    lse = sum((v - m).exp() for v in z).log() + m
    return sum(yk * (lse - zk) for yk, zk in zip(y, z) if yk != 0.0)


def binary_cross_entropy(output: Output, target: float) -> Value:
    """L = -(t log p + (1 - t) log(1 - p)) for a probability p (a sigmoid output), t in [0, 1].

    p = 0 or 1 where its log is needed gives an infinite loss: that is reported as an error
    (use `binary_cross_entropy_with_logits`, which never saturates).
    """
    p = _one(output, "binary_cross_entropy")
    t = _number(target, "binary_cross_entropy")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"binary_cross_entropy: target must be in [0, 1], got {t!r}")
    if (t > 0 and p.data <= 0.0) or (t < 1 and p.data >= 1.0) or not 0.0 <= p.data <= 1.0:
        raise ValueError(f"binary_cross_entropy: probability {p.data!r} with target {t!r} "
                         f"gives an infinite loss; use binary_cross_entropy_with_logits")
    loss = 0.0
    if t > 0:
        loss = loss - t * p.log()
    if t < 1:
        loss = loss - (1 - t) * (1 - p).log()
    return loss


def binary_cross_entropy_with_logits(output: Output, target: float) -> Value:
    """BCE of p = sigmoid(z), from the logit z: L = softplus(z) - t z, dL/dz = sigmoid(z) - t.

    softplus(z) = log(1 + e**z) is written so the exponent is never positive:
    z + log(1 + e**-z) for z >= 0, log(1 + e**z) otherwise. Both branches are exact with the
    right derivative, so any logit gives a finite loss.
    """
    z = _one(output, "binary_cross_entropy_with_logits")
    t = _number(target, "binary_cross_entropy_with_logits")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"binary_cross_entropy_with_logits: target must be in [0, 1], got {t!r}")
    if z.data >= 0:
        softplus = z + (1 + (-z).exp()).log()
    else:
        softplus = (1 + z.exp()).log()
    return softplus - t * z


def hinge(output: Output, target: float) -> Value:
    """L = max(0, 1 - y s) for a score s and label y = -1 or +1 (karpathy's max-margin loss)."""
    s = _one(output, "hinge")
    y = _number(target, "hinge")
    if y not in (-1.0, 1.0):
        raise ValueError(f"hinge: target must be -1 or +1, got {target!r}")
    return (1 + -y * s).relu()


LOSSES = {
    "mse": mse,
    "mse_mean": mse_mean,
    "cross_entropy": cross_entropy,
    "bce": binary_cross_entropy_with_logits,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "hinge": hinge,
}
