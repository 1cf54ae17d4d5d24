"""Sphinx configuration of the skrnn documentation.

Build with ``make docs`` (``sphinx-build -b html -W --keep-going docs
docs/_build/html``, the example gallery included), or ``make docs-fast`` without
running the examples. The build is offline and so are the pages: no intersphinx,
nothing fetched, no MathJax (math is written as plain text).
"""

import re
import sys
from pathlib import Path

# Import the skrnn of this checkout, also when it is not installed in editable mode.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import skrnn  # noqa: E402

# -- Project -----------------------------------------------------------------------

project = "skrnn"
author = "The skrnn developers"
copyright = "The skrnn developers"
release = skrnn.__version__
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"  # `x` renders as code instead of guessing a reference

# Every cross-reference inside the project must resolve. References to other
# projects' objects (torch, scikit-learn, skorch, NumPy, pandas, SciPy, joblib,
# the standard library) cannot: the build is offline, without intersphinx, so
# they render as plain code. These two patterns are the whole list.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(torch|sklearn|skorch|numpy|pandas|scipy|joblib|pickle)(\..*)?"),
    (r"py:.*", r"(int|float|str|bool|list|tuple|dict|callable|object|None)"),
]

# -- autodoc / autosummary / numpydoc ---------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
autodoc_typehints = "none"

numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- sphinx-gallery ---------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "doc_module": ("skrnn",),
    "backreferences_dir": "generated",
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    # Its timing pages load jQuery and DataTables from CDNs; the console prints
    # the times anyway, and the pages stay offline.
    "write_computation_times": False,
}

# -- HTML --------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"skrnn {release}"
html_static_path = ["_static"]
html_css_files = ["skrnn.css"]  # wide tables and outputs scroll
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "icon_links": [
        {"name": "Source code", "url": "https://github.com/skrnn/skrnn",
         "icon": "fa-brands fa-github"},
        {"name": "Issue tracker", "url": "https://github.com/skrnn/skrnn/issues",
         "icon": "fa-solid fa-bug"},
    ],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}


# -- Inherited scikit-learn docstrings --------------------------------------------

# Methods such as ``score``, ``set_params`` and the ``set_*_request`` methods come
# from scikit-learn's mixins, and their docstrings use ``:ref:`` and ``:term:``
# roles that point into scikit-learn's own documentation. Without intersphinx
# those labels do not exist here; render their text instead of a broken link.
_FOREIGN_ROLE = re.compile(r":(ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")

# Their ``:math:`` roles (R^2 in ``score``) would need MathJax, which Sphinx loads
# from a CDN: the pages would then not render offline. Write them as plain text.
_MATH_ROLE = re.compile(r":math:`([^`]*)`")


def _plain_math(match):
    text = re.sub(r"\\frac\{([^}]*)\}\{([^}]*)\}", r"\1 / \2", match.group(1))
    return text.replace("^2", "\N{SUPERSCRIPT TWO}")


def _plain_foreign_roles(app, what, name, obj, options, lines):
    # Math is plain text everywhere, skrnn's own docstrings included: one
    # ``:math:`` role anywhere would put a CDN script on that page.
    module = getattr(obj, "__module__", None) or ""
    foreign = not module.startswith("skrnn")
    for i, line in enumerate(lines):
        if foreign:
            line = _FOREIGN_ROLE.sub(lambda m: m.group(2).strip(), line)
        lines[i] = _MATH_ROLE.sub(_plain_math, line)


def setup(app):
    # Before numpydoc (priority 500) reformats the docstring.
    app.connect("autodoc-process-docstring", _plain_foreign_roles, priority=400)

