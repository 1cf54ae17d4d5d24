"""skrnn: recurrent neural networks (LSTM, GRU, RNN) as scikit-learn estimators."""

from . import (
    callbacks,  # noqa: F401  (the public skrnn.callbacks module)
    exceptions,  # noqa: F401  (the public skrnn.exceptions module)
    nn,  # noqa: F401  (the public skrnn.nn module: torch modules)
)
from ._classification import (
    GRUClassifier,
    LSTMClassifier,
    RecurrentClassifier,
    RNNClassifier,
)
from ._conv_classification import (
    ConvGRUClassifier,
    ConvLSTMClassifier,
    ConvRecurrentClassifier,
)
from ._conv_regression import (
    ConvGRURegressor,
    ConvLSTMRegressor,
    ConvRecurrentRegressor,
)
from .nn import RecurrentNet
from ._plotting import plot_history
from ._regression import GRURegressor, LSTMRegressor, RecurrentRegressor, RNNRegressor
from ._version import __version__
from .compare import ComparisonReport, compare_cells
from .persistence import load_model, save_model

#: Public subpackages whose estimators ``skrnn.utils.all_estimators`` lists.
_PUBLIC_SUBPACKAGES = ("preprocessing",)

__all__ = [
    "ComparisonReport",
    "ConvGRUClassifier",
    "ConvGRURegressor",
    "ConvLSTMClassifier",
    "ConvLSTMRegressor",
    "ConvRecurrentClassifier",
    "ConvRecurrentRegressor",
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "RecurrentClassifier",
    "RecurrentNet",
    "RecurrentRegressor",
    "__version__",
    "compare_cells",
    "load_model",
    "plot_history",
    "save_model",
]
