"""The default training recipe: choices resolved from the data in ``fit``.

What the ``"auto"`` values of ``batch_size`` and ``early_stopping`` mean, and the
learning-rate schedule (``lr_schedule``). Each was chosen by measurement on
archive data (``benchmarks/bench_accuracy.py``; the table is in the user guide's
"How good are the defaults?").
"""

import math

import numpy as np
from skorch.callbacks import Callback

__all__ = [
    "AUTO_EARLY_STOPPING_MIN_ROWS",
    "LR_SCHEDULES",
    "PlateauLR",
    "auto_input_scale",
    "resolve_batch_size",
    "resolve_early_stopping",
    "resolve_n_iter_no_change",
]

LR_SCHEDULES = ("plateau", "constant")

#: ``early_stopping="auto"`` holds out a validation set from this many rows on.
AUTO_EARLY_STOPPING_MIN_ROWS = 1000

#: ``n_iter_no_change="auto"``: the patience on a validation loss and on the
#: training loss.
AUTO_N_ITER_NO_CHANGE = {"validation": 30, "training": 60}

#: ``lr_schedule="plateau"``: the factor and how the patience follows
#: ``n_iter_no_change``.
PLATEAU_FACTOR = 0.5


#: ``standardize="auto"`` divides a feature by its standard deviation only
#: outside this range (z-normalised series, at about 1, are inside it).
AUTO_SCALE_RANGE = (0.75, 10.0)


def auto_input_scale(scale):
    """What ``standardize="auto"`` divides each centred input feature by.

    A feature's standard deviation when it lies outside
    :data:`AUTO_SCALE_RANGE`, else 1. Small spreads are brought up to 1 (the
    LSTM reached 0.961 test accuracy on JapaneseVowels, whose coefficients
    vary by 0.1 to 0.5, against 0.937 with them as they are; seeds 0 to 2),
    readings in the thousands are brought down (they saturate the gates), and
    spreads from about 1 to 10 keep their units: fully standardising
    BasicMotions' six channels (standard deviations 1.8 to 7.1) cut the LSTM's
    mean test accuracy over seeds 0 to 2 from 0.99 (centred only) to 0.85.

    Parameters
    ----------
    scale : ndarray of shape (n_features,)
        The standard deviations.

    Returns
    -------
    scale : ndarray of shape (n_features,)
    """
    low, high = AUTO_SCALE_RANGE
    scale = np.asarray(scale)
    return np.where((scale < low) | (scale > high), scale, 1).astype(scale.dtype)


def resolve_batch_size(batch_size, n_rows):
    """The batch size a fit trains with.

    ``"auto"`` is 16 below :data:`AUTO_EARLY_STOPPING_MIN_ROWS` rows, 32 from
    there up to 4,096 rows, and grows with the data beyond, in powers of two, to
    256 from 32,768 rows on (about ``n_rows / 128``): small sets get enough
    gradient steps per epoch, large ones fewer, faster steps.

    Parameters
    ----------
    batch_size : int or "auto"
        The hyperparameter.
    n_rows : int or None
        Training rows (None when unknown: ``"auto"`` is then 32).

    Returns
    -------
    batch_size : int
    """
    if batch_size != "auto":
        return int(batch_size)
    if not n_rows:
        return 32
    if n_rows < AUTO_EARLY_STOPPING_MIN_ROWS:
        return 16
    return int(min(256, max(32, 2 ** math.floor(math.log2(max(n_rows / 128, 1))))))


def resolve_early_stopping(early_stopping, n_rows, *, incremental):
    """Whether a fit holds out a validation set and stops on its loss.

    ``"auto"`` is on for a ``fit`` on at least
    :data:`AUTO_EARLY_STOPPING_MIN_ROWS` rows and off for ``partial_fit`` (as
    scikit-learn's ``MLPClassifier.partial_fit`` has no validation set).

    Parameters
    ----------
    early_stopping : bool or "auto"
        The hyperparameter.
    n_rows : int
        Training rows.
    incremental : bool
        Whether the call is ``partial_fit``.

    Returns
    -------
    early_stopping : bool
    """
    if early_stopping != "auto":
        return bool(early_stopping)
    return not incremental and n_rows >= AUTO_EARLY_STOPPING_MIN_ROWS


def resolve_relative(relative, X, return_sequences):
    """The ``relative`` a fit uses: ``"auto"`` is True for ``SlidingWindow``'s
    windows of a series (one output per window), False otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn._recipe import resolve_relative
    >>> resolve_relative("auto", np.zeros((4, 3, 1)), False)
    False
    """
    if relative == "auto":
        from .preprocessing._window import WindowedSeries

        return isinstance(X, WindowedSeries) and not return_sequences
    if relative and return_sequences:
        raise ValueError(
            "relative=True reads each sequence relative to its last step to "
            "predict one value per sequence; it cannot be combined with "
            "return_sequences=True. Set relative=False or return_sequences=False."
        )
    return bool(relative)


def resolve_n_iter_no_change(n_iter_no_change, early_stopping):
    """The patience of the stopping rule (and, a third of it, of the schedule).

    ``"auto"`` is 30 epochs on a validation loss and 60 on the training loss:
    the training loss of a few dozen sequences jumps from epoch to epoch
    (GunPoint's LSTM went from 0.18 to 0.99 and back), and 30 epochs without a
    new best stopped some fits there at 0.82-0.92 training accuracy, where 60
    let them reach 1.0 (test accuracy 0.82 and 0.89 became 0.92 and 0.99).

    Parameters
    ----------
    n_iter_no_change : int or "auto"
        The hyperparameter.
    early_stopping : bool
        The resolved ``early_stopping``: whether a validation loss is monitored.

    Returns
    -------
    n_iter_no_change : int
    """
    if n_iter_no_change != "auto":
        return int(n_iter_no_change)
    return AUTO_N_ITER_NO_CHANGE["validation" if early_stopping else "training"]


def _plateau_steps(values, patience, tol):
    """How many times the rate was cut: ReduceLROnPlateau replayed over ``values``."""
    best, bad, cuts = math.inf, 0, 0
    for value in values:
        if value < best - tol:
            best, bad = value, 0
        else:
            bad += 1
            if bad > patience:
                cuts, bad = cuts + 1, 0
    return cuts


class PlateauLR(Callback):
    """Halve the learning rate when the monitored loss reaches a plateau.

    torch's ``ReduceLROnPlateau`` with ``factor=0.5`` and an absolute threshold,
    computed afresh at the start of every epoch from the net's history rather
    than kept as state: the rate of an epoch is a function of the losses before
    it, so a fit resumed from a checkpoint, continued with ``warm_start`` or run
    by ``partial_fit`` gets the same rates as one uninterrupted fit. The base rate
    is the net's ``lr``; the rate used is recorded in the history as ``"lr"``.

    Parameters
    ----------
    monitor : str, default="train_loss"
        The history key watched (``"valid_loss"`` with early stopping).
    patience : int, default=10
        Epochs without an improvement of more than ``tol`` before a cut.
    tol : float, default=1e-4
        The absolute improvement that counts.
    factor : float, default=0.5
        What the rate is multiplied by at each cut.
    """

    def __init__(self, monitor="train_loss", patience=10, tol=1e-4,
                 factor=PLATEAU_FACTOR):
        self.monitor = monitor
        self.patience = patience
        self.tol = tol
        self.factor = factor

    def rate(self, net):
        """The learning rate of the epoch about to start."""
        values = [row[self.monitor] for row in net.history
                  if self.monitor in row]
        return net.lr * self.factor ** _plateau_steps(values, self.patience, self.tol)

    def on_epoch_begin(self, net, **kwargs):
        lr = self.rate(net)
        for group in net.optimizer_.param_groups:
            group["lr"] = lr
        net.history.record("lr", lr)
