# %% [markdown]
# # One-hot encoding
#
# A [classification](../../glossary/#classification) label like "Sneaker" is stored as a
# class index, here 7. Indices are convenient for storage but misleading as numbers: class 7
# is not "bigger" than class 2, and a model that predicts 4.5 for an image that is either a
# 2 or a 7 has said nothing useful. [One-hot encoding](../../glossary/#one-hot-encoding)
# turns each label into a vector with one entry per class, so that labels and predicted
# probabilities live in the same space.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from tutorial_lib.one_hot import one_hot
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import show_markdown

# %% [markdown]
# ## Definition
#
# With $q$ classes, the one-hot encoding of label $y \in \{0, \dots, q - 1\}$ is the vector
# $\mathbf{y} \in \{0, 1\}^q$ with
#
# $$y_j = \begin{cases} 1 & \text{if } j = y, \\ 0 & \text{otherwise.} \end{cases}$$
#
# For three classes (cat, chicken, dog) the labels are $(1, 0, 0)$, $(0, 1, 0)$ and
# $(0, 0, 1)$. Every such vector is a probability distribution that puts all its mass on the
# true class, which is exactly what the model's [softmax](../../glossary/#softmax) output is
# compared with in the [cross-entropy](../../glossary/#cross-entropy) loss.
#
# Written naively, the encoding of a batch is a matrix of zeros with a one written in each
# row at the column of its label:


# %%
def one_hot_naive(y, num_classes):
    encoded = torch.zeros(len(y), num_classes, dtype=torch.int64)
    for i, label in enumerate(y):
        encoded[i, label] = 1
    return encoded


y = torch.tensor([0, 2, 1, 2, 9, 7, 3, 5])
print(one_hot_naive(y, 10))

# %% [markdown]
# ## `F.one_hot`
#
# PyTorch has it built in: `torch.nn.functional.one_hot(tensor, num_classes)` returns an
# `int64` tensor with one more dimension. The library's
# [`one_hot`](../../api/#tutorial_lib.one_hot.one_hot) gives the same result without a
# Python loop and refuses labels that cannot be classes (negative, too large, not integers)
# with a `ValueError` that says which:

# %%
torch.testing.assert_close(F.one_hot(y, num_classes=10), one_hot_naive(y, 10))
torch.testing.assert_close(one_hot(y, 10), F.one_hot(y, num_classes=10))
try:
    one_hot(torch.tensor([0, 10]), 10)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# Without `num_classes`, `F.one_hot` uses the largest label plus one, so a batch that
# happens to contain no 9 would produce 9 columns instead of 10: always pass `num_classes`.

# %%
print(F.one_hot(torch.tensor([0, 2, 1])).shape, F.one_hot(torch.tensor([0, 2, 1]), 10).shape)

# %% [markdown]
# ## A picture of a one-hot matrix
#
# Each row is a sample, each column a class; the dark cell of each row marks its label.

# %%
generator = torch.Generator().manual_seed(0)
labels = torch.randint(0, 10, (16,), generator=generator)
encoded = one_hot(labels, 10)

fig, ax = plt.subplots(figsize=(5, 6))
ax.imshow(encoded.numpy(), cmap="Blues", vmin=0, vmax=1)
ax.set_xticks(range(10))
ax.set_yticks(range(16), [f"sample {i}: y = {int(k)}" for i, k in enumerate(labels)])
ax.set_xlabel("class j")
ax.set_title("one_hot(y, 10)")
for i, k in enumerate(labels.tolist()):
    ax.text(k, i, "1", ha="center", va="center", color="lightyellow", fontsize=8)
show_figure(
    fig,
    alt="A 16 by 10 grid: one row per sample, one column per class; in each row exactly one "
    "cell, in the column of the sample's label, is filled and marked 1, the rest are 0.",
)

# %% [markdown]
# ## Picking the probability of the true class
#
# The cross-entropy of one sample needs $\hat{y}_{y}$, the probability the model gives to
# the true class. Writing the label one-hot, that probability is the sum over classes of
# $\hat{y}_j y_j$, because only the term $j = y$ is not zero:
#
# $$\hat{y}_{y} = \sum_{j=1}^{q} y_j \hat{y}_j = \mathbf{y}^\top \hat{\mathbf{y}}.$$
#
# In code, `y_hat[range(n), y]` picks element `y[i]` of row `i` for every `i` (advanced
# indexing with two index lists), and `(y_hat * one_hot(y)).sum(1)` multiplies by the mask
# and sums each row. Both give the same vector; indexing is cheaper because it never builds
# the `n x q` mask.

# %%
n, q = 6, 10
y_hat = torch.softmax(torch.randn(n, q, generator=generator), dim=1)
y = torch.randint(0, q, (n,), generator=generator)

picked = y_hat[range(n), y]
masked = (y_hat * one_hot(y, q, dtype=y_hat.dtype)).sum(1)
torch.testing.assert_close(picked, masked)
print(picked)

# %% tags=["remove_input"]
show_markdown(
    f"Both ways give the same {n} probabilities (asserted above); the first is "
    f"**{picked[0].item():.4f}**, the probability this random model gives to class "
    f"{int(y[0])}, the true class of sample 0."
)

# %% [markdown]
# The same identity makes the gradient of the cross-entropy easy to read: it is the
# difference between the predicted distribution and the one-hot label, as the
# [cross-entropy page](../cross-entropy/) shows.
