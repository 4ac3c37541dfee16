"""Random expression DAGs with shared subexpressions, built the same way on any library.

A program is a list of steps (op, i, j) that each read earlier nodes by index, so later steps
reuse earlier results (shared subexpressions, a node used twice). `build(program, leaves, lib)`
runs it with lib's functions: micrograd Values (`VALUE_LIB`) or torch tensors (`torch_lib()`).
"""
from types import SimpleNamespace

from micrograd import Value

UNARY = {
    "neg": lambda a, L: -a,
    "tanh": lambda a, L: L.tanh(a),
    "sigmoid": lambda a, L: L.sigmoid(a),
    "relu": lambda a, L: L.relu(a),
    "exp_tanh": lambda a, L: L.exp(L.tanh(a)),
    "log_1p_sq": lambda a, L: L.log(1 + a * a),
    "square": lambda a, L: a ** 2,
    "sqrt_1p_sq": lambda a, L: (1 + a * a) ** 0.5,
    "recip_1p_sq": lambda a, L: 1 / (1 + a * a),
}
BINARY = {
    "add": lambda a, b, L: a + b,
    "sub": lambda a, b, L: a - b,
    "mul": lambda a, b, L: a * b,
    "div": lambda a, b, L: a / (2 + L.tanh(b)),
    "pow": lambda a, b, L: (1 + a * a) ** L.tanh(b),
    "rsub_rmul": lambda a, b, L: 3 - 2 * a + b / 4,
}
OPS = sorted(UNARY) + sorted(BINARY)

VALUE_LIB = SimpleNamespace(tanh=Value.tanh, sigmoid=Value.sigmoid, relu=Value.relu,
                            exp=Value.exp, log=Value.log)


def torch_lib():
    import torch
    return SimpleNamespace(tanh=torch.tanh, sigmoid=torch.sigmoid, relu=torch.relu,
                           exp=torch.exp, log=torch.log)


def build(program, leaves, L):
    """Run the program; returns (all nodes, relu inputs). The output is the sum of the last two."""
    nodes = list(leaves)
    relu_inputs = []
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op in UNARY:
            if op == "relu":
                relu_inputs.append(a)
            nodes.append(UNARY[op](a, L))
        else:
            nodes.append(BINARY[op](a, b, L))
    return nodes, relu_inputs


def output(program, leaves, L):
    nodes, relu_inputs = build(program, leaves, L)
    return nodes[-1] + nodes[-2] * 0.5, relu_inputs


def random_program(rng, n_leaves, n_steps):
    return [(rng.choice(OPS), rng.randrange(n_leaves + k), rng.randrange(n_leaves + k))
            for k in range(n_steps)]
