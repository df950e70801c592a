"""MinHash signatures for many paragraphs at once, identical to datasketch's.

datasketch 2.x's default scheme ("affine32") turns each 32-bit element hash
``h`` into ``num_perm`` values::

    g(h)     = fmix32(h)                    # MurmurHash3 finalizer, a bijection
    pi_k(h)  = (a_k * g(h) + b_k) mod 2**32  # a_k odd: a permutation of 2**32
    sig[k]   = min over the set of pi_k(h)

with ``a_k, b_k`` the draws of ``numpy.random.RandomState(seed)`` that
``datasketch.MinHash(num_perm, seed)`` makes (see :func:`permutations`). The
probability that two sets agree at position ``k`` estimates their Jaccard
similarity, so the share of equal positions is the estimate.

Here the arithmetic runs over a whole batch: all element hashes of all
paragraphs are concatenated, permuted as one ``(num_perm, elements)`` matrix
in chunks, and reduced per paragraph with ``np.minimum.reduceat``. Where the
install compiled it, ``dedupe._minhash_batch`` does the same in one pass
over the elements, the permutations in vector registers (:data:`COMPILED`;
about 20x faster). Either is bit-identical to calling ``MinHash.update`` per
shingle (tests prove both).

Example::

    >>> from dedupe.shingle import hash_shingles
    >>> sig = signatures([hash_shingles([b"a b c", b"b c d"])], num_perm=128)
    >>> sig.shape, sig.dtype
    ((1, 128), dtype('uint32'))
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from dedupe import _compiled

_minhash_batch = _compiled.load("_minhash_batch")
#: Whether :func:`signatures_flat` runs the compiled version.
COMPILED = _minhash_batch is not None

EMPTY = np.uint32(0xFFFFFFFF)
# Elements permuted at once, into one reused ``(num_perm, elements)`` buffer.
# Permutations in rows and elements in columns: the multiply then runs over
# contiguous elements with one scalar per row, and the per-set minimum is a
# reduction along contiguous runs, which measured 2-4x faster than the same
# arithmetic on ``(elements, num_perm)``. 4k x 128 x 4 B = 2 MiB, fastest of
# 1k-16k here.
_CHUNK_ELEMENTS = 4_096


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` parameters datasketch draws for ``MinHash(num_perm, seed)``.

    datasketch draws them with ``numpy.random.RandomState(seed).randint``: a
    Mersenne Twister (MT19937) seeded by ``init_genrand(seed)``; ``a_k`` is
    ``2 * r + 1`` for ``r`` the low 31 bits of one 32-bit output (a mask of
    exactly the range never rejects a draw), then ``b_k`` is one whole output
    each. Python's :class:`random.Random` is the same generator: set to that
    state, ``getrandbits(32)`` gives the same outputs, without importing
    ``numpy.random`` (13 ms, once in every process that sketches).
    """
    if not 0 <= seed < 1 << 32:
        raise ValueError("seed must be between 0 and 2**32 - 1")
    generator = random.Random()
    generator.setstate((3, (*_init_genrand(seed), _MT_STATE_WORDS), None))
    a = np.fromiter(
        (generator.getrandbits(32) & 0x7FFFFFFF for _ in range(num_perm)),
        dtype=np.uint32,
        count=num_perm,
    )
    a = a * np.uint32(2) + np.uint32(1)
    b = np.fromiter(
        (generator.getrandbits(32) for _ in range(num_perm)), dtype=np.uint32, count=num_perm
    )
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


_MT_STATE_WORDS = 624


def _init_genrand(seed: int) -> list[int]:
    """MT19937's state after ``init_genrand(seed)`` (Matsumoto and Nishimura's
    reference seeding, which ``RandomState`` uses for an integer seed); with
    the position at its end, the first draw regenerates the whole state."""
    state = [seed]
    for i in range(1, _MT_STATE_WORDS):
        previous = state[-1]
        state.append((1812433253 * (previous ^ (previous >> 30)) + i) & 0xFFFFFFFF)
    return state


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, element-wise (wrapping arithmetic)."""
    h = values.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def signatures(sets: Sequence[np.ndarray], *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures of many sets of 32-bit hashes: ``(len(sets), num_perm)``.

    An empty set gets the empty signature (every value ``2**32 - 1``), as an
    untouched ``datasketch.MinHash`` has.
    """
    lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    values = np.concatenate(sets) if len(sets) else np.empty(0, np.uint32)
    return signatures_flat(values.astype(np.uint32), lengths, num_perm=num_perm, seed=seed)


def signatures_flat(
    values: np.ndarray, lengths: np.ndarray, *, num_perm: int = 128, seed: int = 1
) -> np.ndarray:
    """:func:`signatures` of sets stored back to back: set ``i`` is the next
    ``lengths[i]`` entries of ``values`` (the storage the pipeline keeps)."""
    a, b = permutations(num_perm, seed)
    if _minhash_batch is not None:
        result = np.empty((len(lengths), num_perm), dtype=np.uint32)
        _minhash_batch.signatures_into(
            np.ascontiguousarray(values, dtype=np.uint32),
            np.ascontiguousarray(lengths, dtype=np.int64),
            a,
            b,
            result,
        )
        return result
    result = np.full((len(lengths), num_perm), EMPTY, dtype=np.uint32)
    if len(values) == 0:
        return result
    elements = fmix32(values)
    nonempty = np.flatnonzero(lengths)
    lengths = lengths[nonempty]
    ends = np.cumsum(lengths)
    offsets = ends - lengths
    buffer = np.empty((num_perm, _CHUNK_ELEMENTS + int(lengths.max())), dtype=np.uint32)
    a_column, b_column = a[:, None], b[:, None]

    # Process whole sets per chunk so reduceat never straddles a boundary.
    first = 0
    while first < len(nonempty):
        # The last set that still ends within this chunk (at least one set).
        limit = offsets[first] + _CHUNK_ELEMENTS
        last = max(first + 1, int(np.searchsorted(ends, limit, side="right")))
        lo, hi = offsets[first], ends[last - 1]
        permuted = buffer[:, : hi - lo]
        np.multiply(a_column, elements[None, lo:hi], out=permuted)
        permuted += b_column
        minima = np.minimum.reduceat(permuted, offsets[first:last] - lo, axis=1)
        result[nonempty[first:last]] = minima.T
        first = last
    return result


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature positions."""
    if sig_a.shape != sig_b.shape:
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def to_datasketch(signature: np.ndarray, *, seed: int = 1) -> Any:
    """A ``datasketch.MinHash`` holding ``signature`` (for interop and storage)."""
    from datasketch import MinHash

    return MinHash(num_perm=len(signature), seed=seed, hashvalues=signature, scheme="affine32")
