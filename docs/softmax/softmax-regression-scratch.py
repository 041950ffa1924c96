# %% [markdown]
# # Softmax regression from scratch
#
# [Softmax regression](../../glossary/#softmax-regression) is the
# simplest classifier for more than two classes: one linear layer
# produces a score (a [logit](../../glossary/#logits)) per class, the
# [softmax](../../glossary/#softmax) turns the scores into
# probabilities, and the [cross-entropy](../../glossary/#cross-entropy)
# loss is minimised by [stochastic gradient
# descent](../../glossary/#stochastic-gradient-descent).
# On this page we write every piece ourselves, train it on
# Fashion-MNIST during the build of this site, and check each piece
# against the library as we go.

# %%
import time

import torch

import tutorial_lib.cross_entropy
import tutorial_lib.metrics
import tutorial_lib.softmax
from tutorial_lib.data import load_fashion_mnist
from tutorial_lib.plotting import (
    plot_bars,
    plot_confusion_matrix,
    plot_training,
    show_figure,
    show_images,
)
from tutorial_lib.report import record_result, show_markdown

# %% [markdown]
# ## The data, held in memory
#
# We load both splits with [`load_fashion_mnist`][load] (see
# [Image classification datasets](../image-classification-datasets/))
# and convert each to a single float tensor once: every image becomes a
# row of $28 \times 28 = 784$ pixel values in $[0, 1]$. Training then
# reads [minibatches](../../glossary/#minibatch) by indexing these
# tensors, never image by image.
#
# [load]: ../../api/#tutorial_lib.data.load_fashion_mnist

# %%
train = load_fashion_mnist(train=True)
test = load_fashion_mnist(train=False)
X_train = train.images.reshape(len(train), -1).float() / 255
y_train = train.labels
X_test = test.images.reshape(len(test), -1).float() / 255
y_test = test.labels
class_names = train.classes
print(X_train.shape, y_train.shape, X_test.shape, y_test.shape)

# %% [markdown]
# ## Initialising the model parameters
#
# Each of the $q = 10$ classes gets one output, and each output is a
# weighted sum of the $d = 784$ pixels plus a bias: the weights form a
# $784 \times 10$ matrix `W`, the biases a vector `b` of length 10. We
# seed torch's random number generator, so that every build draws the
# same `W`, from a normal distribution with mean 0 and standard
# deviation 0.01, and start `b` at zero.

# %%
num_inputs, num_outputs = 784, 10
_ = torch.manual_seed(0)
W = torch.normal(
    0, 0.01, size=(num_inputs, num_outputs), requires_grad=True
)
b = torch.zeros(num_outputs, requires_grad=True)

# %% [markdown]
# The logit of class $j$ for an image $\mathbf{x}$ (a row of 784 pixels)
# uses **column** $j$ of `W`:
# $o_j = \langle \mathbf{W}_{:, j}, \mathbf{x} \rangle + b_j$, and
# `x @ W + b` computes all ten at once.

# %% tags=["remove_input"]
show_markdown(
    "> **What the notes wrote** (note 001, "
    "`001_f3c756109ef103f7.txt`):\n"
    ">\n"
    "> 这里权重W为(784,10)的矩阵,输入数据x为长度784的向量,"
    "对于O(1 -> 10),每个Oj对应\n"
    ">\n"
    "> Oj = < W[j],X > + bj,所以W的列数为num_outputs,"
    "也就是O的个数(种类)"
)

# %% [markdown]
# ("Here the weight W is a (784, 10) matrix, the input x a vector of
# length 784; for O (1 -> 10), each Oj corresponds to
# Oj = < W[j],X > + bj, so the number of columns of W is num_outputs,
# that is, the number of O (the classes).")
# The conclusion is right, the formula is not: `W[j]` is **row** $j$ of
# `W`, the ten weights of pixel $j$, and it cannot meet a vector of 784
# pixels. The column is `W[:, j]`:

# %%
x = X_train[0]
try:
    torch.dot(W[0], x)  # the notes' < W[j],X > for j = 0
except RuntimeError as error:
    print(f"{type(error).__name__}: {error}")
else:
    raise AssertionError("torch.dot(W[0], x) did not raise")
print("W[j]:", W[0].shape, " W[:, j]:", W[:, 0].shape)
o = x @ W + b
for j in range(num_outputs):
    torch.testing.assert_close(torch.dot(W[:, j], x) + b[j], o[j])

# %% [markdown]
# ## Defining the softmax operation
#
# For a minibatch $\mathbf{X}$ of logits, one row per sample,
#
# $$\mathrm{softmax}(\mathbf{X})_{ij}
#   = \frac{\exp(\mathbf{X}_{ij})}{\sum_k \exp(\mathbf{X}_{ik})}:$$
#
# exponentiate every entry, sum each row (the *partition function*), and
# divide each row by its sum. The result has non-negative rows that sum
# to 1. This is the notes' definition; it overflows for logits around
# 100 (see [Cross-entropy](../cross-entropy/#numerical-stability)),
# which the small logits of this model do not reach (checked after
# training), while the library's
# [`softmax`](../../api/#tutorial_lib.softmax.softmax) subtracts the row
# maximum first. On ordinary logits both agree:


# %%
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting: each row by its sum


logits = torch.normal(0, 1, (2, 5))
X_prob = softmax(logits)
print(X_prob, X_prob.sum(1))
torch.testing.assert_close(X_prob, tutorial_lib.softmax.softmax(logits))

# %% [markdown]
# > **What the notes wrote** (note 003, `003_caa373518ddb2a8d.txt`;
# > the file lost the code's indentation):
# >
# > ```python
# > def softmax(X):
# > #0是行,1是列,sum里面是哪个就把哪一个压缩
# > X_exp = torch.exp(X)
# > partition = X_exp.sum(1, keepdim=True)
# > return X_exp / partition # 这里应用了广播
# > ```
#
# The comment says "0 is rows, 1 is columns; whichever one is in `sum`
# is squeezed out" (the last one: "broadcasting is applied here"). The
# second half is the rule: the dimension you pass to `sum` disappears.
# "0 is rows" is easy to misread: dimension 0 is the one that *counts*
# the rows, so `sum(0)` adds the rows together and leaves **one value
# per column**, while `sum(1)` adds along each row and leaves one value
# per row, the partition function of each sample. `keepdim=True` keeps
# the summed dimension with size 1, so the `(n, 1)` column of sums
# broadcasts against the `(n, q)` matrix. `axis=` is accepted as
# NumPy's name for `dim=`:

# %%
A = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(A.sum(0), A.sum(1), A.sum(1, keepdim=True).shape)
assert A.sum(0).tolist() == [5.0, 7.0, 9.0]  # one per column
assert A.sum(1).tolist() == [6.0, 15.0]  # one per row
assert torch.equal(A.sum(axis=1), A.sum(dim=1))

# %% [markdown]
# ## Defining the model
#
# The model flattens each image into a row of 784 values (`reshape`;
# our rows are already flat, but the model also accepts `N x 28 x 28`
# images), multiplies by `W`, adds `b` (broadcast over the rows) and
# applies the softmax:
#
# $$\hat{\mathbf{Y}}
#   = \mathrm{softmax}(\mathbf{X}\mathbf{W} + \mathbf{b}).$$


# %%
def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


images = test.images[:2].float() / 255  # two 28 x 28 images
torch.testing.assert_close(net(images), net(X_test[:2]))

# %% [markdown]
# ## Defining the loss function
#
# The cross-entropy of a sample is $-\log$ of the probability the model
# gives to its true class. `y_hat[range(len(y_hat)), y]` picks, in row
# `i`, the entry in column `y[i]` (see
# [One-hot encoding](../one-hot-encoding/)):


# %%
def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y], cross_entropy(y_hat, y))

# %% [markdown]
# The library's
# [`cross_entropy`](../../api/#tutorial_lib.cross_entropy.cross_entropy)
# takes the logits instead of the probabilities and uses the log-sum-exp
# trick, so it stays finite where `log` of a rounded-to-zero probability
# would be `inf`. On the same logits the two agree:

# %%
labels = torch.tensor([1, 4])
torch.testing.assert_close(
    cross_entropy(softmax(logits), labels),
    tutorial_lib.cross_entropy.cross_entropy(
        logits, labels, reduction="none"
    ),
)

# %% [markdown]
# ## Classification accuracy
#
# The prediction is the class with the largest probability, `argmax`
# along each row. The [accuracy](../../glossary/#accuracy) is the
# fraction of predictions that equal the label. (The notes' `accuracy`
# returns the *number* of correct predictions and divides later; we
# return the fraction, like the library's
# [`accuracy`](../../api/#tutorial_lib.metrics.accuracy).) The
# conversion `y_hat.type(y.dtype)` comes from d2l; here it changes
# nothing, since `argmax` returns `int64` indices, the labels' dtype.


# %%
def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum()) / len(y)


print(y_hat.argmax(axis=1).dtype, y.dtype, accuracy(y_hat, y))
assert accuracy(y_hat, y) == tutorial_lib.metrics.accuracy(y_hat, y)
assert accuracy(y_hat, y) == 0.5

# %% [markdown]
# To evaluate a model on a whole split we go through it in batches
# without recording gradients, and weight each batch's accuracy by its
# size:


# %%
def evaluate_accuracy(net, X, y, batch_size=1024):
    correct = 0.0
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            X_batch = X[start : start + batch_size]
            y_batch = y[start : start + batch_size]
            correct += accuracy(net(X_batch), y_batch) * len(y_batch)
    return correct / len(y)


initial_test_acc = evaluate_accuracy(net, X_test, y_test)
assert initial_test_acc == tutorial_lib.metrics.evaluate_accuracy(
    net, X_test, y_test
)

# %% [markdown]
# Before training, which classes does the model predict? We count its
# predictions on the test split, and how many of them are right:

# %%
with torch.no_grad():
    y_pred_untrained = net(X_test).argmax(dim=1)
counts = torch.bincount(y_pred_untrained, minlength=num_outputs)
right = torch.bincount(
    y_test[y_pred_untrained == y_test], minlength=num_outputs
)
torch.testing.assert_close(
    right.sum().item() / len(y_test),
    initial_test_acc,
    rtol=0,
    atol=1e-12,
)
show_figure(
    plot_bars(
        counts,
        class_names,
        ylabel="test images",
        title="Classes predicted by the untrained model",
        fmt="{:,.0f}",
    )
)

# %% tags=["remove_input"]
per_class = torch.bincount(y_test, minlength=num_outputs)
assert (per_class == len(y_test) // num_outputs).all()
chance = 1 / num_outputs
top = counts.topk(2).indices.tolist()
top_share = counts[top].sum().item() / len(y_test)
top_right = right[top].sum().item() / counts[top].sum().item()
assert initial_test_acc < chance and top_share > 0.5
assert top_right < chance  # fewer hits than a constant answer's
show_markdown(
    f"Before training, the model's test accuracy is "
    f"**{initial_test_acc:.4f}**, "
    f"{initial_test_acc / chance:.2f} times "
    f"the {chance:g} of guessing: every class has "
    f"{per_class[0].item():,} of the {len(y_test):,} test images, so a "
    f"model that picks a class at random, or always the same one, is "
    f"right one time in {num_outputs}. The untrained model does worse "
    f"because "
    f"the classes it favours go mostly to images of other classes. "
    f"Its {num_outputs} logits are as many random "
    f"weightings of the same pixels, and two classes, "
    f"**{class_names[top[0]]}** and **{class_names[top[1]]}**, win for "
    f"**{top_share:.0%}** of the test images. A model can only be "
    f"right on images of the classes it predicts, and only "
    f"**{right[top[0]].item()}** of the "
    f"{per_class[top[0]].item():,} {class_names[top[0]]} images and "
    f"**{right[top[1]].item()}** of the {per_class[top[1]].item():,} "
    f"{class_names[top[1]]} images get their own class: of the "
    f"{counts[top].sum().item():,} test images this model puts in "
    f"these two classes, only **{top_right:.1%}** belong there, where "
    f"a constant answer is right one time in {num_outputs}."
)

# %% [markdown]
# ## Training
#
# One [epoch](../../glossary/#epoch) visits every training sample once,
# in a new random order: we draw a permutation of the training
# indices from a seeded `torch.Generator` and cut it into minibatches of
# [batch size](../../glossary/#batch-size) 256. For each minibatch we
# compute the summed loss, backpropagate, and take a step of minibatch
# stochastic gradient descent with
# [learning rate](../../glossary/#learning-rate) $\eta = 0.1$:
#
# $$\mathbf{W} \leftarrow \mathbf{W} - \frac{\eta}{|\mathcal{B}|}
#   \sum_{i \in \mathcal{B}} \partial_{\mathbf{W}} l^{(i)}, \qquad
#   \mathbf{b} \leftarrow \mathbf{b} - \frac{\eta}{|\mathcal{B}|}
#   \sum_{i \in \mathcal{B}} \partial_{\mathbf{b}} l^{(i)}.$$
#
# The notes draw the curves with an animator that redraws a plot after
# every epoch; a static page cannot animate, so we record the numbers of
# each epoch and draw them once at the end.


# %%
def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent on a summed loss."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_epoch(net, X, y, loss, updater, batch_size, generator):
    """Train one epoch; return the mean loss and the accuracy."""
    order = torch.randperm(len(y), generator=generator)
    loss_sum, correct = 0.0, 0.0
    for start in range(0, len(y), batch_size):
        index = order[start : start + batch_size]
        X_batch, y_batch = X[index], y[index]
        y_hat = net(X_batch)
        batch_loss = loss(y_hat, y_batch)  # one loss per sample
        batch_loss.sum().backward()
        updater(len(y_batch))
        loss_sum += float(batch_loss.detach().sum())
        correct += accuracy(y_hat.detach(), y_batch) * len(y_batch)
    return loss_sum / len(y), correct / len(y)


def updater(batch_size):
    return sgd([W, b], lr, batch_size)


lr, num_epochs, batch_size = 0.1, 10, 256
generator = torch.Generator().manual_seed(0)
history = {"train loss": [], "train acc": [], "test acc": []}

start = time.perf_counter()
for epoch in range(num_epochs):
    train_loss, train_acc = train_epoch(
        net,
        X_train,
        y_train,
        cross_entropy,
        updater,
        batch_size,
        generator,
    )
    test_acc = evaluate_accuracy(net, X_test, y_test)
    history["train loss"].append(train_loss)
    history["train acc"].append(train_acc)
    history["test acc"].append(test_acc)
    print(
        f"epoch {epoch + 1}: loss {train_loss:.4f}, "
        f"train acc {train_acc:.4f}, test acc {test_acc:.4f}"
    )
seconds = time.perf_counter() - start

assert train_loss < 0.5, train_loss
assert 0.7 < train_acc <= 1, train_acc
assert 0.7 < test_acc <= 1, test_acc
torch.testing.assert_close(
    test_acc,
    tutorial_lib.metrics.evaluate_accuracy(net, X_test, y_test),
    rtol=0,
    atol=1e-12,
)
record_result(
    "fashion_scratch_test_acc",
    test_acc,
    "Fashion-MNIST test accuracy, softmax regression from scratch",
)

# %% [markdown]
# The three checks above are those of the notes' `train_ch3` (note 003,
# `003_caa373518ddb2a8d.txt`), kept as real assertions: if training ever
# got worse than a loss of 0.5 or an accuracy of 0.7, building this page
# would fail.

# %%
show_figure(
    plot_training(history, ylabel="loss / accuracy", ylim=(0.3, 0.9))
)

# %% tags=["remove_input"]
with torch.no_grad():
    largest_logit = (X_train @ W + b).abs().max().item()
exp_limit = torch.log(torch.tensor(torch.finfo(torch.float32).max))
assert largest_logit < exp_limit / 2
show_markdown(
    f"After {num_epochs} epochs the training loss is "
    f"**{train_loss:.4f}**, the training accuracy **{train_acc:.4f}**, "
    f"and the final test accuracy is **{test_acc:.4f}**. The "
    f"{num_epochs} epochs over {len(y_train):,} images took "
    f"**{seconds:.1f} s** in this build. The test accuracy ends "
    f"**{train_acc - test_acc:.4f}** below the training accuracy; the "
    f"last exercise trains longer and watches whether that gap grows, "
    f"the sign of [overfitting](../../glossary/#overfitting). The "
    f"logits stay small: the largest in size, over all training "
    f"images, is **{largest_logit:.1f}**, far from the "
    f"**{exp_limit.item():.2f}** or so above which `exp` overflows in "
    f"`float32`."
)

# %% [markdown]
# ## Prediction
#
# Now the trained model classifies test images. Each title gives the
# true class over the predicted one; wrong predictions are drawn in red
# with a red frame.

# %%
with torch.no_grad():
    y_pred = net(X_test).argmax(dim=1)

n = 18
titles = [
    f"{class_names[true]}\n{class_names[pred]}"
    for true, pred in zip(y_test[:n], y_pred[:n], strict=True)
]
fig = show_images(
    test.images[:n],
    titles,
    ncols=6,
    mistakes=y_pred[:n] != y_test[:n],
    suptitle="true class / predicted class",
)
show_figure(fig)

# %% [markdown]
# ## Where the mistakes are: the confusion matrix
#
# A [confusion matrix](../../glossary/#confusion-matrix) counts, for
# each true class (row), how often each class was predicted (column).
# Numbering the pairs `true * 10 + predicted` turns the counting into
# one `bincount`; the diagonal holds the correct predictions.

# %%
q = num_outputs
confusion = torch.bincount(y_test * q + y_pred, minlength=q * q)
confusion = confusion.reshape(q, q)
assert confusion.sum() == len(y_test)
assert confusion.trace().item() / len(y_test) == test_acc
show_figure(plot_confusion_matrix(y_test, y_pred, class_names))

# %%
off_diagonal = confusion.clone()
off_diagonal.fill_diagonal_(0)
worst_true, worst_pred = divmod(int(off_diagonal.argmax()), q)
per_class_acc = confusion.diag() / confusion.sum(1)
hardest = int(per_class_acc.argmin())
hardest_as = int(off_diagonal[hardest].argmax())

# %% tags=["remove_input"]
show_markdown(
    f"The most frequent mistake in this run: "
    f"**{class_names[worst_true]}** predicted as "
    f"**{class_names[worst_pred]}** "
    f"({off_diagonal.max().item()} of "
    f"{confusion[worst_true].sum().item()} test images). The hardest "
    f"class is **{class_names[hardest]}**, recognised in only "
    f"**{per_class_acc[hardest].item():.1%}** of its test images and "
    f"most often taken for **{class_names[hardest_as]}** "
    f"({off_diagonal[hardest, hardest_as].item()} times)."
)

# %% [markdown]
# ## Summary
#
# - Softmax regression is one matrix product and a softmax,
#   `softmax(X @ W + b)`; with `W` of shape `784 x 10`, column `j` of
#   `W` scores class `j`.
# - `sum(dim)` removes the dimension it is given: `sum(1)` gives one
#   sum per row, and `keepdim=True` keeps a column that broadcasts.
# - The cross-entropy picks $-\log$ of the true class's probability
#   with `y_hat[range(n), y]`; the accuracy compares `argmax` with the
#   labels.
# - An untrained linear model is not a fair guesser: it favours a few
#   classes, and its accuracy can be below that of a constant answer.
# - Ten epochs of minibatch SGD, written by hand, give the accuracy
#   above; every number on this page comes from this build's run.
#
# ## Exercises
#
# **Exercise 1.** Show that adding the same number $c$ to every logit
# of a row leaves the softmax unchanged. Use it to make `softmax`
# survive the logits `[[100.0, 0.0]]`, for which the page's version
# returns `nan`.

# %% [markdown] tags=["solution"]
# **Solution 1.** $e^{o_j + c} / \sum_k e^{o_k + c}
# = e^c e^{o_j} / (e^c \sum_k e^{o_k})
# = e^{o_j} / \sum_k e^{o_k}$. With $c = -\max_k o_k$ the largest
# exponent is $e^0 = 1$: nothing overflows, and the sum is at least 1.

# %% tags=["solution"]
big = torch.tensor([[100.0, 0.0]])
assert softmax(big).isnan().any()  # exp(100) is inf in float32


def stable_softmax(X):
    return softmax(X - X.max(dim=1, keepdim=True).values)


torch.testing.assert_close(softmax(logits + 5), softmax(logits))
torch.testing.assert_close(stable_softmax(logits), softmax(logits))
torch.testing.assert_close(
    stable_softmax(big), torch.softmax(big, dim=1)
)
print(softmax(big), stable_softmax(big))

# %% [markdown]
# **Exercise 2.** A model that ignores the image and always answers
# the same class: what test accuracy does it get? Predict, then check
# for every class. Why is the untrained model above worse?

# %% [markdown] tags=["solution"]
# **Solution 2.** One in ten, whatever the class, because each class
# has one tenth of the test images. The untrained model answers two
# classes most of the time and gives them mostly to images of other
# classes, so it is right less often than a constant answer.

# %% tags=["solution"]
for k in range(num_outputs):
    always_k = torch.full_like(y_test, k)
    assert accuracy(always_k, y_test) == chance
assert initial_test_acc < chance

# %% [markdown]
# **Exercise 3.** Find the bug. This loop, the notes'
# `evaluate_accuracy` written without d2l's `Accumulator` but with the
# `accuracy` of this page, prints a far too small accuracy for the
# trained model:

# %%
correct, total = 0.0, 0
with torch.no_grad():
    for start in range(0, len(y_test), batch_size):
        X_batch = X_test[start : start + batch_size]
        y_batch = y_test[start : start + batch_size]
        correct += accuracy(net(X_batch), y_batch)
        total += len(y_batch)
buggy_acc = correct / total
print(buggy_acc)

# %% [markdown] tags=["solution"]
# **Solution 3.** The notes' `accuracy` returns a *count*, ours a
# *fraction*. Adding fractions and dividing by the number of images
# divides twice: the result is about the accuracy over the batch size.
# Weight each batch's fraction by its size (as `evaluate_accuracy`
# does), or divide the summed fractions by the number of batches only
# when all batches have the same size.

# %% tags=["solution"]
correct = 0.0
with torch.no_grad():
    for start in range(0, len(y_test), batch_size):
        X_batch = X_test[start : start + batch_size]
        y_batch = y_test[start : start + batch_size]
        correct += accuracy(net(X_batch), y_batch) * len(y_batch)
torch.testing.assert_close(
    correct / len(y_test), test_acc, rtol=0, atol=1e-9
)
num_batches = -(-len(y_test) // batch_size)
torch.testing.assert_close(
    buggy_acc, test_acc * num_batches / len(y_test), rtol=0.02, atol=0
)

# %% [markdown]
# **Exercise 4.** Train for 30 epochs instead of 10: does the test
# accuracy keep rising? Predict, then continue training the model above
# and measure the training and test accuracy after each epoch. (To keep
# this site's build short, the solution trains 5 more epochs, 15 in
# all; try 20 more on your machine.)

# %% [markdown] tags=["solution"]
# **Solution 4.** We go on with the same `train_epoch`, updater and
# generator, and measure both accuracies after each epoch:

# %% tags=["solution"]
more = {"train loss": [], "train acc": [], "test acc": []}
more_epochs = 5
for epoch in range(num_epochs, num_epochs + more_epochs):
    loss_more, _ = train_epoch(
        net,
        X_train,
        y_train,
        cross_entropy,
        updater,
        batch_size,
        generator,
    )
    more["train loss"].append(loss_more)
    more["train acc"].append(evaluate_accuracy(net, X_train, y_train))
    more["test acc"].append(evaluate_accuracy(net, X_test, y_test))
    print(
        f"epoch {epoch + 1}: loss {loss_more:.4f}, "
        f"train acc {more['train acc'][-1]:.4f}, "
        f"test acc {more['test acc'][-1]:.4f}"
    )
gain = max(more["test acc"]) - max(history["test acc"])
gaps = [
    tr - te
    for tr, te in zip(more["train acc"], more["test acc"], strict=True)
]
assert more["train loss"][-1] < train_loss  # training still improves
assert gain < 0.02  # the test accuracy barely does
assert all(0 < gap < 0.05 for gap in gaps)  # a small, positive gap
assert max(gaps) - min(gaps) < 0.01  # that hardly changes

# %% tags=["solution", "remove_input"]
show_markdown(
    f"Hardly. Over {more_epochs} more epochs the "
    f"training loss keeps falling, from **{train_loss:.4f}** to "
    f"**{more['train loss'][-1]:.4f}**, but the best test accuracy "
    f"rises by only **{gain:.4f}**, to "
    f"**{max(more['test acc']):.4f}**. The training "
    f"accuracy, measured the same way as the test accuracy, stays "
    f"above it by **{min(gaps):.4f}** to **{max(gaps):.4f}**: a small "
    f"gap that hardly changes, for a linear model with "
    f"{W.numel() + b.numel():,} parameters trained on "
    f"{len(y_train):,} images. Overfitting would show as a gap that "
    f"grows, the training accuracy rising while the test accuracy "
    f"stalls or falls."
)

# %% [markdown]
# Next: [Softmax regression, concise](../softmax-regression-concise/)
# builds the same model from PyTorch's layers and trains it with the
# library's training loop.
