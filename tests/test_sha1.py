"""Tests for dedupe.sha1: the batched SHA-1 gives hashlib's digest on every
path: compiled (vector lanes, and the scalar build other compilers get),
numpy lanes, and one by one."""

from __future__ import annotations

import hashlib
import importlib.util
import random
from pathlib import Path

import numpy as np
import pytest
from datasketch.hashfunc import sha1_hash32 as datasketch_sha1_hash32
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import sha1
from dedupe.sha1 import sha1_hash32, sha1_hash32_of, sha1_hash32_runs


def expected(messages: list[bytes]) -> np.ndarray:
    return np.array(
        [int.from_bytes(hashlib.sha1(m).digest()[:4], "little") for m in messages], dtype=np.uint32
    )


def packed(messages: list[bytes]) -> tuple[bytes, np.ndarray, np.ndarray]:
    lengths = np.array([len(m) for m in messages], dtype=np.int64)
    ends = np.cumsum(lengths)
    return b"".join(messages), ends - lengths, ends


SOURCE = Path(__file__).resolve().parents[1] / "src" / "dedupe" / "_sha1_batch.c"


@pytest.fixture(params=["compiled", "numpy", "numpy lanes"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each way :func:`sha1_hash32` can hash: the compiled module where the
    install built it; numpy as set up (lanes for large groups, the standard
    library for the rest); numpy lanes for every message, however few share
    a block count."""
    if request.param == "compiled":
        if not sha1.COMPILED:
            pytest.skip("dedupe._sha1_batch was not built (no C compiler at install)")
    else:
        monkeypatch.setattr(sha1, "_sha1_batch", None)
    if request.param == "numpy lanes":
        monkeypatch.setattr(sha1, "_MIN_VECTOR", 1)
    return request.param


# The fixture's patches hold for every example of a test.
UNDER_FIXTURE = [HealthCheck.function_scoped_fixture]


def test_one_message_is_datasketch_sha1_hash32() -> None:
    for message in (b"", b"a", b"a rose is a rose", "日本 café".encode()):
        assert sha1_hash32_of(message) == datasketch_sha1_hash32(message)


def test_thousands_of_messages_of_every_block_count(path: str) -> None:
    # Lengths 0-300 make groups of 1 to 5 blocks, each large enough for the
    # numpy path; the longest group goes one by one.
    rng = random.Random(7)
    messages = [rng.randbytes(rng.randint(0, 300)) for _ in range(12_000)]
    assert np.array_equal(sha1_hash32(*packed(messages)), expected(messages))


def test_padding_boundaries(path: str) -> None:
    # 55 bytes is the longest one-block message; 56-63 put the length in a
    # block of its own; 64 fills a block exactly.
    lengths = [0, 1, 3, 4, 5, 51, 52, 54, 55, 56, 57, 60, 63, 64, 65, 119, 120, 127, 128, 247]
    messages = [bytes(range(256))[:n] for n in lengths] + [b"\xff" * n for n in lengths]
    assert np.array_equal(sha1_hash32(*packed(messages)), expected(messages))


@settings(max_examples=150, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(st.lists(st.binary(max_size=140), min_size=1, max_size=40))
def test_every_path_equals_hashlib(path: str, messages: list[bytes]) -> None:
    assert np.array_equal(sha1_hash32(*packed(messages)), expected(messages))


@settings(max_examples=100, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(st.binary(max_size=200), st.data())
def test_overlapping_slices_of_one_buffer(path: str, buffer: bytes, data: st.DataObject) -> None:
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


def test_batch_equals_one_by_one_on_shingle_like_messages(path: str) -> None:
    rng = random.Random(3)
    words = [bytes(rng.choices(b"abcdefghij", k=rng.randint(1, 12))) for _ in range(400)]
    messages = [b" ".join(rng.sample(words, 3)) for _ in range(3_000)]
    vectorised = sha1_hash32(*packed(messages))
    one_by_one = np.array([sha1_hash32_of(m) for m in messages], dtype=np.uint32)
    assert np.array_equal(vectorised, one_by_one)


def test_no_messages(path: str) -> None:
    result = sha1_hash32(b"abc", np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert result.dtype == np.uint32 and result.shape == (0,)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [([0], [4]), ([-1], [2]), ([2], [1]), ([0, 1], [1])],
)
def test_slices_outside_the_buffer_are_refused(
    path: str, starts: list[int], ends: list[int]
) -> None:
    with pytest.raises(ValueError):
        sha1_hash32(b"abc", np.array(starts), np.array(ends))


def words_laid_out(paragraphs: list[list[bytes]]) -> tuple[bytes, np.ndarray, ...]:
    """Paragraphs' words in one buffer, separated by single spaces, with the
    words' offsets and each paragraph's first word and word count."""
    everything = [word for paragraph in paragraphs for word in paragraph]
    lengths = np.array([len(w) for w in everything], dtype=np.int64)
    starts = np.cumsum(lengths + 1) - lengths - 1
    counts = np.array([len(p) for p in paragraphs], dtype=np.int64)
    return b" ".join(everything), starts, starts + lengths, np.cumsum(counts) - counts, counts


def expected_runs(paragraphs: list[list[bytes]], size: int) -> np.ndarray:
    runs = [
        b" ".join(p[i : i + size])
        for p in paragraphs
        if p
        for i in range(max(len(p) - size + 1, 1))
    ]
    return expected(runs) if runs else np.empty(0, dtype=np.uint32)


@settings(max_examples=150, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(
    st.lists(st.lists(st.binary(min_size=1, max_size=30), max_size=9), max_size=8),
    st.integers(min_value=1, max_value=5),
)
def test_runs_of_words_hash_as_their_slices(
    path: str, paragraphs: list[list[bytes]], size: int
) -> None:
    # Words of up to 30 bytes make runs of one block and of several.
    buffer, starts, ends, first, counts = words_laid_out(paragraphs)
    got = sha1_hash32_runs(buffer, starts, ends, first, counts, size=size)
    assert got.dtype == np.uint32
    assert np.array_equal(got, expected_runs(paragraphs, size))


@pytest.mark.parametrize(
    ("first", "counts"),
    [([0], [4]), ([-1], [2]), ([2], [2]), ([0], [-1])],
)
def test_runs_of_words_that_do_not_exist_are_refused(
    path: str, first: list[int], counts: list[int]
) -> None:
    buffer, starts, ends, _, _ = words_laid_out([[b"a", b"rose", b"is"]])
    with pytest.raises(ValueError):
        sha1_hash32_runs(buffer, starts, ends, np.array(first), np.array(counts), size=2)


@pytest.mark.skipif(not sha1.COMPILED, reason="dedupe._sha1_batch was not built")
def test_compiled_runs_check_their_own_arguments() -> None:
    from dedupe import _sha1_batch

    buffer, starts, ends, first, counts = words_laid_out([[b"a", b"rose", b"is"]])
    out = np.empty(2, dtype=np.uint32)
    with pytest.raises(ValueError, match="inside the buffer"):
        _sha1_batch.sha1_hash32_runs_into(buffer, starts, ends + 5, first, counts, 2, out)
    with pytest.raises(ValueError, match="must not end before"):
        # Each word inside the buffer, but in reverse order.
        backwards = starts[::-1].copy(), ends[::-1].copy()
        _sha1_batch.sha1_hash32_runs_into(buffer, *backwards, first, counts, 2, out)
    with pytest.raises(ValueError, match="one item per run"):
        _sha1_batch.sha1_hash32_runs_into(buffer, starts, ends, first, counts, 1, out)
    with pytest.raises(ValueError, match="size at least 1"):
        _sha1_batch.sha1_hash32_runs_into(buffer, starts, ends, first, counts, 0, out)
    _sha1_batch.sha1_hash32_runs_into(buffer, starts, ends, first, counts, 2, out)
    assert np.array_equal(out, expected([b"a rose", b"rose is"]))


@pytest.mark.skipif(not sha1.COMPILED, reason="dedupe._sha1_batch was not built")
def test_compiled_module_checks_its_own_arguments() -> None:
    # It reads memory directly, so it refuses what would read out of bounds
    # even when called without sha1_hash32's checks.
    from dedupe import _sha1_batch

    out = np.empty(1, dtype=np.uint32)
    with pytest.raises(ValueError, match="inside the buffer"):
        _sha1_batch.sha1_hash32_into(b"abc", np.array([1]), np.array([4]), out)
    with pytest.raises(ValueError, match="one length"):
        _sha1_batch.sha1_hash32_into(b"abc", np.array([0, 1]), np.array([1]), out)
    with pytest.raises(ValueError, match="one length"):
        _sha1_batch.sha1_hash32_into(b"abc", np.array([0]), np.array([1]), np.empty(2, np.uint32))
    with pytest.raises(TypeError):
        _sha1_batch.sha1_hash32_into(b"abc", np.array([0]), np.array([1]), b"read-only")


def build(tmp_path: Path, *, scalar: bool):
    """The compiled module built from source into ``tmp_path``, as a module."""
    setuptools = pytest.importorskip("setuptools")
    from setuptools.command.build_ext import build_ext

    if not SOURCE.exists():
        pytest.skip("not run from a source checkout")
    extension = setuptools.Extension(
        "_sha1_batch",
        sources=[str(SOURCE)],
        define_macros=[("DEDUPE_SHA1_SCALAR", "1")] if scalar else [],
        extra_compile_args=["-O1"],
    )
    command = build_ext(setuptools.Distribution({"ext_modules": [extension]}))
    command.build_lib = command.build_temp = str(tmp_path)
    command.ensure_finalized()
    try:
        command.run()
    except Exception as error:  # no compiler: nothing to test here
        pytest.skip(f"cannot compile C here: {error}")
    built = str(tmp_path / command.get_ext_filename("_sha1_batch"))
    spec = importlib.util.spec_from_file_location("_sha1_batch", built)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("scalar", [False, True], ids=["vector lanes", "scalar"])
def test_both_builds_of_the_compiled_module_equal_hashlib(tmp_path: Path, scalar: bool) -> None:
    # The scalar build is what compilers without vector extensions (MSVC)
    # produce; here it is forced with DEDUPE_SHA1_SCALAR.
    module = build(tmp_path, scalar=scalar)
    rng = random.Random(11)
    messages = [rng.randbytes(rng.randint(0, 200)) for _ in range(3_000)]
    messages += [bytes(range(256))[:n] for n in range(0, 140)]
    buffer, starts, ends = packed(messages)
    out = np.empty(len(messages), dtype=np.uint32)
    module.sha1_hash32_into(buffer, starts, ends, out)
    assert np.array_equal(out, expected(messages))
    # The runs of words go through the same lanes.
    paragraphs = [[rng.randbytes(rng.randint(1, 25)) for _ in range(rng.randint(0, 40))]
                  for _ in range(60)]  # fmt: skip
    runs_buffer, word_starts, word_ends, first, counts = words_laid_out(paragraphs)
    want = expected_runs(paragraphs, 3)
    out = np.empty(len(want), dtype=np.uint32)
    module.sha1_hash32_runs_into(runs_buffer, word_starts, word_ends, first, counts, 3, out)
    assert np.array_equal(out, want)
