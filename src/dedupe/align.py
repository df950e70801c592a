"""Confirm a candidate pair with RapidFuzz and find the aligned regions.

Both paragraphs are compared as sequences of folded words
(:mod:`dedupe.normalize`), or of their hashes: only equality and order of
the elements matter, and the pipeline aligns the 32-bit word hashes its
sketches keep. With ``L`` the length of their longest common
subsequence (``rapidfuzz.distance.LCSseq``):

* **exact**: the word sequences are equal (similarity 1.0);
* **near**: ``similarity = 2 L / (len_a + len_b)`` (RapidFuzz's normalized
  Indel similarity on words) reaches ``threshold``;
* **contained**: the shorter one is found, in order, inside one compact region
  of the longer one: ``similarity`` is the share of the shorter one's words
  covered there, and must reach ``contained_threshold``. Only a lopsided
  pair can be contained: the shorter one has under ``CONTAINED_RATIO`` of
  the longer one's words (a headline inside a credit line, one paragraph
  inside two merged ones, a wire story cut short). Containment is checked
  first; a lopsided pair that is not contained can still be near.

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

import itertools
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from rapidfuzz.distance import LCSseq

from dedupe import _compiled

_align_batch = _compiled.load("_align_batch")
#: Whether :func:`common_word_counts` is compiled (else it is not available,
#: and :func:`may_align` lets every pair through to :func:`align`).
COMPILED = _align_batch is not None

# Folded words, or their hashes: anything compared by equality and ordered.
Words: TypeAlias = Sequence[str] | Sequence[int]

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


def similarity(a: Words, b: Words) -> float:
    """Word-level similarity ``2 L / (len_a + len_b)`` in [0, 1] (1.0 for two empties)."""
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    return 2.0 * LCSseq.similarity(a, b) / total


def align(
    a: Words,
    b: Words,
    *,
    threshold: float = 0.5,
    contained_threshold: float = 0.8,
    min_contained_words: int = 3,
    max_edit: int = 3,
    min_span_words: int = 3,
) -> Alignment | None:
    """Classify and align two word sequences; ``None`` when they are not copies.

    Symmetric: ``align(b, a)`` is ``align(a, b)`` with the spans mirrored.
    """
    # (The pipeline passes lists already: ~86,000 pairs at 50 MB of text.)
    first = a if type(a) is list else list(a)
    second = b if type(b) is list else list(b)
    if not first or not second:
        return None
    if first == second:
        return Alignment(EXACT, 1.0, ((0, len(first), 0, len(second)),), len(first))
    # Several longest common subsequences can exist and which one RapidFuzz
    # returns depends on the argument order: always align in one canonical
    # order so the answer does not depend on which document came first.
    swapped = second < first
    if swapped:
        first, second = second, first
    result = _align(
        first,
        second,
        threshold=threshold,
        contained_threshold=contained_threshold,
        min_contained_words=min_contained_words,
        max_edit=max_edit,
        min_span_words=min_span_words,
    )
    return mirror(result) if swapped and result is not None else result


def mirror(alignment: Alignment) -> Alignment:
    """The same alignment seen from the other side."""
    spans = tuple((b0, b1, a0, a1) for a0, a1, b0, b1 in alignment.spans)
    return Alignment(alignment.kind, alignment.similarity, spans, alignment.matched_words)


def _align(
    a: list,
    b: list,
    *,
    threshold: float,
    contained_threshold: float,
    min_contained_words: int,
    max_edit: int,
    min_span_words: int,
) -> Alignment | None:
    total = len(a) + len(b)
    shortest, longest = min(len(a), len(b)), max(len(a), len(b))
    min_words = min(min_span_words, shortest)
    could_contain = _could_contain(shortest, longest, min_contained_words)
    # L <= shortest: skip the alignment when even a perfect match of the
    # shorter side could not reach the near threshold.
    if 2.0 * shortest / total < threshold and not could_contain:
        return None
    # Below this many common words neither bar can be reached: RapidFuzz
    # stops early and returns 0.
    needed = common_words_needed(
        len(a),
        len(b),
        threshold=threshold,
        contained_threshold=contained_threshold,
        min_contained_words=min_contained_words,
    )
    common = LCSseq.similarity(a, b, score_cutoff=needed)
    if could_contain and common >= contained_threshold * shortest:
        contained = _contained(a, b, contained_threshold, max_edit, min_words)
        if contained is not None:
            return contained
    score = 2.0 * common / total
    if common and score >= threshold:
        spans = _merge(_equal_blocks(a, b), max_edit=max_edit, min_words=min_words)
        return Alignment(NEAR, score, spans, common)
    return None


def _could_contain(shortest: int, longest: int, min_contained_words: int) -> bool:
    return shortest < CONTAINED_RATIO * longest and shortest >= min_contained_words


def common_words_needed(
    len_a: int,
    len_b: int,
    *,
    threshold: float = 0.5,
    contained_threshold: float = 0.8,
    min_contained_words: int = 3,
) -> int:
    """The fewest common words (longest common subsequence) with which two
    sequences of these lengths can be near or contained: with fewer,
    :func:`align` returns ``None``."""
    needed = math.ceil(threshold * (len_a + len_b) / 2.0 - 1e-9)
    shortest, longest = min(len_a, len_b), max(len_a, len_b)
    if _could_contain(shortest, longest, min_contained_words):
        needed = min(needed, math.ceil(contained_threshold * shortest - 1e-9))
    return needed


def common_word_counts(
    values: np.ndarray,
    offsets: np.ndarray,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
    *,
    jobs: int = 1,
) -> np.ndarray:
    """The longest common subsequence of each pair of sequences ``rows_a[i]``,
    ``rows_b[i]``, sequence ``r`` being ``values[offsets[r]:offsets[r + 1]]``
    (``uint32``, the corpus's word hashes): ``LCSseq.similarity`` of each
    pair, bit-parallel in C without a Python call per pair. Only where the
    install built ``dedupe._align_batch`` (:data:`COMPILED`).

    ``jobs`` > 1 splits many pairs among that many threads (the kernel runs
    without the GIL): 86,050 pairs at 50 MB took 0.17 s in one, 0.09 s in two.
    """
    if _align_batch is None:
        raise RuntimeError("dedupe._align_batch was not built (no C compiler at install)")
    out = np.empty(len(rows_a), dtype=np.int32)
    values = np.ascontiguousarray(values, dtype=np.uint32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    rows_a = np.ascontiguousarray(rows_a, dtype=np.int64)
    rows_b = np.ascontiguousarray(rows_b, dtype=np.int64)

    def count(part: slice) -> None:
        _align_batch.lcs_lengths_into(values, offsets, rows_a[part], rows_b[part], out[part])

    parts = max(1, min(jobs, len(out) // _THREAD_MIN_PAIRS))
    if parts == 1:
        count(slice(None))
        return out
    cuts = np.linspace(0, len(out), parts + 1).astype(np.int64).tolist()
    with ThreadPoolExecutor(parts) as pool:
        list(pool.map(count, itertools.starmap(slice, itertools.pairwise(cuts))))
    return out


# Fewer pairs than this per thread are not worth starting one for.
_THREAD_MIN_PAIRS = 10_000


def may_align(
    values: np.ndarray,
    offsets: np.ndarray,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
    *,
    threshold: float = 0.5,
    contained_threshold: float = 0.8,
    min_contained_words: int = 3,
    jobs: int = 1,
) -> np.ndarray:
    """Which pairs (as for :func:`common_word_counts`, with ``jobs`` threads)
    :func:`align` could confirm: those with at least
    :func:`common_words_needed` common words. The others it would reject for
    certain, so a caller may skip them. All pairs where the kernel was not
    built (telling them apart in Python would cost what aligning them does)."""
    if _align_batch is None:
        return np.ones(len(rows_a), dtype=bool)
    lengths = np.diff(np.asarray(offsets, dtype=np.int64))
    len_a, len_b = lengths[rows_a], lengths[rows_b]
    # common_words_needed over arrays: the same float64 operations in the
    # same order, so the same integers.
    needed = np.ceil(threshold * (len_a + len_b) / 2.0 - 1e-9)
    shortest, longest = np.minimum(len_a, len_b), np.maximum(len_a, len_b)
    could_contain = (shortest < CONTAINED_RATIO * longest) & (shortest >= min_contained_words)
    contained_needed = np.ceil(contained_threshold * shortest - 1e-9)
    needed = np.where(could_contain, np.minimum(needed, contained_needed), needed)
    return common_word_counts(values, offsets, rows_a, rows_b, jobs=jobs) >= needed


def _equal_blocks(a: Words, b: Words) -> list[tuple[int, int, int, int]]:
    return [
        (op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in LCSseq.opcodes(a, b)
        if op.tag == "equal"
    ]


def _contained(
    a: list, b: list, contained_threshold: float, max_edit: int, min_words: int
) -> Alignment | None:
    """The short side found in one compact window of the long side.

    Common words ("the", "of") of a short item also occur scattered through a
    long paragraph, and a longest common subsequence over the whole of it may
    use them; only a window about the item's own length is evidence of a
    copy. Windows of ``n + n//2 + 2`` words every ``n//2`` words cover every
    verbatim occurrence of an ``n``-word item whole.
    """
    a_is_short = len(a) <= len(b)
    short, long = (a, b) if a_is_short else (b, a)
    n = len(short)
    width = n + n // 2 + 2
    step = max(1, n // 2)
    needed = math.ceil(contained_threshold * n - 1e-9)
    best, best_start = 0, 0
    for start in range(0, max(1, len(long) - width + step), step):
        found = LCSseq.similarity(short, long[start : start + width], score_cutoff=needed)
        if found > best:
            best, best_start = found, start
    if best < needed:
        return None
    window = long[best_start : best_start + width]
    blocks = [
        (s0, s1, l0 + best_start, l1 + best_start)
        for s0, s1, l0, l1 in _equal_blocks(short, window)
    ]
    spans = _merge(blocks, max_edit=max_edit, min_words=min_words)
    result = Alignment(CONTAINED, best / n, spans, best)
    return result if a_is_short else mirror(result)


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
