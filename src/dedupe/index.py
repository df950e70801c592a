"""Candidate pairs: MinHash LSH for similar paragraphs, a shingle lookup for
short paragraphs contained in longer ones, a rare-word lookup for short
paragraphs reworded beyond what shingles can see.

Similar paragraphs
    datasketch's ``MinHashLSH`` banding: ``bands`` bands of ``rows`` rows,
    two signatures share a bucket of a band when all the band's values are
    equal. A pair is proposed with probability ``1 - (1 - s**rows)**bands``
    at Jaccard similarity ``s`` (see :mod:`dedupe.settings`).

    :func:`lsh_candidates` computes these buckets for the whole signature
    matrix at once with numpy (sort by band, read off runs) instead of
    inserting keys into ``MinHashLSH``'s dictionaries one by one and querying
    each paragraph: importing datasketch alone costs over a second (it pulls
    in SciPy) and dictionary inserts run at ~40k keys a second, both more than
    a whole scan of a small folder. The buckets are the same as
    ``MinHashLSH``'s (a test proves the candidate pairs equal), and
    :func:`build_lsh` fills a real ``MinHashLSH`` in bulk for anyone who wants
    to keep querying with datasketch.

    A bucket holding more than ``max_bucket`` keys is linked as a chain
    (each key with the next) rather than as all pairs, so a line repeated
    100,000 times costs 100,000 comparisons, not five billion; the cluster
    stage still joins the whole chain.

Contained paragraphs
    A short item (headline, pull quote, caption) inside a long paragraph has a
    tiny Jaccard similarity with it, so LSH cannot see it. For paragraphs of at
    most ``max_words`` words, every other paragraph that holds at least
    ``min_coverage`` of the item's distinctive shingles is proposed. All
    shingles are sorted once into postings; a shingle in more than
    ``max_postings`` paragraphs ("said on Monday") is not distinctive and does
    not vote; the join of items with postings runs in bounded chunks, so memory
    stays flat however many pairs share a common phrase.

Reworded lists and paraphrases
    A team sheet printed with and without the players' clubs ("j yapp
    cardiff" / "j yapp"), or a lede rewritten around the same names, keeps
    most of its words but hardly any word 3-gram: LSH over shingles cannot
    see it however the bands are cut. :func:`shared_word_candidates` proposes
    pairs of short paragraphs sharing enough *rare* words (held by at most
    ``max_postings`` paragraphs), through the same sorted postings as the
    containment lookup.

Example::

    >>> pairs = lsh_candidates(sigs, bands=42, rows=3, max_bucket=64)  # doctest: +SKIP
    >>> pairs                       # (k, 2) int array of signature rows, i < j
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dedupe import _compiled

_index_batch = _compiled.load("_index_batch")
#: Whether :func:`lsh_candidates`, :func:`flat_containment_candidates` and
#: :func:`flat_shared_word_candidates` run the compiled versions.
COMPILED = _index_batch is not None


def band_keys(signatures: np.ndarray, *, bands: int, rows: int) -> list[list[bytes]]:
    """For each band, each signature's key: the bytes ``MinHashLSH`` would store."""
    # MinHashLSH keys a band by ``bytes(hashvalues[start:end].byteswap().data)``.
    swapped = np.ascontiguousarray(signatures.byteswap())
    width = rows * swapped.itemsize
    keys = []
    for band in range(bands):
        block = np.ascontiguousarray(swapped[:, band * rows : (band + 1) * rows]).tobytes()
        keys.append([block[i : i + width] for i in range(0, len(block), width)])
    return keys


def build_lsh(
    signatures: np.ndarray, *, bands: int, rows: int, keys: Sequence[int] | None = None
) -> Any:
    """A ``datasketch.MinHashLSH`` holding every row of ``signatures``.

    ``keys`` name the rows (default: their index). The index answers
    ``query(MinHash)`` like one filled by ``insert``.
    """
    from datasketch import MinHashLSH

    count, num_perm = signatures.shape
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
    names = list(range(count)) if keys is None else list(keys)
    if len(names) != count:
        raise ValueError("one key per signature is needed")
    per_band = band_keys(signatures, bands=bands, rows=rows)
    for table, band in zip(lsh.hashtables, per_band, strict=True):
        for name, key in zip(names, band, strict=True):
            table.insert(key, name)
    for position, name in enumerate(names):
        lsh.keys.insert(name, *(band[position] for band in per_band))
    return lsh


def lsh_candidates(signatures: np.ndarray, *, bands: int, rows: int, max_bucket: int) -> np.ndarray:
    """Distinct pairs ``(i, j)``, ``i < j``, of rows sharing a bucket in any band."""
    count = len(signatures)
    chunks: list[np.ndarray] = []
    # Each band's buckets come from one sort of (key, row) packed into 64
    # bits: the row in the low bits, the top bits of the key above them.
    # Sorting packed integers is several times faster than an argsort. The
    # truncated keys of two different bands collide with probability
    # 2**-(64 - row_bits) per pair, which only adds a candidate that the
    # alignment then rejects.
    row_bits = max(1, (count - 1).bit_length())
    if _index_batch is not None and count < _COMPILED_MAX_ENTRIES and count:
        # The same buckets from a radix sort of each band's top key bits, in
        # one pass without the GIL. 50 MB planted corpus, 122,132
        # signatures, 63 bands: 0.52-0.54 s -> 0.18-0.19 s.
        matrix = np.ascontiguousarray(signatures, dtype=np.uint32)
        packed = _index_batch.lsh_pairs(matrix, matrix.shape[1], bands, rows, max_bucket, row_bits)
        return _unique_packed_pairs(packed)
    row_mask = np.uint64((1 << row_bits) - 1)
    row_ids = np.arange(count, dtype=np.uint64)
    for band in range(bands):
        keys = _band_hash(signatures[:, band * rows : (band + 1) * rows])
        packed = np.sort((keys & ~row_mask) | row_ids)
        order = (packed & row_mask).astype(np.int64)
        ordered = packed & ~row_mask
        # Runs of equal keys are the buckets; rows inside a run are sorted.
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        sizes = np.diff(np.concatenate((starts, [count])))
        chunks.extend(_bucket_pairs(order, starts, sizes, max_bucket))
    return unique_pairs(chunks)


def _band_hash(band: np.ndarray) -> np.ndarray:
    """A 64-bit key per row of a band: equal rows get equal keys.

    Unequal rows collide with probability ~2**-64 per pair; a collision only
    adds a candidate, which the alignment then rejects, so no copy is lost.
    """
    keys = np.zeros(len(band), dtype=np.uint64)
    for column in range(band.shape[1]):
        keys = keys * np.uint64(0x9E3779B97F4A7C15) + band[:, column].astype(np.uint64)
        keys ^= keys >> np.uint64(29)
    # MurmurHash3's fmix64 (a bijection) spreads every input bit over the
    # whole key, so its top bits alone still tell rows apart.
    keys ^= keys >> np.uint64(33)
    keys *= np.uint64(0xFF51AFD7ED558CCD)
    keys ^= keys >> np.uint64(33)
    keys *= np.uint64(0xC4CEB9FE1A85EC53)
    keys ^= keys >> np.uint64(33)
    return keys


def _bucket_pairs(
    order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_bucket: int
) -> list[np.ndarray]:
    """Pairs within each bucket (``order[start:start + size]``): all pairs for
    buckets up to ``max_bucket`` members, a chain of neighbours above that, so
    a line repeated 100,000 times stays linear and still forms one cluster."""
    chunks = []
    # Buckets of one size are handled together, as the rows of one matrix.
    for size in sorted_unique(sizes[sizes >= 2])[0].tolist():
        members = order[starts[sizes == size][:, None] + np.arange(size)]
        if size > max_bucket:
            chunks.append(np.stack([members[:, :-1].ravel(), members[:, 1:].ravel()], axis=1))
        else:
            first, second = np.triu_indices(size, k=1)
            chunks.append(np.stack([members[:, first].ravel(), members[:, second].ravel()], axis=1))
    return chunks


def unique_pairs(chunks: list[np.ndarray]) -> np.ndarray:
    """The distinct pairs among ``chunks`` of (k, 2) arrays, each as ``(i, j)``
    with ``i < j``, sorted."""
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(chunks).astype(np.int64).reshape(-1, 2), axis=1)
    if len(pairs) == 0:
        return pairs
    # Encode each pair as one integer: a 1-d sort is much faster than
    # sorting rows.
    span = int(pairs.max()) + 1
    codes, _ = sorted_unique(pairs[:, 0] * span + pairs[:, 1])
    return np.stack([codes // span, codes % span], axis=1)


def sorted_unique(
    values: np.ndarray, *, nearly_sorted: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a 1-d array, sorted, and how often each occurs.

    What ``np.unique(values, return_counts=True)`` returns, by one sort:
    numpy 2.3+ answers ``np.unique`` on integers with a hash table, which
    measured 50x slower than sorting on arrays of a million keys.
    ``nearly_sorted``: the values are long ascending runs one after another,
    which numpy's stable sort (timsort) merges instead of sorting afresh (3x
    faster than quicksort on the joins below; a little slower on random data).
    """
    ordered = np.sort(values, kind="stable" if nearly_sorted else "quicksort")
    if len(ordered) == 0:
        return ordered, np.empty(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[first], np.diff(np.concatenate((first, [len(ordered)])))


def containment_candidates(
    shingle_sets: Sequence[np.ndarray],
    *,
    max_words: int,
    word_counts: Sequence[int],
    min_coverage: float,
    max_postings: int,
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, where the shorter one (at most ``max_words``
    words) has at least ``min_coverage`` of its shingles in the other.

    A shingle found in more than ``max_postings`` paragraphs is too common to
    tell anything (it is boilerplate, and the exact and LSH stages link those).
    """
    return flat_containment_candidates(
        *_flat(shingle_sets),
        max_words=max_words,
        word_counts=word_counts,
        min_coverage=min_coverage,
        max_postings=max_postings,
    )


def flat_containment_candidates(
    values: np.ndarray,
    lengths: np.ndarray,
    *,
    max_words: int,
    word_counts: Sequence[int] | np.ndarray,
    min_coverage: float,
    max_postings: int,
) -> np.ndarray:
    """:func:`containment_candidates` of sets stored back to back: set ``i``
    is the next ``lengths[i]`` entries of ``values`` (how the corpus keeps
    them, so a scan need not cut them into an array per paragraph)."""
    sets = len(lengths)
    is_short = (lengths > 0) & (np.asarray(word_counts, dtype=np.int64) <= max_words)
    short = np.flatnonzero(is_short)
    if len(short) == 0:
        return np.empty((0, 2), dtype=np.int64)
    if _index_batch is not None and max(len(values), sets) < _COMPILED_MAX_ENTRIES:
        # One hash table of the items' values instead of the sorts below,
        # without the GIL, so the LSH thread runs beside it. 50 MB planted
        # corpus, 7.6 million values: 1.01-1.10 s -> 0.40-0.47 s.
        packed = _index_batch.containment_pairs(
            np.ascontiguousarray(values, dtype=np.uint32),
            np.ascontiguousarray(lengths, dtype=np.int64),
            is_short,
            float(min_coverage),
            int(max_postings),
        )
        return _unique_packed_pairs(packed)
    owners = _owners(lengths)
    # Only shingles of short items vote or count: the postings of the others
    # are dropped before the sort (most of a corpus's shingles are in long
    # paragraphs). Runs of the shingles kept stay whole, so counts are right.
    keep = _may_be_among(values, values[is_short[owners]])
    members, first, counts = _runs(values[keep], owners[keep], sets)
    del owners, keep
    # 32 bits per entry: a shingle is in fewer than 2**31 paragraphs.
    entry_counts = np.repeat(counts.astype(np.int32), counts)
    usable = entry_counts <= max_postings
    entry_short = is_short[members]
    # Only the usable shingles of an item can vote, so coverage is measured
    # against them; an item whose shingles are all common cannot be placed.
    usable_per_set = np.bincount(members[usable & entry_short], minlength=sets)
    # A shingle no other paragraph holds votes for nobody: most of an item's
    # shingles are its own, and joining them would only find the item itself.
    voting = np.flatnonzero(usable & entry_short & (entry_counts >= 2))
    del usable, entry_short
    if len(voting) == 0:
        return np.empty((0, 2), dtype=np.int64)
    run_of_entry = np.repeat(np.arange(len(first), dtype=np.int32), counts)
    item, starts, sizes = _by_item(
        members[voting], first[run_of_entry[voting]], entry_counts[voting].astype(np.int64)
    )
    del run_of_entry
    del entry_counts, voting
    chunks = [
        _covered_pairs(item[i : i + step], starts[i : i + step], sizes[i : i + step],
                       members, usable_per_set, min_coverage)
        for i, step in _join_chunks(sizes, item)
    ]  # fmt: skip
    return unique_pairs(chunks)


# The compiled lookups number values, sets and rows with 32-bit integers.
_COMPILED_MAX_ENTRIES = (1 << 31) - 1


def _unique_packed_pairs(packed: bytes) -> np.ndarray:
    """:func:`unique_pairs` of the native int32 pairs a compiled lookup returns."""
    return unique_pairs([np.frombuffer(packed, dtype=np.int32).reshape(-1, 2)])

# Rows of the (item shingle x posting) join materialised at once: bounds
# memory whatever the corpus (256k rows: ~10 MB of transient arrays). Smaller
# chunks are faster too, since each chunk's sort then works in cache: on the
# 50 MB planted corpus the candidate stage took 2.8 s and peaked at 556 MB
# with 4M rows, 2.0 s and 453 MB with 256k.
_JOIN_ROWS = 1 << 18


def _join_chunks(lengths: np.ndarray, item_pos: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive (start, count) ranges of entries whose join sizes
    (``lengths``) sum to at most ``_JOIN_ROWS``, cut only between items so
    each item's shared shingles are counted in one piece."""
    ranges = []
    start = 0
    total = np.cumsum(lengths)
    while start < len(lengths):
        base = total[start - 1] if start else 0
        end = int(np.searchsorted(total, base + _JOIN_ROWS, side="right"))
        if end < len(lengths):
            # Back up to the first entry of the item that would be cut.
            item_start = int(np.searchsorted(item_pos, item_pos[end], side="left"))
            end = (
                item_start
                if item_start > start
                else int(np.searchsorted(item_pos, item_pos[start], side="right"))
            )
        ranges.append((start, end - start))
        start = end
    return ranges


def _covered_pairs(
    item: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    members: np.ndarray,
    usable_per_set: np.ndarray,
    min_coverage: float,
) -> np.ndarray:
    """Pairs (item, other) where ``other`` holds enough of the item's usable
    shingles; entry ``e`` says item ``item[e]`` shares a shingle with the
    sets ``members[starts[e] : starts[e] + sizes[e]]`` (itself among them)."""
    queries, targets = _join(item, starts, sizes, members)
    different = queries != targets
    queries, targets = queries[different], targets[different]
    if len(queries) == 0:
        return np.empty((0, 2), dtype=np.int64)
    # Count shared shingles per (item, target) and keep the well-covered ones.
    items, others, shared = _count_pairs(queries, targets)
    covered = shared >= np.ceil(min_coverage * usable_per_set[items] - 1e-9)
    return np.stack([items[covered], others[covered]], axis=1)


def _flat(sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The values of ``sets`` back to back, and each set's length."""
    lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    values = np.concatenate(list(sets)) if len(sets) else np.empty(0, dtype=np.uint32)
    return values, lengths


def _owners(lengths: np.ndarray) -> np.ndarray:
    """For sets stored back to back, the id of the set of each entry (32 bits
    while there are fewer than 2**32 sets: one per hash of the corpus)."""
    dtype = np.uint32 if len(lengths) < 1 << 32 else np.uint64
    return np.repeat(np.arange(len(lengths), dtype=dtype), lengths)


# Bits of the membership filter per value looked for: about one value in 16
# that is not among them still passes (which costs only its place in the sort).
_FILTER_BITS_PER_VALUE = 16
# The filter's table is at most this many bits (it then lets more through).
_FILTER_MAX_BITS = 1 << 31


def _may_be_among(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` may be one of ``among``: true for all that
    are and for a few that are not, from a bit table of the low bits of
    ``among`` (hashes, so uniform) — a lookup instead of a sort. One bit per
    entry, not one byte: the table stays in cache (50 MB planted corpus,
    7.6 million lookups: 0.23 -> 0.07 s, and half the false passes)."""
    size = int(np.clip(_FILTER_BITS_PER_VALUE * len(among), 1 << 16, _FILTER_MAX_BITS))
    mask = np.uint32((1 << (size - 1).bit_length()) - 1)
    table = np.zeros((int(mask) + 1) // 8, dtype=np.uint8)
    low = among.astype(np.uint32, copy=False) & mask
    bits = np.left_shift(1, low & np.uint32(7)).astype(np.uint8)
    np.bitwise_or.at(table, low >> np.uint32(3), bits)
    low = values.astype(np.uint32, copy=False) & mask
    return (table[low >> np.uint32(3)] >> (low & np.uint32(7)).astype(np.uint8) & 1).astype(bool)


def _runs(
    values: np.ndarray, owners: np.ndarray, sets: int, *, repeats: bool = False
) -> tuple[np.ndarray, ...]:
    """The inverted index of ``sets`` sets (of 32-bit values, given flat:
    ``values[i]`` is in set ``owners[i]``, owners ascending) as runs:
    ``(members, first, counts)``; run ``r`` is one value, held by the sets
    ``members[first[r] : first[r] + counts[r]]``, in ascending order.
    ``repeats``: a value may occur more than once in a set (it is listed
    once); otherwise each set's values must be distinct.

    One sort of (value, set id) packed into 64 bits builds it: several times
    faster than an argsort, and no per-element permutation is kept (at 1 GB
    of text there are 160 million elements).
    """
    # In place throughout: at 1 GB each 64-bit temporary is over a gigabyte.
    packed = values.astype(np.uint64)
    packed <<= np.uint64(32)
    np.bitwise_or(packed, owners, out=packed)  # (casts in chunks: no 64-bit copy)
    packed.sort()
    if repeats:
        # Equal (value, set) entries are neighbours now: keeping the first
        # of each dedupes every set, without a sort of its own.
        packed = packed[_run_starts(packed)]
    # The low 32 bits by a narrowing cast, without a 64-bit masked copy.
    low = packed.astype(np.uint32)
    members = low.view(np.int32) if sets < 1 << 31 else low.astype(np.int64)
    packed >>= np.uint64(32)
    boundary = _run_starts(packed)
    del packed
    first = np.flatnonzero(boundary)
    counts = np.diff(np.concatenate((first, [len(boundary)])))
    return members, first, counts


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Whether each entry of a sorted array differs from the one before."""
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return starts


def _by_item(
    item: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries reordered so each item's are together (the join counts an
    item's shared values in one chunk)."""
    order = np.argsort(item, kind="stable")
    return item[order], starts[order], sizes[order]


def _join(
    item_pos: np.ndarray, starts: np.ndarray, lengths: np.ndarray, post_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(query, target)`` for every posting of every entry: entry ``e`` of
    item ``item_pos[e]`` has the postings ``post_ids[starts[e] : starts[e] +
    lengths[e]]``."""
    queries = np.repeat(item_pos, lengths)
    run_starts = np.repeat(starts - np.cumsum(np.concatenate(([0], lengths[:-1]))), lengths)
    return queries, post_ids[run_starts + np.arange(len(queries))]


def _count_pairs(
    queries: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(query, target)`` pairs and how often each occurs (the
    number of hashes they share); both arrays must be non-empty.

    The joins pass queries grouped (non-decreasing) and each posting's
    targets ascending, so the pair keys are long ascending runs."""
    span = int(targets.max()) + 1
    unique_keys, shared = sorted_unique(
        queries.astype(np.int64) * span + targets, nearly_sorted=True
    )
    return unique_keys // span, unique_keys % span, shared


def shared_word_candidates(
    word_sets: Sequence[np.ndarray], *, min_shared: int, min_dice: float, max_postings: int
) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of sets sharing many *rare* words.

    A word is rare when at most ``max_postings`` sets hold it. With ``r_i``
    the number of rare words of set ``i`` and ``k`` the number the two share,
    a pair is proposed when ``k >= min_shared`` and its Dice coefficient over
    rare words, ``2 k / (r_i + r_j)``, is at least ``min_dice``. Common words
    ("the", "said") neither vote nor count, so two short paragraphs are not
    proposed for sharing function words, and a list of names whose order or
    interleaving changed (no word 3-gram left in common) still is.
    """
    return flat_shared_word_candidates(
        *_flat(word_sets), min_shared=min_shared, min_dice=min_dice, max_postings=max_postings
    )


def flat_shared_word_candidates(
    values: np.ndarray, lengths: np.ndarray, *, min_shared: int, min_dice: float, max_postings: int
) -> np.ndarray:
    """:func:`shared_word_candidates` of sets stored back to back: set ``i``
    is the next ``lengths[i]`` entries of ``values``. A value may repeat
    within a set (a paragraph's words, in order) and counts once."""
    if int((lengths > 0).sum()) < 2:
        return np.empty((0, 2), dtype=np.int64)
    if _index_batch is not None and max(len(values), len(lengths)) < _COMPILED_MAX_ENTRIES:
        # One hash table of the words and a vote counter per set instead of
        # the sorts below, without the GIL. 50 MB planted corpus: 0.28-0.31 s
        # -> 0.06-0.09 s; BBC News: 0.054-0.067 s -> 0.010-0.013 s.
        packed = _index_batch.shared_word_pairs(
            np.ascontiguousarray(values, dtype=np.uint32),
            np.ascontiguousarray(lengths, dtype=np.int64),
            int(min_shared),
            float(min_dice),
            int(max_postings),
        )
        return _unique_packed_pairs(packed)
    members, first, counts = _runs(values, _owners(lengths), len(lengths), repeats=True)
    entry_counts = np.repeat(counts, counts)
    rare = entry_counts <= max_postings
    rare_words = np.bincount(members[rare], minlength=len(lengths))
    # Runs list their sets in ascending order, so the sets after an entry's
    # own place in its run are exactly the later ones: each pair is met once,
    # from its lower id. A rare word held by one set counts against its Dice
    # but has nobody to vote for.
    later_start = np.arange(1, len(members) + 1, dtype=np.int64)
    later_count = np.repeat(first + counts, counts) - later_start
    votes = np.flatnonzero(rare & (later_count > 0))
    item_pos, starts, sizes = _by_item(members[votes], later_start[votes], later_count[votes])
    del entry_counts, rare, later_start, later_count, votes
    chunks = []
    for i, step in _join_chunks(sizes, item_pos):
        part = slice(i, i + step)
        low, high = _join(item_pos[part], starts[part], sizes[part], members)
        low, high, shared = _count_pairs(low, high)
        dice_ok = 2.0 * shared >= min_dice * (rare_words[low] + rare_words[high]) - 1e-9
        keep = (shared >= min_shared) & dice_ok
        chunks.append(np.stack([low[keep], high[keep]], axis=1))
    return unique_pairs(chunks)
