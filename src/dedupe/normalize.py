"""Fold text for matching while keeping the way back to the original offsets.

Matching compares *words*: a word is a run of letters and digits, with
apostrophes inside it kept together ("don't", "Israel’s"). Each word is folded
with Unicode case folding and NFKC (so "ＦＵＬＬ", "ﬁnal" and "Final" agree) and
loses its apostrophes; everything between words (punctuation, quotes, dashes,
symbols, runs of white space) is dropped. The normalized text is the folded
words joined by single spaces.

Because every folded word remembers the original characters it came from, any
word range of the normalized text maps back to an exact ``[start, end)`` range
of the original: reported positions are never positions in folded text.

Example::

    >>> n = normalize("“Don’t  PANIC,” it said.")
    >>> n.text
    'dont panic it said'
    >>> n.original_span(0, 2)   # words 0..1
    (1, 13)
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from dedupe import _compiled

_normalize_batch = _compiled.load("_normalize_batch")
#: Whether the words of marked text (ASCII but for typographic punctuation:
#: :func:`fold_paragraphs`, :func:`normalize`) are found by compiled code.
COMPILED = _normalize_batch is not None

def _mark_class() -> str:
    """A regex class of the combining marks of the Basic Multilingual Plane.

    ``re``'s ``\\w`` leaves out combining marks, which would cut "café" written
    with a combining accent, or most Indic words, into pieces.
    """
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """:data:`WORD` and the pattern of what is left of a word after folding
    (NFKC turns some word characters into punctuation, "⑴" -> "(1)", which
    is dropped like any other). Built on first use: the mark class takes
    ~20 ms to gather, and text that is ASCII but for typographic punctuation
    never needs either."""
    marks = _mark_class()
    # A word starts with a letter or digit, goes on with letters, digits and
    # combining marks, and may contain apostrophes (one or several: "it''s")
    # between such runs; since apostrophes are dropped, "it''s" is "its".
    word = re.compile(rf"\w[\w{marks}]*(?:['’‘`ʼ]+\w[\w{marks}]*)*")
    return word, re.compile(rf"[\w{marks}]+")


def __getattr__(name: str) -> re.Pattern[str]:
    # ``WORD``, the word pattern, is public; it is built when first asked for.
    if name == "WORD":
        return _patterns()[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_DROP_APOSTROPHES = str.maketrans("", "", "'’‘`ʼ")
# ``\w`` in ASCII text: letters, digits and "_".
_ASCII_WORD_BYTES = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ASCII_APOSTROPHES = b"'`"
# Word characters lower-cased, apostrophes kept, every other byte a space:
# one character for one, so offsets in the marked text are offsets in the
# original. Deleting the apostrophes and splitting then yields exactly what
# WORD finds after apostrophes are dropped (an apostrophe only joins the
# letters around it), several times faster than a regular expression.
_ASCII_MARK = bytes(
    byte if byte in _ASCII_WORD_BYTES or byte in _ASCII_APOSTROPHES else 0x20
    for byte in bytes(range(256))
).lower()
# What surrounds the words of marked text.
_ASCII_NOT_WORD = b" " + _ASCII_APOSTROPHES
# Punctuation that makes most English news non-ASCII, and an ASCII character
# that tokenizes the same: typographic apostrophes become "'" (dropped inside
# a word, like any apostrophe), the rest a space (none of it is a word
# character). One character for one keeps every offset, so such text takes
# the ASCII paths of words(), word_edges() and fold_paragraphs().
_TYPOGRAPHIC = (("’", "'"), ("‘", "'"), ("“", " "), ("”", " "), ("–", " "), ("—", " "),
                ("…", " "), ("\xa0", " "), ("£", " "), ("€", " "))  # fmt: skip


def _without_typographic(text: str) -> str:
    if not text.isascii():
        for char, replacement in _TYPOGRAPHIC:
            if char in text:
                text = text.replace(char, replacement)
    return text


def _marked(text: str) -> bytes | None:
    """``text`` marked as :data:`_ASCII_MARK` says, or ``None`` when it has
    non-ASCII characters besides :data:`_TYPOGRAPHIC`."""
    plain = _without_typographic(text)
    return _mark_ascii(plain) if plain.isascii() else None


def _mark_ascii(plain: str) -> bytes:
    return plain.encode("ascii").translate(_ASCII_MARK)


def _marked_words(marked: bytes) -> list[str]:
    return marked.translate(None, _ASCII_APOSTROPHES).decode("ascii").split()


def _marked_edges(marked: bytes) -> tuple[int, int] | None:
    # ASCII words fold one to one, so normalize's spans are WORD's matches,
    # and every word character is in one: the first word starts at the first
    # word character and the last ends after the last one.
    rest = marked.lstrip(_ASCII_NOT_WORD)
    if not rest:
        return None
    return len(marked) - len(rest), len(marked.rstrip(_ASCII_NOT_WORD))


def fold(text: str) -> str:
    """Case-fold, NFKC-normalize and drop apostrophes.

    Every step maps characters independently of their neighbours across a
    space, so folding a joined string equals joining the folded pieces: the
    fast path (:func:`words`) and the offset-keeping path (:func:`normalize`)
    always produce the same words.
    """
    if text.isascii():
        return text.lower().translate(_DROP_APOSTROPHES)
    # NFKC first (it can produce capitals: "ℍ" -> "H"), then case folding,
    # then NFKC again, since folding can leave text unnormalized.
    folded = unicodedata.normalize("NFKC", text)
    folded = unicodedata.normalize("NFKC", folded.casefold())
    return folded.translate(_DROP_APOSTROPHES)


def words(text: str) -> list[str]:
    """The folded words of ``text``, without offsets (the fast path)."""
    marked = _marked(text)
    if marked is not None:
        return _marked_words(marked)
    word, piece = _patterns()
    raw = word.findall(text)
    if not raw:
        return []
    return piece.findall(fold(" ".join(raw)))


@dataclass(frozen=True)
class FoldedParagraphs:
    """The folded words of many paragraphs in one buffer, to hash them all at
    once (:func:`fold_paragraphs`).

    ``buffer`` holds every word as UTF-8, each followed by one space, in
    paragraph order: paragraph ``i``'s words are the next ``word_counts[i]``
    entries of ``word_starts``/``word_ends``, and the bytes from the start
    of one of its words to the end of a later one are those words joined by
    single spaces (a shingle). ``first_word_starts``/``last_word_ends``:
    where each paragraph's first word starts and its last word ends in its
    text (:func:`word_edges`; 0 for a paragraph without words).
    """

    buffer: bytes
    word_starts: np.ndarray  # int64
    word_ends: np.ndarray  # int64
    word_counts: np.ndarray  # int64, per paragraph
    first_word_starts: np.ndarray  # int64, per paragraph
    last_word_ends: np.ndarray  # int64, per paragraph


def fold_paragraphs(pieces: Iterable[tuple[str, Sequence[tuple[int, int]]]]) -> FoldedParagraphs:
    """:func:`words` and :func:`word_edges` of ``text[start:end]`` for each
    ``(text, bounds)`` of ``pieces`` and each ``(start, end)`` of its
    ``bounds`` (in order, not overlapping), as one :class:`FoldedParagraphs`.

    Text that is ASCII but for typographic punctuation (most news) is marked
    (:data:`_ASCII_MARK`) a piece at a time and its words are found by array
    operations over all pieces together, with no Python object per word or
    paragraph; other paragraphs go through :func:`words` one by one.
    """
    chunks: list[bytes] = []
    size = 0
    starts: list[int] = []  # of each paragraph in the joined chunks
    shifts: list[int] = []  # position in the joined chunks - offset in its text
    unicode_edges: dict[int, tuple[int, int]] = {}  # paragraph -> its edges, found in Python
    for text, bounds in pieces:
        if not bounds:
            continue
        first, last = bounds[0][0], bounds[-1][1]
        plain = _without_typographic(text[first:last])
        if plain.isascii():
            chunks.append(_mark_ascii(plain))
            shift = size - first
            starts.extend(start + shift for start, _ in bounds)
            shifts.extend(itertools.repeat(shift, len(bounds)))
            size += len(plain)
            continue
        for start, end in bounds:
            piece = plain[start - first : end - first]
            if piece.isascii():
                marked = _mark_ascii(piece)
            else:
                raw = text[start:end]
                # Folded words hold neither spaces nor apostrophes: joined by
                # spaces they read like marked text.
                marked = " ".join(words(raw)).encode("utf-8")
                edges = word_edges(raw)
                if edges is not None:
                    unicode_edges[len(starts)] = (start + edges[0], start + edges[1])
            chunks.append(marked)
            starts.append(size)
            shifts.append(size - start)
            size += len(marked)
    return _fold_marked(
        np.frombuffer(b"".join(chunks), dtype=np.uint8),
        np.array(starts, dtype=np.int64),
        np.array(shifts, dtype=np.int64),
        unicode_edges,
        paragraphs=len(starts),
    )


def _fold_marked(
    marked: np.ndarray,
    starts: np.ndarray,
    shifts: np.ndarray,
    unicode_edges: dict[int, tuple[int, int]],
    *,
    paragraphs: int,
) -> FoldedParagraphs:
    """The words of marked paragraphs starting at ``starts`` of ``marked``
    (everything between paragraphs marks as spaces). A word is a run of
    bytes that are neither spaces nor apostrophes, once the apostrophes are
    deleted (:func:`_marked_words`), and never crosses a paragraph's start
    (a paragraph cut out of a longer one may begin in mid-word).

    Compiled where the install built ``dedupe._normalize_batch``, which
    walks the bytes once; the numpy below is its reference."""
    if _normalize_batch is not None and paragraphs:
        return _fold_marked_compiled(marked, starts, shifts, unicode_edges, paragraphs=paragraphs)
    # Positions are mapped between marked text, the text without its
    # apostrophes ("kept") and the buffer through the few bytes each step
    # drops, never through an index array per byte (at 8 bytes per byte of
    # text, their page faults alone cost more than the rest).
    is_apostrophe = (marked == 0x27) | (marked == 0x60)
    apostrophes = np.flatnonzero(is_apostrophe)
    kept = marked[~is_apostrophe]
    is_word = kept != 0x20
    paragraph_first = starts - np.searchsorted(apostrophes, starts)  # in kept
    # A paragraph cut out of a longer one may begin in mid-word: a space
    # goes in at the cut, so the two halves are two words.
    inside = paragraph_first[(paragraph_first > 0) & (paragraph_first < len(kept))]
    cuts = inside[is_word[inside] & is_word[inside - 1]]
    if len(cuts):
        kept = np.insert(kept, cuts, 0x20)
        is_word = kept != 0x20
        paragraph_first += np.searchsorted(cuts, paragraph_first, side="right")
    # Every word byte and the first space after each word: the words joined
    # by single spaces.
    keep = is_word.copy()
    keep[1:] |= is_word[:-1]
    dropped = np.flatnonzero(~keep)
    buffer = kept[keep]
    if len(buffer) and buffer[-1] != 0x20:
        buffer = np.append(buffer, np.uint8(0x20))
    word_ends = np.flatnonzero(buffer == 0x20)
    word_starts = np.concatenate(([0], word_ends[:-1] + 1))[: len(word_ends)]

    # A paragraph's words start at or after its first byte in the buffer (a
    # paragraph of apostrophes alone starts where the next one does).
    first_in_buffer = paragraph_first - np.searchsorted(dropped, paragraph_first)
    first_word = np.searchsorted(word_starts, first_in_buffer)
    word_counts = np.diff(np.append(first_word, len(word_starts)))
    has_words = np.flatnonzero(word_counts)
    last_word = first_word[has_words] + word_counts[has_words] - 1

    def in_marked(buffer_positions: np.ndarray) -> np.ndarray:
        at = buffer_positions + np.searchsorted(
            dropped - np.arange(len(dropped)), buffer_positions, side="right"
        )
        if len(cuts):
            at -= np.searchsorted(cuts + np.arange(len(cuts)), at, side="right")
        return at + np.searchsorted(
            apostrophes - np.arange(len(apostrophes)), at, side="right"
        )

    shift = shifts[has_words]
    first_word_starts = np.zeros(paragraphs, dtype=np.int64)
    last_word_ends = np.zeros(paragraphs, dtype=np.int64)
    first_word_starts[has_words] = in_marked(word_starts[first_word[has_words]]) - shift
    last_word_ends[has_words] = in_marked(word_ends[last_word] - 1) + 1 - shift
    for paragraph, edges in unicode_edges.items():
        first_word_starts[paragraph], last_word_ends[paragraph] = edges
    return FoldedParagraphs(
        buffer=buffer.tobytes(),
        word_starts=word_starts,
        word_ends=word_ends,
        word_counts=word_counts,
        first_word_starts=first_word_starts,
        last_word_ends=last_word_ends,
    )


def _fold_marked_compiled(
    marked: np.ndarray,
    starts: np.ndarray,
    shifts: np.ndarray,
    unicode_edges: dict[int, tuple[int, int]],
    *,
    paragraphs: int,
) -> FoldedParagraphs:
    assert _normalize_batch is not None
    # Room for the most words there can be (see _normalize_batch.c). Only
    # what is written is touched, and kept: slices, not copies, since fresh
    # memory costs a page fault per 4 KiB (a copy took longer than the fold).
    word_room = len(marked) // 2 + paragraphs + 1
    word_starts = np.empty(word_room, dtype=np.int64)
    word_ends = np.empty(word_room, dtype=np.int64)
    word_counts = np.empty(paragraphs, dtype=np.int64)
    first_word_starts = np.empty(paragraphs, dtype=np.int64)
    last_word_ends = np.empty(paragraphs, dtype=np.int64)
    buffer, words_found = _normalize_batch.fold_marked_into(
        marked,
        np.ascontiguousarray(starts, dtype=np.int64),
        np.ascontiguousarray(shifts, dtype=np.int64),
        word_starts,
        word_ends,
        word_counts,
        first_word_starts,
        last_word_ends,
    )
    for paragraph, edges in unicode_edges.items():
        first_word_starts[paragraph], last_word_ends[paragraph] = edges
    return FoldedParagraphs(
        buffer=buffer,
        word_starts=word_starts[:words_found],
        word_ends=word_ends[:words_found],
        word_counts=word_counts,
        first_word_starts=first_word_starts,
        last_word_ends=last_word_ends,
    )


@dataclass(frozen=True, slots=True)
class Normalized:
    """Folded words of a piece of text, each with its original ``[start, end)``.

    ``starts[i]``/``ends[i]`` are offsets in the text that was normalized, plus
    the ``base`` given to :func:`normalize` (so paragraph-level normalization
    can report document offsets).
    """

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def __len__(self) -> int:
        return len(self.words)

    def original_span(self, first: int, last: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering words ``first`` to ``last - 1``."""
        if not 0 <= first < last <= len(self.words):
            raise IndexError(f"word range [{first}, {last}) outside 0..{len(self.words)}")
        return self.starts[first], self.ends[last - 1]

    def word_at(self, offset: int) -> int:
        """Index of the word that contains ``offset`` in the normalized text."""
        if not 0 <= offset < len(self.text):
            raise IndexError(f"offset {offset} outside the normalized text")
        position = 0
        for index, word in enumerate(self.words):
            if offset < position + len(word) + 1:
                return index
            position += len(word) + 1
        raise AssertionError("unreachable: offset checked above")


def normalize(text: str, *, base: int = 0) -> Normalized:
    """Normalize ``text`` keeping, for every folded word, its original span."""
    marked = _marked(text)
    if marked is not None:
        return _marked_normalized(marked, base)
    folded_words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    word, piece_pattern = _patterns()
    for match in word.finditer(text):
        raw = match.group()
        if raw.isascii():
            # Most words of most non-ASCII text ("£5m", "café" aside) are
            # ASCII: they fold to one piece without Unicode normalization.
            folded_words.append(raw.lower().replace("'", "").replace("`", ""))
            starts.append(base + match.start())
            ends.append(base + match.end())
            continue
        # Folding can split one raw word (NFKC turns some single characters
        # into several words); each piece keeps the raw word's span.
        for piece in piece_pattern.findall(fold(raw)):
            folded_words.append(piece)
            starts.append(base + match.start())
            ends.append(base + match.end())
    return Normalized(tuple(folded_words), tuple(starts), tuple(ends))


def _marked_normalized(marked: bytes, base: int) -> Normalized:
    """:func:`normalize` of text that :func:`_marked` could mark. Its words
    fold one to one, so each is a run of the marked text between spaces,
    less the apostrophes around it: no regular expression per word, no
    match object. Compiled where the install built
    ``dedupe._normalize_batch``; the Python below is its reference."""
    if _normalize_batch is not None:
        return Normalized(*_normalize_batch.marked_words(marked, base))
    if b"'" in marked or b"`" in marked:
        marked = _without_outer_apostrophes(marked)
    parts = marked.split(b" ")
    lengths = list(map(len, parts))
    # Part k starts after the parts before it and the k spaces between them.
    before = list(itertools.accumulate(lengths, initial=base))
    kept = list(itertools.compress(range(len(parts)), lengths))
    return Normalized(
        tuple(_marked_words(marked)),
        tuple([before[k] + k for k in kept]),
        tuple([before[k + 1] + k for k in kept]),
    )


def _without_outer_apostrophes(marked: bytes) -> bytes:
    """``marked`` with every apostrophe at the edge of a run of non-spaces
    turned into a space, one byte for one: apostrophes around a word are not
    part of it ("'tis", "dogs'"), those inside it are. Each pass blanks one
    apostrophe of each edge run; runs are rarely longer than one."""
    padded = b" " + marked + b" "
    while True:
        blanked = (
            padded.replace(b" '", b"  ")
            .replace(b"' ", b"  ")
            .replace(b" `", b"  ")
            .replace(b"` ", b"  ")
        )
        if blanked == padded:
            return padded[1:-1]
        padded = blanked


def word_edges(text: str) -> tuple[int, int] | None:
    """Where the first folded word of ``text`` starts and the last one ends
    (``normalize(text).original_span(0, len)``, without building the words),
    or ``None`` when it has no words. All an exact copy's span needs."""
    marked = _marked(text)
    if marked is not None:
        return _marked_edges(marked)
    # Folding may turn a raw word into punctuation only: normalize's first
    # and last spans are those of the outermost raw words that fold to at
    # least one word (folding just those is what saves the time).
    found = list(_patterns()[0].finditer(text))
    if not found:
        return None
    kept = [m for m in (found[0], found[-1]) if words(m.group())]
    if len(kept) < 2:
        kept = [m for m in found if words(m.group())]
    if not kept:
        return None
    return kept[0].start(), kept[-1].end()
