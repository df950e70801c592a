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

Example::

    >>> shingles(["a", "rose", "is", "a", "rose"], size=3)
    [b'a rose is', b'rose is a', b'is a rose']
    >>> values, counts = shingle_sets([["a", "rose", "is", "a", "rose"], ["rose"]], size=3)
    >>> counts.tolist()
    [3, 1]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np

from dedupe.sha1 import sha1_hash32


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
    word_counts = np.fromiter((len(p) for p in paragraphs), dtype=np.int64, count=len(paragraphs))
    counts = np.zeros(len(paragraphs), dtype=np.int64)
    present = np.flatnonzero(word_counts)
    if len(present) == 0:
        return np.empty(0, dtype=np.uint32), counts
    # Words never contain white space, so in "w w w\nw w" every word is the
    # run between separators: byte offsets of all words without a Python loop.
    buffer = "\n".join([" ".join(paragraphs[i]) for i in present.tolist()]).encode("utf-8")
    raw = np.frombuffer(buffer, dtype=np.uint8)
    separators = np.flatnonzero((raw == 0x20) | (raw == 0x0A))
    word_starts = np.concatenate(([0], separators + 1))
    word_ends = np.concatenate((separators, [len(buffer)]))

    lengths = word_counts[present]
    first_word = np.cumsum(lengths) - lengths
    per_paragraph = np.maximum(lengths - size + 1, 1)
    owner = np.repeat(np.arange(len(present)), per_paragraph)
    position = np.arange(int(per_paragraph.sum())) - np.repeat(
        np.cumsum(per_paragraph) - per_paragraph, per_paragraph
    )
    first = first_word[owner] + position
    # A paragraph shorter than ``size`` is one shingle of all its words.
    last = first_word[owner] + np.minimum(position + size, lengths[owner]) - 1
    hashes = sha1_hash32(buffer, word_starts[first], word_ends[last])

    values, counts[present] = _distinct_per_owner(owner, hashes, len(present))
    return values, counts


def word_hashes(paragraphs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``sha1_hash32`` of every word of every paragraph, in order, back to
    back, and the paragraphs' word counts. Each distinct word is hashed
    once: news repeats its vocabulary, so a batch has a few distinct words
    per hundred."""
    counts = np.fromiter(map(len, paragraphs), dtype=np.int64, count=len(paragraphs))
    words = list(itertools.chain.from_iterable(paragraphs))
    if not words:
        return np.empty(0, dtype=np.uint32), counts
    vocabulary = dict(zip(dict.fromkeys(words), itertools.count(), strict=False))
    ids = np.fromiter(map(vocabulary.__getitem__, words), dtype=np.int64, count=len(words))
    encoded = [word.encode("utf-8") for word in vocabulary]
    hashes = hash_shingles(encoded)
    return hashes[ids], counts


def distinct_sets(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each of many sequences stored back to back (sequence ``i`` is the next
    ``counts[i]`` entries of ``values``) as its sorted distinct values,
    stored the same way."""
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
