"""The container of skrnn's model files: a zip archive of data members.

:mod:`skrnn.persistence` decides what an estimator's state becomes (JSON, arrays,
tensors); this module writes and reads the archive that holds it, and refuses a
file before anything in it is used when it is not a regular file, is not a
complete zip archive, or has a member larger than a model file can need:

- a member may inflate to at most :data:`MAX_MEMBER_RATIO` times its compressed
  size once it is larger than :data:`SMALL_MEMBER` (what DEFLATE gives real
  weights, arrays and histories is far below that ratio; a "zip bomb" is far
  above it), and a JSON member to at most :data:`MAX_JSON_MEMBER` bytes;
- a member is read to at most its declared size.

A path is written through a temporary file in the same directory, renamed over
the target at the end (``os.replace``), so an existing file is replaced only by
a complete one; a symbolic link is written through (the link is kept and its
target replaced).
"""

import io
import json
import os
import stat
import uuid
import zipfile
import zlib

import torch

__all__ = ["Archive", "open_archive", "write_archive"]

FORMAT = "skrnn-model"
FORMAT_VERSION = 1
METADATA = "metadata.json"
#: A fixed timestamp for the archive members, so that it says nothing about when.
_DATE_TIME = (1980, 1, 1, 0, 0, 0)

#: Members up to this size (bytes, inflated) are read whatever their ratio.
SMALL_MEMBER = 64 * 2**20
#: Beyond SMALL_MEMBER, the largest inflated / compressed size of a member.
MAX_MEMBER_RATIO = 100
#: The largest JSON member (metadata, training history), inflated.
MAX_JSON_MEMBER = 256 * 2**20


class Invalid(Exception):
    """Why a file is not a valid model file (turned into a ModelFileError)."""


#: What a damaged archive or member raises while it is read.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    KeyError,
    ValueError,
    OverflowError,
)


def reason(exc):
    """``"TypeName: first line of the message"`` for an error message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def describe(file):
    """How a file or path is named in error messages."""
    if hasattr(file, "read"):
        fname = getattr(file, "name", None)
        return repr(fname) if isinstance(fname, str) else f"<{type(file).__name__}>"
    return repr(os.fspath(file))


# -- writing ---------------------------------------------------------------------


def write_archive(file, members):
    """Write ``members`` (name -> bytes) as a zip archive to a path or file object."""
    if hasattr(file, "write"):
        _write_zip(file, members)
        return
    given = os.fspath(file)
    # Through a symbolic link to its target, so that the link stays a link.
    path = os.path.realpath(given)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            2, f"No such directory {os.path.dirname(os.path.abspath(given))!r} to save "
            "the model in", given
        )
    # A new file next to the target (same file system, so the rename is atomic),
    # created like any file the user writes (permissions from the umask).
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as f:
            _write_zip(f, members)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None:
            # Name the user's file, not the temporary one.
            raise type(exc)(exc.errno, exc.strerror, given) from exc
        raise


def _write_zip(f, members):
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


# -- reading ---------------------------------------------------------------------


def _check_regular(mode, what):
    if not stat.S_ISREG(mode):
        raise Invalid(
            f"it is not a regular file ({what}); load_model reads model files only, "
            "not devices, pipes, sockets or directories"
        )


def _kind(mode):
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a plain file"


def open_archive(file):
    """The :class:`Archive` in a path or binary file object, checked as a container.

    Raises
    ------
    Invalid
        If it is not a regular file, not a complete zip archive, has a member
        larger than the limits, or a damaged member.
    FileNotFoundError
        If the path does not exist.
    """
    if hasattr(file, "read"):
        try:
            mode = os.fstat(file.fileno()).st_mode
        except (AttributeError, OSError, io.UnsupportedOperation):
            mode = None  # an in-memory file: nothing to check
        if mode is not None:
            _check_regular(mode, _kind(mode))
        handle, owned = file, False
    else:
        path = os.fspath(file)
        mode = os.stat(path).st_mode  # follows links: a link to /dev/zero is a device
        _check_regular(mode, _kind(mode))
        handle, owned = open(path, "rb"), True
        try:  # what was opened, in case the path changed in between
            mode = os.fstat(handle.fileno()).st_mode
            _check_regular(mode, _kind(mode))
        except BaseException:
            handle.close()
            raise
    try:
        zf = zipfile.ZipFile(handle)
    except READ_ERRORS as exc:
        if owned:
            handle.close()
        raise Invalid(
            "it is not a complete zip archive as skrnn.save_model writes "
            f"({reason(exc)}): it may be truncated, or a file of another kind. "
            "Pickle and joblib files are loaded with joblib.load, and only from a "
            "trusted source."
        ) from None
    try:
        _check_sizes(zf)
        try:
            bad = zf.testzip()
        except READ_ERRORS as exc:
            raise Invalid(f"the archive is damaged ({reason(exc)})") from None
        if bad is not None:
            raise Invalid(f"the archive member {bad!r} is damaged (bad CRC-32)")
    except BaseException:
        zf.close()
        if owned:
            handle.close()
        raise
    return Archive(zf, handle if owned else None)


def _check_sizes(zf):
    for info in zf.infolist():
        size, packed = info.file_size, info.compress_size
        if info.filename.endswith(".json") and size > MAX_JSON_MEMBER:
            raise Invalid(
                f"the member {info.filename!r} declares {size} bytes, more than the "
                f"{MAX_JSON_MEMBER} a JSON member of a model file may have"
            )
        if size > SMALL_MEMBER and size > MAX_MEMBER_RATIO * max(packed, 1):
            raise Invalid(
                f"the member {info.filename!r} declares {size} bytes from "
                f"{packed} compressed ones, more than {MAX_MEMBER_RATIO} times as "
                "many: save_model writes nothing like it (a zip bomb?)"
            )


class Archive:
    """An open model archive: members read as bytes, JSON or tensors, bounded.

    It records which members were read (``used``), so that the caller can refuse
    members it did not expect.
    """

    def __init__(self, zf, handle=None):
        self.zf = zf
        self._handle = handle
        self.infos = {info.filename: info for info in zf.infolist()}
        self.used = set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zf.close()
        if self._handle is not None:
            self._handle.close()

    def names(self):
        return set(self.infos)

    def read(self, member):
        """The bytes of ``member``, never more than its declared size."""
        info = self.infos.get(member) if isinstance(member, str) else None
        if info is None:
            raise Invalid(f"the archive member {member!r} is missing")
        self.used.add(member)
        try:
            with self.zf.open(info) as f:
                data = f.read(info.file_size + 1)
        except READ_ERRORS as exc:
            raise Invalid(f"the member {member!r} is damaged ({reason(exc)})") from None
        if len(data) != info.file_size:
            raise Invalid(
                f"the member {member!r} holds {len(data)} bytes or more, not the "
                f"{info.file_size} it declares"
            )
        return data

    def json(self, member):
        try:
            return json.loads(self.read(member).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise Invalid(
                f"the member {member!r} is not valid JSON ({reason(exc)})"
            ) from None

    def tensors(self, member):
        data = self.read(member)
        try:
            return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
        except Exception as exc:  # noqa: BLE001 - torch raises many kinds here
            import pickle

            if isinstance(exc, pickle.UnpicklingError):
                raise Invalid(
                    f"the member {member!r} holds objects other than tensors and "
                    "plain values, which are not loaded (torch.load with "
                    "weights_only=True refused them)"
                ) from None
            raise Invalid(f"the member {member!r} is damaged ({reason(exc)})") from None
