"""Seeding a fit from a scikit-learn ``random_state``, on generators of its own.

Every random draw of a fit comes from ``torch.Generator`` objects the fit owns
(:func:`fit_generators`), never from torch's process-wide generators, which the
threads of a process share: so fits running at the same time in threads (joblib's
threading backend, a Dask worker with several threads) draw exactly what they
would draw one after another, and the caller's global state is never changed.
See :mod:`skrnn.nn._generator` for the layers that draw from them.
"""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state

from ..nn._generator import GLOBAL_RNG_LOCK


def draw_seed(random_state):
    """Draw an integer seed for torch from a scikit-learn ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        An int always gives the same seed; a ``RandomState`` is advanced by one
        draw, as scikit-learn estimators do; ``None`` draws the seed from torch's
        global CPU generator (advancing it by one draw), so that
        ``torch.manual_seed`` makes such fits repeatable, as in plain PyTorch.

    Returns
    -------
    seed : int
        A seed in ``[0, 2**31 - 1)``.
    """
    high = np.iinfo(np.int32).max
    if random_state is None:
        with GLOBAL_RNG_LOCK:
            return int(torch.randint(high, ()))
    return int(check_random_state(random_state).randint(high))


def fit_generators(device="cpu"):
    """The generators of one fit: ``(cpu, on_device)``.

    The CPU generator draws the batch order; the device's draws dropout masks
    (the same object on the CPU). Seed them with :func:`seed_generators`.

    Parameters
    ----------
    device : str or torch.device, default="cpu"
        The device trained on.

    Returns
    -------
    generators : tuple of torch.Generator
    """
    cpu = torch.Generator()
    device = torch.device(device)
    if device.type == "cuda":
        return cpu, torch.Generator(device=device)
    return cpu, cpu


def epoch_seed(seed, epoch):
    """The seed of epoch ``epoch`` of a fit seeded with ``seed``."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0])


def seed_generators(generators, seed, epoch):
    """Seed a fit's generators for one epoch, from ``seed`` and the epoch number.

    Called at the start of every epoch: what epoch ``epoch`` draws (the batch
    order, dropout masks) then depends only on ``(seed, epoch)``, not on how
    many epochs ran before it in the same call, so a fit split into several calls
    (interrupted and resumed, ``warm_start``, ``partial_fit``) draws exactly what
    one uninterrupted fit draws.

    Parameters
    ----------
    generators : tuple of torch.Generator
        From :func:`fit_generators`.
    seed : int
        The fit's seed, from :func:`draw_seed`.
    epoch : int
        The epoch number (1 for the first epoch of the estimator's training).
    """
    value = epoch_seed(seed, epoch)
    for generator in dict.fromkeys(generators):
        generator.manual_seed(value)


@contextmanager
def torch_seed(seed, device="cpu"):
    """Run a block with torch's generators seeded, restoring them afterwards.

    The CPU generator, and the generator of ``device`` when it is a CUDA device, are
    forked: whatever the block draws (weight initialisation, batch shuffling, dropout
    masks) comes from ``seed``, and the caller's generators are left exactly as they
    were. With ``seed=None`` the block runs on the global generators, untouched.
    The block holds skrnn's lock on the global generators: keep it short. (Fits
    do not use it: they draw from generators of their own.)

    Parameters
    ----------
    seed : int or None
        The seed, usually from :func:`draw_seed`.
    device : str or torch.device, default="cpu"
        The device the block computes on.
    """
    if seed is None:
        yield
        return
    device = torch.device(device)
    devices = []
    if device.type == "cuda" and torch.cuda.is_available():
        index = device.index
        devices = [index if index is not None else torch.cuda.current_device()]
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices):
        # Seed only the generators that were forked: torch.manual_seed would also
        # reseed every CUDA device, which fork_rng would not restore.
        torch.default_generator.manual_seed(seed)
        for index in devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield
