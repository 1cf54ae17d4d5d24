"""What the tools around scikit-learn expect of every estimator: the HTML repr,
``clone`` and ``get_params(deep=True)`` of each public estimator and transformer,
and the documented layout for meta-estimators that validate ``X`` as 2-D."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier, BaggingRegressor
from sklearn.inspection import permutation_importance
from sklearn.multiclass import OneVsOneClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.semi_supervised import SelfTrainingClassifier

from skrnn import GRUClassifier, LSTMRegressor
from skrnn.utils import all_estimators

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = all_estimators()
FAST = dict(hidden_size=4, max_epochs=2, random_state=0)


def _fitted(cls):
    est = cls()
    rng = np.random.RandomState(0)
    if "filters" in est.get_params():  # image sequences (n, T, C, H, W)
        X = rng.rand(12, 3, 1, 4, 4).astype(np.float32)
        est.set_params(filters=2, max_epochs=2, random_state=0)
        classifier = est.__sklearn_tags__().estimator_type == "classifier"
        return est.fit(X, np.arange(12) % 2 if classifier else X[:, -1])
    if not est.__sklearn_tags__().input_tags.three_d_array:
        return est.fit(rng.normal(size=(30, 2)))  # a series (SlidingWindow)
    kind = est.__sklearn_tags__().estimator_type
    X = rng.normal(size=(20, 5, 2)).astype(np.float32)
    if kind is None:
        return est.fit(X)
    est.set_params(**FAST)
    y = np.arange(20) % 2 if kind == "classifier" else X[:, :, 0].sum(axis=1)
    return est.fit(X, y)


@pytest.mark.parametrize("name,cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
def test_html_repr_clone_and_deep_params(name, cls, fitted):
    est = _fitted(cls) if fitted else cls()
    html = est._repr_html_()
    assert name in html and "<" in html
    params = est.get_params(deep=True)
    assert set(cls().get_params(deep=False)) <= set(params)
    copy = clone(est)
    assert type(copy) is cls and copy is not est
    assert copy.get_params(deep=True).keys() == params.keys()
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(copy))
    # set_params with what get_params gave is a no-op
    assert clone(copy).set_params(**copy.get_params(deep=False)).get_params() == \
        copy.get_params()
    # ... in a pipeline too, where deep parameters get the step's prefix.
    pipe = make_pipeline(clone(est))
    assert any(k.startswith(f"{name.lower()}__") for k in pipe.get_params(deep=True))
    assert clone(pipe)._repr_html_()


def _sequences(n=60, t=6, f=2):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    return X, np.digitize(s, [-0.1, 0.1])  # three classes 0, 1, 2


def test_univariate_2d_layout_goes_through_2d_meta_estimators():
    X, y = _sequences(f=1)
    X2 = X[:, :, 0]  # (n_samples, n_timesteps): one feature per step
    gru = GRUClassifier(**FAST)
    for meta in (BaggingClassifier(gru, n_estimators=2, random_state=0),
                 OneVsOneClassifier(gru)):
        assert 0 <= meta.fit(X2, y).score(X2, y) <= 1
    y_semi = y.copy()
    y_semi[::3] = -1  # unlabelled
    self_training = SelfTrainingClassifier(gru, max_iter=1).fit(X2, y_semi)
    assert self_training.predict(X2).shape == (len(X2),)
    result = permutation_importance(gru.fit(X2, y), X2, y, n_repeats=2, random_state=0)
    assert result.importances_mean.shape == (X2.shape[1],)


def test_flattened_layout_with_a_reshaping_step_goes_through_2d_meta_estimators():
    """The pattern of the user guide: flat rows, reshaped inside the pipeline."""
    X, y = _sequences()
    n_samples, n_timesteps, n_features = X.shape
    X_flat = X.reshape(n_samples, n_timesteps * n_features)
    to_sequences = FunctionTransformer(
        np.reshape, kw_args={"shape": (-1, n_timesteps, n_features)}
    )
    model = make_pipeline(to_sequences, GRUClassifier(**FAST))
    with pytest.raises(ValueError, match="dim 3"):  # why the pattern is needed
        BaggingClassifier(GRUClassifier(**FAST), n_estimators=2).fit(X, y)
    bagged = BaggingClassifier(model, n_estimators=2, random_state=0).fit(X_flat, y)
    # Each member reads the sequences as 3-D, exactly as the bare estimator would.
    member, rows = bagged.estimators_[0], bagged.estimators_samples_[0]
    bare = GRUClassifier(**{**FAST, "random_state": member[-1].random_state})
    bare.fit(X[rows], y[rows])
    assert_array_equal(member.predict_proba(X_flat), bare.predict_proba(X))
    ovo = OneVsOneClassifier(model).fit(X_flat, y)
    assert ovo.predict(X_flat).shape == (n_samples,)
    y_semi = y.copy()
    y_semi[::3] = -1
    SelfTrainingClassifier(model, max_iter=1).fit(X_flat, y_semi)
    result = permutation_importance(model.fit(X_flat, y), X_flat, y, n_repeats=2,
                                    random_state=0)
    assert result.importances_mean.shape == (n_timesteps * n_features,)
    pickle.loads(pickle.dumps(bagged))  # np.reshape keeps the pipeline picklable
    reg = make_pipeline(to_sequences, LSTMRegressor(**FAST))
    BaggingRegressor(reg, n_estimators=2, random_state=0).fit(X_flat, X[:, 0, 0])
