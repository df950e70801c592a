"""Write outputs atomically: a crash or a full disk never leaves half a report."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], content: str | Iterable[str]) -> None:
    """Write ``content`` (UTF-8; a string or pieces of one) to ``path`` via a
    temporary file in the same folder and an atomic rename; the old file, if
    any, stays intact on error."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            for piece in [content] if isinstance(content, str) else content:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    # mkstemp creates files readable by the owner only; a report should get
    # the permissions any other new file would.
    current = os.umask(0)
    os.umask(current)
    return current
