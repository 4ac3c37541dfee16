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
# # 6. XOR
#
# **What this covers:** the documents' 2-4-1 sigmoid network learning XOR with
# $L = \frac12\sum (o - y)^2$ and plain gradient descent in our engine (loss curve, final
# predictions); then the documents' own NumPy code, run as printed, with the engine's gradient next
# to each document's update and the difference; then the deeper 2-[20, 50, 25]-2 example.
#
# **Follows:** the XOR code of `002_909b28b3d0b2318a.txt` (2-4-1, sigmoid output, learning rate
# 0.5), the "HANDS ON" XOR code and "EXAMPLE 2" (2-[20, 50, 25]-2) of `000_8495f74e1b111f69.txt`.
#
# **What we find** (each asserted below):
# - `002_909b28b3d0b2318a.txt` reports the loss `np.mean((predictions - y) ** 2)` but its backward
#   starts from `dZ2 = a2 - y`. For a sigmoid output that is **not** the gradient of the mean squared
#   error (which is $\frac{2}{m}(a_2 - y)\,a_2(1 - a_2)$); it is exactly the gradient of the mean
#   **binary cross-entropy**. Its hidden layer (`sigmoid_derivative(self.a1)`) is right. So the code
#   descends a different loss than the one it prints — it still learns XOR.
# - `000_8495f74e1b111f69.txt`'s XOR code has no sigmoid on the output, so `y - output` *is* the
#   right (negative) gradient of $\frac12\sum(y - o)^2$; but `y` has shape (4,) against an output of
#   shape (4, 1), so `y - output` broadcasts to a 4×4 matrix and the next `dot` fails. With the shape
#   fixed, its update is the exact gradient step with learning rate 1 on the summed loss, and that
#   step is too large: the weights diverge.
# - Its 2-[20, 50, 25]-2 example computes the deltas correctly but updates `weights[i]` with
#   `layer_outputs[i - 1]` and `deltas[i]` — one layer off (for `i = 0` it uses the network's output
#   and `deltas[0] = None`), so it fails on the first sample; `learning_rate` is never used.

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np

from micrograd import Value, gradcheck, no_grad
from nn import MLP, binary_cross_entropy, data, mse, mse_mean

# %matplotlib inline

X, y = data.xor()
print(X, y)

# %% [markdown]
# ## The 2-4-1 network in the engine
#
# Sigmoid hidden and output layers, $L = \frac12\sum_{n}(o_n - y_n)^2$ over the four points, full-batch
# gradient descent $w \leftarrow w - \alpha\,\partial L/\partial w$ with $\alpha = 0.5$ as in
# `002_909b28b3d0b2318a.txt`. Initial weights: uniform in $(-1, 1)$ from a seed.

# %%
model = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
alpha, epochs = 0.5, 4000
losses = []
start = time.perf_counter()
for epoch in range(epochs):
    # forward
    L = sum(mse(model(x), t) for x, t in zip(X, y))
    # backward
    model.zero_grad()
    L.backward()
    # update
    for p in model.parameters():
        p.data -= alpha * p.grad
    losses.append(L.data)
seconds = time.perf_counter() - start
print(f"{epochs} epochs in {seconds:.2f} s; loss {losses[0]:.4f} -> {losses[-1]:.4f}")

with no_grad():
    predictions = [model(x)[0].data for x in X]
for x, t, p in zip(X, y, predictions):
    print(f"{x} target {t:.0f}  predicted {p:.3f}")
assert all(abs(p - t) < 0.1 for p, t in zip(predictions, y))
assert losses[-1] < 0.01 < losses[0]

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(losses)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("L = 1/2 sum (o - y)^2")
ax.set_title("XOR, 2-4-1 sigmoid network, gradient descent (alpha 0.5)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## `002_909b28b3d0b2318a.txt`: which loss does its backward descend?
#
# The class below is the document's code with one change: the weights are drawn from a seeded
# generator (`rng.standard_normal` for `np.random.randn`) so the notebook is reproducible.

# %%
class NeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size, rng):
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.W1 = rng.standard_normal((hidden_size, input_size))
        self.b1 = np.zeros((hidden_size, 1))
        self.W2 = rng.standard_normal((output_size, hidden_size))
        self.b2 = np.zeros((output_size, 1))

    def sigmoid(self, x):
        return 1/(1 + np.exp(-x))

    def sigmoid_derivative(self, x):
        return x * (1 - x)

    def forward(self, X):
        self.z1 = np.dot(self.W1, X) + self.b1
        self.a1 = self.sigmoid(self.z1)
        self.z2 = np.dot(self.W2, self.a1) + self.b2
        self.a2 = self.sigmoid(self.z2)
        return self.a2

    def backward(self, X, y, learning_rate):
        m = X.shape[1]
        dZ2 = self.a2 - y
        dW2 = (1 / m) * np.dot(dZ2, self.a1.T)
        db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
        dZ1 = np.dot(self.W2.T, dZ2) * self.sigmoid_derivative(self.a1)
        dW1 = (1 / m) * np.dot(dZ1, X.T)
        db1 = (1/m) * np.sum(dZ1, axis=1, keepdims=True)
        self.W2 -= learning_rate * dW2
        self.b2 -= learning_rate * db2
        self.W1 -= learning_rate * dW1
        self.b1 -= learning_rate * db1

    def train(self, X, y, epochs, learning_rate):
        for epoch in range(epochs):
            predictions = self.forward(X)
            loss = np.mean((predictions - y) ** 2)
            self.backward(X, y, learning_rate)
            if epoch % 100 == 0:
                print(f"Epoch {epoch}, Loss: {loss:.4f}")

    def predict(self, X):
        return self.forward(X)

Xd = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]).T
yd = np.array([[0, 1, 1, 0]])
net = NeuralNetwork(2, 4, 1, np.random.default_rng(0))

# %% [markdown]
# Copy its initial weights into an engine `MLP` (neuron $k$ of a layer holds row $k$ of `W`), and
# compute, with the engine, the gradient of the loss the document prints (`np.mean` of squares,
# `mse_mean` over the batch) and of the mean binary cross-entropy. Then take the document's
# `dW2, db2, dW1, db1` — its `backward` with `learning_rate = 1` changes each weight by exactly
# minus its gradient.

# %%
def copy_into_mlp(net):
    model = MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid")
    for layer, W, b in ((model.layers[0], net.W1, net.b1), (model.layers[1], net.W2, net.b2)):
        for k, neuron in enumerate(layer.neurons):
            for j, w in enumerate(neuron.w):
                w.data = float(W[k, j])
            neuron.b.data = float(b[k, 0])
    return model

def engine_grads(model, loss_of):
    model.zero_grad()
    outs = [model(x)[0] for x in X]
    total = sum(loss_of(o, t) for o, t in zip(outs, y)) * (1 / len(X))
    total.backward()
    W2 = np.array([[w.grad for w in model.layers[1].neurons[0].w]])
    W1 = np.array([[w.grad for w in n.w] for n in model.layers[0].neurons])
    return total.data, W1, W2

def document_step(net):
    """dW1, dW2 as the document's backward computes them (the change is -1 x these)."""
    before = net.W1.copy(), net.b1.copy(), net.W2.copy(), net.b2.copy()
    net.forward(Xd)
    net.backward(Xd, yd, 1.0)
    dW1, dW2 = before[0] - net.W1, before[2] - net.W2
    net.W1, net.b1, net.W2, net.b2 = before     # undo: the network keeps its initial weights
    return dW1, dW2

model = copy_into_mlp(net)
mse_value, mse_W1, mse_W2 = engine_grads(model, lambda o, t: mse_mean([o], [t]))
bce_value, bce_W1, bce_W2 = engine_grads(model, binary_cross_entropy)
doc_W1, doc_W2 = document_step(net)

# the engine's forward pass is the document's
assert math.isclose(mse_value, float(np.mean((net.forward(Xd) - yd) ** 2)), rel_tol=1e-12)
np.set_printoptions(precision=5, suppress=True)
print("dL/dW2, document's update:      ", doc_W2)
print("dL/dW2, engine, mean BCE:       ", bce_W2)
print("dL/dW2, engine, mean (o - y)^2: ", mse_W2)
print("difference document - MSE gradient:", doc_W2 - mse_W2)
assert np.allclose(doc_W2, bce_W2, rtol=1e-10, atol=1e-14)
assert np.allclose(doc_W1, bce_W1, rtol=1e-10, atol=1e-14)
assert not np.allclose(doc_W2, mse_W2, rtol=0.05)

# %% [markdown]
# Per sample, the document's $dZ_2 = a_2 - y$ and the MSE gradient $2(a_2 - y)\,a_2(1 - a_2)$ differ
# by the factor $2a_2(1 - a_2) \le \frac12$ — the sigmoid's derivative, which cross-entropy cancels.
# `gradcheck` confirms the engine's BCE gradient against finite differences:

# %%
def doc_loss_bce(*w):
    total = 0
    for x, t in zip(X, y):
        h = [(w[k * 3 + 2] + w[k * 3] * x[0] + w[k * 3 + 1] * x[1]).sigmoid() for k in range(4)]
        o = (w[16] + sum(w[12 + k] * h[k] for k in range(4))).sigmoid()
        total = total + binary_cross_entropy(o, t)
    return total * 0.25

leaves = [Value(p.data, label=name) for name, p in model.named_parameters()]
report = gradcheck(doc_loss_bce, leaves)
assert report
w2_rows = [r for r in report.rows if r.name.startswith("layers.1") and ".w." in r.name]
assert np.allclose([r.autodiff for r in w2_rows], doc_W2[0], rtol=1e-10)
print(report)

# %% [markdown]
# Trained as printed (10,000 epochs, learning rate 0.5; the document prints every 100th loss, we
# print only the last), it does learn XOR — it is gradient descent, on cross-entropy:

# %%
net = NeuralNetwork(2, 4, 1, np.random.default_rng(0))
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()) as printed:
    net.train(Xd, yd, 10000, 0.5)
print(printed.getvalue().splitlines()[-1])
doc_predictions = net.predict(Xd)[0]
print("Predictions:", doc_predictions)
assert np.all(np.abs(doc_predictions - yd[0]) < 0.1)

# %% [markdown]
# ## `000_8495f74e1b111f69.txt`, "HANDS ON": the XOR code as printed
#
# Copied unchanged, except for seeding NumPy's generator.

# %%
def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_derivative(x):
    return x * (1 - x)

class NeuralNetwork000:
    def __init__(self, input_size, hidden_size, output_size):
        self.weights_input_hidden = np.random.rand(input_size, hidden_size)
        self.bias_hidden = np.zeros((1, hidden_size))
        self.weights_hidden_output = np.random.rand(hidden_size, output_size)
        self.bias_output = np.zeros((1, output_size))

    def forward(self, x):
        self.hidden_input = np.dot(x, self.weights_input_hidden) + self.bias_hidden
        self.hidden_output = sigmoid(self.hidden_input)
        self.output = np.dot(self.hidden_output, self.weights_hidden_output) + self.bias_output
        return self.output

    def backward(self, x, y, output):
        self.output_error = y - output
        self.output_delta = self.output_error
        self.hidden_error = self.output_delta.dot(self.weights_hidden_output.T)
        self.hidden_delta = self.hidden_error * sigmoid_derivative(self.hidden_output)
        self.weights_hidden_output += self.hidden_output.T.dot(self.output_delta)
        self.weights_input_hidden += x.T.dot(self.hidden_delta)
        self.bias_output += np.sum(self.output_delta, axis=0)
        self.bias_hidden += np.sum(self.hidden_delta, axis=0)

    def train(self, x, y, epochs):
        for _ in range(epochs):
            output = self.forward(x)
            self.backward(x, y, output)

X0 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y0 = np.array([0, 1, 1, 0])
np.random.seed(0)
nn000 = NeuralNetwork000(2, 4, 1)
print("output shape", nn000.forward(X0).shape, "- y shape", y0.shape,
      "- y - output shape", (y0 - nn000.forward(X0)).shape)
try:
    nn000.train(X0, y0, 10000)
    raise AssertionError("expected the shapes to fail")
except ValueError as err:
    print("train fails:", err)

# %% [markdown]
# With `y` as a column, `(4, 1)`, the code runs. Its output is linear, so for
# $L = \frac12\sum_n (y_n - o_n)^2$ the update `y - output` is exactly $-\partial L/\partial o$, and each
# weight changes by exactly $-1 \times \partial L/\partial w$: gradient descent with learning rate 1.
# The engine, on the same weights, agrees to rounding:

# %%
np.random.seed(0)
nn000 = NeuralNetwork000(2, 4, 1)
W_ih, W_ho = nn000.weights_input_hidden.copy(), nn000.weights_hidden_output.copy()

lin = MLP(2, [4, 1], activation="sigmoid", output_activation="linear")
for k, neuron in enumerate(lin.layers[0].neurons):
    neuron.w[0].data, neuron.w[1].data = W_ih[0, k], W_ih[1, k]
for j, w in enumerate(lin.layers[1].neurons[0].w):
    w.data = W_ho[j, 0]
L = sum(mse(lin(x), t) for x, t in zip(X, y))
L.backward()

nn000.backward(X0, y0.reshape(-1, 1), nn000.forward(X0))
doc_change_ho = nn000.weights_hidden_output - W_ho
doc_change_ih = nn000.weights_input_hidden - W_ih
eng_ho = np.array([[w.grad] for w in lin.layers[1].neurons[0].w])
eng_ih = np.array([[n.w[j].grad for n in lin.layers[0].neurons] for j in range(2)])
print("document's change of weights_hidden_output:", doc_change_ho.ravel())
print("engine's -dL/dw:                           ", -eng_ho.ravel())
assert np.allclose(doc_change_ho, -eng_ho, rtol=1e-10, atol=1e-14)
assert np.allclose(doc_change_ih, -eng_ih, rtol=1e-10, atol=1e-14)

# %% [markdown]
# But with no learning rate the step is $\alpha = 1$ on a loss summed over the batch, too large for
# these weights: training as written (shapes fixed) diverges. The same code with $\alpha = 0.1$
# (`+= 0.1 * ...`) learns XOR, and so does the engine with $\alpha = 0.1$ from the same start.

# %%
np.random.seed(0)
nn000 = NeuralNetwork000(2, 4, 1)
with np.errstate(over="ignore", invalid="ignore"):
    nn000.train(X0, y0.reshape(-1, 1), 10000)
    diverged = nn000.forward(X0).ravel()
print("as written (learning rate 1):", diverged)
assert not np.all(np.isfinite(diverged)) or np.any(np.abs(diverged - y0) > 0.5)

for p in lin.parameters():                     # back to the same start, biases 0
    p.grad = 0.0
for k, neuron in enumerate(lin.layers[0].neurons):
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = W_ih[0, k], W_ih[1, k], 0.0
for j, w in enumerate(lin.layers[1].neurons[0].w):
    w.data = W_ho[j, 0]
lin.layers[1].neurons[0].b.data = 0.0
for epoch in range(3000):
    L = sum(mse(lin(x), t) for x, t in zip(X, y))
    lin.zero_grad()
    L.backward()
    for p in lin.parameters():
        p.data -= 0.1 * p.grad
with no_grad():
    lin_predictions = [lin(x)[0].data for x in X]
print("engine, alpha 0.1, 3000 epochs:", np.round(lin_predictions, 3), f"loss {L.data:.5f}")
assert all(abs(p - t) < 0.1 for p, t in zip(lin_predictions, y))

# %% [markdown]
# ## `000_8495f74e1b111f69.txt`, "EXAMPLE 2": 2-[20, 50, 25]-2
#
# The class as printed (seeded). `forward` stores the four layer outputs (hidden 20, 50, 25 and the
# output 2 — not the input). `backward` computes `deltas[4]` (output) down to `deltas[1]` (first
# hidden layer) correctly, then updates `weights[i]` with `layer_outputs[i - 1]` and `deltas[i]`.

# %%
class NeuralNetworkDeep:
    def __init__(self, input_size, hidden_sizes, output_size):
        self.input_size = input_size
        self.hidden_sizes = hidden_sizes
        self.output_size = output_size
        self.num_layers = len(hidden_sizes) + 2
        self.weights = [np.random.rand(input_size, hidden_sizes[0])]
        self.biases = [np.zeros((1, hidden_sizes[0]))]
        for i in range(len(hidden_sizes) - 1):
            self.weights.append(np.random.rand(hidden_sizes[i], hidden_sizes[i+1]))
            self.biases.append(np.zeros((1, hidden_sizes[i+1])))
        self.weights.append(np.random.rand(hidden_sizes[-1], output_size))
        self.biases.append(np.zeros((1, output_size)))

    def forward(self, x):
        self.layer_outputs = []
        input_layer = x
        for i in range(self.num_layers - 1):
            weighted_sum = np.dot(input_layer, self.weights[i]) + self.biases[i]
            layer_output = sigmoid(weighted_sum)
            self.layer_outputs.append(layer_output)
            input_layer = layer_output
        return input_layer

    def backward(self, x, y, output):
        deltas = [None] * self.num_layers
        error = y - output
        delta = error * sigmoid_derivative(output)
        deltas[-1] = delta
        for i in range(self.num_layers - 2, 0, -1):
            error = deltas[i + 1].dot(self.weights[i].T)
            delta = error * sigmoid_derivative(self.layer_outputs[i - 1])
            deltas[i] = delta
        self.deltas = deltas                      # (added: keep them to compare below)
        for i in range(self.num_layers - 1):
            self.weights[i] += self.layer_outputs[i - 1].T.dot(deltas[i])
            self.biases[i] += np.sum(deltas[i], axis=0)

    def train(self, X, y, epochs, learning_rate):
        for epoch in range(epochs):
            for i in range(len(X)):
                x = X[i]
                target = y[i]
                output = self.forward(x)
                self.backward(x, target, output)

Y2 = np.array([[0, 1], [1, 0], [1, 0], [0, 1]])
np.random.seed(0)
deep = NeuralNetworkDeep(2, [20, 50, 25], 2)
start_weights = [W.copy() for W in deep.weights]
try:
    deep.train(X0, Y2, 10000, 0.1)
    raise AssertionError("expected the update to fail")
except TypeError as err:
    print("train fails on the first sample:", err)
print("shapes of layer_outputs:", [o.shape for o in deep.layer_outputs])
print("weights[0] would be updated with layer_outputs[-1] (the output, shape (1, 2))"
      " and deltas[0] =", deep.deltas[0])

# %% [markdown]
# The deltas are right: the engine's $\partial L/\partial z$ for each layer, with
# $L = \frac12\sum_k (y_k - o_k)^2$ on that sample, is exactly $-$`deltas[i + 1]` for `weights[i]`'s
# outputs. The fix is to pair `weights[i]` with its own input and its own output's delta, and to use
# the learning rate:
#
# ```python
# inputs = [np.atleast_2d(x)] + self.layer_outputs[:-1]
# for i in range(self.num_layers - 1):
#     self.weights[i] += learning_rate * inputs[i].T.dot(deltas[i + 1])
#     self.biases[i] += learning_rate * np.sum(deltas[i + 1], axis=0)
# ```

# %%
deep_model = MLP(2, [20, 50, 25, 2], activation="sigmoid", output_activation="sigmoid")
for layer, W in zip(deep_model.layers, start_weights):
    for k, neuron in enumerate(layer.neurons):
        for j, w in enumerate(neuron.w):
            w.data = float(W[j, k])

x_first, y_first = X[0], [0.0, 1.0]

# the engine's dL/dz per layer, read off the sigmoid nodes' operands
def layer_outputs_of(model, x):
    outs_per_layer, h = [], x
    for layer in model.layers:
        h = layer(h)
        outs_per_layer.append(h)
    return outs_per_layer

np.random.seed(0)
check = NeuralNetworkDeep(2, [20, 50, 25], 2)
out = check.forward(X0[0])
try:
    check.backward(X0[0], Y2[0], out)
except TypeError:
    pass                                   # the deltas were computed before the failing update
per_layer = layer_outputs_of(deep_model, x_first)
L = mse(per_layer[-1], y_first)
deep_model.zero_grad()
L.backward()
for i, outs_i in enumerate(per_layer):
    dz = np.array([[o.children[0].grad for o in outs_i]])     # sigmoid(z): child 0 is z
    assert np.allclose(-dz, check.deltas[i + 1], rtol=1e-9, atol=1e-300), i
print("deltas[1..4] = -dL/dz of layers 1..4, as the engine computes them")

# the corrected update equals one engine gradient step, for every weight
lr = 0.1
inputs = [np.atleast_2d(X0[0])] + check.layer_outputs[:-1]
for i, layer in enumerate(deep_model.layers):
    corrected = start_weights[i] + lr * inputs[i].T.dot(check.deltas[i + 1])
    engine = np.array([[layer.neurons[k].w[j].data - lr * layer.neurons[k].w[j].grad
                        for k in range(len(layer.neurons))] for j in range(len(layer.neurons[0].w))])
    assert np.allclose(corrected, engine, rtol=1e-12, atol=1e-15), i
print("corrected update == w - lr * dL/dw from the engine, all", sum(W.size for W in start_weights),
      "weights")

# %% [markdown]
# Finite differences on a few weights of each layer. Here the document's all-positive weights
# saturate every sigmoid (next section), so its gradients are ~1e-18 and a finite difference cannot
# resolve them; we check on zero-centred weights (`init="normal"`) and the input (1, 1) instead.
# (The whole net has 2,437 parameters; checking them all would take too long for a notebook.)

# %%
probe = MLP(2, [20, 50, 25, 2], activation="sigmoid", output_activation="sigmoid",
            init="normal", seed=1)
x_probe, t_probe = X[3], [0.0, 1.0]
L = mse(probe(x_probe), t_probe)
L.backward()
picked = [(0, 3, 1), (1, 17, 5), (2, 20, 40), (3, 1, 24)]     # (layer, neuron, weight index)

def probe_loss(*ws):
    saved = []
    for (i, k, j), w in zip(picked, ws):
        neuron = probe.layers[i].neurons[k]
        saved.append(neuron.w[j])
        neuron.w[j] = w                    # put the gradcheck's leaf in place of the weight
    try:
        return mse(probe(x_probe), t_probe)
    finally:
        for (i, k, j), w in zip(picked, saved):
            probe.layers[i].neurons[k].w[j] = w

report = gradcheck(probe_loss, [Value(probe.layers[i].neurons[k].w[j].data,
                                      label=f"layers.{i}.neurons.{k}.w.{j}") for i, k, j in picked])
print(report)
assert report
for row, (i, k, j) in zip(report.rows, picked):
    assert math.isclose(row.autodiff, probe.layers[i].neurons[k].w[j].grad, rel_tol=1e-12)

# %% [markdown]
# ### Why this network does not learn XOR quickly
#
# `np.random.rand` draws every weight from $[0, 1)$, all positive. Sums of 20 or 50 positive terms
# push every sigmoid to ≈ 1: the output is ≈ (1, 1) for every input and the output deltas
# $(y - o)\,o(1 - o)$ are ≈ 0. The gradients reaching the first layer are tiny:

# %%
outs = deep_model(x_probe)                 # input (1, 1), so no input is 0
L = mse(outs, t_probe)
deep_model.zero_grad()
L.backward()
print("output for (1, 1):", [round(o.data, 6) for o in outs])
first = max(abs(w.grad) for n in deep_model.layers[0].neurons for w in n.w)
last = max(abs(w.grad) for n in deep_model.layers[-1].neurons for w in n.w)
print(f"largest |dL/dw|: first layer {first:.2e}, last layer {last:.2e}")
assert all(o.data > 0.99 for o in outs)
assert first < 1e-4 and last < 1e-2

# %% [markdown]
# With zero-centred weights (`init="normal"`, std $n_{in}^{-1/2}$) the units are not saturated, but a
# four-layer sigmoid network still sits on a plateau for a long time on XOR. To keep this notebook
# fast we run only 30 epochs of per-sample gradient descent (learning rate 0.5) in the engine —
# enough to watch the loss move, not to learn XOR (the 2-4-1 network above does that).

# %%
deep_model = MLP(2, [20, 50, 25, 2], activation="sigmoid", output_activation="sigmoid",
                 init="normal", seed=0)
onehot = [[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
epoch_loss = []
start = time.perf_counter()
for epoch in range(30):
    total = 0.0
    for x, t in zip(X, onehot):
        L = mse(deep_model(x), t)
        deep_model.zero_grad()
        L.backward()
        for p in deep_model.parameters():
            p.data -= 0.5 * p.grad
        total += L.data
    epoch_loss.append(total)
seconds = time.perf_counter() - start
print(f"{len(deep_model.parameters())} parameters; 30 epochs in {seconds:.1f} s; "
      f"loss per epoch {epoch_loss[0]:.4f} -> {epoch_loss[-1]:.4f}")
assert len(deep_model.parameters()) == 2 * 20 + 20 + 20 * 50 + 50 + 50 * 25 + 25 + 25 * 2 + 2
assert epoch_loss[-1] < epoch_loss[0]
