"""Fit time with skrnn's thread policy, alone and beside a busy process.

Three fits, each with three thread settings:

- ``small``: ``GRURegressor(hidden_size=16)`` on ``--n`` (256) sequences of 24 steps;
- ``italy``: the default ``RecurrentClassifier`` on ItalyPowerDemand (67 training
  sequences of 24 steps; ``--epochs`` epochs, 200 being the default);
- ``large``: ``GRURegressor(hidden_size=256)`` on 256 sequences of ``--long``
  (100) steps, 2 epochs;

and the settings ``skrnn``: ``n_threads=None``, the default (one thread for the
small networks, torch's setting, one per core, for the large one); ``all
cores``: ``n_threads`` = the cores available, what a script got before skrnn had
a thread policy; ``1 thread``: ``n_threads=1``.

Each fit runs alone and beside one busy process (a Python loop spinning on one
core, started before and stopped after the fit), in interleaved rounds; the
table gives the median wall time of each and the ratio busy / alone (target for
the default on the small fits: at most 1.3). For the large fit it also gives the
speed-up of ``all cores`` over ``1 thread`` alone: the default must keep it. The
machine's load average is printed first and last: other processes count too.
Run::

    python benchmarks/bench_threads.py            # the full table, a few minutes
    python benchmarks/bench_threads.py --smoke    # seconds; what CI runs
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
from _common import available_cores, print_header

from skrnn import GRURegressor, RecurrentClassifier
from skrnn.datasets import load_italy_power_demand

BURN = "while True: pass"


def problems(cfg):
    """``name -> (make_estimator(n_threads), X, y)``."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(cfg.n, 24, 1)).astype(np.float32)
    y = X[:, :, 0].mean(axis=1)
    X_long = rng.normal(size=(cfg.n, cfg.long, 1)).astype(np.float32)
    y_long = X_long[:, :, 0].mean(axis=1)
    X_italy, y_italy = load_italy_power_demand(split="train", return_X_y=True)
    return {
        "small": (lambda t: GRURegressor(hidden_size=16, max_epochs=cfg.epochs,
                                         random_state=0, n_threads=t), X, y),
        "italy": (lambda t: RecurrentClassifier(max_epochs=cfg.epochs,
                                                random_state=0, n_threads=t),
                  X_italy, y_italy),
        "large": (lambda t: GRURegressor(hidden_size=256, max_epochs=2,
                                         random_state=0, n_threads=t),
                  X_long, y_long),
    }


def timed_fit(make, X, y, n_threads, busy):
    burner = None
    if busy:
        burner = subprocess.Popen([sys.executable, "-c", BURN])
        time.sleep(0.2)  # let it reach the CPU
    try:
        start = time.perf_counter()
        make(n_threads).fit(X, y)
        return time.perf_counter() - start
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256, help="sequences (small, large)")
    parser.add_argument("--epochs", type=int, default=50,
                        help="epochs of the small and the ItalyPowerDemand fits")
    parser.add_argument("--long", type=int, default=100, help="steps (large)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fits", default="small,italy,large")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.epochs, cfg.long, cfg.repeats, cfg.fits = 64, 2, 10, 1, "small"
    warnings.simplefilter("ignore")  # ConvergenceWarning
    cores = available_cores()
    load = os.getloadavg()
    print_header(
        "threads: fit time alone and beside one busy process",
        f"settings: skrnn = n_threads=None (default), all cores = n_threads={cores}, "
        "1 thread = n_threads=1; median wall time of "
        f"{cfg.repeats} interleaved round(s); busy: one process spinning on a core",
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"({cores} cores)",
    )
    settings = {"skrnn": None, "all cores": cores, "1 thread": 1}
    print(f"{'fit':6} {'setting':10} {'alone':>9} {'busy':>9} {'busy/alone':>10}")
    for name in cfg.fits.split(","):
        make, X, y = problems(cfg)[name]
        make(None).set_params(max_epochs=1).fit(X[:32], y[:32])  # warm up
        times = {(s, b): [] for s in settings for b in (False, True)}
        for _ in range(cfg.repeats):
            for busy in (False, True):
                for setting, n_threads in settings.items():
                    times[setting, busy].append(timed_fit(make, X, y, n_threads, busy))
        med = {k: statistics.median(v) for k, v in times.items()}
        for setting in settings:
            alone, busy = med[setting, False], med[setting, True]
            print(f"{name:6} {setting:10} {alone:8.2f}s {busy:8.2f}s "
                  f"{busy / alone:9.2f}x", flush=True)
        if name == "large":
            print(f"large: all cores / 1 thread alone: "
                  f"{med['1 thread', False] / med['all cores', False]:.2f}x speed-up; "
                  f"skrnn default / 1 thread: "
                  f"{med['1 thread', False] / med['skrnn', False]:.2f}x", flush=True)
    load = os.getloadavg()
    print(f"# load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
