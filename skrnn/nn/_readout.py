"""Readouts: how a recurrent layer's per-step outputs become one vector (torch only).

A readout takes the outputs of the last recurrent layer at every step,
``(batch, n_timesteps, features)``, and the true length of each sequence
(an int64 tensor ``(batch,)``; None when every sequence has all
``n_timesteps`` steps), and returns one vector per sequence,
``(batch, out_features)``. Steps at or past a sequence's length never
influence its vector, so padded batches of sequences of different lengths read
the same as each sequence alone; a sequence of length 0 reads as zeros.
"""

import torch
from torch import nn

from ._init import init_linear_

__all__ = [
    "READOUTS",
    "AttentionPool",
    "ConcatPool",
    "LastStep",
    "MaxPool",
    "MeanPool",
    "make_readout",
]


def _mask(outputs, lengths):
    """(batch, n_timesteps, 1) boolean mask of the real steps, or None."""
    if lengths is None:
        return None
    steps = torch.arange(outputs.shape[1], device=outputs.device)
    return (steps[None, :] < lengths.to(outputs.device)[:, None]).unsqueeze(-1)


class LastStep(nn.Module):
    """The output at each sequence's last step: the final hidden state.

    With two directions, the forward half is read at the last step and the
    backward half at the first (where the backward pass ends).

    Parameters
    ----------
    num_directions : {1, 2}, default=1
        Directions of the recurrent layer; its features are ``num_directions``
        equal halves, forward first (torch's layout).

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import LastStep
    >>> out = torch.arange(6.0).reshape(1, 3, 2)
    >>> LastStep()(out, torch.tensor([2]))
    tensor([[2., 3.]])
    """

    def __init__(self, num_directions=1):
        super().__init__()
        self.num_directions = num_directions

    def forward(self, outputs, lengths=None):
        """Read the final states.

        Parameters
        ----------
        outputs : torch.Tensor of shape (batch, n_timesteps, features)
            Per-step outputs of the last recurrent layer.
        lengths : torch.Tensor of shape (batch,) or None, default=None
            True lengths; None means all ``n_timesteps``.

        Returns
        -------
        features : torch.Tensor of shape (batch, features)
        """
        batch, steps, width = outputs.shape
        if steps == 0:
            return outputs.new_zeros(batch, width)
        if lengths is None:
            forward = outputs[:, -1]
        else:
            lengths = lengths.to(outputs.device)
            last = (lengths - 1).clamp(min=0)
            forward = outputs[torch.arange(batch, device=outputs.device), last]
        if self.num_directions == 2:
            half = width // 2
            forward = torch.cat([forward[:, :half], outputs[:, 0, half:]], dim=1)
        if lengths is not None:
            forward = forward * (lengths > 0).unsqueeze(1).to(forward.dtype)
        return forward


class _StepPool(nn.Module):
    """Pooling over each sequence's own steps; subclasses say how (``_pool``)."""

    def __init__(self):
        super().__init__()

    def forward(self, outputs, lengths=None):
        """Pool over time.

        Parameters
        ----------
        outputs : torch.Tensor of shape (batch, n_timesteps, features)
            Per-step outputs of the last recurrent layer.
        lengths : torch.Tensor of shape (batch,) or None, default=None
            True lengths; None means all ``n_timesteps``.

        Returns
        -------
        features : torch.Tensor of shape (batch, features)
        """
        batch, steps, width = outputs.shape
        if steps == 0:
            return outputs.new_zeros(batch, width)
        return self._pool(outputs, _mask(outputs, lengths), lengths)


class MeanPool(_StepPool):
    """The mean of the outputs over each sequence's steps.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import MeanPool
    >>> out = torch.tensor([[[1.0], [3.0], [100.0]]])
    >>> MeanPool()(out, torch.tensor([2]))
    tensor([[2.]])
    """

    def _pool(self, outputs, mask, lengths):
        if mask is None:
            return outputs.mean(dim=1)
        total = outputs.masked_fill(~mask, 0.0).sum(dim=1)
        count = lengths.to(outputs.device).clamp(min=1).unsqueeze(1)
        return total / count.to(outputs.dtype)


class MaxPool(_StepPool):
    """The maximum of each output feature over each sequence's steps.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import MaxPool
    >>> out = torch.tensor([[[1.0], [3.0], [100.0]]])
    >>> MaxPool()(out, torch.tensor([2]))
    tensor([[3.]])
    """

    def _pool(self, outputs, mask, lengths):
        if mask is None:
            return outputs.amax(dim=1)
        top = outputs.masked_fill(~mask, float("-inf")).amax(dim=1)
        return top.masked_fill(~mask.any(dim=1), 0.0)


class ConcatPool(nn.Module):
    """The last step, the mean and the maximum side by side (fastai's concat pooling).

    Parameters
    ----------
    num_directions : {1, 2}, default=1
        Directions of the recurrent layer (see :class:`LastStep`).

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import ConcatPool
    >>> out = torch.tensor([[[1.0], [3.0], [100.0]]])
    >>> ConcatPool()(out, torch.tensor([2]))
    tensor([[3., 2., 3.]])
    """

    def __init__(self, num_directions=1):
        super().__init__()
        self.last = LastStep(num_directions)
        self.mean = MeanPool()
        self.max = MaxPool()

    def forward(self, outputs, lengths=None):
        """Concatenate the last step, the mean and the maximum.

        Parameters
        ----------
        outputs : torch.Tensor of shape (batch, n_timesteps, features)
            Per-step outputs of the last recurrent layer.
        lengths : torch.Tensor of shape (batch,) or None, default=None
            True lengths; None means all ``n_timesteps``.

        Returns
        -------
        features : torch.Tensor of shape (batch, 3 * features)
        """
        return torch.cat(
            [self.last(outputs, lengths), self.mean(outputs, lengths),
             self.max(outputs, lengths)],
            dim=1,
        )


class AttentionPool(nn.Module):
    """A weighted mean of the outputs, the weights learnt (additive attention).

    Each step gets the score ``v . tanh(W o_t + b)``; the weights are the
    softmax of the scores over the sequence's steps.

    Parameters
    ----------
    features : int
        Width of the outputs (and of the attention's hidden layer).

    Attributes
    ----------
    project : torch.nn.Linear
        ``W`` and ``b``.
    score : torch.nn.Linear
        ``v`` (no bias: it would not change the softmax).

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import AttentionPool
    >>> pool = AttentionPool(4)
    >>> pool(torch.zeros(2, 5, 4), torch.tensor([5, 3])).shape
    torch.Size([2, 4])
    """

    def __init__(self, features):
        super().__init__()
        self.project = nn.Linear(features, features)
        self.score = nn.Linear(features, 1, bias=False)

    def forward(self, outputs, lengths=None):
        """Pool with attention weights.

        Parameters
        ----------
        outputs : torch.Tensor of shape (batch, n_timesteps, features)
            Per-step outputs of the last recurrent layer.
        lengths : torch.Tensor of shape (batch,) or None, default=None
            True lengths; None means all ``n_timesteps``.

        Returns
        -------
        features : torch.Tensor of shape (batch, features)
        """
        batch, steps, width = outputs.shape
        if steps == 0:
            return outputs.new_zeros(batch, width)
        scores = self.score(torch.tanh(self.project(outputs)))  # (batch, steps, 1)
        mask = _mask(outputs, lengths)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
            # A sequence of no steps: all -inf, weights 0 (not NaN) below.
            scores = scores.masked_fill(~mask.any(dim=1, keepdim=True), 0.0)
        weights = torch.softmax(scores, dim=1)
        if mask is not None:
            weights = weights * mask.to(weights.dtype)
        return (weights * outputs.masked_fill(~mask, 0.0)
                if mask is not None else weights * outputs).sum(dim=1)

    @torch.no_grad()
    def reset_parameters(self, scheme="torch", generator=None):
        """Initialise the attention's layers (see ``init_linear_``).

        Parameters
        ----------
        scheme : {"keras", "torch"}, default="torch"
            The initialisation scheme.
        generator : torch.Generator or None, default=None
            Where every random number comes from.

        Returns
        -------
        self : AttentionPool
        """
        init_linear_(self.project, scheme, generator)
        init_linear_(self.score, scheme, generator)
        return self


#: Readout names and how many times the recurrent layer's width each returns.
READOUTS = {"last": 1, "mean": 1, "max": 1, "concat": 3, "attention": 1}


def make_readout(name, features, num_directions=1):
    """The readout called ``name`` for outputs of ``features`` per step.

    Parameters
    ----------
    name : {"last", "mean", "max", "concat", "attention"}
        The readout: :class:`LastStep`, :class:`MeanPool`, :class:`MaxPool`,
        :class:`ConcatPool` or :class:`AttentionPool`.
    features : int
        Width of the recurrent layer's outputs (both directions).
    num_directions : {1, 2}, default=1
        Directions of the recurrent layer.

    Returns
    -------
    readout : torch.nn.Module
        The readout.
    out_features : int
        The width of the vectors it returns.

    Examples
    --------
    >>> from skrnn.nn import make_readout
    >>> make_readout("concat", 8)[1]
    24
    """
    if name not in READOUTS:
        raise ValueError(
            f"readout must be one of {list(READOUTS)}, got {name!r} instead."
        )
    if name == "last":
        module = LastStep(num_directions)
    elif name == "mean":
        module = MeanPool()
    elif name == "max":
        module = MaxPool()
    elif name == "concat":
        module = ConcatPool(num_directions)
    else:
        module = AttentionPool(features)
    return module, READOUTS[name] * features
