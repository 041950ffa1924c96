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
# # Logistic regression

# %% [markdown]
# In [regression](../../glossary/#regression) we predict a number: the exam *score* after
# $x$ hours of study. In [classification](../../glossary/#classification) we predict a
# class: did the student *pass* or not? With two classes, coded $y \in \{0, 1\}$, the most
# useful thing a model can give is not a bare 0 or 1 but the probability
# $P(y = 1 \mid x)$, from which we can decide (pass if it is at least 0.5) and also say how
# sure we are.
#
# [Logistic regression](../../glossary/#logistic-regression) does this with a line squeezed
# into $(0, 1)$ by the [sigmoid](../../glossary/#sigmoid) (the
# [logistic function](../../glossary/#logistic-function) of the
# [previous page](../logistic-function/)):
#
# $$\hat y = \sigma(w x + b) = \frac{1}{1 + e^{-(w x + b)}},$$
#
# and $\hat y$ is read as the probability that $y = 1$. The number $w x + b$ before the
# sigmoid is called the [logit](../../glossary/#logits).

# %%
import warnings

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from tutorial_lib.binary_cross_entropy import binary_cross_entropy
from tutorial_lib.curves import plot_curves
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import record_result, show_markdown

torch.set_num_threads(1)  # tensors this small run fastest on one thread

# %% [markdown]
# ## The data: hours studied, passed or not
#
# Our [data set](../../glossary/#dataset): three students studied 1, 2 and 3 hours; only
# the one who studied 3 hours passed.
# The [tensors](../../glossary/#tensor) have one row per student and one column per feature.

# %%
x = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[0.0], [0.0], [1.0]])

# %% [markdown]
# ## Binary cross-entropy
#
# To fit $w$ and $b$ we need a [loss function](../../glossary/#loss-function) that says how
# wrong a probability $\hat y$ is for the label $y$. The
# [binary cross-entropy](../../glossary/#binary-cross-entropy) (BCE) is the negative
# log-probability the model gives to the label that actually happened:
#
# $$\ell(y, \hat y) = -\big[\, y \log \hat y + (1 - y) \log (1 - \hat y) \,\big]
#   = \begin{cases} -\log \hat y & \text{if } y = 1,\\ -\log (1 - \hat y) & \text{if } y = 0,\end{cases}$$
#
# and over $N$ samples we either add the $\ell_i$ up (`reduction="sum"`) or average them
# (`reduction="mean"`). Here it is for a few pairs, computed with
# [`binary_cross_entropy`](../../api/#tutorial_lib.binary_cross_entropy.binary_cross_entropy)
# from our library and checked against `torch.nn.functional.binary_cross_entropy`:

# %%
y_table = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
y_hat_table = torch.tensor([0.9, 0.6, 0.1, 0.1, 0.4, 0.9])
bce_table = binary_cross_entropy(y_hat_table, y_table, reduction="none")
torch.testing.assert_close(
    bce_table, F.binary_cross_entropy(y_hat_table, y_table, reduction="none")
)
torch.testing.assert_close(bce_table.mean(), binary_cross_entropy(y_hat_table, y_table))

# %% tags=["remove_input"]
rows = "\n".join(
    f"| {int(label)} | {prob:.1f} | {prob if label == 1 else 1 - prob:.1f} | {loss:.4f} |"
    for label, prob, loss in zip(
        y_table.tolist(), y_hat_table.tolist(), bce_table.tolist(), strict=True
    )
)
show_markdown(
    "| $y$ | $\\hat y$ | probability of the label | BCE |\n"
    "|---:|---:|---:|---:|\n"
    f"{rows}\n"
    f"| | | **mean** | **{bce_table.mean().item():.4f}** |"
)

# %% [markdown]
# Read the table row by row: **a LOWER BCE means the label is MORE likely** under the model.
# $y = 1$ with $\hat y = 0.9$ costs little; the same $\hat y = 0.9$ when the label is $0$
# costs a lot, because the model gave the label that happened only probability $0.1$.
# (Some course notes state the reverse; it is the negative log-probability, so it falls as
# the probability of the label rises, and it is $0$ only for a certain, correct prediction.)
# Minimising the BCE is maximising the likelihood of the labels.

# %% [markdown]
# ## What the notes wrote
#
# The course notes train this model with the code below. It no longer runs as written, and
# two of its spellings belong to older PyTorch:
#
# ```python
# import torch
# import torch.nn.functional as F
#
# x_data = torch.Tensor([[1.0], [2.0], [3.0]])
# y_data = torch.Tensor([[0.0], [0.0], [1.0]])
#
# class LogisticRegressionModel(torch.nn.Module):
#     def __init__(self):
#         super(LogisticRegressionModel).__init__()
#         self.linear = torch.nn.Linear(1, 1)
#
#     def forward(self, x):
#         y_pred = F.sigmoid(self.linear(x))
#         return y_pred
#
# model = LogisticRegressionModel()
# criterion = torch.nn.BCELoss(size_average=False)
# optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
# ```
#
# - `super(LogisticRegressionModel).__init__()` misses `self`. With one argument `super`
#   returns an *unbound* proxy, so `torch.nn.Module.__init__` never runs on the model and
#   the very next line, which registers a layer, fails (shown below). Write
#   `super().__init__()` (or the long form `super(LogisticRegressionModel, self).__init__()`).
# - `F.sigmoid` was deprecated in favour of `torch.sigmoid` (older releases warned about it);
#   use `torch.sigmoid`.
# - `size_average=False` is a deprecated legacy argument: today it emits a warning and is
#   translated to `reduction="sum"`. Say `reduction="sum"`.
# - `torch.Tensor([[1.0]])` is the legacy constructor: `torch.Tensor(3)` makes an
#   *uninitialised* tensor of shape `(3,)`, while `torch.tensor(3)` makes the number 3. Use
#   `torch.tensor` for data.
#
# `forward(self, x)` itself is right: it is a method, so it takes `self` first, and we call
# the model as `model(x)` (never `model.forward(x)`), which runs `forward` for us.
#
# Here are the first three problems, caught in this run:


# %%
class NotesModel(nn.Module):
    def __init__(self):
        super(NotesModel).__init__()  # the notes' mistake: no self
        self.linear = nn.Linear(1, 1)


try:
    NotesModel()
except AttributeError as error:
    print("super without self:", type(error).__name__, "-", error)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    legacy = nn.BCELoss(size_average=False)
print(
    "size_average=False:", caught[0].message, "-> reduction =", repr(legacy.reduction)
)
print(
    "torch.Tensor(3).shape =",
    tuple(torch.Tensor(3).shape),
    "   torch.tensor(3).shape =",
    tuple(torch.tensor(3).shape),
)

# %% [markdown]
# ## The corrected model, trained
#
# The same model with current APIs: `nn.Linear(1, 1)` followed by `torch.sigmoid`, the
# summed BCE, plain [gradient descent](../../glossary/#gradient-descent) (`torch.optim.SGD`
# on the whole data set at every step) with [learning rate](../../glossary/#learning-rate)
# 0.01, for 1000 [epochs](../../glossary/#epoch). `torch.manual_seed` fixes the random
# initial $w$ and $b$, so every run of this page gives the same numbers.


# %%
class LogisticRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))


torch.manual_seed(0)
model = LogisticRegressionModel()
criterion = nn.BCELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
initial_state = {k: v.clone() for k, v in model.state_dict().items()}

for _ in range(1000):  # 1000 epochs
    y_pred = model(x)
    loss = criterion(y_pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

w = model.linear.weight.item()
b = model.linear.bias.item()
with torch.no_grad():
    p_4h = model(torch.tensor([[4.0]])).item()
boundary = -b / w
print(f"w = {w:.4f}")
print(f"b = {b:.4f}")
print(f"p(4 h) = {p_4h:.4f}")

# %% tags=["remove_input"]
show_markdown(
    f"The run learned **w = {w:.4f}** and **b = {b:.4f}**: a student who studies 4 hours "
    f"passes with probability **p(4 h) = {p_4h:.4f}**. The model predicts *pass* as soon as "
    f"$\\hat y \\ge 0.5$, that is when $w x + b \\ge 0$: from the "
    f"[decision boundary](../../glossary/#decision-boundary) $x = -b/w$ = **{boundary:.4f}** "
    f"hours on."
)
record_result("logistic_w", w, "Logistic regression (pass/fail toy data): weight w")
record_result("logistic_b", b, "Logistic regression (pass/fail toy data): bias b")
record_result(
    "logistic_p4h", p_4h, "Logistic regression: probability of passing after 4 hours"
)

# %% [markdown]
# ## The pass curve
#
# The probability of passing for 0 to 10 hours of study, with the 0.5 line and the decision
# boundary where the curve crosses it:

# %%
hours = torch.linspace(0, 10, 200).unsqueeze(1)
with torch.no_grad():
    p_pass = model(hours)

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(hours.squeeze(1), p_pass.squeeze(1), label="p(pass) = σ(w·hours + b)")
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="0.5")
ax.axvline(
    boundary,
    color="tab:red",
    linestyle=":",
    label=f"decision boundary −b/w = {boundary:.2f} h",
)
ax.scatter(x.squeeze(1), y.squeeze(1), color="black", zorder=3, label="training data")
ax.scatter(
    [4.0],
    [p_4h],
    color="tab:orange",
    marker="D",
    zorder=3,
    label=f"p(4 h) = {p_4h:.2f}",
)
ax.set_xlabel("hours studied")
ax.set_ylabel("probability of passing")
ax.set_ylim(-0.05, 1.05)
ax.grid(True, alpha=0.3)
ax.legend(loc="lower right")
show_figure(
    fig,
    alt=f"S-shaped curve of the probability of passing against 0 to 10 hours studied, rising "
    f"through 0.5 at the decision boundary {boundary:.2f} hours; p(4 h) = {p_4h:.2f}.",
)

# %% [markdown]
# ## Sum or mean?
#
# `reduction="sum"` adds the $N$ per-sample losses, `reduction="mean"` divides that sum by
# $N$. Since $L_\text{sum} = N \cdot L_\text{mean}$, the gradient of the summed loss is $N$
# times larger too, and a gradient descent step $-\text{lr} \cdot \nabla L$ with the same
# learning rate moves $N$ times further. So a learning rate is only meaningful together with
# its reduction. Here we train the same model, from the same initial $w$ and $b$, with both
# reductions at lr = 0.01 and plot the mean loss per sample along the way (with the
# library's [`plot_curves`](../../api/#tutorial_lib.curves.plot_curves)):


# %%
def train(reduction, lr, num_epochs=1000):
    """Train a fresh copy of the model from the same start; return it and the mean BCE per epoch."""
    net = LogisticRegressionModel()
    net.load_state_dict(initial_state)
    loss_fn = nn.BCELoss(reduction=reduction)
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    mean_losses = []
    for _ in range(num_epochs):
        loss = loss_fn(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        mean_losses.append(loss.item() / len(x) if reduction == "sum" else loss.item())
    return net, mean_losses


net_sum, losses_sum = train("sum", lr=0.01)
net_mean, losses_mean = train("mean", lr=0.01)
net_mean_scaled, losses_mean_scaled = train("mean", lr=0.01 * len(x))

# The summed loss at lr is the mean loss at N * lr: the very same steps.
torch.testing.assert_close(net_mean_scaled.linear.weight, net_sum.linear.weight)
torch.testing.assert_close(net_mean_scaled.linear.bias, net_sum.linear.bias)
torch.testing.assert_close(
    net_sum.linear.weight, model.linear.weight
)  # and the same run as above

fig, ax = plt.subplots(figsize=(7, 4))
plot_curves(
    ax,
    {
        'reduction="sum", lr = 0.01': losses_sum,
        'reduction="mean", lr = 0.01': losses_mean,
    },
    ylabel="mean BCE per sample",
)
show_figure(
    fig,
    alt="Two loss curves over 1000 epochs from the same start: the summed-loss run falls "
    "faster than the mean-loss run at the same learning rate.",
)

# %% tags=["remove_input"]
show_markdown(
    f"After 1000 epochs the summed-loss run is at a mean BCE of **{losses_sum[-1]:.4f}**, the "
    f"mean-loss run only at **{losses_mean[-1]:.4f}**: with $N = {len(x)}$ samples its steps "
    f'are {len(x)} times smaller. Training with `reduction="mean"` at lr = '
    f"{0.01 * len(x):.2f} reproduces the summed run step for step (asserted above). With "
    f"[minibatches](../../glossary/#minibatch) of different sizes, or when $N$ grows to 60 000 images, the mean keeps the "
    f"step size independent of $N$, which is why it is torch's default."
)

# %% [markdown]
# Our library's [`fit`](../../api/#tutorial_lib.training.fit) reports the loss as a mean per
# sample whatever the reduction, so the curves of different runs stay comparable.

# %% [markdown]
# ## When no sigmoid of a line fits: y = [0, 1, 0]
#
# The notes also try the data set where only the middle student passes: $y = [0, 1, 0]$ for
# 1, 2 and 3 hours. We train the same model on it, with a larger learning rate (0.3, for
# 500 epochs) so that it settles:

# %%
y_middle = torch.tensor([[0.0], [1.0], [0.0]])
torch.manual_seed(0)
model_middle = LogisticRegressionModel()
optimizer_middle = torch.optim.SGD(model_middle.parameters(), lr=0.3)
for _ in range(500):  # 500 epochs
    loss_middle = criterion(model_middle(x), y_middle)
    optimizer_middle.zero_grad()
    loss_middle.backward()
    optimizer_middle.step()

w_middle = (
    round(model_middle.linear.weight.item(), 4) + 0.0
)  # + 0.0 turns -0.0 into 0.0
b_middle = model_middle.linear.bias.item()
with torch.no_grad():
    p_middle = model_middle(x).squeeze(1)
    p_middle_curve = model_middle(hours).squeeze(1)
print(
    f"w = {w_middle:.4f}, b = {b_middle:.4f}, p at 1, 2, 3 h = {[round(p, 4) for p in p_middle.tolist()]}"
)

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(hours.squeeze(1), p_middle_curve, label="learned σ(w·hours + b)")
ax.scatter(
    x.squeeze(1),
    y_middle.squeeze(1),
    color="black",
    zorder=3,
    label="data y = [0, 1, 0]",
)
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
ax.set_xlabel("hours studied")
ax.set_ylabel("probability of passing")
ax.set_ylim(-0.05, 1.05)
ax.grid(True, alpha=0.3)
ax.legend(loc="upper right")
show_figure(
    fig,
    alt="For data 0, 1, 0 at 1, 2, 3 hours the learned logistic curve is flat at "
    "one third: it cannot rise to the middle point and fall again.",
)

# %% tags=["remove_input"]
show_markdown(
    f"The model ends with $w =$ **{w_middle:.4f}** (to four decimals) and $b =$ **{b_middle:.4f}** "
    f"(close to $\\log(1/2) = {torch.log(torch.tensor(0.5)).item():.4f}$): it predicts about "
    f"**{p_middle.mean().item():.4f}** for everyone, the fraction of students who passed. "
    f"That is the best it can do, and it classifies every student as *fail*."
)

# %% [markdown]
# Why: $\sigma$ is increasing, so $\sigma(w x + b)$ is increasing in $x$ when $w > 0$,
# decreasing when $w < 0$ and constant when $w = 0$. No choice of $w$ and $b$ gives a curve
# that is low at 1 hour, high at 2 and low again at 3. A logistic regression can only split
# the line at one point, the decision boundary, with one class on each side; these labels
# need two boundaries: a feature such as $x^2$, or a hidden layer, is needed for that.
# The flat curve is exactly the optimum: the gradients of the summed BCE are
# $\sum_i (\hat y_i - y_i)$ for $b$ and $\sum_i (\hat y_i - y_i)\, x_i$ for $w$, and with
# $\hat y_i = 1/3$ for all three students they are $1 - 1 = 0$ and $2 - 2 = 0$.
#
# Next: the [gradient descent](../gradient-descent/) steps that did the training, by hand.
