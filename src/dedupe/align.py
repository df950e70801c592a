"""Confirm a candidate pair with RapidFuzz and find the aligned regions.

Both paragraphs are compared as sequences of folded words
(:mod:`dedupe.normalize`). With ``L`` the length of their longest common
subsequence (``rapidfuzz.distance.LCSseq``):

* **exact**: the word sequences are equal (similarity 1.0);
* **near**: ``similarity = 2 L / (len_a + len_b)`` (RapidFuzz's normalized
  Indel similarity on words) reaches ``threshold``;
* **contained**: the shorter one is found, in order, inside one compact region
  of the longer one: ``similarity`` is the share of the shorter one's words
  covered there, and must reach ``contained_threshold``. A pair that
  qualifies both ways is *contained* when the shorter one has under
  ``CONTAINED_RATIO`` of the longer one's words (a headline inside a credit
  line, one paragraph inside two merged ones, a wire story cut short), else
  *near*.

The aligned regions (``spans``) are the runs of equal words from
``LCSseq.opcodes``, merged across small edits (at most ``max_edit`` words on
either side) as long as the merged region stays mostly equal; tiny leftovers
(fewer than ``min_span_words`` equal words) are dropped. Spans are word ranges
here; :mod:`dedupe.scan` maps them to original character offsets.

Example::

    >>> a = "at least 798 people in gaza have reportedly been killed".split()
    >>> b = "at least 798 people in gaza have been killed while".split()
    >>> alignment = align(a, b, threshold=0.5)
    >>> alignment.kind, round(alignment.similarity, 2), alignment.spans
    ('near', 0.9, ((0, 10, 0, 9),))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

EXACT, NEAR, CONTAINED = "exact", "near", "contained"
KINDS = (EXACT, NEAR, CONTAINED)
CONTAINED_RATIO = 0.75


@dataclass(frozen=True, slots=True)
class Alignment:
    """A confirmed pair. ``spans`` hold word ranges ``(a_start, a_end,
    b_start, b_end)``, end exclusive, in order along both paragraphs."""

    kind: str
    similarity: float
    spans: tuple[tuple[int, int, int, int], ...]
    matched_words: int


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Word-level similarity ``2 L / (len_a + len_b)`` in [0, 1] (1.0 for two empties)."""
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    return 2.0 * LCSseq.similarity(a, b) / total


def align(
    a: Sequence[str],
    b: Sequence[str],
    *,
    threshold: float = 0.5,
    contained_threshold: float = 0.8,
    min_contained_words: int = 3,
    max_edit: int = 3,
    min_span_words: int = 3,
) -> Alignment | None:
    """Classify and align two word sequences; ``None`` when they are not copies."""
    if not a or not b:
        return None
    if list(a) == list(b):
        return Alignment(EXACT, 1.0, ((0, len(a), 0, len(b)),), len(a))

    total = len(a) + len(b)
    shortest = min(len(a), len(b))
    # An upper bound first: L <= shortest, so skip the alignment when even a
    # perfect containment could not reach either bar.
    best_near = 2.0 * shortest / total
    could_contain = shortest >= min_contained_words
    if best_near < threshold and not could_contain:
        return None

    cutoff = None if could_contain else int(threshold * total / 2.0 - 1e-9)
    common = LCSseq.similarity(a, b, score_cutoff=cutoff)
    score = 2.0 * common / total
    if not common:
        return None
    blocks = _equal_blocks(a, b)
    lopsided = shortest < CONTAINED_RATIO * max(len(a), len(b))
    if score >= threshold and not (lopsided and common >= contained_threshold * shortest):
        spans = _merge(blocks, max_edit=max_edit, min_words=min(min_span_words, shortest))
        return Alignment(NEAR, score, spans, common)
    if not could_contain or common < contained_threshold * shortest:
        return None

    # Containment: the densest region of the longer side.
    a_is_short = len(a) <= len(b)
    region = _densest_region(blocks, short_len=shortest, a_is_short=a_is_short)
    covered = sum(block[1] - block[0] for block in region)
    coverage = covered / shortest
    if coverage < contained_threshold:
        if score >= threshold:
            spans = _merge(blocks, max_edit=max_edit, min_words=min(min_span_words, shortest))
            return Alignment(NEAR, score, spans, common)
        return None
    spans = _merge(region, max_edit=max_edit, min_words=min(min_span_words, shortest))
    return Alignment(CONTAINED, coverage, spans, covered)


def _equal_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    return [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in LCSseq.opcodes(a, b)
        if op.tag == "equal"
    ]


def _densest_region(
    blocks: list[tuple[int, int, int, int]], *, short_len: int, a_is_short: bool
) -> list[tuple[int, int, int, int]]:
    """The run of consecutive blocks, spanning at most ~1.5x the short side on
    the long side, that covers the most words of the short side.

    Common words ("the", "of") of a short item also occur far apart in a long
    paragraph; only a compact region is evidence that the item was copied.
    """
    window = int(1.5 * short_len) + 2
    long_start, long_end = (2, 3) if a_is_short else (0, 1)
    best: tuple[int, int, int] = (0, 0, 0)  # covered, first, last (exclusive)
    first = 0
    covered = 0
    for last, block in enumerate(blocks):
        covered += block[1] - block[0]
        while block[long_end] - blocks[first][long_start] > window:
            covered -= blocks[first][1] - blocks[first][0]
            first += 1
        if covered > best[0]:
            best = (covered, first, last + 1)
    return blocks[best[1] : best[2]]


def _merge(
    blocks: Sequence[tuple[int, int, int, int]], *, max_edit: int, min_words: int
) -> tuple[tuple[int, int, int, int], ...]:
    """Join equal runs separated by small edits; drop runs that are too small."""
    merged: list[list[int]] = []  # a_start, a_end, b_start, b_end, equal words
    for a0, a1, b0, b1 in blocks:
        if merged:
            last = merged[-1]
            gap_a, gap_b = a0 - last[1], b0 - last[3]
            equal = last[4] + (a1 - a0)
            extent = max(a1 - last[0], b1 - last[2])
            if max(gap_a, gap_b) <= max_edit and equal >= 0.75 * extent:
                last[1], last[3], last[4] = a1, b1, equal
                continue
        merged.append([a0, a1, b0, b1, a1 - a0])
    return tuple((m[0], m[1], m[2], m[3]) for m in merged if m[4] >= min_words)
