"""Windowing of time series: lazy windows, the ``SlidingWindow`` transformer and
``make_windows``.

A scikit-learn transformer may not change the number of rows nor touch ``y``, yet a
recurrent forecaster needs one sequence per target. ``SlidingWindow`` therefore keeps
the rows: row ``t`` becomes the window of the ``window`` observations that end at row
``t - horizon``, so the target of row ``t`` stays where it is and everything in the
Pipeline stays aligned. The windows are never materialised: a :class:`WindowedSeries`
holds the series once and the positions where windows end, and skrnn's estimators copy
a batch of windows only when they feed it to the network.
"""

import numbers
import warnings
import weakref

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import IncompleteHistoryWarning
from ..utils._compat import Interval, StrOptions, _fit_context, validate_params

__all__ = ["SlidingWindow", "WindowedSeries", "make_windows", "make_horizon_targets"]

_POSITIVE = [Interval(numbers.Integral, 1, None, closed="left")]


class WindowedSeries:
    """Windows over a series, held lazily: the series once, plus where each ends.

    This is what :class:`SlidingWindow` returns. It stands for a 3-D array of shape
    ``(n_rows, window, n_features)`` whose row ``i`` is the ``window`` observations of
    ``series`` that end just before position ``ends[i]``; skrnn's estimators read it
    without materialising it, copying only the windows of one batch at a time.

    A row whose window reaches before the first observation has *incomplete*
    history: it only has ``lengths[i] < window`` observations (possibly none).
    Nothing is invented for the missing part. skrnn's estimators leave such rows out
    of training and forecast them from the observations they have; converting to a
    NumPy array (``np.asarray(windows)``) fills the missing steps with NaN.

    Indexing with an integer gives that row's window as an array; indexing with a
    slice, integer array or boolean mask gives a new ``WindowedSeries`` sharing the
    series, which is how scikit-learn's cross-validation splits it.

    Parameters
    ----------
    series : ndarray of shape (n_observations, n_features)
        The observations, oldest first, floating point.
    ends : array-like of int or range
        For each row, the position in ``series`` just after its window's last
        observation. Positions below ``window`` mean incomplete history.
    window : int
        The number of observations per window.

    Attributes
    ----------
    series : ndarray of shape (n_observations, n_features)
        The observations.
    window : int
        Observations per window.
    shape : tuple of int
        ``(n_rows, window, n_features)``.
    ndim : int
        Always 3.
    dtype : numpy.dtype
        The series' dtype.

    See Also
    --------
    SlidingWindow : The transformer that makes them.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import WindowedSeries
    >>> series = np.arange(10.0).reshape(5, 2)
    >>> windows = WindowedSeries(series, ends=range(1, 6), window=2)
    >>> windows.shape
    (5, 2, 2)
    >>> windows.lengths
    array([1, 2, 2, 2, 2])
    >>> windows[2]
    array([[2., 3.],
           [4., 5.]])
    >>> np.asarray(windows)[0]
    array([[nan, nan],
           [ 0.,  1.]])
    """

    ndim = 3

    def __init__(self, series, ends, window):
        series = np.asarray(series)
        if series.ndim != 2:
            raise ValueError(
                f"series must be a 2-D array (n_observations, n_features), got an "
                f"array of shape {series.shape}."
            )
        if not isinstance(ends, range):
            ends = np.asarray(ends, dtype=np.int64).reshape(-1)
        if not isinstance(window, numbers.Integral) or window < 1:
            raise ValueError(f"window must be a positive integer, got {window!r}.")
        if len(ends) and _bounds(ends)[1] > len(series):
            raise ValueError(
                f"A window ends at position {_bounds(ends)[1]}, past the end of the "
                f"series ({len(series)} observations)."
            )
        self.series = series
        self._ends = ends
        self.window = int(window)

    # -- array-like protocol ---------------------------------------------------------

    @property
    def shape(self):
        return (len(self._ends), self.window, self.series.shape[1])

    @property
    def dtype(self):
        return self.series.dtype

    def __len__(self):
        return len(self._ends)

    @property
    def ends(self):
        """ndarray of shape (n_rows,): where each window ends (exclusive)."""
        return np.asarray(self._ends, dtype=np.int64)

    @property
    def lengths(self):
        """ndarray of shape (n_rows,): observations each window actually has."""
        return np.clip(self.ends, 0, self.window)

    @property
    def complete(self):
        """ndarray of bool of shape (n_rows,): whether a row has its full window."""
        return self.ends >= self.window

    def is_complete(self):
        """Whether every row has its full window of history.

        Returns
        -------
        complete : bool
            True when no row's window reaches before the first observation.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn.preprocessing import WindowedSeries
        >>> WindowedSeries(np.zeros((4, 1)), ends=[2, 3, 4], window=2).is_complete()
        True
        """
        return bool(len(self._ends) == 0 or _bounds(self._ends)[0] >= self.window)

    def _incomplete_rows(self):
        """The positions of the rows with incomplete history, as an index array.

        Only those rows are listed (at most ``window`` of them when the ends are a
        range of consecutive positions), so no array as long as the rows is made.
        """
        ends, window = self._ends, self.window
        if isinstance(ends, range):
            if ends.step > 0:
                return np.arange(len(range(ends.start, min(ends.stop, window),
                                           ends.step)))
            n_complete = len(range(ends.start, max(ends.stop, window - 1), ends.step))
            return np.arange(n_complete, len(ends))
        return np.flatnonzero(ends < window)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            # scikit-learn's _safe_indexing indexes rows as X[key, ...].
            if len(key) == 2 and key[1] is Ellipsis:
                key = key[0]
            else:
                raise IndexError(
                    "A WindowedSeries can only be indexed along its rows; convert it "
                    "with np.asarray first for other indexing."
                )
        if isinstance(key, numbers.Integral):
            return self._materialize([self._ends[key]])[0]
        if isinstance(key, slice):
            return self._subset(self._ends[key])
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (len(self),):
                raise IndexError(
                    f"boolean index of shape {key.shape} does not match the "
                    f"{len(self)} rows."
                )
            key = np.flatnonzero(key)
        elif key.dtype.kind not in "iu":
            raise IndexError(
                "rows must be indexed with integers or booleans, got dtype "
                f"{key.dtype}."
            )
        return self._subset(_take(self._ends, key))

    def _subset(self, ends):
        return WindowedSeries(self.series, ends, self.window)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError(
                "A WindowedSeries cannot be converted to an array without copying."
            )
        out = self._materialize(self.ends)
        return out if dtype is None else out.astype(dtype, copy=False)

    def to_numpy(self):
        """The windows as a 3-D array (a copy; missing history is NaN).

        Returns
        -------
        windows : ndarray of shape (n_rows, window, n_features)
            Row ``i`` is the window of row ``i``.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn.preprocessing import WindowedSeries
        >>> windows = WindowedSeries(np.arange(3.0)[:, None], [2, 3], window=2)
        >>> windows.to_numpy()[:, :, 0]
        array([[0., 1.],
               [1., 2.]])
        """
        return self.__array__()

    def _materialize(self, ends):
        ends = np.asarray(ends, dtype=np.int64)
        n_features = self.series.shape[1]
        dtype = np.result_type(self.series.dtype, np.float32)
        out = np.full((len(ends), self.window, n_features), np.nan, dtype=dtype)
        for length in np.unique(np.clip(ends, 0, self.window)):
            if length == 0:
                continue
            rows = np.flatnonzero(np.clip(ends, 0, self.window) == length)
            steps = ends[rows, None] - length + np.arange(length)
            out[rows, self.window - length :] = self.series[steps]
        return out

    def __repr__(self):
        n_incomplete = len(self._incomplete_rows())
        extra = f", {n_incomplete} with incomplete history" if n_incomplete else ""
        return (
            f"WindowedSeries(n_rows={len(self)}, window={self.window}, "
            f"n_features={self.series.shape[1]}{extra})"
        )


def _bounds(ends):
    """``(min, max)`` of non-empty ``ends``, without iterating over a range."""
    if isinstance(ends, range):
        first, last = ends[0], ends[-1]
        return min(first, last), max(first, last)
    return int(ends.min()), int(ends.max())


def _take(ends, key):
    """Index ``ends`` (a range or an array) by integer positions, keeping ranges."""
    if isinstance(ends, range) and len(key):
        first, last = int(key[0]), int(key[-1])
        if last - first == len(key) - 1 and np.all(np.diff(key) == 1):
            return ends[first : last + 1]
    return np.asarray(ends, dtype=np.int64)[key]


# -- time index handling --------------------------------------------------------------


def _time_step(index, name):
    """The regular step of a time index, or None when the index carries no time.

    DatetimeIndex, PeriodIndex and integer indexes carry positions in time: they
    must be strictly increasing with one regular step (no gaps). Other indexes
    (strings, say) carry none.
    """
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        kind = "time"
    elif pd.api.types.is_integer_dtype(index.dtype):
        kind = "integer"
    else:
        return None
    if len(index) < 2:
        return getattr(index, "freq", None) if kind == "time" else None
    if not index.is_monotonic_increasing:
        raise ValueError(
            f"The {kind} index of X passed to {name} is not sorted in increasing "
            "order; sort the rows by time (X.sort_index()) before windowing."
        )
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise ValueError(
            f"The {kind} index of X passed to {name} has duplicate entries (e.g. "
            f"{dup!r}); each time step must appear once."
        )
    if kind == "integer":
        values = np.asarray(index, dtype=np.int64)
        steps = np.diff(values)
        if np.any(steps != steps[0]):
            at = int(np.flatnonzero(steps != steps[0])[0])
            raise ValueError(
                f"The index of X passed to {name} has a gap: it steps by {steps[0]} "
                f"but goes from {values[at]} to {values[at + 1]}. Windows must be "
                "built over a regular series; fill or interpolate missing steps first."
            )
        return int(steps[0])
    if isinstance(index, pd.PeriodIndex):
        ordinals = index.asi8
        steps = np.diff(ordinals)
        if np.any(steps != 1):
            at = int(np.flatnonzero(steps != 1)[0])
            raise ValueError(
                f"The time index of X passed to {name} has a gap between {index[at]} "
                f"and {index[at + 1]}. Windows must be built over a regular series; "
                "fill or interpolate missing steps first."
            )
        return index.freq
    freq = index.freq
    if freq is None and len(index) >= 3:
        freq = pd.DatetimeIndex(index, freq="infer").freq
    if freq is None and len(index) == 2:
        freq = index[1] - index[0]
    if freq is None:
        raise ValueError(
            f"The time index of X passed to {name} has gaps or irregular steps (no "
            "frequency can be inferred from it, e.g. it goes from "
            f"{index[0]} to {index[1]} to {index[2]}). Windows must be built over a "
            "regular series; resample, fill or interpolate missing steps first."
        )
    return pd.tseries.frequencies.to_offset(freq)


def _next_label(last, step):
    """The index label one step after ``last``."""
    return last + step if step is not None else None


#: The fitted SlidingWindows that have warned about incomplete history since their
#: last fit (kept outside the estimator: transform does not change its state).
_WARNED = weakref.WeakSet()


class _SequenceOutputMixin:
    """``set_output`` for transformers whose output is sequences, not a table.

    ``pipeline.set_output(transform="pandas")`` configures every step and fails on
    a transformer without ``set_output``; sequences have no DataFrame form, so the
    setting is accepted and has no effect.
    """

    def set_output(self, *, transform=None):
        """Accept a Pipeline's output setting; sequences are returned regardless.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            Ignored: the output is sequences, which have no DataFrame form.

        Returns
        -------
        self : estimator instance
            The transformer, unchanged.
        """
        return self


class SlidingWindow(_SequenceOutputMixin, TransformerMixin, BaseEstimator):
    """Turn each row of a time series into the window of observations before it.

    Row ``t`` of ``X`` becomes the ``window`` rows of ``X`` that end at row
    ``t - horizon``, so a model fed these windows forecasts the target of row ``t``
    from what was known ``horizon`` steps earlier. The number of rows does not
    change and ``y`` is untouched: the transformer sits in a scikit-learn
    ``Pipeline`` in front of a recurrent estimator, with ``y`` aligned to the rows
    of ``X`` throughout cross-validation and grid searches.

    The output is a :class:`WindowedSeries`, a 3-D view of the series that is
    never materialised: skrnn's estimators copy the windows of one batch at a time.

    **History.** The rows at the start of ``X`` have less than a full window
    before them. When ``X`` is a DataFrame whose index carries time (a
    ``DatetimeIndex`` or ``PeriodIndex`` with a regular frequency, or consecutive
    integers, as the rows of a DataFrame split by ``TimeSeriesSplit`` keep) and it
    starts right after the data seen in ``fit``, the last ``window + horizon - 1``
    rows seen in ``fit`` are placed before it: a test fold is windowed with the
    observations that precede it, exactly as if the windows had been built over the
    whole series. Plain arrays carry no time, so each call treats its ``X`` as a
    series of its own. Either way nothing is invented: rows left with incomplete
    history are left out of training by skrnn's estimators and forecast from the
    observations they do have (none, for a row with no history, gives the
    network's output for an empty sequence); ``incomplete`` says whether
    ``transform`` warns about them (an
    :class:`~skrnn.exceptions.IncompleteHistoryWarning`, once per fit).

    Keep the index through earlier Pipeline steps with
    ``pipeline.set_output(transform="pandas")``.

    Parameters
    ----------
    window : int, default=24
        Number of observations per window (the sequence length the network reads).
    horizon : int, default=1
        How many steps ahead of the window's last observation the target of a row
        lies: the window of row ``t`` ends at row ``t - horizon``.
    incomplete : {"warn", "ignore", "raise"}, default="warn"
        What ``transform`` does when rows of ``X`` have less than a full window of
        history: warn (how many, and why; only the first time after each
        ``fit``, so repeated predictions and the folds of a search say it once
        per fitted transformer), say nothing, or raise a ValueError.
        ``fit_transform``, which feeds training, never warns: the estimators leave
        those rows out of training.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when ``X`` was a DataFrame with string columns.
    history_ : ndarray of shape (window + horizon - 1, `n_features_in_`)
        The last observations seen in ``fit`` (fewer if ``fit`` saw fewer rows),
        placed before a DataFrame ``X`` that continues the fitted series.
    history_end_ : object or None
        Index label of the last row seen in ``fit``; None when ``X`` had no time
        index.

    See Also
    --------
    make_windows : The explicit path: windows and targets as arrays.
    make_horizon_targets : Targets for horizons 1..h, for direct multi-step
        forecasts.
    WindowedSeries : The output.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.pipeline import make_pipeline
    >>> from skrnn import LSTMRegressor
    >>> from skrnn.preprocessing import SlidingWindow
    >>> t = np.arange(200)
    >>> X = pd.DataFrame({"x": np.sin(t / 5)})
    >>> y = np.sin(t / 5)
    >>> model = make_pipeline(SlidingWindow(window=10),
    ...                       LSTMRegressor(hidden_size=8, max_epochs=5,
    ...                                     random_state=0))
    >>> model.fit(X[:150], y[:150]).predict(X[150:]).shape
    (50,)
    """

    _parameter_constraints: dict = {
        "window": _POSITIVE,
        "horizon": _POSITIVE,
        "incomplete": [StrOptions({"warn", "ignore", "raise"})],
    }

    def __init__(self, window=24, *, horizon=1, incomplete="warn"):
        self.window = window
        self.horizon = horizon
        self.incomplete = incomplete

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features and the end of the series.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_rows, n_features)
            The series, one row per time step, oldest first.
        y : None, default=None
            Ignored.

        Returns
        -------
        self : SlidingWindow
            The fitted transformer.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then window ``X`` over itself (no warning about its first rows).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_rows, n_features)
            The series, one row per time step, oldest first.
        y : None, default=None
            Ignored.

        Returns
        -------
        windows : WindowedSeries of shape (n_rows, window, n_features)
            Row ``t`` is the window ending at row ``t - horizon``.
        """
        series = self._fit(X)
        return WindowedSeries(series, self._ends(0, len(series)), self.window)

    def _validate_series(self, X, *, reset):
        """The validated series, its time index (or None) and the index's step."""
        index = X.index if isinstance(X, pd.DataFrame) else None
        step = _time_step(index, type(self).__name__) if index is not None else None
        series = validate_data(
            self, X, dtype=(np.float64, np.float32), ensure_all_finite=True,
            reset=reset,
        )
        return series, index, step

    def _fit(self, X):
        series, index, step = self._validate_series(X, reset=True)
        if self.window > len(series):
            raise ValueError(
                f"window={self.window} is longer than the series: X has "
                f"n_samples={len(series)} rows. Use a window of at most "
                f"{len(series)} steps or a longer series."
            )
        keep = self.window + self.horizon - 1
        self.history_ = np.array(series[-keep:])
        self.history_end_ = index[-1] if step is not None else None
        self._step = step
        _WARNED.discard(self)
        return series

    def get_feature_names_out(self, input_features=None):
        """The names of the features of each time step of the windows.

        A window holds, at each of its ``window`` steps, the columns of ``X``:
        the names are those of the input, so that a Pipeline or a
        ``ColumnTransformer`` can name them.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            The input's column names: ``feature_names_in_`` when None (or
            ``x0``, ``x1``, ... when ``fit`` saw no column names); if given, they
            must match ``feature_names_in_``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per feature of a time step.
        """
        check_is_fitted(self, "history_")
        return OneToOneFeatureMixin.get_feature_names_out(self, input_features)

    def _ends(self, offset, n_rows):
        first = offset + 1 - self.horizon
        return range(first, first + n_rows)

    def transform(self, X):
        """Window ``X``, with the fitted history before it when it continues it.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_rows, n_features)
            The series, one row per time step, oldest first.

        Returns
        -------
        windows : WindowedSeries of shape (n_rows, window, n_features)
            Row ``t`` is the window ending at row ``t - horizon``.
        """
        check_is_fitted(self, "history_")
        series, index, step = self._validate_series(X, reset=False)
        follows = (
            step is not None
            and self.history_end_ is not None
            and len(index) > 0
            and index[0] == _next_label(self.history_end_, self._step)
        )
        offset = 0
        if follows:
            history = self.history_.astype(series.dtype, copy=False)
            series = np.concatenate([history, series])
            offset = len(history)
        n_rows = len(series) - offset
        windows = WindowedSeries(series, self._ends(offset, n_rows), self.window)
        if self.incomplete != "ignore" and not windows.is_complete():
            self._report_incomplete(windows, index, step)
        return windows

    def _report_incomplete(self, windows, index, step):
        n_short = len(windows._incomplete_rows())
        if index is None:
            why = (
                "X has no time index (a plain array), so its rows cannot be placed "
                "after the data seen in fit; pass a DataFrame whose index continues "
                "the fitted one (keep it through a Pipeline with "
                "set_output(transform='pandas')) to window them with their true "
                "history"
            )
        elif step is None or self.history_end_ is None:
            why = "X's index carries no position in time"
        else:
            why = (
                f"X starts at {index[0]!r}, which does not directly follow the last "
                f"row seen in fit ({self.history_end_!r})"
            )
        message = (
            f"{n_short} of the {len(windows)} rows of X have less than "
            f"window={self.window} observations before them (with "
            f"horizon={self.horizon}): {why}. They are forecast from the observations "
            "they have."
        )
        if self.incomplete == "raise":
            raise ValueError(message)
        if self in _WARNED:
            return
        _WARNED.add(self)
        warnings.warn(
            message + " (Said once per fit; incomplete='ignore' silences it.)",
            IncompleteHistoryWarning, stacklevel=3,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _as_series_2d(X, name):
    if isinstance(X, (pd.Series, pd.DataFrame)):
        X = X.to_numpy()
    X = check_array(
        X, ensure_2d=False, dtype=(np.float64, np.float32), input_name=name
    )
    if X.ndim == 1:
        X = X[:, np.newaxis]
    if X.ndim != 2:
        raise ValueError(
            f"Found array with dim {X.ndim}. make_windows expected a series of shape "
            "(n_rows,) or (n_rows, n_features)."
        )
    return X


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like", None],
        "window": _POSITIVE,
        "horizon": _POSITIVE,
        "step": _POSITIVE,
    },
    prefer_skip_nested_validation=True,
)
def make_windows(X, y=None, *, window, horizon=1, step=1):
    """Cut a series into windows, with the targets aligned to them.

    Window ``i`` is ``X[i * step : i * step + window]``; its target is the value of
    ``y`` ``horizon`` steps after the window's last row. Windows are a read-only
    view of ``X``, not a copy; windows whose target lies beyond the end of ``y``
    are dropped. Without ``y``, every complete window is returned, the last one
    ending at the last row (the one to forecast the future from).

    Parameters
    ----------
    X : array-like of shape (n_rows,) or (n_rows, n_features)
        The series, oldest first; 1-D means one feature.
    y : array-like of shape (n_rows,) or (n_rows, n_outputs), default=None
        The targets, aligned with the rows of ``X``: ``y[t]`` is the value at time
        ``t``. ``make_horizon_targets`` builds a 2-D ``y`` for several horizons.
    window : int
        Rows per window.
    horizon : int, default=1
        Steps between a window's last row and its target.
    step : int, default=1
        Rows between the starts of consecutive windows.

    Returns
    -------
    windows : ndarray of shape (n_windows, window, n_features)
        A read-only view of ``X`` (float32 or float64, as ``X``; other dtypes are
        converted to float64 first).
    targets : ndarray of shape (n_windows,) or (n_windows, n_outputs)
        The target of each window; only returned when ``y`` is given.

    See Also
    --------
    SlidingWindow : The same inside a Pipeline, keeping the rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import make_windows
    >>> series = np.arange(6)
    >>> windows, targets = make_windows(series, series, window=3)
    >>> windows[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> targets
    array([3, 4, 5])
    """
    series = _as_series_2d(X, "X")
    n = len(series)
    if window > n:
        raise ValueError(
            f"window={window} is longer than the series: X has {n} rows. Use a "
            f"window of at most {n} steps or a longer series."
        )
    views = np.lib.stride_tricks.sliding_window_view(series, window, axis=0)
    views = views.transpose(0, 2, 1)  # (n - window + 1, window, n_features), a view
    if y is None:
        return views[::step]
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
    if len(y) != n:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X has {n} "
            f"rows but y has {len(y)}; y[t] must be the target at row t of X."
        )
    first_target = window - 1 + horizon
    if first_target >= n:
        raise ValueError(
            f"window={window} and horizon={horizon} leave no window with a target: "
            f"the series has {n} rows and needs at least {first_target + 1}."
        )
    return views[: n - first_target : step], y[first_target::step]


@validate_params(
    {"y": ["array-like"], "horizon": _POSITIVE}, prefer_skip_nested_validation=True
)
def make_horizon_targets(y, horizon):
    """Targets for horizons 1 to ``horizon``, for direct multi-step forecasts.

    Row ``t`` of the result holds ``y[t], y[t + 1], ..., y[t + horizon - 1]``: with
    windows that end at row ``t - 1`` (``SlidingWindow(horizon=1)``), these are the
    values 1 to ``horizon`` steps ahead, predicted at once by one multi-output
    estimator. The last ``horizon - 1`` rows have no complete set of future values
    and are dropped: trim ``X`` to the rows kept (``X[:len(Y)]``, or
    ``X.loc[Y.index]`` for pandas).

    Parameters
    ----------
    y : array-like of shape (n_rows,)
        The series to forecast, aligned with the rows of ``X``.
    horizon : int
        The furthest horizon.

    Returns
    -------
    Y : ndarray or DataFrame of shape (n_rows - horizon + 1, horizon)
        Column ``k`` holds the values ``k + 1`` steps ahead of a window ending at
        the previous row. A DataFrame (columns ``"<name>+1"``, ...) keeping the index
        when ``y`` is a pandas Series.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import make_horizon_targets
    >>> make_horizon_targets(np.arange(5.0), horizon=3)
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    """
    values = y.to_numpy() if isinstance(y, pd.Series) else y
    values = check_array(values, ensure_2d=False, dtype=None, input_name="y")
    if values.ndim != 1:
        raise ValueError(
            f"y must be a 1-D series of shape (n_rows,), got shape {values.shape}."
        )
    n = len(values)
    if horizon > n:
        raise ValueError(
            f"horizon={horizon} is longer than the series: y has {n} rows."
        )
    Y = np.lib.stride_tricks.sliding_window_view(values, horizon)
    if isinstance(y, pd.Series):
        name = y.name if y.name is not None else "y"
        columns = [f"{name}+{k}" for k in range(1, horizon + 1)]
        return pd.DataFrame(Y, index=y.index[: len(Y)], columns=columns)
    return Y
