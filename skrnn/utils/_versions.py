"""The library versions a model is saved with, and the warning when they differ.

Used by the estimators' ``__getstate__``/``__setstate__`` (pickle, joblib) and by
:mod:`skrnn.persistence` (the safe model files).
"""

import warnings

import numpy as np
import sklearn
import skorch
import torch

from .._version import __version__
from ..exceptions import InconsistentVersionWarning

#: The libraries whose versions are compared when a model is loaded.
CHECKED = ("skrnn", "torch", "skorch", "scikit-learn")

#: The key under which the versions travel in a pickled estimator's state.
STATE_KEY = "_skrnn_versions"


def current_versions():
    """The versions of skrnn and the libraries a model depends on, by name."""
    return {
        "skrnn": __version__,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }


def _release(version):
    # "2.13.0+cpu" and "2.13.0+cu121" are the same torch release.
    return str(version).split("+", 1)[0]


def warn_if_versions_differ(saved, estimator_name, *, stacklevel=2):
    """Warn with :class:`InconsistentVersionWarning` if ``saved`` differs from now.

    Parameters
    ----------
    saved : dict or None
        The versions recorded when the model was saved; None (a file from a skrnn
        that did not record them) counts as unknown versions.
    estimator_name : str
        The class name shown in the warning.
    stacklevel : int, default=2
        Passed to :func:`warnings.warn`.
    """
    now = current_versions()
    saved = saved if isinstance(saved, dict) else {}
    differ = [
        lib
        for lib in CHECKED
        if _release(saved.get(lib, "unknown")) != _release(now[lib])
    ]
    if differ:
        warnings.warn(
            InconsistentVersionWarning(
                estimator_name=estimator_name,
                original_versions={
                    lib: str(saved.get(lib, "unknown")) for lib in differ
                },
                current_versions={lib: now[lib] for lib in differ},
            ),
            stacklevel=stacklevel + 1,
        )


def add_versions(state):
    """Return a pickled estimator's ``state`` with the current versions added."""
    return {**state, STATE_KEY: current_versions()}


def pop_versions(state, estimator_name):
    """Remove the versions from a pickled ``state``, warning if they differ."""
    state = dict(state)
    warn_if_versions_differ(state.pop(STATE_KEY, None), estimator_name, stacklevel=3)
    return state
