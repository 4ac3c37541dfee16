"""Graph replay: record a graph once, then re-run it on new numbers without building nodes.

A training step builds the same graph shape every time; only the numbers change. `record`
keeps the graph you built, with some of its leaves named as inputs, and the order backward
needs. `Replay.forward(inputs)` writes new numbers into the input leaves and recomputes every
op node's value and local derivatives in that order, with the op table's own `forward` and
`local_grads` rules, exactly as building the graph would; `Replay.backward()` is
`Value.backward()` on the recorded order. Nothing new is allocated per node, and the graph is
still the same `Value`s: draw it, explain it, read any `.grad`.

    x, w = Value(0.0, "x"), Value(0.5, "w")
    loss = (w * x).tanh()
    tape = record(loss, inputs={"x": x})
    for xi in (1.0, 2.0, 3.0):
        tape.forward({"x": xi})       # loss.data is now tanh(w * xi)
        tape.backward()               # w.grad accumulates, as with loss.backward()

Leaves that are not inputs (parameters, constants such as the 2 in `x * 2`) keep their current
`.data`, so an optimizer that updates parameters in place is seen by the next `forward`.

Fixed shape only: every table op has a fixed shape (relu's derivative depends on the sign of
its input, but relu is one node either way), so replay is exact for any graph. But a Python
`if` on a value in *your* code (`if z.data >= 0: ...`, picking the max of a list, an early
stop) builds a different graph for different data, and replay cannot see that: it re-runs
the graph it recorded. Use replay only for code without data-dependent branches, and fall
back to building the graph normally otherwise (`same_shape` compares two graphs).
"""
from __future__ import annotations

from typing import Mapping

from .engine import (Value, as_number, backward_pass, describe, graph_order, recompute,
                     replay_steps)


class ReplayError(ValueError):
    """Bad use of a recorded graph: unknown or missing inputs, or a failed forward."""


class Replay:
    """A recorded graph: `forward(inputs)` recomputes it in place, `backward()` differentiates."""

    def __init__(self, root: Value, inputs: Mapping[str, Value]):
        if not isinstance(root, Value):
            raise TypeError(f"record: root must be a Value, got {type(root).__name__}")
        inner, leaves = graph_order(root)
        known = set(map(id, leaves))
        self.inputs: dict[str, Value] = {}
        for name, leaf in dict(inputs).items():
            if not isinstance(name, str) or not name:
                raise ReplayError(f"record: input names must be non-empty strings, got {name!r}")
            if not isinstance(leaf, Value):
                raise TypeError(f"record: input {name!r} must be a Value, got "
                                f"{type(leaf).__name__}")
            if leaf.children:
                raise ReplayError(f"record: input {name!r} is {describe(leaf)}, not a leaf; "
                                  f"only leaves can be given new data")
            if id(leaf) not in known:
                raise ReplayError(f"record: input {name!r} ({describe(leaf)}) is not in the "
                                  f"graph of the root")
            self.inputs[name] = leaf
        if len(set(map(id, self.inputs.values()))) != len(self.inputs):
            raise ReplayError("record: two input names refer to the same leaf")
        self.root = root
        self.nodes = inner                      # op nodes, operands before consumers
        self.leaves = leaves
        self._steps = replay_steps(inner)       # table entries looked up once
        self._valid = True                      # False after a forward that raised

    def __repr__(self) -> str:
        return (f"<Replay of {len(self.nodes)} op nodes, {len(self.leaves)} leaves, "
                f"inputs {', '.join(self.inputs) or '(none)'}>")

    def forward(self, inputs: Mapping[str, float] | None = None) -> float:
        """Set every named input (all of them, or none to reuse their data) and recompute.

        Returns the root's new value. Values and local derivatives are bit-for-bit those that
        building the graph again would give.
        """
        before = [leaf.data for leaf in self.inputs.values()]
        self._set_inputs(inputs)
        self._valid = False
        try:
            recompute(self._steps)              # the engine's evaluate, node by node
        except (ArithmeticError, ValueError) as e:
            self._restore(before)
            raise type(e)(f"{e}; replaying: nothing changed, the graph holds the values of "
                          f"the inputs before this call") from None
        self._valid = True
        return self.root.data

    def _restore(self, before: list[float]) -> None:
        """After a failed forward: the previous inputs back, every node computed again from
        them, so no node keeps a value of the failed inputs (with parameters unchanged since
        the last forward, exactly the values it held before). If even that fails (parameters
        changed since into values that overflow), the graph is partial: say so, and refuse."""
        for leaf, x in zip(self.inputs.values(), before):
            leaf.data = x
        try:
            recompute(self._steps)
        except (ArithmeticError, ValueError) as e:
            raise ReplayError(f"forward failed, and so did computing the graph again from "
                              f"the previous inputs ({e}): the graph now holds partial values; "
                              f"record it again") from None
        self._valid = True

    def backward(self) -> None:
        """`root.backward()` on the recorded graph: inner grads recomputed, leaf grads accumulate."""
        if not self._valid:
            raise ReplayError("backward: a forward failed and the graph could not be computed "
                              "again: it holds partial values; record it again")
        backward_pass(self.root, (self.nodes, self.leaves))

    def _set_inputs(self, inputs: Mapping[str, float] | None) -> None:
        if inputs is None:
            return
        names = self.inputs
        unknown = [k for k in inputs if k not in names]
        if unknown:
            raise ReplayError(f"forward: unknown input(s) {', '.join(map(repr, unknown[:5]))}"
                              f"{' ...' if len(unknown) > 5 else ''}; recorded inputs: "
                              f"{', '.join(map(repr, list(names)[:8]))}"
                              f"{' ...' if len(names) > 8 else ''}")
        if len(inputs) != len(names):
            missing = [k for k in names if k not in inputs]
            raise ReplayError(f"forward: missing input(s) {', '.join(map(repr, missing[:5]))}"
                              f"{' ...' if len(missing) > 5 else ''} (give all "
                              f"{len(names)} or none)")
        values = {k: as_number(x, f"replay input {k!r}") for k, x in inputs.items()}
        for k, x in values.items():             # all checked first: a bad input changes nothing
            names[k].data = x


def record(root: Value, inputs: Mapping[str, Value] | None = None) -> Replay:
    """Record the graph of `root` for replay; `inputs` maps names to leaves that get new data."""
    return Replay(root, inputs or {})


def same_shape(a: Value, b: Value) -> bool:
    """True if two graphs have the same ops wired the same way (values may differ).

    Use it to check, once, that your code builds the same graph for different data before
    relying on replay. Constants (the 2 in `x * 2`) are leaves, compared by position only: a
    number that changes with the data must be an input leaf, not a constant.
    """
    order_a, order_b = _walk(a), _walk(b)
    if len(order_a) != len(order_b):
        return False
    index_a = {id(n): i for i, n in enumerate(order_a)}
    index_b = {id(n): i for i, n in enumerate(order_b)}
    for x, y in zip(order_a, order_b):
        if x.op != y.op or len(x.children) != len(y.children):
            return False
        for cx, cy in zip(x.children, y.children):
            if index_a[id(cx)] != index_b[id(cy)]:
                return False
    return True


def _walk(root: Value) -> list[Value]:
    inner, leaves = graph_order(root)
    return inner + leaves
