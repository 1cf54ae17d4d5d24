"""scikit-learn's own estimator checks on every public skrnn estimator."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from skrnn.utils import all_estimators

from .conftest import CHECK_PARAMS, CONV_CHECK_PARAMS

#: Fast settings per kind: the recurrent estimators share CHECK_PARAMS; the
#: transformers keep their defaults except a window short enough for the checks'
#: small data sets.
INIT_PARAMS = {"SlidingWindow": dict(window=3), "SequenceScaler": {}}
INIT_PARAMS.update({name: CONV_CHECK_PARAMS for name in (
    "ConvRecurrentRegressor", "ConvLSTMRegressor", "ConvGRURegressor",
    "ConvRecurrentClassifier", "ConvLSTMClassifier", "ConvGRUClassifier",
)})

ESTIMATORS = [
    cls(**INIT_PARAMS.get(name, CHECK_PARAMS)) for name, cls in all_estimators()
]

#: Checks that cannot always pass, with the reason. Keep this as short as the design
#: allows. They are non-strict: a run where the check happens to pass is fine.
EXPECTED_FAILED_CHECKS = {
    "check_methods_subset_invariance": (
        "the networks compute in float32 and BLAS picks its kernels by batch size, so "
        "a sample's output can differ in the 7th significant digit between a batch "
        "and a subset of it; the check's tolerance is rtol=1e-7 (the differences are "
        "bounded in tests/test_base.py::test_predictions_batch_invariant)"
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "an integer weight and as many repeated rows give the same loss (checked in "
        "tests/test_weights.py), but float32 sums them in another order, so the "
        "predictions differ in the 6th or 7th significant digit; the check's "
        "tolerance is rtol=1e-7"
    ),
}


#: A window is made of a row's predecessors, so the output for a row depends on
#: the rows before it: reordering or subsetting the rows changes it by design.
WINDOW_FAILED_CHECKS = {
    "check_methods_sample_order_invariance": (
        "row t's window is made of the rows before it, so shuffling the rows "
        "changes the windows by design"
    ),
    "check_methods_subset_invariance": (
        "row t's window is made of the rows before it, so a subset of rows has "
        "other windows by design"
    ),
}


def _expected_failed_checks(estimator):
    if type(estimator).__name__ == "SlidingWindow":
        return WINDOW_FAILED_CHECKS
    if type(estimator).__name__ == "SequenceScaler":
        return {}
    return EXPECTED_FAILED_CHECKS


def test_all_estimators_found():
    names = {name for name, _ in all_estimators()}
    assert names == {
        "RecurrentRegressor", "LSTMRegressor", "GRURegressor", "RNNRegressor",
        "RecurrentClassifier", "LSTMClassifier", "GRUClassifier", "RNNClassifier",
        "SlidingWindow", "SequenceScaler",
        "ConvRecurrentRegressor", "ConvLSTMRegressor", "ConvGRURegressor",
        "ConvRecurrentClassifier", "ConvLSTMClassifier", "ConvGRUClassifier",
    }


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=_expected_failed_checks, xfail_strict=False
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
