"""The Elman RNN with any activation: against torch and a slow reference."""

import pickle

import joblib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from skrnn import RNNClassifier, RNNRegressor, load_model, save_model
from skrnn.nn import ElmanRNN, RecurrentNet, count_parameters
from skrnn.nn._elman import ACTIVATIONS

FAST = dict(hidden_size=8, max_epochs=3, random_state=0)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def softplus(x):
    """A module-level (so picklable) callable activation."""
    return F.softplus(x)


def reference(module, x, hx=None):
    """The recurrence written out step by step, sample by sample (batch first)."""
    batch, steps, _ = x.shape
    dirs, f = module.num_directions, module.activation
    if hx is None:
        hx = x.new_zeros(module.num_layers * dirs, batch, module.hidden_size)
    finals, layer_in = [], x
    for layer in range(module.num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w_ih = getattr(module, "weight_ih" + sfx)
            w_hh = getattr(module, "weight_hh" + sfx)
            b = getattr(module, "bias_ih" + sfx) + getattr(module, "bias_hh" + sfx)
            out = x.new_zeros(batch, steps, module.hidden_size)
            h_last = []
            for i in range(batch):
                h = hx[layer * dirs + d, i]
                order = range(steps) if d == 0 else range(steps - 1, -1, -1)
                for t in order:
                    h = f(w_ih @ layer_in[i, t] + w_hh @ h + b)
                    out[i, t] = h
                h_last.append(h)
            outs.append(out)
            finals.append(torch.stack(h_last))
        layer_in = torch.cat(outs, dim=2)
    return layer_in, torch.stack(finals)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_same_as_torch_rnn(nonlinearity, bidirectional, batch_first):
    torch.manual_seed(0)
    kwargs = dict(num_layers=2, nonlinearity=nonlinearity, bidirectional=bidirectional,
                  batch_first=batch_first)
    ref, ours = nn.RNN(3, 5, **kwargs), ElmanRNN(3, 5, **kwargs)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, p.shape) for n, p in ref.named_parameters()
    ]
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(4, 7, 3)
    hx = torch.randn(2 * (2 if bidirectional else 1), 4 if batch_first else 7, 5)
    for args in [(x,), (x, hx)]:
        (o1, h1), (o2, h2) = ref(*args), ours(*args)
        torch.testing.assert_close(o2, o1, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(h2, h1, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("nonlinearity", ["gelu", "softsign", "identity", softplus])
def test_matches_the_slow_reference(nonlinearity):
    torch.manual_seed(0)
    rnn = ElmanRNN(3, 4, num_layers=2, nonlinearity=nonlinearity, batch_first=True,
                   bidirectional=True)
    x, hx = torch.randn(3, 6, 3), torch.randn(4, 3, 4)
    out, h_n = rnn(x, hx)
    expected_out, expected_h = reference(rnn, x, hx)
    torch.testing.assert_close(out, expected_out, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(h_n, expected_h, rtol=1e-5, atol=1e-6)


def test_every_named_activation_is_elementwise_and_runs():
    x = torch.randn(2, 5, 3)
    for name, function in ACTIVATIONS.items():
        out, h_n = ElmanRNN(3, 4, nonlinearity=name, batch_first=True)(x)
        assert out.shape == (2, 5, 4) and h_n.shape == (1, 2, 4), name
        torch.testing.assert_close(out[:, -1], h_n[0])
        probe = torch.randn(4, 3)
        torch.testing.assert_close(function(probe)[1:], function(probe[1:]))


def test_gradients():
    torch.manual_seed(0)
    rnn = ElmanRNN(2, 3, num_layers=2, nonlinearity="softsign", batch_first=True,
                   bidirectional=True).double()
    x = torch.randn(2, 4, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda inp: rnn(inp)[0], (x,))
    params = tuple(rnn.parameters())

    def loss_of(*weights):
        state = dict(zip([n for n, _ in rnn.named_parameters()], weights, strict=True))
        return torch.func.functional_call(rnn, state, (x.detach(),))[1]

    assert torch.autograd.gradcheck(loss_of, params)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lengths_and_packed_sequences_are_each_sequence_alone(bidirectional):
    torch.manual_seed(0)
    rnn = ElmanRNN(2, 4, num_layers=2, nonlinearity="elu", batch_first=True,
                   bidirectional=bidirectional)
    x = torch.randn(4, 6, 2)
    lengths = torch.tensor([6, 2, 4, 1])
    out, h_n = rnn(x, lengths=lengths)
    packed_out, packed_h = rnn(pack_padded_sequence(x, lengths, batch_first=True,
                                                    enforce_sorted=False))
    padded, _ = pad_packed_sequence(packed_out, batch_first=True)
    torch.testing.assert_close(padded, out[:, : padded.shape[1]])
    torch.testing.assert_close(packed_h, h_n)
    for i, n in enumerate(lengths.tolist()):
        alone, h_alone = rnn(x[i : i + 1, :n])
        torch.testing.assert_close(out[i : i + 1, :n], alone, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(h_n[:, i : i + 1], h_alone, rtol=1e-5, atol=1e-6)
        assert (out[i, n:] == 0).all()
    # The same as torch's RNN on the same packed batch.
    ref = nn.RNN(2, 4, num_layers=2, batch_first=True, bidirectional=bidirectional)
    same = ElmanRNN(2, 4, num_layers=2, batch_first=True, bidirectional=bidirectional)
    same.load_state_dict(ref.state_dict())
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    torch.testing.assert_close(same(packed)[1], ref(packed)[1], rtol=1e-5, atol=1e-6)


def test_dropout_between_layers_in_training_only():
    rnn = ElmanRNN(2, 16, num_layers=2, nonlinearity="silu", dropout=0.5)
    x = torch.randn(5, 3, 2)
    rnn.eval()
    torch.testing.assert_close(rnn(x)[0], rnn(x)[0])
    rnn.train()
    torch.manual_seed(1)
    a = rnn(x)[0]
    torch.manual_seed(2)
    assert not torch.equal(a, rnn(x)[0])


def test_no_steps():
    rnn = ElmanRNN(2, 3, nonlinearity="gelu", batch_first=True)
    out, h_n = rnn(torch.zeros(4, 0, 2))
    assert out.shape == (4, 0, 3)
    assert (h_n == 0).all() and h_n.shape == (1, 4, 3)


@pytest.mark.parametrize(
    "nonlinearity, error, match",
    [
        ("swish", ValueError, "nonlinearity must be one of"),
        (3, TypeError, "a name or a callable"),
        (lambda x: x.sum(), TypeError, "same shape"),
        (lambda x: x.foo(), TypeError, "cannot be applied"),
    ],
)
def test_bad_activation(nonlinearity, error, match):
    with pytest.raises(error, match=match):
        ElmanRNN(2, 3, nonlinearity=nonlinearity)


def test_recurrent_net_picks_the_layer_and_counts_match():
    for name, expected in [("tanh", nn.RNN), ("relu", nn.RNN), ("gelu", ElmanRNN)]:
        net = RecurrentNet(3, 2, cell="rnn", hidden_size=6, num_layers=2,
                           bidirectional=True, nonlinearity=name)
        assert isinstance(net.rnn, expected)
        assert count_parameters(net) == count_parameters(
            RecurrentNet(3, 2, cell="rnn", hidden_size=6, num_layers=2,
                         bidirectional=True)
        )
    net = RecurrentNet(3, 2, cell="rnn", hidden_size=6, nonlinearity=softplus)
    assert type(net.rnn) is ElmanRNN and net(torch.randn(5, 4, 3)).shape == (5, 2)
    a = net.reset_parameters(torch.Generator().manual_seed(0)).state_dict()
    b = net.reset_parameters(torch.Generator().manual_seed(0)).state_dict()
    for key in a:
        torch.testing.assert_close(a[key], b[key])


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 5, 2)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


def test_estimators_fit_with_any_activation(data):
    X, y = data
    for name in ACTIVATIONS:
        reg = RNNRegressor(**FAST, nonlinearity=name).fit(X, y)
        assert np.isfinite(reg.predict(X)).all(), name
    clf = RNNClassifier(**FAST, nonlinearity=softplus).fit(X, y > 0)
    assert isinstance(clf.module_.rnn, ElmanRNN)
    search = GridSearchCV(RNNRegressor(**FAST), {"nonlinearity": ["tanh", "softsign"]},
                          cv=2).fit(X, y)
    assert search.best_params_["nonlinearity"] in ("tanh", "softsign")
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNRegressor(**FAST, nonlinearity="swish").fit(X, y)


def test_persistence_of_activations(data, tmp_path):
    X, y = data
    named = RNNRegressor(**FAST, nonlinearity="leaky_relu").fit(X, y)
    save_model(named, tmp_path / "named.skrnn")
    assert_array_equal(load_model(tmp_path / "named.skrnn").predict(X),
                       named.predict(X))
    assert_array_equal(pickle.loads(pickle.dumps(named)).predict(X), named.predict(X))
    custom = RNNRegressor(**FAST, nonlinearity=softplus).fit(X, y)
    with pytest.raises(TypeError, match="'nonlinearity' parameter .* callable.*joblib"):
        save_model(custom, tmp_path / "custom.skrnn")
    joblib.dump(custom, tmp_path / "custom.joblib")
    assert_array_equal(joblib.load(tmp_path / "custom.joblib").predict(X),
                       custom.predict(X))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    torch.manual_seed(0)
    rnn = ElmanRNN(3, 8, num_layers=2, nonlinearity="gelu", batch_first=True,
                   bidirectional=True)
    x = torch.randn(4, 9, 3)
    lengths = torch.tensor([9, 3, 5, 1])
    out, h_n = rnn(x, lengths=lengths)
    out_gpu, h_gpu = rnn.cuda()(x.cuda(), lengths=lengths.cuda())
    torch.testing.assert_close(out_gpu.cpu(), out, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(h_gpu.cpu(), h_n, rtol=1e-4, atol=1e-5)
    h_gpu.sum().backward()
    assert all(p.grad is not None and p.grad.is_cuda for p in rnn.parameters())


def test_module_activation_is_the_networks_own(data):
    X, y = data
    prelu = nn.PReLU()
    reg = RNNRegressor(**FAST, nonlinearity=prelu, lr=0.05).fit(X, y)
    assert prelu.weight.item() == 0.25  # the caller's module is not trained
    rnn = reg.module_.rnn
    assert rnn.activation is not prelu and rnn.nonlinearity is rnn.activation
    assert [n for n in rnn.state_dict() if "activation" in n] == ["activation.weight"]
    assert count_parameters(reg.module_) == count_parameters(
        RecurrentNet(2, 1, cell="rnn", hidden_size=8)) + 1
