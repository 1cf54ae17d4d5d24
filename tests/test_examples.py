"""Every example script runs to the end (they are also the docs gallery)."""

import os
import subprocess
import sys
from pathlib import Path

import joblib
import pandas as pd
import pytest

from skrnn.datasets import load_italy_power_demand

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


def _check_grid_search_cells(out):
    table = pd.read_csv(out / "grid_search_results.csv")
    assert set(table["cell"]) == {"lstm", "gru", "rnn"} and len(table) == 6
    assert (table["cv_accuracy"] > 0.8).all()
    X, y = load_italy_power_demand(split="test", return_X_y=True)
    model = joblib.load(out / "best_model.joblib")
    assert model.score(X[:, :, 0], y) > 0.85
    assert (out / "grid_search_scores.png").stat().st_size > 0


def _check_forecasting(out):
    table = pd.read_csv(out / "forecast_scores.csv").set_index("model")
    assert set(table.index) == {"naive", "seasonal naive", "LSTM", "GRU", "RNN"}
    # Six months ahead, every cell beats both baselines on sunspots.
    for cell in ("LSTM", "GRU", "RNN"):
        assert table.loc[cell, "MAE"] < table.loc["naive", "MAE"]
    assert table.loc["naive", "MAE"] < table.loc["seasonal naive", "MAE"]
    assert (out / "forecasts.png").stat().st_size > 0


def _check_dask(out):
    table = pd.read_csv(out / "dask_timings.csv")
    assert len(table) == 3 and (table["wall time (s)"] > 0).all()


def _check_compare(out):
    table = pd.read_csv(out / "results.csv")
    assert set(table["cell"]) == {"lstm", "gru", "rnn"}
    assert (table["n_parameters"] > 0).all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| Rank |" in report
    assert (out / "comparison.png").stat().st_size > 0


def _check_convlstm(out):
    table = pd.read_csv(out / "convlstm_compare.csv")
    assert set(table["cell"]) == {"lstm", "gru"}
    assert (table["n_parameters"] > 0).all()
    mse = pd.read_csv(out / "convlstm_test_mse.csv").set_index("model")["mse"]
    assert mse.drop("copy_last").iloc[0] < mse["copy_last"]
    assert (out / "convlstm_frames.png").stat().st_size > 0


#: What each example must leave in its --out folder beyond running.
OUTPUT_CHECKS = {
    "plot_grid_search_cells.py": _check_grid_search_cells,
    "plot_forecasting_windowing.py": _check_forecasting,
    "plot_dask_search.py": _check_dask,
    "plot_compare_cells.py": _check_compare,
    "plot_convlstm.py": _check_convlstm,
}


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert any(tmp_path.iterdir()), "the example wrote nothing into --out"
    OUTPUT_CHECKS.get(script.name, lambda out: None)(tmp_path)
