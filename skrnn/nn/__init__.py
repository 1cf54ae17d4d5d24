"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._elman import ElmanRNN, resolve_activation
from ._recurrent import RecurrentNet, count_parameters

__all__ = [
    "ElmanRNN",
    "RecurrentNet",
    "count_parameters",
    "resolve_activation",
]
