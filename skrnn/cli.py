"""The ``skrnn`` command line: ``skrnn compare`` (also ``python -m skrnn compare``).

``skrnn compare`` runs :func:`skrnn.compare_cells` on a data set shipped with skrnn or
on a CSV file, prints the table and the verdict, and writes the report, the plots and
the raw results into ``--out``. With no arguments it compares LSTM, GRU and RNN on
ItalyPowerDemand in well under two minutes on two CPU cores.

Every mistake in the arguments or the data ends the command with one line on stderr,
``skrnn compare: error: ...``, and exit status 2; a failure while fitting ends it with
one line and status 1. Nothing prints a traceback unless ``--traceback`` is given.
"""

import argparse
import html
import os
import re
import shlex
import sys
import time
import warnings
from pathlib import Path

from ._cli_defaults import DATASETS, DEFAULTS, PROG, UsageError
from ._version import __version__

# Nothing heavy is imported here (no torch, scikit-learn, pandas or matplotlib):
# ``--help``, ``--version`` and every mistake in the arguments answer at once; the
# data half (:mod:`skrnn._cli_problems`) and torch are imported when work starts.

__all__ = ["guess_task", "main"]  # noqa: F822 (guess_task: from __getattr__ below)


def __getattr__(name):
    # guess_task lives in the data half, imported on first use.
    if name == "guess_task":
        from ._cli_problems import guess_task

        return guess_task
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line and raise instead of exiting, and
    options must be spelled out (``--epoch`` is not taken for ``--epochs``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


# -- arguments -------------------------------------------------------------------------


def _build_parser():
    parser = _Parser(
        prog=PROG,
        description="Recurrent networks (LSTM, GRU, RNN) as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"skrnn {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    compare = commands.add_parser(
        "compare",
        help="compare LSTM, GRU and RNN on a shipped data set or a CSV file",
        description=(
            "Cross-validate LSTM, GRU and RNN (and hidden sizes) on a data set, "
            "print a table of score, parameters, fit and predict time and peak "
            "memory with a one-sentence verdict, and write the report (Markdown "
            "and HTML), the plots (PNG) and the raw results (CSV) into --out. "
            "With no arguments: ItalyPowerDemand, a real classification set "
            "shipped with skrnn."
        ),
        epilog=(
            "CSV layouts: with --time-column, each row is one time step of a "
            "series; the model forecasts the target one step ahead from a "
            "--window of past rows (all numeric columns, the target's past "
            "included), cross-validated with TimeSeriesSplit, and the last "
            "--test-size of the rows are held out. Without it, each row is one "
            "sequence (UCR archive layout): the target column is its label or "
            "value and the other columns, in order, are its time steps; a random "
            "--test-size share is held out. Examples: 'skrnn compare', 'skrnn "
            "compare --dataset airline', 'skrnn compare --csv sales.csv --target "
            "units --time-column date --hidden-sizes 8,32'."
        ),
    )
    groups = {}
    for group, flag, options in _options():
        if group not in groups:
            groups[group] = compare.add_argument_group(group)
        groups[group].add_argument(flag, **options)
    return parser


def _options():
    """The options of ``skrnn compare``: (group, flag, argparse keywords)."""
    d = DEFAULTS
    return [
        ("data", "--dataset", dict(metavar="NAME", help="a data set shipped with "
         f"skrnn: {', '.join(DATASETS)} (default: {d['dataset']})")),
        ("data", "--csv", dict(metavar="FILE", help="your own data, as a CSV file")),
        ("data", "--target", dict(metavar="COLUMN", help="the CSV column to predict")),
        ("data", "--time-column", dict(metavar="COLUMN", help="the CSV column "
         "holding the time of each row (a forecasting series)")),
        ("data", "--task", dict(choices=("regression", "classification"),
         help="what the target is; guessed from it when left out")),
        ("data", "--window", dict(type=_positive_int, metavar="W", help="time "
         "steps the network reads per forecast (forecasting only; default: 12 for "
         "CSV files and airline, 24 for sunspots)")),
        ("data", "--test-size", dict(type=_fraction, metavar="F", help="share of a "
         "CSV file or forecasting series held out for a final test of the best "
         f"setting, 0 for none (default: {d['test_size']}; the shipped "
         "classification sets have their own test split)")),
        ("comparison", "--cells", dict(metavar="LIST", help="cells to compare, "
         f"comma-separated (default: {d['cells']})")),
        ("comparison", "--hidden-sizes", dict(metavar="LIST", help="hidden sizes, "
         f"comma-separated (default: {d['hidden_sizes']})")),
        ("comparison", "--epochs", dict(type=_positive_int, metavar="N",
         help=f"maximum training epochs per fit (default: {d['epochs']})")),
        ("comparison", "--lr", dict(type=_positive_float, metavar="RATE",
         help=f"learning rate (default: {d['lr']:g})")),
        ("comparison", "--cv", dict(type=_folds, metavar="K",
         help=f"cross-validation folds (default: {d['cv']})")),
        ("comparison", "--scoring", dict(metavar="NAME", help="scikit-learn scorer "
         "to rank by, e.g. balanced_accuracy or neg_mean_absolute_error (default: "
         "accuracy or R²)")),
        ("comparison", "--n-jobs", dict(type=int, metavar="N", help="fits run in "
         f"parallel (default: {d['n_jobs']}; -1 uses every core)")),
        ("comparison", "--threads", dict(type=_positive_int, metavar="N",
         help=f"torch threads per fit (default: {d['threads']}, the fastest for "
         "small recurrent networks and safe beside --n-jobs; raise it for large "
         "networks)")),
        ("comparison", "--seed", dict(type=int, metavar="N", help="random seed of "
         f"the networks and the splits (default: {d['seed']})")),
        ("output", "--out", dict(metavar="DIR", help="folder for the report, plots "
         f"and CSV files (default: {d['out']})")),
        ("output", "--quiet", dict(action="store_true", help="no progress lines")),
        ("output", "--traceback", dict(action="store_true",
         help="show the traceback of an error")),
    ]


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _folds(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected at least 2 folds, got {text!r}")
    return value


def _float_in(accept, expected):
    """An argparse type: a float for which ``accept`` holds, else ``expected``."""

    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_float = _float_in(lambda v: v > 0, "a positive number")
_fraction = _float_in(lambda v: 0 <= v < 1, "a fraction in [0, 1)")


def _split_list(text, option):
    items = [item.strip() for item in str(text).replace(" ", ",").split(",")]
    items = [item for item in items if item]
    if not items:
        raise UsageError(
            f"argument {option}: expected a comma-separated list, got {text!r}"
        )
    return items


def _check_args(args):
    """Combine defaults and check the options against each other."""
    from ._cells import CELLS

    if args.csv is not None and args.dataset is not None:
        raise UsageError("give either --dataset or --csv, not both")
    if args.csv is None:
        for option in ("target", "time_column"):
            if getattr(args, option) is not None:
                flag = "--" + option.replace("_", "-")
                raise UsageError(f"{flag} goes with --csv FILE")
        args.dataset = (args.dataset or DEFAULTS["dataset"]).lower().replace("-", "_")
        if args.dataset not in DATASETS:
            raise UsageError(
                f"unknown --dataset {args.dataset!r}; choose one of "
                f"{', '.join(DATASETS)}"
            )
    elif args.target is None:
        raise UsageError("--csv needs --target COLUMN, the column to predict")
    elif not Path(args.csv).exists():
        raise UsageError(f"--csv {str(Path(args.csv))!r}: no such file")
    elif Path(args.csv).is_dir():
        raise UsageError(f"--csv {str(Path(args.csv))!r} is a folder, not a CSV file")
    cells = [c.lower() for c in _split_list(args.cells or DEFAULTS["cells"], "--cells")]
    unknown = [c for c in cells if c not in CELLS]
    if unknown:
        raise UsageError(
            f"argument --cells: unknown cell {unknown[0]!r}; choose from "
            f"{', '.join(CELLS)}"
        )
    args.cells = list(dict.fromkeys(cells))
    sizes = _split_list(args.hidden_sizes or DEFAULTS["hidden_sizes"], "--hidden-sizes")
    try:
        args.hidden_sizes = sorted({_positive_int(s) for s in sizes})
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"argument --hidden-sizes: {exc}") from None
    for name in ("epochs", "lr", "cv", "test_size", "seed", "n_jobs", "threads", "out"):
        if getattr(args, name) is None:
            setattr(args, name, DEFAULTS[name])
    if args.n_jobs == 0:
        raise UsageError("argument --n-jobs: expected a non-zero integer, got 0")
    if args.scoring is not None:
        from sklearn.metrics import get_scorer_names

        if args.scoring not in get_scorer_names():
            raise UsageError(
                f"argument --scoring: unknown scorer {args.scoring!r}; see "
                "sklearn.metrics.get_scorer_names() for the valid names"
            )
    return args


# -- data ---------------------------------------------------------------------------


def _run_with_threads(args):
    from ._cli_problems import _csv_problem, _shipped

    started = time.perf_counter()
    # The data are read and checked first: a mistake in them answers before torch
    # is imported.
    problem = _csv_problem(args) if args.csv is not None else _shipped(args)
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        return _run(args, problem, started, sys.stdout, sys.stderr)
    finally:
        torch.set_num_threads(previous)


def _run(args, problem, started, out_stream, err_stream):
    from .compare import compare_cells
    from .compare._measure import format_duration

    n_settings = len(args.cells) * len(args.hidden_sizes)
    n_fits = n_settings * args.cv + 1
    say = lambda text="": print(text, file=out_stream, flush=True)  # noqa: E731
    say(f"skrnn compare: {problem.title}")
    for note in problem.notes:
        say(f"  {note}")
    say(
        f"  {problem.task}: {', '.join(c.upper() for c in args.cells)} × hidden sizes "
        f"{', '.join(map(str, args.hidden_sizes))}, {args.epochs} epochs at most, "
        f"{args.cv}-fold {type(problem.cv).__name__}: {n_fits} fits"
    )
    if args.n_jobs != 1 and not args.quiet:
        say(f"  fitting in parallel (--n-jobs {args.n_jobs}); progress is not shown")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = compare_cells(
            problem.estimator,
            problem.X,
            problem.y,
            cells=args.cells,
            param_grid={"hidden_size": args.hidden_sizes},
            cv=problem.cv,
            scoring=args.scoring,
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet or args.n_jobs != 1 else 1,
        )
    say()
    say(report.to_string())
    for line in _warning_lines(caught, args):
        say(line)
    test_line = _test_score(report, problem, args)
    if test_line:
        say(test_line)
    out = Path(args.out)
    written = _write_outputs(report, problem, args, out, test_line)
    say(f"wrote {', '.join(written)} to {out}/")
    say(f"finished in {format_duration(time.perf_counter() - started)}")
    return 0


def _warning_lines(caught, args):
    from sklearn.exceptions import ConvergenceWarning

    lines = []
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            text = str(w.message).split(" (")[0]
            lines.append(f"note: {text}; a larger --epochs may change the comparison")
            break
    others = {}
    for w in caught:
        if issubclass(w.category, (ConvergenceWarning, DeprecationWarning)):
            continue
        text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
        others.setdefault(f"{w.category.__name__}: {text[:200]}", 0)
        others[f"{w.category.__name__}: {text[:200]}"] += 1
    for text, count in list(others.items())[:5]:
        lines.append(f"warning ({count}×): {text}")
    return lines


def _test_score(report, problem, args):
    if problem.X_test is None or not hasattr(report.search, "best_estimator_"):
        return ""
    from sklearn.metrics import get_scorer

    best = report.best_estimator_
    if args.scoring is None:
        score = best.score(problem.X_test, problem.y_test)
    else:
        score = get_scorer(args.scoring)(best, problem.X_test, problem.y_test)
    value = score if report.greater_is_better else -score
    params = report.best_params_
    cell = next(v for k, v in params.items() if k.endswith("__cell"))
    setting = ", ".join(
        f"{k.rsplit('__', 1)[-1]}={v}"
        for k, v in params.items()
        if not k.endswith("__cell")
    )
    return (
        f"held-out test {report.metric} of the best setting, {cell.upper()} "
        f"({setting}) refitted on all the training data: {value:.3f} on "
        f"{problem.test_note}."
    )


def _write_outputs(report, problem, args, out, test_line):
    import pandas as pd

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {str(out)!r}: {exc.strerror}") from None
    written = []
    report.to_frame().to_csv(out / "results.csv")
    written.append("results.csv")
    raw = {
        k: v
        for k, v in report.search.cv_results_.items()
        if "_epoch_" not in k and k != "params"
    }
    pd.DataFrame(raw).to_csv(out / "cv_results.csv", index_label="candidate")
    report.learning_curves().to_csv(out / "learning_curves.csv", index=False)
    written += ["cv_results.csv", "learning_curves.csv"]
    images, plot_note = _write_plots(report, out)
    written += images
    command = "skrnn compare " + " ".join(shlex.quote(a) for a in args.argv)
    header = [
        f"Data: {problem.title}.",
        *[f"{n[:1].upper()}{n[1:]}." for n in problem.notes],
        f"Command: `{command.strip()}` (skrnn {__version__}).",
    ]
    markdown = [
        "# LSTM, GRU or RNN?",
        "",
        *[line + "  " for line in header],
        "",
        "## Results",
        "",
        report.to_markdown(),
    ]
    if test_line:
        markdown += ["", test_line[:1].upper() + test_line[1:]]
    if images:
        markdown += ["", "## Plots", ""] + [f"![{i}]({i})" for i in images]
    elif plot_note:
        markdown += ["", plot_note]
    (out / "report.md").write_text("\n".join(markdown) + "\n", encoding="utf-8")
    body = [
        "<p>" + re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(line)) + "</p>"
        for line in header
    ]
    body.append(report.to_html())
    if test_line:
        body.append(f"<p>{html.escape(test_line[:1].upper() + test_line[1:])}</p>")
    body += [f'<p><img src="{i}" alt="{i}"></p>' for i in images]
    if plot_note and not images:
        body.append(f"<p>{html.escape(plot_note)}</p>")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>skrnn compare</title>\n<style>body{font-family:sans-serif;max-width:"
        "70em;margin:2em auto}table{border-collapse:collapse}td,th{padding:.2em .6em;"
        "text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}img"
        "{max-width:100%}</style></head>\n<body>\n<h1>LSTM, GRU or RNN?</h1>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return ["report.md", "report.html"] + written


def _write_plots(report, out):
    try:
        import matplotlib
    except ImportError:
        return [], "No plots: matplotlib is not installed (pip install skrnn[plot])."
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._plotting import plot_history

    images = []
    fig = report.plot()
    fig.savefig(out / "comparison.png", dpi=100)
    plt.close(fig)
    images.append("comparison.png")
    ax = report.plot("curves")
    ax.figure.savefig(out / "learning_curves.png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    images.append("learning_curves.png")
    if hasattr(report.search, "best_estimator_"):
        ax = plot_history(report.best_estimator_)
        ax.set_title("training loss of the best setting, refitted on all the data")
        ax.figure.savefig(out / "best_model_history.png", dpi=100, bbox_inches="tight")
        plt.close(ax.figure)
        images.append("best_model_history.png")
    return images, ""


# -- entry point --------------------------------------------------------------------


def main(argv=None):
    """Run the ``skrnn`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 2 for a mistake in the arguments or the data (reported in
        one line on stderr), 1 when the comparison itself fails, 130 when
        interrupted.

    Examples
    --------
    >>> from skrnn.cli import main
    >>> main(["compare", "--cells", "lstm,gur"])
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    prog = PROG
    traceback = "--traceback" in argv
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        prog = f"{PROG} {args.command}"
        args.argv = argv[1:]
        args = _check_args(args)
        return _run_with_threads(args)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        if traceback:
            raise
        if prog == PROG and argv[:1] == ["compare"]:
            prog = f"{PROG} compare"
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of stdout went away (| head): stop quietly
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except Exception as exc:  # one line, never a traceback, unless asked for
        if traceback:
            raise
        text = " ".join(str(exc).split())
        if len(text) > 300:
            text = text[:297] + "..."
        print(
            f"{prog}: error: {type(exc).__name__}: {text} (run with --traceback for "
            "details)",
            file=sys.stderr,
        )
        return 1
