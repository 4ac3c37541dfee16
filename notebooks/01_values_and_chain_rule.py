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
# # 1. Values and the chain rule
#
# **What this covers:** building an expression out of `Value`s, looking at its graph, running
# `backward()`, and checking the result against a derivative worked out by hand. Then the one rule
# that makes backpropagation work on real networks: when a value is used twice, its gradient is the
# **sum** of what each use sends back.
#
# **Follows:** the "Chain rule" section of the *back-propagation algorithm notes*
# (`000_8495f74e1b111f69.txt`), called *the notes* below; you do not need them open. The notes
# state the chain rule for a composite function $y = f(g(x))$ with $u = g(x)$:
# $\frac{dy}{dx} = \frac{df}{du}\cdot\frac{du}{dx}$ — the derivative of the outer function with
# respect to its variable times the derivative of the inner function. Then they work one example:
#
# $$y = f(u) = u^2,\quad u = g(x) = 3x - 1:\qquad \frac{df}{du} = 2u,\quad \frac{du}{dx} = 3,\quad
#   \frac{dy}{dx} = 2u \cdot 3 = 2(3x - 1)\cdot 3 = 6(3x - 1) = 18x - 6.$$
#
# Every number this notebook states is checked by an `assert` in the cell that prints it, so the
# notebook is also a test: if the engine ever gives a different answer, running it fails.

# %%
import math

from micrograd import Value, gradcheck
from micrograd.graph import draw_dot

# %% [markdown]
# ## Building the expression
#
# Each arithmetic operation on a `Value` makes a new `Value` that remembers its operands
# (`children`), the op that made it (`op`) and — computed right away, during the forward pass — the
# derivative of itself with respect to each operand (`local_grads`). Labels are only for display.

# %%
x = Value(2.0, label="x")
t = 3 * x;  t.label = "3x"
u = t - 1;  u.label = "u"
y = u ** 2; y.label = "y"

for node in (t, u, y):
    print(f"{node.label:>3} = {node.data:<4}  op {node.op!r:6} local grads {node.local_grads}")

# u = 3*2 - 1 = 5 and y = 25; the local derivatives are the factors of the chain rule:
# d(3x)/dx = 3, du/d(3x) = 1, dy/du = 2u = 10
assert u.data == 5.0 and y.data == 25.0
assert t.local_grads[1] == 3.0          # t = 3 * x: the constant 3 is operand 0, x is operand 1
assert u.local_grads[0] == 1.0
assert y.local_grads == (2 * u.data,)

# %% [markdown]
# ## The graph
#
# Value nodes show `label | data | grad`; op nodes show the operation; each edge carries the local
# derivative `d(consumer)/d(operand)`. Before `backward()` every gradient is 0. The graph is drawn
# top to bottom (`rankdir="TB"`), the input at the top and the output at the bottom, so it fits
# the page.

# %%
dot = draw_dot(y, rankdir="TB")
# rendering needs no system Graphviz: draw_dot falls back to the pip package graphviz-pure
assert b"<svg" in dot.pipe(format="svg")
assert "grad 0.0000" in dot.source and "data 25.0000" in dot.source
dot

# %% [markdown]
# ## backward()
#
# `y.backward()` sets `y.grad = 1` and walks the graph from `y` to the leaves, and at each edge
# applies the chain rule once: `child.grad += local_grad * node.grad`.

# %%
y.backward()
print(f"dy/dy = {y.grad}, dy/du = {u.grad}, dy/d(3x) = {t.grad}, dy/dx = {x.grad}")

# the notes' steps: df/du = 2u, du/dx = 3, so dy/dx = 2u * 3 = 6 * (3x - 1) = 18x - 6
assert u.grad == 2 * u.data == 10.0
assert x.grad == 3 * u.grad == 6 * (3 * x.data - 1) == 18 * x.data - 6 == 30.0

# %% [markdown]
# Redrawn, the gradients are filled in. Read any edge upwards, against its arrow: the gradient at
# its op's output times the edge's local derivative is what flows into the operand (10 × 3 = 30
# into x).

# %%
dot = draw_dot(y, rankdir="TB")
assert "{ x | data 2.0000 | grad 30.0000 }" in dot.source
dot

# %% [markdown]
# ## dy/dx = 18x − 6 at several x
#
# The notes' closed form against the engine and against a central finite difference
# `(y(x+h) − y(x−h)) / 2h` computed here in plain floats.

# %%
def y_of(x):
    return (3 * x - 1) ** 2

print(f"{'x':>6} {'engine':>10} {'18x - 6':>10} {'finite diff':>12}")
for x0 in (-2.0, -0.5, 0.0, 1 / 3, 1.0, 2.5, 10.0):
    x = Value(x0, label="x")
    y_of(x).backward()
    h = 1e-6
    numeric = (y_of(x0 + h) - y_of(x0 - h)) / (2 * h)
    print(f"{x0:6.3f} {x.grad:10.4f} {18 * x0 - 6:10.4f} {numeric:12.6f}")
    assert math.isclose(x.grad, 18 * x0 - 6, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(x.grad, numeric, rel_tol=1e-6, abs_tol=1e-6)

# %% [markdown]
# `gradcheck` does the same comparison for any function of `Value`s and prints a table; it is
# truthy only when every input matches.

# %%
report = gradcheck(y_of, [Value(0.7, label="x")])
print(report)
assert report

# %% [markdown]
# ## A value used twice: gradients add up
#
# If `a` feeds two operations, a small change in `a` moves the output through *both* paths, so the
# chain rule sums over the paths: $\frac{df}{da} = \sum_{\text{uses}} \frac{df}{d(\text{use})}\cdot\frac{d(\text{use})}{da}$.
# The engine gets this for free because each edge *adds* into `child.grad`.
#
# - `a + a` has two edges to `a`, each with local derivative 1: the gradient is 2.
# - `a * a` has two edges with local derivative `a` each: the gradient is 2a.
# - `f = a*b + a` (a used in two different places): df/da = b + 1.

# %%
a = Value(3.0, label="a")
s = a + a
s.backward()
assert a.grad == 2.0

a = Value(3.0, label="a")
sq = a * a
sq.backward()
assert a.grad == 2 * a.data == 6.0

a, b = Value(3.0, label="a"), Value(-4.0, label="b")
f = a * b + a; f.label = "f"
f.backward()
print(f"f = {f.data}, df/da = {a.grad} (b + 1 = {b.data + 1}), df/db = {b.grad} (a = {a.data})")
assert a.grad == b.data + 1 == -3.0
assert b.grad == a.data == 3.0

# %% [markdown]
# In the graph, `a` has two outgoing edges — into the `*` (local derivative b = −4) and into the
# `+` (local derivative 1) — and its grad is their sum, −4 + 1 = −3. The `highlight` option marks
# every path from `a` to the root.

# %%
dot = draw_dot(f, rankdir="TB", highlight=a)
assert "{ a | data 3.0000 | grad -3.0000 }" in dot.source
dot

# %% [markdown]
# The same holds deeper in a graph: in `g = (a·b + a)·a`, `a` reaches `g` along three paths
# (through `a·b`, through the `+ a`, and directly), and $\frac{dg}{da} = (ab + a) + a\,(b + 1) = 2ab + 2a$.

# %%
a, b = Value(1.5, label="a"), Value(-0.5, label="b")
g = (a * b + a) * a
g.backward()
assert math.isclose(a.grad, 2 * 1.5 * -0.5 + 2 * 1.5, rel_tol=1e-15)
assert math.isclose(b.grad, 1.5 ** 2, rel_tol=1e-15)
report = gradcheck(lambda a, b: (a * b + a) * a, [Value(1.5, "a"), Value(-0.5, "b")])
print(report)
assert report

# %% [markdown]
# ## Calling backward() twice
#
# Leaf gradients **accumulate** across `backward()` calls (as in PyTorch): a second call adds the
# same gradient again. That is why a training loop zeroes the gradients before each step.
# Intermediate (non-leaf) gradients are recomputed from zero on each pass.

# %%
x = Value(2.0, label="x")
u = 3 * x - 1
y = u ** 2
y.backward()
first = x.grad
y.backward()
print(f"after one backward: dy/dx = {first}; after two: {x.grad}; u.grad stays {u.grad}")
assert first == 30.0 and x.grad == 2 * first
assert u.grad == 10.0
x.grad = 0.0           # what zero_grad() does for every parameter
y.backward()
assert x.grad == 30.0
