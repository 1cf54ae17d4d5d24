"""The benchmarks keep working: each runs its smoke configuration."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).parents[1] / "benchmarks").glob("bench_*.py"))


#: Other modes of a script, each run in its smoke configuration too.
MODES = [("bench_predict.py", "--scan"), ("bench_predict.py", "--memory")]


@pytest.mark.parametrize(
    "script, mode",
    [(script, None) for script in BENCHMARKS]
    + [(script, mode) for script in BENCHMARKS for name, mode in MODES
       if script.name == name],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_benchmark_smoke(script, mode):
    if mode == "--memory" and not sys.platform.startswith("linux"):
        pytest.skip("the memory check reads /proc (Linux only)")
    result = subprocess.run(
        [sys.executable, str(script), "--smoke", *([mode] if mode else [])],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert len(rows) >= 2 and "x" in rows[-1]  # a header and at least one ratio row


def test_there_are_benchmarks():
    assert BENCHMARKS
