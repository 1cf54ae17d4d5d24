"""Recurrent regressors: ``RecurrentRegressor`` and its fixed-cell variants."""

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrentEstimator
from ._steps import flatten_steps
from ._weights import weighted_mean_std
from .nn import StepMSELoss
from .utils._compat import StrOptions, _fit_context
from .utils._docstring import FRAGMENTS, Substitution

__all__ = ["RecurrentRegressor", "LSTMRegressor", "GRURegressor", "RNNRegressor"]


@Substitution(**FRAGMENTS)
class RecurrentRegressor(RegressorMixin, BaseRecurrentEstimator):
    """Recurrent neural network regressor with the cell as a hyperparameter.

    A stack of LSTM, GRU or Elman RNN layers reads each sequence; a linear layer
    maps their readout (``readout``) to the target(s). It is trained with the mean
    squared error through skorch, on standardised targets by default.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent layer: :class:`torch.nn.LSTM`, :class:`torch.nn.GRU` or the
        Elman :class:`torch.nn.RNN`. A hyperparameter like any other, so
        ``GridSearchCV`` can search it.

    %(architecture)s

    %(nonlinearity)s
        Used with ``cell="rnn"``; ignored by LSTM and GRU.

    %(training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output, with the mean and standard
        deviation of the first ``fit`` or ``partial_fit`` call) for training;
        predictions are transformed back. The losses in ``loss_curve_`` are then
        in standardised units.

    %(relative)s

    Attributes
    ----------
    %(fitted)s

    n_outputs_ : int
        Number of targets.

    See Also
    --------
    LSTMRegressor, GRURegressor, RNNRegressor : The same with the cell fixed.
    RecurrentClassifier : The classifier.

    Notes
    -----
    ``X`` is a 3-D array ``(n_samples, n_timesteps, n_features)``, or a 2-D array
    or DataFrame of univariate sequences ``(n_samples, n_timesteps)``. For 3-D input
    the number of time steps may differ between fit and predict; the number of
    features per step may not. For 2-D input ``n_features_in_`` is the number of
    columns, as in every scikit-learn estimator, so predict takes the same columns.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RecurrentRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 10, 2)).astype("float32")
    >>> y = X[:, :, 0].sum(axis=1)
    >>> reg = RecurrentRegressor(cell="gru", hidden_size=16, max_epochs=50,
    ...                          random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> reg.score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseRecurrentEstimator._parameter_constraints,
        "normalize_y": ["boolean"],
        "relative": ["boolean", StrOptions({"auto"})],
    }
    _criterion = torch.nn.MSELoss
    _step_criterion = StepMSELoss
    _check_targets = dict(multi_output=True, y_numeric=True)
    _target_attributes = ("n_outputs_", "_y_ndim", "_y_mean", "_y_scale")

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        nonlinearity="tanh",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
        relative="auto",
    ):
        super().__init__(
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
        )
        self.normalize_y = normalize_y
        self.relative = relative

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The training sequences; 2-D input holds univariate sequences, and a
            list of arrays ``(length_i, n_features)`` sequences of different
            lengths.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets. With ``return_sequences=True``, one per time step:
            ``(n_samples, n_timesteps)`` or ``(n_samples, n_timesteps,
            n_outputs)``, or a list of per-step arrays for a list of sequences.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences: the loss is their weighted mean (the
            early-stopping validation loss too), and ``normalize_y`` uses the
            weighted mean and standard deviation. A weight of 0 leaves the row
            out; equal weights are the same as none.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing any previous fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The training sequences (or a list of sequences of different
            lengths).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets. With ``return_sequences=True``, one per time step:
            ``(n_samples, n_timesteps)`` or ``(n_samples, n_timesteps,
            n_outputs)``, or a list of per-step arrays for a list of sequences.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences, as in :meth:`fit`.

        Returns
        -------
        self : object
            The updated regressor.
        """
        return self._fit(X, y, incremental=True, sample_weight=sample_weight)

    def predict(self, X):
        """Predict the targets of sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The sequences (or a list of sequences of different lengths).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs), or list
            The predicted values (float64), shaped like the ``y`` seen in fit:
            with ``return_sequences=True``, ``(n_samples, n_timesteps)`` or
            ``(n_samples, n_timesteps, n_outputs)``, or a list of per-step arrays
            for a list of sequences of different lengths.
        """
        out = self._forward(X)
        if isinstance(out, list):
            return [self._decode(part) for part in out]
        return self._decode(out)

    def _decode(self, out):
        out = out.astype(np.float64)
        out *= self._y_scale  # in place: no temporary as large as the output
        out += self._y_mean
        return out[..., 0] if self._y_ndim == 1 else out

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R² of the predictions.

        With ``return_sequences=True`` it is computed over all time steps of all
        sequences, each step one observation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of sequences
            The sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), or \
                per-step targets
            The true values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (with ``return_sequences=True``, each sequence's weight
            applies to each of its steps).

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` with respect to ``y``.
        """
        if not getattr(self, "return_sequences", False):
            return super().score(X, y, sample_weight=sample_weight)
        from sklearn.metrics import r2_score

        y_pred = self.predict(X)
        weights = _step_weights(sample_weight, y_pred)
        return r2_score(flatten_steps(y), flatten_steps(y_pred), sample_weight=weights)

    def _encode_targets(self, y, *, reset, classes=None, sample_weight=None):
        y = np.asarray(y, dtype=np.float64)
        y2 = y.reshape(len(y), -1)
        if reset:
            self._y_ndim = y.ndim
            self.n_outputs_ = y2.shape[1]
            if self.normalize_y:
                mean, scale = weighted_mean_std(y2, sample_weight)
                self._y_mean = mean.astype(np.float32)
                scale[scale < 10 * np.finfo(np.float64).eps] = 1.0
                self._y_scale = scale.astype(np.float32)
            else:
                self._y_mean = np.zeros(self.n_outputs_, dtype=np.float32)
                self._y_scale = np.ones(self.n_outputs_, dtype=np.float32)
        else:
            check_is_fitted(self, "n_outputs_")
        y2 = ((y2 - self._y_mean) / self._y_scale).astype(np.float32)
        return torch.from_numpy(y2), y2.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


@Substitution(**FRAGMENTS)
class LSTMRegressor(RecurrentRegressor):
    """Long short-term memory (LSTM) network regressor.

    RecurrentRegressor with ``cell="lstm"`` fixed: the recurrent layer is
    :class:`torch.nn.LSTM`. See :class:`RecurrentRegressor` for the full description.

    Parameters
    ----------
    %(architecture)s

    %(training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output, with the mean and standard
        deviation of the first ``fit`` or ``partial_fit`` call) for training;
        predictions are transformed back.

    %(relative)s

    Attributes
    ----------
    %(fitted)s

    n_outputs_ : int
        Number of targets.

    See Also
    --------
    RecurrentRegressor : The same estimator with ``cell`` as a hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import LSTMRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 8))          # 100 univariate sequences of 8 steps
    >>> y = X[:, -3:].mean(axis=1)
    >>> reg = LSTMRegressor(hidden_size=16, max_epochs=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape, reg.n_features_in_
    ((2,), 8)
    """

    _parameter_constraints = {
        k: v
        for k, v in RecurrentRegressor._parameter_constraints.items()
        if k not in {"cell", "nonlinearity"}
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
        relative="auto",
    ):
        super().__init__(
            cell="lstm",
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity="tanh",
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
            normalize_y=normalize_y,
            relative=relative,
        )


@Substitution(**FRAGMENTS)
class GRURegressor(RecurrentRegressor):
    """Gated recurrent unit (GRU) network regressor.

    RecurrentRegressor with ``cell="gru"`` fixed: the recurrent layer is
    :class:`torch.nn.GRU`. See :class:`RecurrentRegressor` for the full description.

    Parameters
    ----------
    %(architecture)s

    %(training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output, with the mean and standard
        deviation of the first ``fit`` or ``partial_fit`` call) for training;
        predictions are transformed back.

    %(relative)s

    Attributes
    ----------
    %(fitted)s

    n_outputs_ : int
        Number of targets.

    See Also
    --------
    RecurrentRegressor : The same estimator with ``cell`` as a hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import GRURegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 12, 3)).astype("float32")
    >>> Y = np.c_[X[:, :, 0].mean(axis=1), X[:, -1, 1]]    # two targets
    >>> reg = GRURegressor(hidden_size=16, max_epochs=30, random_state=0).fit(X, Y)
    >>> reg.predict(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        k: v
        for k, v in RecurrentRegressor._parameter_constraints.items()
        if k not in {"cell", "nonlinearity"}
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
        relative="auto",
    ):
        super().__init__(
            cell="gru",
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity="tanh",
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
            normalize_y=normalize_y,
            relative=relative,
        )


@Substitution(**FRAGMENTS)
class RNNRegressor(RecurrentRegressor):
    """Elman recurrent neural network (RNN) regressor.

    RecurrentRegressor with ``cell="rnn"`` fixed: the recurrent layer is
    :class:`torch.nn.RNN`. See :class:`RecurrentRegressor` for the full description.

    Parameters
    ----------
    %(architecture)s

    %(nonlinearity)s

    %(training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output, with the mean and standard
        deviation of the first ``fit`` or ``partial_fit`` call) for training;
        predictions are transformed back.

    %(relative)s

    Attributes
    ----------
    %(fitted)s

    n_outputs_ : int
        Number of targets.

    See Also
    --------
    RecurrentRegressor : The same estimator with ``cell`` as a hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(100, 6, 1)).astype("float32")
    >>> y = X[:, -1, 0]
    >>> reg = RNNRegressor(nonlinearity="relu", max_epochs=30, random_state=0)
    >>> reg.fit(X, y).predict(X[:, :3]).shape    # fewer time steps at predict
    (100,)
    """

    _parameter_constraints = {
        k: v
        for k, v in RecurrentRegressor._parameter_constraints.items()
        if k not in {"cell"}
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        nonlinearity="tanh",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
        relative="auto",
    ):
        super().__init__(
            cell="rnn",
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
            normalize_y=normalize_y,
            relative=relative,
        )


def _step_weights(sample_weight, y_pred):
    """Per-sequence weights repeated over each sequence's steps (or None)."""
    if sample_weight is None:
        return None
    lengths = [len(part) for part in y_pred] if isinstance(y_pred, list) else (
        [y_pred.shape[1]] * len(y_pred)
    )
    return np.repeat(np.asarray(sample_weight, dtype=np.float64), lengths)
