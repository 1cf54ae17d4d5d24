"""How many threads torch computes with inside skrnn's ``fit`` and ``predict``.

torch runs each operation on a pool of threads, by default one per core, in every
process and every thread that uses it. That is the right choice for one fit alone on
a machine, and the wrong one for a parallel search: ``GridSearchCV(n_jobs=2)`` on two
cores, with two threads per fit, puts four busy threads on two cores, and torch's
OpenMP threads slow down sharply when they have to wait for a core.

skrnn therefore gives each fit and each prediction a *thread budget*: the first rule
below that applies decides it.

0. The estimator's ``n_threads`` hyperparameter, when it is an integer.
1. Inside a :class:`torch_threads` block: the number it was given.
2. With the environment variable ``SKRNN_NUM_THREADS`` set to a positive integer:
   that number, everywhere (it reaches worker processes, which inherit the
   environment).
3. In a task of a Dask worker: the worker runs up to ``nthreads`` tasks at once, one
   per thread, on the threads OpenMP allows it (``OMP_NUM_THREADS``, which Dask's
   nanny sets to 1, or else the cores the process may run on): each task gets its
   share, ``max(1, cap // nthreads)``.
4. In a joblib worker process (``loky``, joblib's default): the OpenMP limit joblib
   gave the worker, ``OMP_NUM_THREADS`` (``cpu_count() // n_jobs`` by default, or
   ``inner_max_num_threads``).
5. In a joblib worker that has no such limit (a thread of the ``threading``
   backend, the threads joblib nests inside a worker, a ``multiprocessing`` worker):
   one thread. Such a worker cannot tell how many siblings share the cores with it;
   one torch thread each never oversubscribes them, and rules 1 and 2 raise it.
6. Anywhere else (a script, a notebook, ``n_jobs=1``): one thread for a network
   too small to gain from more, that is when one time step of the fit's batch (or
   the prediction's) is under ``SMALL_WORK`` multiply-adds (a
   ``GRURegressor(hidden_size=16)``, the default ``RecurrentClassifier`` on
   univariate sequences); otherwise torch's own setting, untouched
   (``torch.set_num_threads`` or ``OMP_NUM_THREADS`` choose it). A small
   network's steps are too short to share among threads: more threads do not
   speed it up on free cores, and slow it down many times when another process
   keeps a core busy, as torch's threads wait for the core they do not get
   (``benchmarks/bench_threads.py``).

Whatever the budget, ``torch.get_num_threads()`` is back to its previous value when
the fit or prediction ends, also when it raises. torch keeps the setting per thread
(OpenMP's rule) and uses the last value set anywhere for threads that have not run
torch code yet; when several skrnn calls run at once in one process, the last one to
end puts that value back to what it was before the first one started.
"""

import multiprocessing
import numbers
import os
import sys
import threading

import torch

__all__ = ["ENV_VAR", "budgeted_threads", "thread_budget", "torch_threads"]

#: The environment variable that sets the budget explicitly.
ENV_VAR = "SKRNN_NUM_THREADS"

#: Multiply-adds per time step below which a network computes with one thread in
#: the user's own process (rule 6): about 4 million, e.g. a GRU of hidden size
#: 256 over a batch of 20 sequences, or one of hidden size 64 over 330.
SMALL_WORK = 2**22

_override = None  # set by torch_threads
_lock = threading.Lock()
_active = 0  # skrnn calls inside budgeted_threads in this process
_outer = None  # the setting new threads got before the first of them started
_handed = None  # the setting new threads get now, as far as skrnn changed it


class torch_threads:
    """Set how many torch threads skrnn's estimators use, within a ``with`` block.

    While the block runs, every ``fit``, ``partial_fit`` and prediction of a skrnn
    estimator (with ``n_threads=None``, the default) started in this process, from
    any thread (so also in joblib's ``threading`` backend), computes with
    ``n_threads`` torch threads; each puts
    torch's setting back when it ends. It takes precedence over the environment
    variable ``SKRNN_NUM_THREADS`` and over the automatic budget of joblib and Dask
    workers. It does not reach other processes: for those, set
    ``SKRNN_NUM_THREADS`` before they start.

    Outside of worker processes and threads, and without such a block, skrnn
    computes small networks with one thread and larger ones with torch's setting
    (``torch.set_num_threads``); an estimator's ``n_threads`` hyperparameter takes
    precedence over all of these. Read more in the :ref:`User Guide <performance>`.

    Parameters
    ----------
    n_threads : int
        The number of torch threads, at least 1.

    See Also
    --------
    torch.set_num_threads : Torch's own setting, per thread.

    Notes
    -----
    The setting is process-wide: blocks are not meant to be opened from several
    threads at once.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import GRURegressor
    >>> from skrnn.utils import torch_threads
    >>> X = np.random.RandomState(0).normal(size=(32, 5, 1)).astype("float32")
    >>> with torch_threads(1):
    ...     reg = GRURegressor(hidden_size=4, max_epochs=2).fit(X, X[:, -1, 0])
    """

    def __init__(self, n_threads):
        self.n_threads = n_threads

    def __enter__(self):
        global _override
        n = self.n_threads
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
            raise ValueError(
                f"n_threads must be a positive integer, got {n!r} instead."
            )
        self._previous = _override
        _override = int(n)
        return self

    def __exit__(self, *exc_info):
        global _override
        _override = self._previous
        return False


def thread_budget():
    """The number of torch threads a fit or prediction should use here, if any.

    Applies the rules of this module's docstring, in order.

    Returns
    -------
    n_threads : int or None
        None means: leave torch's setting alone.
    """
    if _override is not None:
        return _override
    n = _env_threads()
    if n is not None:
        return n
    in_main_thread = threading.current_thread() is threading.main_thread()
    in_child = multiprocessing.parent_process() is not None
    if in_main_thread and not in_child:
        return None  # the user's own process and thread: the common case, fast
    worker = _dask_worker()
    if worker is not None:
        # distributed keeps the task threads in worker.state (older: worker).
        state = getattr(worker, "state", None)
        slots = getattr(state, "nthreads", None) or getattr(worker, "nthreads", 1)
        cap = _omp_threads() or _available_cores()
        return max(1, cap // slots)
    if _joblib_nesting_level() < 1:
        return None  # a thread or process of the user's own, not a joblib worker
    if in_main_thread:  # a worker process: joblib's limit
        return _omp_threads() or 1
    return 1


class budgeted_threads:
    """Run a block with torch's threads set to its budget, then restore.

    The budget is ``n_threads`` when given (an estimator's hyperparameter), else
    :func:`thread_budget`; where that leaves torch's setting alone, one thread when
    ``work`` (multiply-adds per time step) is under ``SMALL_WORK``.

    Cheap when there is nothing to do: the budget is None or equals the setting.
    The calling thread gets its own setting back; when the last of several
    overlapping blocks of this process ends, threads started afterwards get the
    setting they would have got before the first one began.
    """

    def __init__(self, n_threads=None, *, work=None):
        if n_threads is not None and (
            not isinstance(n_threads, numbers.Integral)
            or isinstance(n_threads, bool)
            or n_threads < 1
        ):
            raise ValueError(
                f"n_threads must be a positive integer or None, got {n_threads!r} "
                "instead."
            )
        self.requested, self.work = n_threads, work

    def __enter__(self):
        global _active, _outer, _handed
        n = self.requested
        if n is None:
            n = thread_budget()
        if n is None and self.work is not None and self.work < SMALL_WORK:
            n = 1
        self.n_threads = n
        if n is None:
            return self
        self.previous = previous = torch.get_num_threads()
        with _lock:
            if _active == 0:
                # What a thread that has not used torch yet would get. In a
                # worker thread, its own setting may have been handed to it while
                # an earlier block had changed it: ask a new thread.
                main = threading.current_thread() is threading.main_thread()
                _outer = previous if main else _in_new_thread(torch.get_num_threads)
                _handed = _outer
            _active += 1
            if n != previous:
                _set_threads(n)
        return self

    def __exit__(self, *exc_info):
        global _active
        if self.n_threads is None:
            return False
        with _lock:
            _active -= 1
            if torch.get_num_threads() != self.previous:
                _set_threads(self.previous)
            if _active == 0 and _handed != _outer:
                # torch hands new threads the last value set in any thread; set it
                # back from a thread of its own, leaving this one's setting alone.
                _in_new_thread(_set_threads, _outer)
        return False


def _set_threads(n):
    global _handed
    torch.set_num_threads(n)
    _handed = n


def _in_new_thread(func, *args):
    """``func(*args)``, called in a new thread (torch's settings are per thread)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(func(*args)))
    thread.start()
    thread.join()
    return result[0]


def _env_threads():
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(
            f"The environment variable {ENV_VAR} must be a positive integer, the "
            f"number of torch threads skrnn's estimators use; got {value!r}."
        )
    return n


def _omp_threads():
    """OpenMP's thread limit from ``OMP_NUM_THREADS`` (its first level), or None."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    try:
        n = int(value.split(",")[0])
    except ValueError:
        return None
    return n if n >= 1 else None


def _available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _dask_worker():
    """The Dask worker running the current task, or None (Dask never imported here)."""
    if "distributed" not in sys.modules:
        return None
    try:
        from distributed import get_worker

        return get_worker()
    except (ImportError, ValueError, AttributeError):
        return None


def _joblib_nesting_level():
    """0 outside joblib's workers; 1 or more in a task joblib runs in a worker."""
    if "joblib" not in sys.modules:
        return 0
    try:
        from joblib.parallel import get_active_backend

        backend, _ = get_active_backend()
    except (ImportError, ValueError, AttributeError):
        return 0
    return getattr(backend, "nesting_level", 0) or 0
