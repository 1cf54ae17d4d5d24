"""The recurrent network behind skrnn's estimators (torch only)."""

import torch
from torch import nn

from ._init import INIT_SCHEMES, init_linear_, init_recurrent_
from ._readout import make_readout

__all__ = ["RecurrentNet", "count_parameters"]

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class RecurrentNet(nn.Module):
    """A recurrent network with a readout and a linear output layer.

    The input is batch-first, ``(batch, n_timesteps, input_size)``. A readout
    turns the last recurrent layer's outputs at every step into one vector (by
    default the last step, the mean and the maximum side by side), and the output
    layer maps it to one tensor of shape ``(batch, output_size)``: regression
    values or class logits. Returning a
    single tensor, not torch's ``(output, hidden)`` tuple, is what lets skorch and
    scikit-learn's tools handle the module like any other.

    Parameters
    ----------
    input_size : int
        Number of features per time step.
    output_size : int
        Number of outputs (targets for regression, classes for classification).
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent layer: :class:`torch.nn.LSTM`, :class:`torch.nn.GRU` or the
        Elman :class:`torch.nn.RNN`.
    hidden_size : int, default=64
        Number of features of the hidden state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout on the outputs of every recurrent layer, the last included.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        The activation of the Elman RNN; ignored by LSTM and GRU.
    readout : {"concat", "last", "mean", "max", "attention"}, default="concat"
        How the per-step outputs become one vector (see
        ``skrnn.nn.make_readout``): ``"last"`` is the final hidden state
        (both directions' when bidirectional), ``"mean"`` and ``"max"`` pool over
        the steps, ``"concat"`` puts the three side by side (fastai's concat
        pooling) and ``"attention"`` is a learnt weighted mean.
    init : {"keras", "torch"}, default="keras"
        The initialisation scheme (see ``skrnn.nn.init_recurrent_``):
        Keras' (Glorot-uniform input weights, orthogonal recurrent weights, LSTM
        forget-gate bias 1, zero biases otherwise) or torch's own (uniform in
        ``±1/sqrt(hidden_size)``).

    Attributes
    ----------
    rnn : torch.nn.LSTM, torch.nn.GRU or torch.nn.RNN
        The recurrent layers.
    pool : torch.nn.Module
        The readout.
    head : torch.nn.Linear
        The output layer.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import RecurrentNet
    >>> net = RecurrentNet(input_size=3, output_size=2, cell="gru", hidden_size=8)
    >>> net(torch.zeros(5, 10, 3)).shape
    torch.Size([5, 2])
    """

    def __init__(
        self,
        input_size,
        output_size,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        readout="concat",
        init="keras",
    ):
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(
                f"cell must be one of {sorted(_CELLS)}, got {cell!r} instead."
            )
        kwargs = dict(
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            batch_first=True,
            # torch warns about dropout with one layer, where it would not act.
            dropout=dropout if num_layers > 1 else 0.0,
        )
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
        self.rnn = _CELLS[cell](**kwargs)
        self.num_directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        if init not in INIT_SCHEMES:
            raise ValueError(
                f"init must be one of {list(INIT_SCHEMES)}, got {init!r} instead."
            )
        self.init = init
        self.pool, width = make_readout(
            readout, hidden_size * self.num_directions, self.num_directions
        )
        self.head = nn.Linear(width, output_size)
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every parameter again, drawing from ``generator``.

        The scheme is the one named by ``init``; every random draw comes from
        ``generator`` (a :class:`torch.Generator`; None uses torch's global
        generator), so that a fit can initialise its network from a generator of
        its own.

        Parameters
        ----------
        generator : torch.Generator or None, default=None
            Where the random numbers come from.

        Returns
        -------
        self : RecurrentNet
        """
        init_recurrent_(self.rnn, self.init, generator)
        if hasattr(self.pool, "reset_parameters"):
            self.pool.reset_parameters(self.init, generator)
        init_linear_(self.head, self.init, generator)
        return self

    def forward(self, X):
        """Map a batch of sequences to one output vector each.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_timesteps, input_size)
            The sequences, batch first.

        Returns
        -------
        out : torch.Tensor of shape (batch, output_size)
            The output layer applied to the readout of the last layer's outputs.
            A sequence of no time steps reads as zeros.
        """
        if X.shape[1] == 0:
            width = self.rnn.hidden_size * self.num_directions
            outputs = X.new_zeros(X.shape[0], 0, width)
        else:
            outputs, _ = self.rnn(X)
        return self.head(self.dropout(self.pool(outputs)))


def count_parameters(module):
    """Number of trainable parameters of a torch module.

    Parameters
    ----------
    module : torch.nn.Module
        The module.

    Returns
    -------
    n : int
        The number of elements of its parameters that require gradients.

    Examples
    --------
    >>> from skrnn.nn import RecurrentNet, count_parameters
    >>> count_parameters(RecurrentNet(input_size=1, output_size=1, hidden_size=4))
    125
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


