"""First-use work every page kernel would repeat, done once in the preload zygote.

Listed last in the plugin's ``preload`` option, this module is imported by the zygote
(:mod:`tutorial_site.zygote`) after torch and matplotlib, so every forked page kernel
inherits what it prepares instead of paying for it again:

* ``torch.testing.assert_close``, with which every page checks itself, imports
  ``torch.distributed.tensor`` on its first call (over a second of CPU);
* the first figure a process draws loads the fonts and builds matplotlib's mathtext
  parser (a few tenths of a second).

It changes no state a page can observe: the warm-up figure is closed (figure numbers start
again at 1) and no random generator is used. Importing it starts no thread, which the zygote
checks before it forks.
"""

from __future__ import annotations

import importlib.util
import io


def warm_up() -> None:
    """Pay the first-use costs of ``assert_close`` and of drawing a figure with math text."""
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


warm_up()
