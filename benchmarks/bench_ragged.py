"""Cost of sequences of different lengths against the same sequences padded.

The same sequences, lengths drawn uniformly between ``--min-length`` and
``--max-length``, are fed to ``RecurrentRegressor`` in two forms:

- ``padded``: one 3-D array, every sequence zero-padded at the end to the longest,
  read without packing (what a user without ragged support does; the padding is
  read as data, so the model is not even the same);
- ``ragged``: the list of arrays of their true lengths. skrnn pads each batch to
  its longest sequence and reads every sequence at its true end (a unidirectional
  network; with ``--bidirectional``, on the CPU, the backward direction reads each
  sequence reversed within its length), and draws the training batches from buckets
  sorted by length (prediction sorts by length).

Both fit the same number of epochs with shuffled batches of the same size, and
predict once. Candidates run interleaved, ``--repeats`` times; the table gives the
median CPU time (one torch thread) of each and the ragged/padded ratio. The target
is ragged at most 1.30 times padded. Run::

    python benchmarks/bench_ragged.py              # the full table, a few minutes
    python benchmarks/bench_ragged.py --smoke      # seconds; what CI runs
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _common import format_ratio, interleaved, median, print_header

from skrnn import RecurrentRegressor


def make_ragged(n, min_length, max_length, features, seed=0):
    rng = np.random.RandomState(seed)
    lengths = rng.randint(min_length, max_length + 1, size=n)
    X = [rng.normal(size=(length, features)).astype(np.float32) for length in lengths]
    y = np.array([x[:, 0].mean() for x in X], dtype=np.float32)
    padded = np.zeros((n, max_length, features), dtype=np.float32)
    for i, x in enumerate(X):
        padded[i, : len(x)] = x
    return X, padded, y


def _estimator(cfg):
    return RecurrentRegressor(
        cell=cfg.cell, hidden_size=cfg.hidden_size, max_epochs=cfg.epochs,
        bidirectional=cfg.bidirectional,
        batch_size=cfg.batch_size, normalize_y=False, random_state=0,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="sequences")
    parser.add_argument("--min-length", type=int, default=20)
    parser.add_argument("--max-length", type=int, default=100)
    parser.add_argument("--features", type=int, default=4)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--batch-sizes", default="32,128")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bidirectional", action="store_true",
                        help="bidirectional layers (the backward direction reads each "
                             "sequence reversed within its length)")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.epochs, cfg.repeats = 256, 1, 1
        cfg.cells, cfg.batch_sizes = "gru", "64"
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
    print_header(
        "ragged: sequences of different lengths against the same padded",
        f"{cfg.n} sequences of {cfg.min_length}..{cfg.max_length} steps x "
        f"{cfg.features} feature(s), hidden {cfg.hidden_size}"
        f"{', bidirectional' if cfg.bidirectional else ''}, {cfg.epochs} epoch(s) "
        "of shuffled batches, then one predict",
        f"median CPU time of {cfg.repeats} interleaved repeat(s), one torch thread; "
        "ratio to padded (target for ragged: <= 1.30x)",
    )
    X, padded, y = make_ragged(cfg.n, cfg.min_length, cfg.max_length, cfg.features)
    print(f"{'cell':5} {'batch':>5} {'stage':>7} {'padded':>16} {'ragged':>16}")
    worst = 0.0
    for cell in cfg.cells.split(","):
        for batch_size in map(int, cfg.batch_sizes.split(",")):
            cfg.cell, cfg.batch_size = cell, batch_size
            fitted = {}

            def fit(name, data, rows=slice(None), fitted=fitted):
                fitted[name] = _estimator(cfg).fit(data, y[rows])

            fit("padded", padded[:64], slice(64))  # warm up
            fit("ragged", X[:64], slice(64))
            times = interleaved(
                {"padded": lambda: fit("padded", padded),
                 "ragged": lambda: fit("ragged", X)},
                cfg.repeats, time.process_time,
            )
            predict_times = interleaved(
                {"padded": lambda fitted=fitted: fitted["padded"].predict(padded),
                 "ragged": lambda fitted=fitted: fitted["ragged"].predict(X)},
                cfg.repeats, time.process_time,
            )
            for stage, measured in (("fit", times), ("predict", predict_times)):
                base = median(measured["padded"])
                ratio = median(measured["ragged"]) / base
                worst = max(worst, ratio)
                print(f"{cell:5} {batch_size:5d} {stage:>7} "
                      f"{format_ratio(base, base):>16} "
                      f"{format_ratio(median(measured['ragged']), base):>16}",
                      flush=True)
    print(f"worst ragged / padded: {worst:.2f}x")


if __name__ == "__main__":
    main()
