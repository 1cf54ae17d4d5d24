"""skorch callbacks that skrnn adds for long fits.

- :class:`LastGoodEpoch` keeps a copy of the weights and optimizer state of the
  last completed epoch whose losses were finite, and puts it back when training
  ends anywhere else: in the middle of an epoch (Ctrl-C, a GPU out of memory) or
  after an epoch whose loss was not finite.
- :class:`NonFiniteLossGuard` stops training as soon as a loss becomes NaN or
  infinite, restores that copy, and raises
  :class:`~skrnn.exceptions.NonFiniteLossError` or warns.
- :class:`Checkpoint` writes the whole training state to a directory at the end
  of epochs, so that a fit that was interrupted, or whose process died, resumes
  with ``warm_start=True`` to the result it would have had.

Every skrnn estimator installs the first two itself (its ``nonfinite_loss``
hyperparameter chooses the guard's action); a :class:`Checkpoint` is passed in
its ``callbacks``. All three are ordinary skorch callbacks and work in any skorch
``NeuralNet``, with one difference: there, ``NonFiniteLossGuard(action="warn")``
ends training with an exception of its own (``skrnn.callbacks.StopTraining``),
which only skrnn's nets treat as a normal end of training.
"""

import contextlib
import json
import math
import os
import tempfile
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback, GradientNormClipping

from .exceptions import CheckpointError, NonFiniteLossError, NonFiniteLossWarning

__all__ = ["Checkpoint", "LastGoodEpoch", "NonFiniteLossGuard"]

#: Version of the checkpoint file layout written by :class:`Checkpoint`.
_FORMAT = 1


class StopTraining(Exception):
    """Raised by a callback to end the epochs of a fit early (not an error)."""


def _cpu_copy(state):
    """A copy of a nested state dict with every tensor cloned to the CPU."""
    if isinstance(state, torch.Tensor):
        return state.detach().to("cpu", copy=True)
    if isinstance(state, dict):
        return type(state)((key, _cpu_copy(value)) for key, value in state.items())
    if isinstance(state, (list, tuple)):
        return type(state)(_cpu_copy(value) for value in state)
    return state


def _weights_finite(module):
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


def _losses_finite(row):
    return all(
        math.isfinite(row[key]) for key in ("train_loss", "valid_loss") if key in row
    )


def _find(net, kind):
    return next((cb for _, cb in net.callbacks_ if isinstance(cb, kind)), None)


class LastGoodEpoch(Callback):
    """Keep the last good epoch's weights, and restore them if training ends elsewhere.

    At the start of training, and at the end of every epoch whose losses
    (training, and validation when there is a validation split) and weights are
    all finite, the callback copies the module's weights and the optimizer's
    state to CPU memory, replacing the previous copy. When training ends
    anywhere else, in the middle of an epoch (a ``KeyboardInterrupt``, or a GPU
    out of memory caught by skrnn) or after an epoch with a non-finite loss,
    :meth:`restore` loads the copy back and removes the history rows of the
    epochs it undoes, so that weights, optimizer and history describe the same
    completed epoch.

    The copy costs about three times the module's size with Adam (the weights
    and the optimizer's two moment estimates), which is little for the
    recurrent networks skrnn trains. It is not pickled with the net (a model
    file keeps the fitted weights only); the next fit takes a new one. skrnn's
    estimators install this callback under the name ``"last_good_epoch"``; with
    ``early_stopping=True`` the weights of the best validation epoch are still
    restored at the end of training, after this callback has run.

    Attributes
    ----------
    epoch_ : int or None
        The length of the history when the copy was taken: the copy holds the
        state after that many epochs (0: before the first one). None before
        training.
    module_state_ : dict
        The copy of ``net.module_.state_dict()``, on the CPU.
    optimizer_state_ : dict
        The copy of ``net.optimizer_.state_dict()``, on the CPU.

    See Also
    --------
    NonFiniteLossGuard : Stops training on a NaN or infinite loss.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import GRURegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 5, 1))
    >>> y = X[:, -1, 0]
    >>> reg = GRURegressor(hidden_size=4, max_epochs=3, random_state=0).fit(X, y)
    >>> kept = dict(reg.net_.callbacks_)["last_good_epoch"]
    >>> kept.epoch_, reg.n_iter_
    (3, 3)
    """

    def initialize(self):
        self.epoch_ = None
        self.module_state_ = None
        self.optimizer_state_ = None
        return self

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(epoch_=None, module_state_=None, optimizer_state_=None)
        return state

    def on_train_begin(self, net, **kwargs):
        # A NonFiniteLossGuard that runs before this callback has checked each
        # epoch already (it raises rather than return on a bad one).
        self._checked = False
        for _, cb in net.callbacks_:
            if cb is self:
                break
            if isinstance(cb, NonFiniteLossGuard):
                self._checked = True
                break
        if self.module_state_ is None or _weights_finite(net.module_):
            self.take(net)

    def on_epoch_end(self, net, **kwargs):
        if self._checked or (_losses_finite(net.history[-1])
                             and _weights_finite(net.module_)):
            self.take(net)

    def on_train_end(self, net, **kwargs):
        if self.epoch_ is not None and len(net.history) != self.epoch_:
            self.restore(net)

    def take(self, net):
        """Copy the net's current weights and optimizer state.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        """
        self.epoch_ = len(net.history)
        self.module_state_ = _cpu_copy(net.module_.state_dict())
        self.optimizer_state_ = _cpu_copy(net.optimizer_.state_dict())

    def restore(self, net):
        """Load the copy into ``net`` and drop the history of the later epochs.

        Nothing happens when there is no copy (before training, or after
        unpickling).

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        """
        if self.module_state_ is None:
            return
        net.module_.load_state_dict(self.module_state_)
        # The optimizer may keep the very tensors it is given: hand it a copy.
        net.optimizer_.load_state_dict(_cpu_copy(self.optimizer_state_))
        del net.history[self.epoch_ :]


class NonFiniteLossGuard(Callback):
    """Stop training when a loss becomes NaN or infinite, keeping the last good weights.

    After every batch the callback looks at the batch's loss, and at the end of
    every epoch at the epoch's losses and at the weights. At the first value
    that is NaN or infinite, it restores the weights and optimizer state of the
    last epoch whose losses were all finite (from the net's
    :class:`LastGoodEpoch`, or from a copy of its own when the net has none),
    removes the history of the epochs it undoes, and then:

    - with ``action="raise"``, raises :class:`~skrnn.exceptions.NonFiniteLossError`,
      whose message names the epoch and batch and suggests a remedy; the
      end-of-training callbacks do not run;
    - with ``action="warn"``, emits a :class:`~skrnn.exceptions.NonFiniteLossWarning`
      and ends training there, as a normal end of the fit (with
      ``early_stopping=True`` the best validation epoch's weights are then
      restored, as always).

    skrnn's estimators install it under the name ``"nonfinite_loss"``, with the
    ``action`` given by their ``nonfinite_loss`` hyperparameter.

    Parameters
    ----------
    action : {"raise", "warn"}, default="raise"
        What to do once the last good weights are restored.

    Attributes
    ----------
    fault_ : str or None
        What went wrong in the last fit (the message of the error or warning),
        or None when every loss was finite.

    See Also
    --------
    LastGoodEpoch : Keeps the copy that this callback restores.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> from skrnn.exceptions import NonFiniteLossError
    >>> X = np.random.RandomState(0).normal(size=(40, 5, 1))
    >>> y = 1e30 * X[:, -1, 0]             # a square that overflows float32
    >>> reg = RNNRegressor(hidden_size=4, normalize_y=False, random_state=0)
    >>> try:
    ...     reg.fit(X, y)
    ... except NonFiniteLossError as exc:
    ...     print(str(exc)[:44])
    The training loss became inf at epoch 1, bat
    >>> bool(np.isfinite(reg.predict(X)).all())    # the initial weights were kept
    True
    """

    def __init__(self, action="raise"):
        self.action = action

    def on_train_begin(self, net, **kwargs):
        if self.action not in ("raise", "warn"):
            raise ValueError(
                "The 'action' parameter of NonFiniteLossGuard must be a str among "
                f"{{'raise', 'warn'}}. Got {self.action!r} instead."
            )
        self.fault_ = None
        self._kept = _find(net, LastGoodEpoch)
        self._own = self._kept is None
        if self._own:
            self._kept = LastGoodEpoch().initialize()
            self._kept.on_train_begin(net)

    def on_batch_end(self, net, training=None, **kwargs):
        key = "train_loss" if training else "valid_loss"
        batches = net.history[-1]["batches"]
        loss = batches[-1].get(key)
        if loss is not None and not math.isfinite(loss):
            what = "training" if training else "validation"
            where = sum(key in batch for batch in batches)
            self._stop(net, f"The {what} loss became {loss} at epoch "
                            f"{len(net.history)}, batch {where}")

    def on_epoch_end(self, net, **kwargs):
        row, epoch = net.history[-1], len(net.history)
        for key, what in (("train_loss", "training"), ("valid_loss", "validation")):
            if key in row and not math.isfinite(row[key]):
                self._stop(net, f"The {what} loss of epoch {epoch} is {row[key]}")
        if not _weights_finite(net.module_):
            self._stop(net, f"The weights became NaN or infinite in epoch {epoch}, "
                            "although its losses were finite")
        if self._own:
            self._kept.on_epoch_end(net)

    def on_train_end(self, net, **kwargs):
        if self._own:
            self._kept.on_train_end(net)

    def _stop(self, net, what):
        kept = self._kept
        kept.restore(net)
        if kept.epoch_:
            restored = (f"the weights and optimizer state of epoch {kept.epoch_}, the "
                        "last epoch whose losses were all finite, were restored")
        else:
            restored = ("the weights and optimizer state from before the first epoch "
                        "were restored (no epoch had finite losses)")
        clip = _find(net, GradientNormClipping)
        remedy = (
            f"lower the learning rate (lr={net.lr!r}), "
            + (f"lower clip_grad_norm (now {clip.gradient_clip_value!r})"
               if clip is not None and clip.gradient_clip_value is not None
               else "set clip_grad_norm (e.g. 1.0)")
            + ", or look for very large values in X and y"
        )
        self.fault_ = (f"{what}: training stopped, and {restored}. To train on, "
                       f"{remedy}.")
        if self.action == "raise":
            raise NonFiniteLossError(self.fault_)
        warnings.warn(self.fault_, NonFiniteLossWarning, stacklevel=2)
        raise StopTraining


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _atomic_save(obj, path):
    """``torch.save`` to ``path`` through a temporary file and ``os.replace``.

    A reader, or a crash, sees either the old file or the new one, never half
    of one.
    """
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp",
                               dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Checkpoint(Callback):
    """Write the training state to a directory, so that a fit can be resumed.

    At the end of every ``every``-th epoch, the callback writes one file,
    ``checkpoint.pt`` in ``directory``, holding the module's weights, the
    optimizer's state, the history, the state of the plateau stopper (and best
    weights, with ``early_stopping=True``), the number of epochs, and what the
    estimator needs to resume: its class, hyperparameters, target encoding and
    random seed. Each write goes to a temporary file first, which then replaces
    the previous checkpoint (``os.replace``), so a crash during a write
    leaves the previous checkpoint intact. A fit interrupted with Ctrl-C also
    writes its last completed epoch, and a fit that ends writes its final state.

    To resume, fit an estimator with ``warm_start=True`` and a ``Checkpoint``
    on the same directory in its ``callbacks`` (the same script, run again): an
    estimator that has not been fitted yet reads the file instead of starting
    afresh. If the checkpointed fit was unfinished, the fit runs the epochs it
    had left, with the same random stream, so that the result is the one an
    uninterrupted fit would have given (on the same device, with the same
    data). If it had finished, the fit continues training as ``warm_start``
    does. The hyperparameters must be those of the checkpoint, except
    ``max_epochs``, ``batch_size``, ``device``, ``nonfinite_loss``, ``verbose``,
    ``warm_start`` and ``callbacks``; otherwise
    :class:`~skrnn.exceptions.CheckpointError` is raised. With
    ``warm_start=False`` a fit starts afresh and overwrites the file (with a
    warning if it holds an unfinished fit).

    Unlike :class:`skorch.callbacks.Checkpoint`, which keeps the parameters of
    the best epoch for later use, this callback keeps what resuming needs, and
    only the latest state. The file is read with ``torch.load(...,
    weights_only=True)``, which constructs no arbitrary Python objects. The
    state of user callbacks (a learning-rate scheduler's, say) is not saved.

    Parameters
    ----------
    directory : str or path-like
        The directory of the checkpoint file, created if needed. Give each
        estimator its own directory (in a grid search, the candidates would
        otherwise overwrite each other's checkpoints).
    every : int, default=1
        Write after every ``every``-th epoch, counted over the estimator's whole
        training (so resuming does not shift the schedule).

    Attributes
    ----------
    path : str
        The checkpoint file, ``directory/checkpoint.pt``.
    written_epoch_ : int or None
        The epoch of the last file written during the current or last fit.

    See Also
    --------
    skorch.callbacks.Checkpoint : Keeps the parameters of the best epoch.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skrnn import LSTMRegressor
    >>> from skrnn.callbacks import Checkpoint
    >>> X = np.random.RandomState(0).normal(size=(40, 5, 1))
    >>> y = X[:, -1, 0]
    >>> directory = tempfile.mkdtemp()
    >>> params = dict(hidden_size=4, max_epochs=6, random_state=0, warm_start=True,
    ...               callbacks=[Checkpoint(directory)])
    >>> reg = LSTMRegressor(**params).fit(X, y)      # writes after each epoch
    >>> again = LSTMRegressor(**params).fit(X, y)    # say, in a new process
    >>> again.n_iter_                  # it went on from the file's 6 epochs
    12
    >>> Checkpoint(directory).load()["epoch"]
    12
    """

    def __init__(self, directory, *, every=1):
        self.directory = directory
        self.every = every

    @property
    def path(self):
        return os.path.join(os.fspath(self.directory), "checkpoint.pt")

    def initialize(self):
        every = self.every
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                "The 'every' parameter of Checkpoint must be an int in the range "
                f"[1, inf). Got {every!r} instead."
            )
        self.written_epoch_ = None
        return self

    def on_train_begin(self, net, **kwargs):
        os.makedirs(self.directory, exist_ok=True)
        self.written_epoch_ = None

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) % self.every == 0:
            self.save(net)

    def on_train_end(self, net, **kwargs):
        if not getattr(net, "interrupted_", False):
            self.save(net, finished=True)
            return
        # Ctrl-C: keep the last completed epoch, even between two writes.
        kept = _find(net, LastGoodEpoch)
        if kept is not None and kept.epoch_ and kept.epoch_ != self.written_epoch_:
            self.save(net, kept=kept)

    def save(self, net, *, finished=False, kept=None):
        """Write the net's training state to :attr:`path`.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        finished : bool, default=False
            Whether the fit has ended (then resuming continues it as a new
            ``warm_start`` fit rather than completing it).
        kept : LastGoodEpoch or None, default=None
            Write this copy of the last good epoch instead of the net's
            current weights and optimizer state.
        """
        if kept is None:
            epoch = len(net.history)
            module, optimizer = net.module_.state_dict(), net.optimizer_.state_dict()
        else:
            epoch = kept.epoch_
            module, optimizer = kept.module_state_, kept.optimizer_state_
        stopper = dict(net.callbacks_).get("stop_on_plateau")
        state = {
            **getattr(net, "fit_state_", {}),
            "format": _FORMAT,
            "epoch": epoch,
            "finished": finished,
            "module": module,
            "optimizer": optimizer,
            "history": json.dumps(list(net.history[:epoch]), default=_json_default),
            "stopper": None if stopper is None else {
                "misses": int(stopper.misses_),
                "dynamic_threshold": (None if stopper.dynamic_threshold_ is None
                                      else float(stopper.dynamic_threshold_)),
                "best_epoch": int(getattr(stopper, "best_epoch_", 0)),
                "best_weights": getattr(stopper, "best_model_weights_", None),
            },
        }
        os.makedirs(self.directory, exist_ok=True)
        _atomic_save(state, self.path)
        self.written_epoch_ = epoch

    def load(self, device="cpu"):
        """Read the checkpoint file.

        Parameters
        ----------
        device : str or torch.device, default="cpu"
            Where to put the tensors (``map_location`` of :func:`torch.load`).

        Returns
        -------
        state : dict or None
            The training state (``"epoch"``, ``"module"``, ``"optimizer"``,
            ``"history"`` as a list of dicts, ...), or None if the directory
            holds no checkpoint.
        """
        if not os.path.exists(self.path):
            return None
        try:
            state = torch.load(self.path, map_location=device, weights_only=True)
            if not isinstance(state, dict) or state.get("format") != _FORMAT:
                raise ValueError("it does not hold a skrnn checkpoint")
            state["history"] = json.loads(state["history"])
        except Exception as exc:
            raise CheckpointError(
                f"{self.path} is not a readable skrnn checkpoint ({exc}). Delete "
                "it, or fit with warm_start=False to start afresh and replace it."
            ) from exc
        return state
