"""A target at every time step: ``return_sequences=True`` (TimeDistributed head)."""

import io

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skrnn import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RecurrentClassifier,
    RecurrentRegressor,
    RNNClassifier,
    RNNRegressor,
    compare_cells,
    load_model,
    save_model,
)
from skrnn.preprocessing import SequenceScaler

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=16, max_epochs=30, lr=1e-2, random_state=0,
            return_sequences=True)
ALL = [RecurrentRegressor, LSTMRegressor, GRURegressor, RNNRegressor,
       RecurrentClassifier, LSTMClassifier, GRUClassifier, RNNClassifier]


def running_sign(n=100, T=12, seed=0):
    """Labels per step: the sign of the running sum of feature 0 so far."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T, 2)).astype(np.float32)
    y = np.where(np.cumsum(X[:, :, 0], axis=1) > 0, "up", "down")
    return X, y


def ragged_running_sum(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = [rng.normal(size=(length, 2)) for length in rng.randint(3, 20, size=n)]
    y = [np.cumsum(x[:, 0]) for x in X]
    return X, y


@pytest.mark.parametrize("cls", ALL)
def test_every_estimator_has_return_sequences(cls):
    assert cls().get_params()["return_sequences"] is False


def test_classifier_per_step_labels():
    X, y = running_sign()
    y = y.astype(object)
    y[0, 0] = "flat"  # a label seen at one step only is still a class
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert list(clf.classes_) == ["down", "flat", "up"]
    assert clf.predict(X[:3]).shape == (3, 12)
    proba = clf.predict_proba(X[:3])
    assert proba.shape == (3, 12, 3)
    assert_allclose(proba.sum(axis=-1), 1)
    assert_allclose(np.exp(clf.predict_log_proba(X[:3])), proba, rtol=1e-6)
    assert clf.score(X, y) > 0.9
    assert_array_equal(clf.predict(X[:3]), clf.classes_[proba.argmax(-1)])


def test_regressor_per_step_shapes():
    X, labels = running_sign()
    y = np.cumsum(X[:, :, 0], axis=1)
    reg = GRURegressor(**FAST).fit(X, y)
    assert reg.predict(X[:4]).shape == (4, 12)
    assert reg.score(X, y) > 0.9
    Y = np.stack([y, -y], axis=2)
    reg3 = GRURegressor(**{**FAST, "max_epochs": 3}).fit(X, Y)
    assert reg3.n_outputs_ == 2 and reg3.predict(X[:4]).shape == (4, 12, 2)


def test_ragged_per_step_targets_and_predictions():
    X, y = ragged_running_sum()
    reg = LSTMRegressor(**FAST).fit(X, y)
    pred = reg.predict(X[:5])
    assert isinstance(pred, list)
    assert [p.shape for p in pred] == [(len(x),) for x in X[:5]]
    assert reg.score(X, y) > 0.8
    # the same sequence alone or batched with much longer ones
    rng = np.random.RandomState(1)
    longer = [rng.normal(size=(300, 2)) for _ in range(10)]
    alone = reg.predict(X[:1])[0]
    assert_allclose(reg.predict(longer + [X[0]])[-1], alone, rtol=1e-5, atol=1e-5)
    labels = [np.where(v > 0, "a", "b") for v in y]
    clf = GRUClassifier(**FAST, early_stopping=True).fit(X, labels)
    proba = clf.predict_proba(X[:2])
    assert [p.shape for p in proba] == [(len(X[0]), 2), (len(X[1]), 2)]
    assert clf.score(X, labels) > 0.8


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_causality(cell):
    X, y = running_sign(40)
    clf = RecurrentClassifier(cell=cell, **{**FAST, "max_epochs": 3}).fit(X, y)
    t = 5
    changed = X.copy()
    future = changed[:, t + 1 :]
    changed[:, t + 1 :] = np.random.RandomState(3).normal(size=future.shape)
    before, after = clf.predict_proba(X), clf.predict_proba(changed)
    assert_allclose(after[:, : t + 1], before[:, : t + 1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(after[:, t + 1 :], before[:, t + 1 :])
    # bidirectional reads the whole sequence: the past's outputs change too
    both = RecurrentClassifier(cell=cell, bidirectional=True,
                               **{**FAST, "max_epochs": 3}).fit(X, y)
    assert not np.allclose(both.predict_proba(changed)[:, :t + 1],
                           both.predict_proba(X)[:, :t + 1])


def test_pipeline_cross_validation_grid_search_and_compare():
    X, y = running_sign(60)
    pipe = make_pipeline(SequenceScaler(), RNNClassifier(**{**FAST, "max_epochs": 5}))
    assert cross_val_score(pipe, X, y, cv=KFold(3)).shape == (3,)
    search = GridSearchCV(pipe, {"rnnclassifier__hidden_size": [4, 8]}, cv=2).fit(X, y)
    assert search.predict(X[:2]).shape == (2, 12)
    Xr, yr = ragged_running_sum(40)
    scores = cross_val_score(RNNRegressor(**{**FAST, "max_epochs": 3}), Xr, yr, cv=2)
    assert np.isfinite(scores).all()
    report = compare_cells(RecurrentClassifier(**{**FAST, "max_epochs": 3}), X, y,
                           cells=["lstm", "gru"], cv=2)
    assert report.to_frame().iloc[:, 0].notna().all()


def test_warm_start_partial_fit_and_persistence(tmp_path):
    X, y = running_sign(40)
    clf = LSTMClassifier(**{**FAST, "max_epochs": 2})
    clf.partial_fit(X, y, classes=["down", "up"]).partial_fit(X, y)
    assert clf.n_iter_ == 2
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == 4
    with pytest.raises(ValueError, match="was fitted with return_sequences=True"):
        clf.set_params(return_sequences=False).fit(X, y[:, 0])
    clf.set_params(return_sequences=True)
    expected = clf.predict_proba(X)
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    assert_allclose(joblib.load(buffer).predict_proba(X), expected)
    save_model(clf, tmp_path / "m.skrnn")
    assert_allclose(load_model(tmp_path / "m.skrnn").predict_proba(X), expected)


def _fitted_attributes(est):
    return [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]


def test_bad_per_step_input():
    X, y = running_sign(20)
    Xr, yr = ragged_running_sum(10)
    clf = LSTMClassifier(**FAST)
    with pytest.raises(ValueError,
                       match=r"y has one value per sequence \(shape \(20,\)"):
        clf.fit(X, y[:, 0])
    with pytest.raises(ValueError, match="y has a target for 11 time steps per "
                                         "sequence, but X has 12"):
        clf.fit(X, y[:, :-1])
    reg = LSTMRegressor(**FAST)
    bad = list(yr)
    bad[3] = bad[3][:-1]
    with pytest.raises(ValueError, match=r"y\[3\] has a target for \d+ time steps, "
                                         r"but X\[3\] has \d+"):
        reg.fit(Xr, bad)
    with pytest.raises(ValueError, match="one value per sequence"):
        reg.fit(Xr, np.zeros(10))
    with pytest.raises(ValueError, match="must be a list of per-step target arrays"):
        reg.fit(Xr, np.zeros((10, 19)))
    with pytest.raises(ValueError, match="Input y contains NaN"):
        reg.fit(Xr, [np.full(len(x), np.nan) for x in Xr])
    assert _fitted_attributes(clf) == [] and _fitted_attributes(reg) == []
    # and the reverse: per-step targets with return_sequences=False
    plain = dict(FAST, return_sequences=False)
    with pytest.raises(ValueError, match="Set return_sequences=True"):
        LSTMClassifier(**plain).fit(X, y)
    with pytest.raises(ValueError, match="Set return_sequences=True"):
        LSTMRegressor(**plain).fit(Xr, yr)
    with pytest.raises(ValueError, match="Set return_sequences=True"):
        LSTMRegressor(**plain).fit(X, np.zeros((20, 12, 1)))


def test_univariate_2d_sequences_with_a_target_per_step():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 9))
    y = np.cumsum(X, axis=1)
    reg = RNNRegressor(**FAST).fit(X, y)
    assert reg.n_features_in_ == 9 and reg.predict(X[:2]).shape == (2, 9)


def test_per_step_weighted_loss_counts_only_observed_steps():
    import torch

    from skrnn._weights import WeightedTargets, weighted_loss
    from skrnn.nn import StepCrossEntropyLoss, StepMSELoss

    pred = torch.tensor([[[1.0], [2.0], [3.0]], [[0.0], [0.0], [0.0]]])
    target = torch.tensor([[[0.0], [0.0], [0.0]],
                           [[1.0], [float("nan")], [float("nan")]]])
    mse = StepMSELoss(reduction="none")
    # Unweighted: the mean over the 4 observed steps.
    assert weighted_loss(mse, pred, target, "cpu").item() == pytest.approx(15 / 4)
    # A sequence's weight applies to each of its observed steps.
    weighted = WeightedTargets(target, torch.tensor([1.0, 3.0]))
    assert weighted_loss(mse, pred, weighted, "cpu").item() == pytest.approx(
        (14 + 3 * 1) / (3 + 3 * 1))
    logits = torch.zeros(2, 3, 2)
    labels = torch.tensor([[0, 1, 1], [1, -100, -100]])
    ce = StepCrossEntropyLoss(reduction="none")
    assert weighted_loss(ce, logits, labels, "cpu").item() == pytest.approx(np.log(2))


def test_per_step_zero_weights_equal_dropping_the_sequences():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 6, 2)).astype(np.float32)
    y = np.cumsum(X[:, :, 0], axis=1)
    w = np.ones(30)
    w[::3] = 0
    params = dict(hidden_size=4, max_epochs=3, return_sequences=True, random_state=0)
    weighted = GRURegressor(**params).fit(X, y, sample_weight=w)
    dropped = GRURegressor(**params).fit(X[w > 0], y[w > 0])
    assert_array_equal(weighted.predict(X), dropped.predict(X))


def test_per_step_class_weight_is_refused_clearly():
    X = np.random.RandomState(0).normal(size=(10, 4, 1)).astype(np.float32)
    y = (X[:, :, 0] > 0).astype(int)
    clf = GRUClassifier(return_sequences=True, class_weight="balanced", max_epochs=1)
    with pytest.raises(ValueError, match="class_weight with return_sequences=True"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")
