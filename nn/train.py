"""Training: `fit` runs epochs of mini-batch steps; `evaluate` and `predict` run under no_grad.

    history = fit(model, X, y, loss=hinge, optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=100, l2=1e-4)
    history.loss[-1], history.accuracy[-1]

One optimisation step is one function, `train_step` (forward, backward, update). `fit` takes it
as its `step` argument. `ReplayStep` is the same step with graph replay: the graph is built and
recorded on the first step and re-run in place afterwards (`micrograd.replay`), with identical
numbers. `fit` uses it by default where the graph's shape cannot change between steps (nn's own
Neuron/Layer/MLP, full batch, a loss without data-dependent branches) and `train_step` otherwise.

The loss and accuracy in the history are those of the forward passes during the epoch (before
each batch's update), averaged over the samples, as karpathy's demo prints them. For the
accuracy of the final weights call `evaluate`.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from micrograd import Value, no_grad
from micrograd.replay import record

from . import losses as L
from .data import batches
from .layers import MLP, Layer, Neuron
from .module import Module
from .optim import SGD, Optimizer

LossFn = Callable[..., Value]
Correct = Callable[[list[float], object], bool]


@dataclass
class History:
    """Per epoch: mean training loss, training accuracy (0..1), seconds and learning rate."""
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


@dataclass
class StepResult:
    loss: float         # the batch's loss (mean over its samples, plus the L2 term)
    correct: int        # how many of the batch's samples were classified right


# --- what "right" means for each loss -------------------------------------------------------
def _sign_match(out: list[float], t) -> bool:           # hinge: labels -1/+1, scores
    return (out[0] > 0) == (t > 0)


def _logit_match(out: list[float], t) -> bool:          # BCE from logits: p > 1/2 iff z > 0
    return (out[0] > 0) == (t > 0.5)


def _prob_match(out: list[float], t) -> bool:           # BCE of a probability
    return (out[0] > 0.5) == (t > 0.5)


def _argmax_match(out: list[float], t) -> bool:         # cross-entropy: the largest logit
    guess = max(range(len(out)), key=out.__getitem__)
    if isinstance(t, (int, float)):
        return guess == int(t)
    return guess == max(range(len(t)), key=list(t).__getitem__)


def _close_match(out: list[float], t) -> bool:          # regression-style: every output within 1/2
    ts = [t] if isinstance(t, (int, float)) else list(t)
    return all(abs(o - ti) < 0.5 for o, ti in zip(out, ts))


CORRECT: dict[Callable, Correct] = {
    L.hinge: _sign_match,
    L.binary_cross_entropy_with_logits: _logit_match,
    L.binary_cross_entropy: _prob_match,
    L.cross_entropy: _argmax_match,
    L.mse: _close_match,
    L.mse_mean: _close_match,
}


def _resolve(loss: LossFn | str, correct: Correct | None) -> tuple[LossFn, Correct]:
    if isinstance(loss, str):
        if loss not in L.LOSSES:
            raise ValueError(f"loss {loss!r} is not one of {', '.join(L.LOSSES)}")
        loss = L.LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"loss must be a function or a name, got {loss!r:.40}")
    return loss, correct or CORRECT.get(loss, _close_match)


# --- one step ------------------------------------------------------------------------------
def batch_loss(model: Module, Xb: Sequence, yb: Sequence, loss: LossFn, l2: float = 0.0,
               ) -> tuple[Value, list[list[Value]]]:
    """(mean loss over the batch (+ l2 * sum p**2, as in karpathy's demo), the model's outputs)."""
    outputs = [model(x) for x in Xb]
    losses = [loss(out, t) for out, t in zip(outputs, yb)]
    total = sum(losses) * (1.0 / len(losses))
    if l2:
        total = total + l2 * sum(p * p for p in model.parameters())
    return total, outputs


def train_step(model: Module, Xb: Sequence, yb: Sequence, loss: LossFn, optimizer: Optimizer,
               l2: float = 0.0, correct: Correct = _close_match) -> StepResult:
    """Forward the batch, backpropagate the mean loss, update the parameters once."""
    # forward
    total, outputs = batch_loss(model, Xb, yb, loss, l2)
    n_right = sum(correct([o.data for o in out], t) for out, t in zip(outputs, yb))

    # backward
    optimizer.zero_grad()
    total.backward()

    # update
    optimizer.step()
    return StepResult(total.data, n_right)


class ReplayStep:
    """`train_step` with graph replay: same signature, same numbers (==), about 2.5x faster.

    The first call for a batch builds the graph as train_step does, with the inputs as named
    leaves, and records it; later calls with the same model, loss, l2, batch size and targets
    replay it with the new inputs (targets are constants in the graph, so a batch with other
    targets is recorded anew, at most `max_graphs` kept). Parameters must be updated in place
    (`p.data = ...`, as nn's optimizers and load_state_dict do). Only for models and losses whose
    graph does not depend on the data (nn's MLPs with hinge, mse or mse_mean qualify; BCE with
    logits branches on the sign of z, and softmax / cross-entropy bake max(z) in as a constant,
    so they must use train_step).
    """

    def __init__(self, max_graphs: int = 8):
        self.graphs: dict = {}
        self.max_graphs = max_graphs

    def __call__(self, model: Module, Xb: Sequence, yb: Sequence, loss: LossFn,
                 optimizer: Optimizer, l2: float = 0.0, correct: Correct = _close_match,
                 ) -> StepResult:
        # the entry keeps `model` alive, so its id cannot be reused by another model
        key = (id(model), loss, l2, len(Xb), _hashable(yb))
        entry = self.graphs.get(key)
        names = [[f"x[{i}][{j}]" for j in range(len(x))] for i, x in enumerate(Xb)]
        if entry is None:
            # forward, building the graph once, with the inputs as named leaves
            xs = [[Value(v, name) for v, name in zip(x, row)] for x, row in zip(Xb, names)]
            total, outputs = batch_loss(model, xs, yb, loss, l2)
            inputs = {name: v for row_v, row_n in zip(xs, names) for v, name in zip(row_v, row_n)}
            tape = record(total, inputs)
            if len(self.graphs) >= self.max_graphs:
                self.graphs.pop(next(iter(self.graphs)))
            self.graphs[key] = (tape, outputs, model)
        else:
            # forward, replayed: new inputs, same nodes
            tape, outputs, _ = entry
            tape.forward({name: v for x, row in zip(Xb, names) for v, name in zip(x, row)})
        n_right = sum(correct([o.data for o in out], t) for out, t in zip(outputs, yb))

        # backward
        optimizer.zero_grad()
        tape.backward()

        # update
        optimizer.step()
        return StepResult(tape.root.data, n_right)


def _hashable(targets: Sequence) -> tuple:
    """Targets as a dict key: numbers stay, vectors (one-hot, multi-output) become tuples."""
    return tuple(tuple(t) if isinstance(t, (list, tuple)) else t for t in targets)


# losses whose graph has no branch on the data (relu is one node whichever side it takes)
REPLAY_LOSSES = (L.hinge, L.mse, L.mse_mean)


def _default_step(model: Module, loss: LossFn, batch_size: int | None) -> Callable[..., StepResult]:
    """ReplayStep where the graph's shape is fixed across steps, else train_step."""
    fixed = (type(model) in (MLP, Layer, Neuron)     # a subclass may branch in its __call__
             and loss in REPLAY_LOSSES
             and batch_size is None)                  # shuffled batches change the targets
    return ReplayStep() if fixed else train_step


def fit(model: Module, X: Sequence, y: Sequence, loss: LossFn | str = L.mse,
        optimizer: Optimizer | None = None, epochs: int = 100, batch_size: int | None = None,
        l2: float = 0.0, seed: int | None = 0, progress: bool = True,
        correct: Correct | None = None, step: Callable[..., StepResult] | None = None,
        ) -> History:
    """Train `model` on (X, y); returns the History (loss and accuracy per epoch).

    loss: a function from nn.losses (or its name); optimizer: default SGD with lr 0.1;
    batch_size None = full batch, in order (karpathy's demo); otherwise batches are shuffled
    each epoch from `seed`. l2 adds l2 * sum(p**2) to every batch's loss. progress shows a tqdm
    bar (if tqdm is installed). correct(outputs, target) -> bool decides accuracy; by default
    it follows the loss (sign for hinge, argmax for cross-entropy, |o - t| < 1/2 for mse).
    step: one optimisation step; by default `ReplayStep()` where the graph's shape is fixed
    (nn's own models, full batch, hinge/mse/mse_mean) and `train_step` otherwise; both give
    identical numbers.
    """
    if len(X) != len(y) or not X:
        raise ValueError(f"fit: need as many targets as inputs (> 0), got {len(X)} and {len(y)}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    loss, correct = _resolve(loss, correct)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    if step is None:
        step = _default_step(model, loss, batch_size)
    rng = random.Random(seed)
    history = History()
    bar = _progress(epochs) if progress else None
    try:
        for _ in range(epochs):
            start = time.perf_counter()
            lr = optimizer.current_lr()
            total, right = 0.0, 0
            for Xb, yb in batches(X, y, batch_size, rng):
                result = step(model, Xb, yb, loss, optimizer, l2, correct)
                total += result.loss * len(Xb)
                right += result.correct
            history.loss.append(total / len(X))
            history.accuracy.append(right / len(X))
            history.seconds.append(time.perf_counter() - start)
            history.lr.append(lr)
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}",
                                acc=f"{history.accuracy[-1]:.0%}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return history


def _progress(epochs: int):
    try:
        from tqdm import tqdm
    except ImportError:         # the bar is a nicety; training does not need it
        return None
    return tqdm(total=epochs, desc="training", unit="epoch", leave=True)


# --- inference -----------------------------------------------------------------------------
def predict(model: Module, X: Sequence) -> list[list[float]]:
    """The model's outputs (as floats) for each input, without building any graph."""
    with no_grad():
        return [[o.data for o in model(x)] for x in X]


def evaluate(model: Module, X: Sequence, y: Sequence, loss: LossFn | str = L.mse,
             correct: Correct | None = None) -> tuple[float, float]:
    """(mean loss, accuracy) of the model as it is now, under no_grad."""
    if len(X) != len(y) or not X:
        raise ValueError(f"evaluate: need as many targets as inputs (> 0), "
                         f"got {len(X)} and {len(y)}")
    loss, correct = _resolve(loss, correct)
    with no_grad():
        total, right = 0.0, 0
        for x, t in zip(X, y):
            out = model(x)
            total += loss(out, t).data
            right += correct([o.data for o in out], t)
    return total / len(X), right / len(X)
