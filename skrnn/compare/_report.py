"""The report of a cell comparison: table, verdict, plots, Markdown and HTML."""

import html
import re

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_regressor

from .._plotting import COMPARISON_PANELS, cell_label, import_pyplot, value_text
from ._measure import MEMORY_METHODS

__all__ = ["ComparisonReport", "curve_key", "describe_metric"]

_MIB = 2.0**20
_PLOT_KINDS = tuple(COMPARISON_PANELS)
_METRIC_NAMES = {
    "r2": "R²",
    "roc_auc": "ROC AUC",
    "explained_variance": "explained variance",
}


def curve_key(name, epoch):
    """The scorer key of a loss at one epoch: ``"loss_epoch_12"``."""
    return f"{name}_epoch_{epoch}"


def describe_metric(scoring, estimator):
    """The display name of the ranking metric and whether greater is better.

    Parameters
    ----------
    scoring : str, callable or None
        As passed to :func:`~skrnn.compare_cells`.
    estimator : estimator object
        The estimator, for the default metric.

    Returns
    -------
    name : str
        For example ``"accuracy"``, ``"R²"`` or ``"mean squared error"``.
    greater_is_better : bool
        False for errors and losses (scikit-learn's ``neg_*`` scorers, or
        ``make_scorer(..., greater_is_better=False)``), whose scores scikit-learn
        negates.
    """
    if scoring is None:
        if is_classifier(estimator):
            return "accuracy", True
        if is_regressor(estimator):
            return "R²", True
        return "score", True
    if isinstance(scoring, str):
        from sklearn.metrics import get_scorer

        scorer = get_scorer(scoring)  # a ValueError naming the valid ones if unknown
        if scoring.startswith("neg_"):
            return _pretty_metric(scoring[4:]), False
        return _pretty_metric(scoring), getattr(scorer, "_sign", 1) > 0
    if callable(scoring):
        func = getattr(scoring, "_score_func", None)
        name = getattr(func, "__name__", None) or getattr(scoring, "__name__", "")
        if not name or name.startswith("<"):
            name = "score"
        return _pretty_metric(name), getattr(scoring, "_sign", 1) > 0
    raise TypeError(
        "compare_cells ranks the settings by one metric: scoring must be a scorer "
        "name, a callable scorer(estimator, X, y) or None; got "
        f"{type(scoring).__name__} {scoring!r} instead."
    )


def _pretty_metric(name):
    name = re.sub(r"_score$", "", name)
    return _METRIC_NAMES.get(name, name.replace("_", " "))


def _join(names):
    """``"A"``, ``"A and B"``, ``"A, B and C"``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _fmt(x, like=None):
    """A number for a sentence or a table: three decimals, or three significant
    digits for very large or small magnitudes; ``like`` formats ``x`` (a spread)
    with the decimals of another number (the mean it goes with)."""
    if x is None or not np.isfinite(x):
        return "nan"
    ref = x if like is None or not np.isfinite(like) else like
    if ref == 0 or 0.01 <= abs(ref) < 1000:
        return f"{x:.3f}"
    if like is not None and abs(ref) >= 1000:
        return f"{x:.0f}"
    return f"{x:.3g}"


class ComparisonReport:
    """The result of :func:`~skrnn.compare_cells`.

    One row per cell and hyperparameter setting (:meth:`to_frame`), a one-sentence
    verdict (``summary``), learning curves (:meth:`learning_curves`), plots
    (:meth:`plot`) and Markdown/HTML renderings (:meth:`to_markdown`,
    :meth:`to_html`; notebooks show the HTML). Everything is computed from the
    ``cv_results_`` of the search that :func:`~skrnn.compare_cells` ran,
    which stays available as ``search``.

    Parameters
    ----------
    search : GridSearchCV
        A search fitted by :func:`~skrnn.compare_cells`, whose scorer also
        returned each fit's measurements.

    cell_param : str, default="cell"
        The full name of the cell parameter in the search's grid, for example
        ``"model__cell"`` for a pipeline step named ``model``.

    metric : str, default="score"
        The name of the ranking metric, as sentences and labels show it.

    greater_is_better : bool, default=True
        Whether larger values of the metric are better. When False (errors and
        losses), scikit-learn's scores are the negated metric: the table keeps
        scikit-learn's sign, sentences, Markdown, HTML and plots show the metric
        itself.

    Attributes
    ----------
    search : GridSearchCV
        The fitted search; ``search.cv_results_`` has every fold's numbers.
    cells : list of str
        The cells compared, in the order they were given.
    n_splits : int
        The number of cross-validation folds.
    summary : str
        The verdict in one sentence: the best setting of each cell compared with
        the best cell's, in score, parameters and fit time, and whether the
        difference exceeds the fold-to-fold spread.
    memory_method : str
        What the peak memory numbers mean on the machine(s) that ran the fits.
    best_estimator_ : estimator object
        The best setting refitted on all the data (when ``refit=True``).
    best_params_ : dict
        The parameters of the best setting.
    best_score_ : float
        Its mean cross-validated score (scikit-learn's sign).

    See Also
    --------
    compare_cells : Runs the comparison and returns this report.

    Notes
    -----
    The columns of :meth:`to_frame` are means and standard deviations over the
    folds. Fit time is the wall time of ``fit`` on a training fold and predict
    time that of scoring the test fold (prediction plus the metric), both as
    ``GridSearchCV`` measures them. Peak memory is measured inside each fit; see
    ``memory_method`` and the user guide for what it means where.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RecurrentRegressor, compare_cells
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(30, 5, 1)).astype("float32")
    >>> y = X[:, :, 0].sum(axis=1)
    >>> reg = RecurrentRegressor(hidden_size=4, max_epochs=3, random_state=0)
    >>> report = compare_cells(reg, X, y, cells=["lstm", "gru"], cv=2,
    ...                        scoring="neg_mean_squared_error")
    >>> list(report.to_frame().columns[:3])
    ['cell', 'n_parameters', 'mean_fit_time']
    >>> report.metric, report.greater_is_better
    ('mean squared error', False)
    >>> print(report.summary)  # doctest: +SKIP
    GRU ranks first with a mean squared error of 7.155 ± 3.329 over 2 folds; LSTM
    has a 15.4% higher mean squared error than GRU (8.254 vs 7.155) with 131% of
    its parameters and 1.7× its fit time, a difference smaller than the
    fold-to-fold spread (±4.181), so these data do not separate them.
    >>> print(report.to_markdown().splitlines()[2])  # doctest: +ELLIPSIS
    | Rank | Cell | Parameters | ... | Mean squared error (lower is better) |
    """

    def __init__(
        self, search, *, cell_param="cell", metric="score", greater_is_better=True
    ):
        results = getattr(search, "cv_results_", None)
        needed = ("mean_test_score", "mean_test_n_parameters", f"param_{cell_param}")
        if results is None or any(key not in results for key in needed):
            raise ValueError(
                "search must be a GridSearchCV fitted by skrnn.compare_cells, whose "
                f"cv_results_ has the keys {list(needed)}; got {type(search).__name__} "
                "without them."
            )
        self.search = search
        self.cell_param = cell_param
        self.metric = metric
        self.greater_is_better = greater_is_better

    # -- what the search found ---------------------------------------------------------

    @property
    def _results(self):
        return self.search.cv_results_

    @property
    def _sign(self):
        """+1, or -1 where scikit-learn's score is the negated metric."""
        return 1.0 if self.greater_is_better else -1.0

    @property
    def n_splits(self):
        return int(self.search.n_splits_)

    @property
    def cells(self):
        return list(dict.fromkeys(self._results[f"param_{self.cell_param}"]))

    def _param_names(self):
        """Searched parameters besides the cell: (full name, display name) pairs."""
        prefix = self.cell_param[: -len("cell")]
        names = []
        for params in self._results["params"]:
            for key in params:
                if key != self.cell_param and key not in dict(names):
                    short = (
                        key[len(prefix) :] if prefix and key.startswith(prefix) else key
                    )
                    names.append((key, short))
        return names

    def _splits(self, name):
        """Array (n_candidates, n_splits) of one scorer key's per-fold values."""
        return np.column_stack(
            [
                np.asarray(self._results[f"split{k}_test_{name}"], dtype=float)
                for k in range(self.n_splits)
            ]
        )

    @property
    def best_estimator_(self):
        if not hasattr(self.search, "best_estimator_"):
            raise AttributeError(
                "best_estimator_ exists only when compare_cells was run with "
                "refit=True."
            )
        return self.search.best_estimator_

    @property
    def best_params_(self):
        best = self.to_frame().index[0]
        return dict(self._results["params"][best])

    @property
    def best_score_(self):
        return float(self.to_frame()["mean_score"].iloc[0])

    @property
    def memory_method(self):
        codes = self._splits("memory_method")
        codes = sorted({int(c) for c in codes[np.isfinite(codes)]})
        if not codes:
            return MEMORY_METHODS[0]
        return "; ".join(MEMORY_METHODS[c] for c in codes)

    def to_frame(self):
        """The comparison as a table, one row per cell and setting, best first.

        Returns
        -------
        frame : pandas.DataFrame
            Indexed by ``candidate`` (the row of ``search.cv_results_``), with the
            columns ``cell``, one column per other searched parameter (named as in
            ``param_grid``), ``n_parameters`` (trainable parameters),
            ``mean_fit_time``/``std_fit_time`` and
            ``mean_predict_time``/``std_predict_time`` (seconds),
            ``mean_peak_memory_mib``/``std_peak_memory_mib`` (MiB, 2**20 bytes),
            ``mean_n_epochs`` (epochs trained), ``mean_score``/``std_score`` (the
            cross-validated score, with scikit-learn's sign: greater is better),
            ``rank`` (1 is best, as ``rank_test_score``) and ``n_failed_fits``
            (folds whose fit or scoring failed).

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RecurrentRegressor, compare_cells
        >>> X = np.random.RandomState(0).normal(size=(20, 4, 1)).astype("float32")
        >>> report = compare_cells(
        ...     RecurrentRegressor(hidden_size=4, max_epochs=2, random_state=0),
        ...     X, X[:, :, 0].mean(axis=1), cells=["rnn"], cv=2)
        >>> report.to_frame()[["cell", "n_parameters", "rank"]]
                  cell  n_parameters  rank
        candidate
        0          rnn            41     1
        """
        r = self._results
        frame = pd.DataFrame({"cell": list(r[f"param_{self.cell_param}"])})
        for key, short in self._param_names():
            frame[short] = [params.get(key) for params in r["params"]]
        params = self._splits("n_parameters")
        memory = self._splits("peak_memory") / _MIB
        scores = self._splits("score")
        with np.errstate(all="ignore"), _quiet_nan_warnings():
            n_params = np.nanmax(params, axis=1)
            frame["n_parameters"] = pd.array(
                np.where(np.isfinite(n_params), n_params, np.nan)
            ).astype("Int64")
            frame["mean_fit_time"] = np.asarray(r["mean_fit_time"], dtype=float)
            frame["std_fit_time"] = np.asarray(r["std_fit_time"], dtype=float)
            frame["mean_predict_time"] = np.asarray(r["mean_score_time"], dtype=float)
            frame["std_predict_time"] = np.asarray(r["std_score_time"], dtype=float)
            frame["mean_peak_memory_mib"] = np.nanmean(memory, axis=1)
            frame["std_peak_memory_mib"] = np.nanstd(memory, axis=1)
            frame["mean_n_epochs"] = np.nanmean(self._splits("n_epochs"), axis=1)
        frame["mean_score"] = np.asarray(r["mean_test_score"], dtype=float)
        frame["std_score"] = np.asarray(r["std_test_score"], dtype=float)
        frame["rank"] = np.asarray(r["rank_test_score"], dtype=int)
        frame["n_failed_fits"] = (~np.isfinite(scores)).sum(axis=1)
        frame.index.name = "candidate"
        order = np.lexsort((frame.index.to_numpy(), frame["rank"].to_numpy()))
        return frame.iloc[order]

    def learning_curves(self):
        """The training (and validation) loss per epoch, averaged over the folds.

        Each fold's curve is recorded inside its fit (every epoch, or 200
        evenly spaced epochs for longer fits) and ends at the fold's last epoch;
        at each epoch the mean and standard deviation are over the folds that
        trained that long. Losses are those the network was trained on:
        cross-entropy for classifiers, mean squared error on standardised
        targets for regressors.

        Returns
        -------
        curves : pandas.DataFrame
            One row per candidate and recorded epoch: ``candidate``, ``cell``,
            the other searched parameters, ``epoch`` (1-based), ``mean_loss``,
            ``std_loss``, ``n_folds`` and, when a setting used
            ``early_stopping=True``, ``mean_valid_loss`` and ``std_valid_loss``.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RecurrentRegressor, compare_cells
        >>> X = np.random.RandomState(0).normal(size=(20, 4, 1)).astype("float32")
        >>> report = compare_cells(
        ...     RecurrentRegressor(hidden_size=4, max_epochs=3, random_state=0),
        ...     X, X[:, :, 0].mean(axis=1), cells=["gru"], cv=2)
        >>> report.learning_curves()[["cell", "epoch", "n_folds"]].values.tolist()
        [['gru', 1, 2], ['gru', 2, 2], ['gru', 3, 2]]
        """
        r = self._results
        epochs = sorted(
            int(m.group(1))
            for key in r
            if (m := re.fullmatch(r"mean_test_loss_epoch_(\d+)", key))
        )
        has_valid = f"mean_test_{curve_key('valid_loss', 1)}" in r
        n_epochs = self._splits("n_epochs")
        parts = {"loss": np.stack([self._splits(curve_key("loss", e)) for e in epochs])}
        if has_valid:
            parts["valid_loss"] = np.stack(
                [self._splits(curve_key("valid_loss", e)) for e in epochs]
            )
        # (n_epochs, n_candidates, n_splits): keep the epochs each fold trained.
        trained = np.asarray(epochs)[:, None, None] <= n_epochs[None, :, :]
        columns = {"candidate": [], "cell": []}
        for _, short in self._param_names():
            columns[short] = []
        columns.update(epoch=[], n_folds=[])
        stats = {}
        with np.errstate(all="ignore"), _quiet_nan_warnings():
            for name, values in parts.items():
                values = np.where(trained, values, np.nan)
                stats[f"mean_{name}"] = np.nanmean(values, axis=2)
                stats[f"std_{name}"] = np.nanstd(values, axis=2)
        counts = trained.sum(axis=2)
        for name in stats:
            columns[name] = []
        for c, params in enumerate(r["params"]):
            keep = [i for i in range(len(epochs)) if counts[i, c] > 0]
            columns["candidate"] += [c] * len(keep)
            columns["cell"] += [params[self.cell_param]] * len(keep)
            for key, short in self._param_names():
                columns[short] += [params.get(key)] * len(keep)
            columns["epoch"] += [epochs[i] for i in keep]
            columns["n_folds"] += [int(counts[i, c]) for i in keep]
            for name, value in stats.items():
                columns[name] += [float(value[i, c]) for i in keep]
        return pd.DataFrame(columns)

    # -- the verdict ----------------------------------------------------------------

    def _best_per_cell(self, frame):
        """The best finite-scored row of each cell, best cell first; the cells
        whose every fit failed; the cells with a failed fold in every setting."""
        best, failed, partial = [], [], []
        for cell in self.cells:
            rows = frame[frame["cell"] == cell]
            ok = rows[np.isfinite(rows["mean_score"])]
            if ok.empty:
                all_failed = (rows["n_failed_fits"] == self.n_splits).all()
                (failed if all_failed else partial).append(cell)
                continue
            ok = ok.sort_values(
                ["mean_score", "n_parameters"], ascending=[False, True], kind="stable"
            )
            best.append(ok.index[0])
        best.sort(key=lambda c: (-frame.loc[c, "mean_score"], frame.loc[c, "rank"]))
        return best, failed, partial

    def _setting(self, frame, candidate):
        names = [short for _, short in self._param_names()]
        if not names:
            return ""
        text = ", ".join(f"{n}={value_text(frame.loc[candidate, n])}" for n in names)
        return f" ({text})"

    @property
    def summary(self):
        frame = self.to_frame()
        best, failed, partial = self._best_per_cell(frame)
        left_out = []
        if failed:
            verb = "is" if len(failed) == 1 else "are"
            left_out.append(
                f"{_join([cell_label(c) for c in failed])} failed in every fit and "
                f"{verb} left out"
            )
        if partial:
            verb = "is" if len(partial) == 1 else "are"
            left_out.append(
                f"{_join([cell_label(c) for c in partial])} failed in some folds of "
                f"every setting and {verb} left out"
            )
        failed_text = "; ".join(left_out)
        if not best:
            return (
                "No setting has a score in every fold, so no cell can be ranked ("
                + failed_text
                + "); see the warnings of GridSearchCV for the errors."
            )
        w = best[0]
        win = frame.loc[w]
        k = self.n_splits
        over = f"over {k} fold" + ("" if k == 1 else "s")
        tied = [c for c in best[1:] if frame.loc[c, "mean_score"] == win["mean_score"]]
        value = _fmt(self._sign * win["mean_score"])
        if tied:
            names = _join([self._who(frame, c) for c in [w, *tied]])
            clauses = [
                f"{names} tie for first with a {self._mean_metric} of {value} {over}"
            ]
            for c in tied:
                clauses.append(
                    f"{cell_label(frame.loc[c, 'cell'])} has "
                    + self._cost_text(frame, w, c, f"{cell_label(win['cell'])}'s")
                )
        else:
            alone = len(best) == 1 and not failed_text
            only = " (the only cell compared)" if alone else ""
            clauses = [
                f"{self._who(frame, w)} ranks first with a {self._mean_metric} of "
                f"{value} ± {_fmt(win['std_score'], win['mean_score'])} {over}{only}"
            ]
        per_fold = self._splits("score")
        for c in best[1:]:
            if c not in tied:
                clauses.append(self._compare_clause(frame, w, c, per_fold))
        if failed_text:
            clauses.append(failed_text)
        return "; ".join(clauses) + "."

    @property
    def _mean_metric(self):
        metric = self.metric
        return metric if re.match(r"(mean|median) ", metric) else f"mean {metric}"

    def _who(self, frame, c):
        return cell_label(frame.loc[c, "cell"]) + self._setting(frame, c)

    def _cost_text(self, frame, w, c, owner="its"):
        """``"75% of its parameters and 1.8× its fit time"``, relative to ``w``."""
        win, other = frame.loc[w], frame.loc[c]
        params = other["n_parameters"] / win["n_parameters"]
        time = other["mean_fit_time"] / win["mean_fit_time"]
        params = f"{100 * params:.0f}% of" if params < 2 else f"{params:.1f}×"
        return f"{params} {owner} parameters and {time:.1f}× its fit time"

    def _compare_clause(self, frame, w, c, per_fold):
        win, other = frame.loc[w], frame.loc[c]
        name_w = cell_label(win["cell"])
        sw, sc = win["mean_score"], other["mean_score"]  # scikit-learn's sign
        vw, vc = self._sign * sw, self._sign * sc  # the metric itself
        pair = f"({_fmt(vc)} vs {_fmt(vw)})"
        who = self._who(frame, c)
        if self.greater_is_better and vw > 0 and vc > 0:
            head = (
                f"{who} reaches {100 * vc / vw:.1f}% of {name_w}'s "
                f"{self._mean_metric} {pair}"
            )
        elif not self.greater_is_better and vw > 0 and vc > 0:
            head = (
                f"{who} has a {100 * (vc / vw - 1):.1f}% higher {self.metric} "
                f"than {name_w} {pair}"
            )
        else:
            word = "lower" if self.greater_is_better else "higher"
            head = (
                f"{who} has a {self._mean_metric} {_fmt(abs(vw - vc))} {word} "
                f"than {name_w}'s {pair}"
            )
        head += " with " + self._cost_text(frame, w, c)
        if self.n_splits < 2:
            return head + "; with a single fold there is no spread to judge that by"
        spread = max(win["std_score"], other["std_score"])
        if abs(sw - sc) <= spread:
            return (
                f"{head}, a difference smaller than the fold-to-fold spread "
                f"(±{_fmt(spread, sw)}), so these data do not separate them"
            )
        folds = per_fold[[w, c]]
        wins = int(np.sum(folds[0] > folds[1]))
        return (
            f"{head}, a difference larger than the fold-to-fold spread "
            f"(±{_fmt(spread, sw)}), and {name_w} is better on {wins} of "
            f"{self.n_splits} folds"
        )

    # -- renderings ---------------------------------------------------------------

    def _display_frame(self):
        """The table as text cells, for Markdown, HTML and the terminal."""
        frame = self.to_frame()
        sign = self._sign
        out = pd.DataFrame(index=frame.index)
        out["Rank"] = frame["rank"].astype(str)
        out["Cell"] = [cell_label(c) for c in frame["cell"]]
        for _, short in self._param_names():
            out[short] = [str(v) for v in frame[short]]
        out["Parameters"] = [
            "nan" if pd.isna(n) else f"{int(n):,}" for n in frame["n_parameters"]
        ]

        def pm(mean, std, scale=1.0, digits=2):
            return [
                "nan"
                if not np.isfinite(m)
                else f"{m * scale:.{digits}f} ± {s * scale:.{digits}f}"
                for m, s in zip(mean, std, strict=True)
            ]

        out["Fit time (s)"] = pm(frame["mean_fit_time"], frame["std_fit_time"])
        out["Predict time (ms)"] = pm(
            frame["mean_predict_time"], frame["std_predict_time"], 1000.0, 1
        )
        out["Peak memory (MiB)"] = pm(
            frame["mean_peak_memory_mib"], frame["std_peak_memory_mib"], 1.0, 1
        )
        out["Epochs"] = [
            "nan" if not np.isfinite(e) else f"{e:.0f}" for e in frame["mean_n_epochs"]
        ]
        label = self.metric[:1].upper() + self.metric[1:]
        label += "" if self.greater_is_better else " (lower is better)"
        out[label] = [
            "nan" if not np.isfinite(m) else f"{_fmt(sign * m)} ± {_fmt(s, m)}"
            for m, s in zip(frame["mean_score"], frame["std_score"], strict=True)
        ]
        return out

    def _notes(self):
        cv = getattr(self.search, "cv", None)
        splitter = f" of {cv!r}" if cv is not None and not isinstance(cv, int) else ""
        return (
            f"Mean ± standard deviation over the {self.n_splits} cross-validation "
            f"folds{splitter}. Fit time: wall time of fit on a training fold; predict "
            "time: wall time of predicting and scoring the test fold. Peak memory: "
            f"{self.memory_method}."
        )

    def to_markdown(self):
        """The verdict, the table and what the numbers mean, as Markdown.

        Returns
        -------
        text : str
            A paragraph with ``summary``, a Markdown (GitHub-flavoured) table of
            :meth:`to_frame` with means ± standard deviations, and a note on what
            the numbers mean.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RecurrentRegressor, compare_cells
        >>> X = np.random.RandomState(0).normal(size=(20, 4, 1)).astype("float32")
        >>> report = compare_cells(
        ...     RecurrentRegressor(hidden_size=4, max_epochs=2, random_state=0),
        ...     X, X[:, :, 0].mean(axis=1), cells=["gru"], cv=2)
        >>> print(report.to_markdown().splitlines()[2])
        | Rank | Cell | Parameters | Fit time (s) | ... | R² |
        """
        table = self._display_frame()
        header = list(table.columns)

        def row(cells):
            return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

        aligns = [
            "---" if i < 2 + len(self._param_names()) else "---:"
            for i in range(len(header))
        ]
        lines = [self.summary, "", row(header), "| " + " | ".join(aligns) + " |"]
        lines += [row(values) for values in table.itertuples(index=False)]
        lines += ["", self._notes()]
        return "\n".join(lines)

    def to_html(self):
        """The verdict, the table and what the numbers mean, as an HTML fragment.

        Returns
        -------
        text : str
            A ``<div>`` with the summary paragraph, the table and a note; all text
            is escaped. Jupyter shows it for a report at the end of a cell.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RecurrentRegressor, compare_cells
        >>> X = np.random.RandomState(0).normal(size=(20, 4, 1)).astype("float32")
        >>> report = compare_cells(
        ...     RecurrentRegressor(hidden_size=4, max_epochs=2, random_state=0),
        ...     X, X[:, :, 0].mean(axis=1), cells=["gru"], cv=2)
        >>> report.to_html().startswith('<div class="skrnn-comparison">')
        True
        """
        table = self._display_frame().to_html(
            index=False, border=0, escape=True, classes="skrnn-comparison-table"
        )
        return (
            '<div class="skrnn-comparison">\n'
            f"<p>{html.escape(self.summary)}</p>\n{table}\n"
            f"<p><small>{html.escape(self._notes())}</small></p>\n</div>"
        )

    def to_string(self):
        """The table as plain text, then the verdict, for a terminal.

        Returns
        -------
        text : str
            The table of :meth:`to_frame` with means ± standard deviations, and
            ``summary`` below it.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RecurrentRegressor, compare_cells
        >>> X = np.random.RandomState(0).normal(size=(20, 4, 1)).astype("float32")
        >>> report = compare_cells(
        ...     RecurrentRegressor(hidden_size=4, max_epochs=2, random_state=0),
        ...     X, X[:, :, 0].mean(axis=1), cells=["gru"], cv=2)
        >>> print(report.to_string().splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
        Rank Cell Parameters Fit time (s) Predict time (ms) Peak memory (MiB) Epochs R²
        """
        return self._display_frame().to_string(index=False) + "\n\n" + self.summary

    def __repr__(self):
        head = (
            f"ComparisonReport(cells={self.cells}, settings="
            f"{len(self._results['params'])}, folds={self.n_splits}, "
            f"metric={self.metric!r})"
        )
        return head + "\n" + self.to_string()

    def _repr_html_(self):
        return self.to_html()

    # -- plots -----------------------------------------------------------------------

    def plot(self, kind="all", *, ax=None):
        """Plot the comparison.

        Parameters
        ----------
        kind : {"all", "score_time", "parameters", "memory", "curves"}, \
                default="all"
            What to draw. ``"score_time"``: the score against the fit time, with
            error bars for the spread of both over the folds; ``"parameters"``:
            the score against the number of trainable parameters;
            ``"memory"``: the peak memory against the number of parameters;
            ``"curves"``: the learning curves of each cell's best setting (mean
            training loss over the folds, a band of ± one standard deviation, the
            validation loss dashed when there is one). ``"all"`` draws the four in
            one figure.

        ax : matplotlib.axes.Axes or None, default=None
            Where to draw a single kind; None creates a figure. Must be None for
            ``kind="all"``.

        Returns
        -------
        fig_or_ax : matplotlib.figure.Figure or matplotlib.axes.Axes
            The figure (2 × 2 axes) for ``kind="all"``, else the axes drawn on.

        Examples
        --------
        >>> import numpy as np
        >>> from skrnn import RecurrentRegressor, compare_cells
        >>> X = np.random.RandomState(0).normal(size=(20, 4, 1)).astype("float32")
        >>> report = compare_cells(
        ...     RecurrentRegressor(hidden_size=4, max_epochs=2, random_state=0),
        ...     X, X[:, :, 0].mean(axis=1), cells=["lstm", "gru"], cv=2)
        >>> fig = report.plot()
        >>> len(fig.axes)
        4
        """
        if kind not in ("all", *_PLOT_KINDS):
            raise ValueError(
                f"kind must be one of {['all', *_PLOT_KINDS]}, got {kind!r} instead."
            )
        plt = import_pyplot("ComparisonReport.plot")
        if kind == "all":
            if ax is not None:
                raise ValueError(
                    "kind='all' draws its own figure of four axes; pass ax=None, or "
                    "a single kind to draw on ax."
                )
            fig, axes = plt.subplots(2, 2, figsize=(11, 8))
            for kind_, ax_ in zip(_PLOT_KINDS, axes.ravel(), strict=True):
                self.plot(kind_, ax=ax_)
            cells = " vs ".join(cell_label(c) for c in self.cells)
            fig.suptitle(
                f"{cells}: {self.metric}, {self.n_splits}-fold cross-validation"
            )
            fig.tight_layout()
            return fig
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        COMPARISON_PANELS[kind](self, ax, self.to_frame())
        return ax


class _quiet_nan_warnings:
    """Silence NumPy's "Mean of empty slice" warnings for all-NaN rows."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)
