"""Fit-time checks of the hyperparameters that fail deep inside torch or skorch.

``_parameter_constraints`` checks types and ranges; these check what only makes
sense against the machine or the libraries: whether a device exists here, whether
``callbacks`` hold skorch callbacks, and which options an optimizer takes. Each
failure is a clear ``ValueError`` (or scikit-learn's ``InvalidParameterError``)
at the start of ``fit``, before anything is built.
"""

import inspect

import torch
from skorch.callbacks import Callback

from .utils._compat import InvalidParameterError

__all__ = ["check_callbacks", "check_device", "optimizer_params"]


def check_device(estimator):
    """The estimator's ``device`` as a ``torch.device`` that exists on this machine."""
    name = type(estimator).__name__
    try:
        device = torch.device(estimator.device)
    except (RuntimeError, ValueError):
        raise ValueError(
            f"The 'device' parameter of {name} must be a torch device such as "
            f"'cpu', 'cuda' or 'cuda:1'. Got {estimator.device!r} instead."
        ) from None
    requested = f"device={estimator.device!r} was requested, but"
    if device.type == "meta":
        raise ValueError(
            f"{requested} tensors on the 'meta' device have shapes but no data, so a "
            "network cannot be trained or run there; use device='cpu' or 'cuda'."
        )
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"{requested} CUDA is not available on this machine "
                "(torch.cuda.is_available() is False); use device='cpu'."
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise ValueError(
                f"{requested} this machine has {count} CUDA device(s), numbered "
                f"from 0 to {count - 1}; use one of them, or device='cuda'."
            )
    elif device.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(
                f"{requested} MPS (Apple's GPU backend) is not available on this "
                "machine (torch.backends.mps.is_available() is False); use "
                "device='cpu'."
            )
    elif device.type != "cpu":
        try:  # any other backend: can it hold a tensor here?
            torch.empty(0, device=device)
        except Exception as exc:  # noqa: BLE001 - torch raises many kinds here
            raise ValueError(
                f"{requested} torch cannot use it on this machine "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                "); use device='cpu'."
            ) from None
    return device


def check_callbacks(estimator):
    """Refuse ``callbacks`` entries that are not skorch callbacks."""
    for i, item in enumerate(estimator.callbacks or ()):
        cb = item
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[0], str):
                cb = None
            else:
                cb = item[1]
        if not (isinstance(cb, Callback)
                or (inspect.isclass(cb) and issubclass(cb, Callback))):
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {type(estimator).__name__} must be a "
                "list of skorch callbacks (instances of skorch.callbacks.Callback) "
                f"or of (name, callback) tuples. Got {item!r} at position {i} instead."
            )


def optimizer_params(optimizer, estimator):
    """The keyword arguments the estimator gives its optimizer class.

    ``weight_decay`` is passed when the optimizer takes it; to one that does not
    (``torch.optim.LBFGS``), only its default 0 may be given.
    """
    weight_decay = estimator.weight_decay
    try:
        takes = "weight_decay" in inspect.signature(optimizer).parameters
    except (TypeError, ValueError):  # no signature to read: pass it, as before
        takes = True
    if takes:
        return {"optimizer__weight_decay": weight_decay}
    if weight_decay:
        raise ValueError(
            f"The optimizer {getattr(optimizer, '__name__', optimizer)!r} of "
            f"{type(estimator).__name__} takes no weight_decay, but "
            f"weight_decay={weight_decay!r} was given; use weight_decay=0.0 with it, "
            "or an optimizer that has one ('adam', 'adamw', 'sgd', 'rmsprop')."
        )
    return {}
