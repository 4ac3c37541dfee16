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
# fill in from the output back to the inputs. With `ipywidgets` installed the last section gets a
# slider; without it (as when this notebook runs as a test) the steps are shown cell by cell.
#
# **Follows:** "Step 4: Backward Pass" and "CHAIN RULE IN GRADIENT PROPAGATION" of
# `000_8495f74e1b111f69.txt` ("Propagate this gradient backward through each layer ... using the
# chain rule") on a single neuron $o = \tanh(x_1 w_1 + x_2 w_2 + b)$, then on a small `nn.MLP`.

# %%
import math

from micrograd import Value
from micrograd.engine import backward_order
from micrograd.graph import draw_dot
from micrograd.steps import backward_steps

# %% [markdown]
# ## A neuron
#
# Inputs $x_1 = 2$, $x_2 = 0$, weights $w_1 = -3$, $w_2 = 1$ and a bias chosen so that
# $n = x_1w_1 + x_2w_2 + b = 0.8814$, where $\tanh(n) = 1/\sqrt2$ and $\tanh'(n) = 1 - o^2 = 1/2$ —
# round numbers to follow by hand.

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
draw_dot(o, step=0)

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
assert len(steps) == len(backward_order(o)) == 10
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
# The node of step $k$ and the gradients it sends are drawn in blue. Drawing a step does not touch
# the `.grad` fields (it replays the steps on the side).

# %%
o, v = neuron()
draw_dot(o, step=1)                 # o has its gradient 1 and has sent 1 - o^2 = 0.5 to n

# %%
dot = draw_dot(o, step=3)           # n and then x1*w1 + x2*w2 have passed 0.5 on
assert "grad 0.5000" in dot.source
assert all(node.grad == 0.0 for node in backward_order(o))   # drawing left the graph untouched
dot

# %%
dot = draw_dot(o, step=len(steps))  # all steps: the gradients backward() would leave
assert "{ w1 | data -3.0000 | grad 1.0000 }" in dot.source
assert "{ x1 | data 2.0000 | grad -1.5000 }" in dot.source
dot

# %% [markdown]
# ## A small network, with a slider
#
# `MLP(2, [2, 1], activation="tanh")` on one input with $L = \frac12(o - t)^2$: 32 nodes, so 32
# steps (each input number is one constant node that both first-layer neurons read). The parameters are clustered by neuron in the drawing.

# %%
from nn import MLP, mse

model = MLP(2, [2, 1], activation="tanh", seed=0)
loss = mse(model([0.5, -1.0]), 1.0)
loss.label = "L"
nodes = backward_order(loss)
walk = list(backward_steps(loss))
assert len(walk) == len(nodes) == 32
stepped = {name: p.grad for name, p in model.named_parameters()}

model.zero_grad()
loss.backward()
for name, p in model.named_parameters():
    assert p.grad == stepped[name], name
print(f"{len(walk)} steps; parameter gradients equal backward()'s:")
for name, g in stepped.items():
    print(f"  {name:22} {g:+.6f}")

# %%
try:
    import ipywidgets as widgets
    from IPython.display import display

    widgets.interact(lambda k: display(draw_dot(loss, step=k)),
                     k=widgets.IntSlider(min=0, max=len(walk), value=len(walk) // 2))
    have_slider = True
except ImportError:
    have_slider = False
    print("ipywidgets is not installed: the steps are shown in the cells below instead")

# %%
k = 4
print(walk[k - 1])
draw_dot(loss, step=k)

# %%
k = len(walk)
print(f"after all {k} steps")
draw_dot(loss, step=k)
