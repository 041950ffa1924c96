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
# The [previous page](../logistic-regression/) trained $\hat y = \sigma(w x + b)$ with
# `optimizer.step()`. Here we open that box. [Gradient descent](../../glossary/#gradient-descent)
# repeats one move: compute the gradient of the [loss](../../glossary/#loss-function) $L$
# with respect to every parameter, and step a little against it,
#
# $$w \leftarrow w - \text{lr} \cdot \frac{\partial L}{\partial w}, \qquad
#   b \leftarrow b - \text{lr} \cdot \frac{\partial L}{\partial b},$$
#
# where the [learning rate](../../glossary/#learning-rate) lr sets the step size. For the
# summed [binary cross-entropy](../../glossary/#binary-cross-entropy) of
# [logistic regression](../../glossary/#logistic-regression) the gradients have a simple form: with $\hat y_i = \sigma(w x_i + b)$,
#
# $$\frac{\partial L}{\partial w} = \sum_i (\hat y_i - y_i)\, x_i, \qquad
#   \frac{\partial L}{\partial b} = \sum_i (\hat y_i - y_i):$$
#
# each sample pushes in proportion to its error $\hat y_i - y_i$.

# %%
import matplotlib.pyplot as plt
import torch

from tutorial_lib.binary_cross_entropy import binary_cross_entropy_with_logits
from tutorial_lib.curves import plot_curves
from tutorial_lib.logistic import LogisticRegression
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import show_markdown
from tutorial_lib.training import fit

torch.set_num_threads(1)  # tensors this small run fastest on one thread

X = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[0.0], [0.0], [1.0]])
lr = 0.01

# %% [markdown]
# ## One step by hand
#
# We use the library's [`LogisticRegression`](../../api/#tutorial_lib.logistic.LogisticRegression),
# whose forward pass returns the [logits](../../glossary/#logits) $w x + b$, and the
# [binary cross-entropy from logits](../../api/#tutorial_lib.binary_cross_entropy.binary_cross_entropy_with_logits),
# which applies the [sigmoid](../../glossary/#sigmoid) inside, stably. Autograd gives the gradients; we check them
# against the formulas above, take the step ourselves, and then let `torch.optim.SGD` take
# the same step from the same start:

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
torch.testing.assert_close(model.linear.weight.item(), w1_by_hand)
torch.testing.assert_close(model.linear.bias.item(), b1_by_hand)

print(f"start:      w = {w0:.6f}, b = {b0:.6f}, loss = {loss.item():.6f}")
print(f"gradients:  dL/dw = {grad_w:.6f}, dL/db = {grad_b:.6f}")
print(f"by hand:    w = {w1_by_hand:.6f}, b = {b1_by_hand:.6f}")
print(
    f"optimizer:  w = {model.linear.weight.item():.6f}, b = {model.linear.bias.item():.6f}"
)

# %% tags=["remove_input"]
show_markdown(
    f"From $w = {w0:.4f}$, $b = {b0:.4f}$ the gradients are "
    f"$\\partial L / \\partial w = {grad_w:.4f}$ and $\\partial L / \\partial b = {grad_b:.4f}$, "
    f"so one step with lr = {lr} moves $w$ to **{w1_by_hand:.4f}** and $b$ to "
    f"**{b1_by_hand:.4f}**: exactly where `optimizer.step()` put them (asserted above). "
    f"That is all `SGD` does, plus options such as momentum that we do not use."
)

# %% [markdown]
# ## The loss along training
#
# Now the same step a thousand times, written out as a loop, recording the loss and the
# parameters after every [epoch](../../glossary/#epoch) (here one epoch is one step, since
# each step uses all three samples). The library's
# [`plot_curves`](../../api/#tutorial_lib.curves.plot_curves) draws the loss curve:

# %%
torch.manual_seed(0)
model = LogisticRegression(1)
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
losses, path = [], []
for _ in range(1000):  # 1000 epochs
    loss = binary_cross_entropy_with_logits(model(X), y, reduction="sum")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    path.append((model.linear.weight.item(), model.linear.bias.item()))

# The loss surface L(w, b) on a grid, for the right panel.
w_grid, b_grid = torch.meshgrid(
    torch.linspace(-1, 4, 121), torch.linspace(-8, 2, 121), indexing="ij"
)
logits_grid = w_grid.unsqueeze(-1) * X.squeeze(1) + b_grid.unsqueeze(-1)
loss_grid = binary_cross_entropy_with_logits(
    logits_grid, y.squeeze(1).expand_as(logits_grid), reduction="none"
).sum(-1)

fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(10, 4))
plot_curves(ax_loss, {"summed BCE": losses}, ylabel="loss L(w, b)")
ax_loss.set_title("loss per epoch")
contours = ax_path.contour(
    w_grid,
    b_grid,
    loss_grid,
    levels=[0.8, 1.0, 1.3, 1.7, 2.2, 3, 4, 6, 9],
    colors="gray",
    linewidths=0.8,
)
ax_path.clabel(contours, fontsize="x-small")
ws, bs = zip(*path, strict=True)
ax_path.plot(ws, bs, color="tab:red", label="gradient descent path")
ax_path.plot([w0], [b0], "o", color="tab:red", label="start")
ax_path.plot([ws[-1]], [bs[-1]], "s", color="tab:red", label="after 1000 epochs")
ax_path.set_xlabel("w")
ax_path.set_ylabel("b")
ax_path.set_title("path over the loss surface")
ax_path.legend(loc="upper right", fontsize="small")
fig.tight_layout()
show_figure(
    fig,
    alt="Left: the summed loss falls quickly over the first epochs, then slowly. Right: "
    "contour lines of the loss over w and b, a long narrow valley, with the path of "
    "gradient descent running down into it and then slowly along it.",
)

# %% tags=["remove_input"]
show_markdown(
    f"The loss falls from **{losses[0]:.4f}** to **{losses[-1]:.4f}**, fast at first and "
    f"then slowly: the path turns almost at once into a long, narrow valley of the loss "
    f"surface and then creeps along its floor, where the slope is gentle. After 1000 "
    f"epochs $w = {ws[-1]:.4f}$ and $b = {bs[-1]:.4f}$, and they are still moving: the "
    f"three points are separable by a threshold, so the loss keeps falling towards $0$ "
    f"as $w$ grows without bound."
)

# %% [markdown]
# ## The library's training loop
#
# Writing the loop each time is a good exercise and a source of bugs. The library's
# [`fit`](../../api/#tutorial_lib.training.fit) is that loop, once, tested: for each
# epoch it reshuffles the samples with a seeded generator, cuts them into
# [minibatches](../../glossary/#minibatch) of `batch_size` samples (with
# [`iterate_batches`](../../api/#tutorial_lib.batches.iterate_batches)), and takes one step per
# minibatch; it returns a history of the mean loss per sample, epoch by epoch.
#
# With `batch_size` equal to the number of samples, every epoch is one step on all the
# data, exactly the loop above; after 200 epochs it is where the loop was after 200:

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
torch.testing.assert_close(model_fit.linear.weight.item(), ws[199])
torch.testing.assert_close(model_fit.linear.bias.item(), bs[199])
torch.testing.assert_close(
    history.train_loss, [value / len(X) for value in losses[:200]]
)
print(
    f"fit: {history.num_epochs} epochs, w = {model_fit.linear.weight.item():.4f}, b = {model_fit.linear.bias.item():.4f}"
)

# %% [markdown]
# ## Minibatches on a larger data set
#
# With many samples, one step per pass over all of them is slow. [Stochastic gradient
# descent](../../glossary/#stochastic-gradient-descent) instead steps after every minibatch:
# its gradients are noisy estimates, but it takes many more steps per epoch. Here 200
# simulated students, whose chance to pass really is $\sigma(1.5\,h - 7.5)$ after $h$ hours,
# train the model with the mean BCE and lr 0.1, once with one batch of all 200 samples and
# once with [batch size](../../glossary/#batch-size) 10; `fit` also tracks the
# [accuracy](../../glossary/#accuracy), the fraction of students classified correctly.

# %%
generator = torch.Generator().manual_seed(0)
true_w, true_b = 1.5, -7.5
hours = 10 * torch.rand(200, 1, generator=generator)
passed = torch.bernoulli(torch.sigmoid(true_w * hours + true_b), generator=generator)


def accuracy(logits, target):
    """Fraction of samples whose predicted class (logit >= 0) equals the label."""
    return ((logits >= 0).float() == target).float().mean().item()


histories = {}
models = {}
for batch_size in (200, 10):
    torch.manual_seed(0)
    models[batch_size] = LogisticRegression(1)
    histories[batch_size] = fit(
        models[batch_size],
        torch.nn.BCEWithLogitsLoss(),
        torch.optim.SGD(models[batch_size].parameters(), lr=0.1),
        hours,
        passed,
        num_epochs=60,
        batch_size=batch_size,
        seed=0,
        metric=accuracy,
    )

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
plot_curves(
    ax_loss,
    {f"batch_size = {n}": h.train_loss for n, h in histories.items()},
    ylabel="mean BCE per sample",
)
plot_curves(
    ax_acc,
    {f"batch_size = {n}": h.train_metric for n, h in histories.items()},
    ylabel="training accuracy",
)
fig.tight_layout()
show_figure(
    fig,
    alt="Loss and accuracy over 60 epochs on 200 simulated students: with minibatches of 10 "
    "the loss falls and the accuracy rises within a few epochs; with one full batch per "
    "epoch both change slowly.",
)

# %% tags=["remove_input"]
full, mini = histories[200], histories[10]
w_mini = models[10].linear.weight.item()
b_mini = models[10].linear.bias.item()
show_markdown(
    f"After 60 epochs, one step per epoch (`batch_size=200`) reaches a mean BCE of "
    f"**{full.train_loss[-1]:.4f}** and an accuracy of **{full.train_metric[-1]:.4f}**; "
    f"20 steps per epoch (`batch_size=10`) reach **{mini.train_loss[-1]:.4f}** and "
    f"**{mini.train_metric[-1]:.4f}**. The minibatch model has $w = {w_mini:.4f}$ and "
    f"$b = {b_mini:.4f}$, a [decision boundary](../../glossary/#decision-boundary) at $-b/w = {-b_mini / w_mini:.4f}$ hours; the "
    f"students were simulated with $w = {true_w}$, $b = {true_b}$, a boundary at "
    f"{-true_b / true_w:g} hours. The loss is the mean over each "
    f"epoch's minibatches, taken while the model was still changing, so the history is a "
    f"running estimate; both runs are reproducible because `fit` draws its shuffles from "
    f"a generator seeded with `seed`."
)
