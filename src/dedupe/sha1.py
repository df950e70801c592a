"""SHA-1 of many short byte strings at once, vectorised with numpy.

datasketch's default element hash for MinHash is ``sha1_hash32``: the first
four bytes of a string's SHA-1, read little-endian. A scan hashes every word
3-gram of every paragraph, a few hundred thousand per MB of text, and one
SHA-1 call from Python costs about a microsecond, mostly interpreter
overhead for a 20-byte message. Here all messages of a batch go through
SHA-1's compression function together: each of its 80 rounds is a dozen
numpy operations over one ``uint32`` lane per message, so the per-message
cost is a few hundred CPU cycles, and the result is the same digest.

SHA-1 (FIPS 180-4, section 6.1) pads a message of ``L`` bytes with ``0x80``,
zeros and the bit length ``8 L`` as a big-endian 64-bit number up to a
multiple of 64 bytes; each 64-byte block ``M`` extends to 80 words
``W[t] = rotl1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16])`` and updates the state
``(a, b, c, d, e)`` 80 times::

    a, b, c, d, e = rotl5(a) + f_t(b, c, d) + e + K_t + W[t], a, rotl30(b), c, d

all modulo ``2**32``. Only the first state word ``h0`` is needed for
``sha1_hash32``: its big-endian bytes are the digest's first four, so the
hash is ``h0`` byte-swapped.

Messages of up to 55 bytes (nearly every word and 3-gram) take one block;
longer ones are grouped by their block count. Groups too small to amortise
numpy's per-call overhead, and the rare very long messages, go to the
standard library's SHA-1 instead.

Where the install could compile it, ``dedupe._sha1_batch`` does the same in
C, 16 messages per vector (about 30 ns a message against 300-600 ns here,
packing included) and without the GIL; :func:`sha1_hash32` uses it when it
is there (:data:`COMPILED`). Setting the environment variable
``DEDUPE_NO_COMPILED`` to a non-empty value keeps to numpy. Tests compare
every path with ``hashlib`` on random input.

Example::

    >>> import numpy as np
    >>> buffer = b"a rose is a rose"
    >>> sha1_hash32(buffer, np.array([0, 2]), np.array([6, 16])).tolist() == [
    ...     sha1_hash32_of(b"a rose"), sha1_hash32_of(b"rose is a rose")]
    True
"""

from __future__ import annotations

import numpy as np

from dedupe import _compiled

_sha1_batch = _compiled.load("_sha1_batch")
#: Whether :func:`sha1_hash32` runs the compiled version.
COMPILED = _sha1_batch is not None

try:
    # CPython's built-in SHA-1 sets up each hash with less work than
    # OpenSSL's (measured 1.5x faster on shingle-sized messages). Same digest.
    from _sha1 import sha1 as _stdlib_sha1
except ImportError:  # Python built without its own hash modules
    from hashlib import sha1 as _stdlib_sha1

_INITIAL_STATE = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
_ROUND_CONSTANTS = (0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6)
# Messages hashed per numpy pass. Each operation then touches 32 KB per
# operand, which stays in the first-level caches, and the 80-word schedule
# (2.6 MB) in the second; measured fastest among 4k-64k on the 2-core
# development machine (larger passes spill the schedule to memory).
_LANES = 8_192
# Below this many messages of one block count, one numpy pass (about a
# thousand array operations) costs more than hashing them one by one.
_MIN_VECTOR = 256
# Messages longer than this many blocks (a 20,000-character "word" of a
# scraped page) are hashed one by one: their lanes would run alone.
_MAX_VECTOR_BLOCKS = 4


def sha1_hash32_of(message: bytes) -> int:
    """datasketch's ``sha1_hash32`` of one message, through the standard library."""
    return int.from_bytes(_stdlib_sha1(message).digest()[:4], "little")


def sha1_hash32(buffer: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``sha1_hash32(buffer[starts[i]:ends[i]])`` for every ``i``, as ``uint32``.

    ``starts`` and ``ends`` are integer arrays of equal length with
    ``0 <= starts[i] <= ends[i] <= len(buffer)``; slices may overlap (the
    3-grams of a paragraph share their words).
    """
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if starts.shape != ends.shape or starts.ndim != 1:
        raise ValueError("starts and ends must be 1-d arrays of one length")
    result = np.empty(len(starts), dtype=np.uint32)
    if _sha1_batch is not None:
        # It checks the slices itself, as it reads the buffer directly.
        _sha1_batch.sha1_hash32_into(
            buffer, np.ascontiguousarray(starts), np.ascontiguousarray(ends), result
        )
        return result
    if len(starts) and (
        int(starts.min()) < 0 or int(ends.max()) > len(buffer) or bool(np.any(ends < starts))
    ):
        raise ValueError("slices must lie inside the buffer")
    if len(starts) == 0:
        return result
    return _sha1_hash32_numpy(buffer, starts, ends, result)


def sha1_hash32_runs(
    buffer: bytes,
    word_starts: np.ndarray,
    word_ends: np.ndarray,
    first_words: np.ndarray,
    word_counts: np.ndarray,
    *,
    size: int,
) -> np.ndarray:
    """:func:`sha1_hash32` of every run of ``size`` consecutive words of
    every paragraph (its word ``size``-grams; one run of all its words when
    it has fewer), paragraph by paragraph, as ``uint32``.

    Paragraph ``i`` is words ``first_words[i]`` to ``first_words[i] +
    word_counts[i] - 1``; word ``w`` is ``buffer[word_starts[w]:word_ends[w]]``
    and a run is the slice from its first word's start to its last word's
    end. A paragraph of no words has no runs. The compiled version finds the
    slices as it hashes them; building them with numpy first took more than
    the hashing (50 MB planted corpus, per MB: 7.8 ms of index arrays, 5.5 ms
    of SHA-1).

    Example::

        >>> buffer = b"a rose is a rose"
        >>> runs = sha1_hash32_runs(buffer, np.array([0, 2, 7, 10, 12]),
        ...     np.array([1, 6, 9, 11, 16]), np.array([0]), np.array([5]), size=4)
        >>> runs.tolist() == [sha1_hash32_of(b"a rose is a"), sha1_hash32_of(b"rose is a rose")]
        True
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    word_starts = np.ascontiguousarray(word_starts, dtype=np.int64)
    word_ends = np.ascontiguousarray(word_ends, dtype=np.int64)
    first_words = np.ascontiguousarray(first_words, dtype=np.int64)
    word_counts = np.ascontiguousarray(word_counts, dtype=np.int64)
    if word_starts.shape != word_ends.shape or first_words.shape != word_counts.shape:
        raise ValueError("word_starts and word_ends must be of one length, first_words and "
                         "word_counts too")
    runs = np.where(word_counts > 0, np.maximum(word_counts - size + 1, 1), 0)
    if _sha1_batch is not None:
        result = np.empty(int(runs.sum()), dtype=np.uint32)
        # It checks the words and paragraphs itself, as it reads the buffer.
        _sha1_batch.sha1_hash32_runs_into(
            buffer, word_starts, word_ends, first_words, word_counts, int(size), result
        )
        return result
    present = np.flatnonzero(word_counts)
    if bool(np.any(word_counts < 0)) or (
        len(present)
        and (
            int(first_words[present].min()) < 0
            or int((first_words + word_counts)[present].max()) > len(word_starts)
        )
    ):
        raise ValueError("paragraphs must name words that exist")
    counts, first_word, runs = word_counts[present], first_words[present], runs[present]
    paragraph = np.repeat(np.arange(len(present)), runs)
    position = np.arange(int(runs.sum())) - np.repeat(np.cumsum(runs) - runs, runs)
    first = first_word[paragraph] + position
    last = first_word[paragraph] + np.minimum(position + size, counts[paragraph]) - 1
    return sha1_hash32(buffer, word_starts[first], word_ends[last])


def _sha1_hash32_numpy(
    buffer: bytes, starts: np.ndarray, ends: np.ndarray, result: np.ndarray
) -> np.ndarray:
    """:func:`sha1_hash32` with numpy and the standard library, into ``result``."""
    lengths = ends - starts
    # SHA-1 adds at least 9 bytes (0x80 and the 8-byte length).
    blocks = (lengths + 8) // 64 + 1
    vectorised: list[tuple[int, np.ndarray]] = []
    one_by_one: list[np.ndarray] = []
    # (bincount, not np.unique: numpy 2's hash-based unique is far slower.)
    for count in np.flatnonzero(np.bincount(blocks)).tolist():
        group = np.flatnonzero(blocks == count)
        if count > _MAX_VECTOR_BLOCKS or len(group) < _MIN_VECTOR:
            one_by_one.append(group)
        else:
            vectorised.append((count, group))
    if vectorised:
        words = _words_at_every_byte(buffer)
        for count, group in vectorised:
            for first in range(0, len(group), _LANES):
                lanes = group[first : first + _LANES]
                result[lanes] = _hash_blocks(words, starts[lanes], lengths[lanes], count)
    view = memoryview(buffer)
    for group in one_by_one:
        digests = b"".join(
            _stdlib_sha1(view[start:end]).digest()[:4]
            for start, end in zip(starts[group].tolist(), ends[group].tolist(), strict=True)
        )
        result[group] = np.frombuffer(digests, dtype="<u4")
    return result


def _words_at_every_byte(buffer: bytes) -> np.ndarray:
    """The big-endian ``uint32`` starting at each byte of ``buffer`` (as
    native integers), with zeros past its end so that a message's last word
    may start anywhere in it."""
    raw = np.zeros(len(buffer) + 64 * (_MAX_VECTOR_BLOCKS + 1), dtype=np.uint8)
    raw[: len(buffer)] = np.frombuffer(buffer, dtype=np.uint8)
    unaligned = np.ndarray(shape=(len(raw) - 3,), dtype=">u4", buffer=raw, strides=(1,))
    return unaligned.astype(np.uint32)


# The bytes of a message's end word that are still the message's, by the
# message's length mod 4 (the first bytes of a big-endian word).
_KEEP_BYTES = np.array([0, 0xFF000000, 0xFFFF0000, 0xFFFFFF00], dtype=np.uint32)


def _hash_blocks(
    words: np.ndarray, starts: np.ndarray, lengths: np.ndarray, blocks: int
) -> np.ndarray:
    """``sha1_hash32`` of messages that all pad to ``blocks`` 64-byte blocks
    (``words`` from :func:`_words_at_every_byte`)."""
    lanes = len(starts)
    state = [np.full(lanes, value, dtype=np.uint32) for value in _INITIAL_STATE]
    schedule = np.empty((80, lanes), dtype=np.uint32)
    # The word that holds each message's last bytes and the 0x80 after them.
    end_word = lengths // 4
    end_value = np.take(words, starts + 4 * end_word) & _KEEP_BYTES[lengths % 4]
    end_value |= np.uint32(0x80) << (np.uint32(24) - np.uint32(8) * (lengths % 4).astype(np.uint32))
    lane = np.arange(lanes)
    longest = int(lengths.max())
    for block in range(blocks):
        data_rows = 14 if block == blocks - 1 else 16
        # Rows past the longest message's end hold no message bytes.
        rows = min(data_rows, max(0, (longest - 64 * block) // 4))
        row = np.arange(16 * block, 16 * block + rows, dtype=np.int64)[:, None]
        message = schedule[:rows]
        np.take(words, starts + 4 * row, out=message)
        # Whole words of the message stay; the end word and after are zeroed...
        message *= row < end_word
        schedule[rows:data_rows] = 0
        # ...and the end word is put in its place.
        here = (end_word >= 16 * block) & (end_word < 16 * block + data_rows)
        schedule[end_word[here] - 16 * block, lane[here]] = end_value[here]
        if block == blocks - 1:
            # The bit length as a 64-bit big-endian number; messages under
            # 512 MB leave its high word zero.
            schedule[14] = 0
            schedule[15] = lengths * 8
        _compress(state, schedule)
    # h0's big-endian bytes are the digest's first four; read little-endian.
    return state[0].byteswap()


def _compress(state: list[np.ndarray], schedule: np.ndarray) -> None:
    """One SHA-1 block for every lane: ``schedule[:16]`` holds the block's
    words; ``state`` (five ``uint32`` arrays) is updated in place."""
    lanes = schedule.shape[1]
    for t in range(16, 80, 3):
        # Three rows at once: row t needs rows up to t - 3 only.
        rows = schedule[t : min(t + 3, 80)]
        k = len(rows)
        np.bitwise_xor(schedule[t - 3 : t - 3 + k], schedule[t - 8 : t - 8 + k], out=rows)
        rows ^= schedule[t - 14 : t - 14 + k]
        rows ^= schedule[t - 16 : t - 16 + k]
        carry = rows >> np.uint32(31)
        rows <<= np.uint32(1)
        rows |= carry
    for stage, constant in enumerate(_ROUND_CONSTANTS):
        schedule[20 * stage : 20 * stage + 20] += np.uint32(constant)

    a, b, c, d, e = (value.copy() for value in state)
    f = np.empty(lanes, dtype=np.uint32)
    g = np.empty(lanes, dtype=np.uint32)
    for t in range(80):
        if t < 20:  # choose: d ^ (b & (c ^ d))
            np.bitwise_xor(c, d, out=f)
            f &= b
            f ^= d
        elif 40 <= t < 60:  # majority: (b & c) | (d & (b | c))
            np.bitwise_or(b, c, out=f)
            f &= d
            np.bitwise_and(b, c, out=g)
            f |= g
        else:  # parity
            np.bitwise_xor(b, c, out=f)
            f ^= d
        # The new a is built in e's array: e is not needed after this round.
        e += f
        e += schedule[t]
        np.left_shift(a, np.uint32(5), out=f)
        np.right_shift(a, np.uint32(27), out=g)
        f |= g
        e += f
        np.left_shift(b, np.uint32(30), out=f)
        b >>= np.uint32(2)
        b |= f
        a, b, c, d, e = e, a, b, c, d
    for value, update in zip(state, (a, b, c, d, e), strict=True):
        value += update
