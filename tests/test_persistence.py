"""Fitted estimators survive pickle and joblib, and GPU-saved ones load on a CPU."""

import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skrnn import GRUClassifier, LSTMRegressor, RecurrentRegressor


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
        check=True, capture_output=True,
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
    assert isinstance(loaded.set_params(device="cpu", max_epochs=1).fit(
        X, X[:, :, 0].sum(axis=1)), RecurrentRegressor)
