"""The fast data paths: prediction as skorch computes it, epochs over lazy windows."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_array_equal
from skorch.callbacks import Callback

from skrnn import GRUClassifier, LSTMRegressor, RecurrentRegressor
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


def _skorch_forward(est, X_t):
    with torch.inference_mode():
        return est.net_.forward(SequenceDataset(X_t), training=False).numpy()


@pytest.mark.parametrize("n", [1, 16, 70])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_predict_is_bit_identical_to_skorch_forward(cell, n):
    X, y = _data()
    est = RecurrentRegressor(cell=cell, dropout=0.5, num_layers=2, **FAST).fit(X, y)
    est.module_.train(True)  # predict must switch dropout off, as skorch does
    expected = _skorch_forward(est, torch.from_numpy(X[:n]))
    assert_array_equal(est._forward(X[:n]), expected)
    assert not est.module_.training


def test_predict_on_windows_is_bit_identical_to_skorch_forward():
    rng = np.random.RandomState(0)
    series = pd.DataFrame(rng.normal(size=(90, 2)), columns=["a", "b"])
    windows = SlidingWindow(window=8).fit_transform(series)
    est = LSTMRegressor(**FAST).fit(windows, series["a"].to_numpy())
    out = est._forward(windows)
    series_t = torch.from_numpy(windows.series.astype(np.float32))
    complete = np.flatnonzero(windows.complete)
    starts = torch.from_numpy(windows.ends[complete] - 8)
    expected = _skorch_forward(est, TensorWindows(series_t, starts, 8))
    assert_array_equal(out[complete], expected)
    first = np.flatnonzero(~windows.complete)[3]  # a row with 3 observations
    short = TensorWindows(series_t, torch.tensor([0]), int(windows.lengths[first]))
    assert_array_equal(out[first], _skorch_forward(est, short)[0])


def test_classifier_probabilities_match_skorch_forward():
    X, y = _data()
    labels = np.where(y > 0, "up", "down")
    clf = GRUClassifier(**FAST).fit(X, labels)
    logits = _skorch_forward(clf, torch.from_numpy(X)).astype(np.float64)
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
