"""Fitted estimators survive pickle and joblib, and GPU-saved ones load on a CPU;
pickles from other versions warn; the safe format (save_model/load_model) round-trips
exactly and refuses tampered, corrupt and foreign files without running them."""

import copy
import functools
import io
import json
import pathlib
import pickle
import re
import subprocess
import sys
import textwrap
import warnings
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.exceptions import (
    InconsistentVersionWarning as SklearnInconsistentVersionWarning,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    RobustScaler,
    StandardScaler,
)
from skorch.callbacks import LRScheduler

from skrnn import (
    GRUClassifier,
    LSTMRegressor,
    RecurrentClassifier,
    RecurrentRegressor,
    load_model,
    save_model,
)
from skrnn.exceptions import (
    InconsistentVersionWarning,
    ModelFileError,
    UntrustedTypeError,
)
from skrnn.preprocessing import SequenceScaler
from skrnn.utils import all_estimators

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fit_regressor():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 2)).astype(np.float32)
    est = LSTMRegressor(hidden_size=8, max_epochs=3, random_state=0)
    return est.fit(X, X[:, :, 0].sum(axis=1)), X


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_joblib_round_trip(tmp_path):
    est, X = _fit_regressor()
    joblib.dump(est, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    assert_array_equal(loaded.predict(X), est.predict(X))
    assert loaded.get_params() == est.get_params()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classifier_joblib_round_trip_keeps_labels(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6)).astype(np.float32)
    y = np.where(X.mean(axis=1) > 0, "yes", "no")
    est = GRUClassifier(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    joblib.dump(est, tmp_path / "clf.joblib", compress=3)
    loaded = joblib.load(tmp_path / "clf.joblib")
    assert_array_equal(loaded.classes_, ["no", "yes"])
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_loaded_model_keeps_training_with_warm_start():
    est, X = _fit_regressor()
    loaded = pickle.loads(pickle.dumps(est))
    loaded.set_params(warm_start=True).fit(X, X[:, :, 0].sum(axis=1))
    assert loaded.n_iter_ == 6


SAVE_AS_IF_ON_GPU = textwrap.dedent(
    """
    import pickle, sys
    import numpy as np
    import torch
    from skrnn import RecurrentRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 2)).astype(np.float32)
    est = RecurrentRegressor(cell="gru", hidden_size=8, max_epochs=3, random_state=0)
    est.fit(X, X[:, :, 0].sum(axis=1))
    np.save(sys.argv[2], est.predict(X))
    # Make the file exactly what a CUDA machine writes: every tensor storage is
    # tagged with the location 'cuda:0', and the estimator and its net say cuda.
    torch.serialization.register_package(1, lambda storage: "cuda:0", lambda o, l: None)
    est.set_params(device="cuda")
    est.net_.device = "cuda"
    with open(sys.argv[1], "wb") as f:
        pickle.dump(est, f)
    """
)


def test_gpu_saved_model_loads_and_predicts_on_cpu(tmp_path):
    """A model saved on a GPU machine loads on one without CUDA and predicts the same.

    The file is written in a separate process whose torch tags every tensor with the
    location 'cuda:0', which is what a model trained with device='cuda' pickles to;
    unpickling such tensors without CUDA fails in plain torch ("Attempting to
    deserialize object on a CUDA device"), so this is the real failure users meet.
    """
    model, expected = tmp_path / "gpu_model.pkl", tmp_path / "pred.npy"
    subprocess.run(
        [sys.executable, "-c", SAVE_AS_IF_ON_GPU, str(model), str(expected)],
        check=True,
        capture_output=True,
    )
    assert b"cuda:0" in model.read_bytes()
    with pytest.warns(Warning, match="CUDA|cuda"):
        with open(model, "rb") as f:
            loaded = pickle.load(f)
    assert str(loaded.net_.device) == "cpu"
    assert next(loaded.module_.parameters()).device.type == "cpu"
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 2)).astype(np.float32)
    assert_array_equal(loaded.predict(X), np.load(expected))
    # Refitting still asks for CUDA, and says clearly that it is not there.
    with pytest.raises(ValueError, match="CUDA is not available"):
        loaded.fit(X, X[:, :, 0].sum(axis=1))
    # ... and on the CPU it trains again.
    assert isinstance(
        loaded.set_params(device="cpu", max_epochs=1).fit(X, X[:, :, 0].sum(axis=1)),
        RecurrentRegressor,
    )


# -- version warnings for pickle and joblib files ------------------------------------


def _pretend_versions(monkeypatch, **versions):
    """Make this process report other library versions (as another install would)."""
    from skrnn.utils import _versions

    real = _versions.current_versions()
    monkeypatch.setattr(_versions, "current_versions", lambda: {**real, **versions})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_from_other_versions_warns(monkeypatch, tmp_path):
    est, X = _fit_regressor()
    with monkeypatch.context() as m:
        _pretend_versions(m, skrnn="0.0.1", torch="2.0.0+cu118")
        joblib.dump(est, tmp_path / "old.joblib")
    with pytest.warns(
        InconsistentVersionWarning, match=r"skrnn 0\.0\.1, torch 2\.0\.0\+cu118"
    ) as rec:
        loaded = joblib.load(tmp_path / "old.joblib")
    # scikit-learn's own warning class catches it, and it names the estimator.
    assert isinstance(rec[0].message, SklearnInconsistentVersionWarning)
    assert rec[0].message.estimator_name == "LSTMRegressor"
    assert rec[0].message.original_versions == {
        "skrnn": "0.0.1",
        "torch": "2.0.0+cu118",
    }
    assert_array_equal(loaded.predict(X), est.predict(X))
    assert "_skrnn_versions" not in vars(loaded)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_same_versions_is_silent_and_local_labels_ignored(monkeypatch):
    est, X = _fit_regressor()
    import torch

    with monkeypatch.context() as m:
        # A CUDA build of the same torch release is the same torch.
        _pretend_versions(m, torch=torch.__version__.split("+")[0] + "+cu121")
        data = pickle.dumps(est)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        loaded = pickle.loads(data)
        clone_ = copy.deepcopy(est)
    assert_array_equal(loaded.predict(X), est.predict(X))
    assert_array_equal(clone_.predict(X), est.predict(X))


def test_pickle_without_recorded_versions_warns():
    est = LSTMRegressor(hidden_size=4)
    state = BaseEstimator.__getstate__(est)  # what a skrnn without the record wrote
    fresh = LSTMRegressor.__new__(LSTMRegressor)
    with pytest.warns(InconsistentVersionWarning, match="skrnn unknown"):
        fresh.__setstate__(state)
    assert fresh.get_params() == est.get_params()


# -- the safe format: save_model / load_model -----------------------------------------

FAST = dict(hidden_size=4, max_epochs=3, random_state=0)
#: The sequence estimators (3-D data); the image-sequence ones (ConvLSTM,
#: ConvGRU) have these tests in test_conv.py.
ALL = [cls for _, cls in all_estimators(["classifier", "regressor"])
       if "filters" not in cls().get_params()]


def _data(cls, n=40, t=6, f=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    s = X[:, :, 0].mean(axis=1)
    y = np.where(s > 0, "pos", "neg") if issubclass(cls, ClassifierMixin) else s
    return X, y


def _outputs(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict(X), est.predict_proba(X)
    return (est.predict(X),)


def _round_trip(est, path):
    save_model(est, path)
    return load_model(path)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_safe_round_trip_is_exact(cls, tmp_path):
    X, y = _data(cls)
    params = dict(FAST, early_stopping=True, validation_fraction=0.25)
    if "cell" in cls().get_params():
        params["cell"] = "gru"
    est = cls(**params).fit(X, y)
    loaded = _round_trip(est, tmp_path / "model.skrnn")
    assert type(loaded) is cls
    assert loaded.get_params() == est.get_params()
    for a, b in zip(_outputs(loaded, X), _outputs(est, X), strict=True):
        assert_array_equal(a, b)
        assert a.dtype == b.dtype
    for name in (
        "n_iter_",
        "loss_curve_",
        "validation_loss_curve_",
        "best_loss_",
        "best_validation_loss_",
        "n_features_in_",
        "input_size_",
    ):
        assert getattr(loaded, name) == getattr(est, name), name
    assert loaded.history_ is loaded.net_.history
    assert loaded.history_.to_list() == est.history_.to_list()
    assert loaded.history_[-1, "valid_loss"] == est.history_[-1, "valid_loss"]
    for k, v in est.module_.state_dict().items():
        assert_array_equal(loaded.module_.state_dict()[k].numpy(), v.numpy())
    if hasattr(est, "classes_"):
        assert_array_equal(loaded.classes_, est.classes_)
        assert loaded.classes_.dtype == est.classes_.dtype
    _assert_same_state(loaded, est, skip={"net_", "history_"})


def _assert_same_state(loaded, saved, skip=()):
    """Every attribute is back with its exact type, dtype and value."""
    assert vars(loaded).keys() == vars(saved).keys()
    for name, value in vars(saved).items():
        if name in skip:
            continue
        got = vars(loaded)[name]
        assert type(got) is type(value), name
        if isinstance(value, np.ndarray):
            assert got.dtype == value.dtype, name
            assert_array_equal(got, value)
        else:
            assert got == value, name


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "labels",
    [
        np.array(["no", "yes"], dtype=object),
        np.array([3, 7]),
        np.array([False, True]),
        np.array([1.0, 2.0]),
    ],
    ids=["object-str", "int", "bool", "float"],
)
def test_classifier_labels_keep_their_dtype(labels, tmp_path):
    X, _ = _data(GRUClassifier)
    y = labels[(X[:, :, 0].mean(axis=1) > 0).astype(int)]
    est = GRUClassifier(**FAST).fit(X, y)
    loaded = _round_trip(est, tmp_path / "clf.skrnn")
    assert loaded.classes_.dtype == est.classes_.dtype
    assert_array_equal(loaded.classes_, est.classes_)
    pred = loaded.predict(X)
    assert pred.dtype == est.predict(X).dtype
    assert_array_equal(pred, est.predict(X))
    if labels.dtype == object:
        assert all(type(c) is str for c in loaded.classes_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dataframe_feature_names_and_multi_output_survive(tmp_path):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(30, 5)), columns=[f"t{i}" for i in range(5)])
    Y = np.c_[X.mean(axis=1), X["t4"]]
    est = RecurrentRegressor(cell="rnn", **FAST).fit(X, Y)
    loaded = _round_trip(est, tmp_path / "df.skrnn")
    assert loaded.feature_names_in_.dtype == object
    assert_array_equal(loaded.feature_names_in_, est.feature_names_in_)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "feature names" warning
        assert_array_equal(loaded.predict(X), est.predict(X))
    assert loaded.predict(X).shape == (30, 2)
    with pytest.raises(ValueError, match="feature names should match"):
        loaded.predict(X[X.columns[::-1]])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pipeline_of_scalers_and_estimator_round_trip(tmp_path):
    X, y = _data(RecurrentClassifier)
    X2 = X[:, :, 0]
    pipe = Pipeline(
        [
            ("robust", RobustScaler(quantile_range=(10.0, 90.0))),
            ("minmax", MinMaxScaler(feature_range=(-1, 1))),
            ("skip", "passthrough"),
            ("rnn", RecurrentClassifier(cell="lstm", **FAST)),
        ]
    ).fit(X2, y)
    loaded = _round_trip(pipe, tmp_path / "pipe.skrnn")
    assert isinstance(loaded, Pipeline)
    assert loaded.get_params(deep=False).keys() == pipe.get_params(deep=False).keys()
    assert loaded["minmax"].feature_range == (-1, 1)
    for step in ("robust", "minmax"):
        _assert_same_state(loaded[step], pipe[step])
    assert_array_equal(loaded.predict_proba(X2), pipe.predict_proba(X2))
    assert_array_equal(loaded.predict(X2), pipe.predict(X2))
    seq = Pipeline([("scale", SequenceScaler()), ("reg", LSTMRegressor(**FAST))])
    seq.fit(X, X[:, :, 1].sum(axis=1))
    assert_array_equal(
        _round_trip(seq, tmp_path / "seq.skrnn").predict(X), seq.predict(X)
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_continues_exactly_as_after_pickle(tmp_path):
    """Weights, optimizer state, history and seeds come back: warm_start and
    partial_fit after load_model give what they give after pickle."""
    X, y = _data(RecurrentRegressor)
    est = RecurrentRegressor(**FAST, dropout=0.2, early_stopping=True).fit(X, y)
    safe = _round_trip(est, tmp_path / "m.skrnn").set_params(warm_start=True)
    pickled = pickle.loads(pickle.dumps(est)).set_params(warm_start=True)
    safe.fit(X, y)
    pickled.fit(X, y)
    assert safe.n_iter_ == pickled.n_iter_ == 6
    assert_array_equal(safe.predict(X), pickled.predict(X))
    safe.set_params(early_stopping=False).partial_fit(X, y)
    pickled.set_params(early_stopping=False).partial_fit(X, y)
    assert_array_equal(safe.predict(X), pickled.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plain_value_parameters_round_trip(tmp_path):
    import torch

    X, y = _data(LSTMRegressor)
    est = LSTMRegressor(
        **{**FAST, "random_state": np.random.RandomState(3)},
        device=torch.device("cpu"),
        callbacks=[],
    ).fit(X, y)
    loaded = _round_trip(est, tmp_path / "m.skrnn")
    assert loaded.device == torch.device("cpu") and loaded.callbacks == []
    assert_array_equal(
        loaded.random_state.get_state()[1], est.random_state.get_state()[1]
    )
    assert loaded.random_state.randint(1000) == est.random_state.randint(1000)
    assert_array_equal(loaded.predict(X), est.predict(X))


def test_unfitted_estimator_round_trip(tmp_path):
    est = GRUClassifier(hidden_size=5, dropout=0.1)
    loaded = _round_trip(est, tmp_path / "m.skrnn")
    assert loaded.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        loaded.predict(np.zeros((2, 3, 1)))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_load_model_leaves_the_global_rng_alone(tmp_path):
    import torch

    est, _ = _fit_regressor()
    save_model(est, tmp_path / "m.skrnn")
    before = torch.get_rng_state()
    load_model(tmp_path / "m.skrnn")
    assert torch.equal(torch.get_rng_state(), before)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_model_saved_for_cuda_loads_on_cpu(tmp_path):
    import torch
    from skorch.exceptions import DeviceWarning

    if torch.cuda.is_available():
        pytest.skip("checks the fallback of a machine without CUDA")
    est, X = _fit_regressor()
    est.set_params(device="cuda")
    save_model(est, tmp_path / "gpu.skrnn")
    with pytest.warns(DeviceWarning, match="CUDA is not available"):
        loaded = load_model(tmp_path / "gpu.skrnn")
    assert loaded.device == "cuda" and str(loaded.net_.device) == "cpu"
    assert_array_equal(loaded.predict(X), est.predict(X))


def _fit_with(**params):
    X, y = _data(LSTMRegressor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LSTMRegressor(**{**FAST, **params}).fit(X, y)


class _MyRegressor(LSTMRegressor):
    pass


@pytest.mark.parametrize(
    "make,match",
    [
        (
            lambda: _fit_with(callbacks=[LRScheduler(policy="StepLR", step_size=2)]),
            r"The 'callbacks' parameter of LSTMRegressor holds skorch callback objects",
        ),
        (
            lambda: _fit_with(
                optimizer=functools.partial(torch_optim().SGD, momentum=0.9)
            ),
            r"The 'optimizer' parameter of LSTMRegressor is a callable",
        ),
        (
            lambda: make_pipeline(FunctionTransformer(np.log1p), LSTMRegressor()),
            r"sklearn.preprocessing._function_transformer.FunctionTransformer, which "
            r"save_model does not store",
        ),
        (lambda: _MyRegressor(), r"_MyRegressor, which save_model does not store"),
        (
            lambda: StandardScaler().set_params(copy=object()),
            r"The 'copy' parameter of StandardScaler holds a builtins.object",
        ),
    ],
    ids=[
        "callbacks",
        "callable-optimizer",
        "function-transformer",
        "subclass",
        "object",
    ],
)
def test_unsafe_content_is_refused_and_nothing_is_written(make, match, tmp_path):
    good, X = _fit_regressor()
    path = tmp_path / "model.skrnn"
    save_model(good, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=match):
        save_model(make(), path)
    assert path.read_bytes() == before, "a refused save must not touch the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skrnn"]
    assert_array_equal(load_model(path).predict(X), good.predict(X))


def torch_optim():
    import torch

    return torch.optim


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_callbacks_can_be_dropped_before_saving(tmp_path):
    est = _fit_with(callbacks=[("lr", LRScheduler(policy="StepLR", step_size=2))])
    X, _ = _data(LSTMRegressor)
    est.set_params(callbacks=None)
    assert_array_equal(
        _round_trip(est, tmp_path / "m.skrnn").predict(X), est.predict(X)
    )


# -- tampered, corrupt and foreign files are refused without running anything -----


class _Payload:
    """Unpickling this creates the marker file: proof that code from a file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_the_payload_really_runs_when_unpickled(tmp_path):
    """Sanity check of the tampering tests: plain unpickling does run it."""
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Payload(marker)))
    assert marker.exists()


def _rewrite(path, *, replace=None, add=None, drop=(),
             compression=zipfile.ZIP_STORED):
    """Rewrite the archive ``path`` with members replaced, added or dropped."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members.update(replace or {})
    members.update(add or {})
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            if name not in drop:
                zf.writestr(name, data)


def _metadata(path):
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("metadata.json"))


def _torch_bytes(obj):
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _pickled_npy(marker):
    buf = io.BytesIO()
    np.save(buf, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    return buf.getvalue()


TAMPERING = {
    "planted-pickle-member": (
        lambda p, m: _rewrite(p, add={"payload.pkl": pickle.dumps(_Payload(m))}),
        r"holds members that skrnn.save_model does not write: 'payload.pkl'",
    ),
    "pickle-as-npy": (
        lambda p, m: _rewrite(p, replace={"arrays/0.npy": _pickled_npy(m)}),
        r"'arrays/0.npy' is not a plain .npy array",
    ),
    "code-in-weights": (
        lambda p, m: _rewrite(
            p, replace={"weights/0.pt": _torch_bytes({"w": _Payload(m)})}
        ),
        r"'weights/0.pt' holds objects other than tensors",
    ),
    "code-in-optimizer-state": (
        lambda p, m: _rewrite(
            p, replace={"optimizer/0.pt": _torch_bytes([_Payload(m)])}
        ),
        r"'optimizer/0.pt' holds objects other than tensors",
    ),
    "pickle-as-metadata": (
        lambda p, m: _rewrite(p, replace={"metadata.json": pickle.dumps(_Payload(m))}),
        r"'metadata.json' is not valid JSON",
    ),
    "pickle-as-history": (
        lambda p, m: _rewrite(p, replace={"history/0.json": pickle.dumps(_Payload(m))}),
        r"'history/0.json' is not valid JSON",
    ),
    "weights-of-another-shape": (
        lambda p, m: _rewrite(
            p,
            replace={
                "weights/0.pt": _torch_bytes(
                    {"head.weight": __import__("torch").zeros(3, 3)}
                )
            },
        ),
        r"the weights do not fit the network of LSTMRegressor",
    ),
    "a-pickle-file": (
        lambda p, m: p.write_bytes(pickle.dumps(_Payload(m))),
        r"not a complete zip archive as skrnn.save_model writes.*joblib.load",
    ),
    "a-joblib-file": (
        lambda p, m: joblib.dump(_Payload(m), p),
        r"not a complete zip archive as skrnn.save_model writes",
    ),
    "out-of-range-hyperparameter": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["params"].update(hidden_size=-1)
        ),
        r"The 'hidden_size' parameter of LSTMRegressor must be an int",
    ),
    "unknown-parameter": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["params"].update(code="x")
        ),
        r"gives LSTMRegressor parameters it does not have: \['code'\]",
    ),
    "unknown-value-tag": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["params"].update(lr={"__pickle__": "gASV"})
        ),
        r"the 'lr' parameter of LSTMRegressor holds a value skrnn does not write",
    ),
    "dunder-attribute": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["attributes"].update(__class__="x")
        ),
        r"'__class__' is not a valid fitted attribute",
    ),
    "attribute-shadows-a-method": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["attributes"].update(predict=1)
        ),
        r"'predict' is not a fitted attribute of LSTMRegressor: it would hide",
    ),
    "attribute-shadows-a-class-attribute": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["attributes"].update(_criterion=None)
        ),
        r"'_criterion' is not a fitted attribute of LSTMRegressor: it would hide",
    ),
    "attribute-that-is-not-a-fitted-one": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["attributes"].update(score_fn="x")
        ),
        r"'score_fn' is not a fitted attribute of LSTMRegressor \(fitted attributes",
    ),
    "fixed-hyperparameter-changed": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["attributes"].update(cell="gru")
        ),
        r"'cell' is not a fitted attribute of LSTMRegressor: .*fixes it to 'lstm'",
    ),
    "declared-hidden-size-of-6000": (
        lambda p, m: _edit_metadata(
            p, lambda md: md["estimator"]["params"].update(hidden_size=6000)
        ),
        r"weights do not fit the network of LSTMRegressor: its hyperparameters "
        r"declare 'head.weight' of shape \(1, 18000\), the file stores \(1, 24\)",
    ),
    "metadata-inflating-1000-fold": (
        lambda p, m: _rewrite(
            p, replace={"metadata.json": json.dumps(_metadata(p)).encode()
                        + b" " * (80 * 2**20)}, compression=zipfile.ZIP_DEFLATED
        ),
        r"'metadata.json' declares 83\d+ bytes from \d+ compressed ones, more than "
        r"100 times",
    ),
}


def _edit_metadata(path, edit):
    metadata = _metadata(path)
    edit(metadata)
    _rewrite(path, replace={"metadata.json": json.dumps(metadata).encode()})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", TAMPERING, ids=list(TAMPERING))
def test_tampered_file_is_refused_without_running_code(case, tmp_path):
    tamper, match = TAMPERING[case]
    est, _ = _fit_regressor()
    path, marker = tmp_path / "model.skrnn", tmp_path / "code-ran"
    save_model(est, path)
    tamper(path, marker)
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert not marker.exists(), "loading ran code from the file"
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_declared_shapes_are_checked_before_the_network_is_built(
    tmp_path, monkeypatch
):
    from skorch import NeuralNet

    est, _ = _fit_regressor()
    path = tmp_path / "model.skrnn"
    save_model(est, path)
    _edit_metadata(path, lambda md: md["estimator"]["params"].update(hidden_size=6000))
    built = []
    initialize = NeuralNet.initialize
    monkeypatch.setattr(NeuralNet, "initialize",
                        lambda self: built.append(1) or initialize(self))
    with pytest.raises(ModelFileError, match="do not fit the network"):
        load_model(path)
    assert built == []


def test_a_json_member_over_its_limit_is_refused_unread(tmp_path, monkeypatch):
    import skrnn._model_file

    est, _ = _fit_regressor()
    path = tmp_path / "model.skrnn"
    save_model(est, path)
    size = zipfile.ZipFile(path).getinfo("metadata.json").file_size
    monkeypatch.setattr(skrnn._model_file, "MAX_JSON_MEMBER", size - 1)
    with pytest.raises(ModelFileError, match=(
        rf"'metadata.json' declares {size} bytes, more than the {size - 1} a JSON"
    )):
        load_model(path)


def _fifo(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe")
    return tmp_path / "pipe"


def _link_to(tmp_path, target):
    (tmp_path / "link.skrnn").symlink_to(target)
    return tmp_path / "link.skrnn"


NOT_REGULAR_FILES = {
    "dev-zero": (lambda tmp: "/dev/zero", "a device"),
    "symlink-to-dev-zero": (lambda tmp: _link_to(tmp, "/dev/zero"), "a device"),
    "dev-zero-opened": (lambda tmp: open("/dev/zero", "rb"), "a device"),
    "directory": (lambda tmp: tmp, "a directory"),
    "named-pipe": (_fifo, "a pipe"),
}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
@pytest.mark.parametrize("case", NOT_REGULAR_FILES, ids=list(NOT_REGULAR_FILES))
def test_only_regular_files_are_read(case, tmp_path):
    make, kind = NOT_REGULAR_FILES[case]
    file = make(tmp_path)
    try:
        match = f"it is not a regular file \\({kind}\\)"
        with pytest.raises(ModelFileError, match=match):
            load_model(file)
    finally:
        if hasattr(file, "close"):
            file.close()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_save_model_writes_through_a_symlink(tmp_path):
    est, X = _fit_regressor()
    target = tmp_path / "models" / "v1.skrnn"
    target.parent.mkdir()
    target.write_bytes(b"an older model")
    link = _link_to(tmp_path, target)
    save_model(est, link)
    assert link.is_symlink() and link.resolve() == target
    assert_array_equal(load_model(target).predict(X), est.predict(X))
    assert sorted(p.name for p in target.parent.iterdir()) == ["v1.skrnn"]


def test_save_model_into_a_missing_directory_names_the_users_path(tmp_path):
    est, _ = _fit_regressor()
    path = tmp_path / "no-such-folder" / "model.skrnn"
    with pytest.raises(FileNotFoundError) as info:
        save_model(est, path)
    assert str(path) in str(info.value) and ".tmp" not in str(info.value)
    assert not path.parent.exists()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "class_path",
    [
        "builtins.eval",
        "os.system",
        "sklearn.preprocessing.FunctionTransformer",
        "skrnn._regression.LSTMRegressor",
        "tests.test_persistence._Payload",
    ],
)
def test_untrusted_class_is_refused_before_anything_is_built(class_path, tmp_path):
    est, _ = _fit_regressor()
    pipe = make_pipeline(StandardScaler(), est)
    path = tmp_path / "model.skrnn"
    save_model(pipe, path)
    # Name the untrusted class in the nested step: the whole tree is checked first.
    _edit_metadata(
        path,
        lambda md: md["estimator"]["params"]["steps"][1]["__tuple__"][1][
            "__estimator__"
        ].update({"class": class_path}),
    )
    with pytest.raises(UntrustedTypeError, match=re.escape(repr(class_path))):
        load_model(path)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_truncated_and_corrupt_files_raise_a_clear_error(tmp_path):
    est, X = _fit_regressor()
    path = tmp_path / "model.skrnn"
    save_model(est, path)
    data = path.read_bytes()
    damaged = tmp_path / "damaged.skrnn"
    cuts = [0, 1, 30, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 1]
    flips = [40, len(data) // 2, len(data) - 200]
    variants = [data[:n] for n in cuts]
    variants += [data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :] for i in flips]
    for bad in variants:
        damaged.write_bytes(bad)
        with pytest.raises(ModelFileError) as info:
            load_model(damaged)
        message = str(info.value)
        assert str(damaged) in message
        assert "is not a valid or complete skrnn model file" in message
    _rewrite(path, drop={"weights/0.pt"})
    with pytest.raises(ModelFileError, match=r"member 'weights/0.pt' is missing"):
        load_model(path)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "no-such-file.skrnn")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_file_from_a_newer_format_is_refused(tmp_path):
    est, _ = _fit_regressor()
    save_model(est, tmp_path / "m.skrnn")
    _edit_metadata(tmp_path / "m.skrnn", lambda md: md.update(format_version=99))
    with pytest.raises(
        ModelFileError, match="format version 99, written by a newer skrnn"
    ):
        load_model(tmp_path / "m.skrnn")


SAVE_WITH_OTHER_VERSIONS = textwrap.dedent(
    """
    import sys, warnings
    import numpy as np
    from skrnn import GRUClassifier, save_model
    from skrnn.utils import _versions

    warnings.simplefilter("ignore")
    real = _versions.current_versions()
    _versions.current_versions = lambda: {**real, "torch": "2.1.0", "skorch": "0.15.0"}
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 6, 2)).astype(np.float32)
    y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down").astype(object)
    clf = GRUClassifier(hidden_size=4, max_epochs=3, random_state=0).fit(X, y)
    save_model(clf, sys.argv[1])
    np.save(sys.argv[2], clf.predict_proba(X))
    """
)


def test_file_from_other_versions_and_process_warns_and_predicts_the_same(tmp_path):
    model, expected = tmp_path / "other.skrnn", tmp_path / "proba.npy"
    subprocess.run(
        [sys.executable, "-c", SAVE_WITH_OTHER_VERSIONS, str(model), str(expected)],
        check=True,
        capture_output=True,
    )
    with pytest.warns(
        InconsistentVersionWarning,
        match=r"GRUClassifier saved with torch 2\.1\.0, skorch 0\.15\.0",
    ):
        loaded = load_model(model)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 6, 2)).astype(np.float32)
    assert_array_equal(loaded.predict_proba(X), np.load(expected))
    assert loaded.classes_.dtype == object


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_saved_file_is_created_like_any_other_file(tmp_path):
    est, X = _fit_regressor()
    save_model(est, tmp_path / "m.skrnn")
    (tmp_path / "plain").write_bytes(b"")
    assert (tmp_path / "m.skrnn").stat().st_mode == (tmp_path / "plain").stat().st_mode
    save_model(est, str(tmp_path / "m.skrnn"))  # replaces it, from a str path too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.skrnn", "plain"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_file_objects_and_a_failed_load_change_nothing(tmp_path):
    est, X = _fit_regressor()
    buffer = io.BytesIO()
    save_model(est, buffer)
    assert_array_equal(
        load_model(io.BytesIO(buffer.getvalue())).predict(X), est.predict(X)
    )
    with pytest.raises(ModelFileError, match=r"<BytesIO> is not a valid"):
        load_model(io.BytesIO(buffer.getvalue()[:-50]))
    # A failed load leaves the file and the process's random state as they were.
    import torch

    path = tmp_path / "m.skrnn"
    path.write_bytes(buffer.getvalue()[:-50])
    before = torch.get_rng_state()
    with pytest.raises(ModelFileError):
        load_model(path)
    assert path.read_bytes() == buffer.getvalue()[:-50]
    assert torch.equal(torch.get_rng_state(), before)


# -- property-based: damaged and tampered files never load silently wrong ------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ_SETTINGS = settings(max_examples=40, deadline=None, database=None)


def _saved_classifier():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(24, 5, 2)).astype(np.float32)
    y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down").astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = make_pipeline(
            StandardScaler(), GRUClassifier(hidden_size=4, max_epochs=2, random_state=0)
        ).fit(X[:, :, 0], y)
    buffer = io.BytesIO()
    save_model(clf, buffer)
    return buffer.getvalue(), X, clf


_BLOB, _FUZZ_X, _ = _saved_classifier()


@FUZZ_SETTINGS
@given(st.data())
def test_property_damaged_bytes_raise_or_change_nothing(data):
    """Truncating, flipping, zeroing or inserting bytes anywhere in a model file
    gives a ModelFileError, or (for bytes that carry no data, such as timestamps)
    a model that predicts exactly as before; never another error."""
    blob = bytearray(_BLOB)
    kind = data.draw(st.sampled_from(["truncate", "flip", "zeros", "insert"]))
    at = data.draw(st.integers(0, len(blob) - 1))
    if kind == "truncate":
        blob = blob[:at]
    elif kind == "flip":
        blob[at] ^= data.draw(st.integers(1, 255))
    elif kind == "zeros":
        blob[at : at + data.draw(st.integers(1, 64))] = bytes(64)[
            : len(blob[at : at + 64])
        ]
    else:
        blob[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a flipped version string only warns
            loaded = load_model(io.BytesIO(bytes(blob)))
    except ModelFileError as exc:
        assert "is not a valid" in str(exc)
        return
    reference = load_model(io.BytesIO(_BLOB))
    X2 = _FUZZ_X[:, :, 0]
    assert_array_equal(loaded.predict_proba(X2), reference.predict_proba(X2))


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=6,
)


def _json_paths(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _json_paths(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _json_paths(v, (*path, i))


@FUZZ_SETTINGS
@given(st.data())
def test_property_tampered_metadata_raises_model_file_error_or_loads(data):
    """Any value of metadata.json replaced by any JSON value: the file loads, or
    load_model raises a ModelFileError; never another exception, never code."""
    with zipfile.ZipFile(io.BytesIO(_BLOB)) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    metadata = json.loads(members["metadata.json"])
    paths = sorted(_json_paths(metadata), key=repr)
    path = data.draw(st.sampled_from(paths))
    value = data.draw(_JSON_VALUES)
    if path:
        parent = metadata
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    else:
        metadata = value
    members["metadata.json"] = json.dumps(metadata).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_model(io.BytesIO(buffer.getvalue()))
    except ModelFileError:
        pass


@pytest.mark.parametrize(
    "index",
    [
        pd.date_range("2000-01-01", periods=90, freq="MS", tz="Europe/Paris"),
        pd.period_range("1990-01", periods=90, freq="M"),
        pd.RangeIndex(90),
    ],
    ids=["timestamps", "periods", "integers"],
)
def test_forecasting_pipeline_round_trip_keeps_its_history(index, tmp_path):
    """A SlidingWindow records where its series ended (a pandas time stamp,
    period or integer and the step): the safe format keeps them, so the loaded
    pipeline windows the rows that follow with the same history."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from skrnn import LSTMRegressor
    from skrnn.preprocessing import SlidingWindow

    t = np.arange(90)
    X = pd.DataFrame({"a": np.sin(t / 5), "b": np.cos(t / 7)}, index=index)
    y = np.sin((t + 1) / 5)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("window", SlidingWindow(6)),
         ("model", LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0))]
    ).set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X[:70], y[:70])
    save_model(pipe, tmp_path / "forecaster.skrnn")
    loaded = load_model(tmp_path / "forecaster.skrnn")
    assert loaded[1].history_end_ == pipe[1].history_end_
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*less than window")
        assert_array_equal(loaded.predict(X[70:]), pipe.predict(X[70:]))
