"""The measured workloads, each written once for any Value-like engine, plus hand-written floats.

An engine here is anything with scalar nodes that support + * ** relu and `.backward()`: our
`micrograd.Value`, karpathy's `Value`, PyTorch 0-d float64 tensors. The same graph-building code
runs on each, so they do the same float operations in the same order and their numbers can be
compared exactly. `floats_*` are the same computations written by hand on Python floats, with
the gradient derived by hand: the limit of what pure Python can do.

Every runner returns (phases, check): phases maps a phase name to nanoseconds; check is a few
numbers the engines must agree on. Runners start from a collected heap and end with a timed
`gc.collect()` counted as that engine's "free" time, so one engine's garbage (karpathy's graphs
are reference cycles, freed only by the cyclic collector) is never billed to another.
"""
from __future__ import annotations

import gc
import math
import random
from time import perf_counter_ns as now
from types import SimpleNamespace

F64 = None      # torch.float64, set by torch_engine()


# --- engines ---------------------------------------------------------------------------------
def value_engine(name: str, Value) -> SimpleNamespace:
    """Our Value or karpathy's: leaf(x), backward(root), grad(v), data(v)."""
    return SimpleNamespace(name=name, leaf=Value, backward=lambda root: root.backward(),
                           grad=lambda v: float(v.grad), data=lambda v: float(v.data))


def torch_engine(torch) -> SimpleNamespace:
    global F64
    F64 = torch.float64
    tensor = torch.tensor

    def leaf(x):
        return tensor(x, dtype=F64, requires_grad=True)

    return SimpleNamespace(name="torch", leaf=leaf, backward=lambda root: root.backward(),
                           grad=lambda v: v.grad.item(), data=lambda v: v.item(), torch=torch)


# --- wide graph: products of leaf pairs, summed by a balanced tree -----------------------------
def wide_data(pairs: int, seed: int = 0) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(pairs)], [rng.uniform(-1, 1) for _ in range(pairs)]


def wide_graph(xs: list, ys: list):
    """sum_i x_i * y_i as a balanced tree: 2n - 1 op nodes for n pairs."""
    level = [x * y for x, y in zip(xs, ys)]
    while len(level) > 1:
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            pairs.append(level[-1])
        level = pairs
    return level[0]


def wide_run(engine, xs_data: list[float], ys_data: list[float]):
    xs = [engine.leaf(x) for x in xs_data]
    ys = [engine.leaf(y) for y in ys_data]
    gc.collect()
    t0 = now()
    root = wide_graph(xs, ys)
    t1 = now()
    engine.backward(root)
    t2 = now()
    check = (engine.data(root), engine.grad(xs[0]), engine.grad(ys[-1]))
    root = xs = ys = None                           # noqa: F841 (dropping the graph is timed)
    gc.collect()
    t3 = now()
    return {"forward": t1 - t0, "backward": t2 - t1, "free": t3 - t2}, check


def wide_floats(xs: list[float], ys: list[float]):
    gc.collect()
    t0 = now()
    levels = [[x * y for x, y in zip(xs, ys)]]
    while len(levels[-1]) > 1:
        level = levels[-1]
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            pairs.append(level[-1])
        levels.append(pairs)
    root = levels[-1][0]
    t1 = now()
    grads = [1.0]                                   # d root / d node, one level at a time
    for level in reversed(levels[:-1]):
        grads = [grads[i >> 1] for i in range(len(level))]     # node i feeds parent i // 2
    gx = [g * y for g, y in zip(grads, ys)]
    gy = [g * x for g, x in zip(grads, xs)]
    t2 = now()
    check = (root, gx[0], gy[-1])
    levels = grads = gx = gy = None                 # noqa: F841
    gc.collect()
    t3 = now()
    return {"forward": t1 - t0, "backward": t2 - t1, "free": t3 - t2}, check


# --- deep chain: y = (y * w) + b, alternating, `depth` op nodes --------------------------------
W_CHAIN, B_CHAIN = 1.000001, 0.5


def chain_run(engine, depth: int):
    x, w, b = engine.leaf(1.0), engine.leaf(W_CHAIN), engine.leaf(B_CHAIN)
    gc.collect()
    t0 = now()
    y = x
    for i in range(depth):
        y = y * w if i % 2 else y + b
    t1 = now()
    error = None
    try:
        engine.backward(y)
        check = (engine.data(y), engine.grad(x), engine.grad(w))
    except RecursionError as e:                     # karpathy's recursive topological sort
        error = f"RecursionError: {e}"
        check = None
    t2 = now()
    y = x = w = b = None                            # noqa: F841
    gc.collect()
    t3 = now()
    phases = {"forward": t1 - t0, "backward": t2 - t1, "free": t3 - t2}
    if error:
        phases["error"] = error
    return phases, check


def chain_floats(depth: int):
    gc.collect()
    t0 = now()
    ys = [1.0]
    y, w, b = 1.0, W_CHAIN, B_CHAIN
    for i in range(depth):
        y = y * w if i % 2 else y + b
        ys.append(y)
    t1 = now()
    g, gw = 1.0, 0.0                                # d out / d y_i, walking back down the chain
    for i in range(depth - 1, -1, -1):
        if i % 2:
            gw += g * ys[i]                         # y_{i+1} = y_i * w
            g *= w
    t2 = now()
    check = (y, g, gw)
    ys = None                                       # noqa: F841
    gc.collect()
    t3 = now()
    return {"forward": t1 - t0, "backward": t2 - t1, "free": t3 - t2}, check


# --- karpathy's demo: two moons, MLP(2, [16, 16, 1]) relu, hinge + 1e-4 L2, full batch ---------
SIZES = (2, 16, 16, 1)
ALPHA = 1e-4


def lr_at(k: int) -> float:
    return 1.0 - 0.9 * k / 100                      # karpathy's schedule, float for float


def demo_data(n: int, seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """Two moons (nn.data.moons) with labels -1 / +1, as karpathy's `y * 2 - 1`."""
    from nn.data import moons
    X, y = moons(n, noise=0.1, seed=seed)
    return X, [2.0 * t - 1.0 for t in y]


def demo_weights(seed: int = 1337) -> list[float]:
    """Initial parameters in karpathy's order (layer, neuron, weights then bias)."""
    from nn.layers import MLP
    return [p.data for p in MLP(SIZES[0], list(SIZES[1:]), seed=seed).parameters()]


class MirrorMLP:
    """karpathy's nn.MLP line for line (b + w0*x0 + ...), on any engine's leaves."""

    def __init__(self, leaf, weights: list[float]):
        it = iter(weights)
        self.layers = [[([leaf(next(it)) for _ in range(nin)], leaf(next(it)))
                        for _ in range(nout)] for nin, nout in zip(SIZES, SIZES[1:])]

    def __call__(self, x):
        for i, layer in enumerate(self.layers):
            nonlin = i != len(self.layers) - 1
            out = []
            for w, b in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act.relu() if nonlin else act)
            x = out
        return x[0]

    def parameters(self) -> list:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def karpathy_demo(package, weights: list[float], X, y):
    """A step function running karpathy's demo loop body verbatim on his own nn.MLP."""
    model = package.nn.MLP(SIZES[0], list(SIZES[1:]))
    params = model.parameters()
    if len(params) != len(weights):
        raise RuntimeError(f"karpathy's MLP has {len(params)} parameters, expected {len(weights)}")
    for p, w in zip(params, weights):
        p.data = w
    Value = package.engine.Value

    def step(k: int) -> tuple[float, float]:
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        model.zero_grad()
        total_loss.backward()
        learning_rate = lr_at(k)
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        return total_loss.data, sum(accuracy) / len(accuracy)

    return step


def torch_demo(torch, weights: list[float], X, y):
    """The same loop on PyTorch 0-d float64 tensors (MirrorMLP, so the same op order)."""
    model = MirrorMLP(lambda w: torch.tensor(w, dtype=torch.float64, requires_grad=True), weights)
    params = model.parameters()

    def step(k: int) -> tuple[float, float]:
        inputs = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum((p * p for p in params))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.item() > 0) for yi, scorei in zip(y, scores)]
        for p in params:
            p.grad = None
        total_loss.backward()
        learning_rate = lr_at(k)
        with torch.no_grad():
            for p in params:
                p -= learning_rate * p.grad
        return total_loss.item(), sum(accuracy) / len(accuracy)

    return step


def ours_demo(weights: list[float], X, y):
    """Our library as a user writes it: nn.MLP, nn.losses.hinge, SGD, nn.train.train_step."""
    from nn import losses
    from nn.layers import MLP
    from nn.optim import SGD
    from nn.train import train_step
    model = _ours_model(MLP, weights)
    optimizer = SGD(model.parameters(), lr=lr_at)

    def step(k: int) -> tuple[float, float]:
        assert optimizer.steps == k
        result = train_step(model, X, y, losses.hinge, optimizer, ALPHA, losses.hinge.correct)
        return result.loss, result.correct / len(X)

    return step


def ours_replay_demo(weights: list[float], X, y):
    """The same training with the graph recorded on the first step and replayed afterwards."""
    from nn import losses
    from nn.layers import MLP
    from nn.optim import SGD
    from nn.train import ReplayStep
    model = _ours_model(MLP, weights)
    optimizer = SGD(model.parameters(), lr=lr_at)
    replay_step = ReplayStep()

    def step(k: int) -> tuple[float, float]:
        assert optimizer.steps == k
        result = replay_step(model, X, y, losses.hinge, optimizer, ALPHA, losses.hinge.correct)
        return result.loss, result.correct / len(X)

    return step


def _ours_model(MLP, weights):
    model = MLP(SIZES[0], list(SIZES[1:]), seed=0)
    params = model.parameters()
    if len(params) != len(weights):
        raise RuntimeError(f"nn.MLP has {len(params)} parameters, expected {len(weights)}")
    for p, w in zip(params, weights):
        p.data = w
    return model


class FloatsDemo:
    """The demo step on floats with the gradient written by hand: the pure-Python limit."""

    def __init__(self, weights: list[float], X, y):
        it = iter(weights)
        self.W = [[([next(it) for _ in range(nin)], [next(it)]) for _ in range(nout)]
                  for nin, nout in zip(SIZES, SIZES[1:])]
        self.X, self.y = X, y

    def __call__(self, k: int) -> tuple[float, float]:
        W, n = self.W, len(self.X)
        G = [[([0.0] * len(w), [0.0]) for w, _ in layer] for layer in W]
        last = len(W) - 1
        loss_sum, right = 0, 0
        for x, yi in zip(self.X, self.y):
            acts = [x]                              # forward, keeping each layer's output
            for li, layer in enumerate(W):
                h, out = acts[-1], []
                for w, (b,) in layer:
                    s = b
                    for wi, hi in zip(w, h):
                        s = s + wi * hi
                    out.append(s if li == last or s > 0 else 0.0)
                acts.append(out)
            score = acts[-1][0]
            margin = 1 + -yi * score
            loss_sum = loss_sum + (margin if margin > 0 else 0.0)
            right += (yi > 0) == (score > 0)
            # backward: dL/dscore = -y / n where the hinge is active
            delta = [-yi * (1.0 / n) if margin > 0 else 0.0]
            for li in range(last, -1, -1):
                h, layer, g = acts[li], W[li], G[li]
                if li != last:                      # relu'(z) = 1 where the output is > 0
                    delta = [d if o > 0 else 0.0 for d, o in zip(delta, acts[li + 1])]
                dh = [0.0] * len(h)
                for (w, _), (gw, gb), d in zip(layer, g, delta):
                    for i, hi in enumerate(h):
                        gw[i] += d * hi
                        dh[i] += w[i] * d
                    gb[0] += d
                delta = dh
        reg = 0                                     # sum of p**2 in parameter order
        for layer in W:
            for w, (b,) in layer:
                for p in w:
                    reg = reg + p * p
                reg = reg + b * b
        total = loss_sum * (1.0 / n) + ALPHA * reg
        lr = lr_at(k)
        for layer, glayer in zip(W, G):             # d(alpha * p**2)/dp = 2 alpha p, then SGD
            for (w, b), (gw, gb) in zip(layer, glayer):
                for i in range(len(w)):
                    w[i] -= lr * (gw[i] + 2 * ALPHA * w[i])
                b[0] -= lr * (gb[0] + 2 * ALPHA * b[0])
        return total, right / n


def timed_step(step, k: int):
    """One training step, then its garbage collected; both timed (the collection as "free")."""
    gc.collect()
    t0 = now()
    loss, acc = step(k)
    t1 = now()
    gc.collect()
    t2 = now()
    return {"step": t1 - t0, "free": t2 - t1}, (loss, acc)


def finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x)
