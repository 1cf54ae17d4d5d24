"""The base class of the convolutional recurrent estimators (ConvLSTM, ConvGRU).

They share :class:`~skrnn._base.BaseRecurrentEstimator`'s training (``_fit``:
seeds, warm starts, early stopping, fault handling, checkpoints) and differ from
the sequence estimators in three places, each a method here: the data
(:func:`~skrnn.utils._frames.check_frames`), the net (a
:class:`~skrnn.nn.ConvRecurrentNet`, from :func:`~skrnn._conv_training.build_conv_net`)
and prediction (image sequences of any height, width and length).
"""

from abc import abstractmethod
from numbers import Integral

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrentEstimator, _to_tensor
from ._conv_training import build_conv_net
from ._inference import predict_batch_size
from ._training import device_memory_hint
from .utils._compat import Interval, StrOptions
from .utils._frames import check_frames
from .utils._threads import budgeted_threads

__all__ = ["BaseConvRecurrentEstimator", "CONV_FRAGMENTS"]

CONV_CELLS = ("lstm", "gru")
#: One prediction batch's activations, in bytes (the feature maps of every step).
CONV_TARGET_BYTES = 8 * 2**20


class BaseConvRecurrentEstimator(BaseRecurrentEstimator):
    """Base class for ConvLSTM/ConvGRU estimators; use the concrete subclasses."""

    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in BaseRecurrentEstimator._parameter_constraints.items()
            # What only the sequence family's network takes.
            if k not in {"hidden_size", "nonlinearity", "readout", "init",
                         "return_sequences", "standardize"}
        },
        "cell": [StrOptions(set(CONV_CELLS))],
        "filters": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left"), tuple],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        cell="lstm",
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
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
    ):
        self.cell = cell
        self.filters = filters
        self.kernel_size = kernel_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.nonfinite_loss = nonfinite_loss
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.predict_batch_size = predict_batch_size
        self.n_threads = n_threads
        self.callbacks = callbacks
        self.verbose = verbose

    # -- what subclasses provide -----------------------------------------------------

    @abstractmethod
    def _check_targets_form(self, X, y, *, reset):
        """Check ``y``'s shape against ``X``'s, choose the head when ``reset``."""


    # -- the hooks of BaseRecurrentEstimator -------------------------------------------

    def _check_sequences(self, X, y, *, reset):
        kernel = self.kernel_size
        if isinstance(kernel, tuple) and not (
            len(kernel) == 2
            and all(isinstance(k, Integral) and not isinstance(k, bool) and k >= 1
                    for k in kernel)
        ):
            raise ValueError(
                f"The 'kernel_size' parameter of {type(self).__name__} must be an int "
                f"in the range [1, inf) or a pair of them. Got {kernel!r} instead."
            )
        X, y = check_frames(self, X, y, reset=reset,
                            y_numeric=self._check_targets["y_numeric"])
        self._check_targets_form(X, y, reset=reset)
        return X, y

    def _build_net(self, **kwargs):
        # The head the regressor's targets chose (``_head_kind``, a fitted
        # attribute); the classifier's is always pooled.
        return build_conv_net(self, head=getattr(self, "_head_kind", "pooled"),
                              **kwargs)

    def _forward(self, X):
        """Validate ``X`` and return the network's outputs as a NumPy array."""
        check_is_fitted(self, "net_")
        X = check_frames(self, X, reset=False)
        size = self._predict_batch_size(X)
        with budgeted_threads(self.n_threads), torch.inference_mode(), \
                device_memory_hint(self.net_, training=False, batch_size=size):
            return self._forward_tensor(_to_tensor(X), size)

    def _predict_batch_size(self, X):
        """Sequences per forward pass: the user's choice when there is one (see
        :func:`skrnn._inference.predict_batch_size`), otherwise as many as keep a
        batch's float32 activations (gates and states of every pixel, step, layer
        and direction) within ``CONV_TARGET_BYTES`` (8 MiB)."""
        directions = 2 if self.bidirectional else 1
        per_step = (4 * 5 * self.filters * int(np.prod(X.shape[3:]))
                    * self.num_layers * directions)

        def auto(est, n_rows, n_steps):
            rows = CONV_TARGET_BYTES // max(per_step * n_steps, 1)
            return int(min(max(rows, 1), max(n_rows, 1)))

        return predict_batch_size(self, len(X), X.shape[1], auto=auto)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # 3-D input is refused: (n, T, H, W) or (n, T, C, H, W), or 2-D.
        tags.input_tags.three_d_array = False
        return tags


_conv_architecture = """filters : int, default=16
        Channels of the hidden (and cell) state of each layer, as Keras'
        ``ConvLSTM2D(filters=...)``.

    kernel_size : int or tuple of (int, int), default=3
        Height and width of the convolution kernels; odd or even, with "same"
        padding so the states keep the frames' height and width.

    num_layers : int, default=1
        Number of stacked convolutional recurrent layers.

    bidirectional : bool, default=False
        If True, each layer reads the sequence in both directions and the head
        sees both directions' states.

    dropout : float, default=0.0
        Dropout probability between the layers and before the head (so it acts
        with ``num_layers=1`` too). Must be in ``[0, 1)``."""

_conv_fitted = """net_ : skorch.NeuralNet
        The skorch net that trained the module; its callbacks and history live
        here.

    module_ : torch.nn.Module
        The fitted network, a :class:`~skrnn.nn.ConvRecurrentNet`.

    history_ : skorch.History
        Per-epoch (and per-batch) record of the training, from skorch.

    loss_curve_ : list of float
        Training loss after each epoch.

    validation_loss_curve_ : list of float or None
        Validation loss after each epoch when ``early_stopping=True``, else None.

    best_loss_ : float
        The lowest training loss reached.

    best_validation_loss_ : float or None
        The lowest validation loss reached when ``early_stopping=True``, else None.

    n_iter_ : int
        The number of epochs run (cumulative over ``warm_start`` fits and
        ``partial_fit`` calls).

    n_features_in_ : int
        Channels per frame seen during fit; for a 2-D ``X`` (sequences of single
        values) the number of columns, that is time steps, as scikit-learn has it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a 2-D DataFrame ``X`` seen during fit. Defined
        only when ``X`` has feature names that are all strings.

    input_size_ : int
        Channels per frame fed to the first layer (1 for 2-D and 4-D ``X``)."""

_conv_notes = """``X`` is a 5-D array ``(n_samples, n_timesteps, channels, height,
    width)``, or 4-D ``(n_samples, n_timesteps, height, width)`` for one channel.
    The network is convolutional throughout, so height, width and the number of
    time steps may differ between fit and predict; the channels may not. A 2-D
    array ``(n_samples, n_timesteps)`` is read as sequences of 1x1 one-channel
    frames (which is what scikit-learn's estimator checks pass); ``n_features_in_``
    is then the number of columns, as for every scikit-learn estimator. 3-D input
    is refused: it would be ambiguous."""

CONV_FRAGMENTS = {
    "conv_architecture": _conv_architecture,
    "conv_fitted": _conv_fitted,
    "conv_notes": _conv_notes,
}


def channel_stats(y, axis):
    """Per-channel mean and scale of ``y`` (float64), channels on ``axis``."""
    other = tuple(a for a in range(y.ndim) if a != axis)
    mean = y.mean(axis=other)
    scale = y.std(axis=other)
    scale[scale < 10 * np.finfo(np.float64).eps] = 1.0
    return mean.astype(np.float32), scale.astype(np.float32)
