"""The skorch glue: the net skrnn's estimators build in ``fit``, and its fast data path.

skorch's default data path indexes a ``Dataset`` one sample at a time and collates
the samples into a batch, which costs a few microseconds per sample: for the small
recurrent models skrnn is for, that is a noticeable share of the fit. Here the data
live in two tensors and a batch is one slice (in order) or one gather (after a random
permutation), which is what a hand-written PyTorch loop does.
"""

import math
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, GradientNormClipping, LRScheduler

from ._fit_checks import optimizer_params
from ._recipe import PlateauLR, resolve_batch_size, resolve_n_iter_no_change
from ._weights import WeightedTargets, record_batch_weight, weighted_loss
from .callbacks import LastGoodEpoch, NonFiniteLossGuard, StopTraining
from .exceptions import OutOfMemoryError
from .nn import RecurrentNet, set_generator
from .nn._generator import build_module
from .utils._random import fit_generators, seed_generators

__all__ = [
    "BatchIterator",
    "HoldoutSplit",
    "SequenceDataset",
    "TensorRagged",
    "TensorWindows",
    "build_net",
    "concat_outputs",
    "run_module",
]

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


class TensorWindows:
    """Windows over a series tensor, gathered one batch at a time.

    The torch side of :class:`skrnn.preprocessing.WindowedSeries`: it stands for a
    tensor of shape ``(n_windows, window, n_features)`` whose row ``i`` is
    ``series[starts[i] : starts[i] + window]``, and indexing it with a slice or a
    tensor of rows copies just those windows, in one ``index_select`` from a view
    of the series (no index array per batch). The series itself is never copied.

    Parameters
    ----------
    series : torch.Tensor of shape (n_observations, n_features)
        The observations.
    starts : range or torch.Tensor of shape (n_windows,)
        Where each window starts; a range keeps a long run of consecutive windows
        without an index array.
    window : int
        Observations per window (0 gives empty sequences).
    """

    def __init__(self, series, starts, window):
        self.series = series
        self.starts = starts
        self.window = window

    def __len__(self):
        return len(self.starts)

    @property
    def shape(self):
        return (len(self), self.window, self.series.shape[1])

    @property
    def device(self):
        return self.series.device

    @property
    def nbytes(self):
        """Bytes held: the series (and the starts, when an index tensor)."""
        held = self.series.element_size() * self.series.nelement()
        if isinstance(self.starts, torch.Tensor):
            held += self.starts.element_size() * self.starts.nelement()
        return held

    def to(self, device):
        """The same windows over the series moved to ``device``."""
        starts = self.starts
        if isinstance(starts, torch.Tensor):
            starts = starts.to(device)
        return TensorWindows(self.series.to(device), starts, self.window)

    def __getitem__(self, rows):
        starts = self.starts
        if isinstance(rows, int):
            first = int(starts[rows])
            return self.series[first : first + self.window]
        if isinstance(starts, range):
            if isinstance(rows, slice):
                part = starts[rows]
                first = torch.arange(part.start, part.stop, device=self.device)
            else:
                first = rows.to(self.device, torch.int64) + starts.start
        else:
            first = starts[rows]
        # All windows as a view of the series, (n - window + 1, window, n_features),
        # from which index_select copies the batch's rows into one new tensor.
        windows = self.series.unfold(0, self.window, 1).transpose(1, 2)
        return windows.index_select(0, first)


class TensorRagged:
    """Sequences of different lengths as one tensor of steps, batched padded.

    The torch side of ``RaggedSequences`` (``skrnn._data``): every time step of
    every sequence in one tensor ``values``, end to end, and the ``offsets`` where
    each sequence starts. Indexing it with a slice or a tensor of rows gathers
    those sequences, zero-padded at the end to the longest of them, into a batch
    ``{"X": (batch, max_length, n_features), "lengths": (batch,)}``, which skorch
    passes to :meth:`RecurrentNet.forward <skrnn.nn.RecurrentNet.forward>` as
    keyword arguments; the network packs it, so the padding is never read.

    Parameters
    ----------
    values : torch.Tensor of shape (n_steps, n_features)
        All time steps.
    offsets : torch.Tensor of shape (n_sequences + 1,), int64, on the CPU
        Where each sequence starts in ``values``, then ``n_steps``.
    """

    #: Sequences sorted together by length when batches are drawn (see
    #: :meth:`batches`); 50 batches' worth, as torchtext's bucket iterator.
    bucket_batches = 50

    def __init__(self, values, offsets):
        self.values = values
        self.offsets = offsets
        self.lengths = offsets[1:] - offsets[:-1]

    @classmethod
    def from_ragged(cls, ragged):
        """The tensor form of a ``RaggedSequences`` (``skrnn._data``)."""
        values = torch.from_numpy(np.ascontiguousarray(ragged.values, np.float32))
        return cls(values, torch.from_numpy(np.asarray(ragged.offsets, np.int64)))

    def __len__(self):
        return len(self.lengths)

    @property
    def shape(self):
        longest = int(self.lengths.max()) if len(self) else 0
        return (len(self), longest, self.values.shape[1])

    @property
    def device(self):
        return self.values.device

    @property
    def nbytes(self):
        return self.values.element_size() * self.values.nelement()

    def to(self, device):
        """The same sequences with their steps on ``device`` (offsets stay)."""
        return TensorRagged(self.values.to(device), self.offsets)

    def __getitem__(self, rows):
        if isinstance(rows, int):
            return self.values[self.offsets[rows] : self.offsets[rows + 1]]
        if isinstance(rows, slice):
            rows = torch.arange(len(self))[rows]
        rows = rows.cpu().long()
        starts, lengths = self.offsets[rows], self.lengths[rows]
        longest = int(lengths.max()) if len(rows) else 0
        steps = torch.arange(longest)
        inside = steps < lengths[:, None]
        index = torch.where(inside, starts[:, None] + steps, 0)
        X = self.values.index_select(0, index.reshape(-1).to(self.device))
        X = X.view(len(rows), longest, -1)
        X = X.masked_fill(~inside.to(self.device)[:, :, None], 0.0)
        return {"X": X, "lengths": lengths}

    def batches(self, order, batch_size, shuffle, generator=None):
        """Rows of each batch, of sequences of similar lengths.

        With ``shuffle``, ``order`` (a random permutation of the rows) is cut into
        buckets of :attr:`bucket_batches` batches; within a bucket the rows are
        sorted by length and cut into batches, so a batch pads little, and the
        batches then come in a random order. Without
        ``shuffle`` the rows keep their order (``order``, or None for all), cut
        into consecutive batches, so that outputs line up with the inputs.
        The batch order is drawn from ``generator`` (the fit's; None: torch's
        global CPU generator).
        """
        if order is None:
            order = torch.arange(len(self))
        order = order.cpu().long()
        if not shuffle:
            return list(order.split(batch_size))
        bucket = batch_size * self.bucket_batches
        out = []
        for start in range(0, len(order), bucket):
            part = order[start : start + bucket]
            part = part[torch.argsort(self.lengths[part], stable=True)]
            out.extend(part.split(batch_size))
        return [out[i] for i in torch.randperm(len(out), generator=generator)]


def input_stats(X, weight=None, chunk_rows=1 << 16):
    """Mean and standard deviation of each feature over every observed step.

    ``X`` is what a fit trains on: a :class:`TensorWindows` (the statistics of
    the observations its windows cover, each once), a :class:`TensorRagged`
    (of its steps, no padding) or a tensor ``(n_sequences, n_timesteps,
    n_features)``. ``weight``, one per sequence (None: equal), weighs every
    step of its sequence, so that an integer weight counts as that many
    copies (ignored for windows). Two passes over chunks of ``chunk_rows``
    steps, accumulated in float64, so that no copy of the data is made; a
    feature that does not vary gets the scale 1.

    Returns
    -------
    mean, scale : numpy.ndarray of shape (n_features,), float32
    """
    covered = step_weight = None
    if isinstance(X, TensorWindows):
        # The observations inside a training window, and no others: the series
        # may run on into rows this fit must not see (a later test fold).
        steps, n_obs = X.series, len(X.series)
        starts = torch.as_tensor(X.starts, dtype=torch.int64)
        edges = torch.zeros(n_obs + 1, dtype=torch.int64)
        edges.index_add_(0, starts, torch.ones_like(starts))
        edges.index_add_(0, torch.clamp(starts + X.window, max=n_obs),
                         -torch.ones_like(starts))
        covered = torch.cumsum(edges[:-1], 0) > 0
    elif isinstance(X, TensorRagged):
        steps = X.values
        if weight is not None:
            step_weight = torch.repeat_interleave(
                weight.to("cpu", torch.float64), X.lengths.to("cpu"))
    else:
        steps = X.reshape(-1, X.shape[-1])
        if weight is not None:
            step_weight = torch.repeat_interleave(
                weight.to("cpu", torch.float64), X.shape[1])
    n_features = steps.shape[-1]

    def chunks():
        for start in range(0, len(steps), chunk_rows):
            part = steps[start:start + chunk_rows].to("cpu", torch.float64)
            if covered is not None:
                yield part[covered[start:start + chunk_rows]], None
            elif step_weight is not None:
                yield part, step_weight[start:start + chunk_rows, None]
            else:
                yield part, None

    if covered is not None:
        n = float(covered.sum())
    elif step_weight is not None:
        n = float(step_weight.sum())
    else:
        n = float(len(steps))
    if n <= 0:
        return np.zeros(n_features, np.float32), np.ones(n_features, np.float32)
    total = torch.zeros(n_features, dtype=torch.float64)
    for part, w in chunks():
        total += (part if w is None else part * w).sum(0)
    mean = total / n
    squares = torch.zeros(n_features, dtype=torch.float64)
    for part, w in chunks():
        part = (part - mean) ** 2
        squares += (part if w is None else part * w).sum(0)
    scale = torch.sqrt(squares / n)
    tiny = 10 * torch.finfo(torch.float32).eps * torch.clamp(mean.abs(), min=1.0)
    scale[scale <= tiny] = 1.0
    return mean.numpy().astype(np.float32), scale.numpy().astype(np.float32)


def last_steps(X):
    """Each training sequence's last observed step, ``(n_sequences, n_features)``.

    ``X`` as for :func:`input_stats` (a :class:`TensorWindows` of complete
    windows, a :class:`TensorRagged` or a tensor); float64, on the CPU.
    """
    if isinstance(X, TensorWindows):
        starts = torch.as_tensor(X.starts, dtype=torch.int64)
        return X.series.index_select(0, starts + X.window - 1).to("cpu", torch.float64)
    if isinstance(X, TensorRagged):
        ends = (X.offsets[1:] - 1).to(torch.int64)
        return X.values.index_select(0, ends.to(X.values.device)).to("cpu",
                                                                     torch.float64)
    return X[:, -1].to("cpu", torch.float64)


def skip_fit(module, X, y, weight=None, ridge=1e-3):
    """The least-squares start of ``relative=True``: ``(weight, bias)``.

    The (weighted) linear regression of the encoded targets ``y`` on the last
    step of each sequence of ``X``, standardised as the module standardises it,
    with a small ridge penalty ``ridge`` (relative to each feature's spread) so
    that a feature that never varies gets no weight.
    """
    last = last_steps(X)
    if module.standardize:
        mean = module.input_mean.to("cpu", torch.float64)
        last = (last - mean) / module.input_scale.to("cpu", torch.float64)
    y = y.to("cpu", torch.float64).reshape(len(y), -1)
    w = torch.ones(len(y), dtype=torch.float64) if weight is None \
        else weight.to("cpu", torch.float64)
    total = w.sum()
    x_mean = (w[:, None] * last).sum(0) / total
    y_mean = (w[:, None] * y).sum(0) / total
    xc, yc = last - x_mean, y - y_mean
    gram = (w[:, None] * xc).T @ xc
    gram += ridge * torch.diag(torch.clamp(torch.diagonal(gram), min=total * 1e-12))
    gram += 1e-12 * total * torch.eye(len(gram), dtype=torch.float64)
    coef = torch.linalg.solve(gram, (w[:, None] * xc).T @ yc).T  # (outputs, features)
    bias = y_mean - coef @ x_mean
    return coef.numpy().astype(np.float32), bias.numpy().astype(np.float32)


def run_module(module, batch, device):
    """Call ``module`` on one batch (a tensor, or a mapping of keyword tensors)."""
    if isinstance(batch, Mapping):
        return module(**{key: value.to(device) for key, value in batch.items()})
    return module(batch.to(device))


def concat_outputs(outs):
    """Concatenate per-batch outputs; per-step ones padded to the longest batch."""
    if len(outs) == 1:
        return outs[0]
    if outs[0].ndim == 3:
        longest = max(out.shape[1] for out in outs)
        outs = [torch.nn.functional.pad(out, (0, 0, 0, longest - out.shape[1]))
                for out in outs]
    return torch.cat(outs)


class SequenceDataset(torch.utils.data.Dataset):
    """Sequences and targets held as whole tensors, optionally a subset of rows.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_timesteps, n_features), TensorWindows \
            or TensorRagged
        The sequences.
    y : torch.Tensor of shape (n_samples, ...) or None, default=None
        The targets.
    indices : torch.Tensor of shape (n_rows,) or None, default=None
        The rows of ``X`` and ``y`` this dataset stands for (a validation split,
        say), without copying them; None means all rows.
    sample_weight : torch.Tensor of shape (n_samples,) or None, default=None
        The weight of each row of ``X`` (a weighted fit); batches then carry
        their targets as :class:`~skrnn._weights.WeightedTargets`.
    """

    def __init__(self, X, y=None, indices=None, sample_weight=None):
        self.X = X
        self.y = y
        self.indices = indices
        self.sample_weight = sample_weight

    def __len__(self):
        return len(self.X) if self.indices is None else len(self.indices)

    def __getitem__(self, i):
        j = i if self.indices is None else self.indices[i]
        return self.X[j], (self.y[j] if self.y is not None else torch.empty(0))

    def targets(self):
        """The targets of this dataset's rows, as a NumPy array on the CPU."""
        y = self.y if self.indices is None else self.y[self.indices]
        return y.cpu().numpy()


class BatchIterator:
    """Iterate over a :class:`SequenceDataset` in batches sliced from its tensors.

    skorch creates it once per fit (as its ``iterator_train`` / ``iterator_valid``)
    and iterates over it once per epoch. Each epoch visits every row exactly once:
    in order, as slices (views, no copy), or after a permutation drawn from
    ``generator``, as one gather per batch. Other datasets are handed to a
    :class:`torch.utils.data.DataLoader`.

    Parameters
    ----------
    dataset : SequenceDataset or torch.utils.data.Dataset
        The data.
    batch_size : int, default=32
        Rows per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Whether to visit the rows in a new random order each epoch.
    generator : torch.Generator or None, default=None
        The CPU generator the order is drawn from (the fit's, reseeded every
        epoch); None uses torch's global generator.
    """

    def __init__(self, dataset, batch_size=32, shuffle=False, generator=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        dataset, size = self.dataset, self.batch_size
        if not isinstance(dataset, SequenceDataset):
            yield from torch.utils.data.DataLoader(
                dataset, batch_size=size, shuffle=self.shuffle,
                generator=self.generator,
            )
            return
        X, y, order = dataset.X, dataset.y, dataset.indices
        n = len(dataset)
        if self.shuffle:
            # int32 where it fits: the same permutation in half the memory.
            small = n < np.iinfo(np.int32).max
            perm = torch.randperm(n, dtype=torch.int32 if small else torch.int64,
                                  generator=self.generator)
            order = perm if order is None else order[perm]
        weight = getattr(dataset, "sample_weight", None)
        if hasattr(X, "batches"):  # sequences of different lengths: bucketed
            for rows in X.batches(order, size, self.shuffle, self.generator):
                target = None if y is None else y[rows.to(y.device)]
                if weight is not None:
                    target = WeightedTargets(target, weight[rows.to(weight.device)])
                yield X[rows], target
            return
        if order is not None:
            order = order.to(X.device)
        for start in range(0, n, size):
            if order is None:
                rows = slice(start, start + size)
            else:
                rows = order[start : start + size]
            if weight is not None:
                yield X[rows], WeightedTargets(y[rows], weight[rows])
                continue
            yield X[rows], (None if y is None else y[rows])


class HoldoutSplit:
    """Hold out a fraction of a :class:`SequenceDataset` for validation.

    Used as skorch's ``train_split`` when early stopping is on. Both parts are
    views of the same tensors (row indices), not copies. Independent sequences
    are held out at random; windows over one series (:class:`TensorWindows`)
    are held out as a block at the end of the series: the rows whose windows
    start last, so that the validation windows come after every training one
    in time, as the test data of a forecast do.

    Parameters
    ----------
    validation_fraction : float
        Share of the rows held out, in (0, 1).
    stratify : bool, default=False
        Whether to stratify by the targets (classification). Falls back to a plain
        random split when a class has too few members to be stratified.
    random_state : int or None, default=None
        Seed of the split.
    """

    def __init__(self, validation_fraction, stratify=False, random_state=None):
        self.validation_fraction = validation_fraction
        self.stratify = stratify
        self.random_state = random_state

    def __call__(self, dataset, y=None, **fit_params):
        if isinstance(dataset.X, TensorWindows):
            return self._time_ordered(dataset)
        rows = np.arange(len(dataset))
        labels = dataset.targets() if self.stratify else None
        if labels is not None:
            _, counts = np.unique(labels, return_counts=True)
            n_valid = math.ceil(self.validation_fraction * len(rows))
            if counts.min() < 2 or n_valid < len(counts):
                labels = None
        train, valid = train_test_split(
            rows,
            test_size=self.validation_fraction,
            random_state=self.random_state,
            stratify=labels,
        )
        base = dataset.indices
        train = torch.from_numpy(np.sort(train))
        valid = torch.from_numpy(np.sort(valid))
        if base is not None:
            train, valid = base[train], base[valid]
        weight = getattr(dataset, "sample_weight", None)
        return (
            SequenceDataset(dataset.X, dataset.y, indices=train, sample_weight=weight),
            SequenceDataset(dataset.X, dataset.y, indices=valid, sample_weight=weight),
        )

    def _time_ordered(self, dataset):
        rows = torch.arange(len(dataset))
        if dataset.indices is not None:
            rows = dataset.indices
        starts = dataset.X.starts
        if isinstance(starts, range):
            first = torch.arange(starts.start, starts.stop)[rows]
        else:
            first = starts.cpu()[rows.cpu()]
        order = rows[torch.argsort(first.cpu(), stable=True)]
        n_valid = math.ceil(self.validation_fraction * len(order))
        n_valid = min(max(n_valid, 1), len(order) - 1)
        cut = len(order) - n_valid
        train, valid = torch.sort(order[:cut]).values, torch.sort(order[cut:]).values
        return (
            SequenceDataset(dataset.X, dataset.y, indices=train),
            SequenceDataset(dataset.X, dataset.y, indices=valid),
        )


class StopOnPlateau(EarlyStopping):
    """skorch's ``EarlyStopping``, ending the fit with :class:`StopTraining`.

    skorch's callback stops by raising ``KeyboardInterrupt``, which cannot be told
    apart from the user pressing Ctrl-C; this one raises its own exception, which
    the net turns into a normal end of training. ``stopped_`` tells whether it
    fired in the last fit.
    """

    def on_train_begin(self, net, **kwargs):
        self.stopped_ = False
        if getattr(net, "resuming_", False) and hasattr(self, "best_epoch_"):
            return None  # completing an interrupted fit: keep counting its misses
        return super().on_train_begin(net, **kwargs)

    def on_train_end(self, net, **kwargs):
        if len(net.history):  # empty after a Ctrl-C in the first epoch
            super().on_train_end(net, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            if self.misses_ < self.patience:  # a real Ctrl-C, not the plateau
                raise
            self.stopped_ = True
            raise StopTraining from None


class RecurrentSkorchNet(NeuralNet):
    """The skorch net skrnn's estimators train with.

    It is skorch's ``NeuralNet`` with these changes to its loop:

    - an epoch loop ended by :class:`StopTraining` is a normal end of training;
    - a ``KeyboardInterrupt`` from the user is recorded in ``interrupted_`` and
      passed on (skorch ends the fit and runs the ``on_train_end`` callbacks, so
      :class:`~skrnn.callbacks.LastGoodEpoch` restores the last completed epoch;
      the estimator then says so and re-raises it, so an interrupted grid search
      stops). A ``KeyboardInterrupt`` raised by skorch's own ``EarlyStopping``
      passed in ``callbacks`` keeps skorch's meaning;
    - a CUDA out-of-memory error restores the last completed epoch and becomes
      a :class:`~skrnn.exceptions.OutOfMemoryError` that names the batch size;
    - its module is constructed without drawing from torch's global generator
      and initialised by ``reset_parameters`` from a generator seeded with
      ``init_seed_`` (see :func:`skrnn.nn._generator.build_module`);
    - with ``seed_`` set (an int), the fit draws from generators of its own
      (``generators_``, made by :func:`~skrnn.utils._random.fit_generators`):
      every epoch starts by reseeding them from ``(seed_, epoch number)``, the
      batch order is drawn from the CPU one and the module's dropout from the
      device's. The shuffling and dropout of epoch ``e`` are then the same
      however a fit was split into calls (an interrupted fit and its
      resumption, ``warm_start`` fits, ``partial_fit``) and whatever runs in
      other threads at the same time;
    - the loss is the mean of the criterion's element losses
      (``reduction="none"``), weighted by the rows' weights in a weighted fit
      (see :mod:`skrnn._weights`).

    The estimator also sets ``resuming_`` (completing an interrupted fit: the
    plateau stopper keeps its count) and ``fit_state_`` (what a
    :class:`~skrnn.callbacks.Checkpoint` records about the estimator).
    """

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        if isinstance(self.module, torch.nn.Module) or not callable(self.module):
            return super().initialize_module()
        seed = getattr(self, "init_seed_", None)
        generator = torch.Generator().manual_seed(0 if seed is None else seed)
        self.module_ = build_module(self.module, generator, **kwargs)
        return self

    def _fit_generators(self):
        generators = getattr(self, "generators_", None)
        if generators is None:
            generators = self.generators_ = fit_generators(self.device)
        return generators

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        if training and getattr(self, "seed_", None) is not None \
                and isinstance(iterator, BatchIterator):
            iterator.generator = self._fit_generators()[0]
        return iterator

    def on_epoch_begin(self, net, **kwargs):
        super().on_epoch_begin(net, **kwargs)
        seed = getattr(self, "seed_", None)
        if seed is not None:
            generators = self._fit_generators()
            seed_generators(generators, seed, len(self.history))
            set_generator(self.module_, generators[1])

    def release_generators(self):
        """Forget the fit's generators (the module's layers go back to torch's)."""
        self.generators_ = None
        if isinstance(getattr(self, "module_", None), torch.nn.Module):
            set_generator(self.module_, None)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return weighted_loss(self.criterion_, y_pred, y_true, self.device)

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        super().on_batch_end(net, batch=batch, training=training, **kwargs)
        record_batch_weight(self, batch, training)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self.interrupted_ = False
        try:
            with device_memory_hint(self, training=True):
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except StopTraining:
            return self
        except KeyboardInterrupt:
            if not _skorch_early_stopping_fired(self):
                self.interrupted_ = True
            raise


@contextmanager
def device_memory_hint(net, *, training, batch_size=None):
    """Turn a CUDA out-of-memory error into one that says what to do.

    In training, the weights of the last completed epoch are restored first
    (from the net's :class:`~skrnn.callbacks.LastGoodEpoch`).

    Parameters
    ----------
    net : skorch.NeuralNet
        The net training or predicting.
    training : bool
        Whether the block trains (else it predicts).
    batch_size : int or None
        The sequences per forward pass when predicting; None: the net's.
    """
    try:
        yield
    except torch.cuda.OutOfMemoryError as exc:
        if isinstance(exc, OutOfMemoryError):
            raise
        size = net.batch_size if batch_size is None else batch_size
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if training:
            kept = next(
                (cb for _, cb in net.callbacks_ if isinstance(cb, LastGoodEpoch)), None
            )
            epoch = len(net.history)
            if kept is not None and kept.epoch_ is not None:
                kept.restore(net)
                restored = (f"the weights and optimizer state of epoch {kept.epoch_}, "
                            "the last completed one, were restored"
                            if kept.epoch_ else
                            "the weights from before the first epoch were restored")
            else:
                restored = "the weights may be those of an unfinished epoch"
            message = (
                f"The device ({net.device}) ran out of memory in epoch {epoch} of "
                f"training with batch_size={size}; {restored}. Train with "
                + (f"smaller batches, e.g. batch_size={size // 2}, or "
                   if size > 1 else "")
                + "a smaller network (hidden_size, num_layers); with warm_start=True "
                "the next fit completes this one."
            )
        else:
            message = (
                f"The device ({net.device}) ran out of memory predicting in batches "
                f"of {size} sequences; the fitted weights are unchanged. "
                + (f"Predict in smaller batches, e.g. after estimator.set_params("
                   f"predict_batch_size={size // 2}), or " if size > 1 else "Predict ")
                + "on fewer sequences at a time."
            )
        if detail:
            message += f" (torch: {detail})"
        raise OutOfMemoryError(message) from exc


def _skorch_early_stopping_fired(net):
    return any(
        isinstance(cb, EarlyStopping)
        and not isinstance(cb, StopOnPlateau)
        and cb.misses_ >= cb.patience
        for _, cb in net.callbacks_
    )


def _named_callbacks(callbacks):
    """Clone user callbacks (fit must not change them) and name them."""
    named = []
    for item in callbacks or ():
        if isinstance(item, tuple):
            name, cb = item
            named.append((name, clone(cb, safe=False)))
        else:
            named.append(clone(item, safe=False))
    return named


def build_net(estimator, *, input_size, output_size, criterion, device, seed,
              stratify, early_stopping=None, batch_size=None):
    """Build the (uninitialised) skorch net for a recurrent estimator.

    Parameters
    ----------
    estimator : BaseRecurrentEstimator
        The estimator whose flat hyperparameters configure the net.
    input_size, output_size : int
        Features per time step; outputs of the network.
    criterion : type
        The torch loss class.
    device : torch.device
        Where to train.
    seed : int or None
        Seed of the weight initialisation and of the validation split.
    stratify : bool
        Whether the validation split is stratified (classifiers).
    early_stopping : bool or None, default=None
        Whether to hold out a validation set and stop on its loss (the resolved
        value of the estimator's ``early_stopping``); None takes what the
        estimator's last fit used (``"auto"`` then means off).
    batch_size : int or None, default=None
        The resolved batch size; None takes what the estimator's last fit used.

    Returns
    -------
    net : RecurrentSkorchNet
    """
    est = estimator
    if early_stopping is None:
        early_stopping = getattr(est, "_early_stopping_used", est.early_stopping)
        early_stopping = early_stopping is True
    if batch_size is None:
        batch_size = getattr(est, "_batch_size_used", None)
        batch_size = resolve_batch_size(batch_size or est.batch_size, None)
    monitor = "valid_loss" if early_stopping else "train_loss"
    patience = resolve_n_iter_no_change(est.n_iter_no_change, early_stopping)
    # skrnn's own callbacks come first, so that each epoch is checked and kept
    # before any user callback runs (or raises) at its end.
    callbacks = [
        ("nonfinite_loss", NonFiniteLossGuard(action=est.nonfinite_loss)),
        ("last_good_epoch", LastGoodEpoch()),
        (
            "stop_on_plateau",
            StopOnPlateau(
                monitor=monitor,
                patience=patience,
                threshold=est.tol,
                threshold_mode="abs",
                load_best=True,
            ),
        )
    ]
    user_callbacks = _named_callbacks(est.callbacks)
    # A learning-rate scheduler of the user's replaces the plateau schedule.
    own_schedule = any(
        isinstance(cb[1] if isinstance(cb, tuple) else cb, LRScheduler)
        for cb in user_callbacks
    )
    if est.lr_schedule == "plateau" and not own_schedule:
        callbacks.append(("lr_schedule", PlateauLR(
            monitor=monitor, patience=max(1, patience // 3), tol=est.tol
        )))
    # Installed even when None (a no-op then), so that a warm-start fit can set it.
    callbacks.append(
        ("clip_grad_norm", GradientNormClipping(gradient_clip_value=est.clip_grad_norm))
    )
    callbacks.extend(user_callbacks)
    optimizer = OPTIMIZERS.get(est.optimizer, est.optimizer)
    train_split = None
    if early_stopping:
        train_split = HoldoutSplit(est.validation_fraction, stratify, seed)
    net = RecurrentSkorchNet(
        module=RecurrentNet,
        module__input_size=input_size,
        module__output_size=output_size,
        module__cell=est.cell,
        module__hidden_size=est.hidden_size,
        module__num_layers=est.num_layers,
        module__bidirectional=est.bidirectional,
        module__dropout=est.dropout,
        module__nonlinearity=est.nonlinearity,
        module__return_sequences=est.return_sequences,
        module__readout=est.readout,
        module__init=est.init,
        module__standardize=getattr(est, "standardize", False) is not False,
        # (resolved by fit; a model saved before it existed reads False)
        module__relative=getattr(est, "_relative_used", False),
        criterion=criterion,
        criterion__reduction="none",  # the net's get_loss takes the (weighted) mean
        optimizer=optimizer,
        **optimizer_params(optimizer, est),
        lr=est.lr,
        max_epochs=est.max_epochs,
        batch_size=batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=est.shuffle,
        iterator_valid=BatchIterator,
        train_split=train_split,
        callbacks=callbacks,
        device=device,
        verbose=est.verbose,
        predict_nonlinearity=None,
    )
    net.init_seed_ = seed
    return net
