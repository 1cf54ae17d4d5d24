"""Behaviour shared by all recurrent estimators, parametrized over them."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RecurrentClassifier, RecurrentNet, RecurrentRegressor
from skrnn.utils import all_estimators

FAST = dict(hidden_size=8, max_epochs=5, batch_size=16, random_state=0)
#: The sequence estimators (3-D data); the image-sequence ones (ConvLSTM,
#: ConvGRU) have these tests in test_conv.py.
ALL = [cls for _, cls in all_estimators(["classifier", "regressor"])
       if "filters" not in cls().get_params()]


def _is_clf(cls):
    return issubclass(cls, ClassifierMixin)


def _data(cls, n=64, t=7, f=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    y = np.where(s > 0, "pos", "neg") if _is_clf(cls) else s
    return X, y


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_fitted_attributes(cls):
    X, y = _data(cls)
    est = cls(**FAST).fit(X, y)
    assert est.n_features_in_ == 3
    assert est.input_size_ == 3
    assert est.n_iter_ == 5 == len(est.history_) == len(est.loss_curve_)
    assert isinstance(est.module_, RecurrentNet)
    assert est.module_ is est.net_.module_
    assert est.validation_loss_curve_ is None and est.best_validation_loss_ is None
    assert est.best_loss_ == min(est.loss_curve_)
    assert not hasattr(est, "feature_names_in_")
    if _is_clf(type(est)):
        assert_array_equal(est.classes_, ["neg", "pos"])
    else:
        assert est.n_outputs_ == 1


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_fixed_cell_matches_cell_parameter(cls):
    X, y = _data(cls)
    cell = cls().cell
    base = RecurrentClassifier if _is_clf(cls) else RecurrentRegressor
    fixed = cls(**FAST).fit(X, y)
    generic = base(cell=cell, **FAST).fit(X, y)
    assert "cell" not in cls().get_params() or cls in (
        RecurrentClassifier, RecurrentRegressor
    )
    assert type(fixed.module_.rnn) is type(generic.module_.rnn)
    assert_allclose(fixed.loss_curve_, generic.loss_curve_, rtol=1e-6)


def test_dataframe_sets_feature_names():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 6)), columns=[f"t{i}" for i in range(6)])
    y = X.mean(axis=1).to_numpy()
    est = RecurrentRegressor(**FAST).fit(X, y)
    assert_array_equal(est.feature_names_in_, X.columns)
    assert est.n_features_in_ == 6 and est.input_size_ == 1
    with pytest.raises(ValueError, match="feature names"):
        est.predict(X.rename(columns={"t0": "other"}))
    est.fit(X.to_numpy(), y)  # refit on an array forgets the names
    assert not hasattr(est, "feature_names_in_")


def test_2d_input_is_univariate_sequences():
    rng = np.random.RandomState(0)
    X2 = rng.normal(size=(50, 9))
    y = X2[:, -1]
    a = RecurrentRegressor(**FAST).fit(X2, y)
    b = RecurrentRegressor(**FAST).fit(X2[:, :, None], y)
    assert_allclose(a.predict(X2), b.predict(X2[:, :, None]), rtol=1e-5)
    # A model fitted on 2-D input predicts 3-D univariate sequences of any length.
    assert a.predict(X2[:, :4, None]).shape == (50,)
    with pytest.raises(
        ValueError, match="X has 8 features, but RecurrentRegressor is expecting 9"
    ):
        a.predict(X2[:, :8])
    # A model fitted on 3-D univariate input takes 2-D input of any length.
    assert b.predict(X2[:, :4]).shape == (50,)


def test_timesteps_may_differ_at_predict():
    X, y = _data(RecurrentRegressor, t=10)
    est = RecurrentRegressor(**FAST).fit(X, y)
    assert est.predict(X[:, :3]).shape == (64,)
    assert est.predict(np.concatenate([X, X], axis=1)).shape == (64,)


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_grid_search_over_cell_and_size(cls):
    X, y = _data(cls, n=60, t=5, f=1)
    X2 = X[:, :, 0]
    pipe = make_pipeline(StandardScaler(), cls(max_epochs=3, random_state=0))
    grid = {"recurrentregressor__cell" if cls is RecurrentRegressor else
            "recurrentclassifier__cell": ["lstm", "gru", "rnn"]}
    key = next(iter(grid)).replace("__cell", "__hidden_size")
    grid[key] = [4, 8]
    search = GridSearchCV(pipe, grid, cv=2, error_score="raise")
    import warnings

    with warnings.catch_warnings():
        # 3 epochs: too few for the stopping rule (n_iter_no_change=30) to act,
        # so no fit warns that it did not.
        warnings.simplefilter("error", ConvergenceWarning)
        search.fit(X2, y)
    assert len(search.cv_results_["params"]) == 6
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    cells = {type(p[-1].module_.rnn).__name__ for p in [search.best_estimator_]}
    assert cells <= {"LSTM", "GRU", "RNN"}
    assert search.predict(X2).shape == (60,)


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_same_random_state_same_predictions(cls):
    X, y = _data(cls)
    method = "predict_proba" if _is_clf(cls) else "predict"
    a = getattr(cls(**FAST).fit(X, y), method)(X)
    b = getattr(cls(**FAST).fit(X, y), method)(X)
    assert_array_equal(a, b)
    c = getattr(cls(**{**FAST, "random_state": 1}).fit(X, y), method)(X)
    assert not np.array_equal(a, c)


def test_same_random_state_same_predictions_across_processes():
    code = textwrap.dedent(
        """
        import numpy as np
        from skrnn import GRURegressor
        rng = np.random.RandomState(0)
        X = rng.normal(size=(64, 7, 3)).astype("float32")
        y = X[:, :, 0].mean(axis=1)
        est = GRURegressor(hidden_size=8, max_epochs=5, batch_size=16, dropout=0.2,
                           early_stopping=True, random_state=0).fit(X, y)
        print(repr(est.predict(X[:5]).tolist()))
        """
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(outs) == 1
    from skrnn import GRURegressor

    X, y = _data(RecurrentRegressor)
    est = GRURegressor(hidden_size=8, max_epochs=5, batch_size=16, dropout=0.2,
                       early_stopping=True, random_state=0).fit(X, y)
    assert repr(est.predict(X[:5]).tolist()) == outs.pop().strip()


def test_random_state_leaves_global_rng_untouched():
    X, y = _data(RecurrentRegressor)
    before = torch.get_rng_state()
    RecurrentRegressor(**FAST).fit(X, y)
    assert torch.equal(before, torch.get_rng_state())


def test_random_state_none_uses_global_rng():
    X, y = _data(RecurrentRegressor)
    params = {**FAST, "random_state": None}
    torch.manual_seed(3)
    a = RecurrentRegressor(**params).fit(X, y).predict(X)
    torch.manual_seed(3)
    b = RecurrentRegressor(**params).fit(X, y).predict(X)
    c = RecurrentRegressor(**params).fit(X, y).predict(X)
    assert_array_equal(a, b)
    assert not np.array_equal(b, c)


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_warm_start_continues_training(cls):
    X, y = _data(cls)
    est = cls(**{**FAST, "warm_start": True}).fit(X, y)
    module = est.module_
    est.fit(X, y)
    assert est.module_ is module
    assert est.n_iter_ == 10 == len(est.loss_curve_)
    cold = cls(**FAST).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 5


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_partial_fit_runs_one_epoch(cls):
    X, y = _data(cls)
    est = cls(**FAST)
    kwargs = {"classes": np.unique(y)} if _is_clf(cls) else {}
    for i in range(3):
        est.partial_fit(X, y, **kwargs)
        assert est.n_iter_ == i + 1
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        cls(**{**FAST, "early_stopping": True}).partial_fit(X, y, **kwargs)


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_early_stopping_holds_out_and_restores_best(cls):
    X, y = _data(cls, n=100)
    est = cls(**{**FAST, "max_epochs": 60, "early_stopping": True,
                 "n_iter_no_change": 3, "validation_fraction": 0.2, "lr": 0.05,
                 "lr_schedule": "constant", "tol": 0.0}).fit(X, y)
    assert est.history_[-1, "valid_batch_count"] >= 1
    assert sum(est.history_[-1, "batches", :, "valid_batch_size"]) == 20
    assert sum(est.history_[-1, "batches", :, "train_batch_size"]) == 80
    assert len(est.validation_loss_curve_) == est.n_iter_
    best = int(np.argmin(est.validation_loss_curve_))
    assert est.n_iter_ < 60, "should have stopped early"
    assert est.n_iter_ - 1 - best >= 3  # stopped n_iter_no_change epochs after the best
    assert est.best_validation_loss_ == pytest.approx(est.validation_loss_curve_[best])
    # The restored weights are the best epoch's: recompute the validation loss.
    valid = est.net_.get_split_datasets(_dataset(est, X, y))[1]
    out = est.net_.forward(valid)
    loss = est.net_.get_loss(out, valid.y[valid.indices]).item()
    assert loss == pytest.approx(est.best_validation_loss_, rel=1e-5)


def _dataset(est, X, y):
    from skrnn._training import SequenceDataset

    y_t, _ = est._encode_targets(y, reset=False)
    return SequenceDataset(torch.from_numpy(X), y_t)


def test_convergence_warning_and_stopping():
    X, y = _data(RecurrentRegressor)
    with pytest.warns(ConvergenceWarning, match="max_epochs=5 reached"):
        RecurrentRegressor(**FAST, n_iter_no_change=4, tol=0.0).fit(X, y)
    import warnings

    # max_epochs <= n_iter_no_change: the rule could not have stopped the fit.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        RecurrentRegressor(**FAST).fit(X, y)
        RecurrentRegressor(**FAST, n_iter_no_change=5).fit(X, y)
    # With a huge tol every epoch counts as "no improvement": stop after
    # n_iter_no_change.
    est = RecurrentRegressor(
        **{**FAST, "max_epochs": 50, "tol": 1e3, "n_iter_no_change": 2}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_iter_ == 3


def test_verbose(capsys):
    X, y = _data(RecurrentRegressor)
    RecurrentRegressor(**{**FAST, "verbose": 0}).fit(X, y)
    assert capsys.readouterr().out == ""
    RecurrentRegressor(**{**FAST, "verbose": 1}).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out
    assert all(f"\n{' ' * (7 - len(str(i)))}{i}" in out for i in range(1, 6))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_pickle_round_trip(cls):
    X, y = _data(cls)
    est = cls(**FAST).fit(X, y)
    method = "predict_proba" if _is_clf(cls) else "predict"
    loaded = pickle.loads(pickle.dumps(est))
    assert_array_equal(getattr(loaded, method)(X), getattr(est, method)(X))
    assert loaded.n_iter_ == est.n_iter_
    assert loaded.history_[-1, "train_loss"] == est.history_[-1, "train_loss"]


def test_clone_is_unfitted_and_equal_params():
    X, y = _data(RecurrentRegressor)
    est = RecurrentRegressor(**FAST).fit(X, y)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "net_")


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_predictions_batch_invariant(cls):
    """Batches of different sizes give the same outputs up to float32 rounding."""
    X, y = _data(cls)
    est = cls(**FAST).fit(X, y)
    method = "predict_proba" if _is_clf(cls) else "predict"
    full = getattr(est, method)(X)
    rows = np.concatenate([getattr(est, method)(X[i : i + 5]) for i in range(0, 64, 5)])
    assert_allclose(full, rows, rtol=1e-5, atol=1e-6)
