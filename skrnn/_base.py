"""The base class shared by skrnn's recurrent regressors and classifiers."""

import copyreg
import warnings
from abc import ABC, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from ._cells import CELLS
from ._data import RaggedSequences
from ._failed_fit import settle_failed_fit
from ._fit_checks import check_callbacks, check_device
from ._inference import predict_batch_size, step_work
from ._inspect import estimator_summary, record_timesteps
from ._recipe import (
    LR_SCHEDULES,
    auto_input_scale,
    resolve_batch_size,
    resolve_early_stopping,
    resolve_relative,
)
from ._resume import (
    fit_state,
    load_training_state,
    read_checkpoint,
    restore_targets,
    unfinished_fit,
)
from ._steps import StepTargets, check_fit_data, split_steps
from ._training import (
    OPTIMIZERS,
    SequenceDataset,
    TensorRagged,
    TensorWindows,
    build_net,
    concat_outputs,
    device_memory_hint,
    input_stats,
    run_module,
    skip_fit,
)
from ._weights import check_fit_weights, split_weights, take_rows
from .exceptions import FitInterruptedWarning, NonFiniteLossError, OutOfMemoryError
from .nn._elman import ACTIVATIONS
from .nn._init import INIT_SCHEMES
from .nn._readout import READOUTS
from .preprocessing._window import WindowedSeries
from .utils._compat import Interval, StrOptions
from .utils._random import draw_seed
from .utils._threads import budgeted_threads
from .utils.validation import check_sequences


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
        "nonlinearity": [StrOptions(set(ACTIVATIONS)), callable],
        "return_sequences": ["boolean"],
        "readout": [StrOptions(set(READOUTS))],
        "init": [StrOptions(set(INIT_SCHEMES))],
        "standardize": ["boolean", StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})
        ],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions(set(LR_SCHEDULES))],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "nonfinite_loss": [StrOptions({"raise", "warn"})],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "predict_batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
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
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.return_sequences = return_sequences
        self.readout = readout
        self.init = init
        self.standardize = standardize
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

    # -- what subclasses provide -------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, *, reset, classes=None, sample_weight=None):
        """Validate-free encoding of ``y`` into the training tensor; set fitted
        target attributes when ``reset`` (statistics of ``y`` weighted by
        ``sample_weight``). Returns ``(y_tensor, output_size)``."""

    def _training_weights(self, y, sample_weight, *, incremental):
        """The weight of each row in training (classifiers add class weights)."""
        return sample_weight

    _criterion = None
    #: The loss with ``return_sequences=True`` (one target per time step).
    _step_criterion = None
    _stratify = False
    _check_targets = {}
    #: The fitted attributes that encode the targets, saved in checkpoints.
    _target_attributes = ()

    # -- fitting -------------------------------------------------------------------

    def _fit(self, X, y, *, incremental, classes=None, sample_weight=None):
        continuing = hasattr(self, "net_") and (incremental or self.warm_start)
        before = dict(vars(self))  # what a fit that fails early goes back to
        if incremental and self.early_stopping is True:
            raise ValueError("partial_fit does not support early_stopping=True.")
        check_callbacks(self)
        device = check_device(self)
        # An unfitted estimator's warm-start fit resumes from its Checkpoint's file.
        saved = None if continuing or incremental else read_checkpoint(self, device)
        fitted_steps = getattr(self.net_, "module__return_sequences", None) \
            if continuing else None
        if fitted_steps is not None and fitted_steps != self.return_sequences:
            raise ValueError(
                f"return_sequences={self.return_sequences}, but {type(self).__name__} "
                f"was fitted with return_sequences={not self.return_sequences}; "
                "warm_start and partial_fit continue training the same network."
            )
        X, y = self._check_sequences(X, y, reset=not continuing)
        sample_weight = check_fit_weights(sample_weight, len(X))
        record_timesteps(self, X.shape[1], reset=not continuing,
                         frame_shape=X.shape[2:] if len(X.shape) > 3 else None)
        steps = y if isinstance(y, StepTargets) else None
        if steps is not None:
            y = steps.values
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
            series = _to_tensor(X.series, contiguous=False)
            X_t, y = TensorWindows(series, starts, X.window), y[rows]
            if sample_weight is not None:
                sample_weight = sample_weight[rows]
        elif isinstance(X, RaggedSequences):
            X_t = TensorRagged.from_ragged(X)
        else:
            X_t = _to_tensor(X)
        if saved is not None:
            restore_targets(self, saved)
        step_weight = sample_weight
        if steps is not None and sample_weight is not None:
            step_weight = np.repeat(sample_weight, steps.lengths)  # y is per step
        y_t, output_size = self._encode_targets(
            y, reset=not continuing and saved is None, classes=classes,
            sample_weight=step_weight,
        )
        if steps is None:
            row_weight = self._training_weights(y, sample_weight,
                                                incremental=incremental)
        elif getattr(self, "class_weight", None) is not None:
            raise ValueError(
                f"{type(self).__name__} does not support class_weight with "
                "return_sequences=True (the weights would be per step, not per "
                "sequence); got class_weight="
                f"{self.class_weight!r}. Pass sample_weight, one weight per sequence."
            )
        else:
            row_weight = sample_weight
        if steps is not None:
            y_t = steps.pad(y_t)
        # Rows of weight 0 are left out; equal weights are an unweighted fit.
        keep, weight = split_weights(row_weight)
        if keep is not None:
            X_t, y_t = take_rows(X_t, keep), y_t[keep]
        if continuing and output_size != self.net_.module__output_size:
            raise ValueError(
                f"y has {output_size} outputs, but {type(self).__name__} was fitted "
                f"with {self.net_.module__output_size}; warm_start and partial_fit "
                "continue training the same network."
            )
        if saved is not None:
            n_done = saved["epoch"]
        else:
            n_done = self.n_iter_ if continuing else 0
        # A warm-start fit after one that ended early (in memory, or in a
        # checkpoint) completes it: the epochs it had left, from its seed. Every
        # epoch reseeds from (seed, epoch number), so the split does not show.
        unfinished = None
        if not incremental:
            if continuing:
                unfinished = getattr(self, "_unfinished_fit", None)
            elif saved is not None:
                unfinished = unfinished_fit(saved)
        if unfinished is None:
            fit_start, seed = n_done, draw_seed(self.random_state)
        else:
            fit_start, seed = unfinished
        n_rows = len(X_t)
        if not continuing:
            self._relative_used = resolve_relative(
                getattr(self, "relative", False), X,
                getattr(self, "return_sequences", False),
            )
            self._early_stopping_used = resolve_early_stopping(
                self.early_stopping, n_rows, incremental=incremental
            )
        batch_size = resolve_batch_size(self.batch_size, n_rows)
        self._batch_size_used = batch_size
        dataset = SequenceDataset(*_place(X_t, y_t, device))
        if weight is not None:
            dataset.sample_weight = weight.to(dataset.y.device)
        epochs = 1 if incremental else max(self.max_epochs - (n_done - fit_start), 0)
        # Every draw comes from generators of the fit's own (see RecurrentSkorchNet);
        # threads for the work of one training step (see skrnn/utils/_threads.py).
        rows = self.batch_size if isinstance(self.batch_size, Integral) else len(X)
        work = step_work(self, min(rows, len(X)))
        with budgeted_threads(getattr(self, "n_threads", None), work=work):
            if not continuing:
                self.net_ = self._build_net(
                    input_size=X.shape[2],
                    output_size=output_size,
                    criterion=self._step_criterion if steps is not None
                    else self._criterion,
                    device=device,
                    seed=seed,
                    stratify=self._stratify and steps is None,
                    early_stopping=self._early_stopping_used,
                    batch_size=batch_size,
                ).initialize()
                if saved is not None:
                    load_training_state(self, self.net_, saved)
                else:
                    module = self.net_.module_
                    if getattr(module, "standardize", False):
                        mean, scale = input_stats(X_t, weight)
                        if self.standardize == "auto":
                            scale = auto_input_scale(scale)
                        module.set_input_stats(mean, scale)
                    if getattr(module, "relative", False):
                        module.set_skip(*skip_fit(module, X_t, y_t, weight))
            elif unfinished is not None:
                # Back to the last completed epoch (early stopping restored the
                # best one when the fit ended).
                kept = dict(self.net_.callbacks_).get("last_good_epoch")
                if kept is not None:
                    kept.restore(self.net_)
            net = self.net_
            # A continuing fit takes the current values of the remedies for a
            # fault (set only when changed: an LR scheduler's rate is kept).
            wanted = dict(max_epochs=epochs, batch_size=batch_size, lr=self.lr)
            net.set_params(**{k: v for k, v in wanted.items() if getattr(net, k) != v})
            # (A net pickled by an older skrnn may lack some of these callbacks.)
            callbacks = dict(net.callbacks_)
            if "clip_grad_norm" in callbacks:
                callbacks["clip_grad_norm"].gradient_clip_value = self.clip_grad_norm
            if "nonfinite_loss" in callbacks:
                callbacks["nonfinite_loss"].action = self.nonfinite_loss
            net.seed_, net.resuming_ = seed, unfinished is not None
            net.fit_state_ = fit_state(self, fit_start=fit_start, seed=seed,
                                       incremental=incremental, output_size=output_size)
            try:
                net.partial_fit(dataset)
            except (NonFiniteLossError, OutOfMemoryError):
                # The net restored the last good epoch: the estimator is fitted.
                self._record_history(fit_start=fit_start, incremental=incremental,
                                     ended=False)
                self._unfinished_fit = None if incremental else (fit_start, seed)
                raise
            except BaseException as exc:
                # Anything else: the last completed epoch, or as before the fit.
                settle_failed_fit(self, before, exc, n_done=n_done, fit_start=fit_start,
                                  seed=seed, incremental=incremental)
                raise
            finally:
                net.seed_ = None  # the next fit sets its own
                net.release_generators()
        ended = not net.interrupted_
        self._record_history(fit_start=fit_start, incremental=incremental, ended=ended)
        self._unfinished_fit = None if incremental or ended else (fit_start, seed)
        if not ended:
            stopper = dict(net.callbacks_)["stop_on_plateau"]
            if not self.n_iter_:
                kept = "its initial weights (no epoch was completed)"
            elif self._stopping_on_validation() and getattr(stopper, "best_epoch_", 0):
                kept = ("the weights of its best validation epoch, epoch "
                        f"{stopper.best_epoch_}")
            elif getattr(stopper, "best_epoch_", 0) not in (0, self.n_iter_):
                kept = ("the weights of its epoch of lowest training loss, epoch "
                        f"{stopper.best_epoch_}")
            else:
                kept = f"the weights of epoch {self.n_iter_}, its last completed epoch"
            warnings.warn(
                f"{type(self).__name__}: training was interrupted by the user after "
                f"{self.n_iter_} completed epoch(s); the estimator is fitted with "
                f"{kept}. With warm_start=True, the next fit completes the "
                "interrupted one.",
                FitInterruptedWarning,
                stacklevel=4,
            )
            raise KeyboardInterrupt
        return self

    def _check_sequences(self, X, y, *, reset):
        """Validate the training data into the arrays ``_fit`` trains on.

        The hook a family with other input (image sequences) overrides; the
        result's ``X.shape[2]`` is the network's ``input_size``, and ``y`` is a
        ``StepTargets`` for per-step targets of sequences.
        """
        return check_fit_data(self, X, y, reset=reset)

    def _build_net(self, **kwargs):
        """The uninitialised skorch net, from :func:`build_net`'s keywords
        (``input_size``, ``output_size``, ``criterion``, ``device``, ``seed``,
        ``stratify``); a family with another module overrides it."""
        return build_net(self, **kwargs)

    def _stopping_on_validation(self):
        """Whether the fitted net holds out a validation set (early stopping on)."""
        net = getattr(self, "net_", None)
        return net is not None and net.train_split is not None

    def _record_history(self, *, fit_start, incremental, ended):
        history = self.net_.history
        self.history_ = history
        # LastGoodEpoch drops the row of an unfinished epoch; a row without
        # losses (from a net without it) is not counted either.
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
        self.best_loss_ = float(np.min(self.loss_curve_)) if done else np.inf
        if not incremental and ended and self._ran_out_of_epochs(fit_start):
            stopper = dict(self.net_.callbacks_)["stop_on_plateau"]
            monitored = "validation" if self._stopping_on_validation() else "training"
            warnings.warn(
                f"{type(self).__name__}: max_epochs={self.max_epochs} reached and the "
                f"{monitored} loss has not converged yet (it still improved by more "
                f"than tol={self.tol} within the last {stopper.patience} epochs, "
                f"n_iter_no_change={self.n_iter_no_change!r}). Consider increasing "
                "max_epochs.",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _ran_out_of_epochs(self, fit_start=0):
        """Whether the fit that started at epoch ``fit_start`` used all
        ``max_epochs`` while its stopping rule could have ended it and did not.

        Only such a fit has not converged: the rule needs more than
        ``n_iter_no_change`` epochs to end one (``max_epochs`` above the patience).
        """
        stopper = dict(self.net_.callbacks_)["stop_on_plateau"]
        return (
            not stopper.stopped_
            and self.n_iter_ - fit_start >= self.max_epochs
            and self.max_epochs > stopper.patience
        )

    # -- inspection ----------------------------------------------------------------

    def summary(self, input_shape=None, *, n_outputs=None, batch_size=1):
        """Layer-by-layer summary of the network: output shapes and parameters.

        One forward pass on zeros, with hooks on every layer (see
        :func:`skrnn.nn.summarize`), gives each layer's output shape; the
        recurrent layers show their per-step output
        ``(batch, n_timesteps, hidden_size * directions)``, a row per stacked
        layer and direction, and their final state. The parameter counts add up
        to the network's.

        Parameters
        ----------
        input_shape : tuple of int or None, default=None
            ``(n_timesteps, n_features)`` of one sequence (``(n_timesteps,)`` for
            univariate ones). Required before ``fit``, when the network is built
            as ``fit`` would build it; for a fitted estimator it defaults to the
            length of the sequences of the last fit and its features.
        n_outputs : int or None, default=None
            Before ``fit`` only: the number of targets (regressors, default 1) or
            classes (classifiers, default 2) the network is built for.
        batch_size : int, default=1
            The batch dimension of the shapes shown.

        Returns
        -------
        summary : skrnn.nn.ModelSummary
            ``print()`` it for a table; ``to_frame()`` gives a DataFrame;
            ``total_params``, ``trainable_params`` and ``param_bytes`` the totals.

        Examples
        --------
        >>> from skrnn import GRURegressor
        >>> summary = GRURegressor(hidden_size=16, num_layers=2).summary(
        ...     input_shape=(48, 3))
        >>> summary.to_frame()[["layer", "output_shape", "params"]]
                  layer output_shape  params
        0                     [1, 1]       0
        1           rnn  [1, 48, 16]       0
        2        rnn.l0  [1, 48, 16]    1008
        3        rnn.l1  [1, 48, 16]    1632
        4   rnn (state)   [2, 1, 16]       0
        5          pool      [1, 48]       0
        6     pool.last      [1, 16]       0
        7     pool.mean      [1, 16]       0
        8      pool.max      [1, 16]       0
        9       dropout      [1, 48]       0
        10         head       [1, 1]      49
        >>> summary.total_params
        2689
        """
        return estimator_summary(self, input_shape, n_outputs=n_outputs,
                                 batch_size=batch_size)

    # -- prediction ----------------------------------------------------------------

    @property
    def module_(self):
        """The fitted torch module (``net_.module_``)."""
        check_is_fitted(self, "net_")
        return self.net_.module_

    def _forward(self, X):
        """Validate ``X`` and return the network's outputs as a NumPy array."""
        if "net_" not in vars(self):
            check_is_fitted(self, "net_")  # raises NotFittedError
        # The common case, a float NumPy array laid out as in fit, is checked here
        # for exactly what check_sequences would check of it, in a fraction of the
        # time (it matters when predicting one sequence at a time); any other
        # input, and any array failing a check, goes through check_sequences and
        # gets its errors and warnings.
        ndim = getattr(self, "_input_ndim", None)
        if (
            type(X) is np.ndarray
            and X.dtype in (np.float32, np.float64)
            and X.ndim == ndim
            and len(X) > 0
            and X.shape[1] > 0
            and X.shape[-1] == (self.input_size_ if ndim == 3 else self.n_features_in_)
            and not hasattr(self, "feature_names_in_")
        ):
            # A finite sum means every value is finite (NaN and infinity propagate);
            # unlike np.isfinite(X).all(), it allocates nothing of X's size.
            with np.errstate(over="ignore", invalid="ignore"):  # refused below
                X_checked = X.astype(np.float32, copy=False)
                finite = np.isfinite(X_checked.sum())
            X = X_checked if finite else check_sequences(self, X, reset=False)
            if X.ndim == 2:
                X = X[:, :, np.newaxis]
        else:
            X = check_sequences(self, X, reset=False)
        size = predict_batch_size(self, len(X), X.shape[1])
        threads = budgeted_threads(getattr(self, "n_threads", None),
                                   work=step_work(self, size))
        with threads, torch.inference_mode(), \
                device_memory_hint(self.net_, training=False, batch_size=size):
            if isinstance(X, RaggedSequences):
                # Sorted by length, so that each batch pads little.
                order = np.argsort(X.lengths, kind="stable")
                part = self._forward_tensor(TensorRagged.from_ragged(X[order]), size)
                out = np.empty_like(part)
                out[order] = part
                # Per-step outputs: each sequence's own steps.
                return split_steps(out, X.lengths) if out.ndim == 3 else out
            if not isinstance(X, WindowedSeries):
                return self._forward_tensor(_to_tensor(X), size)
            # Windows: rows grouped by how much history they have; incomplete ones
            # are read as the shorter sequences they are.
            series = _to_tensor(X.series, contiguous=False)
            out = None
            for rows, starts, length in _window_groups(X):
                # In chunks of whole batches: the outputs of one chunk at a time.
                for part_rows, part_starts in _chunks(rows, starts, size):
                    part = self._forward_tensor(
                        TensorWindows(series, part_starts, length), size)
                    if out is None:
                        out = np.empty((len(X), part.shape[1]), dtype=part.dtype)
                    out[part_rows] = part
            return out

    def _forward_tensor(self, X_t, batch_size):
        """The module's outputs for ``X_t`` (a tensor or TensorWindows), on the CPU.

        What skorch's ``net.forward`` computes with batches of ``batch_size`` rows
        (slices, in order), without its per-batch machinery: the module is called
        directly, in evaluation mode, under the caller's ``torch.inference_mode()``,
        and each batch's outputs are written into one preallocated array, so the
        memory taken is the outputs and one batch. The outputs are bit for bit
        skorch's with that batch size. A net whose class changes how skorch infers
        goes through skorch (with its own batch size).
        """
        net = self.net_
        if any(
            getattr(type(net), name) is not getattr(NeuralNet, name)
            for name in ("forward", "forward_iter", "evaluation_step", "infer")
        ):
            return net.forward(SequenceDataset(X_t), training=False).numpy()
        module = net.module_
        if any(part.training for part in module.modules()):
            module.train(False)  # a few times the cost of the check: only if needed
        n, size, device = len(X_t), batch_size, net.device
        first = run_module(module, X_t[:size], device).cpu()
        if n <= size:
            return first.numpy()
        if first.ndim == 3 and isinstance(X_t, TensorRagged):
            # Per-step outputs of batches of different lengths: padded to the longest.
            outs = [first] + [run_module(module, X_t[i : i + size], device).cpu()
                              for i in range(size, n, size)]
            return concat_outputs(outs).numpy()
        out = torch.empty((n, *first.shape[1:]), dtype=first.dtype)
        out[:size] = first
        for i in range(size, n, size):
            out[i : i + size] = run_module(module, X_t[i : i + size], device)
        return out.numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # -- pickling: record skrnn's and its libraries' versions, warn on a mismatch --

    def _full_state(self):
        from .utils._versions import add_versions

        return add_versions(super().__getstate__())

    def __reduce_ex__(self, protocol):
        # pickle, joblib, cloudpickle and copy keep the full state (the skorch net
        # and its callbacks); __getstate__ is what skops.io stores.
        if protocol < 2:
            return super().__reduce_ex__(protocol)
        return (copyreg.__newobj__, (type(self),), self._full_state())

    def __getstate__(self):
        from ._skops import skops_state

        return skops_state(self, self._full_state())

    def __setstate__(self, state):
        from ._skops import MARKER, restore_skops_state
        from .utils._versions import pop_versions

        if MARKER in state:
            state = restore_skops_state(self, state)
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
    if X.flags.writeable:  # no warning to silence (cheap: one sequence matters)
        return torch.from_numpy(X)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*not writable", category=UserWarning
        )
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
    # Only the incomplete rows are listed (a few, for a range of ends).
    short = windows._incomplete_rows()
    ends = np.asarray(windows._ends[short] if isinstance(windows._ends, np.ndarray)
                      else [windows._ends[i] for i in short], dtype=np.int64)
    lengths = np.clip(ends, 0, windows.window)
    for length in np.unique(lengths):
        picked = lengths == length
        yield short[picked], torch.from_numpy(ends[picked] - length), int(length)


def _chunks(rows, starts, size, n_rows=2**16):
    """``(rows, starts)`` in pieces of about ``n_rows`` rows (whole batches of
    ``size`` rows, the prediction batch size; -1: all at once)."""
    n = len(starts)
    step = n if size == -1 else max(size, -(-n_rows // size) * size)
    if isinstance(rows, slice):
        rows = range(rows.start, rows.stop)
    for i in range(0, n, step or 1):
        part = rows[i : i + step]
        if isinstance(part, range):
            part = slice(part.start, part.stop)
        yield part, starts[i : i + step]


def _place(X, y, device):
    """Move the training tensors to ``device`` once, if they fit in its memory."""
    if device.type == "cpu":
        return X, y
    if isinstance(X, TensorWindows):
        nbytes = X.nbytes
    else:
        nbytes = X.element_size() * X.nelement()
    nbytes += y.element_size() * y.nelement()
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        if nbytes > free // 2:
            return X, y  # skorch moves each batch instead
    return X.to(device), y.to(device)
