"""``compare_cells``: LSTM, GRU and RNN compared on the user's data, by GridSearchCV."""

import math
import numbers
import sys
import warnings
from collections.abc import Mapping, Sequence
from contextlib import nullcontext

import numpy as np
from joblib import effective_n_jobs
from joblib.parallel import ThreadingBackend, get_active_backend
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, ParameterGrid, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import indexable

from .._base import CELLS, BaseRecurrentEstimator
from ._measure import PROBE_NAME, FitProbe, Progress, count_parameters, fit_listener
from ._measure import warm_up as _warm_up
from ._report import ComparisonReport, curve_key, describe_metric

__all__ = ["compare_cells"]

#: At most this many epochs of each fold's learning curve are kept (evenly spaced).
MAX_CURVE_POINTS = 200


def compare_cells(
    estimator,
    X,
    y,
    *,
    cells=CELLS,
    param_grid=None,
    cv=None,
    scoring=None,
    n_jobs=None,
    groups=None,
    refit=True,
    verbose=0,
):
    """Compare recurrent cells on your data: score, size, time and memory.

    Cross-validates ``estimator`` once per cell and hyperparameter setting with
    :class:`~sklearn.model_selection.GridSearchCV`, and measures inside each fit
    (so in any joblib backend) the trainable parameters of the network and the
    peak memory of the fit. The returned :class:`~skrnn.ComparisonReport` holds one row
    per cell and setting, a one-sentence verdict, plots and Markdown/HTML
    renderings. Read more in the :ref:`User Guide <compare>`.

    Parameters
    ----------
    estimator : estimator object
        A skrnn recurrent estimator that takes the cell as a parameter
        (:class:`~skrnn.RecurrentRegressor` or :class:`~skrnn.RecurrentClassifier`),
        or a :class:`~sklearn.pipeline.Pipeline` whose last step is one. Its
        other parameters are kept for every fit.

    X : array-like of shape (n_samples, n_timesteps, n_features) or \
            (n_samples, n_timesteps)
        The sequences, or whatever the pipeline's first step takes.

    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The targets.

    cells : sequence of {"lstm", "gru", "rnn"}, default=("lstm", "gru", "rnn")
        The cells to compare.

    param_grid : dict, list of dict or None, default=None
        Further settings to cross with the cells, as in ``GridSearchCV``, for
        example ``{"hidden_size": [16, 64]}``. Names without ``__`` are parameters
        of the recurrent estimator (also when it is the last step of a pipeline);
        names with ``__`` are full pipeline parameter names such as
        ``"scale__with_mean"`` or ``"model__lr"``. ``cell`` and ``callbacks`` cannot
        be searched here.

    cv : int, cross-validation generator, iterable or None, default=None
        The splitting strategy, as in ``GridSearchCV``: None means 5-fold
        (stratified for classifiers). Pass a
        :class:`~sklearn.model_selection.TimeSeriesSplit` for forecasting.

    scoring : str, callable or None, default=None
        The one metric the settings are ranked by: a scikit-learn scorer name
        such as ``"balanced_accuracy"`` or ``"neg_mean_absolute_error"``, a
        scorer ``scoring(estimator, X, y)``, or None for the estimator's
        ``score`` (accuracy or R²).

    n_jobs : int or None, default=None
        Fits run in parallel, through joblib as in ``GridSearchCV``; any joblib
        backend works (``joblib.parallel_config(backend="dask")``).

    groups : array-like of shape (n_samples,) or None, default=None
        Group labels for group-aware splitters such as
        :class:`~sklearn.model_selection.GroupKFold`.

    refit : bool, default=True
        Whether to refit the best setting on all of ``X`` (available as
        ``report.best_estimator_``).

    verbose : int, default=0
        With 1 or more, a line on ``sys.stderr`` after each fit that runs in
        this process: which fit of how many, the time elapsed and an estimate of
        the time left. Fits in other processes (``n_jobs`` other than 1 with
        joblib's default backend) are not reported.

    Returns
    -------
    report : ComparisonReport
        The comparison: ``report.to_frame()``, ``report.summary``,
        ``report.plot()``, ``report.to_markdown()``, ``report.to_html()``, and the
        underlying search as ``report.search``.

    See Also
    --------
    ComparisonReport : The report and what its numbers mean.
    sklearn.model_selection.GridSearchCV : The search underneath.

    Notes
    -----
    The probe that measures memory is a skorch callback appended to the
    recurrent estimator's ``callbacks`` for the search; the refitted
    ``best_estimator_`` has the user's ``callbacks`` parameter back. Each fold's
    learning curve (the training loss per epoch, and the validation loss with
    ``early_stopping=True``) is returned by the scorer with the scores, so the
    report's learning curves are means over the folds, with no extra fits.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RecurrentClassifier, compare_cells
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 5, 1)).astype("float32")
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = RecurrentClassifier(hidden_size=4, max_epochs=3, random_state=0)
    >>> report = compare_cells(clf, X, y, cells=["lstm", "gru"], cv=2)
    >>> report.to_frame()[["cell", "n_parameters"]].sort_values("cell")
              cell  n_parameters
    candidate
    1          gru          110
    0         lstm          138
    >>> print(report.summary)  # doctest: +SKIP
    LSTM scores the highest mean accuracy, 0.550 ± 0.050; GRU reaches ...
    """
    step, path = _recurrent_step(estimator)
    prefix = "".join(f"{name}__" for name in path)
    cells = _check_cells(cells)
    grids = _check_param_grid(param_grid, estimator, step, prefix)
    cell_param = prefix + "cell"
    grid = [{**g, cell_param: cells} for g in grids]
    metric, greater_is_better = describe_metric(scoring, estimator)
    if not isinstance(refit, bool):
        raise TypeError(f"refit must be True or False, got {refit!r} instead.")

    user_callbacks = step.callbacks
    base = clone(estimator)
    device = str(getattr(step, "device", "cpu"))
    base.set_params(
        **{
            prefix + "callbacks": [
                *(user_callbacks or []),
                (PROBE_NAME, FitProbe(device=device)),
            ]
        }
    )
    epochs = _epochs_to_record(grid, step, prefix)
    # early_stopping="auto" decides per fit; its validation losses are not
    # recorded (a column of NaN for the fits without one would say nothing).
    record_valid = any(
        not isinstance(value, str) and bool(value)
        for g in grid
        for value in g.get(prefix + "early_stopping", [step.early_stopping])
    )
    scorer = _ComparisonScorer(
        check_scoring(estimator, scoring), path, epochs, record_valid
    )
    search = GridSearchCV(
        base,
        grid,
        scoring=scorer,
        refit="score" if refit else False,
        cv=cv,
        n_jobs=n_jobs,
        error_score=np.nan,
    )
    try:
        _warm_up(device)
    except (RuntimeError, ValueError):  # a bad device: the fits will say so
        pass
    n_fits = None
    if verbose:
        X, y, groups = indexable(X, y, groups)
        splitter = check_cv(cv, y, classifier=is_classifier(estimator))
        n_splits = splitter.get_n_splits(X, y, groups)
        n_fits = len(ParameterGrid(grid)) * n_splits + int(refit)
        if not _fits_in_this_process(n_jobs):
            print(
                f"compare_cells: {n_fits} fits in parallel (n_jobs={n_jobs}); "
                "progress is shown only for fits that run in this process.",
                file=sys.stderr,
            )
            n_fits = None
    with _progress(n_fits), warnings.catch_warnings():
        # scikit-learn warns once per scorer key (each epoch of the learning
        # curves is one) about failed folds, and each fit that runs out of epochs
        # warns; one warning about each follows the search instead. (scikit-learn
        # passes these filters on to joblib's workers.)
        warnings.filterwarnings(
            "ignore", message="One or more of the test scores are non-finite"
        )
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        search.fit(X, y, groups=groups)
    _warn_unconverged(search, step, prefix)
    n_nan = int(np.isnan(search.cv_results_["mean_test_score"]).sum())
    if n_nan:
        warnings.warn(
            f"{n_nan} of {len(search.cv_results_['params'])} settings have no mean "
            "score because a fit or its scoring failed in at least one fold (see the "
            "FitFailedWarning or scoring warnings above); they rank last.",
            UserWarning,
            stacklevel=2,
        )
    if refit:
        search.best_estimator_.set_params(**{prefix + "callbacks": user_callbacks})
    return ComparisonReport(
        search,
        cell_param=cell_param,
        metric=metric,
        greater_is_better=greater_is_better,
    )


def _warn_unconverged(search, step, prefix):
    """One ConvergenceWarning for the fits that ran out of epochs still improving.

    As the estimators' own warning: only fits that their stopping rule could have
    ended (``max_epochs`` above the patience) count.
    """
    results = search.cv_results_
    max_epochs = np.array(
        [p.get(prefix + "max_epochs", step.max_epochs) for p in results["params"]],
        dtype=float,
    )
    flags = np.column_stack(
        [results[f"split{k}_test_unconverged"] for k in range(search.n_splits_)]
    )
    done = np.isfinite(flags)
    unconverged = int(np.sum(done & (flags > 0)))
    if unconverged:
        most = sorted({int(m) for m in max_epochs})
        epochs_text = f"max_epochs={most[0]}" if len(most) == 1 else "max_epochs"
        warnings.warn(
            f"{unconverged} of the {int(done.sum())} cross-validation fits used all "
            f"{epochs_text} epochs without converging (the monitored loss still "
            "improved by more than tol within the last n_iter_no_change epochs); "
            "more epochs may change the comparison.",
            ConvergenceWarning,
            stacklevel=3,
        )


def _fits_in_this_process(n_jobs):
    """Whether joblib will run the search's fits in this process."""
    if effective_n_jobs(n_jobs) == 1:
        return True
    backend, _ = get_active_backend()
    return isinstance(backend, ThreadingBackend)


def _progress(n_fits):
    return nullcontext() if n_fits is None else fit_listener(Progress(n_fits))


# -- validation -------------------------------------------------------------------


def _recurrent_step(estimator):
    """The recurrent estimator at the end of ``estimator`` and the step names to it."""
    path = []
    step = estimator
    while isinstance(step, Pipeline):
        if not step.steps:
            break
        name, step = step.steps[-1]
        path.append(name)
    if not isinstance(step, BaseRecurrentEstimator):
        what = f"a Pipeline ending in {type(step).__name__}" if path else None
        raise ValueError(
            "compare_cells needs a skrnn recurrent estimator (RecurrentRegressor or "
            "RecurrentClassifier) or a Pipeline whose last step is one; got "
            f"{what or repr(estimator)} instead."
        )
    if "cell" not in step.get_params(deep=False):
        raise ValueError(
            f"{type(step).__name__} fixes the cell, so compare_cells cannot vary it; "
            "use RecurrentRegressor or RecurrentClassifier, which take cell= as a "
            "parameter."
        )
    return step, path


def _check_cells(cells):
    if isinstance(cells, str):
        cells = [cells]
    if not isinstance(cells, Sequence) or not all(isinstance(c, str) for c in cells):
        raise TypeError(
            f"cells must be a list of cell names among {list(CELLS)}, got {cells!r} "
            "instead."
        )
    unknown = [c for c in cells if c not in CELLS]
    if unknown:
        raise ValueError(
            f"cells must be among {list(CELLS)}, got unknown cell(s) {unknown} instead."
        )
    if not cells:
        raise ValueError(f"cells must name at least one of {list(CELLS)}, got [].")
    return list(dict.fromkeys(cells))  # drop repeats, keep the order


def _check_param_grid(param_grid, estimator, step, prefix):
    """The grid as a list of dicts with full parameter names."""
    if param_grid is None:
        return [{}]
    grids = [param_grid] if isinstance(param_grid, Mapping) else param_grid
    if not isinstance(grids, Sequence) or not all(
        isinstance(g, Mapping) for g in grids
    ):
        raise TypeError(
            "param_grid must be a dict of parameter names to lists of values, a "
            f"list of such dicts, or None; got {param_grid!r} instead."
        )
    own = set(step.get_params(deep=False))
    full = set(estimator.get_params(deep=True))
    checked = []
    for g in grids:
        out = {}
        for name, values in g.items():
            key = (
                (name if "__" in name else prefix + name)
                if isinstance(name, str)
                else None
            )
            if key not in full:
                valid = sorted(own - {"cell", "callbacks"})
                hint = (
                    " or a full pipeline parameter name such as "
                    f"{prefix + 'hidden_size'!r}"
                    if prefix
                    else ""
                )
                raise ValueError(
                    f"Invalid parameter {name!r} in param_grid for "
                    f"{type(step).__name__}; expected one of {valid}{hint}."
                )
            if key in (prefix + "cell", prefix + "callbacks"):
                raise ValueError(
                    f"param_grid cannot set {name!r}: "
                    + (
                        "the cells compared are given by cells=."
                        if key.endswith("cell")
                        else "compare_cells adds its own callback to measure each "
                        "fit; set callbacks on the estimator instead."
                    )
                )
            out[key] = values
        checked.append(out)
    ParameterGrid(checked)  # scikit-learn's own checks of the values
    return checked


def _epochs_to_record(grid, step, prefix):
    """The 1-based epochs whose losses the scorer returns (MAX_CURVE_POINTS at most)."""
    most = max(
        (
            int(value)
            for g in grid
            for value in g.get(prefix + "max_epochs", [step.max_epochs])
            if isinstance(value, numbers.Integral)
        ),
        default=int(step.max_epochs),
    )
    if most <= MAX_CURVE_POINTS:
        return list(range(1, most + 1))
    return sorted({int(e) for e in np.linspace(1, most, MAX_CURVE_POINTS).round()})


# -- the scorer -------------------------------------------------------------------


class _ComparisonScorer:
    """A multi-metric scorer returning the user's score and the fit's measurements.

    It runs in the worker, on the estimator just fitted there, and returns a dict:
    ``score`` (the user's metric), ``n_parameters``, ``peak_memory`` (bytes),
    ``memory_method``, ``n_epochs``, ``unconverged`` (1 for a fit that ran out of
    epochs while still improving, as the estimator's ConvergenceWarning says) and
    the training (and validation) loss at each recorded epoch, the last value
    carried forward after the fit's final epoch.
    """

    def __init__(self, scorer, path, epochs, record_valid):
        self.scorer = scorer
        self.path = path
        self.epochs = epochs
        self.record_valid = record_valid

    def __call__(self, estimator, X, y=None, **kwargs):
        try:
            score = self.scorer(estimator, X, y, **kwargs)
        except Exception as exc:  # as GridSearchCV does for a failing scorer
            warnings.warn(
                f"Scoring failed; the score of this fold is NaN. Details: {exc!r}",
                UserWarning,
                stacklevel=2,
            )
            score = math.nan
        step = estimator
        for name in self.path:
            step = step.named_steps[name]
        probe = dict(step.net_.callbacks_).get(PROBE_NAME)
        out = {
            "score": float(score),
            "n_parameters": float(count_parameters(step.module_)),
            "peak_memory": getattr(probe, "peak_memory_", math.nan),
            "memory_method": float(getattr(probe, "memory_method_", 0)),
            "n_epochs": float(step.n_iter_),
            "unconverged": float(step._ran_out_of_epochs()),
        }
        out.update(_curve(step.loss_curve_, self.epochs, "loss"))
        if self.record_valid:
            valid = step.validation_loss_curve_ or [math.nan] * len(step.loss_curve_)
            out.update(_curve(valid, self.epochs, "valid_loss"))
        return out


def _curve(values, epochs, name):
    last = len(values)
    return {curve_key(name, e): float(values[min(e, last) - 1]) for e in epochs}
