"""Layers that draw their random numbers from a generator of their own (torch only).

torch's ``nn.Dropout`` and the dropout between the layers of its fused ``nn.LSTM``,
``nn.GRU`` and ``nn.RNN`` draw from torch's process-wide generator, which every
thread of a process shares: two fits running at the same time (joblib's threading
backend, a Dask worker with several threads, a ``ThreadPoolExecutor``) would draw
each other's numbers, and neither would be reproducible. The layers here take a
:class:`torch.Generator` instead (set with :func:`set_generator`; None keeps
torch's behaviour):

- :class:`Dropout` draws its mask with ``bernoulli_(generator=...)``;
- :class:`LSTM`, :class:`GRU` and :class:`RNN` (torch's, with the same parameters
  and state_dict) cannot pass a generator to their fused kernels. When they train
  with dropout between layers, each forward call draws a seed from its generator,
  and runs under :data:`GLOBAL_RNG_LOCK` with the global generator of its device
  seeded with it; the global generator's state is put back afterwards. The lock
  serialises only those forward calls (and skrnn's other brief uses of the global
  generator), so they cannot draw each other's numbers, and the caller's state is
  unchanged. Code outside skrnn that draws from the global generator *in another
  thread at that moment* is the one thing the lock cannot hold back; everything
  else in a skrnn fit never touches the global generator.

:func:`build_module` constructs a module on the meta device (no global draw at all)
and initialises it with ``reset_parameters(generator)``.
"""

import inspect
import threading
from contextlib import contextmanager

import torch
from torch import nn

__all__ = [
    "GLOBAL_RNG_LOCK",
    "GRU",
    "LSTM",
    "RNN",
    "Dropout",
    "build_module",
    "dropout",
    "global_generator_seeded",
    "set_generator",
]

#: Held by skrnn whenever it seeds, draws from or restores torch's global generators.
GLOBAL_RNG_LOCK = threading.RLock()


def _device_generator(device):
    """torch's global generator of ``device`` (a CUDA device's, or the CPU's)."""
    device = torch.device(device)
    if device.type == "cuda":
        index = device.index
        if index is None:
            index = torch.cuda.current_device()
        return torch.cuda.default_generators[index]
    return torch.default_generator


@contextmanager
def global_generator_seeded(seed, device="cpu"):
    """Run a block with the global generator of ``device`` seeded, then restore it.

    The block runs under :data:`GLOBAL_RNG_LOCK`, so no other skrnn code draws
    from or reseeds that generator meanwhile.

    Parameters
    ----------
    seed : int
        The seed.
    device : str or torch.device, default="cpu"
        The device whose generator is seeded (a CUDA device's, or the CPU's).

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn._generator import global_generator_seeded
    >>> state = torch.get_rng_state()
    >>> with global_generator_seeded(0):
    ...     a = torch.rand(2)
    >>> with global_generator_seeded(0):
    ...     b = torch.rand(2)
    >>> bool(torch.equal(a, b)), bool(torch.equal(state, torch.get_rng_state()))
    (True, True)
    """
    with GLOBAL_RNG_LOCK:
        generator = _device_generator(device)
        saved = generator.get_state()
        generator.manual_seed(seed)
        try:
            yield
        finally:
            generator.set_state(saved)


def dropout(x, p, generator):
    """Training-mode dropout of ``x``, its mask drawn from ``generator``.

    With ``generator`` None it is :func:`torch.nn.functional.dropout` (torch's
    global generator). Layers that apply dropout inside their ``forward`` (skrnn's
    Elman RNN and ConvLSTM/ConvGRU) call it with their ``generator`` attribute.

    Parameters
    ----------
    x : torch.Tensor
        The input.
    p : float
        The probability of zeroing an element, in [0, 1).
    generator : torch.Generator or None
        Where the mask comes from.

    Returns
    -------
    out : torch.Tensor

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn._generator import dropout
    >>> a = dropout(torch.ones(6), 0.5, torch.Generator().manual_seed(0))
    >>> b = dropout(torch.ones(6), 0.5, torch.Generator().manual_seed(0))
    >>> bool(torch.equal(a, b))
    True
    """
    if generator is None:
        return nn.functional.dropout(x, p, training=True)
    keep = torch.empty_like(x).bernoulli_(1 - p, generator=generator)
    return x * keep.div_(1 - p)


class _OwnGenerator:
    """``generator`` as a plain attribute, left out of pickles and copies."""

    generator = None

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("generator", None)
        return state


class Dropout(_OwnGenerator, nn.Dropout):
    """:class:`torch.nn.Dropout` drawing its masks from its own generator.

    With ``generator`` None (the default) it is torch's layer, drawing from the
    global generator. With a :class:`torch.Generator` set (by
    :func:`set_generator`), each training forward draws its mask from it, on the
    input's device, with the same scaling by ``1 / (1 - p)``.

    Parameters
    ----------
    p : float, default=0.5
        The probability of zeroing an element.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import Dropout
    >>> drop = Dropout(0.5)
    >>> drop.generator = torch.Generator().manual_seed(0)
    >>> a = drop(torch.ones(6))
    >>> drop.generator = torch.Generator().manual_seed(0)
    >>> bool(torch.equal(a, drop(torch.ones(6))))
    True
    """

    def __init__(self, p=0.5):
        super().__init__(p)

    def forward(self, input):
        generator = self.generator
        if generator is None or not self.training or self.p == 0:
            return super().forward(input)
        if self.p == 1:
            return input * 0.0
        keep = torch.empty_like(input).bernoulli_(1 - self.p, generator=generator)
        return input * keep.div_(1 - self.p)


class _SeededFused(_OwnGenerator):
    """Fused recurrent layers whose inter-layer dropout is drawn from ``generator``."""

    def forward(self, input, hx=None):
        generator = self.generator
        if generator is None or not (self.training and self.dropout > 0
                                     and self.num_layers > 1):
            return super().forward(input, hx)
        seed = int(torch.randint(2**63 - 1, (), generator=generator,
                                 device=generator.device))
        data = input.data if isinstance(input, nn.utils.rnn.PackedSequence) else input
        with global_generator_seeded(seed, data.device):
            return super().forward(input, hx)


class LSTM(_SeededFused, nn.LSTM):
    """:class:`torch.nn.LSTM` whose dropout between layers follows ``generator``.

    The same layer, parameters and state_dict as torch's; see
    :mod:`skrnn.nn._generator` for how its dropout is drawn.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn._generator import LSTM
    >>> LSTM(2, 4, num_layers=2, dropout=0.5)(torch.zeros(3, 5, 2))[0].shape
    torch.Size([3, 5, 4])
    """


class GRU(_SeededFused, nn.GRU):
    """:class:`torch.nn.GRU` whose dropout between layers follows ``generator``.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn._generator import GRU
    >>> GRU(2, 4, num_layers=2, dropout=0.5)(torch.zeros(3, 5, 2))[0].shape
    torch.Size([3, 5, 4])
    """


class RNN(_SeededFused, nn.RNN):
    """:class:`torch.nn.RNN` whose dropout between layers follows ``generator``.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn._generator import RNN
    >>> RNN(2, 4, num_layers=2, dropout=0.5)(torch.zeros(3, 5, 2))[0].shape
    torch.Size([3, 5, 4])
    """


def set_generator(module, generator):
    """Make every generator-aware layer of ``module`` draw from ``generator``.

    Parameters
    ----------
    module : torch.nn.Module
        The module; its :class:`Dropout`, ``LSTM``, ``GRU`` and
        ``RNN`` layers (and any submodule with a ``generator`` attribute
        from this module's mix-in) are set.
    generator : torch.Generator or None
        The generator, on the device the module computes on; None returns to
        torch's global generator.

    Returns
    -------
    module : torch.nn.Module
        The same module.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import RecurrentNet, set_generator
    >>> net = set_generator(RecurrentNet(1, 1, dropout=0.2), torch.Generator())
    >>> net.dropout.generator is not None
    True
    """
    for sub in module.modules():
        if isinstance(sub, _OwnGenerator):
            sub.generator = generator
    return module


def _takes_generator(module):
    reset = getattr(module, "reset_parameters", None)
    if reset is None:
        return False
    try:
        return "generator" in inspect.signature(reset).parameters
    except (TypeError, ValueError):
        return False


def build_module(factory, generator, **kwargs):
    """Construct a module and initialise its parameters from ``generator`` only.

    A module whose ``reset_parameters`` takes a ``generator`` and sets every
    (floating-point) buffer it holds is constructed on the meta device
    (torch's layers draw nothing there), given real memory on the CPU and
    initialised by ``reset_parameters(generator)``; a parameter it left unset
    is an error.
    Any other module is constructed under :data:`GLOBAL_RNG_LOCK` with the
    global generator seeded from ``generator`` and restored afterwards. Either
    way, torch's global generator ends as it was.

    Parameters
    ----------
    factory : callable
        The module class (or a function returning a module).
    generator : torch.Generator
        A CPU generator.
    **kwargs : dict
        Passed to ``factory``.

    Returns
    -------
    module : torch.nn.Module
        On the CPU.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import RecurrentNet
    >>> from skrnn.nn._generator import build_module
    >>> a = build_module(RecurrentNet, torch.Generator().manual_seed(0),
    ...                  input_size=2, output_size=1, hidden_size=4)
    >>> b = build_module(RecurrentNet, torch.Generator().manual_seed(0),
    ...                  input_size=2, output_size=1, hidden_size=4)
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    with torch.device("meta"):
        module = factory(**kwargs)
    buffers = list(module.buffers())
    if _takes_generator(module) and all(b.is_floating_point() for b in buffers):
        module.to_empty(device="cpu")
        with torch.no_grad():
            for tensor in (*module.parameters(), *module.buffers()):
                tensor.fill_(float("nan"))
        state = generator.get_state()
        if buffers:
            # A module with buffers was built the other way (below) before its
            # buffers could be set by reset_parameters: draw what that way draws
            # first, so that a seed gives the weights it gave then.
            torch.randint(2**63 - 1, (), generator=generator)
        module.reset_parameters(generator)
        if any(b.numel() and bool(b.isnan().any()) for b in module.buffers()):
            # Buffers it does not set: built the other way below, from the
            # generator as it was.
            module = None
            generator.set_state(state)
    else:
        module = None
    if module is not None:
        unset = [name for name, param in module.named_parameters()
                 if param.numel() and bool(param.isnan().all())]
        if unset:
            raise ValueError(
                f"{type(module).__name__}.reset_parameters(generator) left the "
                f"parameters {unset} uninitialised; it must initialise every "
                "parameter."
            )
        return module
    seed = int(torch.randint(2**63 - 1, (), generator=generator))
    with global_generator_seeded(seed):
        module = factory(**kwargs)
        if _takes_generator(module):
            module.reset_parameters(generator)
    return module
