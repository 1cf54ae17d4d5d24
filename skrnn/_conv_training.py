"""The skorch glue for the convolutional recurrent estimators.

The training side of the net (optimizer, callbacks, stopping rule, validation
split, batch iterators) is the one :func:`skrnn._training.build_net` makes for
every skrnn estimator, from the same flat training hyperparameters; only the
module differs: a :class:`skrnn.nn.ConvRecurrentNet` in place of the
``RecurrentNet``. The batches are slices or gathers of the frames tensor, as for
any sequence data, so one batch of frames is copied at a time.
"""

from ._training import build_net
from .nn import ConvRecurrentNet

__all__ = ["build_conv_net"]

#: The estimator parameters that configure the module, not the training.
MODULE_PARAMS = ("cell", "filters", "kernel_size", "num_layers", "bidirectional",
                 "dropout")


def _training_settings(estimator):
    """A recurrent estimator holding ``estimator``'s training hyperparameters.

    build_net reads the training settings from an estimator of the sequence
    family; those the two families share are copied, and whatever only the
    sequence family's module takes keeps its default (the module is replaced).
    """
    from ._regression import RecurrentRegressor

    names = set(RecurrentRegressor._get_param_names()) - set(MODULE_PARAMS)
    params = estimator.get_params(deep=False)
    return RecurrentRegressor(**{k: v for k, v in params.items() if k in names})


def build_conv_net(estimator, *, head, input_size, output_size, criterion, device,
                   seed, stratify, early_stopping=None, batch_size=None):
    """Build the (uninitialised) skorch net of a convolutional recurrent estimator.

    Parameters
    ----------
    estimator : BaseConvRecurrentEstimator
        The estimator whose flat hyperparameters configure the net.
    head : {"pooled", "frame", "sequence"}
        The module's output head.
    input_size, output_size : int
        Channels of the input frames; outputs (or output channels).
    criterion : type
        The torch loss class.
    device : torch.device
        Where to train.
    seed : int or None
        Seed of the validation split.
    stratify : bool
        Whether the validation split is stratified (classifiers).
    early_stopping : bool or None, default=None
        The resolved ``early_stopping``; None takes what the estimator's last fit
        used.
    batch_size : int or None, default=None
        The resolved batch size; None takes what the estimator's last fit used.

    Returns
    -------
    net : RecurrentSkorchNet
    """
    if early_stopping is None:
        early_stopping = getattr(estimator, "_early_stopping_used", None)
    if batch_size is None:
        batch_size = getattr(estimator, "_batch_size_used", None)
    net = build_net(
        _training_settings(estimator), input_size=input_size,
        output_size=output_size, criterion=criterion, device=device, seed=seed,
        stratify=stratify, early_stopping=early_stopping, batch_size=batch_size,
    )
    params = {
        k: v for k, v in net.get_params(deep=False).items()
        if not k.startswith("module__") and k != "_params_to_validate"
    }
    kernel_size = estimator.kernel_size
    if not isinstance(kernel_size, int):
        kernel_size = tuple(kernel_size)
    module_params = dict(
        input_size=input_size,
        output_size=output_size,
        cell=estimator.cell,
        filters=estimator.filters,
        kernel_size=kernel_size,
        num_layers=estimator.num_layers,
        bidirectional=estimator.bidirectional,
        dropout=estimator.dropout,
        head=head,
    )
    params["module"] = ConvRecurrentNet
    params.update({f"module__{k}": v for k, v in module_params.items()})
    return type(net)(**params)
