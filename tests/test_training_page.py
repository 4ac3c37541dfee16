"""The training page (nn.live), without a browser: what fit records, what the page embeds, the
float fast path against predict, bad arguments, and the live view in Jupyter (a fake display
handle, and a real kernel through nbclient)."""
import json
import os
import re

import pytest

from micrograd import Value
from nn import (MLP, SGD, Layer, Neuron, TrainingRecorder, batch_loss, cross_entropy, data, fit,
                hinge, linear_schedule, mse, predict, train_step)
from nn import live
from nn.losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_mean
from nn.module import Module
from nn.train import TrainingDiverged

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def page_data(path) -> dict:
    """The JSON a page embeds (micrograd.page writes it into <script id="page-data">)."""
    text = open(path, encoding="utf-8").read()
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def drawn(x: float) -> float:
    return float(f"{x:.4g}")


def moons_demo(html, epochs=100):
    """karpathy's demo, as `python -m nn train` runs it."""
    X, y = data.moons(100, noise=0.1, seed=1337)
    y = [2 * t - 1 for t in y]
    model = MLP(2, [16, 16, 1], seed=1337)
    history = fit(model, X, y, loss=hinge, l2=1e-4, epochs=epochs, progress=False, html=html,
                  optimizer=SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, epochs)))
    return model, history


@pytest.fixture(scope="module")
def moons(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "training.html"
    model, history = moons_demo(str(path))
    return path, model, history


# --- the moons demo page ------------------------------------------------------------------------
def test_moons_page_frames_hold_the_history_exactly(moons):
    path, model, history = moons
    d = page_data(path)
    frames = d["frames"]
    epochs = [f["epoch"] for f in frames]
    assert epochs[0] == 1 and epochs[-2] == 100 and epochs[-1] is None     # first, last, final
    assert len(frames) <= 60 and epochs[:-1] == sorted(set(epochs[:-1]))
    for f in frames[:-1]:
        e = f["epoch"]
        assert f["loss"] == repr(history.loss[e - 1]) and float(f["loss"]) == history.loss[e - 1]
        assert f["accuracy"] == repr(history.accuracy[e - 1])
        assert f["right"] == round(history.accuracy[e - 1] * 100)
    final = frames[-1]
    assert final["loss"] == repr(history.final_loss)
    assert final["accuracy"] == repr(history.final_accuracy)
    assert final["g"] is None
    # the final frame's weights are the model's, by their dotted names
    assert d["names"] == list(model.state_dict())
    assert final["w"] == [drawn(p.data) for p in model.parameters()]
    assert d["n"] == 100 and d["epochs"] == 100 and d["batches"] == 1
    assert d["curves"]["epoch"] == list(range(1, 101))
    assert d["curves"]["loss"] == [drawn(v) for v in history.loss]


def test_moons_page_is_small_self_contained_and_has_the_test_ids(moons):
    path, _, _ = moons
    size = os.path.getsize(path)
    assert size < 2_000_000, size
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text.replace("http://www.w3.org/2000/svg", ""))
    assert not re.search(r"(src|href)\s*=", text)           # nothing loaded, not even locally
    assert "default-src 'none'" in text
    for testid in ("frame-slider", "frame-index", "metric-loss", "metric-accuracy", "play",
                   "pause", "step", "tooltip"):
        assert f'data-testid="{testid}"' in text
    assert re.search(r'<input type="range"[^>]*data-testid="frame-slider"', text)
    assert ".innerHTML" not in text                     # data reaches the page as textContent


def test_moons_page_boundary_uses_the_cli_rule_on_its_grid(moons):
    path, model, _ = moons
    d = page_data(path)
    b = d["boundary"]
    assert b["n"] == 32 and len(b["points"]) == 100
    X, y01 = data.moons(100, noise=0.1, seed=1337)
    assert [p[2] for p in b["points"]] == [int(t) for t in y01]     # -1/+1 labels -> 0/1
    gx, gy = live.boundary_grid(X, 32)
    outs = predict(model, [[a, c] for c in gy for a in gx])
    # decision_boundary.png's rule for hinge: class 1 where the score is > 0
    assert d["frames"][-1]["classes"] == "".join(str(int(o[0] > 0.0)) for o in outs)
    assert all(len(f["classes"]) == 32 * 32 for f in d["frames"])


def test_a_frame_holds_the_weights_its_epoch_started_from_and_their_gradient():
    X, y = data.xor()
    start = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    snapshots = []

    def watching_step(model, Xb, yb, loss, optimizer, l2, correct):
        snapshots.append(([p.data for p in model.parameters()], None))
        result = train_step(model, Xb, yb, loss, optimizer, l2, correct)
        snapshots[-1] = (snapshots[-1][0], [p.grad for p in model.parameters()])
        return result

    rec = TrainingRecorder(every=1, max_frames=20)
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    history = fit(model, X, y, loss=mse, epochs=12, progress=False, step=watching_step,
                  optimizer=SGD(model.parameters(), lr=0.5), html=rec)
    assert [f["epoch"] for f in rec.frames] == list(range(1, 13)) + [None]
    for f, (weights, grads) in zip(rec.frames, snapshots):
        assert f["w"] == [drawn(w) for w in weights]
        assert f["g"] == [drawn(g) for g in grads]
    assert rec.frames[0]["w"] == [drawn(p.data) for p in start.parameters()]
    # with full batch, frame e's loss is the loss of the weights it shows
    again = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    for (name, p), w in zip(again.named_parameters(), snapshots[4][0]):
        p.data = w
    total, _ = batch_loss(again, X, y, mse)
    assert total.data == history.loss[4] and rec.frames[4]["loss"] == repr(total.data)


def test_mini_batches_record_the_first_batch_gradient_and_the_epoch_means(tmp_path):
    X, y = data.moons(30, noise=0.1, seed=2)
    y = [2 * t - 1 for t in y]
    model = MLP(2, [4, 1], seed=2)
    path = tmp_path / "mb.html"
    history = fit(model, X, y, loss=hinge, epochs=7, batch_size=8, progress=False, html=path)
    d = page_data(path)
    assert d["batches"] == 4
    assert [f["loss"] for f in d["frames"][:-1]] == [repr(v) for v in history.loss]
    assert "each before its own" in path.read_text()


@pytest.mark.parametrize("epochs,max_frames", [(1, 3), (2, 3), (3, 3), (58, 60), (59, 60),
                                               (60, 60), (100, 60), (101, 60), (10000, 60),
                                               (997, 7)])
def test_sampling_keeps_first_and_last_within_max_frames(epochs, max_frames):
    rec = TrainingRecorder(max_frames=max_frames)
    sampled = sorted(rec._sample(epochs))
    assert sampled[0] == 1 and sampled[-1] == epochs
    assert len(sampled) + 1 <= max_frames               # + the final model
    steps = {b - a for a, b in zip(sampled, sampled[1:-1])}
    assert len(steps) <= 1                              # evenly spaced up to the last
    if epochs + 1 <= max_frames:
        assert sampled == list(range(1, epochs + 1))


def test_every_and_its_limit():
    assert sorted(TrainingRecorder(every=10)._sample(100)) == list(range(1, 100, 10)) + [100]
    with pytest.raises(ValueError, match="every=1 gives 101 frames for 100 epochs"):
        TrainingRecorder(every=1)._sample(100)


# --- the float fast path is predict, number for number ------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_float_outputs_equal_predict_exactly(activation):
    import random
    rng = random.Random(activation)
    points = [[rng.uniform(-3, 3) for _ in range(3)] for _ in range(200)] + [[0.0, 0.0, 0.0]]
    models = [MLP(3, [5, 4, 2], activation=activation, output_activation="sigmoid", seed=1),
              MLP(3, [2], activation=activation, output_activation=activation, seed=2),
              Layer(3, 4, activation=activation, seed=3), Neuron(3, activation=activation, seed=4)]
    for model in models:
        for p in model.parameters()[::3]:
            p.data = rng.choice([0.0, -0.0, rng.uniform(-2, 2)])    # zeros: relu at its kink
        assert live._float_layers(model) is not None
        assert live.model_outputs(model, points) == predict(model, points)


def test_other_models_run_their_own_forward_pass():
    import micrograd.nn as karpathy
    import random
    random.seed(5)
    model = karpathy.MLP(2, [4, 1])                 # a subclass: its own __call__
    assert live._float_layers(model) is None
    points = [[0.5, -1.0], [2.0, 0.25]]
    assert live.model_outputs(model, points) == predict(model, points)


@pytest.mark.parametrize("loss,outs,classes", [
    (hinge, [[0.2], [-0.1], [0.0]], [1, 0, 0]),
    (binary_cross_entropy_with_logits, [[0.2], [-0.1], [0.0]], [1, 0, 0]),
    (binary_cross_entropy, [[0.6], [0.4], [0.5]], [1, 0, 0]),
    (mse, [[0.6], [0.4], [0.5]], [1, 0, 0]),
    (mse_mean, [[0.1, 0.9], [0.7, 0.2]], [1, 0]),
    (cross_entropy, [[0.1, 0.9], [0.7, 0.2], [0.5, 0.5]], [1, 0, 0]),
    ("cross_entropy", [[0.0, 1.0, 3.0]], [2]),
])
def test_classification_rule_per_loss(loss, outs, classes):
    rule = live.classifier(loss)
    assert [rule(o) for o in outs] == classes


def test_the_cli_png_and_the_page_share_the_grid_and_rule():
    # the rule the CLI used for decision_boundary.png before it moved to nn.live
    X, _ = data.moons(40, noise=0.2, seed=7)
    for loss, nout, old in [
            (hinge, 1, lambda o: float(o[0] > 0.0)),
            (mse, 1, lambda o: float(o[0] > 0.5)),
            (binary_cross_entropy_with_logits, 1, lambda o: float(o[0] > 0.0)),
            (cross_entropy, 2, lambda o: float(o[1] > o[0]))]:
        model = MLP(2, [6, nout], seed=7, output_activation="sigmoid" if loss is mse else "linear")
        gx, gy = live.boundary_grid(X, 20)
        grid = live.decision_classes(model, gx, gy, loss)
        outs = predict(model, [[a, b] for b in gy for a in gx])
        assert [c for row in grid for c in row] == [old(o) for o in outs]


# --- arguments ---------------------------------------------------------------------------------
@pytest.mark.parametrize("html,error,match", [
    (123, TypeError, "fit: html must be a file path .* or a TrainingRecorder, got 123"),
    (True, TypeError, "fit: html must be a file path"),
    (["a.html"], TypeError, "fit: html must be a file path"),
    ("", ValueError, "fit: html must be a file path such as 'out/training.html'"),
    ("{tmp}", ValueError, "is a folder; give a file name such as"),
    ("{tmp}/missing/t.html", ValueError, "folder '.*missing' does not exist"),
])
def test_a_bad_html_argument_is_a_clear_error_before_training(html, error, match, tmp_path):
    if isinstance(html, str):
        html = html.format(tmp=tmp_path)
    X, y = data.xor()
    model = MLP(2, [2, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(error, match=match):
        fit(model, X, y, epochs=2, progress=False, html=html)
    assert model.state_dict() == before


@pytest.mark.parametrize("kwargs,match", [
    ({"max_frames": 2}, "max_frames must be an integer >= 3"),
    ({"every": 0}, "every must be an integer >= 1"),
    ({"grid": 1}, "grid must be an integer >= 2"),
    ({"live": "yes"}, "live must be True, False or None"),
    ({"live": 1}, "live must be True, False or None"),
    ({"live_interval": -1}, "live_interval"),
])
def test_bad_recorder_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        TrainingRecorder(**kwargs)


def test_live_must_be_a_bool_and_a_page_needs_a_run():
    X, y = data.xor()
    with pytest.raises(TypeError, match="fit: live must be True, False or None"):
        fit(MLP(2, [2, 1], seed=1), X, y, epochs=1, progress=False, live="on")
    with pytest.raises(RuntimeError, match="nothing recorded yet"):
        TrainingRecorder().page()


def test_a_diverging_run_writes_no_page(tmp_path):
    X, y = data.moons(20, noise=0.1, seed=1)
    model = MLP(2, [4, 1], seed=1)
    with pytest.raises(TrainingDiverged):
        fit(model, X, [2 * t - 1 for t in y], loss=hinge, epochs=5, progress=False,
            optimizer=SGD(model.parameters(), lr=1e308), html=tmp_path / "t.html")
    assert list(tmp_path.iterdir()) == []


def test_without_html_nothing_is_recorded(monkeypatch):
    def fail(*a, **k):
        raise AssertionError("recorded without html")
    monkeypatch.setattr(live.TrainingRecorder, "start", fail)
    X, y = data.xor()
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=3, progress=False)
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=3, progress=False, live=False)


class OddModel(Module):
    """A model nn cannot draw (one weight per input, summed), with a hostile name."""

    def __init__(self, name: str):
        self.name = name
        self.w = [Value(0.1 * i) for i in range(5)]

    def _named_parameters(self):
        for i, w in enumerate(self.w):
            yield f"w.{i}", w

    def __call__(self, x):
        return [sum((w * xi for w, xi in zip(self.w, x)), Value(0.0))]

    def __repr__(self):
        return self.name


def test_inputs_that_are_not_2d_have_no_boundary_and_any_module_records(tmp_path):
    X, y = data.table()

    path = tmp_path / "odd.html"
    history = fit(OddModel("Odd</script><b>x</b>"), X, y, epochs=4, progress=False, html=path)
    d = page_data(path)
    assert d["boundary"] is None and d["network"] is None
    assert [f["loss"] for f in d["frames"][:-1]] == [repr(v) for v in history.loss]
    text = path.read_text()
    assert "<b>x</b>" not in text and "</script><b>" not in text


def test_numpy_arrays_work(tmp_path):
    np = pytest.importorskip("numpy")
    X, y = data.moons(30, noise=0.1, seed=4)
    path = tmp_path / "np.html"
    fit(MLP(2, [4, 1], seed=4), np.array(X), np.array([2 * t - 1 for t in y]), loss=hinge,
        epochs=3, progress=False, html=path)
    assert len(page_data(path)["boundary"]["points"]) == 30


# --- live in Jupyter ---------------------------------------------------------------------------
class FakeHandle:
    def __init__(self, log):
        self.log = log

    def update(self, obj):
        self.log.append(("update", obj))


def fake_display(log):
    def display(obj, display_id=False):
        log.append(("display", obj, display_id))
        return FakeHandle(log)
    return display


def test_live_shows_the_page_once_then_updates_it_in_place(monkeypatch):
    log = []
    monkeypatch.setattr(live, "_notebook_display", lambda: fake_display(log))
    X, y = data.xor()
    rec = TrainingRecorder(every=2, live_interval=0.0)
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=10, progress=False, html=rec)
    # frames for epochs 1, 3, 5, 7, 9, 10 and the final model: one display, then updates
    assert [entry[0] for entry in log] == ["display"] + ["update"] * 6
    assert log[0][2] is True                              # display_id=True: a handle to update
    last = log[-1][1]
    assert "data-testid=\"frame-slider\"" in last.html() and "<iframe srcdoc=" in last._repr_html_()
    assert len(last.data["frames"]) == 7 and last.data["start"] == 6     # the final frame shown
    assert len(log[0][1].data["frames"]) == 1


def test_live_updates_are_throttled_but_the_end_always_shows(monkeypatch):
    log = []
    monkeypatch.setattr(live, "_notebook_display", lambda: fake_display(log))
    X, y = data.xor()
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=30, progress=False,
        html=TrainingRecorder(live_interval=3600.0))
    assert [entry[0] for entry in log] == ["display", "update"]
    assert log[-1][1].data["frames"][-1]["epoch"] is None


def test_live_true_without_html_and_live_false(monkeypatch, tmp_path):
    log = []
    monkeypatch.setattr(live, "_notebook_display", lambda: fake_display(log))
    X, y = data.xor()
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=3, progress=False, live=True)
    assert log and log[0][0] == "display"
    log.clear()
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=3, progress=False, html=tmp_path / "a.html",
        live=False)
    assert log == [] and (tmp_path / "a.html").exists()


def test_outside_a_kernel_live_does_nothing():
    assert live._notebook_display() is None
    X, y = data.xor()
    rec = TrainingRecorder(live=True)
    fit(MLP(2, [2, 1], seed=1), X, y, epochs=3, progress=False, html=rec)
    assert rec._handle is None and len(rec.frames) == 4


NOTEBOOK_CELL = """
import sys
sys.path.insert(0, {root!r})
from nn import MLP, SGD, TrainingRecorder, data, fit, mse
X, y = data.xor()
model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
rec = TrainingRecorder(live_interval=0.0, max_frames=6)
history = fit(model, X, y, loss=mse, epochs=40, progress=False, html=rec,
              optimizer=SGD(model.parameters(), lr=0.5))
"""


def test_live_in_a_real_kernel_updates_one_display_in_place():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    seen = []

    class Client(nbclient.NotebookClient):
        def process_message(self, msg, cell, cell_index):
            seen.append(msg)
            return super().process_message(msg, cell, cell_index)

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(NOTEBOOK_CELL.format(root=ROOT)))
    Client(nb, timeout=120, kernel_name="python3").execute()
    types = [m["msg_type"] for m in seen]
    assert types.count("display_data") == 1, types
    # frames for epochs 1, 11, 21, 31, 40 and the final model
    assert types.count("update_display_data") == 5, types
    shown = [m for m in seen if m["msg_type"] in ("display_data", "update_display_data")]
    ids = {m["content"]["transient"]["display_id"] for m in shown}
    assert len(ids) == 1                                    # one view, updated in place
    assert "frame-slider" in shown[-1]["content"]["data"]["text/html"]
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["display_data"]
    assert outputs[0]["data"]["text/html"] == shown[-1]["content"]["data"]["text/html"]
