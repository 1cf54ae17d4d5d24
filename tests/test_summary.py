"""summary() and ModelSummary: shapes, counts that add up, any torch module."""

import numpy as np
import pytest
import torch
from sklearn.base import is_classifier
from torch import nn

from skrnn import GRUClassifier, LSTMRegressor, RecurrentRegressor
from skrnn.nn import ElmanRNN, ModelSummary, RecurrentNet, summarize
from skrnn.utils import all_estimators

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _rows(summary):
    return {row["layer"]: row for row in summary.rows}


@pytest.mark.parametrize("cell, nonlinearity", [("lstm", "tanh"), ("gru", "tanh"),
                                                ("rnn", "tanh"), ("rnn", "gelu")])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_rows_and_counts(cell, nonlinearity, num_layers, bidirectional):
    net = RecurrentNet(3, 5, cell=cell, hidden_size=6, num_layers=num_layers,
                       bidirectional=bidirectional, nonlinearity=nonlinearity)
    summary = summarize(net, input_shape=(11, 3), batch_size=4)
    dirs = 2 if bidirectional else 1
    assert summary.total_params == sum(p.numel() for p in net.parameters())
    assert sum(row["params"] for row in summary.rows) == summary.total_params
    assert summary.to_frame()["params"].sum() == summary.total_params
    assert summary.param_bytes == 4 * summary.total_params
    rows = _rows(summary)
    assert rows["rnn"]["output_shape"] == str([4, 11, 6 * dirs])
    width = net.head.in_features  # what the readout hands the head
    assert rows["head"]["output_shape"] == "[4, 5]"
    assert rows["head"]["params"] == width * 5 + 5
    state = f"[{num_layers * dirs:d}, 4, 6]"
    expected_state = f"{state}, {state}" if cell == "lstm" else state
    assert rows["rnn (state)"]["output_shape"] == expected_state
    layer_rows = [name for name in rows if name.startswith("rnn.l")]
    if num_layers * dirs > 1:
        assert len(layer_rows) == num_layers * dirs
        for name in layer_rows:
            assert rows[name]["output_shape"] == "[4, 11, 6]"
        # Each layer row holds its layer's parameters, as torch names them.
        first = sum(p.numel() for n, p in net.rnn.named_parameters()
                    if n.endswith("_l0"))
        assert rows["rnn.l0"]["params"] == first
    else:
        assert layer_rows == [] and rows["rnn"]["params"] == sum(
            p.numel() for p in net.rnn.parameters())
    assert type(net.rnn).__name__ in str(summary)


def test_elman_rows_match_torch_rnn():
    args = dict(num_layers=2, bidirectional=True, batch_first=True)
    ours = summarize(ElmanRNN(3, 4, nonlinearity="softsign", **args),
                     input_shape=(7, 3))
    ref = summarize(nn.RNN(3, 4, **args), input_shape=(7, 3))
    assert [(r["output_shape"], r["params"]) for r in ours.rows] == [
        (r["output_shape"], r["params"]) for r in ref.rows
    ]


class _Partly(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.body = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
        self.frozen = nn.Linear(3, 2)
        self.frozen.weight.requires_grad_(False)
        self.unused = nn.Linear(2, 2)

    def forward(self, x):
        return {"out": self.frozen(self.body(x) * self.scale), "hidden": x}


def test_any_torch_module():
    module = _Partly().train()
    summary = summarize(module, input_shape=(4,), batch_size=2)
    assert isinstance(summary, ModelSummary)
    assert summary.total_params == sum(p.numel() for p in module.parameters())
    assert sum(row["params"] for row in summary.rows) == summary.total_params
    assert summary.trainable_params == summary.total_params - 6
    assert summary.non_trainable_params == 6
    rows = _rows(summary)
    assert rows[""]["params"] == 1
    assert rows[""]["output_shape"] == "out: [2, 2], hidden: [2, 4]"
    assert rows["body.0"]["output_shape"] == "[2, 8]" and rows["body.0"]["depth"] == 2
    assert summary.to_frame().set_index("layer").loc["frozen", "trainable"] == "partly"
    assert rows["unused"]["output_shape"] == "--" and rows["unused"]["params"] == 6
    assert "Not called in the forward pass: unused." in str(summary)
    # The module is left as it was: training mode, no hooks.
    assert module.training
    assert all(not m._forward_hooks and not m._forward_pre_hooks
               for m in module.modules())
    html = summary._repr_html_()
    assert html.startswith("<table>") and "<td style='text-align:right'>6</td>" in html
    with pytest.raises(ValueError, match="input_shape"):
        summarize(module)
    given = summarize(module, input_data=torch.zeros(5, 4))
    assert _rows(given)["body.2"]["output_shape"] == "[5, 3]"


def test_text_table():
    text = str(summarize(RecurrentNet(2, 1, hidden_size=8, readout="last"),
                         input_shape=(10, 2)))
    lines = text.splitlines()
    assert lines[1].split() == [
        "Layer", "Type", "Output", "shape", "Params", "Trainable"
    ]
    assert "Total params: 393" in text and "Trainable params: 393" in text
    assert "Parameter memory: 1.54 KiB" in text
    assert repr(summarize(RecurrentNet(2, 1, hidden_size=8, readout="last"),
                          input_shape=(10, 2))) == text


def test_summary_before_fit():
    est = LSTMRegressor(hidden_size=8, num_layers=2, bidirectional=True)
    with pytest.raises(ValueError, match="not fitted yet.*input_shape"):
        est.summary()
    before = torch.random.get_rng_state()
    summary = est.summary(input_shape=(30, 4), batch_size=16)
    assert torch.equal(torch.random.get_rng_state(), before)
    rows = _rows(summary)
    assert rows["rnn"]["output_shape"] == "[16, 30, 16]"
    assert rows["head"]["output_shape"] == "[16, 1]"
    assert "Not fitted" in str(summary)
    assert _rows(est.summary((30, 4), n_outputs=3))["head"]["output_shape"] == "[1, 3]"
    assert _rows(GRUClassifier().summary((5,)))["head"]["output_shape"] == "[1, 2]"
    assert not hasattr(est, "net_")  # summary does not fit
    for bad in [(30, 4, 1), (-1, 2), "30", (30.0, 4)]:
        with pytest.raises(ValueError, match="input_shape"):
            est.summary(bad)
    with pytest.raises(ValueError, match="hidden_size"):
        LSTMRegressor(hidden_size=0).summary((3, 1))


def test_summary_after_fit():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 12, 3)).astype(np.float32)
    y = X[:, :, 0].sum(axis=1)
    est = RecurrentRegressor(cell="gru", hidden_size=8, max_epochs=2, random_state=0)
    est.fit(X, y)
    summary = est.summary()
    assert summary.module is est.module_
    assert _rows(summary)["rnn"]["output_shape"] == "[1, 12, 8]"
    assert "n_timesteps=12: the length of the sequences" in str(summary)
    assert summary.total_params == sum(p.numel() for p in est.module_.parameters())
    # Before fit, the same network (same layers, same counts).
    unfitted = RecurrentRegressor(cell="gru", hidden_size=8).summary((12, 3))
    assert [r["params"] for r in unfitted.rows] == [r["params"] for r in summary.rows]
    assert _rows(est.summary((50, 3)))["rnn"]["output_shape"] == "[1, 50, 8]"
    with pytest.raises(ValueError, match="2 features per step, but"):
        est.summary((12, 2))
    with pytest.raises(ValueError, match="n_outputs is for an unfitted"):
        est.summary(n_outputs=2)
    est.partial_fit(X[:, :7], y)
    assert "fitted on sequences of 12, 7 steps" in str(est.summary())
    assert _rows(est.summary())["rnn"]["output_shape"] == "[1, 7, 8]"


@pytest.mark.parametrize(
    "cls", [cls for _, cls in all_estimators() if hasattr(cls, "partial_fit")],
    ids=lambda cls: cls.__name__,
)
def test_every_recurrent_estimator_has_a_summary(cls):
    conv = "filters" in cls().get_params()
    est = cls(filters=4) if conv else cls(hidden_size=4)
    summary = est.summary((6, 2, 5, 5) if conv else (6, 2))
    expected = 2 if is_classifier(est) else 1
    assert _rows(summary)["head"]["output_shape"] == f"[1, {expected}]"
    assert sum(r["params"] for r in summary.rows) == summary.total_params > 0


def test_conv_summary_shows_the_frames_shapes():
    from skrnn import ConvLSTMRegressor

    X = np.random.RandomState(0).rand(8, 4, 1, 6, 6).astype(np.float32)
    reg = ConvLSTMRegressor(filters=3, max_epochs=1, random_state=0).fit(X, X[:, -1])
    summary = reg.summary()
    assert _rows(summary)["rnn"]["output_shape"] == "[1, 4, 3, 6, 6]"
    assert summary.total_params == sum(p.numel() for p in reg.module_.parameters())
    assert _rows(summary)["head"]["output_shape"] == "[1, 1, 6, 6]"
