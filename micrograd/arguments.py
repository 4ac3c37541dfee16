"""Checking numbers given at the API boundary: one message for every function that takes one.

    lr = check_number(lr, "lr", "SGD")                               # finite and >= 0
    momentum = check_number(momentum, "momentum", "SGD", hi=1.0, open_hi=True)

The error names the function and the argument: `SGD: momentum must be a finite number in
[0, 1), got 1.5`. Booleans are not numbers here, and neither is an integer too large for a
float.
"""
from __future__ import annotations

import math
from numbers import Real


def check_number(x, name: str, where: str, lo: float = 0.0, hi: float = math.inf,
                 open_lo: bool = False, open_hi: bool = False) -> float:
    """x as a float if it is a finite real in the range, else ValueError naming the argument."""
    ok = isinstance(x, Real) and not isinstance(x, bool)
    if ok:
        try:
            x = float(x)
        except OverflowError:
            ok = False
    if ok:
        ok = (math.isfinite(x) and (x > lo if open_lo else x >= lo)
              and (x < hi if open_hi else x <= hi))
    if not ok:
        if math.isfinite(hi):
            wanted = f"in {'(' if open_lo else '['}{lo:g}, {hi:g}{')' if open_hi else ']'}"
        else:
            wanted = f"{'>' if open_lo else '>='} {lo:g}"
        raise ValueError(f"{where}: {name} must be a finite number {wanted}, got {x!r}")
    return x
