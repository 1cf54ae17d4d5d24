"""
Saving models safely, and what loading a file does
==================================================

A fitted skrnn estimator can be kept with :mod:`joblib` (or :mod:`pickle`), like
any scikit-learn estimator, or with :func:`skrnn.save_model`, which writes a file
of data only. This example fits a small pipeline on a real data set shipped with
skrnn, saves it both ways, loads it back, and shows what the safe format does with
a file that has been tampered with, one that is damaged, and one written by other
library versions.

The data are ItalyPowerDemand from the UCR archive
(:func:`skrnn.datasets.load_italy_power_demand`): 24 hourly readings of Italy's
electricity demand per day, classified into two halves of the year.
"""

# %%
# Fit a small pipeline
# --------------------
import json
import tempfile
import warnings
import zipfile
from pathlib import Path

import joblib
import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import GRUClassifier, load_model, save_model
from skrnn.datasets import load_italy_power_demand
from skrnn.exceptions import (
    InconsistentVersionWarning,
    ModelFileError,
    UntrustedTypeError,
)
from skrnn.persistence import trusted_types

# The files go to a temporary folder, removed when the script ends; messages
# that name a file show that folder as ``<tmp>``.
folder = tempfile.TemporaryDirectory()
out = Path(folder.name)


def shown(exc):
    """The message of ``exc``, with the temporary folder written ``<tmp>``."""
    return str(exc).replace(str(out), "<tmp>")


train = load_italy_power_demand(split="train")
test = load_italy_power_demand(split="test")
X_train, y_train = train.data[:, :, 0], train.target
X_test, y_test = test.data[:, :, 0], test.target

model = Pipeline(
    [
        ("scale", StandardScaler()),
        ("gru", GRUClassifier(hidden_size=16, max_epochs=200, lr=1e-2, tol=1e-3,
                              n_iter_no_change=10, random_state=0)),
    ]
)
model.fit(X_train, y_train)  # ends on the plateau of the training loss
print(f"test accuracy {model.score(X_test, y_test):.3f}")

# %%
# Two ways to save it
# -------------------
# joblib keeps the whole Python object. Loading a joblib or pickle file runs code
# named in the file, so load such files only from sources you trust.
joblib_path = out / "model.joblib"
joblib.dump(model, joblib_path)

# :func:`~skrnn.save_model` writes a zip archive of JSON, ``.npy`` arrays and
# torch tensors; :func:`~skrnn.load_model` reads it without executing anything
# from it.
safe_path = out / "model.skrnn"
save_model(model, safe_path)
with zipfile.ZipFile(safe_path) as archive:
    for info in archive.infolist():
        print(f"{info.filename:<20} {info.file_size:>7} bytes")

# %%
# Both give back the same predictions, bit for bit.
from_joblib = joblib.load(joblib_path)
from_safe = load_model(safe_path)
expected = model.predict_proba(X_test)
assert np.array_equal(from_joblib.predict_proba(X_test), expected)
assert np.array_equal(from_safe.predict_proba(X_test), expected)
print("identical predictions:", from_safe.predict(X_test[:5]))

# %%
# What the safe format stores
# ---------------------------
# The hyperparameters and the fitted attributes are readable JSON, with the
# versions of the libraries that wrote the file.
with zipfile.ZipFile(safe_path) as archive:
    metadata = json.loads(archive.read("metadata.json"))
print(metadata["versions"])
gru = metadata["estimator"]["params"]["steps"][1]["__tuple__"][1]["__estimator__"]
print(
    gru["class"], {k: gru["params"][k] for k in ("hidden_size", "lr", "random_state")}
)

# %%
# Only these classes are built from a file:
print("\n".join(trusted_types()))


# %%
# A tampered file is refused
# --------------------------
# Suppose someone replaces the class of a step with something that would run
# code. The file is checked before anything is built, and refused.
def rewrite(path, edit):
    """Copy of the archive at ``path`` with its metadata edited."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    metadata = json.loads(members["metadata.json"])
    edit(metadata)
    members["metadata.json"] = json.dumps(metadata).encode()
    target = out / "tampered.skrnn"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def swap_scaler(metadata):
    steps = metadata["estimator"]["params"]["steps"]
    steps[0]["__tuple__"][1]["__estimator__"]["class"] = "os.system"


tampered = rewrite(safe_path, swap_scaler)
try:
    load_model(tampered)
except UntrustedTypeError as exc:
    print("refused:", shown(exc))

# %%
# A damaged file
# --------------
# A file cut short (an interrupted copy, say) raises a clear error and gives no
# half-loaded model.
damaged = out / "damaged.skrnn"
damaged.write_bytes(safe_path.read_bytes()[:-100])
try:
    load_model(damaged)
except ModelFileError as exc:
    print("refused:", shown(exc))

# %%
# A file from other versions
# --------------------------
# A model saved with other versions of skrnn, torch, skorch or scikit-learn
# loads with an :class:`~skrnn.exceptions.InconsistentVersionWarning` (a
# subclass of scikit-learn's warning of that name). Here the recorded torch
# version is edited to stand for an older install.
older = rewrite(safe_path, lambda m: m["versions"].update(torch="2.1.0"))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    loaded = load_model(older)
for w in caught:
    if issubclass(w.category, InconsistentVersionWarning):
        print("warning:", w.message)
assert np.array_equal(loaded.predict_proba(X_test), expected)
print("the file from other versions predicts as the original")
folder.cleanup()
