"""Memory of windowing a long univariate series and predicting on its windows.

A series of ``--rows`` float32 observations (one feature) is windowed with
``SlidingWindow(--window)`` and a tiny fitted regressor predicts on all its
windows. Each figure comes from a fresh Python process, measured after a warm-up
on a short series:

- ``transform``: the peak of memory allocated through Python's allocators
  (``tracemalloc``, which sees NumPy's arrays) during ``transform``, beyond its
  result (the series is the caller's; the windows hold a view of it). Target:
  under 1 MiB, i.e. no index array as long as the series;
- ``predict``: how far the resident set size (``VmHWM``, reset before, Linux only)
  rises during ``predict``, next to the size of its output and of one batch of
  windows with the network's activations (``batch_size`` windows of ``window``
  steps through the network, measured as the rise of one predict on a single
  batch). Target: ``predict - output - one batch`` near zero.

Run::

    python benchmarks/bench_window_memory.py               # 5,000,000 rows, ~1 min
    python benchmarks/bench_window_memory.py --smoke       # seconds
"""

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
from _common import print_header, read_status_kib, reset_peak_rss

MIB = 2**20


def child(cfg):
    """Measure in this (fresh) process; print the figures as JSON."""
    import torch

    from skrnn import GRURegressor
    from skrnn.preprocessing import SlidingWindow

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    series = np.random.RandomState(0).standard_normal((cfg.rows, 1)).astype(np.float32)
    window = SlidingWindow(window=cfg.window)  # warns of the first rows (ignored)
    short = window.fit_transform(series[:256])
    reg = GRURegressor(hidden_size=4, max_epochs=1, batch_size=cfg.batch_size,
                       random_state=0).fit(short, series[:256, 0])
    reg.predict(short)  # one-time allocations, not measured
    out = {}
    if cfg.child == "transform":
        tracemalloc.start()
        windows = window.transform(series)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out["transform"] = peak
        out["rows"] = len(windows)
    else:
        windows = window.transform(series)
        if cfg.child == "batch":
            windows = windows[cfg.window : cfg.window + cfg.batch_size]
        reset_peak_rss()
        before = read_status_kib("VmRSS")
        start = time.perf_counter()
        pred = reg.predict(windows)
        out["seconds"] = time.perf_counter() - start
        out["rise"] = read_status_kib("VmHWM") - before
        out["output"] = pred.nbytes
    print(json.dumps(out))


def run_child(cfg, what):
    args = [sys.executable, os.path.abspath(__file__), "--child", what,
            "--rows", str(cfg.rows), "--window", str(cfg.window),
            "--batch-size", str(cfg.batch_size)]
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(64 * 1024),
           "OMP_NUM_THREADS": "1"}
    result = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--window", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--child", choices=["transform", "predict", "batch"])
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.rows = 200_000
    if cfg.child:
        return child(cfg)
    print_header(
        "Windows over a long series: memory of transform and predict",
        f"{cfg.rows:,} rows x 1 feature (float32, {cfg.rows * 4 / MIB:.1f} MiB), "
        f"window={cfg.window}, batch_size={cfg.batch_size}",
    )
    transform = run_child(cfg, "transform")
    predict = run_child(cfg, "predict")
    batch = run_child(cfg, "batch")
    extra = predict["rise"] - predict["output"] - batch["rise"]
    print(f"transform, beyond its result:       {transform['transform'] / MIB:8.3f} MiB"
          "   (target: < 1 MiB)")
    print(f"predict, rise of resident memory:   {predict['rise'] / MIB:8.1f} MiB"
          f"   in {predict['seconds']:.2f} s")
    print(f"  its output:                       {predict['output'] / MIB:8.1f} MiB")
    print(f"  one batch (predict on one batch): {batch['rise'] / MIB:8.1f} MiB")
    print(f"  beyond output + one batch:        {extra / MIB:8.1f} MiB"
          f"   ({predict['rise'] / predict['output']:.2f} x the output)")


if __name__ == "__main__":
    main()
