"""A fitted estimator's state in the types skops trusts, for ``skops.io``.

``skops.io`` stores an object as what its ``__getstate__`` returns and loads
only the types the user trusts. skorch's net pickles its torch objects into a
bytes blob of its state (which skops cannot inspect, and would hand to
``pickle`` on loading) and holds ``functools.partial`` setters and ``print``
sinks. So skrnn's estimators give skops a state of their own, made of the types
skops trusts by default (dicts, lists, strings, numbers, NumPy arrays) plus
skrnn's estimator classes:

- the estimator's attributes, except the skorch net and its history;
- for a fitted estimator, what rebuilds its net: the network's sizes, its
  weights and optimizer state as NumPy arrays, and the training history as
  plain rows.

On loading, the net is rebuilt with the estimator's hyperparameters and the
arrays are put back, as :func:`skrnn.persistence.load_model` does. Pickle,
joblib and cloudpickle keep the full state (see
``BaseRecurrentEstimator.__reduce_ex__``).
"""

import warnings

import numpy as np
import torch

__all__ = ["MARKER", "restore_skops_state", "skops_state", "skops_trusted_types"]

#: The key that marks a state made by :func:`skops_state`.
MARKER = "__skrnn_skops_state__"
_NET = ("net_", "history_")


def skops_trusted_types():
    """The types to trust when loading a skrnn estimator with skops.

    A fitted skrnn estimator stored with ``skops.io.dump`` holds only types
    that skops trusts by default plus the class of the estimator itself: pass
    this list as ``trusted`` to ``skops.io.load`` (or as MLflow's
    ``skops_trusted_types``). It names skrnn's public estimators and transformers;
    nothing of skorch, torch, ``functools`` or ``builtins`` is needed.

    A user callback in ``callbacks`` is stored as the object it is, and
    ``skops.io.get_untrusted_types`` names its class; trust it only if you
    trust the file.

    Returns
    -------
    types : list of str
        Fully qualified class names, e.g. ``"skrnn._regression.LSTMRegressor"``.

    See Also
    --------
    skrnn.save_model : The safe file format of skrnn itself.

    Examples
    --------
    >>> from skrnn.persistence import skops_trusted_types
    >>> "skrnn._classification.GRUClassifier" in skops_trusted_types()
    True
    """
    from .utils import all_estimators

    return sorted(f"{cls.__module__}.{cls.__qualname__}" for _, cls in all_estimators())


def _to_numpy(value):
    """Tensors in nested dicts, lists and tuples as NumPy arrays."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(v) for v in value)
    return value


def _to_tensors(value):
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value))
    if isinstance(value, dict):
        return {k: _to_tensors(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_tensors(v) for v in value)
    return value


def _plain(value):
    """A history value as plain Python (NumPy and torch scalars made numbers)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.generic, torch.Tensor)):
        return value.item()
    return value


def skops_state(estimator, state):
    """The skops form of ``state``, the estimator's full state.

    Parameters
    ----------
    estimator : BaseRecurrentEstimator
        The estimator.
    state : dict
        Its full state (as pickled).

    Returns
    -------
    state : dict
        The attributes without the net, and the net as plain data.
    """
    attributes = {k: v for k, v in state.items() if k not in _NET}
    net = state.get("net_")
    spec = None
    if net is not None:
        split = net.train_split
        spec = {
            "input_size": int(net.module__input_size),
            "output_size": int(net.module__output_size),
            "seed": getattr(net, "init_seed_", getattr(split, "random_state", None)),
            "weights": _to_numpy(dict(net.module_.state_dict())),
            "optimizer": _to_numpy(net.optimizer_.state_dict()),
            "history": _plain(net.history.to_list()),
        }
    return {MARKER: 1, "attributes": attributes, "net": spec}


def restore_skops_state(estimator, state):
    """Set ``estimator``'s attributes from a :func:`skops_state`, rebuilding its net.

    Parameters
    ----------
    estimator : BaseRecurrentEstimator
        A new instance (from ``cls.__new__``).
    state : dict
        From :func:`skops_state`.

    Returns
    -------
    attributes : dict
        The attributes to set (the estimator's own ``__setstate__`` sets them).
    """
    from skorch.exceptions import DeviceWarning
    from skorch.history import History


    attributes = dict(state["attributes"])
    spec = state["net"]
    if spec is None:
        return attributes
    vars(estimator).update(attributes)
    device = torch.device(estimator.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"{type(estimator).__name__} was saved with device={estimator.device!r}, "
            "but CUDA is not available on this machine; its network is loaded on "
            "the CPU. Set device='cpu' before training it further.",
            DeviceWarning,
            stacklevel=4,
        )
        device = torch.device("cpu")
    net = estimator._build_net(
        input_size=spec["input_size"],
        output_size=spec["output_size"],
        criterion=estimator._criterion,
        device=device,
        seed=spec["seed"],
        stratify=estimator._stratify,
    ).initialize()
    net.module_.load_state_dict(_to_tensors(spec["weights"]), strict=True)
    net.optimizer_.load_state_dict(_to_tensors(spec["optimizer"]))
    net.history = History(spec["history"])
    attributes["net_"] = net
    attributes["history_"] = net.history
    return attributes
