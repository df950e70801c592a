"""Read corpus files and cut them into paragraphs with character offsets.

Every tool in the suite (the hand-written baseline, the exhaustive all-pairs
reference, the peer adapters and the scorer) must agree on what a paragraph is
and on what a character offset means, or the scores compare apples with pears.
This module is that single definition:

* a file is decoded from bytes as UTF-8, falling back to cp1252 (one BBC file
  is cp1252), with no newline translation, so offsets are ``str`` indices into
  exactly the text dedupe's report refers to;
* a paragraph is a maximal run of non-blank lines; runs are separated by one
  or more blank lines; the span excludes leading and trailing whitespace.

It imports only the standard library because the peer adapters import it from
inside their own virtual environments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

_BLOCK = re.compile(r"\S(?:.*\S)?(?:\n[ \t\r\f\v]*\S.*)*")
_WORD = re.compile(r"\w+")


def read_text(path: Path) -> str:
    """Decode a file as UTF-8, or as cp1252 when it is not valid UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``[start, end)`` spans of the blank-line separated paragraphs of ``text``.

    A block is a run of lines that each contain a non-space character; the
    regex trims the block's leading and trailing whitespace so the span starts
    and ends on visible characters.
    """
    spans = []
    for match in _BLOCK.finditer(text):
        start, end = match.span()
        # The trailing part of the pattern may have captured a '\r' before '\n'.
        while end > start and text[end - 1].isspace():
            end -= 1
        spans.append((start, end))
    return spans


def words(text: str) -> list[str]:
    """Lower-cased word tokens: the normalisation every word-level measure uses."""
    return _WORD.findall(text.lower())


def corpus_files(root: Path) -> list[Path]:
    """All ``*.txt`` files under ``root`` in a stable (sorted) order."""
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


def iter_paragraphs(root: Path) -> Iterator[tuple[str, int, int, str]]:
    """Yield ``(relative posix path, start, end, paragraph text)`` for a corpus folder."""
    for path in corpus_files(root):
        rel = path.relative_to(root).as_posix()
        text = read_text(path)
        for start, end in paragraph_spans(text):
            yield rel, start, end, text[start:end]
