# %% [markdown]
# # Softmax regression, concise
#
# The [from-scratch page](../softmax-regression-scratch/) wrote the
# softmax, the [cross-entropy](../../glossary/#cross-entropy) and the
# update by hand. Here the same
# [softmax regression](../../glossary/#softmax-regression) is built from
# PyTorch's layers, loss and optimizer, and trained with the library's
# training loop [`fit`][fit]. We compare the two runs, then train the
# same code on MNIST.
#
# [fit]: ../../api/#tutorial_lib.training.fit

# %%
import copy
import time
import warnings

import torch
from torch import nn

from tutorial_lib.cross_entropy import cross_entropy
from tutorial_lib.data import load_fashion_mnist, load_mnist
from tutorial_lib.metrics import accuracy, evaluate_accuracy
from tutorial_lib.plotting import plot_training, show_figure
from tutorial_lib.report import record_result, show_markdown
from tutorial_lib.training import fit

# %% [markdown]
# ## The data
#
# As before, each split is loaded once and held as one float
# [tensor](../../glossary/#tensor), one row of 784 pixel values in
# $[0, 1]$ per image, and minibatches are rows picked by index.


# %%
def as_tensors(split):
    """Images as one float tensor N x 784 in [0, 1], and the labels."""
    X = split.images.reshape(len(split), -1).float() / 255
    return X, split.labels


X_train, y_train = as_tensors(load_fashion_mnist(train=True))
X_test, y_test = as_tensors(load_fashion_mnist(train=False))
print(X_train.shape, X_test.shape)

# %% [markdown]
# ## Defining the model
#
# `nn.Flatten()` turns each `28 x 28` image into a row of 784 values
# and `nn.Linear(784, 10)` computes the ten
# [logits](../../glossary/#logits)
# $\mathbf{o} = \mathbf{x}\mathbf{W}^\top + \mathbf{b}$ (PyTorch stores
# the weight as `10 x 784`, the transpose of the scratch page's `W`).
# `nn.Sequential` chains them. As on the scratch page, the weights are
# drawn from $N(0, 0.01^2)$ and the biases start at 0.


# %%
def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)
        nn.init.zeros_(m.bias)


_ = torch.manual_seed(0)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
net.apply(init_weights)
print(net)
assert net[1].weight.shape == (10, 784)
assert not net[1].bias.any()

# %% [markdown]
# `net.apply(init_weights)` calls the function on every submodule. The
# notes' `init_weights` (quoted below) tests `type(m) == nn.Linear`;
# `isinstance` is the idiomatic check, which also accepts subclasses of
# `nn.Linear`. Theirs sets only the weight: their biases keep
# `nn.Linear`'s own initialisation, uniform between $\pm 1/\sqrt{784}$:

# %%
_ = torch.manual_seed(0)
default = nn.Linear(784, 10)
print(default.bias)
assert default.bias.abs().max() <= 1 / 28

# %% [markdown]
# ### The same model as a class
#
# A model with its own `forward` is a subclass of `nn.Module`. Its
# `__init__` must first run `nn.Module.__init__`, through
# `super().__init__()`: that call creates the dictionaries in which
# `nn.Module` registers every layer and parameter assigned to `self`,
# so that `parameters()`, `state_dict()`, `.train()` / `.eval()` and
# `.to(device)` find them. `forward(self, X)` says what a call
# `model(X)` computes.


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
images = X_test[:5].reshape(5, 28, 28)  # Flatten also takes 28 x 28
torch.testing.assert_close(net(images), net(X_test[:5]))
shapes = [p.shape for p in model.parameters()]
assert shapes == [p.shape for p in net.parameters()]

# %% [markdown]
# Without the `super().__init__()` call, the first layer assignment
# already fails:


# %%
class Forgetful(nn.Module):
    def __init__(self):
        self.linear = nn.Linear(784, 10)


try:
    Forgetful()
except AttributeError as error:
    print(f"{type(error).__name__}: {error}")
else:
    raise AssertionError("Forgetful() did not raise")

# %% [markdown]
# ## Softmax implementation revisited
#
# `nn.CrossEntropyLoss` takes the **logits**, not probabilities: it
# computes `log_softmax` with the log-sum-exp trick and the negative
# log-likelihood in one step, the stable form derived on the
# [cross-entropy page](../cross-entropy/). So the model ends with the
# linear layer and has no softmax of its own. It agrees with the
# library's [`cross_entropy`][ce]:
#
# [ce]: ../../api/#tutorial_lib.cross_entropy.cross_entropy

# %%
loss = nn.CrossEntropyLoss()
with torch.no_grad():
    logits = net(X_train[:256])
torch.testing.assert_close(
    loss(logits, y_train[:256]), cross_entropy(logits, y_train[:256])
)

# %% [markdown]
# Adding `nn.Softmax` at the end of the model would be a silent
# mistake: the loss would apply a second softmax, to probabilities in
# $[0, 1]$. Even a model that gives its true class probability 1 would
# then pay a loss of $\log(e + 9) - 1$, not 0:

# %%
certain = torch.eye(10)  # probabilities of a model sure and right
floor = loss(certain, torch.arange(10))
torch.testing.assert_close(
    floor, torch.log(torch.e + torch.tensor(9.0)) - 1
)
print(floor)

# %% [markdown]
# ### What the notes wrote: the loss and its bookkeeping
#
# Both notes train the concise model with d2l's `train_ch3`, with
# different losses. Note 001 (`001_f3c756109ef103f7.txt`):
#
# ```python
# net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
# def init_weights(m):
# if type(m) == nn.Linear:
# nn.init.normal_(m.weight, std=0.01)
# net.apply(init_weights);nn.Flatten()用来调整网络输入的形状
# trainer = torch.optim.SGD(net.parameters(), lr=0.1)损失函数
# loss = nn.CrossEntropyLoss(reduction='none')优化算法
# trainer = torch.optim.SGD(net.parameters(), lr=0.1)训练
# num_epochs = 10
# d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
# ```
#
# Note 003 (`003_caa373518ddb2a8d.txt`):
#
# ```python
# loss = nn.CrossEntropyLoss()
# trainer = torch.optim.SGD(net.parameters(), lr=0.1)
# num_epochs = 10
# d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
# ```
#
# (Both files lost the code's indentation, and note 001 runs its prose
# into the code: "nn.Flatten() adjusts the shape of the network's
# input", then the headings "loss function", "optimization algorithm",
# "training".) Note 003 also copies the loop that `train_ch3` runs for
# every epoch:
#
# ```python
# for X, y in train_iter:
# # 计算梯度并更新参数
# y_hat = net(X)
# l = loss(y_hat, y)
# if isinstance(updater, torch.optim.Optimizer):
# # 使用PyTorch内置的优化器和损失函数
# updater.zero_grad()
# l.mean().backward()
# updater.step()
# else:
# # 使用定制的优化器和损失函数
# l.sum().backward()
# updater(X.shape[0])
# metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
# # 返回训练损失和训练精度
# return metric[0] / metric[2], metric[1] / metric[2]
# ```
#
# The loop expects **one loss per sample**: it calls `.mean()` before
# `backward()`, adds `l.sum()` to the running loss and divides by the
# number of samples. That is note 001's `reduction='none'`. Note 003's
# `nn.CrossEntropyLoss()` averages the batch already (the default
# `reduction='mean'`): the training is the same, since the mean of one
# number is that number, but `l.sum()` is then one batch's *mean*, and
# the reported training loss comes out about `batch_size` times too
# small. We run the loop's loss bookkeeping (the optimizer branch,
# indentation restored, accuracy left out) with both losses, on copies
# of the model, over the first 20 batches:


# %%
def train_epoch_ch3(net, train_iter, loss, updater):
    """The loss bookkeeping of note 003's `train_epoch_ch3`."""
    loss_sum, num_samples = 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        batch_loss = loss(y_hat, y)
        updater.zero_grad()
        batch_loss.mean().backward()
        updater.step()
        loss_sum += float(batch_loss.detach().sum())  # see below
        num_samples += y.numel()
    return loss_sum / num_samples


train_iter = [
    (X_train[i : i + 256], y_train[i : i + 256])
    for i in range(0, 20 * 256, 256)
]
reported, copies = {}, {}
for reduction in ("none", "mean"):
    copies[reduction] = copy.deepcopy(net)
    reported[reduction] = train_epoch_ch3(
        copies[reduction],
        train_iter,
        nn.CrossEntropyLoss(reduction=reduction),
        torch.optim.SGD(copies[reduction].parameters(), lr=0.1),
    )
for p_none, p_mean in zip(
    copies["none"].parameters(),
    copies["mean"].parameters(),
    strict=True,
):
    torch.testing.assert_close(p_none, p_mean)  # the same training
ratio = reported["none"] / reported["mean"]
torch.testing.assert_close(ratio, 256.0, rtol=1e-4, atol=0)
print(
    f"reported loss: {reported['none']:.4f} with reduction='none', "
    f"{reported['mean']:.6f} with 'mean', ratio {ratio:.1f}"
)

# %% tags=["remove_input"]
num_batches = -(-len(y_train) // 256)
threshold = 0.5 * len(y_train) / num_batches  # the check's 0.5
show_markdown(
    f"Both copies end with the same weights, but the reported training "
    f"loss is **{reported['none']:.4f}** with note 001's "
    f"`reduction='none'` (the true mean loss per sample) and "
    f"**{reported['mean']:.6f}** with note 003's default mean: "
    f"**{ratio:.1f}** times smaller, the batch size. Over a whole "
    f"epoch of {num_batches} batches, the last of only "
    f"{len(y_train) % 256} images, the factor is about "
    f"{len(y_train):,} / {num_batches} = "
    f"{len(y_train) / num_batches:.1f}. The check that ends "
    f"`train_ch3` in note 003's copy, `assert train_loss < 0.5`, then "
    f"passes for any model whose true mean loss is below about "
    f"0.5 × {len(y_train) / num_batches:.1f} = **{threshold:.1f}**: "
    f"it catches a diverging model, but not one that learns nothing "
    f"(see the first exercise)."
)

# %% [markdown]
# One change to the notes' line: `float(l.sum())` turns a tensor that
# requires gradients into a number, which torch 2.14.1 warns about.
# `.detach()` first, as above, or `.item()` avoid the warning:

# %%
batch_loss = loss(net(X_train[:256]), y_train[:256])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    float(batch_loss.sum())  # the notes' float(l.sum())
    assert len(caught) == 1, caught
    float(batch_loss.detach().sum())
    batch_loss.sum().item()
assert len(caught) == 1, caught  # the other two did not warn
message = str(caught[0].message).split(" (Triggered")[0]
print(f"{caught[0].category.__name__}: {message}")

# %% [markdown]
# The library's `fit` takes a loss that reduces each batch to one
# number, and reports the mean loss per sample for `'mean'` and `'sum'`
# alike. A per-sample loss is refused with a message, rather than
# reported wrongly:

# %%
try:
    fit(
        net,
        nn.CrossEntropyLoss(reduction="none"),
        torch.optim.SGD(net.parameters(), lr=0.1),
        X_train,
        y_train,
        num_epochs=1,
        batch_size=256,
    )
except ValueError as error:
    print(f"{type(error).__name__}: {error}")
else:
    raise AssertionError("fit took a per-sample loss")

# %% [markdown]
# ## Optimization algorithm and training
#
# Minibatch SGD with [learning rate](../../glossary/#learning-rate) 0.1,
# [batch size](../../glossary/#batch-size) 256 and 10
# [epochs](../../glossary/#epoch), as on the scratch page. `fit`
# shuffles the samples every epoch with a `torch.Generator` seeded by
# `seed`, forms each minibatch by indexing the in-memory tensors, and
# returns the per-epoch history; the
# [accuracy](../../glossary/#accuracy) on the test split is measured
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
assert history.train_loss[-1] < 0.5
assert history.train_metric[-1] > 0.7 and concise_test_acc > 0.7
for epoch, (train_loss, train_acc, test_acc) in enumerate(
    zip(
        history.train_loss,
        history.train_metric,
        history.test_metric,
        strict=True,
    ),
    start=1,
):
    print(
        f"epoch {epoch}: loss {train_loss:.4f}, "
        f"train acc {train_acc:.4f}, test acc {test_acc:.4f}"
    )
record_result(
    "fashion_concise_test_acc",
    concise_test_acc,
    "Fashion-MNIST test accuracy, softmax regression (concise)",
)

# %%
curves = {
    "train loss": history.train_loss,
    "train acc": history.train_metric,
    "test acc": history.test_metric,
}
show_figure(
    plot_training(
        curves,
        ylabel="loss / accuracy",
        ylim=(0.3, 0.9),
        title="Fashion-MNIST, concise",
    )
)

# %% [markdown]
# ## Compared with the from-scratch run
#
# To compare without depending on the other page, we re-run the
# from-scratch model here through the library: the same `W`
# ($784 \times 10$, drawn after `torch.manual_seed(0)`) and `b`, the
# library's [`cross_entropy`][ce2], plain SGD and the same seeded order
# of minibatches. Averaging the loss over a batch and taking a step of
# 0.1 is the same update as the scratch page's summed loss with a step
# of $0.1 / |\mathcal{B}|$ (checked on one batch below), so this run
# repeats the scratch page's training.
#
# [ce2]: ../../api/#tutorial_lib.cross_entropy.cross_entropy


# %%
class ScratchSoftmaxRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(torch.normal(0, 0.01, size=(784, 10)))
        self.b = nn.Parameter(torch.zeros(10))

    def forward(self, X):
        return X.reshape(-1, self.W.shape[0]) @ self.W + self.b


_ = torch.manual_seed(0)
scratch = ScratchSoftmaxRegression()

# one step both ways, on copies: mean loss and lr, or sum and lr / |B|
X_batch, y_batch = X_train[:batch_size], y_train[:batch_size]
by_mean, by_sum = copy.deepcopy(scratch), copy.deepcopy(scratch)
cross_entropy(by_mean(X_batch), y_batch).backward()
cross_entropy(by_sum(X_batch), y_batch, reduction="sum").backward()
torch.optim.SGD(by_mean.parameters(), lr=lr).step()
torch.optim.SGD(by_sum.parameters(), lr=lr / batch_size).step()
for p_mean, p_sum in zip(
    by_mean.parameters(), by_sum.parameters(), strict=True
):
    torch.testing.assert_close(p_mean, p_sum)

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
    f"| {name} | {h.train_loss[-1]:.4f} | {h.train_metric[-1]:.4f} "
    f"| {acc:.4f} | {sec:.1f} |"
    for name, h, acc, sec in rows
)
show_markdown(
    "| implementation | train loss | train accuracy | test accuracy "
    f"| seconds for {num_epochs} epochs |\n"
    "|---|---:|---:|---:|---:|\n" + table
)

# %% [markdown]
# Why do the two runs differ at all? The weights of both are drawn from
# $N(0, 0.01^2)$ after `torch.manual_seed(0)`, yet they are different
# numbers, for two reasons. First, `nn.Linear(784, 10)` initialises
# itself when it is created: its default initialisation draws 7,840
# uniform numbers for the weight and 10 for the bias from torch's
# random generator, before `init_weights` draws the normal ones. Second,
# even from the same point of the random stream, the `10 x 784` weight
# is filled row by row, so it would hold `W`'s numbers in another
# layout, not `W` transposed:

# %%
_ = torch.manual_seed(0)
W = torch.normal(0, 0.01, size=(784, 10))  # the scratch model's W
_ = torch.manual_seed(0)
linear = nn.Linear(784, 10)  # its default initialisation draws first
init_weights(linear)
# the same draws by hand: 7,840 + 10 uniform numbers, then the normals
_ = torch.manual_seed(0)
_ = torch.empty(10, 784).uniform_(), torch.empty(10).uniform_()
by_hand = torch.empty(10, 784).normal_(0, 0.01)
assert torch.equal(linear.weight.detach(), by_hand)
assert not torch.equal(linear.weight.detach(), W.T)
# skipping the default initialisation: W's numbers, another layout
_ = torch.manual_seed(0)
skipped = nn.utils.skip_init(nn.Linear, 784, 10)
init_weights(skipped)
assert torch.equal(skipped.weight.detach().flatten(), W.flatten())
assert not torch.equal(skipped.weight.detach(), W.T)

# %% tags=["remove_input"]
show_markdown(
    f"The concise model reaches a Fashion-MNIST test accuracy of "
    f"**{concise_test_acc:.4f}**, the from-scratch model re-run here "
    f"**{scratch_test_acc:.4f}**: the same linear model trained the "
    f"same way, from different random weights. The times are those of "
    f"this build (they depend on the machine and on what else it was "
    f"running); no image goes through PIL or `ToTensor` during "
    f"training."
)

# %% [markdown]
# ## The same code on MNIST
#
# Nothing in the model or the training is specific to clothes.
# Handwritten digits have the same shape, so only the loading line
# changes:

# %%
X_train_mnist, y_train_mnist = as_tensors(load_mnist(train=True))
X_test_mnist, y_test_mnist = as_tensors(load_mnist(train=False))

_ = torch.manual_seed(0)
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
mnist_test_acc = evaluate_accuracy(
    net_mnist, X_test_mnist, y_test_mnist
)
assert mnist_test_acc > 0.85, mnist_test_acc
record_result(
    "mnist_concise_test_acc",
    mnist_test_acc,
    "MNIST test accuracy, softmax regression (concise)",
)

# %%
mnist_curves = {
    "train loss": mnist_history.train_loss,
    "train acc": mnist_history.train_metric,
    "test acc": mnist_history.test_metric,
}
show_figure(
    plot_training(
        mnist_curves, ylabel="loss / accuracy", title="MNIST, concise"
    )
)

# %% tags=["remove_input"]
assert mnist_test_acc > concise_test_acc
show_markdown(
    f"On MNIST the same code reaches a test accuracy of "
    f"**{mnist_test_acc:.4f}** (training loss "
    f"**{mnist_history.train_loss[-1]:.4f}**), against "
    f"**{concise_test_acc:.4f}** on Fashion-MNIST: with one linear "
    f"layer, digits are easier to tell apart than clothes, which is "
    f"why Fashion-MNIST was made as a harder drop-in replacement."
)

# %% [markdown]
# ## Summary
#
# - `nn.Sequential(nn.Flatten(), nn.Linear(784, 10))` is softmax
#   regression without the softmax: `nn.CrossEntropyLoss` takes the
#   logits and applies a stable `log_softmax` itself.
# - `nn.Linear` stores its weight as `10 x 784` and initialises it when
#   created, which consumes random numbers: seeding alone does not give
#   the scratch page's `W`.
# - A loss with `reduction='mean'` already averages the batch; adding
#   its `sum()` per batch and dividing by the number of samples, as
#   d2l's `train_ch3` does, reports a loss about `batch_size` times too
#   small.
# - `fit` runs the same minibatch SGD as the scratch page, and the same
#   code trains on MNIST by changing one line.
#
# ## Exercises
#
# **Exercise 1.** Would note 003's check `assert train_loss < 0.5` in
# `train_ch3` catch a model that learns nothing? Predict, then run the
# bookkeeping above on a model whose weights stay at zero.

# %% [markdown] tags=["solution"]
# **Solution 1.** No. A model with zero weights gives every class
# probability 1/10, so its true loss is $\log 10 \approx 2.30$ on every
# image; with the default mean and that bookkeeping it is reported
# `batch_size` times smaller, far below 0.5. Only a true loss above
# about 0.5 times the batch size fails the check, such as that of a
# copy of the model that diverges at a huge learning rate:

# %% tags=["solution"]
stuck = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
nn.init.zeros_(stuck[1].weight)
nn.init.zeros_(stuck[1].bias)
frozen = torch.optim.SGD(stuck.parameters(), lr=0.0)  # learns nothing
true_loss = train_epoch_ch3(
    stuck, train_iter, nn.CrossEntropyLoss(reduction="none"), frozen
)
shown_loss = train_epoch_ch3(stuck, train_iter, loss, frozen)
torch.testing.assert_close(
    true_loss, torch.log(torch.tensor(10.0)).item()
)
assert shown_loss < 0.5 < true_loss
print(f"learns nothing: true loss {true_loss:.4f}, "
      f"reported {shown_loss:.6f}")

diverging = {}
for reduction in ("none", "mean"):
    wild = copy.deepcopy(net)
    diverging[reduction] = train_epoch_ch3(
        wild,
        train_iter,
        nn.CrossEntropyLoss(reduction=reduction),
        torch.optim.SGD(wild.parameters(), lr=100.0),
    )
batch = len(train_iter[0][1])  # every batch of train_iter
assert diverging["none"] > 0.5 * batch and diverging["mean"] > 0.5
ratio_wild = diverging["none"] / diverging["mean"]
torch.testing.assert_close(ratio_wild, float(batch), rtol=1e-4, atol=0)
print(f"diverges: true loss {diverging['none']:.1f}, "
      f"reported {diverging['mean']:.4f}")

# %% [markdown]
# **Exercise 2.** Compute the trained model's logits for five test
# images by hand from `net[1].weight` and `net[1].bias`, and check
# them against `net`.

# %% [markdown] tags=["solution"]
# **Solution 2.** `nn.Linear` computes
# $\mathbf{X}\mathbf{W}^\top + \mathbf{b}$ with its `10 x 784` weight:

# %% tags=["solution"]
weight, bias = net[1].weight, net[1].bias
with torch.no_grad():
    logits_by_hand = X_test[:5] @ weight.T + bias
    torch.testing.assert_close(logits_by_hand, net(X_test[:5]))
print(logits_by_hand.argmax(dim=1), y_test[:5])

# %% [markdown]
# **Exercise 3.** Replace the loss by
# `nn.CrossEntropyLoss(reduction="sum")`. What learning rate gives the
# same steps as `lr = 0.1` with the mean? Predict, then compare the
# gradients of both losses on one batch.

# %% [markdown] tags=["solution"]
# **Solution 3.** The sum over a batch of 256 is 256 times the mean,
# and so is its gradient: the learning rate must be $0.1 / 256$. With
# `lr = 0.1` the steps would be 256 times larger.

# %% tags=["solution"]
grads = {}
for reduction in ("mean", "sum"):
    net.zero_grad()
    nn.CrossEntropyLoss(reduction=reduction)(
        net(X_batch), y_batch
    ).backward()
    grads[reduction] = net[1].weight.grad.clone()
net.zero_grad()
torch.testing.assert_close(grads["sum"], batch_size * grads["mean"])

# %% [markdown]
# **Exercise 4.** Which digit does the MNIST model recognise worst?
# Compute the accuracy of each class on the MNIST test split.

# %% [markdown] tags=["solution"]
# **Solution 4.** Compare predictions and labels class by class:

# %% tags=["solution"]
with torch.no_grad():
    pred_mnist = net_mnist(X_test_mnist).argmax(dim=1)
correct_mnist = pred_mnist == y_test_mnist
per_digit = torch.stack(
    [correct_mnist[y_test_mnist == d].float().mean() for d in range(10)]
)
worst = int(per_digit.argmin())
assert per_digit[worst] < mnist_test_acc < per_digit.max()
print([round(acc, 3) for acc in per_digit.tolist()])

# %% tags=["solution", "remove_input"]
show_markdown(
    f"The digit **{worst}** is the hardest, recognised in "
    f"**{per_digit[worst].item():.1%}** of its test images, against "
    f"**{mnist_test_acc:.1%}** over all digits and "
    f"**{per_digit.max().item():.1%}** for the best one, "
    f"**{int(per_digit.argmax())}**."
)

# %% [markdown]
# Next: the [API reference](../../api/) documents the library functions
# these pages use, and the [glossary](../../glossary/) lists every term
# with its Chinese equivalent.
