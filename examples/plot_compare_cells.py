"""
LSTM or GRU? Comparing the cells on your data
=============================================

:func:`skrnn.compare_cells` answers "which recurrent cell?" on your own data:
it cross-validates the same estimator once per cell (and per hidden size), and
measures inside every fit what each network costs: trainable parameters, fit and
predict time and peak memory. The :class:`~skrnn.ComparisonReport` it returns has
the table, a one-sentence verdict, plots and Markdown/HTML renderings.

The data are ItalyPowerDemand from the UCR archive
(:func:`skrnn.datasets.load_italy_power_demand`): 24 hourly readings of Italian
electricity demand per day, to be told apart as a winter or a summer day. The
comparison runs on the 67 training days; the best setting, refitted on all of
them, is then scored on the 1029 test days.

The same comparison from a terminal: ``skrnn compare`` (see ``skrnn compare
--help``).
"""

# %%
# The data and the estimator
# --------------------------
# A scaler standardises each hour across days; the recurrent classifier reads
# the 24 values of a day as a sequence. Its ``cell`` is what the comparison
# varies; the rest of its settings are kept for every fit.
import argparse
import tempfile
from pathlib import Path

from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RecurrentClassifier, compare_cells, plot_history
from skrnn.datasets import load_italy_power_demand

parser = argparse.ArgumentParser(description="Compare LSTM, GRU and RNN.")
parser.add_argument("--out", default=None, help="folder for the report and plots")
parser.add_argument("--epochs", type=int, default=60, help="epochs per fit")
args, _ = parser.parse_known_args()
out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="skrnn-"))
out.mkdir(parents=True, exist_ok=True)

X_train, y_train = load_italy_power_demand(split="train", return_X_y=True)
X_test, y_test = load_italy_power_demand(split="test", return_X_y=True)
X_train, X_test = X_train[:, :, 0], X_test[:, :, 0]  # univariate: (days, 24 hours)

model = Pipeline(
    [
        ("scale", StandardScaler()),
        ("rnn", RecurrentClassifier(max_epochs=args.epochs, lr=3e-3, random_state=0)),
    ]
)

# %%
# Compare the cells
# -----------------
# ``param_grid`` adds settings to cross with the cells; ``hidden_size`` is a
# parameter of the recurrent step, so it needs no ``rnn__`` prefix. Every
# setting is cross-validated on the same three folds.
report = compare_cells(
    model,
    X_train,
    y_train,
    param_grid={"hidden_size": [16, 64]},
    cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
)
print(report)

# %%
# The table as a DataFrame
# ------------------------
# Means and standard deviations over the folds, best first; the scores keep
# scikit-learn's sign (greater is better).
frame = report.to_frame()
columns = ["cell", "hidden_size", "n_parameters", "mean_fit_time",
           "mean_peak_memory_mib", "mean_score", "std_score", "rank"]
print(frame[columns].to_string())
frame.to_csv(out / "results.csv")

# %%
# The verdict
# -----------
# One sentence compares the best setting of each cell with the best cell's:
# score, share of parameters, fit time, and whether the difference is larger
# than the fold-to-fold spread.
print(report.summary)

# %%
# The plots
# ---------
# Score against fit time and against size, peak memory against size, and the
# learning curves of each cell's best setting (the mean training loss over the
# folds, recorded inside each fit).
fig = report.plot()
fig.savefig(out / "comparison.png", dpi=100)

# %%
# The best setting on the test days
# ---------------------------------
# ``best_estimator_`` is the best setting refitted on all 67 training days.
best = report.best_estimator_
print(f"best: {report.best_params_}, test accuracy {best.score(X_test, y_test):.3f} "
      f"on {len(y_test)} days")
ax = plot_history(best)
ax.figure.savefig(out / "best_model_history.png", dpi=100)

# %%
# A report to share
# -----------------
# Markdown for a README or an issue, HTML for a web page (notebooks show it
# for a report at the end of a cell).
(out / "report.md").write_text(report.to_markdown() + "\n", encoding="utf-8")
(out / "report.html").write_text(report.to_html(), encoding="utf-8")
print(f"wrote the report, the table and the plots to {out}")
