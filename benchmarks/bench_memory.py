"""Peak memory of windowing a long series and fitting on it: lazy against materialised.

A series of ``--rows`` x ``--features`` float32 observations is cut into windows of
``--window`` steps and a small recurrent regressor is fitted on them for one epoch:

- ``lazy``: ``SlidingWindow(window).fit_transform(series)``, a ``WindowedSeries``
  holding the series once; the estimator copies one batch of windows at a time;
- ``materialised``: the same windows as one contiguous array
  (``np.ascontiguousarray(make_windows(...))``), what windowing by copying gives.
  At full size that is ``window`` times the series (about 16 GB for 2,000,000 x 8
  x 256), so it runs on ``1/--reduce`` of the rows, next to the lazy windows at the
  same size;
- ``model + batch``: the lazy path on a tiny series with just over one batch of
  windows: what the model, its optimizer and one batch of activations need;
- ``raw loop``: a hand-written PyTorch loop over the same windows of the full
  series (a view of the series, a permutation, one gather per batch, the same
  network and optimizer): what any training loop over these windows needs, under
  the same allocator.

Each configuration runs in a fresh Python process. It creates the series and the
targets, fits once on a few windows (torch's one-time allocations), then resets the
peak resident set size (``/proc/self/clear_refs``) and records how far ``VmHWM``
rises above the resident size at that point while windowing and fitting. The
table gives that peak, the peak beyond ``model + batch``, and the latter as a
multiple of the series' size (target for lazy windows: below 0.5). Linux only.

The measured processes run with glibc's mmap threshold fixed at 64 KiB
(``MALLOC_MMAP_THRESHOLD_``), so that the memory of each batch, freed when the next
one starts, goes back to the system and the peak counts memory in use. With glibc's
default, dynamic threshold (``--malloc default``), freed batches stay in the heap
and fragment it: the peak then rises with the number of batches (by about 100 MiB
over 100 batches of 4096 windows of 256 x 8), in any PyTorch training loop, and
independently of how the windows are held.
Run::

    python benchmarks/bench_memory.py              # full size, about 3 minutes
    python benchmarks/bench_memory.py --smoke      # seconds; what CI runs
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
from _common import print_header, read_status_kib, reset_peak_rss

MIB = 2**20


def child(cfg):
    """Window and fit in this (fresh) process; print the measurements as JSON."""
    import torch

    from skrnn import RecurrentRegressor
    from skrnn.preprocessing import SlidingWindow, make_windows

    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    series = rng.standard_normal((cfg.rows, cfg.features)).astype(np.float32)
    y = series[:, 0].copy()  # the target of row t: the first feature at time t

    def estimator():
        return RecurrentRegressor(cell=cfg.cell, hidden_size=cfg.hidden_size,
                                  max_epochs=1, batch_size=cfg.batch_size,
                                  normalize_y=False, random_state=0)

    warm = SlidingWindow(window=4).fit_transform(series[:64])
    estimator().fit(warm, y[:64])  # torch's one-time allocations, not measured
    del warm
    measured = reset_peak_rss()
    before = read_status_kib("VmRSS")
    start = time.perf_counter()
    if cfg.kind == "raw":
        raw_epoch(cfg, series, y)
        n_windows = cfg.rows - cfg.window
    else:
        if cfg.kind == "materialised":
            windows, targets = make_windows(series, y, window=cfg.window)
            X, y_fit = np.ascontiguousarray(windows), targets
        else:
            X, y_fit = SlidingWindow(window=cfg.window).fit_transform(series), y
        estimator().fit(X, y_fit)
        n_windows = int(X.shape[0])
    seconds = time.perf_counter() - start
    peak = read_status_kib("VmHWM") - before
    print(json.dumps({
        "peak": peak if measured else None,
        "series": series.nbytes,
        "windows": n_windows,
        "seconds": seconds,
    }))


def raw_epoch(cfg, series, y):
    """One epoch of a hand-written PyTorch loop over the same windows: the series
    as a tensor, a random permutation, one gather per batch, the same network,
    loss and optimizer. What any training loop over these windows needs."""
    import torch

    from skrnn import RecurrentNet

    torch.manual_seed(0)
    module = RecurrentNet(input_size=cfg.features, output_size=1, cell=cfg.cell,
                          hidden_size=cfg.hidden_size)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    windows = torch.from_numpy(series).unfold(0, cfg.window, 1)  # a view
    targets = torch.from_numpy(y)
    n = len(series) - cfg.window  # window i ends before row i + window, its target
    order = torch.randperm(n)
    for start in range(0, n, cfg.batch_size):
        rows = order[start : start + cfg.batch_size]
        xb = windows.index_select(0, rows).transpose(1, 2)
        yb = targets.index_select(0, rows + cfg.window)
        optimizer.zero_grad()
        loss = loss_fn(module(xb)[:, 0], yb)
        loss.backward()
        optimizer.step()


def run_child(cfg, kind, rows):
    args = [sys.executable, os.path.abspath(__file__), "--child", kind,
            "--rows", str(rows)]
    for name in ("features", "window", "cell", "hidden_size", "batch_size", "threads"):
        args += [f"--{name.replace('_', '-')}", str(getattr(cfg, name))]
    env = dict(os.environ)
    if cfg.malloc == "fixed":
        env["MALLOC_MMAP_THRESHOLD_"] = str(64 * 1024)
    result = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--reduce", type=int, default=10,
                        help="the materialised windows use rows // reduce")
    parser.add_argument("--cell", default="rnn")
    parser.add_argument("--hidden-size", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--malloc", choices=["fixed", "default"], default="fixed",
                        help="glibc's mmap threshold in the measured processes: "
                        "fixed at 64 KiB (freed batches go back to the OS) or "
                        "glibc's default (dynamic: freed batches stay in the heap)")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    parser.add_argument("--child", choices=["lazy", "materialised", "raw"],
                        help=argparse.SUPPRESS)
    cfg = parser.parse_args(argv)
    if cfg.child:
        cfg.kind = cfg.child
        return child(cfg)
    if cfg.smoke:
        cfg.rows, cfg.window, cfg.batch_size, cfg.reduce = 40_000, 32, 512, 4
    import torch

    torch.set_num_threads(cfg.threads)  # what the children do, for the header
    if not os.path.exists("/proc/self/clear_refs"):
        sys.exit("bench_memory.py measures resident memory through /proc (Linux).")

    small = cfg.rows // cfg.reduce
    tiny = cfg.batch_size + cfg.window + 1  # just over one batch of windows
    print_header(
        "memory: windowing a series and fitting one epoch, lazy against materialised",
        f"series {cfg.rows} x {cfg.features} float32, window {cfg.window}; "
        f"{cfg.cell} hidden {cfg.hidden_size}, batch {cfg.batch_size}, 1 epoch",
        "peak resident memory while windowing and fitting, above the resident memory "
        "once the series exists (VmHWM - VmRSS, each in a fresh process)",
        "target: lazy windows add < 0.5x the series beyond model + batch",
        "glibc malloc: "
        + ("MALLOC_MMAP_THRESHOLD_=65536, so memory freed after each batch goes back "
           "to the OS and the peak is memory in use"
           if cfg.malloc == "fixed" else
           "its defaults; its dynamic mmap threshold keeps freed batches in the heap, "
           "which raises the peak by an amount that grows with the number of batches, "
           "not with the data"),
    )
    runs = [
        ("model + batch", "lazy", tiny),
        ("raw loop", "raw", cfg.rows),
        ("lazy", "lazy", cfg.rows),
        ("lazy", "lazy", small),
        ("materialised", "materialised", small),
    ]
    results = []
    for label, kind, rows in runs:
        results.append((label, rows, run_child(cfg, kind, rows)))
    base = results[0][2]["peak"]
    print(f"{'windows':14} {'rows':>9} {'series':>10} {'as arrays':>11} "
          f"{'peak':>11} {'- model+batch':>14} {'/ series':>9} {'fit':>8}")
    extra = {}
    for label, rows, r in results:
        as_arrays = r["series"] * cfg.window
        beyond = r["peak"] - base
        extra[(label, rows)] = beyond
        print(f"{label:14} {rows:>9} {r['series'] / MIB:8.1f}MiB "
              f"{as_arrays / MIB:9.0f}MiB {r['peak'] / MIB:9.1f}MiB "
              f"{beyond / MIB:12.1f}MiB {beyond / r['series']:8.2f}x "
              f"{r['seconds']:7.1f}s", flush=True)
    lazy_small = max(extra[("lazy", small)], 1)
    beyond_raw = extra[("lazy", cfg.rows)] - extra[("raw loop", cfg.rows)]
    print(f"skrnn's fit on the lazy windows peaks {beyond_raw / MIB:+.1f} MiB "
          f"({beyond_raw / results[1][2]['series']:+.2f}x the series) against a "
          "hand-written PyTorch loop over the same windows")
    print(f"lazy windows of the full series add {extra[('lazy', cfg.rows)] / MIB:.1f} "
          f"MiB beyond model + batch: "
          f"{extra[('lazy', cfg.rows)] / results[2][2]['series']:.2f}x the series "
          f"(target < 0.5x); at 1/{cfg.reduce} of the rows, materialised windows "
          f"need {extra[('materialised', small)] / lazy_small:.0f}x what lazy ones do")


if __name__ == "__main__":
    main()
