"""Convolutional recurrent classifiers: one label per sequence of images."""

import numpy as np
import torch
from scipy.special import log_softmax, softmax
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._conv_base import CONV_FRAGMENTS, BaseConvRecurrentEstimator
from .utils._compat import _fit_context
from .utils._docstring import FRAGMENTS, Substitution

__all__ = ["ConvGRUClassifier", "ConvLSTMClassifier", "ConvRecurrentClassifier"]

@Substitution(**FRAGMENTS, **CONV_FRAGMENTS)
class ConvRecurrentClassifier(ClassifierMixin, BaseConvRecurrentEstimator):
    """Convolutional recurrent classifier (ConvLSTM or ConvGRU) for image sequences.

    A stack of :class:`~skrnn.nn.ConvLSTM` or :class:`~skrnn.nn.ConvGRU` layers
    reads each sequence of frames; the last layer's final hidden state is
    averaged over the frame and a linear layer maps it to one logit per class
    (what moves, which way, which gesture). It is trained with the cross-entropy
    loss through skorch. Labels may be of any type; ``predict`` returns labels
    from ``classes_`` and ``predict_proba`` has one column per class, in the
    order of ``classes_``.

    Parameters
    ----------
    cell : {"lstm", "gru"}, default="lstm"
        The recurrent layer, :class:`~skrnn.nn.ConvLSTM` or
        :class:`~skrnn.nn.ConvGRU`; a hyperparameter like any other.

    %(conv_architecture)s

    %(conv_training)s

    Attributes
    ----------
    %(conv_fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    ConvLSTMClassifier, ConvGRUClassifier : The same with the cell fixed.
    ConvRecurrentRegressor : The regressor.

    Notes
    -----
    %(conv_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import ConvRecurrentClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = np.zeros((40, 4, 6, 6), dtype="float32")
    >>> y = np.array(["right", "down"])[rng.randint(2, size=40)]
    >>> for t in range(4):                       # a dot moving right or down
    ...     X[y == "right", t, 2, t] = 1
    ...     X[y == "down", t, t, 2] = 1
    >>> clf = ConvRecurrentClassifier(filters=4, max_epochs=30, lr=3e-2,
    ...                               random_state=0).fit(X, y)
    >>> clf.score(X, y)
    1.0
    """

    _criterion = torch.nn.CrossEntropyLoss
    _stratify = True
    _check_targets = dict(multi_output=False, y_numeric=False)
    _target_attributes = ("classes_",)

    def __init__(
        self,
        *,
        cell="lstm",
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
    ):
        super().__init__(
            cell=cell,
            filters=filters,
            kernel_size=kernel_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the network to image sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The training sequences (or 2-D, sequences of single values).
        y : array-like of shape (n_samples,)
            The class labels (at least two distinct ones).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch on ``X`` and ``y``, continuing any previous fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The training sequences.
        y : array-like of shape (n_samples,)
            The class labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            All the classes that ``y`` can have over all calls. Required on the
            first call, ignored afterwards.

        Returns
        -------
        self : object
            The updated classifier.
        """
        if classes is None and not hasattr(self, "net_"):
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Predict class probabilities for image sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The sequences.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, columns in the order of ``classes_``.
        """
        return softmax(self._forward(X).astype(np.float64), axis=1)

    def predict_log_proba(self, X):
        """Predict the logarithm of class probabilities for image sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The sequences.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, columns in the order of ``classes_``.
        """
        return log_softmax(self._forward(X).astype(np.float64), axis=1)

    def predict(self, X):
        """Predict the class labels of image sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The sequences.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted labels, taken from ``classes_``.
        """
        codes = self._forward(X).argmax(axis=1)
        return self.classes_[codes]

    def score(self, X, y, sample_weight=None):
        """Return the mean accuracy on the given sequences and labels.

        Labels never seen in ``fit`` are refused rather than counted as errors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, channels, height, \
width) or (n_samples, n_timesteps, height, width)
            The sequences.
        y : array-like of shape (n_samples,)
            The true labels, all among ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The mean accuracy of ``self.predict(X)`` with respect to ``y``.
        """
        check_is_fitted(self, "net_")
        self._check_known_labels(np.asarray(y))
        return super().score(X, y, sample_weight=sample_weight)

    def _check_known_labels(self, y):
        present = np.unique(y)
        if np.setdiff1d(present, self.classes_).size:
            raise ValueError(
                f"`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. `y` has {present}."
            )

    def _check_targets_form(self, X, y, *, reset):
        """One label per sequence: ``check_frames`` has checked ``y`` is 1-D."""

    def _encode_targets(self, y, *, reset, classes=None, sample_weight=None):
        # (fit takes no sample_weight here: the conv family trains unweighted.)
        check_classification_targets(y)
        if reset:
            self.classes_ = np.unique(y if classes is None else classes)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in "
                    f"the data, but the data contain only one class: "
                    f"{self.classes_[0].item()!r}."
                )
        self._check_known_labels(y)
        codes = np.searchsorted(self.classes_, y).astype(np.int64)
        return torch.from_numpy(codes), len(self.classes_)


@Substitution(**FRAGMENTS, **CONV_FRAGMENTS)
class ConvLSTMClassifier(ConvRecurrentClassifier):
    """Convolutional LSTM classifier for image sequences.

    ConvRecurrentClassifier with ``cell="lstm"`` fixed: the recurrent layers are
    :class:`~skrnn.nn.ConvLSTM`. See :class:`ConvRecurrentClassifier`.

    Parameters
    ----------
    %(conv_architecture)s

    %(conv_training)s

    Attributes
    ----------
    %(conv_fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    ConvRecurrentClassifier : The same estimator with ``cell`` as a hyperparameter.

    Notes
    -----
    %(conv_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import ConvLSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(30, 3, 5, 5).astype("float32")
    >>> y = (X[:, -1].mean(axis=(1, 2)) > 0.5).astype(int)
    >>> clf = ConvLSTMClassifier(filters=4, max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        k: v for k, v in ConvRecurrentClassifier._parameter_constraints.items()
        if k != "cell"
    }

    def __init__(
        self,
        *,
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
    ):
        super().__init__(
            cell="lstm",
            filters=filters,
            kernel_size=kernel_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
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


@Substitution(**FRAGMENTS, **CONV_FRAGMENTS)
class ConvGRUClassifier(ConvRecurrentClassifier):
    """Convolutional GRU classifier for image sequences.

    ConvRecurrentClassifier with ``cell="gru"`` fixed: the recurrent layers are
    :class:`~skrnn.nn.ConvGRU`. See :class:`ConvRecurrentClassifier`.

    Parameters
    ----------
    %(conv_architecture)s

    %(conv_training)s

    Attributes
    ----------
    %(conv_fitted)s

    classes_ : ndarray of shape (n_classes,)
        The class labels.

    See Also
    --------
    ConvRecurrentClassifier : The same estimator with ``cell`` as a hyperparameter.

    Notes
    -----
    %(conv_notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import ConvGRUClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(30, 3, 2, 5, 5).astype("float32")   # 2 channels
    >>> y = np.array(["a", "b", "c"])[rng.randint(3, size=30)]
    >>> clf = ConvGRUClassifier(filters=4, max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        k: v for k, v in ConvRecurrentClassifier._parameter_constraints.items()
        if k != "cell"
    }

    def __init__(
        self,
        *,
        filters=16,
        kernel_size=3,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        lr_schedule="plateau",
        optimizer="adam",
        weight_decay=0.0,
        clip_grad_norm=1.0,
        nonfinite_loss="raise",
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        warm_start=False,
        random_state=None,
        device="cpu",
        predict_batch_size=None,
        n_threads=None,
        callbacks=None,
        verbose=0,
    ):
        super().__init__(
            cell="gru",
            filters=filters,
            kernel_size=kernel_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
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
