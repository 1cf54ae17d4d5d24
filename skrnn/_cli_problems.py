"""What ``skrnn compare`` compares: the shipped data sets and CSV files turned into
data, a pipeline and a splitter (the data half of :mod:`skrnn.cli`)."""

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._cli_defaults import (  # noqa: F401  (names the CLI reads without this module)
    DATASETS,
    DEFAULTS,
    FORECASTING,
    MAX_GUESSED_CLASSES,
    PROG,
    UsageError,
)


@dataclass
class Problem:
    """What to compare on: the data, the pipeline and how to split."""

    title: str
    task: str
    X: object
    y: object
    X_test: object = None
    y_test: object = None
    estimator: object = None
    cv: object = None
    notes: list = field(default_factory=list)
    test_note: str = ""


def _model(task, args):
    from ._classification import RecurrentClassifier
    from ._regression import RecurrentRegressor

    cls = RecurrentClassifier if task == "classification" else RecurrentRegressor
    return cls(max_epochs=args.epochs, lr=args.lr, random_state=args.seed)


def _sequence_pipeline(task, args, three_d):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if three_d:
        from .preprocessing import SequenceScaler

        scaler = SequenceScaler()
    else:
        scaler = StandardScaler()
    return Pipeline([("scale", scaler), ("model", _model(task, args))])


def _forecasting_pipeline(task, args, window):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from .preprocessing import SlidingWindow

    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("window", SlidingWindow(window=window, horizon=1)),
            ("model", _model(task, args)),
        ]
    ).set_output(transform="pandas")


def _sequence_cv(task, args):
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter = StratifiedKFold if task == "classification" else KFold
    return splitter(n_splits=args.cv, shuffle=True, random_state=args.seed)


def _shipped(args):
    from . import datasets

    name = args.dataset
    if name in FORECASTING:
        data = getattr(datasets, f"load_{name}")()
        frame = data.frame
        window = args.window or FORECASTING[name]
        title = (
            f"{name} ({len(frame)} monthly observations of {data.target_name!r}, "
            f"{frame.index[0]:%Y-%m} to {frame.index[-1]:%Y-%m})"
        )
        if args.task == "classification":
            raise UsageError(
                f"--task classification does not fit {name}, a series of "
                "numbers to forecast"
            )
        return _forecasting_problem(
            frame, data.target_name, "regression", args, window, title, name
        )
    if args.window is not None:
        raise UsageError(f"--window is for forecasting; {name} is a classification set")
    X, y = getattr(datasets, f"load_{name}")(split="train", return_X_y=True)
    X_test, y_test = getattr(datasets, f"load_{name}")(split="test", return_X_y=True)
    # Every check before the pipeline is made: making it imports torch.
    if args.task == "regression":
        raise UsageError(f"--task regression does not fit {name}, a classification set")
    _check_classes(pd.Series(y), "the labels", args.cv)
    three_d = X.shape[2] > 1
    if not three_d:
        X, X_test = X[:, :, 0], X_test[:, :, 0]
    shape = f"{X.shape[1]} time steps" + (
        f" × {X.shape[2]} channels" if three_d else ""
    )
    problem = Problem(
        title=(
            f"{name} (UCR/UEA archive; {len(X)} training sequences of {shape}, "
            f"{len(np.unique(y))} classes)"
        ),
        task="classification",
        X=X,
        y=y,
        X_test=X_test,
        y_test=y_test,
        estimator=_sequence_pipeline("classification", args, three_d),
        cv=_sequence_cv("classification", args),
        test_note=f"the archive's test split, {len(X_test)} sequences",
    )
    return problem


def _read_csv(path, args):
    path = Path(path)  # there and a file: checked by the CLI's argument checks
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise UsageError(f"--csv {str(path)!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise UsageError(f"cannot read {str(path)!r} as CSV: {first}") from None
    if frame.empty:
        raise UsageError(f"--csv {str(path)!r} has a header but no rows")
    for option, column in (
        ("--target", args.target),
        ("--time-column", args.time_column),
    ):
        if column is not None and column not in frame.columns:
            columns = ", ".join(map(str, frame.columns[:12]))
            more = ", ..." if len(frame.columns) > 12 else ""
            raise UsageError(
                f"{option} {column!r} is not a column of {path.name}; its columns are: "
                f"{columns}{more}"
            )
    if args.target == args.time_column:
        raise UsageError("--target and --time-column must be different columns")
    return frame


def guess_task(y):
    """Guess ``"classification"`` or ``"regression"`` from a target column.

    Classification when the target is not numeric (text, booleans, categories), or
    holds integers with at most ``MAX_GUESSED_CLASSES`` distinct values; regression
    otherwise.

    Parameters
    ----------
    y : pandas.Series
        The target column.

    Returns
    -------
    task : str
        ``"classification"`` or ``"regression"``.
    reason : str
        Why, for the user.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrnn.cli import guess_task
    >>> guess_task(pd.Series(["a", "b", "a"]))
    ('classification', 'is not numeric')
    >>> guess_task(pd.Series([0.5, 1.5, 2.25]))[0]
    'regression'
    """
    values = y.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification", "is not numeric"
    n_unique = values.nunique()
    integral = pd.api.types.is_integer_dtype(values) or bool(
        np.all(np.mod(values.to_numpy(dtype=float), 1) == 0)
    )
    if integral and n_unique <= MAX_GUESSED_CLASSES:
        return "classification", f"holds {n_unique} distinct integer values"
    if integral:
        return "regression", f"holds {n_unique} distinct integer values"
    return "regression", "holds non-integer numbers"


def _text_cells(y):
    """How many values of ``y`` are not numbers, and the first few distinct ones."""
    values = y.dropna()
    text = values[pd.to_numeric(values, errors="coerce").isna()]
    return len(text), list(dict.fromkeys(text.tolist()))[:3], len(values)


def _check_classes(y, what, n_folds):
    counts = y.value_counts()
    if len(counts) < 2:
        verb = "have" if what.endswith("labels") else "has"
        raise UsageError(
            f"{what} {verb} a single class ({counts.index[0]!r}); classification needs "
            "at least two (use --task regression for a numeric target)"
        )
    if counts.min() < n_folds:
        raise UsageError(
            f"class {counts.idxmin()!r} of {what} has {counts.min()} sample(s), fewer "
            f"than the {n_folds} cross-validation folds; lower --cv"
        )


def _numeric_columns(frame, columns, source, *, missing_ok=False):
    for column in columns:
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(
            series
        ):
            example = series.dropna().iloc[0] if series.notna().any() else None
            raise UsageError(
                f"column {column!r} of {source} is not numeric (e.g. {example!r}); "
                "features must be numbers: drop or encode the column first"
            )
        missing = int(series.isna().sum())
        if missing and not missing_ok:
            raise UsageError(
                f"column {column!r} of {source} has {missing} missing value(s); "
                "fill or drop them first"
            )


def _csv_problem(args):
    frame = _read_csv(args.csv, args)
    source = Path(args.csv).name
    target = frame[args.target]
    if target.isna().any():
        raise UsageError(
            f"--target {args.target!r} has {int(target.isna().sum())} missing "
            "value(s); fill or drop those rows first"
        )
    notes = []
    if args.task is None:
        task, reason = guess_task(target)
        notes.append(
            f"task: {task} (guessed: the target {args.target!r} {reason}; "
            "--task overrides)"
        )
        if reason == "is not numeric" and not pd.api.types.is_bool_dtype(target):
            n_text, examples, n = _text_cells(target)
            if n_text <= n // 2:  # mostly numbers: a few cells are the trouble
                shown = ", ".join(repr(e) for e in examples)
                raise UsageError(
                    f"the target {args.target!r} holds numbers, but {n_text} of its "
                    f"{n} values are text ({shown}); fix or drop those rows (or pass "
                    "--task classification if the values are labels)"
                )
    else:
        task = args.task
    if task == "regression" and (
        not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target)
    ):
        n_text, examples, n = _text_cells(target)
        found = (f"{n_text} of the {n} values of {args.target!r} are text "
                 f"({', '.join(repr(e) for e in examples)})"
                 if not pd.api.types.is_bool_dtype(target) and n_text
                 else f"{args.target!r} is not numeric (e.g. {target.iloc[0]!r})")
        raise UsageError(f"--task regression needs a numeric target, but {found}")
    if args.time_column is None:
        if args.window is not None:
            raise UsageError(
                "--window is for a series with --time-column; without it each CSV row "
                "is one whole sequence"
            )
        problem = _table_problem(frame, args, task, source)
    else:
        series = _time_indexed(frame, args.time_column, source, notes)
        problem = _forecasting_problem(
            series,
            args.target,
            task,
            args,
            args.window or DEFAULTS["window"],
            f"{source} ({len(series)} time steps, target {args.target!r})",
            source,
        )
    problem.notes = notes + problem.notes
    return problem


def _table_problem(frame, args, task, source):
    from sklearn.model_selection import train_test_split

    columns = [c for c in frame.columns if c != args.target]
    if not columns:
        raise UsageError(f"{source} has no columns besides the target {args.target!r}")
    _numeric_columns(frame, columns, source, missing_ok=True)
    X = frame[columns].to_numpy(dtype=np.float32)
    ragged = bool(np.isnan(X).any())
    if ragged:
        # Empty trailing cells: sequences of different lengths, one per row.
        from ._data import from_nan_padded

        try:
            X = from_nan_padded(X)
        except ValueError as exc:
            message = str(exc).replace("X[", "row ").replace("] ", " ")
            raise UsageError(
                f"{source}: {message} (rows may end early, with empty trailing "
                "cells, for sequences of different lengths)"
            ) from None
    y = frame[args.target].to_numpy()
    if task == "classification":
        _check_classes(frame[args.target], f"the target {args.target!r}", args.cv)
    X_test = y_test = None
    test_note = ""
    if args.test_size > 0:
        try:
            X, X_test, y, y_test = train_test_split(
                X,
                y,
                test_size=args.test_size,
                random_state=args.seed,
                stratify=y if task == "classification" else None,
            )
        except ValueError as exc:
            raise UsageError(
                f"cannot hold out --test-size {args.test_size}: {exc}"
            ) from None
        test_note = (
            f"a random {args.test_size:.0%} of the rows, {len(X_test)} sequences"
        )
        if task == "classification":
            _check_classes(
                pd.Series(y), f"the training part of {args.target!r}", args.cv
            )
    steps = (f"{min(map(len, X + (X_test or [])))} to {len(columns)}" if ragged
             else f"{len(columns)}")
    return Problem(
        title=(
            f"{source} ({len(frame)} sequences of {steps} time steps, one per "
            f"row; target {args.target!r})"
        ),
        task=task,
        X=X,
        y=y,
        X_test=X_test,
        y_test=y_test,
        estimator=_sequence_pipeline(task, args, three_d=ragged),
        cv=_sequence_cv(task, args),
        test_note=test_note,
        notes=[
            f"layout: each row is one sequence; its {len(columns)} columns besides "
            f"{args.target!r} are its time steps, in file order"
            + ("; a row's empty trailing cells are past its end (sequences of "
               "different lengths)" if ragged else "")
        ],
    )


def _time_indexed(frame, column, source, notes):
    """The frame indexed by its time column, sorted, with a regular index."""
    times = frame[column]
    if pd.api.types.is_integer_dtype(times):
        index = pd.Index(times, name=column)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "Could not infer format"
                index = pd.DatetimeIndex(pd.to_datetime(times), name=column)
        except (ValueError, TypeError, OverflowError):
            raise UsageError(
                f"--time-column {column!r} cannot be read as dates or integers (e.g. "
                f"{times.iloc[0]!r})"
            ) from None
    frame = frame.drop(columns=[column]).set_axis(index, axis=0).sort_index()
    if frame.index.has_duplicates:
        raise UsageError(
            f"--time-column {column!r} has repeated times (e.g. "
            f"{frame.index[frame.index.duplicated()][0]!r}); each row must be one "
            "time step"
        )
    regular = False
    if isinstance(frame.index, pd.DatetimeIndex):
        if len(frame) >= 3:
            frame.index = pd.DatetimeIndex(frame.index, freq="infer")
        regular = frame.index.freq is not None
    else:
        steps = np.diff(frame.index.to_numpy())
        regular = len(steps) > 0 and bool(np.all(steps == steps[0]))
    if not regular:
        frame = frame.reset_index(drop=True)
        notes.append(
            f"the times in {column!r} are not evenly spaced; the rows are used as "
            "consecutive time steps in time order"
        )
    return frame


def _forecasting_problem(frame, target, task, args, window, title, source=None):
    from sklearn.model_selection import TimeSeriesSplit

    y = frame[target]
    numeric_target = pd.api.types.is_numeric_dtype(
        y
    ) and not pd.api.types.is_bool_dtype(y)
    # The target's own past is a feature when it is a number; labels are not.
    features = [c for c in frame.columns if c != target or numeric_target]
    if not features:
        raise UsageError(
            f"nothing to forecast {target!r} from: the series has no numeric column"
        )
    _numeric_columns(frame, features, source or "the series")
    X = frame[features].astype(np.float64)
    n_test = int(round(len(frame) * args.test_size))
    n_train = len(frame) - n_test
    first_fold = n_train // (args.cv + 1)
    if first_fold <= window:
        raise UsageError(
            f"--window {window} does not fit the {args.cv} time-series folds: the "
            f"first training fold has only {first_fold} rows; lower --window or --cv"
        )
    if task == "classification":
        _check_classes(y.iloc[:n_train], f"the target {target!r}", 2)
    problem = Problem(
        title=title,
        task=task,
        X=X.iloc[:n_train],
        y=y.iloc[:n_train],
        X_test=X.iloc[n_train:] if n_test else None,
        y_test=y.iloc[n_train:] if n_test else None,
        estimator=_forecasting_pipeline(task, args, window),
        cv=TimeSeriesSplit(n_splits=args.cv),
        notes=[
            f"forecasting: each row's target from the {window} rows before it "
            f"(columns {', '.join(map(repr, features))}), TimeSeriesSplit"
        ],
    )
    if n_test:
        problem.test_note = (
            f"the last {n_test} time steps ({args.test_size:.0%}), forecast one step "
            "ahead from the rows before each"
        )
    return problem


# -- running and writing ------------------------------------------------------------
