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

Compiled (numpy) replay: `tape.compile()` (or `record(..., compiled=True)`) runs the same
recording level by level on numpy arrays (micrograd.compiled): many nodes per numpy call
instead of one Python call per node, so a wide graph (a batch of samples through a net) trains
several times faster. The float path stays the reference: a compiled step that meets a number
the float rules refuse (log(-1), an overflow) is run again on the float path, which raises the
engine's own error, so errors and the restore after a failed forward are the same either way.
Values agree with the float path to rounding (numpy's exp, log, tanh, ... may differ from the
math module's in the last bit, and gradients are summed in another order), not bit for bit.
After a compiled forward/backward only the leaves' `.grad` and the root's `.data` are current;
every other node's `.data`, local derivatives and `.grad` are stale until `tape.sync()`.
`worth_compiling(tape)` says whether a graph is wide enough for compiling to pay.

Threads: one tape runs one call (forward, backward, sync) at a time, under its own lock.
"""
from __future__ import annotations

import threading
from typing import Mapping, Sequence

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
        self.steps = replay_steps(inner)        # (op, a, b, node): table entries looked up once
        self._valid = True                      # False after a forward that raised
        self._lock = threading.Lock()           # one forward / backward / sync at a time
        self._levels: list[int] | None = None
        self._program = None                    # the compiled Program, after compile()
        self._arrays_current = False            # the program's arrays hold the last forward
        self._data_behind = False               # its values newer than the nodes' .data
        self._grads_behind = False              # its gradients newer than the nodes' .grad

    def __repr__(self) -> str:
        return (f"<Replay of {len(self.nodes)} op nodes, {len(self.leaves)} leaves, "
                f"inputs {', '.join(self.inputs) or '(none)'}"
                f"{', compiled' if self._program is not None else ''}>")

    @property
    def levels(self) -> list[int]:
        """Each op node's level (in `nodes` order): leaves are 0, an op node is one above its
        highest operand. Nodes of one level do not depend on each other."""
        if self._levels is None:
            level = dict.fromkeys(map(id, self.leaves), 0)
            for _, a, b, node in self.steps:
                la = level[id(a)]
                if b is not None and level[id(b)] > la:
                    la = level[id(b)]
                level[id(node)] = la + 1
            self._levels = [level[id(node)] for node in self.nodes]
        return self._levels

    @property
    def depth(self) -> int:
        """The number of levels: the longest chain of op nodes from a leaf to the root."""
        return max(self.levels, default=0)

    @property
    def compiled(self) -> bool:
        """Whether forward and backward run the compiled (numpy) program."""
        return self._program is not None

    def compile(self) -> Replay:
        """Run this recording level by level on numpy arrays from now on; returns the tape.

        ImportError if numpy is not installed; ValueError if the graph holds an op with no
        array rule (`Op.arrays`)."""
        try:
            from .compiled import Program
        except ImportError as e:
            if e.name != "numpy":
                raise
            raise ImportError("compiled replay needs numpy: pip install numpy (or pip install "
                              "'micrograd-lab[torch]', which includes it)") from None
        with self._lock:
            if self._program is None:
                self._program = Program(self)
                self._arrays_current = self._data_behind = self._grads_behind = False
        return self

    def forward(self, inputs: Mapping[str, float] | None = None) -> float:
        """Set every named input (all of them, or none to reuse their data) and recompute.

        Returns the root's new value. Values and local derivatives are bit-for-bit those that
        building the graph again would give (compiled: the same to rounding, and only the root's
        .data is written; `sync()` writes the others).
        """
        with self._lock:
            before = [leaf.data for leaf in self.inputs.values()]
            self._set_inputs(inputs)
            self._valid = False
            program = self._program
            if program is not None:
                if program.forward():
                    if self.nodes:
                        self.root.data = program.root_value
                    self._arrays_current = self._data_behind = self._valid = True
                    return self.root.data
                # some number is not finite: the float rules say which node, and how. First
                # the Values get the last good forward (the arrays still hold it), so the
                # error names the node with the value it held, as on the float path
                self._sync_data()
                self._arrays_current = False
            try:
                recompute(self.steps)           # the engine's evaluate, node by node
            except (ArithmeticError, ValueError) as e:
                self._restore(before)
                raise type(e)(f"{e}; replaying: nothing changed, the graph holds the values of "
                              f"the inputs before this call") from None
            # (compiled, and numpy refused a number the float rules accept: the Values hold
            # this step, and backward takes the float path)
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
            recompute(self.steps)
        except (ArithmeticError, ValueError) as e:
            raise ReplayError(f"forward failed, and so did computing the graph again from "
                              f"the previous inputs ({e}): the graph now holds partial values; "
                              f"record it again") from None
        self._valid = True

    def backward(self) -> None:
        """`root.backward()` on the recorded graph: inner grads recomputed, leaf grads
        accumulate (compiled: only the leaves' .grad is written; `sync()` writes the others)."""
        with self._lock:
            if not self._valid:
                raise ReplayError("backward: a forward failed and the graph could not be "
                                  "computed again: it holds partial values; record it again")
            program = self._program
            if program is not None and self._arrays_current:
                if program.backward():
                    self._grads_behind = True
                    return
                # a gradient is not finite: the engine's pass names the node (and changes
                # no leaf); it needs the local derivatives in the Values
                self._grads_behind = False
                self._sync_data()
            self._grads_behind = False
            backward_pass(self.root, (self.nodes, self.leaves))

    def sync(self, nodes: Sequence[Value] | None = None, grads: bool = True) -> None:
        """After a compiled forward/backward, write the arrays into the Values: .data, local
        derivatives and (unless grads=False) .grad of the op nodes (all, or those in `nodes`),
        so the graph can be drawn, explained and read. Until then inner nodes are stale; the
        leaves' .grad and the root's .data are always current. Does nothing when not
        compiled."""
        with self._lock:
            self._sync(nodes, grads)

    def _sync_data(self) -> None:
        # the Values' data and local derivatives from the arrays, where they are behind
        if self._data_behind:
            self._program.sync(data=True, grads=False)
            self._data_behind = False

    def _sync(self, nodes: Sequence[Value] | None, grads: bool = True) -> None:
        if self._program is None or (nodes is None and not (self._data_behind or
                                                              self._grads_behind)):
            return
        grads = grads and self._grads_behind
        self._program.sync(nodes, data=self._data_behind, grads=grads)
        if nodes is None:
            self._data_behind = False
            self._grads_behind = self._grads_behind and not grads

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
        # all checked first: a bad input changes nothing. A finite float needs no conversion
        # (x - x == 0 is False for inf and nan); anything else goes through the engine's check,
        # and only then is the name put into a message (formatting it for every input of a
        # batch cost more than the check)
        values = [(names[k], x if x.__class__ is float and x - x == 0.0
                   else as_number(x, f"replay input {k!r}")) for k, x in inputs.items()]
        for leaf, x in values:
            leaf.data = x


def record(root: Value, inputs: Mapping[str, Value] | None = None, compiled: bool = False,
           ) -> Replay:
    """Record the graph of `root` for replay; `inputs` maps names to leaves that get new data.
    compiled=True: run it on numpy arrays (`Replay.compile()`)."""
    tape = Replay(root, inputs or {})
    return tape.compile() if compiled else tape


# Measured (numpy 2.4, one core): forward + backward per step, float path vs compiled, on
# batches through small MLPs and on chains. A compiled step costs ~3.5 us per group (one numpy
# call each way) plus a few ns per node; the float path ~0.27 us per node. They break even at
# about 15 nodes per level: width 8.6 -> compiled 0.56x as fast, 15.2 -> 0.94x, 15.6 -> 1.03x,
# 17 -> 1.2x, 31 -> 2x, 62 -> 4x; karpathy's demo graph (65k nodes, width 190) 15x; a chain
# (width 1) 0.07x.
MIN_WIDTH = 16.0


def worth_compiling(tape: Replay) -> bool:
    """Whether the compiled backend is likely faster than the float path for this graph.

    A compiled step costs a fixed time per group of nodes (one numpy call each) plus a little
    per node; the float path costs a fraction of a microsecond per node. So what counts is how
    many nodes a level holds on average: len(tape.nodes) / tape.depth."""
    return bool(tape.nodes) and len(tape.nodes) / tape.depth >= MIN_WIDTH


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
