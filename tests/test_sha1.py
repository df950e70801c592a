"""Tests for dedupe.sha1: the vectorised SHA-1 gives hashlib's digest, on
both of its paths (numpy lanes and one by one)."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
from datasketch.hashfunc import sha1_hash32 as datasketch_sha1_hash32
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import sha1
from dedupe.sha1 import sha1_hash32, sha1_hash32_of


def expected(messages: list[bytes]) -> np.ndarray:
    return np.array(
        [int.from_bytes(hashlib.sha1(m).digest()[:4], "little") for m in messages], dtype=np.uint32
    )


def packed(messages: list[bytes]) -> tuple[bytes, np.ndarray, np.ndarray]:
    lengths = np.array([len(m) for m in messages], dtype=np.int64)
    ends = np.cumsum(lengths)
    return b"".join(messages), ends - lengths, ends


@pytest.fixture
def always_vectorised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message through the numpy lanes, however few share a block count."""
    monkeypatch.setattr(sha1, "_MIN_VECTOR", 1)


def test_one_message_is_datasketch_sha1_hash32() -> None:
    for message in (b"", b"a", b"a rose is a rose", "日本 café".encode()):
        assert sha1_hash32_of(message) == datasketch_sha1_hash32(message)


def test_thousands_of_messages_of_every_block_count() -> None:
    # Lengths 0-300 make groups of 1 to 5 blocks, each large enough for the
    # numpy path; the longest group goes one by one.
    rng = random.Random(7)
    messages = [rng.randbytes(rng.randint(0, 300)) for _ in range(12_000)]
    assert np.array_equal(sha1_hash32(*packed(messages)), expected(messages))


@pytest.mark.usefixtures("always_vectorised")
def test_padding_boundaries() -> None:
    # 55 bytes is the longest one-block message; 56-63 put the length in a
    # block of its own; 64 fills a block exactly.
    lengths = [0, 1, 3, 4, 5, 51, 52, 54, 55, 56, 57, 60, 63, 64, 65, 119, 120, 127, 128, 247]
    messages = [bytes(range(256))[:n] for n in lengths] + [b"\xff" * n for n in lengths]
    assert np.array_equal(sha1_hash32(*packed(messages)), expected(messages))


@pytest.mark.usefixtures("always_vectorised")
@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=140), min_size=1, max_size=40))
def test_vectorised_path_equals_hashlib(messages: list[bytes]) -> None:
    assert np.array_equal(sha1_hash32(*packed(messages)), expected(messages))


@pytest.mark.usefixtures("always_vectorised")
@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.data())
def test_overlapping_slices_of_one_buffer(buffer: bytes, data: st.DataObject) -> None:
    bounds = data.draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=len(buffer)),
                st.integers(min_value=0, max_value=len(buffer)),
            ),
            min_size=1,
            max_size=30,
        )
    )
    starts = np.array([min(pair) for pair in bounds])
    ends = np.array([max(pair) for pair in bounds])
    got = sha1_hash32(buffer, starts, ends)
    slices = [buffer[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert np.array_equal(got, expected(slices))


def test_both_paths_agree_on_a_shingle_like_batch() -> None:
    rng = random.Random(3)
    words = [bytes(rng.choices(b"abcdefghij", k=rng.randint(1, 12))) for _ in range(400)]
    messages = [b" ".join(rng.sample(words, 3)) for _ in range(3_000)]
    vectorised = sha1_hash32(*packed(messages))
    one_by_one = np.array([sha1_hash32_of(m) for m in messages], dtype=np.uint32)
    assert np.array_equal(vectorised, one_by_one)


def test_no_messages() -> None:
    result = sha1_hash32(b"abc", np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert result.dtype == np.uint32 and result.shape == (0,)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [([0], [4]), ([-1], [2]), ([2], [1]), ([0, 1], [1])],
)
def test_slices_outside_the_buffer_are_refused(starts: list[int], ends: list[int]) -> None:
    with pytest.raises(ValueError):
        sha1_hash32(b"abc", np.array(starts), np.array(ends))
