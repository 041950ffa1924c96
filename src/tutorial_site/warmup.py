"""Pay once, in the zygote (the last preload), first-use costs every page kernel would pay.

``assert_close`` imports ``torch.distributed.tensor`` on its first call (over a second of
CPU); the first figure loads the fonts and matplotlib's mathtext parser. No state a page can
observe changes: no pyplot figure, no random numbers, no thread.
"""

from __future__ import annotations

import importlib.util
import io

if importlib.util.find_spec("torch") is not None:
    import torch.distributed.tensor  # noqa: F401  (what assert_close imports lazily)
    import torch.testing  # noqa: F401
if importlib.util.find_spec("matplotlib") is not None:
    from matplotlib.figure import Figure

    # A Figure outside pyplot: not registered with any backend, gone when collected.
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0.0, 1.0], [0.0, 1.0], label=r"$\sigma(x) = \frac{1}{1 + e^{-x}}$")
    ax.set_title("warm-up")
    ax.legend()
    fig.tight_layout()
    fig.savefig(io.BytesIO(), format="png", dpi=50, bbox_inches="tight")
    del fig, ax
