"""Losses for one target per time step, skipping the steps that have none."""

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["StepCrossEntropyLoss", "StepMSELoss"]


class StepCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy of logits ``(batch, n_timesteps, n_classes)``, batch first.

    torch's :class:`~torch.nn.CrossEntropyLoss` wants the classes on axis 1,
    ``(batch, n_classes, n_timesteps)``; this one takes the per-step outputs as
    :class:`~skrnn.RecurrentNet` returns them with ``return_sequences=True``.
    Targets equal to ``ignore_index`` (-100, the padding of shorter sequences) are
    skipped, as are targets past the logits' last step (a batch of shorter
    sequences is padded less far than its targets may be). 2-D logits
    ``(batch, n_classes)`` are passed on unchanged.

    Parameters
    ----------
    weight : torch.Tensor of shape (n_classes,) or None, default=None
        A weight per class, as in torch.
    size_average : None, default=None
        Deprecated in torch; use ``reduction``.
    ignore_index : int, default=-100
        The target value of steps without a target.
    reduce : None, default=None
        Deprecated in torch; use ``reduction``.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-step losses are combined.
    label_smoothing : float, default=0.0
        Label smoothing, as in torch.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import StepCrossEntropyLoss
    >>> logits = torch.zeros(2, 3, 4)
    >>> target = torch.tensor([[0, 1, 2], [3, -100, -100]])
    >>> round(StepCrossEntropyLoss()(logits, target).item(), 4)
    1.3863
    """

    def observed(self, input, target):
        """Which elements of the unreduced loss have a target (a bool tensor).

        Parameters
        ----------
        input : torch.Tensor
            Logits, as for :meth:`forward`.
        target : torch.Tensor
            Class indices, as for :meth:`forward`.

        Returns
        -------
        mask : torch.Tensor of bool, shaped as ``forward``'s output with
            ``reduction="none"``
        """
        if input.ndim == 3:
            target = target[:, : input.shape[1]]
        return target != self.ignore_index

    def forward(self, input, target):
        """The loss of ``input`` logits for ``target`` class indices.

        Parameters
        ----------
        input : torch.Tensor of shape (batch, n_timesteps, n_classes) or \
                (batch, n_classes)
            Logits.
        target : torch.Tensor of shape (batch, n_timesteps) or (batch,)
            Class indices, ``ignore_index`` where there is no target.

        Returns
        -------
        loss : torch.Tensor
        """
        if input.ndim == 3:
            input = input.transpose(1, 2)
            target = target[:, : input.shape[2]]
        return super().forward(input, target)


class StepMSELoss(nn.Module):
    """Mean squared error over the steps that have a target (NaN marks none).

    Shorter sequences of a batch have NaN targets at their padding steps; those
    steps are left out of the mean, as are targets past the outputs' last step.
    Without NaN it is :func:`torch.nn.functional.mse_loss`.

    Parameters
    ----------
    reduction : {"mean", "none"}, default="mean"
        The mean over the observed elements, or every element's squared error
        (0 where the target is NaN; ``observed`` tells which count).

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import StepMSELoss
    >>> target = torch.tensor([[[1.0], [float("nan")]]])
    >>> StepMSELoss()(torch.zeros(1, 2, 1), target).item()
    1.0
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in ("mean", "none"):
            raise ValueError(
                f"reduction must be 'mean' or 'none', got {reduction!r} instead."
            )
        self.reduction = reduction

    def observed(self, input, target):
        """Which elements of the unreduced loss have a target (a bool tensor).

        Parameters
        ----------
        input : torch.Tensor
            Predictions, as for :meth:`forward`.
        target : torch.Tensor
            Targets, as for :meth:`forward`.

        Returns
        -------
        mask : torch.Tensor of bool, shaped as ``input``
        """
        if input.ndim == 3:
            target = target[:, : input.shape[1]]
        return ~torch.isnan(target)

    def forward(self, input, target):
        """The mean squared error of ``input`` over the observed ``target``.

        Parameters
        ----------
        input : torch.Tensor of shape (batch, n_timesteps, n_targets)
            Predictions.
        target : torch.Tensor of shape (batch, n_timesteps, n_targets)
            Targets, NaN where there is none.

        Returns
        -------
        loss : torch.Tensor
        """
        if input.ndim == 3:
            target = target[:, : input.shape[1]]
        observed = ~torch.isnan(target)
        if self.reduction == "none":
            return (input - target.nan_to_num()).square() * observed
        if bool(observed.all()):
            return F.mse_loss(input, target)
        return F.mse_loss(input[observed], target[observed])
