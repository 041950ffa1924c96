# %% [markdown]
# # Cross-entropy
#
# Softmax regression outputs a probability for each class; training
# needs one number that says how bad those probabilities are for the
# true labels. That [loss function](../../glossary/#loss-function) is
# the [cross-entropy](../../glossary/#cross-entropy). This page derives
# it from information theory, shows that
# [binary cross-entropy](../../glossary/#binary-cross-entropy) is its
# two-class case, checks its famous gradient with autograd, compares
# the softmax with the "hardmax" it smooths, and shows how to compute
# the loss without overflowing.

# %%
import math
from itertools import pairwise

import torch
import torch.nn.functional as F
from torch.distributions import Categorical, kl_divergence

from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.one_hot import one_hot
from tutorial_lib.plotting import plot_functions, show_figure
from tutorial_lib.report import show_markdown
from tutorial_lib.softmax import log_softmax, softmax

_ = torch.manual_seed(0)

# %% [markdown]
# ## Entropy
#
# The entropy of a distribution $P$ over $q$ outcomes is the average
# number of nats (bits, with $\log_2$) needed to encode an outcome
# drawn from it:
#
# $$H[P] = \sum_j -P(j) \log P(j).$$
#
# It is largest for the uniform distribution ($\log q$) and zero when
# one outcome is certain.


# %%
def entropy(p):
    p = p[p > 0]  # 0 log 0 = 0
    return (p * (1 / p).log()).sum()  # = -sum p log p


uniform = torch.full((10,), 0.1)
peaked = torch.tensor([0.91] + [0.01] * 9)
certain = torch.tensor([1.0] + [0.0] * 9)
torch.testing.assert_close(entropy(uniform), torch.tensor(math.log(10)))
assert entropy(certain) == 0

# %% tags=["remove_input"]
show_markdown(
    f"Over ten classes: the uniform distribution has entropy "
    f"**{entropy(uniform):.4f}** nats ($\\log 10$), a peaked one "
    f"putting 0.91 on one class **{entropy(peaked):.4f}**, and a "
    f"certain one **{entropy(certain):.4f}**."
)

# %% [markdown]
# ## Cross-entropy of two distributions
#
# If the outcomes come from $P$ but we encode them as if they came
# from $Q$, we pay on average
#
# $$H(P, Q) = \sum_j -P(j) \log Q(j) \geq H(P),$$
#
# with equality only when $Q = P$ (the gap is the Kullback-Leibler
# divergence). In classification $P$ is the one-hot label
# $\mathbf{y}$ and $Q$ the model's prediction
# $\hat{\mathbf{y}} = \mathrm{softmax}(\mathbf{o})$ of the
# [logits](../../glossary/#logits) $\mathbf{o}$. With the classes
# numbered $0, \dots, q - 1$, all terms but the true class vanish:
#
# $$l(\mathbf{y}, \hat{\mathbf{y}})
#   = -\sum_{j=0}^{q-1} y_j \log \hat{y}_j = -\log \hat{y}_y.$$
#
# Minimising it is maximising the likelihood of the observed labels.


# %%
def cross_entropy_pq(p, q):
    return -(p * q.log()).sum()


q = softmax(torch.randn(10))
assert cross_entropy_pq(uniform, q) >= entropy(uniform)
torch.testing.assert_close(
    cross_entropy_pq(uniform, uniform), entropy(uniform)
)
kl = kl_divergence(Categorical(probs=uniform), Categorical(probs=q))
torch.testing.assert_close(
    cross_entropy_pq(uniform, q) - entropy(uniform), kl
)
label = 3
y_onehot = one_hot(torch.tensor([label]), 10, dtype=q.dtype)[0]
torch.testing.assert_close(
    cross_entropy_pq(y_onehot, q), -q[label].log()
)

# %% [markdown]
# The loss of one sample is $-\log$ of the probability given to its
# true class: zero when the model is sure and right, growing without
# bound as that probability goes to zero.

# %%
p_true = torch.linspace(0.005, 1, 200)
fig = plot_functions(
    p_true, {"-log p": -p_true.log()},
    xlabel="probability p of the true class", ylabel="loss",
)
show_figure(fig, alt="The loss -log p against the probability p of "
            f"the true class: it falls from {-p_true[0].log():.1f} at "
            f"p = {p_true[0]:.3f} to 0 at p = 1.")

# %% [markdown]
# ## Binary cross-entropy is the two-class case
#
# With two classes, a softmax over the logits $(0, z)$ gives
# $\hat{y}_1 = e^z / (1 + e^z) = \sigma(z)$, the
# [sigmoid](../../glossary/#sigmoid) of
# [logistic regression](../../glossary/#logistic-regression), and the
# cross-entropy becomes
# $-y \log \sigma(z) - (1 - y) \log(1 - \sigma(z))$, the binary
# cross-entropy (BCE) of the logistic chapter:

# %%
z = torch.randn(8) * 3
y01 = torch.randint(0, 2, (8,))
two_class_logits = torch.stack([torch.zeros_like(z), z], dim=1)
torch.testing.assert_close(
    softmax(two_class_logits)[:, 1], torch.sigmoid(z)
)
torch.testing.assert_close(
    cross_entropy(two_class_logits, y01),
    F.binary_cross_entropy_with_logits(z, y01.float()),
)

# %% [markdown]
# ## The gradient with respect to the logits
#
# Write $l = \log \sum_k \exp(o_k) - o_y$. Differentiating,
#
# $$\frac{\partial l}{\partial o_j}
#   = \frac{\exp(o_j)}{\sum_k \exp(o_k)} - y_j
#   = \mathrm{softmax}(\mathbf{o})_j - y_j.$$
#
# The gradient is the predicted distribution minus the one-hot label:
# the error itself, as for squared error in linear regression. For a
# batch loss averaged over $N$ samples, each row is divided by $N$.
# Autograd agrees:

# %%
N, num_classes = 5, 4
logits = torch.randn(N, num_classes, dtype=torch.float64,
                     requires_grad=True)
y = torch.randint(0, num_classes, (N,))

loss = cross_entropy(logits, y)  # mean over the batch
loss.backward()
y_onehot = one_hot(y, num_classes, dtype=torch.float64)
closed_form = (softmax(logits.detach()) - y_onehot) / N
torch.testing.assert_close(logits.grad, closed_form)
print(logits.grad)

# %% [markdown]
# ## Softmax and hardmax
#
# Note 001 (`001_f3c756109ef103f7.txt`) explains the name this way:

# %% tags=["remove_input"]
show_markdown(
    "> 顾名思义,softmax与hardmax对应,常规对序列求最值就是hardmax,"
    "而在分类中,采用one hot编码,以及引入置信度,"
    "根据softmax引入的e的指数,"
    "我们只关心是否能让正确类别的预测值以及置信度足够大,"
    "而不关心非正确类别。"
    "模型能够把真正的类别和其他的类别拉开一个距离。"
)

# %% [markdown]
# ("As the name says, softmax is the counterpart of hardmax: taking
# the maximum of a sequence the usual way is hardmax. In
# classification, with one-hot labels and a confidence, thanks to the
# exponential that softmax brings in, we only care whether the
# prediction and confidence of the correct class are large enough,
# not about the incorrect classes. The model can pull the true class
# apart from the other classes by a distance.")
#
# The intuition is right in its first half. The hardmax of the
# logits is the one-hot vector of their argmax; the softmax is a
# smooth version of it, and dividing the logits by a temperature
# $T \to 0$ turns it into the hardmax:

# %%
o = torch.tensor([1.0, 2.0, 4.0])
hardmax = one_hot(o.argmax().reshape(1), 3, dtype=o.dtype)[0]
for T in [1.0, 0.5, 0.1]:
    print(f"T = {T}: softmax(o / T) =", softmax(o / T))
torch.testing.assert_close(softmax(o / 0.01), hardmax)

# %% [markdown]
# The hardmax is a step function of the logits: a small change leaves
# it unchanged (or flips it to another class), so it gives gradient
# descent nothing to follow; the softmax changes smoothly with every
# logit. On the rest of the note:
#
# - "Not about the incorrect classes" is not what the loss does. The
#   loss $-\log \hat{y}_y$ names only the true class, but
#   $\hat{y}_y$ depends on **every** logit through the sum in the
#   softmax, and the gradient above lowers each wrong class's logit in
#   proportion to its probability. Raising only a wrong class's logit
#   raises the loss.
# - "Pulling the true class apart" is right, with no end to it: with
#   the true class's logit at $m$ and the $q - 1$ others at 0, the
#   loss is $\log(1 + (q - 1) e^{-m})$, which keeps falling as the
#   margin $m$ grows and reaches zero only in the limit.

# %%
y0 = torch.tensor([0])
base = cross_entropy(torch.tensor([[2.0, 0.0, 0.0]]), y0)
raised = cross_entropy(torch.tensor([[2.0, 0.0, 1.5]]), y0)
assert raised > base  # only a wrong class's logit changed

margins = [0.0, 2.0, 5.0, 10.0]
margin_losses = []
for m in margins:
    logits_m = torch.tensor([[m] + [0.0] * 9], dtype=torch.float64)
    loss_m = cross_entropy(logits_m, y0).item()
    expected = math.log1p(9 * math.exp(-m))
    assert math.isclose(loss_m, expected, rel_tol=1e-4)
    margin_losses.append(loss_m)
assert all(a > b > 0 for a, b in pairwise(margin_losses))

# %% tags=["remove_input"]
show_markdown(
    f"For the logits (2, 0, 0) with true class 0 the loss is "
    f"**{base.item():.4f}**; raising only the wrong class 2 to 1.5 "
    f"makes it **{raised.item():.4f}**. Over ten classes, margins "
    + ", ".join(f"{m:g}" for m in margins)
    + " give the losses "
    + ", ".join(f"**{v:.2g}**" for v in margin_losses)
    + ": smaller and smaller, but not zero."
)

# %% [markdown]
# ## Numerical stability
#
# ### The naive softmax overflows
#
# Note 001 (`001_f3c756109ef103f7.txt`), like many textbooks, defines
# the softmax straight from the formula:
#
# > ```text
# > def softmax(X):
# > X_exp = torch.exp(X)
# > partition = X_exp.sum(1, keepdim=True)
# > return X_exp / partition # 这里应用了广播机制模型
# > ```
#
# The notes file lost the code's indentation, and the heading of its
# next section, 模型 ("model"), ran into the comment, which says
# "broadcasting is applied here". Indented again, it is the function
# below. That is correct mathematics and fine for small logits, but
# `exp` overflows in `float32` for logits that are not even very
# large (the limit is computed below), and `inf / inf` is `nan`.


# %%
def softmax_naive(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting


big = torch.tensor([[100.0, 101.0, 102.0], [1.0, 2.0, 3.0]])
naive = softmax_naive(big)
print(naive)
assert torch.isnan(naive[0]).all() and torch.isfinite(naive[1]).all()
float32_limit = math.log(torch.finfo(torch.float32).max)
assert torch.isfinite(torch.exp(torch.tensor(float32_limit - 0.01)))
assert torch.isinf(torch.exp(torch.tensor(float32_limit + 0.01)))

# %% tags=["remove_input"]
show_markdown(
    f"`exp(x)` is `inf` in `float32` once $x$ exceeds about "
    f"**{float32_limit:.2f}** (the log of the largest `float32`, "
    f"{torch.finfo(torch.float32).max:.3e}). For the logits "
    f"(100, 101, 102), `torch.exp` gives "
    f"**{torch.exp(big[0, 0]).item()}** and the naive softmax "
    f"returns **{naive[0].tolist()}**; the second row, (1, 2, 3), is "
    f"fine: {[round(v, 4) for v in naive[1].tolist()]}."
)

# %% [markdown]
# ### Subtracting the maximum
#
# The softmax does not change when the same number is subtracted
# from every logit,
# $\mathrm{softmax}(\mathbf{o} - c) = \mathrm{softmax}(\mathbf{o})$.
# Taking $c = \max_k o_k$ makes every exponent $\leq 0$, so no `exp`
# overflows, and the largest term is exactly $e^0 = 1$, so the sum
# cannot underflow to 0 either. This is what
# [`tutorial_lib.softmax.softmax`][api-softmax] and `torch.softmax`
# do:
#
# [api-softmax]: ../../api/#tutorial_lib.softmax.softmax


# %%
def softmax_stable(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(1, keepdim=True)


stable = softmax_stable(big)
print(stable)
assert torch.isfinite(stable).all()
torch.testing.assert_close(stable, softmax(big))
torch.testing.assert_close(stable, torch.softmax(big, dim=1))
# same gaps between the logits, same softmax
torch.testing.assert_close(stable[0], stable[1])

# %% [markdown]
# ### Log-sum-exp for the loss
#
# Even a stable softmax can give exactly 0 for a class far below the
# best one, and the naive loss `-log(y_hat[range(n), y])` is then
# `-log 0 = inf`. The fix is to never form the probability: with
# $m = \max_k o_k$,
#
# $$-\log \hat{y}_y = \log \sum_k \exp(o_k) - o_y
#   = m + \log \sum_k \exp(o_k - m) - o_y,$$
#
# the **log-sum-exp** trick.
# [`log_softmax`](../../api/#tutorial_lib.softmax.log_softmax) and
# [`cross_entropy`](../../api/#tutorial_lib.cross_entropy.cross_entropy)
# are written this way, like `F.log_softmax` and `F.cross_entropy`
# (and `nn.CrossEntropyLoss`, which is why it takes logits, not
# probabilities).

# %%
extreme = torch.tensor([[1e4, 0.0, -1e4], [0.0, 50.0, 120.0]])
y_extreme = torch.tensor([2, 0])

naive_loss = -torch.log(softmax_stable(extreme)[range(2), y_extreme])
print("naive:", naive_loss)
assert torch.isinf(naive_loss).all()

stable_loss = cross_entropy(extreme, y_extreme, reduction="none")
print("log-sum-exp:", stable_loss)
assert torch.isfinite(stable_loss).all()
torch.testing.assert_close(
    stable_loss, F.cross_entropy(extreme, y_extreme, reduction="none")
)
torch.testing.assert_close(
    log_softmax(extreme), F.log_softmax(extreme, dim=1)
)

extreme.requires_grad_()
cross_entropy(extreme, y_extreme).backward()
assert torch.isfinite(extreme.grad).all()

# %% tags=["remove_input"]
show_markdown(
    f"Through probabilities both losses are **inf**; through "
    f"log-sum-exp they are the finite **{stable_loss[0].item():.1f}** "
    f"and **{stable_loss[1].item():.1f}**, equal to PyTorch's. The "
    f"gradients stay finite too, so one badly wrong sample cannot turn "
    f"every weight into `nan`."
)

# %% [markdown]
# ## Summary
#
# - The cross-entropy $H(P, Q)$ is the cost of coding $P$ with $Q$;
#   against a one-hot label it is $-\log \hat{y}_y$, the negative log
#   probability of the true class.
# - Binary cross-entropy is the two-class case, with the sigmoid as
#   the two-class softmax.
# - Its gradient with respect to the logits is
#   $\mathrm{softmax}(\mathbf{o}) - \mathbf{y}$: every class is
#   pushed, the wrong ones down in proportion to their probability.
# - The softmax is a smooth hardmax; computed naively it overflows,
#   so subtract the maximum, and compute the loss from logits with
#   log-sum-exp (`F.cross_entropy`, `nn.CrossEntropyLoss`).
#
# ## Exercises
#
# **Exercise 1.** The naive softmax overflowed in `float32`. Make it
# overflow in `float64` too: find logits for which
# `softmax_naive` returns `nan` or `inf` in `float64` while
# `softmax_stable` stays finite and equal to `torch.softmax`.

# %% [markdown] tags=["solution"]
# **Solution 1.** `exp` overflows in `float64` above the log of the
# largest `float64` (printed below), so the logit 710 is enough:

# %% tags=["solution"]
float64_limit = math.log(torch.finfo(torch.float64).max)
print(f"exp overflows in float64 above about {float64_limit:.2f}")
big64 = torch.tensor([[710.0, 0.0, -5.0]], dtype=torch.float64)
naive64 = softmax_naive(big64)
stable64 = softmax_stable(big64)
print("naive: ", naive64)
print("stable:", stable64)
assert (torch.isnan(naive64) | torch.isinf(naive64)).any()
assert torch.isfinite(stable64).all()
torch.testing.assert_close(stable64, torch.softmax(big64, dim=1))

# %% [markdown]
# **Exercise 2.** Predict, then run: what loss does a model with all
# logits zero get on ten classes, whatever the labels? Why is that a
# useful number to see at the start of training?

# %% [markdown] tags=["solution"]
# **Solution 2.** Equal logits give the uniform distribution, so the
# loss is $-\log(1/10) = \log 10$ for every sample. A freshly
# initialised classifier with small weights should start near
# $\log q$; a first loss far from it points to a bug.

# %% tags=["solution"]
zero_logits = torch.zeros(4, 10)
labels_any = torch.tensor([0, 3, 7, 9])
zero_loss = cross_entropy(zero_logits, labels_any)
print(f"{zero_loss.item():.4f}")
torch.testing.assert_close(zero_loss, torch.tensor(math.log(10)))

# %% [markdown]
# **Exercise 3.** Derive what each row of the gradient with respect
# to the logits sums to, and check it on `logits.grad` above.

# %% [markdown] tags=["solution"]
# **Solution 3.** Each row is
# $(\mathrm{softmax}(\mathbf{o}) - \mathbf{y}) / N$; the softmax sums
# to 1 and so does the one-hot label, so every row sums to 0. The
# gradient moves probability between the classes and never changes
# all logits together (which would not change the softmax):

# %% tags=["solution"]
row_sums = logits.grad.sum(dim=1)
zeros = torch.zeros(N, dtype=torch.float64)
torch.testing.assert_close(row_sums, zeros)

# %% [markdown]
# **Exercise 4.** Find the bug: a model ends in `torch.softmax` and is
# trained with `F.cross_entropy(torch.softmax(logits, dim=1), y)`.
# What does this compute, and what should it be?

# %% [markdown] tags=["solution"]
# **Solution 4.** `F.cross_entropy` expects logits and applies
# `log_softmax` itself, so this takes the softmax twice and the loss
# is wrong. Its inputs lie in $[0, 1]$, so the log-sum-exp lies in
# $[\log q, \log q + 1]$ and the loss can never leave
# $[\log q - 1, \log q + 1]$. The model can still become confident:
# with the true class's logit a margin $m$ above the others, the loss
# falls as $m$ grows (below). But it falls towards
# $\log(q - 1 + e) - 1$, not 0: a model sure and right still pays
# that much. And its gradient is smaller than that of the right loss
# at each margin below, $1/q$ of it when all logits are equal. Pass
# the logits, or give log-probabilities to `F.nll_loss`:

# %% tags=["solution"]
scores = torch.randn(6, 10)
targets = torch.randint(0, 10, (6,))
right = F.cross_entropy(scores, targets)
twice = F.cross_entropy(torch.softmax(scores, dim=1), targets)
print(f"right {right.item():.4f}, softmax twice {twice.item():.4f}")
assert not torch.isclose(right, twice)
assert abs(twice.item() - math.log(10)) <= 1
torch.testing.assert_close(
    F.nll_loss(F.log_softmax(scores, dim=1), targets), right
)

# ever more confident models: the true class's logit at m, others 0
floor_twice = math.log(10 - 1 + math.e) - 1
twice_losses, grad_ratios = [], []
for m in [0.0, 5.0, 10.0, 20.0]:
    logits_m = m * F.one_hot(targets, 10).double()
    logits_m.requires_grad_()
    probs_m = torch.softmax(logits_m, dim=1)
    loss_twice = F.cross_entropy(probs_m, targets)
    loss_right = F.cross_entropy(logits_m, targets)
    (grad_twice,) = torch.autograd.grad(loss_twice, logits_m)
    (grad_right,) = torch.autograd.grad(loss_right, logits_m)
    p_right = probs_m[range(len(targets)), targets].min()
    twice_losses.append(loss_twice.item())
    grad_ratios.append((grad_twice.norm() / grad_right.norm()).item())
    print(f"m = {m:g}: p(true class) {p_right.item():.6f}, "
          f"softmax twice {loss_twice.item():.6f}, "
          f"right {loss_right.item():.6f}")
assert all(a > b for a, b in pairwise(twice_losses))  # falls with m
assert p_right > 0.9999  # confident
assert abs(twice_losses[-1] - floor_twice) < 1e-6  # but stalls here
assert loss_right < 1e-6 < floor_twice
assert all(ratio < 1 for ratio in grad_ratios)
assert math.isclose(grad_ratios[0], 1 / 10)

# %% [markdown]
# Next: [Loss functions for regression](../regression-losses/) looks
# at the losses for real-valued targets, and at what likelihood each
# one corresponds to.
