"""The estimators' ``summary()``: :func:`skrnn.nn.summarize` on their network."""

from numbers import Integral

import torch
from sklearn.base import is_classifier

from .nn import summarize
from .utils._random import torch_seed

__all__ = ["estimator_summary", "record_timesteps"]


def record_timesteps(estimator, n_timesteps, *, reset, frame_shape=None):
    """Remember the sequence lengths an estimator was fitted on (for its summary),
    and for image sequences the shape of a frame, ``(channels, height, width)``."""
    if frame_shape is not None:
        estimator._fit_frame_shape = tuple(int(n) for n in frame_shape)
    seen = [] if reset else list(getattr(estimator, "_fit_timesteps", []))
    if n_timesteps in seen:
        seen.remove(n_timesteps)
    estimator._fit_timesteps = [*seen, int(n_timesteps)]  # the last one last


def _check_input_shape(name, input_shape):
    if isinstance(input_shape, Integral):
        input_shape = (input_shape,)
    if not (
        isinstance(input_shape, (tuple, list))
        and len(input_shape) in (1, 2, 4)
        and all(isinstance(n, Integral) and not isinstance(n, bool) and n >= 0
                for n in input_shape)
    ):
        raise ValueError(
            f"input_shape of {name}.summary must be (n_timesteps, n_features), or "
            f"(n_timesteps,) for univariate sequences, or (n_timesteps, channels, "
            f"height, width) for image sequences, with non-negative integers; "
            f"got {input_shape!r} instead."
        )
    shape = tuple(int(n) for n in input_shape)
    return shape if len(shape) > 1 else (shape[0], 1)


def estimator_summary(est, input_shape=None, *, n_outputs=None, batch_size=1):
    """See :meth:`BaseRecurrentEstimator.summary`."""
    name = type(est).__name__
    if not (isinstance(batch_size, Integral) and batch_size >= 1):
        raise ValueError(
            f"batch_size of {name}.summary must be a positive integer, got "
            f"{batch_size!r} instead."
        )
    notes = []
    if hasattr(est, "net_"):
        if n_outputs is not None:
            raise ValueError(
                f"n_outputs is for an unfitted estimator; this {name} is fitted "
                f"with {est.net_.module__output_size} outputs."
            )
        module, n_features = est.module_, est.input_size_
        if input_shape is None:
            lengths = getattr(est, "_fit_timesteps", None) or [1]
            n_timesteps = lengths[-1]
            shape = (n_timesteps, *getattr(est, "_fit_frame_shape", (n_features,)))
            if len(lengths) > 1:
                notes.append(
                    f"n_timesteps={n_timesteps}: {name} was fitted on sequences of "
                    f"{', '.join(map(str, lengths))} steps (shown for the last "
                    "fit); the network takes sequences of any length."
                )
            else:
                notes.append(
                    f"n_timesteps={n_timesteps}: the length of the sequences {name} "
                    "was fitted on; the network takes sequences of any length."
                )
        else:
            shape = _check_input_shape(name, input_shape)
            given = shape[1]
            if given != n_features:
                raise ValueError(
                    f"input_shape has {given} features per step, but {name} was "
                    f"fitted with {n_features}."
                )
    else:
        if input_shape is None:
            raise ValueError(
                f"This {name} is not fitted yet: summary() needs "
                "input_shape=(n_timesteps, n_features) to build the network that "
                "fit would build."
            )
        shape = _check_input_shape(name, input_shape)
        n_features = shape[1]
        est._validate_params()
        what = "classes" if is_classifier(est) else "targets"
        if n_outputs is None:
            n_outputs = 2 if is_classifier(est) else 1
            notes.append(
                f"Not fitted: the network for {n_outputs} {what} (pass n_outputs= "
                "for another number); fit builds it for the data it is given."
            )
        elif not (isinstance(n_outputs, Integral) and n_outputs >= 1):
            raise ValueError(
                f"n_outputs must be a positive integer, got {n_outputs!r} instead."
            )
        # Built as fit builds it, on the CPU, leaving the caller's RNG as it is.
        with torch_seed(0, torch.device("cpu")):
            net = est._build_net(
                input_size=n_features, output_size=int(n_outputs),
                criterion=est._criterion, device=torch.device("cpu"), seed=None,
                stratify=est._stratify,
            ).initialize()
        module = net.module_
    with torch.random.fork_rng(devices=[]):
        summary = summarize(module, shape, batch_size=batch_size)
    summary.notes.extend(notes)
    return summary
