"""Optimizers, schedules, data sets and training: XOR, the documents' table and karpathy's moons."""
import math
import os
import random
import re

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
    # the loss table says which graphs have a fixed shape; the batch size no longer matters
    for name, spec in losses.LOSSES.items():
        expect = ReplayStep if spec.replayable else type(train_step)
        assert isinstance(_default_step(model, spec), expect), name
        assert isinstance(_default_step(model, name), expect), name
    assert isinstance(_default_step(Neuron(2), losses.mse), ReplayStep)
    assert _default_step(model, losses.binary_cross_entropy) is train_step  # terms by target
    assert _default_step(model, lambda out, t: losses.mse(out, t)) is train_step  # your own

    class Branchy(MLP):                                 # may branch on data in __call__
        pass
    assert _default_step(Branchy(2, [1]), losses.mse) is train_step


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


# --- what history and final_loss measure ----------------------------------------------------------
@pytest.mark.parametrize("l2,batch_size", [(1e-4, None), (0.0, None), (1e-3, 3)])
def test_final_loss_is_the_training_objective_of_the_returned_weights(l2, batch_size):
    X, y01 = data.moons(12, noise=0.1, seed=2)
    y = [2 * t - 1 for t in y01]
    model = MLP(2, [6, 1], seed=4)
    h = fit(model, X, y, loss=hinge, l2=l2, epochs=15, batch_size=batch_size, progress=False,
            optimizer=SGD(model.parameters(), lr=0.3))
    # the same objective as history.loss (with the L2 term), after the last update
    assert (h.final_loss, h.final_accuracy) == evaluate(model, X, y, hinge, l2=l2)
    by_hand = (sum(hinge(model(x), t) for x, t in zip(X, y)) * (1.0 / len(X))
               + l2 * sum(p * p for p in model.parameters()))
    assert h.final_loss == by_hand.data
    assert h.final_loss != h.loss[-1]           # history.loss[-1] was before the last update
    if l2:
        assert h.final_loss > evaluate(model, X, y, hinge)[0]     # evaluate's default: no L2


def test_full_batch_history_loss_is_the_loss_before_each_update():
    X, y = data.xor()
    model = MLP(2, [3, 1], activation="tanh", seed=5)
    opt = SGD(model.parameters(), lr=0.5)
    before = []
    for _ in range(4):
        before.append(evaluate(model, X, y, mse, l2=1e-3)[0])
        train_step(model, X, y, mse, opt, l2=1e-3)
    model2 = MLP(2, [3, 1], activation="tanh", seed=5)
    h = fit(model2, X, y, loss=mse, l2=1e-3, epochs=4, progress=False,
            optimizer=SGD(model2.parameters(), lr=0.5))
    assert h.loss == pytest.approx(before, rel=1e-14)
    assert h.final_loss == evaluate(model, X, y, mse, l2=1e-3)[0]


# --- no_grad ------------------------------------------------------------------------------------
def test_fit_and_steps_refuse_to_run_inside_no_grad():
    from micrograd import no_grad
    from nn.train import ReplayStep
    X, y = data.xor()
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    opt = SGD(model.parameters(), lr=1.0)
    with no_grad():
        with pytest.raises(RuntimeError, match=r"fit: called inside no_grad\(\)"):
            fit(model, X, y, epochs=3, progress=False, optimizer=opt)
        with pytest.raises(RuntimeError, match=r"train_step: called inside no_grad\(\)"):
            train_step(model, X, y, mse, opt)
        with pytest.raises(RuntimeError, match=r"ReplayStep: called inside no_grad\(\)"):
            ReplayStep()(model, X, y, mse, opt)
    assert model.state_dict() == before and opt.steps == 0
    h = fit(model, X, y, epochs=2, progress=False, optimizer=opt)   # outside: it trains
    assert len(h.loss) == 2 and model.state_dict() != before


def test_no_grad_in_one_thread_does_not_stop_fit_in_another():
    import threading
    from micrograd import no_grad
    X, y = data.xor()
    inside, done = threading.Event(), threading.Event()
    results = {}

    def blocker():
        with no_grad():
            inside.set()
            done.wait(60)

    t = threading.Thread(target=blocker)
    t.start()
    try:
        assert inside.wait(60)
        model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
        results["h"] = fit(model, X, y, loss=mse, epochs=5, progress=False,
                           optimizer=SGD(model.parameters(), lr=1.0))
    finally:
        done.set()
        t.join()
    reference = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    expect = fit(reference, X, y, loss=mse, epochs=5, progress=False,
                 optimizer=SGD(reference.parameters(), lr=1.0))
    assert results["h"].loss == expect.loss


# --- divergence ---------------------------------------------------------------------------------
def _moons(n=30):
    X, y01 = data.moons(n, noise=0.1, seed=1)
    return X, [2 * t - 1 for t in y01]


def test_lr_1e308_raises_training_diverged_naming_epoch_step_and_a_parameter():
    from nn import TrainingDiverged
    X, y = _moons()
    model = MLP(2, [16, 16, 1], seed=1337)
    with pytest.raises(TrainingDiverged) as e:
        fit(model, X, y, loss=hinge, l2=1e-4, epochs=100, progress=False,
            optimizer=SGD(model.parameters(), lr=1e308))
    err = e.value
    assert isinstance(err, OverflowError)
    assert f"training diverged at epoch {err.epoch}, step {err.step}" in str(err)
    assert re.search(r"'layers\.\d\.neurons\.\d+\.(w\.\d+|b)'", str(err))
    assert 1 <= err.epoch < 100 and err.step == err.epoch           # full batch: 1 step/epoch
    assert len(err.history.loss) == len(err.history.accuracy) in (err.epoch - 1, err.epoch)
    assert all(math.isfinite(v) for v in err.history.loss)
    assert err.history.final_loss is None


def test_an_update_to_inf_names_the_parameter_and_keeps_the_finished_epoch():
    from nn import Neuron, TrainingDiverged
    neuron = Neuron(1, activation="linear", seed=0)
    neuron.w[0].data, neuron.b.data = 1.0, 0.0
    X, y = [[1e10]], [0.0]                 # dL/dw = (w x - y) x = 1e20: lr 1e300 makes it inf
    with pytest.raises(TrainingDiverged) as e:
        fit(neuron, X, y, loss=mse, epochs=5, progress=False,
            optimizer=SGD(neuron.parameters(), lr=1e300))
    err = e.value
    assert err.parameter == "w.0" and (err.epoch, err.step) == (1, 1)
    assert "after the update, parameter 'w.0' is -inf" in str(err)
    assert err.history.loss == [pytest.approx(0.5e20)]        # epoch 1's steps all ran
    with pytest.raises(ValueError, match="parameter 'w.0' is -inf"):
        neuron.save(os.devnull)                               # and it cannot be saved


def test_divergence_in_the_middle_of_an_epoch_keeps_only_whole_epochs():
    from nn import Neuron, TrainingDiverged
    neuron = Neuron(1, activation="linear", seed=0)
    neuron.w[0].data = 1.0
    X, y = [[1.0], [1e10], [1.0], [1.0]], [0.0] * 4
    opt = SGD(neuron.parameters(), lr=lambda k: 1e-3 if k < 4 else 1e300)
    with pytest.raises(TrainingDiverged) as e:
        fit(neuron, X, y, loss=mse, epochs=3, batch_size=1, seed=3, progress=False,
            optimizer=opt)
    err = e.value
    assert err.epoch == 2 and 5 <= err.step <= 8            # in epoch 2's 4 steps
    assert len(err.history.loss) == 1                         # epoch 1 only
    assert err.parameter in ("w.0", "b")


def test_weights_too_large_for_the_next_forward_are_caught_after_the_last_step():
    from nn import TrainingDiverged
    X, y = _moons(10)
    model = MLP(2, [4, 4, 1], seed=3)
    with pytest.raises(TrainingDiverged) as e:
        fit(model, X, y, loss=hinge, epochs=1, progress=False,
            optimizer=SGD(model.parameters(), lr=1e200))
    err = e.value
    assert "the final weights overflow the forward pass" in str(err)
    assert len(err.history.loss) == 1 and math.isfinite(err.history.loss[0])
    assert all(math.isfinite(p.data) for p in model.parameters())     # finite, yet unusable
    with pytest.raises(OverflowError):
        predict(model, X)


@pytest.mark.parametrize("step_name", ["replay", "train_step"])
def test_a_forward_overflow_diverges_the_same_way_with_or_without_replay(step_name):
    from nn import TrainingDiverged
    from nn.train import ReplayStep

    def run():
        X, y = _moons(20)
        model = MLP(2, [16, 16, 1], activation="linear", seed=1)
        step = ReplayStep() if step_name == "replay" else train_step
        with pytest.raises(TrainingDiverged) as e:
            fit(model, X, y, loss=hinge, epochs=100, progress=False, step=step,
                optimizer=SGD(model.parameters(), lr=100.0))
        return e.value

    err, again = run(), run()
    assert (err.epoch, err.step, str(err)) == (again.epoch, again.step, str(again))
    assert "the step overflows (" in str(err) and "replay" not in str(err).lower()
    assert "the largest parameter is 'layers." in str(err)


def test_replay_and_train_step_diverge_at_the_same_step_with_the_same_message():
    from nn import TrainingDiverged
    from nn.train import ReplayStep
    messages, where = [], []
    for step in (ReplayStep(compiled=False), train_step, ReplayStep(compiled=True)):
        X, y = _moons(20)
        model = MLP(2, [8, 1], activation="linear", seed=2)
        with pytest.raises(TrainingDiverged) as e:
            fit(model, X, y, loss=hinge, epochs=200, progress=False, step=step,
                optimizer=SGD(model.parameters(), lr=50.0))
        messages.append(str(e.value))
        where.append((e.value.epoch, e.value.step, e.value.parameter))
    assert messages[0] == messages[1]
    # compiled: the same step and the engine's message, its numbers equal to rounding
    assert where[2] == where[1]
    assert messages[2].split("(")[0] == messages[1].split("(")[0]


def test_a_replay_that_fails_records_again_instead_of_keeping_a_broken_graph():
    from nn.train import ReplayStep
    X, y = data.xor()
    model = MLP(2, [3, 1], seed=0)
    step, opt = ReplayStep(), SGD(model.parameters(), lr=0.1)
    step(model, X, y, mse, opt)
    good = model.state_dict()
    model.layers[0].neurons[0].w[0].data = 1e200            # the next forward overflows
    model.layers[1].neurons[0].w[0].data = 1e200
    with pytest.raises(OverflowError) as e:
        step(model, X, y, mse, opt)
    assert "replay" not in str(e.value).lower()
    model.load_state_dict(good)
    fresh, opt2 = MLP(2, [3, 1], seed=0), SGD(MLP(2, [3, 1], seed=0).parameters(), lr=0.1)
    fresh.load_state_dict(good)
    opt2 = SGD(fresh.parameters(), lr=0.1)
    opt2.steps = opt.steps
    assert step(model, X, y, mse, opt) == train_step(fresh, X, y, mse, opt2)
    assert model.state_dict() == fresh.state_dict()


# --- numpy arrays ---------------------------------------------------------------------------------
@pytest.mark.parametrize("loss_name,batch_size", [("hinge", None), ("hinge", 7), ("mse", None),
                                                  ("cross_entropy", None), ("mse_vector", 4)])
def test_numpy_arrays_train_exactly_as_lists(loss_name, batch_size):
    np = pytest.importorskip("numpy")
    X, y01 = data.moons(20, noise=0.1, seed=5)
    nout = 1
    if loss_name == "hinge":
        y = [2 * t - 1 for t in y01]
    elif loss_name == "cross_entropy":
        y, nout = [int(t) for t in y01], 2
    elif loss_name == "mse_vector":
        y, nout = [[t, 1 - t] for t in y01], 2
    else:
        y = y01
    loss = {"mse_vector": "mse"}.get(loss_name, loss_name)

    def run(X, y):
        model = MLP(2, [5, nout], seed=9)
        h = fit(model, X, y, loss=loss, epochs=4, batch_size=batch_size, progress=False,
                optimizer=SGD(model.parameters(), lr=0.2))
        return (h.loss, h.accuracy, h.final_loss, model.state_dict(), predict(model, X),
                evaluate(model, X, y, loss))

    as_lists = run(X, y)
    dtype = np.int64 if loss_name == "cross_entropy" else np.float64
    assert run(np.array(X), np.array(y, dtype=dtype)) == as_lists
    assert run(np.array(X), y) == as_lists                  # mixed: an array and a list
    assert run([np.array(x) for x in X], list(np.array(y, dtype=dtype))) == as_lists


def test_empty_or_mismatched_arrays_are_clear_errors():
    np = pytest.importorskip("numpy")
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=r"fit: need as many targets as inputs \(> 0\), got 0"):
        fit(model, np.zeros((0, 2)), np.zeros(0), progress=False)
    with pytest.raises(ValueError, match="got 3 and 2"):
        fit(model, np.zeros((3, 2)), np.zeros(2), progress=False)
    with pytest.raises(ValueError, match="evaluate: need as many"):
        evaluate(model, np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(TypeError, match="X and y must be sequences"):
        fit(model, 3.0, 1.0, progress=False)


@pytest.mark.parametrize("l2", [-1e-4, float("nan"), float("inf"), True, "0.1"])
def test_bad_l2_is_refused_before_training(l2):
    X, y = data.xor()
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        fit(model, X, y, l2=l2, epochs=2, progress=False)
    assert model.state_dict() == before


# --- optimizer arguments ----------------------------------------------------------------------------
def _p():
    return [Value(1.0, "p0"), Value(2.0, "p1")]


@pytest.mark.parametrize("make,match", [
    (lambda: SGD(_p(), lr=0.1, momentum=1.0),
     r"SGD: momentum must be a finite number in \[0, 1\)"),
    (lambda: SGD(_p(), lr=0.1, momentum=1.5), "momentum"),
    (lambda: SGD(_p(), lr=0.1, momentum=-0.1), "momentum"),
    (lambda: SGD(_p(), lr=0.1, momentum=float("nan")), "momentum"),
    (lambda: SGD(_p(), lr=0.1, momentum=True), "momentum"),
    (lambda: Adam(_p(), eps=0.0), r"Adam: eps must be a finite number > 0"),
    (lambda: Adam(_p(), eps=-1e-8), "eps"),
    (lambda: Adam(_p(), eps=float("inf")), "eps"),
    (lambda: Adam(_p(), eps=float("nan")), "eps"),
    (lambda: Adam(_p(), eps=True), "eps"),
    (lambda: Adam(_p(), betas=(1.0, 0.999)), r"betas\[0\]"),
    (lambda: Adam(_p(), betas=(0.9, float("nan"))), r"betas\[1\]"),
    (lambda: Adam(_p(), betas=(0.9,)), "betas must be a pair"),
    (lambda: Adam(_p(), betas="ab"), "betas must be a pair"),
    (lambda: SGD(_p(), lr=float("inf")), "lr must be a finite number >= 0"),
    (lambda: SGD(_p(), lr=True), "lr must be"),
    (lambda: SGD([], lr=0.1), "SGD: no parameters"),
    (lambda: linear_schedule(1.0, -0.1, 100), r"linear_schedule: end must be .* >= 0"),
    (lambda: linear_schedule(-1.0, 0.1, 100), "linear_schedule: start"),
    (lambda: linear_schedule(1.0, 0.1, 0), "linear_schedule: steps"),
    (lambda: linear_schedule(1.0, 0.1, 2.5), "linear_schedule: steps"),
    (lambda: exponential_schedule(0.1, -0.5), "exponential_schedule: gamma"),
    (lambda: exponential_schedule(-0.1, 0.5), "exponential_schedule: start"),
])
def test_bad_optimizer_arguments_name_the_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_parameter_listed_twice_is_refused_by_name():
    model = MLP(2, [3, 1], seed=0)
    ps = model.parameters()
    for opt in (SGD, Adam):
        with pytest.raises(ValueError, match=r"parameter 'layers\.1\.neurons\.0\.b' is listed "
                                             r"twice \(positions 12 and 13\)"):
            opt(ps + [ps[-1]], lr=0.1)
    a = Value(1.0)
    with pytest.raises(ValueError, match=r"listed twice \(positions 0 and 2\)"):
        SGD([a, Value(2.0), a], lr=0.1)
    with pytest.raises(TypeError, match="got one Value"):
        SGD(a, lr=0.1)
    with pytest.raises(TypeError, match="got float at position 1"):
        SGD([a, 1.0], lr=0.1)


def test_a_schedule_that_goes_negative_is_refused_at_that_step():
    p = Value(1.0)
    opt = SGD([p], lr=lambda k: 0.2 - 0.1 * k)           # 0.2, 0.1, 0.0, then negative
    for _ in range(3):
        p.grad = 1.0
        opt.step()
    assert p.data == pytest.approx(0.7)
    p.grad = 1.0
    with pytest.raises(ValueError, match=r"SGD: learning rate -0.1\d* at step 3 is negative"):
        opt.step()
    assert p.data == pytest.approx(0.7) and opt.steps == 3          # nothing changed
    X, y = data.xor()
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="at step 2 is negative"):
        fit(model, X, y, epochs=5, progress=False,
            optimizer=Adam(model.parameters(), lr=lambda k: 0.01 * (1 - k)))
    huge = SGD([p], lr=exponential_schedule(1.0, 10.0))
    huge.steps = 400
    with pytest.raises(ValueError, match="at step 400 overflows"):
        huge.step()
