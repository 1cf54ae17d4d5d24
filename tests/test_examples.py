"""The example scripts, which are also the docs gallery.

Two kinds of tests:

- a fast check of every script (no run): it parses, has a gallery title, takes no
  command-line arguments, and everything it imports is installed;
- a full run of every script in this process, marked ``example``: it ends without
  error and without a ConvergenceWarning, prints no path of this machine, and
  shows what it says it shows (checked on the variables it leaves behind).

CI deselects the full runs (``-m "not example"``) because its docs build
(``make docs``, sphinx-gallery) runs every example once anyway; ``make test``
runs both kinds.
"""

import ast
import importlib.util
import re
import runpy
import tempfile
import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


def _imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_is_a_gallery_script(script):
    source = script.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(script))
    docstring = ast.get_docstring(tree)
    assert docstring, "a gallery example starts with a docstring"
    title, underline = docstring.splitlines()[:2]
    assert title and set(underline) == {"="} and len(underline) >= len(title)
    modules = set(_imported_modules(tree))
    assert not {"argparse", "sys"} & {m.split(".")[0] for m in modules}, (
        "examples take no command-line arguments: settings are constants"
    )
    missing = [m for m in modules if importlib.util.find_spec(m.split(".")[0]) is None]
    assert not missing, f"{script.name} imports modules not installed: {missing}"


def _check_grid_search_cells(ns):
    results = ns["results"]
    assert set(results["cell"]) == {"lstm", "gru", "rnn"} and len(results) == 6
    best = results.groupby("cell")["cv_accuracy"].max()
    # The point of the example: on these data the gated cells beat the plain RNN.
    assert min(best["lstm"], best["gru"]) > best["rnn"]
    assert ns["test_accuracy"] > 0.8


def _check_forecasting(ns):
    mae = ns["table"].set_index("model")["MAE"]
    assert set(mae.index) == {"naive", "seasonal naive", "LSTM", "GRU", "RNN"}
    # Six months ahead, every cell beats both baselines on sunspots.
    for cell in ("LSTM", "GRU", "RNN"):
        assert mae[cell] < mae["naive"]
    assert mae["naive"] < mae["seasonal naive"]


def _check_dask(ns):
    table = ns["table"]
    assert len(table) == 3 and (table["wall time (s)"] > 0).all()


def _check_compare(ns):
    frame = ns["frame"]
    assert set(frame["cell"]) == {"lstm", "gru", "rnn"}
    assert (frame["n_parameters"] > 0).all()
    assert ns["report"].summary.startswith(frame["cell"].iloc[0].upper())
    assert ns["markdown"].splitlines()[2].startswith("| Rank |")
    assert ns["test_accuracy"] > 0.8


def _check_variable_length(ns):
    scores = ns["scores"].set_index("model")["test_accuracy"]
    assert scores["variable length"] > 0.9
    # The same utterance gets the same prediction alone or batched with others.
    assert abs(ns["alone"] - ns["batched"]).max() < 1e-4


def _check_per_step(ns):
    assert ns["L_pred"].shape == ns["L_test"].shape  # a label at every step
    assert ns["rnn_accuracy"] > 0.8


def _check_convlstm(ns):
    table = ns["table"]
    assert set(table["cell"]) == {"lstm", "gru"}
    assert (table["n_parameters"] > 0).all()
    # The point of the example: the model beats copying the last frame.
    assert ns["mse_model"] < ns["mse_copy"]


#: What each example must show beyond running, read from its variables.
OUTPUT_CHECKS = {
    "plot_grid_search_cells.py": _check_grid_search_cells,
    "plot_forecasting_windowing.py": _check_forecasting,
    "plot_dask_search.py": _check_dask,
    "plot_compare_cells.py": _check_compare,
    "plot_variable_length.py": _check_variable_length,
    "plot_per_step_outputs.py": _check_per_step,
    "plot_convlstm.py": _check_convlstm,
}


@pytest.mark.example
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    monkeypatch.chdir(tmp_path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            namespace = runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    convergence = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert not convergence, convergence[:3]
    out = capsys.readouterr().out
    assert out.strip(), "the example printed nothing"
    for path in {tempfile.gettempdir(), str(Path.home()), str(tmp_path)}:
        assert path not in out, f"the output shows a path of this machine: {path}"
    assert not re.search(r"/(tmp|home|work)/\S", out), "the output shows a path"
    assert not any(tmp_path.iterdir()), "the example wrote into the working directory"
    OUTPUT_CHECKS.get(script.name, lambda ns: None)(namespace)
