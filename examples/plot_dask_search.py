"""
Grid searches on a Dask cluster
===============================

scikit-learn's searches run their fits through joblib, and joblib can hand them to
a `Dask <https://distributed.dask.org>`_ cluster: skrnn's estimators need nothing
special there. This example starts a local cluster of worker *processes* (the same
code runs on a cluster of many machines given its scheduler's address), runs the
same 12-fit search on one worker and on two, and checks that the results are
those of a plain local run with the same ``random_state``.

It needs the ``[dask]`` extra: ``pip install skrnn[dask]``.
"""

# %%
# The search
# ----------
import argparse
import tempfile
import time
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skrnn import RecurrentClassifier
from skrnn.datasets import load_italy_power_demand


def make_search():
    """Cell x size, 3 folds: 12 fits of 300 epochs each (no early end, so that
    every run does the same work)."""
    return GridSearchCV(
        RecurrentClassifier(max_epochs=300, n_iter_no_change=300, random_state=0),
        {"cell": ["lstm", "gru"], "hidden_size": [32, 64]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        refit=False,
    )


if __name__ == "__main__":  # worker processes re-import this file
    parser = argparse.ArgumentParser(description="A grid search on a Dask cluster.")
    parser.add_argument("--out", default=None, help="folder for the timing table")
    args, _ = parser.parse_known_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="skrnn-"))
    out.mkdir(parents=True, exist_ok=True)

    X, y = load_italy_power_demand(split="train", return_X_y=True)
    # Each fit runs its 300 epochs on purpose; skip the warnings saying so.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    # %%
    # The same search locally, then on 1 and 2 worker processes
    # ---------------------------------------------------------
    # ``threads_per_worker=1``: each worker process runs one fit at a time, and
    # skrnn trains it with one torch thread, its share of the cores. ``scatter``
    # sends the data to every worker once; a worker that dies then loses nothing
    # the others do not hold, and the scheduler reruns its fits elsewhere.
    start = time.perf_counter()
    local = make_search().fit(X, y)
    timings = [{"where": "this process (n_jobs=None)",
                "wall time (s)": time.perf_counter() - start}]

    for n_workers in (1, 2):
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster):
            start = time.perf_counter()
            with joblib.parallel_backend("dask", scatter=[X, y]):
                search = make_search().fit(X, y)
            elapsed = time.perf_counter() - start
        assert np.array_equal(search.cv_results_["mean_test_score"],
                              local.cv_results_["mean_test_score"])
        timings.append({"where": f"Dask, {n_workers} worker process(es)",
                        "wall time (s)": elapsed})

    table = pd.DataFrame(timings)
    table["speed-up vs 1 worker"] = table.loc[1, "wall time (s)"] / table["wall time (s)"]
    print(table.to_string(index=False, float_format="%.2f"))
    print("Scores on the cluster are identical to the local run's.")
    print(pd.DataFrame(local.cv_results_)[["params", "mean_test_score"]].to_string())
    table.to_csv(out / "dask_timings.csv", index=False)
