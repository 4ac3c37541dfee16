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
# where the document introduces $\delta_k = (o_k - t_k)\,o_k(1 - o_k)$ and
# $\partial L/\partial w_{jk} = \delta_k x_j$; and the step the document announces but does not
# write out — the penultimate (hidden) layer. The engine's `explain()` writes each derivative as
# a chain-rule product from the graph, shown beside the document's formula.
#
# **Follows:** "GRADIENT OF SINGLE NEURON" and "GRADIENT OF FULLY CONNECTED LAYER" in
# `000_8495f74e1b111f69.txt`; the same derivation in another notation (equations 1–5, weights
# $w_{kj}$ from $y_k$ to $y_j$, cost $C = \frac12\sum_j (t_j - y_j)^2$) in `001_535ec0cb8a4ef9ef.txt`.

# %%
import math

from micrograd import Value, gradcheck
from micrograd.explain import explain
from nn import Layer, Neuron

# %% [markdown]
# ## One sigmoid neuron
#
# $o = \sigma(z)$, $z = \sum_j w_{j1} x_j + b$, $L = \frac12 (o - t)^2$. The document's result is
# $\partial L/\partial w_{j1} = (o_1 - t)\,o_1(1 - o_1)\,x_j$ — it depends only on the output, the
# label and the input on that weight.

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

# float64 reference, independent of the engine
z_ref = sum(wj * xj for wj, xj in zip(w_data, x_data)) + b_data
o_ref = 1 / (1 + math.exp(-z_ref))
for j in range(3):
    closed = (o_ref - t) * o_ref * (1 - o_ref) * x_data[j]
    print(f"dL/dw{j + 1}1 = {w[j].grad:+.6f}   (o - t) o (1 - o) x_{j + 1} = {closed:+.6f}")
    assert math.isclose(w[j].grad, closed, rel_tol=1e-12)
# and the bias, equation (5) of 001_535ec0cb8a4ef9ef.txt: the same product with x_j replaced by 1
assert math.isclose(b.grad, (o_ref - t) * o_ref * (1 - o_ref), rel_tol=1e-12)

# %% [markdown]
# `explain()` reads the same product off the graph. Each factor is a local derivative from the
# op table, written with this graph's names, and its number:

# %%
ex = explain(L, w[1])
print(ex)
assert f"{w[1].grad:.4f}" in str(ex)

# %% [markdown]
# Side by side with the document's factors:
#
# | document | value |
# |---|---|
# | $\partial L/\partial o_1 = o_1 - t$ | the `dL/do1` factor |
# | $\partial o_1/\partial z_1 = \sigma(z_1)(1 - \sigma(z_1)) = o_1(1 - o_1)$ | the `do1/dz1` factor (the sigmoid's local derivative is stored as `out * (1 - out)`) |
# | $\partial z_1/\partial w_{j1} = x_j$ | the `dz1/dw21` factor |

# %%
assert math.isclose(o.local_grads[0], o_ref * (1 - o_ref), rel_tol=1e-12)
assert math.isclose(o.grad, o_ref - t, rel_tol=1e-12)
assert math.isclose(z.grad, (o_ref - t) * o_ref * (1 - o_ref), rel_tol=1e-12)

# %% [markdown]
# ## A fully connected layer: δ_k · x_j
#
# $J = 3$ inputs, $K = 2$ sigmoid outputs, $L = \frac12\sum_k (o_k - t_k)^2$. Each weight $w_{jk}$
# reaches $L$ only through $o_k$, so the sum collapses and
# $\partial L/\partial w_{jk} = \delta_k x_j$ with $\delta_k = (o_k - t_k)\,o_k(1 - o_k)$.
# Here the layer is an `nn.Layer`: neuron $k$ holds $w_{jk}$ as `neurons[k].w[j]`. We label the
# nodes the way the document names them ($z_k$, $o_k$, $L_k$), so `explain()` can use those names.

# %%
def label_outputs(outs, prefix):
    """Name each neuron's output (o1, o2, ...) and its pre-activation (z_o1, ...)."""
    for k, ok in enumerate(outs):
        ok.label = f"{prefix}{k + 1}"
        ok.children[0].label = f"z_{prefix}{k + 1}"

def squared_error(outs, targets):
    terms = []
    for k, (ok, tk) in enumerate(zip(outs, targets)):
        term = 0.5 * (ok - tk) ** 2
        term.label = f"L{k + 1}"
        terms.append(term)
    L = terms[0]
    for term in terms[1:]:
        L = L + term
    L.label = "L"
    return L

layer = Layer(3, 2, activation="sigmoid", seed=3)
targets = [0.0, 1.0]
outs = layer(x_data)
label_outputs(outs, "o")
L = squared_error(outs, targets)
L.backward()

delta = []
for k, neuron in enumerate(layer.neurons):
    zk = sum(wj.data * xj for wj, xj in zip(neuron.w, x_data)) + neuron.b.data
    ok = 1 / (1 + math.exp(-zk))
    delta.append((ok - targets[k]) * ok * (1 - ok))
for k, neuron in enumerate(layer.neurons):
    for j in range(3):
        assert math.isclose(neuron.w[j].grad, delta[k] * x_data[j], rel_tol=1e-12), (j, k)
    assert math.isclose(neuron.b.grad, delta[k], rel_tol=1e-12)
print("delta_k =", [round(d, 6) for d in delta])
print("dL/dw_jk (rows j, columns k):")
for j in range(3):
    print("  " + "  ".join(f"{layer.neurons[k].w[j].grad:+.6f}" for k in range(2))
          + "   = delta_k * x_j =  " + "  ".join(f"{delta[k] * x_data[j]:+.6f}" for k in range(2)))

# %% [markdown]
# In `001_535ec0cb8a4ef9ef.txt`'s notation ($y_k$ the previous layer's activations, $y_j$ the
# outputs, $t_j$ the targets) the same number is equation (4),
# $\partial C/\partial w_{kj} = -(t_j - y_j)\,y_j(1 - y_j)\,y_k$ — identical, since
# $-(t - y) = y - t$. (Two slips in that derivation that do not change the result: it writes
# $\partial z_j/\partial w_{kj} = w_{kj}y_k + b_k = y_k$, the expression where its derivative should
# be, and it indexes the bias $b_k$ by the previous layer — each neuron $j$ has its own $b_j$.)

# %%
for k, neuron in enumerate(layer.neurons):
    yj = outs[k].data
    for j in range(3):
        eq4 = -(targets[k] - yj) * yj * (1 - yj) * x_data[j]
        assert math.isclose(neuron.w[j].grad, eq4, rel_tol=1e-12)

# %% [markdown]
# The layer's `explain()` for one weight. The names are the layer's dotted parameter names:
# `neurons.1.w.2` is the weight from input 2 to neuron 1, counting from 0 (the document's
# $w_{jk}$ with $j = 3$, $k = 2$).

# %%
wt = layer.neurons[1].w[2]
ex = explain(L, wt)
print(ex)
assert math.isclose(wt.grad, delta[1] * x_data[2], rel_tol=1e-12)
assert f"{wt.grad:.4f}" in str(ex)

# %% [markdown]
# ## The penultimate layer
#
# The document stops at "next we try to derive the gradient propagation method of the penultimate
# layer". Put a hidden sigmoid layer $h_i = \sigma(\sum_j v_{ji} x_j + c_i)$ under the output layer.
# A hidden weight $v_{ji}$ reaches $L$ through $h_i$, and $h_i$ feeds **every** output $o_k$, so
# this time the sum over $k$ stays:
#
# $$\frac{\partial L}{\partial v_{ji}} = \sum_k \delta_k\, w_{ik}\; h_i(1 - h_i)\; x_j
#   = \delta^{(h)}_i x_j,\qquad \delta^{(h)}_i = h_i(1 - h_i)\sum_k \delta_k w_{ik}.$$
#
# The same shape as the output layer: a δ at the end node times the input at the start node. Each
# layer's δ is computed from the δ's of the layer above — that recursion is backpropagation.

# %%
from nn import MLP

net = MLP(3, [4, 2], activation="sigmoid", output_activation="sigmoid", seed=11)
hidden, top = net.layers
h = hidden(x_data)
label_outputs(h, "h")
outs = top(h)
label_outputs(outs, "o")
L = squared_error(outs, targets)
L.backward()

# float64 forward and deltas, by hand
def sigm(v):
    return 1 / (1 + math.exp(-v))

h_ref = [sigm(sum(n.w[j].data * x_data[j] for j in range(3)) + n.b.data) for n in hidden.neurons]
o_ref = [sigm(sum(n.w[i].data * h_ref[i] for i in range(4)) + n.b.data) for n in top.neurons]
d_out = [(o_ref[k] - targets[k]) * o_ref[k] * (1 - o_ref[k]) for k in range(2)]
d_hid = [h_ref[i] * (1 - h_ref[i]) * sum(d_out[k] * top.neurons[k].w[i].data for k in range(2))
         for i in range(4)]

for k, n in enumerate(top.neurons):                    # output layer: delta_k * h_i
    for i in range(4):
        assert math.isclose(n.w[i].grad, d_out[k] * h_ref[i], rel_tol=1e-12)
for i, n in enumerate(hidden.neurons):                 # penultimate: delta_i^(h) * x_j
    for j in range(3):
        assert math.isclose(n.w[j].grad, d_hid[i] * x_data[j], rel_tol=1e-12)
    assert math.isclose(n.b.grad, d_hid[i], rel_tol=1e-12)
    assert math.isclose(h[i].grad, sum(d_out[k] * top.neurons[k].w[i].data for k in range(2)),
                        rel_tol=1e-12)
print("hidden deltas:", [f"{d:+.6f}" for d in d_hid])

# %% [markdown]
# `explain()` on a hidden weight: $h_i$ has two consumers (both outputs), so the explanation stops
# there and writes $\partial L/\partial h_i$ as a factor — the sum over $k$ — derived below it, exactly
# the δ recursion above:

# %%
v = hidden.neurons[2].w[0]
ex = explain(L, v)
print(ex)
assert math.isclose(v.grad, d_hid[2] * x_data[0], rel_tol=1e-12)
assert f"{v.grad:.4f}" in str(ex)

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
