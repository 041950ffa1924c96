# %% [markdown]
# # Loss functions for regression
#
# Cross-entropy is the loss for [classification](../../glossary/#classification). When the
# target is a real number ([regression](../../glossary/#regression)), the loss measures the
# size of the residual $r = \hat{y} - y$. Three choices cover most needs: the
# [L2 loss](../../glossary/#l2-loss) (squared error), the [L1 loss](../../glossary/#l1-loss)
# (absolute error) and the [Huber loss](../../glossary/#huber-loss), which is L2 near zero
# and L1 far away. What tells them apart is their gradient: it is what
# [gradient descent](../../glossary/#gradient-descent) follows.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn

from tutorial_lib.plotting import show_figure
from tutorial_lib.report import show_markdown

# %% [markdown]
# ## The three losses and their gradients
#
# For one residual $r = \hat{y} - y$, and a threshold $\delta > 0$ for Huber:
#
# $$l_2(r) = \tfrac{1}{2} r^2, \qquad \frac{\partial l_2}{\partial \hat{y}} = r,$$
#
# $$l_1(r) = |r|, \qquad \frac{\partial l_1}{\partial \hat{y}} = \mathrm{sign}(r),$$
#
# $$l_\delta(r) = \begin{cases} \tfrac{1}{2} r^2 & |r| \leq \delta \\
#   \delta \left(|r| - \tfrac{1}{2}\delta\right) & |r| > \delta \end{cases}, \qquad
#   \frac{\partial l_\delta}{\partial \hat{y}} = \mathrm{clip}(r, -\delta, \delta).$$
#
# The L2 gradient grows with the error, the L1 gradient has the same size for every error
# (and is undefined at 0, where PyTorch uses 0), and the Huber gradient is the L2 gradient
# clipped at $\pm\delta$.


# %%
def l2_loss(y_hat, y):
    return 0.5 * (y_hat - y) ** 2


def l1_loss(y_hat, y):
    return (y_hat - y).abs()


def huber_loss(y_hat, y, delta=1.0):
    r = (y_hat - y).abs()
    return torch.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))


closed_form_gradients = {
    "L2": lambda r: r,
    "L1": lambda r: torch.sign(r),
    "Huber": lambda r: r.clamp(-1.0, 1.0),
}
losses = {"L2": l2_loss, "L1": l1_loss, "Huber": huber_loss}

# %% [markdown]
# Autograd agrees with the closed forms on a grid of residuals (the target is 0, so
# $\hat{y} = r$):

# %%
residual = torch.linspace(-3, 3, 241, dtype=torch.float64)
gradients = {}
for name, loss_fn in losses.items():
    y_hat = residual.clone().requires_grad_()
    loss_fn(y_hat, torch.zeros_like(y_hat)).sum().backward()
    torch.testing.assert_close(y_hat.grad, closed_form_gradients[name](residual))
    gradients[name] = y_hat.grad

# %%
fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(9, 3.4))
zero = torch.zeros_like(residual)
for name, loss_fn in losses.items():
    ax_loss.plot(residual, loss_fn(residual, zero), label=name)
    ax_grad.plot(residual, gradients[name], label=name)
ax_loss.set_title("loss")
ax_grad.set_title(r"gradient $\partial l / \partial \hat{y}$")
for ax in (ax_loss, ax_grad):
    ax.set_xlabel(r"residual $r = \hat{y} - y$")
    ax.grid(True, alpha=0.3)
    ax.legend()
fig.tight_layout()
show_figure(
    fig,
    alt="Left: the L2 loss is a parabola, the L1 loss a V, and the Huber loss follows the "
    "parabola between -1 and 1 and then grows linearly. Right: their gradients: a straight "
    "line for L2, a step from -1 to 1 for L1, and for Huber the line clipped at -1 and 1.",
)

# %% [markdown]
# ## PyTorch's loss modules
#
# `nn.MSELoss`, `nn.L1Loss` and `nn.HuberLoss` average over the batch by default
# (`reduction="mean"`). Watch the factor: `nn.MSELoss` is the mean of $r^2$, **without** the
# $\tfrac{1}{2}$ that makes the L2 gradient exactly $r$; `nn.HuberLoss(delta=1.0)` has it.

# %%
torch.manual_seed(0)
y_hat = torch.randn(100) * 2
y = torch.randn(100) * 2
torch.testing.assert_close(nn.MSELoss()(y_hat, y), 2 * l2_loss(y_hat, y).mean())
torch.testing.assert_close(nn.L1Loss()(y_hat, y), l1_loss(y_hat, y).mean())
torch.testing.assert_close(nn.HuberLoss(delta=1.0)(y_hat, y), huber_loss(y_hat, y).mean())
torch.testing.assert_close(
    nn.HuberLoss(delta=0.5)(y_hat, y), huber_loss(y_hat, y, delta=0.5).mean()
)

# %% [markdown]
# ## When to use which
#
# Fit a single number $c$ to the data $0, 1, 1.5, 4$ and an outlier, $100$, by minimising
# each loss with gradient descent. The L2 loss is minimised by the **mean**, the L1 loss by
# the **median**, and Huber lands in between, close to the median:

# %%
data = torch.tensor([0.0, 1.0, 1.5, 4.0, 100.0])
fitted = {}
for name, loss_fn in losses.items():
    c = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.SGD([c], lr=0.1)
    for _ in range(500):
        optimizer.zero_grad()
        loss_fn(c, data).mean().backward()
        optimizer.step()
    fitted[name] = c.item()
assert abs(fitted["L2"] - data.mean().item()) < 1e-3
assert abs(fitted["L1"] - data.median().item()) < 0.1
assert data.median().item() < fitted["Huber"] < data.mean().item()

# %% tags=["remove_input"]
show_markdown(
    f"Fitted constants: L2 **{fitted['L2']:.3f}** (the mean is {data.mean().item():.3f}), "
    f"L1 **{fitted['L1']:.3f}** (the median is {data.median().item():.3f}), "
    f"Huber **{fitted['Huber']:.3f}**. One bad point dragged the L2 fit far from the "
    f"four good ones."
)

# %% [markdown]
# - **L2** (`nn.MSELoss`): the default when errors are roughly Gaussian; smooth, with a
#   gradient that shrinks as the fit improves, so a fixed
#   [learning rate](../../glossary/#learning-rate) converges nicely. Its weakness is
#   outliers: a residual 10 times larger pulls 10 times harder.
# - **L1** (`nn.L1Loss`): robust to outliers (every point pulls equally hard), predicts the
#   median; but its gradient does not shrink near the optimum, so plain SGD keeps jumping
#   around it unless the learning rate decays.
# - **Huber** (`nn.HuberLoss`, also called smooth L1 up to a scale): L2's smooth
#   behaviour for small errors and L1's robustness for large ones; $\delta$ sets where an
#   error starts to count as an outlier, in the units of the target.
