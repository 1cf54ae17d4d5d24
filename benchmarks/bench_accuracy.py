"""How good are the defaults? Test scores of default LSTM/GRU/RNN estimators.

Every estimator is fitted with its defaults and nothing else but ``random_state``
(no tuning), on real data sets, and scored on the archive's own test split:

- classification (accuracy): UCR/UEA archive sets, beside 1-nearest-neighbour
  classifiers with the Euclidean distance (``1-NN ED``) and with dynamic time
  warping in a Sakoe-Chiba band of 10% of the length (``1-NN DTW``), both
  computed here;
- regression (RMSE): TSER archive sets, beside predicting the training mean;
- forecasting (RMSE, one step ahead): the README's pipeline
  (``StandardScaler`` → ``SlidingWindow(window=48)`` → ``LSTMRegressor()`` inside
  ``TransformedTargetRegressor``) on the last months/years of a series, beside
  persistence (the last value) and the seasonal naive forecast.

Each score is the mean over ``--seeds`` seeds (and the lowest, for
classification); ``fit s`` is the mean CPU time of ``fit``; ``vs previous`` is
that time over the time of the previous defaults (``init="torch"``,
``readout="last"``, ``batch_size=32``, ``lr=1e-3``, ``lr_schedule="constant"``,
``clip_grad_norm=None``, ``early_stopping=False``, and for regressors
``relative=False``), fitted side by side with
seed 0, whose score is shown as ``previous``. One torch thread. Run::

    python benchmarks/bench_accuracy.py --smoke        # seconds; what CI runs
    python benchmarks/bench_accuracy.py                # the shipped sets, 3 seeds
    python benchmarks/bench_accuracy.py --archive DIR  # and the archive's .ts files

``DIR`` is a folder holding the archive's ``<Name>_TRAIN.ts`` / ``_TEST.ts``
files anywhere below it (aeon's and sktime's wheels carry some in
``datasets/data/``) and the forecasting CSVs ``Lynx.csv``; nothing is downloaded.
Variable-length sets (PLAID) are given to the recurrent estimators as they are
(a list of sequences of different lengths), and to the 1-NN baselines padded at
the end with each series' last value; JapaneseVowels and PickupGestureWiimoteZ
are read in their equal-length (``_eq``) versions (the shipped JapaneseVowels
is the ragged one). ``--no-previous`` skips the fits with the previous defaults
(their columns then read ``-``).
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _archive import load_csv_series, load_ts
from _common import print_header
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RecurrentClassifier, RecurrentRegressor
from skrnn.datasets import (
    load_airline,
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
    load_sunspots,
)
from skrnn.preprocessing import SlidingWindow

PREVIOUS = dict(init="torch", readout="last", batch_size=32, lr=1e-3, standardize=False,
                lr_schedule="constant", clip_grad_norm=None, early_stopping=False)
# (regressors: windows were read as levels before relative="auto")
PREVIOUS_REGRESSOR = {**PREVIOUS, "relative": False}
SHIPPED = {"GunPoint": load_gunpoint, "ItalyPowerDemand": load_italy_power_demand,
           "BasicMotions": load_basic_motions}
ARCHIVE_CLASSIFICATION = ["ArrowHead", "UnitTest", "JapaneseVowels_eq",
                          "PickupGestureWiimoteZ_eq", "OSULeaf", "ACSF1", "PLAID"]
ARCHIVE_REGRESSION = ["Covid3Month", "Tecator", "CardanoSentiment"]


# -- baselines -----------------------------------------------------------------------

def _sq_dists(A, B):
    return ((A[:, None] - B[None]) ** 2).sum(axis=-1)  # (a, b, t)


def nn_ed(Xtr, ytr, Xte):
    """1-NN with the Euclidean distance."""
    d = np.stack([((Xtr - x) ** 2).sum(axis=(1, 2)) for x in Xte])
    return ytr[d.argmin(axis=1)]


def nn_dtw(Xtr, ytr, Xte, band=0.1):
    """1-NN with dynamic time warping (squared costs) in a Sakoe-Chiba band.

    Vectorised over every (test, train) pair; the recurrence runs over the
    cells of the band, in order.
    """
    t = Xtr.shape[1]
    w = max(1, int(round(band * t)))
    a = Xte.astype(np.float64)[:, None]  # (m, 1, t, d)
    b = Xtr.astype(np.float64)[None]     # (1, n, t, d)
    shape = (len(Xte), len(Xtr))
    prev = np.full(shape + (t + 1,), np.inf)
    prev[..., 0] = 0.0
    for i in range(1, t + 1):
        cur = np.full(shape + (t + 1,), np.inf)
        lo, hi = max(1, i - w), min(t, i + w)
        cost = ((a[:, :, i - 1, None] - b[:, :, lo - 1 : hi]) ** 2).sum(-1)
        for j in range(lo, hi + 1):
            best = np.minimum(np.minimum(prev[..., j], prev[..., j - 1]),
                              cur[..., j - 1])
            cur[..., j] = cost[..., j - lo] + best
        prev = cur
    return ytr[prev[..., t].argmin(axis=1)]


def nn_dtw_chunked(Xtr, ytr, Xte, chunk=32):
    return np.concatenate([nn_dtw(Xtr, ytr, Xte[i : i + chunk])
                           for i in range(0, len(Xte), chunk)])


# -- data --------------------------------------------------------------------------

def classification_sets(archive, names, smoke):
    for name, loader in SHIPPED.items():
        if smoke and name != "ItalyPowerDemand":
            continue
        Xtr, ytr = loader(split="train", return_X_y=True)
        Xte, yte = loader(split="test", return_X_y=True)
        yield name, Xtr, ytr, Xte, yte
    for name in names if archive else ():
        Xtr, ytr, Xte, yte, equal, rtr, rte = load_ts(archive, name, ragged=True)
        if equal:
            yield name, Xtr, ytr, Xte, yte
        else:  # the networks see the sequences as they are; the baselines, padded
            yield name, (Xtr, rtr), ytr, (Xte, rte), yte


def forecasting_series(archive, smoke):
    """(name, frame, values, test length, seasonal period)."""
    data = load_airline()
    yield "airline", data.frame, data.target.to_numpy(float), 24, 12
    if smoke:
        return
    data = load_sunspots()
    yield "sunspots", data.frame, data.target.to_numpy(float), 240, 132
    if archive:
        values = load_csv_series(archive, "Lynx")
        frame = pd.DataFrame({"lynx": values},
                             index=pd.period_range("1821", periods=len(values),
                                                   freq="Y"))
        yield "Lynx", frame, values, 20, 10


# -- fitting -----------------------------------------------------------------------

def timed_fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        est.fit(X, y)
        return time.process_time() - start


def forecaster(cell, window, seed, params):
    model = RecurrentRegressor(cell=cell, random_state=seed, **params)
    pipe = Pipeline([("scale", StandardScaler()),
                     ("window", SlidingWindow(window=window)),
                     ("model", model)]).set_output(transform="pandas")
    return TransformedTargetRegressor(pipe, transformer=StandardScaler())


def rmse(a, b):
    return float(np.sqrt(mean_squared_error(a, b)))


def row(task, name, cell, scores, times, baseline, previous, previous_time, low):
    scores, times = np.asarray(scores), np.asarray(times)
    fmt = {"classification": "{:.3f}", "regression": "{:.4g}"}.get(task, "{:.2f}")
    low_text = fmt.format(scores.min() if low == "min" else scores.max())
    if previous is None:
        previous_text, ratio = "-", "-"
    else:
        previous_text = fmt.format(previous)
        ratio = f"{times.mean() / previous_time:.2f}x"
    print(f"{task:<14} {name:<26} {cell:<5} {fmt.format(scores.mean()):>7} "
          f"{low_text:>7} {baseline:>22} {previous_text:>9} "
          f"{times.mean():>7.1f} {ratio:>11}", flush=True)


def previous_fit(old, X, y):
    """``(old, fit time)``: ``old`` (the previous defaults) fitted; or
    ``(None, None)`` with ``--no-previous`` (``old`` None)."""
    if old is None:
        return None, None
    return old, timed_fit(old, X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="seconds: one shipped set, 1 seed, few epochs (CI)")
    parser.add_argument("--archive", default=None,
                        help="folder with the archive's .ts files and Lynx.csv")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--sets", default=None,
                        help="comma-separated set names (default: all available)")
    parser.add_argument("--tasks", default="classification,regression,forecasting")
    parser.add_argument("--no-dtw", action="store_true", help="skip 1-NN DTW")
    parser.add_argument("--no-previous", action="store_true",
                        help="skip the fits with the previous defaults")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = range(1 if args.smoke else args.seeds)
    cells = args.cells.split(",")
    tasks = args.tasks.split(",")
    extra = dict(max_epochs=10) if args.smoke else {}
    wanted = set(args.sets.split(",")) if args.sets else None

    def keep(n):
        return wanted is None or n in wanted

    # The first fit of a process pays for torch's lazy imports: not timed.
    RecurrentClassifier(max_epochs=1).fit(np.zeros((4, 3, 1)), [0, 1, 0, 1])
    print_header("bench_accuracy: default recurrent estimators on real data")
    print("# score: mean over seeds; low: lowest accuracy (highest RMSE); fit s: "
          "mean CPU s; previous: score of the previous defaults (seed 0); "
          "vs previous: fit time ratio, new / previous")
    print(f"{'task':<14} {'set':<26} {'cell':<5} {'score':>7} {'low':>7} "
          f"{'baseline':>22} {'previous':>9} {'fit s':>7} {'vs previous':>11}")

    if "classification" in tasks:
        for name, Xtr, ytr, Xte, yte in classification_sets(
                args.archive, ARCHIVE_CLASSIFICATION, args.smoke):
            if not keep(name):
                continue
            ragged = isinstance(Xtr, tuple)
            (Xtr, Rtr), (Xte, Rte) = (Xtr, Xte) if ragged else ((Xtr, Xtr), (Xte, Xte))
            ed = accuracy_score(yte, nn_ed(Xtr, ytr, Xte))
            if args.no_dtw or args.smoke or len(Xtr) * len(Xte) * Xtr.shape[1] > 5e7:
                baseline = f"ED {ed:.3f}"
            else:
                dtw = accuracy_score(yte, nn_dtw_chunked(Xtr, ytr, Xte))
                baseline = f"ED {ed:.3f} DTW {dtw:.3f}"
            for cell in cells:
                scores, times = [], []
                for seed in seeds:
                    est = RecurrentClassifier(cell=cell, random_state=seed, **extra)
                    times.append(timed_fit(est, Rtr, ytr))
                    scores.append(est.score(Rte, yte))
                old, old_time = previous_fit(
                    None if args.no_previous else RecurrentClassifier(
                        cell=cell, random_state=0, **PREVIOUS, **extra), Rtr, ytr)
                previous = None if old is None else old.score(Rte, yte)
                row("classification", name + (" (ragged)" if ragged else ""), cell,
                    scores, times, baseline, previous, old_time, "min")

    if "regression" in tasks and args.archive and not args.smoke:
        for name in ARCHIVE_REGRESSION:
            if not keep(name):
                continue
            Xtr, ytr, Xte, yte, _ = load_ts(args.archive, name, regression=True)
            baseline = f"mean {rmse(yte, np.full_like(yte, ytr.mean())):.4g}"
            for cell in cells:
                scores, times = [], []
                for seed in seeds:
                    est = RecurrentRegressor(cell=cell, random_state=seed, **extra)
                    times.append(timed_fit(est, Xtr, ytr))
                    scores.append(rmse(yte, est.predict(Xte)))
                old, old_time = previous_fit(
                    None if args.no_previous else RecurrentRegressor(
                        cell=cell, random_state=0, **PREVIOUS_REGRESSOR, **extra),
                    Xtr, ytr)
                previous = None if old is None else rmse(yte, old.predict(Xte))
                row("regression", name, cell, scores, times, baseline, previous,
                    old_time, "max")

    if "forecasting" in tasks:
        for name, frame, values, n_test, period in forecasting_series(
                args.archive, args.smoke):
            if not keep(name):
                continue
            n_train = len(values) - n_test
            window = 48 if n_train >= 96 else n_train // 3
            test = values[n_train:]
            naive = rmse(test, values[n_train - 1 : -1])
            seasonal = rmse(test, values[n_train - period : len(values) - period])
            baseline = f"naive {naive:.1f} seas. {seasonal:.1f}"
            X_train, X_test = frame.iloc[:n_train], frame.iloc[n_train:]
            y_train = values[:n_train]
            for cell in cells:
                scores, times = [], []
                for seed in seeds:
                    est = forecaster(cell, window, seed, extra)
                    times.append(timed_fit(est, X_train, y_train))
                    scores.append(rmse(test, est.predict(X_test)))
                old, old_time = previous_fit(
                    None if args.no_previous
                    else forecaster(cell, window, 0, {**PREVIOUS_REGRESSOR, **extra}),
                    X_train, y_train)
                previous = None if old is None else rmse(test, old.predict(X_test))
                row("forecasting", f"{name} (w={window})", cell, scores, times,
                    baseline, previous, old_time, "max")


if __name__ == "__main__":
    main()
