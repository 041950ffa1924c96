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
# # The logistic function

# %% [markdown]
# The [logistic function](../../glossary/#logistic-function), usually
# called the [sigmoid](../../glossary/#sigmoid) in machine learning,
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}},$$
#
# maps any real number into the open interval $(0, 1)$. That is all
# [logistic regression](../../glossary/#logistic-regression) needs to
# turn a line into a probability. This page looks at its shape, its
# derivative, and its relatives.
#
# Our library's [`sigmoid`](../../api/#tutorial_lib.logistic.sigmoid)
# computes this formula as `torch.sigmoid` does (for very negative $x$,
# $e^{-x}$ overflows to `inf` and the result is exactly $0$, not an
# error), with the derivative computed from the output (Exercise 2 shows
# why); first we check it against `torch.sigmoid`.

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from tutorial_lib.logistic import sigmoid, sigmoid_derivative
from tutorial_lib.plotting import (
    make_panels,
    plot_functions,
    show_figure,
)
from tutorial_lib.report import show_markdown

# One thread, like each page's kernel in the site's build: the results
# then do not depend on the machine's number of cores.
torch.set_num_threads(1)

x = torch.linspace(-10, 10, 401)
s = sigmoid(x)
torch.testing.assert_close(s, torch.sigmoid(x))
extremes = torch.tensor([-100.0, 100.0])
assert sigmoid(extremes).tolist() == [0.0, 1.0]
assert torch.sigmoid(extremes).tolist() == [0.0, 1.0]

# %% [markdown]
# ## Saturation: where the curve goes flat
#
# Near $0$ the sigmoid is almost a straight line of slope $1/4$. Far
# from $0$ it flattens against $0$ or $1$: it *saturates*. Note 000
# (`000_46899bbb4dcea5a9.txt`) puts the edge at about $\pm 5$:

# %% tags=["remove_input"]
show_markdown("> 在x=+-5左右会接近饱和情况")

# %% [markdown]
# ("around x = ±5 it comes close to saturating"). The figure marks it.

# %%
edge = 5.0
s_plus, s_minus = sigmoid(torch.tensor([edge, -edge])).tolist()
slope_edge = sigmoid_derivative(torch.tensor(edge)).item()

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(x, s, label=r"$\sigma(x) = 1 / (1 + e^{-x})$")
ax.axvspan(-10, -edge, color="gray", alpha=0.2,
           label=f"flat: |x| > {edge:g}")
ax.axvspan(edge, 10, color="gray", alpha=0.2)
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
ax.plot([-edge, edge], [s_minus, s_plus], "o", color="tab:red",
        label=f"σ(±{edge:g})")
ax.set_xlabel("x")
ax.set_ylabel("σ(x)")
ax.grid(True, alpha=0.3)
ax.legend(loc="upper left")
show_figure(
    fig,
    alt="The S-shaped sigmoid on [-10, 10], crossing 0.5 at 0; the "
    f"regions |x| > {edge:g} are shaded, where it is flat at "
    f"{s_minus:.4f} and {s_plus:.4f} and beyond.",
)

# %% tags=["remove_input"]
show_markdown(
    f"At $x = {edge:g}$ the sigmoid is already **{s_plus:.4f}**, at "
    f"$x = -{edge:g}$ it is **{s_minus:.4f}**, and its slope there is "
    f"**{slope_edge:.4f}**, {0.25 / slope_edge:.0f} times smaller than "
    f"the slope $0.25$ at $x = 0$. In the shaded regions the output "
    f"barely moves."
)

# %% [markdown]
# ## Saturated logits: which gradients vanish?
#
# It is often said that a model whose
# [logits](../../glossary/#logits) land in the flat regions learns
# slowly, "because its gradients vanish". Whether they do depends on
# what comes after the sigmoid. Take a logit $z$, a label $y = 1$, and
# let autograd differentiate two losses with respect to $z$: the
# [binary cross-entropy](../../glossary/#binary-cross-entropy) (BCE) of
# the [next page](../logistic-regression/), here from logits, and the
# squared error $(\sigma(z) - y)^2$:

# %%
z = torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0], requires_grad=True)
label = torch.ones_like(z)  # y = 1 for every logit
y_hat = torch.sigmoid(z)
bce = F.binary_cross_entropy_with_logits(z, label, reduction="sum")
(grad_bce,) = torch.autograd.grad(bce, z)
squared_error = ((y_hat - label) ** 2).sum()
(grad_squared,) = torch.autograd.grad(squared_error, z)

y_hat = y_hat.detach()
torch.testing.assert_close(grad_bce, y_hat - label)
torch.testing.assert_close(
    grad_squared, 2 * (y_hat - label) * y_hat * (1 - y_hat)
)

# %% tags=["remove_input"]
rows = "\n".join(
    f"| {zi:g} | {pi:.4g} | {gb:.4g} | {gs:.4g} |"
    for zi, pi, gb, gs in zip(
        z.tolist(), y_hat.tolist(), grad_bce.tolist(),
        grad_squared.tolist(), strict=True,
    )
)
show_markdown(
    "| logit $z$ | $\\hat y = \\sigma(z)$ | BCE: $\\partial/\\partial "
    "z$ | squared error: $\\partial/\\partial z$ |\n"
    "|---:|---:|---:|---:|\n" + rows
)

# %% tags=["remove_input"]
show_markdown(
    "At $z = -10$ the model is confidently wrong ($\\hat y$ = "
    f"{y_hat[0].item():.2g} for a label $1$). The BCE's gradient is "
    f"$\\hat y - y$ = **{grad_bce[0].item():.4f}**, about $-1$, the "
    "largest it can be: the $\\log$ in the BCE undoes the flat "
    "sigmoid, and a confidently wrong logistic regression learns "
    "*fast*. The squared error's gradient $2(\\hat y - "
    "y)\\,\\sigma'(z)$ carries the factor $\\sigma'(z)$ and is only "
    f"**{grad_squared[0].item():.2e}** there: it vanishes exactly "
    "where the model is most wrong. At $z = 10$ both are close to "
    f"$0$, which is right: the prediction is confidently correct."
)

# %% [markdown]
# The factor $\sigma'$ also appears for a sigmoid in a *hidden* unit of
# a network: whatever the loss on top, the error that reaches the
# unit's input $a$ is multiplied by $\sigma'(a)$. Take two hidden units
# with the same output weight $v$, one at $a = 0$ and one saturated at
# $a = 10$: the derivative of the output $v\,\sigma(a)$ with respect to
# $a$, the factor that multiplies every error from above, is
# $v\,\sigma'(a)$:

# %%
a = torch.tensor([0.0, 10.0], requires_grad=True)  # hidden inputs
hidden = torch.sigmoid(a)
v = 2.0  # the output weight of each unit
(grad_a,) = torch.autograd.grad((v * hidden).sum(), a)
torch.testing.assert_close(grad_a, v * sigmoid_derivative(a.detach()))
print("d output / d a at a = 0 and a = 10:",
      [f"{g:.2e}" for g in grad_a.tolist()])

# %% tags=["remove_input"]
show_markdown(
    f"The saturated unit passes back **{grad_a[1].item():.2e}** where "
    f"the unit at $0$ passes **{grad_a[0].item():.2f}**: "
    f"{grad_a[0].item() / grad_a[1].item():,.0f} times less, so its "
    "weights barely move. *Vanishing gradients* are real for squared "
    "errors on a sigmoid and for saturated hidden units; for the BCE "
    f"on the output of a logistic regression they are not."
)

# %% [markdown]
# ## Its derivative, by autograd and in closed form
#
# Differentiating $\sigma(x) = (1 + e^{-x})^{-1}$ gives
#
# $$\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2}
#   = \sigma(x)\,\big(1 - \sigma(x)\big).$$
#
# To check the algebra, autograd must differentiate the *formula*, not
# `torch.sigmoid`: torch's backward of `torch.sigmoid` is itself the
# closed form $\sigma(1 - \sigma)$, so comparing against it would prove
# nothing. So we write the sigmoid with `torch.exp`; autograd then
# chains the derivatives of $e^{-x}$, $1 + \cdot$ and $1/\cdot$, which
# is the left-hand fraction above. We compare it with the closed form
# (and with the library's
# [`sigmoid_derivative`][1]):
#
# [1]: ../../api/#tutorial_lib.logistic.sigmoid_derivative


# %%
def sigmoid_exp(x):
    """The sigmoid as a formula: 1 / (1 + exp(-x))."""
    return 1 / (1 + torch.exp(-x))


x_grad = x.clone().requires_grad_(True)
sigmoid_exp(x_grad).sum().backward()  # d/dx_i of the sum: sigma'(x_i)
d_autograd = x_grad.grad
d_closed = s * (1 - s)
torch.testing.assert_close(d_autograd, d_closed)
torch.testing.assert_close(d_autograd, sigmoid_derivative(x))
difference = (d_autograd - d_closed).abs().max().item()
print(f"largest difference, autograd vs closed form: {difference:.1e}")

# %% [markdown]
# Note 000 describes the derivative's shape like this:

# %% tags=["remove_input"]
show_markdown("> 这个sigmoid函数的导数类似于正态分布")

# %% [markdown]
# ("the derivative of this sigmoid resembles a normal distribution").
# It is a bell curve with its peak $\sigma'(0) = 1/4$ at $0$, so let us
# put the normal density with the same peak height next to it: a normal
# density with standard deviation $\tau$ peaks at
# $1 / (\tau \sqrt{2\pi})$, so $\tau = 4 / \sqrt{2\pi}$. The lower
# panel uses a logarithmic scale to show the tails.

# %%
tau = 4 / math.sqrt(2 * math.pi)  # the normal's sd: peak 1/4 too


def normal_density(t):
    """The normal density with mean 0 and standard deviation tau."""
    peak = 1 / (tau * math.sqrt(2 * math.pi))
    return peak * torch.exp(-(t**2) / (2 * tau**2))


normal = normal_density(x)
area = torch.trapezoid(d_closed.double(), x.double()).item()

curves = {
    "σ'(x) = σ(x)(1 − σ(x))": d_closed,
    f"normal density, sd {tau:.3f}": normal,
}
fig, (ax_lin, ax_log) = make_panels(2)
plot_functions(x, curves, ylabel="density", title="linear scale",
               ax=ax_lin)
plot_functions(x, curves, ylabel="density", log_y=True, ylim=(1e-6, 1),
               title="log scale: the tails", ax=ax_log)
show_figure(
    fig,
    alt="Top: the sigmoid's derivative and a normal density with the "
    "same peak 0.25 look alike near 0. Bottom, on a log scale: the "
    "derivative's tails fall along straight lines, far above the "
    "normal density's parabola-shaped tails.",
)

# %% tags=["remove_input"]
at = 5.0
d_at = sigmoid_derivative(torch.tensor(at)).item()
normal_at = normal_density(torch.tensor(at)).item()
show_markdown(
    "They are not the same curve. $\\sigma'$ is itself a probability "
    f"density (its area over $[-10, 10]$ is **{area:.4f}**): the "
    "density of the *logistic distribution*, with variance "
    "$\\pi^2/3$, that is a standard deviation of "
    f"**{math.pi / math.sqrt(3):.4f}**, wider than the **{tau:.4f}** "
    "of the matched normal. Near $0$ the two look alike, but the "
    f"logistic tails decay like $e^{{-|x|}}$ (straight lines on the "
    "log scale) while the normal ones decay like "
    f"$e^{{-x^2 / 2\\tau^2}}$: at $x = {at:g}$ the derivative is "
    f"**{d_at:.4f}**, the normal density only **{normal_at:.4f}**, "
    f"{d_at / normal_at:.1f} times less. The logistic distribution has "
    f"heavier tails."
)

# %% [markdown]
# ## The sigmoid family
#
# Many S-shaped functions squash the real line into an interval.
# Rescaled to $(0, 1)$ so they can be compared with $\sigma$:
#
# | function | range | rescaled to $(0, 1)$ |
# |---|---|---|
# | logistic $\sigma(x)$ | $(0, 1)$ | $\sigma(x)$ |
# | $\tanh x$ | $(-1, 1)$ | $(\tanh x + 1)/2$ |
# | $\mathrm{erf}\,x$ | $(-1, 1)$ | $(\mathrm{erf}\,x + 1)/2$ |
# | $\arctan x$ | $(-\pi/2, \pi/2)$ | $\arctan(x)/\pi + 1/2$ |
# | $x / \sqrt{1 + x^2}$ | $(-1, 1)$ | $(x/\sqrt{1 + x^2} + 1)/2$ |
#
# ($(\mathrm{erf}\,x + 1)/2$ is the normal CDF at $\sqrt 2\,x$.)

# %%
def algebraic(t):
    """x / sqrt(1 + x^2), rescaled to (0, 1)."""
    return (t / torch.sqrt(1 + t**2) + 1) / 2


family = {
    "logistic σ(x)": torch.sigmoid,
    "(tanh x + 1) / 2": lambda t: (torch.tanh(t) + 1) / 2,
    "(erf x + 1) / 2": lambda t: (torch.erf(t) + 1) / 2,
    "arctan(x) / π + 1/2": lambda t: torch.atan(t) / math.pi + 0.5,
    "(x / √(1 + x²) + 1) / 2": algebraic,
}
slopes = {}
for name, f in family.items():
    zero = torch.zeros((), requires_grad=True)
    (slope,) = torch.autograd.grad(f(zero), zero)
    slopes[name] = slope.item()

# tanh is a shifted and rescaled logistic: tanh(x) = 2 sigma(2x) - 1.
torch.testing.assert_close(torch.tanh(x), 2 * torch.sigmoid(2 * x) - 1)

x_family = torch.linspace(-6, 6, 301)
fig = plot_functions(
    x_family, {name: f(x_family) for name, f in family.items()},
    ylabel="output, rescaled to (0, 1)", hlines=[0.5],
    legend_loc="upper left",
)
show_figure(fig)

# %% tags=["remove_input"]
show_markdown(
    "They share the S shape and differ in steepness at $0$ and in how "
    "fast they reach their limits. Their slopes at $0$, by autograd: "
    + ", ".join(f"{name} **{v:.4f}**" for name, v in slopes.items())
    + ". The rescaled tanh is exactly the logistic function of $2x$, "
    "since $\\tanh x = 2\\sigma(2x) - 1$ (asserted above). The last "
    "two "
    "approach their limits like $1/x$ and $1/x^2$ only, not "
    "exponentially, so they never saturate as hard."
)

# %% [markdown]
# ## tanh and ReLU
#
# When an output should be centred on $0$, for example in the hidden
# layers of a network, $\tanh x = (e^x - e^{-x}) / (e^x + e^{-x})$ is
# the sigmoid of choice: its outputs lie in $(-1, 1)$ and its slope at
# $0$ is $1$. It saturates just like $\sigma$.
#
# The rectified linear unit $\operatorname{ReLU}(x) = \max(0, x)$ is not
# a sigmoid at all: it is unbounded, and no good for a probability. But
# it is what most hidden layers use, and it differs from the sigmoids
# in two ways. Computing it is one comparison per element, where
# $\sigma$ and $\tanh$ each need an exponential. And its derivative is
# exactly $0$ or $1$: for $x > 0$ the gradient passes through unchanged
# instead of being multiplied by a factor of at most $1/4$ or $1$ that
# vanishes in the tails. The derivatives below come from autograd,
# asserted against $1 - \tanh^2 x$ and against the step $[x > 0]$
# (torch takes $0$ at $x = 0$).

# %%
x_act = torch.linspace(-4, 4, 401, requires_grad=True)
activations = {"tanh": torch.tanh, "ReLU": torch.relu}
values, grads = {}, {}
for name, f in activations.items():
    out = f(x_act)
    (grads[name],) = torch.autograd.grad(out.sum(), x_act)
    values[name] = out.detach()
torch.testing.assert_close(grads["tanh"], 1 - values["tanh"] ** 2)
torch.testing.assert_close(grads["ReLU"], (x_act > 0).float())
# and at exactly x = 0, where torch takes the ReLU gradient 0:
x_zero = torch.zeros(1, requires_grad=True)
(grad_at_zero,) = torch.autograd.grad(torch.relu(x_zero).sum(), x_zero)
assert grad_at_zero.item() == 0.0

fig, panels = make_panels(2)
for ax, name in zip(panels, activations, strict=True):
    plot_functions(
        x_act.detach(),
        {
            f"{name}(x)": values[name],
            f"{name}'(x)": grads[name],
        },
        title=name, legend_loc="upper left", ax=ax,
    )
show_figure(fig)

# %% [markdown]
# ## Why a probability needs an output in (0, 1)
#
# Why not predict "passed" directly with a line? Fit the straight line
# of least squares to the toy data of the [next
# page](../logistic-regression/) (1, 2, 3 hours; only the 3-hour student
# passed) and read it as a probability:

# %%
hours = torch.tensor([[1.0], [2.0], [3.0]])
passed = torch.tensor([[0.0], [0.0], [1.0]])
# columns: hours, 1
design = torch.cat([hours, torch.ones_like(hours)], dim=1)
solution = torch.linalg.lstsq(design, passed).solution
slope, intercept = solution.squeeze(1).tolist()
line_0h, line_10h = intercept, slope * 10 + intercept
print(f"least-squares line: {slope:.4f} * hours {intercept:+.4f}")
print(f"'probability' after 0 h: {line_0h:.4f}, "
      f"after 10 h: {line_10h:.4f}")
print("log of the 0 h 'probability':",
      torch.log(torch.tensor(line_0h)).item())

# %% tags=["remove_input"]
show_markdown(
    f"The line gives **{line_0h:.4f}** at 0 hours and "
    f"**{line_10h:.4f}** at 10 hours: not probabilities. A probability "
    "lives in $[0, 1]$; the [loss](../../glossary/#loss-function) of "
    "the next page, the [binary "
    "cross-entropy](../../glossary/#binary-cross-entropy), takes the "
    "logarithm of $\\hat y$ and of $1 - \\hat y$: `nan` for a "
    "negative argument (above), $-\\infty$ at $0$. Composing the line "
    "with $\\sigma$ keeps every prediction strictly inside, whatever "
    "$w$, $b$ and $x$ are; the line itself survives as the *logit*, "
    f"the log-odds $\\log\\frac{{\\hat y}}{{1 - \\hat y}} = w x + b$."
)

# %% [markdown]
# One caveat of floating point: "strictly inside" holds for the real
# numbers, not for `float32`. Where does the computed $\sigma(x)$ become
# exactly $1$?

# %%
grid = torch.arange(0, 40, 0.01)
first_one = grid[torch.sigmoid(grid) == 1.0][0].item()
print("smallest x on the grid with sigmoid(x) == 1.0 in float32:",
      f"{first_one:.2f}")
print(
    "log(1 - sigmoid(x)) there:",
    torch.log(1 - torch.sigmoid(torch.tensor(first_one))).item(),
)

# %% tags=["remove_input"]
show_markdown(
    f"From $x \\approx$ **{first_one:.2f}** on, `float32` rounds "
    "$\\sigma(x)$ to exactly $1$ and $\\log(1 - \\sigma(x))$ becomes "
    "$-\\infty$. That is why the library also has a "
    "[binary cross-entropy from logits][bce-logits] that never "
    "computes $\\sigma$ first.\n\n"
    "[bce-logits]: ../../api/#tutorial_lib.binary_cross_entropy."
    "binary_cross_entropy_with_logits"
)

# %% [markdown]
# ## Summary
#
# - $\sigma(x) = 1/(1 + e^{-x})$ maps the real line into $(0, 1)$; its
#   inverse, the logit $\log\frac{p}{1 - p}$, maps a probability back.
# - $\sigma'(x) = \sigma(x)(1 - \sigma(x))$ peaks at $1/4$ and is tiny
#   where $\sigma$ saturates; it is the logistic density, with heavier
#   tails than a normal one.
# - With the BCE the gradient with respect to the logit is
#   $\hat y - y$: saturated and wrong means a gradient near $\pm 1$.
#   Squared errors on $\sigma$ and saturated hidden units do get
#   vanishing gradients.
# - To check a derivative with autograd, differentiate the formula, not
#   an op whose backward is the closed form you are checking.
#
# ## Exercises
#
# Try each one before opening its solution.

# %% [markdown]
# **Exercise 1.** Derive the inverse of $\sigma$: for which $x$ is
# $\sigma(x) = p$? Which logit gives $p = 0.99$?

# %% [markdown] tags=["solution"]
# **Solution 1.** From $p = 1/(1 + e^{-x})$: $e^{-x} = (1 - p)/p$, so
# $x = \log\frac{p}{1 - p}$, the log-odds or *logit* (`torch.logit`).
# For $p = 0.99$ that is $\log 99$:

# %% tags=["solution"]
p = torch.tensor([0.01, 0.5, 0.99])
torch.testing.assert_close(torch.logit(p), torch.log(p / (1 - p)))
torch.testing.assert_close(torch.sigmoid(torch.logit(p)), p)
print(f"logit(0.99) = {torch.logit(p)[2].item():.4f}, "
      f"log 99 = {math.log(99):.4f}")

# %% [markdown]
# **Exercise 2.** Find the bug: `sigmoid_exp` above agreed with the
# closed form on $[-10, 10]$. Predict its value and its autograd
# gradient at $x = -100$ in `float32`, then run it and compare with
# `torch.sigmoid`.

# %% [markdown] tags=["solution"]
# **Solution 2.** $e^{100}$ overflows `float32` to `inf`. The value
# $1/(1 + \infty) = 0$ is fine, but the backward multiplies
# $-1/(1 + e^{-x})^2 = 0$ by $e^{-x} = \infty$: `nan`. `torch.sigmoid`
# has no such problem: its backward is the closed form
# $\sigma(1 - \sigma)$, computed from the output.

# %% tags=["solution"]
far = torch.tensor([-100.0], requires_grad=True)
value_exp = sigmoid_exp(far)
(grad_exp,) = torch.autograd.grad(value_exp.sum(), far)
(grad_torch,) = torch.autograd.grad(torch.sigmoid(far).sum(), far)
assert value_exp.item() == 0.0 and torch.isnan(grad_exp).all()
assert torch.isfinite(grad_torch).all()
print("sigmoid_exp(-100):", value_exp.item(), "gradient:",
      grad_exp.item(), "| torch.sigmoid gradient:", grad_torch.item())

# %% [markdown]
# **Exercise 3.** Derive the derivative of $\tanh$ from the identity
# $\tanh x = 2\sigma(2x) - 1$ and check it with autograd.

# %% [markdown] tags=["solution"]
# **Solution 3.** By the chain rule $\tanh'(x) = 2 \cdot 2\,\sigma'(2x)
# = 4\sigma(2x)(1 - \sigma(2x))$, which is also $1 - \tanh^2 x$ (the
# tanh and ReLU cell above asserts that form):

# %% tags=["solution"]
x_tanh = torch.linspace(-4, 4, 81, requires_grad=True)
(grad_tanh,) = torch.autograd.grad(torch.tanh(x_tanh).sum(), x_tanh)
s2 = torch.sigmoid(2 * x_tanh.detach())
torch.testing.assert_close(grad_tanh, 4 * s2 * (1 - s2))
print(f"tanh'(0) = {grad_tanh[40].item():.4f}")

# %% [markdown]
# **Exercise 4.** Stack five sigmoids, $\sigma(\sigma(\sigma(\sigma(
# \sigma(x)))))$, as five hidden layers of one unit would. Predict a
# bound on its derivative, then find the largest derivative on
# $[-10, 10]$ with autograd.

# %% [markdown] tags=["solution"]
# **Solution 4.** By the chain rule the derivative is a product of five
# factors $\sigma'(\cdot)$, each at most $1/4$, so it is at most
# $(1/4)^5 \approx 0.001$: the gradient shrinks with every saturating
# layer it passes.

# %% tags=["solution"]
x_deep = torch.linspace(-10, 10, 2001, requires_grad=True)
out = x_deep
for _ in range(5):
    out = torch.sigmoid(out)
(grad_deep,) = torch.autograd.grad(out.sum(), x_deep)
assert grad_deep.max().item() <= 0.25**5
print(f"largest derivative: {grad_deep.max().item():.2e}, "
      f"bound (1/4)^5 = {0.25**5:.2e}")

# %% [markdown]
# Next: [logistic regression](../logistic-regression/), which puts
# $\sigma$ on top of a line and fits it with the BCE.
