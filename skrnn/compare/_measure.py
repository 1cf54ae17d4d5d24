"""What is measured inside each fit of a comparison: peak memory, parameters, progress.

Everything here runs where the fit runs. :func:`~skrnn.compare.compare_cells` appends a
:class:`FitProbe` to the recurrent estimator's skorch ``callbacks``; the probe measures
the fit's peak memory between skorch's ``on_train_begin`` and ``on_train_end`` and
keeps the number on itself, inside the fitted estimator, where the comparison's scorer
reads it back on the same worker. Nothing has to travel back to the parent process
except the scores, so the measurement works in any joblib backend, processes on other
machines included.

What "peak memory" means depends on where the fit runs (:data:`MEMORY_METHODS`):

- on a CUDA device, the largest amount of CUDA memory held by tensors during the
  fit, above what was held when it started (``torch.cuda.max_memory_allocated``
  after ``torch.cuda.reset_peak_memory_stats``);
- on the CPU on Linux, the growth of the process's resident memory: its peak
  resident set size during the fit (``VmHWM`` in ``/proc/self/status``, reset at
  the start of the fit by writing ``5`` to ``/proc/self/clear_refs``) minus its
  resident set size when the fit started. Freed heap memory is first handed back to
  the operating system (glibc's ``malloc_trim``), so memory that earlier fits
  allocated and released does not hide what this fit needs;
- elsewhere (or where ``clear_refs`` cannot be written), the largest resident set
  size sampled every 5 ms during the fit, minus that at its start: a lower bound,
  read from ``/proc/self/statm`` or, if it is installed, psutil;
- NaN where none of these is available.

The CPU numbers are the whole process's: the data, the network, its gradients,
the optimizer state, the activations kept for backpropagation and the allocator's
overhead. With joblib's threading backend, fits running at the same time share the
process, so their numbers cannot be told apart (each measures the whole process, and
the start of one fit resets the peak another is measuring): use processes (joblib's
default backend) or ``n_jobs=1`` for memory numbers.

The first fit in a fresh process also pays for torch's one-time initialisation
(about a second and close to 100 MB on a CPU). :func:`warm_up` pays it ahead of time:
:func:`~skrnn.compare.compare_cells` calls it in the calling process, and a probe that
arrives, not yet used, in another process (unpickled by a joblib worker) calls it
there, before the worker starts timing the fit.
"""

import ctypes
import math
import os
import sys
import threading
import time
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from skorch.callbacks import Callback

from ..nn import count_parameters

__all__ = [
    "MEMORY_METHODS",
    "PROBE_NAME",
    "FitProbe",
    "count_parameters",
    "fit_listener",
    "measure_peak_memory",
    "warm_up",
]

#: The name under which the probe sits among the net's callbacks.
PROBE_NAME = "skrnn_compare_probe"

#: How the peak memory of a fit was measured, by the code recorded with it.
MEMORY_METHODS = {
    0: "not measured (no method available on this platform)",
    1: "peak CUDA memory allocated by tensors during the fit, above that at its "
    "start (torch.cuda.max_memory_allocated)",
    2: "peak resident memory of the process during the fit (VmHWM) minus its "
    "resident memory at the start of the fit",
    3: "largest resident memory of the process sampled every 5 ms during the "
    "fit, minus that at its start (a lower bound)",
}

_SAMPLE_INTERVAL = 0.005


# -- peak memory -------------------------------------------------------------------


def _read_proc_status(field):
    """A ``kB`` field of ``/proc/self/status`` in bytes, or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_peak_rss():
    """Reset the process's peak resident set size (Linux); False where refused."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


_libc_trim = None


def _trim_heap():
    """Hand freed heap memory back to the OS (glibc ``malloc_trim``), if possible."""
    global _libc_trim
    if _libc_trim is None:
        _libc_trim = False
        if sys.platform.startswith("linux"):
            try:
                _libc_trim = ctypes.CDLL(None).malloc_trim
            except (OSError, AttributeError):
                pass
    if _libc_trim:
        _libc_trim(0)


def _rss_reader():
    """A function returning the current resident set size in bytes, or None."""
    if os.path.exists("/proc/self/statm"):
        page = os.sysconf("SC_PAGE_SIZE")

        def read():
            with open("/proc/self/statm") as statm:
                return int(statm.read().split()[1]) * page

        return read
    try:  # optional, never a dependency of skrnn
        import psutil
    except ImportError:
        return None
    process = psutil.Process()
    return lambda: process.memory_info().rss


class _Sampler(threading.Thread):
    """Poll the resident set size in the background and keep the largest value."""

    def __init__(self, read):
        super().__init__(daemon=True)
        self.read = read
        self.peak = read()
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(_SAMPLE_INTERVAL):
            self.peak = max(self.peak, self.read())

    def stop(self):
        self.done.set()
        self.join()
        return max(self.peak, self.read())


class _MemoryMeter:
    """Measure the peak memory between :meth:`start` and :meth:`stop`."""

    def __init__(self, device):
        self.device = torch.device(device)

    def start(self):
        self.method, self.state = 0, None
        if self.device.type == "cuda" and torch.cuda.is_available():
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.method, self.state = 1, torch.cuda.memory_allocated(self.device)
            return
        _trim_heap()
        rss = _read_proc_status("VmRSS")
        if rss is not None and _reset_peak_rss():
            self.method, self.state = 2, rss
            return
        read = _rss_reader()
        if read is not None:
            sampler = _Sampler(read)
            sampler.start()
            self.method, self.state = 3, (sampler.peak, sampler)

    def stop(self):
        """Return ``(peak_bytes, method_code)``; NaN bytes when not measured."""
        method, state = self.method, self.state
        self.state = None
        if method == 1:
            torch.cuda.synchronize(self.device)
            peak = torch.cuda.max_memory_allocated(self.device) - state
        elif method == 2:
            hwm = _read_proc_status("VmHWM")
            peak = math.nan if hwm is None else hwm - state
        elif method == 3:
            begin, sampler = state
            peak = sampler.stop() - begin
        else:
            peak = math.nan
        return float(max(peak, 0.0)), method


@contextmanager
def measure_peak_memory(device="cpu"):
    """Measure the peak memory used while the ``with`` block runs.

    Parameters
    ----------
    device : str or torch.device, default="cpu"
        Where the work happens: a CUDA device is measured through torch's CUDA
        allocator, anything else through the process's resident memory.

    Yields
    ------
    result : dict
        Filled in when the block ends: ``"peak_bytes"`` (float, NaN when it
        could not be measured) and ``"method"``, the description of what the
        number means (a value of :data:`MEMORY_METHODS`).

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn.compare._measure import measure_peak_memory
    >>> with measure_peak_memory() as memory:
    ...     block = np.ones(4_000_000)  # 32 MB
    >>> memory["peak_bytes"] >= 0
    True
    """
    meter = _MemoryMeter(device)
    result = {"peak_bytes": math.nan, "method": MEMORY_METHODS[0]}
    meter.start()
    try:
        yield result
    finally:
        peak, method = meter.stop()
        result.update(peak_bytes=peak, method=MEMORY_METHODS[method])


# -- warming torch up -------------------------------------------------------------

_warmed = set()
_warm_lock = threading.Lock()


def warm_up(device="cpu"):
    """Run each cell once, forwards and backwards, so later fits are measured warm.

    Does the work once per process and device; later calls return at once.

    Parameters
    ----------
    device : str or torch.device, default="cpu"
        The device to warm up; CUDA devices are skipped when CUDA is not
        available (the fit will say so).
    """
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        return
    key = (os.getpid(), str(device))
    with _warm_lock:
        if key in _warmed:
            return
        _warmed.add(key)
        _warm_up_estimators(device)


def _warm_up_estimators(device):
    """Fit and predict tiny estimators of each kind and cell, on ``device``."""
    from .._classification import RecurrentClassifier
    from .._regression import RecurrentRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, 3, 2)).astype(np.float32)
    y = np.arange(8) % 2
    with warnings.catch_warnings(), torch.random.fork_rng(devices=[]):
        warnings.simplefilter("ignore")
        for cls in (RecurrentClassifier, RecurrentRegressor):
            for cell in ("lstm", "gru", "rnn"):
                est = cls(
                    cell=cell,
                    hidden_size=4,
                    max_epochs=1,
                    batch_size=4,
                    random_state=0,
                    device=device,
                )
                est.fit(X, y).predict(X)


# -- progress ---------------------------------------------------------------------

_listener = None
_listener_lock = threading.Lock()


@contextmanager
def fit_listener(callback):
    """Call ``callback(description)`` whenever a probed fit ends in this process.

    Fits in other processes (joblib's process-based backends) are not seen.

    Parameters
    ----------
    callback : callable
        Called with a short description of the fit, such as ``"gru,
        hidden_size=16"``, from the thread that ran the fit.
    """
    global _listener
    previous = _listener
    _listener = (os.getpid(), callback)
    try:
        yield
    finally:
        _listener = previous


def _notify(description):
    listener = _listener
    if listener is not None and listener[0] == os.getpid():
        with _listener_lock:
            listener[1](description)


# -- the probe ---------------------------------------------------------------------


class FitProbe(Callback):
    """skorch callback that measures a fit from ``on_train_begin`` to ``on_train_end``.

    After the fit it holds the trainable parameter count of the module and the peak
    memory of the fit; it also tells a :func:`fit_listener` of this process that a
    fit ended.

    Parameters
    ----------
    device : str, default="cpu"
        The device of the estimator the probe is attached to; a probe unpickled, not
        yet used, in a fresh process warms that device up (:func:`warm_up`).

    Attributes
    ----------
    n_parameters_ : int
        Trainable parameters of the fitted module.
    peak_memory_ : float
        Peak memory of the last fit in bytes (NaN when not measurable).
    memory_method_ : int
        How it was measured, a key of :data:`MEMORY_METHODS`.
    """

    def __init__(self, device="cpu"):
        self.device = device

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "memory_method_" not in state:  # on its way to a fit in a worker
            try:
                warm_up(self.device)
            except (RuntimeError, ValueError):  # a bad device: the fit will say so
                pass

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.meter_ = _MemoryMeter(net.device)
        self.meter_.start()

    def on_train_end(self, net, X=None, y=None, **kwargs):
        meter, self.meter_ = self.meter_, None
        self.peak_memory_, self.memory_method_ = meter.stop()
        self.n_parameters_ = count_parameters(net.module_)
        _notify(_describe_net(net))


def _describe_net(net):
    params = net.get_params(deep=False)
    if "module__filters" in params:  # ConvLSTM / ConvGRU
        return f"conv {params.get('module__cell')}, filters={params['module__filters']}"
    return (
        f"{params.get('module__cell')}, hidden_size={params.get('module__hidden_size')}"
    )


class Progress:
    """Print "fit k of n, elapsed, time left" lines for a :func:`fit_listener`.

    Parameters
    ----------
    total : int
        The number of fits expected.
    stream : file-like, default=None
        Where to print; None means ``sys.stderr``.
    """

    def __init__(self, total, stream=None):
        self.total = total
        self.stream = stream
        self.done = 0
        self.start = time.perf_counter()

    def __call__(self, description):
        self.done += 1
        elapsed = time.perf_counter() - self.start
        done = min(self.done, self.total)
        left = elapsed / done * (self.total - done)
        line = (
            f"fit {done} of {self.total} ({description}) | elapsed "
            f"{format_duration(elapsed)} | about {format_duration(left)} left"
        )
        print(line, file=self.stream or sys.stderr, flush=True)


def format_duration(seconds):
    """``"42s"``, ``"3m05s"`` or ``"1h02m"``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
