"""Discovery of skrnn's public estimators, for tests and documentation."""

import inspect

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
)

__all__ = ["all_estimators"]

_TYPES = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
}


def all_estimators(type_filter=None):
    """List the public estimators of skrnn.

    Walks the names skrnn exports (``skrnn.__all__`` and those of its public
    subpackages) and keeps the concrete scikit-learn estimators.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer"}, list of those or \
            None, default=None
        Keep only estimators of these kinds; None keeps all.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name.

    Examples
    --------
    >>> from skrnn.utils import all_estimators
    >>> [name for name, _ in all_estimators("regressor")][:2]
    ['ConvGRURegressor', 'ConvLSTMRegressor']
    """
    import importlib

    import skrnn

    modules = [skrnn]
    for sub in getattr(skrnn, "_PUBLIC_SUBPACKAGES", ()):
        modules.append(importlib.import_module(f"skrnn.{sub}"))
    found = {}
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
            ):
                found[name] = obj
    if type_filter is not None:
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = set(kinds) - set(_TYPES)
        if unknown:
            raise ValueError(
                f"type_filter must be one of {sorted(_TYPES)}, a list of them or "
                f"None; got {sorted(unknown)} instead."
            )
        found = {
            n: c
            for n, c in found.items()
            if any(issubclass(c, _TYPES[k]) for k in kinds)
        }
    return sorted(found.items())
