"""Validation of sequence input, on top of scikit-learn's own functions."""

import functools

import numpy as np
from sklearn.utils import check_array, check_consistent_length, check_X_y
from sklearn.utils.validation import validate_data

from .._data import RaggedSequences, is_ragged
from ..preprocessing._window import WindowedSeries
from ._compat import _check_feature_names, _check_y

__all__ = ["check_sequences"]

_LAYOUTS = (
    "a 2-D array (n_samples, n_timesteps) of univariate sequences or a 3-D array "
    "(n_samples, n_timesteps, n_features)"
)


def _quiet_float_casts(func):
    """Run ``func`` without NumPy's overflow warnings from the float32 cast.

    A float64 value beyond float32's range is refused with scikit-learn's "Input X
    contains infinity or a value too large for dtype('float32')"; the
    RuntimeWarnings NumPy emits on the way ("overflow encountered in cast") would
    only repeat it.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return func(*args, **kwargs)

    return wrapper


def _as_array_like(X, name):
    """Return ``X`` as something with ``ndim``, converting lists once."""
    if hasattr(X, "ndim") and hasattr(X, "shape"):
        return X
    try:
        return np.asarray(X)
    except ValueError as exc:
        raise ValueError(
            f"X could not be read as an array of sequences: {str(exc).rstrip('.')}. "
            f"{name} expects "
            f"{_LAYOUTS}, or a list of arrays (n_timesteps_i, n_features) for "
            "sequences of different lengths."
        ) from None


def _hint_nan_padding(func):
    """Add to "Input X contains NaN" how NaN-padded sequences are passed."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValueError as exc:
            message = str(exc)
            if message.startswith("Input X contains NaN") and (
                "from_nan_padded" not in message
            ):
                raise ValueError(
                    f"{message} If the NaN pad sequences of different lengths "
                    "after their ends, pass them as a list of arrays: "
                    "skrnn.preprocessing.from_nan_padded(X) converts them."
                ) from None
            raise

    return wrapper


@_hint_nan_padding
@_quiet_float_casts
def check_sequences(
    estimator,
    X,
    y="no_validation",
    *,
    reset,
    multi_output=False,
    y_numeric=False,
):
    """Validate sequences (and targets) for a recurrent estimator.

    2-D input (an array or a DataFrame) is read as univariate sequences, one time
    step per column, and goes through scikit-learn's ``validate_data``, which sets
    and checks ``n_features_in_`` (the number of columns, so the number of time
    steps) and ``feature_names_in_``. 3-D input of shape
    ``(n_samples, n_timesteps, n_features)`` goes through ``check_array`` with
    ``allow_nd=True``; ``n_features_in_`` is then the number of features per time
    step, and the number of time steps may differ between fit and predict.

    A :class:`~skrnn.preprocessing.WindowedSeries` (from ``SlidingWindow``) is
    validated through its series, without materialising the windows, and returned
    as windows over a float32 series.

    A list of sequences of different lengths, each of shape
    ``(length_i, n_features)`` or ``(length_i,)``, is validated into
    skrnn's ``RaggedSequences`` form (float32); ``n_features_in_`` is then the
    number of features per time step. Every sequence must have at least one step,
    the same number of features, and no NaN (NaN-padded arrays convert with
    :func:`~skrnn.preprocessing.from_nan_padded`).

    Parameters
    ----------
    estimator : estimator instance
        The estimator the data are for: fitted attributes are set on it when
        ``reset=True`` and checked against otherwise.
    X : array-like of shape (n_samples, n_timesteps, n_features) or \
            (n_samples, n_timesteps)
        The sequences.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
            default="no_validation"
        The targets; the default skips their validation.
    reset : bool
        True at fit (record the input's shape), False at predict (check it).
    multi_output : bool, default=False
        Whether a 2-D ``y`` is allowed.
    y_numeric : bool, default=False
        Whether ``y`` must be numeric (converted to float64 if of object dtype).

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, n_features), dtype float32, \
            WindowedSeries or RaggedSequences
        The validated sequences, always 3-D (a view of the input where possible).
    y : ndarray
        The validated targets; only returned when ``y`` is passed.

    Notes
    -----
    Numbers of any dtype are converted to float32: float16, float64, integers and
    booleans, and object arrays holding numbers (``None`` and ``pd.NA`` become
    NaN and are refused). Memory layout does not matter: Fortran-ordered,
    strided and read-only arrays are accepted and never modified. Refused with a
    ``ValueError``: strings (``str`` or ``bytes`` arrays, object arrays or
    DataFrame columns holding strings, even numeric ones such as ``"1.5"``: convert
    them explicitly), NaN and infinity, float64 values too large for float32,
    complex numbers, and arrays with no samples, time steps or features; sparse
    matrices raise a ``TypeError``. A regressor's ``y`` is refused when it holds
    strings.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import LSTMRegressor
    >>> from skrnn.utils.validation import check_sequences
    >>> est = LSTMRegressor()
    >>> X, y = check_sequences(est, np.zeros((4, 6)), np.zeros(4), reset=True)
    >>> X.shape, X.dtype, est.n_features_in_, est.input_size_
    ((4, 6, 1), dtype('float32'), 6, 1)
    """
    name = type(estimator).__name__
    if isinstance(X, WindowedSeries):
        return _check_windows(estimator, X, y, name, reset=reset,
                              multi_output=multi_output, y_numeric=y_numeric)
    if is_ragged(X):
        return _check_ragged(estimator, X, y, name, reset=reset,
                             multi_output=multi_output, y_numeric=y_numeric)
    X = _as_array_like(X, name)
    has_y = not (isinstance(y, str) and y == "no_validation")
    if X.ndim > 3:
        raise ValueError(
            f"Found array with dim {X.ndim} (shape={X.shape}). {name} expected "
            f"{_LAYOUTS}."
        )
    _refuse_strings(X, "X", f"{name} expects numeric sequences")
    if X.ndim == 2 and X.shape[1] == 0 and hasattr(X, "columns"):
        # scikit-learn's check_array fails on a DataFrame without columns with
        # NumPy's "at least one array or dtype is required"; say it in its words.
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 "
            f"is required by {name}."
        )
    if has_y and y_numeric:
        _refuse_strings(
            y, "y", f"{name} expects numeric targets (use a classifier for labels)"
        )
    check_params = dict(dtype=np.float32, ensure_all_finite=True, estimator=estimator)

    if X.ndim == 3:
        if has_y:
            X, y = check_X_y(
                X, y, allow_nd=True, multi_output=multi_output,
                y_numeric=y_numeric, **check_params,
            )
        else:
            X = check_array(X, allow_nd=True, input_name="X", **check_params)
        _check_feature_names(estimator, X, reset=reset)
        _check_3d_shape(estimator, X, name, reset=reset)
    elif not reset and getattr(estimator, "_input_ndim", 2) == 3:
        # Fitted on 3-D input: a 2-D X holds univariate sequences of any length.
        X = check_array(X, input_name="X", **check_params)
        _check_feature_names(estimator, X, reset=False)
        if estimator.input_size_ != 1:
            raise ValueError(
                f"X has 1 feature per time step (a 2-D X holds univariate "
                f"sequences), but {name} is expecting {estimator.input_size_} "
                f"features per time step as input; pass a 3-D array of shape "
                f"(n_samples, n_timesteps, {estimator.input_size_})."
            )
        X = X[:, :, np.newaxis]
    else:
        if has_y:
            X, y = validate_data(
                estimator, X, y, reset=reset, multi_output=multi_output,
                y_numeric=y_numeric, **check_params,
            )
        else:
            X = validate_data(estimator, X, reset=reset, **check_params)
        if reset:
            estimator.input_size_ = 1
            estimator._input_ndim = 2
        X = X[:, :, np.newaxis]

    if has_y and y_numeric:
        _check_float32_range(y)
    return (X, y) if has_y else X


def _check_3d_shape(estimator, X, name, *, reset):
    n_timesteps, n_features = X.shape[1:]
    if n_timesteps < 1:
        raise ValueError(
            f"Found array with 0 time step(s) (shape={X.shape}) while a minimum "
            f"of 1 is required by {name}."
        )
    if n_features < 1:
        raise ValueError(
            f"Found array with 0 feature(s) per time step (shape={X.shape}) while "
            f"a minimum of 1 is required by {name}."
        )
    if reset:
        estimator.n_features_in_ = n_features
        estimator.input_size_ = n_features
        estimator._input_ndim = 3
    elif n_features != estimator.input_size_:
        raise ValueError(
            f"X has {n_features} features per time step, but {name} is expecting "
            f"{estimator.input_size_} features per time step as input."
        )


def _check_windows(estimator, X, y, name, *, reset, multi_output, y_numeric):
    """``check_sequences`` for windows: validate the series once, keep them lazy."""
    if len(X) == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
            f"is required by {name}."
        )
    series = check_array(
        X.series, dtype=np.float32, ensure_all_finite=True, input_name="X",
        estimator=estimator,
    )
    if series is not X.series:
        X = WindowedSeries(series, X._ends, X.window)
    _check_feature_names(estimator, series, reset=reset)
    _check_3d_shape(estimator, X, name, reset=reset)
    if isinstance(y, str) and y == "no_validation":
        return X
    if y_numeric:
        _refuse_strings(
            y, "y", f"{name} expects numeric targets (use a classifier for labels)"
        )
    y = _check_y(y, multi_output=multi_output, y_numeric=y_numeric, estimator=estimator)
    check_consistent_length(X, y)
    if y_numeric:
        _check_float32_range(y)
    return X, y


def _check_ragged(estimator, X, y, name, *, reset, multi_output, y_numeric):
    """``check_sequences`` for a list of sequences of different lengths."""
    if not reset and getattr(estimator, "_input_ndim", 3) == 2:
        raise ValueError(
            f"X is a list of sequences of different lengths, but {name} was fitted "
            f"on a 2-D array of univariate sequences of n_features_in_="
            f"{estimator.n_features_in_} time steps, so it expects that many columns."
            " Fit on a list of sequences (or a 3-D array) to predict sequences of "
            "any length."
        )
    X = RaggedSequences.from_sequences(X, estimator_name=name)
    _check_feature_names(estimator, X.values, reset=reset)
    _check_3d_shape(estimator, X, name, reset=reset)
    if isinstance(y, str) and y == "no_validation":
        return X
    if y_numeric:
        _refuse_strings(
            y, "y", f"{name} expects numeric targets (use a classifier for labels)"
        )
    y = _check_y(y, multi_output=multi_output, y_numeric=y_numeric, estimator=estimator)
    check_consistent_length(X, y)
    if y_numeric:
        _check_float32_range(y)
    return X, y


def _refuse_strings(data, what, expected):
    """Raise if ``data`` holds strings, which float conversion would parse silently.

    scikit-learn refuses arrays of bytes/strings for ``dtype="numeric"``; skrnn asks
    for float32, which NumPy would happily parse from ``"1.5"``, so the check is
    made here, in scikit-learn's words.
    """
    if hasattr(data, "columns") and hasattr(data, "dtypes"):  # a DataFrame
        bad = [
            col for col, dtype in data.dtypes.items()
            if _holds_strings(dtype, lambda c=col: data[c].to_numpy())
        ]
        if bad:
            raise ValueError(
                f"dtype='numeric' is not compatible with arrays of bytes/strings: "
                f"the column(s) {bad[:5]} of {what} hold strings, but {expected}. "
                "Convert your data to numeric values explicitly instead."
            )
        return
    shown = dtype = getattr(data, "dtype", None)
    if not isinstance(dtype, np.dtype):
        try:
            data = np.asarray(data)
        except (ValueError, TypeError):
            return  # not an array: the array checks report it
        dtype = data.dtype
        shown = dtype if shown is None else shown
    if _holds_strings(dtype, lambda: np.asarray(data)):
        raise ValueError(
            f"dtype='numeric' is not compatible with arrays of bytes/strings: {what} "
            f"holds strings (dtype {shown}), but {expected}. Convert your data to "
            "numeric values explicitly instead."
        )


def _holds_strings(dtype, values):
    kind = getattr(dtype, "kind", "O")
    if kind in "US":
        return True
    if kind != "O":
        return False
    return any(isinstance(v, (str, bytes)) for v in np.ravel(values()))


def _check_float32_range(y):
    """Refuse numeric targets that float32 training would turn into infinity."""
    y = np.asarray(y)
    if y.size and y.dtype.kind == "f" and np.abs(y).max() > np.finfo(np.float32).max:
        raise ValueError(
            "Input y contains infinity or a value too large for dtype('float32'). "
            "skrnn trains in float32; rescale y to within +-3.4e38."
        )
