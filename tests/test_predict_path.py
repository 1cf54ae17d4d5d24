"""The fast data paths: prediction as skorch computes it, epochs over lazy windows."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from skorch.callbacks import Callback

from skrnn import GRUClassifier, LSTMRegressor, RecurrentRegressor
from skrnn._inference import MAX_ROWS, MIN_ROWS, TARGET_BYTES, auto_batch_size
from skrnn._training import SequenceDataset, TensorWindows
from skrnn.preprocessing import SlidingWindow

FAST = dict(hidden_size=8, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        from sklearn.exceptions import ConvergenceWarning

        warnings.simplefilter("ignore", category=ConvergenceWarning)
        yield


def _data(n=70, t=6, f=2):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


def _skorch_forward(est, X_t, batch_size):
    """skorch's forward pass of ``est``'s net in batches of ``batch_size`` rows."""
    net = copy.deepcopy(est.net_)
    net.iterator_valid__batch_size = batch_size
    with torch.inference_mode():
        return net.forward(SequenceDataset(X_t), training=False).numpy()


def _batches_seen(est):
    """Make ``est.module_`` record the number of rows of every forward pass."""
    seen = []
    est.module_.register_forward_pre_hook(lambda _, args: seen.append(len(args[0])))
    return seen


@pytest.mark.parametrize("predict_batch_size", [None, 16])
@pytest.mark.parametrize("n", [1, 16, 70])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_predict_is_bit_identical_to_skorch_forward(cell, n, predict_batch_size):
    X, y = _data()
    est = RecurrentRegressor(cell=cell, dropout=0.5, num_layers=2,
                             predict_batch_size=predict_batch_size, **FAST).fit(X, y)
    est.module_.train(True)  # predict must switch dropout off, as skorch does
    size = predict_batch_size or auto_batch_size(est, n, X.shape[1])
    expected = _skorch_forward(est, torch.from_numpy(X[:n]), size)
    assert_array_equal(est._forward(X[:n]), expected)
    assert not any(part.training for part in est.module_.modules())
    est.module_.rnn.train(True)  # one layer only: the top module says eval
    assert_array_equal(est._forward(X[:n]), expected)
    assert not est.module_.rnn.training


@pytest.mark.parametrize("batch_size", [16, 64])
def test_prediction_batches_are_chosen_for_speed_not_by_batch_size(batch_size):
    X, y = _data(n=3000, t=3, f=1)
    est = RecurrentRegressor(**{**FAST, "batch_size": batch_size}).fit(X[:64], y[:64])
    seen = _batches_seen(est)
    est.predict(X)
    # hidden 8, 3 steps: (4 gates + 1) * 8 floats a step, 480 bytes a sequence;
    # TARGET_BYTES would take far more rows than MAX_ROWS, which caps them.
    assert TARGET_BYTES // 480 > MAX_ROWS
    assert seen == [MAX_ROWS, MAX_ROWS, 3000 - 2 * MAX_ROWS]


def test_prediction_batches_shrink_with_their_activations():
    X, y = _data(n=40, t=4, f=1)
    est = RecurrentRegressor(**{**FAST, "hidden_size": 64}).fit(X, y)
    # 5 * 64 floats a step: 1,280 bytes per step of one sequence.
    assert auto_batch_size(est, 10**6, 16) == TARGET_BYTES // (1280 * 16)  # 819
    assert MIN_ROWS < auto_batch_size(est, 10**6, 16) < MAX_ROWS
    gru = RecurrentRegressor(**{**FAST, "hidden_size": 64, "cell": "gru"}).fit(X, y)
    assert auto_batch_size(gru, 10**6, 16) == TARGET_BYTES // (1024 * 16)  # 3 gates


def test_long_sequences_get_at_least_min_rows_within_the_memory_cap():
    X, y = _data(n=40, t=4, f=1)
    est = RecurrentRegressor(**{**FAST, "hidden_size": 64}).fit(X, y)
    # 5 * 64 floats a step: 12,800 bytes per step of one sequence.
    assert auto_batch_size(est, 10**6, 100) == MIN_ROWS  # 1.3 MB a sequence
    assert auto_batch_size(est, 10**6, 2000) == 26  # 25.6 MB a sequence: 64 MB cap
    assert auto_batch_size(est, 10**6, 200_000) == 1
    assert auto_batch_size(est, 7, 100) == 7


def test_explicit_prediction_batch_sizes_are_kept():
    X, y = _data()
    est = RecurrentRegressor(**FAST, predict_batch_size=32).fit(X, y)
    seen = _batches_seen(est)
    auto = est.predict(X)
    assert seen == [32, 32, 6]
    seen.clear()
    est.set_params(predict_batch_size=None)
    est.net_.iterator_valid__batch_size = 20  # a net's own setting is kept too
    assert_allclose(est.predict(X), auto, rtol=1e-5, atol=1e-6)
    assert seen == [20, 20, 20, 10]
    seen.clear()
    est.net_.iterator_valid__batch_size = -1
    est.predict(X)
    assert seen == [70]


def test_predict_output_is_preallocated_not_concatenated():
    """The batches' outputs are written into one array (no list of pieces plus
    their concatenation): what comes back owns no more than the outputs."""
    X, y = _data(n=300)
    est = RecurrentRegressor(**FAST, predict_batch_size=64).fit(X, y)
    out = est._forward(X)
    assert out.shape == (300, 1) and out.dtype == np.float32
    assert_allclose(out, est.set_params(predict_batch_size=300)._forward(X),
                    rtol=1e-5, atol=1e-6)


def test_predict_on_windows_is_bit_identical_to_skorch_forward():
    rng = np.random.RandomState(0)
    series = pd.DataFrame(rng.normal(size=(90, 2)), columns=["a", "b"])
    windows = SlidingWindow(window=8).fit_transform(series)
    est = LSTMRegressor(**FAST).fit(windows, series["a"].to_numpy())
    out = est._forward(windows)
    series_t = torch.from_numpy(windows.series.astype(np.float32))
    complete = np.flatnonzero(windows.complete)
    starts = torch.from_numpy(windows.ends[complete] - 8)
    size = auto_batch_size(est, len(windows), 8)
    expected = _skorch_forward(est, TensorWindows(series_t, starts, 8), size)
    assert_array_equal(out[complete], expected)
    first = np.flatnonzero(~windows.complete)[3]  # a row with 3 observations
    short = TensorWindows(series_t, torch.tensor([0]), int(windows.lengths[first]))
    assert_array_equal(out[first], _skorch_forward(est, short, size)[0])


def test_classifier_probabilities_match_skorch_forward():
    X, y = _data()
    labels = np.where(y > 0, "up", "down")
    clf = GRUClassifier(**FAST).fit(X, labels)
    size = auto_batch_size(clf, len(X), X.shape[1])
    logits = _skorch_forward(clf, torch.from_numpy(X), size).astype(np.float64)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)


def test_float64_and_strided_input_predict_as_float32():
    X, y = _data()
    est = RecurrentRegressor(**FAST).fit(X, y)
    expected = est.predict(X)
    assert_array_equal(est.predict(X.astype(np.float64)), expected)
    assert_array_equal(est.predict(np.asfortranarray(X)), expected)
    assert_array_equal(est.predict(X.tolist()), expected)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.nan, "Input X contains NaN"),
        (np.inf, "Input X contains infinity"),
        (1e39, "Input X contains infinity or a value too large for dtype"),
    ],
)
def test_bad_values_get_scikit_learns_errors_without_numpy_warnings(bad, message):
    X, y = _data()
    est = RecurrentRegressor(**FAST).fit(X, y)
    X_bad = X.astype(np.float64)
    X_bad[3, 2, 1] = bad
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=message):
            est.predict(X_bad)


def test_wrong_shapes_get_the_usual_errors():
    X, y = _data()
    est = RecurrentRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features per time step, but"):
        est.predict(np.zeros((4, 6, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(np.zeros((0, 6, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="0 time step"):
        est.predict(np.zeros((4, 0, 2), dtype=np.float32))
    # A 2-D array is univariate sequences: refused for a two-feature model.
    with pytest.raises(ValueError, match="1 feature per time step"):
        est.predict(np.zeros((4, 6), dtype=np.float32))


def test_two_d_fit_keeps_its_column_checks():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.normal(size=(40, 5)), columns=list("abcde"))
    est = RecurrentRegressor(**FAST).fit(frame, frame["e"])
    expected = est.predict(frame)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert_array_equal(est.predict(frame.to_numpy()), expected)
    plain = RecurrentRegressor(**FAST).fit(frame.to_numpy(), frame["e"])
    with pytest.raises(ValueError, match="X has 4 features, but"):
        plain.predict(frame.to_numpy()[:, :4])


class WindowStarts(Callback):
    """Records where each training window starts (the series holds its positions)."""

    def initialize(self):
        self.epochs_ = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.epochs_.append([])

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training:
            self.epochs_[-1].append(batch[0][:, 0, 0].clone())


@pytest.mark.parametrize("shuffle", [True, False])
def test_each_epoch_over_lazy_windows_feeds_every_window_once(shuffle):
    n, window = 75, 6
    series = np.stack([np.arange(n), np.sin(np.arange(n))], axis=1).astype(np.float32)
    windows = SlidingWindow(window=window).fit_transform(series)
    recorder = WindowStarts()
    est = RecurrentRegressor(**{**FAST, "max_epochs": 3}, shuffle=shuffle,
                             callbacks=[("starts", recorder)])
    est.fit(windows, series[:, 1])
    epochs = dict(est.net_.callbacks_)["starts"].epochs_
    assert len(epochs) == 3
    expected = np.arange(0, n - window)  # complete windows start at 0 .. n-window-1
    orders = []
    for batches in epochs:
        assert all(len(b) <= FAST["batch_size"] for b in batches)
        seen = torch.cat(batches).numpy()
        assert_array_equal(np.sort(seen), expected)
        orders.append(seen)
    assert (not np.array_equal(orders[0], orders[1])) == shuffle
