"""Stepping through backward: one step per node, in the order `Value.backward()` visits them.

    for step in backward_steps(loss):
        print(step)            # d loss/d node and what the node sends to each operand

Each step is yielded after the node has passed its gradient on, so after step k the graph holds
exactly the gradients backward() would hold at that point (`draw_dot(root, step=k)` draws it).
The float additions happen in the same order as in `Value.backward()`, so a finished walk leaves
bit-for-bit the same gradients; leaf gradients accumulate across passes in the same way.
Leaves come last, after every op node has run; if the walk is abandoned before then, leaf
gradients are put back as they were (backward() does the same when it fails): a pass counts
for the leaves only once all of it has been done.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from .engine import Value, _describe, backward_order


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
        from .explain import format_number, node_name
        head = f"step {self.index}: d/d {node_name(self.node)} = {format_number(self.grad)}"
        if not self.contributions:
            return head + " (leaf)"
        parts = [f"{node_name(c.child)} += {format_number(c.local)} × {format_number(self.grad)}"
                 f" = {format_number(c.amount)}" for c in self.contributions]
        return head + "; " + "; ".join(parts)


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Run backward on root one node at a time, yielding a `BackwardStep` after each node."""
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
    order = backward_order(root)                   # consumers before operands, leaves last
    inner = [node for node in order if node.children]
    leaves = [node for node in order if not node.children]
    before = [leaf.grad for leaf in leaves]
    grads = _start_pass(order)                     # this pass alone, as in Value.backward
    for node in order:
        node.grad = grads[node]
    committed = False
    try:
        index = 0
        for node in inner:                  # consumers first, as in Value.backward
            grad = grads[node]
            if grad - grad != 0.0:
                raise OverflowError(f"backward: gradient {grad} at {_describe(node)}")
            _send(node, grads)
            sent = tuple(Contribution(child, local, local * grad)     # what _send added
                         for child, local in zip(node.children, node.local_grads))
            for child in node.children:     # the graph shows the pass so far
                child.grad = grads[child]
            index += 1
            yield BackwardStep(index, node, grad, sent)
        for leaf in leaves:
            grad = grads[leaf]
            if grad - grad != 0.0:
                raise OverflowError(f"backward: gradient {grad} at {_describe(leaf)}")
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


def pass_gradients(order: list[Value]) -> dict[Value, float]:
    """d root/d node for each node of `backward_order(root)`, without touching any .grad.

    The same chain-rule step as backward_steps (`_send`), so the same float operations in the
    same order as Value.backward(): each number equals what one backward() call leaves in .grad.
    """
    grads = _start_pass(order)
    for node in order:                  # consumers before operands
        _send(node, grads)
    return grads


def _start_pass(order: list[Value]) -> dict[Value, float]:
    # d root/d root = 1; every other node starts this pass from 0
    grads = dict.fromkeys(order, 0.0)
    grads[order[0]] = 1.0
    return grads


def _send(node: Value, grads: dict[Value, float]) -> None:
    """Pass node's gradient to its operands: grads[child] += local * grads[node]."""
    grad = grads[node]
    for child, local in zip(node.children, node.local_grads):
        grads[child] += local * grad        # the chain rule, for each operand
