"""
Forecasting sunspots with LSTM, GRU and RNN inside a Pipeline
==============================================================

A raw monthly series goes through nothing but scikit-learn's own tools: a
:class:`~sklearn.pipeline.Pipeline` scales it,
:class:`~skrnn.preprocessing.SlidingWindow` turns each month into the window of
months before it, and a
:class:`~skrnn.RecurrentRegressor` forecasts the sunspot number six months ahead.
:class:`~sklearn.model_selection.TimeSeriesSplit` cross-validates the three cells
against two baselines that need no training: the *naive* forecast (the last
known value) and the *seasonal naive* forecast (the value one 11-year solar cycle
earlier).

The data are the monthly mean sunspot numbers from 1749 to 2008
(:func:`skrnn.datasets.load_sunspots`, shipped with skrnn); the example uses the
109 years from 1900 on, so that it runs in well under a minute.

Because the series is a DataFrame with a monthly index, each test fold is windowed
with the months that precede it, so no forecast is made from invented history and
none sees a value from after the month it is made in.
"""

# %%
# Load the series
# ---------------
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import TimeSeriesSplit, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RecurrentRegressor
from skrnn.datasets import load_sunspots
from skrnn.preprocessing import SlidingWindow

HORIZON = 6  # months ahead
START = "1900"  # the series from this year on
WINDOW = 24  # months of history per forecast
N_SPLITS = 3  # test folds
TEST_MONTHS = 120  # months per test fold

data = load_sunspots()
X = data.frame.loc[START:]  # one column, indexed by month
y = data.target.loc[START:].to_numpy()
print(f"{len(X)} months, {X.index[0]:%Y-%m} to {X.index[-1]:%Y-%m}")

# %%
# The baselines
# -------------
# A baseline reads the single value ``lag`` months before the target month: a
# ``SlidingWindow`` of one step and horizon ``lag`` picks exactly that value, so
# the baselines go through the same windowing, and the same history rules, as the
# networks.


class LastValueRegressor(RegressorMixin, BaseEstimator):
    """Predict the last value of each window (a baseline with nothing to fit)."""

    def fit(self, X, y):
        self.n_features_in_ = X.shape[2]
        return self

    def predict(self, X):
        return np.asarray(X)[:, -1, 0]


baselines = {
    "naive": Pipeline([("window", SlidingWindow(1, horizon=HORIZON)),
                       ("last", LastValueRegressor())]),
    "seasonal naive": Pipeline([
        ("window", SlidingWindow(1, horizon=data.seasonal_period)),
        ("last", LastValueRegressor()),
    ]),
}

# %%
# The recurrent forecasters
# -------------------------
# Two years of months per window; the cell is the only difference between the
# three pipelines. With ``early_stopping=True`` each fit holds out a tenth of its
# windows (``validation_fraction``) and stops when their loss has not improved
# for ``n_iter_no_change`` epochs. ``set_output(transform="pandas")`` keeps the
# monthly index through the scaler, which is what lets ``SlidingWindow`` place
# each test fold after the months it follows.


def forecaster(cell):
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("window", SlidingWindow(WINDOW, horizon=HORIZON)),
            ("model", RecurrentRegressor(cell=cell, hidden_size=16, batch_size=64,
                                         lr=3e-3, max_epochs=200, early_stopping=True,
                                         n_iter_no_change=5, random_state=0)),
        ]
    ).set_output(transform="pandas")


models = {**baselines, **{c.upper(): forecaster(c) for c in ("lstm", "gru", "rnn")}}

# %%
# Cross-validate on the last 30 years
# -----------------------------------
# Three folds of 10 years each, every one trained on all the months before it.
cv = TimeSeriesSplit(n_splits=N_SPLITS, test_size=TEST_MONTHS)
rows, fold_predictions = [], {}
for name, model in models.items():
    result = cross_validate(model, X, y, cv=cv, return_estimator=True,
                            scoring="neg_mean_absolute_error")
    mae = -result["test_score"]
    epochs = [getattr(est[-1], "n_iter_", 0) for est in result["estimator"]]
    rows.append({"model": name, "MAE": mae.mean(), "MAE std": mae.std(),
                 "fit time (s)": result["fit_time"].mean(), "epochs": np.mean(epochs)})
    last_train, last_test = list(cv.split(X))[-1]
    fold_predictions[name] = result["estimator"][-1].predict(X.iloc[last_test])
table = pd.DataFrame(rows).sort_values("MAE")
print(table.to_string(index=False, float_format="%.2f"))
mae = table.set_index("model")["MAE"]
for cell in ("LSTM", "GRU", "RNN"):
    print(f"{cell}: {mae[cell] / mae['naive']:.2f} times the naive forecast's error, "
          f"{mae[cell] / mae['seasonal naive']:.2f} times the seasonal naive one's")

# %%
# Forecasts against the truth
# ---------------------------
import matplotlib.pyplot as plt  # noqa: E402  (the [plot] extra)

months = X.index[last_test]
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
ax.plot(months, y[last_test], color="black", lw=2, label="observed")
for name in ("seasonal naive", "naive", "LSTM", "GRU", "RNN"):
    ax.plot(months, fold_predictions[name], lw=1, label=name)
ax.set_ylabel("monthly sunspot number")
ax.set_title(f"Last fold: forecasts {HORIZON} months ahead")
ax.legend(ncol=3, fontsize="small")
plt.show()
