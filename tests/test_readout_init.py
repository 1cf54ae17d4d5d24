"""Readouts (padding never counts) and initialisation schemes, torch only."""

import pytest
import torch
from torch import nn

from skrnn.nn import RecurrentNet, init_recurrent_, make_readout
from skrnn.nn._readout import READOUTS


@pytest.mark.parametrize("name", list(READOUTS))
@pytest.mark.parametrize("num_directions", [1, 2])
def test_readouts_ignore_steps_past_each_length(name, num_directions):
    torch.manual_seed(0)
    readout, width = make_readout(name, 6, num_directions)
    lengths = torch.tensor([5, 2, 7, 1])
    outputs = torch.randn(4, 7, 6)
    got = readout(outputs, lengths)
    assert got.shape == (4, width)
    # Changing (even to NaN) what lies past each length changes nothing ...
    padded = outputs.clone()
    for i, n in enumerate(lengths):
        padded[i, n:] = float("nan") if name != "attention" else 1e6
    assert torch.allclose(readout(padded, lengths), got)
    # ... and each row reads as its sequence alone, unpadded.
    for i, n in enumerate(lengths):
        alone = readout(outputs[i : i + 1, :n], None)
        assert torch.allclose(alone, got[i : i + 1], atol=1e-6)


@pytest.mark.parametrize("name", list(READOUTS))
def test_readouts_of_empty_sequences_are_zeros(name):
    readout, width = make_readout(name, 3)
    assert torch.equal(readout(torch.zeros(2, 0, 3)), torch.zeros(2, width))
    got = readout(torch.randn(2, 4, 3), torch.tensor([0, 4]))
    assert torch.equal(got[0], torch.zeros(width)) and torch.isfinite(got).all()


def test_concat_is_last_mean_and_max():
    out = torch.randn(3, 5, 2)
    readout, _ = make_readout("concat", 2)
    expected = torch.cat([out[:, -1], out.mean(1), out.amax(1)], dim=1)
    assert torch.allclose(readout(out), expected)


def test_unknown_readout_and_init_are_refused():
    with pytest.raises(ValueError, match="readout must be one of"):
        RecurrentNet(1, 1, readout="first")
    with pytest.raises(ValueError, match="init must be one of"):
        RecurrentNet(1, 1, init="xavier")


def test_keras_init_lstm_forget_bias_orthogonal_recurrent_glorot_input():
    net = RecurrentNet(5, 2, cell="lstm", hidden_size=8, num_layers=2,
                       bidirectional=True, init="keras")
    h = 8
    for name, p in net.rnn.named_parameters():
        if name.startswith("bias_ih"):
            assert torch.equal(p[h : 2 * h], torch.ones(h))  # forget gate
            assert torch.equal(p[:h], torch.zeros(h))
            assert torch.equal(p[2 * h :], torch.zeros(2 * h))
        elif name.startswith("bias_hh"):
            assert torch.equal(p, torch.zeros_like(p))  # b_ih + b_hh: forget 1
        elif name.startswith("weight_hh"):
            for block in p.split(h):
                assert torch.allclose(block @ block.T, torch.eye(h), atol=1e-5)
        else:  # weight_ih: Glorot-uniform bound over all the gates' matrix
            bound = (6 / (p.shape[0] + p.shape[1])) ** 0.5
            top = float(p.detach().abs().max())
            assert bound / 2 < top <= bound
    assert torch.equal(net.head.bias, torch.zeros(2))


@pytest.mark.parametrize("cell", [nn.GRU, nn.RNN])
def test_keras_init_has_zero_biases_for_gru_and_rnn(cell):
    rnn = init_recurrent_(cell(3, 4), "keras", torch.Generator().manual_seed(0))
    for name, p in rnn.named_parameters():
        if name.startswith("bias"):
            assert torch.equal(p, torch.zeros_like(p))


@pytest.mark.parametrize("init", ["keras", "torch"])
@pytest.mark.parametrize("readout", ["concat", "attention"])
def test_every_draw_comes_from_the_generator(init, readout):
    net = RecurrentNet(3, 2, hidden_size=6, init=init, readout=readout)
    state = torch.get_rng_state()
    first = [p.clone() for p in net.reset_parameters(torch.Generator().manual_seed(1))
             .parameters()]
    again = list(net.reset_parameters(torch.Generator().manual_seed(1)).parameters())
    assert torch.equal(state, torch.get_rng_state())
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    other = list(net.reset_parameters(torch.Generator().manual_seed(2)).parameters())
    assert not torch.equal(first[0], other[0])


def test_the_constructor_applies_the_scheme():
    torch.manual_seed(0)
    keras = RecurrentNet(2, 1, hidden_size=4)  # init="keras" by default
    assert float(keras.rnn.bias_ih_l0[4:8].min()) == 1.0
    torch_init = RecurrentNet(2, 1, hidden_size=4, init="torch")
    assert float(torch_init.rnn.bias_ih_l0[4:8].min()) < 1.0
