"""How much work skrnn hands torch at once: the prediction batch and its thread count.

Prediction has no gradient step to size its batches, so it picks them for speed.
A recurrent layer runs its time steps one after the other, and each step costs a
fixed overhead plus work proportional to the batch: small batches pay the overhead
many times (a network of hidden size 16 predicts several times slower in batches
of 32 than of 1,024). Larger batches stop paying off near 1,024 sequences, and
beyond that they may slow down again: their activations outgrow the CPU's caches,
and, depending on what the process allocated before, the allocator hands their
buffers back to the system after each batch and faults them in again, page by
page, for the next (``benchmarks/bench_predict.py --scan`` counts the faults).
skrnn therefore sizes a batch by the memory its activations take
(:func:`activation_bytes`): as many sequences as fit in ``TARGET_BYTES``, at most
``MAX_ROWS``, and at least ``MIN_ROWS`` while those stay within ``MAX_BYTES``.
"""

from numbers import Integral

#: One batch's activations, in bytes, beyond which a batch slows down.
TARGET_BYTES = 16 * 2**20
#: More sequences per batch than this gain nothing and risk the allocator's churn.
MAX_ROWS = 1024
#: Fewer sequences per batch than this pay each time step's overhead too often.
MIN_ROWS = 256
#: Never more than this for one batch's activations, whatever the rows.
MAX_BYTES = 64 * 2**20

#: Gate blocks per cell: the input projections a step computes are this many
#: times the hidden size.
_GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def _architecture(est):
    """``(cell, hidden_size, num_layers, directions, input_size)`` of the fitted net."""
    net = getattr(est, "net_", None)
    params = vars(net) if net is not None else {}

    def get(name, default):
        return params.get(f"module__{name}", getattr(est, name, default))

    cell = get("cell", "lstm")
    directions = 2 if get("bidirectional", False) else 1
    input_size = getattr(est, "input_size_", None) or get("input_size", 1)
    return cell, int(get("hidden_size", 64)), int(get("num_layers", 1)), directions, \
        int(input_size)


def activation_bytes(est, n_steps):
    """Bytes of float32 activations one sequence of ``n_steps`` takes in a forward pass.

    Per step and layer: the input projections of every gate and the outputs, in
    each direction; counted for every layer, as an upper bound.
    """
    cell, hidden, layers, directions, _ = _architecture(est)
    per_step = (_GATES.get(cell, 4) + 1) * hidden * directions * layers
    return 4 * max(int(n_steps), 1) * per_step


def step_work(est, n_rows):
    """Multiply-adds of one time step over ``n_rows`` sequences (all layers)."""
    cell, hidden, layers, directions, input_size = _architecture(est)
    gates = _GATES.get(cell, 4) * hidden * directions
    first = gates * (input_size + hidden)
    rest = gates * (hidden * directions + hidden) * (layers - 1)
    return int(n_rows) * (first + rest)


def auto_batch_size(est, n_rows, n_steps):
    """The number of sequences per forward pass chosen for speed (see the module)."""
    per_row = activation_bytes(est, n_steps)
    rows = max(min(TARGET_BYTES // per_row, MAX_ROWS),
               min(MIN_ROWS, MAX_BYTES // per_row), 1)
    return int(min(rows, max(int(n_rows), 1)))


def predict_batch_size(est, n_rows, n_steps, auto=None):
    """Sequences per forward pass in a prediction of ``n_rows`` sequences.

    The user's choice when there is one: the estimator's ``predict_batch_size``,
    else a batch size set on the net (its ``iterator_valid__batch_size``, -1 for
    all at once); otherwise ``auto(est, n_rows, n_steps)``, by default
    :func:`auto_batch_size` (a family whose activations are counted otherwise
    passes its own).
    """
    size = getattr(est, "predict_batch_size", None)
    if size is None:
        size = vars(est.net_).get("iterator_valid__batch_size")
        if size == -1:
            size = n_rows
    if size is None:
        return (auto or auto_batch_size)(est, n_rows, n_steps)
    if not isinstance(size, Integral) or isinstance(size, bool) or size < 1:
        raise ValueError(
            f"The batch size for prediction must be a positive integer, got "
            f"{size!r} instead."
        )
    return int(min(size, max(int(n_rows), 1)))
