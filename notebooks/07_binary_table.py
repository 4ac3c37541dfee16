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
# # 7. The binary-table tutorial: its network, its update rule and its NumPy code
#
# **What this covers:** the tutorial's three-layer network of one neuron each, its derivation and
# update rule checked on that network; then its 5-10-1 NumPy network on a 10×5 binary table,
# run as printed, one step of it against the engine's gradient, its biases, its printed outputs,
# the same network trained on the true gradient, and the mini-batch and stochastic gradient
# descent the tutorial names but does not use.
#
# **Follows:** a tutorial on backpropagation and gradient descent that ends with a NumPy network
# trained on a 10×5 table of binary features — **the binary-table tutorial** (file
# `001_535ec0cb8a4ef9ef.txt`; it is not in this repository, and you do not need it: each claim is
# restated before it is checked). Notebook 03 checks its derivation line by line (equations
# (1)–(5), the sigmoid's derivative, the sum over examples, the matrix form); notebook 08 its
# gradient-descent section. This notebook checks the rest, in the tutorial's order, and rechecks
# (1)–(5) on its animation's network. What the tutorial says, in short:
#
# 1. An animation shows a network of **3 layers with one neuron each** — input $x$, a hidden
#    neuron, an output neuron — with weights $W_1$ and $W_2$, doing a forward pass. Each neuron
#    computes $z = WX + \text{bias}$, $\text{output} = \Phi(z)$, with $\Phi$ the sigmoid.
# 2. Backpropagation in five steps: the training data split into mini-batches and fed forward;
#    the error from a cost function; the output layer's share of it by the chain rule; the hidden
#    layer's share, and so on down to the input; then update every weight and bias by gradient
#    descent. Later it names the method "Stochastic Gradient Descent".
# 3. A derivation on a figure of two neurons $y_k \to y_j$ joined by one weight $w_{kj}$, with cost
#    $C = \frac12\sum_j (t_j - y_j)^2$: equations (1)–(5), including the sigmoid's derivative
#    $\sigma'(x) = \sigma(x)(1 - \sigma(x))$ worked out line by line, then summed over the training
#    examples.
# 4. The update rule, written $\nabla w_{kj} = w_{kj} - \eta\,\partial C/\partial w_{kj}$ "where
#    $\nabla w_{kj}$ is the new weight", the same for biases, and both as matrices:
#    new $W$ = $W - \eta\,\delta\,y^\top$ and new $b$ = $b - \eta\,\delta$, one bias per neuron.
# 5. A NumPy class `NN` implementing all this, trained for 1000 epochs with learning rate 0.1 on
#    the table, and the ten outputs it printed, "close to the target values".
#
# **What we find** (each asserted below):
# - The animation's network, the derivation and the sigmoid's derivative are right; the
#   derivation has notation slips that do not change its results, and the update rule names the
#   *new weight* $\nabla w$ — but $\nabla$ means "gradient of". The rule is
#   $w_{\text{new}} = w - \eta\,\partial C/\partial w$.
# - The code does not implement the rule it derives: it applies the sigmoid's derivative to
#   values that are already sigmoids (a "double sigmoid"), and sends the raw error $y - t$ back to
#   the hidden layer instead of the output's $\delta$, so its hidden-layer update is about 4× too
#   large (the missing factor $y(1 - y) \approx 0.24$). Each layer's part of the update still
#   points nearly along that layer's gradient (cosine above 0.99 for the output layer, above 0.95
#   for the hidden one), but the step of all 60 weights together does not: its cosine with the
#   gradient is between 0.7 and 0.95 for every seed from 0 to 49 (0.91 at seed 0). It is still
#   downhill.
# - Its biases get one value per *training row*, not per neuron: 110 bias numbers where 11 are
#   needed, so 99 extra, and they let it fit the ten rows almost exactly. Its printed outputs are
#   reproduced to within 0.02. Zero those biases and the trained weights classify only 70–80 % of
#   the table; train with one bias per neuron and the same rule misses by 0.1 to 0.3 (0.17 at
#   seed 0).
# - The tutorial's mini-batches and "stochastic" gradient descent appear in its text only: the
#   code makes one update per epoch from all ten rows. Section 9 shows both on the table.

# %%
import contextlib
import difflib
import inspect
import io
import linecache
import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import SVG

from micrograd import Value, gradcheck, no_grad
from micrograd.explain import explain
from micrograd.graph import draw_dot
from nn import MLP, SGD, ReplayStep, data, fit, mse, predict

# %matplotlib inline


def n_parameters(sizes):
    """Weights and biases of a fully connected network: sum of (n_in + 1) * n_out per layer."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def sigma(v):
    return 1 / (1 + np.exp(-v))


# %% [markdown]
# ## 1. The network of the animation (steps 1 and 2: forward pass, error)
#
# Three layers of one neuron each: the input layer passes $x$ on; the hidden neuron computes
# $z_1 = W_1 x + b_1$, $h = \sigma(z_1)$; the output neuron $z_2 = W_2 h + b_2$, $y = \sigma(z_2)$.
# The animation only shows the values flowing left to right and names the weights; it gives no
# numbers, so we choose some. The input layer has no weights, so the network has
# $(1 + 1)\cdot 1 + (1 + 1)\cdot 1 = 4$ parameters: $W_1, b_1, W_2, b_2$.

# %%
net = MLP(1, [1, 1], activation="sigmoid", output_activation="sigmoid")
(hidden,), (output,) = net.layers[0].neurons, net.layers[1].neurons
W1, b1, W2, b2 = hidden.w[0], hidden.b, output.w[0], output.b
W1.data, b1.data, W2.data, b2.data = 0.8, -0.4, -1.2, 0.5
x_in, t = 1.5, 1.0
assert len(net.parameters()) == n_parameters([1, 1, 1]) == 4

# the forward pass as the animation runs it, by hand in floats
z1 = 0.8 * 1.5 + (-0.4)
h_ref = 1 / (1 + math.exp(-z1))
z2 = -1.2 * h_ref + 0.5
y_ref = 1 / (1 + math.exp(-z2))
C_ref = 0.5 * (t - y_ref) ** 2
print(f"z1 = W1 x + b1 = 0.8 * 1.5 - 0.4 = {z1:.4f}    h = sigma(z1) = {h_ref:.4f}")
print(f"z2 = W2 h + b2 = -1.2 * {h_ref:.4f} + 0.5 = {z2:.4f}    y = sigma(z2) = {y_ref:.4f}")
print(f"C = 1/2 (t - y)^2 = 1/2 ({t} - {y_ref:.4f})^2 = {C_ref:.4f}")

# the same in the engine, with the tutorial's cost; names as in the animation
for p, name in zip(net.parameters(), ["W1", "b1", "W2", "b2"]):
    p.label = name
x = Value(x_in, label="x")
y_out = net([x])[0]
z2_node = y_out.children[0]                        # y = sigma(z2)
h_node = z2_node.children[1].children[1]           # z2 = b2 + W2 * h
z1_node = h_node.children[0]                       # h = sigma(z1)
for node, name in [(z1_node, "z1"), (h_node, "h"), (z2_node, "z2"), (y_out, "y")]:
    node.label = name
C = 0.5 * (t - y_out) ** 2
C.label = "C"
C.backward()
assert math.isclose(h_node.data, h_ref, rel_tol=1e-12) and math.isclose(y_out.data, y_ref, rel_tol=1e-12)
assert math.isclose(C.data, C_ref, rel_tol=1e-12)

# %% [markdown]
# The graph, top to bottom, one box per neuron: the hidden neuron computes $z_1$ and $h$, the output
# neuron $z_2$ and $y$, then the cost. Orange boxes are the four parameters; each edge carries its
# local derivative.

# %%
hidden_nodes = {W1, b1, z1_node, z1_node.children[1], h_node}
output_nodes = {W2, b2, z2_node, z2_node.children[1], y_out}
dot = draw_dot(C, rankdir="TB", params=net,
               cluster=lambda n: "hidden neuron" if n in hidden_nodes
               else "output neuron" if n in output_nodes else None)
# quiet: graphviz-pure has no font width for σ and would say so on stderr; the drawing is fine
SVG(dot.pipe(format="svg", encoding="utf-8", quiet=True))

# %% [markdown]
# ## 2. Step 3: the output layer's share, on the tutorial's two-neuron figure
#
# The figure is the last two neurons of this network: $y_k = h$ (the hidden output), the weight
# $w_{kj} = W_2$ (the tutorial writes it "$\partial w_{kj}$", a stray $\partial$), $y_j = y$. The
# tutorial's factors, each read off the engine's graph:
#
# | equation | the tutorial's result | here |
# |---|---|---|
# | (1) | $\partial z_j/\partial w_{kj} = y_k$ | $h$ |
# | (2) | $\partial y_j/\partial z_j = y_j(1 - y_j)$ | $y(1 - y)$ |
# | (3) | $\partial C/\partial y_j = -(t_j - y_j)$ | $-(t - y)$ |
# | (4) | $\partial C/\partial w_{kj} = -(t_j - y_j)\,y_j(1 - y_j)\,y_k$ | product of the three |
# | (5) | $\partial C/\partial b = -(t_j - y_j)\,y_j(1 - y_j)$ | (4) with $y_k$ replaced by 1 |

# %%
dz_dW2 = W2.grad / z2_node.grad          # (1): what dC/dz2 is multiplied by to give dC/dW2
dy_dz = y_out.local_grads[0]             # (2): the sigmoid's stored local derivative
dC_dy = y_out.grad                       # (3)
rows = [("(1) dz_j/dw_kj = y_k", dz_dW2, h_ref),
        ("(2) dy_j/dz_j = y_j(1 - y_j)", dy_dz, y_ref * (1 - y_ref)),
        ("(3) dC/dy_j = -(t_j - y_j)", dC_dy, -(t - y_ref)),
        ("(4) dC/dw_kj", W2.grad, -(t - y_ref) * y_ref * (1 - y_ref) * h_ref),
        ("(5) dC/db", b2.grad, -(t - y_ref) * y_ref * (1 - y_ref))]
for name, engine, formula in rows:
    print(f"{name:30s} engine {engine:+.6f}   formula {formula:+.6f}")
    assert math.isclose(engine, formula, rel_tol=1e-12)

# %% [markdown]
# `explain()` writes (4) as the same chain of factors, from the graph:

# %%
ex = explain(C, W2)
print(ex)
assert f"{W2.grad:.4f}" in str(ex)

# %% [markdown]
# Four slips in the derivation, none of which changes its final results:
# - (1) is written $\partial z_j/\partial w_{kj} = w_{kj} y_k + b_k = y_k$: the middle is $z_j$
#   itself, not its derivative. (The bias is also indexed $b_k$, by the previous neuron; it
#   belongs to neuron $j$.)
# - (3) is a chain of five lines: $\frac{\partial}{\partial y_j}\frac12(t_j - y_j)^2$
#   $= 2(t_j - y_j)\,\frac{\partial}{\partial y_j}(t_j - y_j)$
#   $= \frac{\partial}{\partial y_j}(t_j - y_j) = -1$ $= \frac12\cdot 2(t_j - y_j)(-1)$
#   $= -(t_j - y_j)$. Its second line drops the $\frac12$ (the $\frac12 \cdot 2$ comes back two
#   lines later): taken alone, that line is twice the derivative.
# - Its third line, $= \frac{\partial}{\partial y_j}(t_j - y_j) = -1$, is the side calculation of
#   the inner derivative, written inside the chain of "=": read literally, the chain says
#   $\partial C/\partial y_j = -1$, which it is not.
# - The bias step writes $z_j = w_{jk} y_j + b_k$, with the neuron's own output $y_j$ where its
#   input $y_k$ belongs. Its result $\partial z_j/\partial b = 1$ is right.

# %%
line_2_of_eq_3 = 2 * (t - y_ref) * (-1)
line_3_of_eq_3 = -1.0
print(f"dC/dy: engine {dC_dy:+.6f}; eq. (3)'s second line {line_2_of_eq_3:+.6f} (twice as large), "
      f"its third line {line_3_of_eq_3:+.1f}")
assert math.isclose(line_2_of_eq_3, 2 * dC_dy, rel_tol=1e-12)
assert not math.isclose(line_3_of_eq_3, dC_dy, rel_tol=0.1)
assert math.isclose(b2.grad / z2_node.grad, 1.0, rel_tol=1e-12)      # dz_j/db = 1

# %% [markdown]
# ### The sigmoid's derivative takes the pre-activation
#
# The tutorial derives $\frac{d}{dx}\sigma(x) = \sigma(x)(1 - \sigma(x))$ in nine lines (notebook 03
# checks every line). Its argument is the **pre-activation**; equation (2) writes the same number
# with the output, $y_j(1 - y_j)$ where $y_j = \sigma(z_j)$. Feeding the output into the first form
# gives a different number — keep that in mind for the tutorial's code in section 5:

# %%
z2_ref = z2_node.data
print(f"sigma(z2)(1 - sigma(z2)) = {sigma(z2_ref) * (1 - sigma(z2_ref)):.6f} = y(1 - y) = "
      f"{y_ref * (1 - y_ref):.6f};  sigma(y)(1 - sigma(y)) = {sigma(y_ref) * (1 - sigma(y_ref)):.6f}")
assert math.isclose(sigma(z2_ref) * (1 - sigma(z2_ref)), y_ref * (1 - y_ref), rel_tol=1e-12)
assert not math.isclose(sigma(y_ref) * (1 - sigma(y_ref)), y_ref * (1 - y_ref), rel_tol=1e-3)

# %% [markdown]
# ### Step 4: down to the input layer
#
# The tutorial says this is "repeated recursively until it reaches the input layer" without writing
# the hidden layer's formula. $W_1$ reaches $C$ through $h$, then $z_2$ and $y$; by the chain rule
#
# $$\frac{\partial C}{\partial W_1} = \underbrace{-(t - y)\,y(1 - y)}_{\delta_j}\cdot W_2\cdot h(1 - h)\cdot x,
# \qquad \frac{\partial C}{\partial b_1} = \delta_j\, W_2\, h(1 - h).$$
#
# The output's $\delta_j$ (not the raw error $-(t - y)$) is what travels back.

# %%
delta_j = -(t - y_ref) * y_ref * (1 - y_ref)
assert math.isclose(W1.grad, delta_j * W2.data * h_ref * (1 - h_ref) * x_in, rel_tol=1e-12)
assert math.isclose(b1.grad, delta_j * W2.data * h_ref * (1 - h_ref), rel_tol=1e-12)
ex = explain(C, W1)
print(ex)
assert f"{W1.grad:.4f}" in str(ex)

# %% [markdown]
# All four gradients against central finite differences (independent of the engine's backward):

# %%
def animation_cost(w1, c1, w2, c2):
    h = (w1 * x_in + c1).sigmoid()
    return 0.5 * (t - (w2 * h + c2).sigmoid()) ** 2

report = gradcheck(animation_cost, [Value(p.data, label=p.label) for p in (W1, b1, W2, b2)])
assert report and len(report.rows) == 4
for row, p in zip(report.rows, [W1, b1, W2, b2]):
    assert math.isclose(row.numeric, p.grad, rel_tol=1e-6)
print(report)

# %% [markdown]
# ## 3. Step 5: the update rule, and what "∇w" should say
#
# The tutorial writes
#
# $$\nabla w_{kj} = w_{kj} - \eta\,\frac{\partial C}{\partial w_{kj}}, \qquad
#   \nabla b_k = b_k - \eta\,\frac{\partial C}{\partial b_k},$$
#
# "where $\nabla w_{jk}$ is the new weight". That is a notation error. $\nabla$ means "gradient of":
# the tutorial's own gradient vector is $\nabla C = (\partial C/\partial w_1, \partial C/\partial b_1,
# \dots)$, so $\nabla w$ reads as a gradient, not as a weight. (It also switches between $w_{kj}$
# and $w_{jk}$.) Written plainly, one step of gradient descent is
#
# $$w_{\text{new}} = w - \eta\,\frac{\partial C}{\partial w}.$$
#
# On the animation's network with the tutorial's $\eta = 0.1$ — the gradient and the new weight are
# different numbers:

# %%
eta = 0.1
params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
before = {name: (p.data, p.grad) for name, p in params.items()}
SGD(net.parameters(), lr=eta).step()
print(f"{'':4s}{'w':>9s}{'dC/dw (in grad C)':>20s}{'w_new = w - eta dC/dw':>24s}")
for name, p in params.items():
    w, g = before[name]
    print(f"{name:4s}{w:+9.4f}{g:+20.4f}{p.data:+24.4f}")
    assert p.data == w - eta * g            # the optimizer's step is exactly the rule
    assert not math.isclose(p.data, g)      # the new weight is not the gradient

with no_grad():
    C_new = 0.5 * (t - net([x_in])[0]) ** 2
grad_sq = sum(g * g for _, g in before.values())
print(f"C: {C.data:.6f} -> {C_new.data:.6f}; change {C_new.data - C.data:+.6f}, "
      f"first-order prediction -eta |grad C|^2 = {-eta * grad_sq:+.6f}")
assert C_new.data < C.data
assert math.isclose(C_new.data - C.data, -eta * grad_sq, rel_tol=0.05)

# %% [markdown]
# ## 4. The table, and the tutorial's code
#
# Ten rows of five binary features and a 0/1 target, as printed in the tutorial (also
# `nn.data.table()`).

# %%
table = np.array([[0, 0, 1, 0, 1], [1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [0, 1, 1, 1, 0],
                  [1, 0, 0, 1, 1], [0, 1, 0, 0, 1], [1, 1, 0, 1, 0], [0, 0, 0, 1, 0],
                  [1, 0, 0, 0, 1], [0, 1, 1, 0, 1]])
target = np.array([[0], [1], [1], [0], [1], [0], [1], [0], [1], [1]])
X, y = data.table()
assert np.array_equal(np.array(X), table) and np.array_equal(np.array(y), target[:, 0])

# %% [markdown]
# The tutorial prints its class twice: first in pieces between paragraphs of prose, then whole as
# "the full version of the code". Both print it with the line breaks lost and begin with
# `import numpy as np` (imported at the top here). The class below is the full version with its
# comments, re-indented, nothing else changed; the cell after it compares the two printings.
#
# What it does: `wih` (10×5) and `who` (1×10) are drawn from $\mathcal N(0, n_{in}^{-1/2})$; the
# biases `bih`, `bho` start as the number 0. `backprop` takes the whole table at once, one column
# per row (`inputs` is 5×10), runs the forward pass, and updates weights and biases once: one
# update per epoch, from all ten rows (section 9 checks this). `fit` calls it 1000 times and
# prints a line per epoch.

# %%
class NN:
    def __init__(self, input_neurons, hidden_neurons, output_neurons, learning_rate, epochs):
        # initializing the instance variables
        self.input_neurons = input_neurons
        self.hidden_neurons = hidden_neurons
        self.output_neurons = output_neurons
        self.epochs = epochs
        # Links of weights from input layer to hidden layer
        self.wih = np.random.normal(0.0, pow(self.input_neurons, -0.5), (self.hidden_neurons, self.input_neurons))
        self.bih = 0
        # Links of weights from hidden layer to output layer
        self.who = np.random.normal(0.0, pow(self.hidden_neurons, -0.5), (self.output_neurons, self.hidden_neurons))
        self.bho = 0
        self.lr = learning_rate # Learning rate

    # Sigmoid Activation
    def activation(self, Z):
        return 1.0/(1.0 + np.exp(-Z))

    def sigmoid_derivative(self, Z):
        return self.activation(Z) * (1 - self.activation(Z))

    # Forward propagation
    def forward(self, input_list):
        inputs = np.array(input_list, ndmin=2).T
        hidden_inputs = np.dot(self.wih, inputs) + self.bih # (w.X) + bias Finding dot product
        hidden_outputs = self.activation(hidden_inputs) # Applying activation
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        final_outputs = self.activation(final_inputs)
        return final_outputs

    # Back propagation
    def backprop(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        tj = np.array(targets_list, ndmin=2).T # Targets
        # passing inputs to the hidden layer
        hidden_inputs = np.dot(self.wih, inputs) + self.bih
        # Getting outputs from the hidden layer
        hidden_outputs = self.activation(hidden_inputs)
        # Passing inputs from the hidden layer to the output layer
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        # Getting output from the output layer
        yj = self.activation(final_inputs)
        # Finding the errors from the output layer
        output_errors = -(tj - yj)
        # Finding the error in the hidden layer
        hidden_errors = np.dot(self.who.T, output_errors)
        # Updating the weights using Update Rule
        self.who -= self.lr * np.dot((output_errors * self.sigmoid_derivative(yj)), np.transpose(hidden_outputs))
        self.wih -= self.lr * np.dot((hidden_errors * self.sigmoid_derivative(hidden_outputs)), np.transpose(inputs))
        #updating bias
        self.bho -= self.lr * (output_errors * self.sigmoid_derivative(yj))
        self.bih -= self.lr * (hidden_errors * self.sigmoid_derivative(hidden_outputs))
        pass

    # Performing Gradient Descent Optimization using Backpropagation
    def fit(self, inputs_list, targets_list):
        for epoch in range(self.epochs):
            self.backprop(inputs_list, targets_list)
            print(f"Epoch {epoch}/{self.epochs} completed.")

    def predict(self, X):
        outputs = self.forward(X).T
        return outputs

# %% [markdown]
# The first printing — its pieces joined in order, the prose between them left out — re-indented
# the same way, and a line-by-line diff against the class above.
# They differ in four places, none of which changes what the code does:
# - the first sets `self.lr` right after `self.epochs`, the full version at the end of `__init__`;
# - the first has the comment `# Number of iterations` on `self.epochs = epochs`;
# - the full version has a comment `# Forward propagation` above `forward`;
# - `forward`'s comment on the hidden layer's sum ends "(Finding weighted sum of inputs plus bias)"
#   in the first, "Finding dot product" in the full version.

# %%
FIRST_PRINTING = '''\
class NN:
    def __init__(self, input_neurons, hidden_neurons, output_neurons, learning_rate, epochs):
        # initializing the instance variables
        self.input_neurons = input_neurons
        self.hidden_neurons = hidden_neurons
        self.output_neurons = output_neurons
        self.epochs = epochs # Number of iterations
        self.lr = learning_rate # Learning rate
        # Links of weights from input layer to hidden layer
        self.wih = np.random.normal(0.0, pow(self.input_neurons, -0.5), (self.hidden_neurons, self.input_neurons))
        self.bih = 0
        # Links of weights from hidden layer to output layer
        self.who = np.random.normal(0.0, pow(self.hidden_neurons, -0.5), (self.output_neurons, self.hidden_neurons))
        self.bho = 0

    # Sigmoid Activation
    def activation(self, Z):
        return 1.0/(1.0 + np.exp(-Z))

    def sigmoid_derivative(self, Z):
        return self.activation(Z) * (1 - self.activation(Z))

    def forward(self, input_list):
        inputs = np.array(input_list, ndmin=2).T
        hidden_inputs = np.dot(self.wih, inputs) + self.bih # (w.X) + bias (Finding weighted sum of inputs plus bias)
        hidden_outputs = self.activation(hidden_inputs) # Applying activation
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        final_outputs = self.activation(final_inputs)
        return final_outputs

    # Back propagation
    def backprop(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        tj = np.array(targets_list, ndmin=2).T # Targets
        # passing inputs to the hidden layer
        hidden_inputs = np.dot(self.wih, inputs) + self.bih
        # Getting outputs from the hidden layer
        hidden_outputs = self.activation(hidden_inputs)
        # Passing inputs from the hidden layer to the output layer
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        # Getting output from the output layer
        yj = self.activation(final_inputs)
        # Finding the errors from the output layer
        output_errors = -(tj - yj)
        # Finding the error in the hidden layer
        hidden_errors = np.dot(self.who.T, output_errors)
        # Updating the weights using Update Rule
        self.who -= self.lr * np.dot((output_errors * self.sigmoid_derivative(yj)), np.transpose(hidden_outputs))
        self.wih -= self.lr * np.dot((hidden_errors * self.sigmoid_derivative(hidden_outputs)), np.transpose(inputs))
        #updating bias
        self.bho -= self.lr * (output_errors * self.sigmoid_derivative(yj))
        self.bih -= self.lr * (hidden_errors * self.sigmoid_derivative(hidden_outputs))
        pass

    # Performing Gradient Descent Optimization using Backpropagation
    def fit(self, inputs_list, targets_list):
        for epoch in range(self.epochs):
            self.backprop(inputs_list, targets_list)
            print(f"Epoch {epoch}/{self.epochs} completed.")

    def predict(self, X):
        outputs = self.forward(X).T
        return outputs
'''


def class_text(cls):
    """The text of a class defined in this notebook, from its `class` line to the end of its last
    method (inspect.getsource finds a cell's functions but not its classes)."""
    methods = [f for f in vars(cls).values() if inspect.isfunction(f)]
    lines = linecache.getlines(inspect.getsourcefile(methods[0]))
    start = lines.index(f"class {cls.__name__}:\n")
    end = max(first + len(body) - 1 for body, first in map(inspect.getsourcelines, methods))
    return "".join(lines[start:end])


diff = [line for line in difflib.unified_diff(FIRST_PRINTING.splitlines(), class_text(NN).splitlines(),
                                              "first printing", "full version", lineterm="", n=0)]
print("\n".join(diff))
removed = [line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---")]
added = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
lr_line = "self.lr = learning_rate # Learning rate"
assert removed == ["self.epochs = epochs # Number of iterations", lr_line,
                   "hidden_inputs = np.dot(self.wih, inputs) + self.bih "
                   "# (w.X) + bias (Finding weighted sum of inputs plus bias)"]
assert added == ["self.epochs = epochs", lr_line, "# Forward propagation",
                 "hidden_inputs = np.dot(self.wih, inputs) + self.bih # (w.X) + bias Finding dot product"]

# %% [markdown]
# The network has $(5 + 1)\cdot 10 + (10 + 1)\cdot 1 = 71$ parameters if, as the tutorial's note
# says, each neuron has one bias. We seed NumPy's generator and build the engine's `MLP(5, [10, 1])`
# with the same weights (biases 0, as the code starts them). Its forward pass gives the code's
# `forward` to rounding.

# %%
np.random.seed(0)
doc = NN(table.shape[1], 10, 1, 0.1, 1000)
wih0, who0 = doc.wih.copy(), doc.who.copy()


def engine_copy(wih, who):
    """MLP(5, [10, 1]), sigmoid throughout, with the given weights and zero biases."""
    model = MLP(5, [10, 1], activation="sigmoid", output_activation="sigmoid")
    for k, neuron in enumerate(model.layers[0].neurons):
        for j, w in enumerate(neuron.w):
            w.data = float(wih[k, j])
    for j, w in enumerate(model.layers[1].neurons[0].w):
        w.data = float(who[0, j])
    return model


model = engine_copy(wih0, who0)
assert len(model.parameters()) == n_parameters([5, 10, 1]) == 71
with no_grad():
    engine_out = np.array([model(row)[0].data for row in X])
assert np.allclose(engine_out, doc.forward(table).ravel(), rtol=1e-12)

# %% [markdown]
# ## 5. One step of the code against the gradient
#
# The code's matrix update sums over the ten rows, so the gradient it should subtract (times
# $\eta = 0.1$) is that of $C = \frac12\sum_{n=1}^{10}(t_n - y_n)^2$, and per the tutorial's summed
# formulas $\partial C/\partial w_{kj} = -\sum_n (t_j - y_j)\,y_j(1 - y_j)\,y_k$: the sum over rows
# of equation (4). The engine gives this gradient; first we check it is that sum, row by row, and
# matches finite differences on all 71 parameters.

# %%
C_table = sum(mse(model(xr), tr) for xr, tr in zip(X, y))
C_table.backward()
grad_who = np.array([[w.grad for w in model.layers[1].neurons[0].w]])
grad_wih = np.array([[w.grad for w in n.w] for n in model.layers[0].neurons])

# the tutorial's sum of equation (4) over the rows, each row's terms from a float64 forward pass
h = sigma(wih0 @ table.T)                    # hidden outputs y_k, 10 hidden x 10 rows
yj = sigma(who0 @ h)                         # outputs y_j, 1 x 10 rows
err = yj - target.T                          # -(t_j - y_j)
delta_out = err * yj * (1 - yj)              # the output's delta, one per row
eq4_summed = sum(delta_out[0, n] * h[:, n] for n in range(10))
assert np.allclose(grad_who[0], eq4_summed, rtol=1e-10, atol=1e-14)


def table_cost(*p):
    w = list(p)                              # named_parameters() order: each neuron's w, then b
    total = 0
    for xr, tr in zip(X, y):
        hs = [sum((w[k * 6 + j] * xr[j] for j in range(5)), w[k * 6 + 5]).sigmoid() for k in range(10)]
        o = sum((w[60 + k] * hs[k] for k in range(10)), w[70]).sigmoid()
        total = total + 0.5 * (o - tr) ** 2
    return total

report = gradcheck(table_cost, [Value(p.data, label=name) for name, p in model.named_parameters()])
assert report and len(report.rows) == 71
for row, (name, p) in zip(report.rows, model.named_parameters()):
    assert math.isclose(row.autodiff, p.grad, rel_tol=1e-12, abs_tol=1e-15), name
print(f"all 71 parameters match finite differences (max error {report.max_error:.1e})")

# %% [markdown]
# The tutorial's matrix form, new $W$ = $W - \eta\,\delta\,y^\top$ with $\delta$ the column of the
# layer's $-(t_j - y_j)\,y_j(1 - y_j)$ and $y^\top$ the row of the previous layer's outputs, is that
# sum written as one product: with the ten rows as columns, $\delta$ is 1×10, $h^\top$ is 10×10,
# and $\delta h^\top$ adds up the ten outer products. For the hidden layer the tutorial's column is
# not the right $\delta$ (it is the output layer's formula); the hidden $\delta$ is
# $h(1 - h)\cdot W_{ho}^\top \delta_{out}$, as in section 2.

# %%
assert np.allclose(delta_out @ h.T, grad_who, rtol=1e-10, atol=1e-14)
delta_hidden = (who0.T @ delta_out) * h * (1 - h)
assert np.allclose(delta_hidden @ table, grad_wih, rtol=1e-10, atol=1e-14)

# %% [markdown]
# Now one step of the tutorial's code from the same weights, and its update divided by $\eta$:

# %%
doc.backprop(table, target)
doc_who = (who0 - doc.who) / doc.lr          # what the code uses as dC/dwho
doc_wih = (wih0 - doc.wih) / doc.lr
np.set_printoptions(precision=5, suppress=True)
print("dC/dwho, engine:    ", grad_who[0])
print("the code's update:  ", doc_who[0])
print("dC/dwih[0], engine: ", grad_wih[0])
print("the code's update:  ", doc_wih[0])
print("per entry, code / engine, wih[0]:", (doc_wih / grad_wih)[0])

# %% [markdown]
# Two mistakes, both visible in the listing:
# - `sigmoid_derivative(Z)` computes $\sigma(Z)(1 - \sigma(Z))$ — the derivation's last line, a
#   function of the pre-activation — but is called with `yj` and `hidden_outputs`, which are
#   already sigmoids. So it multiplies by $\sigma(y)(1 - \sigma(y))$ where equation (2) says
#   $y(1 - y)$.
# - `hidden_errors = np.dot(self.who.T, output_errors)` sends back the raw error $y - t$; the chain
#   rule (section 2) sends back $\delta_{out} = (y - t)\,y(1 - y)$.
#
# Rebuilding the code's update from exactly these two substitutions reproduces it to rounding:

# %%
double = lambda a: sigma(a) * (1 - sigma(a))     # the code's sigmoid_derivative(a)
as_code_who = (err * double(yj)) @ h.T
as_code_wih = ((who0.T @ err) * double(h)) @ table
assert np.allclose(doc_who, as_code_who, rtol=1e-9) and np.allclose(doc_wih, as_code_wih, rtol=1e-9)
assert not np.allclose(doc_who, grad_who, rtol=1e-3) and not np.allclose(doc_wih, grad_wih, rtol=0.5)

# %% [markdown]
# ### How far off, and why "4×" and "224×"
#
# Row by row, each term of the code's sum is the true term times a factor:
# - output layer: $\sigma(y)(1 - \sigma(y)) / (y(1 - y))$, within a few percent of 1 here (within
#   5 %: this ratio is close to 1 for $y$ near 0.4, which is where the untrained network's ten
#   outputs all are);
# - hidden layer: $\dfrac{\sigma(h)(1 - \sigma(h))}{h(1 - h)} \cdot \dfrac{1}{y(1 - y)}$. The second
#   part is the missing $y(1 - y)$; since $y(1 - y) \le \frac14$, it is at least 4 (here
#   $y(1 - y)$ averages about 0.24 — between 0.23 and the bound 0.25 — so about
#   $1/0.24 \approx 4.2$, between 4 and 4.35). The first part, for any $h \in (0, 1)$, is
#   more than $4\sigma'(1) = 0.786$: $\sigma'$ falls on both sides of 0, so $\sigma'(h) > \sigma'(1)$
#   there, and $h(1 - h) \le \frac14$. Its actual minimum, found on a fine grid, lies between that
#   bound and its value at $h = \frac12$, $4\sigma'(\frac12) = 0.940$. So every hidden term is more
#   than $4 \times 0.786 = 3.15$ times too large, **whatever the weights**, and in fact at least
#   4 × (the grid minimum).

# %%
grid = np.linspace(1e-4, 1 - 1e-4, 100_001)
g_min = (double(grid) / (grid * (1 - grid))).min()
factor_out = double(yj) / (yj * (1 - yj))                             # 1 x 10 rows
factor_hidden = double(h) / (h * (1 - h)) / (yj * (1 - yj))           # 10 hidden x 10 rows
true_terms = delta_hidden[:, None, :] * table.T[None, :, :]            # [k, j, row]
assert np.allclose((factor_hidden[:, None, :] * true_terms).sum(axis=2), doc_wih, rtol=1e-9)
assert 4 * double(1.0) < g_min < 4 * double(0.5)             # the bounds by hand
assert np.all(factor_hidden > 16 * double(1.0))                # more than 4 x 4 sigma'(1)
assert np.all(factor_hidden >= 4 * g_min * (1 - 1e-9))        # (the grid can miss the minimum by ~1e-10)
print(f"y(1-y) per row: mean {np.mean(yj * (1 - yj)):.3f} (<= 1/4 always), "
      f"1/mean = {1 / np.mean(yj * (1 - yj)):.2f}")
print(f"output factor {factor_out.min():.3f}..{factor_out.max():.3f}; "
      f"hidden factor {factor_hidden.min():.2f}..{factor_hidden.max():.2f}")
print(f"minimum of sigma'(h) / (h(1 - h)) on (0, 1): {g_min:.3f} (bounds {4 * double(1.0):.3f} and "
      f"{4 * double(0.5):.3f}); so every hidden factor is at least {4 * g_min:.3f}")
# the figures in the text, from the engine's outputs (engine_out), not from the NumPy yj above
y_eng = engine_out
mean_y1y = np.mean(y_eng * (1 - y_eng))
assert np.all(np.abs(double(y_eng) / (y_eng * (1 - y_eng)) - 1) < 0.05)   # "a few percent of 1"
assert 0.23 < mean_y1y <= 0.25 and 4 <= 1 / mean_y1y < 4.35              # "about 0.24", "about 4.2"

# %% [markdown]
# But an entry of the update is a **sum** over ten rows whose true terms have both signs (targets
# 0 and 1 pull opposite ways). Where they nearly cancel, the true gradient is close to zero, and
# the code's terms — scaled by different factors — no longer cancel: the ratio of the sums can be
# anything, even negative. The ratio is bounded by (largest factor) × $\sum_n |a_n| / |\sum_n a_n|$
# (the $a_n$ the true terms), and that cancellation measure is what blows up:

# %%
ratio = doc_wih / grad_wih
cancellation = np.abs(true_terms).sum(axis=2) / np.abs(grad_wih)
assert np.all(np.abs(ratio) <= factor_hidden.max() * cancellation * (1 + 1e-9))
k, j = np.unravel_index(np.abs(ratio).argmax(), ratio.shape)
print(f"per-entry ratio, wih: {ratio.min():.2f} .. {ratio.max():.1f}")
print(f"largest at wih[{k}, {j}]: true gradient {grad_wih[k, j]:+.5f} "
      f"(the smallest |entry| is {np.abs(grad_wih).min():.5f}), code {doc_wih[k, j]:+.5f}; "
      f"its true terms: sum |a_n| / |sum a_n| = {cancellation[k, j]:.0f}")

# %% [markdown]
# So a per-entry ratio is the wrong measure. The question that matters for descent is the
# **direction**: the cosine between the code's update and the gradient (1 = same direction,
# 0 = at right angles, < 0 = uphill).

# %%
def cosine(a, b):
    a, b = np.ravel(a), np.ravel(b)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def one_step(seed):
    """(code's update, gradient) for both layers, from the code's seeded starting weights."""
    np.random.seed(seed)
    net_ = NN(5, 10, 1, 0.1, 1)
    wih, who = net_.wih.copy(), net_.who.copy()
    net_.backprop(table, target)
    hs = sigma(wih @ table.T)
    ys = sigma(who @ hs)
    d_out = (ys - target.T) * ys * (1 - ys)
    true = ((d_out @ hs.T), ((who.T @ d_out) * hs * (1 - hs)) @ table)
    code = ((who - net_.who) / 0.1, (wih - net_.wih) / 0.1)
    return code, true


code, true = one_step(0)
assert np.allclose(code[0], doc_who) and np.allclose(true[1], grad_wih, rtol=1e-10, atol=1e-14)
whole = lambda pair: np.concatenate([pair[0].ravel(), pair[1].ravel()])
print(f"seed 0: cosine who {cosine(code[0], true[0]):.4f}, wih {cosine(code[1], true[1]):.3f}, "
      f"all 60 weights {cosine(whole(code), whole(true)):.3f}")
cosines = {"who": [], "wih": [], "all 60": []}
for seed in range(50):
    code, true = one_step(seed)
    cosines["who"].append(cosine(code[0], true[0]))
    cosines["wih"].append(cosine(code[1], true[1]))
    cosines["all 60"].append(cosine(whole(code), whole(true)))
print("seeds 0-49: " + "; ".join(f"cosine {name} {min(c):.3f} .. {max(c):.3f}"
                                 for name, c in cosines.items()))
assert min(cosines["who"]) > 0.99                          # output layer: nearly the gradient's direction
assert min(cosines["wih"]) > 0.95                          # hidden layer alone: close in direction
assert 0.7 < min(cosines["all 60"]) and max(cosines["all 60"]) < 0.95   # downhill, but tilted
# seed 0 again, from the engine's gradient and the listing's own step (doc, section 5)
seed_0 = cosine(np.concatenate([doc_who.ravel(), doc_wih.ravel()]),
                np.concatenate([grad_who.ravel(), grad_wih.ravel()]))
assert math.isclose(seed_0, cosines["all 60"][0], rel_tol=1e-9)
assert round(seed_0, 2) == 0.91                                   # "0.91 at seed 0, ...
assert cosines["all 60"][0] == max(cosines["all 60"])             # ... the largest"

# %% [markdown]
# Within each layer the direction is close (cosine above 0.99 for `who`, above 0.95 for `wih`, at
# every seed); across layers it is not, because the hidden layer's part is scaled up about 4× and
# the output layer's is not, so the step of all 60 weights tilts towards the hidden weights: its
# cosine with the gradient is between 0.7 and 0.95 at every seed from 0 to 49 (0.91 at seed 0, the
# largest). It is still downhill, which is why the code learns at all.
#
# ## 6. The biases
#
# The tutorial's matrix form gives each neuron one bias, updated by the sum of its $\delta$ over the
# rows: $b_{\text{new}} = b - \eta\sum_n \delta_n$. The code subtracts the per-row terms without
# summing, so the bias 0 broadcasts into a matrix with one column per training row (again with
# the double sigmoid):

# %%
print("after one step: bho shape", np.shape(doc.bho), ", bih shape", np.shape(doc.bih))
assert np.shape(doc.bho) == (1, 10) and np.shape(doc.bih) == (10, 10)
right_bho = 0 - doc.lr * delta_out.sum()
right_bih = 0 - doc.lr * delta_hidden.sum(axis=1)
assert math.isclose(model.layers[1].neurons[0].b.grad, delta_out.sum(), rel_tol=1e-10)
assert np.allclose([n.b.grad for n in model.layers[0].neurons], delta_hidden.sum(axis=1), rtol=1e-10)
print("the rule's new output bias (one number):", round(right_bho, 5))
print("the code's new output 'bias', one per row:", doc.bho.ravel())
print("the rule's new hidden biases (one per neuron):", right_bih)
print("the code's hidden 'biases', neuron 0, one per row:", doc.bih[0])

# %% [markdown]
# So after training the code holds $10 \times 10 + 1 \times 10 = 110$ bias numbers instead of
# $10 + 1 = 11$: a separate offset for every (neuron, row) pair, tied to the position of the row in
# the table. The trained network cannot even be applied to one new row as intended (below,
# `predict` on one row returns ten numbers).
#
# ## 7. Training as printed
#
# 1000 epochs of the code's `fit` (it prints a line per epoch; we keep the last) against the ten
# outputs the tutorial printed. Its starting weights were random and unseeded, so no run matches
# it digit for digit; every seed we try lands within 0.02 of each printed number.

# %%
printed = np.array([0.00902083, 0.99684914, 0.99625946, 0.00701471, 0.99640161,
                    0.00922074, 0.99667569, 0.00483531, 0.99673216, 0.98974989])


def run_code(seed):
    np.random.seed(seed)
    net_ = NN(table.shape[1], 10, 1, 0.1, 1000)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        net_.fit(table, target)
    return net_, out.getvalue().splitlines()[-1]


doc, last_line = run_code(0)
doc_pred = doc.predict(table).ravel()
print(last_line)
assert last_line == "Epoch 999/1000 completed."         # fit counts its epochs from 0
print("printed by the tutorial:", printed.round(4))
print("the code, seed 0:      ", doc_pred.round(4))
print(f"largest difference {np.abs(doc_pred - printed).max():.4f}")
for seed in range(5):
    assert np.abs(run_code(seed)[0].predict(table).ravel() - printed).max() < 0.02
single = doc.predict([table[1]])
print("predict(one row) has shape", single.shape)
assert single.shape == (10, 1)

# %% [markdown]
# ## 8. Why the fit looks perfect
#
# With ten rows and ten free output biases, one per row, the output layer alone could hit any ten
# targets. Set the 110 per-row biases to zero and keep the trained weights: the network the
# weights actually learned classifies only 7 or 8 of the ten rows right (70 % at seed 0), at every
# seed from 0 to 9.

# %%
def accuracy(out):
    return float(np.mean((np.ravel(out) > 0.5) == target.ravel()))


def without_row_biases(net_):
    return sigma(net_.who @ sigma(net_.wih @ table.T)).ravel()


print(f"seed 0: with the per-row biases accuracy {accuracy(doc_pred):.0%}, "
      f"largest error {np.abs(doc_pred - target.ravel()).max():.3f}; "
      f"zeroed: accuracy {accuracy(without_row_biases(doc)):.0%}")
zeroed_right = []
for seed in range(10):
    trained, _ = run_code(seed)
    assert accuracy(trained.predict(table)) == 1.0
    zeroed_right.append(round(10 * accuracy(without_row_biases(trained))))
print("seeds 0-9, rows right with the per-row biases zeroed:", zeroed_right)
assert all(7 <= n <= 8 for n in zeroed_right)

# %% [markdown]
# Now the same training with the biases done as the tutorial's own matrix form says — one per
# neuron, summed over the rows — once with the code's rule (double sigmoid, raw error sent back)
# and once with the true gradient. `train` below is the code's `backprop` with those two choices
# as switches; with both set as the code has them it reproduces the code exactly. With one bias per
# neuron the code's rule still classifies every row, but no longer fits the targets closely: its
# largest error is between 0.1 and 0.3 at every seed from 0 to 9 (0.17 at seed 0), where the
# per-row biases bring it under 0.02.

# %%
def train(seed, rule, biases, epochs=1000, lr=0.1):
    """Full-batch training from the code's seeded start. rule: 'code' or 'gradient';
    biases: 'per row' (as the code) or 'per neuron'. Returns (outputs, C before each epoch + final)."""
    np.random.seed(seed)
    start = NN(5, 10, 1, lr, epochs)
    wih, who, bih, bho = start.wih.copy(), start.who.copy(), 0, 0
    inputs, tj = table.T, target.T
    losses = []
    for _ in range(epochs + 1):
        hs = sigma(wih @ inputs + bih)
        ys = sigma(who @ hs + bho)
        losses.append(0.5 * float(((ys - tj) ** 2).sum()))
        if len(losses) > epochs:
            break
        if rule == "code":
            d_out = (ys - tj) * double(ys)
            d_hid = (who.T @ (ys - tj)) * double(hs)
        else:
            d_out = (ys - tj) * ys * (1 - ys)
            d_hid = (who.T @ d_out) * hs * (1 - hs)
        who = who - lr * d_out @ hs.T
        wih = wih - lr * d_hid @ inputs.T
        if biases == "per row":
            bho, bih = bho - lr * d_out, bih - lr * d_hid
        else:
            bho = bho - lr * d_out.sum(axis=1, keepdims=True)
            bih = bih - lr * d_hid.sum(axis=1, keepdims=True)
    return ys.ravel(), losses


out_code, loss_code = train(0, "code", "per row")
assert np.allclose(out_code, doc_pred, rtol=1e-9)                 # it is the tutorial's code
out_rule, loss_rule = train(0, "code", "per neuron")
out_grad, loss_grad = train(0, "gradient", "per neuron")
for name, out in [("the code as printed", out_code), ("its rule, per-neuron biases", out_rule),
                  ("the true gradient", out_grad)]:
    print(f"{name:28s} largest error {np.abs(out - target.ravel()).max():.3f}, "
          f"accuracy {accuracy(out):.0%}")

per_neuron_errors = []
for seed in range(10):
    out_r, _ = train(seed, "code", "per neuron")
    out_c, _ = train(seed, "code", "per row")
    assert np.abs(out_c - target.ravel()).max() < 0.02     # the printed kind of fit ...
    per_neuron_errors.append(np.abs(out_r - target.ravel()).max())
    assert accuracy(out_r) == 1.0
print(f"seeds 0-9, largest error with per-neuron biases: {min(per_neuron_errors):.3f} .. "
      f"{max(per_neuron_errors):.3f}")
assert all(0.1 < e < 0.3 for e in per_neuron_errors)      # ... needs the per-row biases

# %% [markdown]
# The true gradient from the same start, trained by the engine: `nn.fit` with the mean of
# $\frac12(o - t)^2$ over the rows, so learning rate 1.0 on the mean is the code's 0.1 on the sum.
# Its loss curve (times 10, back to the sum) is the NumPy "true gradient" curve to rounding — two
# independent computations of the same descent.

# %%
model = engine_copy(wih0, who0)
history = fit(model, X, y, loss=mse, optimizer=SGD(model.parameters(), lr=1.0), epochs=1000,
              progress=False)
engine_curve = np.array(history.loss + [history.final_loss]) * 10
assert np.allclose(engine_curve, loss_grad, rtol=1e-9)
with no_grad():
    ours = np.array([model(row)[0].data for row in X])
print(f"engine: C {engine_curve[0]:.4f} -> {engine_curve[-1]:.4f}, accuracy {accuracy(ours):.0%}")
assert accuracy(ours) == 1.0 and engine_curve[-1] < engine_curve[0] / 10

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(loss_code, label="the code as printed (per-row biases)")
ax.plot(loss_rule, label="its update rule, per-neuron biases")
ax.plot(engine_curve, "--", label="true gradient (engine; NumPy identical)")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel(r"$C = \frac{1}{2}\sum_n (t_n - y_n)^2$")
ax.set_title("10x5 table, 5-10-1 sigmoid network, learning rate 0.1, same start")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The bottom curve is not a better learner: it holds 110 bias numbers where 11 are needed, 99
# extra offsets tied to the rows, and uses them to memorise the ten targets. With one bias per
# neuron, the code's rule still ends lower than the true gradient at this learning rate (at every
# seed from 0 to 9) — its hidden-layer steps are about 4× larger, like a larger learning rate for
# that layer — but that is a matter of step size, not of a better direction: the true gradient
# with $\eta = 0.4$ ends well below it, under three quarters of its final cost at every seed.

# %%
rule_vs_gradient, fast_vs_rule = [], []
for seed in range(10):
    _, rule_losses = train(seed, "code", "per neuron")
    _, grad_losses = train(seed, "gradient", "per neuron")
    _, fast_losses = train(seed, "gradient", "per neuron", lr=0.4)
    if seed == 0:
        print(f"seed 0, final C: the code's rule (eta 0.1) {rule_losses[-1]:.4f}, true gradient "
              f"(eta 0.1) {grad_losses[-1]:.4f}, true gradient (eta 0.4) {fast_losses[-1]:.4f}")
    rule_vs_gradient.append(rule_losses[-1] / grad_losses[-1])
    fast_vs_rule.append(fast_losses[-1] / rule_losses[-1])
print(f"seeds 0-9, final C ratios: rule / gradient (both eta 0.1) {min(rule_vs_gradient):.2f} .. "
      f"{max(rule_vs_gradient):.2f}; gradient (eta 0.4) / rule {min(fast_vs_rule):.2f} .. "
      f"{max(fast_vs_rule):.2f}")
assert max(rule_vs_gradient) < 1          # the rule ends lower at eta 0.1 ...
assert max(fast_vs_rule) < 0.75           # ... and the gradient with a larger step far lower still

# %% [markdown]
# ## 9. Step 1's mini-batches, and "Stochastic" Gradient Descent
#
# The tutorial's step 1 says the training data "is converted into different mini-batches" before it
# is fed forward, and its gradient-descent section calls the method "Stochastic Gradient Descent".
# It defines neither, and its code uses neither: every call of `backprop` gets the whole table and
# makes one update from all ten rows — full-batch gradient descent. Checked: `fit` calls `backprop`
# once per epoch, each time with the 10×5 table; and the weight update of one call is the sum of
# the ten updates that each row alone would make from the same weights.

# %%
calls = []


class Watched(NN):
    """The tutorial's NN, noting the shape of the table each backprop call receives."""

    def backprop(self, inputs_list, targets_list):
        calls.append(np.shape(inputs_list))
        super().backprop(inputs_list, targets_list)


np.random.seed(0)
with contextlib.redirect_stdout(io.StringIO()):
    Watched(5, 10, 1, 0.1, 1000).fit(table, target)
print(f"fit: {len(calls)} calls of backprop, each with a table of shape {calls[0]}")
assert len(calls) == 1000 and set(calls) == {(10, 5)}         # one update per epoch, all ten rows


def weight_change(rows):
    """(change of wih, change of who) in one backprop call on `rows`, from the seed-0 start."""
    np.random.seed(0)
    net_ = NN(5, 10, 1, 0.1, 1)
    wih, who = net_.wih.copy(), net_.who.copy()
    net_.backprop(table[rows], target[rows])
    return net_.wih - wih, net_.who - who


all_rows = weight_change(list(range(10)))
one_row_each = [weight_change([n]) for n in range(10)]
for part in (0, 1):                                            # wih, then who
    assert np.allclose(all_rows[part], sum(change[part] for change in one_row_each),
                       rtol=1e-12, atol=1e-15)

# %% [markdown]
# What the two names mean (the usual definitions; the tutorial gives none). **Mini-batch gradient
# descent** shuffles the rows every epoch, cuts them into batches of $B$ rows, and takes one step
# per batch on that batch's cost alone, $w \leftarrow w - \eta\,\nabla C_{\text{batch}}(w)$, here
# with $C_{\text{batch}}$ the mean of $\frac12(o - t)^2$ over the batch. **Stochastic gradient
# descent** is $B = 1$: one row per step. (Many texts call both "SGD".) A batch's gradient is only
# an estimate of the whole table's, but an epoch now takes $10/B$ steps instead of one, for the
# same work: every row still goes forward and backward once per epoch. `nn.fit(..., batch_size=B)`
# does this.
#
# One epoch with $B = 3$ from the code's seed-0 weights (per-neuron biases, the true gradient),
# each step recorded: the batches cover the ten rows once (3 + 3 + 3 + 1), and the first step is
# $-\eta$ times the gradient of that batch's cost, measured by central finite differences of a
# NumPy cost function (no engine involved).

# %%
def batch_cost(params, rows):
    """Mean of 1/2 (o - t)^2 over the table's `rows`, in float64; params in parameters() order."""
    hidden_ = params[:60].reshape(10, 6)        # each hidden neuron: its 5 weights, then its bias
    out_w, out_b = params[60:70], params[70]   # the output neuron: 10 weights, then its bias
    hs = sigma(table[rows] @ hidden_[:, :5].T + hidden_[:, 5])
    out = sigma(hs @ out_w + out_b)
    return float(np.mean(0.5 * (out - target[rows, 0]) ** 2))


def numeric_gradient(params, rows, eps=1e-6):
    return np.array([(batch_cost(params + eps * e, rows) - batch_cost(params - eps * e, rows))
                     / (2 * eps) for e in np.eye(len(params))])


steps = []
replay = ReplayStep()                          # the step fit uses by default for this model


def recorded_step(model_, Xb, yb, *rest):
    before = np.array([p.data for p in model_.parameters()])
    result = replay(model_, Xb, yb, *rest)
    after = np.array([p.data for p in model_.parameters()])
    steps.append(([X.index(row) for row in Xb], before, after))
    return result


lr = 1.0
model = engine_copy(wih0, who0)
fit(model, X, y, loss=mse, optimizer=SGD(model.parameters(), lr=lr), epochs=1, batch_size=3,
    step=recorded_step, progress=False)
print("the epoch's batches (row numbers):", [rows for rows, _, _ in steps])
assert [len(rows) for rows, _, _ in steps] == [3, 3, 3, 1]
assert sorted(sum((rows for rows, _, _ in steps), [])) == list(range(10))

rows, before, after = steps[0]
batch_grad = numeric_gradient(before, rows)
assert np.allclose((before - after) / lr, batch_grad, rtol=1e-6, atol=1e-9)
table_grad = numeric_gradient(before, list(range(10)))
print(f"first step = -eta x (finite-difference gradient of its batch's cost), all 71 parameters; "
      f"cosine between that batch's gradient and the whole table's: {cosine(batch_grad, table_grad):.2f}")

# %% [markdown]
# Then training, with the same learning rate per step ($\eta = 1$ on the batch mean) and 200
# epochs, from the code's starting weights, for $B$ = 10 (the whole table, one step per epoch, as
# the code does), 5, 2 and 1 (stochastic, ten steps per epoch). The smaller the batch, the more
# steps per epoch and the lower the cost after 200 epochs; with one row per step every output
# ends within 0.25 of its target. Asserted for the code's starting weights of seeds 0 to 4 (each
# with fit's shuffling seed 0); printed for seed 0.

# %%
sizes = (10, 5, 2, 1)
for seed in range(5):
    np.random.seed(seed)
    start = NN(5, 10, 1, 0.1, 1)
    costs, errors = [], []
    for B in sizes:
        m = engine_copy(start.wih, start.who)
        hist = fit(m, X, y, loss=mse, optimizer=SGD(m.parameters(), lr=1.0), epochs=200,
                   batch_size=B, progress=False)
        outs = np.array([o[0] for o in predict(m, X)])
        costs.append(10 * hist.final_loss)                        # back to the tutorial's sum
        errors.append(np.abs(outs - target.ravel()).max())
        if seed == 0:
            print(f"B = {B:2d}: {math.ceil(10 / B):2d} steps per epoch, "
                  f"C after 200 epochs {costs[-1]:.4f}, largest error {errors[-1]:.3f}")
    assert all(b < a for a, b in zip(costs, costs[1:]))         # smaller batches: lower cost
    assert errors[-1] < 0.25                                    # stochastic: all ten targets met
