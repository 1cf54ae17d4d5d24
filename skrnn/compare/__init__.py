"""LSTM, GRU or RNN, answered on your data: :func:`compare_cells` and its report."""

from ._compare import compare_cells
from ._report import ComparisonReport

__all__ = ["ComparisonReport", "compare_cells"]
