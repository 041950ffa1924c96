"""tutorial_lib: the small, tested library behind the linear-classification tutorials."""

__version__ = "0.1.0"
