"""Read UCR/UEA/TSER archive ``.ts`` files and forecasting CSVs (benchmarks only).

A small reader of the archive's text format: header lines start with ``@`` or
``#``; each data line holds one case, its dimensions separated by ``:`` and the
class label or regression target last. Sequences of different lengths are
padded at the end with their last value for the baselines (no real set used
here needs it but PLAID, and the benchmark says so); ``ragged=True`` also
returns them as they are, a list of ``(n_timesteps_i, n_features)`` arrays.
"""

from pathlib import Path

import numpy as np


def read_ts(path, *, ragged=False):
    """``(X, y, equal_length)`` from one ``.ts`` file; X is (n, t, d) float32.

    With ``ragged=True`` a fourth item: the cases unpadded, a list of (t_i, d)
    float32 arrays.
    """
    cases, targets, in_data = [], [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                in_data = line.lower().startswith("@data")
                continue
            *dims, target = line.split(":")
            cases.append([np.array([float(v) if v != "?" else np.nan
                                    for v in d.split(",")]) for d in dims])
            targets.append(target.strip())
    lengths = [max(len(d) for d in case) for case in cases]
    longest = max(lengths)
    X = np.empty((len(cases), longest, len(cases[0])), dtype=np.float32)
    for i, case in enumerate(cases):
        for j, d in enumerate(case):
            X[i, : len(d), j] = d
            X[i, len(d):, j] = d[-1]
    equal = len(set(lengths)) == 1
    if ragged:
        unpadded = [X[i, :n].copy() for i, n in enumerate(lengths)]
        return X, np.asarray(targets), equal, unpadded
    return X, np.asarray(targets), equal


def find(archive, name):
    """The TRAIN and TEST files of set ``name`` under ``archive``."""
    archive = Path(archive)
    train = sorted(archive.rglob(f"{name}_TRAIN.ts"))
    test = sorted(archive.rglob(f"{name}_TEST.ts"))
    if not train or not test:
        raise FileNotFoundError(f"no {name}_TRAIN.ts / _TEST.ts under {archive}")
    return train[0], test[0]


def load_ts(archive, name, *, regression=False, ragged=False):
    """``(X_train, y_train, X_test, y_test, equal_length)`` of an archive set.

    With ``ragged=True`` two more items: the unpadded train and test cases.
    """
    train, test = find(archive, name)
    Xtr, ytr, eq1, *rtr = read_ts(train, ragged=ragged)
    Xte, yte, eq2, *rte = read_ts(test, ragged=ragged)
    if Xtr.shape[1] != Xte.shape[1]:  # pad the shorter split to the longer
        longest = max(Xtr.shape[1], Xte.shape[1])
        Xtr, Xte = (np.concatenate([X, np.repeat(X[:, -1:], longest - X.shape[1], 1)],
                                   axis=1) for X in (Xtr, Xte))
        eq1 = eq2 = False
    if regression:
        ytr, yte = ytr.astype(float), yte.astype(float)
    if ragged:
        return Xtr, ytr, Xte, yte, eq1 and eq2, rtr[0], rte[0]
    return Xtr, ytr, Xte, yte, eq1 and eq2


def load_csv_series(archive, name):
    """The last numeric column of ``name``'s forecasting CSV, as a float array."""
    path = sorted(Path(archive).rglob(f"{name}.csv"))
    if not path:
        raise FileNotFoundError(f"no {name}.csv under {archive}")
    rows = []
    with open(path[0], encoding="utf-8") as f:
        next(f)
        for line in f:
            value = line.strip().split(",")[-1].strip('"')
            if value:
                rows.append(float(value))
    return np.asarray(rows)
