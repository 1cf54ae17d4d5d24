"""Convolutional recurrent regressors: next frames, frame sequences or numbers."""

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_is_fitted

from ._conv_base import CONV_FRAGMENTS, BaseConvRecurrentEstimator, channel_stats
from .utils._compat import _fit_context
from .utils._docstring import FRAGMENTS, Substitution

__all__ = ["ConvGRURegressor", "ConvLSTMRegressor", "ConvRecurrentRegressor"]

#: Where the channels are in the network's output, by head.
_CHANNEL_AXIS = {"pooled": 1, "frame": 1, "sequence": 2}


@Substitution(**FRAGMENTS, **CONV_FRAGMENTS)
class ConvRecurrentRegressor(RegressorMixin, BaseConvRecurrentEstimator):
    """Convolutional recurrent regressor (ConvLSTM or ConvGRU) for image sequences.

    A stack of :class:`~skrnn.nn.ConvLSTM` or :class:`~skrnn.nn.ConvGRU` layers
    reads each sequence of frames. What ``y`` holds decides the head, and
    predictions have ``y``'s shape:

    - the next frame, ``(n_samples, channels, height, width)`` or
      ``(n_samples, height, width)`` (nowcasting): a 1x1 convolution of the last
      layer's final hidden state;
    - with ``return_sequences=True``, one frame per input step,
      ``(n_samples, n_timesteps, [channels,] height, width)``: a 1x1 convolution
      of every step's output;
    - one or several numbers per sequence, ``(n_samples,)`` or
      ``(n_samples, n_outputs)``: the final hidden state averaged over the frame,
      then a linear layer.

    It is trained with the mean squared error through skorch, on standardised
    targets (per channel) by default.

    Parameters
    ----------
    cell : {"lstm", "gru"}, default="lstm"
        The recurrent layer, :class:`~skrnn.nn.ConvLSTM` or
        :class:`~skrnn.nn.ConvGRU`; a hyperparameter like any other, so
        ``GridSearchCV`` and :func:`~skrnn.compare_cells` can vary it.

    %(conv_architecture)s

    return_sequences : bool, default=False
        Whether ``y`` holds one frame per time step (as Keras'
        ``return_sequences``) rather than one target per sequence.

    %(conv_training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output, or per channel of target
        frames, with the mean and standard deviation of the first ``fit`` or
        ``partial_fit`` call) for training; predictions are transformed back.

    Attributes
    ----------
    %(conv_fitted)s

    n_outputs_ : int
        Number of targets per sequence, or channels of each predicted frame.

    See Also
    --------
    ConvLSTMRegressor, ConvGRURegressor : The same with the cell fixed.
    ConvRecurrentClassifier : The classifier.
    skrnn.datasets.make_moving_digits : Image sequences to try it on.

    Notes
    -----
    %(conv_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import ConvRecurrentRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(40, 4, 8, 8).astype("float32")  # 40 sequences of 4 frames
    >>> y = np.roll(X[:, -1], 1, axis=2)            # the last frame, moved right
    >>> reg = ConvRecurrentRegressor(cell="gru", filters=4, max_epochs=5,
    ...                              random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3, 8, 8)
    """

    _parameter_constraints = {
        **BaseConvRecurrentEstimator._parameter_constraints,
        "return_sequences": ["boolean"],
        "normalize_y": ["boolean"],
    }
    _criterion = torch.nn.MSELoss
    _check_targets = dict(multi_output=True, y_numeric=True)
    _target_attributes = ("n_outputs_", "_head_kind", "_y_ndim", "_y_mean", "_y_scale")

    def __init__(
        self,
        *,
        cell="lstm",
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
    ):
        super().__init__(
            cell=cell,
            filters=filters,
            kernel_size=kernel_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
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
        self.return_sequences = return_sequences
        self.normalize_y = normalize_y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network to image sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The training sequences (or 2-D, sequences of single values).
        y : array-like
            The targets: ``(n_samples, [channels,] height, width)`` (the next
            frame), ``(n_samples, n_timesteps, [channels,] height, width)`` with
            ``return_sequences=True``, or ``(n_samples,)`` /
            ``(n_samples, n_outputs)``.

        Returns
        -------
        self : object
            The fitted regressor.
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Train for one epoch on ``X`` and ``y``, continuing any previous fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The training sequences.
        y : array-like
            The targets, shaped as in :meth:`fit`.

        Returns
        -------
        self : object
            The updated regressor.
        """
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """Predict the targets of image sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The sequences; height, width and length may differ from fit's.

        Returns
        -------
        y_pred : ndarray
            The predictions (float64), shaped like the ``y`` seen in fit (with
            this ``X``'s height, width and number of steps).
        """
        out = self._forward(X).astype(np.float64)
        head = self._head_kind
        axis = _CHANNEL_AXIS[head]
        shape = [1] * out.ndim
        shape[axis] = -1
        out = out * self._y_scale.reshape(shape) + self._y_mean.reshape(shape)
        if head == "pooled":
            return out.ravel() if self._y_ndim == 1 else out
        has_channels = self._y_ndim == (4 if head == "frame" else 5)
        return out if has_channels else out.squeeze(axis)

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination of the predictions.

        For targets that are frames, every pixel (and channel, and step) is an
        output and the outputs are weighted by their variance
        (``multioutput="variance_weighted"``), so the score is
        ``1 - sum of squared errors / total sum of squares`` over all pixels,
        and pixels that never change do not count. Otherwise it is
        :meth:`sklearn.base.RegressorMixin.score`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The sequences.
        y : array-like
            The true targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` with respect to ``y``.
        """
        check_is_fitted(self, "net_")
        if self._head_kind == "pooled":
            return super().score(X, y, sample_weight=sample_weight)
        y = np.asarray(y, dtype=np.float64)
        pred = self.predict(X)
        return float(r2_score(y.reshape(len(y), -1), pred.reshape(len(pred), -1),
                              sample_weight=sample_weight,
                              multioutput="variance_weighted"))

    def _check_targets_form(self, X, y, *, reset):
        name = type(self).__name__
        y = np.asarray(y)
        n, T, C, H, W = X.shape
        frames = self._input_ndim != 2
        if self.return_sequences:
            if not frames:
                raise ValueError(
                    f"return_sequences=True needs image sequences: {name} got a 2-D "
                    "X (sequences of single values); pass X of shape (n_samples, "
                    "n_timesteps, [channels,] height, width)."
                )
            head = "sequence"
            ok = y.ndim in (4, 5) and y.shape[1] == T and y.shape[-2:] == (H, W)
            expected = (f"(n_samples, {T}, {H}, {W}) or (n_samples, {T}, channels, "
                        f"{H}, {W}): one frame per time step of X")
        elif y.ndim <= 2:
            head, ok = "pooled", True
        else:
            head = "frame"
            ok = frames and y.ndim in (3, 4) and y.shape[-2:] == (H, W)
            expected = (
                f"(n_samples,) or (n_samples, n_outputs), one or several numbers per "
                f"sequence, or (n_samples, {H}, {W}) or (n_samples, channels, {H}, "
                f"{W}), a frame per sequence (return_sequences=True takes one per "
                "step)" if frames else
                "(n_samples,) or (n_samples, n_outputs) for a 2-D X"
            )
        if not ok:
            raise ValueError(
                f"y has shape {y.shape}, but for X of {T} frame(s) of {H}x{W} {name} "
                f"expects y of shape {expected}."
            )
        if reset:
            self._head_kind = head
        elif head != self._head_kind or y.ndim != self._y_ndim:
            raise ValueError(
                f"y has shape {y.shape}, but {name} was fitted with {self._y_ndim}-D "
                f"targets ({self._head_kind!r} head); warm_start and partial_fit "
                "continue training the same network."
            )

    def _encode_targets(self, y, *, reset, classes=None, sample_weight=None):
        # (fit takes no sample_weight here: the conv family trains unweighted.)
        y = np.asarray(y, dtype=np.float64)
        head = self._head_kind
        if head == "pooled":
            y_net = y.reshape(len(y), -1)
        elif head == "frame":
            y_net = y if y.ndim == 4 else y[:, np.newaxis]
        else:
            y_net = y if y.ndim == 5 else y[:, :, np.newaxis]
        axis = _CHANNEL_AXIS[head]
        if reset:
            self._y_ndim = y.ndim
            self.n_outputs_ = y_net.shape[axis]
            if self.normalize_y:
                self._y_mean, self._y_scale = channel_stats(y_net, axis)
            else:
                self._y_mean = np.zeros(self.n_outputs_, dtype=np.float32)
                self._y_scale = np.ones(self.n_outputs_, dtype=np.float32)
        else:
            check_is_fitted(self, "n_outputs_")
        if y_net.shape[axis] != self.n_outputs_:
            return torch.empty(0), y_net.shape[axis]  # _fit reports the mismatch
        shape = [1] * y_net.ndim
        shape[axis] = -1
        y_net = (y_net - self._y_mean.reshape(shape)) / self._y_scale.reshape(shape)
        return torch.from_numpy(y_net.astype(np.float32)), y_net.shape[axis]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


@Substitution(**FRAGMENTS, **CONV_FRAGMENTS)
class ConvLSTMRegressor(ConvRecurrentRegressor):
    """Convolutional LSTM regressor for image sequences (Keras' ``ConvLSTM2D``).

    ConvRecurrentRegressor with ``cell="lstm"`` fixed: the recurrent layers are
    :class:`~skrnn.nn.ConvLSTM`. See :class:`ConvRecurrentRegressor` for the
    targets it takes.

    Parameters
    ----------
    %(conv_architecture)s

    return_sequences : bool, default=False
        Whether ``y`` holds one frame per time step rather than one target per
        sequence.

    %(conv_training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output or channel) for training;
        predictions are transformed back.

    Attributes
    ----------
    %(conv_fitted)s

    n_outputs_ : int
        Number of targets per sequence, or channels of each predicted frame.

    See Also
    --------
    ConvRecurrentRegressor : The same estimator with ``cell`` as a hyperparameter.

    Notes
    -----
    %(conv_notes)s

    Examples
    --------
    >>> from skrnn import ConvLSTMRegressor
    >>> from skrnn.datasets import make_moving_digits
    >>> X, y = make_moving_digits(30, n_frames=4, frame_size=16, random_state=0)
    >>> reg = ConvLSTMRegressor(filters=4, max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2, 16, 16)
    """

    _parameter_constraints = {
        k: v for k, v in ConvRecurrentRegressor._parameter_constraints.items()
        if k != "cell"
    }

    def __init__(
        self,
        *,
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
    ):
        super().__init__(
            cell="lstm",
            filters=filters,
            kernel_size=kernel_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            return_sequences=return_sequences,
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
        )


@Substitution(**FRAGMENTS, **CONV_FRAGMENTS)
class ConvGRURegressor(ConvRecurrentRegressor):
    """Convolutional GRU regressor for image sequences.

    ConvRecurrentRegressor with ``cell="gru"`` fixed: the recurrent layers are
    :class:`~skrnn.nn.ConvGRU`, with 3/4 of ConvLSTM's parameters. See
    :class:`ConvRecurrentRegressor` for the targets it takes.

    Parameters
    ----------
    %(conv_architecture)s

    return_sequences : bool, default=False
        Whether ``y`` holds one frame per time step rather than one target per
        sequence.

    %(conv_training)s

    normalize_y : bool, default=True
        Whether to standardise the targets (per output or channel) for training;
        predictions are transformed back.

    Attributes
    ----------
    %(conv_fitted)s

    n_outputs_ : int
        Number of targets per sequence, or channels of each predicted frame.

    See Also
    --------
    ConvRecurrentRegressor : The same estimator with ``cell`` as a hyperparameter.

    Notes
    -----
    %(conv_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import ConvGRURegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(30, 5, 1, 6, 6).astype("float32")
    >>> y = X.mean(axis=(1, 2, 3, 4))                  # one number per sequence
    >>> reg = ConvGRURegressor(filters=4, max_epochs=3, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        k: v for k, v in ConvRecurrentRegressor._parameter_constraints.items()
        if k != "cell"
    }

    def __init__(
        self,
        *,
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        normalize_y=True,
    ):
        super().__init__(
            cell="gru",
            filters=filters,
            kernel_size=kernel_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            return_sequences=return_sequences,
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
        )
