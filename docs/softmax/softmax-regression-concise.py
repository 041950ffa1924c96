# %% [markdown]
# # Softmax regression, concise
#
# The [from-scratch page](../softmax-regression-scratch/) wrote the softmax, the
# [cross-entropy](../../glossary/#cross-entropy) and the update by hand. Here the same
# [softmax regression](../../glossary/#softmax-regression) is built from PyTorch's layers,
# loss and optimizer, and trained with the library's training loop
# [`fit`](../../api/#tutorial_lib.training.fit). We compare the two runs, then train the
# same code on MNIST.

# %%
import time

import matplotlib.pyplot as plt
import torch
from torch import nn

from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.curves import plot_curves
from tutorial_lib.data import load_fashion_mnist, load_mnist
from tutorial_lib.metrics import accuracy, evaluate_accuracy
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import record_result, show_markdown
from tutorial_lib.training import fit

# %% [markdown]
# ## The data
#
# As before, each split is loaded once and held as one float
# [tensor](../../glossary/#tensor), one row of 784 pixel values in $[0, 1]$ per image.
# Minibatches are rows picked by index, and picking rows of a 2-D tensor is much cheaper
# than picking `28 x 28` slices of a 3-D one, so we flatten once here rather than in every
# batch (the model below accepts both shapes).


# %%
def as_tensors(split):
    """Images as one float tensor N x 784 in [0, 1], and the labels."""
    return split.images.reshape(len(split), -1).float() / 255, split.labels


X_train, y_train = as_tensors(load_fashion_mnist(train=True))
X_test, y_test = as_tensors(load_fashion_mnist(train=False))
print(X_train.shape, X_test.shape)

# %% [markdown]
# ## Defining the model
#
# `nn.Flatten()` turns each `28 x 28` image into a row of 784 values and
# `nn.Linear(784, 10)` computes the ten [logits](../../glossary/#logits)
# $\mathbf{o} = \mathbf{x}\mathbf{W}^\top + \mathbf{b}$ (PyTorch stores the weight as
# `10 x 784`, the transpose of our `W`). `nn.Sequential` chains them. As on the scratch
# page, the weights are drawn from $N(0, 0.01^2)$ and the biases start at 0.


# %%
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)
        nn.init.zeros_(m.bias)


torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
net.apply(init_weights)
print(net)

# %% [markdown]
# The notes test `type(m) == nn.Linear`; `isinstance` is the idiomatic check (it also
# accepts subclasses of `nn.Linear`). `net.apply(init_weights)` calls the function on every
# submodule.
#
# ### The same model as a class, and `super().__init__()`
#
# A model with its own `forward` is a subclass of `nn.Module`. Its `__init__` must first
# run `nn.Module.__init__`, through `super().__init__()`: that call creates the
# dictionaries in which `nn.Module` registers every layer and parameter assigned to `self`,
# so that `parameters()`, `state_dict()`, `.train()` / `.eval()` and `.to(device)` find
# them. `forward(self, X)` says what a call `model(X)` computes.


# %%
class SoftmaxRegression(nn.Module):
    def __init__(self, num_inputs=784, num_outputs=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear = nn.Linear(num_inputs, num_outputs)

    def forward(self, X):
        return self.linear(self.flatten(X))


model = SoftmaxRegression()
with torch.no_grad():
    model.linear.weight.copy_(net[1].weight)
    model.linear.bias.copy_(net[1].bias)
torch.testing.assert_close(model(X_test[:5]), net(X_test[:5]))
images = X_test[:5].reshape(5, 28, 28)  # Flatten also takes the images as 28 x 28
torch.testing.assert_close(net(images), net(X_test[:5]))
assert [p.shape for p in model.parameters()] == [p.shape for p in net.parameters()]

# %% [markdown]
# > **What the notes wrote**
# >
# > ```python
# > class Net(torch.nn.Module):
# >     def __init__(self):
# >         super(Net).__init__()
# >         self.linear = torch.nn.Linear(784, 10)
# > ```
#
# `super(Net)` without `self` returns an *unbound* super object, so `nn.Module.__init__`
# never runs on the model and the first layer assignment fails. Write `super().__init__()`
# (Python 3) or the long form `super(Net, self).__init__()`:


# %%
class Net(nn.Module):
    def __init__(self):
        super(Net).__init__()  # the notes' mistake: no self
        self.linear = nn.Linear(784, 10)


try:
    Net()
except AttributeError as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# ## Softmax implementation revisited
#
# `nn.CrossEntropyLoss` takes the **logits**, not probabilities: it computes
# `log_softmax` with the log-sum-exp trick and the negative log-likelihood in one step, the
# stable form derived on the [cross-entropy page](../cross-entropy/). So the model ends with
# the linear layer and has no softmax of its own. It agrees with the library's
# [`cross_entropy`](../../api/#tutorial_lib.cross_entropy.cross_entropy):

# %%
loss = nn.CrossEntropyLoss()
with torch.no_grad():
    logits = net(X_train[:256])
torch.testing.assert_close(loss(logits, y_train[:256]), cross_entropy(logits, y_train[:256]))

# %% [markdown]
# Adding `nn.Softmax` at the end of the model would be a silent mistake: the loss would
# apply a second softmax to the probabilities and train a different, badly scaled
# objective. The notes use `nn.CrossEntropyLoss(reduction="none")` and call `.mean()`
# before `backward()`; the default `reduction="mean"` does that in one go, and it is what
# `fit` expects (one number per batch).
#
# ## Optimization algorithm and training
#
# Minibatch SGD with [learning rate](../../glossary/#learning-rate) 0.1,
# [batch size](../../glossary/#batch-size) 256 and 10 [epochs](../../glossary/#epoch), as on
# the scratch page. `fit` shuffles the samples every epoch with a `torch.Generator` seeded by
# `seed`, forms each minibatch by indexing the in-memory tensors, and returns the
# per-epoch history; the [accuracy](../../glossary/#accuracy) on the test split is measured
# after every epoch.

# %%
lr, num_epochs, batch_size = 0.1, 10, 256
trainer = torch.optim.SGD(net.parameters(), lr=lr)
start = time.perf_counter()
history = fit(
    net,
    loss,
    trainer,
    X_train,
    y_train,
    num_epochs=num_epochs,
    batch_size=batch_size,
    seed=0,
    metric=accuracy,
    test_data=(X_test, y_test),
)
concise_seconds = time.perf_counter() - start
concise_test_acc = evaluate_accuracy(net, X_test, y_test)
assert concise_test_acc == history.test_metric[-1]
assert history.train_loss[-1] < 0.5 and history.train_metric[-1] > 0.7 and concise_test_acc > 0.7
for epoch, (train_loss, train_acc, test_acc) in enumerate(
    zip(history.train_loss, history.train_metric, history.test_metric, strict=True), start=1
):
    print(
        f"epoch {epoch}: loss {train_loss:.4f}, train acc {train_acc:.4f}, test acc {test_acc:.4f}"
    )
record_result(
    "fashion_concise_test_acc",
    concise_test_acc,
    "Fashion-MNIST test accuracy, softmax regression (concise)",
)

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
plot_curves(
    ax,
    {
        "train loss": history.train_loss,
        "train acc": history.train_metric,
        "test acc": history.test_metric,
    },
    ylabel="loss / accuracy",
)
ax.set_xticks(range(1, num_epochs + 1))
ax.set_ylim(0.3, 0.9)
ax.set_title("Fashion-MNIST, concise")
show_figure(
    fig,
    alt="Training curves of the concise model on Fashion-MNIST over 10 epochs: the training "
    "loss falls below 0.5 and both accuracies rise above 0.8.",
)

# %% [markdown]
# ## Compared with the from-scratch run
#
# To compare without depending on the other page, we re-run the from-scratch model here
# through the library: the same `W` ($784 \times 10$, drawn after `torch.manual_seed(0)`)
# and `b`, the library's [`cross_entropy`](../../api/#tutorial_lib.cross_entropy.cross_entropy),
# plain SGD and the same seeded order of minibatches. Averaging the loss over a batch and
# taking a step of 0.1 is the same update as the scratch page's summed loss with a step of
# $0.1 / |\mathcal{B}|$, so the numbers should match the scratch page's up to rounding.


# %%
class ScratchSoftmaxRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.normal(0, 0.01, size=(784, 10)))
        self.b = nn.Parameter(torch.zeros(10))

    def forward(self, X):
        return X.reshape(-1, self.W.shape[0]) @ self.W + self.b  # logits


torch.manual_seed(0)
scratch = ScratchSoftmaxRegression()
start = time.perf_counter()
scratch_history = fit(
    scratch,
    cross_entropy,
    torch.optim.SGD(scratch.parameters(), lr=lr),
    X_train,
    y_train,
    num_epochs=num_epochs,
    batch_size=batch_size,
    seed=0,
    metric=accuracy,
    test_data=(X_test, y_test),
)
scratch_seconds = time.perf_counter() - start
scratch_test_acc = scratch_history.test_metric[-1]
assert scratch_history.train_loss[-1] < 0.5 and scratch_test_acc > 0.7

# %% tags=["remove_input"]
rows = [
    (
        "from scratch (`W`, `b`, library `cross_entropy`)",
        scratch_history,
        scratch_test_acc,
        scratch_seconds,
    ),
    (
        "concise (`nn.Sequential`, `nn.CrossEntropyLoss`)",
        history,
        concise_test_acc,
        concise_seconds,
    ),
]
table = "\n".join(
    f"| {name} | {h.train_loss[-1]:.4f} | {h.train_metric[-1]:.4f} | {acc:.4f} | {sec:.1f} |"
    for name, h, acc, sec in rows
)
show_markdown(
    "| implementation | train loss | train accuracy | test accuracy | seconds for 10 epochs |\n"
    "|---|---:|---:|---:|---:|\n" + table
)
show_markdown(
    f"The concise model reaches a Fashion-MNIST test accuracy of **{concise_test_acc:.4f}**, "
    f"the from-scratch model re-run here **{scratch_test_acc:.4f}**. The two start from "
    f"different random weights (PyTorch draws the `10 x 784` weight of `nn.Linear` in "
    f"another order than our `784 x 10` `W`), so their accuracies differ a little; both "
    f"are the same linear model trained the same way. The times are those of this build "
    f"(they depend on the machine and on what else it was running); no image goes through "
    f"PIL or `ToTensor` during training."
)

# %% [markdown]
# ## The same code on MNIST
#
# Nothing in the model or the training is specific to clothes. Handwritten digits have the
# same shape, so only the loading line changes:

# %%
X_train_mnist, y_train_mnist = as_tensors(load_mnist(train=True))
X_test_mnist, y_test_mnist = as_tensors(load_mnist(train=False))

torch.manual_seed(0)
net_mnist = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
net_mnist.apply(init_weights)
mnist_history = fit(
    net_mnist,
    nn.CrossEntropyLoss(),
    torch.optim.SGD(net_mnist.parameters(), lr=lr),
    X_train_mnist,
    y_train_mnist,
    num_epochs=num_epochs,
    batch_size=batch_size,
    seed=0,
    metric=accuracy,
    test_data=(X_test_mnist, y_test_mnist),
)
mnist_test_acc = evaluate_accuracy(net_mnist, X_test_mnist, y_test_mnist)
assert mnist_test_acc > 0.85, mnist_test_acc
record_result(
    "mnist_concise_test_acc", mnist_test_acc, "MNIST test accuracy, softmax regression (concise)"
)

# %%
fig, ax = plt.subplots(figsize=(6, 3.6))
plot_curves(
    ax,
    {
        "train loss": mnist_history.train_loss,
        "train acc": mnist_history.train_metric,
        "test acc": mnist_history.test_metric,
    },
    ylabel="loss / accuracy",
)
ax.set_xticks(range(1, num_epochs + 1))
ax.set_title("MNIST, concise")
show_figure(
    fig,
    alt="Training curves of the concise model on MNIST over 10 epochs: the training loss "
    "falls to about 0.3 and both accuracies rise above 0.9.",
)

# %% tags=["remove_input"]
show_markdown(
    f"On MNIST the same code reaches a test accuracy of **{mnist_test_acc:.4f}** (training "
    f"loss **{mnist_history.train_loss[-1]:.4f}**), against **{concise_test_acc:.4f}** on "
    f"Fashion-MNIST: digits are easier to separate with one linear layer than clothes, "
    f"which is exactly why Fashion-MNIST was made."
)
