"""Chain-rule explanations: `explain(root, wrt)` writes d root/d wrt the way the documents do.

    >>> print(explain(E, w7))
    dE/dw7 = dE/dout_o1 · dout_o1/din_o1 · din_o1/dw7
           = 0.7427 × 0.1868 × 0.5933
           = 0.0823
      dE/dout_o1     = ...

Each term of the sum is one use of wrt (one edge out of it): the product of local derivatives
along a path to the root, each shown with its formula from the op table (`micrograd.ops`) and
its number. A node used several times gets one term per use, its uses told apart by subscripts
(x₁, x₂). To stay readable on deep graphs, a product stops at a node with several consumers;
that node's gradient (the documents' delta) is a factor, derived below it in the same way,
down to a depth limit. The gradients come from one reverse pass of the engine (no `.grad` is
read or written), and the term values are the exact amounts that pass adds, so they sum to it.

Steps: with `steps="auto"`, a graph whose inner nodes carry labels ("in_o1", "out_o1") gets one
factor per labelled step, the unlabelled ops between two of them merged into one factor, as a
learner writes it by hand; a graph without inner labels gets one factor per op.
"""
from __future__ import annotations

import math
from collections import deque

from .engine import Value, backward_order, gradients
from .names import Namer, d, find_node, format_number, local_formula, node_name, subscript


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


def _sum(terms: list[str]) -> str:
    """Terms joined by + , a lone negative number after the first as - 0.5 (not + -0.5)."""
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") and " " not in t else f" + {t}"
    return out


def _is_number(text: str, value: float) -> bool:
    try:
        return float(text) == value
    except ValueError:
        return False


class Factor:
    """One factor of a term: d upper/d lower, a product of local derivatives along a path.

    `use` numbers the use of the explained node this factor starts from, when it has several.
    """

    __slots__ = ("upper", "lower", "use", "formula", "value")

    def __init__(self, upper: str, lower: str, formula: str, value: float, use: int | None = None):
        self.upper, self.lower, self.formula, self.value = upper, lower, formula, value
        self.use = use

    @property
    def name(self) -> str:
        lower = d(self.lower) + ("" if self.use is None else subscript(self.use))
        return f"{d(self.upper)}/{lower}"

    def __repr__(self) -> str:
        return f"Factor({self.name} = {self.formula} = {self.value!r})"


class Term:
    """One use of the node: (gradient of the top node, if any) × local factors."""

    __slots__ = ("delta", "factors", "value", "consumer", "slot")

    def __init__(self, delta, factors: list[Factor], value: float, consumer: str, slot: int):
        self.delta = delta        # Derivation of d root/d top, None when top is the root
        self.factors = factors    # top-most first, ending at the explained node
        self.value = value        # exactly the amount the reverse pass adds for this use
        self.consumer = consumer  # name of the node that uses the explained node here
        self.slot = slot          # as which operand (0: a, 1: b)

    def __repr__(self) -> str:
        return f"Term({' · '.join(f.name for f in self.factors)} = {self.value!r})"


class Derivation:
    """d root/d node as a sum of terms; nested derivations for the deltas they use."""

    def __init__(self, root_name: str, node: Value, name: str, grad: float, level: int):
        self.root_name = root_name
        self.node = node
        self.name = name
        self.grad = grad                # d root/d node from one reverse pass
        self.level = level
        self.terms: list[Term] = []
        self.expanded = False           # False past the depth limit: grad given as a number
        self.is_root = False            # d root/d root = 1

    @property
    def symbol(self) -> str:
        return f"{d(self.root_name)}/{d(self.name)}"


class Explanation(Derivation):
    """What `explain` returns: str() is the derivation as text, Markdown in a notebook."""

    def __init__(self, *args, namer: Namer, depth: int, digits: int, grad_now: float):
        super().__init__(*args)
        self.namer = namer
        self.depth = depth
        self.digits = digits
        self.grad_now = grad_now        # wrt.grad as found (may hold earlier passes)

    def _fmt(self, x: float) -> str:
        return format_number(x, self.digits)

    # --- text ---------------------------------------------------------------------------
    def __str__(self) -> str:
        lines: list[str] = []
        seen: set[int] = set()
        todo = [(self, "")]
        while todo:                     # depth first, each derivation written once
            derivation, indent = todo.pop()
            if id(derivation.node) in seen:
                continue
            seen.add(id(derivation.node))
            subs = self._write(derivation, lines, indent, seen)
            todo.extend((sub, indent + "  ") for sub in reversed(subs))
        legend = self.namer.legend("\n".join(lines))
        if legend:
            lines += ["where"] + legend
        if (self.terms and self.grad_now != 0.0
                and not math.isclose(self.grad_now, self.grad, rel_tol=1e-12, abs_tol=0.0)):
            lines.append(f"note: {self.name}.grad is {self.grad_now!r}, not {self.grad!r}: it "
                         f"holds gradients accumulated over earlier backward() calls")
        return "\n".join(lines)

    def _write(self, dv: Derivation, lines: list[str], indent: str, seen: set) -> list:
        """Append dv's lines; return the derivations of the deltas to write below it."""
        fmt = self._fmt
        if not dv.expanded:
            lines.append(f"{indent}{dv.symbol} = {fmt(dv.grad)}   (from backward; "
                         f"depth limit {self.depth})")
            return []
        if not dv.terms:
            if dv.is_root:
                lines.append(f"{indent}{dv.symbol} = 1")
            else:
                lines.append(f"{indent}{dv.symbol} = 0   ({dv.root_name} does not depend on "
                             f"{dv.name})")
            return []
        pad = indent + " " * len(dv.symbol) + " = "
        factors = [f for t in dv.terms for f in t.factors]
        if len(dv.terms) == 1 and dv.terms[0].delta is None and len(factors) == 1:
            # one path of one factor: it is the derivative itself, so write its formula
            f = factors[0]
            lines.append(f"{indent}{dv.symbol} = {f.formula}")
            if not _is_number(f.formula, f.value):
                lines.append(f"{pad}{fmt(f.value)}")
            return []
        symbols = " + ".join(" · ".join(([t.delta.symbol] if t.delta else []) +
                                        [f.name for f in t.factors]) for t in dv.terms)
        numbers = _sum([" × ".join(([fmt(t.delta.grad)] if t.delta else []) +
                                   [fmt(f.value) for f in t.factors]) for t in dv.terms])
        lines.append(f"{indent}{dv.symbol} = {symbols}")
        lines.append(f"{pad}{numbers}")
        values = _sum([fmt(t.value) for t in dv.terms])
        if len(dv.terms) > 1 and numbers != values:
            lines.append(f"{pad}{values}")
        lines.append(f"{pad}{fmt(dv.grad)}")
        width = max(len(f.name) for f in factors)
        shown = set()
        for f in factors:               # each factor's formula, aligned
            key = (f.name, f.formula)
            if key in shown:
                continue
            shown.add(key)
            if _is_number(f.formula, f.value):      # "= 1 = 1.0000" says nothing twice
                lines.append(f"{indent}  {f.name.ljust(width)} = {f.formula}")
            else:
                lines.append(f"{indent}  {f.name.ljust(width)} = {f.formula} = {fmt(f.value)}")
        if any(f.use is not None for f in factors):     # say which subscript is which
            uses = ", ".join(f"{dv.name}{subscript(i)} as {'ab'[t.slot]} of {t.consumer}"
                             for i, t in enumerate(dv.terms, 1))
            lines.append(f"{indent}  uses of {dv.name}: {uses}")
        return [t.delta for t in dv.terms if t.delta is not None and id(t.delta.node) not in seen]

    def __repr__(self) -> str:
        return f"<Explanation {self.symbol} = {self.grad!r}, {len(self.terms)} term(s)>"

    # --- notebooks ----------------------------------------------------------------------
    def _repr_markdown_(self) -> str:
        def tex(name: str) -> str:
            name = name.replace("\\", "\\\\").replace("_", r"\_").replace("{", r"\{")
            return r"\text{" + name.replace("}", r"\}") + "}"

        def frac(upper: str, lower: str, use: int | None = None) -> str:
            sub = "" if use is None else f"_{{{use}}}"
            return rf"\frac{{\partial {tex(upper)}}}{{\partial {tex(lower)}{sub}}}"

        fmt = self._fmt
        if not self.terms:
            return "```\n" + str(self) + "\n```"
        symbols = " + ".join(r" \cdot ".join(
            ([frac(self.root_name, t.delta.name)] if t.delta else []) +
            [frac(f.upper, f.lower, f.use) for f in t.factors]) for t in self.terms)
        numbers = " + ".join(r" \times ".join(
            ([fmt(t.delta.grad)] if t.delta else []) + [fmt(f.value) for f in t.factors])
            for t in self.terms)
        out = [f"$${frac(self.root_name, self.name)} = {symbols} = {numbers} = {fmt(self.grad)}$$",
               "", "```", str(self), "```"]
        return "\n".join(out)


def explain(root: Value, wrt: Value | str, depth: int = 3, steps: str = "auto",
            digits: int = 4, max_factors: int = 8, name: str | None = None) -> Explanation:
    """Derive d root/d wrt by the chain rule, from the local derivatives stored in the graph.

    wrt: a node of root's graph, or its label. depth: how many levels of deltas (gradients of
    nodes with several consumers) are derived before one is given as a number. steps: "auto",
    "labels" (one factor per labelled node) or "ops" (one factor per op). name: what to call
    the root (default: its label, else f, or g, h, ... if f is a label in the graph).
    Gradients come from a fresh reverse pass, so no .grad is needed, read or changed.
    """
    if not isinstance(root, Value):
        raise TypeError(f"explain: root must be a Value, got {type(root).__name__}")
    for arg, value, low in (("depth", depth, 1), ("digits", digits, 0),
                            ("max_factors", max_factors, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"explain: {arg} must be an integer >= {low}, got {value!r}")
    if steps not in ("auto", "labels", "ops"):
        raise ValueError(f"explain: steps must be 'auto', 'labels' or 'ops', got {steps!r}")
    if name is not None and (not isinstance(name, str) or not name):
        raise ValueError(f"explain: name must be a non-empty string, got {name!r}")
    order = backward_order(root)
    if isinstance(wrt, str):
        wrt = find_node(order, wrt, "explain")
    elif not isinstance(wrt, Value):
        raise TypeError(f"explain: wrt must be a Value or a label, got {type(wrt).__name__}")
    grads = gradients(root)             # the engine's pass: overflow is its error, here too
    if wrt not in grads:
        raise ValueError(f"explain: {node_name(wrt)!r} is not in the graph of "
                         f"{node_name(root)!r}, so d/d{node_name(wrt)} is 0")
    namer = Namer(order, root, root_name=name)
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
    # d root/d root: the root as the variable keeps its own label (df/dx when f is x itself)
    wrt_name = wrt.label if wrt is root and wrt.label else namer[wrt]
    out = Explanation(root_name, wrt, wrt_name, grads[wrt], 1, namer=namer, depth=depth,
                      digits=digits, grad_now=wrt.grad)
    made: dict[Value, Derivation] = {wrt: out}
    todo = deque([out])                 # breadth first: each delta at its shallowest level
    while todo:
        dv = todo.popleft()
        node = dv.node
        if dv.level > depth:
            continue                    # given as a number
        dv.expanded = True
        if node is root:
            dv.is_root = True           # d root/d root = 1
            continue
        uses = consumers[node]
        for use, (consumer, slot) in enumerate(uses, 1):
            factors, lower = [], node
            upper, parts = consumer, [(consumer, slot)]
            while True:
                while not stop(upper):  # merge unnamed single-use ops into one factor
                    nxt, s = consumers[upper][0]
                    parts.append((nxt, s))
                    upper = nxt
                product = 1.0
                for c, s in parts:
                    product *= c.local_grads[s]
                texts = [local_formula(c, s, namer) for c, s in reversed(parts)]
                texts = [t for t in texts if t != "1"] or ["1"]     # x · 1 is x
                if len(texts) > 1:                                  # (1 - h**2) · x
                    texts = [f"({t})" if _loose(t) else t for t in texts]
                factors.append(Factor(namer[upper], namer[lower], " · ".join(texts), product,
                                      use if len(uses) > 1 and lower is node else None))
                if upper is root or len(consumers[upper]) != 1 or len(factors) >= max_factors:
                    break
                lower = upper
                upper, s = consumers[upper][0]
                parts = [(upper, s)]
            factors.reverse()
            delta = None
            if upper is not root:
                delta = made.get(upper)
                if delta is None:
                    delta = made[upper] = Derivation(root_name, upper, namer[upper],
                                                     grads[upper], dv.level + 1)
                    todo.append(delta)
            value = consumer.local_grads[slot] * grads[consumer]   # what the pass adds
            dv.terms.append(Term(delta, factors, value, namer[consumer], slot))
        _number_uses_if_needed(dv)
    return out


def _number_uses_if_needed(dv: Derivation) -> None:
    """Keep the use subscripts (x₁, x₂) only where they tell terms apart: when two terms
    would read the same, or a term would read like the derivative it is part of."""
    def reads(term: Term) -> str:
        return " · ".join(([term.delta.symbol] if term.delta else []) +
                          [f"{d(f.upper)}/{d(f.lower)}" for f in term.factors])
    plain = [reads(t) for t in dv.terms]
    if len(set(plain)) == len(plain) and dv.symbol not in plain:
        for t in dv.terms:
            for f in t.factors:
                f.use = None
