"""skrnn: recurrent neural networks (LSTM, GRU, RNN) as scikit-learn estimators."""

import importlib

from ._version import __version__ as __version__

#: Where each public name lives. ``import skrnn`` imports none of them: a name's
#: module (and torch with it) is imported the first time the name is used (PEP 562),
#: so ``import skrnn`` and the command line's ``--help`` answer at once. To export a
#: new name, add its line here.
_EXPORTS = {
    "ComparisonReport": ".compare",
    "ConvGRUClassifier": "._conv_classification",
    "ConvGRURegressor": "._conv_regression",
    "ConvLSTMClassifier": "._conv_classification",
    "ConvLSTMRegressor": "._conv_regression",
    "ConvRecurrentClassifier": "._conv_classification",
    "ConvRecurrentRegressor": "._conv_regression",
    "GRUClassifier": "._classification",
    "GRURegressor": "._regression",
    "LSTMClassifier": "._classification",
    "LSTMRegressor": "._regression",
    "RNNClassifier": "._classification",
    "RNNRegressor": "._regression",
    "RecurrentClassifier": "._classification",
    "RecurrentNet": ".nn",
    "RecurrentRegressor": "._regression",
    "compare_cells": ".compare",
    "load_model": ".persistence",
    "plot_history": "._plotting",
    "save_model": ".persistence",
}

#: The public modules reachable as attributes (``skrnn.nn``), imported on first use.
_MODULES = ("callbacks", "compare", "exceptions", "nn", "persistence")

#: Public subpackages whose estimators ``skrnn.utils.all_estimators`` lists.
_PUBLIC_SUBPACKAGES = ("preprocessing",)

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted({*globals(), *_EXPORTS, *_MODULES})
