"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._conv import ConvGRU, ConvLSTM, ConvRecurrentNet, conv_recurrent_parameters
from ._elman import ElmanRNN, resolve_activation
from ._generator import Dropout, set_generator
from ._init import init_linear_, init_recurrent_
from ._losses import StepCrossEntropyLoss, StepMSELoss
from ._readout import (
    AttentionPool,
    ConcatPool,
    LastStep,
    MaxPool,
    MeanPool,
    make_readout,
)
from ._recurrent import RecurrentNet, count_parameters
from ._summary import ModelSummary, summarize

__all__ = [
    "AttentionPool",
    "ConcatPool",
    "ConvGRU",
    "ConvLSTM",
    "ConvRecurrentNet",
    "Dropout",
    "ElmanRNN",
    "LastStep",
    "MaxPool",
    "MeanPool",
    "ModelSummary",
    "RecurrentNet",
    "StepCrossEntropyLoss",
    "StepMSELoss",
    "conv_recurrent_parameters",
    "count_parameters",
    "init_linear_",
    "init_recurrent_",
    "make_readout",
    "resolve_activation",
    "set_generator",
    "summarize",
]
