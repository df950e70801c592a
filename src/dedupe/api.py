"""The library's entry points: :func:`scan` for files, :func:`find_duplicates`
for texts in memory. Both return a :class:`dedupe.report.Report`.

Example::

    >>> import dedupe
    >>> report = dedupe.find_duplicates({
    ...     "wire": "Ten children were killed in an airstrike near a clinic, aid workers said.",
    ...     "local": "Ten children were killed in an air strike near a clinic, "
    ...     "aid workers said on Friday.",
    ... })
    >>> [(m.kind, m.a.path, m.b.path) for m in report.matches]
    [('near', 'wire', 'local')]
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import itertools
import mmap
import os
import sys
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from typing import Any, TypeVar, cast

import numpy as np

from dedupe import pipeline, sources
from dedupe.report import Document, Report, Skipped
from dedupe.settings import Settings

# Below this much text, starting worker processes costs more than it saves.
_PARALLEL_MIN_BYTES = 4 << 20
# Text per sketch task, at most (a small corpus is cut finer, see
# _TASKS_PER_WORKER): enough to amortise a task's hand-over.
_TASK_BYTES = 1 << 20
_MIN_TASK_BYTES = 64 << 10
# Tasks queued per worker: enough that no worker waits for the next one.
_IN_FLIGHT_PER_WORKER = 2
# A corpus is cut into at least this many tasks per worker (this process
# included), so that the last one leaves the others idle only briefly.
_TASKS_PER_WORKER = 8
# Texts kept in memory while matches are resolved: enough for typical
# corpora to be read once, bounded for huge ones (which are then re-read).
_TEXT_CACHE_CHARS = 64 << 20

# (files done, files total, bytes done, bytes total, paragraphs so far); the
# totals are those found so far, and grow while the walk goes on.
ProgressCallback = Callable[[int, int, int, int, int], None]


_Result = TypeVar("_Result")
_Function = TypeVar("_Function", bound=Callable[..., Any])


def _without_cycle_collection(function: _Function) -> _Function:
    """Runs ``function`` with Python's cycle collector paused.

    A scan makes millions of small objects that live to its end (pairs,
    matches, locations). Each full collection walks all of them, and it runs
    again every time their number grows by a quarter: 24% of the report
    stage at 50 MB. The pipeline makes no reference cycles in bulk, so
    nothing piles up. Nested calls and callers who paused it already are
    left alone."""

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return cast(_Function, paused)


class InputChangedError(RuntimeError):
    """A file changed between reading it and reporting on it."""


@_without_cycle_collection
def scan(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    glob: Sequence[str] | None = None,
    follow_links: bool = False,
    max_file_size: int = 1 << 30,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    **settings: Any,
) -> Report:
    """Find copies in the files under ``paths``.

    ``glob``: file name patterns to take inside folders (default ``*.txt``
    and ``*.md``); ``follow_links``: follow symbolic links; ``max_file_size``:
    skip larger files (bytes); ``jobs``: processes working at once, this
    one included (default: all cores; the report does not depend on it). Other keyword arguments are
    :class:`dedupe.settings.Settings` fields, e.g. ``min_words=5``.

    Raises :class:`dedupe.sources.InputError` for a path that does not exist.
    """
    config = Settings.from_kwargs(**settings)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    patterns = tuple(glob) if glob else sources.DEFAULT_GLOBS
    # The walk goes on while the first files are sketched (see _map_sketches):
    # ``found`` and ``total_bytes`` grow as it does.
    walk = sources.discover(
        paths, globs=patterns, follow_links=follow_links, max_file_size=max_file_size
    )
    found: list[sources.SourceFile] = []
    skipped: list[Skipped] = []
    total_bytes = 0

    def files() -> Iterator[sources.SourceFile]:
        nonlocal total_bytes
        for item in walk:
            if isinstance(item, sources.Skip):
                skipped.append(Skipped(item.path, item.reason))
            else:
                found.append(item)
                total_bytes += item.size
                yield item

    corpus = pipeline.Corpus(config)
    fingerprints: list[_Fingerprint] = []
    # Absolute paths: the report may be rendered after the caller changed
    # directory, and texts are re-read then. Made as the documents come,
    # while the workers sketch (0.016 s for 20,905 files, on one core after).
    # (os.path.abspath asks for the working directory again for each path.)
    here = os.getcwd()
    locations: list[str] = []
    done = done_bytes = paragraphs = 0
    for batch in _map_sketches(files(), config, max_file_size, jobs):
        documents = []
        for item in batch.items:
            if isinstance(item, Skipped):
                corpus.skipped.append(item)
            else:
                documents.append(item[0])
                fingerprints.append(item[1])
                locations.append(os.path.normpath(os.path.join(here, item[0].path)))
        corpus.add_many(documents, batch.sketch)
        paragraphs += batch.sketch.paragraphs
        done_bytes += sum(source.size for source in found[done : done + len(batch.items)])
        done += len(batch.items)
        if progress is not None:
            progress(done, len(found), done_bytes, total_bytes, paragraphs)
    corpus.skipped.extend(skipped)
    corpus.skipped.sort(key=lambda s: s.path)

    frozen = corpus.freeze()
    loader = _FileTexts(frozen.documents, locations, fingerprints, max_file_size)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    report = _finish(frozen, loader, jobs=workers)
    # Most matched paragraphs are never read again (alignment runs on the
    # sketches' word hashes, exact copies' spans come from them too): a file
    # edited since it was read must still not give a report with wrong offsets.
    loader.check_unchanged(sorted(report.matches.documents()))
    return report


@_without_cycle_collection
def find_duplicates(texts: Mapping[str, str] | Iterable[str], **settings: Any) -> Report:
    """Find copies among texts in memory.

    ``texts``: a mapping of id -> text (ids become the report's paths) or an
    iterable of texts (ids are their positions, ``"0"``, ``"1"``, ...).
    Keyword arguments are :class:`dedupe.settings.Settings` fields.
    """
    config = Settings.from_kwargs(**settings)
    items = (
        [(str(key), value) for key, value in texts.items()]
        if isinstance(texts, Mapping)
        else [(str(i), value) for i, value in enumerate(texts)]
    )
    corpus = pipeline.Corpus(config)
    for name, text in items:
        if not isinstance(text, str):
            raise TypeError(f"text {name!r} is {type(text).__name__}, not str")
    sketches = pipeline.sketch_documents([text for _, text in items], config)
    for (name, text), sketch in zip(items, sketches, strict=True):
        corpus.add(Document(name, sketch.paragraphs, len(text)), sketch)
    frozen = corpus.freeze()
    bodies = [text for _, text in items]
    return _finish(frozen, bodies.__getitem__)


def _finish(
    corpus: pipeline.FrozenCorpus, text_of: Callable[[int], str], *, jobs: int = 1
) -> Report:
    text = pipeline.ParagraphText(corpus, text_of)
    candidates = pipeline.find_candidates(corpus, jobs=jobs)
    mapper = _forked_confirmation(corpus, text_of, jobs) if _can_fork(jobs) else None
    pairs = pipeline.confirm(corpus, candidates.pairs, text, map_chunks=mapper, jobs=jobs)
    stats = {
        "paragraphs": len(corpus),
        "distinct_paragraphs": len(corpus.representatives),
        "lsh_candidates": candidates.lsh,
        "containment_candidates": candidates.contained,
        "reworded_candidates": candidates.reworded,
        "candidates": len(candidates.pairs),
    }
    matcher = _forked_matches(corpus, text_of, jobs) if _can_fork(jobs) else None
    report = pipeline.build_report(corpus, pairs, text, stats=stats, map_matches=matcher)
    return dataclasses.replace(report, text_of=text_of)


# -- reading files, in parallel when it pays -------------------------------

@dataclass(frozen=True)
class _SketchedBatch:
    """What a worker sends back for a batch of files: per file, its document
    and fingerprint or why it was skipped, and the sketch of the documents
    back to back (one set of arrays travels, not a dozen per file), or where
    in the result slots its arrays wait (see :class:`_ResultSlots`)."""

    items: list[tuple[Document, _Fingerprint] | Skipped]
    sketch: pipeline.DocumentSketch | _SlotLayout


def _sketch_batch(
    batch: list[sources.SourceFile], settings: Settings, max_file_size: int
) -> _SketchedBatch:
    """Read and sketch a batch of files (the unit of work of one worker task)."""
    decoded = [sources.read_document(source, max_file_size=max_file_size) for source in batch]
    readable = [d for d in decoded if not isinstance(d, sources.Skip)]
    sketch, paragraph_counts = pipeline.sketch_together([d.text for d in readable], settings)
    counts = iter(paragraph_counts)
    items: list[tuple[Document, _Fingerprint] | Skipped] = []
    for source, item in zip(batch, decoded, strict=True):
        if isinstance(item, sources.Skip):
            items.append(Skipped(item.path, item.reason))
            continue
        document = Document(
            path=source.path,
            paragraphs=next(counts),
            chars=len(item.text),
            encoding=item.encoding,
            warning=item.warning,
        )
        items.append((document, _Fingerprint(_digest(item.text), item.stamp)))
    return _SketchedBatch(items, sketch)


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    """How to tell that a file changed after it was sketched: the digest of
    its text (checked when it is read again) and its stat stamp (checked at
    the end for files not read again)."""

    digest: bytes
    stamp: tuple[int, int] | None


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _batches(
    found: Iterable[sources.SourceFile], task_bytes: int = _TASK_BYTES
) -> Iterator[list[sources.SourceFile]]:
    batch: list[sources.SourceFile] = []
    size = 0
    for source in found:
        batch.append(source)
        size += source.size
        if size >= task_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _map_sketches(
    files: Iterable[sources.SourceFile], settings: Settings, max_file_size: int, jobs: int | None
) -> Iterator[_SketchedBatch]:
    """The sketched batches of ``files``, in order.

    ``files`` may be a walk still under way: once it has given enough text
    for every task to be full-sized, the workers start on those files while
    the rest are found (20,905 files took 0.08 s to find, 418,490 files
    1.7 s, with one core idle). The tasks are those of the whole list."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ValueError("jobs must be at least 1")
    remaining = iter(files)
    found: list[sources.SourceFile] = []
    total = 0
    if workers > 1:
        # Past ``enough`` bytes (and two files) the pool is used and
        # task_bytes below is _TASK_BYTES, whatever the total: no need to
        # wait for the walk to end.
        enough = max(_TASKS_PER_WORKER * workers * _TASK_BYTES, _PARALLEL_MIN_BYTES)
        for source in remaining:
            found.append(source)
            total += source.size
            if total >= enough and len(found) >= 2:
                break
    if workers == 1 or total < _PARALLEL_MIN_BYTES or len(found) < 2:
        for batch in _batches(itertools.chain(found, remaining)):
            yield _sketch_batch(batch, settings, max_file_size)
        return
    # This process sketches too, as one of the ``workers``: it would only
    # wait otherwise, and with three busy processes on two cores each result
    # waited ~25 ms for this one to be scheduled. The pool keeps a few
    # batches in flight; when it is full, the next batch in order is
    # sketched here. Results are taken in order as they are ready: finished
    # ones are neither piled up nor kept once the corpus has them.
    task_bytes = min(_TASK_BYTES, max(_MIN_TASK_BYTES, total // (_TASKS_PER_WORKER * workers)))
    batches = _batches(itertools.chain(found, remaining), task_bytes)
    in_flight = _IN_FLIGHT_PER_WORKER * (workers - 1)
    global _SLOTS
    # Mapped before the workers fork, so that they share it.
    slots = (
        _ResultSlots(in_flight, _SLOT_BYTES_PER_TASK_BYTE * task_bytes)
        if _can_fork(workers)
        else None
    )
    _SLOTS = slots
    try:
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=_process_context()) as pool:
            task = functools.partial(_sketch_batch_in_slot, settings, max_file_size)
            free = list(range(in_flight))
            pending: deque[tuple[int, Future[_SketchedBatch]] | _SketchedBatch] = deque()

            def taken(head: tuple[int, Future[_SketchedBatch]] | _SketchedBatch) -> _SketchedBatch:
                if isinstance(head, _SketchedBatch):
                    return head
                slot, future = head
                sketched = future.result()
                free.append(slot)
                return sketched if slots is None else slots.take(slot, sketched)

            for batch in batches:
                while pending and (isinstance(pending[0], _SketchedBatch) or pending[0][1].done()):
                    yield taken(pending.popleft())
                if free:
                    slot = free.pop()
                    pending.append((slot, pool.submit(task, slot, batch)))
                else:
                    pending.append(_sketch_batch(batch, settings, max_file_size))
            while pending:
                yield taken(pending.popleft())
    finally:
        _SLOTS = None
        if slots is not None:
            slots.close()


# Room per task for its sketch's arrays, in bytes per byte of the task's
# text: news gives ~2.9 (a 512-byte signature per paragraph, 4 bytes per
# word and per shingle); a task that needs more sends them pickled.
_SLOT_BYTES_PER_TASK_BYTE = 4


def _sketch_batch_in_slot(
    settings: Settings, max_file_size: int, slot: int, batch: list[sources.SourceFile]
) -> _SketchedBatch:
    """:func:`_sketch_batch`, its arrays written into result slot ``slot``
    when the pool shares one (the batch returned then carries only their
    layout)."""
    sketched = _sketch_batch(batch, settings, max_file_size)
    return sketched if _SLOTS is None else _SLOTS.put(slot, sketched)


class _ResultSlots:
    """Shared memory, mapped before the sketch workers fork, in which each
    task leaves its sketch's arrays for this process to copy out.

    Through the result pipe, a task's ~1.8 MB of arrays took 4-14 ms, during
    which the worker could not start its next task: it waited for this
    process to read them, 64 KB at a time. A copy from shared memory takes a
    fraction of a millisecond. Each task in flight owns one slot, given back
    when its result is taken. With this process sketching too, the sketch
    stage took (medians of alternating runs) 0.23 s instead of 0.28 s on BBC
    News, 0.41 s instead of 0.48 s on 10 MB."""

    def __init__(self, count: int, size: int) -> None:
        self.size = size
        self._memory = mmap.mmap(-1, count * size)

    def put(self, slot: int, sketched: _SketchedBatch) -> _SketchedBatch:
        """``sketched`` with its sketch's arrays in ``slot`` and only their
        layout left in it; unchanged if they do not fit."""
        fields = dataclasses.fields(sketched.sketch)
        arrays = [np.ascontiguousarray(getattr(sketched.sketch, f.name)) for f in fields]
        if sum(_aligned(a.nbytes) for a in arrays) > self.size:
            return sketched
        layout: list[tuple[str, str, tuple[int, ...], int]] = []
        offset = slot * self.size
        for field, array in zip(fields, arrays, strict=True):
            # Through a byte view: no dtype's alignment rules to satisfy.
            target = np.frombuffer(self._memory, np.uint8, array.nbytes, offset)
            target[:] = array.reshape(-1).view(np.uint8)
            layout.append((field.name, array.dtype.str, array.shape, offset))
            offset += _aligned(array.nbytes)
        return _SketchedBatch(sketched.items, _SlotLayout(tuple(layout)))

    def take(self, slot: int, sketched: _SketchedBatch) -> _SketchedBatch:
        """``sketched`` with its sketch copied out of ``slot`` (as it was
        sent, if it came pickled)."""
        if not isinstance(sketched.sketch, _SlotLayout):
            return sketched
        arrays = {}
        for name, dtype, shape, offset in sketched.sketch.fields:
            count = int(np.prod(shape, dtype=np.int64))
            if not slot * self.size <= offset <= offset + count * np.dtype(dtype).itemsize <= (
                slot + 1
            ) * self.size:
                raise AssertionError("a result outside its slot")
            view = np.frombuffer(self._memory, np.dtype(dtype), count, offset)
            arrays[name] = view.reshape(shape).copy()
            del view
        return _SketchedBatch(sketched.items, pipeline.DocumentSketch(**arrays))

    def close(self) -> None:
        self._memory.close()


@dataclass(frozen=True)
class _SlotLayout:
    """Where a sketch's arrays lie in the result slots: (field, dtype,
    shape, byte offset) per field."""

    fields: tuple[tuple[str, str, tuple[int, ...], int], ...]


def _aligned(size: int) -> int:
    """``size`` rounded up to a cache line."""
    return (size + 63) & ~63


# The result slots of the sketch workers, set just before they fork.
_SLOTS: _ResultSlots | None = None


def _process_context() -> BaseContext:
    """Fork on Linux: workers start at once, and a caller's script without an
    ``if __name__ == "__main__":`` guard (or code piped to ``python -``) is
    not run again in each worker, as "spawn" would. Elsewhere fork is unsafe
    (macOS) or missing (Windows), so spawn."""
    if sys.platform.startswith("linux"):
        return get_context("fork")
    return get_context("spawn")


def _can_fork(jobs: int) -> bool:
    return jobs > 1 and sys.platform.startswith("linux")


# What forked workers read: set just before a pool forks, so each worker
# inherits the corpus (and the report's pairs) instead of receiving them
# pickled.
_SHARED: tuple[Any, ...] | None = None


def _forked_map(
    function: Callable[[Any], _Result], shared: tuple[Any, ...], chunks: Sequence[Any], jobs: int
) -> Iterator[_Result]:
    """``function`` over ``chunks`` in forked workers that inherit
    ``shared``, results in order. Workers fork and get every chunk before this
    returns, so the caller can do other work while they run."""
    results = _forked_results(function, shared, chunks, jobs)
    next(results)
    return cast(Iterator[_Result], results)


def _forked_results(
    function: Callable[[Any], _Result], shared: tuple[Any, ...], chunks: Sequence[Any], jobs: int
) -> Iterator[_Result | None]:
    global _SHARED
    _SHARED = shared
    pool = ProcessPoolExecutor(jobs, mp_context=get_context("fork"))
    try:
        futures = [pool.submit(function, chunk) for chunk in chunks]
        yield None  # started: taken by _forked_map
        for future in futures:
            yield future.result()
    finally:
        _SHARED = None
        pool.shutdown(cancel_futures=True)


def _confirm_chunk(pairs: list[tuple[int, int]]) -> list[pipeline.Pair | None]:
    assert _SHARED is not None, "set by _forked_map before forking"
    corpus, text_of = _SHARED
    return pipeline.align_pairs(pipeline.ParagraphText(corpus, text_of), pairs)


def _match_chunk(indices: list[int]) -> list[pipeline.PackedMatch]:
    assert _SHARED is not None, "set by _forked_map before forking"
    corpus, text_of, pairs = _SHARED
    text = pipeline.ParagraphText(corpus, text_of)
    return pipeline.pack_matches(text, [pairs[i] for i in indices])


def _forked_confirmation(
    corpus: pipeline.FrozenCorpus, text_of: Callable[[int], str], jobs: int
) -> pipeline.ChunkMapper:
    """Maps chunks of candidate pairs over forked worker processes."""
    return lambda chunks: _forked_map(_confirm_chunk, (corpus, text_of), chunks, jobs)


def _forked_matches(
    corpus: pipeline.FrozenCorpus, text_of: Callable[[int], str], jobs: int
) -> Callable[[list[pipeline.Pair], list[list[int]]], Iterator[list[pipeline.PackedMatch]]]:
    """Maps chunks of the report's pairs over forked worker processes (the
    workers get indices into the pairs they inherited, not pickled pairs;
    the caller works on the exact matches while they run)."""
    return lambda pairs, chunks: _forked_map(
        _match_chunk, (corpus, text_of, pairs), chunks, jobs
    )


class _FileTexts:
    """Document texts re-read on demand (memory follows the index, not the
    corpus), checked against what was sketched."""

    def __init__(
        self,
        documents: list[Document],
        locations: list[str],
        fingerprints: list[_Fingerprint],
        max_file_size: int,
    ) -> None:
        self.documents = documents
        self.locations = locations
        self.fingerprints = fingerprints
        self.max_file_size = max_file_size
        self._cache: OrderedDict[int, str] = OrderedDict()
        self._cached_chars = 0

    def __call__(self, index: int) -> str:
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        document = self.documents[index]
        decoded = sources.read_document(
            sources.SourceFile(self.locations[index], 0), max_file_size=self.max_file_size
        )
        expected = self.fingerprints[index].digest
        if isinstance(decoded, sources.Skip) or _digest(decoded.text) != expected:
            raise InputChangedError(f"{document.path} changed while it was being scanned")
        self._cache[index] = decoded.text
        self._cached_chars += len(decoded.text)
        while self._cached_chars > _TEXT_CACHE_CHARS and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._cached_chars -= len(dropped)
        return decoded.text

    def check_unchanged(self, indices: Iterable[int]) -> None:
        """Raise :class:`InputChangedError` if any of these files' size or
        modification time differs from when it was sketched."""
        for index in indices:
            stamp = self.fingerprints[index].stamp
            try:
                now = os.stat(self.locations[index])
            except OSError:
                now = None
            if stamp is None or now is None or (now.st_size, now.st_mtime_ns) != stamp:
                path = self.documents[index].path
                raise InputChangedError(f"{path} changed while it was being scanned")
