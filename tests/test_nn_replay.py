"""Replay for mini-batches (nn.train.ReplayStep): inputs and targets are replay inputs, so one
recording serves every batch of a size, for every loss the table marks replayable, with
exactly (==) the numbers building the graph anew gives; bad data gives train_step's errors;
training steps run with the cyclic garbage collector paused and leave it as they found it."""
import gc
import math

import pytest

from nn import MLP, SGD, data, fit, losses, train_step
from nn.train import ReplayStep

REPLAYABLE = [name for name, spec in losses.LOSSES.items() if spec.replayable]


def _problem(name, n=23, seed=0):
    """(X, targets, model) for a loss: 3 inputs, targets as the loss wants them."""
    import random
    rng = random.Random(seed)
    X = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(n)]
    spec = losses.LOSSES[name]
    if spec.multiclass:
        y = [rng.randrange(4) for _ in X]
        return X, y, MLP(3, [5, 4], activation="tanh", seed=seed)
    if name.startswith("mse"):
        y = [[rng.random(), rng.random()] for _ in X]          # two outputs, vector targets
        return X, y, MLP(3, [5, 2], activation="tanh", output_activation="sigmoid", seed=seed)
    y = [spec.labels(rng.randrange(2)) for _ in X]
    return X, y, MLP(3, [5, 1], activation="relu", seed=seed)


def _run(name, step, batch_size=5, epochs=6, l2=1e-3, lr=0.3):
    X, y, model = _problem(name)
    h = fit(model, X, y, loss=name, epochs=epochs, batch_size=batch_size, l2=l2, seed=3,
            progress=False, optimizer=SGD(model.parameters(), lr=lr), step=step)
    return h.loss, h.accuracy, h.final_loss, [p.data for p in model.parameters()]


@pytest.mark.parametrize("name", REPLAYABLE)
@pytest.mark.parametrize("batch_size", [5, 1, None])
def test_minibatch_replay_is_identical_to_building_anew(name, batch_size):
    replay = ReplayStep(compiled=False)
    replayed = _run(name, replay, batch_size)
    built = _run(name, train_step, batch_size)
    assert replayed == built
    # one recording per batch size: 23 samples in 5s are four of 5 and one of 3
    sizes = {len(key[3]) for key in replay.graphs}
    assert sizes == ({5, 3} if batch_size == 5 else {1} if batch_size == 1 else {23})


def test_fit_replays_minibatches_by_default_with_the_same_numbers():
    # graphs this narrow are not worth compiling: the float replay, so == holds
    for name in ("cross_entropy", "hinge"):
        assert _run(name, None) == _run(name, train_step)


def _close(a, b, rel=1e-12):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b))
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


@pytest.mark.parametrize("name", REPLAYABLE)
def test_compiled_minibatch_replay_matches_building_anew_to_1e_12(name):
    pytest.importorskip("numpy")
    replay = ReplayStep(compiled=True)
    compiled = _run(name, replay, batch_size=5, epochs=8)
    assert all(entry.tape.compiled for entry in replay.graphs.values())
    assert _close(compiled, _run(name, train_step, batch_size=5, epochs=8))


def test_cross_entropy_replay_recomputes_the_max_shift_per_batch():
    # logits whose largest entry moves between samples and grows huge: the shift m is a node
    # of the graph, so replay recomputes it; a recorded constant would overflow exp(z - m)
    model = MLP(2, [3], activation="linear", seed=1)
    opt = SGD(model.parameters(), lr=0.0)
    for layer in model.layers:
        for i, neuron in enumerate(layer.neurons):
            neuron.w[0].data, neuron.w[1].data, neuron.b.data = [(300.0, 0.0, 0.0),
                                                                 (0.0, 300.0, 0.0),
                                                                 (-300.0, -300.0, 1.0)][i]
    batches = [([[1.0, 0.0], [0.0, 1.0]], [0, 1]), ([[0.0, 1.0], [-2.0, -2.0]], [2, 0]),
               ([[2.5, -1.0], [-1.0, 2.5]], [1, 2])]
    replay = ReplayStep(compiled=False)
    for Xb, yb in batches:
        got = replay(model, Xb, yb, losses.cross_entropy, opt)
        expect = train_step(model, Xb, yb, losses.cross_entropy, opt)
        assert got == expect and math.isfinite(got.loss)
    assert len(replay.graphs) == 1


def test_bce_with_logits_replays_across_the_sign_of_z():
    # the old softplus branched on z >= 0; the table's is one graph for both signs
    model = MLP(1, [1], activation="linear", seed=0)
    model.layers[0].neurons[0].w[0].data = 1.0
    model.layers[0].neurons[0].b.data = 0.0
    opt = SGD(model.parameters(), lr=0.0)
    replay = ReplayStep(compiled=False)
    for z, t in [(2.0, 1.0), (-3.0, 0.0), (0.0, 1.0), (-700.0, 1.0), (750.0, 0.0)]:
        got = replay(model, [[z]], [t], "bce", opt)
        grad_replayed = [p.grad for p in model.parameters()]
        expect = train_step(model, [[z]], [t], "bce", opt)
        assert got == expect
        assert grad_replayed == [p.grad for p in model.parameters()]
    sig0 = model.layers[0].neurons[0].b.grad     # last: z = 750, t = 0: dL/dz = 1
    assert sig0 == 1.0


@pytest.mark.parametrize("bad,match", [
    ([1.0, 0.0, 1.0], "hinge: target must be -1 or \\+1, got 0.0"),
    ([1.0, float("nan"), 1.0], "hinge: target must be a finite number"),
    ([1.0, "a", 1.0], "hinge: target must be a finite number"),
    ([1.0, [1.0, -1.0], 1.0], "hinge: target must be a finite number"),
])
@pytest.mark.parametrize("compiled", [False, True], ids=["floats", "compiled"])
def test_a_bad_target_in_a_later_batch_is_train_steps_error(bad, match, compiled):
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    replay = ReplayStep(compiled=compiled)
    X = [[0.1, 0.2], [0.3, -0.1], [1.0, 1.0]]
    replay(model, X, [1.0, -1.0, 1.0], losses.hinge, opt)           # recorded
    before = model.state_dict()
    with pytest.raises(ValueError, match=match):
        replay(model, X, bad, losses.hinge, opt)
    with pytest.raises(ValueError, match=match):
        train_step(model, X, bad, losses.hinge, opt)
    assert model.state_dict() == before                             # nothing updated


@pytest.mark.parametrize("target,match", [(4, "class index must be an integer in 0..3"),
                                          (1.5, "class index must be an integer"),
                                          ([0.5, 0.6, 0.0, 0.0], "sum to 1"),
                                          ([1.0, 0.0], "4 outputs but 2 targets")])
@pytest.mark.parametrize("compiled", [False, True], ids=["floats", "compiled"])
def test_cross_entropy_replay_checks_every_target(target, match, compiled):
    model = MLP(2, [4], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    replay = ReplayStep(compiled=compiled)
    replay(model, [[0.1, 0.2], [0.3, 0.4]], [0, 3], losses.cross_entropy, opt)
    with pytest.raises(ValueError, match=f"cross_entropy: .*{match}"):
        replay(model, [[0.1, 0.2], [0.3, 0.4]], [1, target], losses.cross_entropy, opt)


@pytest.mark.parametrize("compiled", [False, True], ids=["floats", "compiled"])
def test_rows_of_another_width_are_train_steps_error(compiled):
    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    replay = ReplayStep(compiled=compiled)
    replay(model, [[0.1, 0.2], [0.3, 0.4]], [1.0, -1.0], losses.hinge, opt)
    for rows in ([[0.1, 0.2], [0.3]], [[0.1, 0.2, 0.5], [0.3, 0.4, 0.0]]):
        with pytest.raises(ValueError, match="expected 2 inputs"):
            replay(model, rows, [1.0, -1.0], losses.hinge, opt)


def test_replay_step_refuses_a_loss_whose_graph_depends_on_the_data():
    model = MLP(2, [1], output_activation="sigmoid", seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    for loss in (losses.binary_cross_entropy, lambda out, t: losses.mse(out, t)):
        with pytest.raises(ValueError, match="cannot be replayed; use train_step"):
            ReplayStep()(model, [[0.1, 0.2]], [1.0], loss, opt)


# --- the garbage collector ----------------------------------------------------------------------
@pytest.mark.parametrize("step", [train_step, ReplayStep(compiled=False), ReplayStep(compiled=True)],
                         ids=["train_step", "ReplayStep", "compiled"])
@pytest.mark.parametrize("enabled", [True, False])
def test_steps_run_without_collector_passes_and_restore_its_state(step, enabled):
    X, y = data.moons(60, noise=0.1, seed=0)
    y = [2 * t - 1 for t in y]
    model = MLP(2, [16, 16, 1], seed=0)         # ~30,000 nodes per step
    opt = SGD(model.parameters(), lr=0.1)
    passes = []
    callback = lambda phase, info: passes.append(phase)         # noqa: E731
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    step(model, X, y, losses.hinge, opt, 1e-4)      # ReplayStep records here: a kept graph,
    gc.collect()                                    # which the collector sees once, here
    gc.callbacks.append(callback)
    try:
        for _ in range(4):
            step(model, X, y, losses.hinge, opt, 1e-4)
            assert gc.isenabled() is enabled
        assert passes == []
    finally:
        gc.callbacks.remove(callback)
        (gc.enable if was else gc.disable)()
