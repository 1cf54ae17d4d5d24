"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._elman import ElmanRNN, resolve_activation
from ._recurrent import RecurrentNet, count_parameters
from ._summary import ModelSummary, summarize

__all__ = [
    "ElmanRNN",
    "ModelSummary",
    "RecurrentNet",
    "count_parameters",
    "resolve_activation",
    "summarize",
]
