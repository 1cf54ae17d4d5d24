"""The skorch glue: data path, callbacks, stopping and interruption."""

import functools
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, LRScheduler

from skrnn import LSTMRegressor, RecurrentClassifier, RecurrentNet, RecurrentRegressor
from skrnn._training import BatchIterator, HoldoutSplit, SequenceDataset

FAST = dict(hidden_size=8, max_epochs=4, batch_size=16, random_state=0)


def _data(n=64, t=6, f=2):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    return X, X[:, :, 0].sum(axis=1)


class BatchRecorder(Callback):
    """Records the rows of X seen in each training batch."""

    def initialize(self):
        self.batches_ = []
        return self

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if training:
            self.batches_.append(batch[0][:, 0, 0].clone())


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("n", [64, 70, 5])
def test_batch_iterator_visits_every_row_once_per_epoch(shuffle, n):
    X = torch.arange(n, dtype=torch.float32).reshape(n, 1, 1)
    y = torch.arange(n, dtype=torch.float32)
    it = BatchIterator(SequenceDataset(X, y), batch_size=16, shuffle=shuffle)
    assert len(it) == -(-n // 16)
    orders = []
    for _ in range(3):
        batches = list(it)
        assert len(batches) == len(it)
        assert all(len(xb) <= 16 for xb, _ in batches)
        seen = torch.cat([xb[:, 0, 0] for xb, _ in batches])
        assert_array_equal(np.sort(seen.numpy()), np.arange(n))
        assert all(torch.equal(xb[:, 0, 0], yb) for xb, yb in batches)
        orders.append(seen)
    if shuffle and n > 5:
        assert not torch.equal(orders[0], orders[1])
    if not shuffle:
        assert all(torch.equal(o, torch.arange(n, dtype=torch.float32)) for o in orders)


def test_batch_iterator_without_shuffle_yields_views():
    X = torch.zeros(32, 4, 2)
    (xb, _), _ = list(BatchIterator(SequenceDataset(X, torch.zeros(32)), batch_size=16))
    assert xb.data_ptr() == X.data_ptr()


def test_holdout_split_is_a_disjoint_partition_of_views():
    X = torch.arange(50, dtype=torch.float32).reshape(50, 1, 1)
    y = torch.tensor([0] * 40 + [1] * 10)
    split = HoldoutSplit(0.2, stratify=True, random_state=0)
    train, valid = split(SequenceDataset(X, y))
    assert train.X is X and valid.X is X
    rows = np.concatenate([train.indices.numpy(), valid.indices.numpy()])
    assert_array_equal(np.sort(rows), np.arange(50))
    assert len(valid) == 10
    assert valid.targets().sum() == 2  # stratified: 20% of each class


def test_fast_path_reaches_skorch_default_weights():
    """Given the same batch order, the slicing iterator trains exactly like skorch's
    default DataLoader over skorch's Dataset."""
    X, y = _data()
    # skorch's plain loop has no clipping and no schedule: neither has this fit.
    est = LSTMRegressor(**{**FAST, "shuffle": False, "normalize_y": False},
                        clip_grad_norm=None, lr_schedule="constant",
                        standardize=False).fit(X, y)
    # (A training loss that falls every epoch: the best epoch is the last.)
    assert np.all(np.diff(est.loss_curve_) < 0)
    torch.manual_seed(0)
    # The estimator's module is initialised from a generator seeded with the fit's
    # seed; start skorch from the same initial weights, built the same way.
    from skrnn.nn._generator import build_module

    generator = torch.Generator().manual_seed(est.net_.init_seed_)
    module = build_module(RecurrentNet, generator, input_size=2, output_size=1,
                          hidden_size=8)
    plain = NeuralNet(
        module=module,
        criterion=torch.nn.MSELoss,
        optimizer=torch.optim.Adam,
        lr=est.lr,
        max_epochs=4,
        batch_size=16,
        train_split=None,
        verbose=0,
    ).fit(X, y.reshape(-1, 1).astype(np.float32))
    for a, b in zip(est.module_.parameters(), plain.module_.parameters(), strict=True):
        assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_user_callbacks_pass_through_and_are_not_modified():
    X, y = _data()
    recorder = BatchRecorder()
    sched = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    est = RecurrentRegressor(**FAST, callbacks=[recorder, ("sched", sched)]).fit(X, y)
    assert not hasattr(recorder, "batches_")  # the passed object was cloned
    cbs = dict(est.net_.callbacks_)
    assert len(cbs["BatchRecorder"].batches_) == 4 * 4
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(est.lr * 0.5**4)
    assert [name for name, _ in est.get_params()["callbacks"][1:]] == ["sched"]


def test_skorch_early_stopping_callback_is_not_an_interrupt():
    X, y = _data()
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = RecurrentRegressor(**{**FAST, "max_epochs": 20},
                                 callbacks=[stop]).fit(X, y)
    assert est.n_iter_ == 2


class InterruptAt(Callback):
    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_keyboard_interrupt_keeps_a_usable_estimator_and_says_so():
    X, y = _data()
    est = RecurrentRegressor(**{**FAST, "max_epochs": 10}, callbacks=[InterruptAt(2)])
    with pytest.warns(UserWarning,
                      match="interrupted by the user after 2 completed epoch"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    assert est.n_iter_ == 2
    assert est.predict(X).shape == (64,)


class InterruptInEpoch(Callback):
    def on_batch_end(self, net, training=None, **kwargs):
        if training and len(net.history) == 3 and len(net.history[-1]["batches"]) == 2:
            raise KeyboardInterrupt


@pytest.mark.parametrize("early_stopping", [False, True])
def test_keyboard_interrupt_in_the_middle_of_an_epoch(early_stopping):
    X, y = _data()
    est = RecurrentRegressor(**{**FAST, "max_epochs": 10},
                             early_stopping=early_stopping,
                             callbacks=[InterruptInEpoch()])
    expected = "best validation epoch" if early_stopping else "epoch 2, its last"
    with pytest.warns(UserWarning, match=f"after 2 completed epoch.*{expected}"):
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    assert est.n_iter_ == 2 == len(est.loss_curve_) == len(est.history_)
    assert est.predict(X).shape == (64,)


def test_optimizer_names_and_callables():
    X, y = _data()
    for opt, cls in [("sgd", torch.optim.SGD), ("adamw", torch.optim.AdamW),
                     ("rmsprop", torch.optim.RMSprop)]:
        est = RecurrentRegressor(**FAST, optimizer=opt, weight_decay=0.01).fit(X, y)
        assert type(est.net_.optimizer_) is cls
        assert est.net_.optimizer_.param_groups[0]["weight_decay"] == 0.01
    sgd = functools.partial(torch.optim.SGD, momentum=0.9)
    est = RecurrentRegressor(**FAST, optimizer=sgd, lr=0.05).fit(X, y)
    assert est.net_.optimizer_.param_groups[0]["momentum"] == 0.9
    assert est.net_.optimizer_.param_groups[0]["lr"] == 0.05


def test_clip_grad_norm_bounds_the_gradient():
    X, y = _data()
    norms = []

    class Norm(Callback):
        def on_batch_end(self, net, training=None, **kwargs):
            if training:
                grads = [p.grad for p in net.module_.parameters() if p.grad is not None]
                norms.append(torch.linalg.vector_norm(torch.stack(
                    [torch.linalg.vector_norm(g) for g in grads])).item())

    RecurrentRegressor(**FAST, clip_grad_norm=1e-3,
                       callbacks=[Norm()]).fit(X * 100, y * 100)
    assert max(norms) <= 1e-3 * 1.001


def test_classifier_validation_split_is_stratified():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 5, 1)).astype(np.float32)
    y = np.array(["a"] * 80 + ["b"] * 20)
    est = RecurrentClassifier(**FAST, early_stopping=True,
                              validation_fraction=0.2).fit(X, y)
    _, valid = est.net_.train_split(
        SequenceDataset(torch.from_numpy(X), est._encode_targets(y, reset=False)[0])
    )
    assert sorted(np.bincount(valid.targets())) == [4, 16]
