"""Sequences of different lengths: the data form, the network, the estimators."""

import io

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from skrnn import (
    GRURegressor,
    LSTMClassifier,
    RecurrentRegressor,
    RNNClassifier,
    load_model,
    save_model,
)
from skrnn._data import RaggedSequences, is_ragged
from skrnn.nn import RecurrentNet
from skrnn.preprocessing import (
    SequenceScaler,
    from_channels_first,
    from_nan_padded,
    to_channels_first,
    to_nan_padded,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=12, max_epochs=15, lr=1e-2, random_state=0)


def make_ragged(n=120, n_features=2, low=3, high=25, seed=0):
    """Sequences of different lengths; the label is the sign of the last step."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(low, high + 1, size=n)
    X = [rng.normal(size=(length, n_features)).astype(np.float32) for length in lengths]
    y = np.array(["neg", "pos"])[[int(x[-1, 0] > 0) for x in X]]
    return X, y


# -- the data form -------------------------------------------------------------------


def test_ragged_sequences_round_trip():
    X, _ = make_ragged(10)
    ragged = RaggedSequences.from_sequences(X)
    assert len(ragged) == 10
    assert_array_equal(ragged.lengths, [len(x) for x in X])
    assert ragged.shape == (10, max(len(x) for x in X), 2)
    for got, want in zip(ragged, X, strict=True):
        assert_array_equal(got, want)
    part = ragged[np.array([7, 2])]
    assert_array_equal(part[0], X[7])
    assert_array_equal(part[1], X[2])
    assert_array_equal(ragged[3:5][1], X[4])
    mask = np.zeros(10, dtype=bool)
    mask[[1, 8]] = True
    assert_array_equal(ragged[mask][1], X[8])


def test_is_ragged():
    assert is_ragged([np.zeros(3), np.zeros(4)])
    assert not is_ragged([np.zeros(3), np.zeros(3)])
    assert not is_ragged(np.zeros((3, 4)))
    assert not is_ragged("abc")


def test_nan_padded_round_trip():
    X, _ = make_ragged(8)
    padded = to_nan_padded(X)
    assert padded.shape == (8, max(len(x) for x in X), 2)
    back = from_nan_padded(padded)
    for got, want in zip(back, X, strict=True):
        assert_array_equal(got, want)
    # univariate: 2-D in, 1-D sequences out
    flat = from_nan_padded(np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan]]))
    assert [x.tolist() for x in flat] == [[1.0, 2.0], [3.0]]


def test_from_nan_padded_refuses_inner_nan_and_empty():
    with pytest.raises(ValueError, match=r"X\[1\] has NaN at time step 1, before"):
        from_nan_padded(np.array([[1.0, 2.0, 3.0], [4.0, np.nan, 5.0]]))
    with pytest.raises(ValueError, match=r"X\[0\] is NaN at every time step"):
        from_nan_padded(np.array([[np.nan, np.nan], [1.0, 2.0]]))
    # a step NaN in one feature only is not padding
    X = np.ones((2, 3, 2))
    X[0, 2, 0] = np.nan
    with pytest.raises(ValueError, match="before its last observed step"):
        from_nan_padded(X)


def test_channels_first_lists():
    aeon = [np.arange(6.0).reshape(2, 3), np.arange(8.0).reshape(2, 4)]
    ours = from_channels_first(aeon)
    assert [x.shape for x in ours] == [(3, 2), (4, 2)]
    assert_array_equal(ours[1][:, 1], aeon[1][1])
    assert [x.shape for x in to_channels_first(ours)] == [(2, 3), (2, 4)]


# -- the network ----------------------------------------------------------------------


@pytest.mark.parametrize("cell,nonlinearity", [("lstm", "tanh"), ("gru", "tanh"),
                                                ("rnn", "tanh"), ("rnn", "gelu")])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_module_reads_each_sequence_at_its_true_end(cell, nonlinearity, bidirectional,
                                                    return_sequences):
    net = RecurrentNet(3, 2, cell=cell, hidden_size=8, num_layers=2,
                       bidirectional=bidirectional, nonlinearity=nonlinearity,
                       return_sequences=return_sequences).eval()
    short = torch.randn(1, 5, 3)
    alone = net(short)
    # batched with a much longer sequence, padding filled with garbage
    batch = torch.randn(2, 60, 3) * 100
    batch[0, :5] = short[0]
    out = net(batch, lengths=torch.tensor([5, 60]))
    if return_sequences:
        torch.testing.assert_close(out[0, :5], alone[0], rtol=1e-5, atol=1e-5)
    else:
        torch.testing.assert_close(out[0], alone[0], rtol=1e-5, atol=1e-5)
    # (an unbounded activation over inputs of 100s: float32's relative precision)
    torch.testing.assert_close(out[1:], net(batch[1:]), rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        torch.testing.assert_close(net(batch, lengths=torch.tensor([5, 60])), out,
                                   rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell,nonlinearity", [("lstm", "tanh"), ("gru", "tanh"),
                                                ("rnn", "tanh"), ("rnn", "relu")])
@pytest.mark.parametrize("bias", [True, False])
def test_reversal_within_lengths_equals_packing(cell, nonlinearity, bias):
    # The CPU path of a bidirectional layer over a padded batch against torch's
    # packed sequences: same outputs at every true step, zeros past the ends,
    # and the same gradients for every weight.
    from skrnn.nn._recurrent import _reversed_within_lengths

    torch.manual_seed(0)
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    extra = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    rnn = kind(3, 6, num_layers=3, bias=bias, batch_first=True,
               bidirectional=True, **extra)
    lengths = torch.tensor([7, 1, 12, 4, 12])
    X = torch.randn(5, 12, 3)
    valid = (torch.arange(12) < lengths.unsqueeze(1)).unsqueeze(2)
    X = torch.where(valid, X, torch.full_like(X, 1e3))  # garbage padding
    ours = _reversed_within_lengths(rnn, X, lengths)
    packed = torch.nn.utils.rnn.pack_padded_sequence(X, lengths, batch_first=True,
                                                     enforce_sorted=False)
    theirs = torch.nn.utils.rnn.pad_packed_sequence(rnn(packed)[0], batch_first=True,
                                                    total_length=12)[0]
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    weights = torch.randn_like(ours)
    grads = [torch.autograd.grad((out * weights).sum(), list(rnn.parameters()))
             for out in (ours, theirs)]
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_bidirectional_dropout_between_layers_follows_the_generator():
    from skrnn.nn._generator import set_generator

    net = RecurrentNet(2, 1, cell="gru", hidden_size=8, num_layers=2, dropout=0.5,
                       bidirectional=True).train()
    X, lengths = torch.randn(4, 9, 2), torch.tensor([9, 3, 5, 9])
    runs = []
    for _ in range(2):
        set_generator(net, torch.Generator().manual_seed(3))
        state = torch.get_rng_state()
        runs.append(net(X, lengths=lengths))
        assert torch.equal(state, torch.get_rng_state())  # the global one is untouched
    torch.testing.assert_close(runs[0], runs[1], rtol=0, atol=0)
    set_generator(net, torch.Generator().manual_seed(4))
    assert not torch.allclose(net(X, lengths=lengths), runs[0])


# -- the estimators -------------------------------------------------------------------


def test_classifier_learns_from_ragged_lists():
    X, y = make_ragged(200)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 40}).fit(X, y)
    assert clf.n_features_in_ == 2 and clf.input_size_ == 2
    assert clf.score(X, y) > 0.9
    assert clf.loss_curve_[0] > 2 * clf.loss_curve_[-1]


def test_same_prediction_alone_or_batched_with_longer_ones():
    X, y = make_ragged(60)
    reg = GRURegressor(**FAST).fit(X, np.array([x.sum() for x in X]))
    rng = np.random.RandomState(1)
    long_ones = [rng.normal(size=(400, 2)) for _ in range(40)]
    alone = reg.predict(X[:1])
    batched = reg.predict(long_ones[:20] + [X[0]] + long_ones[20:])
    assert_allclose(batched[20], alone[0], rtol=1e-5, atol=1e-5)
    # and equal-length input still works after a ragged fit
    assert reg.predict(np.stack(long_ones[:3])).shape == (3,)


def test_univariate_ragged_lists():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=n) for n in rng.randint(4, 20, size=50)]
    y = np.array([x[-1] for x in X])
    reg = RecurrentRegressor(cell="gru", **FAST).fit(X, y)
    assert reg.n_features_in_ == 1
    assert reg.predict(X[:5]).shape == (5,)
    # 2-D arrays are univariate sequences once fitted on sequences
    assert reg.predict(rng.normal(size=(3, 7))).shape == (3,)


def test_pipeline_cross_validation_and_grid_search():
    X, y = make_ragged(90)
    X = [x * 10 + 3 for x in X]
    pipe = make_pipeline(SequenceScaler(), RNNClassifier(**FAST))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    search = GridSearchCV(pipe, {"rnnclassifier__hidden_size": [4, 8]}, cv=2)
    search.fit(X, y)
    assert search.predict(X[:4]).shape == (4,)


def test_sequence_scaler_on_lists():
    rng = np.random.RandomState(0)
    X = [rng.normal(5, 2, size=(n, 3)) for n in (4, 9, 2)]
    scaler = SequenceScaler().fit(X)
    assert_allclose(scaler.mean_, np.concatenate(X).mean(axis=0))
    out = scaler.transform(X)
    assert [x.shape for x in out] == [(4, 3), (9, 3), (2, 3)]
    assert_allclose(np.concatenate(out).mean(axis=0), 0, atol=1e-12)
    back = scaler.inverse_transform(out)
    for got, want in zip(back, X, strict=True):
        assert_allclose(got, want)
    flat = SequenceScaler().fit_transform([np.arange(3.0), np.arange(5.0)])
    assert [x.shape for x in flat] == [(3,), (5,)]


def test_partial_fit_warm_start_and_early_stopping():
    X, y = make_ragged(80)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2})
    clf.partial_fit(X, y, classes=["neg", "pos"]).partial_fit(X[:30], y[:30])
    assert clf.n_iter_ == 2
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == 4
    early = LSTMClassifier(**FAST, early_stopping=True).fit(X, y)
    assert early.validation_loss_curve_ is not None


def test_joblib_and_save_model_round_trips(tmp_path):
    X, y = make_ragged(40)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 3}).fit(X, y)
    expected = clf.predict_proba(X)
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    assert_allclose(joblib.load(buffer).predict_proba(X), expected)
    path = tmp_path / "model.skrnn"
    save_model(clf, path)
    assert_allclose(load_model(path).predict_proba(X), expected)


# -- bad input ------------------------------------------------------------------------


def test_bad_ragged_input():
    X, y = make_ragged(10)
    clf = LSTMClassifier(**FAST)
    with pytest.raises(ValueError, match=r"X\[3\] has 3 features per time step, but "
                                         r"X\[0\] has 2"):
        clf.fit(X[:3] + [np.zeros((4, 3))] + X[4:], y)
    with pytest.raises(ValueError, match=r"X\[2\] is an empty sequence"):
        clf.fit(X[:2] + [np.zeros((0, 2))] + X[3:], y)
    bad = [x.copy() for x in X]
    bad[4][1, 0] = np.nan
    with pytest.raises(ValueError, match=r"contains NaN: sequence X\[4\] at time step "
                                         r"1.*from_nan_padded"):
        clf.fit(bad, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="strings"):
        clf.fit(X[:2] + [np.array(["a", "b"])] + X[3:], y)
    assert not hasattr(clf, "net_")  # nothing fitted half-way


def test_ragged_predict_checks_the_fitted_layout():
    X, y = make_ragged(30)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features per time step, but"):
        clf.predict([np.zeros((3, 3)), np.zeros((5, 3))])
    flat = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(np.zeros((6, 4)), y[:6])
    with pytest.raises(ValueError, match="fitted on a 2-D array of univariate"):
        flat.predict([np.zeros(3), np.zeros(5)])


def test_compare_cells_on_ragged_lists():
    from skrnn import RecurrentClassifier, compare_cells

    X, y = make_ragged(60)
    report = compare_cells(RecurrentClassifier(**{**FAST, "max_epochs": 3}), X, y,
                           cells=["lstm", "gru"], cv=2)
    frame = report.to_frame()
    assert len(frame) == 2 and frame.iloc[:, 0].notna().all()


def test_nan_padded_array_error_points_to_from_nan_padded():
    X, y = make_ragged(10)
    padded = to_nan_padded(X)
    with pytest.raises(ValueError, match=r"(?s)Input X contains NaN.*from_nan_padded"):
        LSTMClassifier(**FAST).fit(padded, y)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2}).fit(from_nan_padded(padded), y)
    assert clf.n_features_in_ == 2


def test_training_batches_visit_every_sequence_once_in_buckets():
    from skrnn._training import TensorRagged

    X, _ = make_ragged(500, low=1, high=200)
    tensors = TensorRagged.from_ragged(RaggedSequences.from_sequences(X))
    torch.manual_seed(0)
    order = torch.randperm(500)
    batches = tensors.batches(order, 10, shuffle=True)
    rows = torch.cat(batches)
    assert sorted(rows.tolist()) == list(range(500))
    lengths = tensors.lengths
    spread = np.mean([int(lengths[b].max() - lengths[b].min()) for b in batches])
    assert spread < 20  # lengths 1..200: random batches would spread over ~160
    # without shuffling, the order is kept (outputs line up with the inputs)
    in_order = torch.cat(tensors.batches(None, 7, shuffle=False))
    assert in_order.tolist() == list(range(500))
    batch = tensors[torch.tensor([3, 4])]
    assert batch["X"].shape == (2, max(len(X[3]), len(X[4])), 2)
    assert batch["lengths"].tolist() == [len(X[3]), len(X[4])]
    assert_array_equal(batch["X"][0, : len(X[3])].numpy(), X[3])
    assert (batch["X"][0, len(X[3]) :] == 0).all()


def test_zero_weights_on_ragged_sequences_equal_dropping_them():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)).astype(np.float32) for n in rng.randint(3, 12, 40)]
    y = np.array([x[:, 0].sum() for x in X])
    w = np.ones(len(X))
    w[::4] = 0
    kept = [x for x, keep in zip(X, w > 0, strict=True) if keep]
    params = dict(hidden_size=4, max_epochs=3, random_state=0)
    weighted = GRURegressor(**params).fit(X, y, sample_weight=w)
    dropped = GRURegressor(**params).fit(kept, y[w > 0])
    np.testing.assert_array_equal(weighted.predict(X), dropped.predict(X))
