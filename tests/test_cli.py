"""``skrnn compare`` end to end, in process and as ``python -m skrnn``; its errors."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from skrnn.cli import guess_task, main

pytest.importorskip("matplotlib")

#: The smallest configuration that still runs every step.
TINY = ["--epochs", "2", "--hidden-sizes", "4", "--cv", "2"]
FILES = [
    "report.md",
    "report.html",
    "results.csv",
    "cv_results.csv",
    "learning_curves.csv",
    "comparison.png",
    "learning_curves.png",
    "best_model_history.png",
]


@pytest.fixture(autouse=True)
def _agg_backend(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")


def _run(capsys, *args):
    status = main(["compare", *args])
    out, err = capsys.readouterr()
    return status, out, err


# -- successful runs -------------------------------------------------------------------


def test_default_data_set_in_process(tmp_path, capsys):
    status, out, err = _run(capsys, *TINY, "--out", str(tmp_path))
    assert status == 0, err
    assert out.startswith("skrnn compare: italy_power_demand (UCR/UEA archive; 67 ")
    assert "LSTM, GRU, RNN × hidden sizes 4" in out and "7 fits" in out
    assert "Rank Cell hidden_size Parameters Fit time (s)" in out
    assert " ranks first with a mean accuracy of " in out or " tie for first " in out
    assert "held-out test accuracy of the best setting" in out
    assert "the archive's test split, 1029 sequences" in out
    # Progress: every fit of how many, elapsed and time left, on stderr.
    progress = err.splitlines()
    assert [line.split(" (")[0] for line in progress] == [
        f"fit {k} of 7" for k in range(1, 8)
    ]
    assert all("| elapsed " in line and line.endswith(" left") for line in progress)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    results = pd.read_csv(tmp_path / "results.csv")
    assert sorted(results["cell"]) == ["gru", "lstm", "rnn"]
    assert (results["n_parameters"] > 0).all()
    report = (tmp_path / "report.md").read_text()
    assert "| Rank | Cell | hidden_size | Parameters |" in report
    assert "![comparison.png](comparison.png)" in report
    assert "Command: `skrnn compare --epochs 2" in report
    page = (tmp_path / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and '<img src="comparison.png"' in page
    assert len(pd.read_csv(tmp_path / "cv_results.csv")) == 3
    assert set(pd.read_csv(tmp_path / "learning_curves.csv")["epoch"]) == {1, 2}


def test_python_dash_m_subprocess(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skrnn",
            "compare",
            *TINY,
            "--cells",
            "gru,rnn",
            "--quiet",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # --quiet: no progress
    assert "GRU" in result.stdout and "RNN" in result.stdout
    assert (tmp_path / "report.md").exists()


def test_csv_series_with_time_column_regression(tmp_path, capsys):
    t = np.arange(96)
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2000-01-01", periods=96, freq="MS").strftime(
                "%Y-%m-%d"
            ),
            "sales": 10 + np.sin(t / 3) + 0.1 * rng.normal(size=96),
            "price": rng.normal(size=96),
        }
    ).sample(frac=1, random_state=0)  # unsorted rows: sorted by time on reading
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    status, out, err = _run(
        capsys,
        "--csv",
        str(path),
        "--target",
        "sales",
        "--time-column",
        "date",
        "--window",
        "6",
        "--cells",
        "lstm,rnn",
        *TINY,
        "--out",
        str(tmp_path / "out"),
    )
    assert status == 0, err
    assert (
        "task: regression (guessed: the target 'sales' holds non-integer numbers" in out
    )
    assert "forecasting: each row's target from the 6 rows before it" in out
    assert "2-fold TimeSeriesSplit" in out
    assert "mean R² of" in out or "tie for first" in out
    assert "held-out test R² of the best setting" in out and "last 19 time steps" in out
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert sorted(results["cell"]) == ["lstm", "rnn"]


def test_csv_rows_as_sequences_classification(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8))
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(8)])
    frame.insert(0, "label", np.where(X.mean(axis=1) > 0, "up", "down"))
    path = tmp_path / "seq.csv"
    frame.to_csv(path, index=False)
    status, out, err = _run(
        capsys,
        "--csv",
        str(path),
        "--target",
        "label",
        "--cells",
        "gru",
        "--scoring",
        "balanced_accuracy",
        *TINY,
        "--out",
        str(tmp_path / "out"),
    )
    assert status == 0, err
    assert "task: classification (guessed: the target 'label' is not numeric" in out
    assert "each row is one sequence; its 8 columns besides 'label'" in out
    assert "Balanced accuracy" in out and "2-fold StratifiedKFold" in out
    assert "held-out test balanced accuracy" in out and "12 sequences" in out


def test_csv_rows_of_different_lengths(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 8))
    y = np.where(X[:, 0] > 0, "up", "down")
    for i, length in enumerate(rng.randint(3, 9, size=40)):
        X[i, length:] = np.nan  # empty trailing cells
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(8)])
    frame.insert(0, "label", y)
    path = tmp_path / "ragged.csv"
    frame.to_csv(path, index=False)
    status, out, err = _run(
        capsys, "--csv", str(path), "--target", "label", "--cells", "gru", *TINY,
        "--out", str(tmp_path / "out"),
    )
    assert status == 0, err
    assert "(40 sequences of 3 to 8 time steps, one per row" in out
    assert "empty trailing cells are past its end" in out


def test_shipped_forecasting_set(tmp_path, capsys):
    status, out, err = _run(
        capsys,
        "--dataset",
        "airline",
        "--cells",
        "rnn",
        "--test-size",
        "0",
        *TINY,
        "--quiet",
        "--out",
        str(tmp_path),
    )
    assert status == 0, err
    assert out.startswith("skrnn compare: airline (144 monthly observations")
    assert "forecasting: each row's target from the 12 rows before it" in out
    assert "held-out" not in out


def test_guess_task():
    assert guess_task(pd.Series([1, 2, 3, 1, 2]))[0] == "classification"
    assert guess_task(pd.Series([1.0, 2.0, 1.0]))[0] == "classification"
    assert guess_task(pd.Series(np.arange(50)))[0] == "regression"
    assert guess_task(pd.Series([True, False]))[0] == "classification"
    assert guess_task(pd.Series([0.1, 0.2]))[0] == "regression"


def test_no_command_shows_help(capsys):
    assert main([]) == 2
    assert "compare" in capsys.readouterr().out


def test_help_and_version(capsys):
    assert main(["compare", "--help"]) == 0
    assert "--hidden-sizes" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("skrnn ")


# -- errors: one line, status 2, no traceback ------------------------------------------


def _write(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _numbers(n=30, **extra):
    rng = np.random.RandomState(0)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), **extra})


ERRORS = {
    "missing file": (
        lambda p: ["--csv", str(p / "nope.csv"), "--target", "y"],
        "no such file",
    ),
    "unknown column": (
        lambda p: ["--csv", _write(p, _numbers()), "--target", "price"],
        "--target 'price' is not a column of data.csv; its columns are: a, b",
    ),
    "unknown time column": (
        lambda p: [
            "--csv",
            _write(p, _numbers()),
            "--target",
            "a",
            "--time-column",
            "t",
        ],
        "--time-column 't' is not a column",
    ),
    "non-numeric feature": (
        lambda p: [
            "--csv",
            _write(p, _numbers(city=["Rome", "Oslo"] * 15)),
            "--target",
            "a",
        ],
        "column 'city' of data.csv is not numeric (e.g. 'Rome')",
    ),
    "one class": (
        lambda p: ["--csv", _write(p, _numbers(label=["x"] * 30)), "--target", "label"],
        "the target 'label' has a single class ('x'); classification needs at "
        "least two",
    ),
    "numbers with a few text cells": (
        lambda p: [
            "--csv",
            _write(p, _numbers(price=[str(v) for v in np.arange(27.5, 0, -1)][:27]
                               + ["?", "unknown", "?"])),
            "--target",
            "price",
        ],
        "the target 'price' holds numbers, but 3 of its 30 values are text "
        "('?', 'unknown'); fix or drop those rows (or pass --task classification "
        "if the values are labels)",
    ),
    "regression on numbers with a few text cells": (
        lambda p: [
            "--csv",
            _write(p, _numbers(price=["1.5"] * 29 + ["none"])),
            "--target",
            "price",
            "--task",
            "regression",
        ],
        "--task regression needs a numeric target, but 1 of the 30 values of "
        "'price' are text ('none')",
    ),
    "too few of a class": (
        lambda p: [
            "--csv",
            _write(p, _numbers(label=["x"] * 28 + ["y"] * 2)),
            "--target",
            "label",
            "--cv",
            "3",
        ],
        "class 'y' of the target 'label' has 2 sample(s), fewer than the 3",
    ),
    "missing values inside a row": (
        lambda p: [
            "--csv",
            _write(p, _numbers(c=[1.0] * 30).assign(b=[1.0, np.nan] + [1.0] * 28)),
            "--target",
            "a",
        ],
        "data.csv: row 1 has NaN at time step 0, before its last observed step",
    ),
    "bad dates": (
        lambda p: [
            "--csv",
            _write(p, _numbers(when=["soon"] * 30)),
            "--target",
            "a",
            "--time-column",
            "when",
        ],
        "--time-column 'when' cannot be read as dates or integers",
    ),
    "window too long": (
        lambda p: [
            "--csv",
            _write(p, _numbers(t=range(30))),
            "--target",
            "a",
            "--time-column",
            "t",
            "--window",
            "20",
        ],
        "--window 20 does not fit the 5 time-series folds",
    ),
    "regression on labels": (
        lambda p: [
            "--csv",
            _write(p, _numbers(label=["x", "y"] * 15)),
            "--target",
            "label",
            "--task",
            "regression",
        ],
        "--task regression needs a numeric target",
    ),
    "empty file": (
        lambda p: ["--csv", str(p / "empty.csv"), "--target", "a"],
        "is empty",
    ),
    "unknown data set": (lambda p: ["--dataset", "mnist"], "unknown --dataset 'mnist'"),
    "unknown cell": (lambda p: ["--cells", "lstm,gur"], "unknown cell 'gur'"),
    "bad hidden size": (lambda p: ["--hidden-sizes", "16,x"], "--hidden-sizes"),
    "csv without target": (lambda p: ["--csv", "x.csv"], "--csv needs --target"),
    "both sources": (
        lambda p: ["--csv", "x.csv", "--target", "a", "--dataset", "airline"],
        "either --dataset or --csv",
    ),
    "zero epochs": (lambda p: ["--epochs", "0"], "expected a positive integer"),
    "one fold": (lambda p: ["--cv", "1"], "at least 2 folds"),
    "unknown option": (lambda p: ["--epoch", "3"], "unrecognized arguments"),
    "unknown scorer": (lambda p: ["--scoring", "acc"], "unknown scorer 'acc'"),
    "window for classification": (
        lambda p: ["--window", "5"],
        "--window is for forecasting",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_are_one_line_with_status_2(case, tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("")
    make_args, message = ERRORS[case]
    status, out, err = _run(capsys, *make_args(tmp_path))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("skrnn compare: error: ")
    assert message in err


#: What answering ``--help`` or a mistake must not import: torch, scikit-learn's
#: estimators, matplotlib (and pandas, where no file has to be read).
HEAVY = ("torch", "sklearn", "skorch", "matplotlib", "pandas")


@pytest.mark.parametrize(
    "args, status",
    [
        (["compare", "--help"], 0),
        (["--version"], 0),
        ([], 2),
        (["compare", "--cells", "lstm,gur"], 2),
        (["compare", "--epochs", "0"], 2),
        (["compare", "--csv", "no-such-file.csv", "--target", "y"], 2),
        (["compare", "--dataset", "mnist"], 2),
    ],
    ids=["help", "version", "no command", "unknown cell", "bad number", "no file",
         "unknown data set"],
)
def test_help_and_mistakes_answer_without_heavy_imports(args, status, tmp_path):
    """The answer comes before torch (or anything heavy) is imported."""
    probe = (
        "import sys\n"
        "from skrnn.cli import main\n"
        f"code = main({args!r})\n"
        f"print(code, [m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.stdout.splitlines()[-1] == f"{status} []", done.stderr


def test_import_skrnn_is_lazy_and_names_still_resolve(tmp_path):
    probe = (
        "import sys, skrnn\n"
        "before = [m for m in ('torch', 'sklearn') if m in sys.modules]\n"
        "names = set(dir(skrnn))\n"
        "from skrnn import GRURegressor, nn\n"
        "print(before, set(skrnn.__all__) <= names, 'nn' in names,\n"
        "      GRURegressor.__module__, nn.__name__, 'torch' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.stdout.split() == [
        "[]", "True", "True", "skrnn._regression", "skrnn.nn", "True"
    ], done.stderr
