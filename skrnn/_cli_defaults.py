"""What ``skrnn compare`` needs before any work starts: its names, defaults and usage
error (kept free of heavy imports, so that ``--help`` and mistakes answer at once)."""

PROG = "skrnn"
DATASETS = ("italy_power_demand", "gunpoint", "basic_motions", "airline", "sunspots")
FORECASTING = {"airline": 12, "sunspots": 24}  # data set -> default window
DEFAULTS = dict(
    dataset="italy_power_demand",
    cells="lstm,gru,rnn",
    hidden_sizes="16,64",
    epochs=100,
    lr=2e-3,
    cv=5,
    window=12,
    test_size=0.2,
    seed=0,
    n_jobs=1,
    threads=1,
    out="skrnn-compare",
)
#: Integer targets with at most this many distinct values are guessed to be classes.
MAX_GUESSED_CLASSES = 10


class UsageError(Exception):
    """A mistake in the arguments or the data: one line, exit status 2."""
