"""The loss table: every loss in one place, like the op table, with what it means.

A loss is one record (`Loss`), called like a function: `mse(outputs, target)` returns a `Value`.
`outputs` is what a model returns (a list of Values; a bare Value is accepted too); targets
are plain numbers. Each record holds, once:

    graph      (outputs, encoded target) -> the loss, built from Values
    encode     a target, checked, as a fixed number of floats (a class index -> one-hot)
    correct    whether outputs (floats) got a sample right, for accuracy
    classify   the class outputs (floats) stand for (the decision boundary)
    replayable whether the graph's shape is the same for any outputs and targets, so graph
               replay can re-run it with new inputs and targets
    labels     how `python -m nn train` turns a class label (0, 1, ...) into a target, and
    output_activation / multiclass: the last layer it pairs the loss with

`fit`, graph replay, the training page and the CLI read these fields; nothing else knows what
a loss means. A loss of your own is any function (outputs, target) -> Value (`lookup` gives
None for it: accuracy as mse's, no replay).

Each loss states its gradient, which the tests check against the closed forms of
000_8495f74e1b111f69.txt, central differences and PyTorch:

    mse                1/2 sum_k (o_k - y_k)**2            dL/do_i = o_i - y_i
    mse_mean           1/K sum_k (o_k - y_k)**2            dL/do_i = 2 (o_i - y_i) / K
    cross_entropy      -sum_k y_k log softmax(z)_k         dL/dz_i = p_i - y_i
    binary_cross_entropy             -(t log p + (1-t) log(1-p))        dL/dp = (p-t)/(p(1-p))
    binary_cross_entropy_with_logits  the same with p = sigmoid(z)       dL/dz = sigmoid(z) - t
    hinge              max(0, 1 - y s), y in {-1, +1}      dL/ds = -y if y s < 1 else 0

`softmax` returns probabilities (a list of Values), computed stably; `logsumexp` is the stable
log sum_k e**z_k both cross-entropies are built on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Callable, Sequence, Union

from micrograd import Value

Output = Union[Value, Sequence[Value]]
Target = Union[float, Sequence[float]]


# --- checking what a loss is given ------------------------------------------------------------
def outputs(output: Output, where: str) -> list[Value]:
    """A model's output as a non-empty list of Values (a bare Value is one output)."""
    if isinstance(output, Value):
        return [output]
    out = list(output)
    if not out:
        raise ValueError(f"{where}: no outputs")
    for o in out:
        if not isinstance(o, Value):
            raise TypeError(f"{where}: outputs must be Values, got {type(o).__name__} {o!r:.40}")
    return out


def _number(x, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
        raise ValueError(f"{where}: target must be a finite number, got {x!r:.40}")
    return float(x)


def _vector(target: Target, k: int, where: str) -> list[float]:
    """One finite number per output (a number is the target of a single output)."""
    ts = [target] if isinstance(target, Real) else list(target)
    if len(ts) != k:
        raise ValueError(f"{where}: {k} outputs but {len(ts)} targets")
    return [_number(t, where) for t in ts]


def _single(target, k: int, where: str) -> float:
    if k != 1:
        raise ValueError(f"{where}: expects one output per sample, got {k}")
    return _number(target, where)


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


# --- targets: each loss's encoding ------------------------------------------------------------
def _numbers(where: str):
    def encode(target: Target, k: int) -> list[float]:
        return _vector(target, k, where)
    return encode


def _class_targets(target, k: int) -> list[float]:
    """A class index or a probability vector (one-hot) as a list of k numbers summing to 1."""
    where = "cross_entropy"
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
    y = _vector(target, k, where)
    if any(t < 0 for t in y) or abs(sum(y) - 1.0) > 1e-9:
        raise ValueError(f"{where}: a one-hot / probability target must be >= 0 and sum to 1, "
                         f"got {list(target)!r:.80}")
    return y


def _probability(where: str):
    def encode(target, k: int) -> list[float]:
        t = _single(target, k, where)
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"{where}: target must be in [0, 1], got {t!r}")
        return [t]
    return encode


def _sign_targets(target, k: int) -> list[float]:
    y = _single(target, k, "hinge")
    if y not in (-1.0, 1.0):
        raise ValueError(f"hinge: target must be -1 or +1, got {target!r}")
    return [y]


# --- the graphs: outputs (Values) and encoded targets (numbers, or Values for replay) ---------
def logsumexp(z: Sequence) -> Value:
    """log sum_k e**z_k, computed as m + log sum_k e**(z_k - m) with m = max z.

    The shift changes nothing mathematically (nor in the gradient) but keeps every exponent
    <= 0, so large logits cannot overflow. m is built in the graph, max(m, v) = m + relu(v - m)
    for each logit in turn, rather than read off the data: the graph then has the same shape
    whichever logit is largest, so graph replay can re-run it. (d lse/dm is 0, so the gradient
    through m is zero up to rounding.)
    """
    m = z[0]
    for v in z[1:]:
        m = m + (v - m).relu()
    return sum((v - m).exp() for v in z).log() + m


def _mse(o: list[Value], y: list) -> Value:
    return 0.5 * sum((oi - yi) ** 2 for oi, yi in zip(o, y))


def _mse_mean(o: list[Value], y: list) -> Value:
    return sum((oi - yi) ** 2 for oi, yi in zip(o, y)) * (1.0 / len(o))


def _cross_entropy(z: list[Value], y: list) -> Value:
    # log p_k = z_k - lse(z), never log(p): finite for any logits; every class has its term
    # (0 * ... for the others) so the graph does not depend on the target
    lse = logsumexp(z)
    return sum(yk * (lse - zk) for yk, zk in zip(y, z))


def _bce_with_logits(z: list[Value], y: list) -> Value:
    # softplus(z) = log(1 + e**z) = logsumexp(0, z): no exponent is ever positive
    return logsumexp([0.0, z[0]]) - y[0] * z[0]


def _bce(p: list[Value], y: list) -> Value:
    (p,), (t,) = p, y
    if (t > 0 and p.data <= 0.0) or (t < 1 and p.data >= 1.0) or not 0.0 <= p.data <= 1.0:
        raise ValueError(f"binary_cross_entropy: probability {p.data!r} with target {t!r} "
                         f"gives an infinite loss; use binary_cross_entropy_with_logits")
    loss = 0.0                          # only the terms the target needs: log(0) may be avoided
    if t > 0:
        loss = loss - t * p.log()
    if t < 1:
        loss = loss - (1 - t) * (1 - p).log()
    return loss


def _hinge(s: list[Value], y: list) -> Value:
    return (1 - y[0] * s[0]).relu()


# --- what "right" means: accuracy and classes ----------------------------------------------
def _argmax(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=list(xs).__getitem__)


def _positive(out: list[float]) -> int:             # a score or logit: class 1 iff > 0
    return int(out[0] > 0)


def _over_half(out: list[float]) -> int:            # a probability (or the largest of several)
    return int(out[0] > 0.5) if len(out) == 1 else _argmax(out)


def close_match(out: list[float], t) -> bool:
    """Regression-style accuracy: every output within 1/2 of its target (the default)."""
    ts = [t] if isinstance(t, Real) else list(t)
    return all(abs(o - ti) < 0.5 for o, ti in zip(out, ts))


def _sign_match(out: list[float], t) -> bool:       # hinge: labels -1/+1
    return (out[0] > 0) == (t > 0)


def _logit_match(out: list[float], t) -> bool:      # p > 1/2 iff z > 0
    return (out[0] > 0) == (t > 0.5)


def _prob_match(out: list[float], t) -> bool:
    return (out[0] > 0.5) == (t > 0.5)


def _class_match(out: list[float], t) -> bool:      # the largest logit is the target class
    return _argmax(out) == (int(t) if isinstance(t, Real) else _argmax(list(t)))


# --- the table --------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class Loss:
    """One loss: build it with `loss(outputs, target)`; the fields say what it means."""

    name: str
    math: str                                       # the loss and its gradient, one line
    graph: Callable[[list[Value], list], Value]     # (outputs, encode(target)) -> loss
    encode: Callable[[object, int], list[float]]    # (target, number of outputs) -> floats
    correct: Callable[[list[float], object], bool]  # (outputs as floats, target) -> right?
    classify: Callable[[list[float]], int]          # outputs as floats -> class
    replayable: bool        # the graph's shape depends on no output or target value
    labels: Callable[[int], object]                 # class label (0, 1, ...) -> a target
    output_activation: str = "linear"               # the CLI's last layer for this loss
    multiclass: bool = False                        # one output per class (else one output)

    def __call__(self, output: Output, target) -> Value:
        out = outputs(output, self.name)
        return self.graph(out, self.encode(target, len(out)))

    def target_class(self, target) -> int:
        """The class a training target stands for (-1/+1 or 0/1 labels, an index, one-hot)."""
        if self.multiclass and isinstance(target, Real):
            return int(target)
        return self.classify([float(t) for t in ([target] if isinstance(target, Real)
                                                  else target)])

    def __repr__(self) -> str:
        return f"<loss {self.name}: {self.math}>"


mse = Loss(name="mse", math="L = 1/2 sum_k (o_k - y_k)**2, dL/do_i = o_i - y_i",
           graph=_mse, encode=_numbers("mse"), correct=close_match, classify=_over_half,
           replayable=True, labels=float, output_activation="sigmoid")

mse_mean = Loss(name="mse_mean", math="L = 1/K sum_k (o_k - y_k)**2, dL/do_i = 2 (o_i - y_i) / K",
                graph=_mse_mean, encode=_numbers("mse_mean"), correct=close_match,
                classify=_over_half, replayable=True, labels=float, output_activation="sigmoid")

cross_entropy = Loss(name="cross_entropy",
                     math="L = -sum_k y_k log softmax(z)_k, dL/dz_i = p_i - y_i; target a class "
                          "index or a one-hot / probability list",
                     graph=_cross_entropy, encode=_class_targets, correct=_class_match,
                     classify=_argmax, replayable=True, labels=int, multiclass=True)

binary_cross_entropy = Loss(
    name="binary_cross_entropy",
    math="L = -(t log p + (1 - t) log(1 - p)) for a probability p, t in [0, 1], "
         "dL/dp = (p - t) / (p (1 - p)); p = 0 or 1 where its log is needed is an error",
    graph=_bce, encode=_probability("binary_cross_entropy"), correct=_prob_match,
    classify=_over_half, replayable=False,     # terms dropped by target, and p checked
    labels=float, output_activation="sigmoid")

binary_cross_entropy_with_logits = Loss(
    name="binary_cross_entropy_with_logits",
    math="L = softplus(z) - t z = BCE of p = sigmoid(z), dL/dz = sigmoid(z) - t; finite for "
         "any logit",
    graph=_bce_with_logits, encode=_probability("binary_cross_entropy_with_logits"),
    correct=_logit_match, classify=_positive, replayable=True, labels=float)

hinge = Loss(name="hinge", math="L = max(0, 1 - y s), y in {-1, +1}, dL/ds = -y if y s < 1 "
                                "else 0 (karpathy's max-margin loss)",
             graph=_hinge, encode=_sign_targets, correct=_sign_match, classify=_positive,
             replayable=True, labels=lambda c: 2.0 * c - 1.0)

# every Loss above, by name; "bce" is the short name of BCE from logits
LOSSES: dict[str, Loss] = {v.name: v for v in list(globals().values()) if isinstance(v, Loss)}
ALIASES = {"bce": "binary_cross_entropy_with_logits"}


def lookup(loss: Loss | str | Callable) -> Loss | None:
    """The table's record for a loss (itself, or its name); None for a function of your own."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        name = ALIASES.get(loss, loss)
        if name not in LOSSES:
            raise ValueError(f"loss {loss!r} is not one of {', '.join([*LOSSES, *ALIASES])}")
        return LOSSES[name]
    if not callable(loss):
        raise TypeError(f"loss must be a function or a name, got {loss!r:.40}")
    return None


def softmax(logits: Output) -> list[Value]:
    """p_i = e**z_i / sum_k e**z_k, computed as e**(z_i - m) / sum_k e**(z_k - m), m = max z."""
    z = outputs(logits, "softmax")
    m = max(v.data for v in z)
    exps = [(v - m).exp() for v in z]
    total = sum(exps)
    return [e / total for e in exps]
