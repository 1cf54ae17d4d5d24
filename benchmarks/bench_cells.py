"""The comparative study's claims about LSTM, GRU and RNN, measured.

The study that motivates skrnn claims that a GRU has fewer trainable parameters
than an LSTM, uses less memory and trains faster, and that an LSTM is more accurate
on larger data. This script measures, for each cell at two hidden sizes, two depths
and two amounts of training data:

- ``params``: trainable parameters of the fitted network;
- ``s/epoch``: CPU time per epoch of ``fit`` (one torch thread by default);
- ``peak MiB``: peak resident memory during ``fit`` above that before it (``VmHWM``
  after resetting it through ``/proc/self/clear_refs``; glibc's mmap threshold is
  fixed at 64 KiB so that freed memory is returned and the peak is memory in use;
  Linux only, NaN elsewhere);
- ``R2``: the coefficient of determination on held-out sequences.

The task is the adding problem, a standard test of memory over time: each time step
holds a random value and a marker, two steps are marked, and the target is the sum
of the two marked values; a network must carry the first one through the sequence.
Ratios are to the LSTM of the same size, depth and data. Every network trains for
the same number of epochs with Adam, ``random_state=0``. Run::

    python benchmarks/bench_cells.py               # the full table, about 6 minutes
    python benchmarks/bench_cells.py --smoke       # seconds; what CI runs
"""

import argparse
import itertools
import math
import time
import warnings

import numpy as np
import torch
from _common import fix_mmap_threshold, print_header, read_status_kib, reset_peak_rss

from skrnn import RecurrentRegressor

MIB = 2**20


def adding_problem(n, timesteps, seed):
    """(value, marker) sequences; the target is the sum of the two marked values."""
    rng = np.random.RandomState(seed)
    values = rng.uniform(size=(n, timesteps))
    markers = np.zeros((n, timesteps))
    first = rng.randint(0, timesteps // 2, size=n)
    second = rng.randint(timesteps // 2, timesteps, size=n)
    markers[np.arange(n), first] = 1
    markers[np.arange(n), second] = 1
    X = np.stack([values, markers], axis=2).astype(np.float32)
    y = values[np.arange(n), first] + values[np.arange(n), second]
    return X, y


def measure(est, X, y, X_test, y_test, memory):
    """Fit ``est``; return (parameters, CPU seconds per epoch, peak bytes, R2)."""
    if memory:
        reset_peak_rss()
        before = read_status_kib("VmRSS")
    start = time.process_time()
    est.fit(X, y)
    seconds = time.process_time() - start
    peak = read_status_kib("VmHWM") - before if memory else math.nan
    params = sum(p.numel() for p in est.module_.parameters() if p.requires_grad)
    return params, seconds / est.n_iter_, peak, est.score(X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-sizes", default="1000,10000",
                        help="training sequences: the smaller and larger data")
    parser.add_argument("--test-size", type=int, default=2000)
    parser.add_argument("--timesteps", type=int, default=30)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--hidden-sizes", default="32,128")
    parser.add_argument("--layers", default="1,2")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.train_sizes, cfg.test_size, cfg.timesteps = "100,200", 100, 8
        cfg.hidden_sizes, cfg.layers, cfg.epochs = "8", "1,2", 2
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
    memory = fix_mmap_threshold() and reset_peak_rss()

    print_header(
        "cells: parameters, time per epoch, peak memory and score of LSTM, GRU, RNN",
        f"adding problem, {cfg.timesteps} steps x 2 features; {cfg.test_size} test "
        f"sequences; {cfg.epochs} epochs, batch {cfg.batch_size}, Adam lr {cfg.lr}, "
        "random_state=0",
        "s/epoch: CPU time; peak: resident memory during fit above that before it; "
        "ratios (x) to the LSTM of the same row group",
    )
    cells = cfg.cells.split(",")
    sizes = [int(n) for n in cfg.train_sizes.split(",")]
    X_all, y_all = adding_problem(max(sizes) + cfg.test_size, cfg.timesteps, seed=0)
    X_test, y_test = X_all[-cfg.test_size:], y_all[-cfg.test_size:]
    # torch's one-time costs, paid before the first measured fit
    RecurrentRegressor(max_epochs=1, hidden_size=4).fit(X_test[:64], y_test[:64])

    print(f"{'n_train':>7} {'hidden':>6} {'layers':>6} {'cell':>4} {'params':>15} "
          f"{'s/epoch':>14} {'peak MiB':>15} {'R2':>6}")
    summary = {cell: {"params": [], "time": [], "memory": []} for cell in cells}
    scores = {}
    for n, hidden, layers in itertools.product(
        sizes, [int(h) for h in cfg.hidden_sizes.split(",")],
        [int(k) for k in cfg.layers.split(",")],
    ):
        rows = {}
        for cell in cells:
            est = RecurrentRegressor(
                cell=cell, hidden_size=hidden, num_layers=layers, max_epochs=cfg.epochs,
                n_iter_no_change=cfg.epochs + 1, batch_size=cfg.batch_size, lr=cfg.lr,
                random_state=0,
            )
            rows[cell] = measure(est, X_all[:n], y_all[:n], X_test, y_test, memory)
        ref = rows.get("lstm", rows[cells[0]])
        for cell, (params, per_epoch, peak, score) in rows.items():
            ratios = (params / ref[0], per_epoch / ref[1],
                      peak / ref[2] if ref[2] else math.nan)
            for key, value in zip(("params", "time", "memory"), ratios, strict=True):
                summary[cell][key].append(value)
            scores[(n, hidden, layers, cell)] = score
            print(f"{n:>7} {hidden:>6} {layers:>6} {cell:>4} {params:>8} "
                  f"{ratios[0]:5.2f}x {per_epoch:7.3f}s {ratios[1]:5.2f}x "
                  f"{peak / MIB:8.1f} {ratios[2]:5.2f}x {score:6.3f}", flush=True)
    if "lstm" in cells and "gru" in cells:
        for n in sizes:
            gaps = [scores[(n, h, k, "lstm")] - scores[(n, h, k, "gru")]
                    for (m, h, k, c) in scores if m == n and c == "lstm"]
            print(f"R2 of lstm - gru with {n} training sequences: "
                  f"{min(gaps):+.3f} to {max(gaps):+.3f}")
    for cell in cells:
        if cell == "lstm":
            continue
        parts = [f"{what} {min(v):.2f}-{max(v):.2f}x"
                 for what, v in summary[cell].items()]
        print(f"{cell} / lstm over all rows: " + ", ".join(parts))

if __name__ == "__main__":
    main()
