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
# # 12. Graduating to PyTorch
#
# **What this covers:** the same network on both sides. We train the two-moons MLP here, carry
# it to PyTorch with `model.to_torch()` (a `torch.nn.Sequential` of `Linear` and `ReLU` modules
# in float64, the same weights), and take one training step on each side: the losses and all 337
# gradients agree to $10^{-12}$, and so do the weights after the update. Then PyTorch trains it
# further, and `MLP.from_torch(net)` brings it back, every weight bit for bit. Last, the other
# way round: a small network that *PyTorch* initialised comes back here so we can draw its graph
# and derive one weight's gradient by the chain rule, checked against PyTorch's autograd.
#
# **Follows:** notebook 8 (the two-moons network trained with `fit`) and notebook 3
# (`explain()` on a layer). karpathy's micrograd lecture ends the same way: it checks the scalar
# engine's numbers against PyTorch, which computes the same math on tensors. PyTorch is the
# optional extra `pip install "micrograd-lab[torch]"`; `import nn` never imports it.

# %%
import math

import torch

from micrograd import draw_dot, explain
from nn import MLP, SGD, batch_loss, data, evaluate, fit, hinge, linear_schedule, mse
from nn.pytorch import parameter_map

TOL = 1e-12


def close(ours: float, theirs: float) -> bool:
    """Equal to 1e-12 (relative for numbers above 1)."""
    return abs(ours - theirs) <= TOL * max(1.0, abs(theirs))


# %% [markdown]
# ## Train here
#
# Notebook 8's setup: 100 two-moons points, `MLP(2, [16, 16, 1])` (ReLU hidden layers, a linear
# score), the hinge loss $\max(0, 1 - y\,s)$ on labels $\pm1$ plus $10^{-4}\sum p^2$, 100
# full-batch SGD steps with learning rate $1.0 - 0.9\,k/100$.

# %%
X, y01 = data.moons(100, noise=0.1, seed=1337)
y = [2 * t - 1 for t in y01]                  # hinge labels: -1 / +1
model = MLP(2, [16, 16, 1], seed=1337)
history = fit(model, X, y, loss=hinge, epochs=100, l2=1e-4, progress=False,
              optimizer=SGD(model.parameters(), lr=linear_schedule(1.0, 0.1, 100)))
print(f"after 100 steps: loss (hinge + L2) {history.final_loss:.6f}, "
      f"accuracy {history.final_accuracy:.0%}")

# %% [markdown]
# ## Move it to PyTorch
#
# Each of our layers becomes one `Linear(nin, nout)`: row $j$ of its `weight` (shape
# `[nout, nin]`) holds neuron $j$'s weights, entry $j$ of its `bias` its bias; the activation
# follows as its own module, and the linear output layer gets none. So our dotted name
# `layers.i.neurons.j.w.k` is `L.weight[j, k]`, where `L` counts the modules before layer $i$'s
# Linear: 0, 2, 4 here, because each ReLU takes a slot. `parameter_map(model)` lists the pairs.

# %%
net = model.to_torch()
print(net)
pairs = parameter_map(model)
for ours, param, index in pairs[:3] + pairs[-2:]:
    print(f"  {ours:24s} ->  {param}[{', '.join(map(str, index))}]")

tparams = dict(net.named_parameters())
assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
assert [tuple(p.shape) for p in net.parameters()] == [(16, 2), (16,), (16, 16), (16,), (1, 16),
                                                      (1,)]
assert all(p.dtype == torch.float64 for p in net.parameters())
# every weight is the same float, exactly (==)
assert all(tparams[param][index].item() == p.data
           for (_, param, index), p in zip(pairs, model.parameters()))
assert sum(p.numel() for p in net.parameters()) == len(pairs) == 337

# %% [markdown]
# ## One step on each side
#
# The objective is the mean hinge loss plus the L2 term, $\frac1{100}\sum_i \max(0, 1 - y_i s_i)
# + 10^{-4}\sum p^2$. Here `batch_loss` builds it as a graph of scalars; in PyTorch we write it
# with tensor ops on all 100 points at once. Then forward, backward, and compare: the loss, and
# each of the 337 gradients under its PyTorch name.

# %%
Xt = torch.tensor(X, dtype=torch.float64)
yt = torch.tensor(y, dtype=torch.float64)


def torch_objective(net) -> torch.Tensor:
    s = net(Xt)[:, 0]                                   # 100 scores
    return torch.relu(1 - yt * s).mean() + 1e-4 * sum((p ** 2).sum() for p in net.parameters())


# forward and backward here
total, _ = batch_loss(model, X, y, hinge, l2=1e-4)
model.zero_grad()
total.backward()
# and in PyTorch
net.zero_grad()
loss_t = torch_objective(net)
loss_t.backward()

grad_diff = max(abs(p.grad - tparams[param].grad[index].item())
                for (_, param, index), p in zip(pairs, model.parameters()))
with torch.no_grad():
    torch_accuracy = ((net(Xt)[:, 0] > 0) == (yt > 0)).double().mean().item()
print(f"loss: ours {total.data:.15f}, PyTorch {loss_t.item():.15f}")
print(f"largest gradient difference over the 337 parameters: {grad_diff:.1e}")
assert close(total.data, loss_t.item())
# fit's numbers for these weights, the ones printed above, are PyTorch's too
assert close(history.final_loss, loss_t.item()) and history.final_accuracy == torch_accuracy
assert all(close(p.grad, tparams[param].grad[index].item())
           for (_, param, index), p in zip(pairs, model.parameters()))

# %% [markdown]
# The same update on each side, $p \leftarrow p - 0.1\,\partial L/\partial p$ (0.1: where the
# schedule stays from step 100 on): our `SGD` and `torch.optim.SGD`.

# %%
SGD(model.parameters(), lr=0.1).step()
torch.optim.SGD(net.parameters(), lr=0.1).step()
weight_diff = max(abs(p.data - tparams[param][index].item())
                  for (_, param, index), p in zip(pairs, model.parameters()))
print(f"largest weight difference after the update: {weight_diff:.1e}")
assert all(close(p.data, tparams[param][index].item())
           for (_, param, index), p in zip(pairs, model.parameters()))

# %% [markdown]
# ## Continue training in PyTorch
#
# From here on it is ordinary PyTorch: 200 more full-batch steps, now with `torch.optim.Adam`
# (learning rate 0.01), which takes the loss well below where SGD left it. The two copies share
# no storage, so our `model` stays where it was.

# %%
before = [p.data for p in model.parameters()]
opt = torch.optim.Adam(net.parameters(), lr=0.01)
start_loss = torch_objective(net).item()
for step in range(200):
    opt.zero_grad()
    loss_t = torch_objective(net)
    loss_t.backward()
    opt.step()
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss_t.item():.6f}")
end_loss = torch_objective(net).item()
print(f"after 200 PyTorch steps: loss {end_loss:.6f} (from {start_loss:.6f})")
assert end_loss < 0.6 * start_loss                # under 0.47 for model seeds 1-5 and 42 too
assert [p.data for p in model.parameters()] == before        # ours did not move

# %% [markdown]
# ## Bring it back
#
# `MLP.from_torch(net)` reads the Sequential back: each Linear a layer, the ReLU after it the
# activation. Every weight comes back as the same float, and our `evaluate` (a plain scalar
# forward pass) gives PyTorch's loss and accuracy.

# %%
trained = MLP.from_torch(net)
print(trained)
assert trained.config() == model.config()
assert all(p.data == tparams[param][index].item()
           for (_, param, index), p in zip(parameter_map(trained), trained.parameters()))

ours_loss, ours_accuracy = evaluate(trained, X, y, hinge, l2=1e-4)
with torch.no_grad():
    torch_accuracy = ((net(Xt)[:, 0] > 0) == (yt > 0)).double().mean().item()
print(f"here:    loss {ours_loss:.12f}, accuracy {ours_accuracy:.0%}")
print(f"PyTorch: loss {end_loss:.12f}, accuracy {torch_accuracy:.0%}")
assert close(ours_loss, end_loss) and ours_accuracy == torch_accuracy

# %% [markdown]
# ## A PyTorch-initialised network, looked at here
#
# PyTorch's `Linear(nin, nout)` draws its weights **and biases** uniformly from
# $[-1/\sqrt{nin},\ 1/\sqrt{nin}]$ (ours start every bias at 0). Take a 2-3-1 tanh network made by
# PyTorch from `torch.manual_seed(0)` and bring it here.

# %%
torch.manual_seed(0)
small = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(),
                            torch.nn.Linear(3, 1)).double()
tiny = MLP.from_torch(small)
print(tiny)
assert (tiny.nouts, tiny.activation, tiny.output_activation) == ([3, 1], "tanh", "linear")
for linear in (small[0], small[2]):
    bound = 1 / math.sqrt(linear.in_features)
    assert all(abs(v) <= bound for v in linear.weight.flatten().tolist()
               + linear.bias.tolist())
assert all(n.b.data != 0 for n in tiny.layers[0].neurons)        # PyTorch's biases came along

# %% [markdown]
# One sample, $x$ = the first moons point with its 0/1 label $t$, and the squared error
# $L = \frac12(o - t)^2$. We name the nodes as we would by hand — $z_i$ and $h_i = \tanh(z_i)$
# for hidden neuron $i$, the output $o$, the loss $L$ — and draw the graph with every path from
# the weight `layers.0.neurons.1.w.0` (PyTorch's `0.weight[1, 0]`: hidden neuron 1, input 0) to
# $L$ in red.

# %%
x, t = X[0], y01[0]
hidden, top = tiny.layers
h = hidden(x)
for i, hi in enumerate(h):
    hi.label = f"h{i}"
    hi.children[0].label = f"z{i}"              # the tanh's input
(o,) = top(h)
o.label = "o"
L = mse([o], t)
L.label = "L"
L.backward()

w = tiny.layers[0].neurons[1].w[0]
assert ("layers.0.neurons.1.w.0", "0.weight", (1, 0)) in parameter_map(tiny)
dot = draw_dot(L, highlight=w)
assert b"<svg" in dot.pipe(format="svg")
dot

# %% [markdown]
# The weight reaches $L$ along one path, so its gradient is one product of local derivatives:
#
# $$\frac{\partial L}{\partial w_{10}} = \frac{\partial L}{\partial o}\cdot
# \frac{\partial o}{\partial h_1}\cdot\frac{\partial h_1}{\partial z_1}\cdot
# \frac{\partial z_1}{\partial w_{10}} = (o - t)\cdot v_1\cdot(1 - h_1^2)\cdot x_0,$$
#
# with $v_1$ the output neuron's weight on $h_1$. `explain()` reads each factor off the graph:

# %%
ex = explain(L, w)
ex

# %% [markdown]
# Each factor against PyTorch: we run the small network's forward pass there, keep $z_1$ and $o$,
# and take $\partial L/\partial w_{10}$ from PyTorch's autograd as `small[0].weight.grad[1, 0]`.

# %%
xt = torch.tensor(x, dtype=torch.float64)
z_t = small[0](xt)                               # the three z_i
o_t = small[2](torch.tanh(z_t))[0]
L_t = 0.5 * (o_t - t) ** 2
L_t.backward()

v1 = small[2].weight[0, 1].item()
h1 = math.tanh(z_t[1].item())
by_hand = [o_t.item() - t, v1, 1 - h1 ** 2, x[0]]
factors = [f.value for f in ex.terms[0].factors]
print("factors here:   ", [f"{v:.4f}" for v in factors])
print("from PyTorch:   ", [f"{v:.4f}" for v in by_hand])
print(f"dL/dw10: here {ex.grad:.12f}, PyTorch autograd {small[0].weight.grad[1, 0].item():.12f}")
assert len(ex.terms) == 1 and len(factors) == 4
assert all(close(a, b) for a, b in zip(factors, by_hand))
assert close(L.data, L_t.item()) and close(o.data, o_t.item())
assert close(ex.grad, small[0].weight.grad[1, 0].item()) and close(w.grad, ex.grad)
assert close(ex.grad, math.prod(by_hand))
assert f"{ex.grad:.4f}" in str(ex)

# %% [markdown]
# And every other gradient of the small network agrees with PyTorch's too:

# %%
sparams = dict(small.named_parameters())
assert all(close(p.grad, sparams[param].grad[index].item())
           for (_, param, index), p in zip(parameter_map(tiny), tiny.parameters()))
print(f"all {len(tiny.parameters())} gradients agree with PyTorch to {TOL:g}")
