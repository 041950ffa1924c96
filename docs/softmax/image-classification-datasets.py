# %% [markdown]
# # Image classification datasets
#
# Before we can train a classifier we need a [dataset](../../glossary/#dataset) of labelled
# images. This page reads the three small datasets every introduction to image
# [classification](../../glossary/#classification) uses: **Fashion-MNIST** (what the
# softmax-regression pages train on), **MNIST** (handwritten digits) and **CIFAR-10**
# (colour photos, described but not loaded here). Along the way we see torchvision's dataset
# API and why this site loads a whole split into one [tensor](../../glossary/#tensor) instead
# of reading images one by one.

# %%
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torchvision import datasets, transforms

from tutorial_lib.data import load_fashion_mnist, load_mnist, user_cache_dir
from tutorial_lib.plotting import show_figure
from tutorial_lib.report import show_markdown

# %% [markdown]
# ## Torchvision's dataset API
#
# `torchvision.datasets` has one class per dataset, and most tutorials read Fashion-MNIST
# with a call like this one:
#
# ```python
# from torchvision import datasets, transforms
#
# mnist_train = datasets.FashionMNIST(
#     root="../data", train=True, download=True, transform=transforms.ToTensor()
# )
# ```
#
# The dataset classes all take the same four arguments:
#
# - `root`: the folder that holds the data, in torchvision's layout
#   (`<root>/FashionMNIST/raw/train-images-idx3-ubyte`, ...);
# - `train`: `True` for the training split, `False` for the test split;
# - `download`: fetch the files into `root` when they are missing (we build offline, so we
#   pass `False`: a missing file is then an error instead of a network request);
# - `transform`: a function applied to **each image when it is read**, such as
#   `transforms.ToTensor()`, which turns a PIL image of bytes 0-255 into a float tensor of
#   shape `1 x 28 x 28` with values in $[0, 1]$.
#
# This site reads the data through
# [`tutorial_lib.data.load_fashion_mnist`](../../api/#tutorial_lib.data.load_fashion_mnist),
# which finds the files (an explicit folder, the `TUTORIAL_LIB_DATA` variable, the user
# cache, the Debian package `dataset-fashion-mnist`, or a download), checks their content and
# returns the whole split in memory: `images`, a `uint8` tensor `N x 28 x 28`, `labels`, an
# `int64` tensor `N`, and the class names.

# %%
fashion_train = load_fashion_mnist(train=True)
fashion_test = load_fashion_mnist(train=False)
print(fashion_train)
print(fashion_test)

# %% [markdown]
# The library found the files in a folder with torchvision's layout (its own cache when the
# data came from the Debian package or a download), so torchvision's own class can read the
# same files. Here is the call from above, run on that folder with `download=False`:


# %%
def torchvision_root() -> str:
    """The folder in torchvision's layout where the data was found."""
    candidates = [os.environ.get("TUTORIAL_LIB_DATA", ""), str(user_cache_dir())]
    for candidate in filter(None, candidates):
        raw = Path(candidate).expanduser() / "FashionMNIST" / "raw"
        if (raw / "train-images-idx3-ubyte").is_file():
            return str(Path(candidate).expanduser())
    raise FileNotFoundError("no folder in torchvision's layout holds Fashion-MNIST")


root = torchvision_root()
tv_train = datasets.FashionMNIST(
    root=root, train=True, download=False, transform=transforms.ToTensor()
)
image, label = tv_train[0]
print(len(tv_train), type(image).__name__, tuple(image.shape), image.dtype, label)

# %% [markdown]
# Each item is a pair `(image, label)` made on demand: torchvision builds a PIL image from
# the stored bytes and runs `ToTensor` on it. The library holds the same pixels as bytes; we
# check that dividing them by 255 gives exactly torchvision's tensor:

# %%
torch.testing.assert_close(image[0], fashion_train.images[0].float() / 255)
assert label == fashion_train.labels[0].item()

start = time.perf_counter()
items = [tv_train[i] for i in range(1000)]
per_item = (time.perf_counter() - start) / 1000
start = time.perf_counter()
X_batch = fashion_train.images[:1000].float() / 255
whole = time.perf_counter() - start

# %% tags=["remove_input"]
show_markdown(
    f"Reading the first 1,000 images one at a time through the dataset took "
    f"**{per_item * 1e6:.0f} µs per image** in this run (about "
    f"**{per_item * 60_000:.1f} s** for one pass over the 60,000 training images, paid again "
    f"every [epoch](../../glossary/#epoch)); converting the same 1,000 images held in one "
    f"tensor took **{whole * 1e3:.2f} ms** in total. That is why the training pages keep "
    f"each split as one float tensor and form [minibatches](../../glossary/#minibatch) by "
    f"indexing it."
)

# %% [markdown]
# ## Fashion-MNIST
#
# Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) was made as a drop-in replacement for MNIST
# that is harder to classify: small grey-scale photos of clothes from Zalando's catalogue.

# %%
num_classes = len(fashion_train.classes)
height, width = fashion_train.images.shape[1:]

# %% tags=["remove_input"]
show_markdown(
    f"The training split holds **{len(fashion_train):,}** images and the test split "
    f"**{len(fashion_test):,}**, each **{height} x {width}** pixels with one grey channel "
    f"(bytes 0-255), in **{num_classes}** classes."
)

# %% [markdown]
# The labels are the numbers 0 to 9; `classes[k]` names label `k`:

# %%
counts_train = torch.bincount(fashion_train.labels, minlength=num_classes)
counts_test = torch.bincount(fashion_test.labels, minlength=num_classes)
assert counts_train.sum() == len(fashion_train) and counts_test.sum() == len(fashion_test)

# %% tags=["remove_input"]
rows = "\n".join(
    f"| {k} | {name} | {int(counts_train[k]):,} | {int(counts_test[k]):,} |"
    for k, name in enumerate(fashion_train.classes)
)
show_markdown("| label | class | training images | test images |\n|---:|---|---:|---:|\n" + rows)

# %% [markdown]
# The counts above are computed from the labels: every class has the same number of images,
# so a classifier that always answers the same class is right only one time in ten; the
# accuracy of random guessing is our baseline.
#
# Eight training images of each class, one class per row:


# %%
def sample_grid(split, per_class: int, *, seed: int = 0):
    """A figure with ``per_class`` random images of each class of ``split``, one row each."""
    generator = torch.Generator().manual_seed(seed)
    fig, axes = plt.subplots(
        len(split.classes), per_class, figsize=(per_class * 0.9, len(split.classes) * 0.95)
    )
    for k, name in enumerate(split.classes):
        (indices,) = torch.nonzero(split.labels == k, as_tuple=True)
        chosen = indices[torch.randperm(len(indices), generator=generator)[:per_class]]
        for ax, index in zip(axes[k], chosen, strict=True):
            ax.imshow(split.images[index].numpy(), cmap="gray_r", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[k, 0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout(pad=0.2)
    return fig


fig = sample_grid(fashion_train, per_class=8)
show_figure(
    fig,
    alt="Grid of Fashion-MNIST training images, eight per class, one row for each of the ten "
    "classes from T-shirt/top to Ankle boot.",
)

# %% [markdown]
# Shirts, T-shirts, pullovers and coats look alike at 28 x 28 pixels; expect the classifier
# to confuse them most.
#
# ## MNIST
#
# MNIST (LeCun et al., 1998) holds handwritten digits with the same sizes: 60,000 training
# and 10,000 test images of 28 x 28 grey pixels in ten classes, the digits 0 to 9. The
# library loads it the same way:

# %%
mnist_train = load_mnist(train=True)
print(mnist_train)
print(mnist_train.classes)

fig = sample_grid(mnist_train, per_class=8, seed=1)
show_figure(
    fig,
    alt="Grid of MNIST training images, eight handwritten digits per row, one row for each "
    "digit from 0 to 9.",
)

# %% [markdown]
# ## CIFAR-10
#
# CIFAR-10 (Krizhevsky, 2009) is the next step up: **50,000 training and 10,000 test
# colour images of 32 x 32 pixels** (three channels, so each image is a `3 x 32 x 32`
# tensor after `ToTensor`) in ten classes: airplane, automobile, bird, cat, deer, dog, frog,
# horse, ship and truck. Torchvision reads it with the same API:
#
# ```python
# from torchvision import datasets, transforms
#
# cifar_train = datasets.CIFAR10(
#     root="data", train=True, download=True, transform=transforms.ToTensor()
# )
# cifar_test = datasets.CIFAR10(
#     root="data", train=False, download=True, transform=transforms.ToTensor()
# )
# print(len(cifar_train), len(cifar_test), cifar_train.classes)
# ```
#
# This code is shown, not run: CIFAR-10 is a 170 MB download, the site is built offline
# (only the Fashion-MNIST and MNIST files are available on the build machine), and a page
# whose data cannot be fetched would break the build. A linear model on raw pixels also does
# poorly on CIFAR-10, which needs the convolutional networks of later chapters.
#
# ## A note on `num_workers`
#
# `torch.utils.data.DataLoader(dataset, batch_size=256, shuffle=True, num_workers=4)` reads
# the items in four worker processes, which helps when each item costs real work (decoding a
# JPEG, augmenting an image). Many tutorials set it to 4; but worker processes behave
# differently across platforms (on Windows and macOS they are started with `spawn` and
# re-import the script, so code outside `if __name__ == "__main__":` runs again and lambdas
# cannot be pickled), and on a 2-core machine they compete with training for the CPU.
# **`num_workers=0`**, loading in the main process, is the portable default, and it is what
# a split held in memory needs anyway: indexing a tensor costs microseconds.
