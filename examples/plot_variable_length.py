"""
Sequences of different lengths: speakers from JapaneseVowels
============================================================

Real sequences rarely share one length: utterances, gestures and sessions end when
they end. skrnn's estimators take them as they are, as a list of arrays of shape
``(length_i, n_features)``; nothing needs padding. Inside, each batch is padded to
its longest sequence and every sequence is read at its own last step, so the padding
never reaches the state that is read, and training batches are drawn from buckets of
similar lengths, so little time goes into padding.

The data are JapaneseVowels from the UEA archive
(:func:`skrnn.datasets.load_japanese_vowels`): nine speakers saying /ae/, as 12
cepstral coefficients per frame, 7 to 29 frames long. The task is to tell the
speaker. For comparison, the same network is trained on the same utterances padded
with zeros to 29 frames, the way a fixed-length model must see them.

Archive results for reference: the FCN reaches about 0.99 test accuracy, 1-NN with
dynamic time warping about 0.95.
"""

# %%
# The data
# --------
# ``data`` is a list of 270 training arrays; ``SequenceScaler`` standardises each
# coefficient over every frame of every utterance and returns a list again.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from skrnn import GRUClassifier
from skrnn.datasets import load_japanese_vowels
from skrnn.preprocessing import SequenceScaler, to_nan_padded

MAX_EPOCHS = 60
HIDDEN_SIZE = 32
warnings.filterwarnings("ignore", category=ConvergenceWarning)  # fixed epochs

X_train, y_train = load_japanese_vowels(split="train", return_X_y=True)
X_test, y_test = load_japanese_vowels(split="test", return_X_y=True)
lengths_train = np.array([len(x) for x in X_train])
lengths_test = np.array([len(x) for x in X_test])
print(f"{len(X_train)} training and {len(X_test)} test utterances, "
      f"{lengths_train.min()} to {max(lengths_train.max(), lengths_test.max())} frames "
      f"of {X_train[0].shape[1]} coefficients")


def make_model():
    return make_pipeline(
        SequenceScaler(),
        GRUClassifier(hidden_size=HIDDEN_SIZE, max_epochs=MAX_EPOCHS, lr=3e-3,
                      random_state=0),
    )


# %%
# Fit on the sequences as they are
# --------------------------------
model = make_model().fit(X_train, y_train)
pred = model.predict(X_test)
accuracy = np.mean(pred == y_test)
print(f"variable length: test accuracy {accuracy:.3f}")

# %%
# The same utterances padded with zeros
# -------------------------------------
# One array of 29 frames per utterance: the network now reads the padding as
# data, after the utterance has ended.
width = max(lengths_train.max(), lengths_test.max())


def zero_padded(X):
    padded = np.nan_to_num(to_nan_padded(X), nan=0.0)
    return np.pad(padded, ((0, 0), (0, width - padded.shape[1]), (0, 0)))


padded_model = make_model().fit(zero_padded(X_train), y_train)
padded_pred = padded_model.predict(zero_padded(X_test))
padded_accuracy = np.mean(padded_pred == y_test)
print(f"zero-padded to {width} frames: test accuracy {padded_accuracy:.3f}")

# %%
# Alone or in a batch, the same answer
# ------------------------------------
# A short utterance gets the same probabilities whether it is predicted alone or
# together with the longest ones.
shortest, longest = np.argmin(lengths_test), np.argsort(lengths_test)[-20:]
alone = model.predict_proba([X_test[shortest]])[0]
batched = model.predict_proba([X_test[i] for i in longest] + [X_test[shortest]])[-1]
print(f"largest difference, alone vs batched: {np.abs(alone - batched).max():.1e}")

# %%
# Accuracy by utterance length
# ----------------------------
# On this set the zero-padded model does about as well overall: a network learns
# to carry its state through trailing zeros. The variable-length model needs no
# padding width chosen in advance, and what it says about an utterance does not
# depend on which others share its batch or how long they are.
bins = [6, 12, 15, 18, 21, 29]
groups = pd.cut(lengths_test, bins)
table = pd.DataFrame({
    "length": groups,
    "variable length": pred == y_test,
    "zero-padded": padded_pred == y_test,
}).groupby("length", observed=True).mean()
table["utterances"] = pd.Series(groups).value_counts().reindex(table.index).values
print(table.round(3).to_string())
scores = pd.DataFrame(
    {"model": ["variable length", "zero-padded"],
     "test_accuracy": [accuracy, padded_accuracy]}
)

fig, (ax_len, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_len.hist([lengths_train, lengths_test], bins=np.arange(6.5, 30.5), stacked=True,
            label=["train", "test"])
ax_len.set(xlabel="frames per utterance", ylabel="utterances",
           title="JapaneseVowels: lengths")
ax_len.legend()
positions = np.arange(len(table))
ax_acc.bar(positions - 0.2, table["variable length"], width=0.4,
           label=f"variable length ({accuracy:.3f})")
ax_acc.bar(positions + 0.2, table["zero-padded"], width=0.4,
           label=f"zero-padded ({padded_accuracy:.3f})")
ax_acc.set_xticks(positions, [str(interval) for interval in table.index])
ax_acc.set(xlabel="frames", ylabel="test accuracy", ylim=(0.5, 1.0),
           title="accuracy by length")
ax_acc.legend(loc="lower right")
fig.tight_layout()
plt.show()
