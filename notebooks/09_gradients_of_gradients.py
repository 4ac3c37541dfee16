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
# # 9. Gradients of gradients and forward mode
#
# **What this covers:** a derivative that is itself a graph of `Value`s, so it can be drawn,
# explained and differentiated again. `grad(y, x, create_graph=True)` gives $dy/dx$ as a new graph;
# differentiating that gives $d^2y/dx^2$, and so on. We use it for the second and third derivatives
# of $\tanh$, for Newton's method (which needs $f''$), and for a Hessian (`hessian`). Then the other
# direction: forward mode (`jvp`), which pushes a tangent from the inputs to the outputs, and
# `jacobian` in both modes, to see why training uses reverse mode: one reverse pass per output,
# one forward pass per input.
#
# **Follows:** no source document covers higher-order derivatives. This notebook builds on the
# chain rule of notebook 1 and the backward pass of notebook 5, and answers the request in
# karpathy/micrograd issue #3 ("Grad should be a Value instead of python/numpy scalar ... so you can
# do higher order autodiff").
#
# As in every notebook here, each number stated is computed in a cell and asserted there, against a
# formula worked out by hand or a central finite difference.

# %%
import math
import time

from micrograd import Value, draw_dot, explain, grad, hessian, jacobian, jvp, ops
from micrograd.engine import backward_order

# %% [markdown]
# ## 1. The derivative of tanh is a graph too
#
# `grad(output, inputs)` runs one reverse pass and returns $d\,\text{output}/d\,\text{input}$ without
# touching any `.grad`. With `create_graph=True` the result is not just a number: it is a `Value`
# at the top of a new graph.
#
# Take $y = \tanh(x)$ at $x = 0.5$. By hand, $\frac{dy}{dx} = 1 - \tanh^2 x = 1 - y^2$ (also
# $1/\cosh^2 x$).

# %%
x = Value(0.5, label="x")
y = x.tanh(); y.label = "y"
dy = grad(y, x, create_graph=True)
print(dy)
print(f"1 - y**2 = {1 - y.data ** 2!r}")

assert isinstance(dy, Value) and dy.label == "dy/dx"        # grad names what it made
assert math.isclose(dy.data, 1 - math.tanh(0.5) ** 2, rel_tol=1e-15)
assert math.isclose(dy.data, 1 / math.cosh(0.5) ** 2, rel_tol=1e-14)
assert x.grad == 0.0 and y.grad == 0.0                      # no .grad was read or written

# %% [markdown]
# Where did `dy` come from? The op table (`micrograd/ops.py`) stores tanh's local derivative as a
# rule of its output, `1 - out*out`. In an ordinary backward pass that rule is evaluated on floats.
# With `create_graph=True` the reverse pass evaluates the same rule on the `Value`s instead, so
# `1 - out*out` builds nodes: a `*` node for $y \cdot y$, a constant $1$, and a `-` node for
# $1 - y\cdot y$. The `out` in the rule is the node `y` of the original graph, so the gradient's graph
# reaches back through `y = tanh(x)` to `x` — that is what makes it differentiable with respect to
# `x`. (The reverse pass also multiplies by the incoming gradient, here $dy/dy = 1$; the engine
# skips a `1 *` node for that.)

# %%
nodes = backward_order(dy)          # every node of dy's graph, dy first, leaves last
for node in nodes:
    kids = ", ".join(k.label or repr(k.data) for k in node.children)
    print(f"{node.label or '(unlabelled)':>13}  op {node.op or 'leaf':>4}  data {node.data:.6f}  "
          f"operands [{kids}]")

one, yy = dy.children
assert dy.op == "-" and one.op == "" and one.data == 1.0            # 1 - (y*y)
assert yy.op == "*" and yy.children[0] is y and yy.children[1] is y  # the original y, twice
assert y.children == (x,)
assert len(nodes) == 5                                               # dy, y*y, y, 1, x

# %% [markdown]
# The drawing of that graph (green: the root `dy/dx`; blue: the input `x`; grey: a constant). Each
# edge carries its local derivative, as in every drawing so far. All `grad` fields read 0: `grad()`
# did not write any.

# %%
dot = draw_dot(dy, graph_attr={"label": "the graph of dy/dx = 1 - y*y, y = tanh(x), made by "
                                        "grad(y, x, create_graph=True)", "labelloc": "t"})
assert "{ dy/dx | data 0.7864 | grad 0.0000 }" in dot.source
assert b"<svg" in dot.pipe(format="svg")
dot

# %% [markdown]
# Because `dy` is an ordinary graph, `explain` can write its derivative by the chain rule, exactly
# as it does for a loss. Read it as the hand calculation
# $\frac{d}{dx}(1 - y^2) = \frac{d(1 - y^2)}{dy}\cdot\frac{dy}{dx} = (-y - y)(1 - y^2)$: $y$ is used
# twice in $y\cdot y$, so its gradient is the sum of two terms $-y$ (notebook 1's rule), and the
# last factor, $dy/dx = 1 - y^2$, is tanh's rule once more.

# %%
ex = explain(dy, x)
print(ex)
yv = y.data
assert math.isclose(ex.grad, -2 * yv * (1 - yv ** 2), rel_tol=1e-14)

# %% [markdown]
# ## Second and third derivatives
#
# Differentiate again. By hand, with $y' = 1 - y^2$:
#
# $$y'' = -2y\,y' = -2y(1 - y^2),\qquad y''' = -2y'(1 - y^2) - 2y(-2y\,y') = -2(1 - y^2)(1 - 3y^2).$$
#
# `d2y` is built with `create_graph=True` too, so it can be differentiated a third time. The third
# derivative is also checked against a central difference of the second, $\big(y''(x+h) -
# y''(x-h)\big)/2h$, where each $y''$ comes from the engine (grad of grad) at $x \pm h$.

# %%
d2y = grad(dy, x, create_graph=True)
d3y = grad(d2y, x)
print(f"{d2y.label} = {d2y.data!r}   -2y(1 - y^2)        = {-2 * yv * (1 - yv ** 2)!r}")
print(f"{d3y.label} = {d3y.data!r}   -2(1 - y^2)(1 - 3y^2) = "
      f"{-2 * (1 - yv ** 2) * (1 - 3 * yv ** 2)!r}")
assert math.isclose(d2y.data, -2 * yv * (1 - yv ** 2), rel_tol=1e-14)
assert math.isclose(d3y.data, -2 * (1 - yv ** 2) * (1 - 3 * yv ** 2), rel_tol=1e-13)


# %%
def tanh_derivatives(x0: float) -> tuple[float, float, float]:
    """(y', y'', y''') of tanh at x0 by grad, twice with create_graph=True."""
    x = Value(x0, label="x")
    d1 = grad(x.tanh(), x, create_graph=True)
    d2 = grad(d1, x, create_graph=True)
    d3 = grad(d2, x)
    return d1.data, d2.data, d3.data


h = 1e-4
print("    x        y''       y'''  closed form  central diff")
for x0 in (-2.0, -0.5, 0.0, 0.5, 1.0, 3.0):
    d1, d2, d3 = tanh_derivatives(x0)
    t = math.tanh(x0)
    numeric = (tanh_derivatives(x0 + h)[1] - tanh_derivatives(x0 - h)[1]) / (2 * h)
    print(f"{x0:5.1f} {d2:10.6f} {d3:10.6f} {-2 * (1 - t * t) * (1 - 3 * t * t):12.6f} "
          f"{numeric:12.6f}")
    assert math.isclose(d1, 1 - t * t, rel_tol=1e-13)
    assert math.isclose(d2, -2 * t * (1 - t * t), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(d3, -2 * (1 - t * t) * (1 - 3 * t * t), rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(d3, numeric, rel_tol=1e-6, abs_tol=1e-7)

# %% [markdown]
# Every differentiation with `create_graph=True` builds a new graph on top of the previous one,
# and here each is bigger than the last: the number of nodes in the graph of $y$, $y'$, $y''$, ...

# %%
x = Value(0.5, label="x")
chain = [x.tanh()]
for order in range(4):
    chain.append(grad(chain[-1], x, create_graph=True))
sizes = [len(backward_order(g)) for g in chain]
for order, n in enumerate(sizes):
    print(f"graph of the derivative of order {order}: {n} nodes")
assert sizes[0] == 2 and sizes[1] == 5                  # tanh(x), x; and the five above
assert all(a < b for a, b in zip(sizes, sizes[1:]))     # each order builds a bigger graph

# %% [markdown]
# ## 2. Newton's method: the second derivative at work
#
# Gradient descent steps $x \leftarrow x - \eta f'(x)$ with a fixed learning rate $\eta$. Newton's
# method divides by the curvature instead: $x \leftarrow x - f'(x)/f''(x)$. Near a minimum that is
# the step to the bottom of the parabola that matches $f$, $f'$ and $f''$ at $x$, and the error
# shrinks quadratically: $e_{k+1} \approx C e_k^2$ with $C = |f'''(x^*)| / (2 f''(x^*))$.
#
# Take $f(x) = x^4 - 3x^2 + x$. By hand $f'(x) = 4x^3 - 6x + 1$, $f''(x) = 12x^2 - 6$,
# $f'''(x) = 24x$. The critical points are the three real roots of $x^3 - 1.5x + 0.25 = 0$, which
# the trigonometric formula for a cubic $t^3 + pt + q$ gives in closed form:
# $t_k = 2\sqrt{-p/3}\,\cos\!\big(\tfrac13 \arccos(\tfrac{3q}{2p}\sqrt{-3/p}) - \tfrac{2\pi k}{3}\big)$.

# %%
def f(x):
    return x ** 4 - 3 * x ** 2 + x


def f1(x): return 4 * x ** 3 - 6 * x + 1       # by hand
def f2(x): return 12 * x ** 2 - 6
def f3(x): return 24 * x


p, q = -1.5, 0.25
theta = math.acos(3 * q / (2 * p) * math.sqrt(-3 / p))
roots = [2 * math.sqrt(-p / 3) * math.cos(theta / 3 - 2 * math.pi * k / 3) for k in range(3)]
for r in roots:
    print(f"x = {r:+.15f}   f'(x) = {f1(r):+.1e}   f''(x) = {f2(r):+.4f}   f(x) = {f(r):+.6f}")
    assert abs(f1(r)) < 1e-13
x_star = roots[2]                   # f'' > 0 and the lowest f: the global minimum
assert f2(x_star) > 0 and f2(roots[0]) > 0 and f2(roots[1]) < 0
assert f(x_star) < f(roots[0])
C = abs(f3(x_star)) / (2 * f2(x_star))
print(f"x* = {x_star!r}, C = |f'''(x*)| / (2 f''(x*)) = {C:.6f}")

# %% [markdown]
# Each Newton step builds $f$ on a fresh `Value`, takes $f'$ with `create_graph=True` and
# differentiates that once more for $f''$. We stop when $|x_k - x^*| \le 10^{-10}$ and print
# $e_{k+1}/e_k^2$, which should settle at $C$.

# %%
tol = 1e-10
x_k, newton = -2.0, [-2.0]
print(" k                  x_k     f'(x_k)   f''(x_k)       e_k  e_k/e_(k-1)^2")
while abs(x_k - x_star) > tol:
    x = Value(x_k, label="x")
    d1 = grad(f(x), x, create_graph=True)          # f'(x) as a graph of x
    d2 = grad(d1, x)                                # f''(x)
    assert math.isclose(d1.data, f1(x_k), rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(d2.data, f2(x_k), rel_tol=1e-12)
    x_k = x_k - d1.data / d2.data                   # the Newton step
    newton.append(x_k)
    assert len(newton) < 20, "Newton did not converge"
errors = [abs(v - x_star) for v in newton]
for k, (v, e) in enumerate(zip(newton, errors)):
    ratio = f"{e / errors[k - 1] ** 2:14.6f}" if k else ""
    print(f"{k:2d} {v:20.15f} {f1(v):11.2e} {f2(v):10.4f} {e:9.2e} {ratio}")
newton_steps = len(newton) - 1

# quadratic convergence: once close, e_{k+1} <= 2C e_k^2; very close, e_{k+1}/e_k^2 is C
for e, e_next in zip(errors, errors[1:]):
    if e < 0.3:
        assert e_next <= 2 * C * e ** 2, (e, e_next)
    if e < 0.01:
        assert math.isclose(e_next / e ** 2, C, rel_tol=0.05), (e, e_next)
# at the end: f'(x*) ~ 0 and f''(x*) > 0 (a minimum), from the engine
x = Value(x_k, label="x")
d1 = grad(f(x), x, create_graph=True)
assert abs(d1.data) < 1e-8 and grad(d1, x).data > 0

# %% [markdown]
# Gradient descent from the same start, to the same tolerance, for two learning rates. Near the
# minimum it converges linearly: $e_{k+1} \approx |1 - \eta f''(x^*)|\,e_k$, so each step removes
# the same fraction of the error, where Newton doubles the number of correct digits per step.

# %%
def gradient_descent(lr: float, x0: float = -2.0, max_steps: int = 10_000) -> list[float]:
    x_k, path = x0, [x0]
    while abs(x_k - x_star) > tol:
        x = Value(x_k, label="x")
        x_k = x_k - lr * grad(f(x), x).data        # one reverse pass per step, no create_graph
        path.append(x_k)
        assert len(path) <= max_steps, "gradient descent did not converge"
    return path


print(f"Newton: {newton_steps} steps (2 reverse passes each)")
for lr in (0.05, 0.02):
    path = gradient_descent(lr)
    e = [abs(v - x_star) for v in path]
    rate = abs(1 - lr * f2(x_star))
    print(f"gradient descent, lr {lr}: {len(path) - 1} steps; last ratios e_(k+1)/e_k "
          f"{e[-1] / e[-2]:.4f}, |1 - lr f''(x*)| = {rate:.4f}")
    assert math.isclose(e[-1] / e[-2], rate, rel_tol=1e-3)     # the predicted linear rate
    assert newton_steps * 3 < len(path) - 1

# %% [markdown]
# Newton pays two reverse passes per step (and the first builds a graph), but needs far fewer
# steps. For a function of $n$ variables the same idea needs the $n\times n$ Hessian and a linear
# solve per step, which is why training large networks sticks to first-order methods.
#
# ## 3. A Hessian
#
# `hessian(f, xs)` is the matrix $H_{ij} = \partial^2 f/\partial x_i \partial x_j$: one reverse pass
# with `create_graph=True` gives the gradient as graphs, then one more pass per input
# differentiates each of them. Take three variables and most of the new ops:
#
# $$f(x, y, z) = \sin x \cos y + e^{xz} + \sqrt{y^2 + z^2} + |y|\,z .$$
#
# By hand, with $r = \sqrt{y^2 + z^2}$ and $s = \operatorname{sign}(y)$:
#
# $$f_x = \cos x\cos y + z e^{xz},\quad f_y = -\sin x \sin y + y/r + s z,\quad f_z = x e^{xz} + z/r + |y|$$
#
# $$f_{xx} = -\sin x\cos y + z^2e^{xz},\quad f_{xy} = -\cos x\sin y,\quad f_{xz} = (1 + xz)\,e^{xz},$$
# $$f_{yy} = -\sin x\cos y + z^2/r^3,\quad f_{yz} = -yz/r^3 + s,\quad f_{zz} = x^2e^{xz} + y^2/r^3 .$$
#
# $|y|$ has second derivative 0 away from $y = 0$, yet through the product $|y|\,z$ it adds
# $\operatorname{sign}(y)$ to $f_{yz}$.

# %%
def F(x, y, z):
    return x.sin() * y.cos() + (x * z).exp() + (y * y + z * z).sqrt() + y.abs() * z


point = [0.7, -1.2, 0.5]
H = hessian(F, point)

x0, y0, z0 = point
r, s, exz = math.hypot(y0, z0), math.copysign(1.0, y0), math.exp(x0 * z0)
H_hand = [
    [-math.sin(x0) * math.cos(y0) + z0 ** 2 * exz, -math.cos(x0) * math.sin(y0),
     (1 + x0 * z0) * exz],
    [-math.cos(x0) * math.sin(y0), -math.sin(x0) * math.cos(y0) + z0 ** 2 / r ** 3,
     -y0 * z0 / r ** 3 + s],
    [(1 + x0 * z0) * exz, -y0 * z0 / r ** 3 + s, x0 ** 2 * exz + y0 ** 2 / r ** 3],
]
print("hessian(F, point):")
for row in H:
    print("  " + "  ".join(f"{v:+.12f}" for v in row))
for i in range(3):
    for j in range(3):
        assert math.isclose(H[i][j], H_hand[i][j], rel_tol=1e-12), (i, j)
        assert math.isclose(H[i][j], H[j][i], rel_tol=1e-14)       # symmetric

# %% [markdown]
# The same matrix by central finite differences of the gradient: row $i$ is
# $\big(\nabla f(p + h e_i) - \nabla f(p - h e_i)\big)/2h$, each gradient from `grad` (first order,
# no `create_graph`). Its error is $O(h^2)$ plus rounding of order $\epsilon/h$, so with
# $h = 10^{-5}$ we expect agreement to about $10^{-9}$.

# %%
def gradient_at(values: list[float]) -> list[float]:
    xs = [Value(v, label=name) for v, name in zip(values, "xyz")]
    return [g.data for g in grad(F(*xs), xs)]


h = 1e-5
H_fd = []
for i in range(3):
    plus, minus = list(point), list(point)
    plus[i] += h
    minus[i] -= h
    H_fd.append([(a - b) / (2 * h) for a, b in zip(gradient_at(plus), gradient_at(minus))])
worst = max(abs(H[i][j] - H_fd[i][j]) for i in range(3) for j in range(3))
print(f"largest |hessian - finite differences| = {worst:.1e}")
assert worst < 1e-8

# %% [markdown]
# ## 4. Forward mode and reverse mode
#
# The reverse pass starts at one output and sends $d\,\text{output}/d\,\text{node}$ back to every
# node: one pass gives a whole **row** of the Jacobian (that output's gradient with respect to every
# input). Forward mode goes the other way: seed a tangent on the inputs and push
# $\dot{v} = \sum_{\text{operands}} \text{local derivative} \times \dot{\text{operand}}$ forward
# through the same graph, with the same local derivatives stored at forward time. One forward pass
# gives the derivative of every output along one input direction: a whole **column**.
#
# So for $f: \mathbb{R}^n \to \mathbb{R}^m$, `jacobian(f, xs, mode="reverse")` takes $m$ passes and
# `mode="forward"` takes $n$. Same matrix, different cost.
#
# First $n = 1$, $m = 6$: a curve $t \mapsto (\cos t, \sin t, t^2, e^t, \sqrt{1 + t^2}, t\sin t)$,
# whose derivative by hand is $(-\sin t, \cos t, 2t, e^t, t/\sqrt{1+t^2}, \sin t + t\cos t)$.

# %%
def curve(t):
    return [t.cos(), t.sin(), t ** 2, t.exp(), (1 + t * t).sqrt(), t * t.sin()]


t0 = 0.6
J_fwd = jacobian(curve, [t0], mode="forward")
J_rev = jacobian(curve, [t0], mode="reverse")
by_hand = [-math.sin(t0), math.cos(t0), 2 * t0, math.exp(t0), t0 / math.sqrt(1 + t0 ** 2),
           math.sin(t0) + t0 * math.cos(t0)]
print(f"forward: {J_fwd.passes} pass,  reverse: {J_rev.passes} passes")
for row_f, row_r, d in zip(J_fwd, J_rev, by_hand):
    print(f"  {row_f[0]:+.12f}  {row_r[0]:+.12f}   by hand {d:+.12f}")
    assert math.isclose(row_f[0], row_r[0], rel_tol=1e-14)
    assert math.isclose(row_f[0], d, rel_tol=1e-14)
assert (J_fwd.mode, J_fwd.passes) == ("forward", 1)      # n = 1 input
assert (J_rev.mode, J_rev.passes) == ("reverse", 6)      # m = 6 outputs
assert len(J_fwd) == len(J_rev) == 6 and all(len(row) == 1 for row in J_fwd)

# %% [markdown]
# Then $n = 6$, $m = 1$: the length $\|x\| = \sqrt{\sum_i x_i^2}$, whose gradient by hand is
# $x/\|x\|$. Now the count flips.

# %%
def norm(*xs):
    return sum(x * x for x in xs).sqrt()


xs = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5]
length = math.sqrt(sum(v * v for v in xs))
J_fwd = jacobian(norm, xs, mode="forward")
J_rev = jacobian(norm, xs, mode="reverse")
print(f"forward: {J_fwd.passes} passes, reverse: {J_rev.passes} pass")
print("  forward " + " ".join(f"{v:+.6f}" for v in J_fwd[0]))
print("  reverse " + " ".join(f"{v:+.6f}" for v in J_rev[0]))
print("  x/|x|   " + " ".join(f"{v / length:+.6f}" for v in xs))
for a, b, v in zip(J_fwd[0], J_rev[0], xs):
    assert math.isclose(a, b, rel_tol=1e-14) and math.isclose(a, v / length, rel_tol=1e-14)
assert (J_fwd.passes, J_rev.passes) == (6, 1)           # n = 6 forward, m = 1 reverse
assert len(J_fwd) == 1 and len(J_fwd[0]) == 6

# %% [markdown]
# `jvp(f, xs, tangent)` is one forward pass along any direction $v$: it returns $f(x)$ and the
# directional derivative $\nabla f(x)\cdot v$ without ever forming the gradient. We check it
# against the gradient from `grad` dotted with $v$, against the hand formula
# $x\cdot v/\|x\|$, and against a central difference $\big(f(x + hv) - f(x - hv)\big)/2h$.

# %%
v = [1.0, 0.5, -0.25, 2.0, 0.0, -1.0]
value, directional = jvp(norm, xs, v)
leaves = [Value(a, label=f"x{i}") for i, a in enumerate(xs)]
gradient = grad(norm(*leaves), leaves)
dot_product = sum(g.data * t for g, t in zip(gradient, v))
h = 1e-6
central = (math.sqrt(sum((a + h * t) ** 2 for a, t in zip(xs, v)))
           - math.sqrt(sum((a - h * t) ** 2 for a, t in zip(xs, v)))) / (2 * h)
print(f"|x| = {value:.12f};  jvp: {directional:.12f},  grad . v: {dot_product:.12f},  "
      f"x.v/|x|: {sum(a * t for a, t in zip(xs, v)) / length:.12f},  central diff: {central:.9f}")
assert math.isclose(value, length, rel_tol=1e-15)
assert math.isclose(directional, dot_product, rel_tol=1e-13)
assert math.isclose(directional, sum(a * t for a, t in zip(xs, v)) / length, rel_tol=1e-13)
assert math.isclose(directional, central, rel_tol=1e-8)

# for the curve, a jvp along t is the Jacobian's one column (all six outputs in one pass)
values, column = jvp(curve, [t0], [1.0])
assert math.isclose(values[0], math.cos(t0), rel_tol=1e-15)
assert all(math.isclose(c, d, rel_tol=1e-14) for c, d in zip(column, by_hand))

# %% [markdown]
# ### The cost, measured
#
# Now a bigger case where the graphs share real work: a "trunk" of 100 tanh steps, then either
# 100 outputs read off its end ($n = 1$, $m = 100$), or 100 inputs summed into its start
# ($n = 100$, $m = 1$). Each pass walks the whole graph it starts from (the trunk included), so
# the mode that needs 100 passes should be many times slower than the one that needs 1. Times are
# the best of seven runs of the whole `jacobian` call (which builds the graph once, then runs the
# passes).

# %%
DEPTH, WIDTH = 100, 100


def trunk(h):
    for _ in range(DEPTH):
        h = (0.9 * h + 0.1).tanh()
    return h


def fan_out(t):                     # R^1 -> R^100
    h = trunk(t)
    return [(h * (0.01 * i)).sin() for i in range(WIDTH)]


def fan_in(*xs):                    # R^100 -> R^1
    return trunk(sum((x * (0.01 * i)).sin() for i, x in enumerate(xs)))


def best_of(k, fn):
    best = math.inf
    for _ in range(k):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


cases = {"fan_out, n=1, m=100": (fan_out, [0.3]),
         "fan_in, n=100, m=1": (fan_in, [0.01 * i for i in range(WIDTH)])}
timings = {}
print(f"{'case':20} {'forward passes':>15} {'time':>8} {'reverse passes':>15} {'time':>8}")
for name, (fn, inputs) in cases.items():
    t_fwd, J_fwd = best_of(7, lambda: jacobian(fn, inputs, mode="forward"))
    t_rev, J_rev = best_of(7, lambda: jacobian(fn, inputs, mode="reverse"))
    timings[name] = (t_fwd, t_rev)
    print(f"{name:20} {J_fwd.passes:15d} {t_fwd * 1e3:5.1f} ms {J_rev.passes:15d} "
          f"{t_rev * 1e3:5.1f} ms")
    n, m = len(inputs), len(J_rev)
    assert (J_fwd.passes, J_rev.passes) == (n, m)
    for row_f, row_r in zip(J_fwd, J_rev):          # the same matrix either way
        for a, b in zip(row_f, row_r):
            assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)

t_fwd, t_rev = timings["fan_out, n=1, m=100"]
assert t_rev > 3 * t_fwd            # 100 reverse passes against 1 forward pass
t_fwd, t_rev = timings["fan_in, n=100, m=1"]
assert t_fwd > 3 * t_rev            # 100 forward passes against 1 reverse pass

# %% [markdown]
# A loss is the $m = 1$ case with $n$ = the number of parameters (every weight and bias of
# notebook 8's network; billions in a language model). One reverse pass gives the whole gradient;
# forward mode would need one pass per parameter. That is why training uses backward. Forward mode
# wins when there are few inputs and many outputs, or when one directional derivative is all you
# need (`jvp`).
#
# ## 5. What create_graph does, and what it costs
#
# **What it does.** Every local-derivative rule in `micrograd/ops.py` is written with plain
# arithmetic on its inputs and output: tanh's is `1 - out * out`, sin's is `cos(a)`, division's
# is `(1/b, -out/b)`. Python runs that arithmetic on whatever it is given. During an ordinary
# forward pass the rule gets floats and returns floats, which the node stores. With
# `create_graph=True` the reverse pass calls the same rule on the `Value`s of the graph, so the
# rule builds nodes, and the chain rule's `local * grad` and `+=` build more. The gradient that
# comes out is a graph like any other. No op needs a second, "symbolic" version of its derivative:

# %%
on_floats = ops.TANH.local_grads(0.5, math.tanh(0.5))
x = Value(0.5, label="x")
on_values = ops.TANH.local_grads(x, x.tanh())
print(f"on floats: {on_floats}\non Values: {on_values}")
assert isinstance(on_floats[0], float) and isinstance(on_values[0], Value)
assert on_values[0].data == on_floats[0] == 1 - math.tanh(0.5) ** 2

# %% [markdown]
# **What it costs.** A reverse pass on floats creates no nodes: `grad` returns plain constants.
# With `create_graph=True` the pass builds a new graph — for every node, its local derivative
# as nodes plus the products and sums of the chain rule — and keeps the forward graph alive
# because the new graph points into it. Every further order builds again on top of the previous
# graph (the sizes in section 1 grew with each order). Below: a small tanh neuron's gradient with
# respect to its five inputs, without and with `create_graph`.

# %%
inputs = [Value(0.1 * i, label=f"x{i}") for i in range(5)]
out = sum((x * (i + 1)).tanh() for i, x in enumerate(inputs)).tanh()
forward_nodes = set(backward_order(out))
plain = grad(out, inputs)
graphs = grad(out, inputs, create_graph=True)
new_nodes = set().union(*(backward_order(g) for g in graphs)) - forward_nodes
print(f"forward graph: {len(forward_nodes)} nodes; create_graph=True built {len(new_nodes)} new "
      f"nodes for the 5 gradients; without it, none")
assert all(g.op == "" and not g.children for g in plain)           # numbers, no graph
assert all(g.op != "" for g in graphs) and len(new_nodes) > 0
for a, b in zip(plain, graphs):
    assert math.isclose(a.data, b.data, rel_tol=1e-14)              # the same numbers

# %% [markdown]
# **In PyTorch.** The same switch exists there: `torch.autograd.grad(y, x, create_graph=True)`
# records the backward computation as a graph instead of discarding it, so the result has its own
# `grad_fn` and can be differentiated again — that is how PyTorch computes Hessian-vector products,
# gradient penalties and meta-learning updates. It works for the same reason as here: each op's
# backward formula is written with differentiable tensor operations. The cost is the same too:
# memory for the extra graph and time to build it, which is why it is off by default.
# `torch.autograd.functional` offers `hessian`, `jacobian`, `jvp` and `vjp`, and `torch.func`
# has `jacrev` and `jacfwd` — reverse and forward Jacobians, the same choice of $m$ or $n$ passes.
#
# One difference to keep in mind: here `jvp` and `jacobian` return plain numbers. The forward
# pass uses the local derivatives stored as floats, so a forward-mode result cannot be
# differentiated again; only `grad(..., create_graph=True)` gives a derivative that is a graph.
