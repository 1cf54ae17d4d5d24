"""plot_history and the comparison plots draw, with the expected artists."""

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skrnn import RecurrentRegressor, compare_cells, plot_history  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_size=4, max_epochs=4, batch_size=16, random_state=0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def series():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5, 1)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


@pytest.fixture(scope="module")
def report(series):
    X, y = series
    return compare_cells(
        RecurrentRegressor(**FAST),
        X,
        y,
        param_grid={"hidden_size": [3, 6]},
        cv=2,
        scoring="neg_mean_squared_error",
    )


# -- plot_history --------------------------------------------------------------------


def test_plot_history_draws_the_training_loss(series):
    X, y = series
    reg = RecurrentRegressor(**FAST).fit(X, y)
    ax = plot_history(reg)
    (line,) = ax.get_lines()
    assert line.get_label() == "training loss"
    assert list(line.get_xdata()) == [1, 2, 3, 4]
    np.testing.assert_allclose(line.get_ydata(), reg.loss_curve_)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert ax.get_title() == "RecurrentRegressor (LSTM)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training loss"]


def test_plot_history_adds_the_validation_loss_and_uses_the_given_axes(series):
    X, y = series
    model = make_pipeline(
        StandardScaler(),
        RecurrentRegressor(
            **FAST, cell="gru", early_stopping=True, validation_fraction=0.25
        ),
    )
    model.fit(X[:, :, 0], y)
    fig, ax = plt.subplots()
    assert plot_history(model, ax=ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["training loss", "validation loss"]
    np.testing.assert_allclose(
        ax.get_lines()[1].get_ydata(), model[-1].validation_loss_curve_
    )
    assert ax.get_lines()[1].get_linestyle() == "--"
    assert ax.get_title() == "RecurrentRegressor (GRU)"


def test_plot_history_refuses_unfitted_and_foreign_estimators(series):
    with pytest.raises(NotFittedError):
        plot_history(RecurrentRegressor())
    with pytest.raises(NotFittedError):
        plot_history(make_pipeline(StandardScaler(), RecurrentRegressor()))
    X, y = series
    with pytest.raises(TypeError, match="got LinearRegression"):
        plot_history(LinearRegression().fit(X[:, :, 0], y))


def test_missing_matplotlib_names_the_extra(series, monkeypatch):
    X, y = series
    reg = RecurrentRegressor(**{**FAST, "max_epochs": 1}).fit(X, y)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install skrnn\[plot\]"):
        plot_history(reg)


# -- the comparison plots ----------------------------------------------------------


def test_plot_all_draws_four_panels(report, tmp_path):
    fig = report.plot()
    assert len(fig.axes) == 4
    score_time, size, memory, curves = fig.axes
    n_cells = len(report.cells)
    for ax in (score_time, size, memory):
        containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(containers) == n_cells
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "LSTM",
            "GRU",
            "RNN",
        ]
    # Score against fit time: x and y error bars; the metric itself is plotted.
    first = score_time.containers[0]
    assert first.has_xerr and first.has_yerr
    frame = report.to_frame()
    lstm = frame[frame["cell"] == "lstm"].sort_values("n_parameters")
    np.testing.assert_allclose(
        np.asarray(first.lines[0].get_ydata(), dtype=float), -lstm["mean_score"]
    )
    assert "mean squared error" in score_time.get_ylabel()
    assert "lower is better" in score_time.get_ylabel()
    assert size.get_xlabel() == "trainable parameters"
    assert "peak memory" in memory.get_ylabel()
    # Learning curves: one line and one band per cell (its best setting).
    assert len(curves.get_lines()) == n_cells
    assert len(curves.collections) == n_cells
    assert [len(line.get_xdata()) for line in curves.get_lines()] == [4] * n_cells
    fig.savefig(tmp_path / "comparison.png")
    assert (tmp_path / "comparison.png").stat().st_size > 10_000


def test_plot_one_kind_on_given_axes(report):
    fig, ax = plt.subplots()
    assert report.plot("parameters", ax=ax) is ax
    assert len(ax.containers) == len(report.cells)
    ax = report.plot("curves")
    assert ax.get_xlabel() == "epoch"
    with pytest.raises(ValueError, match="kind must be one of"):
        report.plot("scores")
    with pytest.raises(ValueError, match="pass ax=None"):
        report.plot(ax=ax)
