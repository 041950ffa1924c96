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
# The [logistic function](../../glossary/#logistic-function), usually called the
# [sigmoid](../../glossary/#sigmoid) in machine learning,
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}},$$
#
# maps any real number into the open interval $(0, 1)$. That is all
# [logistic regression](../../glossary/#logistic-regression) needs to turn a line into a
# probability. This page looks at its shape, its derivative, and its relatives.
#
# Our library's [`sigmoid`](../../api/#tutorial_lib.logistic.sigmoid) computes it from
# $e^{-|x|}$ so that it never overflows; first we check it against `torch.sigmoid`.

# %%
import math

import matplotlib.pyplot as plt
import torch

from tutorial_lib.logistic import sigmoid, sigmoid_derivative
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import show_markdown

torch.set_num_threads(1)  # tensors this small run fastest on one thread

x = torch.linspace(-10, 10, 401)
s = sigmoid(x)
torch.testing.assert_close(s, torch.sigmoid(x))

# %% [markdown]
# ## Saturation: where the curve goes flat
#
# Near $0$ the sigmoid is almost a straight line of slope $1/4$. Far from $0$ it flattens
# against $0$ or $1$: it *saturates*. There a change of the input hardly changes the output,
# so the gradient that training follows almost vanishes.

# %%
edge = 5.0
s_plus, s_minus = sigmoid(torch.tensor([edge, -edge])).tolist()
slope_edge = sigmoid_derivative(torch.tensor(edge)).item()

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(x, s, label=r"$\sigma(x) = 1 / (1 + e^{-x})$")
ax.axvspan(-10, -edge, color="gray", alpha=0.2, label=f"flat: |x| > {edge:g}")
ax.axvspan(edge, 10, color="gray", alpha=0.2)
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
for point, value in ((edge, s_plus), (-edge, s_minus)):
    ax.plot([point], [value], "o", color="tab:red")
    ax.annotate(
        f"σ({point:g}) = {value:.4f}",
        (point, value),
        textcoords="offset points",
        xytext=(-100 if point > 0 else 10, -22 if point > 0 else 12),
    )
ax.set_xlim(-10, 10)
ax.set_xlabel("x")
ax.set_ylabel("σ(x)")
ax.grid(True, alpha=0.3)
ax.legend(loc="upper left")
show_figure(
    fig,
    alt=f"The S-shaped sigmoid on [-10, 10], crossing 0.5 at 0; the regions |x| > {edge:g} "
    f"are shaded, where it is flat at {s_minus:.4f} and {s_plus:.4f} and beyond.",
)

# %% tags=["remove_input"]
show_markdown(
    f"At $x = {edge:g}$ the sigmoid is already **{s_plus:.4f}**, at $x = -{edge:g}$ it is "
    f"**{s_minus:.4f}**, and its slope there is **{slope_edge:.4f}**, "
    f"{0.25 / slope_edge:.0f} times smaller than the slope $0.25$ at $x = 0$. In the shaded "
    f"regions the output barely moves: a model whose [logits](../../glossary/#logits) land there learns slowly, "
    f"because its gradients vanish."
)

# %% [markdown]
# ## Its derivative, by autograd and in closed form
#
# Differentiating $\sigma(x) = (1 + e^{-x})^{-1}$ gives
#
# $$\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \sigma(x)\,\big(1 - \sigma(x)\big).$$
#
# Autograd computes the same thing from the code of `torch.sigmoid`; the page checks it
# against the closed form (and against the library's
# [`sigmoid_derivative`](../../api/#tutorial_lib.logistic.sigmoid_derivative)):

# %%
x_grad = x.clone().requires_grad_(True)
torch.sigmoid(x_grad).sum().backward()  # d/dx_i of sum_j sigma(x_j) is sigma'(x_i)
d_autograd = x_grad.grad
d_closed = s * (1 - s)
torch.testing.assert_close(d_autograd, d_closed)
torch.testing.assert_close(d_autograd, sigmoid_derivative(x))
print(
    f"largest difference between autograd and closed form: {(d_autograd - d_closed).abs().max().item():.1e}"
)

# %% [markdown]
# The derivative is a bell curve with its peak $\sigma'(0) = 1/4$ at $0$. It is tempting to
# call it a normal (Gaussian) density, so let us put the normal density with the same peak
# height next to it: a normal density with standard deviation $\tau$ peaks at
# $1 / (\tau \sqrt{2\pi})$, so $\tau = 4 / \sqrt{2\pi}$. The right panel uses a logarithmic
# scale to show the tails.

# %%
tau = 4 / math.sqrt(2 * math.pi)
normal = torch.exp(-(x**2) / (2 * tau**2)) / (tau * math.sqrt(2 * math.pi))
area = torch.trapezoid(d_closed.double(), x.double()).item()

fig, (ax_lin, ax_log) = plt.subplots(1, 2, figsize=(10, 4))
for ax in (ax_lin, ax_log):
    ax.plot(x, d_closed, label="σ'(x) = σ(x)(1 − σ(x))")
    ax.plot(x, normal, linestyle="--", label=f"normal density, sd {tau:.3f}")
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
ax_lin.set_ylabel("density")
ax_lin.set_title("linear scale")
ax_log.set_yscale("log")
ax_log.set_ylim(1e-6, 1)
ax_log.set_title("log scale: the tails")
ax_lin.legend(loc="upper left", fontsize="small")
fig.tight_layout()
show_figure(
    fig,
    alt="Left: the sigmoid's derivative and a normal density with the same peak 0.25 look "
    "alike near 0. Right, on a log scale: the derivative's tails fall along straight lines, "
    "far above the normal density's parabola-shaped tails.",
)

# %% tags=["remove_input"]
at = 5.0
d_at = sigmoid_derivative(torch.tensor(at)).item()
normal_at = math.exp(-(at**2) / (2 * tau**2)) / (tau * math.sqrt(2 * math.pi))
show_markdown(
    f"They are not the same curve. $\\sigma'$ is itself a probability density (its area over "
    f"$[-10, 10]$ is **{area:.4f}**): the density of the *logistic distribution*, with "
    f"variance $\\pi^2/3$, that is a standard deviation of **{math.pi / math.sqrt(3):.4f}**, "
    f"wider than the **{tau:.4f}** of the matched normal. Near $0$ the two look alike, but "
    f"the logistic tails decay like $e^{{-|x|}}$ (straight lines on the log scale) while the "
    f"normal ones decay like $e^{{-x^2 / 2\\tau^2}}$: at $x = {at:g}$ the derivative is "
    f"**{d_at:.4f}**, the normal density only **{normal_at:.4f}**, "
    f"{d_at / normal_at:.1f} times less. The logistic distribution has heavier tails."
)

# %% [markdown]
# ## The sigmoid family
#
# Many S-shaped functions squash the real line into an interval. Rescaled to $(0, 1)$ so
# they can be compared with $\sigma$:
#
# | function | range | rescaled to $(0, 1)$ |
# |---|---|---|
# | logistic $\sigma(x)$ | $(0, 1)$ | $\sigma(x)$ |
# | $\tanh x$ | $(-1, 1)$ | $(\tanh x + 1)/2$ |
# | $\operatorname{erf} x$ (the normal CDF, rescaled) | $(-1, 1)$ | $(\operatorname{erf} x + 1)/2$ |
# | $\arctan x$ | $(-\pi/2, \pi/2)$ | $\arctan(x)/\pi + 1/2$ |
# | $x / \sqrt{1 + x^2}$ | $(-1, 1)$ | $\big(x/\sqrt{1 + x^2} + 1\big)/2$ |

# %%
family = {
    "logistic σ(x)": lambda t: torch.sigmoid(t),
    "(tanh x + 1) / 2": lambda t: (torch.tanh(t) + 1) / 2,
    "(erf x + 1) / 2": lambda t: (torch.erf(t) + 1) / 2,
    "arctan(x) / π + 1/2": lambda t: torch.atan(t) / math.pi + 0.5,
    "(x / √(1 + x²) + 1) / 2": lambda t: (t / torch.sqrt(1 + t**2) + 1) / 2,
}
x_family = torch.linspace(-6, 6, 301)
slopes = {}
fig, ax = plt.subplots(figsize=(7, 4))
for name, f in family.items():
    ax.plot(x_family, f(x_family), label=name)
    zero = torch.zeros((), requires_grad=True)
    (slope,) = torch.autograd.grad(f(zero), zero)
    slopes[name] = slope.item()
ax.axhline(0.5, color="gray", linestyle="--", linewidth=1)
ax.set_xlabel("x")
ax.set_ylabel("output, rescaled to (0, 1)")
ax.grid(True, alpha=0.3)
ax.legend(loc="upper left", fontsize="small")
show_figure(
    fig,
    alt="Five S-shaped curves through 0.5 at x = 0: the rescaled tanh and erf are steep "
    "and flat by x = 3; x over root of 1 plus x squared starts as steep but approaches 0 "
    "and 1 slowly; arctan is the slowest; the logistic lies in between.",
)

# tanh is a shifted and rescaled logistic: tanh(x) = 2 sigma(2x) - 1.
torch.testing.assert_close(torch.tanh(x), 2 * torch.sigmoid(2 * x) - 1)

# %% tags=["remove_input"]
show_markdown(
    "They share the S shape and differ in steepness at $0$ and in how fast they reach "
    "their limits. Their slopes at $0$, by autograd: "
    + ", ".join(f"{name} **{value:.4f}**" for name, value in slopes.items())
    + ". The rescaled tanh is exactly the logistic function of $2x$, since "
    "$\\tanh x = 2\\sigma(2x) - 1$ (asserted above). The last two approach their limits "
    "like $1/x$ and $1/x^2$ only, not exponentially, so they never saturate as hard."
)

# %% [markdown]
# ## tanh and ReLU
#
# When an output should be centred on $0$, for example in the hidden layers of a network,
# $\tanh x = (e^x - e^{-x}) / (e^x + e^{-x})$ is the sigmoid of choice: its outputs lie in
# $(-1, 1)$ and its slope at $0$ is $1$. It saturates just like $\sigma$.
#
# The rectified linear unit $\operatorname{ReLU}(x) = \max(0, x)$ is not a sigmoid at all:
# it is unbounded, and no good for a probability. But it is what most hidden layers use,
# because it is **cheap**, in two ways. Computing it is one comparison per element, where
# $\sigma$ and $\tanh$ each need an exponential. And its derivative is exactly $0$ or $1$:
# for $x > 0$ the gradient passes through unchanged instead of being multiplied by a
# factor of at most $1/4$ or $1$ that vanishes in the tails.

# %%
x_act = torch.linspace(-4, 4, 401, requires_grad=True)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, (name, f) in zip(
    axes, (("tanh", torch.tanh), ("ReLU", torch.relu)), strict=True
):
    out = f(x_act)
    (grad,) = torch.autograd.grad(out.sum(), x_act)
    ax.plot(x_act.detach(), out.detach(), label=f"{name}(x)")
    ax.plot(x_act.detach(), grad, linestyle="--", label=f"{name}'(x), by autograd")
    ax.set_title(name)
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
axes[0].set_ylim(-1.5, 4)
torch.testing.assert_close(
    torch.autograd.grad(torch.tanh(x_act).sum(), x_act)[0],
    1 - torch.tanh(x_act.detach()) ** 2,
)
fig.tight_layout()
show_figure(
    fig,
    alt="Left: tanh rising from -1 to 1 with its bell-shaped derivative peaking at 1. "
    "Right: ReLU, zero for negative x and the identity for positive x, with a derivative "
    "that steps from 0 to 1 at x = 0.",
)

# %% [markdown]
# ## Why a probability needs an output in (0, 1)
#
# Why not predict "passed" directly with a line? Fit the straight line of least squares to
# the toy data of the [next page](../logistic-regression/) (1, 2, 3 hours; only the
# 3-hour student passed) and read it as a probability:

# %%
hours = torch.tensor([[1.0], [2.0], [3.0]])
passed = torch.tensor([[0.0], [0.0], [1.0]])
design = torch.cat([hours, torch.ones_like(hours)], dim=1)  # columns: hours, 1
slope, intercept = torch.linalg.lstsq(design, passed).solution.squeeze(1).tolist()
line_0h, line_10h = intercept, slope * 10 + intercept
print(f"least-squares line: {slope:.4f} * hours {intercept:+.4f}")
print(f"'probability' after 0 h: {line_0h:.4f}, after 10 h: {line_10h:.4f}")
print("log of the 0 h 'probability':", torch.log(torch.tensor(line_0h)).item())

# %% tags=["remove_input"]
show_markdown(
    f"The line gives **{line_0h:.4f}** at 0 hours and **{line_10h:.4f}** at 10 hours: not "
    f"probabilities. A probability lives in $[0, 1]$; the "
    f"[loss](../../glossary/#loss-function) of the next page, the "
    f"[binary cross-entropy](../../glossary/#binary-cross-entropy), takes the logarithm of "
    f"$\\hat y$ and of $1 - \\hat y$: `nan` for a negative argument (above), $-\\infty$ "
    f"at $0$. Composing the "
    f"line with $\\sigma$ keeps every prediction strictly inside, whatever $w$, $b$ and $x$ "
    f"are; the line itself survives as the *logit*, the log-odds "
    f"$\\log\\frac{{\\hat y}}{{1 - \\hat y}} = w x + b$."
)

# %% [markdown]
# One caveat of floating point: "strictly inside" holds for the real numbers, not for
# `float32`. Where does the computed $\sigma(x)$ become exactly $1$?

# %%
grid = torch.arange(0, 40, 0.01)
first_one = grid[torch.sigmoid(grid) == 1.0][0].item()
print(f"smallest x on the grid with sigmoid(x) == 1.0 in float32: {first_one:.2f}")
print(
    "log(1 - sigmoid(x)) there:",
    torch.log(1 - torch.sigmoid(torch.tensor(first_one))).item(),
)

# %% tags=["remove_input"]
show_markdown(
    f"From $x \\approx$ **{first_one:.2f}** on, `float32` rounds $\\sigma(x)$ to exactly $1$ and "
    f"$\\log(1 - \\sigma(x))$ becomes $-\\infty$. That is why the library also has a "
    f"[binary cross-entropy from logits](../../api/#tutorial_lib.binary_cross_entropy.binary_cross_entropy_with_logits) "
    f"that never computes $\\sigma$ first."
)
