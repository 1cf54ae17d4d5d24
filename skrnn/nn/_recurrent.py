"""The recurrent network behind skrnn's estimators (torch only)."""

import torch
from torch import nn

from ._elman import ElmanRNN
from ._generator import GRU, LSTM, RNN, Dropout, dropout
from ._init import INIT_SCHEMES, init_linear_, init_recurrent_
from ._readout import make_readout

__all__ = ["RecurrentNet", "count_parameters"]

# torch's layers, drawing their dropout from a generator set by set_generator.
_CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}


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
    nonlinearity : str or callable, default="tanh"
        The activation of the Elman RNN; ignored by LSTM and GRU. ``"tanh"`` and
        ``"relu"`` use :class:`torch.nn.RNN`; the other names
        (``"sigmoid"``, ``"gelu"``, ``"silu"``, ``"elu"``, ``"leaky_relu"``,
        ``"softsign"``, ``"hardtanh"``, ``"identity"``), or a callable mapping a
        tensor to a tensor elementwise, uses :class:`~skrnn.nn.ElmanRNN` (same
        parameters).
    return_sequences : bool, default=False
        Whether the output layer is applied at every time step (Keras'
        ``TimeDistributed(Dense)``), giving ``(batch, n_timesteps, output_size)``,
        instead of once to the final state. A unidirectional network's output at
        step ``t`` then depends on the steps up to ``t`` only.
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
    standardize : bool, default=False
        Whether the input is first shifted and scaled per feature by the
        buffers ``input_mean`` and ``input_scale`` (zeros and ones until
        ``set_input_stats`` sets them; skrnn's estimators set them from the
        training data).
    relative : bool, default=False
        Whether each sequence is read relative to its last step, for series
        whose level drifts beyond the range seen in training (a trend): the
        recurrent layers see every step minus the sequence's last one (per
        feature; divided by ``input_scale`` with ``standardize``), so only the
        shape of a window matters to them, and a linear layer ``skip`` of that
        last step's features (standardised with ``standardize``) is added to
        the output, as LSTNet adds its autoregressive part. ``skip`` starts at
        zero; skrnn's regressors set it and the output bias to the least-squares
        fit of the targets on the last step (``set_skip``), so that training
        starts from that linear forecast and learns what it misses. Not with
        ``return_sequences=True``.

    Attributes
    ----------
    rnn : torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN or ElmanRNN
        The recurrent layers.
    pool : torch.nn.Module
        The readout.
    head : torch.nn.Linear
        The output layer.
    skip : torch.nn.Linear
        With ``relative=True``: the linear map of the last step's features that
        is added to the output (no bias; the output layer has one).

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
        return_sequences=False,
        readout="concat",
        init="keras",
        standardize=False,
        relative=False,
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
        layer = _CELLS[cell]
        if cell == "rnn":
            kwargs["nonlinearity"] = nonlinearity
            if not (isinstance(nonlinearity, str) and nonlinearity in ("tanh", "relu")):
                layer = ElmanRNN  # any other activation (torch's RNN has only these)
        self.rnn = layer(**kwargs)
        self.num_directions = 2 if bidirectional else 1
        self.return_sequences = return_sequences
        self.dropout = Dropout(dropout) if dropout > 0 else nn.Identity()
        if init not in INIT_SCHEMES:
            raise ValueError(
                f"init must be one of {list(INIT_SCHEMES)}, got {init!r} instead."
            )
        self.init = init
        if return_sequences:  # the head reads every step's output: no readout
            self.pool, width = nn.Identity(), hidden_size * self.num_directions
        else:
            self.pool, width = make_readout(
                readout, hidden_size * self.num_directions, self.num_directions
            )
        self.head = nn.Linear(width, output_size)
        if relative and return_sequences:
            raise ValueError("relative=True reads each sequence relative to its last "
                             "step for one output per sequence; it cannot be used "
                             "with return_sequences=True.")
        self.relative = relative
        if relative:
            self.skip = nn.Linear(input_size, output_size, bias=False)
        self.standardize = standardize
        if standardize:
            self.register_buffer("input_mean", torch.zeros(input_size))
            self.register_buffer("input_scale", torch.ones(input_size))
        self.reset_parameters()

    @torch.no_grad()
    def set_input_stats(self, mean, scale):
        """Set what ``standardize=True`` subtracts from and divides the input by.

        Parameters
        ----------
        mean : array-like of shape (input_size,)
            Subtracted from every step's features.
        scale : array-like of shape (input_size,)
            What the centred features are divided by (positive).

        Returns
        -------
        self : RecurrentNet
        """
        if not self.standardize:
            raise ValueError("set_input_stats needs a RecurrentNet built with "
                             "standardize=True.")
        self.input_mean.copy_(torch.as_tensor(mean, dtype=self.input_mean.dtype))
        self.input_scale.copy_(torch.as_tensor(scale, dtype=self.input_scale.dtype))
        return self

    @torch.no_grad()
    def set_skip(self, weight, bias):
        """Set the linear part of ``relative=True``: ``skip``'s weight and the
        output layer's bias.

        Parameters
        ----------
        weight : array-like of shape (output_size, input_size)
            The weight of ``skip``.
        bias : array-like of shape (output_size,)
            The bias of the output layer.

        Returns
        -------
        self : RecurrentNet
        """
        if not self.relative:
            raise ValueError("set_skip needs a RecurrentNet built with relative=True.")
        self.skip.weight.copy_(torch.as_tensor(weight, dtype=self.skip.weight.dtype))
        self.head.bias.copy_(torch.as_tensor(bias, dtype=self.head.bias.dtype))
        return self

    def _last_steps(self, X, lengths):
        """Each sequence's last observed step ``(batch, input_size)``; for a
        sequence of no steps, the input mean (zeros without ``standardize``)."""
        fill = self.input_mean if self.standardize else X.new_zeros(X.shape[2])
        if X.shape[1] == 0:
            return fill.expand(X.shape[0], -1)
        if lengths is None:
            return X[:, -1]
        lengths = lengths.to(X.device)
        ends = (lengths - 1).clamp(min=0)
        last = X[torch.arange(X.shape[0], device=X.device), ends]
        return torch.where((lengths > 0).unsqueeze(1), last, fill)

    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every parameter again, drawing from ``generator``.

        The input statistics of ``standardize=True`` go back to the identity
        (zero mean, unit scale).

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
        if self.standardize:  # the identity until the statistics are set
            self.input_mean.zero_()
            self.input_scale.fill_(1.0)
        if hasattr(self.pool, "reset_parameters"):
            self.pool.reset_parameters(self.init, generator)
        init_linear_(self.head, self.init, generator)
        if self.relative:  # the estimators set it from the data (set_skip)
            self.skip.weight.zero_()
        return self

    def forward(self, X, lengths=None):
        """Map a batch of sequences to one output vector each.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, n_timesteps, input_size)
            The sequences, batch first.
        lengths : torch.Tensor of shape (batch,) or None, default=None
            The true length of each sequence (int64, each at least 1), for a
            batch of sequences of different lengths padded at the end; None means
            all are ``n_timesteps`` long. Each sequence is read at its true end,
            and the padding never enters a state that is read: a unidirectional
            network runs over the padded batch and takes each sequence's output at
            its last true step (the padding comes after it, so it cannot have
            influenced it; on the CPU this is several times faster to train than
            packing); a bidirectional one reads, on the CPU, each sequence
            reversed within its length for its backward direction, and elsewhere
            packs the batch (:func:`torch.nn.utils.rnn.pack_padded_sequence`),
            so that its backward direction starts at each sequence's true end.

        Returns
        -------
        out : torch.Tensor of shape (batch, output_size) or \
                (batch, n_timesteps, output_size)
            The output layer applied to the readout of the last layer's outputs
            (see ``readout``); a sequence of no time steps reads as zeros. With
            ``return_sequences=True``, the output layer applied at every step
            (steps at or past a sequence's length hold values that mean nothing).
        """
        if self.relative:
            last = self._last_steps(X, lengths)
            X = X - last.unsqueeze(1)
            if self.standardize:
                X = X / self.input_scale
                last = (last - self.input_mean) / self.input_scale
            return self._readout(X, lengths) + self.skip(last)
        if self.standardize:
            X = (X - self.input_mean) / self.input_scale
        if self.return_sequences:
            return self._forward_steps(X, lengths)
        return self._readout(X, lengths)

    def _readout(self, X, lengths):
        """The output layer applied to the pooled outputs of the last layer."""
        return self.head(self.dropout(self.pool(self._outputs(X, lengths), lengths)))

    def _outputs(self, X, lengths):
        """The last recurrent layer's outputs at every step."""
        if X.shape[1] == 0:
            width = self.rnn.hidden_size * self.num_directions
            outputs = X.new_zeros(X.shape[0], 0, width)
        elif lengths is not None and self.num_directions == 2:
            # Each direction over each sequence's own steps (padding at the end).
            outputs = self._bidirectional_outputs(X, lengths)
        else:
            # Unidirectional: the padding after a sequence's end cannot reach its
            # earlier outputs, which the readout takes (within ``lengths``).
            outputs, _ = self.rnn(X)
        return outputs

    def _forward_steps(self, X, lengths):
        # Padding comes after a sequence's steps, so a unidirectional network's
        # outputs at those steps never see it (see _outputs).
        return self.head(self.dropout(self._outputs(X, lengths)))

    def _bidirectional_outputs(self, X, lengths):
        """Per-step outputs of a bidirectional network over a padded batch.

        The backward direction must start at each sequence's true end, so the
        padding may not be read by it. On the CPU, each layer runs its two
        directions as two unidirectional passes over the padded batch, the
        backward one over every sequence reversed within its length (padding
        stays at the end, where it reaches no output that is read); this costs
        what a padded batch costs, where packing is several times slower to
        train. On other devices (cuDNN reads packed batches natively) and for
        layers of other kinds, the batch is packed.
        """
        if isinstance(self.rnn, ElmanRNN):
            return self.rnn(X, lengths=lengths)[0]
        if X.device.type == "cpu" and isinstance(self.rnn, nn.RNNBase):
            return _reversed_within_lengths(self.rnn, X, lengths)
        # pack_padded_sequence wants the lengths on the CPU.
        packed = nn.utils.rnn.pack_padded_sequence(
            X, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        output, _ = self.rnn(packed)
        output, _ = nn.utils.rnn.pad_packed_sequence(
            output, batch_first=True, total_length=X.shape[1]
        )
        return output


def _reversed_within_lengths(rnn, X, lengths):
    """A bidirectional torch layer's outputs over a padded batch, without packing.

    ``rnn`` is a batch-first, bidirectional :class:`torch.nn.LSTM`, ``GRU`` or
    ``RNN``, ``X`` its padded input ``(batch, n_timesteps, features)`` and
    ``lengths`` each sequence's true length. Layer by layer, the forward
    direction reads the padded batch (the padding comes after every output that
    is kept), and the backward one the batch with each sequence reversed within
    its length, its outputs reversed back; dropout between layers is drawn from
    the layer's ``generator``, as skrnn's other layers do. The outputs equal the
    packed ones at every true step, and are zero past each sequence's end.
    """
    steps = torch.arange(X.shape[1], device=X.device)
    ends = lengths.to(X.device).unsqueeze(1)
    valid = steps < ends  # (batch, n_timesteps)
    # Each sequence reversed within its length; the padding stays where it is.
    order = torch.where(valid, ends - 1 - steps, steps).unsqueeze(2)
    kind = rnn.mode  # "LSTM", "GRU", "RNN_TANH" or "RNN_RELU"
    run = {"LSTM": torch.lstm, "GRU": torch.gru, "RNN_TANH": torch.rnn_tanh,
           "RNN_RELU": torch.rnn_relu}[kind]
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if rnn.bias else [])
    x = X
    for layer in range(rnn.num_layers):
        h0 = x.new_zeros(1, x.shape[0], rnn.hidden_size)
        state = (h0, h0) if kind == "LSTM" else h0
        outputs = []
        for suffix in ("", "_reverse"):
            weights = [getattr(rnn, f"{name}_l{layer}{suffix}") for name in names]
            source = x if not suffix else x.gather(1, order.expand(-1, -1, x.shape[2]))
            out = run(source, state, weights, rnn.bias, 1, 0.0, rnn.training,
                      False, True)[0]
            if suffix:
                out = out.gather(1, order.expand(-1, -1, out.shape[2]))
            outputs.append(out)
        x = torch.cat(outputs, dim=2)
        if rnn.training and rnn.dropout > 0 and layer < rnn.num_layers - 1:
            x = dropout(x, rnn.dropout, getattr(rnn, "generator", None))
    return x * valid.unsqueeze(2)


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


