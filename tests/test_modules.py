"""The torch module alone: shapes and structure per cell, depth and direction."""

import pytest
import torch
from torch import nn

from skrnn import RecurrentNet
from skrnn.nn import count_parameters


@pytest.mark.parametrize("cell,cls",
                         [("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn", nn.RNN)])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_shape(cell, cls, num_layers, bidirectional):
    net = RecurrentNet(4, 3, cell=cell, hidden_size=6, num_layers=num_layers,
                       bidirectional=bidirectional)
    assert isinstance(net.rnn, cls)  # torch's layer (drawing dropout from a generator)
    assert net.rnn.num_layers == num_layers and net.rnn.bidirectional == bidirectional
    # The default readout puts the last step, the mean and the maximum side by side.
    assert net.head.in_features == 3 * 6 * (2 if bidirectional else 1)
    out = net(torch.randn(5, 11, 4))
    assert out.shape == (5, 3)
    assert net(torch.randn(2, 1, 4)).shape == (2, 3)  # a single time step


def test_output_is_the_last_state_not_a_tuple():
    torch.manual_seed(0)
    net = RecurrentNet(2, 1, cell="lstm", hidden_size=5, num_layers=2, readout="last")
    X = torch.randn(3, 7, 2)
    out_seq, (h, _) = net.rnn(X)
    assert torch.allclose(net(X), net.head(out_seq[:, -1]))
    assert torch.allclose(net(X), net.head(h[-1]))


def test_bidirectional_uses_both_final_states():
    torch.manual_seed(0)
    net = RecurrentNet(2, 1, cell="gru", hidden_size=5, bidirectional=True,
                       readout="last")
    X = torch.randn(3, 7, 2)
    out_seq, _ = net.rnn(X)
    # forward direction's last step, backward direction's first step
    features = torch.cat([out_seq[:, -1, :5], out_seq[:, 0, 5:]], dim=1)
    assert torch.allclose(net(X), net.head(features))


def test_parameter_counts_follow_the_gates():
    sizes = {cell: count_parameters(RecurrentNet(8, 1, cell=cell, hidden_size=32).rnn)
             for cell in ("lstm", "gru", "rnn")}
    assert sizes["gru"] * 4 == sizes["lstm"] * 3
    assert sizes["rnn"] * 4 == sizes["lstm"]


def test_dropout_applies_with_one_layer_and_not_in_eval():
    net = RecurrentNet(2, 1, hidden_size=16, dropout=0.5)
    assert isinstance(net.dropout, nn.Dropout) and net.rnn.dropout == 0.0
    X = torch.randn(4, 5, 2)
    net.eval()
    assert torch.equal(net(X), net(X))
    net.train()
    torch.manual_seed(0)
    a = net(X)
    assert not torch.equal(a, net(X))


def test_relu_nonlinearity_and_bad_cell():
    net = RecurrentNet(1, 1, cell="rnn", nonlinearity="relu")
    assert net.rnn.nonlinearity == "relu"
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentNet(1, 1, cell="transformer")


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_reset_parameters_draws_from_the_given_generator(cell):
    net = RecurrentNet(input_size=3, output_size=2, cell=cell, hidden_size=8,
                       init="torch")
    seeded = net.reset_parameters(torch.Generator().manual_seed(5))
    first = [p.clone() for p in seeded.parameters()]
    state = torch.get_rng_state()
    again = list(net.reset_parameters(torch.Generator().manual_seed(5)).parameters())
    # the global generator is untouched
    assert torch.equal(state, torch.get_rng_state())
    for a, b in zip(first, again, strict=True):
        assert torch.equal(a, b)
    other = list(net.reset_parameters(torch.Generator().manual_seed(6)).parameters())
    assert not torch.equal(first[0], other[0])
    bound = 1 / 8 ** 0.5
    assert all(float(p.detach().abs().max()) <= bound for p in net.rnn.parameters())
