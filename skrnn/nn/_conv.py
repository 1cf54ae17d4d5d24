"""Convolutional recurrent layers, ConvLSTM and ConvGRU (torch only).

An LSTM or GRU whose gates are 2-D convolutions (Shi et al., 2015): it reads a
sequence of images, keeps their spatial layout in its state, and mirrors
:class:`torch.nn.LSTM` / :class:`torch.nn.GRU` in its signature and its
``(output, state)`` return value. ``ConvRecurrentNet`` puts a head on them for
skrnn's estimators.

How a step is computed: a ConvLSTM step convolves the concatenation of input
and hidden state once, for all four gates (on the CPU this measured as fast as,
or faster than, convolving every step's input at once beforehand, whose
``T * B`` frames of gate pre-activations must be held in memory). A ConvGRU's
reset gate acts on the hidden convolution alone, so there the input convolution
of every step is computed at once (one convolution over the ``T * B`` frames)
and each step adds one convolution of the hidden state.
``benchmarks/bench_conv.py`` compares the modules with a plain per-step
implementation.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._generator import Dropout, _OwnGenerator, dropout

__all__ = ["ConvGRU", "ConvLSTM", "ConvRecurrentNet"]


def _pair(value, name):
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}.")
    if isinstance(value, int):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value
    ):
        raise ValueError(
            f"{name} must be a positive int or a pair of positive ints, got "
            f"{value!r} instead."
        )
    return value


def same_padding(kernel_size):
    """The ``F.pad`` amounts giving "same" output size for a 2-D kernel.

    An odd size ``k`` pads ``k // 2`` on both sides; an even one pads one less
    before than after (``(k - 1) // 2`` left/top, ``k // 2`` right/bottom), as
    TensorFlow's ``padding="same"`` does.

    Parameters
    ----------
    kernel_size : tuple of int
        ``(kernel_height, kernel_width)``.

    Returns
    -------
    pad : tuple of 4 int
        ``(left, right, top, bottom)``, the order ``F.pad`` takes.
    """
    kh, kw = kernel_size
    return ((kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2)


class _ConvRecurrentBase(_OwnGenerator, nn.Module):
    """The shared layer stack of ConvLSTM and ConvGRU; see them."""

    _n_gates = None  # 4 (LSTM) or 3 (GRU)
    #: Whether a step convolves the concatenation [x_t, h] (LSTM), or adds the
    #: hidden convolution to the input's, computed for all steps at once (GRU,
    #: whose reset gate acts on the hidden convolution alone).
    _concat = False

    def __init__(
        self,
        in_channels,
        hidden_channels,
        kernel_size,
        num_layers=1,
        batch_first=False,
        bias=True,
        dropout=0.0,
        bidirectional=False,
    ):
        super().__init__()
        for name, value in (("in_channels", in_channels),
                            ("hidden_channels", hidden_channels),
                            ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}.")
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.num_layers = num_layers
        self.batch_first = batch_first
        self.bias = bias
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        self._pad = same_padding(self.kernel_size)
        # Symmetric padding is done by the convolution itself; asymmetric
        # (even kernels) by F.pad first.
        left, right, top, bottom = self._pad
        self._conv_padding = (top, left) if (left == right and top == bottom) else None
        gates = self._n_gates * hidden_channels
        kh, kw = self.kernel_size
        for layer in range(num_layers):
            layer_in = (in_channels if layer == 0
                        else hidden_channels * self.num_directions)
            for suffix in self._suffixes(layer):
                self.register_parameter(
                    "weight_ih" + suffix,
                    nn.Parameter(torch.empty(gates, layer_in, kh, kw)),
                )
                self.register_parameter(
                    "weight_hh" + suffix,
                    nn.Parameter(torch.empty(gates, hidden_channels, kh, kw)),
                )
                if bias:
                    self.register_parameter(
                        "bias_ih" + suffix, nn.Parameter(torch.empty(gates))
                    )
        self.reset_parameters()

    def _suffixes(self, layer):
        return [f"_l{layer}"] + ([f"_l{layer}_reverse"] if self.bidirectional else [])

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.hidden_channels}, "
                f"kernel_size={self.kernel_size}")
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.batch_first:
            text += ", batch_first=True"
        if not self.bias:
            text += ", bias=False"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every parameter again, drawing only from ``generator``.

        Every weight and bias is drawn uniformly from ``±1/sqrt(hidden_channels
        * kernel_height * kernel_width)``, the convolutional form of torch's
        ``±1/sqrt(hidden_size)`` for its recurrent layers.

        Parameters
        ----------
        generator : torch.Generator or None, default=None
            Where the random numbers come from; None uses torch's global
            generator.

        Returns
        -------
        self : ConvLSTM or ConvGRU
        """
        kh, kw = self.kernel_size
        bound = 1.0 / math.sqrt(self.hidden_channels * kh * kw)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound, generator=generator)
        return self

    def _conv(self, x, weight, bias=None):
        if self._conv_padding is None:
            return F.conv2d(F.pad(x, self._pad), weight, bias)
        return F.conv2d(x, weight, bias, padding=self._conv_padding)

    def _zeros_state(self, x):
        T, B, _, H, W = x.shape
        return x.new_zeros(self.num_layers * self.num_directions, B,
                           self.hidden_channels, H, W)

    def _check_input(self, x):
        if x.dim() != 5:
            raise ValueError(
                f"{type(self).__name__} expects a 5-D input "
                + ("(batch, time, channels, height, width)" if self.batch_first
                   else "(time, batch, channels, height, width)")
                + f", got a tensor of shape {tuple(x.shape)}."
            )
        if x.shape[2] != self.in_channels:
            raise ValueError(
                f"{type(self).__name__} expects {self.in_channels} input channels, "
                f"got {x.shape[2]} (input shape {tuple(x.shape)})."
            )

    def _check_state(self, state, x, name):
        T, B, _, H, W = x.shape
        want = (self.num_layers * self.num_directions, B, self.hidden_channels, H, W)
        if tuple(state.shape) != want:
            raise ValueError(
                f"Expected {name} of shape {want}, got {tuple(state.shape)}."
            )

    def _run(self, x, states):
        """Run the stack on time-major ``x``; ``states`` is a list (one tensor per
        state kind) of (L*D, B, hid, H, W). Returns the output and the new states."""
        finals = [[] for _ in states]
        T, B = x.shape[:2]
        for layer in range(self.num_layers):
            outputs = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                index = layer * self.num_directions + direction
                w_ih = getattr(self, "weight_ih" + suffix)
                w_hh = getattr(self, "weight_hh" + suffix)
                b_ih = getattr(self, "bias_ih" + suffix) if self.bias else None
                if self._concat:
                    # One convolution of [x_t, h] per step, for all the gates.
                    weight = torch.cat([w_ih, w_hh], dim=1)
                    inputs = x.unbind(0)
                else:
                    # Every step's input convolution at once, over T*B frames.
                    gx = self._conv(x.reshape(T * B, *x.shape[2:]), w_ih, b_ih)
                    # unbind, not gx[t]: its backward is one stack, where indexing
                    # would add a zero-filled gx-sized gradient per step.
                    inputs = gx.view(T, B, *gx.shape[1:]).unbind(0)
                state = [s[index] for s in states]
                steps = range(T - 1, -1, -1) if direction else range(T)
                out = [None] * T
                for t in steps:
                    if self._concat:
                        state = self._step_concat(inputs[t], state, weight, b_ih)
                    else:
                        state = self._step(inputs[t], state, w_hh)
                    out[t] = state[0]
                outputs.append(torch.stack(out) if T else x.new_zeros(
                    0, B, self.hidden_channels, *x.shape[3:]))
                for kept, s in zip(finals, state, strict=True):
                    kept.append(s)
            x = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, self.generator)
        return x, [torch.stack(kept) for kept in finals]

    def forward(self, input, hx=None):
        """Run the layers over a sequence of frames.

        Parameters
        ----------
        input : torch.Tensor of shape (time, batch, channels, height, width)
            The frames; ``(batch, time, ...)`` with ``batch_first=True``.
        hx : torch.Tensor, tuple of torch.Tensor or None, default=None
            The initial state: ``h_0`` (ConvGRU) or ``(h_0, c_0)`` (ConvLSTM), each
            ``(num_layers * num_directions, batch, hidden_channels, height,
            width)``; None starts from zeros.

        Returns
        -------
        output : torch.Tensor
            The last layer's hidden state at every step, ``(time, batch,
            num_directions * hidden_channels, height, width)`` (batch first with
            ``batch_first=True``).
        state : torch.Tensor or tuple of torch.Tensor
            ``h_n`` or ``(h_n, c_n)``, shaped as ``hx``.
        """
        self._check_input(input)
        x = input.transpose(0, 1) if self.batch_first else input
        if hx is None:
            states = [self._zeros_state(x) for _ in range(self._n_states)]
        else:
            states = [hx] if self._n_states == 1 else list(hx)
            if len(states) != self._n_states:
                raise ValueError(
                    f"{type(self).__name__} expects hx as a tuple (h_0, c_0), got "
                    f"{len(states)} tensor(s)."
                )
            for s, name in zip(states, ("h_0", "c_0"), strict=False):
                self._check_state(s, x, name)
        output, states = self._run(x, states)
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, (states[0] if self._n_states == 1 else tuple(states))


class ConvLSTM(_ConvRecurrentBase):
    r"""A multi-layer convolutional LSTM (Shi et al., 2015) over image sequences.

    The LSTM's matrix products become 2-D convolutions with "same" padding, so
    input, hidden and cell states are images of the input's height and width::

        i, f, o = sigmoid(W_xi * x_t + W_hi * h + b_i), ... (f, o alike)
        g = tanh(W_xg * x_t + W_hg * h + b_g)
        c' = f . c + i . g
        h' = o . tanh(c')

    (``*`` a convolution, ``.`` the elementwise product). There are no
    peephole terms. Signature, input and output follow :class:`torch.nn.LSTM`.

    Parameters
    ----------
    in_channels : int
        Channels of each input frame.
    hidden_channels : int
        Channels of the hidden and cell states (Keras' ``filters``).
    kernel_size : int or tuple of (int, int)
        Size of the convolution kernels, odd or even; the padding is "same"
        (for an even size, one more row/column after than before).
    num_layers : int, default=1
        Number of stacked layers.
    batch_first : bool, default=False
        If True, input and output are ``(batch, time, channels, height, width)``;
        else ``(time, batch, channels, height, width)``. The states are not
        affected.
    bias : bool, default=True
        Whether the input convolutions have a bias (one per gate channel).
    dropout : float, default=0.0
        Dropout on the outputs of every layer except the last, as in torch.
    bidirectional : bool, default=False
        If True, each layer also reads the sequence backwards; the outputs of
        both directions are concatenated along the channels.

    Attributes
    ----------
    weight_ih_l[k] : torch.nn.Parameter of shape (4*hidden_channels, in, kh, kw)
        The input convolutions of layer ``k`` (``in`` is ``in_channels`` for
        ``k = 0``, else ``hidden_channels * num_directions``), gates in the
        order ``(i, f, o, g)``; ``_reverse`` for the backward direction.
    weight_hh_l[k] : torch.nn.Parameter of shape (4*h, h, kh, kw)
        The hidden-state convolutions (``h`` is ``hidden_channels``).
    bias_ih_l[k] : torch.nn.Parameter of shape (4*hidden_channels,)
        The biases, when ``bias=True``.

    Notes
    -----
    Parameters per layer and direction, for ``in`` input channels, ``h`` hidden
    channels and a ``kh`` by ``kw`` kernel: ``4 * h * (in + h) * kh * kw`` weights
    plus ``4 * h`` biases; see :func:`conv_recurrent_parameters`. ConvGRU has
    exactly 3/4 of that.

    Calling the module: ``output, (h_n, c_n) = conv_lstm(input, (h_0, c_0))``,
    the initial states optional (zeros), each of shape
    ``(num_layers * num_directions, batch, hidden_channels, height, width)``;
    ``output`` holds the last layer's hidden state at every step,
    ``(time, batch, num_directions * hidden_channels, height, width)`` (batch
    first with ``batch_first=True``).

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import ConvLSTM
    >>> lstm = ConvLSTM(1, 8, kernel_size=3, batch_first=True)
    >>> x = torch.zeros(2, 5, 1, 16, 16)        # 2 sequences of 5 frames
    >>> output, (h_n, c_n) = lstm(x)
    >>> output.shape, h_n.shape
    (torch.Size([2, 5, 8, 16, 16]), torch.Size([1, 2, 8, 16, 16]))
    """

    _n_gates = 4
    _n_states = 2
    _concat = True

    def _step_concat(self, x_t, state, weight, bias):
        gates = self._conv(torch.cat([x_t, state[0]], dim=1), weight, bias)
        return self._update(gates, state[1])

    def _step(self, gx, state, w_hh):
        h, c = state
        return self._update(gx + self._conv(h, w_hh), c)

    def _update(self, gates, c):
        n = self.hidden_channels
        # split/chunk rather than slices: their backward is one concatenation.
        ifo, g = gates.split([3 * n, n], dim=1)
        i, f, o = torch.sigmoid(ifo).chunk(3, dim=1)
        c = f * c + i * torch.tanh(g)
        return [o * torch.tanh(c), c]


class ConvGRU(_ConvRecurrentBase):
    r"""A multi-layer convolutional GRU over image sequences.

    The GRU's matrix products become 2-D convolutions with "same" padding::

        r = sigmoid(W_xr * x_t + b_r + W_hr * h)
        z = sigmoid(W_xz * x_t + b_z + W_hz * h)
        n = tanh(W_xn * x_t + b_n + r . (W_hn * h))
        h' = (1 - z) . n + z . h

    (``*`` a convolution, ``.`` the elementwise product; the reset gate acts
    after the hidden convolution, as in :class:`torch.nn.GRU` and cuDNN, so one
    convolution of ``h`` per step gives all three gates). Signature, input and
    output follow :class:`torch.nn.GRU`.

    Parameters
    ----------
    in_channels : int
        Channels of each input frame.
    hidden_channels : int
        Channels of the hidden state (Keras' ``filters``).
    kernel_size : int or tuple of (int, int)
        Size of the convolution kernels, odd or even; the padding is "same"
        (for an even size, one more row/column after than before).
    num_layers : int, default=1
        Number of stacked layers.
    batch_first : bool, default=False
        If True, input and output are ``(batch, time, channels, height, width)``;
        else ``(time, batch, channels, height, width)``. The state is not
        affected.
    bias : bool, default=True
        Whether the input convolutions have a bias (one per gate channel).
    dropout : float, default=0.0
        Dropout on the outputs of every layer except the last, as in torch.
    bidirectional : bool, default=False
        If True, each layer also reads the sequence backwards; the outputs of
        both directions are concatenated along the channels.

    Attributes
    ----------
    weight_ih_l[k] : torch.nn.Parameter of shape (3*hidden_channels, in, kh, kw)
        The input convolutions of layer ``k``, gates in the order ``(r, z, n)``;
        ``_reverse`` for the backward direction.
    weight_hh_l[k] : torch.nn.Parameter of shape (3*h, h, kh, kw)
        The hidden-state convolutions (``h`` is ``hidden_channels``).
    bias_ih_l[k] : torch.nn.Parameter of shape (3*hidden_channels,)
        The biases, when ``bias=True``.

    Notes
    -----
    Parameters per layer and direction: ``3 * h * (in + h) * kh * kw`` weights
    plus ``3 * h`` biases, exactly 3/4 of :class:`ConvLSTM`'s (one bias per gate
    channel, on the input side, unlike torch's GRU, which has two).

    Calling the module: ``output, h_n = conv_gru(input, h_0)``, ``h_0``
    optional (zeros), of shape
    ``(num_layers * num_directions, batch, hidden_channels, height, width)``.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import ConvGRU
    >>> gru = ConvGRU(3, 4, kernel_size=(2, 4), num_layers=2, bidirectional=True)
    >>> output, h_n = gru(torch.zeros(6, 2, 3, 10, 12))    # time first
    >>> output.shape, h_n.shape
    (torch.Size([6, 2, 8, 10, 12]), torch.Size([4, 2, 4, 10, 12]))
    """

    _n_gates = 3
    _n_states = 1

    def _step(self, gx, state, w_hh):
        (h,) = state
        n = self.hidden_channels
        x_rz, x_n = gx.split([2 * n, n], dim=1)
        h_rz, h_n = self._conv(h, w_hh).split([2 * n, n], dim=1)
        r, z = torch.sigmoid(x_rz + h_rz).chunk(2, dim=1)
        new = torch.tanh(x_n + r * h_n)
        return [new + z * (h - new)]


def conv_recurrent_parameters(cell, in_channels, hidden_channels, kernel_size,
                              num_layers=1, bias=True, bidirectional=False):
    """Number of parameters of a :class:`ConvLSTM` or :class:`ConvGRU`.

    Per layer and direction, with ``G`` gates (4 for LSTM, 3 for GRU), ``in``
    input channels (``in_channels`` for the first layer, ``hidden_channels *
    num_directions`` after), ``h = hidden_channels`` and a ``kh`` by ``kw``
    kernel: ``G * h * (in + h) * kh * kw + G * h`` (the last term with
    ``bias=True`` only).

    Parameters
    ----------
    cell : {"lstm", "gru"}
        The cell.
    in_channels, hidden_channels : int
        Input and hidden channels.
    kernel_size : int or tuple of (int, int)
        The kernel size.
    num_layers : int, default=1
        Number of layers.
    bias : bool, default=True
        Whether there are biases.
    bidirectional : bool, default=False
        Whether each layer has two directions.

    Returns
    -------
    n : int
        The number of parameters.

    Examples
    --------
    >>> from skrnn.nn import ConvLSTM, conv_recurrent_parameters, count_parameters
    >>> conv_recurrent_parameters("lstm", 1, 8, 3)
    2624
    >>> count_parameters(ConvLSTM(1, 8, 3))
    2624
    """
    gates = {"lstm": 4, "gru": 3}[cell]
    kh, kw = _pair(kernel_size, "kernel_size")
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_in = in_channels if layer == 0 else hidden_channels * directions
        per = gates * hidden_channels * (layer_in + hidden_channels) * kh * kw
        per += gates * hidden_channels if bias else 0
        total += per * directions
    return total


_CONV_CELLS = {"lstm": ConvLSTM, "gru": ConvGRU}
_HEADS = ("pooled", "frame", "sequence")


class ConvRecurrentNet(nn.Module):
    """ConvLSTM or ConvGRU layers with an output head, for skrnn's estimators.

    The input is batch first, ``(batch, time, input_size, height, width)``. The
    head decides what comes out:

    - ``"frame"``: a 1x1 convolution of the last layer's final hidden state
      (both directions' final states, when bidirectional), one image
      ``(batch, output_size, height, width)``: the next frame, say;
    - ``"sequence"``: a 1x1 convolution of the last layer's output at every
      step, ``(batch, time, output_size, height, width)``;
    - ``"pooled"``: the final hidden state averaged over height and width, then
      a linear layer, ``(batch, output_size)``: regression values or logits.

    Parameters
    ----------
    input_size : int
        Channels of the input frames.
    output_size : int
        Output channels (``"frame"``, ``"sequence"``) or outputs (``"pooled"``).
    cell : {"lstm", "gru"}, default="lstm"
        :class:`ConvLSTM` or :class:`ConvGRU`.
    filters : int, default=16
        Hidden channels of each layer.
    kernel_size : int or tuple of (int, int), default=3
        The recurrent layers' kernel size.
    num_layers : int, default=1
        Number of stacked layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.0
        Dropout between the layers and before the head.
    head : {"pooled", "frame", "sequence"}, default="pooled"
        The output head.

    Attributes
    ----------
    rnn : ConvLSTM or ConvGRU
        The recurrent layers (batch first).
    head : torch.nn.Conv2d or torch.nn.Linear
        The output layer.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import ConvRecurrentNet
    >>> net = ConvRecurrentNet(1, 1, cell="gru", filters=4, head="frame")
    >>> net(torch.zeros(2, 5, 1, 8, 8)).shape
    torch.Size([2, 1, 8, 8])
    """

    def __init__(self, input_size, output_size, *, cell="lstm", filters=16,
                 kernel_size=3, num_layers=1, bidirectional=False, dropout=0.0,
                 head="pooled"):
        super().__init__()
        if cell not in _CONV_CELLS:
            raise ValueError(
                f"cell must be one of {sorted(_CONV_CELLS)}, got {cell!r} instead."
            )
        if head not in _HEADS:
            raise ValueError(f"head must be one of {list(_HEADS)}, got {head!r}.")
        self.rnn = _CONV_CELLS[cell](
            input_size, filters, kernel_size, num_layers=num_layers,
            batch_first=True, dropout=dropout, bidirectional=bidirectional,
        )
        self.kind = head
        width = filters * self.rnn.num_directions
        self.dropout = Dropout(dropout) if dropout > 0 else nn.Identity()
        if head == "pooled":
            self.head = nn.Linear(width, output_size)
        else:
            self.head = nn.Conv2d(width, output_size, kernel_size=1)

    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every parameter again, drawing only from ``generator``.

        The recurrent layers as :meth:`ConvLSTM.reset_parameters`; the head
        uniformly in ``±1/sqrt(fan_in)``.

        Parameters
        ----------
        generator : torch.Generator or None, default=None
            Where the random numbers come from.

        Returns
        -------
        self : ConvRecurrentNet
        """
        self.rnn.reset_parameters(generator)
        weight = self.head.weight
        bound = 1.0 / math.sqrt(weight[0].numel())
        for p in self.head.parameters():
            nn.init.uniform_(p, -bound, bound, generator=generator)
        return self

    def forward(self, X):
        """Map a batch of image sequences to the head's outputs.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, time, input_size, height, width)
            The sequences.

        Returns
        -------
        out : torch.Tensor
            ``(batch, output_size)``, ``(batch, output_size, height, width)`` or
            ``(batch, time, output_size, height, width)``, by ``head``.
        """
        output, state = self.rnn(X)
        if self.kind == "sequence":
            B, T = output.shape[:2]
            frames = self.dropout(output.reshape(B * T, *output.shape[2:]))
            out = self.head(frames)
            return out.view(B, T, *out.shape[1:])
        h_n = state[0] if isinstance(state, tuple) else state
        last = h_n[-self.rnn.num_directions :]  # (D, B, hid, H, W)
        last = last.transpose(0, 1).reshape(X.shape[0], -1, *last.shape[3:])
        if self.kind == "pooled":
            return self.head(self.dropout(last.mean(dim=(2, 3))))
        return self.head(self.dropout(last))
