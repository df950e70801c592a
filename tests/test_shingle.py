"""Tests for dedupe.shingle: word n-grams and their datasketch-compatible hashes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from datasketch.hashfunc import sha1_hash32
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import shingle
from dedupe.shingle import hash_shingles, shingle_hashes, shingle_sets, shingles

word = st.text(alphabet=st.characters(exclude_categories=["Z", "Cs", "Cc"]), min_size=1, max_size=6)


def test_word_ngrams() -> None:
    assert shingles(["a", "rose", "is", "a", "rose"], size=3) == [
        b"a rose is",
        b"rose is a",
        b"is a rose",
    ]
    assert shingles(["a", "b", "c"], size=1) == [b"a", b"b", b"c"]
    assert shingles(["a", "b", "c", "d"], size=2) == [b"a b", b"b c", b"c d"]


def test_duplicates_are_kept_in_shingles_but_not_in_the_hash_set() -> None:
    words = ["la", "la", "la", "la", "la"]
    assert shingles(words, size=2) == [b"la la"] * 4
    assert len(shingle_hashes(words, size=2)) == 1


@pytest.mark.parametrize("count", [1, 2, 3])
def test_paragraph_shorter_than_size_is_one_shingle(count: int) -> None:
    words = ["one", "two", "three"][:count]
    assert shingles(words, size=3) == [" ".join(words).encode()]
    assert shingles(words, size=5) == [" ".join(words).encode()]


def test_no_words_no_shingles() -> None:
    assert shingles([], size=3) == []
    hashes = shingle_hashes([], size=3)
    assert hashes.dtype == np.uint32 and len(hashes) == 0


@pytest.mark.parametrize("size", [0, -1])
def test_size_must_be_positive(size: int) -> None:
    with pytest.raises(ValueError):
        shingles(["a", "b"], size=size)


def test_shingles_are_utf8() -> None:
    assert shingles(["café", "naïve", "日本"], size=2) == [
        "café naïve".encode(),
        "naïve 日本".encode(),
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(word, max_size=30), st.integers(min_value=1, max_value=6))
def test_shingle_count_and_content(words: list[str], size: int) -> None:
    result = shingles(words, size=size)
    if not words:
        assert result == []
    elif len(words) <= size:
        assert result == [" ".join(words).encode("utf-8")]
    else:
        assert len(result) == len(words) - size + 1
        for i, item in enumerate(result):
            assert item.decode("utf-8").split(" ") == words[i : i + size]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=50))
def test_hash_is_datasketch_sha1_hash32(items: list[bytes]) -> None:
    hashes = hash_shingles(items)
    assert hashes.dtype == np.uint32
    assert hashes.tolist() == [sha1_hash32(item) for item in items]


@settings(max_examples=200, deadline=None)
@given(st.lists(word, max_size=30), st.integers(min_value=1, max_value=5))
def test_shingle_hashes_is_the_sorted_set_of_hashes(words: list[str], size: int) -> None:
    hashes = shingle_hashes(words, size=size)
    expected = sorted({sha1_hash32(s) for s in shingles(words, size=size)})
    assert hashes.dtype == np.uint32
    assert hashes.tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(word, max_size=12), max_size=8), st.integers(min_value=1, max_value=4))
def test_shingle_sets_equal_one_paragraph_at_a_time(
    paragraphs: list[list[str]], size: int
) -> None:
    values, counts = shingle_sets(paragraphs, size=size)
    assert values.dtype == np.uint32 and counts.tolist() == [
        len({sha1_hash32(s) for s in shingles(p, size=size)}) for p in paragraphs
    ]
    offsets = np.concatenate(([0], np.cumsum(counts)))
    for i, paragraph in enumerate(paragraphs):
        expected = sorted({sha1_hash32(s) for s in shingles(paragraph, size=size)})
        assert values[offsets[i] : offsets[i + 1]].tolist() == expected


def test_shingle_sets_of_nothing() -> None:
    values, counts = shingle_sets([], size=3)
    assert len(values) == 0 and len(counts) == 0
    values, counts = shingle_sets([[], []], size=3)
    assert len(values) == 0 and counts.tolist() == [0, 0]


# -- word keys and distinct sets: compiled and numpy ---------------------------


# `path` (conftest): each test that asks for it runs compiled and with numpy.
KERNEL = (shingle, "_shingle_batch")


MASK64 = (1 << 64) - 1
# The fixture's patch holds for every example of a test.
UNDER_FIXTURE = [HealthCheck.function_scoped_fixture]


def mix(x: int) -> int:
    """splitmix64's finaliser, as the keys' definitions use it."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def reference_word_key(word: bytes) -> int:
    """word_keys' definition, one word in plain Python."""
    if len(word) > 64:
        return int.from_bytes(hashlib.blake2b(word, digest_size=8).digest(), "little")
    key = (len(word) * 0x9E3779B97F4A7C15) & MASK64
    for offset in range(0, len(word), 8):
        key = mix(key ^ int.from_bytes(word[offset : offset + 8], "little"))
    return key


@settings(max_examples=150, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(st.lists(st.binary(max_size=100), max_size=40))
def test_word_keys_follow_their_definition(path: str, words: list[bytes]) -> None:
    buffer = b" ".join(words)
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    starts = np.cumsum(lengths + 1) - lengths - 1
    keys = shingle.word_keys(buffer, starts, starts + lengths)
    assert keys.dtype == np.uint64
    assert keys.tolist() == [reference_word_key(w) for w in words]


def reference_sequence_key(keys: list[int]) -> int:
    """sequence_keys' definition, one sequence in plain Python."""
    golden = 0x9E3779B97F4A7C15
    total = sum(mix((k + (p + 1) * golden) & MASK64) for p, k in enumerate(keys)) & MASK64
    return mix(total ^ (len(keys) * golden & MASK64)) or 1


@settings(max_examples=150, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(st.lists(st.lists(st.integers(0, MASK64), max_size=12), max_size=10))
def test_sequence_keys_follow_their_definition(path: str, sequences: list[list[int]]) -> None:
    keys = np.array([k for sequence in sequences for k in sequence], dtype=np.uint64)
    counts = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
    got = shingle.sequence_keys(keys, counts)
    assert got.dtype == np.uint64
    assert got.tolist() == [reference_sequence_key(sequence) for sequence in sequences]


def test_word_keys_refuse_words_outside_the_buffer(path: str) -> None:
    with pytest.raises(ValueError, match="inside the buffer"):
        shingle.word_keys(b"abc", np.array([1]), np.array([4]))


@settings(max_examples=150, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(
    st.lists(
        st.one_of(
            st.lists(st.integers(0, 2**32 - 1), max_size=60),
            st.lists(st.integers(0, 5), max_size=200),  # many repeats, long runs
        ),
        max_size=12,
    )
)
def test_distinct_sets_are_sorted_sets(path: str, runs: list[list[int]]) -> None:
    values = np.array([v for run in runs for v in run], dtype=np.uint32)
    counts = np.array([len(run) for run in runs], dtype=np.int64)
    distinct, distinct_counts = shingle.distinct_sets(values, counts)
    assert distinct.dtype == np.uint32
    assert distinct_counts.tolist() == [len(set(run)) for run in runs]
    assert distinct.tolist() == [v for run in runs for v in sorted(set(run))]


def test_distinct_sets_of_sorted_reversed_and_equal_runs(path: str) -> None:
    # The orders that break a careless quicksort, at lengths around its cut-off.
    runs = []
    for n in (15, 16, 17, 33, 1000):
        runs += [list(range(n)), list(range(n, 0, -1)), [7] * n, [1, 0] * (n // 2)]
    values = np.array([v for run in runs for v in run], dtype=np.uint32)
    counts = np.array([len(run) for run in runs], dtype=np.int64)
    distinct, distinct_counts = shingle.distinct_sets(values, counts)
    assert distinct.tolist() == [v for run in runs for v in sorted(set(run))]
    assert distinct_counts.tolist() == [len(set(run)) for run in runs]


@pytest.mark.skipif(not shingle.COMPILED, reason="dedupe._shingle_batch was not built")
def test_compiled_module_checks_its_own_arguments() -> None:
    from dedupe import _shingle_batch

    values = np.arange(5, dtype=np.uint32)
    for counts in ([3, 3], [-1, 6]):
        with pytest.raises(ValueError, match="sum to len"):
            _shingle_batch.distinct_sorted_into(
                values, np.array(counts), np.empty_like(values), np.empty(2, np.int64)
            )
    with pytest.raises(ValueError, match="one length"):
        _shingle_batch.distinct_sorted_into(
            values, np.array([5]), np.empty(4, np.uint32), np.empty(1, np.int64)
        )
    with pytest.raises(ValueError, match="one length"):
        _shingle_batch.word_keys_into(b"ab", np.array([0]), np.array([1]), np.empty(2, np.uint64))
    keys = np.arange(5, dtype=np.uint64)
    for counts in ([3, 3], [-1, 6]):
        with pytest.raises(ValueError, match="sum to len"):
            _shingle_batch.sequence_keys_into(keys, np.array(counts), np.empty(2, np.uint64))
    with pytest.raises(ValueError, match="as long as out"):
        _shingle_batch.sequence_keys_into(keys, np.array([5]), np.empty(2, np.uint64))
