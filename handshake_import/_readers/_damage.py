"""Tell a damaged file from a bug: where an exception came from.

The libraries that parse a file (openpyxl, xlrd, zipfile, the XML parsers)
raise all kinds of exceptions on malformed input: their own (`BadZipFile`,
`ParseError`, `XLRDError`, ...), and also `KeyError`, `TypeError`,
`AttributeError`, `IndexError` or `struct.error` from deep inside their
code. Those mean "this file cannot be read". The same types raised by the
library's own code mean a bug, which must never be reported to the user as
"your file is damaged". So the question is answered by where the exception
was raised, not by its type: `parser_failure` looks at the traceback.
"""

from __future__ import annotations

import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .._errors import ImportFileError

__all__ = ["parser_failure", "parsing"]

#: The packages that parse files for the readers, by the first part of their
#: module names, and how a message names each.
_PARSERS = {
    "openpyxl": "openpyxl",
    "xlrd": "xlrd",
    "zipfile": "Python's zipfile",
    "xml": "Python's XML parser",
    "defusedxml": "defusedxml",
    "lxml": "lxml",
}
#: The exceptions only a parser raises, and only on a bad file: zipfile's and
#: zlib's, and (module, name) of those of packages that may not be loaded.
_FILE_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error)
_LOADED_FILE_ERRORS = (
    ("xml.etree.ElementTree", "ParseError"),
    ("defusedxml.common", "DefusedXmlException"),
    ("openpyxl.utils.exceptions", "InvalidFileException"),
    ("xlrd.biffh", "XLRDError"),
    # openpyxl parses with lxml when it is installed; lxml is not a
    # dependency.
    ("lxml.etree", "XMLSyntaxError"),
)


def _file_errors() -> tuple[type[Exception], ...]:
    """`_FILE_ERRORS`, and those of `_LOADED_FILE_ERRORS` whose module is
    loaded: a module that is not loaded raised nothing, and importing it
    here would make importing the package import openpyxl, xlrd or lxml."""
    found = [
        getattr(sys.modules.get(module), name, None)
        for module, name in _LOADED_FILE_ERRORS
    ]
    return (
        *_FILE_ERRORS,
        *(
            kind
            for kind in found
            if isinstance(kind, type) and issubclass(kind, Exception)
        ),
    )


def parser_failure(error: BaseException) -> str | None:
    """The name of the parser in which *error* was raised while it read a
    file (``"openpyxl"``, ``"xlrd"``, ...), or ``None`` when it was not.

    The innermost frame of the traceback decides, passing over the standard
    library's helpers (`re`, `codecs`, `contextlib`, ...) to the code that
    called them: a frame of one of the parsers makes *error* damage; any
    other frame (this library's, the caller's file object's, another
    package's) does not, and neither does a warning raised as an error or a
    `MemoryError`. The exceptions only parsers raise (`BadZipFile`,
    `ParseError`, ...) are damage wherever they were raised.
    """
    if not isinstance(error, Exception) or isinstance(error, (Warning, MemoryError)):
        return None
    frames = []
    traceback = error.__traceback__
    while traceback is not None:
        frames.append(traceback.tb_frame)
        traceback = traceback.tb_next
    for frame in reversed(frames):
        package = str(frame.f_globals.get("__name__", "")).partition(".")[0]
        if package in _PARSERS:
            return _PARSERS[package]
        if package not in sys.stdlib_module_names:
            break
    if isinstance(error, _file_errors()):
        module = type(error).__module__.partition(".")[0]
        return _PARSERS.get(module, module)
    return None


@contextmanager
def parsing(
    damaged: Callable[[str, Exception], ImportFileError],
) -> Iterator[None]:
    """Raise ``damaged(parser, error)`` for an exception a parser raised on
    the file in the block (see `parser_failure`); let any other exception
    through unchanged: in this library's own code, it is a bug."""
    try:
        yield
    except Exception as error:
        parser = parser_failure(error)
        if parser is None:
            raise
        raise damaged(parser, error) from error
