# %% [markdown]
# # Image classification datasets
#
# Before we can train a classifier we need a
# [dataset](../../glossary/#dataset) of labelled images. This page
# reads the three small datasets every introduction to image
# [classification](../../glossary/#classification) uses:
# **Fashion-MNIST** (what the softmax-regression pages train on),
# **MNIST** (handwritten digits) and **CIFAR-10** (colour photos,
# described but not loaded here). Along the way we see torchvision's
# dataset API and why this site loads a whole split into one
# [tensor](../../glossary/#tensor) instead of reading images one by
# one.

# %%
import inspect
import os
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from tutorial_lib.data import (
    load_fashion_mnist,
    load_mnist,
    user_cache_dir,
)
from tutorial_lib.plotting import show_figure, show_images
from tutorial_lib.report import show_markdown

# %% [markdown]
# ## Torchvision's dataset API
#
# `torchvision.datasets` has one class per dataset, and most
# tutorials read Fashion-MNIST with a call like this one:
#
# ```python
# from torchvision import datasets, transforms
#
# mnist_train = datasets.FashionMNIST(
#     root="../data", train=True, download=True,
#     transform=transforms.ToTensor(),
# )
# ```
#
# The classes do not all take the same arguments. Here are the
# parameters of a few of them, read from the installed torchvision:

# %%
classes_to_compare = [
    datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST,
    datasets.CIFAR10, datasets.CIFAR100,
    datasets.SVHN, datasets.STL10, datasets.CelebA, datasets.EMNIST,
]
parameters = {
    cls.__name__: list(inspect.signature(cls).parameters)
    for cls in classes_to_compare
}
for name, names in parameters.items():
    print(f"{name:13}", ", ".join(names))

mnist_family = [
    "MNIST", "FashionMNIST", "KMNIST", "CIFAR10", "CIFAR100"
]
same_five = [
    "root", "train", "transform", "target_transform", "download"
]
assert all(parameters[name] == same_five for name in mnist_family)
assert all(
    "split" in parameters[name] and "train" not in parameters[name]
    for name in ["SVHN", "STL10", "CelebA", "EMNIST"]
)
print("SVHN splits:  ", list(datasets.SVHN.split_list))
print("STL10 splits: ", list(datasets.STL10.splits))
print("EMNIST splits:", list(datasets.EMNIST.splits))
assert issubclass(datasets.EMNIST, datasets.MNIST)
emnist = inspect.signature(datasets.EMNIST).parameters
assert emnist["kwargs"].kind is inspect.Parameter.VAR_KEYWORD

# %% [markdown]
# The MNIST family (MNIST, FashionMNIST, KMNIST) and CIFAR-10/100
# share the same five parameters:
#
# - `root`: the folder that holds the data, in torchvision's layout
#   (`root/FashionMNIST/raw/train-images-idx3-ubyte`, ...);
# - `train`: `True` for the training split, `False` for the test
#   split;
# - `transform`: a function applied to **each image when it is
#   read**, such as `transforms.ToTensor()`, which turns a PIL image
#   of bytes 0-255 into a float tensor of shape `1 x 28 x 28` with
#   values in $[0, 1]$;
# - `target_transform`: a function applied to each label when it is
#   read (an exercise below uses it);
# - `download`: fetch the files into `root` when they are missing
#   (we build offline, so we pass `False`: a missing file is then an
#   error instead of a network request).
#
# Other datasets name the split with a string instead of `train`:
# SVHN, STL10 and CelebA take `split="train"`, `"test"` or one of
# their own (SVHN's and STL10's are printed above). EMNIST's
# required `split` is something else again: it names one of the
# subsets printed above, and the training or test part is still
# chosen by `train=`, which EMNIST, a subclass of MNIST, passes on
# to MNIST with the other keyword arguments (its `kwargs`, checked
# above). Read the signature before you assume.
#
# This site reads the data through
# [`tutorial_lib.data.load_fashion_mnist`][load_fashion_mnist],
# which finds the files (an explicit folder, the `TUTORIAL_LIB_DATA`
# variable, the user cache, the Debian package
# `dataset-fashion-mnist`, or a download), checks their content and
# returns the whole split in memory: `images`, a `uint8` tensor
# `N x 28 x 28`, `labels`, an `int64` tensor `N`, and the class
# names.
#
# [load_fashion_mnist]: ../../api/#tutorial_lib.data.load_fashion_mnist

# %%
fashion_train = load_fashion_mnist(train=True)
fashion_test = load_fashion_mnist(train=False)
for split in (fashion_train, fashion_test):
    print(split.name, "train" if split.train else "test",
          tuple(split.images.shape), split.images.dtype,
          tuple(split.labels.shape), split.labels.dtype)

# %% [markdown]
# The library found the files in a folder with torchvision's layout
# (its own cache when the data came from the Debian package or a
# download), so torchvision's own class can read the same files. Here
# is the call from above, run on that folder with `download=False`:


# %%
def torchvision_root() -> str:
    """The folder in torchvision's layout where the data was found."""
    candidates = [
        os.environ.get("TUTORIAL_LIB_DATA", ""), str(user_cache_dir())
    ]
    for candidate in filter(None, candidates):
        folder = Path(candidate).expanduser()
        raw = folder / "FashionMNIST" / "raw"
        if (raw / "train-images-idx3-ubyte").is_file():
            return str(folder)
    raise FileNotFoundError("no folder in torchvision's layout")


root = torchvision_root()
tv_train = datasets.FashionMNIST(
    root=root, train=True, download=False,
    transform=transforms.ToTensor(),
)
image, label = tv_train[0]
print(len(tv_train), type(image).__name__, tuple(image.shape),
      image.dtype, label)

# %% [markdown]
# The same call on an empty folder shows what `download=False`
# buys: an error at once, not a network request.

# %%
with tempfile.TemporaryDirectory() as empty:
    try:
        datasets.FashionMNIST(root=empty, download=False)
    except RuntimeError as error:
        print("RuntimeError:", error)
    else:
        raise AssertionError("no error for a folder without data")

# %% [markdown]
# Each item is a pair `(image, label)` made on demand: torchvision
# builds a PIL image from the stored bytes and runs `ToTensor` on it.
# The library holds the same pixels as bytes; we check that dividing
# them by 255 gives exactly torchvision's tensor:

# %%
torch.testing.assert_close(
    image[0], fashion_train.images[0].float() / 255
)
assert label == fashion_train.labels[0].item()

num_images = 1000
start = time.perf_counter()
items = [tv_train[i] for i in range(num_images)]
per_item = (time.perf_counter() - start) / num_images
start = time.perf_counter()
X_batch = fashion_train.images[:num_images].float() / 255
whole = time.perf_counter() - start
assert per_item * num_images > whole  # one by one: the slower way

# %% tags=["remove_input"]
show_markdown(
    f"Reading the first {num_images:,} images one at a time through "
    f"the dataset took **{per_item * 1e6:.0f} µs per image** in this "
    f"run (about **{per_item * len(tv_train):.1f} s** for one pass "
    f"over the {len(tv_train):,} training images, paid again every "
    f"[epoch](../../glossary/#epoch)); converting the same "
    f"{num_images:,} images held in one tensor took "
    f"**{whole * 1e3:.2f} ms** in total. That is why the training "
    f"pages keep each split as one float tensor and form "
    f"[minibatches](../../glossary/#minibatch) "
    f"by indexing it."
)

# %% [markdown]
# ## Fashion-MNIST
#
# Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) was made as a
# drop-in replacement for MNIST that is harder to classify: small
# grey-scale photos of clothes from Zalando's catalogue.

# %%
num_classes = len(fashion_train.classes)
height, width = fashion_train.images.shape[1:]

# %% tags=["remove_input"]
show_markdown(
    f"The training split holds **{len(fashion_train):,}** images and "
    f"the test split **{len(fashion_test):,}**, each "
    f"**{height} x {width}** pixels with one grey channel "
    f"(bytes 0-255), in **{num_classes}** classes."
)

# %% [markdown]
# The labels are the numbers 0 to 9; `classes[k]` names label `k`:

# %%
counts_train = torch.bincount(fashion_train.labels, minlength=10)
counts_test = torch.bincount(fashion_test.labels, minlength=10)
assert (counts_train == counts_train[0]).all()
assert (counts_test == counts_test[0]).all()

# %% tags=["remove_input"]
rows = "\n".join(
    f"| {k} | {name} | {int(counts_train[k]):,} | "
    f"{int(counts_test[k]):,} |"
    for k, name in enumerate(fashion_train.classes)
)
show_markdown(
    "| label | class | training images | test images |\n"
    "|---:|---|---:|---:|\n" + rows
)

# %% tags=["remove_input"]
chance = counts_test[0].item() / len(fashion_test)
assert chance == 1 / num_classes
show_markdown(
    "The counts above are computed from the labels, and the "
    "assertions check that every class has the same number of "
    "images. A classifier that always answers the same class is "
    f"therefore right only one time in {num_classes} "
    f"({chance:.0%} of the test images): the accuracy of random "
    "guessing is our baseline."
)

# %% [markdown]
# Eight training images of each class, one class per row:


# %%
def sample_per_class(split, per_class: int, *, seed: int = 0):
    """Indices of ``per_class`` random images of each class."""
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for k in range(len(split.classes)):
        (indices,) = torch.nonzero(split.labels == k, as_tuple=True)
        order = torch.randperm(len(indices), generator=generator)
        chosen.append(indices[order[:per_class]])
    return torch.cat(chosen)


shown = sample_per_class(fashion_train, per_class=8)
fig = show_images(fashion_train.images[shown], ncols=8,
                  row_labels=fashion_train.classes,
                  suptitle="Fashion-MNIST training images")
show_figure(fig)

# %% [markdown]
# Shirts, T-shirts, pullovers and coats look alike at this
# resolution; expect the classifier to confuse them most (an exercise
# below measures how alike the classes are on average).
#
# ## MNIST
#
# MNIST (LeCun et al., 1998) holds handwritten digits, the digits 0
# to 9. The library loads it the same way:

# %%
mnist_train = load_mnist(train=True)
mnist_test = load_mnist(train=False)
print(mnist_train.classes)
mnist_height, mnist_width = mnist_train.images.shape[1:]
assert len(mnist_train) == len(fashion_train)
assert len(mnist_test) == len(fashion_test)
assert (mnist_height, mnist_width) == (height, width)
assert len(mnist_train.classes) == num_classes

# %% tags=["remove_input"]
show_markdown(
    f"MNIST has the same sizes as Fashion-MNIST: "
    f"**{len(mnist_train):,}** training and **{len(mnist_test):,}** "
    f"test images of **{mnist_height} x {mnist_width}** grey pixels "
    f"in **{len(mnist_train.classes)}** classes."
)

# %%
shown = sample_per_class(mnist_train, per_class=8, seed=1)
fig = show_images(mnist_train.images[shown], ncols=8,
                  row_labels=mnist_train.classes,
                  suptitle="MNIST training images")
show_figure(fig)

# %% [markdown]
# ## CIFAR-10
#
# CIFAR-10 (Krizhevsky, 2009) is the next step up: small colour
# photos (three channels, so each image becomes a
# `3 x height x width` tensor after `ToTensor`) of airplanes,
# automobiles, birds, cats, deer, dogs, frogs, horses, ships and
# trucks; [its page](https://www.cs.toronto.edu/~kriz/cifar.html)
# gives the sizes. Torchvision's class takes the same five
# parameters as the MNIST family (checked above):
#
# ```python
# from torchvision import datasets, transforms
#
# cifar_train = datasets.CIFAR10(
#     root="data", train=True, download=True,
#     transform=transforms.ToTensor(),
# )
# cifar_test = datasets.CIFAR10(
#     root="data", train=False, download=True,
#     transform=transforms.ToTensor(),
# )
# print(len(cifar_train), len(cifar_test), cifar_train.classes)
# ```
#
# This code is shown, not run: the site is built offline (only the
# Fashion-MNIST and MNIST files are available on the build machine),
# and a page whose data cannot be fetched would break the build.
#
# ## A note on `num_workers`
#
# `DataLoader(dataset, batch_size=256, shuffle=True, num_workers=4)`
# reads the items in four worker processes, which helps when each
# item costs real work (decoding a JPEG, augmenting an image). Many
# tutorials set it to 4; but worker processes behave differently
# across platforms (on Windows and macOS they are started with
# `spawn` and re-import the script, so code outside
# `if __name__ == "__main__":` runs again and lambdas cannot be
# pickled), and on a 2-core machine they compete with training for
# the CPU. **`num_workers=0`**, loading in the main process, is
# `DataLoader`'s default, and it is all a split held in memory needs:

# %%
default = inspect.signature(DataLoader).parameters["num_workers"]
assert default.default == 0

batch_size = 256
generator = torch.Generator().manual_seed(0)
start = time.perf_counter()
indices = torch.randperm(len(fashion_train), generator=generator)
X = fashion_train.images[indices[:batch_size]].float() / 255
y = fashion_train.labels[indices[:batch_size]]
batch_time = time.perf_counter() - start
print(tuple(X.shape), tuple(y.shape))

# %% tags=["remove_input"]
show_markdown(
    f"Shuffling the {len(fashion_train):,} indices and forming one "
    f"minibatch of {batch_size} images by indexing took "
    f"**{batch_time * 1e3:.2f} ms** in this run, with no worker "
    f"process."
)

# %% [markdown]
# ## Summary
#
# - `torchvision.datasets` has one class per dataset; the MNIST
#   family and CIFAR take `root`, `train`, `transform`,
#   `target_transform` and `download`, while SVHN, STL10, CelebA and
#   EMNIST take a `split` string (with a different meaning for
#   EMNIST). `inspect.signature` tells you which.
# - Fashion-MNIST and MNIST have the same sizes (counted and
#   asserted above): small grey images, a training and a test split,
#   as many classes. Fashion-MNIST's classes are exactly balanced, so
#   always answering one class is right for one class's share of the
#   images: the baseline.
# - Reading items one by one through a dataset object is slow next to
#   indexing a split held in one tensor (both timed above); with the
#   data in memory, `num_workers=0` is all a training loop needs.
#
# ## Exercises
#
# **Exercise 1.** Use `target_transform` to make torchvision's
# Fashion-MNIST test split return class names instead of numbers.
# Check that item 0 is named after the label the library holds.

# %% [markdown] tags=["solution"]
# **Solution 1.** A label is an index into `classes`, so the list's
# own `__getitem__` is the transform:

# %% tags=["solution"]
named_test = datasets.FashionMNIST(
    root=root, train=False, download=False,
    target_transform=fashion_test.classes.__getitem__,
)
_, name = named_test[0]
print(name)
assert name == fashion_test.classes[fashion_test.labels[0]]

# %% [markdown]
# **Exercise 2.** Which two Fashion-MNIST classes are most alike?
# Predict from the grid above, then compute the mean image of each
# class (pixels in $[0, 1]$) and find the pair of classes whose mean
# images are closest in Euclidean distance.

# %% [markdown] tags=["solution"]
# **Solution 2.** `torch.cdist` gives all distances between the ten
# flattened mean images; the diagonal (a class with itself) is
# excluded:

# %% tags=["solution"]
means = torch.stack([
    fashion_train.images[fashion_train.labels == k].float().mean(0)
    for k in range(num_classes)
]).flatten(1) / 255
distances = torch.cdist(means, means)
distances.fill_diagonal_(float("inf"))
a, b = divmod(int(distances.argmin()), num_classes)
print(fashion_train.classes[a], "and", fashion_train.classes[b],
      f"{distances[a, b].item():.3f}")
tops = {"T-shirt/top", "Pullover", "Coat", "Shirt"}
assert {fashion_train.classes[a], fashion_train.classes[b]} <= tops

# %% [markdown]
# **Exercise 3.** Write the minibatches of one shuffled epoch by
# indexing, with `batch_size = 256`. How large is the last batch?
# Check that the epoch visits every training image exactly once.

# %% [markdown] tags=["solution"]
# **Solution 3.** Slice a random permutation of the indices; the
# last batch holds the remainder of the division:

# %% tags=["solution"]
batch_size = 256
order = torch.randperm(len(fashion_train), generator=generator)
batches = [order[i:i + batch_size]
           for i in range(0, len(order), batch_size)]
X_last = fashion_train.images[batches[-1]].float() / 255
print(len(batches), "batches, the last of", len(X_last))
assert len(X_last) == len(fashion_train) % batch_size
visited = torch.cat(batches).sort().values
assert torch.equal(visited, torch.arange(len(fashion_train)))

# %% [markdown]
# **Exercise 4.** Is MNIST balanced like Fashion-MNIST? What accuracy
# does a classifier get on the MNIST training split if it always
# answers the most frequent digit?

# %% [markdown] tags=["solution"]
# **Solution 4.** No: the digit counts differ, so the best constant
# answer does a little better than one in ten:

# %% tags=["solution"]
mnist_counts = torch.bincount(mnist_train.labels, minlength=10)
majority = int(mnist_counts.argmax())
majority_acc = mnist_counts.max().item() / len(mnist_train)
print(mnist_counts.tolist())
print(f"always {majority}: accuracy {majority_acc:.4f}")
assert mnist_counts.min() < mnist_counts.max()
assert majority_acc > 1 / 10

# %% [markdown]
# Next: [One-hot encoding](../one-hot-encoding/) turns these class
# labels into vectors a model's probabilities can be compared with.
