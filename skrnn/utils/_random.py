"""Seeding torch from a scikit-learn ``random_state``, leaving the caller's RNG be."""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state


def draw_seed(random_state):
    """Draw an integer seed for torch from a scikit-learn ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        ``None`` gives ``None`` (no seeding: torch's global generator is used as it
        is); an int always gives the same seed; a ``RandomState`` is advanced by one
        draw, as scikit-learn estimators do.

    Returns
    -------
    seed : int or None
        A seed in ``[0, 2**31 - 1)``.
    """
    if random_state is None:
        return None
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def torch_seed(seed, device="cpu"):
    """Run a block with torch's generators seeded, restoring them afterwards.

    The CPU generator, and the generator of ``device`` when it is a CUDA device, are
    forked: whatever the block draws (weight initialisation, batch shuffling, dropout
    masks) comes from ``seed``, and the caller's generators are left exactly as they
    were. With ``seed=None`` the block runs on the global generators, untouched.

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
    with torch.random.fork_rng(devices=devices):
        # Seed only the generators that were forked: torch.manual_seed would also
        # reseed every CUDA device, which fork_rng would not restore.
        torch.default_generator.manual_seed(seed)
        for index in devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


def seed_epoch(seed, epoch, device="cpu"):
    """Reseed torch's generators for one epoch, from ``seed`` and the epoch number.

    Called at the start of every epoch inside :func:`torch_seed` (whose fork
    restores the generators afterwards): what epoch ``epoch`` draws (the batch
    order, dropout masks) then depends only on ``(seed, epoch)``, not on how
    many epochs ran before it in the same call, so a fit split into several calls
    (interrupted and resumed, ``warm_start``, ``partial_fit``) draws exactly what
    one uninterrupted fit draws.

    Parameters
    ----------
    seed : int
        The fit's seed, from :func:`draw_seed`.
    epoch : int
        The epoch number (1 for the first epoch of the estimator's training).
    device : str or torch.device, default="cpu"
        The device trained on; its CUDA generator is reseeded too.
    """
    epoch_seed = int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0])
    torch.default_generator.manual_seed(epoch_seed)
    device = torch.device(device)
    if device.type == "cuda" and torch.cuda.is_available():
        index = device.index
        if index is None:
            index = torch.cuda.current_device()
        with torch.cuda.device(index):
            torch.cuda.manual_seed(epoch_seed)
