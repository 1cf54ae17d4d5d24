"""The default training recipe: choices resolved from the data in ``fit``.

What the ``"auto"`` values of ``batch_size`` and ``early_stopping`` mean, and the
learning-rate schedule (``lr_schedule``). Each was chosen by measurement on
archive data (``benchmarks/bench_accuracy.py``; the table is in the user guide's
"How good are the defaults?").
"""

import math

from skorch.callbacks import Callback

__all__ = [
    "AUTO_EARLY_STOPPING_MIN_ROWS",
    "LR_SCHEDULES",
    "PlateauLR",
    "resolve_batch_size",
    "resolve_early_stopping",
]

LR_SCHEDULES = ("plateau", "constant")

#: ``early_stopping="auto"`` holds out a validation set from this many rows on.
AUTO_EARLY_STOPPING_MIN_ROWS = 1000

#: ``lr_schedule="plateau"``: the factor and how the patience follows
#: ``n_iter_no_change``.
PLATEAU_FACTOR = 0.5


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
