"""skops.io and MLflow round trips: a fitted estimator's file holds only types skops
trusts by default plus skrnn's own classes (``skops_trusted_types()``)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import is_classifier
from sklearn.pipeline import make_pipeline

from skrnn import GRUClassifier, LSTMRegressor, RecurrentClassifier, RNNRegressor
from skrnn.persistence import skops_trusted_types
from skrnn.preprocessing import SequenceScaler, SlidingWindow

sio = pytest.importorskip("skops.io")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
FAST = dict(hidden_size=4, max_epochs=3, batch_size=8, random_state=0)


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 2)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    return X, s, np.where(s > 0, "up", "down")


def _round_trip(est):
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) <= set(skops_trusted_types()), untrusted
    assert not [t for t in untrusted if t.split(".")[0] in ("builtins", "functools",
                                                            "skorch", "torch")]
    return sio.loads(data, trusted=skops_trusted_types())


@pytest.mark.parametrize(
    "est",
    [
        GRUClassifier(**FAST, num_layers=2, dropout=0.2, early_stopping=True,
                      validation_fraction=0.25),
        RecurrentClassifier(**FAST, cell="lstm", bidirectional=True),
        LSTMRegressor(**FAST, normalize_y=True),
        RNNRegressor(**FAST, optimizer="sgd"),
    ],
    ids=["gru-clf-es", "lstm-clf-bi", "lstm-reg-normalize", "rnn-reg-sgd"],
)
def test_fitted_estimator_round_trips_trusting_only_skrnn(est):
    X, y_reg, y_clf = _data()
    y = y_clf if is_classifier(est) else y_reg
    est.fit(X, y)
    back = _round_trip(est)
    assert_array_equal(back.predict(X), est.predict(X))
    assert back.loss_curve_ == est.loss_curve_
    assert [row["epoch"] for row in back.history_] == [1, 2, 3]
    if hasattr(est, "classes_"):
        assert_array_equal(back.classes_, est.classes_)
        assert_array_equal(back.predict_proba(X), est.predict_proba(X))
    # It trains on: warm_start continues from the loaded weights and optimizer.
    back.set_params(warm_start=True, max_epochs=1).fit(X, y)
    assert back.n_iter_ == 4
    cont = pickle.loads(pickle.dumps(est)).set_params(warm_start=True, max_epochs=1)
    assert_array_equal(back.predict(X), cont.fit(X, y).predict(X))


def test_unfitted_estimator_and_pipelines_round_trip():
    X, y, _ = _data()
    assert _round_trip(GRUClassifier(hidden_size=3)).get_params()["hidden_size"] == 3
    pipe = make_pipeline(SequenceScaler(), LSTMRegressor(**FAST)).fit(X, y)
    assert_array_equal(_round_trip(pipe).predict(X), pipe.predict(X))
    frame = pd.DataFrame({"x": np.sin(np.arange(80) / 4)})
    target = frame["x"].to_numpy()
    forecast = make_pipeline(SlidingWindow(5), RNNRegressor(**FAST))
    forecast.fit(frame[:60], target[:60])
    assert_array_equal(_round_trip(forecast).predict(frame[60:]),
                       forecast.predict(frame[60:]))


def test_pickle_keeps_the_full_state():
    """pickle, joblib and cloudpickle still store the skorch net itself."""
    X, y, _ = _data()
    est = LSTMRegressor(**FAST).fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    assert back.net_.callbacks_[0][0] == est.net_.callbacks_[0][0]
    assert type(back.net_) is type(est.net_)
    assert_array_equal(back.predict(X), est.predict(X))


def test_mlflow_saves_and_loads_with_skops(tmp_path):
    mlflow_sklearn = pytest.importorskip("mlflow.sklearn")
    X, _, y = _data()
    est = GRUClassifier(**FAST).fit(X, y)
    path = str(tmp_path / "model")
    mlflow_sklearn.save_model(est, path, serialization_format="skops",
                              skops_trusted_types=skops_trusted_types())
    back = mlflow_sklearn.load_model(path)
    assert_array_equal(back.predict_proba(X), est.predict_proba(X))
