"""Regressor-specific behaviour: learning, multi-output targets, target scaling."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skrnn import GRURegressor, LSTMRegressor, RecurrentRegressor, RNNRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize("cls", [LSTMRegressor, GRURegressor, RNNRegressor])
def test_learns_a_solvable_task(cls, regression_data):
    X, y = regression_data
    est = cls(hidden_size=16, max_epochs=40, lr=5e-3, random_state=0)
    est.fit(X[:150], y[:150])
    assert est.loss_curve_[0] > 4 * est.loss_curve_[-1]
    assert est.score(X[150:], y[150:]) > 0.8


def test_multi_output_targets(regression_data):
    X, y = regression_data
    Y = np.c_[y, -2 * y + 5, X[:, 0, 2]]
    est = RecurrentRegressor(cell="gru", hidden_size=16, max_epochs=40, lr=5e-3,
                             random_state=0).fit(X, Y)
    assert est.n_outputs_ == 3
    pred = est.predict(X)
    assert pred.shape == (200, 3) and pred.dtype == np.float64
    assert est.score(X, Y) > 0.8
    # A 2-D y with one column keeps its shape.
    assert est.fit(X, y[:, None]).predict(X[:4]).shape == (4, 1)


def test_normalize_y_makes_training_scale_free(regression_data):
    X, y = regression_data
    params = dict(hidden_size=16, max_epochs=30, lr=5e-3, random_state=0)
    small = RecurrentRegressor(**params).fit(X, y)
    large = RecurrentRegressor(**params).fit(X, 1000 * y + 5000)
    assert_allclose(large.predict(X), 1000 * small.predict(X) + 5000, rtol=1e-4)
    assert_allclose(small.loss_curve_, large.loss_curve_, rtol=1e-3)
    raw = RecurrentRegressor(**params, normalize_y=False).fit(X, 1000 * y + 5000)
    assert raw.score(X, 1000 * y + 5000) < large.score(X, 1000 * y + 5000)


def test_constant_target():
    X = np.random.RandomState(0).normal(size=(30, 4, 1))
    est = RecurrentRegressor(hidden_size=4, max_epochs=100, lr=1e-2, tol=0,
                             random_state=0)
    est.fit(X, np.full(30, 7.0))  # a zero standard deviation must not divide by zero
    assert np.isfinite(est.loss_curve_).all()
    assert est._y_scale[0] == 1.0
    assert abs(est.predict(X).mean() - 7.0) < 0.1


def test_has_no_predict_proba():
    assert not hasattr(RecurrentRegressor(), "predict_proba")
