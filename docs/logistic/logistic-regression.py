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
# In [regression](../../glossary/#regression) we predict a number: the
# exam *score* after $x$ hours of study. In
# [classification](../../glossary/#classification) we predict a class:
# did the student *pass* or not? With two classes, coded
# $y \in \{0, 1\}$, the most useful thing a model can give is not a bare
# 0 or 1 but the probability $P(y = 1 \mid x)$, from which we can decide
# (pass if it is at least 0.5) and also say how sure we are.
#
# [Logistic regression](../../glossary/#logistic-regression) does this
# with a line squeezed into $(0, 1)$ by the
# [sigmoid](../../glossary/#sigmoid) (the
# [logistic function](../../glossary/#logistic-function) of the
# [previous page](../logistic-function/)):
#
# $$\hat y = \sigma(w x + b) = \frac{1}{1 + e^{-(w x + b)}},$$
#
# and $\hat y$ is read as the probability that $y = 1$. The number
# $w x + b$ before the sigmoid is called the
# [logit](../../glossary/#logits).

# %%
import inspect
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Normal

from tutorial_lib.binary_cross_entropy import binary_cross_entropy
from tutorial_lib.plotting import (
    plot_probability_curve,
    plot_training,
    show_figure,
)
from tutorial_lib.report import record_result, show_markdown

# One thread, like each page's kernel in the site's build: the results
# then do not depend on the machine's number of cores.
torch.set_num_threads(1)

# %% [markdown]
# ## The data: hours studied, passed or not
#
# Our [data set](../../glossary/#dataset): three students studied 1, 2
# and 3 hours; only the one who studied 3 hours passed. The
# [tensors](../../glossary/#tensor) have one row per student and one
# column per feature.

# %%
x = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[0.0], [0.0], [1.0]])

# %% [markdown]
# ## Binary cross-entropy
#
# To fit $w$ and $b$ we need a
# [loss function](../../glossary/#loss-function) that says how wrong a
# probability $\hat y$ is for the label $y$. The
# [binary cross-entropy](../../glossary/#binary-cross-entropy) (BCE) is
# the negative log-probability the model gives to the label that
# actually happened:
#
# $$\ell(y, \hat y) = -\big[\, y \log \hat y
#   + (1 - y) \log (1 - \hat y) \,\big]
#   = \begin{cases} -\log \hat y & \text{if } y = 1,\\
#   -\log (1 - \hat y) & \text{if } y = 0,\end{cases}$$
#
# and over $N$ samples we either add the $\ell_i$ up
# (`reduction="sum"`) or average them (`reduction="mean"`). Here it is
# for a few pairs, computed with the library's
# [`binary_cross_entropy`][1] and checked against
# `torch.nn.functional.binary_cross_entropy`:
#
# [1]: ../../api/#tutorial_lib.binary_cross_entropy.binary_cross_entropy

# %%
y_table = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
y_hat_table = torch.tensor([0.9, 0.6, 0.1, 0.1, 0.4, 0.9])
bce_table = binary_cross_entropy(y_hat_table, y_table, reduction="none")
torch.testing.assert_close(
    bce_table,
    F.binary_cross_entropy(y_hat_table, y_table, reduction="none"),
)
torch.testing.assert_close(
    bce_table.mean(), binary_cross_entropy(y_hat_table, y_table)
)

# %% tags=["remove_input"]
rows = "\n".join(
    f"| {int(label)} | {prob:.1f} | "
    f"{prob if label == 1 else 1 - prob:.1f} | {loss:.4f} |"
    for label, prob, loss in zip(
        y_table.tolist(), y_hat_table.tolist(), bce_table.tolist(),
        strict=True,
    )
)
show_markdown(
    "| $y$ | $\\hat y$ | probability of the label | BCE |\n"
    "|---:|---:|---:|---:|\n"
    f"{rows}\n"
    f"| | | **mean** | **{bce_table.mean().item():.4f}** |"
)

# %% [markdown]
# Read the table row by row: **a LOWER BCE means the label is MORE
# likely** under the model. $y = 1$ with $\hat y = 0.9$ costs little;
# the same $\hat y = 0.9$ when the label is $0$ costs a lot, because the
# model gave the label that happened only probability $0.1$. Note 002
# (`002_e7fb8386783e5193.txt`), describing such a table, says the
# reverse:

# %% tags=["remove_input"]
show_markdown(
    "> 对应的BCE,BCE越高说明越可能,"
    "最后将其求均值"
)

# %% [markdown]
# ("the BCE of each pair; the higher the BCE, the more likely; then take
# the mean"). Taking the mean is right; "higher is more likely" is not:
# the BCE is a *negative* log-probability, so it falls as the
# probability of the label rises, and it is $0$ only for a certain,
# correct prediction.
#
# ## Why the minus sign
#
# Note 000 (`000_46899bbb4dcea5a9.txt`) explains the minus sign in one
# line:

# %% tags=["remove_input"]
show_markdown(
    "> Y_hat经过一次sigmoid为分数,"
    "再经过log如果不加负号会变为负数"
)

# %% [markdown]
# ("after the sigmoid, Y_hat is a fraction; after the log it would be
# negative without the minus sign"). Behind it: a probability is at most
# 1, so its logarithm is at most 0. If the labels of independent
# students are drawn with the model's probabilities, the probability of
# all of them together, the *likelihood*, is the product
# $\prod_i p_i$ of the probabilities $p_i$ the model gives to each
# label. Its logarithm $\sum_i \log p_i$ is negative, and the summed BCE
# is exactly $-\sum_i \log p_i$, the *negative log-likelihood*: the
# minus sign turns "make the labels as likely as possible" into
# "make a non-negative loss as small as possible".

# %%
p_label = torch.where(y_table == 1, y_hat_table, 1 - y_hat_table)
log_p = torch.log(p_label)
assert (log_p < 0).all()  # logs of probabilities below 1
torch.testing.assert_close(-log_p, bce_table)
likelihood = p_label.prod()
torch.testing.assert_close(likelihood, torch.exp(-bce_table.sum()))

# %% tags=["remove_input"]
show_markdown(
    f"For the six rows of the table the log-probabilities run from "
    f"**{log_p.min().item():.4f}** to "
    f"**{log_p.max().item():.4f}**, all "
    f"negative; the likelihood of the six labels is "
    f"**{likelihood.item():.4f}**, and $-\\log$ of it is "
    f"**{-likelihood.log().item():.4f}**, the summed BCE of the table "
    f"(asserted above)."
)

# %% [markdown]
# ## Squared error for a Gaussian, BCE for a coin flip
#
# Note 000 contrasts the two losses like this:

# %% tags=["remove_input"]
show_markdown(
    "> 原来mse是计算两个实数值之间的差值,"
    "计算距离,希望距离最小化\n>\n"
    "> 现在输出是分布,计算的是分布的差异。"
)

# %% [markdown]
# ("before, the MSE computed the difference of two real values, a
# distance to be minimised; now the output is a distribution, and we
# compute the difference of distributions"). Both losses are in fact
# negative log-likelihoods, each for its own kind of target:
#
# - a real-valued target with Gaussian noise,
#   $y \sim \mathcal N(\hat y, s^2)$, has $-\log p(y) =
#   \frac{(y - \hat y)^2}{2 s^2} + \log\big(s\sqrt{2\pi}\big)$:
#   minimising the squared error is maximising that likelihood;
# - a 0/1 label drawn like a biased coin,
#   $y \sim \operatorname{Bernoulli}(\hat y)$, has
#   $-\log p(y) = \ell(y, \hat y)$, the BCE.
#
# `torch.distributions` computes both log-probabilities, which checks
# the two formulas:

# %%
bernoulli_nll = -Bernoulli(probs=y_hat_table).log_prob(y_table)
torch.testing.assert_close(bernoulli_nll, bce_table)

scores = torch.tensor([52.0, 61.5, 70.0])  # real-valued targets
predicted = torch.tensor([55.0, 60.0, 71.0])
s = 1.0
gaussian_nll = -Normal(predicted, s).log_prob(scores)
squared = (scores - predicted) ** 2 / (2 * s**2)
torch.testing.assert_close(
    gaussian_nll, squared + math.log(s * math.sqrt(2 * math.pi))
)

# %% [markdown]
# So a pass/fail label calls for the BCE, a score with Gaussian noise
# for the squared error. Note 002 sums up the step from linear to
# logistic regression as

# %% tags=["remove_input"]
show_markdown(
    "> 根据上图可知,"
    "线性回归和逻辑回归的流程与函数"
    "只区别于Sigmoid函数"
)

# %% [markdown]
# ("as the figure shows, the procedure and functions of linear and
# logistic regression differ only by the sigmoid"). The training loop is
# the same, but the loss changes too, from the squared error to the BCE,
# and that changes the answer; we train both below.

# %% [markdown]
# ## What the notes wrote
#
# Note 000 first sketches the model class. The notes file lost the line
# breaks of its code; this is the quote, verbatim:

# %% tags=["remove_input"]
NOTE_000_MODEL = (
    "import torch.nn class LinearModel(torch.nn.Module): def "
    "__init__(self): super(LinearModel).__init__() self.linear = "
    "torch.nn.Linear(1,1) def forward(self): y_pred = self.linear(x) "
    "return y_pred"
)
print(NOTE_000_MODEL)

# %% [markdown]
# Laid out as Python (only line breaks and indentation added, which the
# `assert` checks) and run:

# %%
model_000 = """
import torch.nn
class LinearModel(torch.nn.Module):
    def __init__(self):
        super(LinearModel).__init__()
        self.linear = torch.nn.Linear(1,1)
    def forward(self):
        y_pred = self.linear(x)
        return y_pred
"""
assert model_000.split() == NOTE_000_MODEL.split()
notes_000 = {}
exec(model_000, notes_000)
try:
    notes_000["LinearModel"]()
except AttributeError as error:
    print(f"{type(error).__name__}: {error}")
else:
    raise AssertionError("LinearModel() did not raise")

# %% [markdown]
# Two bugs:
#
# 1. `super(LinearModel).__init__()` misses `self`. With one argument
#    `super` returns an *unbound* proxy, so `torch.nn.Module.__init__`
#    never runs on the model, and the next line, which registers a
#    layer, fails (above). Write `super().__init__()` (or the long form
#    `super(LinearModel, self).__init__()`).
# 2. `def forward(self)` has no parameter for the input: its body reads
#    a *global* variable `x`. With `super` fixed, calling the model on
#    data fails, and calling it without data silently uses whatever `x`
#    holds at that moment:

# %%
fixed_super = model_000.replace(
    "super(LinearModel)", "super(LinearModel, self)"
)
exec(fixed_super, notes_000)
torch.manual_seed(0)
notes_model = notes_000["LinearModel"]()
try:
    notes_model(x)
except TypeError as error:
    print(f"{type(error).__name__}: {error}")
else:
    raise AssertionError("notes_model(x) did not raise")
for global_x in (x, torch.tensor([[10.0]])):
    notes_000["x"] = global_x  # a global, not an argument
    print("model() on the global x:", tuple(notes_model().shape))

# %% [markdown]
# The same call `model()` gave outputs of two different shapes: the
# model computes on data it was never given. The fix is
# `def forward(self, x)`: a method takes `self` first, then its inputs,
# and we call the model as `model(x)` (never `model.forward(x)`), which
# runs `forward` for us. Note 000's later code, and note 002's, have
# that right.
#
# Note 002 gives the complete training code (its blog lost the line
# breaks inside the class and the loop), verbatim:

# %% tags=["remove_input"]
NOTE_002_CODE = (
    "import torch.nn.functional as F\n"
    "x_data = torch.Tensor([[1.0], [2.0], [3.0]])\n"
    "y_data = torch.Tensor([[0], [0], [1]])\n"
    "class LogisticRegressionModel(torch.nn.Module):def "
    "__init__(self):super(LogisticRegressionModel, self).__init__() "
    "self.linear = torch.nn.Linear(1, 1)def forward(self, x):y_pred = "
    "F.sigmoid(self.linear(x))return y_pred\n"
    "model = LogisticRegressionModel()\n"
    "criterion = torch.nn.BCELoss(size_average=False)\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)\n"
    "for epoch in range(1000):y_pred = model(x_data)loss = "
    "criterion(y_pred, y_data)print(epoch, "
    "loss.item())optimizer.zero_grad() loss.backward()optimizer.step()"
)
print(NOTE_002_CODE)

# %% [markdown]
# Four things in it, each checked in the next cell:
#
# 1. There is no `import torch`. `import torch.nn.functional as F` binds
#    only the name `F`, so the second line fails, as it does in a fresh
#    script.
# 2. `size_average=False` is a deprecated legacy argument: torch warns
#    and translates it to `reduction="sum"`. Say `reduction="sum"`.
# 3. `torch.Tensor(...)` is the legacy constructor: `torch.Tensor(3)`
#    reads the 3 as a shape and makes a tensor of three elements, shape
#    `(3,)`, while `torch.tensor(3)` makes the number 3, shape `()`. Use
#    `torch.tensor` for data.
# 4. `F.sigmoid` is not a bug. Older releases warned that it was
#    deprecated in favour of `torch.sigmoid`; torch 2.14.1 does not: its
#    `F.sigmoid` emits no warning, its docstring says nothing of a
#    deprecation, and it returns `input.sigmoid()`, the same operation
#    as `torch.sigmoid`. We write `torch.sigmoid`, like the rest of the
#    site.

# %%
first_lines = (
    "import torch.nn.functional as F\n"
    "x_data = torch.Tensor([[1.0], [2.0], [3.0]])\n"
)
assert first_lines in NOTE_002_CODE
try:
    exec(first_lines, {})  # a fresh namespace, like a new script
except NameError as error:
    print(f"1. {type(error).__name__}: {error}")
else:
    raise AssertionError("first_lines did not raise")

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    legacy = nn.BCELoss(size_average=False)
assert caught and legacy.reduction == "sum"
print(f"2. {caught[0].category.__name__}: {caught[0].message}")

assert torch.Tensor(3).shape == (3,)
assert torch.tensor(3).shape == () and torch.tensor(3).item() == 3
print(
    "3. torch.Tensor(3).shape =", tuple(torch.Tensor(3).shape),
    "  torch.tensor(3).shape =", tuple(torch.tensor(3).shape),
)

z = torch.linspace(-5, 5, 11)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    f_sigmoid = F.sigmoid(z)
assert not caught and "deprecat" not in F.sigmoid.__doc__.lower()
source = inspect.getsource(F.sigmoid)
assert source.rstrip().endswith("return input.sigmoid()")
assert torch.equal(f_sigmoid, torch.sigmoid(z))
print(f"4. F.sigmoid: {len(caught)} warnings, same values as "
      "torch.sigmoid; its last line:",
      source.splitlines()[-1].strip())

# %% [markdown]
# ## The corrected model, trained
#
# The same model with current APIs: `nn.Linear(1, 1)` followed by
# `torch.sigmoid`, the summed BCE, plain
# [gradient descent](../../glossary/#gradient-descent)
# (`torch.optim.SGD` on the whole data set at every step) with
# [learning rate](../../glossary/#learning-rate) 0.01, for 1000
# [epochs](../../glossary/#epoch). `torch.manual_seed` fixes the random
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
lr, num_epochs = 0.01, 1000
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
initial_state = {k: v.clone() for k, v in model.state_dict().items()}

for _ in range(num_epochs):
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
    f"The run learned **w = {w:.4f}** and **b = {b:.4f}**: a student "
    f"who studies 4 hours passes with probability "
    f"**p(4 h) = {p_4h:.4f}**. "
    f"The model predicts *pass* as soon as $\\hat y \\ge 0.5$, that is "
    f"when $w x + b \\ge 0$: from the "
    f"[decision boundary](../../glossary/#decision-boundary) "
    f"$x = -b/w$ = **{boundary:.4f}** hours on."
)
record_result(
    "logistic_w",
    w,
    "Logistic regression (pass/fail toy data): weight w",
)
record_result(
    "logistic_b", b, "Logistic regression (pass/fail toy data): bias b"
)
record_result(
    "logistic_p4h",
    p_4h,
    "Logistic regression: probability of passing after 4 hours",
)

# %% [markdown]
# ## Same model, squared error
#
# Back to note 002's "only the sigmoid differs": keep the model, the
# data, the start, the optimizer and the 1000 epochs, and change only
# the loss to the summed squared error of linear regression.

# %%
model_mse = LogisticRegressionModel()
model_mse.load_state_dict(initial_state)  # the same start as above
optimizer_mse = torch.optim.SGD(model_mse.parameters(), lr=lr)
for _ in range(num_epochs):
    loss_mse = ((model_mse(x) - y) ** 2).sum()
    optimizer_mse.zero_grad()
    loss_mse.backward()
    optimizer_mse.step()
w_mse = model_mse.linear.weight.item()
b_mse = model_mse.linear.bias.item()
with torch.no_grad():
    p_4h_mse = model_mse(torch.tensor([[4.0]])).item()
print(f"squared error: w = {w_mse:.4f}, b = {b_mse:.4f}, "
      f"p(4 h) = {p_4h_mse:.4f}")

# %% tags=["remove_input"]
show_markdown(
    f"With the squared error the same {num_epochs} steps end at "
    f"$w = {w_mse:.4f}$, $b = {b_mse:.4f}$ and $p(4\\,h) = "
    f"{p_4h_mse:.4f}$, against $w = {w:.4f}$, $b = {b:.4f}$ and "
    f"$p(4\\,h) = {p_4h:.4f}$ with the BCE: the loss is part of the "
    f"method, not a detail. (Its gradient with respect to the logit "
    f"has an extra factor $\\sigma'$, which the "
    f"[previous page](../logistic-function/) shows vanishing where the "
    f"model is confidently wrong.)"
)

# %% [markdown]
# ## The pass curve
#
# Note 002 draws the probability of passing for 0 to 10 hours with
# these lines (verbatim), and note 000 prints its prediction for 4 hours
# with `y_test.data`:

# %% tags=["remove_input"]
NOTE_002_PLOT = (
    "x_t = torch.Tensor(x).view((200, 1)) # 相当于reshape\n"
    "y_t = model(x_t)\n"
    "y = y_t.data.numpy()"
)
NOTE_000_TEST = (
    "x_test = torch.Tensor([[4.0]]) y_test = model(x_test) "
    "print('y_pred=',y_test.data)"
)
print(NOTE_002_PLOT, NOTE_000_TEST, sep="\n\n")

# %% [markdown]
# Two habits there are worth changing.
#
# **`.view` is not the same as `reshape`** (the comment
# `# 相当于reshape` says "equivalent to reshape"). `view` never
# copies: it only reads the same memory with another shape, which works
# when the elements lie in memory in the right order (the tensor is
# *contiguous*, as a freshly made one is). A transpose is not: `view`
# then fails, while `reshape` returns a view when it can and a copy when
# it must:

# %%
grid = torch.arange(6.0).reshape(2, 3)
transposed = grid.T  # same memory, other order: not contiguous
try:
    transposed.view(6)
except RuntimeError as error:
    print(f"view: {type(error).__name__}: {error}")
else:
    raise AssertionError("transposed.view(6) did not raise")
flat = transposed.reshape(6)
print("reshape:", flat.tolist(),
      "| shares memory:", flat.data_ptr() == grid.data_ptr())
print("on a contiguous tensor, reshape shares memory:",
      grid.reshape(6).data_ptr() == grid.data_ptr())

# %% [markdown]
# **`.data` hides a tensor from autograd.** It gives the same numbers
# without the gradient history, so `.numpy()` works, but it also skips
# autograd's checks: an in-place edit through `.data` of a value that
# backward needs goes unnoticed and the gradients are silently wrong.
# The modern spellings are `torch.no_grad()` around code that needs no
# gradients (evaluation, plotting) and `.detach()` for a tensor cut from
# the graph, whose edits autograd still detects:

# %%
a = torch.tensor([0.0, 2.0], requires_grad=True)
out = torch.sigmoid(a)  # the backward of sigmoid reuses out
out.data.zero_()  # edit it behind autograd's back
out.sum().backward()
s_a = torch.sigmoid(a.detach())
true_grad = s_a * (1 - s_a)
assert torch.equal(a.grad, torch.zeros(2))  # wrong, and no error
print(".data edit:   gradient", a.grad.tolist(),
      "but the true gradient is",
      [round(v, 4) for v in true_grad.tolist()])

a.grad = None
out = torch.sigmoid(a)
out.detach().zero_()  # the same edit through .detach()
try:
    out.sum().backward()
except RuntimeError as error:
    print(".detach() edit:", type(error).__name__ + ":",
          str(error).split(":")[0])
else:
    raise AssertionError("backward() after the edit did not raise")

hours = torch.linspace(0, 10, 200).unsqueeze(1)  # 200 rows, 1 column
try:
    model(hours).numpy()
except RuntimeError as error:
    print("without no_grad:", type(error).__name__ + ":", error)
else:
    raise AssertionError("model(hours).numpy() did not raise")
with torch.no_grad():
    p_pass = model(hours)
print("with no_grad:", p_pass.numpy().shape)

# %% [markdown]
# The curve, with the 0.5 line and the decision boundary where the
# curve crosses it:

# %%
fig = plot_probability_curve(
    x, y, hours, p_pass, boundary=boundary,
    points={"p(4 h)": (4.0, p_4h)},
    xlabel="hours studied", ylabel="probability of passing",
    curve_label="p(pass) = σ(w·hours + b)",
    data_label="training data",
    legend_loc="lower right",
)
show_figure(fig)

# %% [markdown]
# ## Sum or mean?
#
# Note 000 warns:

# %% tags=["remove_input"]
show_markdown(
    "> 如果求平均,损失变小了,导数变小,"
    "此处会影响我们如何选择学习率。"
)

# %% [markdown]
# ("if we take the mean, the loss gets smaller and the derivatives get
# smaller, which affects how we choose the learning rate"). Exactly:
# `reduction="sum"` adds the $N$ per-sample losses, `reduction="mean"`
# divides that sum by $N$. Since $L_\text{sum} = N \cdot L_\text{mean}$,
# the gradient of the summed loss is $N$ times larger too, and a
# gradient descent step $-\text{lr} \cdot \nabla L$ with the same
# learning rate moves $N$ times further. So a learning rate is only
# meaningful together with its reduction. Here we train the same model,
# from the same initial $w$ and $b$, with both reductions at lr = 0.01
# and plot the mean loss per sample along the way:


# %%
def train(reduction, lr, num_epochs=num_epochs):
    """Train a copy of the model from the same start.

    Returns the model and its mean BCE per sample, epoch by epoch.
    """
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
        scale = len(x) if reduction == "sum" else 1
        mean_losses.append(loss.item() / scale)
    return net, mean_losses


net_sum, losses_sum = train("sum", lr=lr)
net_mean, losses_mean = train("mean", lr=lr)
net_mean_scaled, _ = train("mean", lr=lr * len(x))

# The summed loss at lr is the mean loss at N * lr: the very same steps,
for p_scaled, p_sum, p_model in zip(
    net_mean_scaled.parameters(), net_sum.parameters(),
    model.parameters(), strict=True,
):
    torch.testing.assert_close(p_scaled, p_sum)
    torch.testing.assert_close(p_sum, p_model)  # and the run above

fig = plot_training(
    {
        f'reduction="sum", lr = {lr}': losses_sum,
        f'reduction="mean", lr = {lr}': losses_mean,
    },
    ylabel="mean BCE per sample",
)
show_figure(fig)

# %% tags=["remove_input"]
show_markdown(
    f"After {num_epochs} epochs the summed-loss run is at a mean BCE "
    f"of **{losses_sum[-1]:.4f}**, the mean-loss run only at "
    f"**{losses_mean[-1]:.4f}**: with $N = {len(x)}$ samples its steps "
    f"are {len(x)} times smaller. Training with "
    f"`reduction=\"mean\"` at lr = {lr * len(x):.2f} reproduces the "
    f"summed run step for step "
    f"(asserted above). With "
    f"[minibatches](../../glossary/#minibatch) of different sizes, or "
    f"when $N$ grows to the size of a real dataset, the mean keeps "
    f"the step size independent of $N$, which is why it is torch's "
    f"default."
)

# %% [markdown]
# Our library's [`fit`](../../api/#tutorial_lib.training.fit) reports
# the loss as a mean per sample whatever the reduction, so the curves of
# different runs stay comparable.

# %% [markdown]
# ## When no sigmoid of a line fits: y = [0, 1, 0]
#
# Note 000's first training run uses labels where only the middle
# student passes, for 100 epochs (two verbatim excerpts of its code):
#
# > `y_data = torch.tensor([[0.0],[1.0],[0.0]])`
# >
# > `for epoch in range(100):`
#
# We train the same model on these labels, with a larger learning rate
# (0.3, for 500 epochs) so that it settles:

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

# round(..., 4) + 0.0 turns a tiny negative w into 0.0, not -0.0
w_middle = round(model_middle.linear.weight.item(), 4) + 0.0
b_middle = model_middle.linear.bias.item()
with torch.no_grad():
    p_middle = model_middle(x).squeeze(1)
    p_middle_curve = model_middle(hours).squeeze(1)
print(f"w = {w_middle:.4f}, b = {b_middle:.4f}, p at 1, 2, 3 h =",
      [round(p, 4) for p in p_middle.tolist()])

fig = plot_probability_curve(
    x, y_middle, hours, p_middle_curve,
    xlabel="hours studied", ylabel="probability of passing",
    curve_label="learned σ(w·hours + b)",
    data_label="data y = [0, 1, 0]", legend_loc="upper right",
)
show_figure(fig)

# %% tags=["remove_input"]
show_markdown(
    f"The model ends with $w =$ **{w_middle:.4f}** (to four decimals) "
    f"and $b =$ **{b_middle:.4f}** (close to $\\log(1/2) = "
    f"{math.log(0.5):.4f}$): it predicts about "
    f"**{p_middle.mean().item():.4f}** for everyone, the fraction of "
    f"students who passed. That is the best it can do, and it "
    f"classifies every student as *fail*."
)

# %% [markdown]
# Why: $\sigma$ is increasing, so $\sigma(w x + b)$ is increasing in $x$
# when $w > 0$, decreasing when $w < 0$ and constant when $w = 0$. No
# choice of $w$ and $b$ gives a curve that is low at 1 hour, high at 2
# and low again at 3. A logistic regression can only split the line at
# one point, the decision boundary, with one class on each side; these
# labels need two boundaries: a feature such as $x^2$, or a hidden
# layer, is needed for that. The flat curve is exactly the optimum: the
# gradients of the summed BCE are $\sum_i (\hat y_i - y_i)$ for $b$ and
# $\sum_i (\hat y_i - y_i)\, x_i$ for $w$, and with $\hat y_i = 1/3$ for
# all three students they are $1 - 1 = 0$ and $2 - 2 = 0$.

# %% [markdown]
# ## Summary
#
# - Logistic regression models $P(y = 1 \mid x) = \sigma(w x + b)$ and
#   decides *pass* where the logit $w x + b$ is at least $0$, from the
#   decision boundary $-b/w$ on.
# - The BCE is the negative log-likelihood of 0/1 labels (a Bernoulli
#   target), as the squared error is for a Gaussian one: lower BCE,
#   likelier labels. Changing the loss changes the fitted model.
# - `forward(self, x)` takes its input as an argument;
#   `super().__init__()` (not `super(Model).__init__()`) initialises the
#   module; `reduction="sum"` replaces `size_average=False`;
#   `torch.tensor` makes data.
# - `torch.no_grad()` and `.detach()` replace `.data`; `view` needs a
#   contiguous tensor, `reshape` copies when it must.
# - The learning rate goes with the reduction: the summed loss at lr
#   takes the same steps as the mean loss at $N \cdot$ lr.
#
# ## Exercises
#
# Try each one before opening its solution.

# %% [markdown]
# **Exercise 1.** A fourth student studied 4 hours and *failed*.
# Predict what happens to $w$, $b$, the decision boundary and the pass
# curve after the same 1000 epochs from the same start; then train on
# the four points and check.

# %% [markdown] tags=["solution"]
# **Solution 1.** The new point says that 4 hours are no guarantee, so
# the curve must come down at 4 hours: it gets flatter (smaller $w$) and
# moves right (a later boundary), and $p(4\,h)$ drops.

# %% tags=["solution"]
x4 = torch.cat([x, torch.tensor([[4.0]])])
y4 = torch.cat([y, torch.tensor([[0.0]])])
model4 = LogisticRegressionModel()
model4.load_state_dict(initial_state)
optimizer4 = torch.optim.SGD(model4.parameters(), lr=lr)
for _ in range(num_epochs):
    loss4 = criterion(model4(x4), y4)
    optimizer4.zero_grad()
    loss4.backward()
    optimizer4.step()
w4 = model4.linear.weight.item()
b4 = model4.linear.bias.item()
with torch.no_grad():
    p_4h_4 = model4(torch.tensor([[4.0]])).item()
assert w4 < w  # flatter
assert -b4 / w4 > boundary  # the boundary moves right
assert b4 > b
assert p_4h_4 < p_4h
print(f"3 students: w = {w:.4f}, b = {b:.4f}, "
      f"boundary = {boundary:.4f}, p(4 h) = {p_4h:.4f}")
print(f"4 students: w = {w4:.4f}, b = {b4:.4f}, boundary = "
      f"{-b4 / w4:.4f}, p(4 h) = {p_4h_4:.4f}")

# %% [markdown] tags=["solution"]
# $b$ ends less negative too (asserted), yet the boundary $-b/w$ moves
# right because $w$ shrinks proportionally more. The four points are
# no longer separable by one threshold, so the loss no longer falls
# towards $0$ as $w$ grows: curves steeper than the trained one,
# through the same boundary, cost more and more.

# %% tags=["solution"]
features = torch.cat([x4, torch.ones_like(x4)], dim=1).double()
theta4 = torch.tensor([w4, b4], dtype=torch.float64)
steeper = [
    F.binary_cross_entropy_with_logits(
        features @ (k * theta4), y4.squeeze(1).double(), reduction="sum"
    ).item()
    for k in (1.0, 2.0, 10.0, 100.0)
]
assert all(a < b for a, b in zip(steeper, steeper[1:], strict=False))
print("summed BCE, (w, b) times 1, 2, 10, 100:",
      ", ".join(f"{loss:.4f}" for loss in steeper))

# %% [markdown]
# **Exercise 2.** Train the three-student model with the summed loss at
# lr = 0.1 instead of 0.01 (same start, 1000 epochs). Will $w$ end
# larger or smaller, and will the decision boundary move much?

# %% [markdown] tags=["solution"]
# **Solution 2.** Larger. The three points are separable, so the loss
# keeps falling as $w$ grows (the curve gets steeper); ten times larger
# steps go further along that road in the same number of epochs. The
# boundary stays between 2 and 3 hours.

# %% tags=["solution"]
net_fast, losses_fast = train("sum", lr=0.1)
w_fast = net_fast.linear.weight.item()
b_fast = net_fast.linear.bias.item()
assert w_fast > w and losses_fast[-1] < losses_sum[-1]
assert 2 < -b_fast / w_fast < 3
print(f"lr = 0.1: w = {w_fast:.4f}, b = {b_fast:.4f}, "
      f"boundary = {-b_fast / w_fast:.4f}")

# %% [markdown]
# **Exercise 3.** Find the bug: a reader's loop leaves out
# `optimizer.zero_grad()`. What does `.grad` hold after the second
# `backward()`, and why is the second step then wrong?

# %% [markdown] tags=["solution"]
# **Solution 3.** `backward()` *adds* to `.grad`. Without
# `zero_grad()` the second step uses the sum of the first two
# gradients, the third the sum of three, and so on: the steps grow and
# no longer follow the current slope.

# %% tags=["solution"]
net_bug = LogisticRegressionModel()
net_bug.load_state_dict(initial_state)
first = criterion(net_bug(x), y)
first.backward()
grad_1 = net_bug.linear.weight.grad.clone()
second = criterion(net_bug(x), y)  # no step: the same gradient again
second.backward()
torch.testing.assert_close(net_bug.linear.weight.grad, 2 * grad_1)
print("dL/dw:", round(grad_1.item(), 4), "| .grad after two backward:",
      round(net_bug.linear.weight.grad.item(), 4))

# %% [markdown]
# **Exercise 4.** Derive: at a minimum of the summed BCE, the model's
# probabilities add up to the number of students who passed,
# $\sum_i \hat y_i = \sum_i y_i$. Check it on the $y = [0, 1, 0]$ model.

# %% [markdown] tags=["solution"]
# **Solution 4.** At a minimum every partial derivative is $0$, and the
# one for $b$ is $\partial L / \partial b = \sum_i (\hat y_i - y_i)$, so
# $\sum_i \hat y_i = \sum_i y_i$. The $y = [0, 1, 0]$ model predicts
# about $1/3$ three times, which adds up to the one student who passed:

# %% tags=["solution"]
torch.testing.assert_close(
    p_middle.sum(), y_middle.sum(), atol=1e-3, rtol=0
)
print(f"sum of y_hat = {p_middle.sum().item():.4f}, "
      f"sum of y = {y_middle.sum().item():.0f}")

# %% [markdown]
# Next: the [gradient descent](../gradient-descent/) steps that did the
# training, by hand.
