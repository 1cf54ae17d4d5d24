"""Tests for the data sets shipped in ``skrnn.datasets``."""

import gzip
import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import Bunch

import skrnn.datasets
from skrnn.datasets import (
    load_airline,
    load_basic_motions,
    load_gunpoint,
    load_italy_power_demand,
    load_japanese_vowels,
    load_sunspots,
)

SERIES_LOADERS = [load_airline, load_sunspots]
CLASSIFICATION_LOADERS = [load_italy_power_demand, load_gunpoint, load_basic_motions]

# loader -> (n_train, n_test, n_timesteps, n_channels, {label: (train, test)})
CLASSIFICATION_SHAPES = {
    load_italy_power_demand: (67, 1029, 24, 1, {"1": (34, 513), "2": (33, 516)}),
    load_gunpoint: (50, 150, 150, 1, {"1": (24, 76), "2": (26, 74)}),
    load_basic_motions: (
        40,
        40,
        100,
        6,
        {
            "Badminton": (10, 10),
            "Running": (10, 10),
            "Standing": (10, 10),
            "Walking": (10, 10),
        },
    ),
}


def test_public_names():
    assert sorted(skrnn.datasets.__all__) == [
        "load_airline",
        "load_basic_motions",
        "load_gunpoint",
        "load_italy_power_demand",
        "load_japanese_vowels",
        "load_sunspots",
        "make_moving_digits",
    ]
    for name in skrnn.datasets.__all__:
        assert callable(getattr(skrnn.datasets, name))


def test_data_folder_small_and_described():
    # Every data file has a description next to it; the folder stays small.
    folder = resources.files("skrnn.datasets").joinpath("data")
    names = sorted(entry.name for entry in folder.iterdir())
    data_files = [n for n in names if n.endswith((".csv", ".csv.gz"))]
    assert len(data_files) == 6
    for name in data_files:
        stem = name.split(".")[0]
        assert f"{stem}.rst" in names
    total = sum(len(folder.joinpath(n).read_bytes()) for n in names)
    assert total < 1_500_000


# --------------------------------------------------------------------------
# Forecasting series


@pytest.mark.parametrize("loader", SERIES_LOADERS)
def test_series_bunch_structure(loader):
    bunch = loader()
    assert isinstance(bunch, Bunch)
    assert set(bunch) == {
        "frame",
        "target",
        "target_name",
        "freq",
        "seasonal_period",
        "DESCR",
    }
    frame, target = bunch.frame, bunch.target
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [bunch.target_name]
    assert frame.dtypes.iloc[0] == np.float64
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.freqstr == bunch.freq
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert isinstance(target, pd.Series)
    assert target.name == bunch.target_name
    assert target.dtype == np.float64
    assert target.index.equals(frame.index)
    pd.testing.assert_series_equal(target, frame[bunch.target_name])
    assert not frame.isna().any().any()
    assert isinstance(bunch.seasonal_period, int)
    # Reproducible: a second load gives equal values.
    pd.testing.assert_frame_equal(loader().frame, frame)


def test_load_airline():
    airline = load_airline()
    assert airline.frame.shape == (144, 1)
    assert airline.target_name == "passengers"
    assert airline.freq == "MS"
    assert airline.seasonal_period == 12
    index = airline.frame.index
    assert index[0] == pd.Timestamp("1949-01-01")
    assert index[-1] == pd.Timestamp("1960-12-01")
    assert index.name == "month"
    # Values from sktime's Airline.csv (Box & Jenkins Series G).
    y = airline.target
    assert y.iloc[0] == 112.0
    assert y.iloc[-1] == 432.0
    assert y.iloc[:4].tolist() == [112.0, 118.0, 132.0, 129.0]
    assert y["1960-10-01"] == 461.0
    assert y.min() == 104.0 and y.max() == 622.0


def test_load_sunspots():
    sunspots = load_sunspots()
    assert sunspots.frame.shape == (3120, 1)
    assert sunspots.target_name == "sunspots"
    assert sunspots.freq == "MS"
    assert sunspots.seasonal_period == 132
    index = sunspots.frame.index
    assert index[0] == pd.Timestamp("1749-01-01")
    assert index[-1] == pd.Timestamp("2008-12-01")
    # Values from statsmodels' sunspots_monthly.dat.
    y = sunspots.target
    assert y.iloc[:3].tolist() == [58.0, 62.6, 70.0]
    assert y.iloc[-1] == 0.8
    assert y["1824-02-01"] == 10.8  # the interpolated month
    assert (y >= 0).all()
    # Yearly means match statsmodels' yearly series to its rounding.
    yearly = y.groupby(y.index.year).mean()
    assert abs(yearly[1749] - 80.9) < 0.5
    assert abs(yearly[2008] - 2.9) < 0.5


@pytest.mark.parametrize(
    "loader, source", [(load_airline, "Box"), (load_sunspots, "statsmodels")]
)
def test_series_descr(loader, source):
    descr = loader().DESCR
    assert isinstance(descr, str) and len(descr) > 500
    assert source in descr
    assert "Licence" in descr


# --------------------------------------------------------------------------
# Sequence classification


@pytest.mark.parametrize("loader", CLASSIFICATION_LOADERS)
@pytest.mark.parametrize("split", ["train", "test", "all"])
def test_classification_shapes_and_counts(loader, split):
    n_train, n_test, n_timesteps, n_channels, counts = CLASSIFICATION_SHAPES[loader]
    n_samples = {"train": n_train, "test": n_test, "all": n_train + n_test}[split]
    bunch = loader(split=split)
    assert isinstance(bunch, Bunch)
    assert set(bunch) == {"data", "target", "target_names", "feature_names", "DESCR"}
    X, y = bunch.data, bunch.target
    assert isinstance(X, np.ndarray) and X.dtype == np.float64
    assert X.shape == (n_samples, n_timesteps, n_channels)
    assert X.flags.c_contiguous
    assert np.isfinite(X).all()
    assert isinstance(y, np.ndarray) and y.dtype.kind == "U"
    assert y.shape == (n_samples,)
    np.testing.assert_array_equal(bunch.target_names, sorted(counts))
    assert len(bunch.feature_names) == n_channels
    assert all(type(name) is str for name in bunch.feature_names)
    parts = [0, 1] if split == "all" else [["train", "test"].index(split)]
    expected = {label: sum(c[k] for k in parts) for label, c in counts.items()}
    labels, found = np.unique(y, return_counts=True)
    assert dict(zip(labels.tolist(), found.tolist(), strict=True)) == expected


@pytest.mark.parametrize("loader", CLASSIFICATION_LOADERS)
def test_split_all_is_train_then_test(loader):
    X_train, y_train = loader(split="train", return_X_y=True)
    X_test, y_test = loader(split="test", return_X_y=True)
    X_all, y_all = loader(split="all", return_X_y=True)
    np.testing.assert_array_equal(X_all, np.concatenate([X_train, X_test]))
    np.testing.assert_array_equal(y_all, np.concatenate([y_train, y_test]))


@pytest.mark.parametrize("loader", CLASSIFICATION_LOADERS)
def test_default_split_is_train(loader):
    n_train = CLASSIFICATION_SHAPES[loader][0]
    assert loader().data.shape[0] == n_train


@pytest.mark.parametrize("loader", CLASSIFICATION_LOADERS)
def test_return_X_y(loader):
    bunch = loader(split="test")
    result = loader(split="test", return_X_y=True)
    assert isinstance(result, tuple) and len(result) == 2
    X, y = result
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


@pytest.mark.parametrize("loader", CLASSIFICATION_LOADERS)
@pytest.mark.parametrize("split", ["tst", "TRAIN", "", None, 0])
def test_bad_split_raises(loader, split):
    name = loader.__name__
    msg = (
        f"The 'split' parameter of {name} must be a str among "
        f"{{'train', 'test', 'all'}}. Got {split!r} instead."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        loader(split=split)


def test_bad_split_message_example():
    with pytest.raises(ValueError) as excinfo:
        load_basic_motions(split="tst")
    assert str(excinfo.value) == (
        "The 'split' parameter of load_basic_motions must be a str among "
        "{'train', 'test', 'all'}. Got 'tst' instead."
    )


@pytest.mark.parametrize("loader", CLASSIFICATION_LOADERS)
def test_options_are_keyword_only(loader):
    with pytest.raises(TypeError):
        loader("test")


def test_italy_power_demand_values():
    # First and last samples of ItalyPowerDemand_TRAIN.ts / _TEST.ts.
    bunch = load_italy_power_demand()
    assert bunch.feature_names == ["value"]
    X, y = bunch.data, bunch.target
    assert X[0, :3, 0].tolist() == [-0.71051757, -1.1833204, -1.3724416]
    assert X[0, -1, 0] == -0.26923494
    assert y[0] == "1"
    X_test, y_test = load_italy_power_demand(split="test", return_X_y=True)
    assert X_test[0, :3, 0].tolist() == [0.47297301, -0.39603003, -0.72190616]
    assert y_test[0] == "2"


def test_gunpoint_values():
    bunch = load_gunpoint()
    assert bunch.feature_names == ["value"]
    X, y = bunch.data, bunch.target
    assert X[0, :3, 0].tolist() == [-0.6478854, -0.64199155, -0.63818632]
    assert y[0] == "2"
    X_test, y_test = load_gunpoint(split="test", return_X_y=True)
    assert X_test[0, :3, 0].tolist() == [-1.1250133, -1.1313383, -1.1382884]
    assert y_test[0] == "1"


def test_basic_motions_values():
    bunch = load_basic_motions()
    assert bunch.feature_names == [f"dim_{k}" for k in range(6)]
    X, y = bunch.data, bunch.target
    # Channels last: X[sample, time, channel].
    assert X[0, :4, 0].tolist() == [0.079106, 0.079106, -0.903497, 1.116125]
    assert X[0, :2, 1].tolist() == [0.394032, 0.394032]
    assert X[0, 0, :].tolist() == [
        0.079106,
        0.394032,
        0.551444,
        0.351565,
        0.02397,
        0.633883,
    ]
    assert y[0] == "Standing"
    X_test, y_test = load_basic_motions(split="test", return_X_y=True)
    assert X_test[0, :3, 0].tolist() == [-0.740653, -0.740653, 10.208449]
    assert y_test[0] == "Standing"
    assert y_test[-1] == "Badminton"
    assert X_test[-1, :2, 5].tolist() == [0.24503, 0.24503]


@pytest.mark.parametrize(
    "loader, file_name",
    [
        (load_italy_power_demand, "italy_power_demand.csv.gz"),
        (load_gunpoint, "gunpoint.csv.gz"),
        (load_basic_motions, "basic_motions.csv.gz"),
    ],
)
def test_classification_file_matches_loader(loader, file_name):
    # Re-read the shipped file with plain Python floats, independently of the
    # loader, and check the layout (one row per sample and channel) and values.
    path = resources.files("skrnn.datasets").joinpath("data", file_name)
    text = gzip.decompress(path.read_bytes()).decode("ascii")
    header, *rows = (line.split(",") for line in text.splitlines())
    assert header[:4] == ["split", "sample", "label", "channel"]
    X_all, y_all = loader(split="all", return_X_y=True)
    n_samples, n_timesteps, n_channels = X_all.shape
    assert header[4:] == [f"t{k}" for k in range(n_timesteps)]
    assert len(rows) == n_samples * n_channels
    n_train = CLASSIFICATION_SHAPES[loader][0]
    for r, row in enumerate(rows):
        sample, channel = divmod(r, n_channels)
        if sample < n_train:
            assert row[0] == "train" and int(row[1]) == sample
        else:
            assert row[0] == "test" and int(row[1]) == sample - n_train
        assert row[2] == y_all[sample]
        assert [float(v) for v in row[4:]] == X_all[sample, :, channel].tolist()


@pytest.mark.parametrize(
    "loader, source",
    [
        (load_italy_power_demand, "UCR"),
        (load_gunpoint, "UCR"),
        (load_basic_motions, "UEA"),
    ],
)
def test_classification_descr(loader, source):
    descr = loader().DESCR
    assert isinstance(descr, str) and len(descr) > 500
    assert source in descr
    assert "sktime" in descr
    assert "Licence" in descr


# --------------------------------------------------------------------------
# JapaneseVowels: sequences of different lengths


def test_japanese_vowels_shapes_and_counts():
    bunch = load_japanese_vowels()
    assert isinstance(bunch, Bunch)
    assert bunch.feature_names == [f"c{k}" for k in range(12)]
    assert list(bunch.target_names) == [str(k) for k in range(1, 10)]
    X_train, y_train = load_japanese_vowels(return_X_y=True)
    X_test, y_test = load_japanese_vowels(split="test", return_X_y=True)
    assert len(X_train) == len(y_train) == 270
    assert len(X_test) == len(y_test) == 370
    assert all(x.shape[1] == 12 and x.dtype == np.float64 for x in X_train + X_test)
    lengths = [len(x) for x in X_train + X_test]
    assert min(lengths) == 7 and max(lengths) == 29
    assert len(set(lengths)) > 10
    assert np.unique(y_train, return_counts=True)[1].tolist() == [30] * 9
    assert np.unique(y_test, return_counts=True)[1].tolist() == [
        31, 35, 88, 44, 29, 24, 40, 50, 29
    ]
    X_all, y_all = load_japanese_vowels(split="all", return_X_y=True)
    assert len(X_all) == 640 and (y_all[270:] == y_test).all()
    np.testing.assert_array_equal(X_all[270], X_test[0])


def test_japanese_vowels_values():
    X, y = load_japanese_vowels(return_X_y=True)
    assert X[0].shape == (20, 12)
    assert X[0][:3, 0].tolist() == [1.860936, 1.891651, 1.939205]
    assert X[0][0, :2].tolist() == [1.860936, -0.207383]
    assert y[0] == "1" and y[-1] == "9"


def test_japanese_vowels_descr_and_bad_split():
    descr = load_japanese_vowels().DESCR
    assert "UEA" in descr and "sktime" in descr and "Licence" in descr
    with pytest.raises(ValueError, match="The 'split' parameter of load_japanese"):
        load_japanese_vowels(split="valid")
