"""Initialisation schemes for skrnn's recurrent networks (torch only).

Each scheme re-initialises a recurrent layer (:class:`torch.nn.LSTM`,
:class:`torch.nn.GRU` or :class:`torch.nn.RNN`) and the linear layers after it,
drawing every random number from the ``generator`` it is given:

- ``"keras"``: what Keras does for its ``LSTM``, ``GRU``, ``SimpleRNN`` and
  ``Dense`` layers. Input-to-hidden weights are Glorot-uniform (over the whole
  matrix of all gates, as Keras' kernel), hidden-to-hidden weights orthogonal
  (each gate's square block), biases zero except the LSTM's forget gate, whose
  bias is 1 (Keras' ``unit_forget_bias``; torch's LSTM has two bias vectors,
  ``b_ih`` and ``b_hh``, so the 1 goes into ``b_ih`` only and their sum is 1).
  Linear layers are Glorot-uniform with zero biases.
- ``"torch"``: torch's own defaults, uniform in ``±1/sqrt(hidden_size)`` for the
  recurrent layer and in ``±1/sqrt(in_features)`` for linear layers.
"""

import math

import torch
from torch import nn

__all__ = ["INIT_SCHEMES", "init_linear_", "init_recurrent_"]

INIT_SCHEMES = ("keras", "torch")

#: Gate blocks per recurrent cell, in torch's order.
_GATES = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}


def _check_scheme(scheme):
    if scheme not in INIT_SCHEMES:
        raise ValueError(
            f"init must be one of {list(INIT_SCHEMES)}, got {scheme!r} instead."
        )


@torch.no_grad()
def init_recurrent_(rnn, scheme, generator=None):
    """Initialise a torch recurrent layer in place.

    Parameters
    ----------
    rnn : torch.nn.LSTM, torch.nn.GRU or torch.nn.RNN
        The layer (any number of layers and directions).
    scheme : {"keras", "torch"}
        The initialisation scheme (see the module's description).
    generator : torch.Generator or None, default=None
        Where every random number comes from; None uses torch's global generator.

    Returns
    -------
    rnn : torch.nn.Module
        The same layer.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import init_recurrent_
    >>> lstm = init_recurrent_(torch.nn.LSTM(3, 4), "keras", torch.Generator())
    >>> lstm.bias_ih_l0[4:8]  # the forget gate's
    tensor([1., 1., 1., 1.], grad_fn=<SliceBackward0>)
    """
    _check_scheme(scheme)
    # The layers' own weights and biases (torch's names); an Elman RNN's
    # activation module, if it has parameters, initialises its own.
    layer_params = [(name, weight) for name, weight in rnn.named_parameters()
                    if name.startswith(("weight_", "bias_"))]
    activation = getattr(rnn, "activation", None)
    if isinstance(activation, nn.Module) and hasattr(activation, "reset_parameters"):
        activation.reset_parameters()
    if scheme == "torch":
        bound = 1.0 / math.sqrt(rnn.hidden_size)
        for _, weight in layer_params:
            nn.init.uniform_(weight, -bound, bound, generator=generator)
        return rnn
    # One gate block for the Elman RNN (torch's or skrnn's, any activation).
    gates = next((n for kind, n in _GATES.items() if isinstance(rnn, kind)), 1)
    hidden = rnn.hidden_size
    for name, weight in layer_params:
        if name.startswith("weight_ih"):
            nn.init.xavier_uniform_(weight, generator=generator)
        elif name.startswith("weight_hh"):
            for block in weight.split(hidden, dim=0):
                nn.init.orthogonal_(block, generator=generator)
        elif name.startswith("bias"):
            nn.init.zeros_(weight)
            if gates == 4 and name.startswith("bias_ih"):
                weight[hidden : 2 * hidden] = 1.0  # the forget gate (i, f, g, o)
    return rnn


@torch.no_grad()
def init_linear_(linear, scheme, generator=None):
    """Initialise a :class:`torch.nn.Linear` layer in place.

    Parameters
    ----------
    linear : torch.nn.Linear
        The layer.
    scheme : {"keras", "torch"}
        ``"keras"``: Glorot-uniform weights, zero bias; ``"torch"``: uniform in
        ``±1/sqrt(in_features)``.
    generator : torch.Generator or None, default=None
        Where every random number comes from; None uses torch's global generator.

    Returns
    -------
    linear : torch.nn.Linear
        The same layer.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import init_linear_
    >>> init_linear_(torch.nn.Linear(3, 2), "keras").bias
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """
    _check_scheme(scheme)
    if scheme == "keras":
        nn.init.xavier_uniform_(linear.weight, generator=generator)
        if linear.bias is not None:
            nn.init.zeros_(linear.bias)
        return linear
    bound = 1.0 / math.sqrt(linear.in_features) if linear.in_features else 0.0
    for weight in linear.parameters():
        nn.init.uniform_(weight, -bound, bound, generator=generator)
    return linear
