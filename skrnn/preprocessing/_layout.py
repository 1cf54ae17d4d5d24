"""Conversions between sequence layouts: skrnn's channels-last and sktime/aeon's
channels-first."""

import numpy as np
from sklearn.utils import check_array

from .._data import is_ragged

__all__ = ["from_channels_first", "to_channels_first"]


def _check_3d(X, name, layout):
    if hasattr(X, "to_numpy"):
        raise TypeError(
            f"{name} expects a 3-D NumPy array {layout}; got a {type(X).__name__}. "
            "sktime's nested DataFrames convert with "
            "sktime.datatypes.convert_to(X, 'numpy3D') first."
        )
    X = check_array(
        X, allow_nd=True, ensure_2d=False, dtype=None, ensure_all_finite=False,
        input_name="X",
    )
    if X.ndim != 3:
        raise ValueError(
            f"Found array with dim {X.ndim} (shape={X.shape}). {name} expected a "
            f"3-D array {layout}."
        )
    return X


def from_channels_first(X):
    """Convert sequences from channels-first to skrnn's channels-last layout.

    sktime and aeon store a panel of sequences as ``(n_instances, n_channels,
    n_timepoints)``; skrnn's estimators, like PyTorch's recurrent layers with
    ``batch_first=True``, read ``(n_samples, n_timesteps, n_features)``. The result
    is a view of ``X`` (no copy). aeon's list of sequences of different lengths,
    each ``(n_channels, n_timepoints_i)``, becomes a list of
    ``(n_timepoints_i, n_channels)`` arrays.

    Parameters
    ----------
    X : array-like of shape (n_instances, n_channels, n_timepoints), or list of \
            array-like of shape (n_channels, n_timepoints_i)
        Sequences laid out channels-first.

    Returns
    -------
    X_channels_last : ndarray of shape (n_instances, n_timepoints, n_channels), \
            or list of ndarray of shape (n_timepoints_i, n_channels)
        The same sequences, channels-last (views when ``X`` holds ndarrays).

    See Also
    --------
    to_channels_first : The inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import from_channels_first
    >>> X_aeon = np.zeros((10, 3, 50))   # 10 series, 3 channels, 50 time points
    >>> from_channels_first(X_aeon).shape
    (10, 50, 3)
    >>> [x.shape for x in from_channels_first([np.zeros((3, 7)), np.zeros((3, 9))])]
    [(7, 3), (9, 3)]
    """
    if is_ragged(X):
        return _swap_each(X, "from_channels_first", "(n_channels, n_timepoints_i)")
    X = _check_3d(X, "from_channels_first", "(n_instances, n_channels, n_timepoints)")
    return np.swapaxes(X, 1, 2)


def to_channels_first(X):
    """Convert sequences from skrnn's channels-last to the channels-first layout.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps, n_features), or list of \
            array-like of shape (n_timesteps_i, n_features)
        Sequences laid out channels-last (a list for different lengths).

    Returns
    -------
    X_channels_first : ndarray of shape (n_samples, n_features, n_timesteps), \
            or list of ndarray of shape (n_features, n_timesteps_i)
        The same sequences, as sktime and aeon store them (views when ``X`` holds
        ndarrays).

    See Also
    --------
    from_channels_first : The inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import to_channels_first
    >>> to_channels_first(np.zeros((10, 50, 3))).shape
    (10, 3, 50)
    """
    if is_ragged(X):
        return _swap_each(X, "to_channels_first", "(n_timesteps_i, n_features)")
    X = _check_3d(X, "to_channels_first", "(n_samples, n_timesteps, n_features)")
    return np.swapaxes(X, 1, 2)


def _swap_each(X, name, layout):
    """Swap the two axes of every 2-D sequence of a list."""
    out = []
    for i, item in enumerate(X):
        item = np.asarray(item)
        if item.ndim != 2:
            raise ValueError(
                f"X[{i}] has dim {item.ndim} (shape={item.shape}). {name} expected "
                f"every sequence of a list to be a 2-D array {layout}."
            )
        out.append(item.T)
    return out
