"""
Grid searches on a Dask cluster
===============================

scikit-learn's searches run their fits through joblib, and joblib can hand them to
a `Dask <https://distributed.dask.org>`_ cluster: skrnn's estimators need nothing
special there. This example starts a local cluster of worker *processes* (the same
code runs on a cluster of many machines given its scheduler's address), runs the
same 8-fit search on one worker and on two, and checks that the results are
those of a plain local run with the same ``random_state``.

It needs the ``dask`` extra: ``pip install "skrnn[dask]"``.
"""

# %%
# The search
# ----------
# Cell x size, 2 folds: 8 fits on ItalyPowerDemand's 67 training days. Each fit
# ends on the plateau of its training loss; with the same ``random_state`` every
# run does exactly the same fits, wherever they run.
import logging
import time

import joblib
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skrnn import RecurrentClassifier
from skrnn.datasets import load_italy_power_demand

N_WORKERS = (1, 2)  # the cluster sizes to run the search on


def make_search():
    """The same search every time: cell x hidden size, 2 folds, 8 fits."""
    return GridSearchCV(
        RecurrentClassifier(max_epochs=200, lr=1e-2, tol=1e-3, n_iter_no_change=10,
                            random_state=0),
        {"cell": ["lstm", "gru"], "hidden_size": [16, 32]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        refit=False,
    )


def import_skrnn():
    """Import skrnn (and torch) in a worker, so that the timings leave it out."""
    import skrnn

    return skrnn.__version__


if __name__ == "__main__":  # worker processes re-import this file
    X, y = load_italy_power_demand(split="train", return_X_y=True)

    # %%
    # The same search locally, then on 1 and 2 worker processes
    # ---------------------------------------------------------
    # ``threads_per_worker=1``: each worker process runs one fit at a time, and
    # skrnn trains it with one torch thread, its share of the cores. ``scatter``
    # sends the data to every worker once; a worker that dies then loses nothing
    # the others do not hold, and the scheduler reruns its fits elsewhere. The
    # workers import skrnn before the clock starts.
    start = time.perf_counter()
    local = make_search().fit(X, y)
    timings = [{"where": "this process (n_jobs=None)",
                "wall time (s)": time.perf_counter() - start}]

    for n_workers in N_WORKERS:
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR
                          ) as cluster, Client(cluster) as client:
            client.run(import_skrnn)
            start = time.perf_counter()
            with joblib.parallel_backend("dask", scatter=[X, y]):
                search = make_search().fit(X, y)
            elapsed = time.perf_counter() - start
        assert np.array_equal(search.cv_results_["mean_test_score"],
                              local.cv_results_["mean_test_score"])
        timings.append({"where": f"Dask, {n_workers} worker process(es)",
                        "wall time (s)": elapsed})

    table = pd.DataFrame(timings)
    print(table.to_string(index=False, float_format="%.1f"))
    print("Scores on the cluster are identical to the local run's:")
    print(pd.DataFrame(local.cv_results_)[["params", "mean_test_score"]].to_string())

    # %%
    # What the timings say
    # --------------------
    # Two workers can at most halve the time of one, and only if the 8 fits split
    # into two equal halves of work. One run of a few seconds on a machine that may
    # be busy with other work gives a rough ratio, not a measurement of scaling:
    # ``benchmarks/bench_search.py`` measures that, with repeats, side by side.
    one, two = table["wall time (s)"].iloc[1:3]
    print(f"2 workers took {two / one:.2f} times the wall time of 1 worker in this "
          f"run (at best 0.50 on two free cores).")
