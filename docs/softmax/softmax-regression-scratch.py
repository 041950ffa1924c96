# %% [markdown]
# # Softmax regression from scratch
#
# [Softmax regression](../../glossary/#softmax-regression) is the simplest classifier for
# more than two classes: one linear layer produces a score (a
# [logit](../../glossary/#logits)) per class, the [softmax](../../glossary/#softmax) turns
# the scores into probabilities, and the [cross-entropy](../../glossary/#cross-entropy)
# loss is minimised by [stochastic gradient descent](../../glossary/#stochastic-gradient-descent).
# On this page we write every piece ourselves, train it on Fashion-MNIST during the build of
# this site, and check each piece against the library as we go.

# %%
import time

import matplotlib.pyplot as plt
import torch

import tutorial_lib.cross_entropy
import tutorial_lib.metrics
import tutorial_lib.softmax
from tutorial_lib.curves import plot_curves
from tutorial_lib.data import load_fashion_mnist
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import record_result, show_markdown

torch.manual_seed(0)

# %% [markdown]
# ## The data, held in memory
#
# We load both splits with
# [`load_fashion_mnist`](../../api/#tutorial_lib.data.load_fashion_mnist) (see
# [Image classification datasets](../image-classification-datasets/)) and convert each to a
# single float tensor once: every image becomes a row of $28 \times 28 = 784$ pixel values
# in $[0, 1]$. Training then reads [minibatches](../../glossary/#minibatch) by indexing
# these tensors, never image by image.

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
# Each of the $q = 10$ classes gets one output, and each output is a weighted sum of the
# $d = 784$ pixels plus a bias: the weights form a $784 \times 10$ matrix `W`, the biases a
# vector `b` of length 10. We draw `W` from a normal distribution with mean 0 and standard
# deviation 0.01 and start `b` at zero.

# %%
num_inputs, num_outputs = 784, 10
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

# %% [markdown]
# ## Defining the softmax operation
#
# For a minibatch $\mathbf{X}$ of logits, one row per sample,
#
# $$\mathrm{softmax}(\mathbf{X})_{ij} = \frac{\exp(\mathbf{X}_{ij})}{\sum_k \exp(\mathbf{X}_{ik})}:$$
#
# exponentiate every entry, sum each row (the *partition function*), and divide each row by
# its sum. The result has non-negative rows that sum to 1. This is the notes' definition;
# it overflows for logits around 100 (see [Cross-entropy](../cross-entropy/#numerical-stability)),
# which the small logits of this model never reach, while the library's
# [`softmax`](../../api/#tutorial_lib.softmax.softmax) subtracts the row maximum first. On
# ordinary logits both agree:


# %%
def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting divides each row by its own sum


logits = torch.normal(0, 1, (2, 5))
X_prob = softmax(logits)
print(X_prob, X_prob.sum(1))
torch.testing.assert_close(X_prob, tutorial_lib.softmax.softmax(logits))

# %% [markdown]
# ## Defining the model
#
# The model flattens each image into a row of 784 values (`reshape`; our rows are already
# flat, but the model should also accept `N x 28 x 28` images), multiplies by `W`, adds `b`
# (broadcast over the rows) and applies the softmax:
#
# $$\hat{\mathbf{Y}} = \mathrm{softmax}(\mathbf{X}\mathbf{W} + \mathbf{b}).$$


# %%
def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


# %% [markdown]
# ## Defining the loss function
#
# The cross-entropy of a sample is $-\log$ of the probability the model gives to its true
# class. `y_hat[range(len(y_hat)), y]` picks, in row `i`, the entry in column `y[i]` (see
# [One-hot encoding](../one-hot-encoding/)):


# %%
def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y], cross_entropy(y_hat, y))

# %% [markdown]
# The library's [`cross_entropy`](../../api/#tutorial_lib.cross_entropy.cross_entropy)
# takes the logits instead of the probabilities and uses the log-sum-exp trick, so it stays
# finite where `log` of a rounded-to-zero probability would be `inf`. On the same logits the
# two agree:

# %%
labels = torch.tensor([1, 4])
torch.testing.assert_close(
    cross_entropy(softmax(logits), labels),
    tutorial_lib.cross_entropy.cross_entropy(logits, labels, reduction="none"),
)

# %% [markdown]
# ## Classification accuracy
#
# The prediction is the class with the largest probability, `argmax` along each row. The
# [accuracy](../../glossary/#accuracy) is the fraction of predictions that equal the label.
# (The notes' `accuracy` returns the *number* of correct predictions and divides later; we
# return the fraction, like the library's
# [`accuracy`](../../api/#tutorial_lib.metrics.accuracy).) The comparison `==` is sensitive
# to dtypes, so the predictions are compared as integers of the same type as `y`.


# %%
def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum()) / len(y)


print(accuracy(y_hat, y))
assert accuracy(y_hat, y) == tutorial_lib.metrics.accuracy(y_hat, y) == 0.5

# %% [markdown]
# To evaluate a model on a whole split we go through it in batches without recording
# gradients, and weight each batch's accuracy by its size:


# %%
def evaluate_accuracy(net, X, y, batch_size=1024):
    correct = 0.0
    with torch.no_grad():
        for start in range(0, len(y), batch_size):
            X_batch, y_batch = X[start : start + batch_size], y[start : start + batch_size]
            correct += accuracy(net(X_batch), y_batch) * len(y_batch)
    return correct / len(y)


initial_test_acc = evaluate_accuracy(net, X_test, y_test)
assert initial_test_acc == tutorial_lib.metrics.evaluate_accuracy(net, X_test, y_test)

# %% tags=["remove_input"]
show_markdown(
    f"Before training, the model's test accuracy is **{initial_test_acc:.4f}**: random "
    f"weights are no better than guessing, which is right one time in ten."
)

# %% [markdown]
# ## Training
#
# One [epoch](../../glossary/#epoch) visits every training sample once, in a new random
# order: we draw a permutation of the 60,000 indices from a seeded `torch.Generator` and
# cut it into minibatches of [batch size](../../glossary/#batch-size) 256. For each
# minibatch we compute the summed loss, backpropagate, and take a step of minibatch
# stochastic gradient descent with [learning rate](../../glossary/#learning-rate)
# $\eta = 0.1$:
#
# $$\mathbf{W} \leftarrow \mathbf{W} - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
#   \partial_{\mathbf{W}} l^{(i)}, \qquad
#   \mathbf{b} \leftarrow \mathbf{b} - \frac{\eta}{|\mathcal{B}|} \sum_{i \in \mathcal{B}}
#   \partial_{\mathbf{b}} l^{(i)}.$$
#
# The notes draw the curves with an animator that redraws a plot after every epoch; a
# static page cannot animate, so we record the numbers of each epoch and draw them once at
# the end.


# %%
def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent on a summed loss."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_epoch(net, X, y, loss, updater, batch_size, generator):
    """Train one epoch; return the mean training loss and the training accuracy."""
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


lr, num_epochs, batch_size = 0.1, 10, 256
generator = torch.Generator().manual_seed(0)
history = {"train loss": [], "train acc": [], "test acc": []}

start = time.perf_counter()
for epoch in range(num_epochs):
    train_loss, train_acc = train_epoch(
        net, X_train, y_train, cross_entropy, lambda n: sgd([W, b], lr, n), batch_size, generator
    )
    test_acc = evaluate_accuracy(net, X_test, y_test)
    history["train loss"].append(train_loss)
    history["train acc"].append(train_acc)
    history["test acc"].append(test_acc)
    print(
        f"epoch {epoch + 1}: loss {train_loss:.4f}, train acc {train_acc:.4f}, test acc {test_acc:.4f}"
    )
seconds = time.perf_counter() - start

assert train_loss < 0.5, train_loss
assert 0.7 < train_acc <= 1, train_acc
assert 0.7 < test_acc <= 1, test_acc
torch.testing.assert_close(
    test_acc, tutorial_lib.metrics.evaluate_accuracy(net, X_test, y_test), rtol=0, atol=1e-12
)
record_result(
    "fashion_scratch_test_acc",
    test_acc,
    "Fashion-MNIST test accuracy, softmax regression from scratch",
)

# %% [markdown]
# The three checks above are the notes' own, kept as real assertions: if training ever got
# worse than a loss of 0.5 or an accuracy of 0.7, building this page would fail.

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
plot_curves(ax, history, ylabel="loss / accuracy")
ax.set_xticks(range(1, num_epochs + 1))
ax.set_ylim(0.3, 0.9)
show_figure(
    fig,
    alt="Training curves over 10 epochs: the training loss falls below 0.5 while the "
    "training and test accuracies rise above 0.8, the test accuracy close to the training "
    "accuracy.",
)

# %% tags=["remove_input"]
show_markdown(
    f"After {num_epochs} epochs the training loss is **{train_loss:.4f}**, the training "
    f"accuracy **{train_acc:.4f}**, and the final test accuracy is **{test_acc:.4f}**. "
    f"The {num_epochs} epochs over {len(y_train):,} images took **{seconds:.1f} s** in this "
    f"build. Test and training accuracy stay close: a linear model this small has little "
    f"room to [overfit](../../glossary/#overfitting)."
)

# %% [markdown]
# ## Prediction
#
# Now the trained model classifies test images. Each title gives the true class over the
# predicted one; wrong predictions are drawn in red with a red frame.

# %%
with torch.no_grad():
    y_pred = net(X_test).argmax(dim=1)

num_shown = 18
fig, axes = plt.subplots(3, num_shown // 3, figsize=(7.5, 5.6))
for i, ax in enumerate(axes.flat):
    true_name, pred_name = class_names[y_test[i]], class_names[y_pred[i]]
    wrong = bool(y_pred[i] != y_test[i])
    ax.imshow(test.images[i].numpy(), cmap="gray_r", vmin=0, vmax=255)
    ax.set_title(
        f"{true_name}\n{pred_name}" + (" ✗" if wrong else ""),
        fontsize=9,
        color="tab:red" if wrong else "black",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(wrong)
        spine.set_color("tab:red")
        spine.set_linewidth(2)
fig.suptitle("true class / predicted class", fontsize=10)
fig.tight_layout()
num_wrong = int((y_pred[:num_shown] != y_test[:num_shown]).sum())
show_figure(
    fig,
    alt=f"The first {num_shown} test images, each titled with its true class above the "
    f"predicted class; wrong predictions ({num_wrong} here) are marked in red.",
)

# %% [markdown]
# ## Where the mistakes are: the confusion matrix
#
# A [confusion matrix](../../glossary/#confusion-matrix) counts, for each true class (row),
# how often each class was predicted (column). The diagonal holds the correct predictions.

# %%
num_classes = len(class_names)
confusion = torch.bincount(y_test * num_classes + y_pred, minlength=num_classes**2).reshape(
    num_classes, num_classes
)
assert confusion.sum() == len(y_test)
assert confusion.trace().item() / len(y_test) == test_acc

fig, ax = plt.subplots(figsize=(7, 6))
ax.imshow(confusion.numpy(), cmap="Blues")
ax.set_xticks(range(num_classes), class_names, rotation=45, ha="right")
ax.set_yticks(range(num_classes), class_names)
ax.set_xlabel("predicted class")
ax.set_ylabel("true class")
threshold = confusion.max().item() / 2
for i in range(num_classes):
    for j in range(num_classes):
        count = confusion[i, j].item()
        ax.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            fontsize=7,
            color="lightyellow" if count > threshold else "#08306b",  # coloured: kept in dark mode
        )
fig.tight_layout()
show_figure(
    fig,
    alt="Confusion matrix of the ten Fashion-MNIST classes on the test set, true class by "
    "row and predicted class by column; most counts lie on the diagonal, the largest "
    "off-diagonal counts are among shirts, T-shirts, pullovers and coats.",
)

# %%
off_diagonal = confusion.clone()
off_diagonal.fill_diagonal_(0)
worst = int(off_diagonal.argmax())
worst_true, worst_pred = divmod(worst, num_classes)
per_class = confusion.diag() / confusion.sum(1)
hardest = int(per_class.argmin())

# %% tags=["remove_input"]
show_markdown(
    f"The most frequent mistake in this run: **{class_names[worst_true]}** predicted as "
    f"**{class_names[worst_pred]}** ({off_diagonal.max().item()} of "
    f"{confusion[worst_true].sum().item()} test images). The hardest class is "
    f"**{class_names[hardest]}**, recognised in only **{per_class[hardest].item():.1%}** of "
    f"its test images; a linear model on raw pixels cannot tell a shirt from similar tops "
    f"well."
)

# %% [markdown]
# The [concise implementation](../softmax-regression-concise/) builds the same model from
# PyTorch's layers and trains it with the library's training loop.
