"""Public helpers of skrnn."""

from .discovery import all_estimators
from .validation import check_sequences

__all__ = ["all_estimators", "check_sequences"]
