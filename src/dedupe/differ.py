"""How one copy differs from another, beyond a similarity score.

A similarity of 0.74 says two paragraphs are related; a reader deciding what
to do with the copy wants to know *how*: is it the same text cut short, the
same text with a new lead, a rewording, or the same sentence with a different
number in it? :func:`compare` answers that for two paragraphs,
:func:`compare_passage` for a run of paragraph matches.

Direction: the report's ``a`` side comes first in corpus order, so every
change reads as what B does to A ("B lost A's last 12 words", "B adds a
sentence before"). The same fact seen from A ("A is extended") is not
reported separately.

Word level (:func:`compare`), on the folded words of :mod:`dedupe.normalize`
aligned with ``rapidfuzz.distance.LCSseq.opcodes``:

* **coverage** both ways: the share of A's words found, in order, in B
  (``coverage_a``) and of B's words in A (``coverage_b``);
* ``identical``: the same words (punctuation, case and spacing may differ);
* ``truncated``: B lacks A's words ``before`` the first or ``after`` the last
  shared word (a wire story cut short, a dropped dateline);
* ``extended``: B adds words ``before`` or ``after`` (a new lead, a credit);
* ``numbers``: a number changed, appeared or disappeared inside an edit
  (``615 -> 183``); one change per number, spanning the whole number as
  written ("10,000", not just "10");
* ``quote``: an edit touches words inside quoted speech (between quote marks
  in the original text; a quote left open runs to the end of the paragraph,
  as news style does across paragraphs);
* ``added`` / ``dropped``: a clause (``CLAUSE_WORDS`` or more) inserted into or
  removed from the middle;
* ``reworded``: any other edit inside the shared text (substitutions, and
  insertions or deletions shorter than a clause).

An edit that changes a number *and* words yields a ``numbers`` change for each
number and one word-level change (``quote``, ``added``, ``dropped`` or
``reworded``) for the whole edit, so both facts keep their evidence.

Paragraph level (:func:`compare_passage`), from the member matches' paragraph
indices: ``reordered`` (pairs outside the longest in-order run), ``merged``
(several A paragraphs matched by one B paragraph), ``split`` (the reverse),
``dropped`` / ``added`` (runs of paragraphs of one side's region that match
nothing on the other side).

Every change keeps its evidence: character spans in the original documents
(the same offsets as :class:`dedupe.report.Span`) and the old and new text.

Example::

    >>> d = compare_texts("The office said 615 people died.", "The office said 183 people died.")
    >>> [(c.kind, c.old, c.new) for c in d.changes]
    [('numbers', '615', '183')]
    >>> describe(d)
    'B contains 83% of A; A is 83% of B; numbers changed: 615 → 183'
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise, zip_longest
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from rapidfuzz.distance import LCSseq

from dedupe.normalize import Normalized, normalize
from dedupe.normalize import words as normalize_words
from dedupe.report import Location, Match

IDENTICAL = "identical"
TRUNCATED = "truncated"
EXTENDED = "extended"
NUMBERS = "numbers"
QUOTE = "quote"
ADDED = "added"
DROPPED = "dropped"
REWORDED = "reworded"
REORDERED = "reordered"
MERGED = "merged"
SPLIT = "split"
# The order in which kinds are listed everywhere (JSON ``kinds``, summaries).
KINDS = (
    IDENTICAL,
    TRUNCATED,
    EXTENDED,
    NUMBERS,
    QUOTE,
    ADDED,
    DROPPED,
    REWORDED,
    REORDERED,
    MERGED,
    SPLIT,
)
BEFORE, AFTER = "before", "after"

# Fewer inserted or deleted words than this inside shared text is an edit of
# the sentence ("reportedly", "the Reuters news agency"); this many is a clause.
CLAUSE_WORDS = 6
# A shared single word is trusted as an anchor only next to a small edit (or
# an edge): in the middle of a long insertion "the" or "said" lines up with
# A's by chance, and anchoring on it would turn one clean "B adds 40 words
# before" into two odd rewordings.
_ANCHOR_MAX_GAP = 2

# Opening quote mark -> the marks that close it.
_QUOTES = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«",
    "‹": "›",
    "「": "」",
    "『": "』",
    '"': '"',
    "‘": "’",
}
_SINGLE = {"‘", "’"}
# Any opening or closing mark: the only characters quoted_spans looks at.
_QUOTE_MARK = re.compile(
    "[" + re.escape("".join(sorted(set(_QUOTES).union(*_QUOTES.values())))) + "]"
)
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True, slots=True)
class Change:
    """One difference with its evidence.

    ``a``/``b``: original ``[start, end)`` character spans of the material in
    A and in B (``None`` where that side has none: B's span of a truncation,
    A's span of an extension). ``old``/``new``: their text with white space
    collapsed. ``where``: ``"before"`` or ``"after"`` for truncations and
    extensions, else ``None``.
    """

    kind: str
    a: tuple[int, int] | None
    b: tuple[int, int] | None
    old: str = ""
    new: str = ""
    where: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "a": list(self.a) if self.a is not None else None,
            "b": list(self.b) if self.b is not None else None,
            "old": self.old,
            "new": self.new,
        }

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)``, without the dict
        (a report writes one or more changes per match)."""
        where = "null" if self.where is None else encode_basestring(self.where)
        return (
            f'{{"kind": {encode_basestring(self.kind)}, "where": {where}, '
            f'"a": {_pair_json(self.a)}, "b": {_pair_json(self.b)}, '
            f'"old": {encode_basestring(self.old)}, "new": {encode_basestring(self.new)}}}'
        )


@dataclass(frozen=True, slots=True)
class Difference:
    """How paragraph B differs from paragraph A.

    ``common`` words of A (``words_a`` in all) are found in order in B
    (``words_b``); coverage is derived from the counts so the two cannot
    disagree.
    """

    words_a: int
    words_b: int
    common: int
    changes: tuple[Change, ...]

    @property
    def coverage_a(self) -> float:
        """Share of A's words found in B."""
        return self.common / self.words_a if self.words_a else 1.0

    @property
    def coverage_b(self) -> float:
        """Share of B's words found in A."""
        return self.common / self.words_b if self.words_b else 1.0

    @property
    def kinds(self) -> tuple[str, ...]:
        return _kinds(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coverage_a": round(self.coverage_a, 4),
            "coverage_b": round(self.coverage_b, 4),
            "words_a": self.words_a,
            "words_b": self.words_b,
            "common": self.common,
            "kinds": list(self.kinds),
            "changes": [change.to_dict() for change in self.changes],
        }

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)``, without the dict."""
        return _difference_json(self, f', "common": {self.common!r}')


class RegionParagraph(NamedTuple):
    """A paragraph that counts inside a passage region (not boilerplate, not
    too short to match), with its word count."""

    location: Location
    words: int


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    """A passage-level difference: the paragraphs of A and of B involved."""

    kind: str
    a: tuple[Location, ...]
    b: tuple[Location, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "a": [_paragraph_dict(location) for location in self.a],
            "b": [_paragraph_dict(location) for location in self.b],
        }

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)``, without the dicts."""
        a = ", ".join(map(_paragraph_json, self.a))
        b = ", ".join(map(_paragraph_json, self.b))
        return f'{{"kind": {encode_basestring(self.kind)}, "a": [{a}], "b": [{b}]}}'


@dataclass(frozen=True, slots=True)
class PassageDifference:
    """How passage B differs from passage A, paragraph by paragraph; the
    word-level differences stay with the member matches."""

    words_a: int
    words_b: int
    common_a: int  # words of A found in B (several B paragraphs may share one A)
    common_b: int
    changes: tuple[ParagraphChange, ...]

    @property
    def coverage_a(self) -> float:
        return self.common_a / self.words_a if self.words_a else 1.0

    @property
    def coverage_b(self) -> float:
        return self.common_b / self.words_b if self.words_b else 1.0

    @property
    def kinds(self) -> tuple[str, ...]:
        return _kinds(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coverage_a": round(self.coverage_a, 4),
            "coverage_b": round(self.coverage_b, 4),
            "words_a": self.words_a,
            "words_b": self.words_b,
            "kinds": list(self.kinds),
            "changes": [change.to_dict() for change in self.changes],
        }

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)``, without the dicts
        (a report of thousands of passages writes one each)."""
        return _difference_json(self, "")


def _difference_json(difference: Difference | PassageDifference, common: str) -> str:
    """The JSON both kinds of difference share, ``common`` (their count of
    words in common, or nothing) after the word counts."""
    kinds = ", ".join(encode_basestring(kind) for kind in difference.kinds)
    changes = ", ".join(change.to_json() for change in difference.changes)
    return (
        f'{{"coverage_a": {round(difference.coverage_a, 4)!r}, '
        f'"coverage_b": {round(difference.coverage_b, 4)!r}, '
        f'"words_a": {difference.words_a!r}, "words_b": {difference.words_b!r}'
        f'{common}, "kinds": [{kinds}], "changes": [{changes}]}}'
    )


def _pair_json(pair: tuple[int, int] | None) -> str:
    return "null" if pair is None else f"[{pair[0]!r}, {pair[1]!r}]"


def _paragraph_dict(location: Location) -> dict[str, Any]:
    # The path is the passage's own; repeating it in every change is noise.
    return {
        "paragraph": location.paragraph,
        "start": location.start,
        "end": location.end,
        "line_start": location.line_start,
        "line_end": location.line_end,
    }


def _paragraph_json(location: Location) -> str:
    """``json.dumps(_paragraph_dict(location))``."""
    return (
        f'{{"paragraph": {location.paragraph!r}, "start": {location.start!r}, '
        f'"end": {location.end!r}, "line_start": {location.line_start!r}, '
        f'"line_end": {location.line_end!r}}}'
    )


def _kinds(changes: Iterable[Change | ParagraphChange]) -> tuple[str, ...]:
    present = {change.kind for change in changes}
    return tuple(kind for kind in KINDS if kind in present)


# -- word level --------------------------------------------------------------


def compare(
    a: Normalized, b: Normalized, *, text_a: str | None = None, text_b: str | None = None
) -> Difference:
    """How B differs from A, word by word.

    ``text_a``/``text_b``: the text the offsets of ``a``/``b`` point into (the
    document, for paragraphs normalized with a ``base``). Without them the
    evidence is the folded words and quoted speech cannot be recognised.
    """
    if a.words == b.words:
        whole = (_whole(a), _whole(b)) if a.words else (None, None)
        return Difference(len(a), len(b), len(a), (Change(IDENTICAL, *whole),))
    blocks = _anchors(_equal_blocks(a.words, b.words), len(a), len(b))
    side_a = _Side(a, text_a)
    side_b = _Side(b, text_b)
    changes: list[Change] = []
    for gap, where in _gaps(blocks, len(a), len(b)):
        changes.extend(_classify(gap, where, side_a, side_b))
    common = sum(a1 - a0 for a0, a1, _, _ in blocks)
    return Difference(len(a), len(b), common, tuple(changes))


def identical(words: int, span_a: tuple[int, int], span_b: tuple[int, int]) -> Difference:
    """What :func:`compare` says of two paragraphs with the same ``words``
    folded words spanning ``span_a`` and ``span_b``, given without their words
    (an exact copy needs no alignment)."""
    return Difference(words, words, words, (Change(IDENTICAL, span_a, span_b),))


def compare_texts(a: str, b: str) -> Difference:
    """:func:`compare` on two whole texts (for library users and tests)."""
    return compare(normalize(a), normalize(b), text_a=a, text_b=b)


def _whole(side: Normalized) -> tuple[int, int]:
    return side.original_span(0, len(side))


def _equal_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    return [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in LCSseq.opcodes(a, b)
        if op.tag == "equal"
    ]


def _anchors(
    blocks: list[tuple[int, int, int, int]], len_a: int, len_b: int
) -> list[tuple[int, int, int, int]]:
    """The equal runs to trust: all of two or more words, single words only
    next to a small edit (see ``_ANCHOR_MAX_GAP``)."""
    kept = []
    for i, (a0, a1, b0, b1) in enumerate(blocks):
        if a1 - a0 >= 2:
            kept.append(blocks[i])
            continue
        prev_a, prev_b = (blocks[i - 1][1], blocks[i - 1][3]) if i else (0, 0)
        next_a, next_b = (
            (blocks[i + 1][0], blocks[i + 1][2]) if i + 1 < len(blocks) else (len_a, len_b)
        )
        gap_before = max(a0 - prev_a, b0 - prev_b)
        gap_after = max(next_a - a1, next_b - b1)
        if min(gap_before, gap_after) <= _ANCHOR_MAX_GAP:
            kept.append(blocks[i])
    return kept


def _gaps(
    blocks: Sequence[tuple[int, int, int, int]], len_a: int, len_b: int
) -> Iterator[tuple[tuple[int, int, int, int], str | None]]:
    """The word ranges between equal runs, with ``before``/``after`` for the
    edges (``None`` inside, and for everything when nothing is shared)."""
    at_a = at_b = 0
    for a0, a1, b0, b1 in blocks:
        if a0 > at_a or b0 > at_b:
            yield (at_a, a0, at_b, b0), (BEFORE if at_a == at_b == 0 else None)
        at_a, at_b = a1, b1
    if at_a < len_a or at_b < len_b:
        yield (at_a, len_a, at_b, len_b), (AFTER if blocks else None)


class _Side:
    """One side of a comparison: its words, and its original text if known."""

    def __init__(self, norm: Normalized, text: str | None) -> None:
        self.norm = norm
        self.text = text
        self._quoted: list[tuple[int, int]] | None = None

    def span(self, first: int, last: int) -> tuple[int, int] | None:
        return self.norm.original_span(first, last) if last > first else None

    def evidence(self, span: tuple[int, int] | None, first: int, last: int) -> str:
        if span is None:
            return ""
        if self.text is None:
            return " ".join(self.norm.words[first:last])
        return " ".join(self.text[span[0] : span[1]].split())

    def quoted(self, first: int, last: int) -> bool:
        """Whether any of words ``first..last-1`` stands inside quoted speech."""
        if self.text is None or last <= first:
            return False
        if self._quoted is None:
            start, end = _paragraph_bounds(self.text, self.norm.starts[0], self.norm.ends[-1])
            self._quoted = quoted_spans(self.text[start:end], base=start)
        # Word starts never decrease: the first word at or after a quote's
        # opening mark is the only one to check against its closing mark.
        starts = self.norm.starts
        for q0, q1 in self._quoted:
            i = bisect_left(starts, q0, first, last)
            if i < last and starts[i] < q1:
                return True
        return False

    def numbers(self, first: int, last: int) -> list[tuple[tuple[int, int], str]]:
        """The numbers among words ``first..last-1``: (span, text), one per
        number as written (the words "10" and "000" of "10,000" are one)."""
        found: list[tuple[tuple[int, int], str]] = []
        for i in range(first, last):
            word = self.norm.words[i]
            if not _has_digit(word):
                continue
            span = (self.norm.starts[i], self.norm.ends[i])
            if self.text is not None:
                span = _widen_number(self.text, *span)
                item = (span, self.text[span[0] : span[1]])
            else:
                item = (span, word)
            if not found or found[-1][0] != span:
                found.append(item)
        return found


def _classify(
    gap: tuple[int, int, int, int], where: str | None, side_a: _Side, side_b: _Side
) -> list[Change]:
    a0, a1, b0, b1 = gap
    span_a, span_b = side_a.span(a0, a1), side_b.span(b0, b1)
    old, new = side_a.evidence(span_a, a0, a1), side_b.evidence(span_b, b0, b1)
    if where is not None and (span_a is None or span_b is None):
        return [Change(TRUNCATED if span_b is None else EXTENDED, span_a, span_b, old, new, where)]

    changes = _number_changes(side_a.numbers(a0, a1), side_b.numbers(b0, b1))
    if changes and _without_numbers(side_a.norm.words[a0:a1]) == _without_numbers(
        side_b.norm.words[b0:b1]
    ):
        return changes  # only numbers differ: the number changes say it all
    if side_a.quoted(a0, a1) or side_b.quoted(b0, b1):
        kind = QUOTE
    elif span_b is None and a1 - a0 >= CLAUSE_WORDS:
        kind = DROPPED
    elif span_a is None and b1 - b0 >= CLAUSE_WORDS:
        kind = ADDED
    else:
        kind = REWORDED
    return [*changes, Change(kind, span_a, span_b, old, new)]


def _without_numbers(words: Sequence[str]) -> list[str]:
    return [word for word in words if not _has_digit(word)]


def _has_digit(word: str) -> bool:
    # No letter is a digit, and most words are all letters: isalpha answers
    # those without a Python loop over their characters.
    return not word.isalpha() and any(ch.isdigit() for ch in word)


def _number_changes(
    old: list[tuple[tuple[int, int], str]], new: list[tuple[tuple[int, int], str]]
) -> list[Change]:
    """Numbers of an edit that differ, paired in order: ``615 -> 183``."""
    if not old and not new:
        return []  # most edits have no number: skip building four Counters
    unchanged = Counter(text for _, text in old) & Counter(text for _, text in new)
    keep_old, keep_new = unchanged.copy(), unchanged.copy()
    gone = [item for item in old if not _take(keep_old, item[1])]
    came = [item for item in new if not _take(keep_new, item[1])]
    return [
        Change(
            NUMBERS,
            was[0] if was else None,
            now[0] if now else None,
            was[1] if was else "",
            now[1] if now else "",
        )
        for was, now in zip_longest(gone, came)
    ]


def _take(counter: Counter[str], key: str) -> bool:
    """Consume one ``key`` from ``counter``; whether there was one."""
    if counter[key] > 0:
        counter[key] -= 1
        return True
    return False


def _widen_number(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a digit run over thousands and decimal separators: "10,000.5"."""

    def joins(i: int) -> bool:
        # A separator belongs to the number only between two digits.
        return (
            text[i] in ",."
            and 0 < i < len(text) - 1
            and text[i - 1].isdigit()
            and text[i + 1].isdigit()
        )

    while start > 0 and (text[start - 1].isdigit() or joins(start - 1)):
        start -= 1
    while end < len(text) and (text[end].isdigit() or joins(end)):
        end += 1
    return start, end


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole lines around ``[start, end)``: a paragraph is made of whole
    lines, and its opening quote mark lies before its first word."""
    while start > 0 and text[start - 1] not in _LINE_BREAKS:
        start -= 1
    while end < len(text) and text[end] not in _LINE_BREAKS:
        end += 1
    return start, end


def quoted_spans(text: str, *, base: int = 0) -> list[tuple[int, int]]:
    """``[start, end)`` (plus ``base``) of the quoted speech in ``text``,
    outermost quotes only.

    Curly single quotes count only at word edges, where they cannot be the
    apostrophe of "Israel’s". A quote still open at the end of ``text`` runs to
    its end: news style leaves a quote open when it goes on in the next
    paragraph.
    """
    spans: list[tuple[int, int]] = []
    opened_at = -1
    closers = ""
    # Only quote marks open or close anything: visiting just those is ~20x
    # faster than a loop over every character of the paragraph.
    for mark in _QUOTE_MARK.finditer(text):
        i, ch = mark.start(), mark.group()
        if opened_at < 0:
            if ch in _QUOTES and _can_open(text, i):
                opened_at, closers = i, _QUOTES[ch]
        elif ch in closers and _can_close(text, i):
            spans.append((base + opened_at, base + i + 1))
            opened_at = -1
    if opened_at >= 0:
        spans.append((base + opened_at, base + len(text)))
    return spans


def _can_open(text: str, i: int) -> bool:
    if text[i] not in _SINGLE:
        return True
    return (i == 0 or not text[i - 1].isalnum()) and i + 1 < len(text) and text[i + 1].isalnum()


def _can_close(text: str, i: int) -> bool:
    if text[i] not in _SINGLE:
        return True
    return i + 1 == len(text) or not text[i + 1].isalnum()


# -- paragraph level ---------------------------------------------------------


def compare_passage(
    members: Sequence[Match],
    *,
    region_a: Sequence[RegionParagraph] = (),
    region_b: Sequence[RegionParagraph] = (),
) -> PassageDifference:
    """How passage B differs from passage A, from its paragraph matches.

    ``region_a``/``region_b``: the paragraphs that count in each region, in
    document order; those no member match covers were dropped (A) or added
    (B). Without them only matched paragraphs are counted.
    """
    words_a = _region_words(region_a, [(m.a, _words(m, "a")) for m in members])
    words_b = _region_words(region_b, [(m.b, _words(m, "b")) for m in members])
    common_a = _covered(words_a, [(m.a.paragraph, _common(m)) for m in members])
    common_b = _covered(words_b, [(m.b.paragraph, _common(m)) for m in members])

    matched_a = {m.a.paragraph for m in members}
    matched_b = {m.b.paragraph for m in members}
    changes: list[ParagraphChange] = []
    changes.extend(
        ParagraphChange(DROPPED, run, ()) for run in _unmatched_runs(region_a, matched_a)
    )
    changes.extend(ParagraphChange(ADDED, (), run) for run in _unmatched_runs(region_b, matched_b))
    changes.extend(_merged(members, key="b", kind=MERGED))
    changes.extend(_merged(members, key="a", kind=SPLIT))
    changes.extend(_reordered(members))
    changes.sort(key=lambda c: (KINDS.index(c.kind), _first_paragraph(c)))
    return PassageDifference(
        sum(words_a.values()),
        sum(words_b.values()),
        common_a,
        common_b,
        tuple(changes),
    )


def _words(match: Match, side: str) -> int:
    if match.difference is None:
        return match.matched_words
    return match.difference.words_a if side == "a" else match.difference.words_b


def _common(match: Match) -> int:
    return match.matched_words if match.difference is None else match.difference.common


def _region_words(
    region: Sequence[RegionParagraph], matched: Sequence[tuple[Location, int]]
) -> dict[int, int]:
    """Words per paragraph index: the region's, and any matched paragraph the
    region left out."""
    words = {item.location.paragraph: item.words for item in region}
    for location, count in matched:
        words.setdefault(location.paragraph, count)
    return words


def _covered(words: dict[int, int], shared: Sequence[tuple[int, int]]) -> int:
    """Words of one side found on the other; a paragraph matched twice (split
    or merged) counts its shared words up to its length."""
    per_paragraph: dict[int, int] = {}
    for paragraph, common in shared:
        per_paragraph[paragraph] = per_paragraph.get(paragraph, 0) + common
    return sum(min(count, words.get(p, count)) for p, count in per_paragraph.items())


def _unmatched_runs(
    region: Sequence[RegionParagraph], matched: set[int]
) -> Iterator[tuple[Location, ...]]:
    """Consecutive region paragraphs that no match covers."""
    run: list[Location] = []
    for item in region:
        if item.location.paragraph in matched:
            if run:
                yield tuple(run)
            run = []
        else:
            run.append(item.location)
    if run:
        yield tuple(run)


def _merged(members: Sequence[Match], *, key: str, kind: str) -> Iterator[ParagraphChange]:
    """Paragraphs of side ``key`` matched by several paragraphs of the other."""
    other = "a" if key == "b" else "b"
    by_paragraph: dict[int, list[Match]] = {}
    for match in members:
        by_paragraph.setdefault(getattr(match, key).paragraph, []).append(match)
    if len(by_paragraph) == len(members):
        return  # each paragraph in one match: none has several partners
    for paragraph in sorted(by_paragraph):
        group = by_paragraph[paragraph]
        partners = sorted(
            {getattr(m, other).paragraph: getattr(m, other) for m in group}.values(),
            key=lambda location: location.paragraph,
        )
        if len(partners) < 2:
            continue
        own = (getattr(group[0], key),)
        if key == "b":
            yield ParagraphChange(kind, tuple(partners), own)
        else:
            yield ParagraphChange(kind, own, tuple(partners))


def _reordered(members: Sequence[Match]) -> Iterator[ParagraphChange]:
    """Pairs outside the longest run that is in order on both sides."""
    pairs = sorted({(m.a.paragraph, m.b.paragraph): m for m in members}.items())
    sides_b = [b for (_, b), _ in pairs]
    if all(b <= after for b, after in pairwise(sides_b)):
        return  # all in order (most passages)
    in_order = _longest_nondecreasing(sides_b)
    for index, (_, match) in enumerate(pairs):
        if index not in in_order:
            yield ParagraphChange(REORDERED, (match.a,), (match.b,))


def _longest_nondecreasing(values: Sequence[int]) -> set[int]:
    """Indices of one longest non-decreasing subsequence (patience sorting)."""
    tails: list[int] = []  # tails[k]: index ending the best run of length k + 1
    tail_values: list[int] = []
    previous: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect_right(tail_values, value)
        previous[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
            tail_values.append(value)
        else:
            tails[k], tail_values[k] = i, value
    chosen: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        chosen.add(i)
        i = previous[i]
    return chosen


def _first_paragraph(change: ParagraphChange) -> tuple[int, int]:
    a = change.a[0].paragraph if change.a else -1
    b = change.b[0].paragraph if change.b else -1
    return a, b


# -- for people ----------------------------------------------------------------


def percent(share: float) -> str:
    """``96%``, never rounding a partial share up to 100% or down to 0%."""
    value = round(100 * share)
    if value == 100 and share < 1.0:
        value = 99
    if value == 0 and share > 0.0:
        return "<1%"
    return f"{value}%"


def coverage_phrase(coverage_a: float, coverage_b: float) -> str:
    """ "B contains 96% of A; A is 40% of B"."""
    return f"B contains {percent(coverage_a)} of A; A is {percent(coverage_b)} of B"


def _quoted_text(text: str, limit: int = 40) -> str:
    text = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(difference: Difference, *, examples: int = 2) -> str:
    """One line for people: coverage, then each kind of change with evidence,
    e.g. ``B contains 96% of A; A is 88% of B; numbers changed: 615 → 183``."""
    if difference.kinds == (IDENTICAL,):
        return "identical words"
    parts = [coverage_phrase(difference.coverage_a, difference.coverage_b)]
    by_kind: dict[str, list[Change]] = {}
    for change in difference.changes:
        by_kind.setdefault(change.kind, []).append(change)
    for kind in KINDS:
        changes = by_kind.get(kind)
        if changes:
            parts.append(_describe_kind(kind, changes, examples))
    return "; ".join(parts)


def _words_in(text: str) -> int:
    # Words as the matcher counts them (coverage is in those words too), not
    # white-space runs: "<script>alert(1)</script>" is three words, not one.
    return len(normalize_words(text))


def _describe_kind(kind: str, changes: list[Change], examples: int) -> str:
    if kind in (TRUNCATED, EXTENDED):
        verb = "lacks A's" if kind == TRUNCATED else "adds"
        pieces = []
        for change in changes:
            count = _words_in(change.old if kind == TRUNCATED else change.new)
            if kind == TRUNCATED:
                edge = "first" if change.where == BEFORE else "last"
                pieces.append(f"B {verb} {edge} {_plural(count, 'word')}")
            else:
                pieces.append(f"B {verb} {_plural(count, 'word')} {change.where}")
        return "; ".join(pieces)
    shown = [_describe_edit(change) for change in changes[:examples]]
    more = len(changes) - examples
    tail = f" and {more} more" if more > 0 else ""
    label = {
        NUMBERS: "numbers changed",
        QUOTE: "quote changed",
        ADDED: "added inside",
        DROPPED: "dropped inside",
        REWORDED: "reworded",
    }[kind]
    return f"{label}: {', '.join(shown)}{tail}"


def _describe_edit(change: Change) -> str:
    if change.kind == NUMBERS:
        return f"{change.old or '(none)'} → {change.new or '(none)'}"
    if not change.new:
        return f"{_quoted_text(change.old)} cut"
    if not change.old:
        return f"{_quoted_text(change.new)} added"
    return f"{_quoted_text(change.old)} → {_quoted_text(change.new)}"


def _line_numbers(locations: Sequence[Location]) -> str:
    first, last = locations[0].line_start, locations[-1].line_end
    return str(first) if first == last else f"{first}-{last}"


def _line_list(locations: Sequence[Location]) -> str:
    """``52+53``: each paragraph's lines (partners of a merge need not be neighbours)."""
    return "+".join(_line_numbers((location,)) for location in locations)


def describe_passage(difference: PassageDifference) -> str:
    """One line for people about a passage, e.g. ``B contains 63% of A; A is
    88% of B; 6 paragraphs dropped (A lines 41, 43-47); merged: A 52+53 → B 68``."""
    parts = [coverage_phrase(difference.coverage_a, difference.coverage_b)]
    by_kind: dict[str, list[ParagraphChange]] = {}
    for change in difference.changes:
        by_kind.setdefault(change.kind, []).append(change)
    for kind in KINDS:
        changes = by_kind.get(kind, [])
        if not changes:
            continue
        if kind in (DROPPED, ADDED):
            side = "a" if kind == DROPPED else "b"
            runs = [getattr(change, side) for change in changes]
            count = sum(len(run) for run in runs)
            where = ", ".join(_line_numbers(run) for run in runs)
            label = "line" if where.isdigit() else "lines"
            parts.append(f"{_plural(count, 'paragraph')} {kind} ({side.upper()} {label} {where})")
        else:
            pairs = ", ".join(f"A {_line_list(c.a)} → B {_line_list(c.b)}" for c in changes)
            parts.append(f"{kind}: {pairs}")
    return "; ".join(parts)
