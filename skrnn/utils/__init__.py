"""Public helpers of skrnn."""

from ._threads import torch_threads
from .discovery import all_estimators
from .validation import check_sequences

__all__ = ["all_estimators", "check_sequences", "torch_threads"]
