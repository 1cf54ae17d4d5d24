"""Sample and class weights: their validation, and the weighted loss of a batch.

How a weighted fit works (see the user guide, "Weighting samples and classes"):

- the weights are validated as scikit-learn validates them (non-negative, one per
  row, not all zero) and multiplied by the class weights (classifiers);
- rows of weight 0 are taken out of the training data before anything else sees
  them, so a weight of 0 is exactly a row that is absent (the shuffling, the
  validation split and the batches are those of the data without it);
- when the remaining weights are all equal the fit is unweighted: a constant
  weight does not change a weighted mean, and the model is then bit for bit the
  one fitted without weights;
- otherwise the :class:`~skrnn._training.SequenceDataset` carries the weights,
  each batch's targets come as :class:`WeightedTargets`, the criterion returns
  one loss per element (``reduction="none"``) and :func:`weighted_loss` takes
  their weighted mean, per batch. The epoch's loss (``loss_curve_``, and the
  validation loss that early stopping watches) is the weighted mean over the
  epoch's rows, because each batch is recorded with its sum of weights as its
  size.
"""

from typing import NamedTuple

import numpy as np
import torch
from sklearn.utils.class_weight import compute_class_weight
from skorch.utils import to_tensor

from .utils._compat import _check_sample_weight

__all__ = [
    "WeightedTargets",
    "check_fit_weights",
    "class_weights",
    "record_batch_weight",
    "split_weights",
    "take_rows",
    "weighted_loss",
    "weighted_mean_std",
]


class WeightedTargets(NamedTuple):
    """A batch's targets with the weight of each of its rows.

    Parameters
    ----------
    y : torch.Tensor of shape (batch, ...)
        The targets.
    weight : torch.Tensor of shape (batch,)
        The weights (float32, positive).
    """

    y: torch.Tensor
    weight: torch.Tensor


def check_fit_weights(sample_weight, n_samples):
    """Validate ``sample_weight`` as scikit-learn does; None stays None.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), float or None
        The weights given to ``fit``.
    n_samples : int
        Rows of ``X``.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) (float64) or None
    """
    if sample_weight is None:
        return None
    return _check_sample_weight(
        sample_weight,
        np.empty((n_samples, 0)),
        dtype=np.float64,
        ensure_non_negative=True,
        copy=True,
    )


def class_weights(class_weight, classes, y, sample_weight):
    """The weight of each row from ``class_weight``, times ``sample_weight``.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        As in scikit-learn: a weight per label (missing labels weigh 1), or
        ``"balanced"``, ``n_samples / (n_classes * count(label))`` with the counts
        weighted by ``sample_weight``.
    classes : ndarray of shape (n_classes,)
        The labels the classifier knows.
    y : ndarray of shape (n_samples,)
        The labels of the rows.
    sample_weight : ndarray of shape (n_samples,) or None
        The sample weights.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) or None
        None when neither weighs anything.
    """
    if class_weight is None:
        return sample_weight
    present = classes
    if isinstance(class_weight, str):
        # "balanced" weighs the classes present in y (those absent have no rows).
        present = np.unique(y)
    per_class = compute_class_weight(
        class_weight, classes=present, y=y, sample_weight=sample_weight
    )
    weight = per_class[np.searchsorted(present, y)]
    return weight if sample_weight is None else weight * sample_weight


def split_weights(sample_weight):
    """The rows to train on and their weights, for training.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Validated weights.

    Returns
    -------
    keep : torch.Tensor of shape (n_kept,) (int64) or None
        The rows of positive weight; None when that is every row.
    weight : torch.Tensor of shape (n_kept,) (float32) or None
        Their weights, scaled to a mean of 1 (a weighted mean does not change
        with the scale, float32 does not overflow); None when they are all
        equal, which is an unweighted fit.
    """
    if sample_weight is None:
        return None, None
    positive = sample_weight > 0
    keep = None
    if not positive.all():
        keep = np.flatnonzero(positive)
        if len(keep) == 0:
            raise ValueError(
                "Every row has a weight of 0 (sample_weight times the class "
                "weights), so there is nothing to train on; expected at least one "
                "positive weight."
            )
        sample_weight = sample_weight[keep]
        keep = torch.from_numpy(keep)
    if np.all(sample_weight == sample_weight[0]):
        return keep, None
    weight = sample_weight / sample_weight.mean()
    return keep, torch.from_numpy(weight.astype(np.float32))


def take_rows(X, rows):
    """Rows ``rows`` of a tensor, a ``TensorWindows`` or a ``TensorRagged``.

    Windows stay windows over the same series (only their starts are taken);
    ragged sequences stay end to end.

    Parameters
    ----------
    X : torch.Tensor, TensorWindows or TensorRagged
        The sequences.
    rows : torch.Tensor of shape (n_rows,)
        The rows (int64).

    Returns
    -------
    X_rows : torch.Tensor, TensorWindows or TensorRagged
    """
    if hasattr(X, "offsets"):  # sequences of different lengths, end to end
        rows = rows.cpu().long()
        starts, lengths = X.offsets[rows], X.lengths[rows]
        offsets = torch.zeros(len(rows) + 1, dtype=torch.int64)
        torch.cumsum(lengths, 0, out=offsets[1:])
        # The position of every kept step in X.values, sequence after sequence.
        within = torch.arange(int(offsets[-1])) - torch.repeat_interleave(
            offsets[:-1], lengths)
        steps = torch.repeat_interleave(starts, lengths) + within
        return type(X)(X.values.index_select(0, steps.to(X.values.device)), offsets)
    if not hasattr(X, "starts"):
        return X[rows]
    starts = X.starts
    if isinstance(starts, range):
        starts = torch.arange(starts.start, starts.stop, starts.step)
    return type(X)(X.series, starts[rows.to(starts.device)], X.window)


def weighted_mean_std(y, sample_weight):
    """Per-column mean and standard deviation of ``y`` under ``sample_weight``.

    Rows of weight 0 are left out and equal weights give the plain statistics,
    exactly as :func:`split_weights` treats them in training.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        The targets.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights.

    Returns
    -------
    mean, std : ndarray of shape (n_outputs,)
    """
    if sample_weight is not None:
        positive = sample_weight > 0
        if not positive.all():
            y, sample_weight = y[positive], sample_weight[positive]
        if np.all(sample_weight == sample_weight[0]):
            sample_weight = None
    if sample_weight is None:
        return y.mean(axis=0), y.std(axis=0)
    mean = np.average(y, axis=0, weights=sample_weight)
    var = np.average((y - mean) ** 2, axis=0, weights=sample_weight)
    return mean, np.sqrt(var)


def weighted_loss(criterion, y_pred, y_true, device):
    """The mean loss of a batch, weighted by its rows' weights when it has them.

    Parameters
    ----------
    criterion : torch.nn.Module
        The criterion, with ``reduction="none"`` (one loss per element).
    y_pred : torch.Tensor of shape (batch, ...)
        The module's outputs.
    y_true : torch.Tensor or WeightedTargets
        The targets, with the rows' weights for a weighted fit.
    device : str or torch.device
        Where the targets go.

    Returns
    -------
    loss : torch.Tensor (scalar)
        The mean of the element losses; for weighted targets,
        ``sum(w_i * l_i) / sum(w_i)`` with ``l_i`` the mean loss of row ``i``.
    """
    weight = None
    if isinstance(y_true, WeightedTargets):
        y_true, weight = y_true
    y_true = to_tensor(y_true, device=device)
    loss = criterion(y_pred, y_true)
    if loss.ndim == 0:
        # A criterion that reduces itself (a net pickled by an older skrnn).
        if weight is not None:
            raise ValueError(
                "sample_weight needs a criterion with reduction='none'; this net's "
                f"{type(criterion).__name__} reduces the loss itself. Fit the "
                "estimator afresh (warm_start=False) to train with weights."
            )
        return loss
    observed = getattr(criterion, "observed", None)
    if observed is not None:
        # Per-step targets: only the steps that have one count, and a sequence's
        # weight applies to each of its steps.
        counted = observed(y_pred, y_true).reshape(len(loss), -1).to(loss.dtype)
        per_row = loss.reshape(len(loss), -1).sum(dim=1)
        if weight is None:
            return per_row.sum() / counted.sum().clamp(min=1)
        weight = weight.to(per_row.device, per_row.dtype)
        return (per_row * weight).sum() / (counted.sum(dim=1) * weight).sum().clamp(
            min=torch.finfo(per_row.dtype).tiny)
    if weight is None:
        return loss.mean()
    per_row = loss.reshape(len(loss), -1).mean(dim=1)
    weight = weight.to(per_row.device, per_row.dtype)
    return (per_row * weight).sum() / weight.sum()


def record_batch_weight(net, batch, training):
    """Record a weighted batch's sum of weights as its size in ``net.history``.

    skorch averages the batches' losses into the epoch's loss with their sizes
    as weights; with the sums of weights instead, the epoch's loss is the
    weighted mean over its rows.

    Parameters
    ----------
    net : skorch.NeuralNet
        The net training.
    batch : tuple
        ``(X, y)`` of the batch just done.
    training : bool
        Whether it was a training batch (else validation).
    """
    if isinstance(batch, (tuple, list)) and len(batch) > 1 and isinstance(
        batch[1], WeightedTargets
    ):
        prefix = "train" if training else "valid"
        net.history.record_batch(f"{prefix}_batch_size", float(batch[1].weight.sum()))
