"""ConvLSTM and ConvGRU: the torch modules, the estimators, the moving digits."""

import warnings

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from skrnn.nn import (
    ConvGRU,
    ConvLSTM,
    ConvRecurrentNet,
    conv_recurrent_parameters,
    count_parameters,
)

MODULES = {"lstm": ConvLSTM, "gru": ConvGRU}


# -- a slow reference, written step by step from the equations ---------------------


def _same_conv(x, weight, bias=None):
    with warnings.catch_warnings():  # torch's note on even kernels' padding copy
        warnings.simplefilter("ignore", UserWarning)
        return F.conv2d(x, weight, bias, padding="same")


def _reference(module, x, hx=None):
    """ConvLSTM/ConvGRU computed step by step, time-major, from the equations.

    Each step convolves the concatenation of input and hidden state with torch's
    own ``padding="same"``; nothing is shared with the module's code path.
    """
    lstm = isinstance(module, ConvLSTM)
    if module.batch_first:
        x = x.transpose(0, 1)
    T, B, _, H, W = x.shape
    n, L, D = module.hidden_channels, module.num_layers, module.num_directions
    zeros = x.new_zeros(L * D, B, n, H, W)
    if hx is None:
        h0, c0 = zeros, zeros
    elif lstm:
        h0, c0 = hx
    else:
        h0, c0 = hx, zeros
    h_n, c_n = [], []
    for layer in range(L):
        outs = []
        for d in range(D):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            w_ih = getattr(module, "weight_ih" + suffix)
            w_hh = getattr(module, "weight_hh" + suffix)
            b = getattr(module, "bias_ih" + suffix) if module.bias else None
            h, c = h0[layer * D + d], c0[layer * D + d]
            seq = [None] * T
            for t in (range(T - 1, -1, -1) if d else range(T)):
                if lstm:
                    gates = _same_conv(torch.cat([x[t], h], 1), torch.cat([w_ih, w_hh], 1),
                                     b)
                    i, f, o, g = gates.chunk(4, 1)
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                    h = torch.sigmoid(o) * torch.tanh(c)
                else:
                    gx = _same_conv(x[t], w_ih, b)
                    gh = _same_conv(h, w_hh)
                    xr, xz, xn = gx.chunk(3, 1)
                    hr, hz, hn = gh.chunk(3, 1)
                    r = torch.sigmoid(xr + hr)
                    z = torch.sigmoid(xz + hz)
                    cand = torch.tanh(xn + r * hn)
                    h = (1 - z) * cand + z * h
                seq[t] = h
            outs.append(torch.stack(seq))
            h_n.append(h)
            c_n.append(c)
        x = torch.cat(outs, dim=2)
    output = x.transpose(0, 1) if module.batch_first else x
    state = (torch.stack(h_n), torch.stack(c_n)) if lstm else torch.stack(h_n)
    return output, state


CONFIGS = [
    dict(kernel_size=3),
    dict(kernel_size=2),
    dict(kernel_size=(2, 3), num_layers=2),
    dict(kernel_size=(1, 4), bidirectional=True),
    dict(kernel_size=3, num_layers=2, bidirectional=True, batch_first=True),
    dict(kernel_size=5, bias=False),
]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_module_matches_reference(cell, config):
    torch.manual_seed(0)
    module = MODULES[cell](2, 3, **config)
    B, T, H, W = 2, 4, 5, 6
    shape = (B, T, 2, H, W) if module.batch_first else (T, B, 2, H, W)
    x = torch.randn(shape)
    output, state = module(x)
    ref_output, ref_state = _reference(module, x)
    D = 2 if module.bidirectional else 1
    want = (B, T, 3 * D, H, W) if module.batch_first else (T, B, 3 * D, H, W)
    assert output.shape == want
    torch.testing.assert_close(output, ref_output, rtol=1e-5, atol=1e-6)
    states = state if cell == "lstm" else (state,)
    ref_states = ref_state if cell == "lstm" else (ref_state,)
    for s, r in zip(states, ref_states):
        assert s.shape == (module.num_layers * D, B, 3, H, W)
        torch.testing.assert_close(s, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_initial_state_is_used(cell):
    torch.manual_seed(0)
    module = MODULES[cell](1, 2, 3, num_layers=2, batch_first=True)
    x = torch.randn(3, 4, 1, 5, 5)
    h0 = torch.randn(2, 3, 2, 5, 5)
    hx = (h0, torch.randn(2, 3, 2, 5, 5)) if cell == "lstm" else h0
    output, state = module(x, hx)
    ref_output, ref_state = _reference(module, x, hx)
    torch.testing.assert_close(output, ref_output, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(output, module(x)[0])
    # Continuing from the returned state is the same as one longer run.
    first, state1 = module(x[:, :2])
    second, _ = module(x[:, 2:], state1)
    torch.testing.assert_close(torch.cat([first, second], 1), module(x)[0],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("config", [dict(kernel_size=3),
                                    dict(kernel_size=2, num_layers=2,
                                         bidirectional=True)], ids=str)
def test_gradients_match_reference(cell, config):
    torch.manual_seed(0)
    module = MODULES[cell](1, 2, **config).double()
    x = torch.randn(3, 2, 1, 4, 3, dtype=torch.float64, requires_grad=True)

    def run(fn):
        output, state = fn(x)
        h = state[0] if isinstance(state, tuple) else state
        return (output ** 2).sum() + h.sum()

    grads = torch.autograd.grad(run(module), [x, *module.parameters()])
    ref = torch.autograd.grad(run(lambda v: _reference(module, v)),
                              [x, *module.parameters()])
    for g, r in zip(grads, ref):
        torch.testing.assert_close(g, r)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradcheck(cell):
    torch.manual_seed(0)
    module = MODULES[cell](1, 2, (2, 3), bidirectional=True).double()
    x = torch.randn(2, 2, 1, 3, 3, dtype=torch.float64, requires_grad=True)
    params = list(module.parameters())

    weights = [p.detach().clone().requires_grad_(True) for p in params]
    # gradcheck differentiates with respect to the function's inputs: the
    # weights are swapped in as arguments.
    def functional(x, *ws):
        saved = {n: p for n, p in module.named_parameters()}
        try:
            for (n, _), w in zip(saved.items(), ws):
                module._parameters[n] = w
            return module(x)[0]
        finally:
            for n, p in saved.items():
                module._parameters[n] = p

    assert torch.autograd.gradcheck(functional, (x, *weights))


@pytest.mark.parametrize("config", [dict(), dict(num_layers=3, bidirectional=True),
                                    dict(kernel_size=(2, 5), bias=False),
                                    dict(num_layers=2)], ids=str)
def test_parameter_counts(config):
    config = {"kernel_size": 3, **config}
    counts = {}
    for cell, cls in MODULES.items():
        counts[cell] = count_parameters(cls(3, 8, **config))
        assert counts[cell] == conv_recurrent_parameters(cell, 3, 8, **config)
    assert counts["gru"] * 4 == counts["lstm"] * 3
    kh, kw = (3, 3) if config["kernel_size"] == 3 else config["kernel_size"]
    if config.keys() == {"kernel_size"}:
        assert counts["lstm"] == 4 * 8 * (3 + 8) * kh * kw + 4 * 8


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_reset_parameters_uses_only_the_generator(cell):
    module = MODULES[cell](2, 4, 3, num_layers=2)
    before = torch.random.get_rng_state()
    module.reset_parameters(torch.Generator().manual_seed(5))
    first = [p.clone() for p in module.parameters()]
    assert torch.equal(torch.random.get_rng_state(), before)
    module.reset_parameters(torch.Generator().manual_seed(5))
    assert all(torch.equal(a, b) for a, b in zip(first, module.parameters()))
    net = ConvRecurrentNet(2, 3, cell=cell, filters=4, head="frame")
    before = torch.random.get_rng_state()
    net.reset_parameters(torch.Generator().manual_seed(1))
    again = [p.clone() for p in net.parameters()]
    net.reset_parameters(torch.Generator().manual_seed(1))
    assert all(torch.equal(a, b) for a, b in zip(again, net.parameters()))
    assert torch.equal(torch.random.get_rng_state(), before)


def test_module_errors():
    with pytest.raises(ValueError, match="kernel_size"):
        ConvLSTM(1, 2, 0)
    with pytest.raises(ValueError, match="kernel_size"):
        ConvLSTM(1, 2, (3, 3, 3))
    with pytest.raises(ValueError, match="hidden_channels"):
        ConvGRU(1, 0, 3)
    module = ConvLSTM(2, 3, 3)
    with pytest.raises(ValueError, match="5-D"):
        module(torch.zeros(4, 2, 5, 5))
    with pytest.raises(ValueError, match="2 input channels"):
        module(torch.zeros(4, 2, 3, 5, 5))
    with pytest.raises(ValueError, match="h_0 of shape"):
        module(torch.zeros(4, 2, 2, 5, 5), (torch.zeros(1, 2, 3, 4, 4),) * 2)
    with pytest.raises(ValueError, match="tuple"):
        module(torch.zeros(4, 2, 2, 5, 5), torch.zeros(1, 2, 3, 5, 5))


@pytest.mark.parametrize("head,shape", [("pooled", (2, 3)), ("frame", (2, 3, 6, 7)),
                                        ("sequence", (2, 4, 3, 6, 7))])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_conv_recurrent_net_heads(head, shape, bidirectional):
    net = ConvRecurrentNet(2, 3, filters=4, kernel_size=2, head=head,
                           bidirectional=bidirectional, num_layers=2, dropout=0.1)
    assert net(torch.zeros(2, 4, 2, 6, 7)).shape == shape
