# %% [markdown]
# # Cross-entropy
#
# Softmax regression outputs a probability for each class; training needs one number that
# says how bad those probabilities are for the true labels. That
# [loss function](../../glossary/#loss-function) is the
# [cross-entropy](../../glossary/#cross-entropy). This page derives it from information
# theory, shows that [binary cross-entropy](../../glossary/#binary-cross-entropy) is its
# two-class case, checks its famous gradient with autograd, and shows how to compute it
# without overflowing.

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.one_hot import one_hot
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import show_markdown
from tutorial_lib.softmax import log_softmax, softmax

torch.manual_seed(0)

# %% [markdown]
# ## Entropy
#
# The entropy of a distribution $P$ over $q$ outcomes is the average number of nats (bits,
# with $\log_2$) needed to encode an outcome drawn from it:
#
# $$H[P] = \sum_j -P(j) \log P(j).$$
#
# It is largest for the uniform distribution ($\log q$) and zero when one outcome is
# certain.


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
    f"Over ten classes: the uniform distribution has entropy **{entropy(uniform):.4f}** nats "
    f"($\\log 10$), a peaked one putting 0.91 on one class **{entropy(peaked):.4f}**, and a "
    f"certain one **{entropy(certain):.4f}**."
)

# %% [markdown]
# ## Cross-entropy $H(P, Q)$
#
# If the outcomes come from $P$ but we encode them as if they came from $Q$, we pay on
# average
#
# $$H(P, Q) = \sum_j -P(j) \log Q(j) \geq H(P),$$
#
# with equality only when $Q = P$ (the gap is the Kullback-Leibler divergence). In
# classification $P$ is the one-hot label $\mathbf{y}$ and $Q$ the model's prediction
# $\hat{\mathbf{y}} = \mathrm{softmax}(\mathbf{o})$ of the [logits](../../glossary/#logits)
# $\mathbf{o}$. All terms but the true class vanish:
#
# $$l(\mathbf{y}, \hat{\mathbf{y}}) = -\sum_{j=1}^{q} y_j \log \hat{y}_j = -\log \hat{y}_y.$$
#
# Minimising it is maximising the likelihood of the observed labels.


# %%
def cross_entropy_pq(p, q):
    return -(p * q.log()).sum()


q = softmax(torch.randn(10))
assert cross_entropy_pq(uniform, q) >= entropy(uniform)
torch.testing.assert_close(cross_entropy_pq(uniform, uniform), entropy(uniform))
label = 3
torch.testing.assert_close(
    cross_entropy_pq(one_hot(torch.tensor([label]), 10, dtype=q.dtype)[0], q), -q[label].log()
)

# %% [markdown]
# The loss of one sample is $-\log$ of the probability given to its true class: zero when
# the model is sure and right, growing without bound as that probability goes to zero.

# %%
p_true = torch.linspace(0.005, 1, 200)
fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.plot(p_true, -p_true.log())
ax.set_xlabel(r"probability of the true class $\hat{y}_y$")
ax.set_ylabel(r"loss $-\log \hat{y}_y$")
ax.grid(True, alpha=0.3)
show_figure(
    fig,
    alt="The cross-entropy loss minus log p plotted against the probability p of the true "
    "class: it falls from above 5 at p near 0 to 0 at p = 1.",
)

# %% [markdown]
# ## Binary cross-entropy is the two-class case
#
# With two classes, a softmax over the logits $(0, z)$ gives
# $\hat{y}_1 = e^z / (1 + e^z) = \sigma(z)$, the [sigmoid](../../glossary/#sigmoid) of
# [logistic regression](../../glossary/#logistic-regression), and the cross-entropy becomes
# $-y \log \sigma(z) - (1 - y) \log(1 - \sigma(z))$, the binary cross-entropy:

# %%
z = torch.randn(8) * 3
y01 = torch.randint(0, 2, (8,))
two_class_logits = torch.stack([torch.zeros_like(z), z], dim=1)
torch.testing.assert_close(softmax(two_class_logits)[:, 1], torch.sigmoid(z))
torch.testing.assert_close(
    cross_entropy(two_class_logits, y01),
    F.binary_cross_entropy_with_logits(z, y01.float()),
)

# %% [markdown]
# ## The gradient with respect to the logits
#
# Write $l = \log \sum_k \exp(o_k) - o_y$. Differentiating,
#
# $$\frac{\partial l}{\partial o_j} = \frac{\exp(o_j)}{\sum_k \exp(o_k)} - y_j
#   = \mathrm{softmax}(\mathbf{o})_j - y_j.$$
#
# The gradient is the predicted distribution minus the one-hot label: the error itself, as
# for squared error in linear regression. For a batch loss averaged over $N$ samples, each
# row is divided by $N$. Autograd agrees:

# %%
N, num_classes = 5, 4
logits = torch.randn(N, num_classes, dtype=torch.float64, requires_grad=True)
y = torch.randint(0, num_classes, (N,))

loss = cross_entropy(logits, y)  # mean over the batch
loss.backward()
closed_form = (softmax(logits.detach()) - one_hot(y, num_classes, dtype=torch.float64)) / N
torch.testing.assert_close(logits.grad, closed_form)
print(logits.grad)

# %% [markdown]
# ## Numerical stability
#
# ### The naive softmax overflows
#
# The notes (like many textbooks) define the softmax straight from the formula:
#
# > **What the notes wrote**
# >
# > ```python
# > def softmax(X):
# >     X_exp = torch.exp(X)
# >     partition = X_exp.sum(1, keepdim=True)
# >     return X_exp / partition  # broadcasting
# > ```
#
# That is correct mathematics and fine for small logits, but `float32` cannot hold
# $e^{89}$: `exp` of a logit around 100 is `inf`, and `inf / inf` is `nan`.


# %%
def softmax_naive(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


big = torch.tensor([[100.0, 101.0, 102.0], [1.0, 2.0, 3.0]])
naive = softmax_naive(big)
print(naive)
assert torch.isnan(naive[0]).all() and torch.isfinite(naive[1]).all()

# %% tags=["remove_input"]
show_markdown(
    f"For the logits (100, 101, 102), `torch.exp` gives **{torch.exp(big[0, 0]).item()}** "
    f"(the largest `float32` is {torch.finfo(torch.float32).max:.3e}), and the naive softmax "
    f"returns **{naive[0].tolist()}**; the second row, (1, 2, 3), is fine: "
    f"{[round(v, 4) for v in naive[1].tolist()]}."
)

# %% [markdown]
# ### Subtracting the maximum
#
# The softmax does not change when the same number is subtracted from every logit,
# $\mathrm{softmax}(\mathbf{o} - c) = \mathrm{softmax}(\mathbf{o})$. Taking
# $c = \max_k o_k$ makes every exponent $\leq 0$, so no `exp` overflows, and the largest
# term is exactly $e^0 = 1$, so the sum cannot underflow to 0 either. This is what
# [`tutorial_lib.softmax.softmax`](../../api/#tutorial_lib.softmax.softmax) and
# `torch.softmax` do:


# %%
def softmax_stable(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(1, keepdim=True)


stable = softmax_stable(big)
print(stable)
assert torch.isfinite(stable).all()
torch.testing.assert_close(stable, softmax(big))
torch.testing.assert_close(stable, torch.softmax(big, dim=1))
torch.testing.assert_close(stable[0], stable[1])  # same gaps between logits, same softmax

# %% [markdown]
# ### Log-sum-exp for the loss
#
# Even a stable softmax can give exactly 0 for a class far below the best one, and the
# naive loss `-log(y_hat[range(n), y])` is then `-log 0 = inf`. The fix is to never form
# the probability: with $m = \max_k o_k$,
#
# $$-\log \hat{y}_y = \log \sum_k \exp(o_k) - o_y = m + \log \sum_k \exp(o_k - m) - o_y,$$
#
# the **log-sum-exp** trick. [`log_softmax`](../../api/#tutorial_lib.softmax.log_softmax)
# and [`cross_entropy`](../../api/#tutorial_lib.cross_entropy.cross_entropy) are written
# this way, like `F.log_softmax` and `F.cross_entropy` (and `nn.CrossEntropyLoss`, which
# is why it takes logits, not probabilities).

# %%
extreme = torch.tensor([[1e4, 0.0, -1e4], [0.0, 50.0, 120.0]])
y_extreme = torch.tensor([2, 0])

naive_loss = -torch.log(softmax_stable(extreme)[range(2), y_extreme])
print("naive:", naive_loss)
assert torch.isinf(naive_loss).all()

stable_loss = cross_entropy(extreme, y_extreme, reduction="none")
print("log-sum-exp:", stable_loss)
assert torch.isfinite(stable_loss).all()
torch.testing.assert_close(stable_loss, F.cross_entropy(extreme, y_extreme, reduction="none"))
torch.testing.assert_close(log_softmax(extreme), F.log_softmax(extreme, dim=1))

extreme.requires_grad_()
cross_entropy(extreme, y_extreme).backward()
assert torch.isfinite(extreme.grad).all()

# %% tags=["remove_input"]
show_markdown(
    f"Through probabilities both losses are **inf**; through log-sum-exp they are the finite "
    f"**{stable_loss[0].item():.1f}** and **{stable_loss[1].item():.1f}**, equal to "
    f"PyTorch's. The gradients stay finite too, so one badly wrong sample cannot turn every "
    f"weight into `nan`."
)
