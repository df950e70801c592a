"""Split a document into paragraphs, keeping exact character offsets and lines.

A paragraph is a block of lines separated by blank lines. Two kinds of
documents need more than that:

* a document with no blank line at all (scraped pages often come as one
  paragraph per line) has one paragraph per non-empty line;
* a block whose lines are long (a headline followed by its first paragraph, a
  photo caption followed by its credit line) is split into its lines; a block
  of short lines (hard-wrapped prose, an address) stays one paragraph.

Line breaks are those of :meth:`str.splitlines` (LF, CRLF, CR, NEL, U+2028 ...),
so line numbers agree with what Python, editors and ``grep -n`` mostly show.

Example::

    >>> [text[p.start:p.end] for p in segment(text := "Title\\n\\nOne.\\nTwo.\\n")]
    ['Title', 'One.\\nTwo.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from dedupe import _compiled

_segment_batch = _compiled.load("_segment_batch")
#: Whether :func:`segment_bounds` runs the compiled version.
COMPILED = _segment_batch is not None

# The characters str.splitlines() treats as line boundaries.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph's place in its document: ``text[start:end]``, lines 1-based
    and inclusive. Leading and trailing white space is not part of it."""

    start: int
    end: int
    line_start: int
    line_end: int


class _Line(NamedTuple):
    # A tuple, not a dataclass: a document has one per line, and creating
    # these is a measurable part of reading a large corpus.
    number: int
    start: int  # first non-space character
    end: int  # after the last non-space character

    @property
    def blank(self) -> bool:
        return self.start >= self.end


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    position = 0
    # splitlines() knows the same line breaks as _LINE_BREAK; every break
    # character is white space, so stripping a line with its break equals
    # stripping the line alone.
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped:
            first = position + len(line) - len(line.lstrip())
            lines.append(_Line(number, first, first + len(stripped)))
        else:
            lines.append(_Line(number, position, position))
        position += len(line)
    return lines


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without its leading and trailing white space (empty
    at ``start`` when it is all white space)."""
    content = text[start:end]
    stripped = content.strip()
    if not stripped:
        return start, start
    first = start + len(content) - len(content.lstrip())
    return first, first + len(stripped)


def segment(text: str, *, wrap_width: int = 100, max_chars: int = 20_000) -> list[Paragraph]:
    """Paragraphs of ``text`` in document order.

    ``wrap_width``: a multi-line block is split into its lines when any line
    but the last is longer than this many characters. ``max_chars``: longer
    paragraphs (a 100 MB line of scraped text) are cut into pieces at white
    space, so memory per paragraph stays bounded.
    """
    bounds = segment_bounds(text, wrap_width=wrap_width, max_chars=max_chars)
    return [Paragraph(*row) for row in bounds.tolist()]


def segment_bounds(text: str, *, wrap_width: int = 100, max_chars: int = 20_000) -> np.ndarray:
    """:func:`segment` as an ``(paragraphs, 4)`` int64 array of ``start, end,
    line_start, line_end``: what the sketch stage keeps, without an object
    per paragraph. Compiled where the install built ``dedupe._segment_batch``
    (the same bounds, tested against this module's Python)."""
    if _segment_batch is not None:
        packed = _segment_batch.paragraph_bounds(text, wrap_width)
        bounds = np.frombuffer(packed, dtype=np.int64).reshape(-1, 4)
    else:
        bounds = _as_array([_row(p) for p in _segment(text, wrap_width)])
    # A text no longer than max_chars has no paragraph to cut: no array
    # operations for it (most files of a folder of news stories).
    if len(text) <= max_chars or not np.any(bounds[:, 1] - bounds[:, 0] > max_chars):
        return bounds
    return _as_array(
        [
            _row(piece)
            for row in bounds.tolist()
            for piece in _pieces(text, Paragraph(*row), max_chars)
        ]
    )


def _row(p: Paragraph) -> tuple[int, int, int, int]:
    return p.start, p.end, p.line_start, p.line_end


def _as_array(rows: list[tuple[int, int, int, int]]) -> np.ndarray:
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def _pieces(text: str, paragraph: Paragraph, max_chars: int) -> list[Paragraph]:
    if paragraph.end - paragraph.start <= max_chars:
        return [paragraph]
    pieces = []
    start = paragraph.start
    line = paragraph.line_start  # the line on which ``start`` lies
    while start < paragraph.end:
        end = min(start + max_chars, paragraph.end)
        if end < paragraph.end:
            # Cut at the last line break in reach, else at the last space.
            cut = max(text.rfind("\n", start + 1, end), text.rfind("\r", start + 1, end))
            if cut <= start:
                cut = max(text.rfind(" ", start + 1, end), text.rfind("\t", start + 1, end))
            end = cut if cut > start else end
            if text[end - 1] == "\r" and text[end] == "\n":
                # Never between the two characters of one CRLF line break.
                end = end - 1 if end - 1 > start else end + 1
        breaks = _line_breaks(text, start, end)
        piece = _stripped(text, start, end, line, line + breaks)
        if piece is not None:
            pieces.append(piece)
        start, line = end, line + breaks
    return pieces


def _line_breaks(text: str, start: int, end: int) -> int:
    return sum(1 for _ in _LINE_BREAK.finditer(text, start, end))


def _stripped(text: str, start: int, end: int, first: int, last: int) -> Paragraph | None:
    trimmed_start, trimmed_end = _trim(text, start, end)
    if trimmed_start == trimmed_end:
        return None
    # Line numbers move with the white space trimmed at either end.
    first += _line_breaks(text, start, trimmed_start)
    last -= _line_breaks(text, trimmed_end, end)
    return Paragraph(trimmed_start, trimmed_end, first, last)


def _segment(text: str, wrap_width: int) -> list[Paragraph]:
    lines = _lines(text)
    content = [i for i, line in enumerate(lines) if not line.blank]
    if not content:
        return []
    # Blank lines before the first or after the last paragraph say nothing
    # about how the document separates its paragraphs.
    inner = lines[content[0] : content[-1] + 1]
    if not any(line.blank for line in inner):
        return [_paragraph([line]) for line in inner]

    paragraphs: list[Paragraph] = []
    block: list[_Line] = []
    for line in [*inner, _Line(0, 0, 0)]:
        if not line.blank:
            block.append(line)
            continue
        if not block:
            continue
        if len(block) > 1 and max(b.end - b.start for b in block[:-1]) > wrap_width:
            paragraphs.extend(_paragraph([b]) for b in block)
        else:
            paragraphs.append(_paragraph(block))
        block = []
    return paragraphs


def _paragraph(block: list[_Line]) -> Paragraph:
    return Paragraph(block[0].start, block[-1].end, block[0].number, block[-1].number)
