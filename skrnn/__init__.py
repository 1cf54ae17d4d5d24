"""skrnn: recurrent neural networks (LSTM, GRU, RNN) as scikit-learn estimators."""

from ._classification import (
    GRUClassifier,
    LSTMClassifier,
    RecurrentClassifier,
    RNNClassifier,
)
from ._modules import RecurrentNet
from ._regression import GRURegressor, LSTMRegressor, RecurrentRegressor, RNNRegressor
from ._version import __version__

__all__ = [
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
]
