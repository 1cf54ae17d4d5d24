"""device='cuda' paths; skipped on machines without a GPU."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from skrnn import LSTMClassifier, LSTMRegressor

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(256, 20, 3)).astype(np.float32)
    return X, X[:, :, 0].mean(axis=1)


def test_fit_predict_on_cuda_matches_cpu_closely():
    X, y = _data()
    params = dict(hidden_size=16, max_epochs=3, random_state=0, shuffle=False)
    gpu = LSTMRegressor(device="cuda", **params).fit(X, y)
    assert next(gpu.module_.parameters()).device.type == "cuda"
    cpu = LSTMRegressor(device="cpu", **params).fit(X, y)
    assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-3, atol=1e-3)


def test_cuda_classifier_predicts_labels():
    X, y = _data()
    labels = np.where(y > 0, "up", "down")
    clf = LSTMClassifier(device="cuda", hidden_size=16, max_epochs=5, random_state=0)
    assert set(clf.fit(X, labels).predict(X)) <= {"up", "down"}


def test_cuda_model_loads_in_a_process_without_cuda(tmp_path):
    X, y = _data()
    est = LSTMRegressor(device="cuda", hidden_size=16, max_epochs=3, random_state=0)
    est.fit(X, y)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(est))
    np.save(tmp_path / "X.npy", X)
    x_file, p_file = str(tmp_path / "X.npy"), str(tmp_path / "p.npy")
    code = textwrap.dedent(
        f"""
        import pickle, numpy as np, torch
        assert not torch.cuda.is_available()
        est = pickle.loads(open({str(path)!r}, "rb").read())
        np.save({p_file!r}, est.predict(np.load({x_file!r})))
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={**__import__("os").environ, "CUDA_VISIBLE_DEVICES": ""})
    assert_allclose(np.load(tmp_path / "p.npy"), est.predict(X), rtol=1e-4, atol=1e-5)
