"""``python -m skrnn``: the ``skrnn`` command line (see :mod:`skrnn.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
