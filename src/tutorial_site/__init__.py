"""MkDocs plugin that executes the tutorial pages with a dependency-aware cache."""

__version__ = "0.1.0"
