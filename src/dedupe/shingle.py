"""Word n-gram shingles of a paragraph, and their 32-bit hashes.

A paragraph of words ``w0 w1 ... wk`` with ``size=3`` has the shingles
``"w0 w1 w2"``, ``"w1 w2 w3"``, ... (UTF-8 bytes). A paragraph shorter than
``size`` words is one shingle of all its words, so short items still have a
set to compare.

The hash of a shingle is datasketch's default for 32-bit MinHash,
:func:`datasketch.hashfunc.sha1_hash32`: the first four bytes of its SHA-1,
little-endian. Using the same hash is what makes our signatures
interchangeable with ``datasketch.MinHash``.

For many paragraphs at once, :func:`shingle_sets` joins all their words into
one UTF-8 buffer, finds every shingle as a slice of it and hashes all the
slices together (:mod:`dedupe.sha1`): no Python work per shingle.

Words and whole paragraphs get 64-bit keys of their own (:func:`word_keys`,
:func:`sequence_keys`): what the exact-copy test and word alignment compare,
computed with array operations over every word of a batch.

Example::

    >>> shingles(["a", "rose", "is", "a", "rose"], size=3)
    [b'a rose is', b'rose is a', b'is a rose']
    >>> values, counts = shingle_sets([["a", "rose", "is", "a", "rose"], ["rose"]], size=3)
    >>> counts.tolist()
    [3, 1]
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence

import numpy as np

from dedupe import _compiled
from dedupe.sha1 import sha1_hash32, sha1_hash32_runs

_shingle_batch = _compiled.load("_shingle_batch")
#: Whether :func:`word_keys` and :func:`distinct_sets` run the compiled versions.
COMPILED = _shingle_batch is not None


def shingles(words: Sequence[str], *, size: int) -> list[bytes]:
    """The word ``size``-grams of ``words`` as UTF-8 bytes (duplicates kept)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    if not words:
        return []
    if len(words) <= size:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


def hash_shingles(items: Iterable[bytes]) -> np.ndarray:
    """``sha1_hash32`` of each shingle, as a ``uint32`` array."""
    items = list(items)
    lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    ends = np.cumsum(lengths)
    return sha1_hash32(b"".join(items), ends - lengths, ends)


def shingle_hashes(words: Sequence[str], *, size: int) -> np.ndarray:
    """The distinct shingle hashes of a paragraph, sorted (a set, as an array)."""
    values, _ = shingle_sets([words], size=size)
    return values


def shingle_sets(
    paragraphs: Sequence[Sequence[str]], *, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shingle_hashes` of many paragraphs, stored back to back.

    Returns ``(values, counts)``: paragraph ``i``'s distinct hashes, sorted,
    are the next ``counts[i]`` entries of ``values`` (``uint32``).
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    buffer, word_starts, word_ends, counts = _joined(paragraphs)
    return shingle_sets_in(
        buffer, word_starts, word_ends, np.cumsum(counts) - counts, counts, size=size
    )


def shingle_sets_in(
    buffer: bytes,
    word_starts: np.ndarray,
    word_ends: np.ndarray,
    first_words: np.ndarray,
    word_counts: np.ndarray,
    *,
    size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shingle_sets` of paragraphs whose words lie in ``buffer``:
    paragraph ``i`` is words ``first_words[i]`` to ``first_words[i] +
    word_counts[i] - 1``, word ``w`` is ``buffer[word_starts[w]:word_ends[w]]``
    and the words of a paragraph are separated by single spaces (the layout
    of :class:`dedupe.normalize.FoldedParagraphs`), so every shingle is a
    slice of ``buffer``, hashed with all the others at once."""
    if size < 1:
        raise ValueError("size must be at least 1")
    word_counts = np.asarray(word_counts, dtype=np.int64)
    counts = np.zeros(len(word_counts), dtype=np.int64)
    present = np.flatnonzero(word_counts)
    if len(present) == 0:
        return np.empty(0, dtype=np.uint32), counts
    lengths = word_counts[present]
    # A paragraph shorter than ``size`` is one shingle of all its words.
    hashes = sha1_hash32_runs(
        buffer,
        word_starts,
        word_ends,
        np.asarray(first_words, dtype=np.int64)[present],
        lengths,
        size=size,
    )
    values, counts[present] = distinct_sets(hashes, np.maximum(lengths - size + 1, 1))
    return values, counts


def word_hashes(paragraphs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """The 32-bit hash of every word of every paragraph (:func:`word_keys`
    folded to 32 bits), in order, back to back, and the paragraphs' word
    counts. Equal words have equal hashes; unlike shingles, words are only
    ever compared with each other, so no hash scheme outside dedupe binds
    them."""
    buffer, starts, ends, counts = _joined(paragraphs)
    return fold32(word_keys(buffer, starts, ends)), counts


def _joined(
    paragraphs: Sequence[Sequence[str]],
) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
    """The words of ``paragraphs`` in one buffer, each followed by one space
    (words never contain white space), with the words' offsets and the
    paragraphs' word counts."""
    counts = np.fromiter(map(len, paragraphs), dtype=np.int64, count=len(paragraphs))
    everything = list(itertools.chain.from_iterable(paragraphs))
    if not everything:
        empty = np.empty(0, dtype=np.int64)
        return b"", empty, empty, counts
    buffer = (" ".join(everything) + " ").encode("utf-8")
    ends = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 0x20)
    starts = np.concatenate(([0], ends[:-1] + 1))
    return buffer, starts, ends, counts


# -- 64-bit keys of words and word sequences ---------------------------------
#
# What the exact-copy test and alignment compare: equality of folded words
# and paragraphs. A 64-bit key keeps accidental equality (about n^2 / 2^65 for
# n distinct items: one in 10^7 for a billion paragraphs) out of reach, and
# array operations over every word of a batch cost far less than a Python
# dictionary of its vocabulary or a cryptographic digest per paragraph.

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
# Words longer than this are keyed one by one (a scraped page's 20,000-byte
# "word" would keep every lane of the array loop running).
_VECTOR_WORD_BYTES = 64
# The low k bytes of a little-endian uint64, for k = 0..8.
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place: a bijection of 64-bit values that
    spreads every input bit over the output."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def word_keys(buffer: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit key of each ``buffer[starts[i]:ends[i]]`` (``uint64``).

    The bytes are read as little-endian 8-byte chunks; the key starts from
    the length and takes in one chunk at a time (``h = mix(h ^ chunk)``, with
    :func:`_mix64` a bijection), so two words of one length up to 8 bytes
    never share a key. Keys depend on the bytes alone: the same on every
    machine, in every batch, in every run.

    Example::

        >>> b = b"rose is a rose "
        >>> keys = word_keys(b, np.array([0, 5, 8, 10]), np.array([4, 7, 9, 14]))
        >>> bool(keys[0] == keys[3]), bool(keys[0] == keys[1])
        (True, False)
    """
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    ends = np.ascontiguousarray(ends, dtype=np.int64)
    lengths = ends - starts
    if _shingle_batch is not None:
        # It checks the words itself, as it reads the buffer directly.
        keys = np.empty(len(starts), dtype=np.uint64)
        _shingle_batch.word_keys_into(buffer, starts, ends, keys)
    else:
        if len(starts) and (
            int(starts.min()) < 0 or int(ends.max()) > len(buffer) or int(lengths.min()) < 0
        ):
            raise ValueError("words must lie inside the buffer")
        keys = _short_word_keys(buffer, starts, lengths)
    view = memoryview(buffer)
    for lane in np.flatnonzero(lengths > _VECTOR_WORD_BYTES).tolist():
        digest = hashlib.blake2b(view[starts[lane] : starts[lane] + lengths[lane]], digest_size=8)
        keys[lane] = int.from_bytes(digest.digest(), "little")
    return keys


def _short_word_keys(buffer: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`word_keys` with numpy, for the words of up to
    :data:`_VECTOR_WORD_BYTES` (the others' keys are left to the caller)."""
    keys = lengths.astype(np.uint64) * _GOLDEN
    if len(starts) == 0:
        return keys
    raw = np.zeros(len(buffer) + 8, dtype=np.uint8)
    raw[: len(buffer)] = np.frombuffer(buffer, dtype=np.uint8)
    # The little-endian uint64 starting at each byte.
    chunks = np.ndarray(shape=(len(buffer) + 1,), dtype="<u8", buffer=raw, strides=(1,))
    short = lengths <= _VECTOR_WORD_BYTES
    lanes = np.flatnonzero(short)
    for offset in range(0, int(lengths[lanes].max(initial=0)), 8):
        lanes = lanes[lengths[lanes] > offset]
        chunk = chunks[starts[lanes] + offset].astype(np.uint64)
        chunk &= _LOW_BYTES[np.minimum(lengths[lanes] - offset, 8)]
        chunk ^= keys[lanes]
        keys[lanes] = _mix64(chunk)
    return keys


def sequence_keys(keys: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """A 64-bit key of each sequence of word keys (sequence ``i`` is the next
    ``counts[i]`` entries of ``keys``): order matters, never 0.

    Each word's key is mixed with its position and the sums per sequence are
    mixed with its length, all modulo 2^64.
    """
    if _shingle_batch is not None:
        # One pass in C instead of eight array operations (2.9 ms per MB
        # of text at 50 MB).
        result = np.empty(len(counts), dtype=np.uint64)
        _shingle_batch.sequence_keys_into(
            np.ascontiguousarray(keys, dtype=np.uint64),
            np.ascontiguousarray(counts, dtype=np.int64),
            result,
        )
        return result
    counts = np.asarray(counts, dtype=np.int64)
    ends = np.cumsum(counts)
    first = ends - counts
    position = np.arange(len(keys), dtype=np.int64) - np.repeat(first, counts)
    mixed = _mix64(keys + (position + 1).astype(np.uint64) * _GOLDEN)
    sums = np.zeros(len(keys) + 1, dtype=np.uint64)
    np.cumsum(mixed, out=sums[1:])
    result = _mix64((sums[ends] - sums[first]) ^ (counts.astype(np.uint64) * _GOLDEN))
    result[result == 0] = 1
    return result


def fold32(keys: np.ndarray) -> np.ndarray:
    """64-bit keys as 32-bit hashes (both halves count)."""
    return (keys ^ (keys >> np.uint64(32))).astype(np.uint32)


def distinct_sets(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each of many sequences stored back to back (sequence ``i`` is the next
    ``counts[i]`` entries of ``values``) as its sorted distinct values,
    stored the same way."""
    values = np.ascontiguousarray(values, dtype=np.uint32)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    if _shingle_batch is not None:
        distinct = np.empty_like(values)
        distinct_counts = np.empty_like(counts)
        kept = _shingle_batch.distinct_sorted_into(values, counts, distinct, distinct_counts)
        return distinct[:kept].copy(), distinct_counts
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return _distinct_per_owner(owner, values, len(counts))


def word_sets(paragraphs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shingle_sets` with ``size=1``: each paragraph's distinct word
    hashes, each distinct word hashed once."""
    return distinct_sets(*word_hashes(paragraphs))


def _distinct_per_owner(
    owner: np.ndarray, hashes: np.ndarray, owners: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each owner's distinct hashes, sorted and back to back, and their counts
    (``owner`` ascending, as the callers build it)."""
    # One sort dedupes every set: key = (owner, hash).
    keys = np.sort((owner.astype(np.uint64) << np.uint64(32)) | hashes.astype(np.uint64))
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    keys = keys[keep]
    counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=owners)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), counts
