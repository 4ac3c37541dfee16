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
# # 3. A single neuron and a fully connected layer
#
# **What this covers:** the gradient of one sigmoid neuron under squared error,
# $\partial L/\partial w_{j1} = (o_1 - t)\,o_1(1 - o_1)\,x_j$; the same for a layer of $K$ neurons,
# $\partial L/\partial w_{jk} = \delta_k x_j$ with $\delta_k = (o_k - t_k)\,o_k(1 - o_k)$; and the
# step the texts announce but do not write out — a hidden layer. Each claim is stated first, then
# checked against formulas computed by hand in float64 and against finite differences. The
# engine's `explain()` writes each derivative as a chain-rule product read off the graph, and the
# drawings show which path through the graph each gradient takes.
#
# **Follows:** two of the texts this project checks. They are not in this repository, and you do
# not need them: each claim is restated below before it is checked.
# - the *back-propagation algorithm notes* (`000_8495f74e1b111f69.txt`), sections "Gradient of
#   single neuron" and "Gradient of fully connected layer";
# - the *binary-table tutorial* (`001_535ec0cb8a4ef9ef.txt`), its "Derivation": the same result
#   in another notation, equations (1)–(5), the sigmoid's derivative and the matrix form.

# %%
import math

from micrograd import Value, backward_order, draw_dot, gradcheck
from micrograd.explain import explain
from micrograd.graph import Digraph
from nn import MLP, Layer


def sigmoid(v):
    return 1 / (1 + math.exp(-v))


# %% [markdown]
# ## One sigmoid neuron
#
# **What the notes claim.** A neuron with $J$ inputs $x_j$, weights $w_{j1}$ and a bias $b$
# computes $z_1 = \sum_j w_{j1} x_j + b$ and $o_1 = \sigma(z_1)$. Its loss against a label $t$ is
# $L = \frac12 (o_1 - t)^2$; the $\frac12$ is there to make the algebra simpler and, they say, does
# not change the direction of the gradient. They then derive, one line at a time,
#
# 1. $\partial L/\partial w_{j1} = (o_1 - t)\,\partial o_1/\partial w_{j1}$ (the square's derivative),
# 2. $\phantom{\partial L/\partial w_{j1}} = (o_1 - t)\,\sigma(z_1)(1 - \sigma(z_1))\,\partial z_1/\partial w_{j1}$, using $\sigma' = \sigma(1 - \sigma)$,
# 3. $\phantom{\partial L/\partial w_{j1}} = (o_1 - t)\,o_1(1 - o_1)\,\partial z_1/\partial w_{j1}$, writing $\sigma(z_1)$ as $o_1$,
# 4. $\phantom{\partial L/\partial w_{j1}} = (o_1 - t)\,o_1(1 - o_1)\,x_j$, since $\partial z_1/\partial w_{j1} = x_j$,
#
# and conclude that this gradient depends only on the output $o_1$, the label $t$ and the input
# $x_j$ on that weight. We take $J = 3$.

# %%
x_data = [0.5, -1.5, 2.0]
w_data = [0.3, -0.2, 0.4]
b_data, t = 0.1, 1.0

x = [Value(v, label=f"x{j + 1}") for j, v in enumerate(x_data)]
w = [Value(v, label=f"w{j + 1}1") for j, v in enumerate(w_data)]
b = Value(b_data, label="b")
z = sum((wj * xj for wj, xj in zip(w, x)), b); z.label = "z1"
o = z.sigmoid();                               o.label = "o1"
L = 0.5 * (o - t) ** 2;                        L.label = "L"
L.backward()

# float64 by hand, independent of the engine
z_ref = sum(wj * xj for wj, xj in zip(w_data, x_data)) + b_data
o_ref = sigmoid(z_ref)
for j in range(3):
    closed = (o_ref - t) * o_ref * (1 - o_ref) * x_data[j]        # line 4
    print(f"dL/dw{j + 1}1 = {w[j].grad:+.6f}   (o1 - t) o1 (1 - o1) x{j + 1} = {closed:+.6f}")
    assert math.isclose(w[j].grad, closed, rel_tol=1e-12)

# %% [markdown]
# Each line of the derivation is one factor the engine stores on the graph. Line 1's factor
# $\partial L/\partial o_1 = o_1 - t$ is the gradient at `o1`; line 2's $\sigma(z_1)(1 - \sigma(z_1))$,
# computed here from $z_1$ with `math.exp`, is the sigmoid node's local derivative, and line 3 says
# it equals $o_1(1 - o_1)$; line 4's $\partial z_1/\partial w_{j1} = x_j$ is the local derivative on
# the edge from $w_{j1}$ into its product.

# %%
assert math.isclose(o.grad, o_ref - t, rel_tol=1e-12)                          # line 1
sig_prime = math.exp(-z_ref) / (1 + math.exp(-z_ref)) ** 2                     # sigma'(z1)
assert math.isclose(o.local_grads[0], sig_prime, rel_tol=1e-12)                # line 2
assert math.isclose(sig_prime, o_ref * (1 - o_ref), rel_tol=1e-12)             # line 3
for j in range(3):
    product = next(n for n in backward_order(L) if n.children and w[j] in n.children)
    assert product.local_grads[product.children.index(w[j])] == x_data[j]      # line 4
# the bias: the same product with x_j replaced by 1
assert math.isclose(b.grad, (o_ref - t) * o_ref * (1 - o_ref), rel_tol=1e-12)

# %% [markdown]
# The $\frac12$: without it the loss is $(o_1 - t)^2$ and every gradient is exactly twice as large
# — the same direction, as the notes say. And a check that uses no derivative at all: central
# finite differences of the loss, one weight at a time.

# %%
def neuron_loss(half, *params):
    *ws, bias = params
    out = sum((wj * xj for wj, xj in zip(ws, x_data)), bias).sigmoid()
    return half * (out - t) ** 2

leaves = [Value(v) for v in w_data + [b_data]]
neuron_loss(1.0, *leaves).backward()                          # no 1/2
for leaf, p in zip(leaves, w + [b]):
    assert math.isclose(leaf.grad, 2 * p.grad, rel_tol=1e-12)

report = gradcheck(lambda *p: neuron_loss(0.5, *p), [Value(v) for v in w_data + [b_data]])
assert report
print(f"finite differences: max |autodiff - numeric| = {report.max_error:.1e}")

# %% [markdown]
# `explain()` reads the same product off the graph. Each factor is a local derivative from the
# op table, written with this graph's names, and its number; the three factors are lines 1, 3 and
# 4 of the derivation:

# %%
ex = explain(L, w[1])
print(ex)
factors = [f.value for f in ex.terms[0].factors]
assert len(factors) == 3
assert math.isclose(factors[0], o_ref - t, rel_tol=1e-12)             # dL/do1 = o1 - t
assert math.isclose(factors[1], o_ref * (1 - o_ref), rel_tol=1e-12)   # do1/dz1 = o1 (1 - o1)
assert factors[2] == x_data[1]                                       # dz1/dw21 = x2

# %% [markdown]
# The drawing of this graph, with the path from $w_{21}$ to $L$ in red. Its edges carry the
# factors above: $x_2 = -1.5$ into the product, $1$ through each `+`, $o_1(1 - o_1)$
# through σ, then the loss's own steps, $\frac12 \cdot 2(o_1 - t)$. The only numbers that enter
# along the way are $x_2$, $o_1$ and $t$ — the notes' "depends only on the output, the label and
# the input on that weight".

# %%
draw_dot(L, highlight=w[1], rankdir="TB")

# %% [markdown]
# ## A fully connected layer: δ_k · x_j
#
# **What the notes claim.** $J$ inputs, $K$ sigmoid outputs $o_k = \sigma(z_k)$ with
# $z_k = \sum_j w_{jk} x_j + b_k$, labels $t_k$, and $L = \frac12\sum_{i=1}^K (o_i - t_i)^2$.
# They show this layer "as in Figure", but the figure is not in the text we have; from their
# words it is every input $x_j$ joined to every output $o_k$ by a weight $w_{jk}$, each $o_k$
# compared with its label $t_k$. We draw it below.
# 1. $w_{jk}$ reaches $L$ only through $o_k$, so the sum over $i$ keeps only $i = k$:
#    $\partial L/\partial w_{jk} = (o_k - t_k)\,\partial o_k/\partial w_{jk}$.
# 2. The same steps as for one neuron give
#    $\partial L/\partial w_{jk} = (o_k - t_k)\,o_k(1 - o_k)\,x_j$ (the notes print its left side
#    as $\partial L/\partial w_{ik}$, a typo for $w_{jk}$).
# 3. With $\delta_k = (o_k - t_k)\,o_k(1 - o_k)$ this is $\partial L/\partial w_{jk} = \delta_k x_j$:
#    it depends only on the input $x_j$ where the weight starts and the $\delta_k$ of the node
#    where it ends.
#
# Here $J = 3$, $K = 2$, as an `nn.Layer`: neuron $k$ holds $w_{jk}$ as `neurons[k].w[j]`
# (counting from 0). We label the nodes the way the notes name them ($z_k$, $o_k$, $L_k$), so
# `explain()` can use those names.

# %%
def label_outputs(outs, prefix):
    """Name each neuron's output (o1, o2, ...) and its pre-activation (z_o1, ...)."""
    for k, ok in enumerate(outs):
        ok.label = f"{prefix}{k + 1}"
        ok.children[0].label = f"z_{prefix}{k + 1}"

def squared_error(outs, targets):
    """L = L1 + L2 + ..., L_k = (o_k - t_k)**2 / 2, each term labelled."""
    terms = []
    for k, (ok, tk) in enumerate(zip(outs, targets)):
        term = 0.5 * (ok - tk) ** 2
        term.label = f"L{k + 1}"
        terms.append(term)
    L = terms[0]
    for term in terms[1:]:
        L = L + term
    L.label = "L"
    return L, terms

layer = Layer(3, 2, activation="sigmoid", seed=3)
targets = [0.0, 1.0]
outs = layer(x_data)
label_outputs(outs, "o")
L, terms = squared_error(outs, targets)
L.backward()

# float64 by hand
o_layer = [sigmoid(sum(n.w[j].data * x_data[j] for j in range(3)) + n.b.data)
           for n in layer.neurons]
delta = [(o_layer[k] - targets[k]) * o_layer[k] * (1 - o_layer[k]) for k in range(2)]

for k, neuron in enumerate(layer.neurons):
    assert math.isclose(outs[k].grad, o_layer[k] - targets[k], rel_tol=1e-12)   # claim 1's factor
    for j in range(3):
        # claim 1: w_jk is not even in the graph of the other output's loss term
        assert neuron.w[j] not in backward_order(terms[1 - k])
        assert math.isclose(neuron.w[j].grad, delta[k] * x_data[j], rel_tol=1e-12)   # 2 and 3
    assert math.isclose(neuron.b.grad, delta[k], rel_tol=1e-12)
print("delta_k =", [round(d, 6) for d in delta])
print("dL/dw_jk (rows j, columns k):")
for j in range(3):
    print("  " + "  ".join(f"{layer.neurons[k].w[j].grad:+.6f}" for k in range(2))
          + "   = delta_k * x_j =  " + "  ".join(f"{delta[k] * x_data[j]:+.6f}" for k in range(2)))

# %% [markdown]
# The notes' figure, drawn for this layer: three inputs, two outputs, $3 \times 2 = 6$ weights, and
# $L = L_1 + L_2$ with $L_k = \frac12(o_k - t_k)^2$. Claim 1 is about which of these lines a
# weight's influence travels along. We read that off the engine's graph, not off the figure: the
# named nodes that $w_{32}$ (`neurons.1.w.2`, input 3 to output 2) reaches on its way to $L$,
# drawn in red.

# %%
wt = layer.neurons[1].w[2]
# the named nodes of the engine's graph that lie on a path from w32 to L
reached = {n.label for n in backward_order(L)
           if n is not wt and n.label and wt in backward_order(n)}
print("w32 reaches", sorted(reached))
assert reached == {"z_o2", "o2", "L2", "L"}          # nothing of output 1


def layer_figure():
    """The notes' layer: x_j -> o_k by w_jk, o_k against t_k in L_k, L = L_1 + L_2.
    Red: the lines between the nodes w32 reaches (and w32's own line)."""
    dot = Digraph(graph_attr={"rankdir": "LR", "nodesep": "0.3", "ranksep": "1.0"},
                  node_attr={"shape": "circle", "fontsize": "11", "width": "0.5"},
                  edge_attr={"fontsize": "9", "arrowsize": "0.5"})
    def connect(a, b, red, **attrs):
        colour = "red" if red else "gray45"
        dot.edge(a, b, color=colour, fontcolor=colour, penwidth="2" if red else "1", **attrs)
    with dot.subgraph() as inputs:                      # x1, x2, x3 in a column, in order
        inputs.attr(rank="same")
        inputs.edge("x1", "x2", style="invis")
        inputs.edge("x2", "x3", style="invis")
    for k, neuron in enumerate(layer.neurons, 1):
        dot.node(f"o{k}", label=f"o{k} = σ(z{k})", shape="ellipse")
        for j, w in enumerate(neuron.w, 1):
            connect(f"x{j}", f"o{k}", w is wt, label=f"w{j}{k} = {w.data:.2f}")
        dot.node(f"t{k}", label=f"t{k} = {targets[k - 1]:g}", shape="plaintext")
        connect(f"o{k}", f"L{k}", {f"o{k}", f"L{k}"} <= reached)
        dot.edge(f"t{k}", f"L{k}", style="dashed", color="gray45")
        connect(f"L{k}", "L", {f"L{k}", "L"} <= reached)
    return dot


drawing = layer_figure()
edge_lines = [line.strip() for line in drawing.source.splitlines()
              if " -> " in line and "invis" not in line]
edges = [tuple(line.split(" [")[0].split(" -> ")) for line in edge_lines]
colours = [line.split("color=")[1].split()[0] for line in edge_lines]
weight_edges = [(a, b) for a, b in edges if a.startswith("x")]
red_edges = {(a, b) for (a, b), c in zip(edges, colours) if c == "red"}
assert len(weight_edges) == 3 * 2                                     # J x K weights
assert red_edges == {("x3", "o2"), ("o2", "L2"), ("L2", "L")}
drawing

# %% [markdown]
# The same claim in the engine's own drawing of this graph: the red path from $w_{32}$ runs through
# $z_2$, $o_2$ and $L_2$ only; nothing connects it to $o_1$ or $L_1$, so their terms contribute
# nothing. Each neuron is a dashed box; inside it its weighted sum is `z` and its output `o`.

# %%
draw_dot(L, highlight=wt, digits=3)

# %% [markdown]
# The layer's `explain()` for that weight: `neurons.1.w.2` is the weight from input 3 to neuron 2
# (the notes' $w_{jk}$ with $j = 3$, $k = 2$). Its factors are $\partial L/\partial L_2 = 1$,
# $o_2 - t_2$, $o_2(1 - o_2)$ and $x_3$:

# %%
ex = explain(L, wt)
print(ex)
factors = [f.value for f in ex.terms[0].factors]
assert factors[0] == 1.0
assert math.isclose(factors[1], o_layer[1] - targets[1], rel_tol=1e-12)
assert math.isclose(factors[2], o_layer[1] * (1 - o_layer[1]), rel_tol=1e-12)
assert factors[3] == x_data[2]
assert math.isclose(wt.grad, delta[1] * x_data[2], rel_tol=1e-12)

# %% [markdown]
# ## The same derivation in the binary-table tutorial's notation
#
# **What the tutorial claims.** Its figure is two neurons joined by one weight: $y_k$, the
# activation of a neuron in the previous layer, feeds $y_j = \sigma(z_j)$ through $w_{kj}$, and
# the target for $y_j$ is $t_j$.
# - The error of an output is $t_j - y_j$; it is squared, the tutorial says, to avoid negative
#   values, and halved for convenience: the cost is $C = \frac12\sum_j (t_j - y_j)^2$.
# - $z_j = \sum_k w_{kj} y_k + b_k$ (it indexes the bias by the previous layer; each neuron $j$ has
#   its own bias, $b_j$).
# - The chain rule: $\dfrac{\partial C}{\partial w_{kj}} = \dfrac{\partial z_j}{\partial w_{kj}}\,
#   \dfrac{\partial y_j}{\partial z_j}\,\dfrac{\partial C}{\partial y_j}$, and each factor in turn:
# - (1) $\partial z_j/\partial w_{kj} = y_k$ (it writes "$= w_{kj}y_k + b_k = y_k$", the sum itself
#   where its derivative belongs);
# - (2) $\partial y_j/\partial z_j = y_j(1 - y_j)$, from $\sigma'(x) = \sigma(x)(1 - \sigma(x))$,
#   which it derives in nine lines (below);
# - (3) $\partial C/\partial y_j = -(t_j - y_j)$, in five lines:
#   $\frac{\partial}{\partial y_j}\frac12(t_j - y_j)^2$
#   $= 2(t_j - y_j)\,\frac{\partial}{\partial y_j}(t_j - y_j)$
#   $= \frac{\partial}{\partial y_j}(t_j - y_j) = -1$
#   $= \frac12\cdot 2(t_j - y_j)(-1)$ $= -(t_j - y_j)$. The result is right, but two lines
#   are not: line 2 drops the $\frac12$ (it is twice the derivative), and line 3 is the side
#   calculation of the inner derivative written into the chain of "=", so read literally the
#   chain says $\partial C/\partial y_j = -1$ (checked below);
# - (4) $\partial C/\partial w_{kj} = -(t_j - y_j)\,y_j(1 - y_j)\,y_k$;
# - (5) $\partial C/\partial b = -(t_j - y_j)\,y_j(1 - y_j)$, because $\partial z_j/\partial b = 1$
#   (that line swaps the indices again, $w_{jk}y_j + b_k$);
# - for several training examples the gradients are summed:
#   $\partial C/\partial w_{kj} = -\sum (t_j - y_j)\,y_j(1 - y_j)\,y_k$, and the same for the bias;
# - in matrix form, the gradient of a layer's weight matrix (row $j$, column $k$) is the column of
#   $-(t_j - y_j)\,y_j(1 - y_j)$ values times the row of $y_k$ values.
#
# Since $-(t - y) = y - t$, (4) is the notes' $\delta_k x_j$ with the letters changed.
#
# First, why square the errors. Summed with their signs, an output that is too low and one that
# is too high cancel: a network wrong on both outputs scores 0, like a perfect one. The squares
# cannot cancel. (And the signed sum is useless to descend: its derivative with respect to each
# output is $-1$ whatever the output, so it pushes every output up, never towards its target.)

# %%
t_pair = [1.0, 0.0]
y_pair = [Value(0.5, label="y1"), Value(0.5, label="y2")]          # one too low, one too high
errors = [tj - yj.data for tj, yj in zip(t_pair, y_pair)]
signed = sum((tj - yj for tj, yj in zip(t_pair, y_pair)), Value(0.0))
squared = 0.5 * sum(((tj - yj) ** 2 for tj, yj in zip(t_pair, y_pair)), Value(0.0))
print(f"errors t - y = {errors}: signed sum {signed.data}, C = 1/2 sum (t - y)^2 = {squared.data}")
assert errors == [0.5, -0.5] and signed.data == 0.0        # wrong twice, yet 0: they cancel
assert squared.data == 0.5 * (0.5 ** 2 + 0.5 ** 2) == 0.25
signed.backward()
assert [yj.grad for yj in y_pair] == [-1.0, -1.0]          # d(sum)/dy_j = -1 for both outputs

# %% [markdown]
# Next the sigmoid's derivative. The tutorial derives it in nine lines: it writes
# $\frac{d}{dx}\frac{1}{1 + e^{-x}}$ as $\frac{d}{dx}(1 + e^{-x})^{-1}$, applies the reciprocal rule to
# get $-(1 + e^{-x})^{-2}(-e^{-x}) = \frac{e^{-x}}{(1 + e^{-x})^2}$, splits that into
# $\frac{1}{1 + e^{-x}}\cdot\frac{e^{-x}}{1 + e^{-x}}$, adds and subtracts 1 in the second numerator,
# $\frac{1}{1 + e^{-x}}\cdot\frac{(1 + e^{-x}) - 1}{1 + e^{-x}}
#  = \frac{1}{1 + e^{-x}}\cdot\left(\frac{1 + e^{-x}}{1 + e^{-x}} - \frac{1}{1 + e^{-x}}\right)
#  = \frac{1}{1 + e^{-x}}\cdot\left(1 - \frac{1}{1 + e^{-x}}\right)$, which is
# $\sigma(x)(1 - \sigma(x))$. Each of those expressions, evaluated at a few points, against a
# central finite difference of $\sigma$ (and against the sigmoid's local derivative in the
# engine's op table):

# %%
for s in [-3.0, -0.5, 0.0, 1.3, 4.0]:
    e = math.exp(-s)
    lines = [
        -(1 + e) ** -2 * -e,                    # d/dx (1 + e^-x)^-1, reciprocal rule
        e / (1 + e) ** 2,
        1 / (1 + e) * (e / (1 + e)),            # expanding the terms
        1 / (1 + e) * (((1 + e) - 1) / (1 + e)),  # adding and subtracting 1
        1 / (1 + e) * ((1 + e) / (1 + e) - 1 / (1 + e)),
        1 / (1 + e) * (1 - 1 / (1 + e)),
        sigmoid(s) * (1 - sigmoid(s)),          # sigma (1 - sigma)
    ]
    eps = 1e-6
    numeric = (sigmoid(s + eps) - sigmoid(s - eps)) / (2 * eps)
    for value in lines:
        assert math.isclose(value, lines[-1], rel_tol=1e-14, abs_tol=1e-17)
        assert math.isclose(value, numeric, rel_tol=1e-8)
    assert math.isclose(Value(s).sigmoid().local_grads[0], lines[-1], rel_tol=1e-14)
print(f"all {len(lines)} expressions equal sigma(1 - sigma) and the finite difference")

# %% [markdown]
# The figure's two neurons, with the previous neuron itself fed by an input $x$: $y_k$ is a hidden
# activation here, not an input. The three factors of the chain come out as equations (1), (2) and
# (3), and their product as (4); the bias as (5). Then (3)'s own lines against the engine's
# $\partial C/\partial y_j$: line 2 is twice it, line 3's $-1$ is not it, line 4 is.

# %%
xv = Value(0.7, label="x")
v, c = Value(-1.1, label="v"), Value(0.4, label="c")
yk = (v * xv + c).sigmoid();      yk.label = "y_k"
wkj, bj = Value(0.9, label="w_kj"), Value(-0.3, label="b_j")
zj = wkj * yk + bj;               zj.label = "z_j"
yj = zj.sigmoid();                yj.label = "y_j"
tj = 1.0
C = 0.5 * (tj - yj) ** 2;         C.label = "C"
C.backward()

yk_ref = sigmoid(-1.1 * 0.7 + 0.4)
yj_ref = sigmoid(0.9 * yk_ref - 0.3)
eq1, eq2, eq3 = yk_ref, yj_ref * (1 - yj_ref), -(tj - yj_ref)
ex = explain(C, wkj)
print(ex)
by_name = {(f.upper, f.lower): f.value for f in ex.terms[0].factors}
assert math.isclose(by_name["z_j", "w_kj"], eq1, rel_tol=1e-12)      # (1)
assert math.isclose(by_name["y_j", "z_j"], eq2, rel_tol=1e-12)       # (2)
assert math.isclose(by_name["C", "y_j"], eq3, rel_tol=1e-12)         # (3)
# (3)'s lines: 2 (the 1/2 dropped) is twice dC/dy_j; 3 (-1, inside the chain) is not it; 4 is
assert math.isclose(2 * (tj - yj_ref) * (-1), 2 * yj.grad, rel_tol=1e-12)
assert not math.isclose(-1.0, yj.grad, rel_tol=1e-3)
assert math.isclose(0.5 * 2 * (tj - yj_ref) * (-1), yj.grad, rel_tol=1e-12)
assert math.isclose(wkj.grad, -(tj - yj_ref) * yj_ref * (1 - yj_ref) * yk_ref, rel_tol=1e-12)  # (4)
assert math.isclose(bj.grad, -(tj - yj_ref) * yj_ref * (1 - yj_ref), rel_tol=1e-12)            # (5)

# %% [markdown]
# Equation (4) on the layer above ($y_k$ = the inputs $x_j$, $y_j$ = the outputs $o_k$) gives the
# same numbers as $\delta_k x_j$; and the matrix form is that table turned round: row $j$ (output
# neuron), column $k$ (input) holds the $j$-th $\delta$ times the $k$-th input.

# %%
for k, neuron in enumerate(layer.neurons):
    yj_k = o_layer[k]
    for j in range(3):
        eq4 = -(targets[k] - yj_k) * yj_k * (1 - yj_k) * x_data[j]
        assert math.isclose(neuron.w[j].grad, eq4, rel_tol=1e-12)
grad_matrix = [[p.grad for p in neuron.w] for neuron in layer.neurons]
column = [-(targets[k] - o_layer[k]) * o_layer[k] * (1 - o_layer[k]) for k in range(2)]
outer = [[column[r] * x_data[c] for c in range(3)] for r in range(2)]
for got, want in zip(grad_matrix, outer):
    assert all(math.isclose(g, wv, rel_tol=1e-12) for g, wv in zip(got, want))

# %% [markdown]
# Summing over examples: the cost of a batch is the sum of each example's cost, so its gradient is
# the sum of each example's (4) and (5). Three examples through the same layer:

# %%
batch = [[0.5, -1.5, 2.0], [1.0, 0.0, -0.5], [-0.3, 0.8, 0.1]]
batch_targets = [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
layer.zero_grad()
C = sum((squared_error(layer(xs), ts)[0] for xs, ts in zip(batch, batch_targets)), Value(0.0))
C.backward()
for k, neuron in enumerate(layer.neurons):
    sums_w, sum_b = [0.0] * 3, 0.0
    for xs, ts in zip(batch, batch_targets):
        yj_n = sigmoid(sum(neuron.w[j].data * xs[j] for j in range(3)) + neuron.b.data)
        d = -(ts[k] - yj_n) * yj_n * (1 - yj_n)
        sums_w = [s + d * xs[j] for j, s in enumerate(sums_w)]
        sum_b += d
    for j in range(3):
        assert math.isclose(neuron.w[j].grad, sums_w[j], rel_tol=1e-12)
    assert math.isclose(neuron.b.grad, sum_b, rel_tol=1e-12)
print("batch of 3: every gradient is the sum of the three examples' (4) and (5)")

# %% [markdown]
# ## The penultimate layer
#
# The notes stop at "next we try to derive the gradient propagation method of the penultimate
# layer", adding that every earlier layer then follows "similarly". Here is that step. Put a hidden
# sigmoid layer $h_i = \sigma(\sum_j v_{ji} x_j + c_i)$ under the output layer, whose weights are
# now $w_{ik}$ from $h_i$ to $o_k$. A hidden weight $v_{ji}$ reaches $L$ through $h_i$, and $h_i$
# feeds **every** output $o_k$, so this time the sum over $k$ stays:
#
# $$\frac{\partial L}{\partial v_{ji}} = \sum_k \delta_k\, w_{ik}\; h_i(1 - h_i)\; x_j
#   = \delta^{(h)}_i x_j,\qquad \delta^{(h)}_i = h_i(1 - h_i)\sum_k \delta_k w_{ik}.$$
#
# The same shape as the output layer: a δ at the end node times the input at the start node. Each
# layer's δ is computed from the δ's of the layer above — that recursion is backpropagation.
#
# The whole graph of this 3-4-2 network is too wide to read on a page, and the recursion says
# where to cut it: the output layer needs nothing from below but the numbers $h_1, \dots, h_4$,
# and it hands back $\partial L/\partial h_i$. So we first run the output layer alone on those four
# numbers (the same weights), and draw it.

# %%
net = MLP(3, [4, 2], activation="sigmoid", output_activation="sigmoid", seed=11)
hidden, top = net.layers
h = hidden(x_data)
label_outputs(h, "h")

h_in = [Value(hi.data, label=f"h{i + 1}") for i, hi in enumerate(h)]   # the cut: plain inputs
top_outs = top(h_in)
label_outputs(top_outs, "o")
L_top, _ = squared_error(top_outs, targets)
L_top.backward()
from_above = [hi.grad for hi in h_in]              # dL/dh_i, handed down to the hidden layer

# float64 forward and deltas, by hand
h_ref = [sigmoid(sum(n.w[j].data * x_data[j] for j in range(3)) + n.b.data)
         for n in hidden.neurons]
o_ref2 = [sigmoid(sum(n.w[i].data * h_ref[i] for i in range(4)) + n.b.data)
          for n in top.neurons]
d_out = [(o_ref2[k] - targets[k]) * o_ref2[k] * (1 - o_ref2[k]) for k in range(2)]
d_hid = [h_ref[i] * (1 - h_ref[i]) * sum(d_out[k] * top.neurons[k].w[i].data for k in range(2))
         for i in range(4)]
for i in range(4):        # what reaches h_i: the sum over both outputs of delta_k w_ik
    assert math.isclose(from_above[i], sum(d_out[k] * top.neurons[k].w[i].data for k in range(2)),
                        rel_tol=1e-12)

# %% [markdown]
# The output layer, with the paths from $h_3$ in red: it feeds both output neurons, so two paths
# reach $L$ and its gradient (the blue box `h3`, bottom row of its record) is the sum of two
# products — $\delta_1 w_{31} + \delta_2 w_{32}$.

# %%
draw_dot(L_top, highlight=h_in[2], digits=3)

# %% [markdown]
# Now the whole network, one `backward()`. The hidden layer gets exactly the $\partial L/\partial h_i$
# the output layer handed down, and the recursion's formulas hold for every weight:

# %%
outs = top(h)
label_outputs(outs, "o")
L, _ = squared_error(outs, targets)
net.zero_grad()
L.backward()

for i in range(4):
    assert h[i].grad == from_above[i]                  # the cut changes nothing
for k, n in enumerate(top.neurons):                    # output layer: delta_k * h_i
    for i in range(4):
        assert math.isclose(n.w[i].grad, d_out[k] * h_ref[i], rel_tol=1e-12)
for i, n in enumerate(hidden.neurons):                 # penultimate: delta_i^(h) * x_j
    for j in range(3):
        assert math.isclose(n.w[j].grad, d_hid[i] * x_data[j], rel_tol=1e-12)
    assert math.isclose(n.b.grad, d_hid[i], rel_tol=1e-12)
print("hidden deltas:", [f"{d:+.6f}" for d in d_hid])

# %% [markdown]
# The hidden neuron $h_3$ drawn alone, with the gradients of that one `backward()` of $L$: the
# gradient at its top, $\partial L/\partial h_3$, is the number the output layer handed down;
# below it $h_3(1 - h_3)$ turns it into $\delta^{(h)}_3$ at `z_h3`, and the red path ends at the
# weight $v_{13}$ (`w.0`) with $\delta^{(h)}_3 x_1$.

# %%
v = hidden.neurons[2].w[0]
draw_dot(h[2], highlight=v, rankdir="TB")

# %% [markdown]
# `explain()` on that hidden weight: $h_3$ has two consumers (both outputs), so the explanation
# stops there and writes $\partial L/\partial h_3$ as a factor — the sum over $k$ — derived below
# it, exactly the δ recursion above:

# %%
ex = explain(L, v)
print(ex)
assert math.isclose(v.grad, d_hid[2] * x_data[0], rel_tol=1e-12)
delta_h3 = ex.terms[0].delta                       # the derivation of dL/dh3 below the product
assert math.isclose(delta_h3.grad, from_above[2], rel_tol=1e-12)
assert len(delta_h3.terms) == 2                    # one term per output neuron
for term, k in zip(delta_h3.terms, range(2)):
    assert math.isclose(term.value, d_out[k] * top.neurons[k].w[2].data, rel_tol=1e-12)

# %% [markdown]
# Finally, finite differences on every parameter of the two-layer net at once:

# %%
def two_layer_loss(*p):
    ws = list(p)            # fresh leaves, in named_parameters() order: each neuron's w then b
    hs = []
    for i in range(4):
        wi, bi = ws[i * 4:i * 4 + 3], ws[i * 4 + 3]
        hs.append(sum((wj * xj for wj, xj in zip(wi, x_data)), bi).sigmoid())
    off = 16
    os_ = []
    for k in range(2):
        wk, bk = ws[off + k * 5:off + k * 5 + 4], ws[off + k * 5 + 4]
        os_.append(sum((wj * hj for wj, hj in zip(wk, hs)), bk).sigmoid())
    return 0.5 * sum((ok - tk) ** 2 for ok, tk in zip(os_, targets))

report = gradcheck(two_layer_loss, [Value(p.data, label=name) for name, p in net.named_parameters()])
assert report
for row, (name, p) in zip(report.rows, net.named_parameters()):
    assert math.isclose(row.autodiff, p.grad, rel_tol=1e-12, abs_tol=1e-15), name
print(f"{len(report.rows)} parameters, max |autodiff - numeric| = {report.max_error:.1e}")
