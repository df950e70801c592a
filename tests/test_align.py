"""Tests for dedupe.align: classification of a candidate pair and its aligned spans."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq

from dedupe import align as align_module
from dedupe.align import CONTAINED, EXACT, KINDS, NEAR, Alignment, align, similarity

SENTENCE = str.split(
    "at least 798 people in gaza have reportedly been killed since the start of the "
    "ground offensive according to the health ministry in the territory"
)
FILLER = [f"filler{i}" for i in range(200)]


def check_spans(result: Alignment, a: list[str], b: list[str]) -> None:
    """Spans in bounds, in order and not overlapping on both sides, words alike."""
    previous_a = previous_b = 0
    for a0, a1, b0, b1 in result.spans:
        assert previous_a <= a0 < a1 <= len(a)
        assert previous_b <= b0 < b1 <= len(b)
        assert LCSseq.normalized_similarity(a[a0:a1], b[b0:b1]) >= 0.7
        previous_a, previous_b = a1, b1


COMPACT_BUG = (
    "BUG: containment only looks for a compact region among the equal blocks of the one "
    "LCS that LCSseq.opcodes returns; when the item's words also occur earlier, scattered, "
    "the LCS uses those and the verbatim copy further on is never considered"
)
SYMMETRY_BUG = (
    "BUG: align(a, b) and align(b, a) disagree (kind, similarity, None vs contained, spans) "
    "because LCSseq.opcodes picks a different LCS when its arguments are swapped"
)


def mirrored(result: Alignment) -> tuple[tuple[int, int, int, int], ...]:
    return tuple((b0, b1, a0, a1) for a0, a1, b0, b1 in result.spans)


# --------------------------------------------------------------------------- examples


def test_exact() -> None:
    result = align(SENTENCE, list(SENTENCE))
    assert result == Alignment(EXACT, 1.0, ((0, len(SENTENCE), 0, len(SENTENCE)),), len(SENTENCE))


def test_near_copy_with_small_edits() -> None:
    a = SENTENCE[:10]
    b = [*SENTENCE[:7], "been", "killed", "while"]
    result = align(a, b, threshold=0.5)
    assert result is not None
    assert result.kind == NEAR
    assert result.similarity == pytest.approx(2 * 9 / 20)
    assert result.matched_words == 9
    assert result.spans == ((0, 10, 0, 9),)


def test_one_substitution() -> None:
    b = list(SENTENCE)
    b[10] = "changed"
    result = align(SENTENCE, b)
    assert result is not None and result.kind == NEAR
    assert result.similarity == pytest.approx(similarity(SENTENCE, b))
    assert result.spans == ((0, len(b), 0, len(b)),)  # one edit is merged over
    assert result.matched_words == len(b) - 1


def test_near_threshold_is_respected() -> None:
    a = [f"w{i}" for i in range(10)]
    b = a[:6] + [f"x{i}" for i in range(4)]  # 6 of 10 in common: similarity 0.6
    assert similarity(a, b) == pytest.approx(0.6)
    near = align(a, b, threshold=0.6)
    assert near is not None and near.kind == NEAR
    assert near.similarity == pytest.approx(0.6)
    assert align(a, b, threshold=0.61) is None


def test_unrelated_text_is_none() -> None:
    a = ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"]
    b = ["stock", "markets", "fell", "sharply", "on", "monday", "after", "the", "report"]
    assert align(a, b) is None
    assert align(SENTENCE, FILLER[:30]) is None


def test_empty_side_is_none() -> None:
    assert align([], SENTENCE) is None
    assert align(SENTENCE, []) is None
    assert align([], []) is None


def test_short_item_inside_a_long_paragraph_is_contained() -> None:
    headline = SENTENCE[:8]
    long = FILLER[:40] + headline + FILLER[40:80]
    result = align(headline, long)
    assert result is not None
    assert result.kind == CONTAINED
    assert result.similarity == 1.0
    assert result.matched_words == 8
    assert result.spans == ((0, 8, 40, 48),)
    check_spans(result, headline, long)


def test_contained_threshold_is_respected() -> None:
    item = SENTENCE[:10]
    edited = [*item[:5], "other", "words", *item[7:]]  # 8 of 10 words survive
    long = FILLER[:50] + edited + FILLER[50:100]
    found = align(item, long, contained_threshold=0.8)
    assert found is not None
    assert found.kind == CONTAINED
    assert found.similarity == pytest.approx(0.8)
    assert found.matched_words == 8
    assert align(item, long, contained_threshold=0.81) is None


def test_min_contained_words_is_respected() -> None:
    item = SENTENCE[:4]
    long = FILLER[:50] + item + FILLER[50:100]
    found = align(item, long, min_contained_words=4)
    assert found is not None and found.kind == CONTAINED
    assert align(item, long, min_contained_words=5) is None


def test_lopsided_pair_is_contained_balanced_pair_is_near() -> None:
    # Under CONTAINED_RATIO (0.75) of the longer one's words: contained ...
    item = SENTENCE[:12]
    lopsided = align(item, item + FILLER[:5])  # 12 < 0.75 * 17
    assert lopsided is not None and lopsided.kind == CONTAINED
    assert lopsided.similarity == 1.0
    # ... otherwise near, with the word-level similarity.
    balanced = align(item, item + FILLER[:3])  # 12 >= 0.75 * 15
    assert balanced is not None and balanced.kind == NEAR
    assert balanced.similarity == pytest.approx(24 / 27)


def test_scattered_words_are_not_contained() -> None:
    # Every word of the short item occurs, in order, but spread across the
    # paragraph: not a copy.
    item = SENTENCE[:6]
    long: list[str] = []
    for word in item:
        long += [*FILLER[len(long) : len(long) + 30], word]
    assert LCSseq.similarity(item, long) == len(item)
    assert align(item, long) is None


def test_contained_picks_the_compact_region() -> None:
    # The item's words occur scattered early on and together later: the
    # alignment must point at the compact copy.
    item = SENTENCE[:8]
    scattered: list[str] = []
    for i, word in enumerate(item):
        scattered += [FILLER[i], FILLER[i + 20], word]
    long = scattered + FILLER[100:140] + item + FILLER[140:160]
    result = align(item, long)
    assert result is not None
    assert result.kind == CONTAINED
    start = len(scattered) + 40
    assert result.spans == ((0, 8, start, start + 8),)
    assert long[start : start + 8] == item


def test_contained_spans_skip_small_edits_but_not_unrelated_stretches() -> None:
    item = SENTENCE[:20]
    copy = [*item[:10], "inserted", *item[10:]]
    long = FILLER[:30] + copy + FILLER[30:60]
    result = align(item, long)
    assert result is not None and result.kind == CONTAINED
    assert result.spans == ((0, 20, 30, 51),)
    check_spans(result, item, long)


def test_near_spans_split_around_a_large_insertion() -> None:
    a = SENTENCE
    b = SENTENCE[:12] + FILLER[:8] + SENTENCE[12:]
    result = align(a, b, threshold=0.5)
    assert result is not None and result.kind == NEAR
    assert result.spans == ((0, 12, 0, 12), (12, len(a), 20, len(b)))
    check_spans(result, a, b)


def test_tiny_leftovers_are_not_spans() -> None:
    a = [*SENTENCE[:12], "x1", "x2", "x3", "x4", "x5", "common", "pair"]
    b = [*SENTENCE[:12], "y1", "y2", "y3", "y4", "y5", "common", "pair"]
    result = align(a, b)
    assert result is not None
    assert result.spans == ((0, 12, 0, 12),)  # the 2-word run is dropped
    assert result.matched_words == 14  # but it still counts as matched


def test_short_pair_reaching_the_near_threshold_is_near() -> None:
    a, b = ["x", "y"], ["x", "y", "z"]
    assert similarity(a, b) == pytest.approx(0.8)
    result = align(a, b, threshold=0.5)
    assert result is not None and result.kind == NEAR


def test_kind_does_not_depend_on_argument_order() -> None:
    short = ["c", "f", "b", "e", "d"]
    long = ["f", "d", "e", "h", "h", "c", "b", "e", "g", "d"]
    forward, backward = align(short, long), align(long, short)
    assert forward is not None and backward is not None
    assert (forward.kind, forward.similarity) == (backward.kind, backward.similarity)


def test_spans_do_not_depend_on_argument_order() -> None:
    a, b = ["c", "b", "a", "d"], ["c", "b", "d", "a"]
    forward, backward = align(a, b), align(b, a)
    assert forward is not None and backward is not None
    assert forward.spans == mirrored(backward)


def test_similarity_is_word_level_indel() -> None:
    assert similarity([], []) == 1.0
    assert similarity(["a"], []) == 0.0
    assert similarity(["a", "b", "c"], ["a", "c"]) == pytest.approx(4 / 5)
    assert similarity(["a", "b"], ["b", "a"]) == pytest.approx(2 / 4)


# --------------------------------------------------------------------------- properties

VOCABULARIES = [
    ["the", "of", "a", "to", "in", "and"],  # few words: many repeats, ambiguous alignments
    [f"w{i}" for i in range(40)],
    SENTENCE,
]


@st.composite
def edited_pairs(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A base word list and a copy with a few words substituted, inserted or deleted,
    sometimes embedded in other text, in either order."""
    vocabulary = draw(st.sampled_from(VOCABULARIES))
    base = draw(st.lists(st.sampled_from(vocabulary), min_size=3, max_size=40))
    copy = list(base)
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        operation = draw(st.sampled_from(["substitute", "insert", "delete"]))
        position = draw(st.integers(min_value=0, max_value=len(copy) - 1))
        word = draw(st.sampled_from([*vocabulary, "new", "other"]))
        if operation == "substitute":
            copy[position] = word
        elif operation == "insert":
            copy.insert(position, word)
        elif len(copy) > 1:
            del copy[position]
    if draw(st.booleans()):
        before = draw(st.lists(st.sampled_from(FILLER[:20] + vocabulary), max_size=40))
        after = draw(st.lists(st.sampled_from(FILLER[:20] + vocabulary), max_size=40))
        copy = before + copy + after
    return (copy, base) if draw(st.booleans()) else (base, copy)


thresholds = st.sampled_from([(0.5, 0.8), (0.3, 0.6), (0.7, 0.9), (0.9, 0.8)])


@settings(max_examples=200, deadline=None)
@given(edited_pairs(), thresholds)
def test_alignment_properties(pair: tuple[list[str], list[str]], bars: tuple[float, float]) -> None:
    a, b = pair
    threshold, contained_threshold = bars
    result = align(a, b, threshold=threshold, contained_threshold=contained_threshold)
    if result is None:
        if min(len(a), len(b)) >= 3:  # shorter pairs: see test_short_pair_reaching_...
            assert similarity(a, b) < threshold
        return
    assert result.kind in KINDS
    check_spans(result, a, b)
    spanned = sum(min(a1 - a0, b1 - b0) for a0, a1, b0, b1 in result.spans)
    assert result.matched_words >= 1
    if result.kind == EXACT:
        assert a == b and result.similarity == 1.0
    elif result.kind == NEAR:
        assert result.similarity == pytest.approx(similarity(a, b))
        assert result.similarity >= threshold
        assert result.matched_words == LCSseq.similarity(a, b)
    else:
        assert result.similarity >= contained_threshold
        shorter = min(len(a), len(b))
        assert result.matched_words == pytest.approx(result.similarity * shorter)
        assert result.matched_words <= LCSseq.similarity(a, b)
        # One compact region of the longer side: at most ~1.5x the shorter one.
        long_side = [(b0, b1) if len(a) <= len(b) else (a0, a1) for a0, a1, b0, b1 in result.spans]
        if long_side:
            assert long_side[-1][1] - long_side[0][0] <= 1.5 * shorter + 2
    assert spanned <= max(len(a), len(b))


@settings(max_examples=200, deadline=None)
@given(edited_pairs(), thresholds)
@example((["c", "b", "a", "d"], ["c", "b", "d", "a"]), (0.5, 0.8))
def test_alignment_is_symmetric(
    pair: tuple[list[str], list[str]], bars: tuple[float, float]
) -> None:
    a, b = pair
    threshold, contained_threshold = bars
    forward = align(a, b, threshold=threshold, contained_threshold=contained_threshold)
    backward = align(b, a, threshold=threshold, contained_threshold=contained_threshold)
    if forward is None or backward is None:
        assert forward is backward is None
        return
    assert forward.kind == backward.kind
    assert forward.similarity == pytest.approx(backward.similarity)
    assert forward.matched_words == backward.matched_words
    assert forward.spans == mirrored(backward)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARIES[1]), min_size=1, max_size=60))
def test_identical_lists_are_exact(words: list[str]) -> None:
    result = align(words, list(words))
    assert result is not None
    assert result.kind == EXACT
    assert result.spans == ((0, len(words), 0, len(words)),)


# -- the longest common subsequences of many pairs, compiled -------------------

needs_kernel = pytest.mark.skipif(not align_module.COMPILED, reason="dedupe._align_batch not built")


def _store(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    values = np.array([value for sequence in sequences for value in sequence], dtype=np.uint32)
    lengths = [len(sequence) for sequence in sequences]
    return values, np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


# Small alphabets make long common subsequences; lengths around 64 and 128
# cross the kernel's 64-bit words.
_SEQUENCE = st.integers(1, 6).flatmap(
    lambda alphabet: st.lists(st.integers(0, alphabet).map(lambda v: v * 2654435761 % 2**32),
                              max_size=140)
)  # fmt: skip


@needs_kernel
@settings(max_examples=200, deadline=None)
@given(st.lists(_SEQUENCE, min_size=1, max_size=6), st.data())
def test_compiled_common_word_counts_are_rapidfuzz_lcs(
    sequences: list[list[int]], data: st.DataObject
) -> None:
    values, offsets = _store(sequences)
    row = st.integers(0, len(sequences) - 1)
    pairs = data.draw(st.lists(st.tuples(row, row), max_size=12))
    rows_a = np.array([a for a, _ in pairs], dtype=np.int64)
    rows_b = np.array([b for _, b in pairs], dtype=np.int64)
    counts = align_module.common_word_counts(values, offsets, rows_a, rows_b)
    assert counts.tolist() == [LCSseq.similarity(sequences[a], sequences[b]) for a, b in pairs]


@needs_kernel
def test_threads_split_the_common_word_counts_without_changing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(7)
    sequences = [[rng.randrange(12) for _ in range(rng.randrange(0, 150))] for _ in range(40)]
    values, offsets = _store(sequences)
    rows_a = np.array([rng.randrange(40) for _ in range(1001)], dtype=np.int64)
    rows_b = np.array([rng.randrange(40) for _ in range(1001)], dtype=np.int64)
    one = align_module.common_word_counts(values, offsets, rows_a, rows_b)
    monkeypatch.setattr(align_module, "_THREAD_MIN_PAIRS", 100)
    for jobs in (2, 3, 64):
        split = align_module.common_word_counts(values, offsets, rows_a, rows_b, jobs=jobs)
        assert split.tolist() == one.tolist()
    assert one.tolist() == [
        LCSseq.similarity(sequences[a], sequences[b])
        for a, b in zip(rows_a.tolist(), rows_b.tolist(), strict=True)
    ]


@needs_kernel
@settings(max_examples=300, deadline=None)
@given(
    st.lists(_SEQUENCE, min_size=2, max_size=2),
    st.floats(0.05, 1.0),
    st.floats(0.05, 1.0),
    st.integers(0, 6),
)
def test_may_align_lets_through_every_pair_align_confirms(
    sequences: list[list[int]], threshold: float, contained: float, min_words: int
) -> None:
    values, offsets = _store(sequences)
    bars = {
        "threshold": threshold,
        "contained_threshold": contained,
        "min_contained_words": min_words,
    }
    mask = align_module.may_align(values, offsets, np.array([0]), np.array([1]), **bars)
    needed = align_module.common_words_needed(len(sequences[0]), len(sequences[1]), **bars)
    assert bool(mask[0]) == (LCSseq.similarity(*sequences) >= needed)
    if align(*sequences, **bars) is not None:
        assert mask[0]


@needs_kernel
def test_compiled_common_word_counts_check_their_arrays() -> None:
    values, offsets = _store([[1, 2, 3], [2, 3]])
    with pytest.raises(ValueError, match="rows must name sequences"):
        align_module.common_word_counts(values, offsets, np.array([0]), np.array([2]))
    with pytest.raises(ValueError, match="offsets must rise"):
        align_module.common_word_counts(values, np.array([0, 4, 9]), np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match="offsets must rise"):
        align_module.common_word_counts(values, np.array([0, 3, 2]), np.array([0]), np.array([1]))
