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
# # 7. The 10×5 binary table
#
# **What this covers:** the document's 5-10-1 sigmoid network on its table of 10 rows of 5 binary
# features, learning rate 0.1, 1000 epochs. We run its NumPy code as printed, compare its
# hand-written update rule with the engine's gradients from the same weights, and then train the
# same network with `nn`.
#
# **Follows:** "Implementing with Python" and "Training the network" of `001_535ec0cb8a4ef9ef.txt`.
#
# **What we find** (asserted below):
# - `sigmoid_derivative(Z)` is written for a pre-activation ($\sigma(Z)(1 - \sigma(Z))$) but is called
#   with `yj` and `hidden_outputs`, which are already activations. So the code multiplies by
#   $\sigma(y)(1 - \sigma(y))$ instead of $y(1 - y)$ — a "double sigmoid". Its updates are not the
#   gradient of its cost, and not proportional to it.
# - `hidden_errors = np.dot(self.who.T, output_errors)` sends the raw error $y - t$ back to the
#   hidden layer; the chain rule sends the output's δ, $(y - t)\,y(1 - y)$. So the hidden-layer update
#   misses the output sigmoid's derivative altogether (and then applies the double sigmoid). From the
#   seeded start below, the output-layer update is within a few percent of the gradient, while the
#   hidden-layer update is 4 to over 200 times the gradient, entry by entry.
# - The biases start as the scalar 0 and are updated with per-sample terms, with no sum over the
#   batch: after one step `bho` is a 1×10 matrix and `bih` a 10×10 matrix — one bias per training
#   row, not per neuron. The trained network then cannot be applied to a single new row as intended.
# - The network still learns the table (the update direction is close enough), as the document shows.

# %%
import contextlib
import io
import math
import time

import matplotlib.pyplot as plt
import numpy as np

from micrograd import Value, gradcheck, no_grad
from nn import MLP, SGD, data, evaluate, fit, mse

# %matplotlib inline

# %% [markdown]
# The table and targets, as printed in the document (also `nn.data.table()`):

# %%
table = np.array([[0, 0, 1, 0, 1], [1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [0, 1, 1, 1, 0],
                  [1, 0, 0, 1, 1], [0, 1, 0, 0, 1], [1, 1, 0, 1, 0], [0, 0, 0, 1, 0],
                  [1, 0, 0, 0, 1], [0, 1, 1, 0, 1]])
target = np.array([[0], [1], [1], [0], [1], [0], [1], [0], [1], [1]])
X, y = data.table()
assert np.array_equal(np.array(X), table) and np.array_equal(np.array(y), target[:, 0])

# %% [markdown]
# ## The document's code
#
# Copied unchanged (the article prints it on one line; here it is re-indented), with NumPy's
# generator seeded.

# %%
class NN:
    def __init__(self, input_neurons, hidden_neurons, output_neurons, learning_rate, epochs):
        self.input_neurons = input_neurons
        self.hidden_neurons = hidden_neurons
        self.output_neurons = output_neurons
        self.epochs = epochs
        self.wih = np.random.normal(0.0, pow(self.input_neurons, -0.5), (self.hidden_neurons, self.input_neurons))
        self.bih = 0
        self.who = np.random.normal(0.0, pow(self.hidden_neurons, -0.5), (self.output_neurons, self.hidden_neurons))
        self.bho = 0
        self.lr = learning_rate

    def activation(self, Z):
        return 1.0/(1.0 + np.exp(-Z))

    def sigmoid_derivative(self, Z):
        return self.activation(Z) * (1 - self.activation(Z))

    def forward(self, input_list):
        inputs = np.array(input_list, ndmin=2).T
        hidden_inputs = np.dot(self.wih, inputs) + self.bih
        hidden_outputs = self.activation(hidden_inputs)
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        final_outputs = self.activation(final_inputs)
        return final_outputs

    def backprop(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        tj = np.array(targets_list, ndmin=2).T
        hidden_inputs = np.dot(self.wih, inputs) + self.bih
        hidden_outputs = self.activation(hidden_inputs)
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        yj = self.activation(final_inputs)
        output_errors = -(tj - yj)
        hidden_errors = np.dot(self.who.T, output_errors)
        self.who -= self.lr * np.dot((output_errors * self.sigmoid_derivative(yj)), np.transpose(hidden_outputs))
        self.wih -= self.lr * np.dot((hidden_errors * self.sigmoid_derivative(hidden_outputs)), np.transpose(inputs))
        self.bho -= self.lr * (output_errors * self.sigmoid_derivative(yj))
        self.bih -= self.lr * (hidden_errors * self.sigmoid_derivative(hidden_outputs))
        pass

    def fit(self, inputs_list, targets_list):
        for epoch in range(self.epochs):
            self.backprop(inputs_list, targets_list)
            print(f"Epoch {epoch}/{self.epochs} completed.")

    def predict(self, X):
        outputs = self.forward(X).T
        return outputs

# %% [markdown]
# `inputs = np.array(data, ndmin=2).T` is 5×10: the code trains on the whole table at once, one
# column per row. Note `tj` is then 1×10 — `targets_list` is 10×1, so `.T` gives the right shape.

# %%
np.random.seed(0)
doc = NN(table.shape[1], 10, 1, 0.1, 1000)
wih0, who0 = doc.wih.copy(), doc.who.copy()

# %% [markdown]
# ## One step: the document's update against the engine's gradient
#
# The document's cost is $C = \frac12\sum_j (t_j - y_j)^2$, and its matrix update sums over the ten
# rows, so the gradient it should subtract (times $\eta = 0.1$) is that of
# $C = \frac12\sum_{n=1}^{10}(t_n - y_n)^2$. Build the same network in the engine with the same
# weights (biases 0) and compute that gradient:

# %%
model = MLP(5, [10, 1], activation="sigmoid", output_activation="sigmoid")
for k, neuron in enumerate(model.layers[0].neurons):
    for j, w in enumerate(neuron.w):
        w.data = float(wih0[k, j])
for j, w in enumerate(model.layers[1].neurons[0].w):
    w.data = float(who0[0, j])

C = sum(mse(model(x), t) for x, t in zip(X, y))
C.backward()
grad_who = np.array([[w.grad for w in model.layers[1].neurons[0].w]])
grad_wih = np.array([[w.grad for w in n.w] for n in model.layers[0].neurons])

doc.backprop(table, target)
doc_who = (who0 - doc.who) / doc.lr          # what the document treats as dC/dwho
doc_wih = (wih0 - doc.wih) / doc.lr
np.set_printoptions(precision=5, suppress=True)
print("dC/dwho, engine:   ", grad_who[0])
print("document's update: ", doc_who[0])
print("ratio document/engine:", (doc_who / grad_who)[0])

# %% [markdown]
# They differ. The document's update is exactly what you get by using $\sigma(y)(1 - \sigma(y))$ where
# the chain rule needs $\sigma'(z) = y(1 - y)$, and (hidden layer) by sending back $y - t$ instead of
# the output's $\delta = (y - t)\,y(1 - y)$. With those corrected it equals the engine's gradient:

# %%
h = 1 / (1 + np.exp(-(wih0 @ table.T)))                     # hidden outputs, 10 x 10
yj = 1 / (1 + np.exp(-(who0 @ h)))                            # outputs, 1 x 10
s = lambda v: 1 / (1 + np.exp(-v))
err = yj - target.T
double = lambda a: s(a) * (1 - s(a))                          # the document's sigmoid_derivative(a)
right = lambda a: a * (1 - a)                                 # sigma'(z) written with a = sigma(z)

as_doc_who = (err * double(yj)) @ h.T
as_doc_wih = ((who0.T @ err) * double(h)) @ table
fixed_who = (err * right(yj)) @ h.T
fixed_wih = ((who0.T @ (err * right(yj))) * right(h)) @ table   # delta_out, not err, goes back
assert np.allclose(doc_who, as_doc_who, rtol=1e-9) and np.allclose(doc_wih, as_doc_wih, rtol=1e-9)
assert np.allclose(fixed_who, grad_who, rtol=1e-10, atol=1e-14)
assert np.allclose(fixed_wih, grad_wih, rtol=1e-10, atol=1e-14)
assert not np.allclose(doc_who, grad_who, rtol=1e-3)
assert not np.allclose(doc_wih, grad_wih, rtol=0.5)
ratio_out = double(yj) / right(yj)
ratio_hidden = double(h) / right(h)
print("dC/dwih[0], engine:", grad_wih[0], " document:", doc_wih[0])
print("ratio document/engine, wih:", np.round((doc_wih / grad_wih).ravel()[:10], 3), "...")
assert np.all(np.abs(doc_who / grad_who - 1) < 0.05)           # output layer: a few percent
assert np.all(doc_wih / grad_wih > 3.9) and np.max(doc_wih / grad_wih) > 200   # hidden: 4x to >200x
print(f"per-sample factor sigma(y)(1-sigma(y)) / y(1-y): output {ratio_out.min():.3f}..{ratio_out.max():.3f}, "
      f"hidden {ratio_hidden.min():.3f}..{ratio_hidden.max():.3f}")

# %% [markdown]
# And the engine's gradient against finite differences (all 61 parameters of the 5-10-1 network):

# %%
def table_cost(*p):
    w = list(p)
    total = 0
    for x, t in zip(X, y):
        hs = [sum((w[k * 6 + j] * x[j] for j in range(5)), w[k * 6 + 5]).sigmoid() for k in range(10)]
        o = sum((w[60 + k] * hs[k] for k in range(10)), w[70]).sigmoid()
        total = total + 0.5 * (o - t) ** 2
    return total

report = gradcheck(table_cost, [Value(p.data, label=name) for name, p in model.named_parameters()])
assert report and len(report.rows) == 71
for row, (name, p) in zip(report.rows, model.named_parameters()):
    assert math.isclose(row.autodiff, p.grad, rel_tol=1e-12, abs_tol=1e-15), name
print(f"{len(report.rows)} parameters match finite differences (max error {report.max_error:.1e})")

# %% [markdown]
# (71, not 61: 10 hidden neurons × (5 weights + 1 bias) + 1 output × (10 + 1).)
#
# ## The biases
#
# The correct bias gradient of a neuron is its δ summed over the rows. The code subtracts the
# per-row terms without summing, so the scalar bias 0 broadcasts into a matrix with one column per
# training row:

# %%
print("bho shape after one step:", np.shape(doc.bho), "- bih shape:", np.shape(doc.bih))
assert np.shape(doc.bho) == (1, 10) and np.shape(doc.bih) == (10, 10)
grad_bho = model.layers[1].neurons[0].b.grad
print(f"dC/db_out, engine: {grad_bho:+.5f}; the document's per-row terms sum to "
      f"{-doc.bho.sum() / doc.lr:+.5f} (double sigmoid) and with y(1-y): {(err * right(yj)).sum():+.5f}")
assert math.isclose(grad_bho, float((err * right(yj)).sum()), rel_tol=1e-10)

# %% [markdown]
# ## Training as printed
#
# 1000 epochs of the document's `fit` (it prints one line per epoch; we keep only the last).

# %%
np.random.seed(0)
doc = NN(table.shape[1], 10, 1, 0.1, 1000)
with contextlib.redirect_stdout(io.StringIO()) as printed:
    doc.fit(table, target)
print(printed.getvalue().splitlines()[-1])
doc_pred = doc.predict(table)
print("document's network, predictions:", doc_pred.ravel().round(3))
assert np.all(np.abs(doc_pred.ravel() - target.ravel()) < 0.5)

# %% [markdown]
# It learns the table. But its "biases" are now a bias per training row: the same network asked
# about one row returns ten numbers, one per stored column of biases.

# %%
single = doc.predict([table[1]])
print("predict(one row) has shape", single.shape)
assert single.shape == (10, 1)

# %% [markdown]
# ## The same network trained with `nn`
#
# `MLP(5, [10, 1])`, sigmoid throughout, weights $\mathcal N(0, n_{in}^{-1/2})$ as the document
# (`init="normal"`), squared error $\frac12(o - t)^2$, full batch, 1000 epochs. `fit` averages the loss
# over the batch, so learning rate 1.0 on the mean is the document's 0.1 on the sum over its 10 rows.

# %%
model = MLP(5, [10, 1], activation="sigmoid", output_activation="sigmoid", init="normal", seed=0)
start = time.perf_counter()
history = fit(model, X, y, loss=mse, optimizer=SGD(model.parameters(), lr=1.0), epochs=1000,
              progress=False)
seconds = time.perf_counter() - start
final_loss, accuracy = evaluate(model, X, y, loss=mse)
with no_grad():
    ours = [model(x)[0].data for x in X]
print(f"1000 epochs in {seconds:.1f} s; mean loss {history.loss[0]:.4f} -> {final_loss:.5f}; "
      f"accuracy {accuracy:.0%}")
print("predictions:", np.round(ours, 3))
assert accuracy == 1.0
assert all(abs(o - t) < 0.25 for o, t in zip(ours, y))
assert final_loss < history.loss[0] / 10

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(history.loss)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("mean 1/2 (o - t)^2")
ax.set_title("10x5 table, 5-10-1 sigmoid network")
fig.tight_layout()
plt.show()
