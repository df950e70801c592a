"""The scan as separable stages over a stream of documents.

1. :func:`sketch_document` (per document, parallel, no shared state): segment,
   fold words, hash shingles, MinHash. Its result is small, picklable and
   storable: it is all later stages need, besides the text of the few
   paragraphs that turn out to be candidates.
2. :class:`Corpus` gathers sketches; exact copies (same folded words) are
   collapsed to one representative each, so repeats cost nothing downstream.
3. :func:`find_candidates`: MinHash LSH and the containment lookup over the
   representatives.
4. :func:`confirm`: RapidFuzz on each candidate; confirmed pairs are expanded
   back to every occurrence, and a short item contained in another document
   is kept only beside another match (:func:`drop_lone_short_contained`).
5. :func:`build_report`: clusters and boilerplate, passages (with gaps between
   matched paragraphs re-checked), character spans in the original text.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import mmap
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from dedupe import align as align_stage
from dedupe import cluster as cluster_stage
from dedupe import differ, minhash, normalize, passages, segment, shingle
from dedupe import index as index_stage
from dedupe.report import (
    Cluster,
    Document,
    ExactCopies,
    Location,
    Match,
    Matches,
    Passage,
    Report,
    Skipped,
    Span,
    span_locations,
)
from dedupe.settings import Settings

# Candidate lookup for contained items asks for half of the item's shingles:
# one edited word removes up to ``shingle_size`` shingles of a short item, and
# the word-level check decides anyway.
_CONTAINMENT_CANDIDATE_COVERAGE = 0.5
# A shingle in more paragraphs than this ("said on Monday") says nothing
# about where a short item was copied from.
_CONTAINMENT_MAX_POSTINGS = 64
# The rare-word lookup (see find_candidates). A word in more paragraphs than
# this ("minister", "Monday") says nothing about where a paragraph came from.
_REWORDED_MAX_POSTINGS = 64
# One shared name ("Livingstone") is a coincidence; two begin to be evidence.
_REWORDED_MIN_SHARED = 2
# The confirmation asks for 2 L / (len_a + len_b) >= threshold over all words
# (L: words in common, in order). A copy keeps rare and common words alike,
# so the Dice coefficient of the two rare-word sets, 2 k / (r_a + r_b), is
# about the same share; edits touch names more than function words, so the
# bar sits at 0.8 of the threshold (0.4 for 0.5). On BBC News every pair the
# shingle stages missed that shares two rare words has a rare-word Dice of
# at least 0.4, and 0.5 would drop two of them.
_REWORDED_DICE_SHARE = 0.8
# Under ten words, two lines reach the 0.5 bar with two to four words in
# common: bylines of one desk ("By Rory Carter, Economics editor" / "By Maya
# Murray, Economics editor": 3 of 5), fixtures, two headlines on one topic.
# They share a form, not a text, and are still matched when they share a
# 3-gram (LSH, containment). Without this floor the lookup linked 1,973 such
# byline pairs on the 10 MB planted corpus (+13% matches); on BBC News no
# pair it recovers has under 11 words.
_REWORDED_MIN_WORDS = 10
# Confirmation goes to worker processes only when there is enough of it
# (a few thousand candidates take ~0.5 s; forking costs ~20 ms). Chunks are
# small so that one chunk of long paragraphs cannot keep a worker busy
# long after the others are done.
_PARALLEL_MIN_CANDIDATES = 4_000
_CANDIDATE_CHUNK = 1_000
ChunkMapper = Callable[[list[list[tuple[int, int]]]], Iterable[list["Pair | None"]]]
# Gaps inside a passage are re-checked pairwise only when small.
_MAX_GAP_PARAGRAPHS = 12
# Differences of inexact matches (an alignment each) go to worker processes
# only when there are enough of them to pay for the pool; exact ones are cheap
# and stay here, computed while the workers run. On the idle 2-core machine,
# the 10 MB corpus (2,828 inexact matches) scanned in 4.9-5.3 s with workers
# from 1,000 and 5.7-6.1 s without.
_PARALLEL_MIN_MATCHES = 1_000
_MATCH_CHUNK = 500
# A match's spans and difference as plain tuples (``Span`` and
# ``differ.Change`` fields in order): what workers send back, since tuples
# pickle several times faster than the dataclasses.
PackedMatch = tuple[
    tuple[tuple[tuple[int, int], tuple[int, int]], ...],
    tuple[int, int, int, tuple[tuple[Any, ...], ...]],
]
MatchMapper = Callable[[list["Pair"], list[list[int]]], Iterator[list[PackedMatch]]]


@dataclass(frozen=True)
class DocumentSketch:
    """What stage 1 learns about one document (or several back to back:
    see :meth:`concatenate` and :meth:`split`).

    Per paragraph: offsets, lines, word count and an exact-copy key (0 for
    paragraphs too short to match). Per *matchable* paragraph (key != 0, in
    order): its distinct shingle hashes, stored back to back, and its MinHash
    signature. Debris lines cost a few bytes each, not a 512-byte signature.
    """

    starts: np.ndarray  # int64
    ends: np.ndarray  # int64
    line_starts: np.ndarray  # int32
    line_ends: np.ndarray  # int32
    word_counts: np.ndarray  # int32
    keys: np.ndarray  # uint64 digest of the folded words; 0 for unmatched paragraphs
    # int64 offsets of the first word's start and the last word's end of
    # matchable paragraphs (0 for the others): an exact copy's span.
    first_word_starts: np.ndarray
    last_word_ends: np.ndarray
    shingle_values: np.ndarray  # uint32, the shingle sets of matchable paragraphs
    shingle_counts: np.ndarray  # int64, one per matchable paragraph
    signatures: np.ndarray  # (matchable paragraphs, num_perm) uint32
    # uint32 hash of every word of the matchable paragraphs, in order
    # (word_counts of those paragraphs long): what alignment compares and the
    # rare-word lookup reads, without going back to the files.
    word_hashes: np.ndarray

    @property
    def paragraphs(self) -> int:
        return len(self.starts)

    def save(self, file: str | os.PathLike[str] | BinaryIO) -> None:
        """Store the sketch (numpy ``.npz``, no pickle), e.g. for an index that
        only re-reads the documents that changed."""
        np.savez(file, **{name: getattr(self, name) for name in _SKETCH_FIELDS})

    @classmethod
    def load(cls, file: str | os.PathLike[str] | BinaryIO) -> DocumentSketch:
        with np.load(file, allow_pickle=False) as stored:
            return cls(**{name: stored[name] for name in _SKETCH_FIELDS})

    @classmethod
    def concatenate(cls, parts: Sequence[DocumentSketch]) -> DocumentSketch:
        """The sketch of ``parts`` back to back (pieces of one document, or
        documents), as if sketched together."""
        return cls(
            **{name: np.concatenate([getattr(p, name) for p in parts]) for name in _SKETCH_FIELDS}
        )

    def split(self, paragraph_counts: Sequence[int]) -> list[DocumentSketch]:
        """The inverse of :meth:`concatenate`: the sketches of documents of
        ``paragraph_counts`` paragraphs each, stored back to back in this
        one. They are views of this sketch's arrays."""
        if sum(paragraph_counts) != self.paragraphs:
            raise ValueError(
                f"{sum(paragraph_counts)} paragraphs asked for, the sketch has {self.paragraphs}"
            )
        # Where each document's part of each field ends.
        paragraph_ends = np.cumsum(np.asarray(paragraph_counts, dtype=np.int64))
        matchable = self.keys != 0
        row_ends = _ends_of_runs(matchable, paragraph_ends)
        value_ends = {
            "shingle_values": _ends_of_runs(self.shingle_counts, row_ends),
            "word_hashes": _ends_of_runs(self.word_counts[matchable], row_ends),
            "shingle_counts": row_ends,
            "signatures": row_ends,
        }
        fields = {
            name: _cut(getattr(self, name), value_ends.get(name, paragraph_ends))
            for name in _SKETCH_FIELDS
        }
        return [
            DocumentSketch(**{name: parts[i] for name, parts in fields.items()})
            for i in range(len(paragraph_counts))
        ]


_SKETCH_FIELDS = tuple(f.name for f in dataclasses.fields(DocumentSketch))


def _ends_of_runs(sizes: np.ndarray, run_ends: np.ndarray) -> np.ndarray:
    """Where each run of items ends in the values they hold back to back:
    item ``i`` holds ``sizes[i]`` values, run ``r`` ends before item
    ``run_ends[r]``."""
    return np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))[run_ends]


def _cut(values: np.ndarray, ends: np.ndarray) -> list[np.ndarray]:
    """``values`` cut before each of ``ends`` (the last end is the length).
    np.split does the same with a few microseconds more per piece."""
    bounds = ends.tolist()
    return [values[a:b] for a, b in zip([0, *bounds], bounds, strict=False)]


def sketch_document(text: str, settings: Settings) -> DocumentSketch:
    """Stage 1 for one document."""
    return sketch_documents([text], settings)[0]


def sketch_documents(texts: Sequence[str], settings: Settings) -> list[DocumentSketch]:
    """Stage 1 for a batch of documents: :func:`sketch_together`, split into
    the documents' sketches."""
    together, paragraph_counts = sketch_together(texts, settings)
    return together.split(paragraph_counts)


def sketch_together(
    texts: Sequence[str], settings: Settings
) -> tuple[DocumentSketch, list[int]]:
    """Stage 1 for a batch of documents: the sketch of all of them back to
    back, and the number of paragraphs of each (to :meth:`DocumentSketch.split`
    it, or to hand it to :meth:`Corpus.add_many` whole, which is cheaper
    to send between processes than thousands of small sketches).

    Shingling and MinHash run once over each ~4 MB of the batch, which
    matters when documents are small (50,000 short files), and a paragraph
    repeated anywhere in it (a caption on every page) is hashed once. A
    larger document is sketched a few MB of paragraphs at a time, so the
    folded words held at once stay bounded (a 100 MB one-line file).
    """
    pieces: list[tuple[str, np.ndarray]] = []
    paragraph_counts: list[int] = []
    for text in texts:
        bounds = segment.segment_bounds(
            text, wrap_width=settings.wrap_width, max_chars=settings.max_paragraph_chars
        )
        paragraph_counts.append(len(bounds))
        pieces.extend((text, group) for group in _by_size(bounds, _SKETCH_CHARS))
    # Consecutive pieces, in order, a few MB at a time: the sketches of the
    # batches back to back are those of the documents back to back.
    parts: list[DocumentSketch] = []
    batch: list[tuple[str, np.ndarray]] = []
    size = 0
    for piece in [*pieces, None]:
        chars = 0 if piece is None else int((piece[1][:, 1] - piece[1][:, 0]).sum())
        if piece is None or (batch and size + chars > _SKETCH_CHARS):
            parts.append(_sketch_pieces(batch, settings))
            batch, size = [], 0
        if piece is not None:
            batch.append(piece)
            size += chars
    together = parts[0] if len(parts) == 1 else DocumentSketch.concatenate(parts)
    return together, paragraph_counts


# Characters of paragraphs folded, shingled and hashed at once: the words of
# 4 MB of text as Python strings take ~40 MB.
_SKETCH_CHARS = 4 << 20


def _by_size(bounds: np.ndarray, limit: int) -> list[np.ndarray]:
    """Paragraph bounds (rows of ``start, end, ...``) in consecutive groups of
    at most ``limit`` characters, each as long as that allows (one paragraph
    at least; one empty group for no paragraphs)."""
    # Most documents are far below the limit: their span says so without a
    # sum (a few microseconds for each of thousands of small files).
    if len(bounds) == 0 or int(bounds[-1, 1]) - int(bounds[0, 0]) <= limit:
        return [bounds]
    ends = np.cumsum(bounds[:, 1] - bounds[:, 0])
    if ends[-1] <= limit:
        return [bounds]
    groups = []
    first = 0
    while first < len(bounds):
        before = int(ends[first - 1]) if first else 0
        last = max(first + 1, int(np.searchsorted(ends, before + limit, side="right")))
        groups.append(bounds[first:last])
        first = last
    return groups


def _sketch_pieces(pieces: list[tuple[str, np.ndarray]], settings: Settings) -> DocumentSketch:
    """The sketch of these paragraphs of these texts, back to back, folded,
    keyed, shingled and hashed together. Every field is gathered for the
    whole batch: a batch can hold thousands of small documents, and a dozen
    numpy calls for each would cost more than their folding. A paragraph
    repeated in the batch (same key) is shingled and MinHashed once."""
    folded = normalize.fold_paragraphs((text, group[:, :2].tolist()) for text, group in pieces)
    word_counts = folded.word_counts
    first_words = np.cumsum(word_counts) - word_counts
    word_keys = shingle.word_keys(folded.buffer, folded.word_starts, folded.word_ends)
    matchable = word_counts >= settings.min_words
    keys = np.where(matchable, shingle.sequence_keys(word_keys, word_counts), np.uint64(0))
    matchable_ids = np.flatnonzero(matchable)
    _, first_of_key, rows = np.unique(
        keys[matchable_ids], return_index=True, return_inverse=True
    )
    distinct = matchable_ids[first_of_key]
    values, counts = shingle.shingle_sets_in(
        folded.buffer,
        folded.word_starts,
        folded.word_ends,
        first_words[distinct],
        word_counts[distinct],
        size=settings.shingle_size,
    )
    matrix = minhash.signatures_flat(
        values, counts, num_perm=settings.num_perm, seed=settings.seed
    )
    shingle_values, shingle_counts = _take_sets(values, counts, rows)
    word_hashes = shingle.fold32(word_keys[np.repeat(matchable, word_counts)])
    bounds = np.concatenate([group for _, group in pieces]) if pieces else np.empty((0, 4))
    bounds = bounds.astype(np.int64, copy=False)
    return DocumentSketch(
        starts=np.ascontiguousarray(bounds[:, 0]),
        ends=np.ascontiguousarray(bounds[:, 1]),
        line_starts=bounds[:, 2].astype(np.int32),
        line_ends=bounds[:, 3].astype(np.int32),
        word_counts=word_counts.astype(np.int32),
        keys=keys,
        first_word_starts=np.where(matchable, folded.first_word_starts, 0),
        last_word_ends=np.where(matchable, folded.last_word_ends, 0),
        shingle_values=shingle_values,
        shingle_counts=shingle_counts,
        signatures=matrix[rows],
        word_hashes=word_hashes,
    )


def _take_sets(
    values: np.ndarray, counts: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sets ``rows`` of sets stored back to back (set ``i`` is the next
    ``counts[i]`` entries of ``values``), in that order, stored the same way."""
    sizes = counts[rows]
    if len(rows) and bool(np.all(rows[1:] > rows[:-1])):
        # Rows in order, each once (the candidate lookups' representatives):
        # a mask of one byte per value instead of two int64 index arrays,
        # which at 1 GB of text were gigabytes.
        chosen = np.zeros(len(counts), dtype=bool)
        chosen[rows] = True
        return values[np.repeat(chosen, counts)], sizes
    offsets = np.cumsum(counts) - counts
    take = np.repeat(offsets[rows] - (np.cumsum(sizes) - sizes), sizes)
    take += np.arange(len(take), dtype=np.int64)
    return values[take], sizes


# Sketches are merged into the corpus's columns this many documents at a
# time: appending 400,000 small sketches one by one would cost more than
# the sketches themselves.
_MERGE_DOCUMENTS = 4_096
# Or once this many paragraphs wait (a worker's batch or two): merged as
# they arrive, between batches, not all at freeze (BBC News's 16 batches of
# ~800 paragraphs waited there, 27 ms on the critical path).
_MERGE_PARAGRAPHS = 1_000


class _GrowingArray:
    """An array that rows are appended to, its room grown fourfold when full.

    The corpus's columns are then whole when it is frozen. Joining the parts
    there instead held both the parts and the joined arrays (~150 MB each at
    50 MB of text) while it copied: peak RSS 445 MiB against 416 MiB with
    the columns grown as batches arrive.

    The room is an anonymous memory map, written only as rows arrive: pages
    never written cost nothing (the rest of the last map is address space,
    not memory). ``ndarray.resize`` zeroed all of it instead
    (a page fault for every page, the unused half included), and doubling
    moved the rows more often: BBC News's 16 batches took 16-18 ms to
    append, 5-8 ms so. Not ``np.empty``: numpy asks for transparent huge
    pages on arrays of 4 MB or more, and where the kernel then compacts
    memory to find them (THP ``defrag`` set to ``madvise``, a common
    default) the 100 MB corpus took 6.09 s instead of 5.80 s."""

    def __init__(self) -> None:
        self._array: np.ndarray | None = None
        self._length = 0

    def append(self, part: np.ndarray) -> None:
        needed = self._length + len(part)
        if self._array is None or needed > len(self._array):
            room = _mapped_empty(max(needed, 4 * self._length), part)
            if self._array is not None:
                room[: self._length] = self._array[: self._length]
            self._array = room
        self._array[self._length : needed] = part
        self._length = needed

    def take(self) -> np.ndarray | None:
        """The rows appended (``None`` if nothing was), leaving this empty."""
        array, self._array = self._array, None
        taken = None if array is None else array[: self._length]
        self._length = 0
        return taken


def _mapped_empty(rows: int, like: np.ndarray) -> np.ndarray:
    """``rows`` rows shaped and typed like those of ``like``, in a fresh
    anonymous map (zero pages until written; unmapped with the last array
    that uses it). Private where the platform says so: a forked worker
    gets a copy-on-write view, as of any other memory."""
    shape = (rows, *like.shape[1:])
    count = int(np.prod(shape, dtype=np.int64))
    size = max(count * like.dtype.itemsize, 1)
    private = getattr(mmap, "MAP_PRIVATE", None)
    memory = mmap.mmap(-1, size) if private is None else mmap.mmap(-1, size, flags=private)
    return np.frombuffer(memory, dtype=like.dtype, count=count).reshape(shape)


class Corpus:
    """Sketches of all documents, in corpus order, gathered for :meth:`freeze`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.documents: list[Document] = []
        self.skipped: list[Skipped] = []
        self._pending: list[DocumentSketch] = []
        self._pending_documents = self._pending_paragraphs = 0
        self._columns = {name: _GrowingArray() for name in _SKETCH_FIELDS}

    def add(self, document: Document, sketch: DocumentSketch) -> None:
        if document.paragraphs != sketch.paragraphs:
            raise ValueError(
                f"{document.path}: the document has {document.paragraphs} paragraphs, "
                f"its sketch {sketch.paragraphs}"
            )
        self.add_many([document], sketch)

    def add_many(self, documents: Sequence[Document], sketch: DocumentSketch) -> None:
        """Add documents with the sketch of all of them back to back (from
        :func:`sketch_together`)."""
        paragraphs = sum(d.paragraphs for d in documents)
        if paragraphs != sketch.paragraphs:
            raise ValueError(
                f"{len(documents)} documents have {paragraphs} paragraphs, "
                f"their sketch {sketch.paragraphs}"
            )
        self.documents.extend(documents)
        self._pending.append(sketch)
        self._pending_documents += len(documents)
        self._pending_paragraphs += paragraphs
        if (
            self._pending_documents >= _MERGE_DOCUMENTS
            or self._pending_paragraphs >= _MERGE_PARAGRAPHS
        ):
            self._merge_pending()

    def _merge_pending(self) -> None:
        if self._pending:
            # Small sketches are joined first (one append instead of many);
            # a large one (a worker's batch) goes in as it is.
            merged = (
                self._pending[0]
                if len(self._pending) == 1
                else DocumentSketch.concatenate(self._pending)
            )
            for name, column in self._columns.items():
                column.append(getattr(merged, name))
            self._pending = []
            self._pending_documents = self._pending_paragraphs = 0

    def freeze(self) -> FrozenCorpus:
        """The corpus as flat arrays. The sketches are handed over, so this
        corpus is empty afterwards."""
        self._merge_pending()
        columns = {name: column.take() for name, column in self._columns.items()}
        documents, self.documents = self.documents, []
        return FrozenCorpus(self.settings, documents, columns, self.skipped)


class FrozenCorpus:
    """Flat per-paragraph arrays over the whole corpus (paragraph id = row)."""

    def __init__(
        self,
        settings: Settings,
        documents: list[Document],
        columns: dict[str, np.ndarray | None],
        skipped: list[Skipped],
    ) -> None:
        """``columns``: for each :class:`DocumentSketch` field, the documents'
        values back to back in corpus order (``None`` for none), kept as they
        are where their type is already the column's."""
        self.settings = settings
        self.documents = documents
        self.skipped = skipped
        counts = [d.paragraphs for d in documents]
        self.doc_first = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.doc_of = np.repeat(np.arange(len(documents), dtype=np.int64), counts)

        def column(name: str, dtype: type, empty_shape: tuple[int, ...] = (0,)) -> np.ndarray:
            values = columns[name]
            if values is None:
                return np.empty(empty_shape, dtype)
            return values.astype(dtype, copy=False)

        self.starts = column("starts", np.int64)
        self.ends = column("ends", np.int64)
        self.line_starts = column("line_starts", np.int32)
        self.line_ends = column("line_ends", np.int32)
        self.word_counts = column("word_counts", np.int32)
        self.keys = column("keys", np.uint64)
        self.first_word_starts = column("first_word_starts", np.int64)
        self.last_word_ends = column("last_word_ends", np.int64)
        # Matchable paragraphs (key != 0) have row ``row_of[pid]`` in the
        # signature matrix and the shingle store; others have -1.
        matchable = self.keys != 0
        self.row_of = np.full(len(self.keys), -1, dtype=np.int64)
        self.row_of[matchable] = np.arange(int(matchable.sum()))
        self.shingle_values = column("shingle_values", np.uint32)
        counts = column("shingle_counts", np.int64)
        self.shingle_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.signatures = column("signatures", np.uint32, (0, settings.num_perm))
        self.word_hashes = column("word_hashes", np.uint32)
        counts = self.word_counts[matchable].astype(np.int64)
        self.word_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        if self.word_offsets[-1] != len(self.word_hashes):
            raise ValueError("sketches hold word hashes that disagree with their word counts")
        self.representatives, self.repeats = self._exact_groups()

    def __len__(self) -> int:
        return len(self.starts)

    def shingles(self, pid: int) -> np.ndarray:
        row = int(self.row_of[pid])
        return self.shingle_values[self.shingle_offsets[row] : self.shingle_offsets[row + 1]]

    def word_sequence(self, pid: int) -> np.ndarray:
        """The 32-bit hash of each word of matchable paragraph ``pid``, in
        order (equal words, equal values)."""
        row = int(self.row_of[pid])
        if row < 0:
            raise ValueError(f"paragraph {pid} is too short to match: no words kept")
        return self.word_hashes[self.word_offsets[row] : self.word_offsets[row + 1]]

    def copies(self, pid: int) -> list[int]:
        """All paragraphs with the same folded words as representative ``pid``."""
        return self.repeats.get(pid, [pid])

    def _exact_groups(self) -> tuple[np.ndarray, dict[int, list[int]]]:
        """The first paragraph of each set with the same folded words (sorted
        ids), and the members of those sets that have more than one.

        Most paragraphs occur once; keeping only the repeated ones as lists
        saves a Python list per paragraph (~100 bytes x millions)."""
        pids = np.flatnonzero(self.keys)
        if len(pids) == 0:
            return pids, {}
        order = np.argsort(self.keys[pids], kind="stable")
        ordered = pids[order]
        keys = self.keys[ordered]
        first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        sizes = np.diff(np.concatenate((first, [len(keys)])))
        starts, counts = first[sizes > 1], sizes[sizes > 1]
        # In corpus order of their first paragraph, like everything else.
        by_position = np.argsort(ordered[starts])
        repeats = {
            int(ordered[start]): ordered[start : start + size].tolist()
            for start, size in zip(
                starts[by_position].tolist(), counts[by_position].tolist(), strict=True
            )
        }
        return np.sort(ordered[first]), repeats

    def locations(self, pids: np.ndarray) -> list[Location]:
        """:meth:`location` of each of ``pids``, from whole columns."""
        docs = self.doc_of[pids]
        return [
            Location(self.documents[doc].path, *rest, doc, paragraph)
            for doc, paragraph, *rest in zip(
                docs.tolist(),
                (pids - self.doc_first[docs]).tolist(),
                self.starts[pids].tolist(),
                self.ends[pids].tolist(),
                self.line_starts[pids].tolist(),
                self.line_ends[pids].tolist(),
                strict=True,
            )
        ]

    def location(self, pid: int, *, start: int | None = None, end: int | None = None) -> Location:
        doc = int(self.doc_of[pid])
        return Location(
            path=self.documents[doc].path,
            start=int(self.starts[pid]) if start is None else start,
            end=int(self.ends[pid]) if end is None else end,
            line_start=int(self.line_starts[pid]),
            line_end=int(self.line_ends[pid]),
            document=doc,
            paragraph=pid - int(self.doc_first[doc]),
        )


class ParagraphText:
    """What the later stages read of paragraphs: the word hashes the sketches
    kept (for alignment), and the text itself, read from the documents on
    demand (for spans in the original and the differences shown)."""

    def __init__(self, corpus: FrozenCorpus, text_of: Callable[[int], str]) -> None:
        self.corpus = corpus
        self.text_of = text_of
        self._normalized: dict[int, normalize.Normalized] = {}

    def raw(self, pid: int) -> str:
        c = self.corpus
        return self.text_of(int(c.doc_of[pid]))[int(c.starts[pid]) : int(c.ends[pid])]

    def words(self, pid: int) -> list[int]:
        """The paragraph's words as 32-bit hashes, in order: equal words have
        equal hashes, so alignments over these are alignments of the words,
        and confirming a candidate needs no file."""
        return self.corpus.word_sequence(pid).tolist()

    def normalized(self, pid: int) -> normalize.Normalized:
        if pid not in self._normalized:
            self._normalized[pid] = normalize.normalize(
                self.raw(pid), base=int(self.corpus.starts[pid])
            )
        return self._normalized[pid]

    def forget_normalized(self, pid: int) -> None:
        self._normalized.pop(pid, None)

@dataclass(frozen=True, slots=True)
class Candidates:
    pairs: np.ndarray  # (k, 2) paragraph ids of representatives, i < j
    lsh: int
    contained: int
    reworded: int = 0


def find_candidates(corpus: FrozenCorpus, *, jobs: int = 1) -> Candidates:
    """Stage 3: pairs of representatives worth aligning.

    Three sources, all from the sketches: MinHash LSH over word 3-gram
    shingles (similar paragraphs), the shingle lookup for short items inside
    longer paragraphs (contained), and the rare-word lookup for short
    paragraphs that keep their words but lose their 3-grams (reworded: a team
    sheet with and without the clubs, a lede rewritten around the same names).

    With ``jobs`` > 1, LSH and then the rare-word lookup run in a thread
    beside the containment lookup: the compiled LSH buckets and the
    containment lookup run in C without the GIL, the rare-word lookup
    mostly in numpy sorts. The split follows their times (50 MB planted
    corpus, compiled: LSH 0.18 s, rare words 0.29 s, containment 0.43 s; the
    stage took 0.67-0.79 s with the rare-word lookup after the containment
    one, 0.48-0.53 s so). Past
    :data:`_OVERLAP_MAX_REPRESENTATIVES` the lookups run one after the
    other: LSH holds every band's pairs until it dedupes them (gigabytes at
    1 GB of text), and on top of the containment join's arrays that took
    the 1 GB corpus from 8.7 GB to 12.0 GB at its peak.
    """
    reps = corpus.representatives
    if len(reps) < 2:
        return Candidates(np.empty((0, 2), dtype=np.int64), 0, 0)
    if jobs > 1 and len(reps) <= _OVERLAP_MAX_REPRESENTATIVES:
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(
                lambda: (_near_candidates(corpus, reps), _reworded_candidates(corpus, reps))
            )
            contained = _contained_candidates(corpus, reps)
            near, reworded = pending.result()
    else:
        near = _near_candidates(corpus, reps)
        contained = _contained_candidates(corpus, reps)
        reworded = _reworded_candidates(corpus, reps)
    pairs = index_stage.unique_pairs([near, contained, reworded])
    return Candidates(pairs, len(near), len(contained), len(reworded))


# About 100 MB of news (244,000 paragraphs at 100 MB): beyond it, overlapping
# the lookups saves less time than the memory it costs.
_OVERLAP_MAX_REPRESENTATIVES = 250_000


def _near_candidates(corpus: FrozenCorpus, reps: np.ndarray) -> np.ndarray:
    """Pairs of representatives sharing an LSH bucket."""
    s = corpus.settings
    local = index_stage.lsh_candidates(
        corpus.signatures[corpus.row_of[reps]],
        bands=s.bands,
        rows=s.rows,
        max_bucket=s.max_bucket,
    )
    return reps[local]


def _contained_candidates(corpus: FrozenCorpus, reps: np.ndarray) -> np.ndarray:
    """Pairs of a short representative and one holding most of its shingles."""
    s = corpus.settings
    if s.contained_max_words <= 0:
        return np.empty((0, 2), dtype=np.int64)
    offsets = corpus.shingle_offsets
    local = index_stage.flat_containment_candidates(
        *_take_sets(corpus.shingle_values, np.diff(offsets), corpus.row_of[reps]),
        max_words=s.contained_max_words,
        word_counts=corpus.word_counts[reps],
        min_coverage=_CONTAINMENT_CANDIDATE_COVERAGE,
        max_postings=_CONTAINMENT_MAX_POSTINGS,
    )
    return reps[local]


def _reworded_candidates(corpus: FrozenCorpus, reps: np.ndarray) -> np.ndarray:
    """Pairs of short representatives (10 to ``reworded_max_words`` words)
    sharing enough rare words."""
    s = corpus.settings
    counts = corpus.word_counts[reps]
    short = reps[(counts <= s.reworded_max_words) & (counts >= _REWORDED_MIN_WORDS)]
    if len(short) < 2:
        return np.empty((0, 2), dtype=np.int64)
    offsets = corpus.word_offsets
    local = index_stage.flat_shared_word_candidates(
        *_take_sets(corpus.word_hashes, np.diff(offsets), corpus.row_of[short]),
        min_shared=_REWORDED_MIN_SHARED,
        min_dice=_REWORDED_DICE_SHARE * s.threshold,
        max_postings=_REWORDED_MAX_POSTINGS,
    )
    return short[local]


@dataclass(frozen=True, slots=True)
class Pair:
    """A confirmed pair of paragraph ids, ``a < b``, with a word alignment
    oriented a -> b."""

    a: int
    b: int
    alignment: align_stage.Alignment


def _align(text: ParagraphText, a: int, b: int, settings: Settings) -> Pair | None:
    return _aligned(a, b, text.words(a), text.words(b), settings)


def _aligned(
    a: int, b: int, words_a: list[int], words_b: list[int], settings: Settings
) -> Pair | None:
    result = align_stage.align(
        words_a,
        words_b,
        threshold=settings.threshold,
        contained_threshold=settings.contained_threshold,
        min_contained_words=settings.min_words,
    )
    return None if result is None else Pair(a, b, result)


def _swap(alignment: align_stage.Alignment) -> align_stage.Alignment:
    spans = tuple((b0, b1, a0, a1) for a0, a1, b0, b1 in alignment.spans)
    return align_stage.Alignment(
        alignment.kind, alignment.similarity, spans, alignment.matched_words
    )


def confirm(
    corpus: FrozenCorpus,
    candidates: np.ndarray,
    text: ParagraphText,
    *,
    map_chunks: ChunkMapper | None = None,
    jobs: int = 1,
) -> list[Pair]:
    """Stage 4: RapidFuzz on each candidate, expanded to every occurrence.

    ``map_chunks`` runs :func:`align_pairs` over chunks of candidates (in
    worker processes, say); by default everything runs here. ``jobs``
    threads count the candidates' common words.
    """
    s = corpus.settings
    # Nine in ten candidates (50 MB planted corpus: 78,165 of 86,050) share
    # too few words in order to be copies: counted for all at once in C,
    # they never reach RapidFuzz (where the kernel was built).
    if len(candidates):
        rows = corpus.row_of[candidates]
        candidates = candidates[
            align_stage.may_align(
                corpus.word_hashes,
                corpus.word_offsets,
                rows[:, 0],
                rows[:, 1],
                threshold=s.threshold,
                contained_threshold=s.contained_threshold,
                min_contained_words=s.min_words,
                jobs=jobs,
            )
        ]
    todo = [tuple(pair) for pair in candidates.tolist()]
    if map_chunks is None or len(todo) < _PARALLEL_MIN_CANDIDATES:
        confirmed_pairs: Iterable[Pair | None] = align_pairs(text, todo)
    else:
        chunks = [todo[i : i + _CANDIDATE_CHUNK] for i in range(0, len(todo), _CANDIDATE_CHUNK)]
        confirmed_pairs = itertools.chain.from_iterable(map_chunks(chunks))
    # The exact copies' pairs are listed while the workers align (at 50 MB
    # 0.03 s that kept one core idle when they came first).
    pairs: list[Pair] = []
    for members in corpus.repeats.values():
        pairs.extend(_exact_pairs(members, text, s.max_bucket))
    for confirmed in confirmed_pairs:
        if confirmed is None:
            continue
        group_a, group_b = corpus.copies(confirmed.a), corpus.copies(confirmed.b)
        if len(group_a) * len(group_b) > s.max_bucket:
            group_a, group_b = group_a[:1], group_b[:1]
        for a in group_a:
            for b in group_b:
                if a < b:
                    pairs.append(Pair(a, b, confirmed.alignment))
                else:
                    pairs.append(Pair(b, a, align_stage.mirror(confirmed.alignment)))
    return drop_lone_short_contained(corpus, pairs)


def drop_lone_short_contained(corpus: FrozenCorpus, pairs: list[Pair]) -> list[Pair]:
    """``pairs`` without the short containments that chance explains.

    A contained item matched on ``k`` words is looked up in every paragraph of
    the corpus. If its words are ordinary prose, with ``h`` bits of
    uncertainty per word given the words before, one of ``W`` word positions
    starts the same ``k`` words by chance with probability about
    ``W * 2**(-h * k)``, and ``n`` short items give ``n * W * 2**(-h * k)``
    chance containments: that grows with the square of the corpus, which is
    why precision fell with size (planted 100 MB corpus: 71 false
    containments, all of 4-5 matched words, such as "this week she said" and
    "it was in may 2003" found in unrelated paragraphs). Each further matched
    word divides the count by ``2**h``. In the 1 GB planted corpus's report
    the lone (context-free) containments of 4, 5, 6, 7, 8 matched words were
    3,118, 942, 95, 41, 57 false against 48, 61, 53, 63, 65 true: up to 6
    words a lone containment is more likely chance than copy, from 7 on it is
    not (the false ones stop falling there; the README's generator replays
    phrases of its training text verbatim). Hence the bar of 7.

    Context shrinks ``W`` by orders of magnitude. Within one document the
    item competes with a few hundred words, not millions (pull quotes, a
    headline repeated in a credit line); beside another match of the same
    two documents, close enough to join it in a passage (``max_gap``), it is
    the rest of a copy already found (a sentence split off a merged
    paragraph, the last paragraph of a wire story cut short). So a
    containment of fewer than ``contained_context_words`` matched words is
    kept only there. The neighbour must itself reach that many words: a
    byline or a stock phrase shared by two pages is no evidence either.
    Whole-paragraph copies (exact, near) are not affected.
    """
    bar = corpus.settings.contained_context_words
    weak = [_is_short_contained(pair, bar) for pair in pairs]
    if not any(weak):
        return pairs
    # Strong matches by document pair, to look for a neighbour of each weak one.
    strong: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for pair in pairs:
        if pair.alignment.matched_words >= bar:
            key = (int(corpus.doc_of[pair.a]), int(corpus.doc_of[pair.b]))
            strong.setdefault(key, []).append((pair.a, pair.b))
    max_gap = corpus.settings.max_gap
    return [
        pair
        for pair, is_weak in zip(pairs, weak, strict=True)
        if not is_weak or _in_context(corpus, pair, strong, max_gap=max_gap)
    ]


def _is_short_contained(pair: Pair, bar: int) -> bool:
    alignment = pair.alignment
    return alignment.kind == align_stage.CONTAINED and alignment.matched_words < bar


def _in_context(
    corpus: FrozenCorpus,
    pair: Pair,
    strong: dict[tuple[int, int], list[tuple[int, int]]],
    *,
    max_gap: int,
) -> bool:
    """Whether ``pair`` lies within one document or next to a strong match of
    the same two documents (close enough to share a passage with it)."""
    doc_a, doc_b = int(corpus.doc_of[pair.a]), int(corpus.doc_of[pair.b])
    if doc_a == doc_b:
        return True
    # Paragraph ids are consecutive within a document, so their differences
    # are distances in paragraphs; skipped paragraphs as in dedupe.passages.
    return any(
        max(abs(a - pair.a) - 1, 0) + max(abs(b - pair.b) - 1, 0) <= max_gap
        for a, b in strong.get((doc_a, doc_b), ())
    )


def align_pairs(text: ParagraphText, pairs: Sequence[tuple[int, int]]) -> list[Pair | None]:
    """RapidFuzz on each pair of paragraph ids (the unit of parallel work)."""
    settings = text.corpus.settings
    aligned: list[Pair | None] = []
    # Candidates come sorted, and most share their first paragraph with the
    # pair before (68% at 50 MB): its words are read once for the run.
    last_a, words_a = -1, []
    for a, b in pairs:
        if a != last_a:
            last_a, words_a = a, text.words(a)
        aligned.append(_aligned(a, b, words_a, text.words(b), settings))
    return aligned


def _exact_pairs(members: list[int], text: ParagraphText, max_bucket: int) -> Iterable[Pair]:
    if len(members) < 2:
        return []
    length = int(text.corpus.word_counts[members[0]])
    full = align_stage.Alignment(align_stage.EXACT, 1.0, ((0, length, 0, length),), length)
    if len(members) > max_bucket:
        # A chain keeps a huge group linear; the cluster still holds all.
        return [Pair(a, b, full) for a, b in itertools.pairwise(members)]
    return [Pair(a, b, full) for i, a in enumerate(members) for b in members[i + 1 :]]


def build_report(
    corpus: FrozenCorpus,
    pairs: list[Pair],
    text: ParagraphText,
    *,
    stats: dict[str, int],
    map_matches: MatchMapper | None = None,
) -> Report:
    """Stage 5: clusters, boilerplate, passages and spans.

    ``map_matches`` runs :func:`pack_matches` over chunks of indices into the
    pairs it is given (the confirmed pairs, one per paragraph pair; in worker
    processes, say), starting at once and yielding the results in order; by
    default everything runs here.
    """
    s = corpus.settings
    pairs = _dedupe_pairs(pairs)
    # The spans and differences of the confirmed inexact matches depend on
    # nothing that follows (boilerplate, passages, gaps): workers start on
    # them now, while this process finds the rest (at 50 MB this left one
    # core idle for a quarter of the report when they started after it).
    confirmed = [i for i, pair in enumerate(pairs) if pair.alignment.kind != align_stage.EXACT]
    confirmed_pairs = [pairs[i] for i in confirmed]
    if map_matches is None or len(confirmed) < _PARALLEL_MIN_MATCHES:
        confirmed_parts: Iterator[tuple[tuple[Span, ...], differ.Difference]] = _all_parts(
            text, confirmed_pairs
        )
    else:
        chunks = [confirmed[i : i + _MATCH_CHUNK] for i in range(0, len(confirmed), _MATCH_CHUNK)]
        packed = itertools.chain.from_iterable(map_matches(pairs, chunks))
        confirmed_parts = map(_unpack, packed)
    a, b = _pair_ids(pairs)
    # The components of the final pairs are both the boilerplate test's
    # groups and the report's clusters: found once for both.
    components = cluster_stage.id_components(a, b)
    boilerplate = _boilerplate_pids(corpus, components)
    passage_groups = _passage_groups(corpus, a, b, boilerplate)
    extra = _fill_gaps(corpus, pairs, passage_groups, boilerplate, text)
    if extra:
        stats = {**stats, "gap_matches": len(extra)}
        # A gap pair joins two paragraphs that no pair held (_open_paragraphs):
        # its key is new, and its component lies apart from those found, which
        # stand as they are. Only the passages are found again.
        added = _dedupe_pairs(extra)
        pairs = list(pairs)
        for pair in added:
            bisect.insort(pairs, pair, key=_pair_key)
        a, b = _pair_ids(pairs)
        new_components = cluster_stage.id_components(*_pair_ids(added))
        components = sorted(components + new_components, key=lambda members: members[0])
        boilerplate = boilerplate | _boilerplate_pids(corpus, new_components)
        passage_groups = _passage_groups(corpus, a, b, boilerplate)

    locate = _Locations(corpus, np.concatenate((a, b)))
    is_exact = np.fromiter(
        (pair.alignment.kind == align_stage.EXACT for pair in pairs), dtype=bool, count=len(pairs)
    )
    flags = is_exact.tolist()
    inexact_pairs = [pair for pair, exact in zip(pairs, flags, strict=True) if not exact]
    inexact_parts = _parts_in_order(inexact_pairs, confirmed_pairs, confirmed_parts, text)
    # Exact copies (most matches) and clusters are made here while workers
    # find the other matches' spans and differences.
    exact_pairs = [pair for pair, exact in zip(pairs, flags, strict=True) if exact]
    exact = _exact_copies(corpus, exact_pairs, a[is_exact], b[is_exact], boilerplate, locate)
    clusters = _clusters(components, boilerplate, locate)
    items: list[Match | int] = []
    rows = itertools.count()
    # A passage is made as soon as its last match is, while the workers
    # still find later matches' differences (made after all of them, the
    # passages kept one core idle for a fifth of the report at 50 MB).
    last_of = [max(group) for group in passage_groups]
    waiting = sorted(range(len(passage_groups)), key=last_of.__getitem__, reverse=True)
    made: list[Passage | None] = [None] * len(passage_groups)
    for index, (pair, pair_is_exact) in enumerate(zip(pairs, flags, strict=True)):
        if pair_is_exact:
            items.append(next(rows))
        else:
            items.append(_match(pair, *next(inexact_parts), boilerplate, locate))
        while waiting and last_of[waiting[-1]] == index:
            number = waiting.pop()
            group = passage_groups[number]
            members = [_item_match(items[i], exact) for i in group]
            made[number] = _passage(corpus, members, group, boilerplate, locate)
    # Run to its end: the last pair's cached words are let go there.
    if next(inexact_parts, None) is not None:
        raise AssertionError("more match parts than pairs")
    matches = Matches(items, exact)
    passage_list = [passage for passage in made if passage is not None]
    if len(passage_list) != len(passage_groups):
        raise AssertionError("a passage group names a pair that is not there")
    passage_list.sort(
        key=lambda p: (
            -(p.a.end - p.a.start + p.b.end - p.b.start),
            p.a.document,
            p.a.start,
            p.b.start,
        )
    )
    return Report(
        settings=s.to_dict(),
        documents=tuple(corpus.documents),
        matches=matches,
        passages=tuple(passage_list),
        clusters=tuple(clusters),
        skipped=tuple(corpus.skipped),
        stats=stats,
    )


def _parts_in_order(
    pairs: Sequence[Pair],
    started: Sequence[Pair],
    started_parts: Iterator[tuple[tuple[Span, ...], differ.Difference]],
    text: ParagraphText,
) -> Iterator[tuple[tuple[Span, ...], differ.Difference]]:
    """:func:`_match_parts` of each of ``pairs``: from ``started_parts``
    (those of ``started``) where the pair is one of ``started``, computed
    here for the others (found by gap filling). Both lists are in (a, b)
    order; one of ``started`` that a stronger pair replaced is passed over."""
    position = 0
    for pair in pairs:
        key = _pair_key(pair)
        while position < len(started) and _pair_key(started[position]) <= key:
            taken = started[position]
            position += 1
            parts = next(started_parts)
            if taken is pair:
                yield parts
                break
        else:
            yield _match_parts(pair, text)
    # Run to its end: the last pair's cached words are let go there.
    for _ in started_parts:
        pass


def _pair_key(pair: Pair) -> tuple[int, int]:
    return pair.a, pair.b


def _dedupe_pairs(pairs: list[Pair]) -> list[Pair]:
    """One pair per (a, b), the strongest kind first, in corpus order."""
    rank = {align_stage.EXACT: 0, align_stage.NEAR: 1, align_stage.CONTAINED: 2}
    best: dict[tuple[int, int], Pair] = {}
    for pair in pairs:
        key = (pair.a, pair.b)
        current = best.get(key)
        if current is None or (rank[pair.alignment.kind], -pair.alignment.similarity) < (
            rank[current.alignment.kind],
            -current.alignment.similarity,
        ):
            best[key] = pair
    return [best[key] for key in sorted(best)]


def _pair_ids(pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray]:
    """The paragraph ids of ``pairs``: all the ``a``, all the ``b``."""
    return (
        np.fromiter((p.a for p in pairs), dtype=np.int64, count=len(pairs)),
        np.fromiter((p.b for p in pairs), dtype=np.int64, count=len(pairs)),
    )


def _boilerplate_pids(corpus: FrozenCorpus, components: list[list[int]]) -> set[int]:
    s = corpus.settings
    flagged: set[int] = set()
    for members in components:
        if cluster_stage.is_boilerplate(
            members,
            word_count=lambda pid: int(corpus.word_counts[pid]),
            max_words=s.boilerplate_max_words,
            min_count=s.boilerplate_min_count,
        ):
            flagged.update(members)
    return flagged


def _passage_groups(
    corpus: FrozenCorpus, a: np.ndarray, b: np.ndarray, boilerplate: set[int]
) -> list[list[int]]:
    """Groups of indices into the pairs ``(a[i], b[i])`` forming passages."""
    flagged = _flags(corpus, boilerplate)
    kept = np.flatnonzero(~(flagged[a] | flagged[b]))
    doc_a, doc_b = corpus.doc_of[a[kept]], corpus.doc_of[b[kept]]
    # By document pair, then by index: each pair of documents is one run.
    order = np.lexsort((kept, doc_b, doc_a))
    kept, doc_a, doc_b = kept[order], doc_a[order], doc_b[order]
    position_a = (a[kept] - corpus.doc_first[doc_a]).tolist()
    position_b = (b[kept] - corpus.doc_first[doc_b]).tolist()
    new_run = np.ones(len(kept), dtype=bool)
    new_run[1:] = (doc_a[1:] != doc_a[:-1]) | (doc_b[1:] != doc_b[:-1])
    bounds = [*np.flatnonzero(new_run).tolist(), len(kept)]
    indices = kept.tolist()
    groups: list[list[int]] = []
    for start, end in itertools.pairwise(bounds):
        if end - start < 2:
            continue  # a lone match between two documents is no passage
        positions = list(zip(position_a[start:end], position_b[start:end], strict=True))
        for group in passages.group_matches(positions, max_gap=corpus.settings.max_gap):
            groups.append([indices[start + i] for i in group])
    return groups


def _fill_gaps(
    corpus: FrozenCorpus,
    pairs: list[Pair],
    groups: list[list[int]],
    boilerplate: set[int],
    text: ParagraphText,
) -> list[Pair]:
    """Align paragraphs left unmatched inside a passage with those facing them.

    Heavily reworded paragraphs can fall below the LSH curve; between two
    matched neighbours they are worth a direct look.
    """
    s = corpus.settings
    matched = {p.a for p in pairs} | {p.b for p in pairs}
    extra: list[Pair] = []
    for group in groups:
        a_ids = [pairs[i].a for i in group]
        b_ids = [pairs[i].b for i in group]
        open_a = _open_paragraphs(corpus, range(min(a_ids), max(a_ids) + 1), matched, boilerplate)
        open_b = _open_paragraphs(corpus, range(min(b_ids), max(b_ids) + 1), matched, boilerplate)
        if not open_a or not open_b or len(open_a) * len(open_b) > _MAX_GAP_PARAGRAPHS**2:
            continue
        for a in open_a:
            for b in open_b:
                if a == b:
                    continue
                low, high = min(a, b), max(a, b)
                found = _align(text, low, high, s)
                if found is not None:
                    extra.append(found)
    return extra


def _open_paragraphs(
    corpus: FrozenCorpus, pids: Iterable[int], matched: set[int], boilerplate: set[int]
) -> list[int]:
    min_words = corpus.settings.min_words
    return [
        pid
        for pid in pids
        if pid not in matched and pid not in boilerplate and corpus.word_counts[pid] >= min_words
    ]


class _Locations:
    """One :class:`Location` per paragraph, shared by every match, cluster and
    passage that names it (a paragraph in a group of copies is named by each
    of its pairs: one object instead of one per mention). Those of
    ``pids`` are made at once, from whole columns."""

    def __init__(self, corpus: FrozenCorpus, pids: np.ndarray) -> None:
        self.corpus = corpus
        # (np.unique without return_* imports numpy.ma, ~13 ms, on first use.)
        unique, _ = index_stage.sorted_unique(pids)
        self._pids = unique
        # Those of ``pids``, in the order of their ids.
        self.known: tuple[Location, ...] = tuple(corpus.locations(unique))
        self._cache: dict[int, Location] = dict(zip(unique.tolist(), self.known, strict=True))

    def indices(self, pids: np.ndarray) -> np.ndarray:
        """Where each of ``pids`` (all among those given at first) is in
        :attr:`known`."""
        found = np.searchsorted(self._pids, pids)
        last = len(self._pids) - 1
        if len(pids) and not np.array_equal(self._pids[np.minimum(found, last)], pids):
            raise ValueError("a paragraph without a known location")
        return found.astype(np.int64)

    def __call__(self, pid: int) -> Location:
        location = self._cache.get(pid)
        if location is None:
            location = self._cache[pid] = self.corpus.location(pid)
        return location


def _exact_copies(
    corpus: FrozenCorpus,
    pairs: Sequence[Pair],
    a: np.ndarray,
    b: np.ndarray,
    boilerplate: set[int],
    locate: _Locations,
) -> ExactCopies:
    """The exact pairs (paragraph ids ``a``, ``b``, from :func:`_pair_ids`)
    as columns, their edges read in bulk."""
    if bool(np.any(corpus.keys[a] == 0)) or bool(np.any(corpus.keys[b] == 0)):
        raise ValueError("an exact pair holds a paragraph too short to match")
    flagged = _flags(corpus, boilerplate)
    return ExactCopies(
        locations=locate.known,
        a=locate.indices(a),
        b=locate.indices(b),
        words=np.fromiter(
            (pair.alignment.matched_words for pair in pairs), dtype=np.int64, count=len(pairs)
        ),
        edges=np.stack(
            (
                corpus.first_word_starts[a],
                corpus.last_word_ends[a],
                corpus.first_word_starts[b],
                corpus.last_word_ends[b],
            ),
            axis=1,
        ).astype(np.int64),
        boilerplate=flagged[a] | flagged[b],
    )


def _flags(corpus: FrozenCorpus, pids: set[int]) -> np.ndarray:
    """A bool per paragraph of ``corpus``: whether it is one of ``pids``."""
    flagged = np.zeros(len(corpus), dtype=bool)
    flagged[np.fromiter(pids, dtype=np.int64, count=len(pids))] = True
    return flagged


def _match_parts(pair: Pair, text: ParagraphText) -> tuple[tuple[Span, ...], differ.Difference]:
    """A match's character spans and how B differs from A (inexact matches:
    exact copies are rows of :class:`ExactCopies`, with nothing to compare)."""
    alignment = pair.alignment
    norm_a, norm_b = text.normalized(pair.a), text.normalized(pair.b)
    spans = tuple(
        Span(norm_a.original_span(a0, a1), norm_b.original_span(b0, b1))
        for a0, a1, b0, b1 in alignment.spans
    )
    corpus = text.corpus
    difference = differ.compare(
        norm_a,
        norm_b,
        text_a=text.text_of(int(corpus.doc_of[pair.a])),
        text_b=text.text_of(int(corpus.doc_of[pair.b])),
    )
    return spans, difference


def _all_parts(
    text: ParagraphText, pairs: Sequence[Pair]
) -> Iterator[tuple[tuple[Span, ...], differ.Difference]]:
    """:func:`_match_parts` of each pair, keeping a paragraph's normalized
    words only until the last pair that needs them (a paragraph of a big
    corpus is in a few pairs; holding all of them held most of the memory)."""
    left = Counter(pid for pair in pairs for pid in (pair.a, pair.b))
    for pair in pairs:
        yield _match_parts(pair, text)
        for pid in (pair.a, pair.b):
            left[pid] -= 1
            if not left[pid]:
                text.forget_normalized(pid)


def pack_matches(text: ParagraphText, pairs: Sequence[Pair]) -> list[PackedMatch]:
    """Spans and differences of ``pairs`` (the unit of parallel work)."""
    packed: list[PackedMatch] = []
    for spans, d in _all_parts(text, pairs):
        changes = tuple((c.kind, c.a, c.b, c.old, c.new, c.where) for c in d.changes)
        packed.append((tuple((s.a, s.b) for s in spans), (d.words_a, d.words_b, d.common, changes)))
    return packed


def _unpack(item: PackedMatch) -> tuple[tuple[Span, ...], differ.Difference]:
    spans, (words_a, words_b, common, changes) = item
    return (
        tuple(Span(a, b) for a, b in spans),
        differ.Difference(
            words_a, words_b, common, tuple(differ.Change(*change) for change in changes)
        ),
    )


def _match(
    pair: Pair,
    spans: tuple[Span, ...],
    difference: differ.Difference,
    boilerplate: set[int],
    locate: _Locations,
) -> Match:
    alignment = pair.alignment
    return Match(
        kind=alignment.kind,
        similarity=alignment.similarity,
        a=locate(pair.a),
        b=locate(pair.b),
        spans=spans,
        matched_words=alignment.matched_words,
        boilerplate=pair.a in boilerplate or pair.b in boilerplate,
        difference=difference,
    )


def _clusters(
    components: list[list[int]], boilerplate: set[int], locate: _Locations
) -> list[Cluster]:
    ordered = sorted(components, key=lambda members: (-len(members), members[0]))
    return [
        Cluster(
            id=number,
            boilerplate=members[0] in boilerplate,
            members=tuple(locate(pid) for pid in members),
        )
        for number, members in enumerate(ordered)
    ]


def _item_match(item: Match | int, exact: ExactCopies) -> Match:
    """An item of :class:`Matches` (a match, or its row in ``exact``) as a match."""
    return item if isinstance(item, Match) else exact.match(item)


def _passage(
    corpus: FrozenCorpus,
    members: list[Match],
    group: list[int],
    boilerplate: set[int],
    locate: _Locations,
) -> Passage:
    """The passage of the matches ``members``, at indices ``group`` of the
    report's matches."""
    region_a = span_locations([m.a for m in members])
    region_b = span_locations([m.b for m in members])
    paragraphs_a = _region_paragraphs(corpus, region_a, boilerplate, locate)
    paragraphs_b = _region_paragraphs(corpus, region_b, boilerplate, locate)
    words = sum(p.words for p in paragraphs_a) + sum(p.words for p in paragraphs_b)
    matched = sum(m.matched_words for m in members)
    similarity = min(1.0, 2.0 * matched / words) if words else 0.0
    difference = differ.compare_passage(members, region_a=paragraphs_a, region_b=paragraphs_b)
    return Passage(region_a, region_b, similarity, tuple(sorted(group)), difference)


def _region_paragraphs(
    corpus: FrozenCorpus, region: Location, boilerplate: set[int], locate: _Locations
) -> list[differ.RegionParagraph]:
    """The paragraphs of ``region`` that count: not boilerplate, not too short
    to match (the words a passage's similarity is measured against)."""
    first = int(corpus.doc_first[region.document]) + region.paragraph
    end_of_document = int(corpus.doc_first[region.document + 1])
    starts, word_counts = corpus.starts, corpus.word_counts
    min_words = corpus.settings.min_words
    found: list[differ.RegionParagraph] = []
    for pid in range(first, end_of_document):
        if starts[pid] >= region.end:
            break
        words = int(word_counts[pid])
        if words >= min_words and pid not in boilerplate:
            found.append(differ.RegionParagraph(locate(pid), words))
    return found
