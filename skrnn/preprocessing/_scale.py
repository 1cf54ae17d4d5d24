"""``SequenceScaler``: per-feature standardisation of sequences inside a Pipeline."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from .._data import RaggedSequences, is_ragged
from ..utils._compat import _check_feature_names, _fit_context
from ._window import WindowedSeries, _SequenceOutputMixin

__all__ = ["SequenceScaler"]


class SequenceScaler(_SequenceOutputMixin, TransformerMixin, BaseEstimator):
    """Standardise each feature of sequences over all samples and time steps.

    scikit-learn's ``StandardScaler`` takes 2-D input; sequences are 3-D,
    ``(n_samples, n_timesteps, n_features)``, and a feature must be scaled with one
    mean and one standard deviation shared by all its time steps, or the shape of
    a sequence over time would be distorted. This scaler does that, so 3-D data can
    be standardised inside a ``Pipeline`` in front of a recurrent estimator.

    Input layouts follow skrnn's estimators:

    - 3-D arrays ``(n_samples, n_timesteps, n_features)``: one mean and scale per
      feature;
    - 2-D arrays or DataFrames ``(n_samples, n_timesteps)``, univariate sequences:
      one mean and scale for all columns;
    - :class:`WindowedSeries` (from :class:`SlidingWindow`): the underlying series
      is scaled per feature and windows are returned, still unmaterialised;
    - lists of sequences of different lengths, ``(length_i, n_features)`` or
      ``(length_i,)``: one mean and scale per feature over every step of every
      sequence; a list of the same shapes is returned.

    NaN values are ignored when fitting and kept by ``transform``, as in
    ``StandardScaler``.

    Parameters
    ----------
    with_mean : bool, default=True
        Whether to centre each feature.
    with_std : bool, default=True
        Whether to scale each feature to unit variance.

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,) or None
        Mean of each feature (one value for univariate 2-D input); None when
        ``with_mean=False``.
    scale_ : ndarray of shape (n_channels,) or None
        Standard deviation of each feature (1 where it is 0); None when
        ``with_std=False``.
    n_features_in_ : int
        For 2-D input the number of columns (time steps), as in every scikit-learn
        transformer; for 3-D input the number of features per step.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, for DataFrame input with string columns.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same for tabular data, e.g. before
        :class:`SlidingWindow`.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import SequenceScaler
    >>> X = np.stack([np.ones((5, 2)) * [1, 10], np.ones((5, 2)) * [3, 30]])
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([ 2., 20.]), array([ 1., 10.]))
    >>> scaler.transform(X)[:, 0]
    array([[-1., -1.],
           [ 1.,  1.]])
    """

    _parameter_constraints: dict = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the mean and standard deviation of each feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), WindowedSeries, or list of array-like \
                of shape (length_i, n_features) or (length_i,)
            The sequences.
        y : None, default=None
            Ignored.

        Returns
        -------
        self : SequenceScaler
            The fitted scaler.
        """
        values, _ = self._validate(X, reset=True)
        values = values.reshape(-1, values.shape[-1]) if values.ndim == 3 else values
        if values.ndim == 2 and self._layout == "univariate":
            values = values.reshape(-1, 1)
        if np.isnan(values).all(axis=0).any():
            raise ValueError(
                "A feature of X is NaN at every sample and time step; "
                f"{type(self).__name__} cannot compute its mean."
            )
        self.mean_ = np.nanmean(values, axis=0) if self.with_mean else None
        if self.with_std:
            scale = np.nanstd(values, axis=0)
            scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0
            self.scale_ = scale
        else:
            self.scale_ = None
        return self

    def transform(self, X):
        """Standardise the sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), WindowedSeries, or list of array-like \
                of shape (length_i, n_features) or (length_i,)
            The sequences.

        Returns
        -------
        X_scaled : ndarray of the same shape, WindowedSeries or list of ndarray
            The standardised sequences (a new array; windows over a scaled copy of
            the series for WindowedSeries input; a list of new arrays of the same
            shapes for a list).
        """
        check_is_fitted(self, "n_features_in_")
        values, windows = self._validate(X, reset=False)
        out = values.astype(values.dtype, copy=True)
        if self.mean_ is not None:
            out -= self.mean_.astype(out.dtype)
        if self.scale_ is not None:
            out /= self.scale_.astype(out.dtype)
        return self._wrap(out, windows)

    def inverse_transform(self, X):
        """Undo the standardisation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), WindowedSeries, or list of array-like \
                of shape (length_i, n_features) or (length_i,)
            Standardised sequences.

        Returns
        -------
        X_original : ndarray of the same shape, WindowedSeries or list of ndarray
            The sequences in their original units.
        """
        check_is_fitted(self, "n_features_in_")
        values, windows = self._validate(X, reset=False)
        out = values.astype(values.dtype, copy=True)
        if self.scale_ is not None:
            out *= self.scale_.astype(out.dtype)
        if self.mean_ is not None:
            out += self.mean_.astype(out.dtype)
        return self._wrap(out, windows)

    @staticmethod
    def _wrap(values, windows):
        if windows is None:
            return values
        if isinstance(windows, tuple):  # (RaggedSequences, were they 1-D)
            ragged, flat = windows
            return ragged.with_values(values).to_list(squeeze=flat)
        return WindowedSeries(values, windows._ends, windows.window)

    def _validate(self, X, *, reset):
        """Validated values to scale (the series for windows) and the windows."""
        name = type(self).__name__
        windows = X if isinstance(X, WindowedSeries) else None
        params = dict(dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan")
        if is_ragged(X):
            flat = all(np.ndim(seq) == 1 for seq in X)
            dtypes = {getattr(seq, "dtype", np.dtype(np.float64)) for seq in X}
            dtype = np.float32 if dtypes == {np.dtype(np.float32)} else np.float64
            windows = RaggedSequences.from_sequences(
                X, dtype=dtype, estimator_name=name, allow_nan=True
            )
            values = check_array(windows.values, input_name="X", **params)
            n_features, layout = values.shape[1], "sequences"
            _check_feature_names(self, values, reset=reset)
            windows = (windows, flat)
        elif windows is not None:
            values = check_array(windows.series, input_name="X", **params)
            n_features, layout = values.shape[1], "windows"
            _check_feature_names(self, values, reset=reset)
        elif not hasattr(X, "iloc") and np.asarray(X).ndim == 3:
            values = check_array(X, allow_nd=True, input_name="X", **params)
            n_features, layout = values.shape[2], "sequences"
            _check_feature_names(self, values, reset=reset)
        else:
            if not reset and self._layout != "univariate":
                raise ValueError(
                    f"X is 2-D (univariate sequences), but {name} was fitted on "
                    f"sequences with {self.n_features_in_} features per time step; "
                    "pass a 3-D array of shape (n_samples, n_timesteps, n_features)."
                )
            values = validate_data(self, X, reset=reset, **params)
            n_features, layout = values.shape[1], "univariate"
        if reset:
            self.n_features_in_ = n_features
            self._layout = layout
            return values, windows
        channels = 1 if self._layout == "univariate" else self.n_features_in_
        got = 1 if layout == "univariate" else n_features
        if got != channels:
            raise ValueError(
                f"X has {got} features per time step, but {name} is expecting "
                f"{channels} features per time step as input."
            )
        return values, windows

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
