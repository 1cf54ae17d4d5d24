"""The one place where skrnn imports private API of scikit-learn and skorch.

Everything private that skrnn relies on is imported here, so that an upgrade of either
library that moves it breaks one module, with one place to mend.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    _check_y,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "_check_feature_names",
    "_check_sample_weight",
    "_check_y",
    "_fit_context",
    "validate_params",
]
