"""What a fit that an unexpected exception ends leaves behind.

skrnn handles some faults itself (a non-finite loss, a GPU out of memory, Ctrl-C):
the net restores its last completed epoch and the estimator records it. Any other
exception raised while the net trains (a callback that raises, a checkpoint that
cannot be written, a validation split that leaves nothing to train on, a
``SystemExit`` from a signal handler...) ends skorch's loop without its
end-of-training callbacks. :func:`settle_failed_fit` then makes the estimator
consistent before the exception goes on, by one rule:

- if the fit completed no epoch, the estimator is put back as it was before the
  fit: a first fit leaves it unfitted (no ``net_``), a ``warm_start`` fit or
  ``partial_fit`` leaves its previous weights, optimizer state and history;
- if it completed epochs, the estimator is fitted with its last completed epoch
  (weights, optimizer state and history of that epoch, restored by
  :class:`~skrnn.callbacks.LastGoodEpoch`), as after Ctrl-C, and a ``warm_start``
  fit completes the fit.

The exception is re-raised with a note saying which of the two happened.
"""

import warnings

from .callbacks import LastGoodEpoch
from .exceptions import SkrnnWarning

__all__ = ["settle_failed_fit"]


def settle_failed_fit(estimator, before, exc, *, n_done, fit_start, seed, incremental):
    """Leave ``estimator`` consistent after ``exc`` ended the training of its net.

    Parameters
    ----------
    estimator : BaseRecurrentEstimator
        The estimator whose fit failed; ``estimator.net_`` is the net that trained.
    before : dict
        A shallow copy of ``vars(estimator)`` taken when the fit began.
    exc : BaseException
        The exception, re-raised by the caller; a note is added to it.
    n_done : int
        Epochs the net had completed when the fit began.
    fit_start, seed : int
        Where the fit started and its seed (what a ``warm_start`` fit needs to
        complete it).
    incremental : bool
        Whether the fit was a ``partial_fit``.
    """
    net = estimator.net_
    kept = next((cb for _, cb in net.callbacks_ if isinstance(cb, LastGoodEpoch)), None)
    if kept is not None and kept.epoch_ is not None:
        kept.restore(net)
        completed = kept.epoch_ - n_done
    else:  # a net without the callback: its state cannot be trusted
        completed = 0
    name = type(estimator).__name__
    if completed > 0:
        estimator._record_history(fit_start=fit_start, incremental=incremental,
                                  ended=False)
        estimator._unfinished_fit = None if incremental else (fit_start, seed)
        note = (
            f"{name}: the fit stopped at this error after {completed} completed "
            f"epoch(s); the estimator is fitted with the weights of epoch "
            f"{estimator.n_iter_}, its last completed epoch"
            + ("." if incremental else
               ", and with warm_start=True the next fit completes this one.")
        )
    else:
        vars(estimator).clear()
        vars(estimator).update(before)
        state = ("its state before this fit" if "net_" in before
                 else "not fitted, as before this fit")
        note = (f"{name}: the fit stopped at this error before completing an "
                f"epoch; the estimator is left {state}.")
    if hasattr(exc, "add_note"):  # Python >= 3.11
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        warnings.warn(note, SkrnnWarning, stacklevel=4)
