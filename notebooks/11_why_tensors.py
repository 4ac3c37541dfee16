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
# # 11. Why tensors
#
# **What this covers:** where tensors come from, seen inside a scalar graph. One layer on one
# sample is a graph of scalar nodes; give every node its *level* (how far it is from the leaves)
# and the nodes of one level with the same op turn out to be the entries of one array
# operation: the `*` nodes are the outer product $W \odot x$, the chains of `+` nodes are row
# sums, and the layer is $\tanh(Wx + b)$. The backward pass groups the same way:
# $\partial L/\partial W = \delta x^\top$, $\partial L/\partial x = W^\top \delta$. On a batch each
# level grows 32 times wider (the batch mean adds a chain on top), and $Wx$ becomes the matrix
# product $XW^\top$. This
# repo's compiled replay applies that grouping to any recorded graph; we time it against the
# pure-Python replay and hand-written numpy, then train the digits classifier with it.
#
# **Follows:** notebook 3 (a layer built from `Value`s and its gradient
# $\partial L/\partial w_{jk} = \delta_k x_j$) and notebook 8 (training with `fit`); and the
# point karpathy makes in his micrograd lecture: micrograd works on scalars only to teach, and a
# library such as PyTorch runs the same math on tensors, for speed. Here we see what that means.

# %%
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np

from micrograd import Value
from micrograd.replay import record, worth_compiling
from nn import MLP, SGD, Layer, ReplayStep, cross_entropy, data, evaluate, fit, mse, predict

# %matplotlib inline


def level_table(tape) -> Counter:
    """(level, op) -> how many op nodes of the recorded graph have that level and op."""
    return Counter((level, node.op) for level, node in zip(tape.levels, tape.nodes))


def show_levels(table: Counter) -> None:
    """One line per level, what its op nodes are; a run of levels (or of 2-3 levels) that
    repeats is printed once, with its count."""
    depth = max(level for level, _ in table)
    lines = ["  ".join(f"{n} x {op}" for (level, op), n in sorted(table.items()) if level == lv)
             for lv in range(1, depth + 1)]
    i = 0
    while i < depth:
        period, times = 1, 1
        for p in (1, 2, 3):                 # the longest stretch that repeats with period p
            k = 1
            while lines[i + k * p:i + (k + 1) * p] == lines[i:i + p]:
                k += 1
            if k > 1 and k * p > period * times:
                period, times = p, k
        span = period * times
        where = f"level {i + 1}" if span == 1 else f"levels {i + 1}-{i + span}"
        what = " | ".join(lines[i:i + period])
        print(f"{where:>15}: {what}" + (f"   ({times} times)" if period > 1 else ""))
        i += span


# %% [markdown]
# ## One layer, one sample
#
# `Layer(3, 4, activation="tanh")`: four neurons, each computing
# $o_i = \tanh(b_i + w_{i0}x_0 + w_{i1}x_1 + w_{i2}x_2)$, added left to right. The inputs are
# `Value`s too, so they get gradients. The loss is `mse`, $L = \frac12\sum_i (o_i - t_i)^2$.
# `record(loss)` keeps the graph and numbers each op node's level: leaves are level 0, an op
# node is one above its highest operand.

# %%
layer = Layer(3, 4, activation="tanh", seed=1)
x = [Value(v, f"x{j}") for j, v in enumerate([0.5, -1.0, 2.0])]
t = [1.0, 0.0, -1.0, 0.5]
out = layer(x)
loss = mse(out, t)

tape = record(loss)
table = level_table(tape)
print(f"{len(tape.nodes)} op nodes, {len(tape.leaves)} leaves, {tape.depth} levels")
show_levels(table)

# the layer is levels 1-5: 12 products, three levels of 4 sums, 4 tanh
assert table[1, "*"] == 12 and table[5, "tanh"] == 4
assert table[2, "+"] == table[3, "+"] == table[4, "+"] == 4
assert len(tape.nodes) == 41 and len(tape.leaves) == 25 and tape.depth == 12

# %% [markdown]
# Read the table as a recipe. Nothing in a level depends on anything else in that level, so a
# level could be computed all at once. Let us check that each level *is* one numpy operation,
# with the weights as a $4\times3$ matrix $W$ (row $i$ = neuron $i$) and $b$, $x$ as vectors.
#
# **Level 1, the `*` nodes**: each multiplies one weight $w_{ij}$ by one input $x_j$, and all
# twelve pairs occur: they are the entries of $W \odot x$ (every row of $W$ times $x$,
# elementwise; numpy broadcasts `x` over the rows).

# %%
W = np.array([[w.data for w in neuron.w] for neuron in layer.neurons])
b = np.array([neuron.b.data for neuron in layer.neurons])
xv = np.array([v.data for v in x])
products = W * xv                                   # 4 x 3, one multiply

where = {id(w): (i, j) for i, neuron in enumerate(layer.neurons) for j, w in enumerate(neuron.w)}
found = {}
for level, node in zip(tape.levels, tape.nodes):
    if level == 1 and node.op == "*":
        w_node, _ = node.children           # (weight, input), as the neuron wrote w * x
        found[where[id(w_node)]] = node.data
assert sorted(found) == [(i, j) for i in range(4) for j in range(3)]    # every (i, j) once
assert all(products[ij] == value for ij, value in found.items())        # exactly equal
print(products)

# %% [markdown]
# **Levels 2-4, the `+` nodes**: neuron $i$ adds $b_i$ and its three products one at a time, so
# its `+` nodes form a chain, one node per level. Level $2+k$ holds, for all four neurons at
# once, the running sum up to column $k$: one vector addition `z = z + products[:, k]`. After
# the last one, `z` is each row's sum plus $b$, which is $Wx + b$. We walk each neuron's chain
# down from its `tanh` and compare level by level, exactly.

# %%
def chain(o: Value) -> list[Value]:
    """The + nodes below tanh node o, from the first (b + w0*x0) to the last."""
    nodes, z = [], o.children[0]
    while z.op == "+":
        nodes.append(z)
        z = z.children[0]
    return nodes[::-1]


chains = [chain(o) for o in out]
z = b
for k in range(3):
    z = z + products[:, k]                          # the whole level, one addition
    assert all(chains[i][k].data == z[i] for i in range(4))
assert all(o.data == np.tanh(z[i]) for i, o in enumerate(out))           # level 5: one tanh

# and the usual way to write the same numbers: a matrix-vector product
o_np = np.tanh(W @ xv + b)
o_values = np.array([o.data for o in out])
print("tanh(W @ x + b) =", o_np)
print("largest difference from the Values:", np.abs(o_np - o_values).max())
np.testing.assert_allclose(o_values, o_np, rtol=0, atol=1e-15)

# %% [markdown]
# Exactly equal level by level. `W @ x` is free to add the three products in another order
# (floating-point addition is not associative), so in general it agrees only to rounding,
# $10^{-15}$ or so; here it happens to match bit for bit.
#
# ## The backward pass groups the same way
#
# Going down, the chain rule gives each neuron one number
# $\delta_i = \partial L/\partial z_i = (o_i - t_i)(1 - o_i^2)$ (mse, then tanh). Every `+` node
# passes it on unchanged, every `*` node multiplies it by its other operand. So
# $\partial L/\partial w_{ij} = \delta_i x_j$ — all twelve at once, the outer product
# $\delta x^\top$ — and $\partial L/\partial b_i = \delta_i$. Input $x_j$ feeds all four neurons,
# so its gradient adds four shares, $\sum_i w_{ij}\delta_i$: the product $W^\top\delta$.

# %%
loss.backward()
delta = (o_values - t) * (1 - o_values**2)
grad_W = np.array([[w.grad for w in neuron.w] for neuron in layer.neurons])
grad_b = np.array([neuron.b.grad for neuron in layer.neurons])
grad_x = np.array([v.grad for v in x])

print("delta       =", delta)
print("dL/dx       =", grad_x)
print("W.T @ delta =", W.T @ delta)
assert np.array_equal(grad_W, np.outer(delta, xv))      # bit for bit
assert np.array_equal(grad_b, delta)
np.testing.assert_allclose(grad_x, W.T @ delta, rtol=1e-15, atol=1e-16)

# %% [markdown]
# ## A batch of 32 samples
#
# Training uses a batch: the same layer on 32 samples, with the mean of their losses. Each
# sample builds its own copy of the layer's graph, sharing the 16 parameters, so the scalar
# graph grows 32 times. The levels of the layer do not: level 1 still holds all the products,
# now $32 \times 12$ of them, and so on.

# %%
rng = np.random.default_rng(0)
X = rng.normal(size=(32, 3))
T = rng.uniform(-1, 1, size=(32, 4))
xs = [[Value(v) for v in row] for row in X.tolist()]
outs = [layer(xi) for xi in xs]
batch_loss = sum(mse(o, ti) for o, ti in zip(outs, T.tolist())) * (1 / 32)

batch_tape = record(batch_loss)
batch_table = level_table(batch_tape)
print(f"{len(batch_tape.nodes)} op nodes, {batch_tape.depth} levels")
show_levels(batch_table)
for key, n in table.items():                    # the layer and each sample's loss: 32 x as many
    assert batch_table[key] == 32 * n
assert len(batch_tape.nodes) == 32 * 41 + 33 and batch_tape.depth == 12 + 33

# %% [markdown]
# Levels 1-12 (the layer, then each sample's loss) are the same twelve levels as before, each
# 32 times wider. What comes after is the mean over the batch, written as a Python `sum`: a
# chain of 32 `+` nodes, one per level, then the $\times\frac1{32}$. (A tensor library has one
# kernel for a whole sum, a *reduction*; a scalar graph can only add two numbers at a time.)
#
# In numpy, the 32 samples are the rows of a $32 \times 3$ matrix $X$, and the layer becomes
# $\tanh(XW^\top + b)$: a matrix-matrix product. The gradient of the weights sums the 32
# samples' outer products, which is again one product, $\partial L/\partial W = \Delta^\top X$
# with one row of $\Delta$ per sample (scaled by the mean's $1/32$).

# %%
O = np.tanh(X @ W.T + b)                                  # 32 x 4
O_values = np.array([[o.data for o in row] for row in outs])
print("largest difference from the Values:", np.abs(O - O_values).max())
np.testing.assert_allclose(O_values, O, rtol=0, atol=1e-15)

for p in layer.parameters():
    p.grad = 0.0
batch_loss.backward()
Delta = (O - T) * (1 - O**2) / 32                         # dL/dz, one row per sample
grad_W = np.array([[w.grad for w in neuron.w] for neuron in layer.neurons])
np.testing.assert_allclose(grad_W, Delta.T @ X, rtol=1e-13)
np.testing.assert_allclose([n.b.grad for n in layer.neurons], Delta.sum(axis=0), rtol=1e-13)

# %% [markdown]
# **This is what a tensor is for.** A tensor library (numpy, PyTorch) stores the numbers of a
# whole group — every product of level 1, every running sum of level 3 — in one array, and runs
# one *kernel* (a compiled loop, in C or on a GPU) per (level, op) group instead of one Python
# call per node. The arithmetic is the same, node for node; what disappears is the per-node cost
# of Python (creating a `Value`, looking up the op, storing its local derivatives), which is
# far larger than a multiply. It also lets the library use better kernels for common patterns:
# the `*` level and the chain of `+` levels together are one matrix product, which BLAS runs
# at full speed.
#
# ## The compiled replay: the same idea on any graph
#
# `record(root, inputs)` keeps a graph with some leaves named as inputs; `tape.forward(inputs)`
# recomputes it in place with new numbers, and `tape.backward()` differentiates it (notebook 8's
# `fit` uses this). `tape.compile()` goes one step further: it sorts the op nodes into
# (level, op) groups, and runs each group as one numpy call on arrays — forward lowest level
# first, backward highest first. It does not know about layers or matrices; it finds the groups
# in whatever graph you recorded.
#
# We record one training step of the digits classifier: `MLP(64, [32, 10])` (ReLU, then 10
# logits), cross-entropy, the mean over 32 samples. The pixels and the one-hot targets are
# named input leaves, so the same recording serves every batch.

# %%
X_all, y_all = data.digits()
X_train, X_test, y_train, y_test = data.train_test_split(X_all, y_all, 0.2, seed=1337)
model = MLP(64, [32, 10], init="normal", seed=1337)


def record_step(model, Xb, yb):
    """The graph of the mean cross-entropy over a batch; pixels and targets as input leaves."""
    xs = [[Value(v, f"x[{i}][{j}]") for j, v in enumerate(x)] for i, x in enumerate(Xb)]
    ys = [[Value(v, f"y[{i}][{k}]") for k, v in enumerate(cross_entropy.encode(c, 10))]
          for i, c in enumerate(yb)]
    losses = [cross_entropy.graph(model(x), y) for x, y in zip(xs, ys)]
    loss = sum(losses) * (1 / len(losses))
    return record(loss, {v.label: v for row in xs + ys for v in row})


def step_inputs(Xb, yb) -> dict[str, float]:
    """The input leaves' numbers for a batch."""
    values = {}
    for i, (x, c) in enumerate(zip(Xb, yb)):
        values.update({f"x[{i}][{j}]": v for j, v in enumerate(x)})
        values.update({f"y[{i}][{k}]": v for k, v in enumerate(cross_entropy.encode(c, 10))})
    return values


pure = record_step(model, X_train[:32], y_train[:32])
digits_table = level_table(pure)
print(f"{len(pure.nodes)} op nodes, {len(pure.leaves)} leaves, {pure.depth} levels, "
      f"{len(digits_table)} (level, op) groups, "
      f"{len(pure.nodes) / len(digits_table):.0f} nodes per group on average")
show_levels(digits_table)
assert len(model.parameters()) == 64 * 32 + 32 + 32 * 10 + 10 == 2410
assert len(pure.nodes) == 155457 and pure.depth == len(digits_table) == 185
assert digits_table[1, "*"] == 32 * 64 * 32                   # every pixel x weight product
assert all(digits_table[level, "+"] >= 32 * 32 for level in range(2, 66))

# %% [markdown]
# Here every level happens to hold a single op, so there are as many groups as levels. The
# widest groups are the layers: level 1 is every pixel-times-weight product of the batch
# ($32 \times 32 \times 64$), and each neuron adds its 64 products one at a time, so the first
# layer's sums are 64 levels of $32 \times 32 = 1024$ `+` nodes. The loss is narrower: levels
# 100-126 are cross-entropy finding each sample's largest logit, $m \leftarrow m +
# \mathrm{relu}(z_k - m)$, one logit at a time (32 nodes wide), and the mean over the batch ends
# in a chain one node wide.
#
# Now one step three ways, on the next batch: the pure-Python replay (one Python call per node),
# the same recording compiled (one numpy call per group), and numpy written by hand for this
# network, where the 64 levels of products and sums are one matrix product. Each does a forward
# with the new batch and a backward. The times are this machine's, printed and not checked; the
# numbers are checked: the compiled step must give the pure replay's loss and gradients to
# $10^{-12}$ relative.

# %%
compiled = record_step(model, X_train[:32], y_train[:32]).compile()
Xb, yb = X_train[32:64], y_train[32:64]
inputs = step_inputs(Xb, yb)
params = model.parameters()


def step(tape) -> tuple[float, np.ndarray]:
    """Forward on the new batch, backward; (loss, every parameter's gradient)."""
    for p in params:
        p.grad = 0.0
    loss = tape.forward(inputs)
    tape.backward()
    return loss, np.array([p.grad for p in params])


def per_layer(i: int):
    """Layer i's weights as a matrix (one row per neuron) and its biases as a vector."""
    neurons = model.layers[i].neurons
    return (np.array([[w.data for w in n.w] for n in neurons]),
            np.array([n.b.data for n in neurons]))


def numpy_step(X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The same step, written with matrices: forward, then the chain rule by hand."""
    (W1, b1), (W2, b2) = per_layer(0), per_layer(1)
    H_in = X @ W1.T + b1                              # 32 x 32
    H = np.maximum(H_in, 0.0)                         # relu
    Z = H @ W2.T + b2                                 # 32 x 10 logits
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    loss = np.mean(lse - Z[np.arange(len(y)), y])
    dZ = np.exp(Z - lse[:, None])                     # softmax ...
    dZ[np.arange(len(y)), y] -= 1.0                   # ... minus the one-hot target
    dZ /= len(y)                                      # the mean
    dH = (dZ @ W2) * (H_in > 0)                       # relu'(0) = 0, as in the op table
    grads = [(dH.T @ X), dH.sum(axis=0), (dZ.T @ H), dZ.sum(axis=0)]
    # in model.parameters() order: each neuron's weights, then its bias
    flat = [np.concatenate([gW, gb[:, None]], axis=1).ravel()
            for gW, gb in (grads[:2], grads[2:])]
    return loss, np.concatenate(flat)


def best_time(f, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def largest_error(a, b) -> float:
    """The largest relative difference of a from b, element by element (b's zeros: absolute)."""
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    return float(np.max(np.abs(a - b) / np.where(b == 0, 1.0, np.abs(b))))


X_np, y_np = np.array(Xb), np.array(yb)
loss_pure, grads_pure = step(pure)
loss_compiled, grads_compiled = step(compiled)
loss_numpy, grads_numpy = numpy_step(X_np, y_np)

print(f"loss {loss_pure!r} (pure replay)")
print(f"compiled vs pure: loss {largest_error(loss_compiled, loss_pure):.1e}, "
      f"gradients {largest_error(grads_compiled, grads_pure):.1e} (largest relative difference)")
print(f"by hand vs pure:  loss {largest_error(loss_numpy, loss_pure):.1e}, "
      f"gradients {largest_error(grads_numpy, grads_pure):.1e}")
print(f"{np.count_nonzero(grads_pure)} of {len(params)} gradients are not 0 (a weight whose "
      f"pixel is 0 in every image where its ReLU is on gets none)")
assert largest_error(loss_compiled, loss_pure) <= 1e-12
assert largest_error(grads_compiled, grads_pure) <= 1e-12        # each of the 2,410
assert largest_error(loss_numpy, loss_pure) <= 1e-12
assert np.abs(grads_numpy - grads_pure).max() <= 1e-12 * np.abs(grads_pure).max()

# %%
t_pure = best_time(lambda: step(pure))
t_compiled = best_time(lambda: step(compiled))
t_numpy = best_time(lambda: numpy_step(X_np, y_np))
print(f"pure-Python replay  {t_pure * 1e3:7.2f} ms per step")
print(f"compiled replay     {t_compiled * 1e3:7.2f} ms per step  "
      f"({t_pure / t_compiled:.0f}x the pure replay's speed)")
print(f"numpy by hand       {t_numpy * 1e3:7.2f} ms per step  ({t_pure / t_numpy:.0f}x)")

# %% [markdown]
# The compiled step runs 185 groups each way, a numpy call or two per group, instead of one
# Python call per node (155,457 each way), so it gains most where groups are wide. A
# long chain, one node per level, would be slower compiled; `worth_compiling(tape)` looks at
# the average width (nodes / levels) and tells `fit` whether to compile. The hand-written numpy
# is faster still: it builds no graph, and one matrix product does the work of a whole 64-level
# chain of products and sums. That is the trade a tensor library makes: you write the network
# in whole arrays, and you get the speed.
#
# After a compiled step only the root's value and the leaves' gradients are written back to the
# `Value`s (that is all training needs); `tape.sync()` writes every inner node too, so the graph
# can still be drawn and explained:

# %%
assert worth_compiling(pure)               # 840 nodes per level on average
total = compiled.root.children[0]         # the sum of the 32 losses, an inner node
compiled.sync()
print(total)
assert abs(total.data - pure.root.children[0].data) <= 1e-12 * abs(total.data)
assert total.grad == 1 / 32

# %% [markdown]
# ## Training on the digits
#
# 1,438 training images, 359 held out (20% of 1,797); SGD with learning rate 0.3, mini-batches
# of 32, 15 epochs. `fit` trains with `ReplayStep`: it records one graph per batch size (the
# last batch of an epoch is smaller) and compiles it, since it is wide enough.

# %%
model = MLP(64, [32, 10], init="normal", seed=1337)
start = time.perf_counter()
replay = ReplayStep()                       # fit's default here, named so we can look inside
history = fit(model, X_train, y_train, loss=cross_entropy, batch_size=32, epochs=15,
              seed=1337, optimizer=SGD(model.parameters(), lr=0.3), progress=False, step=replay)
seconds = time.perf_counter() - start
assert len(replay.graphs) == 2                  # batches of 32, and the last one of 30
assert all(recording.tape.compiled for recording in replay.graphs.values())
test_loss, test_accuracy = evaluate(model, X_test, y_test, loss=cross_entropy)

for e in (0, 4, 9, 14):
    print(f"epoch {e + 1:2d}  loss {history.loss[e]:.4f}  accuracy {history.accuracy[e]:.1%}")
print(f"held out: loss {test_loss:.4f}, accuracy {test_accuracy:.1%} "
      f"({round(test_accuracy * len(X_test))} of {len(X_test)})")
print(f"15 epochs in {seconds:.1f} s on this machine")
assert len(X_train) == 1438 and len(X_test) == 359
assert test_accuracy >= 0.95
assert history.loss[-1] < history.loss[0] / 3

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
epochs = range(1, 16)
ax1.plot(epochs, history.loss)
ax1.set_xlabel("epoch")
ax1.set_title("training loss (cross-entropy)")
ax2.plot(epochs, [100 * a for a in history.accuracy], label="training")
ax2.axhline(100 * test_accuracy, color="gray", linestyle="--", label="held out, at the end")
ax2.set_xlabel("epoch")
ax2.set_title("accuracy, %")
ax2.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The confusion matrix of the held-out images: row = the true digit, column = the network's
# answer (the largest logit). The diagonal is right; everything else is a mistake.

# %%
predicted = [int(np.argmax(out)) for out in predict(model, X_test)]
confusion = np.zeros((10, 10), dtype=int)
for true, guess in zip(y_test, predicted):
    confusion[true, guess] += 1
assert confusion.trace() == round(test_accuracy * len(X_test))

fig, ax = plt.subplots(figsize=(4.5, 4))
ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            ax.text(j, i, confusion[i, j], ha="center", va="center",
                    color="white" if confusion[i, j] > confusion.max() / 2 else "black")
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted")
ax.set_ylabel("true")
ax.set_title("held-out confusion matrix")
fig.tight_layout()
plt.show()

# %% [markdown]
# Some of the held-out digits it gets wrong, titled *true → predicted* (8 by 8 pixels is not
# much to go on):

# %%
wrong = [i for i, (true, guess) in enumerate(zip(y_test, predicted)) if true != guess]
print(f"{len(wrong)} mistakes")
fig, axes = plt.subplots(1, min(8, len(wrong)), figsize=(9, 1.8))
for ax, i in zip(np.atleast_1d(axes), wrong):
    ax.imshow(np.reshape(X_test[i], (8, 8)), cmap="gray_r")
    ax.set_title(f"{y_test[i]} → {predicted[i]}")
    ax.axis("off")
plt.show()
