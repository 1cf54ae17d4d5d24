"""skrnn's torch modules: usable in plain PyTorch, without scikit-learn or skorch.

The layer below skrnn's estimators (see the developers' "four layers"): torch only.
"""

from ._losses import StepCrossEntropyLoss, StepMSELoss
from ._recurrent import RecurrentNet, count_parameters

__all__ = ["RecurrentNet", "StepCrossEntropyLoss", "StepMSELoss", "count_parameters"]
