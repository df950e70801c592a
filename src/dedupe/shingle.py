"""Word n-gram shingles of a paragraph, and their 32-bit hashes.

A paragraph of words ``w0 w1 ... wk`` with ``size=3`` has the shingles
``"w0 w1 w2"``, ``"w1 w2 w3"``, ... (UTF-8 bytes). A paragraph shorter than
``size`` words is one shingle of all its words, so short items still have a
set to compare.

The hash of a shingle is datasketch's default for 32-bit MinHash,
:func:`datasketch.hashfunc.sha1_hash32`: the first four bytes of its SHA-1,
little-endian. Using the same hash is what makes our signatures
interchangeable with ``datasketch.MinHash``.

Example::

    >>> shingles(["a", "rose", "is", "a", "rose"], size=3)
    [b'a rose is', b'rose is a', b'is a rose']
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha1

import numpy as np


def shingles(words: Sequence[str], *, size: int) -> list[bytes]:
    """The word ``size``-grams of ``words`` as UTF-8 bytes (duplicates kept)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    if not words:
        return []
    if len(words) <= size:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


def hash_shingles(items: Sequence[bytes]) -> np.ndarray:
    """``sha1_hash32`` of each shingle, as a ``uint32`` array."""
    if not items:
        return np.empty(0, dtype=np.uint32)
    digest = b"".join([sha1(item).digest()[:4] for item in items])
    return np.frombuffer(digest, dtype="<u4").astype(np.uint32)


def shingle_hashes(words: Sequence[str], *, size: int) -> np.ndarray:
    """The distinct shingle hashes of a paragraph, sorted (a set, as an array)."""
    return np.unique(hash_shingles(shingles(words, size=size)))
