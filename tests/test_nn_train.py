"""Optimizers, schedules, data sets and training: XOR, the documents' table and karpathy's moons."""
import math
import random

import pytest

from micrograd import Value
from nn import (MLP, SGD, Adam, data, evaluate, exponential_schedule, fit, hinge,
                linear_schedule, mse, predict, train_step)


# --- optimizers ---------------------------------------------------------------------------------
def test_sgd_step_momentum_weight_decay_by_hand():
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    p.grad = 2.0
    opt.step()                      # v = 2 + 0.01*1 = 2.01; p = 1 - 0.201
    assert p.data == pytest.approx(0.799)
    p.grad = 2.0
    opt.step()                      # v = 0.9*2.01 + 2 + 0.01*0.799
    v = 0.9 * 2.01 + 2.0 + 0.01 * 0.799
    assert p.data == pytest.approx(0.799 - 0.1 * v)
    opt.zero_grad()
    assert p.grad == 0.0


def test_lr_schedules_are_plain_callables():
    k_lr = linear_schedule(1.0, 0.1, 100)
    assert [k_lr(k) for k in (0, 50, 99, 100, 200)] == [1.0 - 0.9 * k / 100 for k in
                                                       (0, 50, 99, 100, 100)]
    assert exponential_schedule(0.5, 0.9)(3) == pytest.approx(0.5 * 0.9 ** 3)
    p = Value(0.0)
    opt = SGD([p], lr=lambda k: 10.0 ** -k)
    for _ in range(3):
        p.grad = 1.0
        opt.step()
    assert p.data == pytest.approx(-1.11)
    with pytest.raises(ValueError, match="learning rate nan at step 0"):
        SGD([Value(0.0)], lr=lambda k: float("nan")).step()
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        SGD([Value(0.0)], lr=-1.0)


def test_adam_matches_pytorch():
    torch = pytest.importorskip("torch")
    start, grads = [0.5, -1.5], [[0.3, -2.0], [0.1, 0.4], [-0.7, 0.0], [2.0, 1.0]]
    ps = [Value(x) for x in start]
    opt = Adam(ps, lr=0.01, weight_decay=0.1)
    t = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Adam([t], lr=0.01, weight_decay=0.1)
    for g in grads:
        for p, gi in zip(ps, g):
            p.grad = gi
        opt.step()
        t.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
    assert [p.data for p in ps] == pytest.approx(t.tolist(), rel=1e-12)


# --- data ---------------------------------------------------------------------------------------
def test_xor_and_table():
    X, y = data.xor()
    assert y == [float(a != b) for a, b in X]
    X, y = data.table()
    assert len(X) == 10 and all(len(r) == 5 and set(r) <= {0.0, 1.0} for r in X)
    assert y == [0, 1, 1, 0, 1, 0, 1, 0, 1, 1]
    assert X[9] == [0, 1, 1, 0, 1]          # the row whose target is not its first feature


def test_moons_is_seeded_balanced_and_shaped_like_make_moons():
    X, y = data.moons(100, noise=0.1, seed=3)
    assert (X, y) == data.moons(100, noise=0.1, seed=3)
    assert X != data.moons(100, noise=0.1, seed=4)[0]
    assert y.count(0.0) == 50 and y.count(1.0) == 50
    X0, y0 = data.moons(101, noise=0.0, seed=0)
    for (a, b), t in zip(X0, y0):           # without noise every point lies on its half circle
        if t == 0:
            assert a * a + b * b == pytest.approx(1.0) and b >= -1e-12
        else:
            assert (a - 1) ** 2 + (b - 0.5) ** 2 == pytest.approx(1.0) and b <= 0.5 + 1e-12
    with pytest.raises(ValueError, match="moons: noise"):
        data.moons(10, noise=-1)


def test_split_and_batches_cover_everything_once_and_are_seeded():
    X = [[float(i)] for i in range(10)]
    y = list(range(10))
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, 0.3, seed=1)
    assert len(Xte) == 3 and sorted(ytr + yte) == y
    assert all(x[0] == t for x, t in zip(Xtr + Xte, ytr + yte))
    assert data.train_test_split(X, y, 0.3, seed=1) == (Xtr, Xte, ytr, yte)
    bs = list(data.batches(X, y, 4, random.Random(5)))
    assert [len(b[1]) for b in bs] == [4, 4, 2]
    assert sorted(t for _, yb in bs for t in yb) == y
    assert bs == list(data.batches(X, y, 4, random.Random(5)))
    assert bs != list(data.batches(X, y, 4, random.Random(6)))
    assert list(data.batches(X, y)) == [(X, y)]            # full batch, in order
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        list(data.batches(X, y, 0))


# --- training -----------------------------------------------------------------------------------
def test_fit_history_and_evaluate_predict_build_no_graph():
    X, y = data.xor()
    model = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    h = fit(model, X, y, loss=mse, optimizer=SGD(model.parameters(), lr=1.0), epochs=5,
            progress=False)
    assert len(h.loss) == len(h.accuracy) == len(h.seconds) == len(h.lr) == 5
    assert all(0 <= a <= 1 for a in h.accuracy)
    out = predict(model, X)
    assert len(out) == 4 and all(len(o) == 1 and isinstance(o[0], float) for o in out)
    loss, acc = evaluate(model, X, y, "mse")
    assert loss == pytest.approx(sum(0.5 * (o[0] - t) ** 2 for o, t in zip(out, y)) / 4)
    with pytest.raises(ValueError, match="loss 'l1' is not one of"):
        fit(model, X, y, loss="l1", epochs=1, progress=False)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(model, X, y, epochs=0, progress=False)


def test_fit_uses_the_step_function_it_is_given():
    X, y = data.xor()
    model = MLP(2, [3, 1], seed=0)
    calls = []

    def counting_step(*args):
        calls.append(len(args[1]))
        return train_step(*args)

    fit(model, X, y, epochs=3, batch_size=3, step=counting_step, progress=False)
    assert calls == [3, 1] * 3


def test_one_full_batch_step_is_gradient_descent_on_the_mean_loss():
    X, y = data.xor()
    model = MLP(2, [3, 1], activation="tanh", seed=2)
    before = model.state_dict()
    total = sum(mse(model(x), t) for x, t in zip(X, y)) * 0.25
    total += 1e-3 * sum(p * p for p in model.parameters())
    model.zero_grad()
    total.backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    result = train_step(model, X, y, mse, SGD(model.parameters(), lr=0.3), l2=1e-3)
    assert result.loss == pytest.approx(total.data, rel=1e-15)
    for n, p in model.named_parameters():
        assert p.data == pytest.approx(before[n] - 0.3 * grads[n], rel=1e-14, abs=1e-15)


def test_xor_is_learned_with_the_documents_setup():
    # 002_909b28b3d0b2318a.txt: 2-4-1 sigmoid, squared error, plain full-batch gradient descent,
    # learning_rate = 0.5, epochs = 10000 (about a second: fit replays the graph)
    X, y = data.xor()
    model = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    h = fit(model, X, y, loss=mse, optimizer=SGD(model.parameters(), lr=0.5), epochs=10000,
            progress=False)
    out = [o[0] for o in predict(model, X)]
    assert [round(o) for o in out] == [0, 1, 1, 0]
    assert h.loss[-1] < h.loss[0] / 50
    assert evaluate(model, X, y, mse)[1] == 1.0


def test_table_is_learned():
    # 001_535ec0cb8a4ef9ef.txt: 5-10-1 sigmoid, N(0, nin**-0.5) weights, the whole table in
    # every step, lr 0.1 on the gradient summed over its 10 rows = lr 1.0 on our mean, 1000 epochs
    X, y = data.table()
    model = MLP(5, [10, 1], activation="sigmoid", output_activation="sigmoid", init="normal",
                seed=0)
    fit(model, X, y, loss=mse, optimizer=SGD(model.parameters(), lr=1.0), epochs=1000,
        progress=False)
    out = [o[0] for o in predict(model, X)]
    assert [round(o) for o in out] == [int(t) for t in y]


def test_moons_with_karpathy_demo_setup():
    # MLP(2, [16, 16, 1]) relu, hinge + 1e-4 L2, 100 full-batch steps, lr 1.0 - 0.9 k/100.
    # About 10-15 s on one core (~0.1 s per step): the slowest test here.
    X, y01 = data.moons(100, noise=0.1, seed=1337)
    y = [2 * t - 1 for t in y01]
    model = MLP(2, [16, 16, 1], seed=1337)
    h = fit(model, X, y, loss=hinge, l2=1e-4, epochs=100, progress=False,
            optimizer=SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, 100)))
    assert h.lr[0] == 1.0 and h.lr[-1] == pytest.approx(0.109)
    loss, acc = evaluate(model, X, y, hinge)
    assert acc >= 0.97
    assert h.loss[-1] < h.loss[0] / 10
    assert math.isfinite(loss)


def test_fit_replays_the_graph_only_where_its_shape_is_fixed():
    from nn import MLP, Neuron
    from nn.train import ReplayStep, _default_step, train_step
    from nn import losses
    model = MLP(2, [4, 1])
    assert isinstance(_default_step(model, losses.hinge, None), ReplayStep)
    assert isinstance(_default_step(Neuron(2), losses.mse, None), ReplayStep)
    assert _default_step(model, losses.hinge, 8) is train_step              # shuffled batches
    assert _default_step(model, losses.cross_entropy, None) is train_step   # max(z) baked in
    assert _default_step(model, losses.binary_cross_entropy_with_logits, None) is train_step

    class Branchy(MLP):                                 # may branch on data in __call__
        pass
    assert _default_step(Branchy(2, [1]), losses.mse, None) is train_step


def test_fit_default_step_gives_the_same_numbers_as_train_step():
    from nn import MLP, SGD, data, fit
    from nn.train import train_step
    X, y = data.xor()

    def run(**kw):
        model = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=3)
        h = fit(model, X, y, loss="mse", epochs=30, progress=False,
                optimizer=SGD(model.parameters(), lr=2.0), **kw)
        return h.loss, h.accuracy, [p.data for p in model.parameters()]

    assert run() == run(step=train_step)


def test_fit_with_vector_targets_replays_and_matches_train_step():
    # the documents' 2-2-2 network: two outputs, so each target is a list
    from nn.train import train_step

    def run(**kw):
        model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
        h = fit(model, [[0.1, 0.05], [0.3, 0.9]], [[0.02, 0.98], [0.5, 0.5]], loss=mse,
                optimizer=SGD(model.parameters(), lr=0.5), epochs=5, progress=False, **kw)
        return h.loss, [p.data for p in model.parameters()]

    replayed, built = run(), run(step=train_step)
    assert replayed == built
    assert replayed[0][-1] < replayed[0][0]
