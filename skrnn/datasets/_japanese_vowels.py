"""``load_japanese_vowels``: a classification set of sequences of different lengths."""

import numpy as np
from sklearn.utils import Bunch

from ._base import _check_split, _load_descr, _parse_floats, _read_csv

__all__ = ["load_japanese_vowels"]

# Leading columns of the file; the 12 coefficients of the step follow them.
_META = ["split", "sample", "label", "step"]


def load_japanese_vowels(*, split="train", return_X_y=False):
    """Load the JapaneseVowels classification set (UEA archive, variable length).

    Nine male speakers uttered the Japanese vowels /ae/; each sample is one
    utterance as 12 linear-prediction cepstral coefficients per analysis frame,
    7 to 29 frames long. The task is to tell the speaker.

    =================   ==================================================
    Classes             9 (``'1'`` ... ``'9'``, the speakers)
    Samples             270 train (30 per speaker), 370 test (24 to 88 per
                        speaker)
    Time steps          7 to 29 (different for each sample)
    Channels            12 (``"c0"`` ... ``"c11"``)
    =================   ==================================================

    Read more in the data set's description, ``load_japanese_vowels().DESCR``.

    Parameters
    ----------
    split : {"train", "test", "all"}, default="train"
        Which part of the archive's standard split to load; ``"all"``
        concatenates the training samples, then the test samples.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : list of ndarray of shape (n_timesteps_i, 12), dtype float64
            The sequences, channels last, each of its own length: the list
            form skrnn's estimators take for sequences of different lengths.
        target : ndarray of shape (n_samples,), dtype str
            The speaker of each utterance, ``'1'`` to ``'9'``.
        target_names : ndarray of shape (9,)
            The sorted unique labels of ``target``.
        feature_names : list of str
            The coefficient names, ``["c0", ..., "c11"]``, in the archive's
            dimension order.
        DESCR : str
            The full description of the data set: source, licence, layout.

    (data, target) : tuple if ``return_X_y`` is True
        The list and the array described above.

    See Also
    --------
    skrnn.preprocessing.to_nan_padded : One NaN-padded array, if needed.
    load_basic_motions : A multivariate set of equal-length sequences.

    References
    ----------
    .. [1] Kudo, M., Toyama, J. and Shimbo, M. (1999). Multidimensional curve
       classification using passing-through regions. Pattern Recognition
       Letters, 20(11-13), 1103-1111.
    .. [2] Bagnall, A., Dau, H. A., Lines, J., Flynn, M., Large, J.,
       Bostrom, A., Southam, P. and Keogh, E. (2018). The UEA multivariate
       time series classification archive, 2018. arXiv:1811.00075.

    Examples
    --------
    >>> from skrnn.datasets import load_japanese_vowels
    >>> vowels = load_japanese_vowels()
    >>> len(vowels.data), vowels.data[0].shape
    (270, (20, 12))
    >>> min(len(x) for x in vowels.data), max(len(x) for x in vowels.data)
    (7, 26)
    >>> X, y = load_japanese_vowels(split="test", return_X_y=True)
    >>> len(X), y[:3]
    (370, array(['1', '1', '1'], dtype='<U1'))
    """
    _check_split(split, "load_japanese_vowels")
    columns, lines = _read_csv("japanese_vowels.csv.gz")
    n_meta = len(_META)
    splits = ("train", "test") if split == "all" else (split,)
    rows = [line.split(",", n_meta) for line in lines]
    rows = [row for name in splits for row in rows if row[0] == name]
    values = _parse_floats([row[n_meta] for row in rows])
    # A new sample starts where (split, sample) changes.
    keys = [(row[0], row[1]) for row in rows]
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    bounds = starts + [len(rows)]
    data = [values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    target = np.array([rows[i][2] for i in starts], dtype=str)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.unique(target),
        feature_names=columns[n_meta:],
        DESCR=_load_descr("japanese_vowels.rst"),
    )
