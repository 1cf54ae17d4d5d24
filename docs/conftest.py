"""pytest collects the ``>>>`` blocks of these pages as doctests (``make test``).

Each page runs on its own, in a fresh temporary working directory, so the files
that a page writes (model files, checkpoints) do not land in the checkout.
"""

import numpy as np
import pytest
import torch

# Built by Sphinx, or Sphinx's configuration: not doctests.
collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "auto_examples/*", "generated/*"]


@pytest.fixture(autouse=True)
def _in_a_temporary_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    np.random.seed(0)  # noqa: NPY002 (the legacy global RNG is what is reset)
    torch.manual_seed(0)
    yield
