"""The base class shared by skrnn's recurrent regressors and classifiers."""

import warnings
from abc import ABC, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ._training import OPTIMIZERS, SequenceDataset, TensorWindows, build_net
from .preprocessing._window import WindowedSeries
from .utils._compat import Interval, StrOptions
from .utils._random import draw_seed, torch_seed
from .utils.validation import check_sequences

CELLS = ("lstm", "gru", "rnn")


class BaseRecurrentEstimator(BaseEstimator, ABC):
    """Base class for recurrent estimators; use the concrete subclasses.

    It holds the flat hyperparameters, builds a skorch net from them in ``fit``
    (``net_``), trains it through skorch's loop and records the fitted state.
    Subclasses say how targets are encoded and decoded.
    """

    _parameter_constraints: dict = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "callbacks": [list, None],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        max_epochs=200,
        batch_size=32,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=None,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        callbacks=None,
        verbose=0,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose

    # -- what subclasses provide -------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, *, reset, classes=None):
        """Validate-free encoding of ``y`` into the training tensor; set fitted
        target attributes when ``reset``. Returns ``(y_tensor, output_size)``."""

    _criterion = None
    _stratify = False
    _check_targets = {}

    # -- fitting -------------------------------------------------------------------

    def _fit(self, X, y, *, incremental, classes=None):
        continuing = hasattr(self, "net_") and (incremental or self.warm_start)
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True.")
        device = self._check_device()
        X, y = check_sequences(self, X, y, reset=not continuing, **self._check_targets)
        if isinstance(X, WindowedSeries):
            # Rows without a full window of history are not trained on.
            rows, starts = _complete_windows(X)
            if len(starts) == 0:
                raise ValueError(
                    f"None of the {len(X)} rows of X has a full window of "
                    f"{X.window} observations before it, so {type(self).__name__} "
                    "has nothing to train on; use a shorter window or a longer "
                    "series."
                )
            X_t, y = TensorWindows(_to_tensor(X.series, contiguous=False), starts, X.window), y[rows]
        else:
            X_t = _to_tensor(X)
        y_t, output_size = self._encode_targets(y, reset=not continuing, classes=classes)
        if continuing and output_size != self.net_.module__output_size:
            raise ValueError(
                f"y has {output_size} outputs, but {type(self).__name__} was fitted "
                f"with {self.net_.module__output_size}; warm_start and partial_fit "
                "continue training the same network."
            )
        n_done = self.n_iter_ if continuing else 0
        n_history = len(self.net_.history) if continuing else 0
        seed = draw_seed(self.random_state)
        if seed is not None:
            seed = (seed + n_done) % np.iinfo(np.int32).max
        dataset = SequenceDataset(*_place(X_t, y_t, device))
        epochs = 1 if incremental else self.max_epochs
        with torch_seed(seed, device):
            if not continuing:
                self.net_ = build_net(
                    self,
                    input_size=X.shape[2],
                    output_size=output_size,
                    criterion=self._criterion,
                    device=device,
                    seed=seed,
                    stratify=self._stratify,
                ).initialize()
            net = self.net_
            net.set_params(max_epochs=epochs)
            net.partial_fit(dataset)
        self._record_history(epochs_this_fit=len(net.history) - n_history,
                             max_epochs=epochs, incremental=incremental)
        if net.interrupted_:
            warnings.warn(
                f"{type(self).__name__}: training was interrupted by the user after "
                f"{self.n_iter_} completed epoch(s); the estimator is fitted with "
                + (
                    "the weights of its best validation epoch."
                    if self.early_stopping
                    else "the weights it had when it was interrupted."
                ),
                UserWarning,
                stacklevel=4,
            )
            raise KeyboardInterrupt
        return self

    def _check_device(self):
        try:
            device = torch.device(self.device)
        except (RuntimeError, ValueError):
            raise ValueError(
                f"The 'device' parameter of {type(self).__name__} must be a torch "
                f"device such as 'cpu', 'cuda' or 'cuda:1'. Got {self.device!r} "
                "instead."
            ) from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} was requested, but CUDA is not available "
                "on this machine (torch.cuda.is_available() is False); use "
                "device='cpu'."
            )
        return device

    def _record_history(self, *, epochs_this_fit, max_epochs, incremental):
        history = self.net_.history
        self.history_ = history
        # An epoch interrupted by the user has a history row without losses.
        done = [row for row in history if "train_loss" in row]
        self.n_iter_ = len(done)
        self.loss_curve_ = [float(row["train_loss"]) for row in done]
        valid = [row.get("valid_loss") for row in done]
        if any(v is not None for v in valid):
            self.validation_loss_curve_ = [
                float(v) if v is not None else np.nan for v in valid
            ]
            self.best_validation_loss_ = float(np.nanmin(self.validation_loss_curve_))
        else:
            self.validation_loss_curve_ = None
            self.best_validation_loss_ = None
        self.best_loss_ = float(np.min(self.loss_curve_))
        stopper = dict(self.net_.callbacks_)["stop_on_plateau"]
        if (
            not incremental
            and not self.net_.interrupted_
            and not stopper.stopped_
            and epochs_this_fit >= max_epochs
        ):
            monitored = "validation" if self.early_stopping else "training"
            warnings.warn(
                f"{type(self).__name__}: max_epochs={max_epochs} reached and the "
                f"{monitored} loss has not converged yet (it still improved by more "
                f"than tol={self.tol} within the last n_iter_no_change="
                f"{self.n_iter_no_change} epochs). Consider increasing max_epochs.",
                ConvergenceWarning,
                stacklevel=5,
            )

    # -- prediction ----------------------------------------------------------------

    @property
    def module_(self):
        """The fitted torch module (``net_.module_``)."""
        check_is_fitted(self, "net_")
        return self.net_.module_

    def _forward(self, X):
        """Validate ``X`` and return the network's outputs as a NumPy array."""
        check_is_fitted(self, "net_")
        X = check_sequences(self, X, reset=False)
        if not isinstance(X, WindowedSeries):
            return self._forward_tensor(_to_tensor(X))
        # Windows: rows grouped by how much history they have; incomplete ones
        # are read as the shorter sequences they are.
        series = _to_tensor(X.series, contiguous=False)
        out = None
        for rows, starts, length in _window_groups(X):
            part = self._forward_tensor(TensorWindows(series, starts, length))
            if out is None:
                out = np.empty((len(X), part.shape[1]), dtype=part.dtype)
            out[rows] = part
        return out

    def _forward_tensor(self, X_t):
        dataset = SequenceDataset(X_t)
        with torch.inference_mode():
            out = self.net_.forward(dataset, training=False)
        return out.numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # -- pickling: record skrnn's and its libraries' versions, warn on a mismatch --

    def __getstate__(self):
        from .utils._versions import add_versions

        return add_versions(super().__getstate__())

    def __setstate__(self, state):
        from .utils._versions import pop_versions

        super().__setstate__(pop_versions(state, type(self).__name__))


def _to_tensor(X, *, contiguous=True):
    """A float32 tensor sharing memory with ``X`` where it can.

    Read-only arrays (pandas' copy-on-write views, ``make_windows``' views) are
    shared too: skrnn only reads from its input tensors, and batches are new
    tensors, so torch's warning about non-writable arrays does not apply. With
    ``contiguous=False`` any memory layout is kept (a series read through windows
    may be column-major, as a DataFrame's values are).
    """
    if contiguous:
        X = np.ascontiguousarray(X, dtype=np.float32)
    else:
        X = np.asarray(X, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not writable", category=UserWarning)
        return torch.from_numpy(X)


def _complete_windows(windows):
    """Rows of ``windows`` with a full window, and where those windows start.

    Consecutive rows (the common case) come back as a slice and a range, so no
    index array as long as the series is made.
    """
    ends, window = windows._ends, windows.window
    if isinstance(ends, range) and ends.step == 1:
        first = min(max(0, window - ends.start), len(ends))
        return slice(first, len(ends)), range(ends.start + first - window,
                                              ends.stop - window)
    ends = np.asarray(ends)
    rows = np.flatnonzero(ends >= window)
    if len(rows) == 0:
        return rows, range(0)
    return rows, torch.from_numpy(ends[rows] - window)


def _window_groups(windows):
    """``(rows, starts, length)`` for the complete rows, then each shorter length."""
    rows, starts = _complete_windows(windows)
    if len(starts):
        yield rows, starts, windows.window
    lengths = windows.lengths
    for length in np.unique(lengths[lengths < windows.window]):
        rows = np.flatnonzero(lengths == length)
        starts = torch.from_numpy(windows.ends[rows] - length)
        yield rows, starts, int(length)


def _place(X, y, device):
    """Move the training tensors to ``device`` once, if they fit in its memory."""
    if device.type == "cpu":
        return X, y
    x_bytes = X.nbytes if isinstance(X, TensorWindows) else X.element_size() * X.nelement()
    nbytes = x_bytes + y.element_size() * y.nelement()
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        if nbytes > free // 2:
            return X, y  # skorch moves each batch instead
    return X.to(device), y.to(device)
