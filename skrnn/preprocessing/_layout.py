"""Conversions between sequence layouts: skrnn's channels-last and sktime/aeon's
channels-first."""

import numpy as np
from sklearn.utils import check_array

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
    is a view of ``X`` (no copy).

    Parameters
    ----------
    X : array-like of shape (n_instances, n_channels, n_timepoints)
        Sequences laid out channels-first.

    Returns
    -------
    X_channels_last : ndarray of shape (n_instances, n_timepoints, n_channels)
        The same sequences, channels-last (a view when ``X`` is an ndarray).

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
    """
    X = _check_3d(X, "from_channels_first", "(n_instances, n_channels, n_timepoints)")
    return np.swapaxes(X, 1, 2)


def to_channels_first(X):
    """Convert sequences from skrnn's channels-last to the channels-first layout.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps, n_features)
        Sequences laid out channels-last.

    Returns
    -------
    X_channels_first : ndarray of shape (n_samples, n_features, n_timesteps)
        The same sequences, as sktime and aeon store them (a view when ``X`` is an
        ndarray).

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
    X = _check_3d(X, "to_channels_first", "(n_samples, n_timesteps, n_features)")
    return np.swapaxes(X, 1, 2)
