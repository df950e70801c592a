"""Tests for dedupe.shingle: word n-grams and their datasketch-compatible hashes."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch.hashfunc import sha1_hash32
from hypothesis import given, settings
from hypothesis import strategies as st

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
