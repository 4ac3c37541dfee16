"""Checking gradients: `gradcheck` compares backward() with central finite differences.

    report = gradcheck(lambda a, b: (a * b).tanh(), [Value(0.5, "a"), Value(-1.2, "b")])
    assert report          # truthy when every input matches
    print(report)          # a table: input, autodiff, numeric, error
"""
from __future__ import annotations

from typing import Callable, Sequence

from .engine import Value, no_grad


class GradcheckRow:
    __slots__ = ("name", "value", "autodiff", "numeric", "error", "ok")

    def __init__(self, name, value, autodiff, numeric, error, ok):
        self.name, self.value, self.autodiff = name, value, autodiff
        self.numeric, self.error, self.ok = numeric, error, ok

    def __repr__(self) -> str:
        return (f"GradcheckRow({self.name!r}, autodiff={self.autodiff!r}, "
                f"numeric={self.numeric!r}, error={self.error:.3g}, ok={self.ok})")


class GradcheckReport:
    """One row per input; truthy when all rows match; prints as a table."""

    def __init__(self, rows: list[GradcheckRow], output: float):
        self.rows = rows
        self.output = output
        self.ok = all(r.ok for r in rows)
        self.max_error = max((r.error for r in rows), default=0.0)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = ("input", "value", "autodiff", "numeric", "error", "")
        body = [(r.name, f"{r.value:.6g}", f"{r.autodiff:.10g}", f"{r.numeric:.10g}",
                 f"{r.error:.2e}", "ok" if r.ok else "MISMATCH") for r in self.rows]
        widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in [head] + body]
        verdict = "all gradients match" if self.ok else "some gradients DO NOT match"
        lines.append(f"{verdict} (max error {self.max_error:.2e})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GradcheckReport ok={self.ok} inputs={len(self.rows)} max_error={self.max_error:.2e}>"

    def _repr_markdown_(self) -> str:
        return "```\n" + str(self) + "\n```"


def gradcheck(f: Callable[..., Value], inputs: Sequence, eps: float = 1e-6,
              rel_tol: float = 1e-5, abs_tol: float = 1e-6) -> GradcheckReport:
    """Compare d f / d input from backward() with (f(x+h) - f(x-h)) / 2h for each input.

    f is called as f(*values) on fresh leaf copies, so the caller's Values are left untouched.
    A row matches when |autodiff - numeric| <= abs_tol + rel_tol * max(|autodiff|, |numeric|);
    the step is h = eps * max(1, |x|).
    """
    values = [float(x.data if isinstance(x, Value) else Value(x).data) for x in inputs]
    names = [(x.label if isinstance(x, Value) and x.label else f"x{i}") for i, x in enumerate(inputs)]

    def call(xs: list[float]) -> Value:
        out = f(*[Value(x, label=n) for x, n in zip(xs, names)])
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
        return out

    leaves = [Value(x, label=n) for x, n in zip(values, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()

    rows = []
    with no_grad():
        for i, (leaf, x) in enumerate(zip(leaves, values)):
            h = eps * max(1.0, abs(x))
            up, down = list(values), list(values)
            up[i], down[i] = x + h, x - h
            numeric = (call(up).data - call(down).data) / (2 * h)
            error = abs(leaf.grad - numeric)
            ok = error <= abs_tol + rel_tol * max(abs(leaf.grad), abs(numeric))
            rows.append(GradcheckRow(names[i], x, leaf.grad, numeric, error, ok))
    return GradcheckReport(rows, out.data)
