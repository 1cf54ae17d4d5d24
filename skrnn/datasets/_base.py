"""Loaders for the small public data sets shipped inside skrnn.

The files live in ``skrnn/datasets/data/``: one compact CSV (optionally
gzip-compressed) per data set, with a reStructuredText description next to it
that becomes the ``DESCR`` of the returned :class:`~sklearn.utils.Bunch`.
Nothing is downloaded at run time.
"""

import gzip
from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

_DATA_FOLDER = "data"
_SPLITS = ("train", "test", "all")
# Leading columns of the classification files; the time steps follow them.
_META_COLUMNS = ["split", "sample", "label", "channel"]


def _data_file(file_name):
    """Return a traversable handle on a file of ``skrnn/datasets/data``."""
    return resources.files(__package__).joinpath(_DATA_FOLDER, file_name)


def _read_csv(file_name):
    """Read a shipped CSV file (``.csv`` or ``.csv.gz``).

    Returns
    -------
    columns : list of str
        The column names, from the header line.

    lines : list of str
        The data lines, unparsed.
    """
    content = _data_file(file_name).read_bytes()
    if file_name.endswith(".gz"):
        content = gzip.decompress(content)
    header, *lines = content.decode("ascii").splitlines()
    return header.split(","), lines


def _parse_floats(texts):
    """Parse comma-separated numbers, one row per text, into float64.

    Each number becomes the float64 nearest to its decimal text, exactly as
    Python's :func:`float` reads it from the original source file.
    """
    return np.loadtxt(texts, delimiter=",", dtype=np.float64, ndmin=2)


def _load_descr(descr_file_name):
    """Return the text of a shipped ``.rst`` description (the ``DESCR``)."""
    return _data_file(descr_file_name).read_text(encoding="utf-8")


def _check_split(split, caller):
    """Raise a scikit-learn style ``ValueError`` for an unknown ``split``."""
    if not isinstance(split, str) or split not in _SPLITS:
        options = ", ".join(repr(option) for option in _SPLITS)
        raise ValueError(
            f"The 'split' parameter of {caller} must be a str among "
            f"{{{options}}}. Got {split!r} instead."
        )


def _load_series(
    file_name, *, descr_file_name, date_format, freq, target_name, seasonal_period
):
    """Load a single regularly spaced series into a forecasting Bunch.

    The CSV has two columns: the date, parsed with ``date_format``, and the
    value, returned as the float64 column ``target_name`` of ``frame``.
    """
    columns, lines = _read_csv(file_name)
    rows = [line.split(",", 1) for line in lines]
    dates = pd.to_datetime([date for date, _ in rows], format=date_format)
    # Passing ``freq`` makes pandas check that the dates are gap-free.
    index = pd.DatetimeIndex(dates, freq=freq, name=columns[0])
    values = _parse_floats([value for _, value in rows])[:, 0]
    frame = pd.DataFrame({target_name: values}, index=index)
    return Bunch(
        frame=frame,
        target=frame[target_name],
        target_name=target_name,
        freq=freq,
        seasonal_period=seasonal_period,
        DESCR=_load_descr(descr_file_name),
    )


def _load_classification(file_name, *, descr_file_name, caller, split, return_X_y):
    """Load a UCR/UEA sequence classification set from its shipped CSV.

    The CSV holds one row per sample and channel: the columns ``split``,
    ``sample``, ``label`` and ``channel``, then one column per time step.
    Rows are ordered by split (train, then test), sample, then channel.
    """
    _check_split(split, caller)
    _, lines = _read_csv(file_name)
    n_meta = len(_META_COLUMNS)
    splits = ("train", "test") if split == "all" else (split,)
    # One list per row: the meta columns, then the unparsed time steps.
    rows = [line.split(",", n_meta) for line in lines]
    rows = [row for name in splits for row in rows if row[0] == name]

    feature_names = list(dict.fromkeys(row[3] for row in rows))
    n_channels = len(feature_names)
    n_samples = len(rows) // n_channels
    values = _parse_floats([row[n_meta] for row in rows])
    n_timesteps = values.shape[1]

    # (sample, channel, time) in the file -> channels-last (sample, time, channel)
    data = values.reshape(n_samples, n_channels, n_timesteps).transpose(0, 2, 1)
    data = np.ascontiguousarray(data)
    target = np.array([row[2] for row in rows[::n_channels]], dtype=str)

    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.unique(target),
        feature_names=feature_names,
        DESCR=_load_descr(descr_file_name),
    )


def load_airline():
    """Load the monthly international airline passengers series (1949-1960).

    The classic Box & Jenkins "Series G": monthly totals of international
    airline passengers from January 1949 to December 1960, 144 values with a
    rising trend and a multiplicative yearly seasonality.

    =================   ==========================
    Observations        144
    Frequency           monthly (month starts)
    Span                1949-01-01 -- 1960-12-01
    Seasonal period     12
    =================   ==========================

    Read more in the data set's description, ``load_airline().DESCR``.

    Returns
    -------
    :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        frame : pandas.DataFrame of shape (144, 1)
            One float64 column ``"passengers"``, indexed by a
            :class:`pandas.DatetimeIndex` named ``"month"`` with frequency
            ``"MS"`` (month start).
        target : pandas.Series of shape (144,)
            The ``"passengers"`` column of ``frame``, with the same index.
        target_name : str
            ``"passengers"``.
        freq : str
            ``"MS"``, the pandas frequency alias of the index.
        seasonal_period : int
            12, the number of observations in one seasonal cycle (a year).
        DESCR : str
            The full description of the data set: source, licence, columns.

    See Also
    --------
    load_sunspots : A longer monthly series with an 11-year cycle.

    References
    ----------
    .. [1] Box, G. E. P. and Jenkins, G. M. (1976). *Time Series Analysis:
       Forecasting and Control*, revised edition. Holden-Day. Series G.

    .. [2] Box, G. E. P., Jenkins, G. M., Reinsel, G. C. and Ljung, G. M.
       (2015). *Time Series Analysis: Forecasting and Control*, 5th edition.
       Wiley.

    Examples
    --------
    >>> from skrnn.datasets import load_airline
    >>> airline = load_airline()
    >>> airline.frame.shape
    (144, 1)
    >>> airline.target.head(3)
    month
    1949-01-01    112.0
    1949-02-01    118.0
    1949-03-01    132.0
    Freq: MS, Name: passengers, dtype: float64
    >>> print(airline.frame.index[-1].date(), airline.target.iloc[-1])
    1960-12-01 432.0
    >>> airline.freq, airline.seasonal_period
    ('MS', 12)
    """
    return _load_series(
        "airline.csv",
        descr_file_name="airline.rst",
        date_format="%Y-%m",
        freq="MS",
        target_name="passengers",
        seasonal_period=12,
    )


def load_sunspots():
    """Load the monthly mean sunspot numbers (1749-2008).

    Monthly means of the daily international (Zurich / Wolf) sunspot number
    from January 1749 to December 2008, 3120 values, as distributed by NOAA's
    National Geophysical Data Center and shipped with statsmodels. This is the
    original series ("version 1"), before the 2015 recalibration by SILSO.

    =================   ==========================
    Observations        3120
    Frequency           monthly (month starts)
    Span                1749-01-01 -- 2008-12-01
    Seasonal period     132 (about 11 years)
    =================   ==========================

    The series is dominated by the solar (Schwabe) cycle of about 11 years,
    whose length varies between roughly 9 and 14 years from cycle to cycle;
    ``seasonal_period`` gives its nominal length in the series' unit, months:
    11 * 12 = 132.

    Read more in the data set's description, ``load_sunspots().DESCR``.

    Returns
    -------
    :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        frame : pandas.DataFrame of shape (3120, 1)
            One float64 column ``"sunspots"``, indexed by a
            :class:`pandas.DatetimeIndex` named ``"month"`` with frequency
            ``"MS"`` (month start).
        target : pandas.Series of shape (3120,)
            The ``"sunspots"`` column of ``frame``, with the same index.
        target_name : str
            ``"sunspots"``.
        freq : str
            ``"MS"``, the pandas frequency alias of the index.
        seasonal_period : int
            132, the nominal 11-year solar cycle expressed in months.
        DESCR : str
            The full description of the data set: source, licence, columns.

    See Also
    --------
    load_airline : A short monthly series with a yearly season.

    References
    ----------
    .. [1] SILSO World Data Center (Sunspot Index and Long-term Solar
       Observations), Royal Observatory of Belgium, Brussels. *The
       International Sunspot Number*.

    .. [2] National Geophysical Data Center (NOAA), solar data services,
       monthly mean sunspot numbers, as redistributed in statsmodels
       (``statsmodels/datasets/sunspots/src/sunspots_monthly.dat``).

    Examples
    --------
    >>> from skrnn.datasets import load_sunspots
    >>> sunspots = load_sunspots()
    >>> sunspots.frame.shape
    (3120, 1)
    >>> sunspots.target.head(3)
    month
    1749-01-01    58.0
    1749-02-01    62.6
    1749-03-01    70.0
    Freq: MS, Name: sunspots, dtype: float64
    >>> print(sunspots.frame.index[-1].date(), sunspots.target.iloc[-1])
    2008-12-01 0.8
    >>> sunspots.freq, sunspots.seasonal_period
    ('MS', 132)
    """
    return _load_series(
        "sunspots_monthly.csv",
        descr_file_name="sunspots_monthly.rst",
        date_format="%Y-%m",
        freq="MS",
        target_name="sunspots",
        seasonal_period=132,
    )


def load_italy_power_demand(*, split="train", return_X_y=False):
    """Load the ItalyPowerDemand classification set (UCR archive, univariate).

    Each sample is one day of Italian electrical power demand, 24 hourly
    values; the task is to tell days from October to March from days from
    April to September (classes ``'1'`` and ``'2'``).

    =================   ==========================
    Classes             2 (``'1'``, ``'2'``)
    Samples             67 train, 1029 test
    Time steps          24
    Channels            1 (``"value"``)
    =================   ==========================

    Read more in the data set's description,
    ``load_italy_power_demand().DESCR``.

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

        data : ndarray of shape (n_samples, 24, 1), dtype float64
            The sequences, channels last.
        target : ndarray of shape (n_samples,), dtype str
            The class labels as written in the archive.
        target_names : ndarray of shape (2,)
            The sorted unique labels of ``target``.
        feature_names : list of str
            The channel names, ``["value"]``.
        DESCR : str
            The full description of the data set: source, licence, layout.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    See Also
    --------
    load_gunpoint : Another univariate set, with longer sequences.
    load_basic_motions : A multivariate set with six channels.

    References
    ----------
    .. [1] Keogh, E., Wei, L., Xi, X., Lonardi, S., Shieh, J. and Sirowy, S.
       (2006). Intelligent Icons: Integrating Lite-Weight Data Mining and
       Visualization into GUI Operating Systems. *Sixth International
       Conference on Data Mining (ICDM'06)*, 912-916.

    .. [2] Dau, H. A., Bagnall, A., Kamgar, K., Yeh, C.-C. M., Zhu, Y.,
       Gharghabi, S., Ratanamahatana, C. A. and Keogh, E. (2019). The UCR
       Time Series Archive. *IEEE/CAA Journal of Automatica Sinica*, 6(6),
       1293-1305.

    Examples
    --------
    >>> from skrnn.datasets import load_italy_power_demand
    >>> X, y = load_italy_power_demand(return_X_y=True)
    >>> X.shape, y.shape
    ((67, 24, 1), (67,))
    >>> load_italy_power_demand(split="test").data.shape
    (1029, 24, 1)
    >>> load_italy_power_demand().target_names
    array(['1', '2'], dtype='<U1')
    """
    return _load_classification(
        "italy_power_demand.csv.gz",
        descr_file_name="italy_power_demand.rst",
        caller="load_italy_power_demand",
        split=split,
        return_X_y=return_X_y,
    )


def load_gunpoint(*, split="train", return_X_y=False):
    """Load the GunPoint classification set (UCR archive, univariate).

    Each sample is the horizontal (X-axis) position of an actor's right hand
    over 150 video frames while either drawing a replica gun from a holster
    and pointing it, or pointing with the index finger (classes ``'1'`` and
    ``'2'``).

    =================   ==========================
    Classes             2 (``'1'``, ``'2'``)
    Samples             50 train, 150 test
    Time steps          150
    Channels            1 (``"value"``)
    =================   ==========================

    Read more in the data set's description, ``load_gunpoint().DESCR``.

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

        data : ndarray of shape (n_samples, 150, 1), dtype float64
            The sequences, channels last.
        target : ndarray of shape (n_samples,), dtype str
            The class labels as written in the archive.
        target_names : ndarray of shape (2,)
            The sorted unique labels of ``target``.
        feature_names : list of str
            The channel names, ``["value"]``.
        DESCR : str
            The full description of the data set: source, licence, layout.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    See Also
    --------
    load_italy_power_demand : Another univariate set, with more samples.
    load_basic_motions : A multivariate set with six channels.

    References
    ----------
    .. [1] Ratanamahatana, C. A. and Keogh, E. (2005). Three Myths about
       Dynamic Time Warping Data Mining. *Proceedings of the 2005 SIAM
       International Conference on Data Mining*, 506-510.

    .. [2] Dau, H. A., Bagnall, A., Kamgar, K., Yeh, C.-C. M., Zhu, Y.,
       Gharghabi, S., Ratanamahatana, C. A. and Keogh, E. (2019). The UCR
       Time Series Archive. *IEEE/CAA Journal of Automatica Sinica*, 6(6),
       1293-1305.

    Examples
    --------
    >>> from skrnn.datasets import load_gunpoint
    >>> X, y = load_gunpoint(return_X_y=True)
    >>> X.shape, y.shape
    ((50, 150, 1), (50,))
    >>> load_gunpoint(split="all").data.shape
    (200, 150, 1)
    """
    return _load_classification(
        "gunpoint.csv.gz",
        descr_file_name="gunpoint.rst",
        caller="load_gunpoint",
        split=split,
        return_X_y=return_X_y,
    )


def load_basic_motions(*, split="train", return_X_y=False):
    """Load the BasicMotions classification set (UEA archive, multivariate).

    Each sample is ten seconds of a smart watch's 3-D accelerometer and 3-D
    gyroscope readings, sampled at 10 Hz, while its wearer was standing,
    walking, running or playing badminton.

    =================   ==================================================
    Classes             4 (``'Badminton'``, ``'Running'``, ``'Standing'``,
                        ``'Walking'``)
    Samples             40 train, 40 test (10 per class in each)
    Time steps          100
    Channels            6 (``"dim_0"`` ... ``"dim_5"``)
    =================   ==================================================

    Read more in the data set's description, ``load_basic_motions().DESCR``.

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

        data : ndarray of shape (n_samples, 100, 6), dtype float64
            The sequences, channels last.
        target : ndarray of shape (n_samples,), dtype str
            The class labels as written in the archive.
        target_names : ndarray of shape (4,)
            The sorted unique labels of ``target``.
        feature_names : list of str
            The channel names, ``["dim_0", ..., "dim_5"]``, in the archive's
            dimension order (the archive does not name its dimensions).
        DESCR : str
            The full description of the data set: source, licence, layout.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    See Also
    --------
    load_italy_power_demand : A univariate set with short sequences.
    load_gunpoint : A univariate set with longer sequences.

    References
    ----------
    .. [1] Bagnall, A., Dau, H. A., Lines, J., Flynn, M., Large, J.,
       Bostrom, A., Southam, P. and Keogh, E. (2018). The UEA multivariate
       time series classification archive, 2018. arXiv:1811.00075.

    Examples
    --------
    >>> from skrnn.datasets import load_basic_motions
    >>> motions = load_basic_motions()
    >>> motions.data.shape
    (40, 100, 6)
    >>> motions.target_names
    array(['Badminton', 'Running', 'Standing', 'Walking'], dtype='<U9')
    >>> X, y = load_basic_motions(split="all", return_X_y=True)
    >>> X.shape, y.shape
    ((80, 100, 6), (80,))
    """
    return _load_classification(
        "basic_motions.csv.gz",
        descr_file_name="basic_motions.rst",
        caller="load_basic_motions",
        split=split,
        return_X_y=return_X_y,
    )
