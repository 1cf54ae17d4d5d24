"""The benchmarks keep working: each runs its smoke configuration."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).parents[1] / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_smoke(script):
    result = subprocess.run(
        [sys.executable, str(script), "--smoke"], capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert len(rows) >= 2 and "x" in rows[-1]  # a header and at least one ratio row


def test_there_are_benchmarks():
    assert BENCHMARKS
