"""Recurrent classifiers: ``RecurrentClassifier`` and its fixed-cell variants."""

import numpy as np
import torch
from scipy.special import log_softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrentEstimator
from ._regression import _step_weights
from ._steps import flatten_steps
from ._weights import class_weights
from .nn import StepCrossEntropyLoss
from .utils._compat import StrOptions, _fit_context
from .utils._docstring import FRAGMENTS, Substitution

__all__ = ["RecurrentClassifier", "LSTMClassifier", "GRUClassifier", "RNNClassifier"]


@Substitution(**FRAGMENTS)
class RecurrentClassifier(ClassifierMixin, BaseRecurrentEstimator):
    """Recurrent neural network classifier with the cell as a hyperparameter.

    A stack of LSTM, GRU or Elman RNN layers reads each sequence; a linear layer
    maps their readout (``readout``) to one logit per class. It is trained with the
    cross-entropy loss through skorch. Labels may be of any type (strings too);
    ``predict`` returns labels from ``classes_`` and ``predict_proba`` has one
    column per class, in the order of ``classes_``.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent layer: :class:`torch.nn.LSTM`, :class:`torch.nn.GRU` or the
        Elman :class:`torch.nn.RNN`. A hyperparameter like any other, so
        ``GridSearchCV`` can search it.

    %(architecture)s

    %(nonlinearity)s
        Used with ``cell="rnn"``; ignored by LSTM and GRU.

    %(training)s

    %(class_weight)s

    Attributes
    ----------
    %(fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    LSTMClassifier, GRUClassifier, RNNClassifier : The same with the cell fixed.
    RecurrentRegressor : The regressor.

    Notes
    -----
    ``X`` is a 3-D array ``(n_samples, n_timesteps, n_features)``, or a 2-D array
    or DataFrame of univariate sequences ``(n_samples, n_timesteps)``. For 3-D input
    the number of time steps may differ between fit and predict; the number of
    features per step may not. For 2-D input ``n_features_in_`` is the number of
    columns, as in every scikit-learn estimator, so predict takes the same columns.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skrnn import RecurrentClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(90, 8, 2)).astype("float32")
    >>> y = np.array(["low", "high"])[(X[:, :, 0].mean(axis=1) > 0).astype(int)]
    >>> search = GridSearchCV(
    ...     RecurrentClassifier(max_epochs=20, random_state=0),
    ...     {"cell": ["lstm", "gru", "rnn"], "hidden_size": [8, 16]},
    ...     cv=3,
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['cell', 'hidden_size']
    >>> search.predict(X[:3]).dtype.kind
    'U'
    """

    _parameter_constraints = {
        **BaseRecurrentEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _criterion = torch.nn.CrossEntropyLoss
    _step_criterion = StepCrossEntropyLoss
    _stratify = True
    _check_targets = dict(multi_output=False, y_numeric=False)
    _target_attributes = ("classes_",)

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        nonlinearity="tanh",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        class_weight=None,
    ):
        super().__init__(
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The training sequences; 2-D input holds univariate sequences, and a
            list of arrays ``(length_i, n_features)`` sequences of different
            lengths.
        y : array-like of shape (n_samples,)
            The class labels (at least two distinct ones). With
            ``return_sequences=True``, one per time step: ``(n_samples,
            n_timesteps)``, or a list of per-step arrays for a list of sequences.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences (multiplied by ``class_weight``): the loss is
            their weighted mean (the early-stopping validation loss too). A
            weight of 0 leaves the row out of training (its label still counts
            in ``classes_``); equal weights are the same as none.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing any previous fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The training sequences (or a list of sequences of different
            lengths).
        y : array-like of shape (n_samples,)
            The class labels, all among ``classes`` (per time step with
            ``return_sequences=True``).
        classes : array-like of shape (n_classes,), default=None
            All the classes that ``y`` can have over all calls. Required on the
            first call, ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences, as in :meth:`fit`.

        Returns
        -------
        self : object
            The updated classifier.
        """
        if classes is None and not hasattr(self, "net_"):
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(
            X, y, incremental=True, classes=classes, sample_weight=sample_weight
        )

    def predict_proba(self, X):
        """Predict class probabilities for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The sequences (or a list of sequences of different lengths).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, columns in the order of ``classes_``;
            with ``return_sequences=True``, ``(n_samples, n_timesteps,
            n_classes)``, or a list of per-step arrays for a list of sequences.
        """
        return _per_step(self._forward(X), _softmax)

    def predict_log_proba(self, X):
        """Predict the logarithm of class probabilities for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The sequences (or a list of sequences of different lengths).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, columns in the order of
            ``classes_`` (per time step with ``return_sequences=True``).
        """
        return _per_step(self._forward(X), lambda out: log_softmax(out, axis=-1))

    def predict(self, X):
        """Predict the class labels of sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The sequences (or a list of sequences of different lengths).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted labels, taken from ``classes_``; with
            ``return_sequences=True``, ``(n_samples, n_timesteps)``, or a list of
            per-step arrays for a list of sequences.
        """
        return _per_step(self._forward(X), lambda out: self.classes_[out.argmax(-1)],
                         cast=False)

    def score(self, X, y, sample_weight=None):
        """Return the mean accuracy on the given sequences and labels.

        A label that was never seen in ``fit`` cannot be predicted, so its
        samples count as errors of the model, as in
        :func:`sklearn.metrics.accuracy_score` (``partial_fit`` refuses such
        labels instead).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            The sequences (or a list of sequences of different lengths).
        y : array-like of shape (n_samples,)
            The true labels, all among ``classes_`` (per time step with
            ``return_sequences=True``: the accuracy is then over all steps).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The mean accuracy of ``self.predict(X)`` with respect to ``y``.
        """
        check_is_fitted(self, "net_")
        if not getattr(self, "return_sequences", False):
            return super().score(X, y, sample_weight=sample_weight)
        from sklearn.metrics import accuracy_score

        # An unseen label is an error of the model, as in scikit-learn's score.
        y_pred = self.predict(X)
        weights = _step_weights(sample_weight, y_pred)
        return accuracy_score(flatten_steps(y), flatten_steps(y_pred),
                              sample_weight=weights)

    def _check_known_labels(self, y):
        present = np.unique(y)
        if np.setdiff1d(present, self.classes_).size:
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. `y` has {present}."
            )

    def _training_weights(self, y, sample_weight, *, incremental):
        if incremental and isinstance(self.class_weight, str):
            raise ValueError(
                "partial_fit does not support class_weight='balanced': the classes' "
                "frequencies of one call are not those of the data. Compute the "
                "weights once, with sklearn.utils.class_weight."
                "compute_class_weight('balanced', classes=classes, y=y), and pass "
                "them as a dict."
            )
        return class_weights(self.class_weight, self.classes_, y, sample_weight)

    def _encode_targets(self, y, *, reset, classes=None, sample_weight=None):
        check_classification_targets(y)
        name = type(self).__name__
        if reset:
            self.classes_ = np.unique(y if classes is None else classes)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{name} needs samples of at least 2 classes in the data, but "
                    f"the data contain only one class: {self.classes_.tolist()[0]!r}."
                )
        self._check_known_labels(y)
        codes = np.searchsorted(self.classes_, y).astype(np.int64)
        return torch.from_numpy(codes), len(self.classes_)


@Substitution(**FRAGMENTS)
class LSTMClassifier(RecurrentClassifier):
    """Long short-term memory (LSTM) network classifier.

    RecurrentClassifier with ``cell="lstm"`` fixed: the recurrent layer is
    :class:`torch.nn.LSTM`. See :class:`RecurrentClassifier` for the full description.

    Parameters
    ----------
    %(architecture)s

    %(training)s

    %(class_weight)s

    Attributes
    ----------
    %(fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    RecurrentClassifier : The same estimator with ``cell`` as a hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(120, 10, 2)).astype("float32")
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = LSTMClassifier(hidden_size=16, max_epochs=30, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        k: v
        for k, v in RecurrentClassifier._parameter_constraints.items()
        if k not in {"cell", "nonlinearity"}
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        class_weight=None,
    ):
        super().__init__(
            cell="lstm",
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity="tanh",
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
            class_weight=class_weight,
        )


@Substitution(**FRAGMENTS)
class GRUClassifier(RecurrentClassifier):
    """Gated recurrent unit (GRU) network classifier.

    RecurrentClassifier with ``cell="gru"`` fixed: the recurrent layer is
    :class:`torch.nn.GRU`. See :class:`RecurrentClassifier` for the full description.

    Parameters
    ----------
    %(architecture)s

    %(training)s

    %(class_weight)s

    Attributes
    ----------
    %(fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    RecurrentClassifier : The same estimator with ``cell`` as a hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import GRUClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(150, 10))
    >>> y = np.digitize(X.mean(axis=1), [-0.15, 0.15])    # three classes
    >>> clf = GRUClassifier(hidden_size=16, max_epochs=30, random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape, clf.classes_
    ((4,), array([0, 1, 2]))
    """

    _parameter_constraints = {
        k: v
        for k, v in RecurrentClassifier._parameter_constraints.items()
        if k not in {"cell", "nonlinearity"}
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        class_weight=None,
    ):
        super().__init__(
            cell="gru",
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity="tanh",
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
            class_weight=class_weight,
        )


@Substitution(**FRAGMENTS)
class RNNClassifier(RecurrentClassifier):
    """Elman recurrent neural network (RNN) classifier.

    RecurrentClassifier with ``cell="rnn"`` fixed: the recurrent layer is
    :class:`torch.nn.RNN`. See :class:`RecurrentClassifier` for the full description.

    Parameters
    ----------
    %(architecture)s

    %(nonlinearity)s

    %(training)s

    %(class_weight)s

    Attributes
    ----------
    %(fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    RecurrentClassifier : The same estimator with ``cell`` as a hyperparameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(120, 5, 1)).astype("float32")
    >>> y = X[:, -1, 0] > 0  # the label is in the last step: read the final state
    >>> clf = RNNClassifier(hidden_size=8, readout="last", max_epochs=30,
    ...                     random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.8
    True
    """

    _parameter_constraints = {
        k: v
        for k, v in RecurrentClassifier._parameter_constraints.items()
        if k not in {"cell"}
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        readout="concat",
        init="keras",
        standardize="auto",
        nonlinearity="tanh",
        return_sequences=False,
        max_epochs=200,
        batch_size="auto",
        lr=2e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
        class_weight=None,
    ):
        super().__init__(
            cell="rnn",
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
            return_sequences=return_sequences,
            readout=readout,
            init=init,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            nonfinite_loss=nonfinite_loss,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            predict_batch_size=predict_batch_size,
            n_threads=n_threads,
            callbacks=callbacks,
            verbose=verbose,
            class_weight=class_weight,
        )


def _softmax(logits):
    """Softmax over the last axis, in place of ``logits`` (a float64 copy)."""
    logits -= logits.max(axis=-1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def _per_step(out, func, *, cast=True):
    """``func`` of the outputs: an array, or each array of a list (per step)."""
    if isinstance(out, list):
        return [func(part.astype(np.float64) if cast else part) for part in out]
    return func(out.astype(np.float64) if cast else out)
