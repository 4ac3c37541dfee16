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
# # 4. The worked 2-2-2 example
#
# **What this covers:** the small network of "Step-By-Step Learning of a Neural Network" — 2 inputs,
# 2 sigmoid hidden neurons, 2 sigmoid outputs — rebuilt with the document's inputs, weights,
# biases and targets. We compute every forward number, the errors, $\partial E/\partial w_7$ and
# the updated $w_7$ with $\alpha = 0.5$, then one update of all weights; `explain()` writes the
# chain rule for $w_7$; and `verify()` checks every number the document publishes, showing which
# ones the engine confirms, which not, and why.
#
# **Follows:** `003_d77308b932c75427.txt` (its slides and its NumPy "Code Example").
#
# **The short story** (each point is asserted below):
#
# | document says | engine | why |
# |---|---|---|
# | $in_{h_1} = 0.35$, $in_{h_2} = 0.3275$, $out_{h_1} = 0.5866$, $out_{h_2} = 0.5812$ | same | — (the $in_{h_2}$ formula prints $W_2 = 0.25$ but its number uses $W_2 = 0.2$, the code's weight) |
# | $in_{o_1} = 1.345$, $in_{o_2} = 1.1546$ | 1.6593, 1.3380 | not reproducible from the given $W_5..W_8$, $b_2$ (no combination of the printed weights gives them) |
# | $out_{o_1} = 0.7927$ | 0.8401 | also not $\sigma(1.345) = 0.7933$; it is $\sigma(1.3413)$ |
# | $out_{o_2} = 0.7927$ | 0.7922 | a copy of $out_{o_1}$: the document's own $E_{o_2}$ uses $\sigma(1.1546) = 0.7604$ |
# | $E_{o_1} = 0.2985$, $E_{o_2} = 0.0241$, $E = 0.3226$ | 0.3363, 0.0176, 0.3540 | follow from the wrong $in_o$; internally consistent with targets 0.02 / 0.98 |
# | $\partial E/\partial w_7 = 0.0745$ | 0.0640 | even from its own numbers it is 0.0738: 0.0745 uses $out_{h_1}$, the input of $w_5$, not $out_{h_2}$ |
# | $w_7 = 0.6 - 0.5 \cdot 0.0745 = 0.5628$ | 0.5680 | the update rule is applied correctly to the wrong gradient |

# %%
import math

import numpy as np

from micrograd import Value, gradcheck
from micrograd.check import verify
from micrograd.explain import explain

# %% [markdown]
# ## The network and its numbers
#
# From the slides: $i_1 = 0.1$, $i_2 = 0.05$, targets $0.02$ and $0.98$ (the code's `targets`),
# $\alpha = 0.5$, one bias $b_1 = 0.3$ shared by both hidden neurons and one $b_2 = 0.9$ shared by
# both outputs. The weights come from the code's matrices, read with the slides' formulas
# $in_{h_1} = W_1 i_1 + W_3 i_2 + b_1$, $in_{h_2} = W_2 i_1 + W_4 i_2 + b_1$,
# $in_{o_1} = W_5\,out_{h_1} + W_7\,out_{h_2} + b_2$, $in_{o_2} = W_6\,out_{h_1} + W_8\,out_{h_2} + b_2$:
#
# ```
# weights_input_hidden  = [[0.25, 0.2], [0.5, 0.15]]   # row = input, column = hidden neuron
# weights_hidden_output = [[0.7, 0.4], [0.6, 0.35]]    # row = hidden, column = output neuron
# ```
#
# so $W_1 = 0.25$, $W_2 = 0.2$, $W_3 = 0.5$, $W_4 = 0.15$, $W_5 = 0.7$, $W_6 = 0.4$, $W_7 = 0.6$,
# $W_8 = 0.35$. (The slide's $in_{h_1} = 0.25 \cdot 0.1 + 0.5 \cdot 0.05 + 0.3$ confirms $W_1$, $W_3$.)

# %%
i1_, i2_ = 0.1, 0.05
t1, t2 = 0.02, 0.98
alpha = 0.5
given = {"w1": 0.25, "w2": 0.2, "w3": 0.5, "w4": 0.15,
         "w5": 0.7, "w6": 0.4, "w7": 0.6, "w8": 0.35, "b1": 0.3, "b2": 0.9}


def build(weights):
    """The network as one labelled expression; returns (E_total, dict of every node by label)."""
    p = {name: v if isinstance(v, Value) else Value(v, label=name) for name, v in weights.items()}
    i1, i2 = Value(i1_, label="i1"), Value(i2_, label="i2")
    n = dict(p, i1=i1, i2=i2)

    def named(v, label):
        v.label = label
        n[label] = v
        return v

    in_h1 = named(p["w1"] * i1 + p["w3"] * i2 + p["b1"], "in_h1")
    in_h2 = named(p["w2"] * i1 + p["w4"] * i2 + p["b1"], "in_h2")
    out_h1 = named(in_h1.sigmoid(), "out_h1")
    out_h2 = named(in_h2.sigmoid(), "out_h2")
    in_o1 = named(p["w5"] * out_h1 + p["w7"] * out_h2 + p["b2"], "in_o1")
    in_o2 = named(p["w6"] * out_h1 + p["w8"] * out_h2 + p["b2"], "in_o2")
    out_o1 = named(in_o1.sigmoid(), "out_o1")
    out_o2 = named(in_o2.sigmoid(), "out_o2")
    E_o1 = named(0.5 * (t1 - out_o1) ** 2, "E_o1")
    E_o2 = named(0.5 * (t2 - out_o2) ** 2, "E_o2")
    E = named(E_o1 + E_o2, "E_total")
    return E, n


E, n = build(given)
E.backward()

# %% [markdown]
# ## Forward pass, checked against a float64 hand computation
#
# The reference numbers are computed here with plain `math`, independently of the engine.

# %%
sig = lambda z: 1.0 / (1.0 + math.exp(-z))
g = given
ref = {}
ref["in_h1"] = g["w1"] * i1_ + g["w3"] * i2_ + g["b1"]
ref["in_h2"] = g["w2"] * i1_ + g["w4"] * i2_ + g["b1"]
ref["out_h1"], ref["out_h2"] = sig(ref["in_h1"]), sig(ref["in_h2"])
ref["in_o1"] = g["w5"] * ref["out_h1"] + g["w7"] * ref["out_h2"] + g["b2"]
ref["in_o2"] = g["w6"] * ref["out_h1"] + g["w8"] * ref["out_h2"] + g["b2"]
ref["out_o1"], ref["out_o2"] = sig(ref["in_o1"]), sig(ref["in_o2"])
ref["E_o1"] = 0.5 * (t1 - ref["out_o1"]) ** 2
ref["E_o2"] = 0.5 * (t2 - ref["out_o2"]) ** 2
ref["E_total"] = ref["E_o1"] + ref["E_o2"]

for name, value in ref.items():
    print(f"{name:8} = {n[name].data:.4f}")
    assert math.isclose(n[name].data, value, rel_tol=1e-12), name

# the engine's numbers quoted in the table at the top, to 4 decimals
table = {"in_o1": 1.6593, "in_o2": 1.3380, "out_o1": 0.8401, "out_o2": 0.7922,
         "E_o1": 0.3363, "E_o2": 0.0176, "E_total": 0.3540}
for name, value in table.items():
    assert abs(n[name].data - value) < 5e-5, name
assert abs(n["w7"].grad - 0.0640) < 5e-5
assert abs(given["w7"] - alpha * n["w7"].grad - 0.5680) < 5e-5

# %% [markdown]
# ## What the document prints, against these numbers
#
# `verify()` takes the published numbers as claims about labelled nodes (values) and about
# gradients (`dE_total/dw7`). It accepts 4-decimal rounding, marks the wrong rows, and for each
# wrong row names the first wrong claim it depends on — where the hand computation went off.

# %%
published = {
    "in_h1": 0.35, "in_h2": 0.3275, "out_h1": 0.5866, "out_h2": 0.5812,
    "in_o1": 1.345, "in_o2": 1.1546, "out_o1": 0.7927, "out_o2": 0.7927,
    "E_o1": 0.2985, "E_o2": 0.0241, "E_total": 0.3226,
    "dE_total/dw7": 0.0745,
}
report = verify(E, published)
print(report)

# %%
rows = {r.name: r for r in report.rows}
assert not report
confirmed = [name for name, r in rows.items() if r.ok]
assert confirmed == ["in_h1", "in_h2", "out_h1", "out_h2"], confirmed
# the first wrong steps are the two output pre-activations; everything else follows from them
assert rows["in_o1"].first_wrong_upstream is None and rows["in_o2"].first_wrong_upstream is None
assert rows["out_o1"].first_wrong_upstream == "in_o1"
assert rows["out_o2"].first_wrong_upstream == "in_o2"
assert rows["E_total"].first_wrong_upstream is not None
assert rows["dE_total/dw7"].first_wrong_upstream is not None
for name, r in rows.items():
    if not r.name.startswith("d"):
        assert math.isclose(r.computed, ref[name], rel_tol=1e-12)

# %% [markdown]
# ### The hidden layer: right numbers, one typo
#
# The slide writes $in_{h_2} = W_2 i_1 + W_4 i_2 + b_1 = 0.25 \cdot 0.1 + 0.15 \cdot 0.05 + 0.3 = 0.3275$.
# With $W_2 = 0.25$ that sum is $0.3325$; the printed $0.3275$ is what $W_2 = 0.2$ (the code's
# `weights_input_hidden[0][1]`) gives. The number is right; the formula's "0.25" is a typo.

# %%
assert math.isclose(0.25 * 0.1 + 0.15 * 0.05 + 0.3, 0.3325, rel_tol=1e-12)
assert math.isclose(0.2 * 0.1 + 0.15 * 0.05 + 0.3, 0.3275, rel_tol=1e-12)
assert abs(n["in_h2"].data - 0.3275) < 1e-12

# %% [markdown]
# ### The output layer: numbers that the given weights do not produce
#
# $in_{o_1} = 0.7 \cdot 0.5866 + 0.6 \cdot 0.5812 + 0.9 = 1.6593$, not $1.345$, and
# $in_{o_2} = 0.4 \cdot 0.5866 + 0.35 \cdot 0.5812 + 0.9 = 1.3380$, not $1.1546$. The slides'
# figure (not in the text) may have used other output weights; no assignment of the four printed
# output weights to $W_5..W_8$ with $b_2 = 0.9$ reproduces either number (the nearest to 1.345 is
# 1.3380, which is $in_{o_2}$, 0.007 away — far more than rounding), checked here:

# %%
import itertools

h1, h2 = ref["out_h1"], ref["out_h2"]
combos = {(a * h1 + b * h2 + 0.9) for a, b in itertools.permutations([0.7, 0.4, 0.6, 0.35], 2)}
print("every in_o the printed output weights can give:", sorted(round(c, 4) for c in combos))
assert all(abs(c - 1.345) > 0.005 and abs(c - 1.1546) > 0.1 for c in combos)

# %% [markdown]
# The printed sigmoid outputs do not even match the printed inputs: $\sigma(1.345) = 0.7933$,
# while $0.7927 = \sigma(1.3413)$. Rounding $in_{o_1}$ to 3 decimals moves $\sigma$ by at most
# $0.0005 \cdot \sigma' \approx 0.00008$, so the gap of 0.0006 is not rounding. And
# $out_{o_2} = 0.7927$ is $out_{o_1}$ copied: $\sigma(1.1546) = 0.7604$, and the document's own
# $E_{o_2} = 0.0241$ is $\frac12(0.98 - 0.7604)^2$ — it used 0.7604, not the 0.7927 it printed.

# %%
logit = lambda p: math.log(p / (1 - p))
print(f"sigma(1.345) = {sig(1.345):.4f}; logit(0.7927) = {logit(0.7927):.4f}; "
      f"sigma(1.1546) = {sig(1.1546):.4f}")
assert abs(sig(1.345) - 0.7927) > 0.0005
assert abs(logit(0.7927) - 1.3413) < 5e-5
assert abs(sig(1.1546) - 0.7604) < 5e-5
assert abs(0.5 * (0.98 - sig(1.1546)) ** 2 - 0.0241) < 5e-5      # what E_o2 used
assert abs(0.5 * (0.98 - 0.7927) ** 2 - 0.0241) > 0.005           # not the printed out_o2
# E_o1 = 0.2985 is (1/2)(0.02 - 0.7927)^2: the target for o1 is 0.02, as in the code
assert abs(0.5 * (0.02 - 0.7927) ** 2 - 0.2985) < 5e-5
assert abs(0.2985 + 0.0241 - 0.3226) < 1e-12

# %% [markdown]
# ## dE/dw7: the chain rule, written out by the engine
#
# $w_7$ connects $out_{h_2}$ to $in_{o_1}$, so
# $\frac{\partial E}{\partial w_7} = \frac{\partial E}{\partial out_{o_1}} \cdot \frac{\partial out_{o_1}}{\partial in_{o_1}} \cdot \frac{\partial in_{o_1}}{\partial w_7}
# = (out_{o_1} - t_1) \cdot out_{o_1}(1 - out_{o_1}) \cdot out_{h_2}$.
# `explain()` writes the same product from the graph, each factor with its formula from the op
# table and its number:

# %%
ex = explain(E, n["w7"])
print(ex)

# %%
o1 = ref["out_o1"]
dE_dw7 = (o1 - t1) * o1 * (1 - o1) * ref["out_h2"]
print(f"dE/dw7 = ({o1:.4f} - {t1}) x {o1:.4f} x (1 - {o1:.4f}) x {ref['out_h2']:.4f} = {dE_dw7:.4f}")
assert math.isclose(n["w7"].grad, dE_dw7, rel_tol=1e-12)
assert f"{n['w7'].grad:.4f}" in str(ex)
report = gradcheck(lambda *w: build(dict(zip(given, w)))[0],
                   [Value(v, label=k) for k, v in given.items()])
print(report)
assert report

# %% [markdown]
# ### Where 0.0745 comes from
#
# Replay the document's backward step on **its own** forward numbers ($out_{o_1} = 0.7927$,
# $t_1 = 0.02$, $out_{h_1} = 0.5866$, $out_{h_2} = 0.5812$): with $out_{h_2}$, the input that $w_7$
# multiplies, the product is 0.0738. The printed 0.0745 is the product with $out_{h_1}$ — that is
# $\partial E/\partial w_5$. The update $0.6 - 0.5 \cdot 0.0745 = 0.56275 \approx 0.5628$ then applies
# the rule correctly (and tells us $w_7^{old} = 0.6$, the code's `weights_hidden_output[1][0]`).

# %%
doc_o1, doc_h1, doc_h2 = 0.7927, 0.5866, 0.5812
with_h2 = (doc_o1 - t1) * doc_o1 * (1 - doc_o1) * doc_h2
with_h1 = (doc_o1 - t1) * doc_o1 * (1 - doc_o1) * doc_h1
print(f"with out_h2 (correct): {with_h2:.4f};  with out_h1: {with_h1:.4f};  printed: 0.0745")
assert abs(with_h2 - 0.0738) < 5e-5 and abs(with_h1 - 0.0745) < 5e-5
assert abs(0.6 - alpha * 0.0745 - 0.5628) < 1e-4

# %% [markdown]
# The same replay in the engine: we rebuild the output neuron $o_1$ from the document's hidden
# outputs, with $in_{o_1}$ pinned to $1.3413 = \mathrm{logit}(0.7927)$ by a constant `c` in place of
# $b_2$ (so that $out_{o_1}$ is exactly the document's number), and let `verify()` judge the two
# candidate claims. It confirms $E_{o_1}$, rejects $\partial E/\partial w_7 = 0.0745$, and accepts
# 0.0745 as $\partial E/\partial w_5$.

# %%
w5, w7 = Value(0.7, label="w5"), Value(0.6, label="w7")
oh1, oh2 = Value(doc_h1, label="out_h1"), Value(doc_h2, label="out_h2")
c = Value(logit(doc_o1) - 0.7 * doc_h1 - 0.6 * doc_h2, label="c")
z = w5 * oh1 + w7 * oh2 + c;   z.label = "in_o1"
o = z.sigmoid();               o.label = "out_o1"
E_o1 = 0.5 * (t1 - o) ** 2;    E_o1.label = "E_o1"
replay = verify(E_o1, {"out_o1": 0.7927, "E_o1": 0.2985, "dE_o1/dw7": 0.0745, "dE_o1/dw5": 0.0745})
print(replay)
r = {row.name: row for row in replay.rows}
assert r["out_o1"].ok and r["E_o1"].ok and r["dE_o1/dw5"].ok
assert not r["dE_o1/dw7"].ok and abs(r["dE_o1/dw7"].computed - 0.0738) < 5e-5

# %% [markdown]
# ## The update of w7 and of every weight
#
# Gradient descent: $w \leftarrow w - \alpha\,\partial E/\partial w$ with $\alpha = 0.5$. (The slide writes
# "$W_{7_{new}} = W_{7_{old}} = -\alpha \cdot \ldots$"; the second "=" should be "−".)

# %%
w7_new = given["w7"] - alpha * n["w7"].grad
print(f"w7: {given['w7']} - {alpha} x {n['w7'].grad:.4f} = {w7_new:.4f}   (document: 0.5628)")
assert math.isclose(w7_new, 0.6 - 0.5 * dE_dw7, rel_tol=1e-12)
assert abs(w7_new - 0.5628) > 0.005

updated = {k: v - alpha * n[k].grad for k, v in given.items()}
print(f"{'':4} {'old':>6} {'dE/dw':>9} {'new':>9}")
for k in given:
    print(f"{k:4} {given[k]:6.3f} {n[k].grad:9.5f} {updated[k]:9.5f}")

# %% [markdown]
# Independent check of every gradient with the δ notation of notebook 3, in float64:
# $\delta_{o_k} = (out_{o_k} - t_k)\,out_{o_k}(1 - out_{o_k})$, $\partial E/\partial w = \delta \cdot (\text{input of } w)$,
# and for the hidden layer $\delta_{h_j} = out_{h_j}(1 - out_{h_j}) \sum_k \delta_{o_k} w_{jk}$.
# The shared biases collect one term per neuron they feed.

# %%
d_o1 = (ref["out_o1"] - t1) * ref["out_o1"] * (1 - ref["out_o1"])
d_o2 = (ref["out_o2"] - t2) * ref["out_o2"] * (1 - ref["out_o2"])
d_h1 = ref["out_h1"] * (1 - ref["out_h1"]) * (d_o1 * g["w5"] + d_o2 * g["w6"])
d_h2 = ref["out_h2"] * (1 - ref["out_h2"]) * (d_o1 * g["w7"] + d_o2 * g["w8"])
hand = {"w1": d_h1 * i1_, "w2": d_h2 * i1_, "w3": d_h1 * i2_, "w4": d_h2 * i2_,
        "w5": d_o1 * ref["out_h1"], "w6": d_o2 * ref["out_h1"],
        "w7": d_o1 * ref["out_h2"], "w8": d_o2 * ref["out_h2"],
        "b1": d_h1 + d_h2, "b2": d_o1 + d_o2}
for k, v in hand.items():
    assert math.isclose(n[k].grad, v, rel_tol=1e-12), k

E_after, _ = build(updated)
print(f"E_total before: {E.data:.6f}, after one step: {E_after.data:.6f}")
assert E_after.data < E.data

# %% [markdown]
# ## The document's NumPy code
#
# The slides' code listing, copied below (its spaces-in-names like `weights input hidden` are
# restored to underscores; nothing else changed). Its arithmetic is right: `output_error` is
# $t - o$, `sigmoid_derivative` is applied to already-activated values ($o(1-o)$, correct), and
# `+= learning_rate * ...` with $t - o$ is the same as $w - \alpha\,\partial E/\partial w$.
# It does not update the biases. Its updated weights equal the engine's to rounding:

# %%
def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_derivative(x):
    return x * (1 - x)

inputs = np.array([[0.1, 0.05]])
targets = np.array([[0.02, 0.98]])
weights_input_hidden = np.array([[0.25, 0.2], [0.5, 0.15]])
weights_hidden_output = np.array([[0.7, 0.4], [0.6, 0.35]])
bias_hidden = np.array([0.3])
bias_output = np.array([0.9])
# Forward propagation
hidden_input = np.dot(inputs, weights_input_hidden) + bias_hidden
hidden_output = sigmoid(hidden_input)
output_input = np.dot(hidden_output, weights_hidden_output) + bias_output
output = sigmoid(output_input)
error = 0.5 * (targets - output) ** 2
# Backpropagation (gradient calculation)
output_error = targets - output
output_delta = output_error * sigmoid_derivative(output)
hidden_error = np.dot(output_delta, weights_hidden_output.T)
hidden_delta = hidden_error * sigmoid_derivative(hidden_output)
# Update weights
learning_rate = 0.5
weights_hidden_output += learning_rate * np.dot(hidden_output.T, output_delta)
weights_input_hidden += learning_rate * np.dot(inputs.T, hidden_delta)
print("Updated weights (input to hidden):", weights_input_hidden)
print("Updated weights (hidden to output):", weights_hidden_output)

# %%
# the code's forward numbers are the engine's, not the slides'
assert np.allclose(output_input, [[ref["in_o1"], ref["in_o2"]]], rtol=1e-12)
assert np.allclose(error, [[ref["E_o1"], ref["E_o2"]]], rtol=1e-12)
ours = np.array([[updated["w1"], updated["w2"]], [updated["w3"], updated["w4"]]])
assert np.allclose(weights_input_hidden, ours, rtol=1e-12, atol=1e-15)
ours = np.array([[updated["w5"], updated["w6"]], [updated["w7"], updated["w8"]]])
assert np.allclose(weights_hidden_output, ours, rtol=1e-12, atol=1e-15)
print(f"code's new w7 = {weights_hidden_output[1, 0]:.4f} = engine's {updated['w7']:.4f}; slide: 0.5628")

# %% [markdown]
# ## The same network as an `nn.MLP`
#
# `MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")` with the weights set by
# hand. One difference: an `MLP` gives every neuron its own bias, while the document shares one
# $b_1$ (and one $b_2$) across a layer. The forward numbers and weight gradients are identical; the
# shared bias's gradient is the **sum** of the two per-neuron bias gradients (a value used twice,
# notebook 1).

# %%
from nn import MLP, mse

model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
hidden, out_layer = model.layers
W_ih = [[0.25, 0.2], [0.5, 0.15]]
W_ho = [[0.7, 0.4], [0.6, 0.35]]
for j, neuron in enumerate(hidden.neurons):
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = W_ih[0][j], W_ih[1][j], 0.3
for k, neuron in enumerate(out_layer.neurons):
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = W_ho[0][k], W_ho[1][k], 0.9

outputs = model([i1_, i2_])
loss = mse(outputs, [t1, t2])          # 1/2 sum (o - t)^2, the document's E_total
loss.backward()
assert math.isclose(outputs[0].data, ref["out_o1"], rel_tol=1e-12)
assert math.isclose(outputs[1].data, ref["out_o2"], rel_tol=1e-12)
assert math.isclose(loss.data, ref["E_total"], rel_tol=1e-12)
assert math.isclose(out_layer.neurons[0].w[1].grad, n["w7"].grad, rel_tol=1e-12)   # w7: h2 -> o1
assert math.isclose(hidden.neurons[0].b.grad + hidden.neurons[1].b.grad, n["b1"].grad, rel_tol=1e-12)
assert math.isclose(out_layer.neurons[0].b.grad + out_layer.neurons[1].b.grad, n["b2"].grad,
                    rel_tol=1e-12)
for name, p in model.named_parameters():
    print(f"{name:22} grad {p.grad:+.5f}")
