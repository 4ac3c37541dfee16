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
# # 5. Stepping through backward
#
# **What this covers:** the backward pass one node at a time. `backward_steps(root)` does exactly
# what `backward()` does, but pauses after each node and reports it: the node, its gradient
# $\partial\,root/\partial\,node$, and what it sends to each operand (local derivative × its gradient).
# `draw_dot(root, step=k)` draws the graph as it is after step $k$, so we can watch the gradients
# fill in from the output back to the inputs. Then the order of the walk through a chain of
# layers, and a small `nn.MLP`, drawn one layer at a time so that each drawing fits the page.
#
# **Follows:** "Step 4: Backward Pass" of the *back-propagation algorithm notes*
# (`000_8495f74e1b111f69.txt`, one of the texts this project checks; it is not in this
# repository, and what we check is restated below): the gradient is computed first at the output
# layer's input, then passed back through each layer by the chain rule.

# %%
import math
import re

from micrograd import Value, backward_order, backward_steps, draw_dot
from nn import MLP

# %% [markdown]
# ## A neuron
#
# karpathy's neuron $o = \tanh(x_1 w_1 + x_2 w_2 + b)$: inputs $x_1 = 2$, $x_2 = 0$, weights
# $w_1 = -3$, $w_2 = 1$ and a bias chosen so that $n = x_1w_1 + x_2w_2 + b = 0.8814$, where
# $\tanh(n) = 1/\sqrt2$ and $\tanh'(n) = 1 - o^2 = 1/2$ — round numbers to follow by hand. The
# drawings run top to bottom, inputs at the top, so they fit the page.

# %%
def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1;  x1w1.label = "x1*w1"
    x2w2 = x2 * w2;  x2w2.label = "x2*w2"
    s = x1w1 + x2w2; s.label = "x1*w1 + x2*w2"
    n = s + b;       n.label = "n"
    o = n.tanh();    o.label = "o"
    return o, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, s=s, n=n, o=o)

o, v = neuron()
assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-12)
draw_dot(o, step=0, rankdir="TB")

# %% [markdown]
# ## The steps
#
# One step per node, consumers before their operands (the order `backward()` uses). An op node
# passes its gradient on along each edge: `operand.grad += local × grad`. The leaves come last;
# they only receive.

# %%
steps = list(backward_steps(o))
for step in steps:
    print(step)

# %%
assert len(steps) == len(backward_order(o)) == 10      # 5 leaves, 5 op results
assert steps[0].node is o and steps[0].grad == 1.0
for step in steps:
    for c in step.contributions:
        assert c.amount == c.local * step.grad        # the chain rule, one edge at a time
# tanh'(n) = 1 - o^2 = 1/2; the two + nodes pass 1/2 on unchanged; * sends the other operand
assert math.isclose(v["n"].grad, 0.5, rel_tol=1e-12)
assert math.isclose(v["b"].grad, 0.5, rel_tol=1e-12)
assert math.isclose(v["x1"].grad, -3.0 * 0.5, rel_tol=1e-12)   # w1 * dO/d(x1*w1)
assert math.isclose(v["w1"].grad, 2.0 * 0.5, rel_tol=1e-12)    # x1 * ...
assert v["w2"].grad == 0.0                                     # x2 = 0: w2 does not matter here
assert math.isclose(v["x2"].grad, 0.5, rel_tol=1e-12)

# %% [markdown]
# Stepping gives bit-for-bit the gradients `backward()` gives on the same graph:

# %%
o2, v2 = neuron()
o2.backward()
for name in v:
    assert v[name].grad == v2[name].grad, name
print({name: v[name].grad for name in v})

# %% [markdown]
# ## The graph after each step
#
# The node of step $k$ and the gradients it sends are drawn in blue; a gradient not final yet is
# grey. Drawing a step does not touch the `.grad` fields (it replays the steps on the side).

# %%
o, v = neuron()
draw_dot(o, step=1, rankdir="TB")   # o has its gradient 1 and has sent 1 - o^2 = 0.5 to n

# %%
dot = draw_dot(o, step=3, rankdir="TB")   # n and then x1*w1 + x2*w2 have passed 0.5 on
assert "grad 0.5000" in dot.source
assert all(node.grad == 0.0 for node in backward_order(o))   # drawing left the graph untouched
dot

# %%
dot = draw_dot(o, step=len(steps), rankdir="TB")   # all steps: what backward() would leave
assert "{ w1 | data -3.0000 | grad 1.0000 }" in dot.source
assert "{ x1 | data 2.0000 | grad -1.5000 }" in dot.source
dot

# %% [markdown]
# With `ipywidgets` installed, a slider steps through the same drawing; without it (as when this
# notebook runs as a test) the cells above show the steps.

# %%
try:
    import ipywidgets as widgets
    from IPython.display import display

    widgets.interact(lambda k: display(draw_dot(o, step=k, rankdir="TB")),
                     k=widgets.IntSlider(min=0, max=len(steps), value=len(steps) // 2))
except ImportError:
    print("ipywidgets is not installed: the steps are shown in the cells above instead")

# %% [markdown]
# ## Layer by layer
#
# **What the notes claim** (their "Step 4"): backward starts by computing the gradient of the loss
# with respect to the output layer's input, then passes it back through each layer in turn, by
# the chain rule, until every weight and bias has its gradient. With one neuron per layer,
# $x \to h_1 \to h_2 \to y$, sigmoid activations, the sums $z_1 = W_1x + b_1$,
# $z_2 = W_2h_1 + b_2$, $z_o = W_oh_2 + b_o$ and $\text{Loss} = \frac12 (y - t)^2$, the walk
# reaches $z_o$ first, with $\partial\text{Loss}/\partial z_o = (y - t)\,y(1 - y)$, then $z_2$, then
# $z_1$; the parameters, leaves, come last. (Notebook 2 checks, factor by factor, the equations the
# notes write for each layer's weights and biases, and the two that are wrong.)

# %%
def sigmoid(s):
    return 1 / (1 + math.exp(-s))

x_in, t = 1.5, 1.0
p = {name: Value(value, label=name)
     for name, value in dict(W1=0.8, b1=0.1, W2=-1.2, b2=0.3, Wo=1.5, bo=-0.2).items()}
z1 = p["W1"] * x_in + p["b1"];  z1.label = "z1"
h1 = z1.sigmoid();              h1.label = "h1"
z2 = p["W2"] * h1 + p["b2"];    z2.label = "z2"
h2 = z2.sigmoid();              h2.label = "h2"
zo = p["Wo"] * h2 + p["bo"];    zo.label = "zo"
y = zo.sigmoid();               y.label = "y"
loss = 0.5 * (y - t) ** 2;      loss.label = "Loss"

walk = list(backward_steps(loss))
order = [step.node.label for step in walk]
print(" -> ".join(label for label in order if label))
assert order.index("zo") < order.index("z2") < order.index("z1") < min(order.index(k) for k in p)

y_ref = sigmoid(1.5 * sigmoid(-1.2 * sigmoid(0.8 * x_in + 0.1) + 0.3) - 0.2)   # float64 by hand
assert math.isclose(zo.grad, (y_ref - t) * y_ref * (1 - y_ref), rel_tol=1e-12)

# %% [markdown]
# ## A small network, one layer per drawing
#
# `MLP(2, [2, 1], activation="tanh")` (a linear output neuron) on one input, with
# $L = \frac12(o - t)^2$. Its graph has $2\times 8$ nodes in the hidden neurons (three parameters,
# two products, two sums, tanh) plus the 2 input numbers (one constant node each, read by both
# hidden neurons), 7 in the output neuron (no activation) and 5 in the loss ($t$, −, square,
# $\frac12$, ×): 30 nodes, so 30 steps.

# %%
model = MLP(2, [2, 1], activation="tanh", seed=0)
x_mlp, t_mlp = [0.5, -1.0], 1.0
hidden_layer, output_layer = model.layers
h = hidden_layer(x_mlp)
for i, hi in enumerate(h):
    hi.label = f"h{i + 1}"
out = output_layer(h)[0];  out.label = "o"
L = 0.5 * (out - t_mlp) ** 2;  L.label = "L"
walk = list(backward_steps(L))
assert len(walk) == len(backward_order(L)) == 2 * 8 + 2 + 7 + 5
stepped = {name: q.grad for name, q in model.named_parameters()}

model.zero_grad()
L.backward()
for name, q in model.named_parameters():
    assert q.grad == stepped[name], name
for step in walk:
    print(step)

# %% [markdown]
# Drawn whole, this graph is more than 1,200 px wide — wider than the page, because the two
# layers end up side by side (the cell below measures it). Backward itself says where to cut it:
# once the output neuron has sent its gradients to $h_1$ and $h_2$, the hidden layer needs nothing
# else from above. So the first drawing is the output
# layer and the loss on their own, fed $h_1$ and $h_2$ as plain numbers (the same weights). Every
# step of its walk is a step of the whole walk, with the same numbers. (Not all of them first:
# the walk takes a node as soon as all its consumers are done, so in the steps printed above it
# goes down into $h_1$'s neuron right after the product $w_0 h_1$, before the output neuron's
# other product.)

# %%
whole_svg = draw_dot(L).pipe(format="svg", encoding="utf-8")
width_pt = float(re.search(r'<svg width="([0-9.]+)pt"', whole_svg).group(1))
print(f"the whole graph: {width_pt * 4 / 3:.0f} px wide")      # 1 pt = 4/3 px
assert width_pt * 4 / 3 > 1200

# %%
h_in = [Value(hi.data, label=hi.label) for hi in h]       # the cut: h1, h2 as inputs
L_top = 0.5 * (output_layer(h_in)[0] - t_mlp) ** 2;  L_top.label = "L"
top_walk = list(backward_steps(L_top))
inner = [step for step in top_walk if step.contributions]   # the output part's op nodes
assert len(inner) == 7          # L's product, the square, the minus, the neuron's 2 sums, 2 products
whole_walk = {(step.node.op, step.node.data): step for step in walk}
for mine in inner:
    whole = whole_walk[mine.node.op, mine.node.data]
    assert mine.grad == whole.grad
    assert [c.amount for c in mine.contributions] == [c.amount for c in whole.contributions]
position = {id(step.node): i for i, step in enumerate(walk)}
second_product = out.children[1]                 # w1 * h2, the output neuron's last term
assert h[1] in second_product.children
assert position[id(h[0])] < position[id(second_product)]
assert [hi.grad for hi in h_in] == [hi.grad for hi in h]    # what the hidden layer is handed
print(f"{len(inner)} op steps, each also in the whole walk; dL/dh = {[round(hi.grad, 4) for hi in h]}")
model.zero_grad()           # the walk added its gradients to the output weights; back to one pass
L.backward()
draw_dot(L_top, step=len(inner), rankdir="TB")

# %% [markdown]
# The drawing stops after those 7 steps: `h1` and `h2` hold the gradients the hidden layer is
# handed (grey only because, as leaves of this drawing, their own steps come last).
#
# Then each hidden neuron on its own, with the gradients after all 30 steps of the whole walk: the
# gradient at its top, $\partial L/\partial h_i$, is the number the output layer handed down, and
# the steps below pass it through tanh ($1 - h_i^2$) and the sums to the weights. Inside the
# dashed box of a neuron, its weighted sum is `z`.

# %%
draw_dot(h[0], rankdir="TB")

# %%
dot = draw_dot(h[1], rankdir="TB")
for hi in h:                # dL/dz = dL/dh * (1 - h^2), and a weight's gradient is that times its input
    neuron_z = hi.children[0]
    assert math.isclose(neuron_z.grad, hi.grad * (1 - hi.data ** 2), rel_tol=1e-12)
for i, nr in enumerate(hidden_layer.neurons):
    for j in range(2):
        assert math.isclose(nr.w[j].grad, h[i].grad * (1 - h[i].data ** 2) * x_mlp[j],
                            rel_tol=1e-12)
dot
