"""The default recipe: auto batch size and early stopping, the plateau schedule,
the time-ordered validation block of windows, and the defaults with warm_start,
partial_fit and checkpoints."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.pipeline import Pipeline

from skrnn import LSTMRegressor, RecurrentClassifier, RecurrentRegressor
from skrnn._recipe import (
    AUTO_EARLY_STOPPING_MIN_ROWS,
    PlateauLR,
    _plateau_steps,
    auto_input_scale,
    resolve_batch_size,
    resolve_early_stopping,
    resolve_n_iter_no_change,
)
from skrnn._training import HoldoutSplit, SequenceDataset, TensorWindows, input_stats
from skrnn.callbacks import Checkpoint
from skrnn.nn import RecurrentNet
from skrnn.preprocessing import SlidingWindow

FAST = dict(hidden_size=6, max_epochs=4, random_state=0)


def _data(n=40, t=6, f=2):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


def test_auto_batch_size_grows_with_the_data():
    assert resolve_batch_size("auto", 50) == 16
    assert resolve_batch_size("auto", AUTO_EARLY_STOPPING_MIN_ROWS - 1) == 16
    assert resolve_batch_size("auto", AUTO_EARLY_STOPPING_MIN_ROWS) == 32
    assert resolve_batch_size("auto", 4096) == 32
    assert resolve_batch_size("auto", 10_000) == 64
    assert resolve_batch_size("auto", 50_000) == 256
    assert resolve_batch_size("auto", None) == 32
    assert resolve_batch_size(7, 50_000) == 7


def test_auto_early_stopping_follows_the_rows_and_is_off_for_partial_fit():
    n = AUTO_EARLY_STOPPING_MIN_ROWS
    assert resolve_early_stopping("auto", n, incremental=False)
    assert not resolve_early_stopping("auto", n - 1, incremental=False)
    assert not resolve_early_stopping("auto", 10 * n, incremental=True)
    assert resolve_early_stopping(True, 5, incremental=False)
    assert not resolve_early_stopping(False, 10 * n, incremental=False)


def test_fit_uses_the_resolved_values():
    X, y = _data()
    est = RecurrentRegressor(**FAST).fit(X, y)  # 40 rows: no validation set
    assert est.net_.train_split is None and est.net_.batch_size == 16
    assert est.validation_loss_curve_ is None
    est = RecurrentRegressor(**FAST, early_stopping=True, batch_size=8).fit(X, y)
    assert est.net_.train_split is not None and est.net_.batch_size == 8
    assert len(est.validation_loss_curve_) == est.n_iter_


def test_plateau_steps_replays_reduce_lr_on_plateau():
    assert _plateau_steps([1.0, 0.5, 0.25], patience=1, tol=0) == 0
    # Three epochs without improvement with patience 2: one cut, counting again.
    assert _plateau_steps([1.0, 1.0, 1.0, 1.0], patience=2, tol=0) == 1
    assert _plateau_steps([1.0] + [1.0] * 6, patience=2, tol=0) == 2
    # tol: a smaller improvement does not count.
    assert _plateau_steps([1.0, 0.99, 0.98, 0.97], patience=2, tol=0.05) == 1


def test_plateau_schedule_halves_the_rate_and_records_it():
    X, y = _data()
    # A huge tol: no epoch improves, so the rate halves after each patience.
    est = RecurrentRegressor(**{**FAST, "max_epochs": 8}, tol=1e3, n_iter_no_change=30,
                             lr=0.01).fit(X, y)
    rates = [row["lr"] for row in est.history_]
    patience = 30 // 3
    assert rates[0] == 0.01 and len(rates) == 8
    assert all(r == 0.01 for r in rates)  # patience 10 > 8 epochs
    est = RecurrentRegressor(**{**FAST, "max_epochs": 8}, tol=1e3, n_iter_no_change=6,
                             lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    rates = [row["lr"] for row in est.history_]
    # patience 2: epochs 1-3 at 0.01, then a cut after every 3 epochs without gain
    assert rates[:4] == [0.01, 0.01, 0.01, 0.01]
    assert rates[4] == 0.005
    assert est.net_.optimizer_.param_groups[0]["lr"] == rates[-1]
    assert patience == 10
    const = RecurrentRegressor(**FAST, lr_schedule="constant").fit(X, y)
    assert "lr" not in const.history_[-1]


def test_plateau_schedule_is_a_function_of_the_history():
    net = type("Net", (), {})()
    net.lr = 1.0
    net.history = [{"train_loss": 1.0}] * 4 + [{}]
    assert PlateauLR(patience=1, tol=0).rate(net) == 0.5  # cut after epoch 3
    assert PlateauLR(monitor="valid_loss", patience=1, tol=0).rate(net) == 1.0


def _windows(n=200):
    t = np.arange(n)
    # A rising series: a window's last value tells when it ends.
    frame = pd.DataFrame({"v": t / n},
                         index=pd.date_range("2000-01-01", periods=n, freq="D"))
    return frame, np.sin((t + 1) / 5.0)


def test_windows_validate_on_the_last_rows_in_time():
    series = torch.arange(100, dtype=torch.float32).reshape(100, 1)
    shuffled = torch.tensor(np.random.RandomState(0).permutation(90))
    for starts in (range(0, 90), shuffled):
        X = TensorWindows(series, starts, 10)
        y = torch.zeros(90)
        train, valid = HoldoutSplit(0.2, random_state=0)(SequenceDataset(X, y))
        first = lambda d, X=X: X[d.indices][:, 0, 0]  # noqa: E731
        assert len(valid) == 18 and len(train) == 72
        # Every validation window starts after every training one: the last 18.
        assert first(valid).min() > first(train).max()
        assert sorted(first(valid).tolist()) == list(range(72, 90))


def test_sliding_window_fit_holds_out_the_end_of_the_series():
    frame, y = _windows()
    seen = {}

    from skorch.callbacks import Callback

    class Spy(Callback):
        def on_batch_begin(self, net, batch=None, training=None, **kwargs):
            seen.setdefault(training, []).append(batch[0][:, -1, 0].clone())

    pipe = SlidingWindow(window=8).set_output(transform="pandas")
    X = pipe.fit_transform(frame)
    LSTMRegressor(**FAST, early_stopping=True, validation_fraction=0.25,
                  callbacks=[Spy()]).fit(X, y)
    last_train = torch.cat(seen[True]).max()
    first_valid = torch.cat(seen[False]).min()
    assert first_valid > last_train  # the validation block comes after in time


def test_independent_sequences_keep_the_random_stratified_holdout():
    X, _ = _data(n=60)
    y = np.repeat([0, 1, 2], 20)
    est = RecurrentClassifier(**FAST, early_stopping=True, validation_fraction=0.2)
    est.fit(X, y)
    valid = est.net_.train_split(
        SequenceDataset(torch.from_numpy(X), torch.from_numpy(y)))[1]
    assert np.bincount(y[valid.indices.numpy()]).tolist() == [4, 4, 4]
    assert not np.array_equal(valid.indices.numpy(), np.arange(48, 60))


def test_partial_fit_and_warm_start_with_the_defaults():
    X, y = _data()
    est = RecurrentRegressor(hidden_size=6, random_state=0)
    for _ in range(3):
        est.partial_fit(X, y)  # early_stopping="auto" is off for partial_fit
    assert est.n_iter_ == 3 and est.net_.train_split is None
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        RecurrentRegressor(early_stopping=True).partial_fit(X, y)
    warm = RecurrentRegressor(**FAST, warm_start=True).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ == 8
    # Two warm fits of 4 epochs are one fit of 8, the schedule included.
    once = RecurrentRegressor(**{**FAST, "max_epochs": 8}).fit(X, y)
    assert_allclose(warm.predict(X), once.predict(X), rtol=1e-5, atol=1e-6)
    assert [r["lr"] for r in warm.history_] == [r["lr"] for r in once.history_]


def test_checkpoint_resume_with_the_schedule_is_exact(tmp_path):
    X, y = _data()
    params = dict(hidden_size=6, random_state=0, tol=1e3, n_iter_no_change=6, lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # In memory: 5 epochs, then a warm-start fit of up to 8 more.
        memory = RecurrentRegressor(**params, max_epochs=5, warm_start=True).fit(X, y)
        memory.set_params(max_epochs=8).fit(X, y)
        # The same through a checkpoint file and a new estimator.
        RecurrentRegressor(**params, max_epochs=5,
                           callbacks=[Checkpoint(tmp_path / "ck")]).fit(X, y)
        resumed = RecurrentRegressor(**params, max_epochs=8, warm_start=True,
                                     callbacks=[Checkpoint(tmp_path / "ck")]).fit(X, y)
    assert resumed.n_iter_ == memory.n_iter_ > 5
    rates = [r["lr"] for r in resumed.history_]
    assert rates == [r["lr"] for r in memory.history_] and min(rates) < 0.01
    assert_allclose(resumed.predict(X), memory.predict(X), rtol=0, atol=0)


def test_without_validation_the_lowest_training_loss_epoch_is_restored():
    X, y = _data()
    seen = []

    from skorch.callbacks import Callback

    class Snapshots(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append({k: v.clone() for k, v in net.module_.state_dict().items()})

    # A rate far too high: the training loss goes up and down.
    est = RecurrentRegressor(**{**FAST, "max_epochs": 12}, lr=0.5, tol=0.0,
                             lr_schedule="constant", clip_grad_norm=None,
                             early_stopping=False, callbacks=[Snapshots()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    losses = list(est.loss_curve_)
    best = int(np.argmin(losses))
    assert best != len(losses) - 1  # the last epoch is not the best one
    final = est.net_.module_.state_dict()
    for name, value in seen[best].items():
        assert torch.equal(final[name], value), name
    assert not all(torch.equal(final[k], v) for k, v in seen[-1].items())


# -- input standardisation -------------------------------------------------------


def test_standardize_fits_the_statistics_of_the_training_steps():
    X, y = _data()
    X = X * np.array([1000.0, 0.01], dtype=np.float32) + np.float32(50.0)
    est = RecurrentRegressor(**FAST).fit(X, y)
    module = est.net_.module_
    steps = X.reshape(-1, 2).astype(np.float64)
    assert_allclose(module.input_mean.numpy(), steps.mean(axis=0), rtol=1e-5)
    assert_allclose(module.input_scale.numpy(), steps.std(axis=0), rtol=1e-5)
    # A warm-start fit on other data keeps the statistics of the first fit.
    mean = module.input_mean.clone()
    est.set_params(warm_start=True).fit(X[:10] * 3, y[:10])
    assert torch.equal(est.net_.module_.input_mean, mean)
    off = RecurrentRegressor(**FAST, standardize=False).fit(X, y)
    assert not hasattr(off.net_.module_, "input_mean")


def test_standardize_makes_the_fit_invariant_to_the_units_of_each_feature():
    X, y = _data()
    scaled = X * np.array([1000.0, 1e-3], dtype=np.float32) + np.array(
        [5000.0, 0.0], dtype=np.float32)
    params = {**FAST, "max_epochs": 30, "standardize": True}
    a = RecurrentRegressor(**params).fit(X, y)
    b = RecurrentRegressor(**params).fit(scaled, y)
    assert_allclose(a.predict(X), b.predict(scaled), rtol=1e-3, atol=1e-3)
    # Without it, the same units saturate the cells: another, worse fit.
    c = RecurrentRegressor(**{**params, "standardize": False}).fit(scaled, y)
    assert c.score(scaled, y) < a.score(X, y) - 0.1


def test_standardize_counts_only_what_the_training_windows_cover():
    series = torch.cat([torch.zeros(50, 1), torch.full((50, 1), 1e6)])
    series[:50:2] = 2.0  # 0, 2, 0, 2, ... then rows no window reaches
    mean, scale = input_stats(TensorWindows(series, range(0, 41), 10))
    assert_allclose(mean, [1.0])
    assert_allclose(scale, [1.0])
    # Windows that leave a gap: the gap's rows do not count either.
    mean, _ = input_stats(TensorWindows(series, torch.tensor([0, 60]), 2))
    assert_allclose(mean, [(2.0 + 0.0 + 1e6 + 1e6) / 4])


def test_auto_standardize_centres_and_rescales_only_features_far_from_unit_scale():
    X, y = _data()
    X = X * np.array([5.0, 1000.0], dtype=np.float32) + np.float32(20.0)
    auto = RecurrentRegressor(**FAST).fit(X, y).net_.module_
    full = RecurrentRegressor(**FAST, standardize=True).fit(X, y).net_.module_
    assert_allclose(auto.input_mean.numpy(), full.input_mean.numpy())
    # A standard deviation of 5 keeps its units; one of 1000 is divided out.
    assert auto.input_scale[0] == 1.0 and full.input_scale[0] > 4
    assert auto.input_scale[1] == full.input_scale[1] > 900
    assert_allclose(auto_input_scale(np.array([0.01, 0.5, 0.8, 9.0, 11.0])),
                    [0.01, 0.5, 1.0, 1.0, 11.0])


def test_auto_patience_is_longer_on_the_training_loss():
    assert resolve_n_iter_no_change("auto", early_stopping=False) == 60
    assert resolve_n_iter_no_change("auto", early_stopping=True) == 30
    assert resolve_n_iter_no_change(7, early_stopping=False) == 7
    X, y = _data()
    est = RecurrentRegressor(**FAST).fit(X, y)
    assert dict(est.net_.callbacks_)["stop_on_plateau"].patience == 60
    assert dict(est.net_.callbacks_)["lr_schedule"].patience == 20


# -- relative: windows read relative to their last step -------------------------------


def _trend(n=160, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n)
    values = 0.05 * t + np.sin(2 * np.pi * t / 12) + 0.1 * rng.normal(size=n)
    frame = pd.DataFrame({"v": values}, index=pd.RangeIndex(n))
    return frame, values


def test_relative_module_reads_only_the_shape_of_each_sequence():
    net = RecurrentNet(2, 3, hidden_size=5, relative=True, standardize=True).eval()
    net.set_input_stats([1.0, -2.0], [2.0, 0.5])
    weight = torch.randn(3, 2)
    net.set_skip(weight, torch.zeros(3))
    X = torch.randn(4, 7, 2)
    shift = torch.tensor([3.0, -1.0])
    with torch.no_grad():
        moved = net(X + shift) - net(X)
    # A level shift changes the output by the skip's response to it, no more.
    expected = (shift / torch.tensor([2.0, 0.5])) @ weight.T
    torch.testing.assert_close(moved, expected.expand(4, -1), rtol=1e-4, atol=1e-5)
    # Each sequence is read at its own last step.
    lengths = torch.tensor([7, 3, 1, 5])
    padded = X.clone()
    for i, n in enumerate(lengths.tolist()):
        padded[i, n:] = 100.0
    with torch.no_grad():
        batched = net(padded, lengths=lengths)
        for i, n in enumerate(lengths.tolist()):
            torch.testing.assert_close(batched[i], net(X[i : i + 1, :n])[0],
                                       rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="return_sequences"):
        RecurrentNet(2, 1, relative=True, return_sequences=True)


def test_skip_start_is_the_weighted_least_squares_fit_on_the_last_step():
    from skrnn._training import skip_fit

    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.normal(size=(50, 4, 2)).astype(np.float32))
    y = 2.0 * X[:, -1, :1] - X[:, -1, 1:] + 0.5 + 0.01 * torch.randn(50, 1)
    net = RecurrentNet(2, 1, relative=True)
    weight, bias = skip_fit(net, X, y, ridge=0.0)
    assert_allclose(weight, [[2.0, -1.0]], atol=0.01)
    assert_allclose(bias, [0.5], atol=0.01)
    # Integer weights are repeated rows.
    w = torch.from_numpy(rng.randint(0, 3, size=50).astype(np.float64))
    rows = np.repeat(np.arange(50), w.numpy().astype(int))
    by_weight = skip_fit(net, X, y, w)
    by_rows = skip_fit(net, X[rows], y[rows])
    assert_allclose(by_weight[0], by_rows[0], rtol=1e-5, atol=1e-6)
    assert_allclose(by_weight[1], by_rows[1], rtol=1e-5, atol=1e-6)


def test_relative_is_on_for_windows_and_forecasts_beyond_the_training_range():
    frame, values = _trend()
    train, test = frame.iloc[:120], frame.iloc[120:]
    params = dict(hidden_size=8, max_epochs=60, random_state=0)
    fits = {}
    for relative in ("auto", False):
        pipe = Pipeline([("window", SlidingWindow(window=24)),
                         ("model", RecurrentRegressor(relative=relative, **params))])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipe.fit(train, values[:120])
        fits[relative] = pipe
    assert fits["auto"]["model"]._relative_used is True
    assert fits[False]["model"]._relative_used is False
    errors = {k: np.sqrt(np.mean((p.predict(test) - values[120:]) ** 2))
              for k, p in fits.items()}
    persistence = np.sqrt(np.mean((values[119:-1] - values[120:]) ** 2))
    # The test values lie above every training value: only the relative model
    # follows them, and it beats repeating the last value.
    assert values[120:].mean() > values[:120].max() - 1
    assert errors["auto"] < persistence < errors[False]
    # Independent sequences keep reading absolute values by default.
    X, y = _data()
    assert RecurrentRegressor(**FAST).fit(X, y)._relative_used is False
    assert RecurrentRegressor(**FAST, relative=True).fit(X, y).net_.module_.relative


def test_relative_with_return_sequences_is_refused():
    X, _ = _data()
    with pytest.raises(ValueError, match="cannot be combined with return_sequences"):
        RecurrentRegressor(**FAST, relative=True, return_sequences=True).fit(
            X, X[:, :, 0])


def test_relative_models_round_trip_and_predict_rows_without_history(tmp_path):
    import joblib

    from skrnn import load_model, save_model

    frame, values = _trend(80)
    pipe = Pipeline([("window", SlidingWindow(window=12)),
                     ("model", RecurrentRegressor(**FAST))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(frame, values)
        expected = pipe.predict(frame)  # rows 0..11 have partial or no history
    assert np.isfinite(expected).all()
    model = pipe["model"]
    joblib.dump(model, tmp_path / "m.joblib")
    save_model(model, tmp_path / "m.skrnn")
    window = pipe["window"]
    X = window.transform(frame)
    for loaded in (joblib.load(tmp_path / "m.joblib"),
                   load_model(tmp_path / "m.skrnn")):
        assert loaded.net_.module_.relative
        assert_allclose(loaded.predict(X), expected, rtol=1e-6)
