"""Names and numbers: how explanations, graphs, checks, steps and the CLI write nodes.

`format_number` and `node_name` are the short forms (a label, a constant's number, an op's
symbol). `Namer` names every node of one graph for a derivation: user labels as they are,
unlabelled ops as short expressions written from the op table's `expr` templates ("w*x + b",
"tanh(z)"), else n1, n2, ...; no two nodes get the same name and no generated name is ever a
user's label. `local_formula` writes one local derivative in those names, from the table's
`grad_text` template.
"""
from __future__ import annotations

import re
from typing import Iterable

from . import ops
from .engine import Value

# --- short forms -----------------------------------------------------------------------------


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
        return ops.number_text(node.data)
    return f"({ops.get(node.op).symbol} node, data {format_number(node.data)})"


def find_node(order: Iterable[Value], label: str, who: str) -> Value:
    """The one node labelled `label` in a graph, or a clear error."""
    order = list(order)
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


# --- names for a derivation ------------------------------------------------------------------
_ATOMIC = re.compile(r"[A-Za-z_][\w.]*|\d[\d.]*(e-?\d+)?")
_NAME_TOKEN = re.compile(r"(?<![\w.])[A-Za-z_][\w]*")
ROOT_NAMES = ("f", "g", "h", "F", "out")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def is_atomic(name: str) -> bool:
    """A name that needs no parentheses as an operand or factor: 'w7', 'layers.0.b', '2'."""
    return _ATOMIC.fullmatch(name) is not None


def d(name: str) -> str:
    """The 'd' part of a derivative: dw7, d(w*x + b)."""
    return "d" + (name if is_atomic(name) else f"({name})")


def subscript(n: int) -> str:
    return str(n).translate(_SUBSCRIPT)


class Namer:
    """Names every node of one graph; `namer[node]` is its name.

    Labels stay as the user wrote them. Constants are their numbers. An unlabelled op is its
    expression from the op table when that is short and unambiguous, else n1, n2, ... (defined
    in `defined`). The root is called `root_name` if given (the caller has said what it is, so
    it is not defined again), else by its label, else f (or g, h, ... when f is taken), defined
    in `defined`. Generated names never equal a label or another node's name.
    """

    def __init__(self, order: list[Value], root: Value, root_name: str | None = None,
                 max_len: int = 24):
        self.names: dict[Value, str] = {}
        self.precedence: dict[Value, int] = {}
        self.defined: dict[str, str] = {}         # generated names -> what they stand for
        self.max_len = max_len
        self.taken = {n.label for n in order if n.label}
        used: set[str] = set(self.taken)
        self._count = 0
        given = root_name is not None             # the caller says what the root is
        if root_name is None and not root.label:
            root_name = next((n for n in ROOT_NAMES if n not in used), None) or self._fresh(used)
        if root_name is not None:
            used.add(root_name)
        for node in reversed(order):              # operands first
            if node is root and root_name is not None:
                if node.op and not given:
                    self.defined[root_name] = self._expr(node)[0]
                name, prec = root_name, 9
            elif node.label:
                name, prec = node.label, 9 if is_atomic(node.label) else 0
            elif not node.op:
                name = ops.number_text(node.data)
                prec = 9 if node.data >= 0 else 3
            else:
                name, prec = self._expr(node)
                if len(name) > max_len or name in used:
                    short = self._fresh(used)
                    self.defined[short] = name
                    name, prec = short, 9
            used.add(name)
            self.names[node] = name
            self.precedence[node] = prec

    def _fresh(self, used: set[str]) -> str:
        while True:
            self._count += 1
            name = f"n{self._count}"
            if name not in used:
                return name

    def _expr(self, node: Value) -> tuple[str, int]:
        op = ops.get(node.op)
        parts = {}
        for slot, (key, child) in enumerate(zip("ab", node.children)):
            name = self.names[child]
            parts[key] = f"({name})" if self.precedence[child] < op.operand_precedence[slot] \
                else name
        return op.expr.format(**parts), op.precedence

    def __getitem__(self, node: Value) -> str:
        return self.names[node]

    def legend(self, text: str) -> list[str]:
        """'  n1 = ...' for the generated names text uses, and for those their definitions use."""
        used, todo = set(), [text]
        while todo:
            for token in _NAME_TOKEN.findall(todo.pop()):
                if token in self.defined and token not in used:
                    used.add(token)
                    todo.append(self.defined[token])
        return [f"  {name} = {self.defined[name]}" for name in self.defined if name in used]


_PLACEHOLDER = re.compile(r"(\()?\{(a|b|out)\}(\))?")


def local_formula(node: Value, slot: int, namer: Namer) -> str:
    """The op table's local derivative of node for operand `slot`, in the graph's names."""
    kids = node.children
    names = {"a": namer[kids[0]], "b": namer[kids[1]] if len(kids) > 1 else "",
             "out": namer[node]}

    def put(m: re.Match) -> str:
        n = names[m.group(2)]
        if m.group(1) and m.group(3):       # sign({a}): the template's own parentheses do
            return f"({n})"
        return (m.group(1) or "") + (n if is_atomic(n) else f"({n})") + (m.group(3) or "")
    return _PLACEHOLDER.sub(put, ops.get(node.op).grad_text[slot])
