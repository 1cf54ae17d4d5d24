"""
LSTM, GRU or RNN? A grid search over the cell type
===================================================

The cell of a recurrent network is a hyperparameter like any other: here
:class:`~sklearn.model_selection.GridSearchCV` searches the cell type and the
hidden size of a :class:`~skrnn.RecurrentClassifier` inside a
:class:`~sklearn.pipeline.Pipeline`, on a real data set shipped with skrnn, then the
best model is evaluated on the held-out test split, saved with joblib and loaded
back.

The data are BasicMotions from the UEA multivariate time series archive
(:func:`skrnn.datasets.load_basic_motions`): 10 seconds of a smartwatch's
accelerometer and gyroscope (6 channels at 10 Hz, 100 steps) per recording, to be
classified as standing, walking, running or playing badminton. The archive's split
has 40 training and 40 test recordings. On these data the cells differ: both gated
cells learn the task and the plain (Elman) RNN does not reach their accuracy.
"""

# %%
# Load the data
# -------------
# Every fourth step is kept (2.5 Hz, 25 steps): each fit takes a quarter of the
# time, and the four activities stay apart.
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from skrnn import RecurrentClassifier, RecurrentNet
from skrnn.datasets import load_basic_motions
from skrnn.preprocessing import SequenceScaler

STEP = 4  # keep every fourth time step
N_SPLITS = 4  # cross-validation folds (10 recordings each)
MAX_EPOCHS = 200  # at most; each fit ends on the plateau of its training loss

train = load_basic_motions(split="train")
test = load_basic_motions(split="test")
X_train, y_train = train.data[:, ::STEP], train.target
X_test, y_test = test.data[:, ::STEP], test.target
print(f"train {X_train.shape}, test {X_test.shape}, classes {list(train.target_names)}")

# %%
# Search the cell and the size
# ----------------------------
# :class:`~skrnn.preprocessing.SequenceScaler` standardises each of the six
# channels over all recordings and steps. The classifier stops when its training
# loss has improved by less than ``tol`` for ``n_iter_no_change`` epochs, well
# before ``MAX_EPOCHS``.
pipe = Pipeline(
    [
        ("scale", SequenceScaler()),
        ("rnn", RecurrentClassifier(max_epochs=MAX_EPOCHS, lr=1e-2, tol=1e-3,
                                    n_iter_no_change=10, random_state=0)),
    ]
)
grid = {"rnn__cell": ["lstm", "gru", "rnn"], "rnn__hidden_size": [16, 64]}
search = GridSearchCV(
    pipe, grid, cv=StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=0)
)
start = time.perf_counter()
search.fit(X_train, y_train)
print(f"searched {len(search.cv_results_['params'])} settings in "
      f"{time.perf_counter() - start:.0f} s")


# %%
# The results table
# -----------------
def n_parameters(cell, hidden_size):
    """Trainable parameters of the network for one setting (6 inputs, 4 classes)."""
    net = RecurrentNet(input_size=6, output_size=4, cell=cell, hidden_size=hidden_size)
    return sum(p.numel() for p in net.parameters())


results = pd.DataFrame(search.cv_results_["params"]).rename(
    columns={"rnn__cell": "cell", "rnn__hidden_size": "hidden_size"}
)
results["parameters"] = [
    n_parameters(c, h)
    for c, h in zip(results["cell"], results["hidden_size"], strict=True)
]
results["fit_time_s"] = search.cv_results_["mean_fit_time"]
results["cv_accuracy"] = search.cv_results_["mean_test_score"]
results["cv_std"] = search.cv_results_["std_test_score"]
results["rank"] = search.cv_results_["rank_test_score"]
results = results.sort_values("rank")
print(results.to_string(index=False, float_format="%.3f"))

# %%
# Do the cells differ more than the folds do? Compare each cell's best setting
# with the best of all, against the larger of their two spreads over the folds.
top = results.iloc[0]
for cell, row in results.groupby("cell", sort=False).first().iterrows():
    gap = top["cv_accuracy"] - row["cv_accuracy"]
    spread = max(top["cv_std"], row["cv_std"])
    where = "within" if gap <= spread else "beyond"
    print(f"{cell.upper()}: {row['cv_accuracy']:.3f} ± {row['cv_std']:.3f}, "
          f"{gap:.3f} below the best, {where} the fold-to-fold spread ({spread:.3f})")

best = search.best_estimator_
test_accuracy = best.score(X_test, y_test)
print(f"best: {search.best_params_}, test accuracy {test_accuracy:.3f} "
      f"on {len(y_test)} held-out recordings")

# %%
# Save the best model and load it back
# ------------------------------------
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "best_model.joblib"
    joblib.dump(best, path)
    loaded = joblib.load(path)
assert np.array_equal(loaded.predict_proba(X_test), best.predict_proba(X_test))
print("saved and loaded back: identical predictions on the test split")

# %%
# Plot the scores
# ---------------
import matplotlib.pyplot as plt  # noqa: E402  (the [plot] extra)

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for cell, rows in results.groupby("cell"):
    rows = rows.sort_values("parameters")
    ax.errorbar(rows["parameters"], rows["cv_accuracy"], yerr=rows["cv_std"],
                marker="o", capsize=3, label=cell.upper())
ax.set_xscale("log")
ax.set_xlabel("trainable parameters")
ax.set_ylabel("cross-validated accuracy")
ax.set_title("BasicMotions: cell type and size")
ax.legend()
plt.show()
