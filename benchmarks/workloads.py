"""The measured workloads, each written once for any Value-like engine, plus hand-written floats.

An engine here is anything with scalar nodes that support + * ** relu and `.backward()`: our
`micrograd.Value`, karpathy's `Value`, PyTorch 0-d float64 tensors. The same graph-building code
runs on each, so they do the same float operations in the same order and their numbers can be
compared exactly. `floats_*` are the same computations written by hand on Python floats, with
the gradient derived by hand: the limit of what pure Python can do.

Every runner returns (phases, check): phases maps a phase name to nanoseconds; check is a few
numbers the engines must agree on. Runners start from a collected heap and end with a timed
`gc.collect()` counted as that engine's "free" time, so one engine's garbage (karpathy's graphs
are reference cycles, freed only by the cyclic collector) is never billed to another. The time
the collector spends in its own passes *during* a step or an epoch is measured too (`GcTimer`).

Training workloads: karpathy's moons demo step (any engine, plus our train_step and ReplayStep
on floats, compiled, and as fit picks it) and one epoch of mini-batch training on scikit-learn's
digits (ours, hand-written floats, PyTorch; karpathy's Value has no exp or log for softmax).
"""
from __future__ import annotations

import gc
import math
import random
from operator import mul
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


def ours_replay_demo(weights: list[float], X, y, compiled: bool | None = False):
    """The same training with the graph recorded on the first step and replayed afterwards:
    ReplayStep(compiled=False) on floats, True on numpy arrays, None as fit picks by default.
    The step's `backend()` says which one ran ("floats" or "compiled"; None before step 0)."""
    from nn import losses
    from nn.layers import MLP
    from nn.optim import SGD
    from nn.train import ReplayStep
    model = _ours_model(MLP, weights)
    optimizer = SGD(model.parameters(), lr=lr_at)
    replay_step = ReplayStep(compiled=compiled)

    def step(k: int) -> tuple[float, float]:
        assert optimizer.steps == k
        result = replay_step(model, X, y, losses.hinge, optimizer, ALPHA, losses.hinge.correct)
        return result.loss, result.correct / len(X)

    step.backend = lambda: replay_backend(replay_step)
    return step


def replay_backend(replay_step) -> str | None:
    """"compiled" or "floats": how a ReplayStep runs its recordings (None before any)."""
    kinds = {entry.tape.compiled for entry in replay_step.graphs.values()}
    if not kinds:
        return None
    return "/".join(sorted("compiled" if k else "floats" for k in kinds))


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


class GcTimer:
    """Time spent inside the cyclic collector's passes: the sum of its start -> stop intervals
    (`gc.callbacks`), whatever triggered them. Read `ns` before and after the code measured."""

    def __init__(self):
        self.ns = 0
        self.passes = 0
        self._started = None

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = now()
        elif self._started is not None:
            self.ns += now() - self._started
            self.passes += 1
            self._started = None

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)


def settle() -> None:
    """Collect, then freeze what survives (the models, other engines' recorded graphs): live
    state is no one's garbage, and the collector's passes during a run then walk only what
    that run allocates, not every engine's live graphs."""
    gc.collect()
    gc.freeze()


def timed_step(step, k: int, timer: GcTimer):
    """One training step, then its garbage collected; both timed (the collection as "free"),
    and the collector's own passes during the step ("gc", part of "step")."""
    settle()
    g0 = timer.ns
    t0 = now()
    loss, acc = step(k)
    t1 = now()
    g1 = timer.ns
    gc.collect()
    t2 = now()
    return {"step": t1 - t0, "free": t2 - t1, "gc": g1 - g0}, (loss, acc)


# --- one epoch on scikit-learn's digits: MLP(64, [32, 10]), cross-entropy, SGD, batches of 32 ---
DIGITS_SIZES = (64, 32, 10)
DIGITS_LR = 0.3
DIGITS_BATCH = 32
DIGITS_SEED = 1337


def digits_data(limit: int | None = None) -> tuple[list[list[float]], list[int]]:
    """The training part of nn.data.digits() (80%, split with seed 1337); the first `limit`
    samples of it if given. ImportError without scikit-learn."""
    from nn.data import digits, train_test_split
    X, y = digits()
    X_train, _, y_train, _ = train_test_split(X, y, 0.2, seed=DIGITS_SEED)
    if limit is not None:
        X_train, y_train = X_train[:limit], y_train[:limit]
    return X_train, y_train


def digits_epochs(X, y, epochs: int) -> list[list[tuple[list, list]]]:
    """Each epoch's shuffled batches of 32: one random.Random(1337) across epochs, as fit."""
    from nn.data import batches
    rng = random.Random(DIGITS_SEED)
    return [list(batches(X, y, DIGITS_BATCH, rng)) for _ in range(epochs)]


def digits_model():
    from nn.layers import MLP
    return MLP(DIGITS_SIZES[0], list(DIGITS_SIZES[1:]), activation="relu",
               output_activation="linear", init="normal", seed=DIGITS_SEED)


def ours_digits(step_kind: str):
    """An epoch runner: our MLP trained with train_step ("normal") or ReplayStep on floats
    ("replay"), compiled ("compiled") or as fit picks ("fit"). Returns per batch (loss, correct);
    `run.backend()` says how a ReplayStep ran."""
    from nn import losses
    from nn.optim import SGD
    from nn.train import ReplayStep, train_step
    model = digits_model()
    optimizer = SGD(model.parameters(), lr=DIGITS_LR)
    step = {"normal": lambda: train_step, "replay": lambda: ReplayStep(compiled=False),
            "compiled": lambda: ReplayStep(compiled=True), "fit": ReplayStep}[step_kind]()
    ce = losses.cross_entropy

    def run(parts) -> list[tuple[float, int]]:
        out = []
        for Xb, yb in parts:
            result = step(model, Xb, yb, ce, optimizer, 0.0, ce.correct)
            out.append((result.loss, result.correct))
        return out

    run.backend = (lambda: replay_backend(step)) if step is not train_step else (lambda: None)
    return run


class FloatsDigits:
    """The digits epoch on floats with the gradient written by hand: the pure-Python limit.

    Per sample: h = relu(b1 + W1 x), z = b2 + W2 h (each sum b + w0*x0 + ... left to right, as
    our Neuron), loss = logsumexp(z) - z_t (stable: shifted by max z), and backward
    dz = (softmax(z) - onehot(t)) / n, dh = W2^T dz, relu' where h > 0; gradients summed over
    the batch, then p -= lr * grad.
    """

    def __init__(self, weights: list[float]):
        nin, nh, nout = DIGITS_SIZES
        it = iter(weights)                              # layer, neuron, weights then bias
        self.W1, self.b1 = [], []
        for _ in range(nh):
            self.W1.append([next(it) for _ in range(nin)])
            self.b1.append(next(it))
        self.W2, self.b2 = [], []
        for _ in range(nout):
            self.W2.append([next(it) for _ in range(nh)])
            self.b2.append(next(it))

    def __call__(self, parts) -> list[tuple[float, int]]:
        W1, b1, W2, b2 = self.W1, self.b1, self.W2, self.b2
        exp, log, lr = math.exp, math.log, DIGITS_LR
        nh, nout = len(W1), len(W2)
        out = []
        for Xb, yb in parts:
            inv_n = 1.0 / len(Xb)
            gW1 = [None] * nh                           # None: no gradient yet (relu off)
            gb1 = [0.0] * nh
            gW2 = [[0.0] * nh for _ in range(nout)]
            gb2 = [0.0] * nout
            loss_sum, right = 0.0, 0
            for x, t in zip(Xb, yb):
                # forward
                h = [sum(map(mul, w, x), b) for w, b in zip(W1, b1)]
                h = [v if v > 0 else 0.0 for v in h]
                z = [sum(map(mul, w, h), b) for w, b in zip(W2, b2)]
                m = max(z)
                e = [exp(v - m) for v in z]
                total = sum(e)
                loss_sum += log(total) + m - z[t]
                right += z.index(m) == t
                # backward: dL/dz_k = (p_k - [k == t]) / n
                dz = [v / total * inv_n for v in e]
                dz[t] -= inv_n
                for k in range(nout):
                    d = dz[k]
                    gW2[k] = [g + d * v for g, v in zip(gW2[k], h)]
                    gb2[k] += d
                for j in range(nh):
                    if h[j] > 0:                        # relu'(z) = 1 where the output is > 0
                        d = sum(map(mul, [w[j] for w in W2], dz))
                        g = gW1[j]
                        gW1[j] = ([d * v for v in x] if g is None
                                  else [gi + d * v for gi, v in zip(g, x)])
                        gb1[j] += d
            out.append((loss_sum * inv_n, right))
            # update: p -= lr * grad
            for j in range(nh):
                if gW1[j] is not None:
                    W1[j] = [w - lr * g for w, g in zip(W1[j], gW1[j])]
                b1[j] -= lr * gb1[j]
            for k in range(nout):
                W2[k] = [w - lr * g for w, g in zip(W2[k], gW2[k])]
                b2[k] -= lr * gb2[k]
        return out


def torch_digits(torch, weights: list[float]):
    """The digits epoch on PyTorch 0-d float64 tensors, node for node as ours: each neuron
    b + w0*x0 + ..., then cross-entropy by nn.losses' own graph function (logsumexp shifted by
    a max built from relu)."""
    it = iter(weights)
    F = torch.float64

    def leaf():
        return torch.tensor(next(it), dtype=F, requires_grad=True)

    layers = [[([leaf() for _ in range(nin)], leaf()) for _ in range(nout)]
              for nin, nout in zip(DIGITS_SIZES, DIGITS_SIZES[1:])]
    params = [p for layer in layers for w, b in layer for p in (*w, b)]
    last = len(layers) - 1

    def forward(x):
        for i, layer in enumerate(layers):
            out = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, x):
                    act = act + wi * xi
                out.append(act if i == last else act.relu())
            x = out
        return x

    from nn.losses import cross_entropy as ce

    def cross_entropy(z, t):
        # the loss table's own graph code, run on tensors (+, -, relu, exp, log): node for node
        return ce.graph(z, ce.encode(t, len(z)))

    def run(parts) -> list[tuple[float, int]]:
        out = []
        for Xb, yb in parts:
            logits = [forward(x) for x in Xb]
            total = sum(cross_entropy(z, t) for z, t in zip(logits, yb)) * (1.0 / len(Xb))
            right = 0
            for z, t in zip(logits, yb):
                zs = [v.item() for v in z]
                right += zs.index(max(zs)) == t
            for p in params:
                p.grad = None
            total.backward()
            with torch.no_grad():
                for p in params:
                    p -= DIGITS_LR * p.grad
            out.append((total.item(), right))
        return out

    return run


def timed_epoch(run, parts, timer: GcTimer):
    """One epoch (or part of one), then its garbage collected; as timed_step."""
    settle()
    g0 = timer.ns
    t0 = now()
    per_batch = run(parts)
    t1 = now()
    g1 = timer.ns
    gc.collect()
    t2 = now()
    return {"epoch": t1 - t0, "free": t2 - t1, "gc": g1 - g0}, per_batch


def finite(x: float) -> bool:
    return isinstance(x, float) and math.isfinite(x)
