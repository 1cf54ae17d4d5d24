"""Errors and warnings raised by skrnn.

Each one also subclasses the built-in or scikit-learn type that users already catch
(``ValueError``, ``UserWarning``, scikit-learn's ``InconsistentVersionWarning``), so
code written for scikit-learn keeps working, and ``SkrnnError`` / ``SkrnnWarning``
catch everything skrnn raises itself.
"""

from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning
from torch.cuda import OutOfMemoryError as _TorchOutOfMemoryError

__all__ = [
    "CheckpointError",
    "FitInterruptedWarning",
    "IncompleteHistoryWarning",
    "InconsistentVersionWarning",
    "ModelFileError",
    "NonFiniteLossError",
    "NonFiniteLossWarning",
    "OutOfMemoryError",
    "SkrnnError",
    "SkrnnWarning",
    "UntrustedTypeError",
]


class SkrnnError(Exception):
    """Base class of the errors raised by skrnn itself.

    Examples
    --------
    >>> from skrnn.exceptions import ModelFileError, SkrnnError
    >>> issubclass(ModelFileError, SkrnnError)
    True
    """


class SkrnnWarning(UserWarning):
    """Base class of the warnings emitted by skrnn itself.

    Examples
    --------
    >>> from skrnn.exceptions import InconsistentVersionWarning, SkrnnWarning
    >>> issubclass(InconsistentVersionWarning, SkrnnWarning)
    True
    """


class ModelFileError(SkrnnError, ValueError):
    """A file is not a valid and complete skrnn model file.

    Raised by :func:`skrnn.load_model` for a file that is truncated, corrupt, not
    written by :func:`skrnn.save_model`, or changed after it was written. Nothing
    in the file is executed and no object is returned. A ``ValueError``.

    Examples
    --------
    >>> import io
    >>> from skrnn import load_model
    >>> from skrnn.exceptions import ModelFileError
    >>> try:
    ...     load_model(io.BytesIO(b"not a model"))
    ... except ModelFileError as exc:
    ...     print(exc)
    <BytesIO> is not a valid or complete skrnn model file: it is not a complete zip...
    """


class UntrustedTypeError(ModelFileError):
    """A model file names a class that skrnn does not construct from a file.

    :func:`skrnn.load_model` builds only the classes listed by
    :func:`skrnn.persistence.trusted_types`; a file naming any other class (a
    tampered file, or a pipeline step that cannot be stored safely) is refused
    with this error, which names the class. A ``ValueError``.

    Examples
    --------
    >>> from skrnn.exceptions import ModelFileError, UntrustedTypeError
    >>> issubclass(UntrustedTypeError, ModelFileError)
    True
    """


class InconsistentVersionWarning(SkrnnWarning, _SklearnVersionWarning):
    """A model is loaded with other versions of skrnn or its libraries.

    Emitted when an estimator saved by :func:`skrnn.save_model`, :mod:`pickle` or
    :mod:`joblib` is loaded with a version of skrnn, torch, skorch or
    scikit-learn other than the one it was saved with (local version labels such
    as ``+cpu`` or ``+cu121`` are ignored). It subclasses scikit-learn's
    :class:`~sklearn.exceptions.InconsistentVersionWarning`, so a filter set for
    scikit-learn's warning applies to it too.

    Parameters
    ----------
    estimator_name : str
        The class name of the loaded estimator.
    original_versions : dict of str to str
        The versions the model was saved with, by library name.
    current_versions : dict of str to str
        The versions in use now, by library name.

    Attributes
    ----------
    original_versions : dict of str to str
        The versions the model was saved with, only the libraries that differ.
    current_versions : dict of str to str
        The versions in use now, only the libraries that differ.

    Examples
    --------
    >>> from skrnn.exceptions import InconsistentVersionWarning
    >>> w = InconsistentVersionWarning(
    ...     estimator_name="LSTMRegressor",
    ...     original_versions={"torch": "2.1.0"},
    ...     current_versions={"torch": "2.13.0"},
    ... )
    >>> print(str(w)[:71])
    Trying to load LSTMRegressor saved with torch 2.1.0 (now torch 2.13.0).
    """

    def __init__(self, *, estimator_name, original_versions, current_versions):
        super().__init__(
            estimator_name=estimator_name,
            current_sklearn_version=current_versions.get("scikit-learn"),
            original_sklearn_version=original_versions.get("scikit-learn"),
        )
        self.original_versions = dict(original_versions)
        self.current_versions = dict(current_versions)

    def __str__(self):
        saved = ", ".join(f"{lib} {v}" for lib, v in self.original_versions.items())
        now = ", ".join(f"{lib} {v}" for lib, v in self.current_versions.items())
        return (
            f"Trying to load {self.estimator_name} saved with {saved} (now {now}). "
            "This might lead to breaking code or invalid results. Use at your own "
            "risk, or fit the model again with the versions in use."
        )


# -- faults during training (see the "Long fits" page of the user guide) ---------------


class NonFiniteLossError(SkrnnError, FloatingPointError, ValueError):
    """The training or validation loss became NaN or infinite during ``fit``.

    Raised with ``nonfinite_loss="raise"`` (the default) by
    :class:`skrnn.callbacks.NonFiniteLossGuard`. The message names the epoch and
    batch. Before it is raised, the weights and optimizer state of the last epoch
    whose losses were all finite are restored, so the estimator is fitted and
    predicts finite values. Both a ``FloatingPointError`` and a ``ValueError``
    (scikit-learn's MLP raises a ``ValueError`` for non-finite weights).

    Examples
    --------
    >>> from skrnn.exceptions import NonFiniteLossError
    >>> issubclass(NonFiniteLossError, (FloatingPointError, ValueError))
    True
    """


class NonFiniteLossWarning(SkrnnWarning):
    """The loss became NaN or infinite and training was stopped early.

    Emitted instead of :class:`NonFiniteLossError` with ``nonfinite_loss="warn"``;
    the fit then ends normally from the last epoch whose losses were all finite.

    Examples
    --------
    >>> from skrnn.exceptions import NonFiniteLossWarning
    >>> issubclass(NonFiniteLossWarning, UserWarning)
    True
    """


class FitInterruptedWarning(SkrnnWarning):
    """``fit`` was interrupted by a ``KeyboardInterrupt`` (Ctrl-C).

    Emitted just before the ``KeyboardInterrupt`` is raised again; the message
    says which epoch's weights the estimator now holds.

    Examples
    --------
    >>> from skrnn.exceptions import FitInterruptedWarning
    >>> issubclass(FitInterruptedWarning, UserWarning)
    True
    """


class IncompleteHistoryWarning(SkrnnWarning):
    """Rows given to :class:`~skrnn.preprocessing.SlidingWindow` lack a full window.

    Emitted by ``transform`` (at most once per fit of the transformer) when rows
    of ``X`` have fewer than ``window`` observations before them; they are
    forecast from the observations they have. ``incomplete="ignore"`` silences
    it for one transformer, ``warnings.filterwarnings("ignore",
    category=IncompleteHistoryWarning)`` everywhere.

    Examples
    --------
    >>> from skrnn.exceptions import IncompleteHistoryWarning
    >>> issubclass(IncompleteHistoryWarning, UserWarning)
    True
    """


class OutOfMemoryError(SkrnnError, _TorchOutOfMemoryError):
    """The GPU ran out of memory during ``fit`` or ``predict``.

    The message names the batch size in use and suggests a smaller one; after a
    failed ``fit`` the estimator holds the weights of its last completed epoch. A
    :class:`torch.cuda.OutOfMemoryError` (so a ``RuntimeError``), which code
    that already retries on torch's error catches.

    Examples
    --------
    >>> import torch
    >>> from skrnn.exceptions import OutOfMemoryError
    >>> issubclass(OutOfMemoryError, torch.cuda.OutOfMemoryError)
    True
    """


class CheckpointError(SkrnnError, ValueError):
    """A checkpoint cannot be read, or belongs to another model or configuration.

    Raised by ``fit`` with ``warm_start=True`` when the directory of a
    :class:`skrnn.callbacks.Checkpoint` holds a file that is not a readable skrnn
    checkpoint, or was written by another estimator class, other
    hyperparameters or data of another shape. A ``ValueError``.

    Examples
    --------
    >>> from skrnn.exceptions import CheckpointError
    >>> issubclass(CheckpointError, ValueError)
    True
    """
