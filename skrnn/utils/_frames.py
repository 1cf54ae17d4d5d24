"""Validation of image-sequence input for the convolutional recurrent estimators.

The data form of ConvLSTM/ConvGRU: one array ``(n_samples, n_timesteps, channels,
height, width)``, float32, validated through scikit-learn's own functions as
:func:`skrnn.utils.validation.check_sequences` does for feature sequences.
"""

import numpy as np
from sklearn.utils import check_array, check_consistent_length
from sklearn.utils.validation import validate_data

from ._compat import _check_feature_names, _check_y
from .validation import (
    _as_array_like,
    _check_float32_range,
    _quiet_float_casts,
    _refuse_strings,
)

__all__ = ["check_frames"]

_LAYOUTS = (
    "a 5-D array (n_samples, n_timesteps, channels, height, width), a 4-D array "
    "(n_samples, n_timesteps, height, width) of one-channel frames, or a 2-D "
    "array (n_samples, n_timesteps) of sequences of single values (1x1 frames)"
)


@_quiet_float_casts
def check_frames(estimator, X, y="no_validation", *, reset, y_numeric=False):
    """Validate sequences of images (and targets) for a convolutional estimator.

    Parameters
    ----------
    estimator : estimator instance
        The estimator: ``n_features_in_`` (channels per frame; for 2-D input the
        number of columns, as scikit-learn has it), ``input_size_`` (channels)
        and ``_input_ndim`` are set when ``reset`` and checked otherwise.
    X : array-like of shape (n_samples, n_timesteps, channels, height, width), \
            (n_samples, n_timesteps, height, width) or (n_samples, n_timesteps)
        The sequences.
    y : array-like of shape (n_samples, ...), default="no_validation"
        The targets; the default skips them.
    reset : bool
        True at fit, False at predict.
    y_numeric : bool, default=False
        Whether ``y`` holds numbers (regression; any number of dimensions) or
        labels (classification, 1-D).

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, channels, height, width)
        float32, a view of the input where possible.
    y : ndarray
        The validated targets, only when ``y`` is passed.
    """
    name = type(estimator).__name__
    X = _as_array_like(X, name)
    has_y = not (isinstance(y, str) and y == "no_validation")
    if has_y and y is None:
        raise ValueError(
            f"{name} requires y to be passed, but the target y is None."
        )
    if X.ndim not in (0, 1, 2, 4, 5):
        raise ValueError(
            f"Found array with dim {X.ndim} (shape={X.shape}). {name} expected "
            f"{_LAYOUTS}."
        )
    _refuse_strings(X, "X", f"{name} expects numeric image sequences")
    if has_y and y_numeric:
        _refuse_strings(
            y, "y", f"{name} expects numeric targets (use a classifier for labels)"
        )
    params = dict(dtype=np.float32, ensure_all_finite=True, estimator=estimator)
    fitted_ndim = None if reset else getattr(estimator, "_input_ndim", None)
    if X.ndim <= 2:  # (0-D and 1-D get scikit-learn's "Expected 2D array")
        if fitted_ndim not in (None, 2):
            raise ValueError(
                f"X is 2-D (sequences of single values), but {name} was fitted on "
                f"{fitted_ndim}-D image sequences; pass "
                + ("(n_samples, n_timesteps, height, width)" if fitted_ndim == 4
                   else "(n_samples, n_timesteps, channels, height, width)")
                + " arrays."
            )
        X = validate_data(estimator, X, reset=reset, **params)
        if reset:
            estimator.input_size_ = 1
            estimator._input_ndim = 2
        X = X[:, :, np.newaxis, np.newaxis, np.newaxis]
    else:
        if fitted_ndim == 2:
            raise ValueError(
                f"X has {X.ndim} dimensions, but {name} was fitted on a 2-D X "
                "(sequences of single values); pass a 2-D array with the same "
                "columns."
            )
        ndim = X.ndim
        X = check_array(X, allow_nd=True, input_name="X", **params)
        _check_feature_names(estimator, X, reset=reset)
        if ndim == 4:
            X = X[:, :, np.newaxis]
        _check_frame_shape(estimator, X, name, reset=reset)
        if reset:
            estimator._input_ndim = ndim
    if not has_y:
        return X
    y = _as_array_like(y, name)
    if y_numeric and getattr(y, "ndim", 1) > 2:
        y = check_array(y, allow_nd=True, ensure_2d=False, dtype=np.float64,
                        ensure_all_finite=True, input_name="y", estimator=estimator)
    else:
        y = _check_y(y, multi_output=y_numeric, y_numeric=y_numeric,
                     estimator=estimator)
    check_consistent_length(X, y)
    if y_numeric:
        _check_float32_range(y)
    return X, y


def _check_frame_shape(estimator, X, name, *, reset):
    n_timesteps, channels, height, width = X.shape[1:]
    for size, what in ((n_timesteps, "time step(s)"), (channels, "channel(s)"),
                       (height, "row(s) per frame"), (width, "column(s) per frame")):
        if size < 1:
            raise ValueError(
                f"Found array with 0 {what} (shape={X.shape}) while a minimum of 1 "
                f"is required by {name}."
            )
    if reset:
        estimator.n_features_in_ = channels
        estimator.input_size_ = channels
    elif channels != estimator.input_size_:
        raise ValueError(
            f"X has {channels} channel(s) per frame, but {name} is expecting "
            f"{estimator.input_size_} channel(s) per frame as input."
        )
