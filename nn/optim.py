"""Optimizers (SGD, Adam) and learning-rate schedules.

An optimizer holds a list of parameters and changes their `.data` from their `.grad`:

    opt = SGD(model.parameters(), lr=0.1)
    opt.zero_grad(); loss.backward(); opt.step()

`lr` is a number or a schedule: any plain callable `lr(k) -> float`, called with k = the number
of steps already taken (0 for the first step). karpathy's demo schedule 1.0 - 0.9*k/100 is
`linear_schedule(1.0, 0.1, 100)`.
"""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Callable, Sequence, Union

from micrograd import Value
from micrograd.arguments import check_number

LR = Union[float, Callable[[int], float]]


def _check_params(params: Sequence[Value], where: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(f"{where}: params must be a list of Values such as model.parameters(), "
                        f"got one Value")
    params = list(params)
    if not params:
        raise ValueError(f"{where}: no parameters to optimize")
    seen = {}
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{where}: parameters must be Values, got {type(p).__name__} "
                            f"at position {i}")
        if id(p) in seen:
            name = f" {p.label!r}" if p.label else ""
            raise ValueError(f"{where}: parameter{name} is listed twice (positions {seen[id(p)]} "
                             f"and {i}); each step would update it twice")
        seen[id(p)] = i
    return params


class Optimizer:
    """Shared parts: the parameter list, the step counter, the learning rate, zero_grad.

    Every parameter must be listed once (a duplicate would be stepped twice). The learning
    rate, a number or a schedule's value, must be finite and >= 0 at every step.
    """

    def __init__(self, params: Sequence[Value], lr: LR):
        name = type(self).__name__
        self.params = _check_params(params, name)
        if not callable(lr):
            lr = check_number(lr, "lr", name)
        self.lr = lr
        self.steps = 0      # steps taken so far; the schedule's argument

    def current_lr(self) -> float:
        """The learning rate the next step() will use."""
        where = f"{type(self).__name__}: learning rate"
        try:
            lr = self.lr(self.steps) if callable(self.lr) else self.lr
        except OverflowError:               # e.g. an exponential schedule past 1e308
            raise ValueError(f"{where} at step {self.steps} overflows a float") from None
        if isinstance(lr, bool) or not isinstance(lr, Real) or not math.isfinite(lr):
            raise ValueError(f"{where} {lr!r} at step {self.steps} is not a finite number")
        if lr < 0:
            raise ValueError(f"{where} {lr!r} at step {self.steps} is negative (a schedule "
                             f"must stay >= 0)")
        return float(lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * v, with v = momentum * v + (grad + weight_decay * p) (v = g when momentum = 0).

    weight_decay w adds w * p to each gradient, the gradient of (w/2) * sum p**2.
    """

    def __init__(self, params: Sequence[Value], lr: LR, momentum: float = 0.0,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        self.momentum = check_number(momentum, "momentum", "SGD", 0.0, 1.0, open_hi=True)
        self.weight_decay = check_number(weight_decay, "weight_decay", "SGD")
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.current_lr(), self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            if mu:
                g = self.velocity[i] = mu * self.velocity[i] + g
            p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba): running means m of g and v of g**2, bias-corrected (m^, v^),
    then p -= lr * m^ / (sqrt(v^) + eps). weight_decay adds weight_decay * p to g (L2)."""

    def __init__(self, params: Sequence[Value], lr: LR = 0.001,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (check_number(betas[0], "betas[0]", "Adam", 0.0, 1.0, open_hi=True),
                      check_number(betas[1], "betas[1]", "Adam", 0.0, 1.0, open_hi=True))
        self.eps = check_number(eps, "eps", "Adam", 0.0, open_lo=True)
        self.weight_decay = check_number(weight_decay, "weight_decay", "Adam")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        lr, (b1, b2), wd = self.current_lr(), self.betas, self.weight_decay
        t = self.steps + 1
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t        # bias corrections
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            p.data -= lr * (self.m[i] / c1) / (math.sqrt(self.v[i] / c2) + self.eps)
        self.steps += 1


# --- schedules: plain callables k -> lr --------------------------------------------------------
def constant(lr: float) -> Callable[[int], float]:
    """lr(k) = lr."""
    lr = check_number(lr, "lr", "constant")
    return lambda k: lr


def linear_schedule(start: float, end: float, steps: int) -> Callable[[int], float]:
    """lr(k) = start + (end - start) * k / steps, so k = 0 gives start; flat at end after steps.

    karpathy's demo: linear_schedule(1.0, 0.1, 100)(k) = 1.0 - 0.9*k/100. start and end must be
    >= 0, so the rate never goes negative.
    """
    start = check_number(start, "start", "linear_schedule")
    end = check_number(end, "end", "linear_schedule")
    if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1:
        raise ValueError(f"linear_schedule: steps must be an integer >= 1, got {steps!r}")
    steps = int(steps)
    return lambda k: start - (start - end) * min(k, steps) / steps


def exponential_schedule(start: float, gamma: float) -> Callable[[int], float]:
    """lr(k) = start * gamma**k (start >= 0, gamma >= 0: never negative)."""
    start = check_number(start, "start", "exponential_schedule")
    gamma = check_number(gamma, "gamma", "exponential_schedule")
    return lambda k: start * gamma ** k
