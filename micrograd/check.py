"""Checking gradients: `gradcheck` compares backward() with central finite differences;
`verify` checks values and gradients a learner computed by hand.

    report = gradcheck(lambda a, b: (a * b).tanh(), [Value(0.5, "a"), Value(-1.2, "b")])
    assert report          # truthy when every input matches
    print(report)          # a table: input, autodiff, numeric, error

A float limit both of them meet: a gradient is a sum of the amounts its paths carry, in float64
like PyTorch's. When those amounts differ by more than about 16 orders of magnitude and some
of them cancel, the sum can lose the small one, and whether it does depends on the order the
sum is taken: for b*3 + (b - b)/b at b = 1e-300 the two paths through b - b carry +1e300 and
-1e300; this engine adds 3 first and gets 0, PyTorch gets 3; written (b - b)/b + b*3 it is the
other way round. gradcheck shows a MISMATCH there and verify a WRONG row for a correct claim
of 3: the derivative rules are right, the float sum is not exact.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Mapping, Sequence

from .arguments import check_number
from .engine import Value, gradients, no_grad
from .names import find_node


def _table(head: tuple[str, ...], body: list[tuple[str, ...]]) -> list[str]:
    """Rows of text cells as left-aligned columns, two spaces apart."""
    widths = [max(len(row[i]) for row in [head] + body) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]


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
        lines = _table(head, body)
        verdict = "all gradients match" if self.ok else "some gradients DO NOT match"
        lines.append(f"{verdict} (max error {self.max_error:.2e})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GradcheckReport ok={self.ok} inputs={len(self.rows)} max_error={self.max_error:.2e}>"

    def _repr_markdown_(self) -> str:
        return "```\n" + str(self) + "\n```"


def _check_tolerances(who: str, **values) -> None:
    """Each argument a finite number >= 0 (eps > 0), or a ValueError naming it."""
    for name, x in values.items():
        check_number(x, name, who, open_lo=name == "eps")


def gradcheck(f: Callable[..., Value], inputs: Sequence, eps: float = 1e-6,
              rel_tol: float = 1e-5, abs_tol: float = 1e-6) -> GradcheckReport:
    """Compare d f / d input from backward() with (f(x+h) - f(x-h)) / 2h for each input.

    f is called as f(*values) on fresh leaf copies, so the caller's Values are left untouched.
    A row matches when |autodiff - numeric| <= abs_tol + rel_tol * max(|autodiff|, |numeric|);
    the step is h = eps * max(1, |x|).
    """
    _check_tolerances("gradcheck", eps=eps, rel_tol=rel_tol, abs_tol=abs_tol)
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


# --- verify: checking numbers computed by hand ----------------------------------------------
#
#     report = verify(E, {"out_o1": 0.7927, "dE/dw7": 0.0745})
#     print(report)          # claimed vs computed; each wrong row names where it went off

class VerifyRow:
    __slots__ = ("name", "claimed", "computed", "ok", "first_wrong_upstream", "kind")

    def __init__(self, name, claimed, computed, ok, kind):
        self.name, self.claimed, self.computed, self.ok = name, claimed, computed, ok
        self.kind = kind                    # "value" or "grad"
        self.first_wrong_upstream = None    # the earliest wrong claim this one depends on

    def __repr__(self) -> str:
        return (f"VerifyRow({self.name!r}, claimed={self.claimed!r}, computed={self.computed!r}, "
                f"ok={self.ok}, first_wrong_upstream={self.first_wrong_upstream!r})")


class VerifyReport:
    """One row per claim; truthy when every claim holds; prints as a table."""

    def __init__(self, rows: list[VerifyRow], rel_tol: float, abs_tol: float):
        self.rows = rows
        self.rel_tol, self.abs_tol = rel_tol, abs_tol
        self.ok = all(r.ok for r in rows)

    def __bool__(self) -> bool:
        return self.ok

    @property
    def wrong(self) -> list[VerifyRow]:
        return [r for r in self.rows if not r.ok]

    def __str__(self) -> str:
        head = ("claim", "claimed", "computed", "")
        body = []
        for r in self.rows:
            if r.ok:
                note = "ok"
            elif r.first_wrong_upstream is None:
                note = "WRONG  <- first wrong step"
            else:
                note = f"WRONG  (follows from {r.first_wrong_upstream})"
            body.append((r.name, f"{r.claimed:.6g}", f"{r.computed:.6g}", note))
        lines = _table(head, body)
        wrong = self.wrong
        if not wrong:
            lines.append(f"all {len(self.rows)} claims hold")
        else:
            starts = [r.name for r in wrong if r.first_wrong_upstream is None]
            lines.append(f"{len(wrong)} of {len(self.rows)} claims are wrong; "
                         f"start checking at: {', '.join(starts)}")
        lines.append(f"(a claim holds when |claimed - computed| <= {self.abs_tol:g} + "
                     f"{self.rel_tol:g} * |computed|)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<VerifyReport ok={self.ok} claims={len(self.rows)} wrong={len(self.wrong)}>"

    def _repr_markdown_(self) -> str:
        return "```\n" + str(self) + "\n```"


_GRAD_CLAIM = re.compile(r"\s*[d∂]\s*(.+?)\s*/\s*[d∂]\s*(.+?)\s*")


def verify(root: Value, claims: Mapping[str, float], rel_tol: float = 1e-4,
           abs_tol: float = 2e-4) -> VerifyReport:
    """Check hand-computed values and gradients against the engine.

    claims maps a node label to its claimed value ("out_o1": 0.7927), or "d<root>/d<label>" to
    a claimed gradient ("dE/dw7": 0.0745). A claim holds when |claimed - computed| <= abs_tol +
    rel_tol * |computed|; the defaults accept numbers rounded to 4 decimals from rounded
    intermediate steps. Gradients are those of one reverse pass of the engine (no .grad is read
    or written; an overflowing gradient is the engine's OverflowError, never a claim that
    holds). Each wrong row's `first_wrong_upstream` names where its error starts: of
    the wrong claims it is computed from, one that depends on no wrong claim itself (the
    earliest listed if several), or None when the mistake starts at this row.
    """
    if not isinstance(root, Value):
        raise TypeError(f"verify: root must be a Value, got {type(root).__name__}")
    _check_tolerances("verify", rel_tol=rel_tol, abs_tol=abs_tol)
    grads = gradients(root)             # one reverse pass; no .grad is read or written
    order = list(grads)                 # backward order: consumers before operands
    labelled: dict[str, list[Value]] = {}
    for n in order:
        if n.label:
            labelled.setdefault(n.label, []).append(n)

    def node_of(label: str, who: str) -> Value:
        found = labelled.get(label, [])
        return found[0] if len(found) == 1 else find_node(found, label, who)   # (raises)

    claimed = []
    for name, number in claims.items():
        if not isinstance(name, str):
            raise TypeError(f"verify: claim names are strings, got {name!r}")
        try:
            number = float(number)
        except (TypeError, ValueError):
            raise TypeError(f"verify: claim {name!r} must be a number, got {number!r}") from None
        if name in labelled:
            kind, node = "value", node_of(name, "verify")
        else:
            m = _GRAD_CLAIM.fullmatch(name)
            if m is None:
                find_node(order, name, "verify")            # raises: no such label
            top, label = m.groups()
            if root.label and top != root.label:
                raise ValueError(f"verify: gradient claim {name!r} is about {top!r}, but the "
                                 f"root is labelled {root.label!r} (write 'd{root.label}/d{label}')")
            if label not in labelled:
                find_node(order, label, f"verify: claim {name!r}")   # raises: no such label
            kind, node = "grad", node_of(label, f"verify: claim {name!r}")
        computed = node.data if kind == "value" else grads[node]
        # a claimed inf or nan never holds (|inf - c| <= inf would)
        ok = math.isfinite(number) and abs(number - computed) <= abs_tol + rel_tol * abs(computed)
        claimed.append((VerifyRow(name, number, computed, ok, kind), node))
    _find_where_errors_start([(r, v) for r, v in claimed if not r.ok], order)
    return VerifyReport([r for r, _ in claimed], rel_tol, abs_tol)


def _find_where_errors_start(wrong: list[tuple[VerifyRow, Value]], order: list[Value]) -> None:
    """Set each wrong row's first_wrong_upstream, in time linear in graph + claims.

    A value claim about v is computed from the values below v; a gradient claim about v from
    the gradients of the nodes above v (on its paths to the root) and from the values of
    everything below those. Of the wrong claims a row is computed from, it names the earliest
    listed one that is computed from no wrong claim itself (an origin); there is always one
    (the graph is acyclic), but for two claims about one number, then the earliest listed.
    Two sweeps carry the smallest row numbers: up from the leaves (what is below a node),
    then down from the root (what is above it, and below that).
    """
    if not wrong:
        return
    NONE = len(wrong)                       # "no such row": larger than every row number
    value_row = {v: i for i, (r, v) in enumerate(wrong) if r.kind == "value"}
    grad_row = {v: i for i, (r, v) in enumerate(wrong) if r.kind == "grad"}
    # up: below[v] = (earliest wrong value claim strictly below v, earliest such origin)
    below: dict[Value, tuple[int, int]] = {}
    within: dict[Value, tuple[int, int]] = {}     # the same, v itself included
    for v in reversed(order):               # operands first
        any_, origin = NONE, NONE
        for c in v.children:
            a, o = within[c]
            any_, origin = min(any_, a), min(origin, o)
        below[v] = (any_, origin)
        i = value_row.get(v, NONE)
        within[v] = (min(any_, i), min(origin, i if any_ == NONE else NONE))
    # down: above[v] = (earliest wrong claim v's gradient is computed from, earliest origin)
    above: dict[Value, list[int]] = {v: [NONE, NONE] for v in order}
    for v in order:                         # consumers first: v's own entry is complete
        any_, origin = above[v]
        i = grad_row.get(v, NONE)
        v_any, v_origin = within[v]
        # what v's operands see through v: v's gradient claim, v's subtree, all above v
        send_any = min(any_, i, v_any)
        send_origin = min(origin, i if any_ == NONE else NONE, v_origin)
        for c in v.children:
            entry = above[c]
            entry[0] = min(entry[0], send_any)
            entry[1] = min(entry[1], send_origin)
    for row, v in wrong:
        any_, origin = below[v] if row.kind == "value" else above[v]
        pick = origin if origin != NONE else any_
        row.first_wrong_upstream = wrong[pick][0].name if pick != NONE else None
