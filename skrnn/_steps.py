"""One target per time step (``return_sequences=True``): validation and layout.

The estimators learn a per-step target by flattening it over the steps that exist
(``StepTargets.values``, one row per step of every sequence), encoding those rows as
they encode one target per sequence (``classes_``, the scaling of ``y``), and padding
the encoded rows back into ``(n_samples, n_timesteps, ...)`` for the network, with
NaN (regression) or -100 (classification, torch's ``ignore_index``) where a shorter
sequence has no step; the per-step losses of :mod:`skrnn.nn` skip those.
"""

import numpy as np
import torch

from ._data import RaggedSequences, is_ragged
from .preprocessing._window import WindowedSeries
from .utils._compat import _check_y
from .utils.validation import _refuse_strings, check_sequences

__all__ = ["StepTargets", "check_fit_data", "flatten_steps", "split_steps"]

#: Where a padded target has no step: what the per-step losses skip.
_IGNORE_INDEX = -100


class StepTargets:
    """Per-step targets, flattened over the steps that exist.

    Parameters
    ----------
    values : ndarray of shape (n_steps,) or (n_steps, n_targets)
        The targets of every step of every sequence, sequence after sequence.
    lengths : ndarray of shape (n_samples,)
        The number of steps of each sequence.
    n_timesteps : int
        The longest sequence's length (the padded width).
    """

    def __init__(self, values, lengths, n_timesteps):
        self.values = values
        self.lengths = lengths
        self.n_timesteps = n_timesteps

    def __len__(self):
        return len(self.lengths)

    def pad(self, encoded):
        """The encoded rows (a tensor, one per step) padded per sequence."""
        n, width = len(self.lengths), self.n_timesteps
        rest = tuple(encoded.shape[1:])
        if (self.lengths == width).all():
            return encoded.reshape(n, width, *rest)
        fill = np.nan if encoded.is_floating_point() else _IGNORE_INDEX
        out = torch.full((n, width, *rest), fill, dtype=encoded.dtype)
        inside = torch.arange(width) < torch.from_numpy(self.lengths)[:, None]
        out[inside] = encoded
        return out


def check_fit_data(estimator, X, y, *, reset):
    """Validate ``X`` and ``y`` for ``fit``; y is a StepTargets for per-step heads.

    Parameters
    ----------
    estimator : BaseRecurrentEstimator
        Its ``return_sequences`` says whether ``y`` holds a target per step, and
        its ``_check_targets`` how a target is validated.
    X, y : array-like
        The user's data.
    reset : bool
        Whether the fit starts afresh (record the input's shape).

    Returns
    -------
    X : ndarray, WindowedSeries or RaggedSequences
    y : ndarray or StepTargets
    """
    numeric = estimator._check_targets.get("y_numeric", False)
    if not estimator.return_sequences:
        _refuse_step_targets(estimator, X, y, numeric)
        return check_sequences(estimator, X, y, reset=reset, **estimator._check_targets)
    X = check_sequences(estimator, X, reset=reset)
    try:
        return X, _check_step_targets(estimator, X, y, numeric)
    except Exception:
        if reset:  # nothing is fitted half-way
            for name in ("n_features_in_", "feature_names_in_", "input_size_",
                         "_input_ndim"):
                vars(estimator).pop(name, None)
        raise


def _check_step_targets(estimator, X, y, numeric):
    name = type(estimator).__name__
    if isinstance(X, WindowedSeries):
        raise ValueError(
            f"{name} with return_sequences=True learns a target per time step of "
            "whole sequences; X is windows over a series (WindowedSeries, from "
            "SlidingWindow), which have one target each. Use return_sequences=False."
        )
    n = len(X)
    if isinstance(X, RaggedSequences):
        lengths = X.lengths
    else:
        lengths = np.full(n, X.shape[1], dtype=np.int64)
    width = int(lengths.max())
    max_ndim = 3 if numeric else 2
    if is_ragged(y) or (isinstance(X, RaggedSequences) and _is_list_of_arrays(y)):
        if len(y) != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{n}, {len(y)}]"
            )
        parts = []
        for i, item in enumerate(y):
            item = np.asarray(item)
            if item.ndim == 0:
                _one_value_per_sequence(name, np.shape(y))
            if item.ndim > max_ndim - 1:
                raise ValueError(
                    f"y[{i}] has shape {item.shape}; {name} with return_sequences="
                    f"True expects per-step targets of shape (n_timesteps_i,)"
                    + (" or (n_timesteps_i, n_targets)" if numeric else "")
                    + "."
                )
            if len(item) != lengths[i]:
                raise ValueError(
                    f"y[{i}] has a target for {len(item)} time steps, but X[{i}] has "
                    f"{lengths[i]} time steps; return_sequences=True needs one target "
                    "per time step."
                )
            parts.append(item)
        ndims = {p.ndim for p in parts}
        if len(ndims) > 1:
            raise ValueError("Every y[i] must have the same number of dimensions.")
        values = np.concatenate(parts)
    else:
        if hasattr(y, "to_numpy"):
            y = y.to_numpy()
        y = np.asarray(y)
        if y.ndim < 2:
            _one_value_per_sequence(name, y.shape)
        if isinstance(X, RaggedSequences):
            raise ValueError(
                f"X holds sequences of different lengths, so y must be a list of "
                f"per-step target arrays, y[i] of length len(X[i]); got an array of "
                f"shape {y.shape}."
            )
        if len(y) != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{n}, {len(y)}]"
            )
        if y.ndim > max_ndim:
            raise ValueError(
                f"y has dim {y.ndim} (shape={y.shape}); {name} with return_sequences="
                f"True expects y of shape (n_samples, n_timesteps)"
                + (" or (n_samples, n_timesteps, n_targets)" if numeric else "")
                + "."
            )
        if y.shape[1] != width:
            raise ValueError(
                f"y has a target for {y.shape[1]} time steps per sequence, but X has "
                f"{width} time steps; return_sequences=True needs one target per "
                "time step."
            )
        values = y.reshape(n * width, *y.shape[2:])
    if numeric:
        _refuse_strings(
            values, "y", f"{name} expects numeric targets (use a classifier for labels)"
        )
        values = _check_y(values, multi_output=True, y_numeric=True,
                          estimator=estimator)
    elif values.ndim != 1:
        raise ValueError(
            f"y should hold one label per time step, got per-step targets of shape "
            f"{values.shape[1:]}."
        )
    return StepTargets(values, lengths, width)


def _is_list_of_arrays(y):
    return isinstance(y, (list, tuple)) and len(y) > 0 and all(
        hasattr(item, "__len__") and not isinstance(item, (str, bytes)) for item in y
    )


def _one_value_per_sequence(name, shape):
    raise ValueError(
        f"{name} with return_sequences=True learns a target per time step, but y "
        f"has one value per sequence (shape {shape}). Pass y of shape (n_samples, "
        "n_timesteps) (a list of per-step arrays for sequences of different "
        "lengths), or use return_sequences=False."
    )


def _refuse_step_targets(estimator, X, y, numeric):
    """With one target per sequence, say so when ``y`` has one per step."""
    name = type(estimator).__name__
    message = (
        f"{name} with return_sequences=False learns one target per sequence, but y "
        "holds {what}. Set return_sequences=True to learn a target per time step."
    )
    if is_ragged(y):
        raise ValueError(message.format(what="a sequence of targets per sample (a "
                                              "list of arrays of different lengths)"))
    ndim = np.ndim(y) if isinstance(y, np.ndarray) else None
    if ndim == 3:
        raise ValueError(
            "Found array with dim 3, while dim <= 2 is required for y. "
            + message.format(what=f"an array of shape {y.shape}")
        )
    if ndim == 2 and not numeric and y.shape[1] > 1:
        raise ValueError(
            f"y should be a 1d array, got an array of shape {y.shape} instead. "
            + message.format(what="several labels per sample")
        )


def flatten_steps(y):
    """Per-step targets or predictions (array or list) as one row per step."""
    if isinstance(y, (list, tuple)) or (
        isinstance(y, np.ndarray) and y.dtype == object and y.ndim == 1
    ):
        return np.concatenate([np.asarray(item) for item in y])
    y = np.asarray(y)
    return y.reshape(y.shape[0] * y.shape[1], *y.shape[2:])


def split_steps(out, lengths):
    """Padded per-step outputs ``(n, T, ...)`` as a list of ``out[i, :lengths[i]]``."""
    return [out[i, :length] for i, length in enumerate(lengths)]
