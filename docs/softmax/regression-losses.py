# %% [markdown]
# # Loss functions for regression
#
# Cross-entropy is the loss for
# [classification](../../glossary/#classification). When the target
# is a real number ([regression](../../glossary/#regression)), the
# loss measures the size of the residual $r = \hat{y} - y$. Three
# choices cover most needs: the [L2 loss](../../glossary/#l2-loss)
# (squared error), the [L1 loss](../../glossary/#l1-loss) (absolute
# error) and the [Huber loss](../../glossary/#huber-loss), which is L2
# near zero and L1 far away. What tells them apart is their gradient:
# it is what [gradient descent](../../glossary/#gradient-descent)
# follows. Each also corresponds to a model of the noise in the
# targets, as the likelihood section shows for L2.

# %%
import math
from itertools import pairwise

import torch
from torch import nn
from torch.distributions import Laplace, Normal

from tutorial_lib.plotting import (
    make_panels,
    plot_functions,
    show_figure,
)
from tutorial_lib.report import show_markdown

# %% [markdown]
# ## The three losses and their gradients
#
# For one residual $r = \hat{y} - y$, and a threshold $\delta > 0$
# for Huber:
#
# $$l_2(r) = \tfrac{1}{2} r^2, \qquad
#   \frac{\partial l_2}{\partial \hat{y}} = r,$$
#
# $$l_1(r) = |r|, \qquad
#   \frac{\partial l_1}{\partial \hat{y}} = \mathrm{sign}(r),$$
#
# $$l_\delta(r) = \begin{cases} \tfrac{1}{2} r^2 & |r| \leq \delta \\
#   \delta \left(|r| - \tfrac{1}{2}\delta\right) & |r| > \delta
#   \end{cases}, \qquad
#   \frac{\partial l_\delta}{\partial \hat{y}}
#   = \mathrm{clip}(r, -\delta, \delta).$$
#
# The L2 gradient grows with the error, the L1 gradient has the same
# size for every error (and is undefined at 0, where PyTorch uses 0),
# and the Huber gradient is the L2 gradient clipped at $\pm\delta$.


# %%
def l2_loss(y_hat, y):
    return 0.5 * (y_hat - y) ** 2


def l1_loss(y_hat, y):
    return (y_hat - y).abs()


def huber_loss(y_hat, y, delta=1.0):
    r = (y_hat - y).abs()
    linear = delta * (r - 0.5 * delta)
    return torch.where(r <= delta, 0.5 * r**2, linear)


closed_form_gradients = {
    "L2": lambda r: r,
    "L1": lambda r: torch.sign(r),
    "Huber": lambda r: r.clamp(-1.0, 1.0),
}
losses = {"L2": l2_loss, "L1": l1_loss, "Huber": huber_loss}

# %% [markdown]
# Autograd agrees with the closed forms on a grid of residuals (the
# target is 0, so $\hat{y} = r$), and gives the L1 loss gradient 0 at
# a residual of exactly 0:

# %%
residual = torch.linspace(-3, 3, 241, dtype=torch.float64)
gradients = {}
for name, loss_fn in losses.items():
    y_hat = residual.clone().requires_grad_()
    loss_fn(y_hat, torch.zeros_like(y_hat)).sum().backward()
    expected = closed_form_gradients[name](residual)
    torch.testing.assert_close(y_hat.grad, expected)
    gradients[name] = y_hat.grad

at_zero = torch.zeros((), requires_grad=True)
l1_loss(at_zero, torch.zeros(())).backward()
assert at_zero.grad == 0

# %%
zero = torch.zeros_like(residual)
fig, (ax_loss, ax_grad) = make_panels(2, sharex=True)
curves = {name: fn(residual, zero) for name, fn in losses.items()}
plot_functions(residual, curves, xlabel="residual r", ylabel="loss",
               ax=ax_loss)
plot_functions(residual, gradients, xlabel="residual r",
               ylabel="gradient", ax=ax_grad)
show_figure(fig, alt="Top: the L2, L1 and Huber losses against the "
            "residual r from -3 to 3: a parabola, a V, and a parabola "
            "that turns linear beyond -1 and 1. Bottom: their "
            "gradients: the line r, the step sign(r), and r clipped "
            "at -1 and 1.")

# %% [markdown]
# ## The likelihood behind the L2 loss
#
# Note 001 (`001_f3c756109ef103f7.txt`) draws the L2 loss with two
# more curves, and comments (the figure itself is not in the notes
# file, only the empty line where it stood):
#
# > ```text
# > 均方损失 L2 Loss
# >
# > 绿色曲线是似然函数,黄色为梯度
# > 当离原点较远的时候,对参数的更新幅度可能较大,这里引出L1 Loss
# > ```
#
# ("Squared loss, L2 loss. The green curve is the likelihood
# function, the yellow one the gradient. Far from the origin the
# update of the parameters can be large; this leads to the L1 loss.")
#
# The likelihood is the density of the observed target under a model
# of the noise. If $y = \hat{y} + \varepsilon$ with Gaussian noise
# $\varepsilon \sim \mathcal{N}(0, 1)$, a residual $r$ has likelihood
#
# $$p(y \mid \hat{y}) = \frac{1}{\sqrt{2\pi}}
#   \exp\left(-\tfrac{1}{2} r^2\right), \qquad
#   -\log p(y \mid \hat{y}) = \tfrac{1}{2} r^2
#   + \tfrac{1}{2}\log(2\pi).$$
#
# Its negative log is the L2 loss plus a constant, so minimising the
# L2 loss is maximising the Gaussian likelihood of the targets (with
# noise variance $\sigma^2$, the loss is scaled by $1/\sigma^2$,
# which moves no minimum). `torch.distributions.Normal` agrees:

# %%
gaussian = Normal(0.0, 1.0)
likelihood = gaussian.log_prob(residual).exp()
constant = 0.5 * math.log(2 * math.pi)
torch.testing.assert_close(
    -gaussian.log_prob(residual), l2_loss(residual, zero) + constant
)

fig = plot_functions(
    residual,
    {"L2 loss": l2_loss(residual, zero), "gradient": gradients["L2"],
     "likelihood": likelihood},
    xlabel="residual r", ylabel="value",
)
show_figure(fig)

# %%
r_far = 3.0
near = gaussian.log_prob(torch.tensor(0.0)).exp().item()
far = gaussian.log_prob(torch.tensor(r_far)).exp().item()

# %% tags=["remove_input"]
show_markdown(
    f"The likelihood peaks at $r = 0$ with "
    f"$1/\\sqrt{{2\\pi}} =$ **{near:.4f}** and has fallen to "
    f"**{far:.4f}** at $r = {r_far:g}$; the constant in its negative "
    f"log is $\\tfrac{{1}}{{2}}\\log(2\\pi) =$ **{constant:.4f}**. "
    f"The gradient is the residual itself, {r_far:g} at $r = "
    f"{r_far:g}$: the note's point that far from the origin the "
    f"updates are large, and the reason to look at the L1 loss."
)

# %% [markdown]
# ## PyTorch's loss modules
#
# `nn.MSELoss`, `nn.L1Loss` and `nn.HuberLoss` average over the batch
# by default (`reduction="mean"`). Watch the factor: `nn.MSELoss` is
# the mean of $r^2$, **without** the $\tfrac{1}{2}$ that makes the L2
# gradient exactly $r$; `nn.HuberLoss(delta=1.0)` has it.
# `nn.SmoothL1Loss(beta=b)` is the Huber loss with $\delta = b$
# divided by $b$.

# %%
torch.manual_seed(0)
y_hat = torch.randn(100) * 2
y = torch.randn(100) * 2
torch.testing.assert_close(
    nn.MSELoss()(y_hat, y), 2 * l2_loss(y_hat, y).mean()
)
torch.testing.assert_close(
    nn.L1Loss()(y_hat, y), l1_loss(y_hat, y).mean()
)
torch.testing.assert_close(
    nn.HuberLoss(delta=1.0)(y_hat, y), huber_loss(y_hat, y).mean()
)
torch.testing.assert_close(
    nn.HuberLoss(delta=0.5)(y_hat, y),
    huber_loss(y_hat, y, delta=0.5).mean(),
)
torch.testing.assert_close(
    nn.SmoothL1Loss(beta=0.5)(y_hat, y),
    nn.HuberLoss(delta=0.5)(y_hat, y) / 0.5,
)

# %% [markdown]
# ## When to use which
#
# Fit a single number $c$ to the data $0, 1, 1.5, 4$ and an outlier,
# $100$, by minimising each loss with gradient descent. The L2 loss is
# minimised by the **mean**, the L1 loss by the **median**, and Huber
# lands in between, close to the median:


# %%
def fit_constant(loss_fn, data, lr=0.1, num_steps=500):
    """Minimise the mean loss over ``data``; return every iterate."""
    c = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.SGD([c], lr=lr)
    path = []
    for _ in range(num_steps):
        optimizer.zero_grad()
        loss_fn(c, data).mean().backward()
        optimizer.step()
        path.append(c.item())
    return path


data = torch.tensor([0.0, 1.0, 1.5, 4.0, 100.0])
paths = {name: fit_constant(fn, data) for name, fn in losses.items()}
fitted = {name: path[-1] for name, path in paths.items()}
assert abs(fitted["L2"] - data.mean().item()) < 1e-3
assert abs(fitted["L1"] - data.median().item()) < 0.1
assert data.median().item() < fitted["Huber"] < data.mean().item()
median_gap = fitted["Huber"] - data.median().item()
assert median_gap < (data.mean().item() - fitted["Huber"]) / 10  # close
last_l1 = paths["L1"][-4:]
assert len(set(last_l1)) > 1  # L1 is still moving after 500 steps

# %% tags=["remove_input"]
show_markdown(
    f"Fitted constants: L2 **{fitted['L2']:.3f}** (the mean is "
    f"{data.mean().item():.3f}), L1 **{fitted['L1']:.3f}** (the "
    f"median is {data.median().item():.3f}), Huber "
    f"**{fitted['Huber']:.3f}**. One bad point dragged the L2 fit far "
    f"from the four good ones. The last four L1 iterates, "
    + ", ".join(f"{v:.3f}" for v in last_l1)
    + ", still jump around the median."
)

# %% [markdown]
# - **L2** (`nn.MSELoss`): the default when errors are roughly
#   Gaussian (it is their negative log-likelihood); smooth, with a
#   gradient that shrinks as the fit improves, so a fixed
#   [learning rate](../../glossary/#learning-rate) converges nicely.
#   Its weakness is outliers: a residual 10 times larger pulls 10
#   times harder.
# - **L1** (`nn.L1Loss`): robust to outliers (every point pulls
#   equally hard), predicts the median; but its gradient does not
#   shrink near the optimum, so plain SGD keeps jumping around it
#   unless the learning rate decays.
# - **Huber** (`nn.HuberLoss`, or `nn.SmoothL1Loss` up to a scale):
#   L2's smooth behaviour for small errors and L1's robustness for
#   large ones; $\delta$ sets where an error starts to count as an
#   outlier, in the units of the target.
#
# ## Summary
#
# - L2, L1 and Huber losses measure the residual
#   $r = \hat{y} - y$; their gradients are $r$, $\mathrm{sign}(r)$
#   and $r$ clipped at $\pm\delta$.
# - The L2 loss is the negative log-likelihood of Gaussian noise, up
#   to a constant: minimising it fits the mean.
# - The L1 loss fits the median and ignores how far an outlier is;
#   Huber sits in between.
# - `nn.MSELoss` has no $\tfrac{1}{2}$, `nn.HuberLoss` has it, and
#   `nn.SmoothL1Loss` is Huber divided by $\delta$.
#
# ## Exercises
#
# **Exercise 1.** Predict, then run: move the outlier from 100 to
# 1000. What happens to the three fitted constants?

# %% [markdown] tags=["solution"]
# **Solution 1.** The L2 fit follows the mean, far out; the L1 and
# Huber fits do not move, since their gradients only see on which
# side of $c$ the outlier lies:

# %% tags=["solution"]
data_far = torch.tensor([0.0, 1.0, 1.5, 4.0, 1000.0])
fitted_far = {
    name: fit_constant(fn, data_far)[-1] for name, fn in losses.items()
}
print({name: round(value, 3) for name, value in fitted_far.items()})
assert abs(fitted_far["L2"] - data_far.mean().item()) < 1e-2
for name in ["L1", "Huber"]:
    assert abs(fitted_far[name] - fitted[name]) < 1e-3

# %% [markdown]
# **Exercise 2.** Derive the constant $c$ that minimises the mean L2
# loss $\frac{1}{n}\sum_i \tfrac{1}{2}(c - x_i)^2$.

# %% [markdown] tags=["solution"]
# **Solution 2.** The derivative is $\frac{1}{n}\sum_i (c - x_i)
# = c - \bar{x}$, zero only at $c = \bar{x}$, the mean; the second
# derivative is 1, so it is a minimum. Gradient descent found it
# above (asserted against `data.mean()`), and each step of size
# $\eta$ shrinks the distance to the mean by the factor $1 - \eta$,
# since $c - \eta (c - \bar{x}) - \bar{x} = (1 - \eta)(c - \bar{x})$.
# Autograd and a few steps of `fit_constant` agree:

# %% tags=["solution"]
c = torch.tensor(5.0, requires_grad=True)
(slope,) = torch.autograd.grad(
    l2_loss(c, data).mean(), c, create_graph=True
)
(curvature,) = torch.autograd.grad(slope, c)
torch.testing.assert_close(slope, c - data.mean())
torch.testing.assert_close(curvature, torch.tensor(1.0))

lr = 0.1
steps = [0.0, *fit_constant(l2_loss, data, lr=lr, num_steps=5)]
gaps = [c_k - data.mean().item() for c_k in steps]
for before, after in pairwise(gaps):
    assert math.isclose(after, (1 - lr) * before, rel_tol=1e-5)
print("distance to the mean:", [round(g, 3) for g in gaps])

# %% [markdown]
# **Exercise 3.** Change Huber's $\delta$: fit the same data with
# $\delta = 0.1$ and $\delta = 200$. Which loss does each behave like?

# %% [markdown] tags=["solution"]
# **Solution 3.** With $\delta = 200$ every residual is "small", so
# Huber is the L2 loss and fits the mean; with $\delta = 0.1$ almost
# every residual is "large", so it behaves like L1 and fits the
# median:

# %% tags=["solution"]
fitted_small = fit_constant(
    lambda c, x: huber_loss(c, x, delta=0.1), data
)[-1]
fitted_large = fit_constant(
    lambda c, x: huber_loss(c, x, delta=200.0), data
)[-1]
print(f"delta 0.1: {fitted_small:.3f}, delta 200: {fitted_large:.3f}")
assert abs(fitted_large - data.mean().item()) < 1e-3
assert abs(fitted_small - data.median().item()) < 0.05

# %% [markdown]
# **Exercise 4.** The L2 loss is the negative log-likelihood of
# Gaussian noise. Which noise distribution gives the L1 loss? Check
# it with `torch.distributions`.

# %% [markdown] tags=["solution"]
# **Solution 4.** The Laplace distribution with density
# $\frac{1}{2} e^{-|r|}$: its negative log is $|r| + \log 2$, the L1
# loss plus a constant. Its heavier tails make large residuals far
# more likely than under a Gaussian, which is why the L1 fit worries
# less about outliers:

# %% tags=["solution"]
laplace = Laplace(0.0, 1.0)
torch.testing.assert_close(
    -laplace.log_prob(residual), l1_loss(residual, zero) + math.log(2)
)
tail_ratio = (laplace.log_prob(torch.tensor(6.0))
              - gaussian.log_prob(torch.tensor(6.0))).exp()
print(f"at r = 6, Laplace / Gaussian density: {tail_ratio:.0f}")
assert tail_ratio > 1

# %% [markdown]
# Next: [Softmax regression
# from scratch](../softmax-regression-scratch/) trains a classifier on
# Fashion-MNIST with the cross-entropy loss.
