"""Turn what the caller gave us into one seekable binary stream, within limits."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from .._errors import ImportFileError, LimitExceededError
from .._limits import Limits

__all__ = ["FileSource", "open_source"]

#: What readers accept: a path, the file's bytes, or a binary file object.
FileSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

_CHUNK = 1024 * 1024
_SPOOL_IN_MEMORY = 16 * 1024 * 1024


def _too_big(size: int, limits: Limits) -> LimitExceededError:
    return LimitExceededError(
        f"The file is {size:,} bytes or more, over the limit of "
        f"{limits.max_file_bytes:,} bytes. Split it into smaller files, or raise "
        "Limits.max_file_bytes if you trust it.",
        limit="max_file_bytes",
        value=limits.max_file_bytes,
    )


@contextmanager
def open_source(source: FileSource, limits: Limits) -> Iterator[IO[bytes]]:
    """Yield a seekable binary stream positioned at the start of the file.

    A stream the caller passed is never closed here; a path is opened and
    closed. A non-seekable stream, or a path naming a pipe, is copied (up to
    ``max_file_bytes``) into a temporary file that spills to disk past 16 MiB.
    """
    if isinstance(source, (str, os.PathLike)):
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise ImportFileError(
                f"Cannot open {os.fsdecode(source)!r}: {error.strerror or error}."
            ) from error
        except ValueError as error:
            # open() refuses a name holding a NUL ("embedded null byte").
            if "\x00" not in os.fsdecode(source):
                raise
            raise ImportFileError(
                f"Cannot open {os.fsdecode(source)!r}: a file name cannot hold a "
                "NUL character. Check where the name came from."
            ) from error
        with stream:
            if not stream.seekable():
                # A pipe: /dev/stdin, or a shell's <(...).
                with _spooled(stream, limits) as spool:
                    yield spool
                return
            size = os.fstat(stream.fileno()).st_size
            if size > limits.max_file_bytes:
                raise _too_big(size, limits)
            yield stream
        return
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        # In bytes: the len() of a memoryview counts its items.
        size = view.nbytes
        if size > limits.max_file_bytes:
            raise _too_big(size, limits)
        # A view of every other byte, or of a column, is read as the bytes it
        # shows, copied in order (BytesIO takes only a C-contiguous buffer).
        yield io.BytesIO(source if view.c_contiguous else view.tobytes())
        return
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError(
            "source must be a path, bytes, or a binary file object, "
            f"not {type(source).__name__}"
        )
    if isinstance(source, io.TextIOBase):
        raise TypeError("source is a text stream; open the file in binary mode ('rb')")
    if _seekable_at_start(source):
        end = source.seek(0, io.SEEK_END)
        source.seek(0)
        if end > limits.max_file_bytes:
            raise _too_big(end, limits)
        yield source
        return
    with _spooled(source, limits) as spool:
        yield spool


@contextmanager
def _spooled(source: IO[bytes], limits: Limits) -> Iterator[IO[bytes]]:
    """A seekable copy of *source*, read up to ``max_file_bytes``: in memory
    up to 16 MiB, in a temporary file beyond.

    Not `tempfile.SpooledTemporaryFile`: before Python 3.11 it has no
    ``readable()`` or ``seekable()``, which the readers' `io.TextIOWrapper`
    and `zipfile` call.
    """
    memory = io.BytesIO()
    disk: IO[bytes] | None = None
    try:
        copied = 0
        while chunk := source.read(_CHUNK):
            if not isinstance(chunk, (bytes, bytearray)):
                raise TypeError(
                    "source.read() returned text; open the file in binary mode ('rb')"
                )
            copied += len(chunk)
            if copied > limits.max_file_bytes:
                raise _too_big(copied, limits)
            if disk is None and copied > _SPOOL_IN_MEMORY:
                disk = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
                disk.write(memory.getbuffer())
                memory = io.BytesIO()
            (memory if disk is None else disk).write(chunk)
        copy = memory if disk is None else disk
        copy.seek(0)
        yield copy
    finally:
        if disk is not None:
            disk.close()


def _seekable_at_start(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable()) and stream.tell() == 0
    except (OSError, AttributeError, ValueError):
        return False
