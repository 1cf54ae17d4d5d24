"""Small public data sets shipped with skrnn, for examples and tests."""

from ._base import (
    load_airline,
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
    load_sunspots,
)
from ._japanese_vowels import load_japanese_vowels

__all__ = [
    "load_airline",
    "load_basic_motions",
    "load_gunpoint",
    "load_italy_power_demand",
    "load_japanese_vowels",
    "load_sunspots",
]
