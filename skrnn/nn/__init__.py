"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._generator import Dropout, set_generator
from ._recurrent import RecurrentNet, count_parameters

__all__ = ["Dropout", "RecurrentNet", "count_parameters", "set_generator"]
