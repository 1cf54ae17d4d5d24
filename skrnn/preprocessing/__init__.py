"""Preprocessing for recurrent estimators: windowing of time series, scaling of
sequences, and conversions between sequence layouts."""

from .._data import from_nan_padded, to_nan_padded
from ._layout import from_channels_first, to_channels_first
from ._scale import SequenceScaler
from ._window import (
    SlidingWindow,
    WindowedSeries,
    make_horizon_targets,
    make_windows,
)

__all__ = [
    "SequenceScaler",
    "SlidingWindow",
    "WindowedSeries",
    "from_channels_first",
    "from_nan_padded",
    "make_horizon_targets",
    "make_windows",
    "to_channels_first",
    "to_nan_padded",
]
