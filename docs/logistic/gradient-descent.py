# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Gradient descent

# %% [markdown]
# The [previous page](../logistic-regression/) trained
# $\hat y = \sigma(w x + b)$ with `optimizer.step()`. Here we open that
# box. [Gradient descent](../../glossary/#gradient-descent) repeats one
# move: compute the gradient of the
# [loss](../../glossary/#loss-function) $L$ with respect to every
# parameter, and step a little against it,
#
# $$w \leftarrow w - \text{lr} \cdot \frac{\partial L}{\partial w},
#   \qquad
#   b \leftarrow b - \text{lr} \cdot \frac{\partial L}{\partial b},$$
#
# where the [learning rate](../../glossary/#learning-rate) lr sets the
# step size. For the summed
# [binary cross-entropy](../../glossary/#binary-cross-entropy) of
# [logistic regression](../../glossary/#logistic-regression) the
# gradients have a simple form: with $\hat y_i = \sigma(w x_i + b)$,
#
# $$\frac{\partial L}{\partial w} = \sum_i (\hat y_i - y_i)\, x_i,
#   \qquad
#   \frac{\partial L}{\partial b} = \sum_i (\hat y_i - y_i):$$
#
# each sample pushes in proportion to its error $\hat y_i - y_i$.

# %%
import torch
import torch.nn.functional as F

from tutorial_lib.binary_cross_entropy import (
    binary_cross_entropy_with_logits,
)
from tutorial_lib.logistic import LogisticRegression
from tutorial_lib.plotting import (
    make_panels,
    plot_loss_surface,
    plot_training,
    show_figure,
)
from tutorial_lib.report import show_markdown
from tutorial_lib.training import fit

# One thread, like each page's kernel in the site's build: the results
# then do not depend on the machine's number of cores.
torch.set_num_threads(1)

X = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[0.0], [0.0], [1.0]])
lr = 0.01

# %% [markdown]
# ## One step by hand
#
# We use the library's [`LogisticRegression`][1], whose forward pass
# returns the [logits](../../glossary/#logits) $w x + b$, and its binary
# cross-entropy from logits, [`binary_cross_entropy_with_logits`][2],
# which applies the [sigmoid](../../glossary/#sigmoid) inside, stably.
# Autograd gives the gradients; we check them against the formulas
# above, take the step ourselves, and then let `torch.optim.SGD` take
# the same step from the same start:
#
# [1]: ../../api/#tutorial_lib.logistic.LogisticRegression
# [2]: ../../api/#tutorial_lib.binary_cross_entropy

# %%
torch.manual_seed(0)
model = LogisticRegression(1)
w0 = model.linear.weight.item()
b0 = model.linear.bias.item()

loss = binary_cross_entropy_with_logits(model(X), y, reduction="sum")
loss.backward()
grad_w = model.linear.weight.grad.item()
grad_b = model.linear.bias.grad.item()

# The autograd gradients are the formulas above.
with torch.no_grad():
    error = torch.sigmoid(w0 * X + b0) - y
torch.testing.assert_close(torch.tensor(grad_w), (error * X).sum())
torch.testing.assert_close(torch.tensor(grad_b), error.sum())

# The step, by hand.
w1_by_hand = w0 - lr * grad_w
b1_by_hand = b0 - lr * grad_b

# The same step, by the optimizer.
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
optimizer.step()
w1 = model.linear.weight.item()
b1 = model.linear.bias.item()
torch.testing.assert_close(w1, w1_by_hand)
torch.testing.assert_close(b1, b1_by_hand)

print(f"start:      w = {w0:.6f}, b = {b0:.6f}, "
      f"loss = {loss.item():.6f}")
print(f"gradients:  dL/dw = {grad_w:.6f}, dL/db = {grad_b:.6f}")
print(f"by hand:    w = {w1_by_hand:.6f}, b = {b1_by_hand:.6f}")
print(f"optimizer:  w = {w1:.6f}, b = {b1:.6f}")

# %% tags=["remove_input"]
show_markdown(
    f"From $w = {w0:.4f}$, $b = {b0:.4f}$ the gradients are "
    f"$\\partial L / \\partial w = {grad_w:.4f}$ and "
    f"$\\partial L / \\partial b = {grad_b:.4f}$, so one step with "
    f"lr = {lr} moves $w$ to **{w1_by_hand:.4f}** and $b$ to "
    f"**{b1_by_hand:.4f}**: exactly where `optimizer.step()` put them "
    "(asserted above). That is all `SGD` does, plus options such as "
    "momentum that we do not use here (Exercise 3 adds it)."
)

# %% [markdown]
# ## The loss along training
#
# Now the same step a thousand times, written out as a loop, recording
# the loss of every [epoch](../../glossary/#epoch) and the parameters
# after its step (here one epoch is one step, since each
# step uses all three samples). The lower panel draws the path of
# $(w, b)$ over the contour lines of the loss $L(w, b)$, computed on a
# grid.


# %%
def train(lr, num_epochs, momentum=0.0):
    """Full-batch gradient descent on X, y from torch.manual_seed(0).

    Returns the model, the summed loss before each step and the
    parameters (w, b) after each step.
    """
    torch.manual_seed(0)
    model = LogisticRegression(1)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=lr, momentum=momentum
    )
    losses, path = [], []
    for _ in range(num_epochs):
        loss = binary_cross_entropy_with_logits(
            model(X), y, reduction="sum"
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        w, b = model.linear.weight.item(), model.linear.bias.item()
        path.append((w, b))
    return model, losses, path


num_epochs = 1000
model, losses, path = train(lr, num_epochs)
# Still moving: the last epoch changed w and b and lowered the loss.
(w_before, b_before), (w_last, b_last) = path[-2:]
assert w_last > w_before and b_last != b_before
assert losses[-1] < losses[-2]

# The loss surface L(w, b) on a grid, for the lower panel.
w_grid, b_grid = torch.meshgrid(
    torch.linspace(-1, 4, 121),
    torch.linspace(-8, 2, 121),
    indexing="ij",
)
logits_grid = w_grid.unsqueeze(-1) * X.squeeze(1) + b_grid.unsqueeze(-1)
loss_grid = binary_cross_entropy_with_logits(
    logits_grid, y.squeeze(1).expand_as(logits_grid), reduction="none"
).sum(-1)

fig, (ax_loss, ax_path) = make_panels(2)
plot_training({"summed BCE": losses}, ylabel="loss L(w, b)", ax=ax_loss)
plot_loss_surface(
    w_grid, b_grid, loss_grid, path=[(w0, b0), *path],
    levels=[0.8, 1.0, 1.3, 1.7, 2.2, 3, 4, 6, 9],
    path_label="gradient descent", ax=ax_path,
)
show_figure(
    fig,
    alt="Top: the summed loss falls quickly over the first epochs, "
    "then slowly. Bottom: contour lines of the loss over w and b, a "
    "long narrow valley, with the path of gradient descent running "
    "down into it and then slowly along it.",
)

# %% tags=["remove_input"]
ws, bs = zip(*path, strict=True)
show_markdown(
    f"The loss falls from **{losses[0]:.4f}** to **{losses[-1]:.4f}**, "
    "fast at first and then slowly: the path turns almost at once "
    "into a long, narrow valley of the loss surface and then creeps "
    "along its floor, where the slope is gentle. After "
    f"{num_epochs} epochs $w = {ws[-1]:.4f}$ and $b = {bs[-1]:.4f}$, "
    "and they are still moving (the last epoch changed them by "
    f"${w_last - w_before:+.4f}$ and ${b_last - b_before:+.4f}$, "
    "asserted above): the three points are separable by a threshold, "
    "so the loss keeps falling towards $0$ as $w$ grows without bound."
)

# %% [markdown]
# ## The library's training loop
#
# Writing the loop each time is a good exercise and a source of bugs.
# The library's [`fit`](../../api/#tutorial_lib.training.fit) is that
# loop, once, tested: for each epoch it reshuffles the samples with a
# seeded generator, cuts them into
# [minibatches](../../glossary/#minibatch) of `batch_size` samples (with
# [`iterate_batches`](../../api/#tutorial_lib.batches.iterate_batches)),
# and takes one step per minibatch; it returns a history of the mean
# loss per sample, epoch by epoch.
#
# With `batch_size` equal to the number of samples, every epoch is one
# step on all the data, exactly the loop above; after 200 epochs it is
# where the loop was after 200:

# %%
torch.manual_seed(0)
model_fit = LogisticRegression(1)
history = fit(
    model_fit,
    torch.nn.BCEWithLogitsLoss(reduction="sum"),
    torch.optim.SGD(model_fit.parameters(), lr=lr),
    X,
    y,
    num_epochs=200,
    batch_size=len(X),
)
w_fit = model_fit.linear.weight.item()
b_fit = model_fit.linear.bias.item()
torch.testing.assert_close(w_fit, ws[199])
torch.testing.assert_close(b_fit, bs[199])
torch.testing.assert_close(
    history.train_loss, [value / len(X) for value in losses[:200]]
)
print(f"fit: {history.num_epochs} epochs, w = {w_fit:.4f}, "
      f"b = {b_fit:.4f}")

# %% [markdown]
# ## Minibatches on a larger data set
#
# With many samples, one step per pass over all of them is slow.
# [Stochastic gradient descent][3] instead steps after every minibatch:
# its gradients are noisy estimates, but it takes many more steps per
# epoch. Here 200 simulated students, whose chance to pass really is
# $\sigma(1.5\,h - 7.5)$ after $h$ hours, train the model with the mean
# BCE and lr 0.1, once with one batch of all 200 samples and once with
# [batch size](../../glossary/#batch-size) 10; `fit` also tracks the
# [accuracy](../../glossary/#accuracy), the fraction of students
# classified correctly.
#
# [3]: ../../glossary/#stochastic-gradient-descent

# %%
generator = torch.Generator().manual_seed(0)
true_w, true_b = 1.5, -7.5
hours = 10 * torch.rand(200, 1, generator=generator)
p_true = torch.sigmoid(true_w * hours + true_b)
passed = torch.bernoulli(p_true, generator=generator)


def accuracy(logits, target):
    """Fraction of samples whose class (logit >= 0) equals the label."""
    return ((logits >= 0).float() == target).float().mean().item()


num_epochs, batch_sizes = 60, (len(hours), 10)
histories = {}
models = {}
for batch_size in batch_sizes:
    torch.manual_seed(0)
    models[batch_size] = LogisticRegression(1)
    histories[batch_size] = fit(
        models[batch_size],
        torch.nn.BCEWithLogitsLoss(),
        torch.optim.SGD(models[batch_size].parameters(), lr=0.1),
        hours,
        passed,
        num_epochs=num_epochs,
        batch_size=batch_size,
        seed=0,
        metric=accuracy,
    )

fig, (ax_loss, ax_acc) = make_panels(2, sharex=True)
plot_training(
    {f"batch_size = {n}": h.train_loss for n, h in histories.items()},
    ylabel="mean BCE per sample", ax=ax_loss,
)
plot_training(
    {f"batch_size = {n}": h.train_metric for n, h in histories.items()},
    ylabel="training accuracy", ax=ax_acc,
)
show_figure(fig)

# The same number of epochs: minibatches end far lower, more accurate.
full, mini = (histories[n] for n in batch_sizes)
assert 1.5 * mini.train_loss[-1] < full.train_loss[-1]
assert mini.train_metric[-1] > full.train_metric[-1]

# %% tags=["remove_input"]
full_size, mini_size = batch_sizes
w_mini = models[mini_size].linear.weight.item()
b_mini = models[mini_size].linear.bias.item()
show_markdown(
    f"After {num_epochs} epochs, one step per epoch "
    f"(`batch_size={full_size}`) reaches a "
    f"mean BCE of **{full.train_loss[-1]:.4f}** and an accuracy of "
    f"**{full.train_metric[-1]:.4f}**; {len(hours) // mini_size} steps "
    f"per epoch (`batch_size={mini_size}`) reach "
    f"**{mini.train_loss[-1]:.4f}** and "
    f"**{mini.train_metric[-1]:.4f}**. The minibatch model has "
    f"$w = {w_mini:.4f}$ and $b = {b_mini:.4f}$, a "
    "[decision boundary](../../glossary/#decision-boundary) at "
    f"$-b/w = {-b_mini / w_mini:.4f}$ hours; the students were "
    f"simulated with $w = {true_w}$, $b = {true_b}$, a boundary at "
    f"{-true_b / true_w:g} hours. The loss is the mean over each "
    "epoch's minibatches, taken while the model was still changing, so "
    "the history is a running estimate; both runs are reproducible "
    "because `fit` draws its shuffles from a generator seeded with "
    "`seed`."
)

# %% [markdown]
# ## Summary
#
# - Gradient descent steps every parameter against its gradient:
#   $w \leftarrow w - \text{lr}\,\partial L/\partial w$; `SGD.step()`
#   does exactly that (asserted against a step by hand).
# - For logistic regression with the summed BCE,
#   $\partial L/\partial w = \sum_i (\hat y_i - y_i)\,x_i$ and
#   $\partial L/\partial b = \sum_i (\hat y_i - y_i)$.
# - On separable data the loss keeps falling as $w$ grows: training
#   never "converges" to finite weights.
# - Minibatches take many noisy steps per epoch instead of one exact
#   one; here they get much further in the same number of epochs.
#
# ## Exercises
#
# Try each one before opening its solution.

# %% [markdown]
# **Exercise 1.** Start from $w = b = 0$ instead of the random start.
# Derive the first gradients $\partial L/\partial w$ and
# $\partial L/\partial b$ of the summed BCE on our three students, then
# check them with autograd. Which parameter does the first step move?

# %% [markdown] tags=["solution"]
# **Solution 1.** At $w = b = 0$ every logit is $0$ and every
# $\hat y_i = \sigma(0) = 1/2$. So
# $\partial L/\partial b = \sum_i (1/2 - y_i) = 3/2 - 1 = 1/2$ and
# $\partial L/\partial w = \sum_i (1/2 - y_i)\,x_i
# = (1 + 2 + 3)/2 - 3 = 0$: the first step moves only $b$.

# %% tags=["solution"]
w_zero = torch.zeros(1, requires_grad=True)
b_zero = torch.zeros(1, requires_grad=True)
loss_zero = F.binary_cross_entropy_with_logits(
    w_zero * X + b_zero, y, reduction="sum"
)
loss_zero.backward()
torch.testing.assert_close(w_zero.grad, torch.tensor([0.0]))
torch.testing.assert_close(b_zero.grad, torch.tensor([0.5]))
print(f"dL/dw = {w_zero.grad.item():.4f}, "
      f"dL/db = {b_zero.grad.item():.4f}")

# %% [markdown]
# **Exercise 2.** Train with lr = 0.1 for 100 epochs instead of lr =
# 0.01 for 1000. Predict the loss at the end, compared with the
# 1000-epoch run above.

# %% [markdown] tags=["solution"]
# **Solution 2.** About the same. With small steps the path follows the
# slope closely, and what matters is how far it travels, lr times the
# number of steps: $0.1 \times 100 = 0.01 \times 1000$. Ten times fewer
# steps, each ten times longer, end almost at the same place.

# %% tags=["solution"]
model_fast, losses_fast, _ = train(0.1, num_epochs=100)
w_fast = model_fast.linear.weight.item()
assert abs(losses_fast[-1] - losses[-1]) < 0.01
assert abs(w_fast - ws[-1]) < 0.01
print(f"lr 0.1, 100 epochs:   loss {losses_fast[-1]:.4f}, "
      f"w = {w_fast:.4f}")
print(f"lr 0.01, 1000 epochs: loss {losses[-1]:.4f}, w = {ws[-1]:.4f}")

# %% [markdown]
# **Exercise 3.** Extend the code: SGD with momentum $\mu$ keeps a
# velocity $v \leftarrow \mu v + g$ (starting from $v = g$) and steps
# $w \leftarrow w - \text{lr}\, v$. Write these steps by hand for 20
# epochs and check them against `torch.optim.SGD(..., momentum=0.9)`.

# %% [markdown] tags=["solution"]
# **Solution 3.** The velocity adds up past gradients with the
# weights $1, \mu, \mu^2, \dots$, which sum to less than
# $1/(1 - \mu) = 10$: where the gradients keep pointing the same way,
# as along the valley's gentle floor, the steps grow longer than the
# plain steps $\text{lr}\, g$ (the largest ratio in these 20 epochs
# is printed below), though never longer than 10 times the largest
# gradient step so far, and the loss falls faster.

# %% tags=["solution"]
def norm(tensors):
    return torch.cat([t.flatten() for t in tensors]).norm().item()


mu = 0.9
torch.manual_seed(0)
by_hand = LogisticRegression(1)
velocity = None
step_ratios, largest_grad = [], 0.0
for _ in range(20):
    loss_hand = binary_cross_entropy_with_logits(
        by_hand(X), y, reduction="sum"
    )
    grads = torch.autograd.grad(loss_hand, list(by_hand.parameters()))
    with torch.no_grad():
        if velocity is None:
            velocity = [g.clone() for g in grads]
        else:
            velocity = [
                mu * v + g for v, g in zip(velocity, grads, strict=True)
            ]
        for p, v in zip(by_hand.parameters(), velocity, strict=True):
            p -= lr * v
    largest_grad = max(largest_grad, norm(grads))
    assert norm(velocity) < largest_grad / (1 - mu)
    step_ratios.append(norm(velocity) / norm(grads))

model_momentum, losses_momentum, _ = train(lr, 20, momentum=mu)
for p_hand, p_torch in zip(
    by_hand.parameters(), model_momentum.parameters(), strict=True
):
    torch.testing.assert_close(p_hand, p_torch)
# losses[i] is the loss before step i + 1: compare the 20th epochs.
assert losses_momentum[-1] < losses[19]
assert max(step_ratios) > 1  # longer steps than plain SGD's
print(f"loss at epoch 20: {losses_momentum[-1]:.4f} with momentum, "
      f"{losses[19]:.4f} without")
print(f"step with momentum / plain step: up to {max(step_ratios):.2f}")

# %% [markdown]
# **Exercise 4.** Predict, then run: with lr = 1.0 (100 epochs), does
# the summed loss still fall at every epoch? Does it end lower or higher
# than after 1000 epochs at lr = 0.01?

# %% [markdown] tags=["solution"]
# **Solution 4.** Not at every epoch: steps this long overshoot across
# the narrow valley, so the loss rises at some epochs. Still, the long
# steps along the valley take it much further down than the small
# ones.

# %% tags=["solution"]
_, losses_big, _ = train(1.0, num_epochs=100)
steps = zip(losses_big[:-1], losses_big[1:], strict=True)
rises = sum(after > before for before, after in steps)
assert rises > 0 and losses_big[-1] < losses[-1]
print(f"lr 1.0: the loss rose at {rises} of "
      f"{len(losses_big) - 1} epochs and ends at {losses_big[-1]:.4f}")

# %% [markdown]
# Next: softmax regression, from its data on: the
# [image classification datasets][next].
#
# [next]: ../../softmax/image-classification-datasets/
