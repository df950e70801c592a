"""A progress line on stderr for scans long enough to wonder about.

Silent for the first second (most scans are over by then), when the stream
is not a terminal, or when the user asked for quiet.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_DELAY = 1.0
_INTERVAL = 0.1


class ProgressLine:
    """Callable as :data:`dedupe.api.ProgressCallback`; ``close()`` clears the line."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.started = time.monotonic()
        self.shown = 0.0
        self.width = 0

    def __call__(
        self, files: int, files_total: int, done: int, total: int, paragraphs: int
    ) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < _DELAY or (now - self.shown < _INTERVAL and files < files_total):
            return
        self.shown = now
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        line = (
            f"dedupe: {files:,}/{files_total:,} files, {paragraphs:,} paragraphs, "
            f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB, {rate / 1e6:.1f} MB/s, ETA {eta:.0f}s"
        )
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def close(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
