"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._init import init_linear_, init_recurrent_
from ._readout import (
    AttentionPool,
    ConcatPool,
    LastStep,
    MaxPool,
    MeanPool,
    make_readout,
)
from ._recurrent import RecurrentNet, count_parameters

__all__ = [
    "AttentionPool",
    "ConcatPool",
    "LastStep",
    "MaxPool",
    "MeanPool",
    "RecurrentNet",
    "count_parameters",
    "init_linear_",
    "init_recurrent_",
    "make_readout",
]
