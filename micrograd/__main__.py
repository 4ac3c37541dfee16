"""`python -m micrograd`: a worked example of one neuron, forward and backward, printed.

`python -m micrograd grad "EXPR" name=value ...` computes and explains gradients of your own
expression (see micrograd/cli.py).
"""
from __future__ import annotations

import sys

from .check import gradcheck
from .engine import Value


def demo() -> None:
    # one tanh neuron: out = tanh(x1*w1 + x2*w2 + b)
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    out = n.tanh()
    out.backward()
    print("out = tanh(x1*w1 + x2*w2 + b)")
    print(f"  n   = {n.data:.4f}")
    print(f"  out = {out.data:.4f}")
    print(f"  d out/d n = 1 - out**2 = {1 - out.data ** 2:.4f}")
    for v in (x1, w1, x2, w2, b):
        print(f"  d out/d {v.label:<2} = {v.grad:+.4f}")
    print("\ncentral differences agree:")
    print(gradcheck(lambda x1, w1, x2, w2, b: (x1 * w1 + x2 * w2 + b).tanh(),
                    [x1, w1, x2, w2, b]))


def main(argv: list[str] | None = None) -> int:
    from .cli import main as cli_main
    return cli_main(sys.argv[1:] if argv is None else argv, demo)


if __name__ == "__main__":
    sys.exit(main())
