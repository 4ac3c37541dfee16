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
# # 2. Gradients of loss functions, and how they reach the weights
#
# **What this covers:** how the gradient of a loss is derived, and how the chain rule carries it
# back to every weight. Each claim of the notes we follow is first restated (equation, example,
# what the text says), then redone by the engine one scalar at a time and checked against the
# closed form (in float64), central finite differences (`gradcheck`), or both:
#
# 1. mean squared error $L = \frac12\sum_k (y_k - o_k)^2$: $\;\partial L/\partial o_i = o_i - y_i$;
# 2. the softmax Jacobian: $\partial p_i/\partial z_j = p_i(1 - p_j)$ if $i = j$, $-p_i p_j$ otherwise;
# 3. softmax + cross-entropy $L = -\sum_k y_k \log p_k$: $\;\partial L/\partial z_i = p_i - y_i$;
# 4. why softmax and cross-entropy are computed as one function;
# 5. the absolute error $E = |\hat y - y|$: $\;dE/d\hat y = \operatorname{sign}(\hat y - y)$;
# 6. the notes' four equations that carry $\partial\text{Loss}/\partial y$ back to the weights and
#    biases of the last two layers (two of them are wrong as printed);
# 7. the four-layer network in which the notes compute $dE/dw^{(1)}_{1,3}$ (as a product that is
#    wrong as printed), and one gradient-descent step on it.
#
# **Follows:** the *back-propagation algorithm notes* (`000_8495f74e1b111f69.txt`), called *the
# notes* below: its sections on the gradient of the loss function and of the cross-entropy function,
# "Chain rule in gradient propagation", and the detailed walk through its back-propagation
# algorithm. You do not need them open.
#
# **What we find** (each asserted below): the loss-gradient derivations hold. Of the four propagation
# equations only the one for $b_o$ holds: the one for $W_o$ lacks the factor $h_k$ (as printed it is
# $\partial\text{Loss}/\partial b_o$), and those for $W_2$ and $b_2$ contain
# $\partial h_1/\partial(W_2 h_1 + b_2)$, which is 0 ($h_1$ is an *input* of that sum). The
# product for $dE/dw^{(1)}_{1,3}$ is made of derivatives of one weight with respect to another,
# each 0; the right product has the derivatives of the nodes along the path, and the network
# has four such paths, whose products add up. And it is not "the $\Delta w$" that is propagated
# backward, as the notes say, but the gradients of the nodes; each $\Delta w$ is formed where its
# weight sits.

# %%
import math

from micrograd import Value, explain, grad, gradcheck, no_grad

# %% [markdown]
# ## 1. Mean squared error
#
# **The notes:** $L = \frac12\sum_{k=1}^K (y_k - o_k)^2$. By the chain rule
# $\frac{\partial L}{\partial o_i} = \frac12\sum_k 2\,(y_k - o_k)\,\frac{\partial (y_k - o_k)}{\partial o_i}
# = \sum_k (o_k - y_k)\,\frac{\partial o_k}{\partial o_i}$, and since $\partial o_k/\partial o_i$ is
# 1 for $k = i$ and 0 otherwise, the sum drops: $\partial L/\partial o_i = o_i - y_i$.
#
# Three outputs $o$ and targets $y$. The engine builds $L$ from `-`, `**2`, `+` and `*` nodes and
# knows nothing about the formula; `o_i.grad` after `backward()` is $\partial L/\partial o_i$.

# %%
o_data = [0.7, -1.2, 2.5]
y_data = [1.0, 0.0, 2.0]

o = [Value(v, label=f"o{i + 1}") for i, v in enumerate(o_data)]
r = [yk - ok for yk, ok in zip(y_data, o)]      # the differences y_k - o_k, kept as nodes
L = 0.5 * sum(rk ** 2 for rk in r)
L.backward()

print(f"L = {L.data:.6f}")
for oi, yi in zip(o, y_data):
    print(f"dL/d{oi.label} = {oi.grad:+.6f}   o - y = {oi.data - yi:+.6f}")
    assert math.isclose(oi.grad, oi.data - yi, rel_tol=1e-12, abs_tol=1e-15)
assert math.isclose(L.data, 0.5 * ((1 - 0.7) ** 2 + 1.2 ** 2 + 0.5 ** 2), rel_tol=1e-12)

# %% [markdown]
# **The step that drops the sum, checked.** `grad(a, b)` is the engine's derivative of any node $a$
# with respect to any other $b$. The table $\partial o_k/\partial o_i$ is the identity (1 for
# $k = i$, 0 otherwise: no output depends on another), and the notes' two sums *before* they drop
# anything — $\frac12\sum_k 2\,(y_k - o_k)\,\partial(y_k - o_k)/\partial o_i$ and
# $\sum_k (o_k - y_k)\,\partial o_k/\partial o_i$, all three terms each — both equal `o_i.grad`:

# %%
identity = [[grad(ok, oi).data for oi in o] for ok in o]
print("d o_k / d o_i:", identity)
assert identity == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
for oi in o:
    first_line = sum(0.5 * 2 * rk.data * grad(rk, oi).data for rk in r)
    second_line = sum((ok.data - yk) * grad(ok, oi).data for ok, yk in zip(o, y_data))
    print(f"{oi.label}: first sum {first_line:+.6f}, second sum {second_line:+.6f}, "
          f"engine {oi.grad:+.6f}")
    assert math.isclose(first_line, oi.grad, rel_tol=1e-12)
    assert math.isclose(second_line, oi.grad, rel_tol=1e-12)

# %% [markdown]
# ## 2. The softmax Jacobian
#
# **The notes:** $p_i = e^{z_i} / \sum_k e^{z_k}$. With the quotient rule — for $f = g/h$,
# $f' = (g'h - h'g)/h^2$ — and $g = e^{z_i}$, $h = \sum_k e^{z_k}$ (so
# $\partial h/\partial z_j = e^{z_j}$). Writing $S = \sum_k e^{z_k}$ for short, their lines are:
#
# - for $i = j$ ($g' = e^{z_i}$): factor out $e^{z_i}$, then split the fraction in two,
#
#   $$\frac{\partial p_i}{\partial z_j} = \frac{e^{z_i}S - e^{z_j}e^{z_i}}{S^2}
#     = \frac{e^{z_i}(S - e^{z_j})}{S^2}
#     = \frac{e^{z_i}}{S}\cdot\frac{S - e^{z_j}}{S} = p_i(1 - p_j),$$
#
#   the last step because $e^{z_i}/S = p_i$ and $(S - e^{z_j})/S = 1 - p_j$ (and $p_i = p_j$ here);
# - for $i \ne j$ ($g' = 0$):
#
#   $$\frac{\partial p_i}{\partial z_j} = \frac{0 - e^{z_j}e^{z_i}}{S^2}
#     = \frac{-e^{z_j}}{S}\cdot\frac{e^{z_i}}{S} = -p_j\,p_i.$$
#
# To get row $i$ of the Jacobian, run `backward()` from $p_i$ alone: then `z_j.grad` is
# $\partial p_i/\partial z_j$. One backward pass per output, one scalar at a time.

# %%
z_data = [1.0, 2.0, 0.5, -1.0]
K = len(z_data)

# float64 reference, computed independently of the engine
e = [math.exp(v) for v in z_data]
p_ref = [v / sum(e) for v in e]

jacobian = []
for i in range(K):
    z = [Value(v, label=f"z{j + 1}") for j, v in enumerate(z_data)]
    exps = [zj.exp() for zj in z]
    total = sum(exps)
    p_i = exps[i] / total
    p_i.backward()
    jacobian.append([zj.grad for zj in z])

print("engine:  d p_i / d z_j")
for row in jacobian:
    print("  " + "  ".join(f"{v:+.5f}" for v in row))

for i in range(K):
    for j in range(K):
        closed = p_ref[i] * (1 - p_ref[j]) if i == j else -p_ref[i] * p_ref[j]
        # the quotient rule, before simplifying: (g'h - h'g) / h^2
        g, h, dg, dh = e[i], sum(e), (e[i] if i == j else 0.0), e[j]
        quotient = (dg * h - dh * g) / h ** 2
        # the notes' middle lines: e^z_i (S - e^z_j) / S^2 and (e^z_i / S)((S - e^z_j) / S) for
        # i = j; (-e^z_j / S)(e^z_i / S) for i != j
        middle = ([e[i] * (h - e[j]) / h ** 2, (e[i] / h) * ((h - e[j]) / h)] if i == j
                  else [(-e[j] / h) * (e[i] / h)])
        for form in [closed, quotient, *middle]:
            assert math.isclose(jacobian[i][j], form, rel_tol=1e-12, abs_tol=1e-15), (i, j)
print("every entry equals the quotient rule's (g'h - h'g)/h^2, each of the notes' middle lines, "
      "and p_i(1 - p_j) on the diagonal, -p_i p_j off it")

# %% [markdown]
# Two properties the formulas predict, checked: each row sums to 0 (the $p$'s always sum to 1, so
# moving all logits together changes nothing), and the matrix is symmetric.

# %%
for i in range(K):
    assert abs(sum(jacobian[i])) < 1e-15
    for j in range(K):
        assert math.isclose(jacobian[i][j], jacobian[j][i], rel_tol=1e-12, abs_tol=1e-15)

# %% [markdown]
# ## 3. Softmax + cross-entropy
#
# **The notes:** $L = -\sum_k y_k \log p_k$, differentiated straight to the logits:
# $\frac{\partial L}{\partial z_i} = -\sum_k y_k\,\frac{1}{p_k}\,\frac{\partial p_k}{\partial z_i}$
# (they call this decomposing "the composite function $\log\log h$", a garble: there is no log of a
# log; the composite is $\log p_k(z)$, whose outer factor is $\partial\log p_k/\partial p_k = 1/p_k$).
# Splitting the sum into $k = i$ and $k \ne i$ and putting in the Jacobian above
# ($\partial p_i/\partial z_i = p_i(1 - p_i)$, and $\partial p_k/\partial z_i = -p_k\,p_i$ for
# $k \ne i$), their lines are
#
# $$\frac{\partial L}{\partial z_i} = -y_i(1 - p_i) - \sum_{k\ne i} y_k\,\frac{1}{p_k}\,(-p_k\,p_i)
#   = -y_i(1 - p_i) + \sum_{k\ne i} y_k\,p_i
#   = -y_i + y_i\,p_i + \sum_{k\ne i} y_k\,p_i
#   = p_i\Big(y_i + \sum_{k\ne i} y_k\Big) - y_i$$
#
# (the $1/p_k$ cancels the $p_k$; then the first product is multiplied out; then $p_i$ is factored
# out), and for a one-hot label ($\sum_k y_k = 1$) simply $\partial L/\partial z_i = p_i - y_i$.
#
# The engine differentiates through `exp`, the sum, the division and `log`:

# %%
def softmax_cross_entropy_naive(z, y):
    exps = [zk.exp() for zk in z]
    total = sum(exps)
    return -sum(yk * (ek / total).log() for yk, ek in zip(y, exps) if yk != 0)

y_onehot = [0.0, 1.0, 0.0, 0.0]
z = [Value(v, label=f"z{j + 1}") for j, v in enumerate(z_data)]
L = softmax_cross_entropy_naive(z, y_onehot)
L.backward()

print(f"L = {L.data:.6f}  (-log p_2 = {-math.log(p_ref[1]):.6f})")
assert math.isclose(L.data, -math.log(p_ref[1]), rel_tol=1e-12)
for zi, pi, yi in zip(z, p_ref, y_onehot):
    print(f"dL/d{zi.label} = {zi.grad:+.6f}   p - y = {pi - yi:+.6f}")
    assert math.isclose(zi.grad, pi - yi, rel_tol=1e-12, abs_tol=1e-15)

# %% [markdown]
# The same result from the notes' route: the chain rule through the Jacobian,
# $\partial L/\partial z_i = \sum_k \frac{\partial L}{\partial p_k}\frac{\partial p_k}{\partial z_i}$
# with $\partial L/\partial p_k = -y_k/p_k$ (the outer factor $1/p_k$ of $\log p_k$, checked first)
# and the Jacobian computed above.

# %%
p_2 = Value(p_ref[1], label="p_2")
assert math.isclose(grad(p_2.log(), p_2).data, 1 / p_ref[1], rel_tol=1e-12)   # d log p / d p
via_jacobian = [sum(-y_onehot[k] / p_ref[k] * jacobian[k][i] for k in range(K)) for i in range(K)]
for zi, v in zip(z, via_jacobian):
    assert math.isclose(zi.grad, v, rel_tol=1e-12, abs_tol=1e-15)

# %% [markdown]
# The last simplification needs $\sum_k y_k = 1$. For a target that does not sum to 1 the four
# lines before it are the ones that hold — the engine agrees with each of them (the first one with
# the Jacobian's own entries for $\partial p_k/\partial z_i$) and not with $p_i - y_i$:

# %%
y_soft = [0.5, 0.5, 0.5, 0.0]           # sums to 1.5
z = [Value(v) for v in z_data]
softmax_cross_entropy_naive(z, y_soft).backward()
for i, (zi, pi, yi) in enumerate(zip(z, p_ref, y_soft)):
    others = sum(y_soft) - yi
    lines = [-yi * (1 - pi) - sum(y_soft[k] / p_ref[k] * jacobian[k][i]
                                  for k in range(K) if k != i),
             -yi * (1 - pi) + others * pi,
             -yi + yi * pi + others * pi,
             pi * (yi + others) - yi]
    for line in lines:
        assert math.isclose(zi.grad, line, rel_tol=1e-12, abs_tol=1e-15), i
assert not math.isclose(z[0].grad, p_ref[0] - y_soft[0], rel_tol=1e-3)
print("with sum(y) = 1.5: dL/dz_i = 1.5 p_i - y_i, e.g.", f"{z[0].grad:+.6f}")

# %% [markdown]
# And against central finite differences, independently of any formula:

# %%
report = gradcheck(lambda *z: softmax_cross_entropy_naive(z, y_onehot),
                   [Value(v, label=f"z{j + 1}") for j, v in enumerate(z_data)])
print(report)
assert report

# %% [markdown]
# ## 4. Why the two are fused in practice
#
# **The notes** say softmax and cross-entropy "are generally implemented in a unified manner".
# Computed separately, softmax needs $e^{z_k}$: with a logit of 1000 that overflows a float (the
# engine refuses with a clear error rather than return `inf`/`nan`). Even where the exponentials
# fit, $p_k$ can round to exactly 0 and then $\log p_k$ fails.

# %%
big = [1000.0, 0.0, -1000.0]
try:
    softmax_cross_entropy_naive([Value(v) for v in big], [0.0, 1.0, 0.0])
    raise AssertionError("expected an overflow")
except OverflowError as err:
    print("separate softmax then log:", err)

moderate = [10.0, 0.0, -800.0]          # e^-800 underflows to 0.0, so p_3 = 0 exactly
try:
    softmax_cross_entropy_naive([Value(v) for v in moderate], [0.0, 0.0, 1.0])
    raise AssertionError("expected log(0) to be refused")
except ValueError as err:
    print("separate softmax then log:", err)

# %% [markdown]
# Fused, the loss never forms $p$ or $\log p$: with $m = \max_k z_k$,
# $\log p_i = z_i - m - \log\sum_k e^{z_k - m}$, where every exponent is $\le 0$ and the sum is
# at least 1. The same logits now give a finite loss and exactly the gradient $p - y$.

# %%
def softmax_cross_entropy_fused(z, y):
    m = max(zk.data for zk in z)                      # a constant: shifting changes nothing
    lse = sum((zk - m).exp() for zk in z).log() + m   # log sum_k e^{z_k}, stably
    return sum(yk * (lse - zk) for yk, zk in zip(y, z) if yk != 0)

for logits, y in ((big, [0.0, 1.0, 0.0]), (moderate, [0.0, 0.0, 1.0])):
    z = [Value(v) for v in logits]
    L = softmax_cross_entropy_fused(z, y)
    L.backward()
    # float64 reference: L = max z - z_y + log(sum exp(z - max z)), p = exp(z - lse)
    m = max(logits)
    lse = m + math.log(sum(math.exp(v - m) for v in logits))
    p = [math.exp(v - lse) for v in logits]
    print(f"logits {logits}: L = {L.data}, grad = {[round(zi.grad, 6) for zi in z]}")
    assert math.isclose(L.data, lse - logits[y.index(1.0)], rel_tol=1e-12)
    for zi, pi, yi in zip(z, p, y):
        assert math.isclose(zi.grad, pi - yi, rel_tol=1e-12, abs_tol=1e-300)

# %% [markdown]
# On ordinary logits the fused and separate versions agree to rounding, value and gradient:

# %%
z1 = [Value(v) for v in z_data]
z2 = [Value(v) for v in z_data]
L1, L2 = softmax_cross_entropy_naive(z1, y_onehot), softmax_cross_entropy_fused(z2, y_onehot)
L1.backward(); L2.backward()
assert math.isclose(L1.data, L2.data, rel_tol=1e-12)
for a, b in zip(z1, z2):
    assert math.isclose(a.grad, b.grad, rel_tol=1e-12, abs_tol=1e-15)

# %% [markdown]
# The fused form is also a shorter graph (no division per class, one `log`), and its gradient is the
# simplest possible: $p - y$. That is what `nn.losses.cross_entropy` computes; `nn.losses.mse` is
# the notes' $\frac12\sum$ form. Both checked once more here:

# %%
from nn import losses

z = [Value(v) for v in big]
L = losses.cross_entropy(z, 1)
L.backward()
m = max(big)
lse = m + math.log(sum(math.exp(v - m) for v in big))
assert math.isclose(L.data, lse - big[1], rel_tol=1e-12)
for zi, v, yi in zip(z, big, [0.0, 1.0, 0.0]):
    assert math.isclose(zi.grad, math.exp(v - lse) - yi, rel_tol=1e-12, abs_tol=1e-300)

o = [Value(v) for v in o_data]
L = losses.mse(o, y_data)
L.backward()
for oi, yi in zip(o, y_data):
    assert math.isclose(oi.grad, oi.data - yi, rel_tol=1e-12, abs_tol=1e-15)
print("nn.losses.cross_entropy and nn.losses.mse: same values and gradients")

# %% [markdown]
# ## 5. The absolute error
#
# **The notes**, where they walk through their algorithm in detail, measure the error of a
# prediction $\hat y$ against the label $y$ as $E(W, b) = |\hat y - y|$ — the absolute difference,
# not a square. They never differentiate it. Its derivative is
#
# $$\frac{dE}{d\hat y} = \operatorname{sign}(\hat y - y) = \begin{cases} +1 & \hat y > y \text{ (too high)}\\ -1 & \hat y < y \text{ (too low)}\end{cases}$$
#
# and at $\hat y = y$ there is a kink with no derivative; the engine's `abs` uses 0 there, as
# PyTorch does. A central finite difference agrees on all three: $\pm 1$ away from the kink, and
# $(|h| - |-h|)/2h = 0$ on it.

# %%
y_label = 0.5
for y_hat in (0.8, 0.3, 0.5):
    yh = Value(y_hat, label="yhat")
    E = (yh - y_label).abs(); E.label = "E"
    E.backward()
    if y_hat == 0.8:
        print(explain(E, yh))
    sign = (y_hat > y_label) - (y_hat < y_label)
    h = 1e-6
    numeric = (abs(y_hat + h - y_label) - abs(y_hat - h - y_label)) / (2 * h)
    print(f"yhat = {y_hat}: E = {E.data:.2f}, dE/dyhat = {yh.grad:+.0f}, sign = {sign:+d}, "
          f"finite difference {numeric:+.6f}")
    assert math.isclose(E.data, abs(y_hat - y_label), rel_tol=1e-15)
    assert yh.grad == sign
    assert math.isclose(yh.grad, numeric, abs_tol=1e-6)

# %% [markdown]
# Unlike the squared error's $o - y$, this gradient does not shrink as the prediction gets close:
# it is always $\pm 1$. So gradient descent with a fixed step does not settle on the minimum, it
# hops across it. Fitting one number $w$ to the target 0.3, step $\alpha = 0.25$, from $w = 0$:

# %%
w_abs, w_sq = 0.0, 0.0
for _ in range(20):
    w_abs -= 0.25 * math.copysign(1.0, w_abs - 0.3)     # d|w - 0.3|/dw = sign(w - 0.3)
    w_sq -= 0.25 * (w_sq - 0.3)                         # d(1/2)(w - 0.3)^2/dw = w - 0.3
print(f"after 20 steps: |w - 0.3| gives w = {w_abs}, (1/2)(w - 0.3)^2 gives w = {w_sq:.6f}")
assert w_abs in (0.25, 0.5)                 # it alternates 0.25, 0.5, 0.25, ... for ever
assert abs(w_sq - 0.3) < 0.3 * 0.75 ** 20 + 1e-15

# %% [markdown]
# ## 6. From the loss back to the weights: the notes' four equations
#
# **The notes** write the forward pass as a sequence of layers, each with its weights, bias and
# activation function:
#
# $$h_1 = f_1(W_1 x + b_1),\qquad h_2 = f_2(W_2 h_1 + b_2),\qquad \dots,\qquad y = f_o(W_o h_k + b_o),$$
#
# compare $y$ with the target in a loss, and describe backpropagation in two steps: compute the
# gradient of the loss with respect to the output layer's inputs, then propagate it backward
# through each layer, "multiplying it by the gradient of the layer's inputs with respect to its
# parameters". Reading a layer's inputs as its weighted sum $W h + b$ (as their first step does),
# that factor is $\partial(W h + b)/\partial W = h$: it turns the sum's gradient into the
# **weight's** gradient; passing the gradient on to the layer below multiplies instead by
# $\partial(W h + b)/\partial h = W$ (and the activation's slope) — checked after the build below.
# Then they apply the chain rule "as follows":
#
# $$\frac{\partial\text{Loss}}{\partial W_o} = \frac{\partial\text{Loss}}{\partial y}\cdot\frac{\partial y}{\partial(W_o h_k + b_o)},\qquad
#   \frac{\partial\text{Loss}}{\partial b_o} = \frac{\partial\text{Loss}}{\partial y}\cdot\frac{\partial y}{\partial(W_o h_k + b_o)},$$
#
# $$\frac{\partial\text{Loss}}{\partial W_2} = \frac{\partial\text{Loss}}{\partial y}\cdot\frac{\partial y}{\partial(W_2 h_1 + b_2)}\cdot
#   \frac{\partial h_1}{\partial(W_2 h_1 + b_2)}\cdot\frac{\partial(W_2 h_1 + b_2)}{\partial W_2},$$
#
# and the same for $b_2$ with the last factor $\partial(W_2 h_1 + b_2)/\partial b_2$.
#
# Note that the first two are the same product. We build the smallest network these equations
# describe: one neuron per layer and two hidden layers (so $h_k = h_2$), $f_1 = f_2 = \tanh$, a
# sigmoid output $f_o$, and $\text{Loss} = \frac12(y - t)^2$. Naming the sums $z_1, z_2, z_o$ lets
# `explain()` write each gradient as the product of local derivatives it really is.

# %%
x, t = Value(0.8, "x"), 0.2
W_1, b_1 = Value(0.6, "W_1"), Value(-0.1, "b_1")
W_2, b_2 = Value(-1.3, "W_2"), Value(0.9, "b_2")
W_o, b_o = Value(1.7, "W_o"), Value(-0.5, "b_o")

z_1 = W_1 * x + b_1;          z_1.label = "z_1"
h_1 = z_1.tanh();             h_1.label = "h_1"
z_2 = W_2 * h_1 + b_2;        z_2.label = "z_2"
h_2 = z_2.tanh();             h_2.label = "h_2"
z_o = W_o * h_2 + b_o;        z_o.label = "z_o"
y = z_o.sigmoid();            y.label = "y"
Loss = 0.5 * (y - t) ** 2;    Loss.label = "Loss"
Loss.backward()

# float64 by hand, for every check below
H1 = math.tanh(0.6 * 0.8 - 0.1)
H2 = math.tanh(-1.3 * H1 + 0.9)
Y = 1 / (1 + math.exp(-(1.7 * H2 - 0.5)))
dLoss_dy, dy_dzo = Y - 0.2, Y * (1 - Y)
print(f"h_1 = {H1:.4f}, h_2 = {H2:.4f}, y = {Y:.4f}, Loss = {Loss.data:.6f}")
assert math.isclose(Loss.data, 0.5 * (Y - 0.2) ** 2, rel_tol=1e-12)

# dz_o/dW_o = h_2 turns z_o's gradient into W_o's; dz_o/dh_2 = W_o passes it down to h_2
assert math.isclose(grad(z_o, W_o).data, H2, rel_tol=1e-12) and grad(z_o, h_2).data == 1.7
assert math.isclose(W_o.grad, z_o.grad * H2, rel_tol=1e-12)
assert math.isclose(h_2.grad, z_o.grad * 1.7, rel_tol=1e-12)

# %% [markdown]
# ### $W_o$ and $b_o$: the missing factor $h_k$
#
# $z_o = W_o h_2 + b_o$, so $\partial z_o/\partial W_o = h_2$ and $\partial z_o/\partial b_o = 1$. The
# right equations differ exactly there:
#
# $$\frac{\partial\text{Loss}}{\partial W_o} = \frac{\partial\text{Loss}}{\partial y}\cdot\frac{\partial y}{\partial z_o}\cdot h_k,\qquad
#   \frac{\partial\text{Loss}}{\partial b_o} = \frac{\partial\text{Loss}}{\partial y}\cdot\frac{\partial y}{\partial z_o}\cdot 1.$$
#
# The notes' $W_o$ equation stops one factor early, so it is the gradient of $b_o$.

# %%
for param, last in ((W_o, H2), (b_o, 1.0)):
    ex = explain(Loss, param)
    print(ex, end="\n\n")
    factors = ex.terms[0].factors
    assert [f.name for f in factors] == ["dLoss/dy", "dy/dz_o", f"dz_o/d{param.label}"]
    for f, expected in zip(factors, (dLoss_dy, dy_dzo, last)):
        assert math.isclose(f.value, expected, rel_tol=1e-12)
    assert math.isclose(param.grad, dLoss_dy * dy_dzo * last, rel_tol=1e-12)

printed_W_o = dLoss_dy * dy_dzo                      # the notes' two factors
print(f"the notes' dLoss/dW_o = {printed_W_o:.6f} = dLoss/db_o = {b_o.grad:.6f}; "
      f"dLoss/dW_o = {W_o.grad:.6f} = that x h_2 ({H2:.4f})")
assert math.isclose(printed_W_o, b_o.grad, rel_tol=1e-12)
assert not math.isclose(printed_W_o, W_o.grad, rel_tol=0.1)

# %% [markdown]
# ### $W_2$ and $b_2$: the chain runs through $h_2$, not $h_1$
#
# $W_2$ reaches the loss along $W_2 \to z_2 \to h_2 \to z_o \to y \to \text{Loss}$: two layers,
# five local derivatives,
#
# $$\frac{\partial\text{Loss}}{\partial W_2} = \underbrace{\frac{\partial\text{Loss}}{\partial y}}_{y - t}\cdot
#   \underbrace{\frac{\partial y}{\partial z_o}}_{f_o'(z_o)}\cdot\underbrace{\frac{\partial z_o}{\partial h_2}}_{W_o}\cdot
#   \underbrace{\frac{\partial h_2}{\partial z_2}}_{f_2'(z_2)}\cdot\underbrace{\frac{\partial z_2}{\partial W_2}}_{h_1},$$
#
# and the same for $b_2$ with $\partial z_2/\partial b_2 = 1$ last. `explain()` writes exactly these:

# %%
dzo_dh2, dh2_dz2 = 1.7, 1 - H2 ** 2
for param, last in ((W_2, H1), (b_2, 1.0)):
    ex = explain(Loss, param)
    print(ex, end="\n\n")
    factors = ex.terms[0].factors
    assert [f.name for f in factors] == ["dLoss/dy", "dy/dz_o", "dz_o/dh_2", "dh_2/dz_2",
                                         f"dz_2/d{param.label}"]
    for f, expected in zip(factors, (dLoss_dy, dy_dzo, dzo_dh2, dh2_dz2, last)):
        assert math.isclose(f.value, expected, rel_tol=1e-12)
    assert math.isclose(param.grad, dLoss_dy * dy_dzo * dzo_dh2 * dh2_dz2 * last, rel_tol=1e-12)

# %% [markdown]
# Now the notes' four factors, one by one, with `grad(output, input)` (the engine's derivative of
# any node with respect to any other):
#
# - $\partial y/\partial(W_2 h_1 + b_2) = \partial y/\partial z_2$ is a fair quantity, but it is
#   already the whole chain from $z_2$ to $y$ (three of the factors above), written as one;
# - $\partial h_1/\partial(W_2 h_1 + b_2) = \partial h_1/\partial z_2$ is **0**: $h_1$ is computed
#   before $z_2$, as one of its inputs, and does not change when $z_2$ does. The derivative that
#   exists runs the other way, $\partial z_2/\partial h_1 = W_2$ — the factor that would carry the
#   gradient on down to layer 1, not to $W_2$;
# - $\partial(W_2 h_1 + b_2)/\partial W_2 = h_1$ is right: this is where $h_1$ belongs.
#
# Read as printed, the product is 0 — for $W_2$ and, with the same stray factor, for $b_2$ (whose
# last factor is $\partial(W_2 h_1 + b_2)/\partial b_2 = 1$); without it each is the chain above.

# %%
dy_dz2 = grad(y, z_2).data
dh1_dz2 = grad(h_1, z_2).data
dz2_dh1 = grad(z_2, h_1).data
print(f"dy/dz_2 = {dy_dz2:.6f}, dh_1/dz_2 = {dh1_dz2}, dz_2/dh_1 = {dz2_dh1}")
assert math.isclose(dy_dz2, dy_dzo * dzo_dh2 * dh2_dz2, rel_tol=1e-12)
assert dh1_dz2 == 0.0 and dz2_dh1 == -1.3
printed_W_2 = dLoss_dy * dy_dz2 * dh1_dz2 * H1
repaired_W_2 = dLoss_dy * dy_dz2 * H1
print(f"the notes' dLoss/dW_2 = {printed_W_2}; without dh_1/dz_2: {repaired_W_2:.6f} "
      f"= engine {W_2.grad:.6f}")
assert printed_W_2 == 0.0 and W_2.grad != 0.0
assert math.isclose(repaired_W_2, W_2.grad, rel_tol=1e-12)
dz2_db2 = grad(z_2, b_2).data
printed_b_2 = dLoss_dy * dy_dz2 * dh1_dz2 * dz2_db2
repaired_b_2 = dLoss_dy * dy_dz2 * dz2_db2
print(f"the notes' dLoss/db_2 = {printed_b_2}; without dh_1/dz_2: {repaired_b_2:.6f} "
      f"= engine {b_2.grad:.6f}")
assert dz2_db2 == 1.0 and printed_b_2 == 0.0 and b_2.grad != 0.0
assert math.isclose(repaired_b_2, b_2.grad, rel_tol=1e-12)

# %% [markdown]
# Every gradient of this little network against central finite differences:

# %%
def chain_loss(x, W_1, b_1, W_2, b_2, W_o, b_o):
    h_1 = (W_1 * x + b_1).tanh()
    h_2 = (W_2 * h_1 + b_2).tanh()
    return 0.5 * ((W_o * h_2 + b_o).sigmoid() - t) ** 2

report = gradcheck(chain_loss, [x, W_1, b_1, W_2, b_2, W_o, b_o])
print(report)
assert report
for row, v in zip(report.rows, (x, W_1, b_1, W_2, b_2, W_o, b_o)):
    assert math.isclose(row.autodiff, v.grad, rel_tol=1e-12)

# %% [markdown]
# ### The same in matrix form
#
# With several neurons per layer the products become the δ's of the fully connected layer
# (notebook 3): $\delta_o = (y - t)\odot f_o'(z_o)$, then
#
# $$\frac{\partial\text{Loss}}{\partial W_o} = \delta_o\,h_2^{\mathsf T},\quad
#   \frac{\partial\text{Loss}}{\partial b_o} = \delta_o,\quad
#   \delta_2 = f_2'(z_2)\odot W_o^{\mathsf T}\delta_o,\quad
#   \frac{\partial\text{Loss}}{\partial W_2} = \delta_2\,h_1^{\mathsf T},\quad
#   \frac{\partial\text{Loss}}{\partial b_2} = \delta_2 .$$
#
# The $h_k$ the notes drop is the $h_2^{\mathsf T}$ of an outer product; the step from $W_o$'s
# layer down to $W_2$'s is the multiplication by $W_o^{\mathsf T}$ and $f_2'$. Checked on a
# 3-4-3-2 `nn.MLP` (tanh hidden layers, sigmoid outputs), computed here in NumPy from its weights:

# %%
import numpy as np
from nn import MLP

net = MLP(3, [4, 3, 2], activation="tanh", output_activation="sigmoid", seed=2)
x_vec, t_vec = [0.5, -1.0, 2.0], [1.0, 0.0]
out = net(x_vec)
L = losses.mse(out, t_vec)                   # 1/2 sum (y - t)^2
L.backward()

def weights(layer):
    return (np.array([[w.data for w in n.w] for n in layer.neurons]),
            np.array([n.b.data for n in layer.neurons]))

def grads(layer):
    return (np.array([[w.grad for w in n.w] for n in layer.neurons]),
            np.array([n.b.grad for n in layer.neurons]))

(W1, B1), (W2, B2), (Wo, Bo) = (weights(layer) for layer in net.layers)
xv, tv = np.array(x_vec), np.array(t_vec)
h1 = np.tanh(W1 @ xv + B1)
h2 = np.tanh(W2 @ h1 + B2)
yv = 1 / (1 + np.exp(-(Wo @ h2 + Bo)))
delta_o = (yv - tv) * yv * (1 - yv)
delta_2 = (1 - h2 ** 2) * (Wo.T @ delta_o)

for (gW, gb), (W_hand, b_hand) in zip((grads(net.layers[2]), grads(net.layers[1])),
                                      ((np.outer(delta_o, h2), delta_o),
                                       (np.outer(delta_2, h1), delta_2))):
    assert np.allclose(gW, W_hand, rtol=1e-12, atol=1e-15)
    assert np.allclose(gb, b_hand, rtol=1e-12, atol=1e-15)
print("dLoss/dW_o = delta_o h_2^T:\n", np.round(np.outer(delta_o, h2), 5))
print("dLoss/dW_2 = delta_2 h_1^T:\n", np.round(np.outer(delta_2, h1), 5))
# the printed dLoss/dW_o, without h_2, is one number per output: the bias gradient
assert not np.allclose(np.outer(delta_o, h2), delta_o[:, None], rtol=0.1)

# %% [markdown]
# ## 7. The four-layer network and $dE/dw^{(1)}_{1,3}$
#
# **The notes**, walking through their algorithm in detail, write:
#
# - the forward pass as $\hat y = \sigma\cdot W^{(3)}\cdot\sigma\cdot W^{(2)}\cdot\sigma\cdot W^{(1)}\cdot x$
#   (each layer a weighted sum, then the sigmoid $\sigma$), the error as $E(W, b) = |\hat y - y|$
#   (section 5). The formula for $\hat y$ has no biases, yet the error depends on $b$: each layer's
#   sum should read $W^{(l)} h + b^{(l)}$, as in section 6. Our network has the biases (they start at
#   0, so the two agree only until the first update; checked below);
# - gradient descent as $\Delta w_i = -\alpha\,dE/dw_i$ and $w_\text{new} = w_\text{old} + \Delta w$
#   ($= w - \alpha\,dE/dw$), with $\alpha$ the learning rate;
# - a figure (not in the text we have) of a network in which they ask how much $E$ changes when
#   one weight, $w_{13}$, changes. They call it "the third weight on the first input", write it
#   $w^{(1)}_{1,3}$, and say that the (1) means layer 1 and "$w_{1,3}$ means node number 1 and weight
#   number 3". They also name a weight $w_{21}$, with no layer number, that "is directly connected
#   to the error function", so its derivative is straightforward.
#
# **Our reading** (the notes say no more about their subscripts): the superscript is the layer, the
# first subscript the node the weight leaves (node 1 of the inputs) and the second the node it
# enters ("weight number 3" of input 1 is the one into node 3). Their $w_{21}$ we take to be the
# $w^{(4)}_{2,1}$ that opens their chain below: the only weight in it that feeds the output.
#
# For $w^{(1)}_{1,3}$ they apply the chain rule as
#
# $$\frac{dE}{dw^{(1)}_{1,3}} = \frac{dE}{dw^{(4)}_{2,1}}\times\frac{dw^{(4)}_{2,1}}{dw^{(3)}_{2,2}}\times
#   \frac{dw^{(3)}_{2,2}}{dw^{(2)}_{3,2}}\times\frac{dw^{(2)}_{3,2}}{dw^{(1)}_{1,3}},$$
#
# in words "effect of error on edge 4 · effect on edge 3 · effect on edge 2 · effect on target edge".
#
# The four weights it names form one path: input 1 → node 3 of layer 1 → node 2 of layer 2 →
# node 2 of layer 3 → the output. That takes **four** weight layers (the formula for $\hat y$ shows
# three; we follow the weights the text names). We build the smallest such network with two
# inputs: 2 → 3 → 2 → 2 → 1, sigmoid everywhere, and name every node and weight the notes' way
# (`h1_3` is node 3 of layer 1, `w1_13` is $w^{(1)}_{1,3}$, `b1_3` its node's bias).

# %%
from micrograd.graph import Digraph

sizes = [2, 3, 2, 2, 1]
deep = MLP(2, sizes[1:], activation="sigmoid", output_activation="sigmoid", seed=4)
for l, layer in enumerate(deep.layers, 1):
    for j, neuron in enumerate(layer.neurons, 1):
        for i, w in enumerate(neuron.w, 1):
            w.label = f"w{l}_{i}{j}"
        neuron.b.label = f"b{l}_{j}"

def weight(l, i, j):
    """w^(l)_{i,j}: from node i of layer l - 1 (the inputs for l = 1) to node j of layer l."""
    return deep.layers[l - 1].neurons[j - 1].w[i - 1]

path = [weight(1, 1, 3), weight(2, 3, 2), weight(3, 2, 2), weight(4, 2, 1)]
assert [w.label for w in path] == ["w1_13", "w2_32", "w3_22", "w4_21"]

def figure():
    """The network as the notes draw one: nodes and weights. Red: the path the notes name; orange:
    the other paths from w1_13 to the output."""
    dot = Digraph(graph_attr={"rankdir": "LR", "nodesep": "0.25"},
                  node_attr={"shape": "circle", "fontsize": "11", "width": "0.5"},
                  edge_attr={"fontsize": "9", "arrowsize": "0.5"})
    names = [[f"x{j}" for j in range(1, 3)]]
    names += [[f"h{l}_{j}" for j in range(1, n + 1)] for l, n in enumerate(sizes[1:-1], 1)]
    names += [["yhat"]]
    on_named = {("x1", "h1_3"), ("h1_3", "h2_2"), ("h2_2", "h3_2"), ("h3_2", "yhat")}
    for l, layer in enumerate(deep.layers, 1):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                a, b = names[l - 1][i], names[l][j]
                reached = l == 1 and (a, b) == ("x1", "h1_3") or a == "h1_3" or l > 2
                color = "red" if (a, b) in on_named else "orange" if reached else "gray70"
                dot.edge(a, b, label=f"{w.label} = {w.data:.2f}", color=color, fontcolor=color,
                         penwidth="2" if color != "gray70" else "1")
    dot.node("E", shape="box")
    dot.edge("yhat", "E", label="|yhat - y|", color="red", fontcolor="red", penwidth="2")
    return dot

drawing = figure()
edge_colors = [line.split("color=")[1].split()[0] for line in drawing.source.splitlines()
               if "->" in line]
# 4 red edges to yhat, then yhat -> E; w1_13's other paths: 1 + 3 + 1 orange edges
assert edge_colors.count("red") == 5 and edge_colors.count("orange") == 5
drawing

# %% [markdown]
# The forward pass for $x = (0.9, 0.3)$ with label $y = 1$, and $E = |\hat y - y|$. The cell also
# computes every activation by hand in float64, for the checks below.

# %%
x_in, y_label = [0.9, 0.3], 1.0

node = {}                                          # every named node, by its label
h = x_in
for l, layer in enumerate(deep.layers, 1):
    h = layer(h)
    for j, hj in enumerate(h, 1):
        hj.label = f"h{l}_{j}" if l < len(deep.layers) else "yhat"
        hj.children[0].label = f"z{l}_{j}"        # the sigmoid's operand is the weighted sum
        node[hj.label], node[f"z{l}_{j}"] = hj, hj.children[0]
y_hat = h[0]
E = (y_hat - y_label).abs(); E.label = "E"
E.backward()

def sig(v):
    return 1 / (1 + math.exp(-v))

acts = [x_in]                                     # acts[l][j - 1]: node j of layer l
for layer in deep.layers:
    acts.append([sig(sum(w.data * a for w, a in zip(n.w, acts[-1])) + n.b.data)
                 for n in layer.neurons])
print(f"yhat = {acts[4][0]:.4f}, E = {E.data:.4f}")
assert math.isclose(y_hat.data, acts[4][0], rel_tol=1e-12)

def yhat_without_biases():
    """The notes' formula for yhat: weighted sums and sigmoids, no b."""
    a = x_in
    for layer in deep.layers:
        a = [sig(sum(w.data * v for w, v in zip(n.w, a))) for n in layer.neurons]
    return a[0]

# the biases start at 0, so for now the formula without them gives the same yhat
assert all(n.b.data == 0.0 for layer in deep.layers for n in layer.neurons)
assert yhat_without_biases() == acts[4][0]

def slope(l, j):
    """sigma'(z) of node j of layer l, as y(1 - y)."""
    a = acts[l][j - 1]
    return a * (1 - a)

dE_dyhat = math.copysign(1.0, acts[4][0] - y_label)     # sign(yhat - y), section 5

# %% [markdown]
# **"Directly connected to the error function":** $w^{(4)}_{2,1}$ enters the output's sum, so its
# gradient is one short chain, $\frac{dE}{d\hat y}\cdot\sigma'(z_4)\cdot h^{(3)}_2$:

# %%
w4_21 = path[3]
print(explain(E, w4_21))
assert math.isclose(w4_21.grad, dE_dyhat * slope(4, 1) * acts[3][1], rel_tol=1e-12)

# %% [markdown]
# **The notes' product** multiplies derivatives of one weight with respect to another. But the
# weights are independent inputs: changing $w^{(3)}_{2,2}$ does not change $w^{(4)}_{2,1}$, so
# $dw^{(4)}_{2,1}/dw^{(3)}_{2,2} = 0$, and likewise the other two. The engine's `grad` says the
# same, and the product is 0 while the true gradient is not:

# %%
w_over_w = [grad(a, b).data for a, b in zip(path[:0:-1], path[-2::-1])]
print("dw4_21/dw3_22, dw3_22/dw2_32, dw2_32/dw1_13 =", w_over_w)
assert w_over_w == [0.0, 0.0, 0.0]
w1_13 = path[0]
printed = w4_21.grad * math.prod(w_over_w)
print(f"the notes' product = {w4_21.grad:.4f} x 0 x 0 x 0 = 0; dE/dw1_13 = {w1_13.grad:.6g}")
assert printed == 0.0 and w1_13.grad != 0.0

# %% [markdown]
# What travels back along an "edge" is not a weight but the derivative of the **node** it enters.
# Along the named path the right product is one local derivative per step: $dE/d\hat y$, then for
# each layer the sigmoid's slope $\sigma'(z)$ and the weight into the next node, down to the input:
#
# $$\operatorname{sign}(\hat y - y)\cdot\sigma'(z^{(4)}_1)\,w^{(4)}_{2,1}\cdot\sigma'(z^{(3)}_2)\,w^{(3)}_{2,2}\cdot
#   \sigma'(z^{(2)}_2)\,w^{(2)}_{3,2}\cdot\sigma'(z^{(1)}_3)\,x_1 .$$
#
# And that is **one** of the paths from $w^{(1)}_{1,3}$ to $E$: node $h^{(1)}_3$ feeds both nodes of
# layer 2, each of which feeds both nodes of layer 3 (the orange paths in the figure), so there are
# $2 \times 2 = 4$ paths, and $dE/dw^{(1)}_{1,3}$ is the **sum** of their four products. By hand:

# %%
def path_product(j2, j3):
    """The local derivatives along x1 -> h1_3 -> h2_j2 -> h3_j3 -> yhat -> E."""
    return (dE_dyhat * slope(4, 1) * weight(4, j3, 1).data * slope(3, j3) * weight(3, j2, j3).data
            * slope(2, j2) * weight(2, 3, j2).data * slope(1, 3) * x_in[0])

products = {(j2, j3): path_product(j2, j3) for j2 in (1, 2) for j3 in (1, 2)}
for (j2, j3), v in products.items():
    print(f"path via h2_{j2}, h3_{j3}: {v:+.6f}" + ("   <- the one the notes name" if
                                                    (j2, j3) == (2, 2) else ""))
print(f"sum = {sum(products.values()):+.6f}, engine dE/dw1_13 = {w1_13.grad:+.6f}")
assert math.isclose(sum(products.values()), w1_13.grad, rel_tol=1e-12)
assert not math.isclose(products[(2, 2)], w1_13.grad, rel_tol=0.1)

# %% [markdown]
# `explain()` writes the same sum the way backpropagation computes it: it does not list the four
# paths, it stops where paths meet — at $h^{(1)}_3$, which has two consumers — and writes
# $dE/dh^{(1)}_3$ as a sum over those consumers, each derived the same way one layer up. These
# gradients of nodes are the δ's of notebook 3, and they are what "propagates backward" (more on
# this just below).

# %%
ex = explain(E, w1_13, digits=6)
print(ex)
assert f"{w1_13.grad:.6f}" in str(ex)

# %% [markdown]
# ### "Backpropagate the $\Delta w$": what really travels back
#
# **The notes** list, as the step after computing $\Delta w_i = -\alpha\,dE/dw_i$, "backpropagate
# the $\Delta w$ through the network to update the weights", and explain backpropagation as
# "propagating the change in weights $\Delta w$ backward from the prediction node ($\hat y$) all the
# way through the hidden layers and back to the input layer".
#
# **That is wrong.** No $\Delta w$ travels anywhere. A weight is a leaf of the graph: on the way
# back gradients flow *into* it and nothing flows *out* of it. What travels back, layer by layer,
# is the gradient of each **node**, $dE/dh$, passed through the weights' *values* (and the sigmoid
# slopes). Each $\Delta w$ is then computed where its weight sits, from the gradient that reached
# the node the weight feeds, times the value on the weight's input side:
#
# $$\frac{dE}{dh^{(1)}_3} = \sum_{j=1}^{2}\frac{dE}{dz^{(2)}_j}\,w^{(2)}_{3,j},\qquad
#   \frac{dE}{dw^{(1)}_{1,3}} = \frac{dE}{dh^{(1)}_3}\cdot\sigma'(z^{(1)}_3)\cdot x_1,\qquad
#   \Delta w^{(1)}_{1,3} = -\alpha\,\frac{dE}{dw^{(1)}_{1,3}} .$$
#
# Checked with the node gradients `E.backward()` left on the graph: the gradient reaching
# $h^{(1)}_3$ is built from layer 2's node gradients and weight values, no $\Delta w$ in it; and every
# weight and bias is a leaf.

# %%
reached = node["h1_3"].grad                       # dE/dh1_3, left there by E.backward()
from_layer_2 = sum(node[f"z2_{j}"].grad * weight(2, 3, j).data for j in (1, 2))
local = reached * slope(1, 3) * x_in[0]           # node gradient x sigma'(z1_3) x x1
print(f"dE/dh1_3 = {reached:+.6f} = sum_j dE/dz2_j * w2_3j = {from_layer_2:+.6f}")
print(f"dE/dh1_3 * sigma'(z1_3) * x1 = {local:+.6f} = engine dE/dw1_13 = {w1_13.grad:+.6f}")
assert math.isclose(reached, from_layer_2, rel_tol=1e-12)
assert math.isclose(w1_13.grad, local, rel_tol=1e-12)
assert all(p.children == () for p in deep.parameters())   # weights send nothing backward

# %% [markdown]
# Every gradient of the network against central finite differences (its 26 weights and biases):

# %%
params = deep.parameters()

def error_with(*values):
    """E computed from fresh leaves `values`, in the order of deep.parameters()."""
    it = iter(values)
    h = x_in
    for layer in deep.layers:
        nxt = []
        for n in layer.neurons:
            ws = [next(it) for _ in n.w]
            b = next(it)
            nxt.append(sum((w * a for w, a in zip(ws, h)), b).sigmoid())
        h = nxt
    return (h[0] - y_label).abs()

report = gradcheck(error_with, [Value(p.data, label=p.label) for p in params])
assert report and len(report.rows) == sum((a + 1) * b for a, b in zip(sizes, sizes[1:])) == 26
for row, p in zip(report.rows, params):
    assert math.isclose(row.autodiff, p.grad, rel_tol=1e-12, abs_tol=1e-15), p.label
print(f"{len(report.rows)} parameters, max |autodiff - numeric| = {report.max_error:.1e}")

# %% [markdown]
# **One gradient-descent step**, $\Delta w = -\alpha\,dE/dw$ for every weight and bias at once, with
# $\alpha = 0.1$. To first order the error then falls by $\alpha\sum_w (dE/dw)^2$:

# %%
alpha = 0.1
before = E.data
predicted_drop = alpha * sum(p.grad ** 2 for p in params)
for p in params:
    p.data += -alpha * p.grad                 # w_new = w_old + delta w
with no_grad():
    after = abs(deep(x_in)[0].data - y_label)
print(f"E: {before:.6f} -> {after:.6f}, a drop of {before - after:.6f} "
      f"(first-order prediction {predicted_drop:.6f})")
assert after < before
assert math.isclose(before - after, predicted_drop, rel_tol=0.02)

# the step moved the biases too (dE/db != 0), so the notes' bias-free yhat no longer fits
with no_grad():
    yhat_now = deep(x_in)[0].data
print(f"yhat = {yhat_now:.6f}; the notes' formula without biases: {yhat_without_biases():.6f}")
assert all(n.b.data != 0.0 for layer in deep.layers for n in layer.neurons)
assert not math.isclose(yhat_without_biases(), yhat_now, rel_tol=1e-4)
