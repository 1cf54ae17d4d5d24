"""Sequences of different lengths: :class:`RaggedSequences` and NaN-padded arrays.

skrnn's public form of a batch of sequences of different lengths is a list of
arrays, each ``(length_i, n_features)`` or ``(length_i,)`` (aeon's "np-list", batch
first). Inside, they are held as one array of all time steps, end to end, plus the
offsets where each sequence starts, which is what the torch side gathers batches
from without copying the data per sequence.
"""

import numbers

import numpy as np

__all__ = ["RaggedSequences", "from_nan_padded", "is_ragged", "to_nan_padded"]


def _is_sequence_like(item):
    return hasattr(item, "__len__") and not isinstance(item, (str, bytes))


def is_ragged(X):
    """Whether ``X`` is a collection of sequences of different lengths.

    True for a :class:`RaggedSequences`, and for a list, a tuple or a 1-D object
    array whose items are array-likes not all of the same shape (equal shapes
    make an ordinary array, which is read as one).

    Parameters
    ----------
    X : object
        Candidate input.

    Returns
    -------
    ragged : bool
    """
    if isinstance(X, RaggedSequences):
        return True
    if isinstance(X, np.ndarray):
        if X.dtype != object or X.ndim != 1:
            return False
    elif not isinstance(X, (list, tuple)):
        return False
    if len(X) == 0 or not all(_is_sequence_like(item) for item in X):
        return False
    shapes = set()
    for item in X:
        try:
            shapes.add(np.shape(item))
        except ValueError:  # itself a nested list of different lengths
            return True
    return len(shapes) > 1


class RaggedSequences:
    """Sequences of different lengths, held end to end with their offsets.

    It stands for the 3-D collection ``(n_samples, length_i, n_features)`` whose
    sequence ``i`` is ``values[offsets[i]:offsets[i + 1]]``. Indexing with an
    integer gives that sequence (a view); indexing with a slice, an integer array
    or a boolean mask gives a new ``RaggedSequences`` of those sequences.

    Parameters
    ----------
    values : ndarray of shape (n_steps, n_features)
        Every time step of every sequence, sequence after sequence.
    offsets : ndarray of shape (n_samples + 1,), dtype int64
        Where each sequence starts in ``values``, then ``n_steps``.

    Attributes
    ----------
    lengths : ndarray of shape (n_samples,)
        The number of time steps of each sequence.
    shape : tuple
        ``(n_samples, max(lengths), n_features)``, the shape of the padded form.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn._data import RaggedSequences
    >>> X = RaggedSequences.from_sequences([np.zeros((3, 2)), np.ones((5, 2))])
    >>> len(X), X.lengths, X.shape
    (2, array([3, 5]), (2, 5, 2))
    >>> X[1].shape
    (5, 2)
    """

    ndim = 3

    def __init__(self, values, offsets):
        self.values = values
        self.offsets = offsets

    @classmethod
    def from_sequences(cls, sequences, *, dtype=np.float32, name="X",
                       estimator_name=None, allow_nan=False):
        """Validate a list of sequences into a ``RaggedSequences``.

        Parameters
        ----------
        sequences : list of array-like of shape (length_i, n_features) or (length_i,)
            The sequences; 1-D ones are univariate.
        dtype : numpy dtype, default=np.float32
            The dtype of ``values``.
        name : str, default="X"
            How error messages call the input.
        estimator_name : str or None, default=None
            Who needs the input, for error messages.
        allow_nan : bool, default=False
            Whether NaN is kept (else refused, as is infinity).

        Returns
        -------
        X : RaggedSequences
        """
        if isinstance(sequences, RaggedSequences):
            values = sequences.values
            if values.dtype != dtype:
                values = values.astype(dtype)
            out = cls(values, sequences.offsets)
            if not allow_nan:
                out._check_finite(name, estimator_name)
            return out
        who = f" by {estimator_name}" if estimator_name else ""
        arrays = []
        n_features = None
        for i, item in enumerate(sequences):
            array = _as_numeric(item, f"{name}[{i}]", who)
            if array.ndim == 1:
                array = array[:, np.newaxis]
            elif array.ndim != 2:
                raise ValueError(
                    f"{name}[{i}] has dim {array.ndim} (shape={array.shape}); every "
                    f"sequence of a list must be an array of shape (n_timesteps, "
                    f"n_features) or (n_timesteps,)."
                )
            if len(array) == 0:
                raise ValueError(
                    f"{name}[{i}] is an empty sequence: found array with 0 time "
                    f"step(s) (shape={array.shape}) while a minimum of 1 is "
                    f"required{who}."
                )
            if n_features is None:
                n_features = array.shape[1]
                if n_features == 0:
                    raise ValueError(
                        f"Found array with 0 feature(s) per time step (shape="
                        f"{array.shape}) while a minimum of 1 is required{who}."
                    )
            elif array.shape[1] != n_features:
                raise ValueError(
                    f"{name}[{i}] has {array.shape[1]} features per time step, but "
                    f"{name}[0] has {n_features}; every sequence must have the same "
                    "number of features."
                )
            arrays.append(array)
        if not arrays:
            raise ValueError(
                f"Found array with 0 sample(s) while a minimum of 1 is required{who}."
            )
        lengths = np.array([len(a) for a in arrays], dtype=np.int64)
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        with np.errstate(over="ignore", invalid="ignore"):
            values = np.concatenate(arrays).astype(dtype, copy=False)
        out = cls(values, offsets)
        if not allow_nan:
            out._check_finite(name, estimator_name)
        return out

    def _check_finite(self, name, estimator_name):
        finite = np.isfinite(self.values).all(axis=1)
        if finite.all():
            return
        step = int(np.flatnonzero(~finite)[0])
        i = int(np.searchsorted(self.offsets, step, side="right") - 1)
        what = "NaN" if np.isnan(self.values[step]).any() else "infinity"
        hint = (
            " Sequences of a list need no padding; NaN-padded arrays convert with "
            "skrnn.preprocessing.from_nan_padded." if what == "NaN" else
            " (or a value too large for float32)"
        )
        raise ValueError(
            f"Input {name} contains {what}: sequence {name}[{i}] at time step "
            f"{step - self.offsets[i]}.{hint}"
        )

    def __len__(self):
        return len(self.offsets) - 1

    @property
    def lengths(self):
        return np.diff(self.offsets)

    @property
    def n_features(self):
        return self.values.shape[1]

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self):
        longest = int(self.lengths.max()) if len(self) else 0
        return (len(self), longest, self.n_features)

    def __getitem__(self, key):
        if isinstance(key, numbers.Integral):
            i = range(len(self))[key]
            return self.values[self.offsets[i] : self.offsets[i + 1]]
        rows = np.arange(len(self))[key]
        starts, lengths = self.offsets[rows], self.lengths[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if isinstance(key, slice) and (key.step is None or key.step == 1):
            first = self.offsets[rows[0]] if len(rows) else 0
            values = self.values[first : first + offsets[-1]]
        else:
            steps = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
            values = self.values[steps]
        return RaggedSequences(values, offsets)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def with_values(self, values):
        """The same sequence boundaries over new ``values`` (as long)."""
        return RaggedSequences(values, self.offsets)

    def to_list(self, *, squeeze=False):
        """The sequences as a list of arrays (views of ``values``).

        Parameters
        ----------
        squeeze : bool, default=False
            Whether univariate sequences come back 1-D, ``(length_i,)``.

        Returns
        -------
        sequences : list of ndarray
        """
        if squeeze and self.n_features == 1:
            return [seq[:, 0] for seq in self]
        return list(self)

    def padded(self, fill_value=0.0):
        """The sequences padded at the end to the longest one.

        Parameters
        ----------
        fill_value : float, default=0.0
            The value of the padding steps.

        Returns
        -------
        X : ndarray of shape (n_samples, max(lengths), n_features)
        """
        n, longest, n_features = self.shape
        out = np.full((n, longest, n_features), fill_value, dtype=self.values.dtype)
        lengths = self.lengths
        mask = np.arange(longest) < lengths[:, np.newaxis]
        out[mask] = self.values
        return out


def _as_numeric(item, name, who):
    array = np.asarray(item) if not hasattr(item, "to_numpy") else item.to_numpy()
    kind = array.dtype.kind
    if kind in "US" or (
        kind == "O" and any(isinstance(v, (str, bytes)) for v in array.ravel())
    ):
        raise ValueError(
            f"dtype='numeric' is not compatible with arrays of bytes/strings: {name} "
            f"holds strings (dtype {array.dtype}), but numeric sequences are expected"
            f"{who}. Convert your data to numeric values explicitly instead."
        )
    if kind == "c":
        raise ValueError(f"Complex data not supported: {name} is complex.")
    if kind not in "fiub":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} could not be read as a numeric array of shape "
                "(n_timesteps, n_features) or (n_timesteps,)."
            ) from None
    return array


def from_nan_padded(X):
    """Turn NaN-padded sequences into a list of sequences of their true lengths.

    The UCR/UEA archive and many CSV exports store sequences of different lengths
    in one array, padded with NaN after each sequence's end. This removes each
    sequence's trailing padding (the steps where every feature is NaN) and returns
    the list of arrays that skrnn's estimators and transformers take. NaN anywhere
    else, a missing value inside a sequence, is refused.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps) or \
            (n_samples, n_timesteps, n_features)
        NaN-padded sequences, batch first; 2-D means univariate. Channels-first
        data convert with :func:`~skrnn.preprocessing.from_channels_first` first.

    Returns
    -------
    sequences : list of ndarray of shape (length_i,) or (length_i, n_features)
        Views of ``X``, one per sequence, without their padding (1-D for 2-D
        input).

    Raises
    ------
    ValueError
        If a sequence has a NaN before its last observed step, or is all NaN.

    See Also
    --------
    to_nan_padded : The inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import from_nan_padded
    >>> X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]])
    >>> [x.tolist() for x in from_nan_padded(X)]
    [[1.0, 2.0, 3.0], [4.0, 5.0]]
    """
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    X = np.asarray(X)
    if X.ndim not in (2, 3):
        raise ValueError(
            f"Found array with dim {X.ndim} (shape={X.shape}). from_nan_padded "
            "expected a 2-D array (n_samples, n_timesteps) or a 3-D array "
            "(n_samples, n_timesteps, n_features)."
        )
    if X.dtype.kind not in "fiub":
        X = X.astype(np.float64)
    missing = np.isnan(X) if X.dtype.kind == "f" else np.zeros(X.shape, dtype=bool)
    step_missing = missing if X.ndim == 2 else missing.all(axis=2)
    n_timesteps = X.shape[1]
    # A sequence ends after its last step with an observed value.
    observed = ~step_missing
    lengths = np.where(
        observed.any(axis=1), n_timesteps - np.argmax(observed[:, ::-1], axis=1), 0
    )
    sequences = []
    for i, length in enumerate(lengths):
        if length == 0:
            raise ValueError(
                f"X[{i}] is NaN at every time step: it is an empty sequence, and a "
                "minimum of 1 time step is required."
            )
        inside = missing[i, :length]
        if inside.any():
            step = int(np.flatnonzero(inside.reshape(length, -1).any(axis=1))[0])
            raise ValueError(
                f"X[{i}] has NaN at time step {step}, before its last observed step "
                f"({length - 1}): only NaN after a sequence's end is padding. Fill or "
                "drop missing values inside sequences first."
            )
        sequences.append(X[i, :length])
    return sequences


def to_nan_padded(sequences):
    """Pad a list of sequences with NaN to the longest one.

    Parameters
    ----------
    sequences : list of array-like of shape (length_i,) or (length_i, n_features)
        The sequences.

    Returns
    -------
    X : ndarray of shape (n_samples, max_length) or \
            (n_samples, max_length, n_features)
        The padded sequences, float64; 2-D when every sequence is 1-D.

    See Also
    --------
    from_nan_padded : The inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.preprocessing import to_nan_padded
    >>> to_nan_padded([np.array([1.0, 2.0]), np.array([3.0])])
    array([[ 1.,  2.],
           [ 3., nan]])
    """
    flat = all(np.ndim(seq) == 1 for seq in sequences)
    ragged = RaggedSequences.from_sequences(
        sequences, dtype=np.float64, name="sequences", allow_nan=True
    )
    out = ragged.padded(fill_value=np.nan)
    return out[:, :, 0] if flat else out
