"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._conv import ConvGRU, ConvLSTM, ConvRecurrentNet, conv_recurrent_parameters
from ._elman import ElmanRNN, resolve_activation
from ._generator import Dropout, set_generator
from ._losses import StepCrossEntropyLoss, StepMSELoss
from ._recurrent import RecurrentNet, count_parameters
from ._summary import ModelSummary, summarize

__all__ = [
    "ConvGRU",
    "ConvLSTM",
    "ConvRecurrentNet",
    "Dropout",
    "ElmanRNN",
    "ModelSummary",
    "RecurrentNet",
    "StepCrossEntropyLoss",
    "StepMSELoss",
    "conv_recurrent_parameters",
    "count_parameters",
    "resolve_activation",
    "set_generator",
    "summarize",
]
