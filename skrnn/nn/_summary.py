"""A layer-by-layer summary of a torch module: output shapes and parameters.

PyTorch has no ``model.summary()``. :func:`summarize` runs one forward pass on
zeros with forward hooks on every submodule and records what each returned, so it
works for any module (skrnn's or not); torchinfo's columns are the model for the
table. Recurrent layers (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``, :class:`ElmanRNN`)
hold all their stacked layers and both directions in one module: their rows are
split per layer and direction, and a row shows the final state they return.
"""

import html
import re

import torch
from torch.nn.utils.rnn import PackedSequence

__all__ = ["ModelSummary", "summarize"]

#: Parameter names of torch's recurrent layers (and ElmanRNN): per layer, per direction.
_LAYER_PARAM = re.compile(r"^(?:weight|bias)_(?:ih|hh|hr)_l(\d+)(_reverse)?$")

_COLUMNS = ("layer", "type", "output_shape", "params", "trainable")
_HEADERS = ("Layer", "Type", "Output shape", "Params", "Trainable")


class ModelSummary:
    """What :func:`summarize` found: one row per layer, and the totals.

    ``str()`` gives a Keras-style table; :meth:`to_frame` the same as a
    DataFrame; in a notebook it shows as an HTML table. Every parameter is
    counted in exactly one row, so the rows' ``params`` add up to
    ``total_params``, which is ``sum(p.numel() for p in module.parameters())``.

    Parameters
    ----------
    rows : list of dict
        One dict per row, with keys ``layer`` (qualified name; ``""`` for the
        module itself), ``type``, ``output_shape`` (a string), ``params`` (the
        parameters counted in this row), ``trainable_params`` (those that
        require gradients), ``depth`` (nesting level, for indentation) and
        ``container`` (True where the row's parameters are counted in the rows
        below it).
    input_shape : tuple of int
        The shape of the input of the forward pass, batch first.
    total_params, trainable_params : int
        All parameters, and those that require gradients.
    param_bytes : int
        Memory of the parameters, in bytes.
    notes : list of str, default=()
        Remarks printed under the table.
    module : torch.nn.Module or None, default=None
        The module summarised.

    Attributes
    ----------
    non_trainable_params : int
        ``total_params - trainable_params``.

    Examples
    --------
    >>> import torch
    >>> from skrnn.nn import RecurrentNet, summarize
    >>> summary = summarize(RecurrentNet(2, 1, hidden_size=8), input_shape=(10, 2))
    >>> summary.total_params == sum(p.numel() for p in summary.module.parameters())
    True
    >>> summary.to_frame()[["layer", "type", "output_shape", "params"]]
             layer          type          output_shape  params
    0               RecurrentNet                [1, 1]       0
    1          rnn          LSTM            [1, 10, 8]     384
    2  rnn (state)    (h_n, c_n)  [1, 1, 8], [1, 1, 8]       0
    3         pool    ConcatPool               [1, 24]       0
    4    pool.last      LastStep                [1, 8]       0
    5    pool.mean      MeanPool                [1, 8]       0
    6     pool.max       MaxPool                [1, 8]       0
    7      dropout      Identity               [1, 24]       0
    8         head        Linear                [1, 1]      25
    >>> summary.total_params, summary.trainable_params
    (409, 409)
    """

    def __init__(self, rows, *, input_shape, total_params, trainable_params,
                 param_bytes, notes=(), module=None):
        self.rows = rows
        self.input_shape = tuple(input_shape)
        self.total_params = total_params
        self.trainable_params = trainable_params
        self.param_bytes = param_bytes
        self.notes = list(notes)
        self.module = module

    @property
    def non_trainable_params(self):
        return self.total_params - self.trainable_params

    def to_frame(self):
        """The rows as a :class:`pandas.DataFrame`.

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``layer``, ``type``, ``output_shape``, ``params`` (int) and
            ``trainable`` (True, False, ``"partly"``, or None for a row without
            parameters of its own).
        """
        import pandas as pd

        return pd.DataFrame(
            [{**{k: row[k] for k in _COLUMNS[:4]}, "trainable": _trainable(row)}
             for row in self.rows],
            columns=list(_COLUMNS),
        )

    def _cells(self):
        cells = []
        for row in self.rows:
            name = row["layer"] or "(module)"
            indent = "  " * row["depth"]
            params = (
                "--" if row["container"] and not row["params"]
                else f"{row['params']:,}"
            )
            trainable = _trainable(row)
            cells.append((indent + name, row["type"], row["output_shape"], params,
                          "--" if trainable is None else str(trainable)))
        return cells

    def _footer(self):
        lines = [
            f"Input shape: {list(self.input_shape)}",
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            f"Parameter memory: {_bytes(self.param_bytes)}",
        ]
        return lines + self.notes

    def __str__(self):
        cells = self._cells()
        widths = [
            max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(_HEADERS)
        ]
        right = (False, False, False, True, False)

        def line(values):
            return "  ".join(
                v.rjust(w) if r else v.ljust(w)
                for v, w, r in zip(values, widths, right, strict=True)
            ).rstrip()

        rule = "=" * (sum(widths) + 2 * (len(widths) - 1))
        out = [rule, line(_HEADERS), rule, *(line(c) for c in cells), rule]
        return "\n".join(out + self._footer())

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADERS)
        body = "".join(
            "<tr>" + "".join(
                f"<td style='text-align:{'right' if i == 3 else 'left'}'>"
                f"{html.escape(v).replace('  ', '&nbsp;&nbsp;')}</td>"
                for i, v in enumerate(cells)
            ) + "</tr>"
            for cells in self._cells()
        )
        footer = "<br>".join(html.escape(line) for line in self._footer())
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>{footer}</p>")


def summarize(module, input_shape=None, *, input_data=None, batch_size=1):
    """Summarise a torch module layer by layer, from one forward pass.

    The module runs once, in evaluation mode and without gradients, on zeros
    of shape ``(batch_size, *input_shape)`` (or on ``input_data``), with a
    forward hook on every submodule; its training mode is restored and the
    hooks removed afterwards. A submodule that the forward pass does not call
    is listed at the end, its parameters counted.

    Parameters
    ----------
    module : torch.nn.Module
        Any module.
    input_shape : tuple of int or None, default=None
        The shape of one sample, without the batch dimension: for skrnn's
        networks ``(n_timesteps, n_features)``. Required unless ``input_data``
        is given.
    input_data : torch.Tensor, tuple of tensors or None, default=None
        The input itself (a tuple is unpacked into the module's arguments).
    batch_size : int, default=1
        The batch dimension of the zeros.

    Returns
    -------
    summary : ModelSummary
        The rows (one per submodule, recurrent layers split per layer and
        direction, plus their state) and the totals.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skrnn.nn import summarize
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> print(summarize(model, input_shape=(4,)))
    =====================================================
    Layer     Type        Output shape  Params  Trainable
    =====================================================
    (module)  Sequential  [1, 2]            --  --
      0       Linear      [1, 8]            40  True
      1       ReLU        [1, 8]             0  --
      2       Linear      [1, 2]            18  True
    =====================================================
    Input shape: [1, 4]
    Total params: 58
    Trainable params: 58
    Non-trainable params: 0
    Parameter memory: 232 B
    """
    if input_data is None:
        if input_shape is None:
            raise ValueError(
                "summarize needs input_shape (the shape of one sample, e.g. "
                "(n_timesteps, n_features)) or input_data; got neither."
            )
        shape = (batch_size, *(int(n) for n in input_shape))
        first = next(iter(module.parameters()), None)
        kwargs = {} if first is None else dict(device=first.device, dtype=first.dtype)
        input_data = torch.zeros(shape, **kwargs)
    args = input_data if isinstance(input_data, tuple) else (input_data,)
    names = {m: name for name, m in module.named_modules()}
    called, outputs = [], {}

    def pre_hook(m, inputs):
        if m not in outputs:
            outputs[m] = None
            called.append(m)

    def hook(m, inputs, output):
        if outputs.get(m) is None:
            outputs[m] = output

    handles = []
    for m in names:
        handles.append(m.register_forward_pre_hook(pre_hook))
        handles.append(m.register_forward_hook(hook))
    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            module(*args)
    finally:
        for handle in handles:
            handle.remove()
        module.train(was_training)
    uncalled = [m for m in names if m not in outputs]
    rows = []
    for m in called + uncalled:
        rows.extend(_rows(names[m], m, outputs.get(m), called=m in outputs))
    params = list(module.parameters())
    total = sum(p.numel() for p in params)
    notes = []
    if uncalled:
        notes.append(f"Not called in the forward pass: "
                     f"{', '.join(names[m] or '(module)' for m in uncalled)}.")
    return ModelSummary(
        rows,
        input_shape=_shape_of(args[0]) if len(args) == 1 else (),
        total_params=total,
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        param_bytes=sum(p.numel() * p.element_size() for p in params),
        notes=notes,
        module=module,
    )


def _rows(name, module, output, *, called):
    """The row of one module, split per layer and direction for recurrent layers."""
    own = dict(module.named_parameters(recurse=False))
    depth = name.count(".") + (1 if name else 0)
    has_children = any(True for _ in module.children())
    groups = {}
    for pname, p in own.items():
        match = _LAYER_PARAM.match(pname)
        if match:
            groups.setdefault(f"l{match.group(1)}{match.group(2) or ''}", []).append(p)
    split = len(groups) > 1
    recurrent = bool(groups) and isinstance(output, tuple) and len(output) == 2
    first = output[0] if recurrent else output
    counted = [p for pname, p in own.items() if not (split and pname in _grouped(own))]
    row = _row(name, type(module).__name__, _format(first) if called else "--",
               counted, depth, container=has_children or split)
    rows = [row]
    if split:
        directions = 2 if any(k.endswith("_reverse") for k in groups) else 1
        per_direction = _per_direction(first, directions)
        for key, group in groups.items():
            rows.append(_row(f"{name}.{key}", f"{type(module).__name__} layer",
                             per_direction if called else "--", group, depth + 1,
                             container=False))
    if recurrent and called:
        state = output[1]
        kind = "(h_n, c_n)" if isinstance(state, tuple) else "h_n"
        rows.append(_row(f"{name} (state)", kind, _format(state), [], depth + 1,
                         container=False))
    return rows


def _grouped(own):
    return {pname for pname in own if _LAYER_PARAM.match(pname)}


def _row(name, kind, shape, params, depth, *, container):
    return dict(
        layer=name, type=kind, output_shape=shape,
        params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        depth=depth, container=container,
    )


def _trainable(row):
    if not row["params"]:
        return None
    if row["trainable_params"] == row["params"]:
        return True
    return False if not row["trainable_params"] else "partly"


def _shape_of(x):
    if isinstance(x, PackedSequence):
        return tuple(x.data.shape)
    return tuple(x.shape) if isinstance(x, torch.Tensor) else ()


def _format(output):
    """``[1, 10, 8]`` for a tensor; tuples, lists and dicts element by element."""
    if isinstance(output, torch.Tensor):
        return str(list(output.shape))
    if isinstance(output, PackedSequence):
        return f"packed {list(output.data.shape)}"
    if isinstance(output, (tuple, list)):
        return ", ".join(_format(o) for o in output)
    if isinstance(output, dict):
        return ", ".join(f"{k}: {_format(v)}" for k, v in output.items())
    return "--" if output is None else type(output).__name__


def _per_direction(output, directions):
    """The shape of one layer's per-step output in one direction."""
    if isinstance(output, PackedSequence):
        shape = list(output.data.shape)
        shape[-1] //= directions
        return f"packed {shape}"
    if isinstance(output, torch.Tensor):
        shape = list(output.shape)
        shape[-1] //= directions
        return str(shape)
    return "--"


def _bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.2f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover

