"""Tests for dedupe.minhash: batch signatures bit-identical to datasketch.MinHash,
computed by the compiled module and by numpy."""

from __future__ import annotations

import random
from unittest import mock

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import minhash
from dedupe.minhash import EMPTY, fmix32, jaccard, permutations, signatures, to_datasketch
from dedupe.shingle import hash_shingles

# `path` (conftest): each test that asks for it runs compiled and with numpy.
KERNEL = (minhash, "_minhash_batch")


def datasketch_signature(items: list[bytes], num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed)
    for item in items:
        m.update(item)
    return np.asarray(m.hashvalues, dtype=np.uint32)


def random_items(rng: random.Random, count: int) -> list[bytes]:
    return [rng.randbytes(rng.randint(1, 12)) for _ in range(count)]


# The fixture's patch holds for every example.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.lists(st.binary(min_size=1, max_size=10), max_size=25), min_size=1, max_size=8),
    st.sampled_from([1, 2, 3, 16, 128, 129, 300]),
    st.sampled_from([0, 1, 2, 42, 2**31 - 1]),
)
def test_signatures_equal_datasketch_update(
    path: str, sets: list[list[bytes]], num_perm: int, seed: int
) -> None:
    sigs = signatures([hash_shingles(items) for items in sets], num_perm=num_perm, seed=seed)
    assert sigs.shape == (len(sets), num_perm)
    assert sigs.dtype == np.uint32
    for row, items in zip(sigs, sets, strict=True):
        assert np.array_equal(row, datasketch_signature(items, num_perm, seed))


def test_every_num_perm_from_1_to_300_matches_datasketch(path: str) -> None:
    rng = random.Random(300)
    for num_perm in range(1, 301):
        seed = num_perm % 7
        sets = [random_items(rng, rng.randint(0, 12)) for _ in range(3)]
        sigs = signatures([hash_shingles(s) for s in sets], num_perm=num_perm, seed=seed)
        for row, items in zip(sigs, sets, strict=True):
            m = MinHash(num_perm=num_perm, seed=seed)
            m.update_batch(items)
            assert np.array_equal(row, m.hashvalues), (num_perm, seed)


def test_batches_spanning_many_chunks_match_datasketch(path: str) -> None:
    rng = random.Random(2024)
    chunk = minhash._CHUNK_ELEMENTS
    sizes = [rng.randint(0, 3000) for _ in range(30)]  # many small sets across chunks
    sizes[7] = chunk + 1234  # one set larger than a chunk on its own
    sizes[8] = chunk  # exactly one chunk
    sizes[9] = 0
    sizes[20] = chunk - 1
    sets = [random_items(rng, size) for size in sizes]
    assert sum(sizes) > 5 * chunk
    hashes = [hash_shingles(items) for items in sets]
    sigs = signatures(hashes, num_perm=64, seed=3)
    for row, items in zip(sigs, sets, strict=True):
        m = MinHash(num_perm=64, seed=3)
        m.update_batch(items)
        assert np.array_equal(row, m.hashvalues)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.binary(min_size=1, max_size=6), max_size=12), min_size=1, max_size=10),
    st.integers(min_value=1, max_value=9),
)
def test_tiny_chunks_give_the_same_signatures(sets: list[list[bytes]], chunk: int) -> None:
    # Force many chunk boundaries (and sets larger than a chunk) on small inputs.
    hashes = [hash_shingles(items) for items in sets]
    # Chunks are the numpy path's; the compiled one has none.
    with (
        mock.patch.object(minhash, "_CHUNK_ELEMENTS", chunk),
        mock.patch.object(minhash, "_minhash_batch", None),
    ):
        small = signatures(hashes, num_perm=24, seed=5)
    for row, items in zip(small, sets, strict=True):
        assert np.array_equal(row, datasketch_signature(items, 24, 5))


def test_flat_storage_gives_the_same_signatures(path: str) -> None:
    rng = random.Random(11)
    sets = [hash_shingles(random_items(rng, rng.choice([0, 1, 5, 300]))) for _ in range(40)]
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    values = np.concatenate(sets)
    assert np.array_equal(
        minhash.signatures_flat(values, lengths, num_perm=32, seed=2),
        signatures(sets, num_perm=32, seed=2),
    )


def test_batch_result_does_not_depend_on_neighbours(path: str) -> None:
    rng = random.Random(5)
    sets = [hash_shingles(random_items(rng, rng.randint(0, 5000))) for _ in range(12)]
    together = signatures(sets, num_perm=32)
    alone = np.vstack([signatures([s], num_perm=32) for s in sets])
    reversed_ = signatures(sets[::-1], num_perm=32)[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, reversed_)


def test_empty_set_gets_the_empty_signature(path: str) -> None:
    sigs = signatures([np.empty(0, np.uint32)], num_perm=16)
    assert sigs.tolist() == [[0xFFFFFFFF] * 16]
    assert np.array_equal(sigs[0], MinHash(num_perm=16).hashvalues)
    assert EMPTY == 0xFFFFFFFF


def test_empty_sets_between_full_ones_keep_their_rows(path: str) -> None:
    full = hash_shingles([b"a b c", b"b c d"])
    empty = np.empty(0, np.uint32)
    sigs = signatures([empty, full, empty, full, empty], num_perm=8)
    assert (sigs[[0, 2, 4]] == EMPTY).all()
    assert np.array_equal(sigs[1], datasketch_signature([b"a b c", b"b c d"], 8, 1))
    assert np.array_equal(sigs[1], sigs[3])


def test_no_sets_gives_an_empty_matrix(path: str) -> None:
    sigs = signatures([], num_perm=8)
    assert sigs.shape == (0, 8)
    assert sigs.dtype == np.uint32


def test_repeated_elements_do_not_change_the_signature(path: str) -> None:
    items = hash_shingles([b"x", b"y", b"z"])
    assert np.array_equal(
        signatures([np.concatenate([items, items, items[:1]])], num_perm=32),
        signatures([items], num_perm=32),
    )


@pytest.mark.skipif(not minhash.COMPILED, reason="dedupe._minhash_batch was not built")
def test_compiled_module_checks_its_own_arguments() -> None:
    # It reads memory directly, so lengths that overrun the values, or an
    # output of the wrong size, are refused even without signatures_flat.
    from dedupe import _minhash_batch

    a, b = permutations(4, 1)
    values = np.arange(5, dtype=np.uint32)
    out = np.empty((2, 4), dtype=np.uint32)
    for lengths in ([3, 3], [-1, 6], [2, 2]):
        with pytest.raises(ValueError, match="sum to len"):
            _minhash_batch.signatures_into(values, np.array(lengths), a, b, out)
    with pytest.raises(ValueError, match="len\\(out\\)"):
        _minhash_batch.signatures_into(values, np.array([2, 3]), a, b, out[:1])
    _minhash_batch.signatures_into(values, np.array([2, 3]), a, b, out)
    assert np.array_equal(out, signatures([values[:2], values[2:]], num_perm=4))


def test_permutations_are_datasketch_parameters() -> None:
    for num_perm, seed in [(128, 1), (7, 99)]:
        a, b = permutations(num_perm, seed)
        reference = MinHash(num_perm=num_perm, seed=seed)
        ref_a, ref_b = reference.permutations
        assert a.tolist() == [int(x) for x in ref_a]
        assert b.tolist() == [int(x) for x in ref_b]
        assert (a % 2 == 1).all()  # odd multipliers: permutations of 2**32


@pytest.mark.parametrize("seed", [0, 1, 2, 99, 2**31, 2**32 - 1])
@pytest.mark.parametrize("num_perm", [1, 128, 700])
def test_permutations_follow_numpy_random_state(num_perm: int, seed: int) -> None:
    # The draws datasketch makes, from numpy's generator; ours come from
    # Python's (the same Mersenne Twister) so that numpy.random stays unloaded.
    generator = np.random.RandomState(seed)
    expected_a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * 2 + 1
    expected_b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, expected_a) and np.array_equal(b, expected_b)
    assert not a.flags.writeable and not b.flags.writeable


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_permutations_refuse_seeds_outside_32_bits(seed: int) -> None:
    with pytest.raises(ValueError, match="seed must be between"):
        permutations(4, seed)


def test_fmix32_known_values_and_bijection() -> None:
    # MurmurHash3 fmix32 reference values.
    values = np.array([0, 1, 0xFFFFFFFF], dtype=np.uint32)
    assert fmix32(values).tolist() == [0, 0x514E28B7, 0x81F16F39]
    sample = np.arange(0, 200_000, dtype=np.uint32)
    assert len(np.unique(fmix32(sample))) == len(sample)
    assert values.tolist() == [0, 1, 0xFFFFFFFF]  # input untouched


def test_to_datasketch_round_trip() -> None:
    a_items = [f"shingle {i}".encode() for i in range(0, 60)]
    b_items = [f"shingle {i}".encode() for i in range(20, 80)]
    sig_a, sig_b = signatures([hash_shingles(a_items), hash_shingles(b_items)], num_perm=128)
    m_a, m_b = to_datasketch(sig_a), to_datasketch(sig_b)
    assert isinstance(m_a, MinHash)
    assert np.array_equal(m_a.hashvalues, sig_a)
    assert m_a.jaccard(m_b) == pytest.approx(jaccard(sig_a, sig_b))
    # Interchangeable with a MinHash datasketch built itself.
    reference = MinHash(num_perm=128, seed=1)
    reference.update_batch(b_items)
    assert m_a.jaccard(reference) == pytest.approx(jaccard(sig_a, sig_b))
    assert to_datasketch(sig_b).jaccard(reference) == 1.0


def test_to_datasketch_keeps_the_seed() -> None:
    items = [b"one", b"two", b"three"]
    sig = signatures([hash_shingles(items)], num_perm=16, seed=9)[0]
    reference = MinHash(num_perm=16, seed=9)
    reference.update_batch(items)
    assert to_datasketch(sig, seed=9).jaccard(reference) == 1.0
    with pytest.raises(ValueError):
        to_datasketch(sig, seed=1).jaccard(reference)  # datasketch refuses mixed seeds


def test_jaccard_is_the_share_of_equal_positions() -> None:
    a = np.array([1, 2, 3, 4], dtype=np.uint32)
    b = np.array([1, 0, 3, 0], dtype=np.uint32)
    assert jaccard(a, b) == 0.5
    assert jaccard(a, a) == 1.0
    with pytest.raises(ValueError):
        jaccard(a, a[:3])


@pytest.mark.parametrize("true_jaccard", [0.2, 0.5, 0.8])
def test_jaccard_estimates_the_set_similarity(true_jaccard: float) -> None:
    # |A & B| / |A | B| = true_jaccard with |A | B| = 1000.
    shared = int(1000 * true_jaccard)
    rest = 1000 - shared
    a = [f"s{i}".encode() for i in range(shared)] + [f"a{i}".encode() for i in range(rest // 2)]
    b = [f"s{i}".encode() for i in range(shared)] + [
        f"b{i}".encode() for i in range(rest - rest // 2)
    ]
    sig_a, sig_b = signatures([hash_shingles(a), hash_shingles(b)], num_perm=256, seed=11)
    assert jaccard(sig_a, sig_b) == pytest.approx(true_jaccard, abs=0.1)
