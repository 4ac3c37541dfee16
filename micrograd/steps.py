"""Stepping through backward: one step per node, in the order `Value.backward()` visits them.

    for step in backward_steps(loss):
        print(step)            # d loss/d node and what the node sends to each operand

The engine's reverse pass runs once, recording each node's step (`engine.gradient_steps`);
the walk then shows it: after step k the graph's `.grad` fields hold exactly what backward()
holds at that point (`draw_dot(root, step=k)` draws it), so a finished walk leaves bit-for-bit
the same gradients, and leaf gradients accumulate across passes in the same way. Leaves come
last, after every op node has run; if the walk is abandoned before then, leaf gradients are
put back as they were: a pass counts for the leaves only once all of it has been done.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from .engine import Value, gradient_steps
from .names import format_number, node_name


class Contribution(NamedTuple):
    """What one edge carries: child.grad += local * grad."""

    child: Value
    local: float          # d node / d child, stored at forward time
    amount: float         # local * d root / d node


class BackwardStep(NamedTuple):
    index: int                          # 1 for the root, then one per node
    node: Value
    grad: float                         # d root / d node (this pass)
    contributions: tuple[Contribution, ...]   # () for a leaf

    def __str__(self) -> str:
        head = f"step {self.index}: d/d {node_name(self.node)} = {format_number(self.grad)}"
        if not self.contributions:
            return head + " (leaf)"
        parts = [f"{node_name(c.child)} += {format_number(c.local)} × {format_number(self.grad)}"
                 f" = {format_number(c.amount)}" for c in self.contributions]
        return head + "; " + "; ".join(parts)


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Run backward on root one node at a time, yielding a `BackwardStep` after each node."""
    grads, records = gradient_steps(root)       # raises as backward() would, touching nothing
    leaves = [node for node in grads if not node.children]
    before = [leaf.grad for leaf in leaves]
    for node, grad in zip(grads, [1.0] + [0.0] * (len(grads) - 1)):
        node.grad = grad                        # the pass starts: root 1, the rest 0
    committed = False
    try:
        index = 0
        for node, grad, sums in records:        # consumers first, as in Value.backward
            for child, total in zip(node.children, sums):
                child.grad = total              # the graph shows the pass so far
            index += 1
            yield BackwardStep(index, node, grad, tuple(
                Contribution(child, local, local * grad)
                for child, local in zip(node.children, node.local_grads)))
        # every consumer has run: this pass's leaf gradients are final; accumulate them
        for leaf, grad in zip(leaves, before):
            leaf.grad = grad + grads[leaf]
        committed = True
        for leaf in leaves:
            index += 1
            yield BackwardStep(index, leaf, grads[leaf], ())
    finally:
        if not committed:
            for leaf, grad in zip(leaves, before):
                leaf.grad = grad
