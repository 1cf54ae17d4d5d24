"""Bad input gets scikit-learn's kind of error: what was wrong, what was expected."""

import re

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_array_equal

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
    (
        "inf",
        lambda: (_with(_X(), (3, 0, 0), np.inf), _y_reg()),
        "Input X contains infinity",
    ),
    (
        "nan_2d",
        lambda: (_with(_X()[:, :, 0], (0, 0), np.nan), _y_reg()),
        "Input X contains NaN",
    ),
    ("1d", lambda: (np.arange(12.0), _y_reg()), "Expected 2D array, got 1D array"),
    (
        "4d",
        lambda: (_X()[..., None], _y_reg()),
        r"Found array with dim 4.*expected a 2-D array",
    ),
    ("no_samples", lambda: (_X(n=0), _y_reg(0)), "0 sample"),
    ("no_timesteps_3d", lambda: (_X(t=0), _y_reg()), "0 time step"),
    ("no_timesteps_2d", lambda: (np.zeros((12, 0)), _y_reg()), "0 feature"),
    ("no_features", lambda: (_X(f=0), _y_reg()), r"0 feature\(s\) per time step"),
    ("length_mismatch", lambda: (_X(), _y_reg(11)), "inconsistent numbers of samples"),
    ("y_nan", lambda: (_X(), _with(_y_reg(), 2, np.nan)), "Input y contains NaN"),
    (
        "ragged_feature_counts",
        lambda: ([np.zeros((2, 2)), np.zeros((1, 3))], [0.0, 1.0]),
        r"X\[1\] has 3 features per time step, but X\[0\] has 2",
    ),
    (
        "strings",
        lambda: (np.array([["a", "b"], ["c", "d"]]), [0.0, 1.0]),
        "could not convert|string",
    ),
    (
        "string_target",
        lambda: (_X(), np.array(["x"] * 12, dtype=object)),
        "could not convert|string",
    ),
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
        match="X has 3 features per time step, but LSTMRegressor is expecting 2 "
        "features",
    ):
        est.predict(_X(f=3))
    with pytest.raises(
        ValueError, match="expecting 2 features per time step.*3-D array"
    ):
        est.predict(_X()[:, :, 0])


def test_wrong_number_of_columns_at_predict_for_2d_fit():
    est = RecurrentClassifier(**FAST).fit(_X()[:, :, 0], _y_clf())
    with pytest.raises(
        ValueError, match="X has 4 features, but RecurrentClassifier is expecting 5"
    ):
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
    with pytest.raises(
        ValueError, match="y has 2 outputs, but RecurrentRegressor was fitted with 1"
    ):
        est.fit(_X(), np.c_[_y_reg(), _y_reg()])


@pytest.mark.parametrize(
    "param,value,match",
    [
        (
            "cell",
            "lstmm",
            r"The 'cell' parameter of RecurrentRegressor must be a str among",
        ),
        (
            "hidden_size",
            0,
            r"The 'hidden_size' parameter .* must be an int in the range \[1, inf\)",
        ),
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


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="MPS is available")
@pytest.mark.parametrize("device", ["mps", "meta", "cuda:7"])
def test_unavailable_devices_are_refused_before_anything_is_built(device):
    est = RecurrentRegressor(**FAST, device=device)
    with pytest.raises(ValueError, match=f"device={device!r} was requested, but"):
        est.fit(_X(), _y_reg())
    assert not hasattr(est, "net_")


def test_an_optimizer_without_weight_decay_trains():
    """torch.optim.LBFGS takes no weight_decay and steps with a closure (skorch's)."""
    est = RecurrentRegressor(**{**FAST, "max_epochs": 3}, optimizer=torch.optim.LBFGS)
    est.fit(_X(), _y_reg())
    assert est.n_iter_ == 3 and np.all(np.isfinite(est.loss_curve_))
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert isinstance(est.net_.optimizer_, torch.optim.LBFGS)


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


# =====================================================================================
# The catalogue of bad input, by kind: each kind is answered by a ValueError or a
# TypeError in scikit-learn's words, for a regressor and a classifier, at fit and
# (where it applies) at predict. The kinds above are not repeated here.
# =====================================================================================

REG, CLF = LSTMRegressor, RecurrentClassifier
BOTH = (REG, CLF)


def _y(cls, n=12):
    return _y_clf(n) if cls is CLF else _y_reg(n)


def _fitted(cls, X=None):
    X = _X() if X is None else X
    return cls(**FAST).fit(X, _y(cls, len(X)))


def _df(X2, columns=None):
    return pd.DataFrame(X2, columns=columns or [f"t{i}" for i in range(X2.shape[1])])


# (kind, estimators, call(cls), exception, message pattern)
CATALOGUE = [
    # -- object and string arrays ---------------------------------------------------
    (
        "numeric_strings",
        BOTH,
        lambda c: c(**FAST).fit(_X().astype(str), _y(c)),
        ValueError,
        r"not compatible with arrays of bytes/strings: X holds strings",
    ),
    (
        "bytes",
        BOTH,
        lambda c: c(**FAST).fit(_X().astype("S8"), _y(c)),
        ValueError,
        r"bytes/strings: X holds strings \(dtype \|S8\)",
    ),
    (
        "object_strings",
        BOTH,
        lambda c: c(**FAST).fit(np.full((12, 5, 2), "a", dtype=object), _y(c)),
        ValueError,
        r"X holds strings \(dtype object\)",
    ),
    (
        "object_with_none",
        BOTH,
        lambda c: c(**FAST).fit(_with(_X().astype(object), (0, 0, 0), None), _y(c)),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "object_with_dict",
        BOTH,
        lambda c: c(**FAST).fit(_with(_X().astype(object), (0, 0, 0), {"a": 1}), _y(c)),
        TypeError,
        r"must be a string or a (real )?number",
    ),
    (
        "dataframe_string_column",
        BOTH,
        lambda c: c(**FAST).fit(_df(_X()[:, :, 0]).astype({"t1": "string"}), _y(c)),
        ValueError,
        r"the column\(s\) \['t1'\] of X hold strings",
    ),
    (
        "dataframe_categorical_column",
        BOTH,
        lambda c: c(**FAST).fit(
            _df(_X()[:, :, 0]).assign(t2=pd.Categorical(["x", "y"] * 6)), _y(c)
        ),
        ValueError,
        r"the column\(s\) \['t2'\] of X hold strings",
    ),
    (
        "dataframe_pd_na",
        BOTH,
        lambda c: c(**FAST).fit(
            _df(_X()[:, :, 0]).astype("Float64").mask(np.eye(12, 5, dtype=bool)), _y(c)
        ),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "complex",
        BOTH,
        lambda c: c(**FAST).fit(_X().astype(complex), _y(c)),
        ValueError,
        "Complex data not supported",
    ),
    (
        "too_large_for_float32",
        BOTH,
        lambda c: c(**FAST).fit(
            _with(_X().astype(np.float64), (1, 1, 1), 1e300), _y(c)
        ),
        ValueError,
        r"Input X contains infinity or a value too large for dtype\('float32'\)",
    ),
    # -- shapes -----------------------------------------------------------------------
    (
        "scalar",
        BOTH,
        lambda c: c(**FAST).fit(3.0, _y(c)),
        ValueError,
        "Expected 2D array, got scalar array instead",
    ),
    (
        "none",
        BOTH,
        lambda c: c(**FAST).fit(None, _y(c)),
        ValueError,
        "Expected 2D array, got scalar array instead",
    ),
    (
        "ragged_empty_sequence",
        BOTH,
        lambda c: c(**FAST).fit([np.zeros((5, 2)), np.zeros((0, 2))], _y(c, 2)),
        ValueError,
        r"X\[1\] is an empty sequence",
    ),
    # -- targets ----------------------------------------------------------------------
    (
        "string_target_unicode",
        (REG,),
        lambda c: c(**FAST).fit(_X(), _y_clf()),
        ValueError,
        r"y holds strings \(dtype <U1\), but LSTMRegressor expects numeric",
    ),
    (
        "numeric_string_target",
        (REG,),
        lambda c: c(**FAST).fit(_X(), _y_reg().astype(str)),
        ValueError,
        r"y holds strings",
    ),
    (
        "y_inf",
        BOTH,
        lambda c: c(**FAST).fit(_X(), _with(_y_reg(), 0, np.inf)),
        ValueError,
        "Input y contains infinity",
    ),
    (
        "y_too_large_for_float32",
        (REG,),
        lambda c: c(**FAST).fit(_X(), np.full(12, 1e300)),
        ValueError,
        r"Input y contains infinity or a value too large for dtype\('float32'\)",
    ),
    (
        "y_3d",
        (REG,),
        lambda c: c(**FAST).fit(_X(), np.zeros((12, 2, 2))),
        ValueError,
        r"Found array with dim 3, while dim <= 2 is required",
    ),
    (
        "y_no_outputs",
        (REG,),
        lambda c: c(**FAST).fit(_X(), np.zeros((12, 0))),
        ValueError,
        r"Found array with 0 feature\(s\) \(shape=\(12, 0\)\)",
    ),
    (
        "y_2d_for_classifier",
        (CLF,),
        lambda c: c(**FAST).fit(_X(), np.c_[_y_clf(), _y_clf()]),
        ValueError,
        r"y should be a 1d array, got an array of shape \(12, 2\)",
    ),
    (
        "y_mixed_labels",
        (CLF,),
        lambda c: c(**FAST).fit(_X(), np.array([1, "a"] * 6, dtype=object)),
        ValueError,
        "Unknown label type",
    ),
    (
        "y_nan_labels",
        (CLF,),
        lambda c: c(**FAST).fit(_X(), _with(_y_reg(), 0, np.nan)),
        ValueError,
        "Input y contains NaN",
    ),
    (
        "one_class_in_partial_fit_classes",
        (CLF,),
        lambda c: c(**FAST).partial_fit(_X(), np.array(["a"] * 12), classes=["a"]),
        ValueError,
        r"at least 2 classes",
    ),
    (
        "partial_fit_labels_not_in_classes",
        (CLF,),
        lambda c: c(**FAST).partial_fit(_X(), _y_clf(), classes=["a", "c"]),
        ValueError,
        r"`y` has classes not in `self.classes_`",
    ),
    # -- at predict -------------------------------------------------------------------
    (
        "predict_1d",
        BOTH,
        lambda c: _fitted(c).predict(np.zeros(5)),
        ValueError,
        "Expected 2D array, got 1D array instead",
    ),
    (
        "predict_4d",
        BOTH,
        lambda c: _fitted(c).predict(_X()[..., None]),
        ValueError,
        r"Found array with dim 4",
    ),
    (
        "predict_no_samples",
        BOTH,
        lambda c: _fitted(c).predict(_X(n=0)),
        ValueError,
        r"Found array with 0 sample\(s\)",
    ),
    (
        "predict_no_timesteps",
        BOTH,
        lambda c: _fitted(c).predict(_X(t=0)),
        ValueError,
        r"0 time step\(s\)",
    ),
    (
        "predict_no_features",
        BOTH,
        lambda c: _fitted(c).predict(_X(f=0)),
        ValueError,
        r"0 feature\(s\) per time step",
    ),
    (
        "predict_inf",
        BOTH,
        lambda c: _fitted(c).predict(_with(_X(), (2, 2, 0), -np.inf)),
        ValueError,
        "Input X contains infinity",
    ),
    (
        "predict_strings",
        BOTH,
        lambda c: _fitted(c).predict(_X().astype(str)),
        ValueError,
        "bytes/strings",
    ),
    (
        "predict_sparse",
        BOTH,
        lambda c: _fitted(c, _X()[:, :, 0]).predict(
            pytest.importorskip("scipy.sparse").csr_matrix(_X()[:, :, 0])
        ),
        TypeError,
        "Sparse data was passed for X, but dense data is required",
    ),
    (
        "predict_multivariate_after_univariate_fit",
        BOTH,
        lambda c: _fitted(c, _X()[:, :, 0]).predict(_X()),
        ValueError,
        r"X has 2 features per time step, but \w+ is expecting 1",
    ),
    (
        "predict_proba_wrong_features",
        (CLF,),
        lambda c: _fitted(c).predict_proba(_X(f=3)),
        ValueError,
        r"X has 3 features per time step, but RecurrentClassifier is expecting 2",
    ),
    (
        "dataframe_columns_reordered",
        BOTH,
        lambda c: _fitted(c, _df(_X()[:, :, 0])).predict(
            _df(_X()[:, :, 0])[[f"t{i}" for i in (4, 3, 2, 1, 0)]]
        ),
        ValueError,
        "Feature names must be in the same order as they were in fit",
    ),
    (
        "dataframe_columns_renamed",
        BOTH,
        lambda c: _fitted(c, _df(_X()[:, :, 0])).predict(
            _df(_X()[:, :, 0], list("abcde"))
        ),
        ValueError,
        r"The feature names should match those that were passed during fit",
    ),
    (
        "dataframe_extra_column",
        BOTH,
        lambda c: _fitted(c, _df(_X()[:, :, 0])).predict(
            _df(_X()[:, :, 0]).assign(t5=0.0)
        ),
        ValueError,
        r"Feature names unseen at fit time:\n- t5",
    ),
    (
        "warm_start_other_features",
        BOTH,
        lambda c: c(**FAST, warm_start=True).fit(_X(), _y(c)).fit(_X(f=1), _y(c)),
        ValueError,
        r"X has 1 features per time step, but \w+ is expecting 2",
    ),
    (
        "score_string_target_for_regressor",
        (REG,),
        lambda c: _fitted(c).score(_X(), _y_clf()),
        ValueError,
        r"could not convert string to float",
    ),
    (
        "score_wrong_length",
        BOTH,
        lambda c: _fitted(c).score(_X(), _y(c)[:6]),
        ValueError,
        r"inconsistent numbers of samples",
    ),
    # -- hyperparameters that only fail against the machine or the libraries -------
    (
        "callbacks_holding_a_non_callback",
        BOTH,
        lambda c: c(**FAST, callbacks=[object()]).fit(_X(), _y(c)),
        ValueError,
        r"'callbacks' parameter of \w+ must be a list of skorch callbacks .* Got "
        r"<object object at .*> at position 0",
    ),
    (
        "callbacks_holding_a_bad_tuple",
        (REG,),
        lambda c: c(**FAST, callbacks=[("name", "cb")]).fit(_X(), _y(c)),
        TypeError,
        r"Got \('name', 'cb'\) at position 0",
    ),
    (
        "device_mps_without_mps",
        BOTH,
        lambda c: c(**FAST, device="mps").fit(_X(), _y(c)),
        ValueError,
        r"device='mps' was requested, but MPS .* is not available on this machine",
    ),
    (
        "device_meta",
        BOTH,
        lambda c: c(**FAST, device="meta").fit(_X(), _y(c)),
        ValueError,
        r"device='meta' was requested, but tensors on the 'meta' device have shapes "
        r"but no data",
    ),
    (
        "device_xpu_without_xpu",
        (REG,),
        lambda c: c(**FAST, device="xpu").fit(_X(), _y(c)),
        ValueError,
        r"device='xpu' was requested, but torch cannot use it on this machine",
    ),
    (
        "weight_decay_for_an_optimizer_without_it",
        BOTH,
        lambda c: c(**FAST, optimizer=torch.optim.LBFGS, weight_decay=0.1).fit(
            _X(), _y(c)),
        ValueError,
        r"The optimizer 'LBFGS' of \w+ takes no weight_decay, but weight_decay=0.1",
    ),
]

_CATALOGUE_CASES = [
    pytest.param(call, cls, exc, match, id=f"{kind}-{cls.__name__}")
    for kind, classes, call, exc, match in CATALOGUE
    for cls in classes
]


@pytest.mark.parametrize("call,cls,exc,match", _CATALOGUE_CASES)
def test_bad_input_catalogue(call, cls, exc, match):
    with pytest.raises(exc, match=match) as info:
        call(cls)
    # scikit-learn's exception types, never torch's (torch raises RuntimeError).
    assert type(info.value).__module__.split(".")[0] in {"builtins", "sklearn", "skrnn"}


#: Every hyperparameter with a value out of its range, validated by
#: ``_parameter_constraints`` the way scikit-learn does.
BAD_HYPERPARAMETERS = [
    ("cell", "lstmm"),
    ("hidden_size", 0),
    ("hidden_size", 2.5),
    ("num_layers", 0),
    ("bidirectional", "yes"),
    ("dropout", -0.1),
    ("dropout", 1.0),
    ("nonlinearity", "swish"),
    ("max_epochs", 0),
    ("batch_size", 0),
    ("lr", 0),
    ("lr", -1.0),
    ("optimizer", "adamax"),
    ("optimizer", 3),
    ("weight_decay", -1.0),
    ("clip_grad_norm", 0),
    ("shuffle", "no"),
    ("early_stopping", 1.5),
    ("validation_fraction", 0.0),
    ("validation_fraction", 1.0),
    ("n_iter_no_change", 0),
    ("tol", -1e-4),
    ("warm_start", "x"),
    ("random_state", "seed"),
    ("random_state", -1),
    ("device", 3),
    ("callbacks", "cb"),
    ("verbose", -1),
]


@pytest.mark.parametrize("cls", [RecurrentRegressor, RecurrentClassifier])
@pytest.mark.parametrize(
    "param,value",
    BAD_HYPERPARAMETERS,
    ids=[f"{p}={v!r}" for p, v in BAD_HYPERPARAMETERS],
)
def test_every_hyperparameter_is_range_checked(cls, param, value):
    est = cls(**{**FAST, param: value})
    pattern = (
        rf"The '{param}' parameter of {cls.__name__} must be .* "
        rf"Got {re.escape(repr(value))} instead"
    )
    with pytest.raises(ValueError, match=pattern):
        est.fit(_X(), _y(CLF if cls is RecurrentClassifier else REG))
    with pytest.raises(ValueError, match=pattern):
        kwargs = {"classes": ["a", "b"]} if cls is RecurrentClassifier else {}
        est.partial_fit(_X(), _y(CLF if cls is RecurrentClassifier else REG), **kwargs)


def test_normalize_y_is_range_checked():
    with pytest.raises(
        ValueError, match=r"The 'normalize_y' parameter of LSTMRegressor"
    ):
        LSTMRegressor(**FAST, normalize_y="yes").fit(_X(), _y_reg())


def test_score_counts_labels_never_seen_in_fit_as_errors():
    clf = _fitted(CLF)
    y = np.array(["a", "z"] * 6)
    assert clf.score(_X(), y) == np.mean(clf.predict(_X()) == y) <= 0.5


# -- converted, not refused: dtypes and layouts give the float32 answer ---------


@pytest.mark.parametrize("cls", BOTH)
def test_numeric_dtypes_are_converted_at_fit_and_predict(cls):
    X = np.round(_X() * 4)  # exact in every dtype below
    ref = cls(**FAST).fit(X.astype(np.float32), _y(cls))
    expected = ref.predict(X.astype(np.float32))
    for dtype in (np.float16, np.float64, np.int8, np.int64, np.uint8, object):
        Xd = (X - X.min()).astype(dtype) if dtype is np.uint8 else X.astype(dtype)
        shift = X.min() if dtype is np.uint8 else 0.0
        est = cls(**FAST).fit(Xd, _y(cls))
        assert_array_equal(
            est.predict(Xd),
            cls(**FAST)
            .fit(Xd.astype(np.float32), _y(cls))
            .predict(Xd.astype(np.float32)),
        )
        if shift == 0.0:
            assert_array_equal(est.predict(Xd), expected)
    Xb = X > 0
    assert_array_equal(
        cls(**FAST).fit(Xb, _y(cls)).predict(Xb),
        cls(**FAST).fit(Xb.astype(np.float32), _y(cls)).predict(Xb.astype(np.float32)),
    )


@pytest.mark.parametrize("cls", BOTH)
def test_layouts_give_identical_predictions_and_inputs_are_not_modified(cls):
    X = _X(t=10)
    est = _fitted(cls, X)
    expected = est.predict(X)
    readonly = X.copy()
    readonly.setflags(write=False)
    strided = np.repeat(X, 2, axis=0)[::2]
    layouts = {
        "fortran": np.asfortranarray(X),
        "readonly": readonly,
        "strided": strided,
        "list": X.tolist(),
        "transposed_view": X.transpose(2, 1, 0).copy().transpose(2, 1, 0),
    }
    for name, data in layouts.items():
        before = np.array(data, copy=True)
        assert_array_equal(est.predict(data), expected, err_msg=name)
        assert_array_equal(np.asarray(data), before, err_msg=name)


def test_predict_before_fit_for_every_method():
    from sklearn.exceptions import NotFittedError

    for method in ("predict", "predict_proba", "predict_log_proba", "score"):
        args = (_X(), _y_clf()) if method == "score" else (_X(),)
        with pytest.raises(NotFittedError, match="is not fitted yet"):
            getattr(RecurrentClassifier(), method)(*args)


def test_feature_names_warnings_follow_scikit_learn():
    """Mixing DataFrames and arrays between fit and predict warns, as in sklearn."""
    X2 = _X()[:, :, 0]
    est = _fitted(REG, _df(X2))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        est.predict(X2)
    est = _fitted(REG, X2)
    with pytest.warns(
        UserWarning, match="X has feature names, but LSTMRegressor was fitted without"
    ):
        est.predict(_df(X2))


# =====================================================================================
# Property-based tests (hypothesis) of check_sequences: for any shape (zeros included),
# dtype, values and memory layout, the result is either the documented float32 array
# or a ValueError/TypeError in scikit-learn's words.
# =====================================================================================

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

PROPERTY_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

DTYPES = [
    "float16",
    "float32",
    "float64",
    "int8",
    "int64",
    "uint8",
    "bool",
    "complex64",
    "object",
    "object-str",
    "str",
    "bytes",
]
LAYOUTS = ["C", "F", "strided", "readonly", "list", "dataframe"]


@st.composite
def sequences(draw, ndims=(0, 1, 2, 3, 4), max_side=4):
    ndim = draw(st.sampled_from(ndims))
    shape = tuple(
        draw(st.lists(st.integers(0, max_side), min_size=ndim, max_size=ndim))
    )
    kind = draw(st.sampled_from(DTYPES))
    base = {
        "object": "float64",
        "object-str": "float64",
        "str": "float64",
        "bytes": "float64",
    }.get(kind, kind)
    special = st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e39, 0.0, 1.5])
    if base.startswith("float"):
        elements = (
            st.one_of(
                st.floats(-1e3, 1e3, width=16 if base == "float16" else 32), special
            )
            if base == "float64"
            else None
        )
    else:
        elements = None
    values = draw(hnp.arrays(np.dtype(base), shape, elements=elements))
    if base in ("float16", "float32"):
        # Sprinkle non-finite values into the narrow floats too.
        if values.size and draw(st.booleans()):
            values.flat[draw(st.integers(0, values.size - 1))] = draw(
                st.sampled_from([np.nan, np.inf])
            )
    if kind == "object":
        values = values.astype(object)
    elif kind in ("object-str", "str", "bytes"):
        values = values.astype("S32" if kind == "bytes" else str)
        if kind == "object-str":
            values = values.astype(object)
    layout = draw(st.sampled_from(LAYOUTS))
    return values, layout


def _lay_out(values, layout):
    if layout == "F" and values.ndim:
        return np.asfortranarray(values)
    if layout == "strided" and values.ndim:
        return np.repeat(values, 2, axis=0)[::2]
    if layout == "readonly":
        values = values.copy()
        values.setflags(write=False)
        return values
    if layout == "list" and values.size:
        return values.tolist()
    if layout == "dataframe" and values.ndim == 2:
        return pd.DataFrame(values)
    return values


def _expected_errors(values):
    """The messages check_sequences may answer ``values`` with (several faults: any)."""
    shape, kind = values.shape, values.dtype.kind
    errors = []
    if kind in "US" or (kind == "O" and any(isinstance(v, str) for v in values.flat)):
        errors.append("bytes/strings")
    if values.ndim == 0:
        errors.append("Expected 2D array, got scalar array")
    if values.ndim == 1:
        errors.append("Expected 2D array, got 1D array")
    if values.ndim == 4:
        errors.append("Found array with dim 4")
    if kind == "c":
        errors.append("Complex data not supported")
    if values.ndim in (2, 3) and shape[0] == 0:
        errors.append(r"0 sample\(s\)")
    if values.ndim == 2 and shape[1] == 0:
        errors.append(r"0 feature\(s\)")
    if values.ndim == 3 and shape[1] == 0:
        errors.append(r"0 time step\(s\)")
    if values.ndim == 3 and shape[2] == 0:
        errors.append(r"0 feature\(s\) per time step")
    if kind in "fO" and values.size and "bytes/strings" not in errors:
        with np.errstate(over="ignore", invalid="ignore"):
            as32 = values.astype(np.float32)
        if np.isnan(as32).any():
            errors.append("Input X contains NaN")
        elif np.isinf(as32).any():
            errors.append("Input X contains infinity")
    return errors


@PROPERTY_SETTINGS
@given(sequences())
def test_property_check_sequences_validates_or_explains(case):
    values, layout = case
    data = _lay_out(values, layout)
    snapshot = np.array(values, copy=True)
    errors = _expected_errors(values)
    est = LSTMRegressor()
    if errors:
        with pytest.raises((ValueError, TypeError), match="|".join(errors)):
            check_sequences(est, data, reset=True)
    else:
        out = check_sequences(est, data, reset=True)
        n, t = values.shape[:2]
        f = values.shape[2] if values.ndim == 3 else 1
        assert out.shape == (n, t, f) and out.dtype == np.float32
        assert_array_equal(out, values.astype(np.float32).reshape(n, t, f))
        assert est.input_size_ == f
        assert est.n_features_in_ == (f if values.ndim == 3 else t)
    # The caller's data is never modified.
    assert _unchanged(values, snapshot)


def _unchanged(values, snapshot):
    if values.dtype == object:  # same objects in the same places
        return all(a is b for a, b in zip(values.flat, snapshot.flat, strict=True))
    return values.tobytes() == snapshot.tobytes()


@PROPERTY_SETTINGS
@given(sequences(ndims=(2, 3), max_side=3))
def test_property_predict_matches_float32_or_explains(case):
    """A fitted estimator predicts any valid dtype/layout exactly as the same values
    in float32 C order, and refuses the rest in scikit-learn's words."""
    values, layout = case
    est = _FITTED_FOR_PROPERTY[values.ndim]
    data = _lay_out(values, layout)
    errors = _expected_errors(values)
    if values.ndim == 3 and values.shape[2] not in (0, 2):
        errors.append(
            r"X has \d+ features per time step, but LSTMRegressor is expecting 2"
        )
    if values.ndim == 2 and values.shape[1] not in (0, 5):
        errors.append(r"X has \d+ features, but LSTMRegressor is expecting 5 features")
    if errors:
        with pytest.raises((ValueError, TypeError), match="|".join(errors)):
            est.predict(data)
    else:
        ref = np.ascontiguousarray(values.astype(np.float32))
        assert_array_equal(est.predict(data), est.predict(ref))


def _fit_for_property():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            3: LSTMRegressor(**FAST).fit(_X(), _y_reg()),
            2: LSTMRegressor(**FAST).fit(_X()[:, :, 0], _y_reg()),
        }


_FITTED_FOR_PROPERTY = _fit_for_property()


@st.composite
def targets(draw):
    n = 4
    shape = draw(st.sampled_from([(n,), (n, 1), (n, 2), (n, 0), (n, 2, 2), (n - 1,)]))
    kind = draw(
        st.sampled_from(["float64", "float32", "int64", "bool", "object", "str"])
    )
    base = "float64" if kind in ("object", "str") else kind
    elements = (
        st.one_of(st.floats(-1e3, 1e3), st.sampled_from([np.nan, np.inf, 1e300]))
        if base == "float64"
        else None
    )
    y = draw(hnp.arrays(np.dtype(base), shape, elements=elements))
    if kind == "object":
        y = y.astype(object)
    elif kind == "str":
        y = y.astype(str)
    return y


@PROPERTY_SETTINGS
@given(targets())
def test_property_regression_targets_validate_or_explain(y):
    X = _X(n=4)
    errors = []
    if y.dtype.kind == "U":
        errors.append("bytes/strings")
    if len(y) != 4:
        errors.append("inconsistent numbers of samples")
    if y.ndim == 3:
        errors.append(r"dim 3, while dim <= 2 is required")
    if y.ndim == 2 and y.shape[1] == 0:
        errors.append(r"0 feature\(s\)")
    if y.dtype.kind in "fO" and y.size:
        yf = y.astype(np.float64)
        if np.isnan(yf).any():
            errors.append("Input (y )?contains NaN")
        elif not np.isfinite(yf).all() or np.abs(yf).max() > np.finfo(np.float32).max:
            errors.append("Input (y )?contains infinity")
    est = LSTMRegressor()
    if errors:
        with pytest.raises(ValueError, match="|".join(errors)):
            check_sequences(est, X, y, reset=True, multi_output=True, y_numeric=True)
    else:
        _, yv = check_sequences(
            est, X, y, reset=True, multi_output=True, y_numeric=True
        )
        assert yv.shape == y.shape
        assert_array_equal(np.asarray(yv, dtype=np.float64), y.astype(np.float64))
