"""Shared docstring fragments and the decorator that fills them in.

Parameter descriptions that several estimators share are written once here and
substituted into class docstrings with :class:`Substitution`, as imbalanced-learn does.
Fragments are indented for a class docstring's ``Parameters`` section.
"""


class Substitution:
    """Fill ``%(name)s`` placeholders in a docstring from named fragments.

    Parameters
    ----------
    **fragments : str
        The text for each placeholder name.
    """

    def __init__(self, **fragments):
        self.fragments = fragments

    def __call__(self, obj):
        if obj.__doc__:
            obj.__doc__ = obj.__doc__ % self.fragments
        return obj


_architecture = """hidden_size : int, default=64
        Number of features in the hidden state of each recurrent layer.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    bidirectional : bool, default=False
        If True, each layer reads the sequence in both directions and the output
        layer sees the final states of both directions.

    dropout : float, default=0.0
        Dropout probability on the outputs of every recurrent layer, the last one
        included (torch applies it between layers; skrnn also applies it to the
        readout before the output layer, so it acts with ``num_layers=1`` too).
        Must be in ``[0, 1)``.

    readout : {"concat", "last", "mean", "max", "attention"}, default="concat"
        How the last recurrent layer's outputs at every step become the one
        vector the output layer sees: ``"last"`` is the final hidden state (both
        directions' when bidirectional), ``"mean"`` and ``"max"`` pool over the
        steps, ``"concat"`` puts the last step, the mean and the maximum side by
        side (fastai's concat pooling) and ``"attention"`` is a learnt weighted
        mean. The final state alone forgets what a long sequence held early on.

    init : {"keras", "torch"}, default="keras"
        How the weights are initialised: ``"keras"`` as Keras does
        (Glorot-uniform input weights, orthogonal recurrent weights, zero biases
        but the LSTM's forget gate, whose bias is 1; Glorot-uniform output layer),
        ``"torch"`` with torch's own defaults (uniform in
        ``±1/sqrt(hidden_size)``). On GunPoint torch's scheme leaves some LSTM
        fits stuck at chance.

    standardize : "auto" or bool, default="auto"
        How the network scales its input, per feature, from the mean and the
        standard deviation over every observed time step of the training
        sequences (for ``SlidingWindow``'s windows, the observations the
        training windows cover; padding does not count; weighted by
        ``sample_weight``). True subtracts the mean and divides by the standard
        deviation; ``"auto"`` subtracts the mean and divides only the features
        whose standard deviation is below 0.75 or above 10 (small variations
        are brought up to unit spread, readings in the thousands, which
        saturate a cell's gates, down; features of spread 1 to 10 keep their
        units, which trained the LSTM better on BasicMotions); False uses the
        input as it is. The statistics come from the first ``fit`` or
        ``partial_fit`` and are kept by the ones that continue it. It is the
        network's first step, so ``predict`` applies it too and it travels with
        the fitted model. A feature that never varies is only shifted."""

_TRAINING = """max_epochs : int, default=200
        Maximum number of passes over the training data. Training stops earlier
        when the monitored loss has not improved by more than ``tol`` for
        ``n_iter_no_change`` consecutive epochs.

    batch_size : int or "auto", default="auto"
        Number of sequences per gradient step (and per forward pass at predict).
        ``"auto"`` is 16 below 1,000 training rows (a few hundred sequences
        get enough gradient steps per epoch), 32 from there up to 4,096 rows,
        and grows beyond, in powers of two, to 256 from 32,768 rows on (about
        ``n_rows / 128``).

<lr>

    lr_schedule : {"plateau", "constant"}, default="plateau"
        ``"plateau"`` halves the learning rate whenever the monitored loss (the
        validation loss with early stopping, else the training loss) has not
        improved by more than ``tol`` for ``n_iter_no_change // 3`` epochs, as
        torch's ``ReduceLROnPlateau``; the rate of each epoch is recorded in
        ``history_`` as ``"lr"``. ``"constant"`` keeps ``lr``; use it with an
        ``LRScheduler`` of your own in ``callbacks``
        (one there replaces the plateau schedule too).

    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or callable, default="adam"
        The optimizer: a name, or a ``torch.optim.Optimizer`` subclass or any
        callable ``optimizer(params, lr=..., weight_decay=...)``, for example
        ``functools.partial(torch.optim.SGD, momentum=0.9)``.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    clip_grad_norm : float or None, default=1.0
        If a float, the gradients' total norm is clipped to this value before
        each optimizer step (skorch's ``GradientNormClipping``); recurrent
        networks can have exploding gradients, ``relu`` RNNs especially. None
        does not clip.

    nonfinite_loss : {"raise", "warn"}, default="raise"
        What happens when a training or validation loss becomes NaN or infinite:
        training stops at once, the weights and optimizer state of the last epoch
        whose losses were all finite are restored, and then ``"raise"`` raises a
        :class:`~skrnn.exceptions.NonFiniteLossError` (the estimator stays fitted,
        with those weights), while ``"warn"`` emits a
        :class:`~skrnn.exceptions.NonFiniteLossWarning` and ends the fit normally
        there. Either way the message names the epoch and batch; a lower ``lr``
        or a ``clip_grad_norm`` usually helps.

    shuffle : bool, default=True
        Whether to shuffle the sequences before each epoch.

    early_stopping : bool or "auto", default="auto"
        Whether to hold out ``validation_fraction`` of the training data and stop
        when the validation loss has not improved by more than ``tol`` for
        ``n_iter_no_change`` consecutive epochs; the weights of the best epoch are
        restored at the end. With False, all the data is used for training and the
        training loss is monitored instead: the weights of the epoch with the
        lowest training loss are restored at the end (as the archive's deep
        learning baselines keep their best-training-loss model), so a late spike
        of the loss is not what the fit returns. ``"auto"`` is True for a ``fit`` on
        at least 1,000 rows (windows of a long series, say) and False below (a
        few validation sequences out of 50 measure too little to stop on) and for
        ``partial_fit``, which only rejects an explicit True.

    validation_fraction : float, default=0.1
        Proportion of the training data held out for early stopping. Sequences
        are drawn at random (stratified by class for classifiers); the windows
        of a series (``SlidingWindow``) are held out as a block at its end, the
        windows that start last, so that no validation window precedes a
        training one. Only used when early stopping is on. Must be in ``(0, 1)``.

<n_iter_no_change>

    tol : float, default=1e-4
        A decrease of the monitored loss counts as an improvement only when it is
        larger than ``tol``. A ``ConvergenceWarning`` is raised when
        ``max_epochs`` ran out while the loss was still improving, and only when
        the stopping rule could have ended the fit (``max_epochs >
        n_iter_no_change``).

    warm_start : bool, default=False
        If True, a call to ``fit`` continues training the fitted network (its
        weights and optimizer state) for up to ``max_epochs`` more epochs instead
        of starting afresh. After a fit that ended early (Ctrl-C, a non-finite
        loss, a GPU out of memory) it completes that fit instead: it runs the
        epochs that fit had left, to the result it would have had. An unfitted
        estimator with a :class:`skrnn.callbacks.Checkpoint` in ``callbacks``
        resumes from the checkpoint's file in the same way. A continuing fit
        uses the current ``batch_size``, ``lr``, ``clip_grad_norm`` and
        ``nonfinite_loss``; the other hyperparameters are those of the first
        fit.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the batch shuffling, dropout and the
        validation split. An int gives identical models (and predictions on CPU)
        fit after fit and process after process; torch's global random state is
        left untouched, also when fits run at the same time in threads. With
        None, the seed is drawn from torch's global generator.

    device : str or torch.device, default="cpu"
        The torch device to train and predict on, e.g. ``"cuda"`` or ``"cuda:1"``.
        The data are moved to the device once per fit when they fit in its
        memory. A fitted estimator pickled on a GPU loads on a machine without one,
        and then predicts on the CPU.

<predict_batch_size>
        The batch size changes predictions only by float32 rounding
        (differences of the order of 1e-7 relative), not beyond; set it to
        compare outputs bit for bit across runs with other batch sizes, or to
        bound the memory a prediction takes.

    n_threads : int or None, default=None
        Number of torch threads for ``fit`` and prediction; torch's setting is
        restored afterwards. None chooses: one thread for a network too small to
        gain from more (one time step of a batch under about 4 million
        multiply-adds, e.g. hidden sizes up to about 128 in batches of 32), which
        keeps such fits fast when other processes use the cores; otherwise
        torch's setting (``torch.set_num_threads``). In joblib and Dask workers,
        in a :class:`skrnn.utils.torch_threads` block and with the environment
        variable ``SKRNN_NUM_THREADS``, None takes the budget those set; see the
        :ref:`User Guide <performance>`.

    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (or ``(name, callback)`` pairs), for example
        :class:`skrnn.callbacks.Checkpoint` to write resumable checkpoints, or
        ``skorch.callbacks.LRScheduler``. They are cloned at each fit, so the
        objects passed are never modified.

    verbose : int, default=0
        0 is silent; 1 prints skorch's table of losses and times after each
        epoch."""

_fitted = """net_ : skorch.NeuralNet
        The skorch net that trained the module; its callbacks and history live
        here.

    module_ : torch.nn.Module
        The fitted recurrent network (a :class:`~skrnn.RecurrentNet`).

    history_ : skorch.History
        Per-epoch (and per-batch) record of the training, from skorch.

    loss_curve_ : list of float
        Training loss after each epoch.

    validation_loss_curve_ : list of float or None
        Validation loss after each epoch when early stopping was on, else None.

    best_loss_ : float
        The lowest training loss reached.

    best_validation_loss_ : float or None
        The lowest validation loss reached when early stopping was on, else None.

    n_iter_ : int
        The number of epochs run (cumulative over ``warm_start`` fits and
        ``partial_fit`` calls).

    n_features_in_ : int
        Number of features seen during fit: for a 3-D ``X`` the number of features
        per time step, for a 2-D ``X`` (univariate sequences, one time step per
        column) the number of columns, that is time steps.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a DataFrame ``X`` seen during fit. Defined only
        when ``X`` has feature names that are all strings.

    input_size_ : int
        Number of features per time step fed to the recurrent layer (1 for 2-D
        ``X``)."""

_class_weight = """class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn: a dict
        ``{label: weight}`` (labels not in it weigh 1), or ``"balanced"``,
        ``n_samples / (n_classes * np.bincount(y))`` computed on the data of each
        ``fit`` (with counts weighted by ``sample_weight``; see
        :func:`sklearn.utils.class_weight.compute_class_weight`). They multiply
        ``sample_weight``. ``partial_fit`` does not accept ``"balanced"``: compute
        the weights once and pass them as a dict."""

_nonlinearity = """nonlinearity : str or callable, default="tanh"
        Activation of the Elman RNN: ``"tanh"`` or ``"relu"`` (torch's
        :class:`torch.nn.RNN`), ``"sigmoid"``, ``"gelu"``, ``"silu"``, ``"elu"``,
        ``"leaky_relu"``, ``"softsign"``, ``"hardtanh"``, ``"identity"``, or a
        callable mapping a tensor to a tensor elementwise (e.g.
        ``torch.nn.functional.softplus``); the others run
        :class:`skrnn.nn.ElmanRNN`, which has the same parameters. Unbounded
        activations (``"relu"``, ``"identity"``...) often want ``clip_grad_norm``.
        :func:`~skrnn.save_model` stores a named activation, not a callable
        (pickle or joblib store a picklable one)."""

_return_sequences = """return_sequences : bool, default=False
        If False, the estimator learns one target per sequence, read from the
        network's final state. If True, the output layer is applied at every time
        step (Keras' ``TimeDistributed(Dense)``) and the estimator learns a target
        per step: ``y`` of shape ``(n_samples, n_timesteps)`` (regressors also
        ``(n_samples, n_timesteps, n_targets)``), or a list of per-step arrays for
        sequences of different lengths; ``predict`` returns the same layout and
        ``score`` is computed over all steps. The output at step ``t`` of a
        unidirectional network depends on the steps up to ``t`` only; with
        ``bidirectional=True`` every step's output reads the whole sequence.

    """

# The image-sequence family keeps Keras' rate (its defaults were not re-measured).
# The two families differ in two defaults: the image-sequence estimators keep
# Keras' rate and a fixed patience (their defaults were not re-measured).
_PER_FAMILY = {
    "sequences": {
        "<lr>": """    lr : float, default=2e-3
        Learning rate of the optimizer (at the start, with ``lr_schedule``).
        Twice Keras' Adam rate: with the plateau schedule halving it, this
        trained LSTMs and RNNs better on the archive sets of the user guide's
        "How good are the defaults?".
""",
        "<n_iter_no_change>": """    n_iter_no_change : int or "auto", default="auto"
        Number of epochs without an improvement of more than ``tol`` in the
        monitored loss after which training stops. ``"auto"`` is 30 with early
        stopping (a validation loss) and 60 without (the training loss of a
        small set jumps from epoch to epoch; 30 stopped some GunPoint fits
        before they had fitted the training series).
""",
        "<predict_batch_size>": """    predict_batch_size : int or None, default=None
        Number of sequences per forward pass in ``predict``, ``predict_proba``
        and ``score``. None chooses it for speed, whatever ``batch_size`` is: as
        many sequences as keep one batch's activations within about 16 MB, at
        most 1,024 (at least 256 where those take under 64 MB), so that small
        networks predict at the speed of a hand-written loop.
""",
    },
    "conv": {
        "<lr>": """    lr : float, default=1e-3
        Learning rate of the optimizer (at the start, with ``lr_schedule``).
""",
        "<n_iter_no_change>": """    n_iter_no_change : int, default=30
        Number of epochs without an improvement of more than ``tol`` in the
        monitored loss after which training stops.
""",
        "<predict_batch_size>": """    predict_batch_size : int or None, default=None
        Number of sequences per forward pass in ``predict``, ``predict_proba``
        and ``score``. None chooses it for speed, whatever ``batch_size`` is: as
        many sequences as keep one batch's activations within about 8 MB.
""",
    },
}


def _training_for(family):
    text = _TRAINING
    for marker, paragraph in _PER_FAMILY[family].items():
        text = text.replace(marker + "\n", paragraph)
    return text


_training = _training_for("sequences")
_conv_training = _training_for("conv")

_relative = """relative : "auto" or bool, default="auto"
        Whether each sequence is read relative to its last step, so that a
        series whose level drifts beyond the training range (a trend) is still
        forecast. The recurrent layers then see every step minus the
        sequence's last one, per feature, and the prediction is the network's
        output plus a linear function of that last step (LSTNet's
        autoregressive part). That linear part starts as the least-squares fit
        of the targets on the last step, computed by ``fit`` (so training starts
        from a persistence-like forecast), and is trained with the rest.
        ``"auto"`` means True for the windows of ``SlidingWindow`` and False for
        other input; True needs ``return_sequences=False``. On the README's
        forecasting pipeline it turned the airline series' RMSE from 75 (LSTM)
        and 51 (GRU), no better than repeating the last value, to the 20s."""

FRAGMENTS = {
    "relative": _relative,
    "architecture": _architecture,
    "nonlinearity": _nonlinearity,
    "class_weight": _class_weight,
    "training": _return_sequences + _training,
    "conv_training": _conv_training,
    "fitted": _fitted,
}
