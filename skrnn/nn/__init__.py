"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._conv import ConvGRU, ConvLSTM, ConvRecurrentNet, conv_recurrent_parameters
from ._recurrent import RecurrentNet, count_parameters

__all__ = [
    "ConvGRU",
    "ConvLSTM",
    "ConvRecurrentNet",
    "RecurrentNet",
    "conv_recurrent_parameters",
    "count_parameters",
]
