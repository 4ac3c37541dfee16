# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10. Seeing backward live
#
# **What this covers:** the two pages this library draws for you. `to_html(root)` is the graph of
# one computation with buttons that step its backward pass node by node: each value node shows its
# gradient so far, the edge in use shows *local derivative × upstream gradient = contribution*,
# and clicking a node shows its chain rule. `fit(..., live=True)` shows a page under the cell that
# updates in place while the network trains: the weights, the loss and accuracy curves and the
# decision boundary. Both are computed in Python and only displayed by the page, so here we also
# check, number by number, that what the pages hold is what the engine computes.
#
# **Follows:** "Step 4: Backward Pass" of the *back-propagation algorithm notes*
# (`000_8495f74e1b111f69.txt`, one of the texts this project checks; it is not in this
# repository). In our words: first compute the gradient of the loss with respect to the output
# layer's input (its weighted sum), then pass it back through each layer with the chain rule until
# every weight and bias has its gradient, then update them. (The notes add that this first gradient
# "measures how much a small change in the output of the network affects the loss": that is
# $\partial\text{Loss}/\partial\,\text{output}$, a different number — the two differ by the output
# activation's slope, shown at the end of the first section.)
# Here we watch that happen on karpathy's tanh neuron, as in notebook 5, then in the two-moons
# training of notebook 8.

# %%
import json
import math
import re

from micrograd import Value, backward_steps, explain, to_html
from nn import MLP, SGD, data, fit, hinge, linear_schedule


def page_data(page) -> dict:
    """The numbers a page embeds (it displays these, it computes none)."""
    found = re.search(r'<script id="page-data" type="application/json">(.*?)</script>',
                      page.html(), re.S)
    return json.loads(found.group(1))


# %% [markdown]
# ## A neuron, step by step
#
# $o = \tanh(x_1 w_1 + x_2 w_2 + b)$ with karpathy's numbers: the bias makes
# $n = x_1w_1 + x_2w_2 + b = 0.8814$, so $o = 1/\sqrt2$ and $do/dn = 1 - o^2 = 1/2$. Below is the
# page: press *next ›* (or the right arrow key) to walk backward from `o`, and click a node for its
# chain rule.

# %%
def neuron():
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n, o=o)


o, v = neuron()
page = to_html(o, title="o = tanh(x1*w1 + x2*w2 + b)")
assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-12)
page

# %% [markdown]
# What the page steps through is exactly `backward_steps(o)`: step $k$ is the node whose gradient
# is final at that point, and what it sends to each operand. The page embeds one record per step
# (the node's gradient, and each operand's running sum after it sent); here we replay those records
# in Python and compare them, as strings, with the engine's own walk.

# %%
steps = page_data(page)["steps"]
walk = list(backward_steps(neuron()[0]))
first = walk[0]                                 # o sends do/dn = 1 - o^2 to n, the neuron's input
assert first.contributions[0].child.label == "n"
assert math.isclose(first.contributions[0].amount, 1 - (1 / math.sqrt(2)) ** 2, rel_tol=1e-12)
assert len(steps) == len(walk) == page.steps == 10
for record, step in zip(steps, walk):
    assert record["grad"] == repr(step.grad)
    for sent, contribution in zip(record["sends"], step.contributions):
        assert math.isclose(float(sent["amount"]), contribution.amount, rel_tol=1e-4)
    print(step)

# %% [markdown]
# The first step is `o` sending $\partial o/\partial n = 1 - o^2 = 0.5$ to `n`. The walk starts at
# `o` itself, with no loss after it, so every number here is a derivative of $o$: this is
# $\partial o/\partial n$, not the notes' $\partial\text{Loss}/\partial n$ (which needs a loss;
# see below). `n`'s step sends that 0.5 unchanged through the two `+` nodes (local derivative 1);
# the `*` nodes multiply it by the other operand:
# $\partial o/\partial w_1 = 0.5 \cdot x_1 = 1$ and $\partial o/\partial x_1 = 0.5 \cdot w_1 = -1.5$.
# Clicking `w1` on the page shows this, `explain`'s text:

# %%
print(explain(o, v["w1"]))
assert str(explain(o, v["w1"])) in page_data(page)["explanations"]   # what the click shows
o.backward()
assert math.isclose(v["w1"].grad, 1.0, rel_tol=1e-12)     # 0.5 * x1
assert math.isclose(v["x1"].grad, -1.5, rel_tol=1e-12)    # 0.5 * w1
assert math.isclose(v["n"].grad, 0.5, rel_tol=1e-12)

# %% [markdown]
# **With a loss on top**, $\text{Loss} = \frac12(o - t)^2$ with target $t = 1$, the walk starts one
# node higher. The notes' first gradient, with respect to the output layer's input, is then
# $\partial\text{Loss}/\partial n = (o - t)(1 - o^2)$; the change "in the output of the network"
# they describe it by is $\partial\text{Loss}/\partial o = o - t$, twice as large here:

# %%
o, v = neuron()
t = 1.0
loss = 0.5 * (o - t) ** 2
loss.backward()
print(f"dLoss/do = {o.grad:+.6f} (o - t), dLoss/dn = {v['n'].grad:+.6f} ((o - t)(1 - o^2))")
assert math.isclose(o.grad, o.data - t, rel_tol=1e-12)
assert math.isclose(v["n"].grad, (o.data - t) * (1 - o.data ** 2), rel_tol=1e-12)
assert math.isclose(v["n"].grad / o.grad, 0.5, rel_tol=1e-12)           # 1 - o^2 = 1/2

# %% [markdown]
# ## Training the two-moons network, watched live
#
# karpathy's demo: `MLP(2, [16, 16, 1])`, hinge loss with $10^{-4}$ L2, full-batch SGD with the
# learning rate falling from 1.0 to 0.1. With `live=True`, `fit` shows the training page under
# this cell and updates it in place every few epochs (in a browser you would see the boundary
# bend round the two moons as it trains; this notebook keeps the last state). `max_frames=20`
# keeps the stored page small.

# %%
from nn import TrainingRecorder

X, y = data.moons(100, noise=0.1, seed=1337)
y = [2 * t - 1 for t in y]
model = MLP(2, [16, 16, 1], seed=1337)
recorder = TrainingRecorder(max_frames=20)
history = fit(model, X, y, loss=hinge, l2=1e-4, epochs=100, progress=False, html=recorder,
              live=True, optimizer=SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, 100)))
print(f"last epoch: loss {history.loss[-1]:.6f}, accuracy {history.accuracy[-1]:.0%}")
print(f"final:      loss {history.final_loss:.6f}, accuracy {history.final_accuracy:.0%}")
assert history.accuracy[-1] == 1.0 and history.final_accuracy == 1.0

# %% [markdown]
# 100% is not a lucky seed: the same run from three other seeds (other data, other starting
# weights) ends at 100% too.

# %%
for seed in (1, 2, 3):
    Xs, ys = data.moons(100, noise=0.1, seed=seed)
    ys = [2 * t - 1 for t in ys]
    other = MLP(2, [16, 16, 1], seed=seed)
    run = fit(other, Xs, ys, loss=hinge, l2=1e-4, epochs=100, progress=False,
              optimizer=SGD(other.parameters(), lr=linear_schedule(1.0, 0.1, 100)))
    print(f"seed {seed}: accuracy {run.final_accuracy:.0%}")
    assert run.final_accuracy == 1.0

# %% [markdown]
# Each frame of the page is an epoch: the weights it started from and `history.loss[e]`,
# `history.accuracy[e]` exactly (the page shows the repr of each number); the last frame is the
# trained model. The first and last epochs are always there:

# %%
frames = recorder.frames
assert 3 <= len(frames) <= 20
for frame in frames[:-1]:
    e = frame["epoch"]
    assert frame["loss"] == repr(history.loss[e - 1]), e
    assert frame["accuracy"] == repr(history.accuracy[e - 1]), e
assert frames[0]["epoch"] == 1 and frames[-2]["epoch"] == 100
assert frames[-1]["loss"] == repr(history.final_loss)
print([f["epoch"] for f in frames[:-1]], "+ the final model")
