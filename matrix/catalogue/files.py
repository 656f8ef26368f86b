"""The one reader for every file the program opens: regular files only, size checked before reading.

A pipe, a socket or a device is refused without waiting on it (the file is opened non-blocking and
checked with ``fstat`` before any byte is read), and no more than the limit plus one byte is ever read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scoring import DecisionError, Problem


def read_bounded(
    path: str | Path, limit: int, shown: str, error: type[DecisionError] = DecisionError, what: str = "a file"
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; else ``error`` saying why.

    ``what`` names the file in messages ("a catalogue file", "a record").
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise error([Problem("no such file", shown)]) from None
    except IsADirectoryError:
        raise error([Problem(f"this is a folder, not {what}", shown)]) from None
    except OSError as failure:
        raise error([Problem(f"cannot be read: {failure.strerror or failure}", shown)]) from None
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise error([Problem(f"this is a folder, not {what}", shown)])
        if not stat.S_ISREG(info.st_mode):
            raise error([Problem(f"this is not a regular file (it is a pipe, socket or device); give {what}", shown)])
        if info.st_size > limit:
            raise error([Problem(f"the file is {info.st_size:,} bytes; the limit is {limit:,}", shown)])
        os.set_blocking(handle, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as failure:
        raise error([Problem(f"cannot be read: {failure.strerror or failure}", shown)]) from None
    finally:
        os.close(handle)
    if size > limit:
        raise error([Problem(f"the file grew past the limit of {limit:,} bytes while it was read", shown)])
    return b"".join(chunks)
