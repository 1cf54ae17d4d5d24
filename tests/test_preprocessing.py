"""Windowing, sequence scaling and layout conversions, alone and inside Pipelines."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import _safe_indexing

from skrnn import GRUClassifier, LSTMRegressor, RNNRegressor
from skrnn._base import _to_tensor
from skrnn.preprocessing import (
    SequenceScaler,
    SlidingWindow,
    WindowedSeries,
    from_channels_first,
    make_horizon_targets,
    make_windows,
    to_channels_first,
)

FAST = dict(hidden_size=8, max_epochs=15, lr=1e-2, random_state=0)


def integer_frame(n=60, start="2000-01-01", freq="D"):
    """Feature column x_t = t and a time index; the target is 1000 + t."""
    index = pd.date_range(start, periods=n, freq=freq)
    X = pd.DataFrame({"x": np.arange(n, dtype=float)}, index=index)
    y = 1000.0 + np.arange(n)
    return X, y


def hand_window(t, window, horizon):
    """The window of row t of the integer series, built by hand."""
    return np.arange(t - horizon - window + 1, t - horizon + 1, dtype=float)


class WindowProbe(RegressorMixin, BaseEstimator):
    """Predicts the target that the last value of its window implies.

    On the integer series (x_t = t, y_t = 1000 + t) a window aligned with its row
    ends at x = t - horizon, so the prediction 1000 + last + horizon is exact for
    every row with history and the R^2 is 1.0; a misaligned window or target
    breaks it. It also records every (window, target) pair it is fitted on.
    """

    seen = []

    def __init__(self, horizon=1):
        self.horizon = horizon

    def fit(self, X, y):
        windows = np.asarray(X)
        complete = ~np.isnan(windows).any(axis=(1, 2))
        WindowProbe.seen.append((windows[complete], np.asarray(y)[complete]))
        self.n_features_in_ = windows.shape[2]
        return self

    def predict(self, X):
        windows = np.asarray(X)
        return 1000.0 + windows[:, -1, 0] + self.horizon


# -- make_windows ----------------------------------------------------------------------


@pytest.mark.parametrize("window, horizon, step", [(3, 1, 1), (4, 2, 1), (5, 3, 2)])
def test_make_windows_match_hand_built(window, horizon, step):
    x = np.arange(20, dtype=float)
    y = 1000 + np.arange(20)
    W, targets = make_windows(x, y, window=window, horizon=horizon, step=step)
    starts = range(0, 20 - window - horizon + 1, step)
    assert W.shape == (len(starts), window, 1)
    for i, s in enumerate(starts):
        assert_array_equal(W[i, :, 0], np.arange(s, s + window))
        assert targets[i] == 1000 + s + window - 1 + horizon
    assert np.shares_memory(W, x) and not W.flags.writeable


def test_make_windows_without_y_keeps_the_last_window():
    W = make_windows(np.arange(10.0).reshape(5, 2), window=2)
    assert W.shape == (4, 2, 2)
    assert_array_equal(W[-1], [[6, 7], [8, 9]])


def test_make_windows_multi_horizon_targets():
    x = np.arange(12.0)
    Y = make_horizon_targets(x, horizon=3)
    assert Y.shape == (10, 3)
    W, T = make_windows(x[: len(Y)], Y, window=4)
    # The window ending at 3 is followed by 4, 5, 6.
    assert_array_equal(W[0, :, 0], [0, 1, 2, 3])
    assert_array_equal(T[0], [4, 5, 6])


def test_make_horizon_targets_keeps_pandas_index():
    y = pd.Series(np.arange(6.0), index=pd.date_range("2020", periods=6, freq="D"),
                  name="load")
    Y = make_horizon_targets(y, horizon=2)
    assert list(Y.columns) == ["load+1", "load+2"]
    assert Y.index.equals(y.index[:5])
    assert_array_equal(Y.iloc[-1], [4, 5])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(window=0), "'window' parameter"),
        (dict(window=3, horizon=0), "'horizon' parameter"),
        (dict(window=3, step=-1), "'step' parameter"),
        (dict(window=30), "window=30 is longer than the series"),
        (dict(window=10, horizon=15), "leave no window with a target"),
    ],
)
def test_make_windows_bad_input(kwargs, message):
    x = np.arange(20.0)
    with pytest.raises(ValueError, match=message):
        make_windows(x, x, **kwargs)


def test_make_windows_rejects_nan_and_misaligned_y():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        make_windows(np.where(x == 3, np.nan, x), window=2)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make_windows(x, x[:-1], window=2)


# -- WindowedSeries --------------------------------------------------------------------


def test_windowed_series_indexing_shares_the_series():
    series = np.arange(20.0).reshape(10, 2)
    windows = WindowedSeries(series, ends=range(0, 10), window=3)
    assert windows.shape == (10, 3, 2) and len(windows) == 10
    assert_array_equal(windows.lengths, [0, 1, 2, 3, 3, 3, 3, 3, 3, 3])
    part = windows[4:7]
    assert isinstance(part, WindowedSeries) and part.series is series
    assert_array_equal(np.asarray(part),
                       np.stack([series[1:4], series[2:5], series[3:6]]))
    picked = _safe_indexing(windows, np.array([9, 3]))  # how CV splits it
    assert_array_equal(np.asarray(picked), np.stack([series[6:9], series[0:3]]))
    masked = windows[np.arange(10) % 2 == 0]
    assert_array_equal(masked.ends, [0, 2, 4, 6, 8])
    assert_array_equal(windows[5], series[2:5])


def test_windowed_series_materialises_missing_history_as_nan():
    series = np.arange(4.0)[:, None]
    dense = np.asarray(WindowedSeries(series, ends=[0, 1, 4], window=2))
    assert np.isnan(dense[0]).all()
    assert np.isnan(dense[1, 0, 0]) and dense[1, 1, 0] == 0
    assert_array_equal(dense[2, :, 0], [2, 3])


def test_windowed_series_rejects_other_indexing():
    windows = WindowedSeries(np.zeros((5, 1)), ends=range(1, 6), window=2)
    with pytest.raises(IndexError, match="along its rows"):
        windows[:, 0]
    with pytest.raises(IndexError, match="integers or booleans"):
        windows[np.array([0.5])]
    with pytest.raises(ValueError, match="past the end of the series"):
        WindowedSeries(np.zeros((5, 1)), ends=[7], window=2)


# -- SlidingWindow: alignment ----------------------------------------------------------


@pytest.mark.parametrize("window, horizon", [(3, 1), (5, 2), (1, 4)])
def test_sliding_window_rows_match_hand_built_windows(window, horizon):
    X, _ = integer_frame(30)
    windows = SlidingWindow(window, horizon=horizon).fit_transform(X)
    dense = np.asarray(windows)
    assert dense.shape == (30, window, 1)
    for t in range(30):
        expected = hand_window(t, window, horizon)
        known = expected >= 0
        assert_array_equal(dense[t, known, 0], expected[known])
        assert np.isnan(dense[t, ~known, 0]).all()


def test_test_rows_get_the_history_that_precedes_them():
    X, _ = integer_frame(50)
    whole = np.asarray(SlidingWindow(6, horizon=2).fit_transform(X))
    sw = SlidingWindow(6, horizon=2).fit(X[:30])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # complete history: no warning
        test = sw.transform(X[30:])
    assert_array_equal(np.asarray(test), whole[30:])


@pytest.mark.parametrize(
    "make_index",
    [
        lambda n: pd.RangeIndex(100, 100 + n),
        lambda n: pd.period_range("1990-01", periods=n, freq="M"),
        lambda n: pd.date_range("1990-01-01", periods=n, freq="h"),
    ],
    ids=["integers", "periods", "hours"],
)
def test_history_follows_any_regular_index(make_index):
    n = 40
    X = pd.DataFrame({"x": np.arange(n, dtype=float)}, index=make_index(n))
    whole = np.asarray(SlidingWindow(4).fit_transform(X))
    test = SlidingWindow(4).fit(X[:25]).transform(X[25:])
    assert_array_equal(np.asarray(test), whole[25:])


def test_plain_arrays_get_no_invented_history_and_a_warning():
    X, _ = integer_frame(40)
    sw = SlidingWindow(5).fit(X.to_numpy()[:30])
    with pytest.warns(UserWarning, match="5 of the 10 rows of X have less than"):
        test = np.asarray(sw.transform(X.to_numpy()[30:]))
    assert np.isnan(test[0]).all()  # row 30 has no row of its own X before it
    assert_array_equal(test[-1, :, 0], np.arange(34, 39))
    with pytest.raises(ValueError, match="have less than window=5"):
        SlidingWindow(5, incomplete="raise").fit(X.to_numpy()[:30]).transform(
            X.to_numpy()[30:]
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SlidingWindow(5, incomplete="ignore").fit(X.to_numpy()[:30]).transform(
            X.to_numpy()[30:]
        )


def test_a_gap_between_fit_and_transform_gives_no_history():
    X, _ = integer_frame(50)
    sw = SlidingWindow(4).fit(X[:30])
    with pytest.warns(UserWarning, match="does not directly follow"):
        test = sw.transform(X[35:])
    assert np.isnan(np.asarray(test)[0]).all()


def test_alignment_through_cross_validation_and_grid_search():
    X, y = integer_frame(120)
    WindowProbe.seen = []
    pipe = make_pipeline(SlidingWindow(6, horizon=2), WindowProbe(horizon=2))
    scores = cross_val_score(pipe, X, y, cv=TimeSeriesSplit(4))
    assert_allclose(scores, 1.0)
    search = GridSearchCV(
        pipe,
        {"slidingwindow__window": [3, 8], "slidingwindow__horizon": [1, 3],
         "windowprobe__horizon": [1, 3]},
        cv=TimeSeriesSplit(3),
    ).fit(X, y)
    # Only the matching horizons are exact; the search must find that out.
    assert search.best_params_["slidingwindow__horizon"] == (
        search.best_params_["windowprobe__horizon"]
    )
    assert search.best_score_ == pytest.approx(1.0)
    for windows, targets in WindowProbe.seen:
        for window, target in zip(windows[:, :, 0], targets, strict=True):
            t = int(target - 1000)
            horizon = t - int(window[-1])
            assert_array_equal(window, hand_window(t, len(window), horizon))


def test_scaled_pipeline_keeps_the_index_with_pandas_output():
    X, y = integer_frame(80)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("window", SlidingWindow(4)),
         ("model", LSTMRegressor(**FAST))]
    ).set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*less than window")
        cross_val_score(pipe, X, y, cv=TimeSeriesSplit(2))


def test_cross_validated_scores_equal_scores_on_whole_series_windows():
    """A test fold windowed with its true history scores as windows built over
    the whole series do."""
    rng = np.random.RandomState(0)
    t = np.arange(160)
    X = pd.DataFrame({"a": np.sin(t / 4) + 0.1 * rng.normal(size=160),
                      "b": np.cos(t / 9)}, index=pd.date_range("2001", periods=160,
                                                                  freq="W"))
    y = np.sin((t + 1) / 4)
    cv = TimeSeriesSplit(3)
    pipe = make_pipeline(SlidingWindow(8), LSTMRegressor(**FAST))
    scores = cross_val_score(pipe, X, y, cv=cv)

    whole = SlidingWindow(8).fit_transform(X)
    expected = []
    for train, test in cv.split(X):
        model = LSTMRegressor(**FAST).fit(whole[train], y[train])
        expected.append(model.score(whole[test], y[test]))
    assert_allclose(scores, expected, rtol=1e-6)
    assert expected[-1] > 0.8  # it learned something


# -- no leakage ------------------------------------------------------------------------


@pytest.mark.parametrize("horizon", [1, 3])
def test_predictions_do_not_depend_on_the_future(horizon):
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.normal(size=(120, 2)),
                     index=pd.date_range("2010", periods=120, freq="D"))
    y = rng.normal(size=120)
    model = make_pipeline(SlidingWindow(5, horizon=horizon),
                          RNNRegressor(hidden_size=4, max_epochs=3, random_state=0))
    model.fit(X[:80], y[:80])
    before = model.predict(X[80:])
    changed = X.copy()
    k = 100
    changed.iloc[k:] += 50.0  # the future from row k on
    after = model.predict(changed[80:])
    # Row t may only use rows up to t - horizon: rows t < k + horizon are unmoved.
    unmoved = np.arange(80, 120) < k + horizon
    assert_array_equal(after[unmoved], before[unmoved])
    assert np.all(after[~unmoved] != before[~unmoved])


def test_incomplete_rows_are_forecast_from_what_they_have():
    rng = np.random.RandomState(2)
    series = rng.normal(size=(40, 2)).astype(np.float32)
    y = rng.normal(size=40)
    windows = SlidingWindow(6, incomplete="ignore").fit_transform(series)
    model = LSTMRegressor(hidden_size=4, max_epochs=3, random_state=0)
    model.fit(windows, y)
    # Rows without a full window are not trained on: same as fitting on the rest.
    alone = LSTMRegressor(hidden_size=4, max_epochs=3, random_state=0)
    alone.fit(windows[6:], y[6:])
    assert_array_equal(model.predict(windows), alone.predict(windows))
    pred = model.predict(windows)
    # Row 3 has the 3 observations before it; row 0 has none.
    assert pred[3] == pytest.approx(model.predict(series[None, 0:3])[0], abs=1e-6)
    with torch.inference_mode():
        empty = model.module_(torch.zeros(1, 0, 2)).item()
    assert pred[0] == pytest.approx(empty * model._y_scale[0] + model._y_mean[0],
                                    abs=1e-6)
    assert pred[6] == pytest.approx(model.predict(series[None, 0:6])[0], abs=1e-6)


def test_fit_needs_one_complete_window():
    windows = SlidingWindow(3, horizon=5, incomplete="ignore").fit_transform(
        np.zeros((6, 1))
    )
    with pytest.raises(ValueError, match="None of the 6 rows of X has a full window"):
        LSTMRegressor(max_epochs=1).fit(windows, np.zeros(6))


# -- memory ----------------------------------------------------------------------------


def test_windows_and_training_tensors_share_the_series():
    series = np.random.RandomState(0).normal(size=(500, 3)).astype(np.float32)
    windows = SlidingWindow(50).fit_transform(series)
    assert windows.series is series or np.shares_memory(windows.series, series)
    tensor = _to_tensor(windows.series)
    assert tensor.data_ptr() == series.__array_interface__["data"][0]
    # A DataFrame's values are a read-only, column-major view: shared as they are.
    read_only = SlidingWindow(50).fit_transform(pd.DataFrame(series)).series
    assert not read_only.flags.writeable and read_only.flags.f_contiguous
    shared = _to_tensor(read_only, contiguous=False)
    assert shared.data_ptr() == read_only.__array_interface__["data"][0]


# -- bad input -------------------------------------------------------------------------


def _frame(index):
    return pd.DataFrame({"x": np.arange(len(index), dtype=float)}, index=index)


@pytest.mark.parametrize(
    "X, params, message",
    [
        (np.zeros((5, 2)), dict(window=6), "window=6 is longer than the series"),
        (np.zeros((5, 2)), dict(window=0), "'window' parameter of SlidingWindow"),
        (np.zeros((5, 2)), dict(horizon=0, window=2), "'horizon' parameter"),
        (np.zeros((5, 2)), dict(window=2, incomplete="pad"), "'incomplete' parameter"),
        (np.array([[1.0], [np.nan], [2.0]]), dict(window=1), "Input X contains NaN"),
        (np.array([[1.0], [np.inf], [2.0]]), dict(window=1),
         "Input X contains infinity"),
        (_frame(pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-04",
                                  "2020-01-05"])), dict(window=2),
         "gaps or irregular steps"),
        (_frame(pd.DatetimeIndex(["2020-01-02", "2020-01-01", "2020-01-03"])),
         dict(window=2), "not sorted in increasing order"),
        (_frame(pd.Index([0, 1, 1, 2])), dict(window=2), "duplicate entries"),
        (_frame(pd.Index([0, 1, 2, 4, 5])), dict(window=2), "has a gap"),
        (_frame(pd.period_range("2020-01", periods=3, freq="M")[[0, 1]].append(
            pd.period_range("2020-06", periods=2, freq="M"))), dict(window=2),
         "has a gap between"),
        (np.array([["a"], ["b"]], dtype=object), dict(window=1), "could not convert"),
    ],
)
def test_sliding_window_bad_input(X, params, message):
    with pytest.raises(ValueError, match=message):
        SlidingWindow(**params).fit(X)


def test_sliding_window_checks_features_at_transform():
    sw = SlidingWindow(2).fit(np.zeros((5, 2)))
    with pytest.raises(
        ValueError, match="X has 3 features, but SlidingWindow is expecting 2"
    ):
        sw.transform(np.zeros((5, 3)))
    sw = SlidingWindow(2).fit(pd.DataFrame({"a": np.zeros(5), "b": np.zeros(5)}))
    with pytest.raises(ValueError, match="feature names"):
        sw.transform(pd.DataFrame({"b": np.zeros(5), "c": np.zeros(5)}))


# -- direct multi-step forecasts -------------------------------------------------------


def test_direct_multi_step_forecast_in_a_pipeline():
    t = np.arange(300)
    series = pd.Series(np.sin(t / 5), index=pd.RangeIndex(300), name="s")
    Y = make_horizon_targets(series, horizon=3)
    X = series.to_frame().loc[Y.index]
    model = make_pipeline(SlidingWindow(12),
                          LSTMRegressor(**{**FAST, "max_epochs": 40}))
    model.fit(X[:200], Y[:200])
    pred = model.predict(X[200:])
    assert pred.shape == (len(X) - 200, 3)
    assert model.score(X[200:], Y[200:]) > 0.8


# -- SequenceScaler --------------------------------------------------------------------


def test_sequence_scaler_matches_standard_scaler_per_feature():
    rng = np.random.RandomState(0)
    X = rng.normal(loc=[1, -5, 10], scale=[1, 2, 30], size=(20, 7, 3))
    scaled = SequenceScaler().fit_transform(X)
    flat = StandardScaler().fit_transform(X.reshape(-1, 3)).reshape(X.shape)
    assert_allclose(scaled, flat)
    assert_allclose(SequenceScaler().fit(X).inverse_transform(scaled), X)


def test_sequence_scaler_on_univariate_and_windows():
    rng = np.random.RandomState(0)
    X2 = rng.normal(loc=3, scale=2, size=(10, 6))
    scaler = SequenceScaler().fit(X2)
    assert scaler.mean_.shape == (1,) and scaler.n_features_in_ == 6
    assert_allclose(scaler.transform(X2).mean(), 0, atol=1e-12)
    series = rng.normal(loc=[5, -2], size=(50, 2))
    windows = SlidingWindow(4, incomplete="ignore").fit_transform(series)
    scaled = SequenceScaler().fit_transform(windows)
    assert isinstance(scaled, WindowedSeries) and scaled.window == 4
    assert_allclose(scaled.series, StandardScaler().fit_transform(series))


def test_sequence_scaler_in_a_classification_pipeline():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 8, 2)) * [1, 100] + [0, 500]
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    pipe = make_pipeline(SequenceScaler(), GRUClassifier(**FAST))
    assert pipe.fit(X, y).score(X, y) > 0.8


def test_sequence_scaler_bad_input():
    scaler = SequenceScaler().fit(np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match="X has 3 features per time step"):
        scaler.transform(np.zeros((4, 5, 3)))
    with pytest.raises(ValueError, match="X is 2-D"):
        scaler.transform(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="NaN at every sample"):
        SequenceScaler().fit(np.full((3, 4, 1), np.nan))


def test_transformed_target_regressor_on_windows():
    t = np.arange(200)
    X = pd.DataFrame({"x": np.sin(t / 5)})
    y = 1e4 * np.sin((t + 1) / 5) + 5e4
    model = TransformedTargetRegressor(
        regressor=make_pipeline(SlidingWindow(10),
                                LSTMRegressor(**{**FAST, "normalize_y": False})),
        transformer=StandardScaler(),
    )
    model.fit(X[:150], y[:150])
    assert model.score(X[150:], y[150:]) > 0.8


# -- layouts ---------------------------------------------------------------------------


def test_channels_first_round_trip_is_a_view():
    X = np.arange(2 * 3 * 5).reshape(2, 3, 5)  # 2 instances, 3 channels, 5 points
    last = from_channels_first(X)
    assert last.shape == (2, 5, 3) and np.shares_memory(last, X)
    assert_array_equal(last[1, 4], X[1, :, 4])
    assert_array_equal(to_channels_first(last), X)
    with pytest.raises(ValueError, match="expected a 3-D array"):
        from_channels_first(np.zeros((3, 4)))
    with pytest.raises(TypeError, match="nested DataFrames"):
        from_channels_first(pd.DataFrame(np.zeros((2, 2))))


def test_windows_get_the_same_target_checks():
    windows = SlidingWindow(2, incomplete="ignore").fit_transform(np.zeros((6, 1)))
    with pytest.raises(ValueError, match="expects numeric targets"):
        LSTMRegressor(max_epochs=1).fit(windows, np.array(["a"] * 6))
    with pytest.raises(ValueError, match="too large for dtype\\('float32'\\)"):
        LSTMRegressor(max_epochs=1).fit(windows, np.full(6, 1e300))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LSTMRegressor(max_epochs=1).fit(windows, np.zeros(5))


def test_incomplete_history_is_said_once_per_fit():
    from skrnn.exceptions import IncompleteHistoryWarning

    X, y = integer_frame(60)
    model = make_pipeline(SlidingWindow(5), LSTMRegressor(hidden_size=4, max_epochs=1,
                                                          random_state=0))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model.fit(X, y)
        for _ in range(3):  # in-sample predictions of the last rows
            model.predict(X.iloc[-5:])
    said = [w for w in seen if issubclass(w.category, IncompleteHistoryWarning)]
    assert len(said) == 1 and "once per fit" in str(said[0].message)
    with pytest.warns(IncompleteHistoryWarning):  # a new fit says it again
        model.fit(X, y).predict(X.iloc[-5:])


def test_feature_names_out_are_the_columns_of_each_step():
    from sklearn.compose import ColumnTransformer

    X = pd.DataFrame({"a": np.arange(20.0), "b": np.ones(20), "c": np.zeros(20)})
    pipe = make_pipeline(StandardScaler(), SlidingWindow(4))
    pipe.set_output(transform="pandas")
    assert list(pipe.fit(X).get_feature_names_out()) == ["a", "b", "c"]
    sw = SlidingWindow(3).fit(X.to_numpy())
    assert list(sw.get_feature_names_out()) == ["x0", "x1", "x2"]
    # A ColumnTransformer in front names the columns; the windows keep them.
    ct = ColumnTransformer([("scale", StandardScaler(), ["a"])],
                           remainder="passthrough")
    pipe = make_pipeline(ct, SlidingWindow(3)).set_output(transform="pandas").fit(X)
    assert list(pipe.get_feature_names_out()) == ["scale__a", "remainder__b",
                                                  "remainder__c"]
    assert list(pipe[-1].feature_names_in_) == list(pipe.get_feature_names_out())
    with pytest.raises(ValueError, match="input_features is not equal"):
        SlidingWindow(3).fit(X).get_feature_names_out(["a", "x", "c"])


# -- memory: the row positions stay a range from transform to predict -------------


def _traced_peak(call):
    import tracemalloc

    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_transform_of_a_long_series_makes_no_row_index():
    series = np.random.RandomState(0).normal(size=(1_000_000, 1)).astype(np.float32)
    window = SlidingWindow(window=8).fit(series[:100])
    with pytest.warns(UserWarning, match="8 of the 1000000 rows of X have less"):
        windows, peak = _traced_peak(lambda: window.transform(series))
    assert isinstance(windows._ends, range)
    assert peak < 2**20  # an index of the rows alone would be 8 MB
    assert "8 with incomplete history" in repr(windows)


def test_predict_on_a_long_series_adds_its_output_only():
    series = np.random.RandomState(0).normal(size=(200_000, 1)).astype(np.float32)
    window = SlidingWindow(window=4, incomplete="ignore")
    reg = RNNRegressor(hidden_size=2, max_epochs=1, batch_size=4096, random_state=0)
    reg.fit(window.fit_transform(series[:500]), series[:500, 0])
    windows = window.transform(series)
    expected = reg.predict(np.asarray(windows[4:]))  # the full windows as an array
    pred, peak = _traced_peak(lambda: reg.predict(windows))
    assert_array_equal(pred[4:], expected)
    # The float64 output and the network's float32 one; no per-row index arrays.
    assert peak < 1.5 * pred.nbytes + 2**20
