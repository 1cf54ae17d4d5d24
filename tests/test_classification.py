"""Classifier-specific behaviour: labels of any type, probabilities, partial_fit."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skrnn import GRUClassifier, LSTMClassifier, RecurrentClassifier, RNNClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# The fixture's classes depend on the last step: the final state reads it directly
# (with the default "concat" readout the GRU overfits 180 sequences: 0.68 in 40 epochs).
FAST = dict(hidden_size=16, max_epochs=40, lr=5e-3, random_state=0)


@pytest.mark.parametrize("cls", [LSTMClassifier, GRUClassifier, RNNClassifier])
def test_multiclass_string_labels(cls, classification_data):
    X, y = classification_data
    est = cls(**FAST).fit(X[:180], y[:180])
    assert_array_equal(est.classes_, ["high", "low", "mid"])
    proba = est.predict_proba(X[180:])
    assert proba.shape == (60, 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(est.predict(X[180:]), est.classes_[proba.argmax(axis=1)])
    assert_allclose(np.exp(est.predict_log_proba(X[180:])), proba, rtol=1e-6)
    assert est.score(X[180:], y[180:]) > 0.7
    assert est.loss_curve_[0] > 2 * est.loss_curve_[-1]


@pytest.mark.parametrize(
    "labels", [np.array([3, 7]), np.array([True, False]), np.array(["no", "yes"]),
               np.array([-1.0, 2.0])],
    ids=["int", "bool", "str", "integral-float"],
)
def test_binary_labels_of_any_type(labels, classification_data):
    X, y = classification_data
    yb = labels[(y == "high").astype(int)]
    est = RecurrentClassifier(**FAST).fit(X, yb)
    assert_array_equal(est.classes_, np.sort(labels))
    pred = est.predict(X)
    assert pred.dtype == yb.dtype
    assert set(pred) <= set(labels)
    assert est.predict_proba(X).shape == (240, 2)
    assert est.score(X, yb) > 0.8


def test_proba_columns_follow_classes(classification_data):
    X, y = classification_data
    est = RecurrentClassifier(**FAST).fit(X, y)
    proba = est.predict_proba(X)
    for k, label in enumerate(est.classes_):
        assert proba[y == label, k].mean() > proba[y != label, k].mean()


def test_partial_fit_with_classes_learns(classification_data):
    X, y = classification_data
    est = GRUClassifier(hidden_size=16, lr=5e-3, random_state=0)
    est.partial_fit(X[:120], y[:120], classes=["high", "low", "mid"])
    first = est.loss_curve_[0]
    for _ in range(30):
        est.partial_fit(X, y)
    assert est.n_iter_ == 31
    assert est.loss_curve_[-1] < first / 2


def test_score_counts_labels_unseen_in_fit_as_errors():
    """A test fold holding a rare class its training fold lacks is scored (the
    model is wrong on those rows), as scikit-learn's classifiers score it."""
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import KFold, cross_val_score

    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4, 2)).astype(np.float32)
    y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    y[-2:] = "rare"  # only in the last fold
    est = GRUClassifier(hidden_size=4, max_epochs=3, random_state=0)
    scores = cross_val_score(est, X, y, cv=KFold(3), error_score="raise")
    assert np.isfinite(scores).all()
    fitted = est.fit(X[:20], y[:20])
    assert "rare" not in fitted.classes_
    expected = accuracy_score(y[20:], fitted.predict(X[20:]))
    assert fitted.score(X[20:], y[20:]) == expected
    with pytest.raises(ValueError, match="classes not in"):
        fitted.partial_fit(X[20:], y[20:])


def test_one_class_of_pandas_strings_gives_the_one_class_error():
    pd = pytest.importorskip("pandas")
    X = np.zeros((10, 4, 1), dtype=np.float32)
    with pytest.raises(ValueError, match="only one class: 'a'"):
        GRUClassifier(max_epochs=1).fit(X, pd.Series(["a"] * 10))
    with pytest.raises(ValueError, match="only one class: 3"):
        GRUClassifier(max_epochs=1).fit(X, np.full(10, 3))
