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
from typing import Callable, Sequence, Union

from micrograd import Value

LR = Union[float, Callable[[int], float]]


def _check_params(params: Sequence[Value], where: str) -> list[Value]:
    params = list(params)
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{where}: parameters must be Values, got {type(p).__name__}")
    return params


def _check_nonneg(x: float, name: str, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {x!r}")
    return float(x)


class Optimizer:
    """Shared parts: the parameter list, the step counter, the learning rate, zero_grad."""

    def __init__(self, params: Sequence[Value], lr: LR):
        name = type(self).__name__
        self.params = _check_params(params, name)
        if not callable(lr):
            _check_nonneg(lr, "lr", name)
        self.lr = lr
        self.steps = 0      # steps taken so far; the schedule's argument

    def current_lr(self) -> float:
        """The learning rate the next step() will use."""
        lr = self.lr(self.steps) if callable(self.lr) else self.lr
        if not (isinstance(lr, (int, float)) and math.isfinite(lr)):
            raise ValueError(f"{type(self).__name__}: learning rate {lr!r} at step {self.steps} "
                             f"is not a finite number")
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
        self.momentum = _check_nonneg(momentum, "momentum", "SGD")
        self.weight_decay = _check_nonneg(weight_decay, "weight_decay", "SGD")
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
        b1, b2 = betas
        for b in (b1, b2):
            if not (isinstance(b, (int, float)) and 0.0 <= b < 1.0):
                raise ValueError(f"Adam: betas must be in [0, 1), got {betas!r}")
        self.betas = (float(b1), float(b2))
        if not (isinstance(eps, (int, float)) and eps > 0):
            raise ValueError(f"Adam: eps must be > 0, got {eps!r}")
        self.eps = float(eps)
        self.weight_decay = _check_nonneg(weight_decay, "weight_decay", "Adam")
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
    return lambda k: lr


def linear_schedule(start: float, end: float, steps: int) -> Callable[[int], float]:
    """lr(k) = start + (end - start) * k / steps, so k = 0 gives start; flat at end after steps.

    karpathy's demo: linear_schedule(1.0, 0.1, 100)(k) = 1.0 - 0.9*k/100.
    """
    if steps < 1:
        raise ValueError(f"linear_schedule: steps must be >= 1, got {steps!r}")
    return lambda k: start - (start - end) * min(k, steps) / steps


def exponential_schedule(start: float, gamma: float) -> Callable[[int], float]:
    """lr(k) = start * gamma**k."""
    return lambda k: start * gamma ** k
