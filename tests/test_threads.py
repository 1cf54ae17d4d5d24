"""The torch thread budget of fit and predict, in the user's process and in workers."""

import os
import threading
import warnings

import joblib
import numpy as np
import pytest
import torch
from joblib import Parallel, delayed, parallel_config
from skorch.callbacks import Callback

from skrnn import GRURegressor, RecurrentClassifier
from skrnn._inference import step_work
from skrnn.utils import torch_threads
from skrnn.utils._threads import ENV_VAR, SMALL_WORK, budgeted_threads, thread_budget

FAST = dict(hidden_size=4, max_epochs=2, batch_size=16, random_state=0)
#: Large enough to keep torch's setting in the user's process: a GRU step over a
#: batch of 48 sequences is 3 * 192 * (2 + 192) * 48 > SMALL_WORK multiply-adds.
LARGE = dict(FAST, hidden_size=192, batch_size=64)


def _data(n=48):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 5, 2)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


class ThreadsSeen(Callback):
    """Records torch's thread setting when training starts (and per batch)."""

    def initialize(self):
        self.seen_ = []
        return self

    def on_batch_begin(self, net, **kwargs):
        self.seen_.append(torch.get_num_threads())


def _record_predict(est):
    """Make ``est.module_`` record torch's thread setting on every forward."""
    seen = []
    est.module_.register_forward_pre_hook(
        lambda *_: seen.append(torch.get_num_threads())
    )
    return seen


def _fit_and_report(raise_to=3, **params):
    """Run in a worker: raise torch's setting, fit and predict, report what ran."""
    torch.set_num_threads(raise_to)  # code in the worker raising torch's default
    X, y = _data()
    est = GRURegressor(**{**FAST, **params}, callbacks=[("threads", ThreadsSeen())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    in_fit = set(dict(est.net_.callbacks_)["threads"].seen_)
    seen = _record_predict(est)
    est.predict(X)
    return {
        "fit": in_fit,
        "predict": set(seen),
        "after": torch.get_num_threads(),
        "omp": os.environ.get("OMP_NUM_THREADS"),
        "budget": thread_budget(),
        "pid": os.getpid(),
    }


@pytest.fixture
def user_threads(monkeypatch):
    """The user's own torch setting (3, which no worker rule gives), restored after."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield 3
    torch.set_num_threads(before)


def test_user_setting_left_alone_for_large_networks(user_threads):
    assert thread_budget() is None
    assert step_work(GRURegressor(**LARGE), 48) >= SMALL_WORK
    report = _fit_and_report(raise_to=user_threads, **LARGE)
    assert report["fit"] == report["predict"] == {user_threads}
    assert report["after"] == user_threads


def test_small_networks_compute_with_one_thread_and_restore(user_threads):
    """The default: a network too small to gain from more threads uses one, in
    fit and predict, and the user's setting is back afterwards."""
    assert step_work(GRURegressor(**FAST), 16) < SMALL_WORK
    report = _fit_and_report(raise_to=user_threads)
    assert report["fit"] == report["predict"] == {1}
    assert report["after"] == user_threads == torch.get_num_threads()


def test_n_threads_is_used_and_restored_and_wins_over_the_budgets(
    user_threads, monkeypatch
):
    monkeypatch.setenv(ENV_VAR, "1")
    with torch_threads(4):
        report = _fit_and_report(raise_to=user_threads, n_threads=2)
        large = _fit_and_report(raise_to=user_threads, n_threads=2, **LARGE)
    assert report["fit"] == report["predict"] == large["fit"] == {2}
    assert report["after"] == large["after"] == user_threads


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_n_threads_must_be_a_positive_integer(bad):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = _data()
    with pytest.raises(InvalidParameterError, match="'n_threads' parameter"):
        GRURegressor(**FAST, n_threads=bad).fit(X, y)


def test_sequential_joblib_is_the_users_process(user_threads):
    (report,) = Parallel(n_jobs=1)(
        delayed(_fit_and_report)(user_threads, **LARGE) for _ in [0]
    )
    assert report["fit"] == {user_threads} and report["budget"] is None


def test_environment_variable_sets_the_budget_and_is_undone(user_threads, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "1")
    report = _fit_and_report(raise_to=user_threads)
    assert report["fit"] == report["predict"] == {1}
    assert report["after"] == user_threads


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_environment_variable_must_be_a_positive_integer(value, monkeypatch):
    monkeypatch.setenv(ENV_VAR, value)
    X, y = _data()
    with pytest.raises(ValueError, match=f"{ENV_VAR} must be a positive integer"):
        GRURegressor(**FAST).fit(X, y)


def test_context_manager_overrides_the_environment_and_nests(user_threads, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "2")
    with torch_threads(1):
        assert thread_budget() == 1
        report = _fit_and_report(raise_to=user_threads)
        with torch_threads(4):
            assert thread_budget() == 4
        assert thread_budget() == 1
    assert thread_budget() == 2
    assert report["fit"] == report["predict"] == {1}
    assert report["after"] == user_threads == torch.get_num_threads()


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_context_manager_refuses_bad_numbers(bad):
    with pytest.raises(ValueError, match="n_threads must be a positive integer"):
        with torch_threads(bad):
            pass  # pragma: no cover


class Boom(Callback):
    def on_batch_end(self, net, training=None, **kwargs):
        raise RuntimeError("boom")


def test_setting_restored_when_fit_or_predict_raises(user_threads):
    X, y = _data()
    with torch_threads(1):
        with pytest.raises(RuntimeError, match="boom"):
            GRURegressor(**FAST, callbacks=[Boom()]).fit(X, y)
        assert torch.get_num_threads() == user_threads
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = GRURegressor(**FAST).fit(X, y)

        def fail(*_):
            assert torch.get_num_threads() == 1
            raise RuntimeError("boom in forward")

        est.module_.register_forward_pre_hook(fail)
        with pytest.raises(RuntimeError, match="boom in forward"):
            est.predict(X)
    assert torch.get_num_threads() == user_threads


def test_loky_workers_get_their_share_of_the_cores(user_threads):
    """joblib's process workers (loky, its default) follow the OpenMP limit joblib
    gives them, even when code in the worker raised torch's setting."""
    with parallel_config(backend="loky"):
        reports = Parallel(n_jobs=2)(delayed(_fit_and_report)(3) for _ in range(2))
    share = max(joblib.cpu_count() // 2, 1)
    for report in reports:
        assert report["pid"] != os.getpid()
        assert report["omp"] == str(share)
        assert report["fit"] == report["predict"] == {share}
        assert report["after"] == 3  # the worker's own setting, restored
    assert torch.get_num_threads() == user_threads


def test_grid_search_workers_in_threads_use_one_thread_each(user_threads):
    """joblib's threading backend: one torch thread per worker thread, and neither
    the calling thread nor threads started afterwards see a changed setting."""
    from sklearn.model_selection import GridSearchCV

    X, y = _data(60)
    y = (y > 0).astype(int)
    seen = []

    def scorer(est, X, y):
        seen.extend(dict(est.net_.callbacks_)["threads"].seen_)
        probe = _record_predict(est)
        score = est.score(X, y)
        seen.extend(probe)
        return score

    search = GridSearchCV(
        RecurrentClassifier(**FAST, callbacks=[("threads", ThreadsSeen())]),
        {"cell": ["lstm", "gru"]}, cv=2, n_jobs=2, scoring=scorer, refit=False,
    )
    with parallel_config(backend="threading"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == user_threads
    fresh = []
    thread = threading.Thread(target=lambda: fresh.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert fresh == [user_threads]


def test_threads_of_the_users_own_are_left_alone(user_threads):
    results = []
    thread = threading.Thread(target=lambda: results.append(thread_budget()))
    thread.start()
    thread.join()
    assert results == [None]


def test_concurrent_budgets_restore_the_setting_for_new_threads(user_threads):
    """Two overlapping budgets in two threads: the value torch gives threads that
    start later is the one from before the first budget began."""
    entered, release = threading.Barrier(2), threading.Event()

    def work():
        with budgeted_threads():
            entered.wait()
            release.wait()

    with torch_threads(1):
        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        release.set()
        for worker in workers:
            worker.join()
    fresh = []
    thread = threading.Thread(target=lambda: fresh.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert fresh == [user_threads] and torch.get_num_threads() == user_threads


def test_dask_worker_tasks_share_the_workers_threads():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ) as client:
        budget = client.submit(thread_budget, pure=False).result()
    omp = int(os.environ.get("OMP_NUM_THREADS", "0") or 0)
    cap = omp or len(os.sched_getaffinity(0))
    assert budget == max(1, cap // 2)
