"""Write outputs atomically: a crash or a full disk never leaves half a report."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable
from typing import IO


def write_atomic(path: str | os.PathLike[str], content: str | Iterable[str]) -> None:
    """Write ``content`` (UTF-8; a string or pieces of one) to ``path`` via a
    temporary file in the same folder and an atomic rename; the old file, if
    any, stays intact on error."""
    # os.path, not pathlib: importing pathlib (and urllib, ipaddress with it)
    # took 2.5 ms of the command's start.
    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    name = os.path.basename(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            early = _EarlySync(handle)
            try:
                for piece in [content] if isinstance(content, str) else content:
                    handle.write(piece)
                    early.wrote(len(piece))
            finally:
                early.join()
            early.check()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class _EarlySync:
    """Syncs what a large output has written so far in a thread, while the
    rest is still being made: the disk writes the first part meanwhile, and
    the final ``fsync`` waits only for the last (50 MB planted corpus, a
    55 MB report: 0.015-0.02 s less). One sync at a time; an error it meets
    is raised by :meth:`check` (the kernel reports a failed write-back to one
    ``fsync`` only)."""

    # Characters written between syncs.
    EVERY = 8 << 20

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._unsynced = 0
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def wrote(self, characters: int) -> None:
        self._unsynced += characters
        if self._unsynced < self.EVERY or (self._thread is not None and self._thread.is_alive()):
            return
        self._handle.flush()
        self._unsynced = 0
        self._thread = threading.Thread(target=self._sync, args=(self._handle.fileno(),))
        self._thread.start()

    def _sync(self, descriptor: int) -> None:
        try:
            os.fsync(descriptor)
        except OSError as error:
            self._error = error

    def join(self) -> None:
        """Wait for the sync under way: the file must not be closed under it."""
        if self._thread is not None:
            self._thread.join()

    def check(self) -> None:
        if self._error is not None:
            raise self._error


def _umask() -> int:
    # mkstemp creates files readable by the owner only; a report should get
    # the permissions any other new file would.
    current = os.umask(0)
    os.umask(current)
    return current
