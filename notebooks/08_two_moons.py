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
# # 8. Gradient descent, and two moons
#
# **What this covers:** the gradient as the direction of steepest increase, gradient descent and
# its learning rate on a two-valley function, a network fitting a curve, and then a binary
# classifier trained end to end with the engine: karpathy's micrograd demo on two moons (loss and
# accuracy per step, the decision boundary, the time per step).
#
# **Follows:** the gradient-descent part of **the binary-table tutorial** (file
# `001_535ec0cb8a4ef9ef.txt`; notebook 07 checks the rest of it), then karpathy/micrograd's demo
# notebook (`demo.ipynb`), which puts that rule to work on a real data set.
#
# What the tutorial says about gradient descent, in short:
# 1. The **gradient vector** $\nabla C$ stacks every partial derivative of the cost,
#    $(\partial C/\partial w_1, \partial C/\partial b_1, \dots, \partial C/\partial w_k,
#    \partial C/\partial b_k)$. It points in the direction of the greatest increase of $C$, and its
#    length is the rate of that increase. It shows a picture of a gradient field (from Wikipedia)
#    whose arrows point uphill.
# 2. **Gradient descent** steps along $-\nabla C$, the steepest decrease; the size of the step is the
#    **learning rate** $\eta$; after enough steps (epochs) it "reaches the global minimum". It calls
#    the method "Stochastic Gradient Descent", an algorithm that "helps find the global minimum",
#    without saying what is stochastic (random) about it. It shows a picture of the steps going down
#    a curve (from Kaggle), and compares the method to a climber in fog "taking small steps in
#    random directions" to find the way down.
# 3. The update is $w_{\text{new}} = w - \eta\,\partial C/\partial w$ for every weight and bias (the
#    tutorial writes the new weight as $\nabla w$; notebook 07 explains why that notation is wrong).
# 4. Networks are universal function approximators; an animation shows a network's output
#    bending towards a target curve as it trains.
#
# **What we find** (asserted below): 1 and 3 are right. In 2, the step is $\eta\,|\nabla C|$, not
# $\eta$; too large an $\eta$ makes the cost go *up*; gradient descent tries no directions at all
# (one backward pass gives the best one); and it reaches *a* minimum — which one depends on where
# it starts, so not necessarily the global one. What makes gradient descent *stochastic* is the
# data, not the direction: each step uses the gradient of a random mini-batch of the training
# rows (one row, for stochastic gradient descent proper) instead of all of them. Everything here
# is full-batch, like the tutorial's own code; notebook 07 (section 9) shows mini-batch and
# stochastic descent on the tutorial's table. 4: a small network fits a curve closely.
#
# The demo: 100 two-moons points (noise 0.1), `MLP(2, [16, 16, 1])` with ReLU hidden layers and a
# linear output, the max-margin (hinge) loss with labels ±1 plus $10^{-4}\sum p^2$ (L2), 100
# full-batch steps with learning rate $1.0 - 0.9\,k/100$. Our moons come from `nn.data.moons` (the
# construction of scikit-learn's `make_moons`, seeded, without scikit-learn).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from micrograd import Value, no_grad
from nn import MLP, SGD, Adam, batch_loss, data, evaluate, fit, hinge, linear_schedule, mse

# %matplotlib inline

# %% [markdown]
# ## 1. The gradient field of a cost with two valleys
#
# The tutorial's pictures have no numbers, so we draw our own on a function of two parameters with
# two valleys, $f(x, y) = (x^2 - 1)^2 + 0.3x + \frac12 y^2$. The engine computes $\nabla f$ at each
# point of a grid; by hand, $\nabla f = (4x(x^2 - 1) + 0.3,\; y)$.

# %%
def f(x, y):
    return (x * x - 1) ** 2 + 0.3 * x + 0.5 * y * y


def grad_f(px, py):
    """(f, df/dx, df/dy) at (px, py), from the engine."""
    x, y = Value(px), Value(py)
    out = f(x, y)
    out.backward()
    return out.data, x.grad, y.grad


gx_axis = np.linspace(-1.8, 1.8, 13)
gy_axis = np.linspace(-1.5, 1.5, 11)
arrows = []
for px in gx_axis:
    for py in gy_axis:
        _, dx, dy = grad_f(float(px), float(py))
        assert np.isclose(dx, 4 * px * (px * px - 1) + 0.3, rtol=1e-12, atol=1e-12)
        assert np.isclose(dy, py, rtol=1e-12, atol=1e-15)
        norm = np.hypot(dx, dy)
        if norm > 1e-9:      # a small step along the arrow goes uphill
            assert f(px + 1e-4 * dx / norm, py + 1e-4 * dy / norm) > f(px, py)
        arrows.append((px, py, dx, dy))
print(f"{len(arrows)} arrows: each equals the hand-derived gradient and points uphill")

# %% [markdown]
# "The greatest increase": at one point, the slope of $f$ along a unit direction $d$ is
# $\nabla f \cdot d$ (a central difference measures it without the engine). Over 360 directions,
# the largest slope is along $\nabla f / |\nabla f|$, and it equals $|\nabla f|$.

# %%
p = (0.4, 0.9)
_, dx, dy = grad_f(*p)
norm = np.hypot(dx, dy)
angles = np.radians(np.arange(360))
eps = 1e-6
slopes = [(f(p[0] + eps * np.cos(a), p[1] + eps * np.sin(a))
           - f(p[0] - eps * np.cos(a), p[1] - eps * np.sin(a))) / (2 * eps) for a in angles]
best = angles[int(np.argmax(slopes))]
print(f"|grad f| = {norm:.4f}; largest slope {max(slopes):.4f} at {np.degrees(best):.0f} degrees; "
      f"the gradient's angle {np.degrees(np.arctan2(dy, dx)) % 360:.1f} degrees")
assert max(slopes) <= norm * (1 + 1e-6)
assert abs((np.degrees(best) - np.degrees(np.arctan2(dy, dx)) + 180) % 360 - 180) <= 0.5
along = (f(p[0] + eps * dx / norm, p[1] + eps * dy / norm)
         - f(p[0] - eps * dx / norm, p[1] - eps * dy / norm)) / (2 * eps)
assert np.isclose(along, norm, rtol=1e-6)

# %% [markdown]
# ## 2. Gradient descent on it
#
# $p \leftarrow p - \eta\,\nabla f(p)$, from two starting points, $\eta = 0.05$, 200 steps. The
# minima are where $\nabla f = 0$: $y = 0$ and $4x^3 - 4x + 0.3 = 0$, whose roots we get from NumPy.

# %%
def descend(start, eta, steps):
    path = [start]
    for _ in range(steps):
        _, dx, dy = grad_f(*path[-1])
        path.append((path[-1][0] - eta * dx, path[-1][1] - eta * dy))
    return np.array(path)


roots = np.sort(np.roots([4, 0, -4, 0.3]).real)      # left valley, the hump between, right valley
left_min, right_min = roots[0], roots[2]
print(f"minima at x = {left_min:.4f} (f = {f(left_min, 0):.4f}) and x = {right_min:.4f} "
      f"(f = {f(right_min, 0):.4f})")

paths = {start: descend(start, 0.05, 200) for start in [(-0.2, -1.4), (0.2, 1.4)]}
for start, path in paths.items():
    fs = [f(*q) for q in path]
    print(f"from {start}: ends at ({path[-1][0]:+.4f}, {path[-1][1]:+.4f}), f = {fs[-1]:+.4f}")
    assert all(b < a for a, b in zip(fs, fs[1:]))              # every step goes down
left_end, right_end = paths[(-0.2, -1.4)][-1], paths[(0.2, 1.4)][-1]
assert np.allclose(left_end, [left_min, 0], atol=1e-3)
assert np.allclose(right_end, [right_min, 0], atol=1e-3)
assert f(right_min, 0) > f(left_min, 0) + 0.5      # the right valley is not the global minimum

# %% [markdown]
# Both runs go down at every step; the one that starts at $x = 0.2$ settles in the right valley,
# which is a minimum but not the lowest one. Gradient descent follows the slope where it stands:
# it finds *a* minimum, and which one depends on the start.

# %%
xx, yy = np.meshgrid(np.linspace(-1.9, 1.9, 200), np.linspace(-1.6, 1.6, 200))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for ax in (ax1, ax2):
    ax.contourf(xx, yy, f(xx, yy), levels=20, cmap="Greys")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
a = np.array(arrows)
ax1.quiver(a[:, 0], a[:, 1], a[:, 2], a[:, 3], color="tab:red", angles="xy")
ax1.set_title(r"$\nabla f$: arrows point uphill (darker = higher)")
for (start, path), colour in zip(paths.items(), ["tab:blue", "tab:orange"]):
    ax2.plot(path[:, 0], path[:, 1], ".-", color=colour, ms=4, label=f"start {start}")
ax2.plot([left_min, right_min], [0, 0], "k*", ms=12, label="the two minima")
ax2.set_title(r"gradient descent, $\eta = 0.05$")
ax2.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ### The learning rate
#
# Each step moves $p$ by $\eta\,|\nabla f|$, not by $\eta$: steps are long on steep ground and short
# near a minimum. And $\eta$ cannot be as large as we like. Near a minimum $f$ is about a parabola of
# curvature $f''$, and a step multiplies the distance to the minimum by $1 - \eta f''$, so it
# shrinks only if $\eta < 2/f''$. In the left valley $f'' = 12x^2 - 4 \approx 8.9$, so
# $\eta < 0.23$. With $\eta = 0.35$ the steps overshoot and the cost goes up:

# %%
start = (-0.8, 0.5)
_, dx, dy = grad_f(*start)
first = descend(start, 0.05, 1)
assert np.isclose(np.hypot(*(first[1] - first[0])), 0.05 * np.hypot(dx, dy))
bound = 2 / (12 * left_min ** 2 - 4)
print(f"stable for eta < 2 / f'' = {bound:.3f}")
for eta in (0.05, 0.35):
    fs = [f(*q) for q in descend(start, eta, 20)]
    print(f"eta {eta}: f = " + ", ".join(f"{v:+.3f}" for v in fs[:8]) + ", ...")
    if eta < bound:
        assert all(b < a for a, b in zip(fs, fs[1:]))
    else:
        assert any(b > a for a, b in zip(fs, fs[1:]))

# %% [markdown]
# ## 3. A network approximating a curve
#
# The tutorial's animation shows a network's output bending towards a target function as it
# trains. Here: $g(x) = 0.8\sin 2x$ sampled at 40 points on $[-3, 3]$, `MLP(1, [16, 16, 1])` with
# tanh hidden layers, squared error, 1500 full-batch steps of Adam (gradient descent with a step
# size adapted to each parameter), to keep the run short. We take snapshots as the animation's
# frames, and measure the fit on 200 points, between the training points too.

# %%
X_curve = [[-3 + 6 * i / 39] for i in range(40)]
y_curve = [0.8 * np.sin(2 * x[0]) for x in X_curve]
grid = np.linspace(-3, 3, 200)
curve_model = MLP(1, [16, 16, 1], activation="tanh", seed=0)
adam = Adam(curve_model.parameters(), lr=0.01)


def outputs(model):
    with no_grad():
        return np.array([model([float(g)])[0].data for g in grid])


frames = {0: outputs(curve_model)}
done = 0
for epoch in (20, 100, 400, 1500):
    fit(curve_model, X_curve, y_curve, loss=mse, optimizer=adam, epochs=epoch - done, progress=False)
    done = epoch
    frames[epoch] = outputs(curve_model)
errors = {epoch: np.abs(out - 0.8 * np.sin(2 * grid)).max() for epoch, out in frames.items()}
print("largest error on 200 points, by step:", {k: round(float(v), 3) for k, v in errors.items()})
assert errors[1500] < 0.1 and errors[0] > 0.5

fig, axes = plt.subplots(1, len(frames), figsize=(13, 2.6), sharey=True)
for ax, (epoch, out) in zip(axes, frames.items()):
    ax.plot(grid, 0.8 * np.sin(2 * grid), color="0.6", lw=3, label="target")
    ax.plot(grid, out, color="tab:red", label="network")
    ax.set_title(f"after {epoch} steps")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Two moons: the data, the model, the loss
#
# The score $s = \text{MLP}(x)$; the hinge loss $\max(0, 1 - y\,s)$ is zero once a point is on the
# right side with margin 1. The cost is the mean over the points plus $\alpha \sum p^2$ with
# $\alpha = 10^{-4}$. The two classes are drawn with different markers as well as colours.

# %%
X, y01 = data.moons(100, noise=0.1, seed=1337)
y = [2 * t - 1 for t in y01]                  # hinge labels: -1 / +1
assert len(X) == 100 and sorted(set(y)) == [-1, 1] and sum(t == 1 for t in y) == 50
points = np.array(X)
classes = [(-1, "tab:red", "o", "class -1"), (1, "tab:blue", "^", "class +1")]


def scatter_classes(ax):
    for label, colour, marker, name in classes:
        mine = np.array(y) == label
        ax.scatter(points[mine, 0], points[mine, 1], c=colour, marker=marker, s=36,
                   edgecolors="black", linewidths=0.8, label=name, zorder=3)


fig, ax = plt.subplots(figsize=(4.5, 3.5))
scatter_classes(ax)
ax.legend(fontsize=8)
ax.set_title("100 two-moons points")
plt.show()

model = MLP(2, [16, 16, 1], seed=1337)
print(model)
print("number of parameters", len(model.parameters()))
assert len(model.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1) == 337

# %% [markdown]
# ## 5. The gradient vector of the network, and one update
#
# For this network $\nabla C$ has 337 entries, in the tutorial's order: each neuron's weights, then
# its bias. Below, the first few, then one update by the rule $p_{\text{new}} = p - \eta\,\partial
# C/\partial p$ with $\eta = 1.0$ (the L2 term is part of $C$, so its $2\alpha p$ is in each
# $\partial C/\partial p$). We do it on a copy of the model, so the training below starts from the
# same weights.

# %%
probe = MLP(2, [16, 16, 1], seed=1337)
C, _ = batch_loss(probe, X, y, hinge, l2=1e-4)
C.backward()
named = probe.named_parameters()
grad_C = np.array([p.grad for _, p in named])
for name, p in named[:3]:
    print(f"dC/d{name} = {p.grad:+.5f}")
print(f"... {len(grad_C)} entries, |grad C| = {np.linalg.norm(grad_C):.4f}")
assert len(grad_C) == 337

old = np.array([p.data for _, p in named])
SGD(probe.parameters(), lr=1.0).step()
new = np.array([p.data for _, p in named])
assert np.array_equal(new, old - 1.0 * grad_C)          # exactly the rule, for all 337

# %% [markdown]
# "Small steps in random directions" is not what gradient descent does: it never tries a direction.
# To see why the gradient's direction is worth computing, take a step of the same length (0.05) in
# the direction of $-\nabla C$ and in 20 random directions of the 337-dimensional space: random
# directions are nearly at right angles to the gradient, so they barely change the cost.

# %%
def cost_at(vector):
    for p, v in zip(probe.parameters(), vector):
        p.data = float(v)
    with no_grad():
        return batch_loss(probe, X, y, hinge, l2=1e-4)[0].data


step = 0.05
base = cost_at(old)
downhill = cost_at(old - step * grad_C / np.linalg.norm(grad_C))
rng = np.random.default_rng(0)
random_costs = []
for _ in range(20):
    d = rng.normal(size=old.size)
    random_costs.append(cost_at(old + step * d / np.linalg.norm(d)))
print(f"C = {base:.4f}; one step along -grad C: {downhill:.4f}; "
      f"20 random directions: {min(random_costs):.4f} .. {max(random_costs):.4f}")
assert downhill < base - 0.05
assert downhill < min(random_costs) - 0.05

# %% [markdown]
# ## 6. Training: 100 steps
#
# `fit` runs the loop: forward over the batch, `zero_grad`, `backward`, `step`. Its history holds
# the loss and accuracy of each step's forward pass (before the update, as karpathy prints them) and
# the seconds per step.

# %%
optimizer = SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, 100))
start = time.perf_counter()
history = fit(model, X, y, loss=hinge, optimizer=optimizer, epochs=100, l2=1e-4, progress=False)
total = time.perf_counter() - start

assert np.isclose(history.loss[0], base, rtol=1e-12)     # the same start as the probe
for k in list(range(0, 100, 10)) + [99]:
    print(f"step {k:3d}  lr {history.lr[k]:.3f}  loss {history.loss[k]:.4f}  "
          f"accuracy {history.accuracy[k]:.0%}")

# %% [markdown]
# The final model, evaluated after the last update (plain hinge loss, without the L2 term):

# %%
final_loss, final_accuracy = evaluate(model, X, y, loss=hinge)
print(f"final: hinge loss {final_loss:.4f}, accuracy {final_accuracy:.0%}")
per_step = sum(history.seconds) / len(history.seconds)
print(f"time per step: {per_step * 1000:.1f} ms (100 points, 337 parameters); "
      f"100 steps in {total:.2f} s on this machine")

# %%
assert history.lr[0] == 1.0 and abs(history.lr[99] - (1.0 - 0.9 * 99 / 100)) < 1e-12
assert history.loss[-1] < history.loss[0] / 10
assert final_accuracy >= 0.97
assert history.accuracy[0] < final_accuracy

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
ax1.plot(history.loss)
ax1.set_yscale("log")
ax1.set_xlabel("step")
ax1.set_title("loss (hinge + L2)")
ax2.plot([100 * a for a in history.accuracy])
ax2.set_xlabel("step")
ax2.set_title("accuracy, %")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 7. The decision boundary
#
# The sign of the score on a grid, under `no_grad()` (no graph is built for inference). The two
# regions are pale, the points dark with black edges and a marker per class, and the boundary
# itself is a black line, so every point stays visible on either side.

# %%
h = 0.05
xs = np.arange(-2.0, 2.5 + h / 2, h)
ys = np.arange(-1.5, 2.0 + h / 2, h)
with no_grad():
    scores = np.array([[model([float(gx), float(gy)])[0].data for gx in xs] for gy in ys])

fig, ax = plt.subplots(figsize=(5.5, 4.5))
ax.contourf(xs, ys, np.sign(scores), levels=[-2, 0, 2], cmap=ListedColormap(["#f8d0cc", "#cfe0f3"]))
ax.contour(xs, ys, scores, levels=[0], colors="black", linewidths=1.5)
scatter_classes(ax)
ax.legend(fontsize=8, loc="upper right")
ax.set_xlim(xs[0], xs[-1])
ax.set_ylim(ys[0], ys[-1])
ax.set_title(f"MLP(2, [16, 16, 1]), 100 steps: {final_accuracy:.0%} of the points right")
fig.tight_layout()
plt.show()

# every training point's own sign agrees with the boundary drawn from the same model
with no_grad():
    right = sum((model(p)[0].data > 0) == (t > 0) for p, t in zip(X, y))
assert right == round(final_accuracy * len(X))
