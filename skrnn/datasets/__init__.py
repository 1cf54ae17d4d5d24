"""Small public data sets shipped with skrnn, for examples and tests."""

from ._base import (
    load_airline,
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
    load_sunspots,
)
from ._japanese_vowels import load_japanese_vowels
from ._moving_digits import make_moving_digits

__all__ = [
    "load_airline",
    "load_basic_motions",
    "load_gunpoint",
    "load_italy_power_demand",
    "load_japanese_vowels",
    "load_sunspots",
    "make_moving_digits",
]
