"""
LSTM or GRU? Comparing the cells on your data
=============================================

:func:`skrnn.compare_cells` answers "which recurrent cell?" on your own data:
it cross-validates the same estimator once per cell (and per hidden size), and
measures inside every fit what each network costs: trainable parameters, fit and
predict time and peak memory. The :class:`~skrnn.ComparisonReport` it returns has
the table, a one-sentence verdict, plots and Markdown/HTML renderings.

The data are BasicMotions from the UEA archive
(:func:`skrnn.datasets.load_basic_motions`): six accelerometer and gyroscope
channels of a smartwatch, 100 steps per recording, to be told apart as standing,
walking, running or playing badminton. The comparison runs on the 40 training
recordings; the best setting, refitted on all of them, is then scored on the 40
test recordings.

The same kind of comparison from a terminal, on all 100 steps and with the
command's own settings: ``skrnn compare --dataset basic_motions``
(see ``skrnn compare --help``).
"""

# %%
# The data and the estimator
# --------------------------
# Every fourth step is kept (25 steps), so that each fit takes a second or two.
# A scaler standardises each channel; the recurrent classifier reads the steps
# of a recording as a sequence. Its ``cell`` is what the comparison varies; the
# rest of its settings are kept for every fit. Each fit ends on the plateau of
# its training loss (``tol``, ``n_iter_no_change``), well before ``max_epochs``.
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from skrnn import RecurrentClassifier, compare_cells, plot_history
from skrnn.datasets import load_basic_motions
from skrnn.preprocessing import SequenceScaler

STEP = 4  # keep every fourth time step
N_SPLITS = 4  # cross-validation folds

X_train, y_train = load_basic_motions(split="train", return_X_y=True)
X_test, y_test = load_basic_motions(split="test", return_X_y=True)
X_train, X_test = X_train[:, ::STEP], X_test[:, ::STEP]  # (recordings, 25 steps, 6)

model = Pipeline(
    [
        ("scale", SequenceScaler()),
        ("rnn", RecurrentClassifier(max_epochs=200, lr=1e-2, tol=1e-3,
                                    n_iter_no_change=10, random_state=0)),
    ]
)

# %%
# Compare the cells
# -----------------
# ``param_grid`` adds settings to cross with the cells; ``hidden_size`` is a
# parameter of the recurrent step, so it needs no ``rnn__`` prefix. Every
# setting is cross-validated on the same folds. In a notebook, or here, the
# report shows as a table followed by the verdict.
report = compare_cells(
    model,
    X_train,
    y_train,
    param_grid={"hidden_size": [16, 64]},
    cv=StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=0),
)
report  # noqa: B018 (sphinx-gallery shows the cell's last expression)

# %%
# The verdict
# -----------
# One sentence compares the best setting of each cell with the best cell's:
# score, share of parameters, fit time, and whether the difference is larger
# than the fold-to-fold spread.
print(report.summary)

# %%
# The table as a DataFrame
# ------------------------
# Means and standard deviations over the folds, best first; the scores keep
# scikit-learn's sign (greater is better).
frame = report.to_frame()
frame[["cell", "hidden_size", "n_parameters", "mean_fit_time", "mean_score",
       "std_score", "rank"]]

# %%
# The plots
# ---------
# Score against fit time and against size, peak memory against size, and the
# learning curves of each cell's best setting (the mean training loss over the
# folds, recorded inside each fit).
fig = report.plot()

# %%
# The best setting on the test recordings
# ---------------------------------------
# ``best_estimator_`` is the best setting refitted on all 40 training recordings.
best = report.best_estimator_
test_accuracy = best.score(X_test, y_test)
print(f"best: {report.best_params_}, test accuracy {test_accuracy:.3f} "
      f"on {len(y_test)} recordings")
ax = plot_history(best)

# %%
# A report to share
# -----------------
# Markdown for a README or an issue, HTML for a web page (notebooks show it
# for a report at the end of a cell); write them to files with
# ``Path("report.md").write_text(report.to_markdown())``.
markdown = report.to_markdown()
html = report.to_html()
print("\n".join(markdown.splitlines()[2:6]))  # the header and the first rows
