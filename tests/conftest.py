"""Shared fixtures: seeds, small generated sequence data, fast estimator settings."""

import numpy as np
import pytest
import torch

#: Settings that make the estimators fast enough for scikit-learn's estimator
#: checks while still learning the checks' small problems (one table, as with
#: scikit-learn's ``max_iter=100`` and imbalanced-learn's ``INIT_PARAMS``).
CHECK_PARAMS = dict(
    hidden_size=16, max_epochs=40, lr=1e-2, batch_size=32, random_state=0
)
#: The same for the convolutional estimators: the checks' 2-D data are sequences
#: of 1x1 frames, where a 1x1 kernel is the whole of a 3x3 one's use.
CONV_CHECK_PARAMS = dict(filters=16, kernel_size=1, max_epochs=40, lr=1e-2,
                         batch_size=32, random_state=0)


@pytest.fixture(autouse=True)
def _seed_everything():
    """Every test starts from the same global random state."""
    np.random.seed(0)  # noqa: NPY002 (the legacy global RNG is what is reset)
    torch.manual_seed(0)
    yield


@pytest.fixture
def regression_data():
    """200 sequences of 12 steps and 3 features; y depends on the whole sequence."""
    rng = np.random.RandomState(42)
    X = rng.normal(size=(200, 12, 3)).astype(np.float32)
    y = X[:, :, 0].mean(axis=1) * 3 + X[:, -1, 1]
    return X, y


@pytest.fixture
def classification_data():
    """240 sequences of 10 steps and 2 features, three string classes."""
    rng = np.random.RandomState(42)
    X = rng.normal(size=(240, 10, 2)).astype(np.float32)
    score = X[:, :, 0].mean(axis=1) + 0.5 * X[:, -1, 1]
    bins = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    y = np.array(["low", "mid", "high"])[bins]
    return X, y

