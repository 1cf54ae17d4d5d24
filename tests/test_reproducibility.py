"""Same ``random_state``, same model: across fits, configurations, processes, thread
counts and ``n_jobs``. Two plain fits of the generic estimators and one subprocess
comparison live in test_base.py; this file adds what they leave out."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict

from skrnn import RecurrentClassifier, RecurrentRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=6, max_epochs=3, batch_size=8, random_state=0)


def _data(n=48, t=7, f=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    return X, s, np.array(["low", "mid", "high"])[np.digitize(s, [-0.15, 0.15])]


#: Configurations that draw from every random source: initialisation, shuffling,
#: dropout masks (between layers and on the final state) and the validation split.
HARD = dict(
    num_layers=2,
    bidirectional=True,
    dropout=0.3,
    early_stopping=True,
    validation_fraction=0.25,
    shuffle=True,
)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
def test_every_cell_and_random_source_repeats_exactly(cls, cell):
    X, y_reg, y_clf = _data()
    y = y_clf if cls is RecurrentClassifier else y_reg
    method = "predict_proba" if cls is RecurrentClassifier else "predict"
    est = cls(cell=cell, **FAST, **HARD)
    a = clone(est).fit(X, y)
    b = clone(est).fit(X, y)
    assert_array_equal(getattr(a, method)(X), getattr(b, method)(X))
    assert a.loss_curve_ == b.loss_curve_
    assert a.validation_loss_curve_ == b.validation_loss_curve_


def test_continued_training_repeats_exactly():
    """warm_start and partial_fit sequences give the same model every time."""
    X, y, _ = _data()

    def run():
        est = RecurrentRegressor(**FAST, dropout=0.2, warm_start=True).fit(X, y)
        est.fit(X, y)
        est.partial_fit(X[:20], y[:20])
        est.partial_fit(X[20:], y[20:])
        return est.predict(X), est.loss_curve_

    (p1, c1), (p2, c2) = run(), run()
    assert_array_equal(p1, p2)
    assert c1 == c2


def test_random_state_instance_is_reproducible_and_advances():
    X, y, _ = _data()
    first = [
        RecurrentRegressor(**{**FAST, "random_state": np.random.RandomState(7)})
        .fit(X, y)
        .predict(X)
        for _ in range(2)
    ]
    assert_array_equal(first[0], first[1])
    shared = RecurrentRegressor(**{**FAST, "random_state": np.random.RandomState(7)})
    a = shared.fit(X, y).predict(X)
    b = shared.fit(X, y).predict(X)  # the RandomState was advanced by the first fit
    assert_array_equal(a, first[0])
    assert not np.array_equal(a, b)


def test_grid_search_n_jobs_does_not_change_results():
    """Fits in joblib worker processes give exactly what the same fits give here."""
    X, _, y = _data(n=36, t=5, f=2)
    grid = {"cell": ["gru", "lstm"]}
    cv = KFold(n_splits=2, shuffle=True, random_state=0)
    est = RecurrentClassifier(**FAST, dropout=0.2)
    results = {}
    for n_jobs in (1, 2):
        search = GridSearchCV(est, grid, cv=cv, n_jobs=n_jobs, error_score="raise")
        search.fit(X, y)
        results[n_jobs] = (
            search.cv_results_["mean_test_score"],
            search.best_params_,
            search.predict_proba(X),
        )
    assert_array_equal(results[1][0], results[2][0])
    assert results[1][1] == results[2][1]
    assert_array_equal(results[1][2], results[2][2])
    # ... and the refitted best estimator is the one a plain fit gives.
    plain = clone(est).set_params(**results[1][1]).fit(X, y)
    assert_array_equal(plain.predict_proba(X), results[1][2])


def test_cross_val_predict_n_jobs_does_not_change_predictions():
    X, y, _ = _data(n=36, t=5, f=2)
    est = RecurrentRegressor(**FAST, cell="rnn")
    serial = cross_val_predict(est, X, y, cv=3, n_jobs=1)
    parallel = cross_val_predict(est, X, y, cv=3, n_jobs=2)
    assert_array_equal(serial, parallel)


FIT_IN_A_FRESH_PROCESS = textwrap.dedent(
    """
    import sys
    import numpy as np
    import torch
    torch.set_num_threads(int(sys.argv[1]))
    from skrnn import RecurrentClassifier
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 7, 3)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    y = np.array(["low", "mid", "high"])[np.digitize(s, [-0.15, 0.15])]
    clf = RecurrentClassifier(cell="lstm", hidden_size=6, max_epochs=3, batch_size=8,
                              random_state=0, num_layers=2, bidirectional=True,
                              dropout=0.3, early_stopping=True,
                              validation_fraction=0.25, shuffle=True)
    np.save(sys.argv[2], clf.fit(X, y).predict_proba(X))
    """
)


def test_same_predictions_in_a_process_with_other_threads_and_hash_seed(tmp_path):
    """A fresh interpreter with another torch thread count and another hash seed
    agrees with this process bit for bit."""
    import torch

    threads = 2 if torch.get_num_threads() == 1 else 1
    out = tmp_path / "proba.npy"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OMP_NUM_THREADS": str(threads)}
    subprocess.run(
        [sys.executable, "-c", FIT_IN_A_FRESH_PROCESS, str(threads), str(out)],
        check=True,
        capture_output=True,
        env=env,
    )
    X, _, y = _data()
    here = RecurrentClassifier(cell="lstm", **FAST, **HARD).fit(X, y).predict_proba(X)
    assert_array_equal(here, np.load(out))
