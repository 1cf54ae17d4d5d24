"""Small public data sets shipped with skrnn, for examples and tests."""

from ._base import (
    load_airline,
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
    load_sunspots,
)

__all__ = [
    "load_airline",
    "load_basic_motions",
    "load_gunpoint",
    "load_italy_power_demand",
    "load_sunspots",
]
