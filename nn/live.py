"""The training page: `fit` records frames while it trains and writes one self-contained page.

    history = fit(model, X, y, loss=hinge, epochs=100, html="out/training.html")
    rec = TrainingRecorder(max_frames=30); fit(..., html=rec); rec.page()   # in Jupyter: shown

The page (one file, no network; `micrograd.page.Page`) shows the network as neurons and
weights (colour = sign, width = size of the value or of the gradient; hover for both), the loss
and accuracy curves, and for 2-D inputs the decision boundary with the data, with play, pause,
step and a frame slider. In a Jupyter kernel the same page is shown during `fit` and updated
in place (an IPython display handle; no widgets).

What a frame is, stated once. Frame for epoch e (e = 1, 2, ...):
  weights     the parameters epoch e started from (the ones its first forward pass used);
  gradients   d loss/d p of epoch e's first step, at those weights (full batch: its only step);
  boundary    the class the model gives each cell of a grid, with those weights;
  loss, accuracy  history.loss[e - 1] and history.accuracy[e - 1], exactly (repr); with full
              batch they are the loss and accuracy of the weights shown.
The last frame is the final model: fit's returned weights, history.final_loss and
history.final_accuracy, and no gradient (no step was taken from them). Epochs are sampled: the
first and the last always, and every k-th between, so the page holds at most `max_frames`
frames (0.4 MB for the moons demo). Weights and gradients are drawn, so they are kept to
4 significant digits; the loss and accuracy are kept exactly.

Classes (the boundary, the colours of the points) follow the loss: `classifier(loss)`, the
rule decision_boundary.png of `python -m nn train` uses too. For nn's own MLP, Layer and
Neuron the grid is evaluated on plain floats (the same operations in the same order as the
Values, so the same numbers as `predict`, about 20x faster); other models run their own
`__call__` under no_grad on a coarser grid.
"""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Callable, Sequence

from micrograd import Value, no_grad, ops
from micrograd.arguments import check_number
from micrograd.page import Page

from . import losses as L
from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .module import Module

Classify = Callable[[list[float]], int]


# --- which class an output means: the loss table's rule ------------------------------------
def _spec(loss: Callable | str) -> L.Loss:
    # a loss of your own is read as mse reads its outputs (> 1/2, or the largest)
    return L.lookup(loss) or L.mse


def classifier(loss: Callable | str) -> Classify:
    """The rule that turns a model's outputs (floats) into a class, for a loss (or its name).

    hinge and BCE from logits: output > 0; BCE and squared error: output > 1/2 (the largest
    output when there are several); cross-entropy: the largest logit. Other losses: as mse.
    """
    return _spec(loss).classify


def target_class(loss: Callable | str, target) -> int:
    """The class a training target stands for (-1/+1 or 0/1 labels, a class index, one-hot)."""
    return _spec(loss).target_class(target)


# --- the model's outputs on many points -----------------------------------------------------
def _activation_rule(name: str) -> Callable[[float], float] | None | bool:
    """The op table's forward rule for an activation; None for linear; False if there is none."""
    if name == "linear":
        return None
    op = ops.OPS.get(name)
    if op is None or getattr(Value, op.method, None) is not ACTIVATIONS.get(name):
        return False
    return op.forward


def _float_layers(model: Module) -> list | None:
    """[(activation rule, [(bias, weights), ...]), ...] for nn's own MLP, Layer or Neuron; None
    for anything else (a subclass may compute something else in its __call__)."""
    if type(model) is MLP:
        layers = model.layers
    elif type(model) is Layer:
        layers = [model]
    elif type(model) is Neuron:
        layers = [None]
    else:
        return None
    out = []
    for layer in layers:
        neurons = [model] if layer is None else layer.neurons
        if layer is not None and (type(layer) is not Layer
                                  or any(type(n) is not Neuron for n in neurons)):
            return None
        rule = _activation_rule(neurons[0].activation)
        if rule is False or any(n.activation != neurons[0].activation for n in neurons):
            return None
        out.append((rule, [(n.b.data, [w.data for w in n.w]) for n in neurons]))
    return out


def model_outputs(model: Module, points: Sequence[Sequence[float]]) -> list[list[float]]:
    """The model's outputs (floats) at each point, without building a graph; as `predict`."""
    layers = _float_layers(model)
    if layers is None:
        # any other model: its own forward pass under no_grad
        with no_grad():
            outs = [model(list(p)) for p in points]
        return [[o.data] if isinstance(o, Value) else [v.data for v in o] for o in outs]
    # column by column: every neuron over all points at once, b + w0*x0 + w1*x1 + ... left to
    # right (the Values' order, so the same floats), then the activation's forward rule
    columns = [[float(p[j]) for p in points] for j in range(len(points[0]))] if points else []
    for rule, neurons in layers:
        new = []
        for b, ws in neurons:
            act = [b] * len(points)
            for w, column in zip(ws, columns):
                act = [a + w * x for a, x in zip(act, column)]
            new.append(act if rule is None else list(map(rule, act)))
        columns = new
    return [list(row) for row in zip(*columns)]


def boundary_grid(X: Sequence[Sequence[float]], n: int) -> tuple[list[float], list[float]]:
    """n x- and n y-coordinates spanning 2-D points X with a margin of 1/4 of their extent."""
    xs = [float(p[0]) for p in X]
    ys = [float(p[1]) for p in X]
    pad = 0.25 * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    gx = [min(xs) - pad + (max(xs) - min(xs) + 2 * pad) * i / (n - 1) for i in range(n)]
    gy = [min(ys) - pad + (max(ys) - min(ys) + 2 * pad) * j / (n - 1) for j in range(n)]
    return gx, gy


def decision_classes(model: Module, gx: Sequence[float], gy: Sequence[float],
                     loss: Callable | str) -> list[list[int]]:
    """The class at each grid point, one row per y: classes[j][i] is at (gx[i], gy[j])."""
    rule = classifier(loss)
    cls = [rule(o) for o in model_outputs(model, [[a, b] for b in gy for a in gx])]
    return [cls[j * len(gx):(j + 1) * len(gx)] for j in range(len(gy))]


# --- the recorder -------------------------------------------------------------------------------
def _drawn(x: float) -> float:
    """A number kept for drawing: 4 significant digits."""
    return float(f"{x:.4g}")


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"     # a class per character in the boundary
MAX_EDGES = 5000                                    # larger networks are listed, not drawn


def _notebook_display():
    """IPython's `display` when running in a Jupyter kernel, else None (IPython not imported)."""
    if "IPython" not in sys.modules:        # a kernel has imported it long before fit runs
        return None
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:     # a terminal IPython
        return None
    from IPython.display import display
    return display


def _check_path(path, where: str) -> str:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: html must be a file path (str or os.PathLike) or a "
                        f"TrainingRecorder, got {path!r:.60}")
    path = os.fspath(path)
    if isinstance(path, bytes) or not path:
        raise ValueError(f"{where}: html must be a file path such as 'out/training.html', "
                         f"got {path!r:.60}")
    if os.path.isdir(path):
        raise ValueError(f"{where}: html path {path!r} is a folder; give a file name such as "
                         f"{os.path.join(path, 'training.html')!r}")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise ValueError(f"{where}: cannot write html to {path!r}: folder {folder!r} does not "
                         f"exist")
    return path


def _check_live(live, where: str) -> bool | None:
    if live is not None and not isinstance(live, bool):
        raise TypeError(f"{where}: live must be True, False or None, got {live!r:.60}")
    return live


def _check_count(n, what: str, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < least:
        raise ValueError(f"TrainingRecorder: {what} must be an integer >= {least}, got {n!r}")
    return n


class TrainingRecorder:
    """Frames of a training run, recorded by `fit`, and the page that shows them.

    path          where fit writes the page when it finishes (None: keep it; `save` later)
    max_frames    at most this many frames, the final one included (>= 3)
    every         record every k-th epoch (the first and last always); default: the smallest
                  k that keeps within max_frames
    grid          cells per side of the decision-boundary grid (2-D inputs); default 32 for
                  nn's MLP/Layer/Neuron, 16 for other models (their Values are slower)
    live          in a Jupyter kernel, show the page during fit and update it in place
                  (None: yes when in a kernel); outside a kernel, nothing is shown
    live_interval seconds between live updates, at least (the last frame always shows)

    After fit: `frames` (dicts, as the page embeds them), `page()`, `save(path)`, `seconds`
    (the time recording took, a part of fit's). Passed to another fit, it starts over.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, max_frames: int = 60,
                 every: int | None = None, grid: int | None = None, live: bool | None = None,
                 live_interval: float = 0.5):
        self.path = None if path is None else _check_path(path, "TrainingRecorder")
        self.max_frames = _check_count(max_frames, "max_frames", 3)
        self.every = None if every is None else _check_count(every, "every", 1)
        self.grid = None if grid is None else _check_count(grid, "grid", 2)
        self.live = _check_live(live, "TrainingRecorder")
        self.live_interval = check_number(live_interval, "live_interval", "TrainingRecorder")
        self.frames: list[dict] = []
        self.seconds = 0.0                  # time spent recording (a part of fit's time)
        self._info: dict = {}
        self._started = False

    # --- called by fit --------------------------------------------------------------------
    def start(self, model: Module, X: Sequence, y: Sequence, loss: Callable, epochs: int,
              l2: float = 0.0, batch_size: int | None = None) -> None:
        """Before the first epoch: what is trained, and which epochs become frames."""
        t0 = time.perf_counter()
        self.model, self.loss, self.epochs = model, loss, int(epochs)
        self.params = model.parameters()
        self.names = list(model.state_dict())
        self.frames, self.seconds, self._pending = [], 0.0, None
        self.history = None
        self.sampled = self._sample(self.epochs)
        self.batches = (1 if not batch_size or batch_size >= len(X)
                        else math.ceil(len(X) / batch_size))
        self.n = len(X)
        objective = f"{getattr(loss, '__name__', 'custom')} loss" + (f" + {l2:g} L2" if l2 else "")
        self._info = {"title": f"Training {model!r}", "objective": objective,
                      "network": _network(model), "boundary": None}
        self._gx = self._gy = None
        if len(X) and len(X[0]) == 2:
            n = self.grid or (32 if _float_layers(model) is not None else 16)
            self._gx, self._gy = boundary_grid(X, n)
            classes = [target_class(loss, t) for t in y]
            self._info["boundary"] = {
                "n": n, "x": [_drawn(self._gx[0]), _drawn(self._gx[-1])],
                "y": [_drawn(self._gy[0]), _drawn(self._gy[-1])],
                "points": [[_drawn(float(p[0])), _drawn(float(p[1])), c]
                           for p, c in zip(X, classes)]}
        self._display = None
        self._handle = None
        self._shown_at = -math.inf
        if self.live is not False:
            self._display = _notebook_display()
        self._started = True
        self.seconds += time.perf_counter() - t0

    def epoch_start(self, epoch: int) -> None:
        """Before epoch's first step: the weights it starts from (and their boundary)."""
        if epoch not in self.sampled:
            return
        t0 = time.perf_counter()
        self._pending = {"epoch": epoch, "w": [_drawn(p.data) for p in self.params],
                         "classes": self._classes()}
        self.seconds += time.perf_counter() - t0

    def first_step(self, epoch: int) -> None:
        """After epoch's first step: its gradient, at the weights epoch_start kept."""
        if self._pending is not None and self._pending["epoch"] == epoch:
            self._pending["g"] = [_drawn(p.grad) for p in self.params]

    def epoch_end(self, epoch: int, history) -> None:
        """After the epoch: its loss and accuracy as history holds them; a live update."""
        frame, self._pending = self._pending, None
        if frame is None or frame["epoch"] != epoch:
            return
        t0 = time.perf_counter()
        self.history = history
        accuracy = history.accuracy[epoch - 1]
        frame.update(loss=repr(history.loss[epoch - 1]), accuracy=repr(accuracy),
                     right=round(accuracy * self.n))
        self.frames.append(frame)
        self._show(last=False)
        self.seconds += time.perf_counter() - t0

    def finish(self, history) -> None:
        """After training: the final frame; the page written to path and shown live."""
        t0 = time.perf_counter()
        self.history = history
        self.frames.append({
            "epoch": None, "w": [_drawn(p.data) for p in self.params], "g": None,
            "classes": self._classes(), "loss": repr(history.final_loss),
            "accuracy": repr(history.final_accuracy),
            "right": round(history.final_accuracy * self.n)})
        if self.path is not None:
            self.save(self.path)
        self._show(last=True)
        self.seconds += time.perf_counter() - t0

    # --- the page --------------------------------------------------------------------------
    def page(self, start: str = "first") -> Page:
        """The page of the frames recorded so far; start at the "first" or the "last" frame."""
        if not self._started:
            raise RuntimeError("TrainingRecorder: nothing recorded yet; pass it to fit(..., "
                               "html=recorder) first")
        h = self.history
        losses = list(h.loss) if h is not None else []
        step = max(1, math.ceil(len(losses) / 1000))        # the curves: at most ~1000 points
        shown = sorted(set(range(0, len(losses), step)) | ({len(losses) - 1} if losses else set()))
        data = dict(self._info)
        data.update(
            subtitle=f"{data['objective']}, {self.epochs} epochs x {self.batches} step(s), "
                     f"{self.n} samples",
            n=self.n, batches=self.batches, epochs=self.epochs, names=self.names,
            frames=list(self.frames),
            start=0 if start == "first" else max(0, len(self.frames) - 1),
            curves={"epoch": [i + 1 for i in shown],
                    "loss": [_drawn(losses[i]) for i in shown],
                    "accuracy": [_drawn(h.accuracy[i]) for i in shown]})
        return Page(data["title"], BODY, SCRIPT, data, style=STYLE, height=760)

    def save(self, path: str | os.PathLike) -> str:
        """Write the page (starting at the first frame) to path atomically; returns the path."""
        return self.page().save(path)

    def _repr_html_(self) -> str:
        return self.page(start="last")._repr_html_()

    # --- helpers ---------------------------------------------------------------------------
    def _sample(self, epochs: int) -> set[int]:
        """Epoch numbers to record: 1, 1 + k, 1 + 2k, ... and the last."""
        most = self.max_frames - 1                  # one frame is the final model
        def count(k: int) -> int:
            return len(range(1, epochs + 1, k)) + ((epochs - 1) % k != 0)
        if self.every is not None:
            if count(self.every) > most:
                raise ValueError(f"TrainingRecorder: every={self.every} gives "
                                 f"{count(self.every) + 1} frames for {epochs} epochs, more "
                                 f"than max_frames={self.max_frames}; raise one of them")
            k = self.every
        else:
            k = max(1, math.ceil(epochs / most))
            while count(k) > most:
                k += 1
        return set(range(1, epochs + 1, k)) | {epochs}

    def _classes(self) -> str | None:
        if self._gx is None:
            return None
        rows = decision_classes(self.model, self._gx, self._gy, self.loss)
        flat = [c for row in rows for c in row]
        if any(not 0 <= c < len(DIGITS) for c in flat):
            return None
        return "".join(DIGITS[c] for c in flat)

    def _show(self, last: bool) -> None:
        """In a kernel: display the page the first time, then update it in place."""
        if self._display is None:
            return
        now = time.perf_counter()
        if not last and now - self._shown_at < self.live_interval:
            return
        self._shown_at = now
        page = self.page(start="last")
        if self._handle is None:
            self._handle = self._display(page, display_id=True)
        else:
            self._handle.update(page)


def recorder_for(html, live: bool | None, where: str = "fit") -> TrainingRecorder | None:
    """fit's html and live arguments as a recorder (None: nothing to record)."""
    live = _check_live(live, where)
    if isinstance(html, TrainingRecorder):
        if live is not None:
            html.live = live
        return html
    if html is None:
        return TrainingRecorder(live=True) if live else None
    return TrainingRecorder(_check_path(html, where), live=live)


def _network(model: Module) -> dict | None:
    """Where to draw each neuron and weight: columns of circles, one line per weight."""
    if isinstance(model, MLP):
        layers = model.layers
    elif isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, Neuron):
        layers = [None]
    else:
        return None
    sizes = [model.nin] + [1 if layer is None else len(layer.neurons) for layer in layers]
    if sum(a * b for a, b in zip(sizes, sizes[1:])) > MAX_EDGES:
        return None
    index = {id(p): i for i, p in enumerate(model.parameters())}
    width, pad = 520, 40
    dy = min(26.0, 500.0 / max(max(sizes) - 1, 1))
    height = int(2 * pad + dy * (max(sizes) - 1)) + 20
    names = (["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"])
    columns, nodes, first = [], [], []
    for c, size in enumerate(sizes):
        x = pad + (width - 2 * pad) * c / (len(sizes) - 1)
        columns.append([round(x, 1), names[c]])
        first.append(len(nodes))
        for i in range(size):
            y = height / 2 + (i - (size - 1) / 2) * dy + 10
            if c == 0:
                nodes.append([round(x, 1), round(y, 1), -1, f"x{i}"])
            else:
                neuron = model if layers[c - 1] is None else layers[c - 1].neurons[i]
                label = f"{'out' if c == len(sizes) - 1 else f'h{c}'}[{i}]"
                nodes.append([round(x, 1), round(y, 1), index[id(neuron.b)], label])
    edges = []
    for c, layer in enumerate(layers):
        neurons = [model] if layer is None else layer.neurons
        for j, neuron in enumerate(neurons):
            for k, w in enumerate(neuron.w):
                edges.append([index[id(w)], first[c] + k, first[c + 1] + j])
    return {"width": width, "height": height, "radius": round(min(9.0, dy * 0.38), 1),
            "columns": columns, "nodes": nodes, "edges": edges}


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 20px; color: #222; }
h1 { font-size: 18px; margin: 0 0 2px; } h2 { font-size: 14px; margin: 0 0 6px; color: #444; }
.sub { color: #555; margin: 0 0 10px; }
.controls { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
.controls input[type=range] { width: 340px; }
button { font: inherit; padding: 3px 10px; }
.metrics { margin: 4px 0 12px; } .metrics b { font-weight: 600; margin-left: 10px; }
.metrics .num { font-family: ui-monospace, monospace; }
.measured { color: #666; font-size: 12px; }
.panels, .column { display: flex; gap: 14px 18px; align-items: flex-start; }
.panels { flex-wrap: wrap; } .column { flex-direction: column; }
section { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
.legend { color: #666; font-size: 12px; margin: 4px 0 0; max-width: 460px; }
#tooltip { position: fixed; pointer-events: none; background: #fffff4; border: 1px solid #999;
  padding: 4px 7px; font: 12px/1.35 ui-monospace, monospace; white-space: pre; z-index: 2; }
.hit { stroke: transparent; stroke-width: 7; }
svg text { font: 11px system-ui, sans-serif; fill: #555; }
canvas { border: 1px solid #ccc; }
"""

BODY = """
<h1 id="title"></h1>
<p class="sub" id="subtitle"></p>
<div class="controls">
  <button type="button" id="play" data-testid="play">&#9654; play</button>
  <button type="button" id="pause" data-testid="pause">&#10074;&#10074; pause</button>
  <button type="button" id="step" data-testid="step">step &#9656;</button>
  <input type="range" id="slider" data-testid="frame-slider" min="0" max="0" value="0"
         aria-label="frame">
  <span id="frame-index" data-testid="frame-index"></span>
</div>
<div class="metrics">
  <b>loss</b> <span class="num" id="metric-loss" data-testid="metric-loss"></span>
  <b>accuracy</b> <span class="num" id="metric-accuracy" data-testid="metric-accuracy"></span>
  <span id="right"></span>
  <div class="measured" id="measured"></div>
</div>
<div class="panels">
  <section id="network-panel"><h2>Network</h2>
    <label>colour and width by <select id="colour-by" data-testid="colour-by">
      <option value="value">value</option><option value="grad">gradient</option></select></label>
    <div id="network-box"></div>
    <p class="legend" id="network-legend"></p></section>
  <div class="column">
    <section id="boundary-panel"><h2>Decision boundary</h2>
      <div id="boundary-box"></div><p class="legend" id="boundary-legend"></p></section>
    <section id="curves-panel"><h2>Loss and accuracy per epoch</h2>
      <div id="curves-box"></div><p class="legend" id="curves-legend"></p></section>
  </div>
</div>
<div id="tooltip" data-testid="tooltip" role="tooltip" hidden></div>
"""

SCRIPT = r"""
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const frames = data.frames, N = frames.length;
  const NS = "http://www.w3.org/2000/svg";
  const POS = "#c0392b", NEG = "#2471a3";                     // weights: red > 0, blue < 0
  const REGION = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9d9d9"];
  const POINT = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#7f7f7f"];
  const $ = (id) => document.getElementById(id);
  function svg(tag, attrs, parent) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  const num = (x) => (x === null || x === undefined) ? "none" : String(x);
  let current = -1, timer = null, hovered = null, colourBy = "value";

  $("title").textContent = data.title;
  $("subtitle").textContent = data.subtitle;
  const slider = $("slider");
  slider.max = String(N - 1);

  // --- the network: built once, restyled per frame ------------------------------------------
  const net = data.network, edgeEls = [], nodeEls = [];
  let scaleValue = 1e-12, scaleGrad = 1e-12;
  for (const f of frames) {
    for (const v of f.w) scaleValue = Math.max(scaleValue, Math.abs(v));
    if (f.g) for (const v of f.g) scaleGrad = Math.max(scaleGrad, Math.abs(v));
  }
  if (net) {
    const root = svg("svg", {width: net.width, height: net.height, id: "network",
                             viewBox: `0 0 ${net.width} ${net.height}`}, $("network-box"));
    for (const [x, name] of net.columns) {
      const t = svg("text", {x: x, y: 12, "text-anchor": "middle"}, root);
      t.textContent = name;
    }
    const lines = svg("g", {}, root), hits = svg("g", {}, root), circles = svg("g", {}, root);
    for (const [p, a, b] of net.edges) {
      const [x1, y1] = net.nodes[a], [x2, y2] = net.nodes[b];
      const line = svg("line", {x1, y1, x2, y2}, lines);
      const hit = svg("line", {x1, y1, x2, y2, class: "hit", "data-param": data.names[p]}, hits);
      const what = `${net.nodes[a][3]} \u2192 ${net.nodes[b][3]}`;
      hit.addEventListener("mousemove", (e) => hover(e, p, what));
      hit.addEventListener("mouseleave", unhover);
      edgeEls.push([p, line]);
    }
    for (const [x, y, p, label] of net.nodes) {
      const c = svg("circle", {cx: x, cy: y, r: net.radius, stroke: "#333", "stroke-width": 1,
                               fill: "#eee"}, circles);
      if (p >= 0) {
        c.setAttribute("data-param", data.names[p]);
        c.addEventListener("mousemove", (e) => hover(e, p, `${label}'s bias`));
        c.addEventListener("mouseleave", unhover);
        nodeEls.push([p, c]);
      } else {
        c.addEventListener("mousemove", (e) => hover(e, -1, `input ${label}`));
        c.addEventListener("mouseleave", unhover);
      }
    }
    $("network-legend").textContent = "Lines are weights, circles neurons (their fill is the " +
      "bias). Red: positive, blue: negative; width and strength: size, on one scale for all " +
      "frames. Hover for a parameter's value and gradient.";
  } else {
    $("network-legend").textContent = "This model is not an nn MLP, Layer or Neuron (or has " +
      "too many weights to draw): hover is not available.";
  }
  function styleOf(v, scale) {
    const m = Math.min(1, Math.abs(v) / scale);
    return [v >= 0 ? POS : NEG, (0.4 + 3.6 * m).toFixed(2), (0.2 + 0.8 * m).toFixed(2)];
  }
  function drawNetwork(f) {
    const values = colourBy === "grad" && f.g ? f.g : f.w;
    const scale = values === f.w ? scaleValue : scaleGrad;
    for (const [p, line] of edgeEls) {
      const [colour, width, alpha] = styleOf(values[p], scale);
      line.setAttribute("stroke", colour);
      line.setAttribute("stroke-width", width);
      line.setAttribute("stroke-opacity", alpha);
    }
    for (const [p, c] of nodeEls) {
      const [colour, , alpha] = styleOf(values[p], scale);
      c.setAttribute("fill", colour);
      c.setAttribute("fill-opacity", alpha);
    }
  }

  // --- the tooltip -----------------------------------------------------------------------
  const tip = $("tooltip");
  function tipText() {
    if (!hovered) return "";
    const f = frames[current];
    if (hovered.p < 0) return hovered.what;
    const grad = f.g ? num(f.g[hovered.p]) : "none (the final weights: no step taken from them)";
    return `${data.names[hovered.p]}  (${hovered.what})\nvalue     ${num(f.w[hovered.p])}\n` +
           `gradient  ${grad}`;
  }
  function hover(e, p, what) {
    hovered = {p, what};
    tip.textContent = tipText();
    tip.hidden = false;
    tip.style.left = (e.clientX + 14) + "px";
    tip.style.top = (e.clientY + 14) + "px";
  }
  function unhover() { hovered = null; tip.hidden = true; }

  // --- the decision boundary -------------------------------------------------------------
  const bd = data.boundary;
  const REGION_RGB = REGION.map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));
  let ctx = null, cells = null;
  const SIZE = 340;
  if (bd) {
    const canvas = document.createElement("canvas");
    canvas.width = SIZE; canvas.height = SIZE; canvas.id = "boundary";
    $("boundary-box").appendChild(canvas);
    ctx = canvas.getContext("2d");
    const small = document.createElement("canvas");
    small.width = bd.n; small.height = bd.n;
    cells = small.getContext("2d");
    $("boundary-legend").textContent = `The class the model gives each cell of a ${bd.n} x ` +
      `${bd.n} grid (shaded) and the ${bd.points.length} training points (their own class).`;
  } else {
    $("boundary-legend").textContent = "Shown for 2-D inputs only.";
  }
  function drawBoundary(f) {
    if (!ctx) return;
    const n = bd.n, hx = (bd.x[1] - bd.x[0]) / (n - 1), hy = (bd.y[1] - bd.y[0]) / (n - 1);
    const x0 = bd.x[0] - hx / 2, x1 = bd.x[1] + hx / 2;
    const y0 = bd.y[0] - hy / 2, y1 = bd.y[1] + hy / 2;
    const px = (x) => (x - x0) / (x1 - x0) * SIZE, py = (y) => (y1 - y) / (y1 - y0) * SIZE;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, SIZE, SIZE);
    if (f.classes) {
      // one pixel per cell (row 0 at the top: the largest y), scaled up smoothly
      const image = cells.createImageData(n, n);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const rgb = REGION_RGB[parseInt(f.classes[j * n + i], 36) % REGION_RGB.length];
          const o = 4 * ((n - 1 - j) * n + i);
          image.data[o] = rgb[0]; image.data[o + 1] = rgb[1]; image.data[o + 2] = rgb[2];
          image.data[o + 3] = 255;
        }
      }
      cells.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(cells.canvas, 0, 0, n, n, 0, 0, SIZE, SIZE);
    }
    for (const [x, y, c] of bd.points) {
      ctx.beginPath();
      ctx.arc(px(x), py(y), 4, 0, 2 * Math.PI);
      ctx.fillStyle = POINT[c % POINT.length];
      ctx.fill();
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 0.8;
      ctx.stroke();
    }
  }

  // --- the curves ----------------------------------------------------------------------------
  const cv = data.curves, W = 460, H = 250, L = 54, R = 46, T = 12, B = 32;
  const curves = svg("svg", {width: W, height: H, id: "curves"}, $("curves-box"));
  const E = Math.max(data.epochs, 2);
  const positive = cv.loss.length > 0 && cv.loss.every((v) => v > 0);
  const ly = positive ? (v) => Math.log10(v) : (v) => v;
  const lossLo = cv.loss.length ? Math.min(...cv.loss.map(ly)) : 0;
  let lossHi = cv.loss.length ? Math.max(...cv.loss.map(ly)) : 1;
  if (lossHi - lossLo < 1e-12) lossHi = lossLo + 1;
  const X = (e) => L + (e - 1) / (E - 1) * (W - L - R);
  const YL = (v) => T + (lossHi - ly(v)) / (lossHi - lossLo) * (H - T - B);
  const YA = (a) => T + (1 - a) * (H - T - B);
  svg("rect", {x: L, y: T, width: W - L - R, height: H - T - B, fill: "none", stroke: "#bbb"},
      curves);
  function label(x, y, text, anchor, colour) {
    const t = svg("text", {x, y, "text-anchor": anchor}, curves);
    if (colour) t.setAttribute("style", `fill: ${colour}`);
    t.textContent = text;
  }
  const fmt = (v) => positive ? Number(Math.pow(10, v).toPrecision(2)).toString()
                              : Number(v.toPrecision(2)).toString();
  label(L - 4, T + 10, fmt(lossHi), "end", "#1f77b4");
  label(L - 4, H - B, fmt(lossLo), "end", "#1f77b4");
  label(W - R + 4, T + 10, "100%", "start", "#ff7f0e");
  label(W - R + 4, H - B, "0%", "start", "#ff7f0e");
  label(L, H - B + 16, "1", "middle");
  label(W - R, H - B + 16, String(data.epochs), "middle");
  label((L + W - R) / 2, H - 4, "epoch", "middle");
  const pts = (ys, f) =>
    cv.epoch.map((e, i) => `${X(e).toFixed(1)},${f(ys[i]).toFixed(1)}`).join(" ");
  svg("polyline", {points: pts(cv.loss, YL), fill: "none", stroke: "#1f77b4", "stroke-width": 1.5},
      curves);
  svg("polyline", {points: pts(cv.accuracy, YA), fill: "none", stroke: "#ff7f0e",
                   "stroke-width": 1.5}, curves);
  const marker = svg("line", {y1: T, y2: H - B, stroke: "#555", "stroke-dasharray": "3 3"}, curves);
  const dotLoss = svg("circle", {r: 4, fill: "#1f77b4"}, curves);
  const dotAcc = svg("circle", {r: 4, fill: "#ff7f0e"}, curves);
  $("curves-legend").textContent = `Blue: loss (${data.objective}${positive ? ", log scale" : ""}` +
    `); orange: accuracy. The dashed line is the frame shown.`;
  function drawCurves(f) {
    const e = f.epoch === null ? data.epochs : f.epoch;
    const x = X(e).toFixed(1);
    marker.setAttribute("x1", x); marker.setAttribute("x2", x);
    const loss = Number(f.loss), acc = Number(f.accuracy);
    const visible = !positive || loss > 0;
    dotLoss.setAttribute("cx", x);
    dotLoss.setAttribute("cy", visible ? YL(loss).toFixed(1) : -10);
    dotAcc.setAttribute("cx", x);
    dotAcc.setAttribute("cy", YA(acc).toFixed(1));
  }

  // --- one frame -------------------------------------------------------------------------
  function show(i) {
    i = Math.max(0, Math.min(N - 1, i | 0));
    current = i;
    const f = frames[i];
    slider.value = String(i);
    $("frame-index").textContent = `frame ${i + 1} / ${N} \u00b7 ` +
      (f.epoch === null ? `final weights (after epoch ${data.epochs})` : `epoch ${f.epoch}`);
    $("metric-loss").textContent = f.loss;
    $("metric-accuracy").textContent = f.accuracy;
    $("right").textContent = `(${f.right} / ${data.n} right)`;
    const k = f.epoch === null ? null : f.epoch - 1;
    $("measured").textContent = f.epoch === null
      ? "history.final_loss and history.final_accuracy: the final weights, after the last " +
        "update (what fit returns). Gradient: none, no step was taken from them."
      : `history.loss[${k}] and history.accuracy[${k}]: ` + (data.batches === 1
        ? `epoch ${f.epoch}'s forward pass with the weights shown, before its update. ` +
          "Gradient: that pass's, at these weights."
        : `the mean over epoch ${f.epoch}'s ${data.batches} batches, each before its own ` +
          "update. Weights shown: the epoch's start; gradient: its first batch's.");
    drawNetwork(f);
    drawBoundary(f);
    drawCurves(f);
    if (hovered) tip.textContent = tipText();
  }
  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
  }
  function play() {
    pause();
    if (current >= N - 1) show(0);
    timer = setInterval(() => { if (current >= N - 1) pause(); else show(current + 1); },
                        Math.max(60, Math.min(250, 6000 / N)));
  }
  $("play").addEventListener("click", play);
  $("pause").addEventListener("click", pause);
  $("step").addEventListener("click", () => { pause(); show(current + 1); });
  slider.addEventListener("input", () => { pause(); show(Number(slider.value)); });
  slider.addEventListener("change", () => show(Number(slider.value)));
  $("colour-by").addEventListener("change", (e) => {
    colourBy = e.target.value; drawNetwork(frames[current]);
  });
  show(data.start || 0);
  document.body.setAttribute("data-ready", "true");
})();
"""
