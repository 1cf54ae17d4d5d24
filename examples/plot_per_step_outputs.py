"""
A label at every time step: segmenting a stream of activities
=============================================================

With ``return_sequences=True`` a recurrent estimator applies its output layer at
every time step (what Keras' ``TimeDistributed(Dense)`` does) and learns one target
per step: here, which activity a smart watch's wearer is doing at each tenth of a
second.

The streams are made from BasicMotions (:func:`skrnn.datasets.load_basic_motions`):
ten-second recordings of standing, walking, running and playing badminton, laid end
to end in random order, so each stream changes activity every 100 steps. Training
streams are built from the archive's training recordings, test streams from its
test recordings.

Two models label every step:

- a bidirectional GRU with ``return_sequences=True``, which reads the whole stream
  (both directions: it segments a recording after the fact; a unidirectional one
  labels step ``t`` from steps ``0..t`` only, as it would online);
- the usual baseline, a classifier of sliding windows: each step is labelled from
  the window of steps around it, summarised by each channel's mean and standard
  deviation, with a random forest.
"""

# %%
# The streams
# -----------
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from skrnn import GRUClassifier
from skrnn.datasets import load_basic_motions
from skrnn.preprocessing import SequenceScaler

RECORDINGS_PER_STREAM = 4
N_TRAIN_STREAMS, N_TEST_STREAMS = 48, 16
WINDOW = 21  # steps around each step, for the baseline
warnings.filterwarnings("ignore", category=ConvergenceWarning)  # fixed epochs


def make_streams(X, y, n_streams, seed):
    """Streams of recordings laid end to end, with the label of every step."""
    rng = np.random.RandomState(seed)
    picks = [rng.choice(len(X), RECORDINGS_PER_STREAM, replace=False)
             for _ in range(n_streams)]
    streams = np.stack([np.concatenate(X[p]) for p in picks])
    labels = np.stack([np.repeat(y[p], X.shape[1]) for p in picks])
    return streams, labels


X_train, y_train = load_basic_motions(split="train", return_X_y=True)
X_test, y_test = load_basic_motions(split="test", return_X_y=True)
S_train, L_train = make_streams(X_train, y_train, N_TRAIN_STREAMS, seed=0)
S_test, L_test = make_streams(X_test, y_test, N_TEST_STREAMS, seed=1)
print(f"streams: {S_train.shape} for training, {S_test.shape} for testing; "
      f"labels {L_train.shape}, classes {sorted(map(str, set(y_train)))}")

# %%
# A label per step: the recurrent model
# -------------------------------------
# ``y`` has the shape of the streams' first two axes, ``(n_streams, n_steps)``;
# so do the predictions. ``score`` is the accuracy over all steps.
segmenter = make_pipeline(
    SequenceScaler(),
    GRUClassifier(return_sequences=True, bidirectional=True, hidden_size=32,
                  max_epochs=60, lr=1e-2, batch_size=16, random_state=0),
)
segmenter.fit(S_train, L_train)
L_pred = segmenter.predict(S_test)
rnn_accuracy = segmenter.score(S_test, L_test)
print(f"per-step GRU: predictions {L_pred.shape}, accuracy {rnn_accuracy:.3f}")

# %%
# The baseline: a classifier of sliding windows
# ---------------------------------------------
# Each step's window is cut from the stream padded at both ends by repeating its
# first and last observation.


def window_features(streams):
    half = WINDOW // 2
    padded = np.pad(streams, ((0, 0), (half, half), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, WINDOW, axis=1)
    # windows: (n_streams, n_steps, n_channels, WINDOW)
    features = np.concatenate([windows.mean(axis=-1), windows.std(axis=-1)], axis=-1)
    return features.reshape(-1, features.shape[-1])


forest = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1)
forest.fit(window_features(S_train)[::3], L_train.ravel()[::3])
L_window = forest.predict(window_features(S_test)).reshape(L_test.shape)
window_accuracy = np.mean(L_window == L_test)
print(f"sliding windows of {WINDOW} steps: accuracy {window_accuracy:.3f}")

scores = pd.DataFrame(
    {"model": ["per-step GRU", f"sliding windows ({WINDOW} steps)"],
     "accuracy": [rnn_accuracy, window_accuracy]}
)

# %%
# Along one test stream
# ---------------------
# True and predicted activity at every step. Mistakes of the window classifier
# gather where one activity ends and the next begins, where its window straddles
# both.
classes = sorted(set(y_train))
code = {label: k for k, label in enumerate(classes)}
stream = 0
fig, ax = plt.subplots(figsize=(10, 3.5))
steps = np.arange(L_test.shape[1])
for offset, (name, labels) in enumerate(
    [("true", L_test[stream]), ("per-step GRU", L_pred[stream]),
     ("sliding windows", L_window[stream])]
):
    ax.step(steps, [code[v] + 0.12 * (offset - 1) for v in labels], where="post",
            label=name, linewidth=1.5)
ax.set_yticks(range(len(classes)), classes)
ax.set(xlabel="time step (0.1 s)", title="Activity along a test stream")
ax.legend(loc="upper right", fontsize="small")
fig.tight_layout()
plt.show()
