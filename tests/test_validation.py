"""Bad input gets scikit-learn's kind of error: what was wrong, what was expected."""

import numpy as np
import pandas as pd
import pytest

from skrnn import LSTMClassifier, LSTMRegressor, RecurrentClassifier, RecurrentRegressor
from skrnn.utils import check_sequences

FAST = dict(hidden_size=4, max_epochs=1, random_state=0)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _X(n=12, t=5, f=2):
    return np.random.RandomState(0).normal(size=(n, t, f)).astype(np.float32)


def _y_reg(n=12):
    return np.linspace(0, 1, n)


def _y_clf(n=12):
    return np.array(["a", "b"] * (n // 2))


def _with(X, index, value):
    X = X.copy()
    X[index] = value
    return X


FIT_ERRORS = [
    ("nan", lambda: (_with(_X(), (0, 1, 1), np.nan), _y_reg()), "Input X contains NaN"),
    ("inf", lambda: (_with(_X(), (3, 0, 0), np.inf), _y_reg()), "Input X contains infinity"),
    ("nan_2d", lambda: (_with(_X()[:, :, 0], (0, 0), np.nan), _y_reg()), "Input X contains NaN"),
    ("1d", lambda: (np.arange(12.0), _y_reg()), "Expected 2D array, got 1D array"),
    ("4d", lambda: (_X()[..., None], _y_reg()), r"Found array with dim 4.*expected a 2-D array"),
    ("no_samples", lambda: (_X(n=0), _y_reg(0)), "0 sample"),
    ("no_timesteps_3d", lambda: (_X(t=0), _y_reg()), "0 time step"),
    ("no_timesteps_2d", lambda: (np.zeros((12, 0)), _y_reg()), "0 feature"),
    ("no_features", lambda: (_X(f=0), _y_reg()), r"0 feature\(s\) per time step"),
    ("length_mismatch", lambda: (_X(), _y_reg(11)), "inconsistent numbers of samples"),
    ("y_nan", lambda: (_X(), _with(_y_reg(), 2, np.nan)), "Input y contains NaN"),
    ("ragged", lambda: ([[1.0, 2.0], [1.0]], [0.0, 1.0]), "sequences of different lengths"),
    ("strings", lambda: (np.array([["a", "b"], ["c", "d"]]), [0.0, 1.0]), "could not convert|string"),
    ("string_target", lambda: (_X(), np.array(["x"] * 12, dtype=object)), "could not convert|string"),
]


@pytest.mark.parametrize("name,make,match", FIT_ERRORS, ids=[c[0] for c in FIT_ERRORS])
def test_bad_fit_input_raises_value_error(name, make, match):
    X, y = make()
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**FAST).fit(X, y)


def test_sparse_input_is_refused():
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="Sparse data was passed"):
        LSTMRegressor(**FAST).fit(sp.csr_matrix(np.eye(12)), _y_reg())


def test_single_class_is_refused():
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 'a'"):
        LSTMClassifier(**FAST).fit(_X(), np.array(["a"] * 12))


def test_continuous_target_for_classifier_is_refused():
    with pytest.raises(ValueError, match="Unknown label type"):
        LSTMClassifier(**FAST).fit(_X(), _y_reg())


def test_wrong_number_of_features_per_step_at_predict():
    est = LSTMRegressor(**FAST).fit(_X(f=2), _y_reg())
    with pytest.raises(
        ValueError,
        match="X has 3 features per time step, but LSTMRegressor is expecting 2 features",
    ):
        est.predict(_X(f=3))
    with pytest.raises(ValueError, match="expecting 2 features per time step.*3-D array"):
        est.predict(_X()[:, :, 0])


def test_wrong_number_of_columns_at_predict_for_2d_fit():
    est = RecurrentClassifier(**FAST).fit(_X()[:, :, 0], _y_clf())
    with pytest.raises(ValueError, match="X has 4 features, but RecurrentClassifier is expecting 5"):
        est.predict(_X(t=4)[:, :, 0])


def test_nan_at_predict():
    est = LSTMRegressor(**FAST).fit(_X(), _y_reg())
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(_with(_X(), (0, 0, 0), np.nan))


def test_unseen_labels_in_warm_start_and_partial_fit():
    est = RecurrentClassifier(**FAST, warm_start=True).fit(_X(), _y_clf())
    y = np.array(["a", "c"] * 6)
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        est.fit(_X(), y)
    clf = RecurrentClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(_X(), _y_clf())
    clf.partial_fit(_X(), _y_clf(), classes=["a", "b", "c"])
    assert list(clf.classes_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(_X(), np.array(["a", "d"] * 6))


def test_warm_start_with_other_number_of_outputs():
    est = RecurrentRegressor(**FAST, warm_start=True).fit(_X(), _y_reg())
    with pytest.raises(ValueError, match="y has 2 outputs, but RecurrentRegressor was fitted with 1"):
        est.fit(_X(), np.c_[_y_reg(), _y_reg()])


@pytest.mark.parametrize(
    "param,value,match",
    [
        ("cell", "lstmm", r"The 'cell' parameter of RecurrentRegressor must be a str among"),
        ("hidden_size", 0, r"The 'hidden_size' parameter .* must be an int in the range \[1, inf\)"),
        ("dropout", 1.0, r"The 'dropout' parameter .* in the range \[0.0, 1.0\)"),
        ("lr", 0, r"The 'lr' parameter"),
        ("optimizer", "adamax", r"The 'optimizer' parameter"),
        ("validation_fraction", 1.0, r"The 'validation_fraction' parameter"),
        ("device", 3, r"The 'device' parameter"),
    ],
)
def test_hyperparameters_are_validated(param, value, match):
    with pytest.raises(ValueError, match=match):
        RecurrentRegressor(**{**FAST, param: value}).fit(_X(), _y_reg())


def test_unknown_device_string():
    with pytest.raises(ValueError, match="must be a torch device such as 'cpu'"):
        RecurrentRegressor(**FAST, device="gpu0").fit(_X(), _y_reg())


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LSTMClassifier().predict(_X())
    with pytest.raises(AttributeError):
        LSTMClassifier().module_  # noqa: B018


def test_dtypes_are_converted_to_float32():
    for dtype in (np.float16, np.float64, np.int64, np.int32):
        X = (_X() * 3).astype(dtype)
        Xv = check_sequences(LSTMRegressor(), X, reset=True)
        assert Xv.dtype == np.float32 and Xv.shape == X.shape


def test_float32_c_contiguous_input_is_not_copied():
    X = _X()
    assert np.shares_memory(check_sequences(LSTMRegressor(), X, reset=True), X)


def test_non_contiguous_and_read_only_inputs_work():
    X = np.asfortranarray(_X())
    Xr = _X()
    Xr.setflags(write=False)
    for data in (X, Xr, _X(t=10)[:, ::2]):
        est = LSTMRegressor(**FAST).fit(data, _y_reg())
        assert est.predict(data).shape == (12,)


def test_dataframe_with_non_numeric_column():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "z", "w"]})
    with pytest.raises(ValueError, match="could not convert|string"):
        LSTMRegressor(**FAST).fit(df, [0.0, 1.0, 0.0, 1.0])
