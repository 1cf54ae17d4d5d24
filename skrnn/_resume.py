"""Resuming fits: the bookkeeping behind ``warm_start`` after a fault or a restart.

A ``fit`` that ends early (Ctrl-C, a non-finite loss with ``nonfinite_loss="raise"``,
a GPU out of memory) leaves the estimator holding its last completed epoch and a
note of the unfinished fit: the epoch it started from and its seed. The next
``fit`` with ``warm_start=True`` completes that fit (it runs the epochs it had
left, from the same seed, with the plateau stopper's count carried over) instead
of starting another. A :class:`~skrnn.callbacks.Checkpoint` writes the same
note, with the training state, so that an estimator that has not been fitted
(a new process) resumes from the file in the same way.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from skorch.history import History

from .callbacks import Checkpoint
from .exceptions import CheckpointError, SkrnnWarning

#: Hyperparameters that may differ between a checkpoint and the fit resuming it:
#: how the fit is run and reported, not what it computes.
MAY_CHANGE = frozenset(
    {"batch_size", "callbacks", "device", "max_epochs", "nonfinite_loss", "verbose",
     "warm_start"}
)


def _plain_params(estimator):
    """The hyperparameters that a checkpoint records and compares, as plain values."""
    params = {}
    for name, value in estimator.get_params(deep=False).items():
        if name in MAY_CHANGE:
            continue
        if value is None or isinstance(value, (bool, str)):
            params[name] = value
        elif isinstance(value, Integral):
            params[name] = int(value)
        elif isinstance(value, Real):
            params[name] = float(value)
    return params


def _pack(value):
    if isinstance(value, np.ndarray):
        return {"ndarray": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _unpack(value):
    if isinstance(value, dict) and "ndarray" in value:
        return np.asarray(value["ndarray"], dtype=np.dtype(value["dtype"]))
    return value


def fit_state(estimator, *, fit_start, seed, incremental, output_size):
    """What a checkpoint records about the estimator and the fit in progress."""
    return {
        "estimator": type(estimator).__name__,
        "params": _plain_params(estimator),
        "targets": {name: _pack(getattr(estimator, name))
                    for name in estimator._target_attributes},
        "n_features_in": int(estimator.n_features_in_),
        "input_size": int(estimator.input_size_),
        "output_size": int(output_size),
        "fit_start": int(fit_start),
        "seed": seed,
        "incremental": bool(incremental),
    }


def unfinished_fit(saved):
    """``(fit_start, seed)`` of the fit a checkpoint left unfinished, or None."""
    if saved["finished"] or saved["incremental"]:
        return None
    return saved["fit_start"], saved["seed"]


def find_checkpoint(callbacks):
    """The first :class:`~skrnn.callbacks.Checkpoint` in a ``callbacks`` list."""
    for item in callbacks or ():
        callback = item[1] if isinstance(item, tuple) else item
        if isinstance(callback, Checkpoint):
            return callback
    return None


def read_checkpoint(estimator, device):
    """The checkpoint an unfitted estimator's ``fit`` resumes from, or None.

    With ``warm_start=False`` nothing is resumed; a checkpoint of an unfinished
    fit that is about to be overwritten is reported with a warning.
    """
    checkpoint = find_checkpoint(estimator.callbacks)
    if checkpoint is None:
        return None
    name = type(estimator).__name__
    if not estimator.warm_start:
        try:
            saved = checkpoint.load()
        except CheckpointError:
            return None
        if saved is not None and unfinished_fit(saved) is not None:
            warnings.warn(
                f"{name}: {checkpoint.path} holds an unfinished fit (epoch "
                f"{saved['epoch']}), which this fit will overwrite because "
                "warm_start=False. Set warm_start=True to resume it instead.",
                SkrnnWarning,
                stacklevel=5,
            )
        return None
    saved = checkpoint.load(device)
    if saved is None:
        return None
    if saved.get("estimator") != name:
        raise CheckpointError(
            f"Cannot resume {name} from {checkpoint.path}: it was written by "
            f"{saved.get('estimator')}. Use another directory for this estimator."
        )
    now = _plain_params(estimator)
    then = saved["params"]
    differ = sorted(k for k in then.keys() | now.keys()
                    if then.get(k, "<unset>") != now.get(k, "<unset>"))
    if differ:
        was = ", ".join(f"{k}={then.get(k, '<unset>')!r}" for k in differ)
        is_ = ", ".join(f"{k}={now.get(k, '<unset>')!r}" for k in differ)
        raise CheckpointError(
            f"Cannot resume {name} from {checkpoint.path}: it was written with "
            f"{was}, but this estimator has {is_}. Resuming needs the same "
            "hyperparameters (only " + ", ".join(sorted(MAY_CHANGE)) + " may "
            "change). Use another directory, delete the file, or fit with "
            "warm_start=False to start afresh."
        )
    return saved


def restore_targets(estimator, saved):
    """Set the estimator's target encoding (``classes_``, scaling) from a checkpoint."""
    for name, value in saved["targets"].items():
        setattr(estimator, name, _unpack(value))


def load_training_state(estimator, net, saved):
    """Load a checkpoint's weights, optimizer, history and stopper into a new net."""
    path = find_checkpoint(estimator.callbacks).path
    shapes = {"n_features_in": estimator.n_features_in_,
              "input_size": estimator.input_size_,
              "output_size": net.module__output_size}
    for key, now in shapes.items():
        if saved[key] != now:
            raise CheckpointError(
                f"Cannot resume {type(estimator).__name__} from {path}: it was "
                f"fitted with {key}={saved[key]}, but the data give {key}={now}."
            )
    try:
        net.module_.load_state_dict(saved["module"])
        net.optimizer_.load_state_dict(saved["optimizer"])
    except (KeyError, RuntimeError, ValueError) as exc:
        raise CheckpointError(
            f"Cannot resume {type(estimator).__name__} from {path}: its weights or "
            f"optimizer state do not fit this network ({exc})."
        ) from exc
    net.history = History(saved["history"])
    stopper, state = dict(net.callbacks_)["stop_on_plateau"], saved["stopper"]
    if state is not None:
        stopper.misses_ = state["misses"]
        stopper.dynamic_threshold_ = state["dynamic_threshold"]
        stopper.best_epoch_ = state["best_epoch"]
        stopper.best_model_weights_ = state["best_weights"]
