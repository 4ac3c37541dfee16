"""Training: `fit` runs epochs of mini-batch steps; `evaluate` and `predict` run under no_grad.

    history = fit(model, X, y, loss=hinge, optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=100, l2=1e-4)
    history.loss[-1], history.accuracy[-1]

One optimisation step is one function, `train_step` (forward, backward, update). `fit` takes it
as its `step` argument. `ReplayStep` is the same step with graph replay: the graph is built and
recorded on the first step and re-run in place afterwards (`micrograd.replay`), with identical
numbers. `fit` uses it by default where the graph's shape cannot change between steps (nn's own
Neuron/Layer/MLP, full batch, a loss without data-dependent branches) and `train_step` otherwise.

What is measured, stated once (see `History`): every loss fit reports is the training objective,
the mean loss over the samples plus l2 * sum p**2. `history.loss[e]` is measured by epoch e's own
forward passes, each batch before its update (as karpathy's demo prints it, and the progress
bar shows it); `history.final_loss` is the same objective for the weights fit returns, after
the last update (`evaluate(model, X, y, loss, l2=l2)`).

fit refuses to run inside `no_grad()` and stops with `TrainingDiverged` when the weights leave
the range of floats (see `fit`).
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Callable, Sequence

from micrograd import Value, is_grad_enabled, no_grad
from micrograd.arguments import check_number
from micrograd.replay import record

from . import losses as L
from .data import batches
from .layers import MLP, Layer, Neuron
from .live import TrainingRecorder, recorder_for
from .module import Module
from .optim import SGD, Optimizer

LossFn = Callable[..., Value]
Correct = Callable[[list[float], object], bool]


@dataclass
class History:
    """What fit measured. Each loss is the training objective: the mean of the loss over the
    samples, plus l2 * sum p**2 when l2 > 0 (the same number `evaluate(..., l2=l2)` gives).

    One entry per epoch:
      loss, accuracy  measured by the epoch's own forward passes, each batch BEFORE its update
                      (what karpathy's demo prints and the progress bar shows); with several
                      batches, their mean weighted by batch size. So loss[-1] is not the loss
                      of the weights fit returns.
      seconds, lr     the epoch's time, and the learning rate of its first step.
    After the last update (None until fit finishes):
      final_loss, final_accuracy  the same objective and accuracy for the final weights, over
                      all of X (one more forward pass, which also checks the weights can still
                      be evaluated).
    """
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    final_loss: float | None = None
    final_accuracy: float | None = None


@dataclass
class StepResult:
    loss: float         # the batch's loss (mean over its samples, plus the L2 term)
    correct: int        # how many of the batch's samples were classified right


class TrainingDiverged(OverflowError):
    """fit stopped because the weights left the range of floats (see `fit` for the rule).

    history: the History of the epochs completed before (the failing one is in it only if all
    its steps ran); epoch and step (1-based) where it was found; reason: what was found, naming
    a parameter; parameter: the name of the parameter that is not finite, or None when a pass
    overflowed (reason then names the largest parameter). The model keeps the weights it had
    at that point.
    """

    def __init__(self, reason: str, history: History, epoch: int, step: int,
                 parameter: str | None = None):
        super().__init__(f"fit: training diverged at epoch {epoch}, step {step}: {reason}; try "
                         f"a smaller learning rate (error.history holds the "
                         f"{len(history.loss)} epoch(s) completed)")
        self.reason = reason
        self.history = history
        self.epoch = epoch
        self.step = step
        self.parameter = parameter


# --- what "right" means for each loss -------------------------------------------------------
def _sign_match(out: list[float], t) -> bool:           # hinge: labels -1/+1, scores
    return (out[0] > 0) == (t > 0)


def _logit_match(out: list[float], t) -> bool:          # BCE from logits: p > 1/2 iff z > 0
    return (out[0] > 0) == (t > 0.5)


def _prob_match(out: list[float], t) -> bool:           # BCE of a probability
    return (out[0] > 0.5) == (t > 0.5)


def _argmax_match(out: list[float], t) -> bool:         # cross-entropy: the largest logit
    guess = max(range(len(out)), key=out.__getitem__)
    if isinstance(t, Real):
        return guess == int(t)
    return guess == max(range(len(t)), key=list(t).__getitem__)


def _close_match(out: list[float], t) -> bool:          # regression-style: every output within 1/2
    ts = [t] if isinstance(t, Real) else list(t)
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


# --- checks at the boundary ----------------------------------------------------------------
def _require_grad(where: str) -> None:
    if not is_grad_enabled():
        raise RuntimeError(f"{where}: called inside no_grad(), where this thread builds no "
                           f"graph, so there is nothing to backpropagate; train outside the "
                           f"no_grad() block")


def _check_data(X: Sequence, y: Sequence, where: str) -> None:
    # len(), never truth: a numpy array has no truth value
    try:
        n, m = len(X), len(y)
    except TypeError:
        raise TypeError(f"{where}: X and y must be sequences of samples (lists or arrays), got "
                        f"{type(X).__name__} and {type(y).__name__}") from None
    if n != m or n == 0:
        raise ValueError(f"{where}: need as many targets as inputs (> 0), got {n} and {m}")


def _floats(out) -> list[float]:
    """A model's output as floats: a list of Values, or the bare Value of micrograd.nn's MLP."""
    return [out.data] if isinstance(out, Value) else [o.data for o in out]


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
    _require_grad("train_step")
    # forward
    total, outputs = batch_loss(model, Xb, yb, loss, l2)
    n_right = sum(correct(_floats(out), t) for out, t in zip(outputs, yb))

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
    so they must use train_step). A replay that fails (an overflow, say) drops its recording
    and the step builds the graph anew, so it raises exactly what train_step raises.
    """

    def __init__(self, max_graphs: int = 8):
        self.graphs: dict = {}
        self.max_graphs = max_graphs

    def __call__(self, model: Module, Xb: Sequence, yb: Sequence, loss: LossFn,
                 optimizer: Optimizer, l2: float = 0.0, correct: Correct = _close_match,
                 ) -> StepResult:
        _require_grad("ReplayStep")
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
            try:
                tape.forward({name: v for x, row in zip(Xb, names) for v, name in zip(x, row)})
            except (ArithmeticError, ValueError):
                del self.graphs[key]            # build it again: train_step's own error
                return self(model, Xb, yb, loss, optimizer, l2, correct)
        n_right = sum(correct(_floats(out), t) for out, t in zip(outputs, yb))

        # backward
        optimizer.zero_grad()
        tape.backward()

        # update
        optimizer.step()
        return StepResult(tape.root.data, n_right)


def _hashable(targets: Sequence) -> tuple:
    """Targets as a dict key: numbers stay, vectors (one-hot, multi-output, array rows) become
    tuples."""
    return tuple(t if isinstance(t, Real) else tuple(t) for t in targets)


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
        html: str | os.PathLike | TrainingRecorder | None = None, live: bool | None = None,
        ) -> History:
    """Train `model` on (X, y); returns the History (see there for what each number measures).

    X, y: lists or numpy arrays. loss: a function from nn.losses (or its name); optimizer:
    default SGD with lr 0.1; batch_size None = full batch, in order (karpathy's demo);
    otherwise batches are shuffled each epoch from `seed`. l2 adds l2 * sum(p**2) to every
    batch's loss. progress shows a tqdm bar (if tqdm is installed). correct(outputs, target)
    -> bool decides accuracy; by default it follows the loss (sign for hinge, argmax for
    cross-entropy, |o - t| < 1/2 for mse). step: one optimisation step; by default
    `ReplayStep()` where the graph's shape is fixed (nn's own models, full batch,
    hinge/mse/mse_mean) and `train_step` otherwise; both give identical numbers.

    html: a path (the training page is written there when fit finishes) or a
    `TrainingRecorder` (nn.live: frames of weights, gradients, losses and the decision
    boundary). live: in a Jupyter kernel, show that page during training, updated in place
    (None: whenever html is given; True: even without html); outside a kernel it does nothing.

    Inside `no_grad()` fit raises RuntimeError: there would be no graph to backpropagate.

    Divergence, precisely: training has diverged when, after a step, a parameter is not a
    finite float (its update was inf or nan, or overflowed), or when a forward or backward
    pass overflows (the engine refuses any number beyond +-1.8e308: the weights have grown
    too large to evaluate the model on its own training data). The forward pass that computes
    `final_loss` checks the weights of the last update the same way. fit then raises
    `TrainingDiverged` naming the epoch, the step and the parameter (the non-finite one, or the
    largest), with the History so far as its `.history`.
    """
    _check_data(X, y, "fit")
    if isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    l2 = check_number(l2, "l2", "fit")
    _require_grad("fit")
    recorder = recorder_for(html, live, "fit")
    loss, correct = _resolve(loss, correct)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    if step is None:
        step = _default_step(model, loss, batch_size)
    named = list(zip(model.state_dict(), model.parameters()))     # (name, p); labels untouched
    rng = random.Random(seed)
    history = History()
    k = 0                                       # steps taken
    if recorder is not None:
        recorder.start(model, X, y, loss, int(epochs), l2=l2, batch_size=batch_size)
    bar = _progress(epochs) if progress else None
    try:
        for epoch in range(1, int(epochs) + 1):
            if recorder is not None:
                recorder.epoch_start(epoch)             # the weights this epoch starts from
            start = time.perf_counter()
            lr = optimizer.current_lr()
            parts = list(batches(X, y, batch_size, rng))
            total, right = 0.0, 0
            for i, (Xb, yb) in enumerate(parts):
                k += 1
                try:
                    result = step(model, Xb, yb, loss, optimizer, l2, correct)
                except OverflowError as e:
                    raise _diverged(f"the step overflows ({e})", history, epoch, k, named
                                    ) from None
                if i == 0 and recorder is not None:
                    recorder.first_step(epoch)          # the gradient at those weights
                total += result.loss * len(Xb)
                right += result.correct
                if i < len(parts) - 1:
                    _check_finite(named, history, epoch, k)
            history.loss.append(total / len(X))
            history.accuracy.append(right / len(X))
            history.seconds.append(time.perf_counter() - start)
            history.lr.append(lr)
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}",
                                acc=f"{history.accuracy[-1]:.0%}", refresh=False)
                bar.update(1)
            _check_finite(named, history, epoch, k)     # the epoch's steps all ran: it counts
            if recorder is not None:
                recorder.epoch_end(epoch, history)
        try:
            history.final_loss, history.final_accuracy = evaluate(model, X, y, loss, correct,
                                                                  l2=l2)
        except OverflowError as e:
            raise _diverged(f"the final weights overflow the forward pass ({e})", history,
                            int(epochs), k, named) from None
        if recorder is not None:
            recorder.finish(history)                    # the final frame; the page written
    finally:
        if bar is not None:
            bar.close()
    return history


def _check_finite(named: list[tuple[str, Value]], history: History, epoch: int, k: int) -> None:
    for name, p in named:
        x = p.data
        if x - x != 0.0:                        # inf or nan
            raise TrainingDiverged(f"after the update, parameter {name!r} is {x!r}", history,
                                   epoch, k, name)


def _diverged(what: str, history: History, epoch: int, k: int,
              named: list[tuple[str, Value]]) -> TrainingDiverged:
    name, p = max(named, key=lambda pair: abs(pair[1].data))
    return TrainingDiverged(f"{what}; the largest parameter is {name!r} = {p.data:.3g}",
                            history, epoch, k)


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
        return [_floats(model(x)) for x in X]


def evaluate(model: Module, X: Sequence, y: Sequence, loss: LossFn | str = L.mse,
             correct: Correct | None = None, l2: float = 0.0) -> tuple[float, float]:
    """(mean loss (+ l2 * sum p**2), accuracy) of the model as it is now, under no_grad.

    With fit's l2 this is the objective fit trains on (`batch_loss` over all of X); with
    l2 = 0, the plain mean loss.
    """
    _check_data(X, y, "evaluate")
    l2 = check_number(l2, "l2", "evaluate")
    loss, correct = _resolve(loss, correct)
    with no_grad():
        total, outputs = batch_loss(model, X, y, loss, l2)
    right = sum(correct(_floats(out), t) for out, t in zip(outputs, y))
    return total.data, right / len(X)
