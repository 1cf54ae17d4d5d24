"""The version of skrnn, single source for the package metadata and the docs."""

__version__ = "0.1.0"
