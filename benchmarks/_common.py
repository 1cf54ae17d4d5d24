"""What the benchmark scripts share: the header, the data, timing and memory helpers.

Not part of skrnn: the scripts import it from their own folder.
"""

import ctypes
import gc
import os
import platform
import statistics
import sys
import time

import numpy as np
import sklearn
import skorch
import torch

import skrnn
from skrnn.compare._measure import _read_proc_status, _reset_peak_rss, _trim_heap


def cpu_name():
    """The CPU's model name (Linux), or what the platform module says."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def print_header(title, *lines):
    """Print ``#`` lines: what ran, on what, with which versions and thread settings."""
    env = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                      "SKRNN_NUM_THREADS") if k in os.environ}
    gpu = (torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")
    print(f"# {title}")
    print(f"# skrnn {skrnn.__version__}, torch {torch.__version__}, skorch "
          f"{skorch.__version__}, scikit-learn {sklearn.__version__}, numpy "
          f"{np.__version__}, Python {platform.python_version()}")
    print(f"# CPU: {cpu_name()}, {available_cores()} core(s) available; GPU: {gpu}")
    print(f"# torch threads: intra-op {torch.get_num_threads()}, inter-op "
          f"{torch.get_num_interop_threads()}; environment: "
          f"{', '.join(f'{k}={v}' for k, v in env.items()) or 'no thread variables'}")
    for line in lines:
        print(f"# {line}")
    sys.stdout.flush()


def make_sequences(n, timesteps, features, seed=0):
    """Random sequences and a target that depends on all of them (float32)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, timesteps, features)).astype(np.float32)
    y = X[:, :, 0].mean(axis=1, keepdims=True).astype(np.float32)
    return X, y


def interleaved(candidates, repeats, clock=time.process_time):
    """Run each candidate once per round, ``repeats`` rounds; times per candidate.

    Interleaving spreads any change of the machine's load over all candidates,
    so ratios of medians hold up on a busy machine better than the times do.
    """
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            start = clock()
            run()
            times[name].append(clock() - start)
    return times


def median(values):
    return statistics.median(values)


def format_ratio(seconds, base, unit=None):
    """``"  1.23s 1.05x"``: a time and its ratio to ``base`` (unit chosen by size)."""
    if unit is None:
        unit = "s" if base >= 1 else "ms" if base >= 1e-3 else "us"
    scale = {"s": 1, "ms": 1e3, "us": 1e6}[unit]
    return f"{seconds * scale:7.2f}{unit:<2} {seconds / base:5.2f}x"


# -- resident memory (Linux) ----------------------------------------------------------


def read_status_kib(field):
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in bytes."""
    value = _read_proc_status(field)
    if value is None:
        raise KeyError(field)
    return value


def reset_peak_rss():
    """Make ``VmHWM`` restart from the current resident size; False if refused.

    Freed memory is collected and handed back to the system first, as
    :func:`skrnn.compare_cells` does before each measured fit.
    """
    gc.collect()
    _trim_heap()
    return _reset_peak_rss()


def fix_mmap_threshold(nbytes=64 * 1024):
    """Fix glibc's mmap threshold (``mallopt``), so that freed blocks go back to the OS.

    glibc raises its threshold each time a large block is freed, after which such
    blocks stay in the heap: peaks of resident memory then count memory no longer in
    use. Returns False where glibc's ``mallopt`` is not available.
    """
    try:
        return bool(ctypes.CDLL(None).mallopt(-3, nbytes))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False
