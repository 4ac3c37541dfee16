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
# # 2. Gradients of loss functions
#
# **What this covers:** the three derivations of the "GRADIENT OF LOSS FUNCTION" and "GRADIENT OF
# CROSS ENTROPY FUNCTION" sections of `000_8495f74e1b111f69.txt`, each redone by the engine one
# scalar at a time and compared with the document's closed form:
#
# 1. mean squared error $L = \frac12\sum_k (y_k - o_k)^2$: $\;\partial L/\partial o_i = o_i - y_i$;
# 2. the softmax Jacobian: $\partial p_i/\partial z_j = p_i(1 - p_j)$ if $i = j$, $-p_i p_j$ otherwise;
# 3. softmax + cross-entropy $L = -\sum_k y_k \log p_k$: $\;\partial L/\partial z_i = p_i - y_i$
#    (for a one-hot $y$; in general $p_i\sum_k y_k - y_i$, the document's step before the last).
#
# Then why softmax and cross-entropy are "implemented in a unified manner", as the document says:
# with large logits the separate computation breaks, the fused one does not.
#
# **Follows:** `000_8495f74e1b111f69.txt` (its loss-function and cross-entropy sections).
#
# Every number is checked by an `assert`: against the closed form (computed here in float64), and
# against central finite differences with `gradcheck`.

# %%
import math

from micrograd import Value, gradcheck

# %% [markdown]
# ## 1. Mean squared error
#
# Three outputs $o$ and targets $y$. The engine builds $L$ from `-`, `**2`, `+` and `*` nodes and
# knows nothing about the formula; `o_i.grad` after `backward()` is $\partial L/\partial o_i$.

# %%
o_data = [0.7, -1.2, 2.5]
y_data = [1.0, 0.0, 2.0]

o = [Value(v, label=f"o{i + 1}") for i, v in enumerate(o_data)]
L = 0.5 * sum((yk - ok) ** 2 for yk, ok in zip(y_data, o))
L.backward()

print(f"L = {L.data:.6f}")
for oi, yi in zip(o, y_data):
    print(f"dL/d{oi.label} = {oi.grad:+.6f}   o - y = {oi.data - yi:+.6f}")
    assert math.isclose(oi.grad, oi.data - yi, rel_tol=1e-12, abs_tol=1e-15)
assert math.isclose(L.data, 0.5 * ((1 - 0.7) ** 2 + 1.2 ** 2 + 0.5 ** 2), rel_tol=1e-12)

# %% [markdown]
# The sum disappears exactly as the document argues ($\partial o_k/\partial o_i = 0$ for $k \ne i$):
# each $o_i$ has a single path to $L$.

# %% [markdown]
# ## 2. The softmax Jacobian
#
# $p_i = e^{z_i} / \sum_k e^{z_k}$. To get row $i$ of the Jacobian, run `backward()` from $p_i$
# alone: then `z_j.grad` is $\partial p_i/\partial z_j$. One backward pass per output, one scalar
# at a time.

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
        assert math.isclose(jacobian[i][j], closed, rel_tol=1e-12, abs_tol=1e-15), (i, j)
print("every entry equals p_i(1 - p_j) on the diagonal and -p_i p_j off it")

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
# $L = -\sum_k y_k \log p_k$ with a one-hot $y$. The engine differentiates through `exp`, the sum,
# the division and `log`; the document's result is $\partial L/\partial z_i = p_i - y_i$.

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
# The same result from the document's route: the chain rule through the Jacobian,
# $\partial L/\partial z_i = \sum_k \frac{\partial L}{\partial p_k}\frac{\partial p_k}{\partial z_i}$
# with $\partial L/\partial p_k = -y_k/p_k$ and the Jacobian computed above.

# %%
via_jacobian = [sum(-y_onehot[k] / p_ref[k] * jacobian[k][i] for k in range(K)) for i in range(K)]
for zi, v in zip(z, via_jacobian):
    assert math.isclose(zi.grad, v, rel_tol=1e-12, abs_tol=1e-15)

# %% [markdown]
# The last simplification needs $\sum_k y_k = 1$. For a target that does not sum to 1 the general
# form $p_i\left(y_i + \sum_{k\ne i} y_k\right) - y_i$ is the one that holds — the engine agrees with
# it and not with $p_i - y_i$:

# %%
y_soft = [0.5, 0.5, 0.5, 0.0]           # sums to 1.5
z = [Value(v) for v in z_data]
softmax_cross_entropy_naive(z, y_soft).backward()
for zi, pi, yi in zip(z, p_ref, y_soft):
    assert math.isclose(zi.grad, pi * sum(y_soft) - yi, rel_tol=1e-12, abs_tol=1e-15)
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
# ## Why the two are fused in practice
#
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
# the document's $\frac12\sum$ form. Both checked once more here:

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
