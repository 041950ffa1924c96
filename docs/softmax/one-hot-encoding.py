# %% [markdown]
# # One-hot encoding
#
# A [classification](../../glossary/#classification) label like
# "Sneaker" is stored as a class index, here 7. Indices are convenient
# for storage but misleading as numbers: class 7 is not "bigger" than
# class 2, and a model that predicts 4.5 for an image that is either a
# 2 or a 7 has said nothing useful.
# [One-hot encoding](../../glossary/#one-hot-encoding) turns each
# label into a vector with one entry per class, so that labels and
# predicted probabilities live in the same space.

# %%
import torch
import torch.nn.functional as F

from tutorial_lib.one_hot import one_hot
from tutorial_lib.plotting import plot_matrix, show_figure
from tutorial_lib.report import show_markdown

# %% [markdown]
# ## Definition
#
# With $q$ classes, numbered $0, 1, \dots, q - 1$ as in PyTorch, the
# one-hot encoding of label $y$ is the vector
# $\mathbf{y} = (y_0, \dots, y_{q-1}) \in \{0, 1\}^q$ with
#
# $$y_j = \begin{cases} 1 & \text{if } j = y, \\
#   0 & \text{otherwise.} \end{cases}$$
#
# For three classes (cat 0, chicken 1, dog 2) the labels are
# $(1, 0, 0)$, $(0, 1, 0)$ and $(0, 0, 1)$. Every such vector is a
# probability distribution that puts all its mass on the true class,
# which is exactly what the model's [softmax](../../glossary/#softmax)
# output is compared with in the
# [cross-entropy](../../glossary/#cross-entropy) loss.
#
# Written naively, the encoding of a batch is a matrix of zeros with a
# one written in each row at the column of its label:


# %%
def one_hot_naive(y, num_classes):
    encoded = torch.zeros(len(y), num_classes, dtype=torch.int64)
    for i, label in enumerate(y):
        encoded[i, label] = 1
    return encoded


y = torch.tensor([0, 2, 1, 2, 9, 7, 3, 5])
print(one_hot_naive(y, 10))

# %% [markdown]
# ## What the notes wrote
#
# Note 001 (`001_f3c756109ef103f7.txt`) introduces the encoding with
# these lines:
#
# > ```text
# > one - hot 编码
# > 一般用于分类问题,其特征是离散的
# > 很简单,用n个状态表示表示n个特征,其中只有一个状态取值为1,其他全为0
# > ```
#
# ("One-hot encoding: generally used for classification problems,
# whose features are discrete. Very simple: n states represent n
# features, only one state takes the value 1, all the others 0.")
#
# "n states for n features" mixes up two counts. The $n$ states are
# the $n$ **values one categorical variable can take** (the $q$ classes
# of a label), not $n$ features: a Fashion-MNIST label becomes a
# vector with one entry per class, while the features of the image
# are its pixel values, which are not one-hot encoded at all.
# When the inputs have several categorical features, each one is
# encoded on its own and the codes are put side by side, so a row
# holds one 1 **per feature**:

# %%
colour = torch.tensor([0, 2, 1])  # red, blue, green: 3 values
size = torch.tensor([1, 0, 1])  # small, large: 2 values
encoded_inputs = torch.cat(
    [F.one_hot(colour, 3), F.one_hot(size, 2)], dim=1
)
print(encoded_inputs)
assert encoded_inputs.shape == (3, 3 + 2)
assert (encoded_inputs.sum(dim=1) == 2).all()  # one 1 per feature

# %% [markdown]
# Corrected: with $q$ possible values (classes), one value is encoded
# as $q$ states, exactly one of which is 1; $q$ counts the values, and
# two categorical features give two such blocks.
#
# ## `F.one_hot`
#
# PyTorch has it built in: `torch.nn.functional.one_hot(tensor,
# num_classes)` returns an `int64` tensor with one more dimension. The
# library's [`one_hot`](../../api/#tutorial_lib.one_hot.one_hot) gives
# the same result without a Python loop and refuses labels that
# cannot be classes with an error that says why:

# %%
torch.testing.assert_close(
    F.one_hot(y, num_classes=10), one_hot_naive(y, 10)
)
torch.testing.assert_close(one_hot(y, 10), F.one_hot(y, num_classes=10))
assert F.one_hot(y, num_classes=10).dtype == torch.int64
for bad in [torch.tensor([0, 10]), torch.tensor([-1, 2]),
            torch.tensor([0.0, 2.0])]:
    try:
        one_hot(bad, 10)
    except (TypeError, ValueError) as error:
        print(f"{type(error).__name__}: {error}")
    else:
        raise AssertionError(f"{bad} was accepted")

# %% [markdown]
# ### Always pass `num_classes`
#
# Without `num_classes`, `F.one_hot` makes one column per label up to
# the largest label **in this tensor**. A batch that happens to
# contain no 8 and no 9 gets fewer than ten columns, and no longer
# lines up with the ten probabilities of the model:

# %%
y_batch = torch.tensor([0, 2, 1, 7])
print(F.one_hot(y_batch).shape, F.one_hot(y_batch, 10).shape)
assert F.one_hot(y_batch).shape[1] == y_batch.max() + 1

y_hat_batch = torch.full((4, 10), 0.1)
try:
    y_hat_batch * F.one_hot(y_batch)
except RuntimeError as error:
    print(f"RuntimeError: {error}")
else:
    raise AssertionError("the shapes did not clash")

# %% tags=["remove_input"]
show_markdown(
    f"The largest label in this batch is {int(y_batch.max())}, so "
    f"`F.one_hot(y_batch)` has **{F.one_hot(y_batch).shape[1]}** "
    f"columns; with `num_classes=10` it has "
    f"**{F.one_hot(y_batch, 10).shape[1]}**, whatever the batch "
    f"holds."
)

# %% [markdown]
# ## A picture of a one-hot matrix
#
# Each row is a sample, each column a class; the one dark cell of
# each row, marked 1, is in the column of its label.

# %%
generator = torch.Generator().manual_seed(0)
labels = torch.randint(0, 10, (16,), generator=generator)
encoded = one_hot(labels, 10)

fig = plot_matrix(
    encoded, xlabel="class j", title="one_hot(y, 10)",
    row_labels=[f"sample {i}: y = {k}"
                for i, k in enumerate(labels.tolist())],
)
show_figure(fig, alt="one_hot(y, 10) of 16 random labels: a 16 by 10 "
            "grid of 0s with a single 1 in each row, in the column of "
            "that sample's label.")

# %% [markdown]
# ## Picking the probability of the true class
#
# The cross-entropy of one sample needs $\hat{y}_{y}$, the probability
# the model gives to the true class. Writing the label one-hot, that
# probability is the sum over classes of $\hat{y}_j y_j$, because only
# the term $j = y$ is not zero:
#
# $$\hat{y}_{y} = \sum_{j=0}^{q-1} y_j \hat{y}_j
#   = \mathbf{y}^\top \hat{\mathbf{y}}.$$
#
# In code, `y_hat[range(n), y]` picks element `y[i]` of row `i` for
# every `i` (advanced indexing with two index lists), and
# `(y_hat * one_hot(y)).sum(1)` multiplies by the mask and sums each
# row. Both give the same vector; indexing reads the $n$ numbers it
# needs and never builds the `n x q` mask.

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
    f"Both ways give the same {n} probabilities (asserted above); the "
    f"first is **{picked[0].item():.4f}**, the probability this random "
    f"model gives to class {int(y[0])}, the true class of sample 0."
)

# %% [markdown]
# The same identity makes the gradient of the cross-entropy easy to
# read: it is the difference between the predicted distribution and
# the one-hot label, as the [cross-entropy page](../cross-entropy/)
# shows.
#
# ## Summary
#
# - A label $y \in \{0, \dots, q - 1\}$ becomes a vector of $q$
#   entries with a single 1, at index $y$: a probability distribution
#   that is certain of the true class.
# - One-hot counts the **values** of one categorical variable; several
#   categorical features give one block each (note 001's "n features"
#   is corrected above).
# - `F.one_hot(y, num_classes)` returns `int64`; without
#   `num_classes` the width depends on the largest label of the batch.
# - The probability of the true class is `y_hat[range(n), y]`, the
#   same as the dot product of each row with its one-hot label.
#
# ## Exercises
#
# **Exercise 1.** Predict, then run: what is the shape of
# `F.one_hot(torch.tensor([3, 3, 3]))`? What does the same call do
# with `num_classes=2`?

# %% [markdown] tags=["solution"]
# **Solution 1.** The largest label is 3, so there are 4 columns:
# shape `(3, 4)`, three equal rows. With `num_classes=2` label 3 does
# not exist, and `F.one_hot` refuses it:

# %% tags=["solution"]
threes = torch.tensor([3, 3, 3])
assert F.one_hot(threes).shape == (3, 4)
try:
    F.one_hot(threes, num_classes=2)
except RuntimeError as error:
    print(f"RuntimeError: {error}")
else:
    raise AssertionError("num_classes=2 was accepted")

# %% [markdown]
# **Exercise 2.** Go back: given a one-hot matrix, recover the class
# indices in one line.

# %% [markdown] tags=["solution"]
# **Solution 2.** The position of the 1 in each row is its largest
# entry, so `argmax` along the classes inverts the encoding:

# %% tags=["solution"]
recovered = encoded.argmax(dim=1)
assert torch.equal(recovered, labels)
print(recovered)

# %% [markdown]
# **Exercise 3.** Derive the Euclidean distance between the one-hot
# vectors of two different classes. What does it say about how
# one-hot encoding treats the classes, compared with the indices?

# %% [markdown] tags=["solution"]
# **Solution 3.** Two different one-hot vectors differ in exactly two
# entries, each by 1, so their distance is $\sqrt{1 + 1} = \sqrt 2$
# for **every** pair of classes: all classes are equally far apart,
# whereas the indices put class 7 five units from class 2 and one
# unit from class 6. Checked on the ten classes:

# %% tags=["solution"]
codes = one_hot(torch.arange(10), 10, dtype=torch.float64)
distances = torch.cdist(codes, codes)
off_diagonal = ~torch.eye(10, dtype=torch.bool)
torch.testing.assert_close(
    distances[off_diagonal],
    torch.full((90,), 2.0, dtype=torch.float64).sqrt(),
)

# %% [markdown]
# **Exercise 4.** *Label smoothing* trains against
# $(1 - \varepsilon)\,\mathbf{y} + \varepsilon / q$ instead of the
# one-hot $\mathbf{y}$. Build these targets from `one_hot`, check
# that each row is still a distribution, and that the cross-entropy
# against them equals `F.cross_entropy(logits, y,
# label_smoothing=eps)`.

# %% [markdown] tags=["solution"]
# **Solution 4.** Each row sums to $(1 - \varepsilon) + q \cdot
# \varepsilon / q = 1$. The cross-entropy against a distribution is
# $-\sum_j p_j \log \hat{y}_j$, averaged over the batch:

# %% tags=["solution"]
eps = 0.1
logits = torch.randn(n, q, generator=generator)
smoothed = (1 - eps) * one_hot(y, q, dtype=logits.dtype) + eps / q
torch.testing.assert_close(smoothed.sum(dim=1), torch.ones(n))
ours = -(smoothed * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
torch.testing.assert_close(
    ours, F.cross_entropy(logits, y, label_smoothing=eps)
)

# %% [markdown]
# Next: [Cross-entropy](../cross-entropy/) turns the comparison of a
# one-hot label with the predicted probabilities into a loss.
