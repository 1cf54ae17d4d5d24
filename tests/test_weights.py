"""sample_weight and class_weight: zeros, ones, repeats, the ensembles, routing."""

import warnings

import numpy as np
import pytest
import sklearn
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV

from skrnn import GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor
from skrnn._training import SequenceDataset
from skrnn._weights import WeightedTargets, weighted_loss

FAST = dict(hidden_size=8, max_epochs=6, lr=1e-2, random_state=0)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 6, 2)).astype(np.float32)
    y = X[:, :, 0].sum(axis=1) + 0.5 * X[:, -1, 1]
    return X, y


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_zero_weight_is_an_absent_row(data, kind, early_stopping):
    X, y = data
    if kind == "classifier":
        y = (y > 0).astype(int)
        est = GRUClassifier(**FAST, early_stopping=early_stopping)
        junk = 1 - y[:24]
    else:
        est = GRURegressor(**FAST, early_stopping=early_stopping)
        junk = 10 * y[:24] + 5
    X2 = np.concatenate([X[:40], X[:24] + 3, X[40:]])
    y2 = np.concatenate([y[:40], junk, y[40:]])
    w = np.ones(len(X2))
    w[40:64] = 0
    kept = est.fit(X, y)
    expected = kept.predict_proba(X) if kind == "classifier" else kept.predict(X)
    weighted = est.fit(X2, y2, sample_weight=w)
    got = weighted.predict_proba(X) if kind == "classifier" else weighted.predict(X)
    assert_array_equal(got, expected)
    assert weighted.loss_curve_ == kept.loss_curve_


@pytest.mark.parametrize("value", [1.0, 3.0])
def test_equal_weights_are_no_weights(data, value):
    X, y = data
    plain = LSTMRegressor(**FAST).fit(X, y)
    weighted = LSTMRegressor(**FAST).fit(X, y, sample_weight=np.full(len(X), value))
    assert_array_equal(weighted.predict(X), plain.predict(X))
    assert weighted.loss_curve_ == plain.loss_curve_


def test_integer_weights_are_repeated_rows_in_the_loss():
    rng = np.random.RandomState(1)
    y_pred = torch.from_numpy(rng.normal(size=(6, 3)).astype(np.float32))
    y_true = torch.from_numpy(rng.normal(size=(6, 3)).astype(np.float32))
    w = np.array([1, 0, 2, 3, 1, 1])
    criterion = torch.nn.MSELoss(reduction="none")
    loss = weighted_loss(
        criterion, y_pred,
        WeightedTargets(y_true, torch.tensor(w, dtype=torch.float32)),
        "cpu",
    )
    rows = np.repeat(np.arange(6), w)
    expected = torch.nn.functional.mse_loss(y_pred[rows], y_true[rows])
    assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    # Classification: per-row cross-entropy.
    logits = torch.from_numpy(rng.normal(size=(6, 4)).astype(np.float32))
    labels = torch.tensor([0, 1, 2, 3, 1, 0])
    loss = weighted_loss(
        torch.nn.CrossEntropyLoss(reduction="none"), logits,
        WeightedTargets(labels, torch.tensor(w, dtype=torch.float32)), "cpu",
    )
    expected = torch.nn.functional.cross_entropy(logits[rows], labels[rows])
    assert_allclose(loss.item(), expected.item(), rtol=1e-6)


def test_integer_weights_are_repeated_rows_in_full_batch_training(data):
    X, y = data
    w = np.random.RandomState(2).randint(0, 4, size=len(X))
    rows = np.repeat(np.arange(len(X)), w)
    params = dict(FAST, batch_size=1000, shuffle=False)
    weighted = LSTMRegressor(**params).fit(X, y, sample_weight=w)
    repeated = LSTMRegressor(**params).fit(X[rows], y[rows])
    assert_allclose(weighted._y_mean, repeated._y_mean, rtol=1e-6)
    assert_allclose(weighted._y_scale, repeated._y_scale, rtol=1e-6)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-5)
    assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-4, atol=1e-5)


def test_weighted_loss_curve_and_validation_loss_are_weighted_means(data):
    X, y = data
    w = np.random.RandomState(3).uniform(0.1, 5, size=len(X))
    est = LSTMRegressor(**dict(FAST, max_epochs=1), batch_size=5, early_stopping=True,
                        validation_fraction=0.5, n_iter_no_change=5)
    est.fit(X, y, sample_weight=w)
    net = est.net_
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(
        ((y[:, None] - est._y_mean) / est._y_scale).astype("float32")
    )
    weight = torch.from_numpy((w / w.mean()).astype("float32"))
    _, valid = net.train_split(SequenceDataset(X_t, y_t, sample_weight=weight))
    rows = valid.indices
    with torch.no_grad():
        per_row = ((est.module_(X_t[rows]) - y_t[rows]) ** 2).mean(dim=1)
    expected = float((per_row * weight[rows]).sum() / weight[rows].sum())
    assert len(rows) > 5  # several validation batches
    assert_allclose(est.validation_loss_curve_[-1], expected, rtol=1e-5)
    unweighted = float(per_row.mean())
    assert abs(unweighted - expected) > 1e-3  # the weighting shows


def test_partial_fit_takes_weights(data):
    X, y = data
    w = np.ones(len(X))
    w[::3] = 0
    a = LSTMRegressor(**FAST).partial_fit(X, y, sample_weight=w)
    b = LSTMRegressor(**FAST).partial_fit(X[w > 0], y[w > 0])
    assert_array_equal(a.predict(X), b.predict(X))
    labels = (y > 0).astype(int)
    clf = GRUClassifier(**FAST, class_weight={0: 1.0, 1: 2.0})
    clf.partial_fit(X, labels, classes=[0, 1], sample_weight=w)
    with pytest.raises(ValueError, match="partial_fit does not support class_weight"):
        GRUClassifier(**FAST, class_weight="balanced").partial_fit(
            X, labels, classes=[0, 1]
        )


def test_class_weight_dict_is_a_sample_weight(data):
    X, y = data
    labels = np.where(y > 0.5, "b", "a")
    by_class = LSTMClassifier(**FAST, class_weight={"b": 3.0}).fit(X, labels)
    by_row = LSTMClassifier(**FAST).fit(
        X, labels, sample_weight=np.where(labels == "b", 3.0, 1.0)
    )
    assert_array_equal(by_class.predict_proba(X), by_row.predict_proba(X))


def test_balanced_class_weight_raises_the_recall_of_a_rare_class():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 8, 1)).astype(np.float32)
    score = X[:, :, 0].mean(axis=1) + 0.3 * rng.normal(size=400)
    y = (score > np.quantile(score, 0.9)).astype(int)  # 10% positives
    params = dict(hidden_size=8, max_epochs=15, lr=1e-2, random_state=0)
    plain = GRUClassifier(**params).fit(X, y)
    balanced = GRUClassifier(**params, class_weight="balanced").fit(X, y)
    recall_plain = recall_score(y, plain.predict(X))
    recall_balanced = recall_score(y, balanced.predict(X))
    assert recall_balanced > recall_plain + 0.2, (recall_plain, recall_balanced)


def test_adaboost_runs_over_skrnn_estimators(data):
    X, y = data
    reg = AdaBoostRegressor(GRURegressor(**FAST), n_estimators=3, random_state=0)
    reg.fit(X, y)
    assert len(reg.estimators_) >= 1
    assert reg.predict(X).shape == (len(X),)
    labels = (y > 0).astype(int)
    clf = AdaBoostClassifier(GRUClassifier(**FAST), n_estimators=3, random_state=0)
    clf.fit(X, labels)
    assert len(clf.estimators_) >= 1
    assert clf.score(X, labels) > 0.6


def test_sample_weight_routed_through_grid_search(data):
    X, y = data
    w = np.random.RandomState(4).randint(0, 3, size=len(X)).astype(float)
    with sklearn.config_context(enable_metadata_routing=True):
        est = GRURegressor(**FAST).set_fit_request(sample_weight=True)
        est.set_score_request(sample_weight=True)
        search = GridSearchCV(est, {"hidden_size": [8]}, cv=2)
        search.fit(X, y, sample_weight=w)
        direct = GRURegressor(**FAST).fit(X, y, sample_weight=w)
        assert_array_equal(search.best_estimator_.predict(X), direct.predict(X))
        # Through a Pipeline too.
        from sklearn.pipeline import make_pipeline

        from skrnn.preprocessing import SequenceScaler

        pipe = make_pipeline(SequenceScaler(), GRURegressor(**FAST).set_fit_request(
            sample_weight=True)).fit(X, y, sample_weight=w)
        alone = GRURegressor(**FAST).fit(SequenceScaler().fit_transform(X), y,
                                         sample_weight=w)
        assert_array_equal(pipe.predict(X),
                           alone.predict(SequenceScaler().fit_transform(X)))
        # Unrequested, the weights are refused rather than silently dropped.
        with pytest.raises(ValueError, match="sample_weight"):
            GridSearchCV(GRURegressor(**FAST), {"hidden_size": [8]}, cv=2).fit(
                X, y, sample_weight=w
            )


def test_weighted_score(data):
    X, y = data
    reg = GRURegressor(**FAST).fit(X, y)
    w = np.zeros(len(X))
    w[:10] = 1
    assert reg.score(X, y, sample_weight=w) == pytest.approx(reg.score(X[:10], y[:10]))


@pytest.mark.parametrize(
    "weights, message",
    [
        (-np.ones(64), "Negative values"),
        (np.ones(5), "shape"),
        (np.zeros(64), "zero"),
    ],
)
def test_bad_weights(data, weights, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        GRURegressor(**FAST).fit(X, y, sample_weight=weights)


def test_class_weights_leaving_nothing_to_train_on(data):
    X, y = data
    labels = (y > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match="nothing to train on"):
            GRUClassifier(**FAST, class_weight={0: 0, 1: 0}).fit(X, labels)


def test_windows_take_weights():
    from skrnn.preprocessing import SlidingWindow

    rng = np.random.RandomState(5)
    series = rng.normal(size=(120, 2)).astype(np.float32)
    y = series[:, 0].copy()
    windows = SlidingWindow(window=6).fit_transform(series)
    w = np.ones(len(y))
    w[30:50] = 0
    keep = w > 0
    weighted = GRURegressor(**FAST).fit(windows, y, sample_weight=w)
    dropped = GRURegressor(**FAST).fit(windows[keep], y[keep])
    assert_array_equal(weighted.predict(windows), dropped.predict(windows))
