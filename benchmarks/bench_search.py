"""Parallel grid search: ``GridSearchCV(n_jobs=2)`` against ``n_jobs=1``.

The same search (cells x hidden sizes x folds of a ``RecurrentRegressor``) runs

- ``n_jobs=1``: in this process, with skrnn's default thread policy
  (``n_threads=None``: one thread for networks as small as these; torch's setting,
  one thread per core by default, for larger ones);
- ``n_jobs=1, 1 thread``: the same with one torch thread
  (``skrnn.utils.torch_threads(1)``), often faster for small networks;
- ``loky``: ``n_jobs=2`` with joblib's default backend; skrnn gives each worker's
  fits the OpenMP limit joblib sets for it (cores // n_jobs, so one thread each on
  two cores);
- ``loky, all cores``: the same with ``inner_max_num_threads`` set to the number of
  cores, so that each worker computes with as many threads as the machine has
  cores, as torch does by default: the oversubscription skrnn's budget avoids;
- ``threading``: ``n_jobs=2`` with joblib's threading backend (one torch thread per
  worker thread).

Each configuration is run once to start its workers and pay torch's first-call
costs (the ``first run`` column), then timed (wall clock) in ``--repeats``
interleaved rounds (``loky, all cores`` in rounds of its own, as joblib restarts
its workers when their thread limits change); the table gives
the median time and the speed-up over ``n_jobs=1`` (target: at least 1.7 with two
workers on two cores). Run::

    python benchmarks/bench_search.py              # the full table, about 8 minutes
    python benchmarks/bench_search.py --smoke      # seconds; what CI runs
"""

import argparse
import time
import warnings
from contextlib import nullcontext

import torch
from _common import available_cores, make_sequences, median, print_header
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV

from skrnn import RecurrentRegressor
from skrnn.utils import torch_threads


def search(X, y, cfg, n_jobs):
    grid = {"cell": cfg.cells.split(","),
            "hidden_size": [int(h) for h in cfg.hidden_sizes.split(",")]}
    est = RecurrentRegressor(max_epochs=cfg.epochs, batch_size=cfg.batch_size,
                             random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: few epochs
        GridSearchCV(est, grid, cv=cfg.cv, n_jobs=n_jobs, refit=False).fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="sequences")
    parser.add_argument("--timesteps", type=int, default=24)
    parser.add_argument("--features", type=int, default=2)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--hidden-sizes", default="16,32")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads of this process (default: torch's)")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.epochs, cfg.cv, cfg.repeats = 240, 1, 2, 1
        cfg.cells, cfg.hidden_sizes = "gru,rnn", "8"
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    cores = available_cores()
    n_fits = len(cfg.cells.split(",")) * len(cfg.hidden_sizes.split(",")) * cfg.cv
    print_header(
        f"parallel search: GridSearchCV(n_jobs={cfg.n_jobs}) against n_jobs=1",
        f"{n_fits} fits: cells {cfg.cells} x hidden {cfg.hidden_sizes} x {cfg.cv} "
        f"folds of {cfg.n} sequences x {cfg.timesteps} steps x {cfg.features} "
        f"features, {cfg.epochs} epochs, batch {cfg.batch_size}",
        f"median wall-clock time of {cfg.repeats} interleaved repeat(s) after one "
        f"warm-up each; speed-up over n_jobs=1 (target: >= 1.7x)",
    )
    X, y = make_sequences(cfg.n, cfg.timesteps, cfg.features)
    y = y.ravel()
    configs = {
        "n_jobs=1": (dict(), 1),
        "n_jobs=1, 1 thread": (dict(), 1),
        "loky": (dict(backend="loky"), cfg.n_jobs),
        "loky, all cores": (dict(backend="loky", inner_max_num_threads=cores),
                            cfg.n_jobs),
        "threading": (dict(backend="threading"), cfg.n_jobs),
    }
    if cfg.smoke:  # one start of loky workers is enough to keep the script working
        del configs["loky, all cores"]
    times = {name: [] for name in configs}
    cold = {}
    # joblib restarts its loky workers when their thread limits change, so the two
    # loky configurations are not interleaved: "loky, all cores" runs last.
    blocks = [[n for n in configs if n != "loky, all cores"],
              [n for n in configs if n == "loky, all cores"]]
    for block in blocks:
        for round_ in range(cfg.repeats + 1):
            for name in block:
                backend, n_jobs = configs[name]
                one = name == "n_jobs=1, 1 thread"
                start = time.perf_counter()
                with parallel_config(**backend), (
                    torch_threads(1) if one else nullcontext()
                ):
                    search(X, y, cfg, n_jobs)
                elapsed = time.perf_counter() - start
                if round_ == 0:
                    cold[name] = elapsed
                else:
                    times[name].append(elapsed)
    base = median(times["n_jobs=1"])
    print(f"{'configuration':19} {'torch threads/fit':>17} {'time':>9} "
          f"{'speed-up':>9} {'first run':>10}")
    threads = {
        "n_jobs=1": torch.get_num_threads(),
        "n_jobs=1, 1 thread": 1,
        "loky": max(cores // cfg.n_jobs, 1),
        "loky, all cores": cores,
        "threading": 1,
    }
    for name in configs:
        med = median(times[name])
        print(f"{name:19} {threads[name]:>17} {med:8.2f}s {base / med:8.2f}x "
              f"{cold[name]:9.2f}s", flush=True)
    loky = median(times["loky"])
    print(f"speed-up of n_jobs={cfg.n_jobs} (loky) over n_jobs=1: {base / loky:.2f}x "
          f"(over n_jobs=1 with one torch thread: "
          f"{median(times['n_jobs=1, 1 thread']) / loky:.2f}x)")


if __name__ == "__main__":
    main()
