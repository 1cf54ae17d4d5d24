"""Fits running at the same time in one process (threads) draw only from their own
generators: they equal the same fits run one after another, bit for bit on the CPU,
and torch's global generator is left as it was."""

from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict

from skrnn import RecurrentClassifier, RecurrentRegressor
from skrnn.nn import RecurrentNet, set_generator

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=6, max_epochs=3, batch_size=8, random_state=0)
#: Every random source: initialisation, shuffling, the validation split, dropout
#: between the fused layers and on the final state.
HARD = dict(num_layers=2, bidirectional=True, dropout=0.3, early_stopping=True,
            validation_fraction=0.25, shuffle=True)


def _data(n=48, t=7, f=3):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    return X, s, np.array(["low", "mid", "high"])[np.digitize(s, [-0.15, 0.15])]


def _fit_predict(est, X, y):
    est = clone(est).fit(X, y)
    return est.predict(X), est.loss_curve_


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_fits_in_threads_equal_one_fit_alone(cell):
    X, y, _ = _data()
    est = RecurrentRegressor(cell=cell, **FAST, **HARD)
    alone = _fit_predict(est, X, y)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: _fit_predict(est, X, y), range(6)))
    for pred, curve in results:
        assert_array_equal(pred, alone[0])
        assert curve == alone[1]


def test_grid_search_on_the_threading_backend_equals_sequential():
    X, _, y = _data(n=36, t=5, f=2)
    est = RecurrentClassifier(**FAST, num_layers=2, dropout=0.2)
    grid = {"cell": ["gru", "lstm"], "hidden_size": [4, 6]}
    cv = KFold(n_splits=3, shuffle=True, random_state=0)
    scores = {}
    for n_jobs in (1, 2):
        with joblib.parallel_backend("threading", n_jobs=n_jobs):
            search = GridSearchCV(est, grid, cv=cv, n_jobs=n_jobs, error_score="raise")
            search.fit(X, y)
        scores[n_jobs] = [search.cv_results_[f"split{i}_test_score"] for i in range(3)]
    assert_array_equal(scores[1], scores[2])


def test_cross_val_predict_on_the_threading_backend_equals_sequential():
    X, y, _ = _data(n=36, t=5, f=2)
    est = RecurrentRegressor(**FAST, cell="lstm", dropout=0.2)
    serial = cross_val_predict(est, X, y, cv=4, n_jobs=1)
    with joblib.parallel_backend("threading", n_jobs=2):
        threaded = cross_val_predict(est, X, y, cv=4, n_jobs=2)
    assert_array_equal(serial, threaded)


@pytest.mark.parametrize("params", [{}, HARD], ids=["plain", "every-source"])
def test_fit_and_predict_leave_the_global_generator_alone(params):
    X, y, _ = _data()
    before = torch.get_rng_state()
    est = RecurrentRegressor(**FAST, **params).fit(X, y)
    est.set_params(warm_start=True, max_epochs=1).fit(X, y)
    est.predict(X)
    assert torch.equal(before, torch.get_rng_state())


def test_other_threads_drawing_from_the_global_generator_are_not_disturbed():
    """A fit without dropout between fused layers never reads or writes torch's
    global generator, so another thread drawing from it gets its own sequence."""
    X, y, _ = _data()
    est = RecurrentRegressor(**FAST, dropout=0.3, shuffle=True, early_stopping=True)
    torch.manual_seed(1)
    expected = torch.rand(2000)
    torch.manual_seed(1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        fits = [pool.submit(_fit_predict, est, X, y) for _ in range(2)]
        drawn = torch.cat([torch.rand(1) for _ in range(2000)])
        [f.result() for f in fits]
    assert torch.equal(expected, drawn)


def test_random_state_none_draws_its_seed_from_the_global_generator():
    X, y, _ = _data()
    est = RecurrentRegressor(**{**FAST, "random_state": None}, dropout=0.2)
    torch.manual_seed(5)
    a = _fit_predict(est, X, y)[0]
    torch.manual_seed(5)
    with ThreadPoolExecutor(max_workers=2) as pool:
        b = pool.submit(_fit_predict, est, X, y).result()[0]
    assert_array_equal(a, b)


def test_dropout_draws_from_the_modules_generator():
    net = RecurrentNet(input_size=2, output_size=3, hidden_size=8, num_layers=2,
                       dropout=0.5).train()
    X = torch.randn(4, 6, 2)
    outs = []
    for _ in range(2):
        set_generator(net, torch.Generator().manual_seed(3))
        state = torch.get_rng_state()
        outs.append(net(X))
        assert torch.equal(state, torch.get_rng_state())
    assert torch.equal(outs[0], outs[1])
    set_generator(net, torch.Generator().manual_seed(4))
    assert not torch.equal(outs[0], net(X))
    set_generator(net, None)  # plain PyTorch: the global generator, as nn.Dropout
    assert not torch.equal(net(X), net(X))
