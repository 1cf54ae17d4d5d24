"""Plots of fitted recurrent estimators, and helpers shared with the comparison report.

matplotlib is an optional dependency (the ``[plot]`` extra): it is imported when a
plot is drawn, never when skrnn is imported.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrentEstimator

__all__ = ["plot_history"]

#: One colour per cell, the same in every skrnn plot.
CELL_COLORS = {"lstm": "C0", "gru": "C1", "rnn": "C2"}


def import_pyplot(caller):
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it with "
            "`pip install skrnn[plot]` (or `pip install matplotlib`)."
        ) from exc
    return plt


def cell_label(cell):
    """How a cell is named in plots and sentences: ``"LSTM"``, ``"GRU"``, ``"RNN"``."""
    return str(cell).upper()


def value_text(value):
    """A parameter value for a label or a sentence: ``64``, ``0.01``, ``adam``."""
    if isinstance(value, np.generic):
        value = value.item()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _final_recurrent_step(estimator):
    step = estimator
    while isinstance(step, Pipeline) and step.steps:
        step = step.steps[-1][1]
    if not isinstance(step, BaseRecurrentEstimator):
        raise TypeError(
            "plot_history needs a fitted skrnn recurrent estimator or a Pipeline "
            f"ending in one; got {type(estimator).__name__} instead."
        )
    return step


def plot_history(estimator, ax=None):
    """Plot the training loss, and the validation loss if any, per epoch.

    Parameters
    ----------
    estimator : estimator object
        A fitted skrnn recurrent estimator, or a fitted
        :class:`~sklearn.pipeline.Pipeline` whose last step is one.

    ax : matplotlib.axes.Axes or None, default=None
        The axes to draw on; None creates a new figure.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes, with one line for the training loss (``loss_curve_``) and one
        for the validation loss (``validation_loss_curve_``) when the estimator
        was fitted with ``early_stopping=True``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    ImportError
        If matplotlib is not installed (``pip install skrnn[plot]``).

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RecurrentRegressor, plot_history
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(20, 5, 1)).astype("float32")
    >>> reg = RecurrentRegressor(hidden_size=4, max_epochs=3, random_state=0)
    >>> reg = reg.fit(X, X[:, :, 0].sum(axis=1))
    >>> ax = plot_history(reg)
    >>> [line.get_label() for line in ax.get_lines()]
    ['training loss']
    """
    step = _final_recurrent_step(estimator)
    check_is_fitted(step, "net_")
    plt = import_pyplot("plot_history")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
    epochs = range(1, len(step.loss_curve_) + 1)
    color = CELL_COLORS.get(getattr(step, "cell", None), "C0")
    ax.plot(epochs, step.loss_curve_, color=color, label="training loss")
    if step.validation_loss_curve_ is not None:
        ax.plot(
            epochs,
            step.validation_loss_curve_,
            color=color,
            linestyle="--",
            label="validation loss",
        )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    name = type(step).__name__
    cell = getattr(step, "cell", None)
    ax.set_title(f"{name} ({cell_label(cell)})" if cell else name)
    ax.legend()
    return ax


# -- the panels of ComparisonReport.plot ---------------------------------------------
# Each draws one view of a skrnn.compare.ComparisonReport on ``ax``, from the
# report and its ``to_frame()``.


def _metric_label(report):
    label = f"{report.metric} (mean ± std over folds)"
    return label if report.greater_is_better else label + ", lower is better"


def _point_label(report, frame, candidate):
    """The searched values of a setting, e.g. ``"64"`` or ``"64, 0.01"``."""
    names = [short for _, short in report._param_names()]
    return ", ".join(value_text(frame.loc[candidate, n]) for n in names)


def _size_axis(ax, values):
    """Parameters on a log axis when they span more than a factor of 10."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) and values.max() > 10 * values.min():
        ax.set_xscale("log")
    ax.set_xlabel("trainable parameters")


def _by_cell(report, frame):
    for cell in report.cells:
        rows = frame[frame["cell"] == cell].sort_values("n_parameters", kind="stable")
        if not rows.empty:
            yield cell, rows


def _plot_score_time(report, ax, frame):
    for cell, rows in _by_cell(report, frame):
        ax.errorbar(
            rows["mean_fit_time"],
            report._sign * rows["mean_score"],
            xerr=rows["std_fit_time"],
            yerr=rows["std_score"],
            fmt="o",
            capsize=3,
            color=CELL_COLORS.get(cell),
            label=cell_label(cell),
        )
        for c in rows.index:
            text = _point_label(report, frame, c)
            if text:
                ax.annotate(
                    text,
                    (
                        rows.loc[c, "mean_fit_time"],
                        report._sign * rows.loc[c, "mean_score"],
                    ),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=7,
                )
    ax.set_xlabel("fit time per fold (s)")
    ax.set_ylabel(_metric_label(report))
    names = [short for _, short in report._param_names()]
    ax.set_title(
        "score against fit time"
        + (f" (points labelled by {', '.join(names)})" if names else ""),
        fontsize="medium",
    )
    ax.legend()


def _errorbars_against_size(report, ax, frame, mean, std_column, fmt):
    """One error-bar line per cell: ``mean(rows)`` ± ``rows[std_column]`` against
    the trainable parameters, on the size axis."""
    for cell, rows in _by_cell(report, frame):
        ax.errorbar(
            rows["n_parameters"].astype(float),
            mean(rows),
            yerr=rows[std_column],
            fmt=fmt,
            capsize=3,
            color=CELL_COLORS.get(cell),
            label=cell_label(cell),
        )
    _size_axis(ax, frame["n_parameters"])


def _plot_parameters(report, ax, frame):
    _errorbars_against_size(
        report, ax, frame, lambda rows: report._sign * rows["mean_score"],
        "std_score", "o-",
    )
    ax.set_ylabel(_metric_label(report))
    ax.set_title("score against size")
    ax.legend()


def _plot_memory(report, ax, frame):
    if not np.isfinite(frame["mean_peak_memory_mib"]).any():
        ax.text(
            0.5,
            0.5,
            "peak memory could not be measured here",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    _errorbars_against_size(
        report, ax, frame, lambda rows: rows["mean_peak_memory_mib"],
        "std_peak_memory_mib", "s-",
    )
    ax.set_ylabel("peak memory during fit (MiB)")
    ax.set_title("memory against size")
    ax.legend()


def _plot_curves(report, ax, frame):
    curves = report.learning_curves()
    best = report._best_per_cell(frame)[0]
    for c in best:
        cell = frame.loc[c, "cell"]
        rows = curves[curves["candidate"] == c]
        color = CELL_COLORS.get(cell)
        label = cell_label(cell) + report._setting(frame, c)
        ax.plot(rows["epoch"], rows["mean_loss"], color=color, label=label)
        ax.fill_between(
            rows["epoch"],
            rows["mean_loss"] - rows["std_loss"],
            rows["mean_loss"] + rows["std_loss"],
            color=color,
            alpha=0.2,
        )
        if "mean_valid_loss" in rows and rows["mean_valid_loss"].notna().any():
            ax.plot(
                rows["epoch"],
                rows["mean_valid_loss"],
                color=color,
                linestyle="--",
                label=f"{cell_label(cell)} validation",
            )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (mean over folds)")
    ax.set_title("learning curves, best setting per cell")
    ax.legend()


#: The kinds ``ComparisonReport.plot`` draws, in the order of its four panels.
COMPARISON_PANELS = {
    "score_time": _plot_score_time,
    "parameters": _plot_parameters,
    "memory": _plot_memory,
    "curves": _plot_curves,
}
