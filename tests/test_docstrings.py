"""Every public docstring of skrnn passes numpydoc's validation.

For each public name (``skrnn.__all__`` except ``__version__``, and the
``__all__`` of skrnn's public modules and subpackages) and each public estimator
method, :func:`numpydoc.validate.validate` runs and the test fails on the errors
that change what a reader of the API pages learns: parameters missing from the
docstring or documented but absent, missing Parameters or Returns sections,
type lines not of the form ``name : type``, missing Examples for classes and
functions. Two checks numpydoc does not make are added: defaults are spelled
scikit-learn's way (``hidden_size : int, default=64``) and agree with the
signature, and no bare ``name_`` (which reStructuredText reads as a hyperlink
reference and Sphinx reports as an error) is left outside backticks.
"""

import importlib
import inspect
import re

import pytest

validate = pytest.importorskip("numpydoc.validate")
docscrape = pytest.importorskip("numpydoc.docscrape")

import skrnn  # noqa: E402

#: skrnn itself, its public utilities and data sets, and the public subpackages
#: it declares, plus any other public module skrnn's top level has imported.
PUBLIC_MODULES = tuple(
    dict.fromkeys(
        ["skrnn", "skrnn.utils", "skrnn.datasets"]
        + [f"skrnn.{sub}" for sub in skrnn._PUBLIC_SUBPACKAGES]
        + [
            f"skrnn.{name}"
            for name, value in ((n, getattr(skrnn, n)) for n in dir(skrnn))
            if inspect.ismodule(value)
            and not name.startswith("_")
            and value.__name__ == f"skrnn.{name}"
            and hasattr(value, "__all__")
        ]
    )
)
METHODS = (
    "fit", "partial_fit", "predict", "predict_proba", "predict_log_proba", "score",
    "transform", "fit_transform", "inverse_transform", "summary",
)

#: numpydoc codes skrnn does not enforce anywhere, and why.
IGNORED = {
    "ES01": "an extended summary is optional; many methods say all in one line",
    "SA01": "a See Also section is optional",
    "RT02": "scikit-learn's style names the returned value (`self : object`)",
    "GL01": "summary-line style: where the summary starts relative to the quotes",
    "GL02": "summary-line style: where the closing quotes go",
    "SS05": "summary-line style: 'Fit', 'Returns' or a noun phrase all read fine",
    "SS06": "summary-line style: a summary may wrap onto a second line",
}

#: Further codes not enforced for methods: the class's Examples section shows
#: its methods in use, as in scikit-learn.
IGNORED_FOR_METHODS = {"EX01"}

#: Methods inherited from scikit-learn's mixins (``score`` from RegressorMixin
#: and ClassifierMixin) keep scikit-learn's docstrings, which skrnn cannot
#: change; for them only these codes are checked: the method is documented and
#: its documented parameters match its signature.
CHECKED_FOR_INHERITED = {"GL08", "PR01", "PR02"}

#: Objects whose docstring is known to fail a check, with the reason; each one
#: is an expected failure until its docstring is fixed (then remove it here:
#: the marks are strict, so a fixed docstring fails the run until it is).
_FITTED_FRAGMENT = (
    "the shared Attributes fragment in skrnn/utils/_docstring.py reads "
    "'feature_names_in_ : ndarray of shape (n_features_in_,)'; the bare "
    "n_features_in_ is a reST hyperlink reference (Sphinx: 'Unknown target name: "
    "\"n_features_in\"'); write (`n_features_in_`,) as scikit-learn does"
)
KNOWN_FAILURES = {}


def _public_objects():
    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names += [
            f"{module_name}.{name}" for name in module.__all__ if name != "__version__"
        ]
    return sorted(names)


def _estimator_methods():
    items = []
    for path in _public_objects():
        obj = _resolve(path)
        if not (inspect.isclass(obj) and hasattr(obj, "get_params")):
            continue
        for method in METHODS:
            if hasattr(obj, method):
                items.append(f"{path}.{method}")
    return sorted(items)


def _resolve(path):
    module_name, _, rest = path.partition(".")
    obj = importlib.import_module(module_name)
    for part in rest.split("."):
        if inspect.ismodule(obj) and not hasattr(obj, part):
            obj = importlib.import_module(f"{obj.__name__}.{part}")
        else:
            obj = getattr(obj, part)
    return obj


def _defining_module(path):
    """The module of the class that defines an estimator method."""
    owner_path, _, method = path.rpartition(".")
    owner = _resolve(owner_path)
    for klass in inspect.getmro(owner):
        if method in vars(klass):
            return klass.__module__
    return owner.__module__


def _params(paths):
    """One pytest parameter per object, named by its path, xfail if known."""
    params = []
    for path in paths:
        marks = []
        if path in KNOWN_FAILURES:
            marks = [pytest.mark.xfail(reason=KNOWN_FAILURES[path], strict=True)]
        params.append(pytest.param(path, id=path, marks=marks))
    return params


PUBLIC_OBJECTS = _public_objects()
ESTIMATOR_METHODS = _estimator_methods()


def _numpydoc_errors(path, *, method):
    result = validate.validate(path)
    inherited = method and not _defining_module(path).startswith("skrnn")
    errors = []
    for code, message in result["errors"]:
        if inherited:
            if code in CHECKED_FOR_INHERITED:
                errors.append((code, message))
            continue
        if code in IGNORED or (method and code in IGNORED_FOR_METHODS):
            continue
        errors.append((code, message))
    return errors


# -- scikit-learn's spelling of defaults ---------------------------------------------

_NO_DEFAULT = inspect.Parameter.empty


def _documented_default(type_line):
    """The text after ``default=`` in a type line, or None when there is none."""
    match = re.search(r",\s*default=(.+)$", type_line)
    return match.group(1).strip() if match else None


def _same_default(text, value):
    """Whether a documented default such as ``"lstm"`` or ``1e-3`` is ``value``."""
    if isinstance(value, str):
        return text in (f'"{value}"', f"'{value}'")
    if value is None or isinstance(value, bool):
        return text == repr(value)
    if isinstance(value, (int, float)):
        try:
            return float(text) == float(value)
        except ValueError:
            return False
    return True  # other objects: the text is free-form


def _default_errors(obj):
    """Type lines that spell defaults otherwise than ``type, default=value``,
    or whose default disagrees with the signature."""
    doc = docscrape.NumpyDocString(inspect.getdoc(obj) or "")
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    errors = []
    for param in doc["Parameters"]:
        type_line = " ".join(param.type.split())
        if re.search(r"\boptional\b|\(default|default\s*[:\s]", type_line):
            errors.append(
                f"{param.name!r}: write the default as ', default=value', "
                f"not {type_line!r}"
            )
            continue
        sig = signature.parameters.get(param.name.lstrip("*"))
        if sig is None or sig.kind in (sig.VAR_POSITIONAL, sig.VAR_KEYWORD):
            continue
        text = _documented_default(type_line)
        if sig.default is _NO_DEFAULT:
            if text is not None:
                errors.append(f"{param.name!r} has no default, but the docstring "
                              f"says default={text}")
        elif text is None:
            errors.append(f"{param.name!r} defaults to {sig.default!r}; say "
                          "', default=...' in its type line")
        elif not _same_default(text, sig.default):
            errors.append(f"{param.name!r}: the docstring says default={text}, "
                          f"the signature {sig.default!r}")
    return errors


# -- bare hyperlink references --------------------------------------------------------

_LITERAL = re.compile(r"``.*?``|`[^`]*`", re.DOTALL)
_BARE_REFERENCE = re.compile(r"(?<![\w*`])([A-Za-z]\w*_)(?=[\s.,;:)\]]|$)")


def _bare_reference_errors(obj):
    """Words ending in ``_`` outside backticks, before the Examples section.

    reStructuredText reads ``word_`` as a reference to a hyperlink target named
    ``word``; in a docstring it is nearly always a fitted attribute such as
    ``n_features_in_`` that should be in backticks. Parameter and attribute
    names at the start of a line are fine: numpydoc renders them itself.
    """
    text = inspect.getdoc(obj) or ""
    text = re.split(r"^Examples\n-+$", text, flags=re.MULTILINE)[0]
    errors = []
    for line in text.splitlines():
        _, sep, rest = line.partition(" : ")
        body = rest if sep and not line.startswith(" ") else line
        body = _LITERAL.sub("", body)
        errors += [
            f"bare reference {word!r} in {line.strip()!r}; put it in backticks"
            for word in _BARE_REFERENCE.findall(body)
        ]
    return errors


# -- the tests ------------------------------------------------------------------------


@pytest.mark.parametrize("path", _params(PUBLIC_OBJECTS))
def test_public_object_docstring(path):
    errors = _numpydoc_errors(path, method=False)
    obj = _resolve(path)
    problems = [f"{code}: {message}" for code, message in errors]
    problems += _default_errors(obj)
    problems += _bare_reference_errors(obj)
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", _params(ESTIMATOR_METHODS))
def test_estimator_method_docstring(path):
    errors = _numpydoc_errors(path, method=True)
    problems = [f"{code}: {message}" for code, message in errors]
    if _defining_module(path).startswith("skrnn"):
        obj = _resolve(path)
        problems += _default_errors(obj)
        problems += _bare_reference_errors(obj)
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def test_every_public_name_is_covered():
    """The lists above are built from ``__all__``; make sure they are not empty
    and that every estimator's fit is among the methods checked."""
    assert len(PUBLIC_OBJECTS) >= 16
    from skrnn.utils import all_estimators

    for name, cls in all_estimators():
        module = "skrnn" if hasattr(skrnn, name) else cls.__module__.rsplit(".", 1)[0]
        assert f"{module}.{name}" in PUBLIC_OBJECTS
        assert f"{module}.{name}.fit" in ESTIMATOR_METHODS
