"""Chain-rule explanations: `explain(root, wrt)` writes d root/d wrt the way the documents do.

    >>> print(explain(E, w7))
    dE/dw7 = dE/dout_o1 · dout_o1/din_o1 · din_o1/dw7
           = 0.7427 × 0.1868 × 0.5933
           = 0.0823
      dE/dout_o1     = ...

Each term of the sum is one way wrt reaches the root: the product of local derivatives along
it, each shown with its formula from the op table (`micrograd.ops`) and its number. A node used
several times gets one term per use. To stay readable on deep graphs, a product stops at a node
with several consumers; that node's gradient (the documents' delta) is a factor, derived below
it in the same way, down to a depth limit. The term values are the exact amounts backward()
adds, so they sum to wrt.grad (for a gradient from one backward pass).

Steps: with `steps="auto"`, a graph whose inner nodes carry labels ("in_o1", "out_o1") gets one
factor per labelled step, the unlabelled ops between two of them merged into one factor, as a
learner writes it by hand; a graph without inner labels gets one factor per op.
"""
from __future__ import annotations

import math
import re

from . import ops
from .engine import Value, backward_order
from .steps import pass_gradients

# --- names and numbers, shared with graph.py, check.py and the CLI -------------------------


def format_number(x: float, digits: int = 4) -> str:
    """x with `digits` decimals, or in e-notation when that would hide it (1e-7, 3e9)."""
    if x != 0 and (abs(x) < 10.0 ** -digits or abs(x) >= 1e9):
        return f"{x:.{digits}e}"
    return f"{x:.{digits}f}"


def node_name(node: Value) -> str:
    """A node's label, a constant's number, or a short description of an unlabelled op node."""
    if node.label:
        return node.label
    if not node.op:
        return ops._fmt(node.data)
    return f"({ops.get(node.op).symbol} node, data {format_number(node.data)})"


_IDENT = re.compile(r"[A-Za-z_][\w.]*|-?[\d.]+(e-?\d+)?")


def _atomic(name: str) -> bool:
    return _IDENT.fullmatch(name) is not None


def _d(name: str) -> str:
    """The 'd' part of a derivative: dw7, d(w*x + b)."""
    return "d" + (name if _atomic(name) else f"({name})")


# expression text for unlabelled op nodes: (template, precedence of the result)
_INFIX = {"+": (" + ", 1), "-": (" - ", 1), "*": ("*", 2), "/": ("/", 2), "**": ("**", 4)}


class _Namer:
    """Names every node of one graph: labels, numbers, short expressions, else n1, n2, ..."""

    def __init__(self, order: list[Value], root: Value, max_len: int = 24):
        self.names: dict[Value, str] = {}
        self.prec: dict[Value, int] = {}
        self.defined: dict[str, str] = {}     # n-names -> what they stand for
        self.max_len = max_len
        count = 0
        for node in reversed(order):          # operands first
            if node.label:
                name, prec = node.label, 9
            elif not node.op:
                name = ops._fmt(node.data)
                prec = 9 if node.data >= 0 else 3
            else:
                name, prec = self._expr(node)
                if len(name) > max_len:
                    count += 1
                    short = f"n{count}"
                    self.defined[short] = name
                    name, prec = short, 9
            self.names[node] = name
            self.prec[node] = prec
        if not root.label:                    # an unlabelled root is called f
            text = self.names[root]
            self.defined["f"] = self.defined.pop(text, text)
            self.names[root], self.prec[root] = "f", 9

    def _wrap(self, node: Value, above: int) -> str:
        name = self.names[node]
        return f"({name})" if self.prec[node] < above else name

    def _expr(self, node: Value) -> tuple[str, int]:
        op, kids = node.op, node.children
        if op in _INFIX:
            sep, prec = _INFIX[op]
            right = prec + 1 if op in ("-", "/", "**") else prec
            left = prec + 1 if op == "**" else prec
            return self._wrap(kids[0], left) + sep + self._wrap(kids[1], right), prec
        if op == "neg":
            return "-" + self._wrap(kids[0], 4), 3
        if op.startswith("**"):
            return self._wrap(kids[0], 5) + op, 4
        return f"{op}({self.names[kids[0]]})", 9

    def __getitem__(self, node: Value) -> str:
        return self.names[node]


def _formula(node: Value, slot: int, namer: _Namer) -> str:
    """The op table's local derivative for operand `slot`, in this graph's names."""
    text = ops.get(node.op).grad_text[slot].split(" = ")[-1]
    text = re.sub(r"\*\*1(?![\d.])", "", text)          # "2 * a**1" reads "2 * a"
    kids = node.children
    names = {"a": kids[0], "b": kids[1] if len(kids) > 1 else None, "out": node}

    def name(m: re.Match) -> str:
        n = namer[names[m.group(0)]]
        return n if _atomic(n) and not n.startswith("-") else f"({n})"
    return re.sub(r"\b(a|b|out)\b", name, text)


def _loose(text: str) -> bool:
    """Whether text needs parentheses as a factor: a top-level + - or if, or a leading minus."""
    if text.startswith("-"):
        return True
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and (text.startswith((" + ", " - "), i) or text.startswith(" if ", i)):
            return True
    return False


def _is_number(text: str, value: float) -> bool:
    try:
        return float(text) == value
    except ValueError:
        return False


# --- the derivation ------------------------------------------------------------------------


class Factor:
    """One factor of a term: d upper/d lower, a product of local derivatives along a path."""

    __slots__ = ("upper", "lower", "formula", "value")

    def __init__(self, upper: str, lower: str, formula: str, value: float):
        self.upper, self.lower, self.formula, self.value = upper, lower, formula, value

    @property
    def name(self) -> str:
        return f"{_d(self.upper)}/{_d(self.lower)}"

    def __repr__(self) -> str:
        return f"Factor({self.name} = {self.formula} = {self.value!r})"


class Term:
    """One use of the node: (gradient of the top node, if any) × local factors."""

    __slots__ = ("delta", "factors", "value")

    def __init__(self, delta: Derivation | None, factors: list[Factor], value: float):
        self.delta = delta        # derivation of d root/d top, None when top is the root
        self.factors = factors    # top-most first, ending at the explained node
        self.value = value        # exactly the amount backward() adds for this use

    def __repr__(self) -> str:
        return f"Term({' · '.join(f.name for f in self.factors)} = {self.value!r})"


class Derivation:
    """d root/d node as a sum of terms; nested derivations for the deltas they use."""

    def __init__(self, root_name: str, node: Value, name: str, grad: float, level: int):
        self.root_name = root_name
        self.node = node
        self.name = name
        self.grad = grad                # d root/d node from one backward pass
        self.level = level
        self.terms: list[Term] = []
        self.expanded = False           # False past the depth limit: grad given as a number

    @property
    def symbol(self) -> str:
        return f"{_d(self.root_name)}/{_d(self.name)}"


class Explanation(Derivation):
    """What `explain` returns: str() is the derivation as text, Markdown in a notebook."""

    digits = 4

    def __init__(self, *args, namer: _Namer, depth: int, grad_now: float):
        super().__init__(*args)
        self.namer = namer
        self.depth = depth
        self.grad_now = grad_now        # wrt.grad as found (may hold earlier passes)

    # --- text ---------------------------------------------------------------------------
    def __str__(self) -> str:
        lines: list[str] = []
        seen: set[int] = set()
        self._write(self, lines, seen, "")
        legend = self._legend("\n".join(lines))
        if legend:
            lines += ["where"] + legend
        if (self.terms and self.grad_now != 0.0
                and not math.isclose(self.grad_now, self.grad, rel_tol=1e-12, abs_tol=0.0)):
            lines.append(f"note: {self.name}.grad is {self.grad_now!r}, not {self.grad!r}: it "
                         f"holds gradients accumulated over earlier backward() calls")
        return "\n".join(lines)

    def _legend(self, text: str) -> list[str]:
        """Definitions of the n-names (and f) that text uses, and of those they use."""
        defined = self.namer.defined
        used, todo = [], [text]
        while todo:
            chunk = todo.pop()
            for name, expr in defined.items():
                if name not in used and re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", chunk):
                    used.append(name)
                    todo.append(expr)
        return [f"  {name} = {defined[name]}" for name in defined if name in used]

    def _write(self, d: Derivation, lines: list[str], seen: set[int], indent: str) -> None:
        fmt = lambda x: format_number(x, self.digits)   # noqa: E731
        seen.add(id(d.node))
        if not d.terms:
            if d.node is not None and d.name == d.root_name:
                lines.append(f"{indent}{d.symbol} = 1")
            else:
                lines.append(f"{indent}{d.symbol} = 0   ({d.root_name} does not depend on {d.name})")
            return
        symbols = " + ".join(" · ".join(([t.delta.symbol] if t.delta else []) +
                                        [f.name for f in t.factors]) for t in d.terms)
        numbers = " + ".join(" × ".join(([fmt(t.delta.grad)] if t.delta else []) +
                                        [fmt(f.value) for f in t.factors]) for t in d.terms)
        pad = indent + " " * len(d.symbol) + " = "
        lines.append(f"{indent}{d.symbol} = {symbols}")
        lines.append(f"{pad}{numbers}")
        if len(d.terms) > 1:
            values = fmt(d.terms[0].value) + "".join(
                f" - {fmt(-t.value)}" if t.value < 0 else f" + {fmt(t.value)}"
                for t in d.terms[1:])
            lines.append(f"{pad}{values}")
        lines.append(f"{pad}{fmt(d.grad)}")
        # each factor's formula, aligned
        factors = [f for t in d.terms for f in t.factors]
        width = max(len(f.name) for f in factors)
        shown = set()
        for f in factors:
            key = (f.name, f.formula)
            if key in shown:
                continue
            shown.add(key)
            number = fmt(f.value)
            if _is_number(f.formula, f.value):      # "= 1 = 1.0000" says nothing twice
                lines.append(f"{indent}  {f.name.ljust(width)} = {f.formula}")
            else:
                lines.append(f"{indent}  {f.name.ljust(width)} = {f.formula} = {number}")
        for t in d.terms:
            sub = t.delta
            if sub is None or id(sub.node) in seen:
                continue
            if not sub.expanded:
                seen.add(id(sub.node))
                lines.append(f"{indent}  {sub.symbol} = {fmt(sub.grad)}   (from backward; "
                             f"depth limit {self.depth})")
                continue
            self._write(sub, lines, seen, indent + "  ")

    def __repr__(self) -> str:
        return f"<Explanation {self.symbol} = {self.grad!r}, {len(self.terms)} term(s)>"

    # --- notebooks ----------------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        def tex(name: str) -> str:
            name = name.replace("\\", "\\\\").replace("_", r"\_").replace("{", r"\{")
            return r"\text{" + name.replace("}", r"\}") + "}"

        def frac(upper: str, lower: str) -> str:
            return rf"\frac{{\partial {tex(upper)}}}{{\partial {tex(lower)}}}"

        fmt = lambda x: format_number(x, self.digits)   # noqa: E731
        if not self.terms:
            return "```\n" + str(self) + "\n```"
        symbols = " + ".join(r" \cdot ".join(
            ([frac(self.root_name, t.delta.name)] if t.delta else []) +
            [frac(f.upper, f.lower) for f in t.factors]) for t in self.terms)
        numbers = " + ".join(r" \times ".join(
            ([fmt(t.delta.grad)] if t.delta else []) + [fmt(f.value) for f in t.factors])
            for t in self.terms)
        out = [f"$${frac(self.root_name, self.name)} = {symbols} = {numbers} = {fmt(self.grad)}$$",
               "", "```", str(self), "```"]
        return "\n".join(out)


def explain(root: Value, wrt: Value | str, depth: int = 3, steps: str = "auto",
            digits: int = 4, max_factors: int = 8) -> Explanation:
    """Derive d root/d wrt by the chain rule, from the local derivatives stored in the graph.

    wrt: a node of root's graph, or its label. depth: how many levels of deltas (gradients of
    nodes with several consumers) are derived before one is given as a number. steps: "auto",
    "labels" (one factor per labelled node) or "ops" (one factor per op). Gradients come from
    a fresh pass over the graph, so the graph's .grad fields are not needed nor changed.
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain: root must be a Value, got {type(root).__name__}")
    if depth < 1:
        raise ValueError(f"explain: depth must be at least 1, got {depth!r}")
    if steps not in ("auto", "labels", "ops"):
        raise ValueError(f"explain: steps must be 'auto', 'labels' or 'ops', got {steps!r}")
    order = backward_order(root)
    if isinstance(wrt, str):
        wrt = find_node(order, wrt, "explain")
    elif not isinstance(wrt, Value):
        raise TypeError(f"explain: wrt must be a Value or a label, got {type(wrt).__name__}")
    position = {node: i for i, node in enumerate(order)}
    if wrt not in position:
        raise ValueError(f"explain: {node_name(wrt)!r} is not in the graph of "
                         f"{node_name(root)!r}, so d/d{node_name(wrt)} is 0")
    grads = pass_gradients(order)
    namer = _Namer(order, root)
    consumers: dict[Value, list[tuple[Value, int]]] = {node: [] for node in order}
    for node in order:                  # consumers listed in the order backward visits them
        for slot, child in enumerate(node.children):
            consumers[child].append((node, slot))
    if steps == "auto":
        steps = "labels" if any(n.label for n in order if n.op and n is not root) else "ops"

    def stop(node: Value) -> bool:
        # a node a factor may end at: named, the root, or where paths meet
        return (node is root or len(consumers[node]) != 1 or steps == "ops"
                or bool(node.label))

    root_name = namer[root]
    made: dict[Value, Derivation] = {}

    def derive(node: Value, level: int, into: Derivation | None = None) -> Derivation:
        d = into or Derivation(root_name, node, namer[node], grads[node], level)
        made[node] = d
        if node is root or level > depth:
            return d
        d.expanded = True
        for consumer, slot in consumers[node]:
            value = consumer.local_grads[slot] * grads[consumer]   # what backward adds
            factors = []
            lower, upper, parts, product = node, consumer, [(consumer, slot)], None
            while True:
                # merge unnamed single-use ops into one factor: d upper/d lower
                while not stop(upper):
                    nxt, s = consumers[upper][0]
                    parts.append((nxt, s))
                    upper = nxt
                product = 1.0
                for c, s in parts:
                    product *= c.local_grads[s]
                texts = [_formula(c, s, namer) for c, s in reversed(parts)]
                texts = [t for t in texts if t != "1"] or ["1"]     # x · 1 is x
                if len(texts) > 1:                                  # (1 - h**2) · x
                    texts = [f"({t})" if _loose(t) else t for t in texts]
                formula = " · ".join(texts)
                factors.append(Factor(namer[upper], namer[lower], formula, product))
                if (upper is root or len(consumers[upper]) != 1
                        or len(factors) >= max_factors):
                    break
                lower = upper
                upper, s = consumers[upper][0]
                parts = [(upper, s)]
            factors.reverse()
            top = upper
            delta = None
            if top is not root:
                delta = made.get(top) or derive(top, level + 1)
            d.terms.append(Term(delta, factors, value))
        return d

    out = Explanation(root_name, wrt, namer[wrt], grads[wrt], 0, namer=namer, depth=depth,
                      grad_now=wrt.grad)
    out.digits = digits
    derive(wrt, 1, out)
    return out


def find_node(order: list[Value], label: str, who: str) -> Value:
    """The one node labelled `label` in a graph, or a clear error."""
    found = [n for n in order if n.label == label]
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"{who}: {len(found)} nodes are labelled {label!r}; give them "
                         f"distinct labels or pass the Value itself")
    labels = sorted({n.label for n in order if n.label})
    shown = ", ".join(labels[:20]) + (", ..." if len(labels) > 20 else "")
    raise ValueError(f"{who}: no node labelled {label!r} in this graph "
                     f"(labels: {shown or 'none'})")
