"""Faults during training: non-finite losses, Ctrl-C, checkpoints, GPU memory."""

import errno
import os
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from skorch.callbacks import Callback

import skrnn.callbacks
from skrnn import GRURegressor, RecurrentRegressor, RNNClassifier, RNNRegressor
from skrnn.callbacks import Checkpoint, LastGoodEpoch, NonFiniteLossGuard
from skrnn.exceptions import (
    CheckpointError,
    FitInterruptedWarning,
    NonFiniteLossError,
    NonFiniteLossWarning,
    OutOfMemoryError,
    SkrnnWarning,
)
from skrnn.nn import RecurrentNet

#: Dropout and shuffling on, so that resuming must reproduce the random stream.
FAST = dict(hidden_size=8, batch_size=16, dropout=0.2, random_state=0)
#: Plain SGD with a large step on relu RNNs: finite for a few epochs, then not.
BLOWS_UP = dict(hidden_size=8, batch_size=16, max_epochs=20, nonlinearity="relu",
                optimizer="sgd", readout="last", init="torch", clip_grad_norm=None,
                lr_schedule="constant", standardize=False, random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _data(n=64, t=6, f=2):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


def _state(est):
    return {k: v.clone() for k, v in est.module_.state_dict().items()}


def assert_same_weights(a, b):
    a = a if isinstance(a, dict) else _state(a)
    b = b if isinstance(b, dict) else _state(b)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


class LastEpochWeights(Callback):
    """Keeps a copy of the module's weights at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        self.state_ = {k: v.clone() for k, v in net.module_.state_dict().items()}


def assert_same_optimizer(a, b):
    sa = a.net_.optimizer_.state_dict()["state"]
    sb = b.net_.optimizer_.state_dict()["state"]
    assert sa.keys() == sb.keys()
    for key in sa:
        for name in sa[key]:
            assert torch.equal(sa[key][name], sb[key][name]), (key, name)


class InterruptAt(Callback):
    """Ctrl-C once: at the end of epoch ``epoch``, or at its batch ``batch``."""

    def __init__(self, epoch=3, batch=None):
        self.epoch = epoch
        self.batch = batch

    def initialize(self):
        self.fired_ = False
        return self

    def _fire(self):
        self.fired_ = True
        raise KeyboardInterrupt

    def on_batch_end(self, net, training=None, **kwargs):
        if (not self.fired_ and training and self.batch is not None
                and len(net.history) == self.epoch
                and len(net.history[-1]["batches"]) == self.batch):
            self._fire()

    def on_epoch_end(self, net, **kwargs):
        if not self.fired_ and self.batch is None and len(net.history) == self.epoch:
            self._fire()


def _interrupted(est, X, y):
    with pytest.warns(FitInterruptedWarning), pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    return est


# -- non-finite losses ---------------------------------------------------------------


@pytest.mark.parametrize("cls, lr, bad_epoch", [(RNNRegressor, 3.0, 7),
                                                (RNNClassifier, 100.0, 3)])
def test_nonfinite_loss_raises_and_keeps_the_last_finite_epoch(cls, lr, bad_epoch):
    X, y = _data()
    y = y if cls is RNNRegressor else y > 0
    est = cls(**BLOWS_UP, lr=lr)
    with pytest.raises(NonFiniteLossError, match=(
        rf"loss became (nan|inf) at epoch {bad_epoch}, batch \d.*weights and optimizer "
        rf"state of epoch {bad_epoch - 1}.*lower the learning rate \(lr={lr}\), set "
        r"clip_grad_norm"
    )) as info:
        est.fit(X, y)
    assert isinstance(info.value, (FloatingPointError, ValueError))
    # Fitted, with the finite weights (and optimizer) of the last finite epoch:
    # those of a fit that stops there. (The classifier had diverged, losses of
    # 1e35, before its loss became NaN: its last finite weights are no good, but
    # they are what the fit reached.)
    assert est.n_iter_ == bad_epoch - 1 == len(est.loss_curve_) == len(est.history_)
    assert np.isfinite(est.loss_curve_).all()
    assert all(torch.isfinite(w).all() for w in est.module_.state_dict().values())
    last = LastEpochWeights()
    reference = cls(**{**BLOWS_UP, "max_epochs": bad_epoch - 1}, lr=lr,
                    callbacks=[("last", last)]).fit(X, y)
    # (A fit that ends normally returns its lowest-loss epoch: compare with the
    # weights its last epoch reached.)
    assert_same_weights(est, dict(reference.net_.callbacks_)["last"].state_)
    assert_same_optimizer(est, reference)
    if cls is RNNRegressor:
        assert np.isfinite(est.predict(X)).all()


def test_a_warm_start_fit_with_a_lower_lr_goes_on_from_the_last_finite_epoch():
    X, y = _data()
    est = RNNRegressor(**BLOWS_UP, lr=3.0, warm_start=True)
    with pytest.raises(NonFiniteLossError, match="epoch 7"):
        est.fit(X, y)
    est.set_params(lr=0.1, clip_grad_norm=1.0).fit(X, y)  # completes the 20 epochs
    assert est.net_.optimizer_.param_groups[0]["lr"] == 0.1
    assert dict(est.net_.callbacks_)["clip_grad_norm"].gradient_clip_value == 1.0
    assert est.n_iter_ == 20 and np.isfinite(est.loss_curve_).all()


def test_nonfinite_loss_warn_ends_the_fit_normally():
    X, y = _data()
    est = RNNRegressor(**BLOWS_UP, lr=3.0, nonfinite_loss="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # not "max_epochs reached"
        with pytest.warns(NonFiniteLossWarning, match="loss became inf at epoch 7"):
            est.fit(X, y)
    assert est.n_iter_ == 6
    assert dict(est.net_.callbacks_)["nonfinite_loss"].fault_.startswith("The training")
    assert np.isfinite(est.predict(X)).all()
    # Gradient clipping is the remedy the message suggests, and it works here.
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonFiniteLossWarning)
        clipped = RNNRegressor(**{**BLOWS_UP, "clip_grad_norm": 1.0}, lr=3.0).fit(X, y)
    assert clipped.n_iter_ == 20 and np.isfinite(clipped.loss_curve_).all()


def test_nonfinite_loss_in_partial_fit_and_warm_start_restores_the_state_before():
    X, y = _data()
    est = RecurrentRegressor(**FAST, normalize_y=False, warm_start=True, max_epochs=2)
    est.partial_fit(X, y).partial_fit(X, y)
    before, pred = _state(est), est.predict(X)
    huge = np.full_like(y, 1e30)  # its squared error overflows float32
    with pytest.raises(NonFiniteLossError, match="epoch 3, batch 1.*of epoch 2"):
        est.partial_fit(X, huge)
    assert est.n_iter_ == 2
    assert_same_weights(est, before)
    assert_array_equal(est.predict(X), pred)
    with pytest.raises(NonFiniteLossError, match="epoch 3, batch 1.*of epoch 2"):
        est.fit(X, huge)  # a warm-start fit
    assert_same_weights(est, before)
    est.fit(X, y)  # and training goes on from there
    assert est.n_iter_ == 4


def test_nonfinite_loss_in_the_first_epoch_keeps_the_initial_weights():
    X, y = _data()
    est = RecurrentRegressor(**FAST, normalize_y=False, max_epochs=3)
    with pytest.raises(NonFiniteLossError, match="from before the first epoch"):
        est.fit(X, np.full_like(y, 1e30))
    assert est.n_iter_ == 0 and est.loss_curve_ == [] and est.best_loss_ == np.inf
    assert np.isfinite(est.predict(X)).all()


def test_nonfinite_loss_parameter_is_validated():
    X, y = _data()
    with pytest.raises(ValueError, match="'nonfinite_loss' parameter of Recurrent"):
        RecurrentRegressor(nonfinite_loss="ignore").fit(X, y)


# -- Ctrl-C ----------------------------------------------------------------------------


@pytest.mark.parametrize("early_stopping", [False, True])
def test_interrupt_mid_epoch_keeps_the_last_completed_epoch(early_stopping):
    X, y = _data()
    params = dict(FAST, max_epochs=10, early_stopping=early_stopping, lr=0.05)
    est = RecurrentRegressor(**params, callbacks=[InterruptAt(epoch=3, batch=2)])
    kept = "best validation epoch, epoch" if early_stopping else "epoch 2, its last"
    with pytest.warns(FitInterruptedWarning, match=f"after 2 completed epoch.*{kept}"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    assert est.n_iter_ == 2 == len(est.history_)
    # A fit of two epochs ends with the same weights (with early stopping: the
    # best validation epoch's, restored at its end too) and optimizer state.
    reference = RecurrentRegressor(**{**params, "max_epochs": 2}).fit(X, y)
    assert_same_weights(est, reference)
    assert_same_optimizer(est, reference)


def test_interrupt_in_the_first_epoch_leaves_the_initial_weights():
    X, y = _data()
    est = RecurrentRegressor(**FAST, early_stopping=True,
                             callbacks=[InterruptAt(epoch=1, batch=1)])
    with pytest.warns(FitInterruptedWarning, match="after 0 completed.*initial"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    assert est.n_iter_ == 0 and est.predict(X).shape == (64,)


# -- any other exception: rolled back, or fitted with the last completed epoch -------


class RaiseAt(InterruptAt):
    """Raise ``exc`` once, where :class:`InterruptAt` would press Ctrl-C."""

    def __init__(self, epoch=3, batch=None, exc=RuntimeError):
        super().__init__(epoch=epoch, batch=batch)
        self.exc = exc

    def _fire(self):
        self.fired_ = True
        raise self.exc("a callback failed")


def _disk_full_at(monkeypatch, epoch):
    """Checkpoint writes fail with ENOSPC from epoch ``epoch`` on."""
    save = skrnn.callbacks._atomic_save

    def write(obj, path):
        if obj["epoch"] >= epoch:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        save(obj, path)

    monkeypatch.setattr(skrnn.callbacks, "_atomic_save", write)


def _a_file(tmp_path, *parts):
    (tmp_path / "file").write_text("")
    return tmp_path.joinpath("file", *parts)


#: What ends a first fit of 5 epochs, what it raises, and the epochs it keeps
#: (0: none completed, so the estimator is left unfitted).
FAILED_FITS = {
    "callback-raises-at-an-epoch-end": (
        lambda tmp, patch: dict(callbacks=[RaiseAt(epoch=3)]), RuntimeError, 3),
    "callback-raises-mid-epoch": (
        lambda tmp, patch: dict(callbacks=[RaiseAt(epoch=3, batch=2)]), RuntimeError,
        2),
    "callback-raises-in-the-first-epoch": (
        lambda tmp, patch: dict(callbacks=[RaiseAt(epoch=1, batch=1)]), RuntimeError,
        0),
    "system-exit-in-a-callback": (
        lambda tmp, patch: dict(callbacks=[RaiseAt(epoch=2, exc=SystemExit)]),
        SystemExit, 2),
    "checkpoint-on-a-full-disk": (
        lambda tmp, patch: (_disk_full_at(patch, 3),
                            dict(callbacks=[Checkpoint(tmp)]))[1], OSError, 3),
    "checkpoint-directory-is-a-file": (
        lambda tmp, patch: dict(callbacks=[Checkpoint(_a_file(tmp))]), OSError, 0),
    "checkpoint-parent-is-a-file": (
        lambda tmp, patch: dict(callbacks=[Checkpoint(_a_file(tmp, "sub"))]), OSError,
        0),
    "validation-split-leaves-nothing-to-train-on": (
        lambda tmp, patch: dict(early_stopping=True, validation_fraction=0.999),
        ValueError, 0),
}


@pytest.mark.parametrize("case", FAILED_FITS, ids=list(FAILED_FITS))
def test_a_failed_fit_is_rolled_back_or_fitted_with_its_last_epoch(
    case, tmp_path, monkeypatch
):
    make, error, kept = FAILED_FITS[case]
    X, y = _data()
    params = dict(FAST, max_epochs=5, warm_start=True)
    est = RecurrentRegressor(**params, **make(tmp_path, monkeypatch))
    unfitted = dict(vars(est))
    with pytest.raises(error) as info:
        est.fit(X, y)
    note = " ".join(getattr(info.value, "__notes__", []))
    if not kept:
        assert vars(est) == unfitted and "not fitted, as before this fit" in note
        with pytest.raises(NotFittedError):
            est.predict(X)
        est.set_params(callbacks=None, early_stopping=False).fit(X, y)
        assert est.n_iter_ == 5
        return
    assert f"fitted with the weights of epoch {kept}, its last completed" in note
    assert est.n_iter_ == kept == len(est.history_) == len(est.loss_curve_)
    reference = RecurrentRegressor(**{**params, "max_epochs": kept}).fit(X, y)
    assert_same_weights(est, reference)
    assert_same_optimizer(est, reference)
    assert_array_equal(est.predict(X), reference.predict(X))
    monkeypatch.undo()
    est.fit(X, y)  # warm_start completes the fit (the callback fired once only)
    full = RecurrentRegressor(**params).fit(X, y)
    assert est.n_iter_ == 5 and est.loss_curve_ == full.loss_curve_
    assert_same_weights(est, full)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("batch, kept", [(None, 1), (2, 0)], ids=["epoch-end", "mid"])
def test_a_failed_continuing_fit_keeps_its_last_epoch_or_its_previous_state(
    how, batch, kept
):
    X, y = _data()
    est = RecurrentRegressor(**FAST, max_epochs=2, warm_start=True,
                             callbacks=[RaiseAt(epoch=3, batch=batch)])
    fit = est.fit if how == "warm_start" else est.partial_fit
    if how == "warm_start":
        est.fit(X, y)
    else:
        est.partial_fit(X, y).partial_fit(X, y)
    before, pred, curve = _state(est), est.predict(X), list(est.loss_curve_)
    with pytest.raises(RuntimeError, match="a callback failed"):
        fit(X, y)
    if kept:
        assert est.n_iter_ == 3 == len(est.history_)
        assert_same_weights(est, RecurrentRegressor(**FAST, max_epochs=3).fit(X, y))
    else:
        assert est.n_iter_ == 2 and est.loss_curve_ == curve
        assert_same_weights(est, before)
        assert_array_equal(est.predict(X), pred)
    fit(X, y)  # training goes on from there
    n_iter = 3 if how == "partial_fit" and not kept else 4
    assert est.n_iter_ == n_iter
    assert_same_weights(est, RecurrentRegressor(**FAST, max_epochs=n_iter).fit(X, y))


# -- resuming: the same result as an uninterrupted fit ----------------------------


@pytest.mark.parametrize("early_stopping", [False, True])
def test_warm_start_after_an_interrupt_completes_the_fit(early_stopping):
    X, y = _data()
    params = dict(FAST, max_epochs=12, early_stopping=early_stopping, lr=0.02,
                  n_iter_no_change=3)
    full = RecurrentRegressor(**params).fit(X, y)
    est = RecurrentRegressor(**params, warm_start=True,
                             callbacks=[InterruptAt(epoch=4, batch=2)])
    _interrupted(est, X, y).fit(X, y)
    assert est.n_iter_ == full.n_iter_
    assert est.loss_curve_ == full.loss_curve_
    assert_same_weights(est, full)
    assert_array_equal(est.predict(X), full.predict(X))
    # The fit is complete: the next warm-start fit is a new one.
    est.fit(X, y)
    assert est.n_iter_ > full.n_iter_


def test_random_stream_does_not_depend_on_how_a_fit_is_split():
    X, y = _data()
    one = RecurrentRegressor(**FAST, max_epochs=6).fit(X, y)
    warm = RecurrentRegressor(**FAST, max_epochs=3, warm_start=True).fit(X, y).fit(X, y)
    steps = RecurrentRegressor(**FAST)
    for _ in range(6):
        steps.partial_fit(X, y)
    for est in (warm, steps):
        assert est.loss_curve_ == one.loss_curve_
        assert_same_weights(est, one)


def test_checkpoint_resumes_in_a_new_estimator(tmp_path):
    X, y = _data()
    params = dict(FAST, max_epochs=8, warm_start=True)
    full = RecurrentRegressor(**params).fit(X, y)
    first = RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path, every=2),
                                                    InterruptAt(epoch=5, batch=1)])
    _interrupted(first, X, y)
    # Ctrl-C wrote the last completed epoch, although every=2.
    assert Checkpoint(tmp_path).load()["epoch"] == 4
    assert os.listdir(tmp_path) == ["checkpoint.pt"]  # no temporary files left
    resumed = RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path, every=2)])
    resumed.fit(X, y)
    assert resumed.n_iter_ == 8 and resumed.loss_curve_ == full.loss_curve_
    assert_same_weights(resumed, full)
    assert_array_equal(resumed.predict(X), full.predict(X))
    saved = Checkpoint(tmp_path).load()
    assert saved["finished"] and saved["epoch"] == 8
    # A finished checkpoint is continued as warm_start continues a fitted estimator.
    again = RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path)]).fit(X, y)
    full.fit(X, y)
    assert again.n_iter_ == 16
    assert_same_weights(again, full)


def test_checkpoint_resumes_in_a_new_process(tmp_path):
    """Interrupt a classifier with early stopping, resume it in another process."""
    X, y = _data(n=80)
    labels = np.where(y > 0, "up", "down")
    params = dict(FAST, max_epochs=30, early_stopping=True, n_iter_no_change=4, lr=0.05,
                  warm_start=True)
    full = RNNClassifier(**params).fit(X, labels)
    assert 3 < full.n_iter_ < 30  # stopped on the plateau, after the interruption
    first = RNNClassifier(**params,
                          callbacks=[Checkpoint(tmp_path), InterruptAt(epoch=3)])
    _interrupted(first, X, labels)
    code = textwrap.dedent(
        f"""
        import numpy as np, warnings
        from skrnn import RNNClassifier
        from skrnn.callbacks import Checkpoint
        warnings.simplefilter("ignore")
        rng = np.random.RandomState(0)
        X = rng.normal(size=(80, 6, 2)).astype(np.float32)
        labels = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
        est = RNNClassifier(**{params!r}, callbacks=[Checkpoint({str(tmp_path)!r})])
        est.fit(X, labels)
        print(est.n_iter_, repr(est.predict_proba(X).tolist()))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_NUM_THREADS": "1"}).stdout
    n_iter, proba = out.split(" ", 1)
    assert int(n_iter) == full.n_iter_
    assert proba.strip() == repr(full.predict_proba(X).tolist())


SIGTERM_AT = textwrap.dedent(
    """
    import os, signal, sys, warnings
    import numpy as np
    from skorch.callbacks import Callback
    from skrnn import RecurrentRegressor
    from skrnn.callbacks import Checkpoint
    warnings.simplefilter("ignore")
    if sys.argv[2] == "as-ctrl-c":
        signal.signal(signal.SIGTERM, signal.default_int_handler)

    class TermAt(Callback):  # what `kill PID` does, mid-epoch 4
        def on_batch_end(self, net, training=None, **kwargs):
            if len(net.history) == 4 and len(net.history[-1]["batches"]) == 2:
                os.kill(os.getpid(), signal.SIGTERM)

    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 6, 2)).astype(np.float32)
    est = RecurrentRegressor(**{params!r},
                             callbacks=[Checkpoint(sys.argv[1]), TermAt()])
    try:
        est.fit(X, X[:, :, 0].sum(axis=1))
    except KeyboardInterrupt:
        print("interrupted", est.n_iter_)
    """
)


@pytest.mark.parametrize("handler", ["default", "as-ctrl-c"])
def test_sigterm_during_a_fit_is_resumed_from_the_checkpoint(handler, tmp_path):
    """SIGTERM ends the process (skrnn installs no handler); the checkpoint keeps
    the last epoch written. With SIGTERM mapped to KeyboardInterrupt, it is Ctrl-C."""
    X, y = _data()
    params = dict(FAST, max_epochs=8, warm_start=True)
    code = SIGTERM_AT.format(params=params)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), handler],
                          capture_output=True, text=True,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    if handler == "default":
        assert done.returncode == -signal.SIGTERM, done.stderr
    else:
        assert done.returncode == 0 and done.stdout.split() == ["interrupted", "3"]
    assert Checkpoint(tmp_path).load()["epoch"] == 3
    resumed = RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path)]).fit(X, y)
    full = RecurrentRegressor(**params).fit(X, y)
    assert resumed.n_iter_ == 8 and resumed.loss_curve_ == full.loss_curve_
    assert_same_weights(resumed, full)


def test_checkpoint_refuses_another_configuration(tmp_path):
    X, y = _data()
    params = dict(FAST, max_epochs=2, warm_start=True, callbacks=[Checkpoint(tmp_path)])
    RecurrentRegressor(**params).fit(X, y)
    with pytest.raises(CheckpointError, match=r"hidden_size=8.*has hidden_size=4"):
        RecurrentRegressor(**{**params, "hidden_size": 4}).fit(X, y)
    with pytest.raises(CheckpointError, match="written by RecurrentRegressor"):
        GRURegressor(**params).fit(X, y)
    with pytest.raises(CheckpointError, match="n_features_in=2, but the data give"):
        RecurrentRegressor(**params).fit(X[:, :, :1], y)
    # What may change: how the fit is run.
    changed = {"batch_size": 8, "max_epochs": 1, "verbose": 0}
    RecurrentRegressor(**{**params, **changed}).fit(X, y)
    (tmp_path / "checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable skrnn checkpoint"):
        RecurrentRegressor(**params).fit(X, y)


def test_fresh_fit_warns_before_overwriting_an_unfinished_checkpoint(tmp_path):
    X, y = _data()
    params = dict(FAST, max_epochs=4)
    _interrupted(RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path),
                                                         InterruptAt(epoch=2)]), X, y)
    with pytest.warns(SkrnnWarning, match="unfinished fit.*warm_start=True to resume"):
        RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path)]).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkrnnWarning)  # finished: overwritten silently
        RecurrentRegressor(**params, callbacks=[Checkpoint(tmp_path)]).fit(X, y)


def test_interrupted_partial_fit_is_not_resumed():
    X, y = _data()
    est = RecurrentRegressor(**FAST, max_epochs=3, warm_start=True,
                             callbacks=[InterruptAt(epoch=2, batch=2)])
    est.partial_fit(X, y)
    with pytest.warns(FitInterruptedWarning), pytest.raises(KeyboardInterrupt):
        est.partial_fit(X, y)
    assert est.n_iter_ == 1
    est.fit(X, y)  # a new warm-start fit: max_epochs more
    assert est.n_iter_ == 4


def test_callbacks_validate_their_parameters():
    X, y = _data()
    with pytest.raises(ValueError, match="'every' parameter of Checkpoint"):
        RecurrentRegressor(**FAST, callbacks=[Checkpoint("unused", every=0)]).fit(X, y)
    with pytest.raises(ValueError, match="'action' parameter of NonFiniteLossGuard"):
        RecurrentRegressor(**FAST, callbacks=[NonFiniteLossGuard("ignore")]).fit(X, y)


def test_callbacks_work_in_a_plain_skorch_net():
    from skorch import NeuralNetRegressor

    X, y = _data()
    net = NeuralNetRegressor(RecurrentNet, module__input_size=2, module__output_size=1,
                             max_epochs=3, lr=1e30, optimizer=torch.optim.SGD,
                             train_split=None, verbose=0,
                             callbacks=[NonFiniteLossGuard()]).initialize()
    start = {k: v.clone() for k, v in net.module_.state_dict().items()}
    with pytest.raises(NonFiniteLossError):
        net.partial_fit(X, y[:, None] * 1e10)
    assert_same_weights(net.module_.state_dict(), start)  # its own LastGoodEpoch
    assert len(net.history) == 0


def test_the_copy_of_the_last_epoch_is_not_pickled():
    import pickle

    X, y = _data()
    est = RecurrentRegressor(**FAST, max_epochs=2).fit(X, y)
    kept = dict(est.net_.callbacks_)["last_good_epoch"]
    assert isinstance(kept, LastGoodEpoch) and kept.module_state_ is not None
    loaded = pickle.loads(pickle.dumps(est))
    assert dict(loaded.net_.callbacks_)["last_good_epoch"].module_state_ is None
    assert_array_equal(loaded.predict(X), est.predict(X))
    loaded.set_params(warm_start=True).fit(X, y)
    est.set_params(warm_start=True).fit(X, y)
    assert_same_weights(loaded, est)


# -- GPU memory (simulated: the device, not the model, raises) --------------------


def _run_out_of_memory(monkeypatch, *, at_call, training=True):
    forward, calls = RecurrentNet.forward, []

    def forward_or_oom(self, X):
        if self.training == training:
            calls.append(1)
            if len(calls) >= at_call:
                raise torch.cuda.OutOfMemoryError(
                    "CUDA out of memory. Tried to allocate 2.00 GiB"
                )
        return forward(self, X)

    monkeypatch.setattr(RecurrentNet, "forward", forward_or_oom)


def test_out_of_memory_in_fit_names_the_batch_size_and_keeps_last_epoch(monkeypatch):
    X, y = _data()
    params = dict(FAST, max_epochs=5, warm_start=True)
    full = RecurrentRegressor(**params).fit(X, y)
    est = RecurrentRegressor(**params)
    with monkeypatch.context() as patch:
        _run_out_of_memory(patch, at_call=10)  # epoch 3 (4 batches per epoch), batch 2
        with pytest.raises(OutOfMemoryError, match=(
            r"ran out of memory in epoch 3 of training with batch_size=16; the weights "
            r"and optimizer state of epoch 2.*e\.g\. batch_size=8.*Tried to allocate"
        )) as info:
            est.fit(X, y)
    assert isinstance(info.value, torch.cuda.OutOfMemoryError)
    assert est.n_iter_ == 2
    two_epochs = RecurrentRegressor(**{**params, "max_epochs": 2}).fit(X, y)
    assert_same_weights(est, two_epochs)
    est.fit(X, y)  # warm_start completes the fit
    assert est.n_iter_ == 5
    assert_same_weights(est, full)


def test_out_of_memory_in_predict_names_the_batch_size(monkeypatch):
    X, y = _data()
    est = RecurrentRegressor(**FAST, max_epochs=1, predict_batch_size=16).fit(X, y)
    before = est.predict(X)
    with monkeypatch.context() as patch:
        _run_out_of_memory(patch, at_call=1, training=False)
        with pytest.raises(OutOfMemoryError, match=(
            r"predicting in batches of 16 sequences.*weights are unchanged.*"
            r"set_params\(predict_batch_size=8\)"
        )):
            est.predict(X)
    assert_array_equal(est.predict(X), before)
