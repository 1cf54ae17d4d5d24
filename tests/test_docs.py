"""The Python in the documentation runs.

pytest runs every ``>>>`` block of ``docs/**/*.rst`` as a doctest (``docs`` is in
``testpaths``, with ``--doctest-glob=*.rst``). A block that cannot run in the test
suite (it needs a Dask scheduler, a GPU, an interrupt) stays a plain
``code-block:: python`` and must say why in a ``.. not-run: <reason>`` comment
right before it.
"""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"
GENERATED = ("_build", "auto_examples", "generated")
PAGES = sorted(
    p for p in DOCS.rglob("*.rst")
    if not set(p.relative_to(DOCS).parts) & set(GENERATED)
)
BLOCK = re.compile(r"^\.\. code-block:: (python|pycon)\s*$", re.MULTILINE)
NOT_RUN = re.compile(r"^\.\. not-run: \S.*$")


def _blocks(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = BLOCK.match(line.strip()) if not line.startswith(" ") else None
        if match:
            before = [text for text in lines[max(0, number - 3):number] if text.strip()]
            yield number + 1, match.group(1), before[-1] if before else ""


def test_the_pages_are_found():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"index.rst", "getting_started.rst", "user_guide/windowing.rst"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_python_block_runs_or_says_why_not(page):
    for line, kind, before in _blocks(page):
        if kind == "python":
            assert NOT_RUN.match(before), (
                f"{page.name}:{line}: a Python block that is not a doctest needs a "
                f"'.. not-run: <reason>' comment before it"
            )
        else:
            assert not NOT_RUN.match(before), (
                f"{page.name}:{line}: doctest marked not-run"
            )


def test_pytest_collects_the_pages_as_doctests():
    import tomllib

    config = tomllib.loads((DOCS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_config = config["tool"]["pytest"]["ini_options"]
    assert "docs" in pytest_config["testpaths"]
    assert "--doctest-glob=*.rst" in pytest_config["addopts"].split()
