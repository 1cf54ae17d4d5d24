"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._elman import ElmanRNN, resolve_activation
from ._generator import Dropout, set_generator
from ._losses import StepCrossEntropyLoss, StepMSELoss
from ._recurrent import RecurrentNet, count_parameters
from ._summary import ModelSummary, summarize

__all__ = [
    "Dropout",
    "ElmanRNN",
    "ModelSummary",
    "RecurrentNet",
    "StepCrossEntropyLoss",
    "StepMSELoss",
    "count_parameters",
    "resolve_activation",
    "set_generator",
    "summarize",
]
