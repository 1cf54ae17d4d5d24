"""
LSTM, GRU or RNN? A grid search over the cell type
===================================================

The cell of a recurrent network is a hyperparameter like any other: here
:class:`~sklearn.model_selection.GridSearchCV` searches the cell type and the
hidden size of a :class:`~skrnn.RecurrentClassifier` inside a
:class:`~sklearn.pipeline.Pipeline`, on a real data set shipped with skrnn, then the
best model is evaluated on the held-out test split, saved with joblib and loaded
back.

The data are ItalyPowerDemand from the UCR time series classification archive
(:func:`skrnn.datasets.load_italy_power_demand`): 24 hourly electricity demand
readings per day in Italy in 1997, to be classified as a day from October to March
or from April to September. The archive's split has 67 training days and 1029
test days.
"""

# %%
# Load the data
# -------------
import argparse
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RecurrentClassifier, RecurrentNet
from skrnn.datasets import load_italy_power_demand

parser = argparse.ArgumentParser(description="Grid-search the cell type and size.")
parser.add_argument("--out", default=None, help="folder for the model and the table")
parser.add_argument("--n-jobs", type=int, default=None, help="parallel fits")
args, _ = parser.parse_known_args()
out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="skrnn-"))
out.mkdir(parents=True, exist_ok=True)

train = load_italy_power_demand(split="train")
test = load_italy_power_demand(split="test")
X_train, y_train = train.data[:, :, 0], train.target  # univariate: (days, 24 hours)
X_test, y_test = test.data[:, :, 0], test.target
print(f"train {X_train.shape}, test {X_test.shape}, classes {train.target_names}")

# %%
# Search the cell and the size
# ----------------------------
# The scaler standardises each hour across days; the recurrent classifier reads the
# 24 values of a day as a sequence. Its defaults are used apart from the searched
# parameters and the seed.
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("rnn", RecurrentClassifier(random_state=0)),
    ]
)
grid = {"rnn__cell": ["lstm", "gru", "rnn"], "rnn__hidden_size": [16, 64]}
search = GridSearchCV(
    pipe,
    grid,
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
    n_jobs=args.n_jobs,
)
start = time.perf_counter()
search.fit(X_train, y_train)
print(f"searched {len(search.cv_results_['params'])} settings in "
      f"{time.perf_counter() - start:.1f} s")

# %%
# The results table
# -----------------
def n_parameters(cell, hidden_size):
    """Trainable parameters of the network for one setting (1 input, 2 classes)."""
    net = RecurrentNet(input_size=1, output_size=2, cell=cell, hidden_size=hidden_size)
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
results.to_csv(out / "grid_search_results.csv", index=False)

best = search.best_estimator_
print(f"best: {search.best_params_}, test accuracy "
      f"{best.score(X_test, y_test):.3f} on {len(y_test)} held-out days")

# %%
# Save the best model and load it back
# ------------------------------------
path = out / "best_model.joblib"
joblib.dump(best, path)
loaded = joblib.load(path)
assert np.array_equal(loaded.predict_proba(X_test), best.predict_proba(X_test))
print(f"saved to {path}; the loaded model gives identical predictions")

# %%
# Plot the scores
# ---------------
try:
    import matplotlib.pyplot as plt
except ImportError:  # the [plot] extra is not installed
    plt = None

if plt is not None:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for cell, rows in results.groupby("cell"):
        rows = rows.sort_values("parameters")
        ax.errorbar(rows["parameters"], rows["cv_accuracy"], yerr=rows["cv_std"],
                    marker="o", capsize=3, label=cell.upper())
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel("cross-validated accuracy")
    ax.set_title("ItalyPowerDemand: cell type and size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "grid_search_scores.png", dpi=100)
