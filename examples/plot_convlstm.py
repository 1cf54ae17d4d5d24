"""
Next-frame prediction with ConvLSTM and ConvGRU
===============================================

A convolutional LSTM (Shi et al., 2015) is an LSTM whose gates are convolutions:
it reads a sequence of images and keeps their spatial layout in its state, which
is what nowcasting radar frames, video or simulation fields need.
:class:`~skrnn.ConvRecurrentRegressor` trains one (``cell="lstm"``) or its GRU
counterpart (``cell="gru"``, 3/4 of the parameters) like any scikit-learn
regressor; given ``y`` of shape ``(n_samples, height, width)`` it predicts the
next frame.

The data are moving digits (:func:`skrnn.datasets.make_moving_digits`):
scikit-learn's 8x8 handwritten digits bouncing inside a frame, the Moving-MNIST
recipe. The baseline every model must beat is copying the last frame.

Published Moving-MNIST numbers are not comparable with these: other digits
(MNIST's 28x28 ones), other frame sizes (64x64), longer sequences and far longer
training. Only the copy-last-frame baseline measured here, on the same data, is.
"""

# %%
# Settings
# --------
# Small enough to run in under a minute on two CPU cores.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import make_scorer
from sklearn.model_selection import ShuffleSplit

from skrnn import ConvRecurrentRegressor, compare_cells
from skrnn.datasets import make_moving_digits

N_TRAIN, N_TEST = 128, 40
N_FRAMES, FRAME_SIZE, DIGIT_SIZE, N_DIGITS = 4, 16, 8, 2
FILTERS, MAX_EPOCHS = 8, 10

# %%
# The data
# --------
# Each sample is ``N_FRAMES`` frames of ``FRAME_SIZE`` x ``FRAME_SIZE`` pixels;
# the target is the frame that follows.
X, y = make_moving_digits(N_TRAIN + N_TEST, n_frames=N_FRAMES,
                          frame_size=FRAME_SIZE, digit_size=DIGIT_SIZE,
                          n_digits=N_DIGITS, max_speed=2.0, random_state=0)
X_train, y_train = X[:N_TRAIN], y[:N_TRAIN]
X_test, y_test = X[N_TRAIN:], y[N_TRAIN:]
print(f"X: {X_train.shape}, y: {y_train.shape}")


def frame_mse(y_true, y_pred):
    """Mean squared error per pixel, for targets that are frames."""
    return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))


# %%
# ConvLSTM against ConvGRU
# ------------------------
# :func:`~skrnn.compare_cells` trains both cells on the same split and measures
# what each costs: parameters, fit time and peak memory. One train/validation
# split keeps it quick; the better cell is refitted on all training sequences.
reg = ConvRecurrentRegressor(filters=FILTERS, kernel_size=3, max_epochs=MAX_EPOCHS,
                             lr=1e-2, batch_size=16, random_state=0)
report = compare_cells(
    reg, X_train, y_train, cells=["lstm", "gru"],
    cv=ShuffleSplit(n_splits=1, test_size=0.25, random_state=0),
    scoring=make_scorer(frame_mse, greater_is_better=False),
)
table = report.to_frame()
print(table.T)

# %%
# Against copying the last frame
# ------------------------------
# On the held-out sequences: the refitted model's error per pixel, and that of
# the baseline, which predicts that nothing moves.
best = report.best_estimator_
mse_model = frame_mse(y_test, best.predict(X_test))
mse_copy = frame_mse(y_test, X_test[:, -1])
print(f"{best.cell}: test MSE {mse_model:.4f}; copy the last frame: {mse_copy:.4f} "
      f"({mse_model / mse_copy:.2f} of the baseline's)")

# %%
# A strip of frames
# -----------------
# The last input frames, the true next frame and the prediction, for a few
# held-out sequences.
n_show = 4
pred = best.predict(X_test[:n_show])
fig, axes = plt.subplots(n_show, 5, figsize=(7, 1.5 * n_show))
for row in range(n_show):
    images = [X_test[row, -3], X_test[row, -2], X_test[row, -1], y_test[row],
              pred[row]]
    for col, (ax, image) in enumerate(zip(axes[row], images, strict=True)):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if row == 0:
            ax.set_title(["t-2", "t-1", "t", "true t+1", "predicted"][col],
                         fontsize=9)
fig.suptitle(f"Next frame, {best.cell}")
fig.tight_layout()

plt.show()
