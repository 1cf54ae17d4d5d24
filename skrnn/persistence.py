"""Safe model files: fitted estimators saved and loaded without pickle.

:mod:`pickle` and :mod:`joblib` files restore objects by running code named in
the file, so they are for trusted files only. :func:`.save_model` writes a file
that holds data only, and :func:`.load_model` reads it without executing
anything from it:

- the file is a zip archive with a ``metadata.json`` (format version, library
  versions, and for each estimator its class, its ``get_params()`` and its
  fitted attributes as JSON);
- arrays are ``.npy`` members, written and read with ``allow_pickle=False``;
- the skorch training history is JSON;
- the network's weights and optimizer state are ``torch.save`` members, read with
  ``torch.load(..., weights_only=True, map_location="cpu")``.

Only the classes listed by :func:`.trusted_types` are constructed from a file
(skrnn's public estimators, scikit-learn's :class:`~sklearn.pipeline.Pipeline`
and four scalers); a file naming any other class is refused with
:class:`~skrnn.exceptions.UntrustedTypeError` before anything is built. A file
that is truncated, corrupt or changed raises
:class:`~skrnn.exceptions.ModelFileError` (a ``ValueError``) and returns
nothing; a file saved with other versions of skrnn, torch, skorch or
scikit-learn loads with an :class:`~skrnn.exceptions.InconsistentVersionWarning`.
"""

import importlib
import inspect
import io
import json
import re
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)
from skorch.exceptions import DeviceWarning
from skorch.history import History

from ._base import BaseRecurrentEstimator
from ._model_file import FORMAT, FORMAT_VERSION, open_archive, write_archive
from ._model_file import METADATA as _METADATA
from ._model_file import Invalid as _Invalid
from ._model_file import describe as _describe
from ._model_file import reason as _reason
from ._skops import skops_trusted_types
from .exceptions import ModelFileError, UntrustedTypeError
from .nn._elman import ACTIVATIONS
from .utils import _versions
from .utils._random import torch_seed

__all__ = ["load_model", "save_model", "skops_trusted_types", "trusted_types"]

#: scikit-learn classes that hold plain arrays and numbers only.
_SKLEARN_TRUSTED = {
    "sklearn.pipeline.Pipeline": Pipeline,
    "sklearn.preprocessing.MaxAbsScaler": MaxAbsScaler,
    "sklearn.preprocessing.MinMaxScaler": MinMaxScaler,
    "sklearn.preprocessing.RobustScaler": RobustScaler,
    "sklearn.preprocessing.StandardScaler": StandardScaler,
}
_ARRAY_KINDS = "biufcUSmM"
_ATTRIBUTE_NAME = re.compile(r"^(?!__)[A-Za-z_][A-Za-z0-9_]*$")


def _trusted():
    """Class path -> class for every class a model file may name."""
    import skrnn

    found = {}
    modules = [skrnn] + [
        importlib.import_module(f"skrnn.{sub}")
        for sub in getattr(skrnn, "_PUBLIC_SUBPACKAGES", ())
    ]
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
            ):
                found[f"{module.__name__}.{name}"] = obj
    found.update(_SKLEARN_TRUSTED)
    return found


def trusted_types():
    """List the classes that :func:`.load_model` constructs from a model file.

    skrnn's public estimators (and transformers), scikit-learn's
    :class:`~sklearn.pipeline.Pipeline`, and the scalers
    :class:`~sklearn.preprocessing.StandardScaler`,
    :class:`~sklearn.preprocessing.MinMaxScaler`,
    :class:`~sklearn.preprocessing.MaxAbsScaler` and
    :class:`~sklearn.preprocessing.RobustScaler`, whose state is plain arrays
    and numbers. Subclasses of these classes are not included.

    Returns
    -------
    names : list of str
        The classes' import paths, sorted.

    Examples
    --------
    >>> from skrnn.persistence import trusted_types
    >>> "skrnn.LSTMRegressor" in trusted_types()
    True
    >>> "sklearn.preprocessing.FunctionTransformer" in trusted_types()
    False
    """
    return sorted(_trusted())


# -- saving -----------------------------------------------------------------------


def save_model(estimator, file):
    """Save a fitted (or unfitted) estimator to a safe model file.

    The file is a zip archive of data only: JSON for the hyperparameters, the
    fitted attributes and the training history, ``.npy`` arrays, and the
    network's weights and optimizer state as ``torch.save`` tensors. Load it
    with :func:`.load_model`, which executes nothing from the file; a loaded
    estimator predicts exactly what the saved one did and, with
    ``warm_start=True`` or ``partial_fit``, trains on as the saved one would.

    Parameters
    ----------
    estimator : estimator instance
        A skrnn estimator or transformer, or a :class:`~sklearn.pipeline.Pipeline`
        of them and of the scalers listed by :func:`.trusted_types`. Its
        hyperparameters must be plain values: ``callbacks`` objects and a
        callable ``optimizer`` cannot be stored (save such a model with
        :func:`joblib.dump`, for trusted use only).
    file : str, path-like or binary file object
        Where to write. A path is written to a temporary file first and then
        renamed, so an existing file is replaced only by a complete one. The
        extension ``.skrnn`` is a good choice.

    Raises
    ------
    TypeError
        If the estimator is of a class not listed by :func:`.trusted_types`, or a
        hyperparameter or fitted attribute holds an object that cannot be stored
        as data (the message names it). Nothing is written then.

    See Also
    --------
    load_model : Load the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skrnn import LSTMRegressor, load_model, save_model
    >>> X = np.random.RandomState(0).normal(size=(20, 5, 2)).astype("float32")
    >>> y = X[:, -1, 0]
    >>> reg = LSTMRegressor(hidden_size=4, max_epochs=3, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.skrnn")
    ...     save_model(reg, path)
    ...     loaded = load_model(path)
    >>> np.array_equal(loaded.predict(X), reg.predict(X))
    True
    """
    writer = _Writer()
    root = writer.node(estimator, type(estimator).__name__)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions.current_versions(),
        "estimator": root,
    }
    members = {_METADATA: json.dumps(metadata, indent=1).encode("utf-8")}
    members.update(writer.members)
    write_archive(file, members)


def _time_value(v):
    """The tagged form of a pandas time value (the time index a SlidingWindow
    records), or None for anything else."""
    if isinstance(v, pd.Timestamp):
        return {"__timestamp__": [v.tz_localize(None).isoformat(),
                                  None if v.tz is None else str(v.tz)]}
    if isinstance(v, pd.Period):
        return {"__period__": [str(v), v.freqstr]}
    if isinstance(v, pd.offsets.BaseOffset):
        return {"__offset__": [v.freqstr]}
    if isinstance(v, pd.Timedelta):
        return {"__timedelta__": [int(v.value)]}
    return None


def _read_timestamp(iso, tz):
    stamp = pd.Timestamp(str(iso))
    return stamp if tz is None else stamp.tz_localize(str(tz))


_TIME_READERS = {
    "__timestamp__": _read_timestamp,
    "__period__": lambda text, freq: pd.Period(str(text), freq=str(freq)),
    "__offset__": lambda freq: pd.tseries.frequencies.to_offset(str(freq)),
    "__timedelta__": lambda ns: pd.Timedelta(int(ns), unit="ns"),
}


def _unsafe(where, value, hint=""):
    kind = type(value)
    return TypeError(
        f"{where} holds a {kind.__module__}.{kind.__qualname__}, which cannot be "
        "stored in a safe model file: save_model stores None, bools, numbers, "
        "strings, lists, tuples and dicts of them, NumPy arrays, torch devices, "
        "pandas time stamps, periods, offsets and time deltas, and the estimators "
        "listed by skrnn.persistence.trusted_types(). "
        + (
            hint
            or "Save such a model with joblib.dump and load it only from a "
            "trusted source."
        )
    )


class _Writer:
    """Turns an estimator into JSON-able nodes and archive members."""

    def __init__(self):
        self.members = {}
        self._classes = {cls: path for path, cls in _trusted().items()}

    def _add(self, folder, suffix, data):
        name = (
            f"{folder}/{sum(m.startswith(folder + '/') for m in self.members)}{suffix}"
        )
        self.members[name] = data
        return name

    def node(self, est, where):
        cls = type(est)
        if cls not in self._classes:
            raise TypeError(
                f"{where} is a {cls.__module__}.{cls.__qualname__}, which save_model "
                "does not store: a safe model file holds only skrnn's estimators, "
                "scikit-learn's Pipeline and the scalers listed by "
                "skrnn.persistence.trusted_types(). Save it with joblib.dump and "
                "load it only from a trusted source."
            )
        name = cls.__name__
        params = est.get_params(deep=False)
        if isinstance(est, BaseRecurrentEstimator):
            _check_recurrent_params(est, params)
        node = {"class": self._classes[cls]}
        node["params"] = {
            k: self.value(v, f"The {k!r} parameter of {name}")
            for k, v in params.items()
        }
        state = {k: v for k, v in vars(est).items() if k not in params}
        if isinstance(est, BaseRecurrentEstimator) and "net_" in state:
            net = state.pop("net_")
            state.pop("history_", None)
            node["net"] = self.net(net, name)
        node["attributes"] = {
            k: self.value(v, f"The fitted attribute {k!r} of {name}")
            for k, v in state.items()
        }
        return node

    def value(self, v, where):
        if isinstance(v, (np.ndarray, np.generic)):  # np.float64 is a float too
            return {"__ndarray__": self.array(v, where)}
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.value(x, where) for x in v]
        if isinstance(v, tuple):
            return {"__tuple__": [self.value(x, where) for x in v]}
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise _unsafe(where, v, "Its keys must be strings.")
            return {"__dict__": {k: self.value(x, where) for k, x in v.items()}}
        if isinstance(v, torch.device):
            return {"__device__": str(v)}
        time = _time_value(v)
        if time is not None:
            return time
        if isinstance(v, np.random.RandomState):
            _, keys, pos, has_gauss, cached = v.get_state()
            return {
                "__random_state__": {
                    "keys": self.array(keys, where),
                    "pos": int(pos),
                    "has_gauss": int(has_gauss),
                    "cached_gaussian": float(cached),
                }
            }
        if isinstance(v, BaseEstimator):
            return {"__estimator__": self.node(v, where)}
        raise _unsafe(where, v)

    def array(self, a, where):
        spec = {"scalar": isinstance(a, np.generic), "object": False}
        a = np.asarray(a)
        if a.dtype.kind == "O":
            if not all(isinstance(x, str) for x in a.flat):
                raise _unsafe(
                    where,
                    a,
                    "An object array can be stored only when all its elements are "
                    "strings.",
                )
            a, spec["object"] = a.astype(str), True
        elif a.dtype.kind not in _ARRAY_KINDS or a.dtype.fields is not None:
            raise _unsafe(where, a, f"Arrays of dtype {a.dtype} cannot be stored.")
        buf = io.BytesIO()
        np.lib.format.write_array(buf, a, allow_pickle=False)
        spec["file"] = self._add("arrays", ".npy", buf.getvalue())
        return spec

    def net(self, net, name):
        weights = io.BytesIO()
        torch.save(net.module_.state_dict(), weights)
        optimizer = io.BytesIO()
        torch.save(net.optimizer_.state_dict(), optimizer)
        try:
            history = json.dumps(net.history.to_list(), default=_json_scalar)
        except TypeError as exc:
            raise TypeError(
                f"The training history (history_) of {name} cannot be stored in a "
                f"safe model file: {exc}"
            ) from None
        split = net.train_split
        return {
            "input_size": int(net.module__input_size),
            "output_size": int(net.module__output_size),
            "split_seed": getattr(split, "random_state", None),
            "weights": self._add("weights", ".pt", weights.getvalue()),
            "optimizer": self._add("optimizer", ".pt", optimizer.getvalue()),
            "history": self._add("history", ".json", history.encode("utf-8")),
        }


def _check_recurrent_params(est, params):
    name = type(est).__name__
    if params.get("callbacks"):
        raise TypeError(
            f"The 'callbacks' parameter of {name} holds skorch callback objects, "
            "which cannot be stored in a safe model file. The fitted network does "
            "not need them to predict: call set_params(callbacks=None) before "
            "save_model, or save the model with joblib.dump and load it only from "
            "a trusted source."
        )
    if callable(params.get("optimizer")):
        raise TypeError(
            f"The 'optimizer' parameter of {name} is a callable "
            f"({params['optimizer']!r}), which cannot be stored in a safe model "
            "file; only the optimizer names ('adam', 'adamw', 'sgd', 'rmsprop') can. "
            "Save the model with joblib.dump and load it only from a trusted source."
        )
    if callable(params.get("nonlinearity")):
        raise TypeError(
            f"The 'nonlinearity' parameter of {name} is a callable "
            f"({params['nonlinearity']!r}), which cannot be stored in a safe model "
            f"file; the activation names can ({', '.join(map(repr, ACTIVATIONS))}). "
            "Save the model with joblib.dump (the callable must be picklable, e.g. "
            "a module-level function) and load it only from a trusted source."
        )


def _json_scalar(v):
    if isinstance(v, np.generic) or (isinstance(v, torch.Tensor) and v.ndim == 0):
        return v.item()
    raise TypeError(f"it holds a {type(v).__module__}.{type(v).__qualname__}")


# -- loading ----------------------------------------------------------------------


def load_model(file):
    """Load an estimator saved by :func:`.save_model`, executing nothing from the file.

    The classes named in the file are checked against :func:`.trusted_types`
    before anything is built; arrays are read with ``allow_pickle=False`` and
    tensors with ``torch.load(..., weights_only=True, map_location="cpu")``. The
    network is rebuilt from the hyperparameters as ``fit`` builds it and its
    weights are loaded into it, so the loaded estimator predicts exactly what
    the saved one did. A model saved on a GPU loads on a machine without one (on
    the CPU, with a ``skorch.exceptions.DeviceWarning``).

    Parameters
    ----------
    file : str, path-like or binary file object
        The model file.

    Returns
    -------
    estimator : estimator instance
        The estimator (or pipeline) that was saved.

    Raises
    ------
    skrnn.exceptions.ModelFileError
        If the file is not a complete, unchanged file written by
        :func:`.save_model` (truncated, corrupt, a pickle or joblib file, a weights
        member that holds objects other than tensors, a member added to the
        archive...). A ``ValueError``; no estimator is returned.
    skrnn.exceptions.UntrustedTypeError
        If the file names a class not listed by :func:`.trusted_types` (a
        subclass of ``ModelFileError``).

    Warns
    -----
    skrnn.exceptions.InconsistentVersionWarning
        If the file was saved with another version of skrnn, torch, skorch or
        scikit-learn.

    See Also
    --------
    save_model : Write such a file.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from skrnn import GRUClassifier, load_model, save_model
    >>> X = np.random.RandomState(0).normal(size=(20, 6)).astype("float32")
    >>> y = np.where(X.mean(axis=1) > 0, "up", "down")
    >>> clf = GRUClassifier(hidden_size=4, max_epochs=3, random_state=0).fit(X, y)
    >>> buffer = io.BytesIO()
    >>> save_model(clf, buffer)
    >>> loaded = load_model(io.BytesIO(buffer.getvalue()))
    >>> loaded.classes_
    array(['down', 'up'], dtype='<U4')
    >>> np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    True
    """
    name = _describe(file)
    try:
        return _load(file)
    except UntrustedTypeError as exc:
        raise UntrustedTypeError(
            f"{name} is not a valid skrnn model file: {exc}"
        ) from None
    except _Invalid as exc:
        raise ModelFileError(
            f"{name} is not a valid or complete skrnn model file: {exc}"
        ) from None


def _load(file):
    with open_archive(file) as archive:
        reader = _Reader(archive)
        metadata = reader.json(_METADATA)
        root = _check_metadata(metadata)
        untrusted = sorted(set(_class_paths(root)) - set(reader.trusted))
        if untrusted:
            raise UntrustedTypeError(
                f"it names {', '.join(map(repr, untrusted))}, which load_model does "
                "not construct from a file; only the classes listed by "
                "skrnn.persistence.trusted_types() are. Nothing from the file was "
                "executed."
            )
        _versions.warn_if_versions_differ(
            metadata.get("versions"),
            str(root["class"]).rsplit(".", 1)[-1],
            stacklevel=3,
        )
        try:
            estimator = reader.node(root, "the estimator")
        except (_Invalid, UntrustedTypeError):
            raise
        except _BUILD_ERRORS as exc:
            # Well-formed data that no save_model writes (a tampered value that
            # a constructor or skorch rejects): still "not a valid model file".
            raise _Invalid(
                f"the estimator could not be rebuilt from it ({_reason(exc)})"
            ) from None
        extra = sorted(archive.names() - archive.used)
        if extra:
            raise _Invalid(
                f"the archive holds members that skrnn.save_model does not write: "
                f"{', '.join(map(repr, extra))}"
            )
    return estimator


#: What building an estimator from tampered (but well-formed) data may raise.
_BUILD_ERRORS = (
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    IndexError,
    LookupError,
    RuntimeError,
    OverflowError,
    AssertionError,
)


def _check_metadata(metadata):
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise _Invalid(f"its {_METADATA} does not describe a skrnn model")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Invalid(f"its format version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise _Invalid(
            f"it is in format version {version}, written by a newer skrnn; this "
            f"skrnn reads format versions up to {FORMAT_VERSION}. Upgrade skrnn to "
            "load it"
        )
    root = metadata.get("estimator")
    if not isinstance(root, dict) or not isinstance(root.get("class"), str):
        raise _Invalid(f"its {_METADATA} names no estimator")
    return root


def _class_paths(node):
    """Every class path named in a node tree, found before anything is built."""
    if not isinstance(node, dict):
        return
    cls = node.get("class")
    yield cls if isinstance(cls, str) else repr(cls)
    for key in ("params", "attributes"):
        values = node.get(key)
        for value in values.values() if isinstance(values, dict) else ():
            yield from _nested_class_paths(value)


def _nested_class_paths(value):
    if isinstance(value, list):
        for v in value:
            yield from _nested_class_paths(v)
    elif isinstance(value, dict) and len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "__estimator__":
            yield from _class_paths(body)
        elif tag == "__tuple__":
            yield from _nested_class_paths(body)
        elif tag == "__dict__" and isinstance(body, dict):
            for v in body.values():
                yield from _nested_class_paths(v)


class _Reader:
    """Builds estimators from nodes, reading only data from the archive."""

    def __init__(self, archive):
        self.archive = archive
        self.read, self.json, self.tensors = archive.read, archive.json, archive.tensors
        self.trusted = _trusted()

    def array(self, spec, where):
        if not (isinstance(spec, dict) and set(spec) == {"file", "scalar", "object"}):
            raise _Invalid(f"{where} describes an array badly")
        try:
            a = np.lib.format.read_array(
                io.BytesIO(self.read(spec["file"])), allow_pickle=False
            )
        except (ValueError, EOFError, OSError) as exc:
            raise _Invalid(
                f"the array {spec['file']!r} is not a plain .npy array ({_reason(exc)})"
            ) from None
        if a.dtype.kind not in _ARRAY_KINDS or a.dtype.fields is not None:
            raise _Invalid(
                f"the array {spec['file']!r} has the unsupported dtype {a.dtype}"
            )
        if spec["object"] is True:
            if a.dtype.kind != "U":
                raise _Invalid(f"the array {spec['file']!r} should hold strings")
            a = a.astype(object)
        return a[()] if spec["scalar"] is True else a

    def value(self, v, where):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [self.value(x, where) for x in v]
        if isinstance(v, dict) and len(v) == 1:
            ((tag, body),) = v.items()
            if tag == "__tuple__" and isinstance(body, list):
                return tuple(self.value(x, where) for x in body)
            if tag == "__dict__" and isinstance(body, dict):
                return {k: self.value(x, where) for k, x in body.items()}
            if tag == "__ndarray__":
                return self.array(body, where)
            if tag == "__device__" and isinstance(body, str):
                try:
                    return torch.device(body)
                except (RuntimeError, ValueError):
                    raise _Invalid(f"{where} is not a torch device: {body!r}") from None
            if tag == "__random_state__" and isinstance(body, dict):
                return self.random_state(body, where)
            if tag in _TIME_READERS and isinstance(body, list):
                try:
                    return _TIME_READERS[tag](*body)
                except (TypeError, ValueError) as exc:
                    raise _Invalid(
                        f"{where} is not a valid {tag.strip('_')} ({_reason(exc)})"
                    ) from None
            if tag == "__estimator__":
                return self.node(body, where)
        raise _Invalid(f"{where} holds a value skrnn does not write: {str(v)[:80]!r}")

    def random_state(self, body, where):
        try:
            keys = self.array(body["keys"], where)
            rs = np.random.RandomState()
            rs.set_state(
                (
                    "MT19937",
                    keys,
                    body["pos"],
                    body["has_gauss"],
                    body["cached_gaussian"],
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _Invalid(
                f"{where} is not a valid RandomState ({_reason(exc)})"
            ) from None
        return rs

    def node(self, node, where):
        if (
            not isinstance(node, dict)
            or not {"class", "params", "attributes"} <= set(node)
            or not set(node) <= {"class", "params", "attributes", "net"}
            or not isinstance(node["params"], dict)
            or not isinstance(node["attributes"], dict)
        ):
            raise _Invalid(f"{where} is not described the way save_model writes it")
        cls = self.trusted[node["class"]]  # checked to be there by _load
        name = cls.__name__
        accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
        unknown = sorted(set(node["params"]) - accepted)
        if unknown:
            raise _Invalid(f"it gives {name} parameters it does not have: {unknown}")
        params = {
            k: self.value(v, f"the {k!r} parameter of {name}")
            for k, v in node["params"].items()
        }
        est = cls(**params)
        try:
            est._validate_params()
        except ValueError as exc:
            raise _Invalid(_reason(exc)) from None
        if isinstance(est, BaseRecurrentEstimator) and (
            est.callbacks or not isinstance(est.optimizer, str)
        ):
            raise _Invalid(f"it gives {name} callbacks or an optimizer object")
        attributes = {}
        for k, v in node["attributes"].items():
            if not _ATTRIBUTE_NAME.match(k) or k in params:
                raise _Invalid(f"{k!r} is not a valid fitted attribute of {name}")
            attributes[k] = self.value(v, f"the fitted attribute {k!r} of {name}")
            _check_attribute(est, k, attributes[k])
        vars(est).update(attributes)
        if "net" in node:
            if not isinstance(est, BaseRecurrentEstimator):
                raise _Invalid(f"it gives a network to {name}, which has none")
            self.net(est, node["net"])
        elif isinstance(est, BaseRecurrentEstimator) and any(
            k.endswith("_") for k in attributes
        ):
            raise _Invalid(f"the fitted {name} has no network weights")
        return est

    def net(self, est, spec):
        name = type(est).__name__
        keys = {
            "input_size",
            "output_size",
            "split_seed",
            "weights",
            "optimizer",
            "history",
        }
        if not isinstance(spec, dict) or set(spec) != keys:
            raise _Invalid(
                f"the network of {name} is not described the way save_model writes it"
            )
        sizes = (spec["input_size"], spec["output_size"])
        seed = spec["split_seed"]
        if not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes
        ) or not (seed is None or isinstance(seed, int)):
            raise _Invalid(f"the network sizes of {name} are not valid: {sizes}")
        state = self.tensors(spec["weights"])
        optimizer_state = self.tensors(spec["optimizer"])
        rows = self.json(spec["history"])
        if not (isinstance(rows, list) and all(isinstance(r, dict) for r in rows)):
            raise _Invalid(f"the training history of {name} is not a list of epochs")
        if not (
            isinstance(state, dict)
            and all(isinstance(t, torch.Tensor) for t in state.values())
        ):
            raise _Invalid(f"the weights of {name} are not a state_dict of tensors")
        device = torch.device(est.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"{name} was saved with device={est.device!r}, but CUDA is not "
                "available on this machine; its network is loaded on the CPU. Set "
                "device='cpu' before training it further.",
                DeviceWarning,
                stacklevel=5,
            )
            device = torch.device("cpu")
        net = est._build_net(
            input_size=sizes[0],
            output_size=sizes[1],
            criterion=est._criterion,
            device=device,
            seed=seed,
            stratify=est._stratify,
        )
        # The shapes the hyperparameters declare, from a module that holds no
        # memory, are those of the stored weights before anything is allocated.
        _check_shapes(net, state, name)
        # Building the module draws initial weights: keep the caller's RNG as it is.
        with torch_seed(0, device):
            net.initialize()
        try:
            net.module_.load_state_dict(state, strict=True)
            net.optimizer_.load_state_dict(optimizer_state)
        except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise _Invalid(
                f"the weights do not fit the network of {name} ({_reason(exc)})"
            ) from None
        net.history = History(rows)
        est.net_ = net
        est.history_ = net.history


def _check_attribute(est, name, value):
    """Refuse a stored attribute that could change what the class does.

    A fitted attribute is a name ending in ``_``, or a private one (``_name``),
    that the class does not define (no method, property or class attribute is
    shadowed); a hyperparameter that the class fixes (``cell`` of an
    ``LSTMRegressor``) must keep the value its constructor gave it.
    """
    cls = type(est)
    where = f"{name!r} is not a fitted attribute of {cls.__name__}"
    if hasattr(cls, name):
        raise _Invalid(f"{where}: it would hide what the class defines under that name")
    if any(name in vars(c).get("_parameter_constraints", {}) for c in cls.__mro__):
        if name not in vars(est) or vars(est)[name] != value:
            raise _Invalid(f"{where}: {cls.__name__} fixes it to "
                           f"{vars(est).get(name)!r}")
    elif not (name.endswith("_") or name.startswith("_")):
        raise _Invalid(f"{where} (fitted attributes end with '_')")


def _check_shapes(net, state, name):
    """Refuse weights whose names or shapes are not those the network declares."""
    module = net.module
    if not inspect.isclass(module):  # pragma: no cover - skrnn passes a class
        return
    try:
        with torch.device("meta"):
            expected = module(**net.get_params_for("module")).state_dict()
    except (RuntimeError, NotImplementedError):  # pragma: no cover
        return  # an operation without a meta kernel: load_state_dict still checks
    got = {k: tuple(t.shape) for k, t in state.items()}
    want = {k: tuple(t.shape) for k, t in expected.items()}
    if got != want:
        wrong = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        first = wrong[0]
        raise _Invalid(
            f"the weights do not fit the network of {name}: its hyperparameters "
            f"declare {first!r} of shape {want.get(first)}, the file stores "
            f"{got.get(first)} ({len(wrong)} tensor(s) differ)"
        )
