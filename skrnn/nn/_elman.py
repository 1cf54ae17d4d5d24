"""The Elman RNN with any elementwise activation (torch only).

torch's :class:`torch.nn.RNN` takes only ``tanh`` and ``relu``. :class:`ElmanRNN`
computes the same recurrence, ``h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T +
b_hh)``, for any elementwise ``f``, with the same parameters (names, shapes and
initialisation) and the same inputs and outputs, so it can stand in for
``nn.RNN``. It is written for speed: the input projection of all time steps is
one matrix product per layer and direction, and the loop over time does one
``addmm`` and one activation per step.
"""

import copy
import math
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ._generator import _OwnGenerator, dropout

__all__ = ["ACTIVATIONS", "ElmanRNN", "resolve_activation"]

_LAYER_PARAM = re.compile(r"^(?:weight|bias)_(?:ih|hh)_l\d+(?:_reverse)?$")


def _identity(x):
    return x


#: The activations known by name; each maps a tensor to a tensor elementwise.
ACTIVATIONS = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "gelu": F.gelu,
    "silu": F.silu,
    "elu": F.elu,
    "leaky_relu": F.leaky_relu,
    "softsign": F.softsign,
    "hardtanh": F.hardtanh,
    "identity": _identity,
}


def resolve_activation(nonlinearity):
    """The function for an activation given by name or as a callable.

    Parameters
    ----------
    nonlinearity : str or callable
        A name (``"tanh"``, ``"relu"``, ``"sigmoid"``, ``"gelu"``, ``"silu"``,
        ``"elu"``, ``"leaky_relu"``, ``"softsign"``, ``"hardtanh"``,
        ``"identity"``), or a callable mapping a tensor to a
        tensor of the same shape elementwise (a function or a
        :class:`torch.nn.Module` such as ``torch.nn.Softplus()``).

    Returns
    -------
    function : callable
        The torch function of that name, or ``nonlinearity`` itself once checked
        to map a tensor to a tensor of the same shape.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import resolve_activation
    >>> resolve_activation("softsign")(torch.tensor([1.0, -3.0]))
    tensor([ 0.5000, -0.7500])
    """
    if isinstance(nonlinearity, str):
        try:
            return ACTIVATIONS[nonlinearity]
        except KeyError:
            raise ValueError(
                f"nonlinearity must be one of {sorted(ACTIVATIONS)} or a callable, "
                f"got {nonlinearity!r} instead."
            ) from None
    if not callable(nonlinearity):
        raise TypeError(
            "nonlinearity must be a name or a callable mapping a tensor to a tensor "
            f"elementwise, got {nonlinearity!r} instead."
        )
    # On the device of the activation's own parameters (the CPU when it has
    # none), also while a network is being built on the meta device.
    params = (
        list(nonlinearity.parameters()) if isinstance(nonlinearity, nn.Module) else []
    )
    device = params[0].device if params else torch.device("cpu")
    probe = torch.linspace(-2.0, 2.0, 6, device=device).reshape(2, 3)
    try:
        out = nonlinearity(probe)
    except Exception as exc:  # noqa: BLE001 (the user's function: say it failed)
        raise TypeError(
            f"nonlinearity={nonlinearity!r} cannot be applied to a tensor: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not isinstance(out, torch.Tensor) or out.shape != probe.shape:
        raise TypeError(
            f"nonlinearity={nonlinearity!r} must map a tensor to a tensor of the "
            f"same shape (elementwise); for a tensor of shape {tuple(probe.shape)} "
            f"it returned {type(out).__name__}"
            + (f" of shape {tuple(out.shape)}" if isinstance(out, torch.Tensor) else "")
            + "."
        )
    return nonlinearity


class ElmanRNN(_OwnGenerator, nn.Module):
    """Multi-layer Elman RNN with any elementwise activation.

    A drop-in for :class:`torch.nn.RNN`: the same arguments (``nonlinearity``
    takes any of the names below or a callable), the same parameters
    (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, with
    ``_reverse`` for the backward direction, initialised uniformly in
    ``±1/sqrt(hidden_size)``), the same inputs (a tensor or a
    :class:`~torch.nn.utils.rnn.PackedSequence`, optional initial state) and
    the same outputs ``(output, h_n)``. With ``nonlinearity="tanh"`` or
    ``"relu"`` it computes what ``nn.RNN`` computes (torch's fused kernel is
    faster there).

    Parameters
    ----------
    input_size : int
        Features of each time step of the input.
    hidden_size : int
        Features of the hidden state.
    num_layers : int, default=1
        Number of stacked layers.
    nonlinearity : str or callable, default="tanh"
        The activation ``f``: a name (``"tanh"``, ``"relu"``, ``"sigmoid"``,
        ``"gelu"``, ``"silu"``, ``"elu"``, ``"leaky_relu"``, ``"softsign"``,
        ``"hardtanh"``, ``"identity"``) or a callable mapping a tensor to a
        tensor elementwise.
    bias : bool, default=True
        Whether the layers have the biases ``b_ih`` and ``b_hh``.
    batch_first : bool, default=False
        Whether input and output are ``(batch, seq, feature)`` rather than
        ``(seq, batch, feature)``.
    dropout : float, default=0.0
        Dropout on the outputs of each layer but the last, in training.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.

    Attributes
    ----------
    activation : callable
        The function ``f``.
    num_directions : int
        2 if bidirectional, else 1.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import ElmanRNN
    >>> rnn = ElmanRNN(3, 8, num_layers=2, nonlinearity="gelu", batch_first=True,
    ...                bidirectional=True)
    >>> output, h_n = rnn(torch.randn(4, 10, 3))
    >>> output.shape, h_n.shape
    (torch.Size([4, 10, 16]), torch.Size([4, 4, 8]))
    >>> sorted(rnn.state_dict())[:2]
    ['bias_hh_l0', 'bias_hh_l0_reverse']
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
    ):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        if isinstance(nonlinearity, nn.Module):
            # The module's own copy: training it leaves the caller's object as is.
            nonlinearity = copy.deepcopy(nonlinearity)
        # Kept as given, but not registered a second time as a submodule (it is
        # registered once, as ``activation``).
        self.__dict__["nonlinearity"] = nonlinearity
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.activation = resolve_activation(nonlinearity)
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes(layer):
                self.register_parameter(
                    f"weight_ih{suffix}", nn.Parameter(torch.empty(hidden_size, width))
                )
                self.register_parameter(
                    f"weight_hh{suffix}",
                    nn.Parameter(torch.empty(hidden_size, hidden_size)),
                )
                if bias:
                    self.register_parameter(
                        f"bias_ih{suffix}", nn.Parameter(torch.empty(hidden_size))
                    )
                    self.register_parameter(
                        f"bias_hh{suffix}", nn.Parameter(torch.empty(hidden_size))
                    )
        self.reset_parameters()

    def _suffixes(self, layer):
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def flatten_parameters(self):
        """Do nothing: there is no fused weight buffer (``nn.RNN`` compatibility)."""

    def reset_parameters(self):
        """Initialise the parameters as :class:`torch.nn.RNN` does.

        Returns
        -------
        self : ElmanRNN
        """
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for name, weight in self.named_parameters():
            if _LAYER_PARAM.match(name):  # not a module activation's own
                nn.init.uniform_(weight, -bound, bound)
        return self

    def extra_repr(self):
        name = self.nonlinearity if isinstance(self.nonlinearity, str) else getattr(
            self.nonlinearity, "__name__", type(self.nonlinearity).__name__
        )
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        text += f", nonlinearity={name!r}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    def forward(self, input, hx=None, lengths=None):
        """Run the recurrence over a batch of sequences.

        Parameters
        ----------
        input : torch.Tensor or PackedSequence
            ``(seq, batch, input_size)``, or ``(batch, seq, input_size)`` with
            ``batch_first=True``; or a packed batch of sequences of several
            lengths.
        hx : torch.Tensor of shape (num_layers * num_directions, batch, \
                hidden_size) or None, default=None
            The initial state (zeros when None).
        lengths : torch.Tensor of shape (batch,) or None, default=None
            The true length of each (padded) sequence of a tensor ``input``:
            steps at or past a sequence's length neither change its state nor
            give an output (zeros there), and the backward direction starts at
            its last true step, as with a packed sequence. None means all full
            length.

        Returns
        -------
        output : torch.Tensor or PackedSequence
            The last layer's hidden state at every step, both directions
            concatenated, ``(seq, batch, num_directions * hidden_size)`` (batch
            first with ``batch_first=True``); packed when ``input`` is.
        h_n : torch.Tensor of shape (num_layers * num_directions, batch, hidden_size)
            The final state of every layer and direction (at each sequence's
            last true step).
        """
        packed = isinstance(input, PackedSequence)
        if packed:
            if lengths is not None:
                raise ValueError("lengths cannot be given with a PackedSequence input.")
            input, lengths = pad_packed_sequence(input, batch_first=False)
            batch_first = False
        else:
            batch_first = self.batch_first
            if input.dim() != 3:
                raise ValueError(
                    f"ElmanRNN expects a 3-D input, got a {input.dim()}-D tensor of "
                    f"shape {tuple(input.shape)}."
                )
        x = input.transpose(0, 1) if batch_first else input  # time-major
        n_steps, batch = x.shape[0], x.shape[1]
        if hx is None:
            hx = x.new_zeros(self.num_layers * self.num_directions, batch,
                             self.hidden_size)
        mask = reverse = None
        if lengths is not None:
            lengths = torch.as_tensor(lengths, device=x.device).to(torch.int64)
            steps = torch.arange(n_steps, device=x.device).unsqueeze(1)
            mask = steps < lengths.unsqueeze(0)  # (seq, batch)
            if self.bidirectional:
                # Reverse each sequence within its length (padding stays put).
                reverse = torch.where(mask, lengths.unsqueeze(0) - 1 - steps, steps)
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                index = layer * self.num_directions + direction
                source = x if direction == 0 else _flip(x, reverse)
                out, h_last = self._run(source, hx[index], suffix, mask)
                outputs.append(out if direction == 0 else _flip(out, reverse))
                finals.append(h_last)
            x = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, self.generator)
        h_n = torch.stack(finals) if finals else hx
        if packed:
            return pack_padded_sequence(x, lengths.cpu(), enforce_sorted=False), h_n
        return (x.transpose(0, 1) if batch_first else x), h_n

    def _run(self, x, h, suffix, mask):
        """One layer in one direction over time-major ``x``: (outputs, last state)."""
        weight_hh = getattr(self, f"weight_hh{suffix}")
        bias = None
        if self.bias:
            bias = getattr(self, f"bias_ih{suffix}") + getattr(self, f"bias_hh{suffix}")
        # The input projection of every step at once.
        projected = F.linear(x, getattr(self, f"weight_ih{suffix}"), bias)
        f, w = self.activation, weight_hh.t()
        outputs = []
        if mask is None:
            for step in projected.unbind(0):
                h = f(torch.addmm(step, h, w))
                outputs.append(h)
        else:
            keep = mask.unsqueeze(2)
            for step, valid in zip(projected.unbind(0), keep.unbind(0), strict=True):
                h = torch.where(valid, f(torch.addmm(step, h, w)), h)
                outputs.append(h)
        if not outputs:
            return projected.new_zeros(0, x.shape[1], self.hidden_size), h
        out = torch.stack(outputs)
        if mask is not None:
            out = out * keep
        return out, h


def _flip(x, reverse):
    """Time-major ``x`` reversed in time (each sequence within its length)."""
    if reverse is None:
        return x.flip(0)
    index = reverse.unsqueeze(2).expand(-1, -1, x.shape[2])
    return x.gather(0, index)
