"""Training: `fit` runs epochs of mini-batch steps; `evaluate` and `predict` run under no_grad.

    history = fit(model, X, y, loss=hinge, optimizer=SGD(model.parameters(), lr=0.1),
                  epochs=100, l2=1e-4)
    history.loss[-1], history.accuracy[-1]

One optimisation step is one function, `train_step` (forward, backward, update). `fit` takes it
as its `step` argument. `ReplayStep` is the same step with graph replay: the graph is built and
recorded on the first step and re-run in place afterwards (`micrograd.replay`), with identical
numbers (compiled on numpy for wide graphs: the same to rounding). `fit` uses it by default
where the graph's shape cannot change between steps (nn's own Neuron/Layer/MLP and a loss the
table (`nn.losses`) marks replayable) and `train_step` otherwise.
Both run with the cyclic garbage collector paused: a graph has no reference cycles.

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
from numbers import Integral
from typing import Callable, Sequence

from micrograd import Value, is_grad_enabled, no_grad
from micrograd.arguments import check_number
from micrograd.gcpause import paused_gc
from micrograd.replay import Replay, record, worth_compiling

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


def _resolve(loss: LossFn | str, correct: Correct | None) -> tuple[LossFn, Correct]:
    """(the loss as a callable, the accuracy rule): the table's, or mse's for your own loss."""
    spec = L.lookup(loss)
    if spec is not None:
        loss = spec
    return loss, correct or (spec.correct if spec is not None else L.close_match)


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
def objective(losses: list[Value], model: Module, l2: float) -> Value:
    """The training objective: the mean of the samples' losses, + l2 * sum p**2 (as karpathy's
    demo) when l2 > 0."""
    total = sum(losses) * (1.0 / len(losses))
    if l2:
        total = total + l2 * sum(p * p for p in model.parameters())
    return total


def batch_loss(model: Module, Xb: Sequence, yb: Sequence, loss: LossFn, l2: float = 0.0,
               ) -> tuple[Value, list[list[Value]]]:
    """(the objective over the batch (see `objective`), the model's outputs); loss: a
    function, or a name from the loss table."""
    loss = L.lookup(loss) or loss
    outputs = [model(x) for x in Xb]
    return objective([loss(out, t) for out, t in zip(outputs, yb)], model, l2), outputs


def train_step(model: Module, Xb: Sequence, yb: Sequence, loss: LossFn, optimizer: Optimizer,
               l2: float = 0.0, correct: Correct = L.close_match) -> StepResult:
    """Forward the batch, backpropagate the mean loss, update the parameters once."""
    _require_grad("train_step")
    # the graph has no reference cycles (reference counting frees it): no collector passes
    with paused_gc():
        # forward
        total, outputs = batch_loss(model, Xb, yb, loss, l2)
        n_right = sum(correct(_floats(out), t) for out, t in zip(outputs, yb))

        # backward
        optimizer.zero_grad()
        total.backward()

        # update
        optimizer.step()
        result = StepResult(total.data, n_right)
        del total, outputs                  # freed here, while the collector is off
    return result


class ReplayStep:
    """`train_step` with graph replay: same signature, the same numbers (== on floats, to
    rounding when compiled), several to many times faster.

    The first call for a batch size builds the graph as train_step does, with the inputs and
    the targets (as the loss encodes them: a class index becomes a one-hot row) as named
    leaves, and records it; later calls with the same model, loss, l2 and batch size replay it
    with the new inputs and targets, so one recording serves every batch of that size (the
    last, smaller batch of an epoch gets its own; at most `max_graphs` kept). Parameters must
    be updated in place (`p.data = ...`, as nn's optimizers and load_state_dict do).

    Only for models and losses whose graph does not depend on the data: nn's own MLP, Layer
    and Neuron (a subclass may branch in its __call__) and the losses of the table marked
    replayable (all but binary_cross_entropy of a probability). A replay that fails (an
    overflow, say) drops its recording and the step builds the graph anew, so it raises
    exactly what train_step raises.

    compiled: run the recording on numpy arrays, level by level (`Replay.compile()`): None
    (default) where numpy is installed and the graph is wide enough to gain
    (`micrograd.replay.worth_compiling`), True always (numpy required), False never. The
    float path gives numbers == to building anew; the compiled one agrees to rounding (numpy
    sums the gradient of a shared node in another order), about 1e-15 relative per step.
    """

    def __init__(self, max_graphs: int = 8, compiled: bool | None = None):
        self.graphs: dict = {}
        self.max_graphs = max_graphs
        self.compiled = compiled

    def __call__(self, model: Module, Xb: Sequence, yb: Sequence, loss: LossFn,
                 optimizer: Optimizer, l2: float = 0.0, correct: Correct = L.close_match,
                 ) -> StepResult:
        _require_grad("ReplayStep")
        spec = L.lookup(loss)
        if spec is None or not spec.replayable:
            raise ValueError(f"ReplayStep: the graph of loss {getattr(loss, 'name', loss)!r} "
                             f"depends on the data, so it cannot be replayed; use train_step")
        # the entry keeps `model` alive, so its id cannot be reused by another model
        key = (id(model), spec, l2, tuple(map(len, Xb)))
        with paused_gc():
            entry = self.graphs.get(key)
            if entry is None:
                entry = self._record(key, model, Xb, yb, spec, l2)
            else:
                # forward, replayed: new inputs and targets, same nodes
                values = {}
                for (x_names, y_names), x, t in zip(entry.names, Xb, yb):
                    values.update(zip(x_names, x))
                    # one target number per output for every table loss
                    values.update(zip(y_names, spec.encode(t, len(y_names))))
                try:
                    entry.tape.forward(values)
                except (ArithmeticError, ValueError):
                    del self.graphs[key]        # build it again: train_step's own error
                    return self(model, Xb, yb, loss, optimizer, l2, correct)
                # compiled: the outputs' numbers, for accuracy (their gradients are not needed)
                entry.tape.sync(entry.ends, grads=False)
            n_right = sum(correct(_floats(out), t) for out, t in zip(entry.outputs, yb))

            # backward
            optimizer.zero_grad()
            entry.tape.backward()

            # update
            optimizer.step()
        return StepResult(entry.tape.root.data, n_right)

    def _record(self, key, model: Module, Xb: Sequence, yb: Sequence, spec: L.Loss, l2: float
                ) -> _Recording:
        """Forward, building the graph once with inputs and targets as named leaves."""
        xs = [[Value(v, f"x[{i}][{j}]") for j, v in enumerate(x)] for i, x in enumerate(Xb)]
        outputs = [model(x) for x in xs]
        losses, ys, ends = [], [], []
        for i, (out, t) in enumerate(zip(outputs, yb)):
            out = L.outputs(out, spec.name)
            ys.append([Value(v, f"y[{i}][{j}]") for j, v in enumerate(spec.encode(t, len(out)))])
            losses.append(spec.graph(out, ys[-1]))
            ends += out
        inputs = {v.label: v for row in [*xs, *ys] for v in row}
        tape = record(objective(losses, model, l2), inputs)
        if self.compiled or (self.compiled is None and worth_compiling(tape)):
            try:
                tape.compile()
            except (ImportError, ValueError):   # no numpy, or an op without an array rule
                if self.compiled:
                    raise
        names = [([v.label for v in x], [v.label for v in y]) for x, y in zip(xs, ys)]
        if len(self.graphs) >= self.max_graphs:
            self.graphs.pop(next(iter(self.graphs)))
        self.graphs[key] = entry = _Recording(tape, outputs, ends, names, model)
        return entry


@dataclass
class _Recording:
    tape: Replay
    outputs: list               # the model's outputs, nodes of the tape
    ends: list[Value]           # the same, as one flat list of nodes
    names: list[tuple[list[str], list[str]]]    # per sample: its input and target leaf names
    model: Module               # kept alive, so id(model) in the key is not reused


def _default_step(model: Module, loss: LossFn) -> Callable[..., StepResult]:
    """ReplayStep where the graph's shape is fixed across steps, else train_step."""
    spec = L.lookup(loss)
    fixed = (type(model) in (MLP, Layer, Neuron)     # a subclass may branch in its __call__
             and spec is not None and spec.replayable)
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
    cross-entropy, |o - t| < 1/2 for mse: the loss table's `correct`). step: one optimisation
    step; by default `ReplayStep()` where the graph's shape is fixed (nn's own
    Neuron/Layer/MLP with a loss the table marks replayable, any batch size; compiled on numpy
    where the graph is wide enough) and `train_step` otherwise; the float replay gives identical
    numbers, the compiled one the same to rounding (about 1e-15 per step).

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
        step = _default_step(model, loss)
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
