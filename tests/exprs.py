"""Random expression DAGs with shared subexpressions, built the same way on any library.

A program is a list of steps (op, i, j) that each read earlier nodes by index, so later steps
reuse earlier results (shared subexpressions, a node used twice). `build(program, leaves, lib)`
runs it with lib's functions: micrograd Values (`VALUE_LIB`) or torch tensors (`torch_lib()`).

The steps come from the op table (`micrograd.ops`): every op is a step, applied through its
Value method name (a Python operator such as `__mul__`, or a function such as `sin`, which
torch spells the same), so a new op in the table is in every random DAG with no test change.
An operand is first squashed into the op's domain when the op is not defined everywhere
(log, sqrt, a/b, a**b, a**-1): lo + (hi - lo) * sigmoid(x). A few mixed steps put plain numbers
on either side of an operator.
"""
import operator
from types import SimpleNamespace

from micrograd import Value, ops

ANYWHERE = ops.ANYWHERE
# constant exponents that go into the DAGs, as the op table's power ops
POWERS = tuple(ops.power(k) for k in (2, 3, 0.5, -1))
TABLE = {op.name: op for op in (*ops.OPS.values(), *POWERS)}


def _squash(x, interval, L):
    lo, hi = interval
    if (lo, hi) == ANYWHERE:
        return x
    return lo + (hi - lo) * L.call("sigmoid", x)


def _apply(op, args, L):
    args = [_squash(x, interval, L) for x, interval in zip(args, op.domain)]
    if op.arity == 1 and op.name.startswith("**"):
        return args[0] ** float(op.name[2:])
    if op.is_function:
        return L.call(op.method, args[0])
    return getattr(operator, op.method)(*args)


UNARY = {name: (lambda a, L, op=op: _apply(op, [a], L))
         for name, op in TABLE.items() if op.arity == 1}
BINARY = {name: (lambda a, b, L, op=op: _apply(op, [a, b], L))
          for name, op in TABLE.items() if op.arity == 2}
# numbers on either side of an operator (constant leaves, r-methods)
BINARY["rsub_rmul_rdiv"] = lambda a, b, L: 3 - 2 * a + b / 4 + 1 / (2 + L.call("tanh", b))
UNARY["exp_tanh"] = lambda a, L: L.call("exp", L.call("tanh", a))
OPS = sorted(UNARY) + sorted(BINARY)
# ops whose derivative jumps somewhere: their inputs are recorded so tests can stay clear
KINKED = {name for name, op in TABLE.items() if op.kinks}

VALUE_LIB = SimpleNamespace(call=lambda method, x: getattr(x, method)())


def torch_lib():
    import torch
    return SimpleNamespace(call=lambda method, x: getattr(torch, method)(x))


def build(program, leaves, L):
    """Run the program; returns (all nodes, inputs of kinked ops, with each kink)."""
    nodes = list(leaves)
    kinked = []
    for name, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if name in KINKED:
            kinked.extend((a, k) for k in TABLE[name].kinks)
        nodes.append(UNARY[name](a, L) if name in UNARY else BINARY[name](a, b, L))
    return nodes, kinked


def output(program, leaves, L):
    """The sum of the last two nodes (one half of the last), and the kinked inputs."""
    nodes, kinked = build(program, leaves, L)
    return nodes[-1] + nodes[-2] * 0.5, kinked


def clear_of_kinks(kinked, margin=1e-3) -> bool:
    """Whether every input of a kinked op is at least `margin` from its kink."""
    return all(abs(float(x.data if isinstance(x, Value) else x) - k) > margin
               for x, k in kinked)


def random_program(rng, n_leaves, n_steps):
    return [(rng.choice(OPS), rng.randrange(n_leaves + k), rng.randrange(n_leaves + k))
            for k in range(n_steps)]
