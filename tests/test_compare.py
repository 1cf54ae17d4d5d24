"""compare_cells and its report: rows, measurements, ranks, the verdict, renderings."""

import itertools
import re
import sys
import warnings
from types import SimpleNamespace

import joblib
import numpy as np
import pytest
import torch
from scipy.stats import rankdata
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import LRScheduler

from skrnn import (
    ComparisonReport,
    LSTMClassifier,
    RecurrentClassifier,
    RecurrentNet,
    RecurrentRegressor,
    compare_cells,
)
from skrnn.compare._measure import measure_peak_memory
from skrnn.nn import count_parameters

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=4, max_epochs=3, batch_size=16, random_state=0)
COLUMNS = [
    "cell",
    "hidden_size",
    "n_parameters",
    "mean_fit_time",
    "std_fit_time",
    "mean_predict_time",
    "std_predict_time",
    "mean_peak_memory_mib",
    "std_peak_memory_mib",
    "mean_n_epochs",
    "mean_score",
    "std_score",
    "rank",
    "n_failed_fits",
]


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 6, 2)).astype(np.float32)
    y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    return X, y


@pytest.fixture(scope="module")
def report(data):
    X, y = data
    return compare_cells(
        RecurrentClassifier(**FAST), X, y, param_grid={"hidden_size": [4, 48]}, cv=2
    )


# -- what the report holds -------------------------------------------------------------


def test_one_row_per_cell_and_setting(report):
    frame = report.to_frame()
    assert list(frame.columns) == COLUMNS
    assert frame.index.name == "candidate"
    assert sorted(zip(frame["cell"], frame["hidden_size"], strict=True)) == sorted(
        itertools.product(["lstm", "gru", "rnn"], [4, 48])
    )
    assert report.cells == ["lstm", "gru", "rnn"]
    assert report.n_splits == 2
    assert (frame["n_failed_fits"] == 0).all()
    assert (frame["mean_n_epochs"] == 3).all()
    assert (frame["mean_fit_time"] > 0).all() and (frame["mean_predict_time"] > 0).all()


def test_parameter_counts_are_those_of_the_fitted_modules(report, data):
    X, y = data
    frame = report.to_frame()
    for _, row in frame.iterrows():
        est = RecurrentClassifier(**{**FAST, "max_epochs": 1}).set_params(
            cell=row["cell"], hidden_size=row["hidden_size"]
        )
        assert row["n_parameters"] == count_parameters(est.fit(X, y).module_)
    # The recurrent layers of a GRU have exactly 3/4 of an LSTM's parameters and
    # those of an RNN 1/4; the output layer is the same for all three.
    head = count_parameters(RecurrentNet(2, 2, hidden_size=48).head)
    n = frame[frame["hidden_size"] == 48].set_index("cell")["n_parameters"] - head
    assert n["gru"] == 0.75 * n["lstm"]
    assert n["rnn"] == 0.25 * n["lstm"]


_PEAK_MEMORY_SCRIPT = """
import numpy as np
from skrnn import RecurrentClassifier, compare_cells
rng = np.random.RandomState(0)
X = rng.normal(size=(48, 6, 2)).astype(np.float32)
y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
report = compare_cells(RecurrentClassifier(hidden_size=4, max_epochs=3, random_state=0),
                       X, y, param_grid={"hidden_size": [4, 48]}, cv=2)
frame = report.to_frame()
assert "not measured" not in report.memory_method, report.memory_method
assert (frame["mean_peak_memory_mib"] > 0).all(), frame
# More hidden units need more memory, for every cell.
by_size = frame.set_index(["cell", "hidden_size"])["mean_peak_memory_mib"]
assert all(by_size[c, 48] > by_size[c, 4] for c in report.cells), by_size
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS via /proc")
def test_peak_memory_is_measured_and_positive():
    """Resident memory of a process that has already run many other tests holds
    freed heap that later fits reuse without growing; a fresh process measures
    what a user's ``compare_cells`` call sees."""
    import subprocess

    result = subprocess.run([sys.executable, "-c", _PEAK_MEMORY_SCRIPT],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_ranks_follow_the_scores(report):
    frame = report.to_frame()
    expected = rankdata(-frame["mean_score"].to_numpy(), method="min").astype(int)
    assert frame["rank"].tolist() == expected.tolist()
    assert frame["rank"].is_monotonic_increasing
    assert report.best_params_ == report.search.best_params_
    best = frame.iloc[0]
    assert report.best_params_ == {
        "cell": best["cell"],
        "hidden_size": best["hidden_size"],
    }
    assert report.best_score_ == pytest.approx(best["mean_score"])
    # The refitted best estimator has the user's callbacks back (no probe).
    assert report.best_estimator_.callbacks is None
    assert report.summary.startswith(best["cell"].upper())


def test_learning_curves(report):
    curves = report.learning_curves()
    assert list(curves.columns) == [
        "candidate",
        "cell",
        "hidden_size",
        "epoch",
        "n_folds",
        "mean_loss",
        "std_loss",
    ]
    assert len(curves) == 6 * 3
    assert (curves["n_folds"] == 2).all()
    assert curves.groupby("candidate")["epoch"].apply(list).tolist() == [[1, 2, 3]] * 6
    assert (curves["mean_loss"] > 0).all()


def test_markdown_html_and_text(report):
    md = report.to_markdown()
    lines = md.splitlines()
    assert lines[0] == report.summary
    assert lines[2] == (
        "| Rank | Cell | hidden_size | Parameters | Fit time (s) | Predict time (ms) "
        "| Peak memory (MiB) | Epochs | Accuracy |"
    )
    rows = [line for line in lines[4:] if line.startswith("| ")]
    assert len(rows) == 6
    assert all(re.search(r"\| 0\.\d{3} ± 0\.\d{3} \|$", row) for row in rows)
    assert "Mean ± standard deviation over the 2 cross-validation folds" in md
    page = report.to_html()
    assert page.startswith('<div class="skrnn-comparison">') and "<table" in page
    assert page.count("<tr") == 7  # the header and six rows
    assert report._repr_html_() == page
    text = repr(report)
    assert text.startswith("ComparisonReport(cells=['lstm', 'gru', 'rnn'], settings=6")
    assert report.summary in text


# -- pipelines, scorers, splitters, backends -------------------------------------------


def test_pipeline_with_short_and_full_parameter_names(data):
    X, y = data
    pipe = Pipeline(
        [("scale", StandardScaler()), ("model", RecurrentClassifier(**FAST))]
    )
    report = compare_cells(
        pipe,
        X[:, :, 0],
        y,
        cells=["gru", "rnn"],
        param_grid={"hidden_size": [4], "model__lr": [0.01]},
        cv=2,
    )
    frame = report.to_frame()
    assert set(frame["cell"]) == {"gru", "rnn"}
    assert "hidden_size" in frame.columns and "lr" in frame.columns
    assert report.cell_param == "model__cell"
    assert isinstance(report.best_estimator_, Pipeline)
    assert report.best_estimator_.named_steps["model"].callbacks is None
    assert report.best_estimator_.named_steps["model"].lr == 0.01


def test_user_callbacks_are_kept(data):
    X, y = data
    callbacks = [("schedule", LRScheduler(policy="StepLR", step_size=1))]
    report = compare_cells(
        RecurrentClassifier(**FAST, callbacks=callbacks), X, y, cells=["gru"], cv=2
    )
    best = report.best_estimator_
    assert best.callbacks is callbacks
    assert "schedule" in dict(best.net_.callbacks_)
    assert report.to_frame()["n_parameters"].notna().all()


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_peak_memory_on_cuda(data):
    X, y = data
    report = compare_cells(
        RecurrentClassifier(**FAST, device="cuda"), X, y, cells=["lstm"], cv=2
    )
    assert "CUDA" in report.memory_method
    assert (report.to_frame()["mean_peak_memory_mib"] > 0).all()


def test_custom_scorer_and_time_series_split():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5, 1)).astype(np.float32)
    y = X[:, :, 0].sum(axis=1)
    scorer = make_scorer(mean_absolute_error, greater_is_better=False)
    report = compare_cells(
        RecurrentRegressor(**FAST),
        X,
        y,
        cells=["lstm", "gru"],
        cv=TimeSeriesSplit(3),
        scoring=scorer,
    )
    assert report.n_splits == 3
    assert (report.metric, report.greater_is_better) == ("mean absolute error", False)
    frame = report.to_frame()
    assert (frame["mean_score"] < 0).all()  # scikit-learn's sign
    assert "mean absolute error" in report.summary
    assert "Mean absolute error (lower is better)" in report.to_markdown()
    # Sentences and Markdown show the error itself, a positive number.
    assert "-" not in report.summary.split("of ", 1)[1].split(" over")[0]


def test_string_scorer_names_the_metric(data):
    X, y = data
    report = compare_cells(
        RecurrentClassifier(**FAST),
        X,
        y,
        cells=["rnn"],
        cv=2,
        scoring="balanced_accuracy",
        refit=False,
    )
    assert report.metric == "balanced accuracy"
    assert "(the only cell compared)" in report.summary
    assert report.best_params_ == {"cell": "rnn"}
    with pytest.raises(AttributeError, match="refit=True"):
        _ = report.best_estimator_


def test_fits_in_worker_processes_are_measured(data):
    X, y = data
    report = compare_cells(
        RecurrentClassifier(**FAST), X, y, cells=["lstm", "gru"], cv=2, n_jobs=2
    )
    frame = report.to_frame()
    assert frame["n_parameters"].notna().all()
    if sys.platform.startswith("linux"):
        assert (frame["mean_peak_memory_mib"] > 0).all()


def test_failed_fits_give_nan_and_rank_last(data):
    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = compare_cells(
            RecurrentClassifier(**FAST),
            X,
            y,
            cells=["lstm", "gru"],
            cv=2,
            param_grid={"device": ["cpu", "cuda:99"]},
        )
    kinds = [w.category for w in caught]
    assert FitFailedWarning in kinds
    nan_warnings = [str(w.message) for w in caught if "no mean score" in str(w.message)]
    assert len(nan_warnings) == 1 and nan_warnings[0].startswith("2 of 4 settings")
    assert not any("non-finite" in str(w.message) for w in caught)
    frame = report.to_frame()
    failed = frame[frame["device"] == "cuda:99"]
    assert failed["mean_score"].isna().all() and (failed["n_failed_fits"] == 2).all()
    assert (failed["rank"] > frame[frame["device"] == "cpu"]["rank"].max()).all()
    assert "nan" not in report.summary


def test_verbose_reports_each_fit(data, capsys):
    X, y = data
    compare_cells(RecurrentClassifier(**FAST), X, y, cells=["rnn"], cv=2, verbose=1)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3  # two folds and the refit
    assert err[0].startswith("fit 1 of 3 (rnn, hidden_size=4) | elapsed ")
    assert err[-1].startswith("fit 3 of 3") and err[-1].endswith("left")
    # Threads of joblib's threading backend run in this process: all are counted.
    with joblib.parallel_config(backend="threading"):
        compare_cells(
            RecurrentClassifier(**FAST), X, y, cells=["gru"], cv=2, n_jobs=2, verbose=1
        )
    err = capsys.readouterr().err.splitlines()
    assert sorted(line.split(" (")[0] for line in err) == [
        "fit 1 of 3",
        "fit 2 of 3",
        "fit 3 of 3",
    ]


def test_measure_peak_memory_sees_an_allocation():
    with measure_peak_memory() as memory:
        block = np.ones(8_000_000)  # 64 MB, touched
        block.sum()
    if "not measured" in memory["method"]:
        pytest.skip("no memory measurement on this platform")
    assert memory["peak_bytes"] > 40e6


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "estimator, kwargs, error, match",
    [
        (
            RecurrentClassifier(),
            dict(cells=["lstm", "lsmt"]),
            ValueError,
            "unknown cell",
        ),
        (RecurrentClassifier(), dict(cells=[]), ValueError, "at least one"),
        (RecurrentClassifier(), dict(cells=[1]), TypeError, "cells must be a list"),
        (LogisticRegression(), {}, ValueError, "skrnn recurrent estimator"),
        (
            Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())]),
            {},
            ValueError,
            "Pipeline ending in LogisticRegression",
        ),
        (LSTMClassifier(), {}, ValueError, "fixes the cell"),
        (
            RecurrentClassifier(),
            dict(param_grid={"hiden_size": [4]}),
            ValueError,
            "Invalid parameter 'hiden_size'",
        ),
        (
            RecurrentClassifier(),
            dict(param_grid={"cell": ["gru"]}),
            ValueError,
            "cells=",
        ),
        (
            RecurrentClassifier(),
            dict(param_grid={"callbacks": [None]}),
            ValueError,
            "callbacks",
        ),
        (RecurrentClassifier(), dict(param_grid=[4]), TypeError, "param_grid must be"),
        (RecurrentClassifier(), dict(param_grid={"hidden_size": 4}), TypeError, "list"),
        (
            RecurrentClassifier(),
            dict(scoring=["accuracy", "f1"]),
            TypeError,
            "one metric",
        ),
        (RecurrentClassifier(), dict(scoring="acuracy"), ValueError, "acuracy"),
        (RecurrentClassifier(), dict(refit="score"), TypeError, "refit"),
    ],
)
def test_bad_input_is_refused_before_fitting(estimator, kwargs, error, match, data):
    X, y = data
    with pytest.raises(error, match=match):
        compare_cells(estimator, X, y, **kwargs)


def test_report_refuses_a_search_not_run_by_compare_cells():
    with pytest.raises(ValueError, match="fitted by skrnn.compare_cells"):
        ComparisonReport(SimpleNamespace(cv_results_={"mean_test_score": [1.0]}))


# -- the verdict on constructed results ------------------------------------------------


def _constructed(scores, *, n_parameters, fit_time, cell_param="cell"):
    """A search-like object with the cv_results_ compare_cells produces, from
    per-fold scores given per cell (one setting each)."""
    cells = list(scores)
    n_splits = len(next(iter(scores.values())))
    results = {
        "params": [{cell_param: c} for c in cells],
        f"param_{cell_param}": np.array(cells, dtype=object),
        "mean_fit_time": np.array([fit_time[c] for c in cells]),
        "std_fit_time": np.zeros(len(cells)),
        "mean_score_time": np.full(len(cells), 0.01),
        "std_score_time": np.zeros(len(cells)),
    }
    folds = np.array([scores[c] for c in cells], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = folds.mean(axis=1)
    results["mean_test_score"] = means
    results["std_test_score"] = folds.std(axis=1)
    order = np.where(np.isnan(means), -np.inf, means)
    results["rank_test_score"] = rankdata(-order, method="min").astype(np.int32)
    values = {
        "score": folds,
        "n_parameters": np.array([[n_parameters[c]] * n_splits for c in cells], float),
        "peak_memory": np.full(folds.shape, 2.0**20),
        "memory_method": np.full(folds.shape, 2.0),
        "n_epochs": np.full(folds.shape, 2.0),
        "loss_epoch_1": np.ones(folds.shape),
        "loss_epoch_2": np.full(folds.shape, 0.5),
    }
    for name, array in values.items():
        array = np.where(np.isnan(folds), np.nan, array)
        results[f"mean_test_{name}"] = array.mean(axis=1)
        for k in range(n_splits):
            results[f"split{k}_test_{name}"] = array[:, k]
    return SimpleNamespace(cv_results_=results, n_splits_=n_splits, cv=n_splits)


PARAMS = dict(lstm=1000, gru=750, rnn=250)
TIMES = dict(lstm=1.0, gru=1.8, rnn=0.5)


def test_verdict_names_the_winner_and_the_ratios():
    search = _constructed(
        {
            "lstm": [0.95, 0.97, 0.96],
            "gru": [0.945, 0.96, 0.953],
            "rnn": [0.70, 0.72, 0.71],
        },
        n_parameters=PARAMS,
        fit_time=TIMES,
    )
    summary = ComparisonReport(search, metric="accuracy").summary
    assert summary.startswith("LSTM ranks first with a mean accuracy of 0.960 ± 0.008")
    assert (
        "GRU reaches 99.2% of LSTM's mean accuracy (0.953 vs 0.960) with 75% of its "
        "parameters and 1.8× its fit time, a difference smaller than the fold-to-fold "
        "spread (±0.008), so these data do not separate them"
    ) in summary
    assert (
        "RNN reaches 74.0% of LSTM's mean accuracy (0.710 vs 0.960) with 25% of its "
        "parameters and 0.5× its fit time, a difference larger than the fold-to-fold "
        "spread (±0.008), and LSTM is better on 3 of 3 folds"
    ) in summary
    assert summary.endswith(".") and not re.search(
        r"\.\s+[A-Z]", summary
    )  # one sentence


def test_verdict_for_an_error_metric_says_lower_is_better():
    search = _constructed(
        {"lstm": [-0.050, -0.052], "gru": [-0.040, -0.042]},
        n_parameters=PARAMS,
        fit_time=TIMES,
    )
    report = ComparisonReport(
        search, metric="mean squared error", greater_is_better=False
    )
    summary = report.summary
    assert summary.startswith("GRU ranks first with a mean squared error of 0.041 ±")
    assert (
        "LSTM has a 24.4% higher mean squared error than GRU (0.051 vs 0.041)"
        in summary
    )
    assert "with 133% of its parameters and 0.6× its fit time" in summary
    assert "larger than the fold-to-fold spread" in summary


def test_verdict_for_ties_failures_and_scores_below_zero():
    tie = _constructed(
        {"lstm": [0.9, 0.8], "gru": [0.8, 0.9]}, n_parameters=PARAMS, fit_time=TIMES
    )
    summary = ComparisonReport(tie, metric="accuracy").summary
    assert summary.startswith(
        "LSTM and GRU tie for first with a mean accuracy of 0.850"
    )
    assert "GRU has 75% of LSTM's parameters and 1.8× its fit time" in summary

    failed = _constructed(
        {"lstm": [0.5, 0.6], "rnn": [np.nan, np.nan]},
        n_parameters=PARAMS,
        fit_time=TIMES,
    )
    summary = ComparisonReport(failed, metric="accuracy").summary
    assert summary.startswith("LSTM ranks first")
    assert summary.endswith("; RNN failed in every fit and is left out.")
    assert ComparisonReport(failed).to_frame().loc[1, "n_failed_fits"] == 2

    r2 = _constructed(
        {"lstm": [0.2, 0.1], "gru": [-0.3, -0.1]}, n_parameters=PARAMS, fit_time=TIMES
    )
    summary = ComparisonReport(r2, metric="R²").summary
    assert "GRU has a mean R² 0.350 lower than LSTM's (-0.200 vs 0.150)" in summary


def test_verdict_when_every_setting_failed():
    search = _constructed(
        {"lstm": [np.nan, 0.5], "gru": [np.nan, np.nan]},
        n_parameters=PARAMS,
        fit_time=TIMES,
    )
    summary = ComparisonReport(search).summary
    assert summary.startswith("No setting has a score in every fold")
    assert "GRU failed in every fit" in summary
    assert "LSTM failed in some folds of every setting" in summary


# -- the comparison's ConvergenceWarning -----------------------------------------------


def _convergence_messages(func):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        func()
    return [str(w.message) for w in caught
            if issubclass(w.category, ConvergenceWarning)
            and "cross-validation fits" in str(w.message)]


def test_fits_that_ran_out_of_epochs_while_improving_are_counted(data):
    X, y = data
    # 8 epochs against a patience of 1 with a zero tolerance: the training loss of
    # a fresh network falls epoch after epoch, so the rule never ends these fits.
    est = RecurrentClassifier(**{**FAST, "max_epochs": 8}, n_iter_no_change=1,
                              tol=0.0, lr=1e-2, early_stopping=False)
    report = None

    def run():
        nonlocal report
        report = compare_cells(est, X, y, cells=["gru", "lstm"], cv=2)

    messages = _convergence_messages(run)
    flags = np.column_stack([report.search.cv_results_[f"split{k}_test_unconverged"]
                             for k in range(2)])
    assert set(np.unique(flags)) <= {0.0, 1.0}
    n = int(flags.sum())
    assert n >= 1, flags
    assert messages == [
        f"{n} of the 4 cross-validation fits used all max_epochs=8 epochs without "
        "converging (the monitored loss still improved by more than tol within the "
        "last n_iter_no_change epochs); more epochs may change the comparison."
    ]


def test_fits_too_short_for_their_stopping_rule_do_not_warn(data):
    """max_epochs at most n_iter_no_change: no fit could have stopped early, so
    using all of its epochs says nothing about convergence (as in the estimators)."""
    X, y = data
    est = RecurrentClassifier(**FAST, n_iter_no_change=5, early_stopping=False)
    report = None

    def run():
        nonlocal report
        report = compare_cells(est, X, y, cells=["gru", "lstm"], cv=2)

    assert _convergence_messages(run) == []
    assert (report.to_frame()["mean_n_epochs"] == 3).all()
    assert not np.any([report.search.cv_results_[f"split{k}_test_unconverged"]
                       for k in range(2)])
