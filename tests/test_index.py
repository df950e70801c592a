"""Tests for dedupe.index: bulk-built MinHash LSH, the containment lookup and the
rare-word lookup."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import index
from dedupe.index import (
    band_keys,
    build_lsh,
    containment_candidates,
    flat_containment_candidates,
    flat_shared_word_candidates,
    lsh_candidates,
    shared_word_candidates,
)
from dedupe.minhash import signatures, to_datasketch
from dedupe.normalize import words
from dedupe.settings import Settings
from dedupe.shingle import hash_shingles, shingle_hashes

# `path` (conftest): each test that asks for it runs compiled (the LSH
# buckets, the containment and the rare-word lookups) and with numpy.
KERNEL = (index, "_index_batch")
# The fixture's patch holds for every example of a test.
UNDER_FIXTURE = [HealthCheck.function_scoped_fixture]


def near_duplicate_sets(rng: random.Random, families: int, copies: int) -> list[list[bytes]]:
    """Families of sets that share most elements, plus some unrelated sets."""
    sets: list[list[bytes]] = []
    for family in range(families):
        base = [f"f{family}-e{i}".encode() for i in range(rng.randint(5, 60))]
        sets += [base, base[::-1]]  # exact copies (order does not matter to a set)
        for copy in range(copies):
            edited = [item for item in base if rng.random() > 0.2]
            edited += [f"f{family}-c{copy}-x{i}".encode() for i in range(rng.randint(0, 8))]
            sets.append(edited or base)
    for other in range(families):
        sets.append([f"u{other}-{i}".encode() for i in range(rng.randint(1, 30))])
    rng.shuffle(sets)
    return sets


def datasketch_pairs(
    sigs: np.ndarray, bands: int, rows: int, seed: int = 1
) -> set[tuple[int, int]]:
    """Candidate pairs as datasketch finds them: insert every MinHash, query each."""
    lsh = MinHashLSH(num_perm=sigs.shape[1], params=(bands, rows))
    minhashes = [to_datasketch(sig, seed=seed) for sig in sigs]
    for i, m in enumerate(minhashes):
        lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            if i < j:
                pairs.add((i, j))
            elif j < i:
                pairs.add((j, i))
    return pairs


def as_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    return {(int(i), int(j)) for i, j in pairs}


@pytest.mark.parametrize(
    ("num_perm", "bands", "rows"),
    [(128, 42, 3), (128, 25, 5), (128, 2, 64), (64, 16, 4), (64, 64, 1), (16, 3, 5)],
)
@pytest.mark.parametrize("trial", range(3))
def test_lsh_candidates_equal_datasketch_insert_and_query(
    path: str, num_perm: int, bands: int, rows: int, trial: int
) -> None:
    rng = random.Random(trial * 1000 + bands)
    sets = near_duplicate_sets(rng, families=6, copies=4)
    sigs = signatures([hash_shingles(s) for s in sets], num_perm=num_perm)
    ours = lsh_candidates(sigs, bands=bands, rows=rows, max_bucket=10**9)
    assert ours.dtype == np.int64 and ours.shape[1] == 2
    assert (ours[:, 0] < ours[:, 1]).all()
    assert len(as_set(ours)) == len(ours)  # distinct
    expected = datasketch_pairs(sigs, bands, rows)
    assert as_set(ours) == expected
    assert expected  # the families do produce candidates


def test_bulk_built_index_answers_datasketch_queries() -> None:
    rng = random.Random(7)
    sets = near_duplicate_sets(rng, families=5, copies=3)
    sigs = signatures([hash_shingles(s) for s in sets], num_perm=128)
    bulk = build_lsh(sigs, bands=42, rows=3)
    inserted = MinHashLSH(num_perm=128, params=(42, 3))
    for i, sig in enumerate(sigs):
        inserted.insert(i, to_datasketch(sig))
    for i, items in enumerate(sets):
        # A MinHash datasketch computes on its own finds the same keys.
        query = MinHash(num_perm=128)
        query.update_batch(items)
        assert sorted(bulk.query(query)) == sorted(inserted.query(query))
        assert i in bulk.query(to_datasketch(sigs[i]))
    assert bulk.keys.size() == len(sets)
    for i in range(len(sets)):
        assert i in bulk.keys
        assert list(bulk.keys.get(i)) == list(inserted.keys.get(i))


def test_bulk_built_index_still_accepts_inserts_and_removals() -> None:
    sigs = signatures([hash_shingles([b"a", b"b", b"c"]) for _ in range(2)], num_perm=16)
    lsh = build_lsh(sigs, bands=4, rows=4)
    lsh.insert(2, to_datasketch(sigs[0]))
    assert sorted(lsh.query(to_datasketch(sigs[0]))) == [0, 1, 2]
    lsh.remove(0)
    assert sorted(lsh.query(to_datasketch(sigs[0]))) == [1, 2]


def test_keys_name_the_rows() -> None:
    sigs = signatures([hash_shingles([b"x", b"y"])] * 3, num_perm=16)
    lsh = build_lsh(sigs, bands=8, rows=2, keys=[10, 20, 30])
    assert sorted(lsh.query(to_datasketch(sigs[0]))) == [10, 20, 30]
    with pytest.raises(ValueError):
        build_lsh(sigs, bands=8, rows=2, keys=[1, 2])


def test_band_keys_are_the_bytes_datasketch_stores() -> None:
    sigs = signatures([hash_shingles([b"p", b"q"]), hash_shingles([b"r"])], num_perm=12)
    keys = band_keys(sigs, bands=4, rows=3)
    reference = MinHashLSH(num_perm=12, params=(4, 3))
    for i, sig in enumerate(sigs):
        reference.insert(i, to_datasketch(sig))
        assert [keys[band][i] for band in range(4)] == list(reference.keys.get(i))


def test_unrelated_items_give_no_candidates(path: str) -> None:
    sets = [[f"{n}-{i}".encode() for i in range(40)] for n in range(20)]
    sigs = signatures([hash_shingles(s) for s in sets], num_perm=128)
    assert len(lsh_candidates(sigs, bands=42, rows=3, max_bucket=64)) == 0


def test_big_bucket_is_linked_as_a_chain(path: str) -> None:
    n = 100
    sigs = signatures([hash_shingles([b"same", b"line"])] * n, num_perm=128)
    chain = lsh_candidates(sigs, bands=42, rows=3, max_bucket=10)
    assert as_set(chain) == {(i, i + 1) for i in range(n - 1)}
    assert len(chain) == n - 1
    full = lsh_candidates(sigs, bands=42, rows=3, max_bucket=n)
    assert len(full) == n * (n - 1) // 2


def test_chain_and_small_buckets_mix(path: str) -> None:
    items = [hash_shingles([b"boiler", b"plate"])] * 5 + [hash_shingles([b"own", b"pair"])] * 2
    sigs = signatures(items, num_perm=32)
    pairs = as_set(lsh_candidates(sigs, bands=16, rows=2, max_bucket=3))
    assert pairs == {(0, 1), (1, 2), (2, 3), (3, 4), (5, 6)}


def test_rows_differing_only_in_a_later_band_value_are_not_candidates(path: str) -> None:
    # The banding sorts truncated keys (row ids take the low bits): every
    # value of the band must still reach the bits that are kept.
    n = 5000
    sigs = np.zeros((n, 2), dtype=np.uint32)
    sigs[:, 1] = np.arange(n, dtype=np.uint32)
    assert len(lsh_candidates(sigs, bands=1, rows=2, max_bucket=64)) == 0
    sigs[:, 1] = 7
    sigs[:, 0] = np.arange(n, dtype=np.uint32) << np.uint32(16)
    assert len(lsh_candidates(sigs, bands=1, rows=2, max_bucket=64)) == 0


@settings(max_examples=50, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=120), st.integers(2, 6))
def test_buckets_of_every_size_give_all_pairs_or_a_chain(
    path: str, labels: list[int], max_bucket: int
) -> None:
    sigs = np.asarray([[label, label * 3] for label in labels], dtype=np.uint32)
    expected = set()
    for label in set(labels):
        members = [i for i, x in enumerate(labels) if x == label]
        if len(members) > max_bucket:
            expected |= set(itertools.pairwise(members))
        else:
            expected |= {(a, b) for k, a in enumerate(members) for b in members[k + 1 :]}
    assert as_set(lsh_candidates(sigs, bands=1, rows=2, max_bucket=max_bucket)) == expected


def test_no_signatures_no_candidates(path: str) -> None:
    empty = np.empty((0, 32), dtype=np.uint32)
    assert lsh_candidates(empty, bands=8, rows=4, max_bucket=64).shape == (0, 2)
    assert build_lsh(empty, bands=8, rows=4).query(to_datasketch(np.zeros(32, np.uint32))) == []
    one = signatures([hash_shingles([b"alone"])], num_perm=32)
    assert lsh_candidates(one, bands=8, rows=4, max_bucket=64).shape == (0, 2)


def numpy_lsh_candidates(sigs: np.ndarray, **options: int) -> np.ndarray:
    saved = index._index_batch
    try:
        index._index_batch = None
        return lsh_candidates(sigs, **options)
    finally:
        index._index_batch = saved


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 400),
    st.sampled_from([(8, 2), (3, 5), (1, 1), (16, 1)]),
    st.integers(1, 8),
    st.integers(0, 2**31),
)
def test_compiled_lsh_buckets_equal_the_numpy_ones(
    count: int, shape: tuple[int, int], max_bucket: int, seed: int
) -> None:
    # Few distinct values make buckets of every size, chains included.
    bands, rows = shape
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 3, size=(count, bands * rows + 1), dtype=np.uint32)
    compiled = lsh_candidates(sigs, bands=bands, rows=rows, max_bucket=max_bucket)
    reference = numpy_lsh_candidates(sigs, bands=bands, rows=rows, max_bucket=max_bucket)
    assert np.array_equal(compiled, reference)


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
@pytest.mark.parametrize("sorted_bits", [1, 11, 12, 22, 64])
@pytest.mark.parametrize("max_bucket", [2, 64])
def test_compiled_lsh_buckets_do_not_depend_on_the_bits_sorted(
    sorted_bits: int, max_bucket: int
) -> None:
    # 1,500 distinct keys per band against 2**11 values of an 11-bit prefix:
    # hundreds of runs of keys that agree in the bits sorted but not in all
    # (put in order after the sort), beside buckets of repeated rows.
    rng = np.random.default_rng(sorted_bits)
    distinct = rng.integers(0, 2**32, size=(1_500, 16), dtype=np.uint32)
    sigs = distinct[rng.integers(0, len(distinct), size=3_000)]
    sigs[:, 8:] = rng.integers(0, 3, size=(len(sigs), 8))  # big buckets, chains
    options = {"bands": 8, "rows": 2, "max_bucket": max_bucket}
    row_bits = (len(sigs) - 1).bit_length()
    packed = index._index_batch.lsh_pairs(sigs, 16, 8, 2, max_bucket, row_bits, sorted_bits)
    assert np.array_equal(index._unique_packed_pairs(packed), numpy_lsh_candidates(sigs, **options))


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
def test_compiled_lsh_buckets_over_several_blocks_of_band_keys() -> None:
    # 36,000 signatures x 64 bands of 8-byte keys: more than one 16 MB block.
    rng = np.random.default_rng(5)
    distinct = rng.integers(0, 2**32, size=(20_000, 128), dtype=np.uint32)
    sigs = distinct[rng.integers(0, len(distinct), size=36_000)]
    sigs[:, ::3] = rng.integers(0, 4, size=(len(sigs), 43))
    options = {"bands": 64, "rows": 2, "max_bucket": 8}
    compiled = lsh_candidates(sigs, **options)
    assert len(compiled) > 10_000
    assert np.array_equal(compiled, numpy_lsh_candidates(sigs, **options))


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
def test_compiled_lsh_buckets_check_their_arguments() -> None:
    sigs = np.zeros((4, 8), dtype=np.uint32)
    kernel = index._index_batch
    with pytest.raises(ValueError, match="bands \\* rows at most width"):
        kernel.lsh_pairs(sigs, 8, 3, 3, 10, 2)
    with pytest.raises(ValueError, match="row_bits enough"):
        kernel.lsh_pairs(sigs, 8, 2, 2, 10, 1)
    with pytest.raises(ValueError, match="uint32 matrix"):
        kernel.lsh_pairs(sigs, 7, 2, 2, 10, 2)


# --------------------------------------------------------------------------- S-curve


def pair_trials(jaccard_target: float, trials: int, rng: random.Random) -> list[list[bytes]]:
    """``trials`` independent pairs of sets with exactly this Jaccard similarity."""
    union = 100
    shared = round(union * jaccard_target)
    sets: list[list[bytes]] = []
    for _ in range(trials):
        tag = rng.getrandbits(64)
        common = [f"{tag}-s{i}".encode() for i in range(shared)]
        only = union - shared
        sets.append(common + [f"{tag}-a{i}".encode() for i in range(only // 2)])
        sets.append(common + [f"{tag}-b{i}".encode() for i in range(only - only // 2)])
    return sets


def proposed_rate(jaccard_target: float, trials: int, seed: int) -> float:
    defaults = Settings()
    sets = pair_trials(jaccard_target, trials, random.Random(seed))
    sigs = signatures([hash_shingles(s) for s in sets], num_perm=defaults.num_perm)
    pairs = as_set(lsh_candidates(sigs, bands=defaults.bands, rows=defaults.rows, max_bucket=64))
    return sum((2 * t, 2 * t + 1) in pairs for t in range(trials)) / trials


def s_curve(s: float) -> float:
    defaults = Settings()
    return 1 - (1 - s**defaults.rows) ** defaults.bands


def test_similar_pairs_are_almost_always_proposed_with_the_defaults() -> None:
    assert s_curve(0.6) > 0.999
    assert proposed_rate(0.6, trials=300, seed=1) >= 0.99
    assert proposed_rate(0.8, trials=100, seed=2) == 1.0


def test_dissimilar_pairs_are_seldom_proposed_with_the_defaults() -> None:
    # 63 bands of 2 rows: P(0.05) = 0.146, so RapidFuzz sees about one
    # unrelated pair in seven that share a twentieth of their shingles.
    assert s_curve(0.05) < 0.15
    assert proposed_rate(0.05, trials=300, seed=3) <= 0.2


def test_proposal_rate_follows_the_s_curve() -> None:
    for similarity in (0.2, 0.3, 0.4):
        assert proposed_rate(similarity, trials=300, seed=4) == pytest.approx(
            s_curve(similarity), abs=0.1
        )


# --------------------------------------------------------------------------- containment



def words_of(count: int, tag: str) -> list[str]:
    return [f"{tag}{i}" for i in range(count)]


def contain_call(
    paragraphs: list[list[str]],
    *,
    max_words: int = 80,
    min_coverage: float = 0.5,
    max_postings: int = 1000,
) -> set[tuple[int, int]]:
    sets = [shingle_hashes(p, size=3) for p in paragraphs]
    pairs = containment_candidates(
        sets,
        max_words=max_words,
        word_counts=[len(p) for p in paragraphs],
        min_coverage=min_coverage,
        max_postings=max_postings,
    )
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all()
    return as_set(pairs)


def test_short_item_inside_a_long_paragraph_is_found(path: str) -> None:
    long = words_of(300, "w")
    headline = long[120:130]
    noise = words_of(40, "n")
    assert contain_call([long, noise, headline]) == {(0, 2)}
    # Either order of ids gives (low, high).
    assert contain_call([headline, noise, long]) == {(0, 2)}


def test_lsh_cannot_see_what_containment_finds(path: str) -> None:
    long = words_of(300, "w")
    headline = long[100:110]
    sigs = signatures([shingle_hashes(long, size=3), shingle_hashes(headline, size=3)])
    assert len(lsh_candidates(sigs, bands=42, rows=3, max_bucket=64)) == 0
    assert contain_call([long, headline]) == {(0, 1)}


def test_max_words_limits_which_items_are_looked_up(path: str) -> None:
    long = words_of(300, "w")
    item = long[50:62]  # 12 words
    assert contain_call([long, item], max_words=12) == {(0, 1)}
    assert contain_call([long, item], max_words=11) == set()
    assert contain_call([long, item], max_words=0) == set()


def test_min_coverage_is_the_share_of_the_item_shingles(path: str) -> None:
    long = words_of(300, "w")
    # 12 words: 10 shingles; replacing the last 4 words leaves 6 of them in the long one.
    item = long[50:58] + words_of(4, "other")
    assert len(shingle_hashes(item, size=3)) == 10
    assert contain_call([long, item], min_coverage=0.6) == {(0, 1)}
    assert contain_call([long, item], min_coverage=0.61) == set()
    assert contain_call([long, item], min_coverage=1.0) == set()
    assert contain_call([long, long[50:62]], min_coverage=1.0) == {(0, 1)}


def test_common_shingles_beyond_max_postings_are_ignored(path: str) -> None:
    item = words_of(6, "q")
    hosts = [words_of(20, f"h{k}") + item + words_of(20, f"t{k}") for k in range(5)]
    paragraphs = [item, *hosts]
    found = contain_call(paragraphs, max_postings=10)
    assert {(0, k) for k in range(1, 6)} <= found
    # Each of the item's shingles is posted by 6 paragraphs: above 5 it is boilerplate.
    assert contain_call(paragraphs, max_postings=5) == set()
    assert {(0, k) for k in range(1, 6)} <= contain_call(paragraphs, max_postings=6)


def test_empty_sets_and_no_short_items(path: str) -> None:
    assert contain_call([]) == set()
    assert contain_call([[], []]) == set()
    assert contain_call([words_of(300, "a"), words_of(300, "a")], max_words=100) == set()


# The fixture's patch holds for every example.
@settings(
    max_examples=80, deadline=None, suppress_health_check=UNDER_FIXTURE
)
@given(
    st.lists(
        st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=25), min_size=1, max_size=8
    ),
    st.sampled_from([0.3, 0.5, 0.8, 1.0]),
    st.integers(min_value=1, max_value=30),
)
def test_containment_matches_brute_force(
    path: str, paragraphs: list[list[str]], coverage: float, max_words: int
) -> None:
    sets = [shingle_hashes(p, size=2) for p in paragraphs]
    expected = set()
    for i, item in enumerate(sets):
        if not len(item) or len(paragraphs[i]) > max_words:
            continue
        for j, other in enumerate(sets):
            if i != j and len(np.intersect1d(item, other)) >= coverage * len(item) - 1e-9:
                expected.add((min(i, j), max(i, j)))
    got = containment_candidates(
        sets,
        max_words=max_words,
        word_counts=[len(p) for p in paragraphs],
        min_coverage=coverage,
        max_postings=10**6,
    )
    assert as_set(got) == expected


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=30), max_size=25),
    st.lists(st.integers(0, 30), min_size=25, max_size=25),
    st.integers(min_value=0, max_value=30),
    st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]),
    st.integers(min_value=0, max_value=8),
)
def test_compiled_containment_equals_numpy(
    sets: list[list[int]], word_counts: list[int], max_words: int, coverage: float, postings: int
) -> None:
    # Small value ranges make shared and common values, and max_postings
    # small enough to drop some; the two paths must give the same pairs.
    distinct = [np.unique(np.array(s, dtype=np.uint32)) for s in sets]
    values = np.concatenate(distinct) if distinct else np.empty(0, np.uint32)
    lengths = np.array([len(s) for s in distinct], dtype=np.int64)
    options = {
        "max_words": max_words,
        "word_counts": word_counts[: len(sets)],
        "min_coverage": coverage,
        "max_postings": postings,
    }
    compiled = flat_containment_candidates(values, lengths, **options)
    saved = index._index_batch
    try:
        index._index_batch = None
        expected = flat_containment_candidates(values, lengths, **options)
    finally:
        index._index_batch = saved
    assert compiled.tolist() == expected.tolist()


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
def test_compiled_containment_checks_its_own_arguments() -> None:
    values = np.arange(5, dtype=np.uint32)
    short = np.ones(2, dtype=bool)
    with pytest.raises(ValueError, match="sum to len"):
        index._index_batch.containment_pairs(values, np.array([3, 3]), short, 0.5, 10)
    with pytest.raises(ValueError, match="one byte per set"):
        index._index_batch.containment_pairs(values, np.array([2, 3]), short[:1], 0.5, 10)


# --------------------------------------------------------------------------- rare words

# A team sheet from BBC News, printed once with the players' clubs and once
# without: most words kept, not one word 3-gram in common.
SHEET = words(
    "A Titterrell (Sale Sharks), D Bell (Bath), S Borthwick (Bath), A Hazell (Gloucester), "
    "M Dawson (Wasps), A Goode (Leicester), O Smith (Leicester)."
)
SHEET_BARE = words("A Titterrell, D Bell, S Borthwick, A Hazell, M Dawson, A Goode, O Smith.")


def word_call(
    paragraphs: list[list[str]],
    *,
    min_shared: int = 2,
    min_dice: float = 0.4,
    max_postings: int = 1000,
) -> set[tuple[int, int]]:
    sets = [shingle_hashes(p, size=1) for p in paragraphs]
    pairs = shared_word_candidates(
        sets, min_shared=min_shared, min_dice=min_dice, max_postings=max_postings
    )
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all()
    return as_set(pairs)


def test_a_reworded_team_sheet_is_found_by_words_not_by_shingles(path: str) -> None:
    three_grams = [shingle_hashes(SHEET, size=3), shingle_hashes(SHEET_BARE, size=3)]
    assert not len(np.intersect1d(*three_grams))
    assert len(lsh_candidates(signatures(three_grams), bands=63, rows=2, max_bucket=64)) == 0
    noise = words_of(15, "n")
    assert word_call([SHEET, noise, SHEET_BARE]) == {(0, 2)}
    assert word_call([SHEET_BARE, noise, SHEET]) == {(0, 2)}


def test_min_dice_is_over_the_rare_words_of_both_sides(path: str) -> None:
    # 6 words each, 3 shared: Dice 2 * 3 / 12 = 0.5.
    a = words_of(3, "s") + words_of(3, "a")
    b = words_of(3, "s") + words_of(3, "b")
    assert word_call([a, b], min_dice=0.5) == {(0, 1)}
    assert word_call([a, b], min_dice=0.51) == set()
    assert word_call([a, b], min_shared=3, min_dice=0.5) == {(0, 1)}
    assert word_call([a, b], min_shared=4, min_dice=0.1) == set()


def test_common_words_neither_vote_nor_count(path: str) -> None:
    common = words_of(8, "the")
    # Ten paragraphs share the eight common words; pairs 0-1 also share two
    # rare words, each pair has two words of its own.
    paragraphs = [common + words_of(2, f"own{k}") for k in range(10)]
    paragraphs[0] += ["mcbryde", "yapp"]
    paragraphs[1] += ["mcbryde", "yapp"]
    # Rare words of 0 and 1: 2 own + 2 shared each, Dice 2 * 2 / 8 = 0.5.
    assert word_call(paragraphs, max_postings=9) == {(0, 1)}
    # Counting the common words too, every pair shares 8 of ~10 words.
    assert len(word_call(paragraphs, max_postings=10)) == 45


def test_one_shared_name_is_not_enough_by_default(path: str) -> None:
    a = ["livingstone", "said", "x1"]
    b = ["livingstone", "spoke", "y1"]
    assert word_call([a, b], min_dice=0.3) == set()
    assert word_call([a, b], min_shared=1, min_dice=0.3) == {(0, 1)}


def test_no_sets_or_empty_sets_give_no_pairs(path: str) -> None:
    assert word_call([]) == set()
    assert word_call([[], []]) == set()
    assert word_call([SHEET]) == set()


@settings(max_examples=80, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(
    st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=12), max_size=9),
    st.integers(min_value=1, max_value=3),
    st.sampled_from([0.2, 0.4, 0.5, 1.0]),
    st.integers(min_value=1, max_value=9),
)
def test_shared_words_match_brute_force(
    path: str,
    paragraphs: list[list[str]],
    min_shared: int,
    min_dice: float,
    max_postings: int,
) -> None:
    sets = [shingle_hashes(p, size=1) for p in paragraphs]
    holders: dict[int, int] = {}
    for found in sets:
        for h in found.tolist():
            holders[h] = holders.get(h, 0) + 1
    rare = [{h for h in found.tolist() if holders[h] <= max_postings} for found in sets]
    expected = set()
    for i in range(len(rare)):
        for j in range(i + 1, len(rare)):
            shared = len(rare[i] & rare[j])
            if shared >= min_shared and 2 * shared >= min_dice * (len(rare[i]) + len(rare[j])):
                expected.add((i, j))
    got = shared_word_candidates(
        sets, min_shared=min_shared, min_dice=min_dice, max_postings=max_postings
    )
    assert as_set(got) == expected


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 30), max_size=25), max_size=30),
    st.integers(min_value=1, max_value=4),
    st.sampled_from([0.0, 0.3, 0.4, 0.5, 0.8, 1.0]),
    st.integers(min_value=0, max_value=8),
)
def test_compiled_shared_words_equal_numpy(
    sets: list[list[int]], min_shared: int, min_dice: float, max_postings: int
) -> None:
    # Words repeat inside a set (a paragraph's words, in order) and across
    # sets; small max_postings make some common. Same pairs, same order.
    values = np.array([v for s in sets for v in s], dtype=np.uint32)
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    options = {"min_shared": min_shared, "min_dice": min_dice, "max_postings": max_postings}
    compiled = flat_shared_word_candidates(values, lengths, **options)
    saved = index._index_batch
    try:
        index._index_batch = None
        expected = flat_shared_word_candidates(values, lengths, **options)
    finally:
        index._index_batch = saved
    assert compiled.dtype == expected.dtype == np.int64
    assert compiled.tolist() == expected.tolist()


@pytest.mark.skipif(not index.COMPILED, reason="dedupe._index_batch was not built")
def test_compiled_shared_words_check_their_arguments() -> None:
    values = np.arange(5, dtype=np.uint32)
    with pytest.raises(ValueError, match="sum to len"):
        index._index_batch.shared_word_pairs(values, np.array([3, 3]), 2, 0.4, 10)
    with pytest.raises(ValueError, match="sum to len"):
        index._index_batch.shared_word_pairs(values, np.array([6, -1]), 2, 0.4, 10)
    with pytest.raises(ValueError, match="uint32"):
        index._index_batch.shared_word_pairs(values[:3].tobytes() + b"x", np.array([3]), 2, 0.4, 10)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300),
    st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300),
)
def test_the_membership_filter_never_drops_a_member(among: list[int], others: list[int]) -> None:
    from dedupe.index import _may_be_among

    values = np.array(among + others, dtype=np.uint32)
    passed = _may_be_among(values, np.array(among, dtype=np.uint32))
    assert passed.dtype == bool and len(passed) == len(values)
    assert passed[: len(among)].all()
    # Random values not among them mostly fail (about one in 16 passes).
    strangers = np.random.default_rng(7).integers(0, 2**32, 20_000, dtype=np.uint64)
    strangers = strangers.astype(np.uint32)
    if among:
        rate = _may_be_among(strangers, np.array(among, dtype=np.uint32)).mean()
        assert rate < 0.2
