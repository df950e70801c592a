"""The progress line: shown on a terminal after a second, silent otherwise."""

from __future__ import annotations

import io

import pytest

from dedupe import progress as progress_module
from dedupe.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    line = ProgressLine(stream)
    monkeypatch.setattr(progress_module, "_DELAY", 0.0)
    line(1, 2, 100, 200, 5)
    line.close()
    assert stream.getvalue() == ""


def test_silent_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    monkeypatch.setattr(progress_module, "_DELAY", 0.0)
    line = ProgressLine(stream, enabled=False)
    line(1, 2, 100, 200, 5)
    assert stream.getvalue() == ""


def test_silent_during_the_first_second() -> None:
    stream = Terminal()
    line = ProgressLine(stream)
    line(1, 2, 100, 200, 5)
    assert stream.getvalue() == ""


def test_shows_files_paragraphs_rate_and_eta_then_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Terminal()
    monkeypatch.setattr(progress_module, "_DELAY", 0.0)
    line = ProgressLine(stream)
    line(3, 10, 3_000_000, 10_000_000, 1234)
    shown = stream.getvalue()
    assert shown.startswith("\r")
    assert "3/10 files" in shown and "1,234 paragraphs" in shown
    assert "3.0/10.0 MB" in shown and "MB/s" in shown and "ETA" in shown
    line.close()
    assert stream.getvalue().endswith("\r")
    assert stream.getvalue().rsplit("\r", 2)[-2].strip() == ""
