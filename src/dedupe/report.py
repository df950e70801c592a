"""The report: what repeats, where exactly, how similar.

Plain frozen dataclasses that every stage after alignment passes along, and
their JSON form (``dedupe.report/1``, documented in the README). Offsets are
Python string indices into the decoded document text, end exclusive; lines
are 1-based and inclusive; paths are as the user gave them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from dedupe import _compiled

if TYPE_CHECKING:
    from dedupe.differ import Difference, PassageDifference

SCHEMA = "dedupe.report/1"

_report_batch = _compiled.load("_report_batch")


@dataclass(frozen=True, slots=True)
class Location:
    """A paragraph (or a run of paragraphs) in a document."""

    path: str
    start: int
    end: int
    line_start: int
    line_end: int
    document: int  # index into Report.documents
    paragraph: int  # index of the (first) paragraph in its document

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "paragraph": self.paragraph,
        }


@dataclass(frozen=True, slots=True)
class Span:
    """Aligned regions: ``a`` in the A document, ``b`` in the B document."""

    a: tuple[int, int]
    b: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"a": list(self.a), "b": list(self.b)}


@dataclass(frozen=True, slots=True)
class Match:
    """Two paragraphs that are copies of each other. ``a`` comes first in
    corpus order (document, then position); ``b`` is the later copy."""

    kind: str  # "exact" | "near" | "contained"
    similarity: float
    a: Location
    b: Location
    spans: tuple[Span, ...]
    matched_words: int
    boilerplate: bool = False
    difference: Difference | None = None  # how B differs from A (dedupe.differ)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "similarity": round(self.similarity, 4),
            "boilerplate": self.boilerplate,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "spans": [span.to_dict() for span in self.spans],
            "matched_words": self.matched_words,
            "difference": None if self.difference is None else self.difference.to_dict(),
        }


@dataclass(frozen=True, slots=True, eq=False)
class ExactCopies:
    """Exact matches as columns, row ``i`` a paragraph at
    ``locations[a[i]]`` repeated word for word at ``locations[b[i]]``: both
    ``words[i]`` folded words long, the words spanning
    ``edges[i] = (start_a, end_a, start_b, end_b)`` of their documents.

    Such a match says nothing more (one span over the whole of both, the
    difference "identical"), so a row is all it takes to make it."""

    locations: tuple[Location, ...]
    a: np.ndarray  # int64, indices into locations
    b: np.ndarray
    words: np.ndarray  # int64
    edges: np.ndarray  # int64, (rows, 4)
    boilerplate: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.a)

    def match(self, row: int) -> Match:
        """Row ``row`` as the :class:`Match` it stands for."""
        # differ imports this module (for Location): imported on first use.
        from dedupe.differ import identical

        start_a, end_a, start_b, end_b = self.edges[row].tolist()
        words = int(self.words[row])
        return Match(
            kind="exact",
            similarity=1.0,
            a=self.locations[self.a[row]],
            b=self.locations[self.b[row]],
            spans=(Span((start_a, end_a), (start_b, end_b)),),
            matched_words=words,
            boilerplate=bool(self.boilerplate[row]),
            difference=identical(words, (start_a, end_a), (start_b, end_b)),
        )


class Matches(Sequence[Match]):
    """A report's matches, in order: an immutable sequence of :class:`Match`.

    Most matches of a large corpus are exact copies (86% of the 58,823 at
    50 MB), alike but for where they are. Those are kept as rows of an
    :class:`ExactCopies` and made into a :class:`Match` when read, so that a
    report is built and written without an object per copy. Reading one
    twice gives equal matches, not the same object. A :class:`Matches`
    equals any sequence of equal matches, a tuple included.

    ``items``: per match, the :class:`Match` or its row in ``exact``.
    """

    __slots__ = ("_exact", "_items")

    def __init__(self, items: Iterable[Match | int] = (), exact: ExactCopies | None = None) -> None:
        self._items: tuple[Match | int, ...] = tuple(items)
        self._exact = exact
        rows = len(exact) if exact is not None else 0
        for item in self._items:
            if not isinstance(item, Match) and not (isinstance(item, int) and 0 <= item < rows):
                raise ValueError(f"{item!r} is neither a Match nor a row of the exact copies")

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Match: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Match, ...]: ...
    def __getitem__(self, index: int | slice) -> Match | tuple[Match, ...]:
        if isinstance(index, slice):
            return tuple(map(self._made, self._items[index]))
        return self._made(self._items[index])

    def __iter__(self) -> Iterator[Match]:
        return map(self._made, self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(x == y for x, y in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Matches({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Matches, (self._items, self._exact))

    def documents(self) -> set[int]:
        """The documents (indices into ``Report.documents``) the matches name."""
        made = [m for m in self._items if isinstance(m, Match)]
        named = {m.a.document for m in made} | {m.b.document for m in made}
        exact = self._exact
        if exact is not None and len(exact.locations):
            # By the rows' location numbers: each distinct location's document
            # read once, then marked (not np.unique, whose first call imports
            # numpy.ma, 7 ms).
            documents = np.fromiter(
                (location.document for location in exact.locations),
                dtype=np.int64,
                count=len(exact.locations),
            )
            named_here = np.zeros(int(documents.max()) + 1, dtype=bool)
            named_here[documents[exact.a]] = named_here[documents[exact.b]] = True
            named.update(np.flatnonzero(named_here).tolist())
        return named

    def boilerplate_count(self) -> int:
        """How many of the matches are boilerplate."""
        made = sum(1 for m in self._items if isinstance(m, Match) and m.boilerplate)
        return made + (int(np.count_nonzero(self._exact.boilerplate)) if self._exact else 0)

    def _made(self, item: Match | int) -> Match:
        if isinstance(item, Match):
            return item
        assert self._exact is not None, "checked on construction"
        return self._exact.match(item)

    def _json_texts(self, writer: _JsonWriter) -> Iterator[str]:
        """Each match as JSON, exact rows straight from their columns."""
        exact = self._exact
        if exact is None:
            yield from map(writer.match, self._items)  # type: ignore[arg-type]
            return
        # Each run of consecutive exact rows is written as one piece.
        rows: list[int] = []
        run_ends: list[int] = []
        for is_match, run in itertools.groupby(self._items, key=_is_match):
            if not is_match:
                rows.extend(run)  # type: ignore[arg-type]
                run_ends.append(len(rows))
        locations = [writer.location(location) for location in exact.locations]
        runs = iter(_exact_runs_json(exact, locations, rows, run_ends, writer))
        for is_match, run in itertools.groupby(self._items, key=_is_match):
            if is_match:
                yield from map(writer.match, run)  # type: ignore[arg-type]
            else:
                yield next(runs)


def _is_match(item: Match | int) -> bool:
    return isinstance(item, Match)


def _exact_runs_json(
    exact: ExactCopies,
    locations: list[str],
    rows: list[int],
    run_ends: list[int],
    writer: _JsonWriter,
) -> list[str]:
    """Rows ``rows`` of ``exact`` as JSON, in runs: run ``i`` is
    ``rows[run_ends[i - 1]:run_ends[i]]`` joined with ", " (``locations``:
    the JSON of ``exact.locations``). Compiled where it was built, else
    :meth:`_JsonWriter.exact_copy` per row."""
    if _report_batch is not None:
        encoded = [text.encode("utf-8", "surrogatepass") for text in locations]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(text) for text in encoded], out=offsets[1:])
        return _report_batch.exact_rows_json(
            b"".join(encoded),
            offsets,
            np.ascontiguousarray(exact.a, dtype=np.int64),
            np.ascontiguousarray(exact.b, dtype=np.int64),
            np.ascontiguousarray(exact.words, dtype=np.int64),
            np.ascontiguousarray(exact.edges, dtype=np.int64),
            np.ascontiguousarray(exact.boilerplate, dtype=bool),
            np.asarray(rows, dtype=np.int64),
            np.asarray(run_ends, dtype=np.int64),
        )
    a, b, words = exact.a.tolist(), exact.b.tolist(), exact.words.tolist()
    edges, flags = exact.edges.tolist(), exact.boilerplate.tolist()
    return [
        ", ".join(
            writer.exact_copy(locations[a[r]], locations[b[r]], words[r], edges[r], flags[r])
            for r in rows[start:end]
        )
        for start, end in itertools.pairwise([0, *run_ends])
    ]


@dataclass(frozen=True, slots=True)
class Passage:
    """Neighbouring paragraph matches between the same two regions."""

    a: Location
    b: Location
    similarity: float
    matches: tuple[int, ...]  # indices into Report.matches
    difference: PassageDifference | None = None  # paragraph-level (dedupe.differ)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "similarity": round(self.similarity, 4),
            "matches": list(self.matches),
            "difference": None if self.difference is None else self.difference.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Cluster:
    """Paragraphs linked by matches: one item seen in ``len(members)`` places."""

    id: int
    boilerplate: bool
    members: tuple[Location, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "boilerplate": self.boilerplate,
            "size": len(self.members),
            "members": [member.to_dict() for member in self.members],
        }


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    paragraphs: int
    chars: int
    encoding: str = "utf-8"
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "paragraphs": self.paragraphs,
            "chars": self.chars,
            "encoding": self.encoding,
        }
        if self.warning:
            out["warning"] = self.warning
        return out


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Report:
    """Everything a scan found. ``to_json()`` is byte-identical for the same
    input and settings."""

    settings: dict[str, Any]
    documents: tuple[Document, ...]
    matches: Matches  # any sequence of Match given is made one
    passages: tuple[Passage, ...]
    clusters: tuple[Cluster, ...]
    skipped: tuple[Skipped, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)
    # Document text by index, for excerpts and side-by-side views; not data.
    text_of: Callable[[int], str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.matches, Matches):
            object.__setattr__(self, "matches", Matches(self.matches))

    def text(self, document: int) -> str:
        if self.text_of is None:
            raise LookupError("this report carries no document texts")
        return self.text_of(document)

    @property
    def copies(self) -> tuple[Match, ...]:
        """Matches that are real copy, not boilerplate."""
        return tuple(m for m in self.matches if not m.boilerplate)

    @property
    def boilerplate(self) -> tuple[Cluster, ...]:
        return tuple(c for c in self.clusters if c.boilerplate)

    def summary(self) -> dict[str, int]:
        boilerplate_matches = self.matches.boilerplate_count()  # a pass over every match
        return {
            "documents": len(self.documents),
            "paragraphs": sum(d.paragraphs for d in self.documents),
            "chars": sum(d.chars for d in self.documents),
            "skipped": len(self.skipped),
            "matches": len(self.matches) - boilerplate_matches,
            "boilerplate_matches": boilerplate_matches,
            "passages": len(self.passages),
            "clusters": sum(1 for c in self.clusters if not c.boilerplate),
            "boilerplate_clusters": len(self.boilerplate),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "settings": self.settings,
            "summary": self.summary(),
            "documents": [d.to_dict() for d in self.documents],
            "skipped": [s.to_dict() for s in self.skipped],
            "matches": [m.to_dict() for m in self.matches],
            "passages": [p.to_dict() for p in self.passages],
            "clusters": [c.to_dict() for c in self.clusters],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The report as JSON text. Compact by default: json's C encoder only
        runs without ``indent``, five times faster on a large report (pipe it
        through ``python -m json.tool`` or ``jq`` to read it)."""
        if indent is not None:
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """:meth:`to_json` in pieces, one per match, passage and cluster, so a
        report of millions of matches is written without building it whole
        (the same bytes as ``json.dumps(report.to_dict())`` plus a newline)."""
        head = {"schema": SCHEMA, "settings": self.settings, "summary": self.summary()}
        writer = _JsonWriter()
        yield _ENCODER.encode(head)[:-1]
        yield f', "documents": [{", ".join(map(writer.document, self.documents))}]'
        yield f', "skipped": {_ENCODER.encode([s.to_dict() for s in self.skipped])}'
        for key, texts in (
            ("matches", self.matches._json_texts(writer)),
            ("passages", map(writer.passage, self.passages)),
            ("clusters", map(writer.cluster, self.clusters)),
        ):
            yield f', "{key}": ['
            for number, text in enumerate(texts):
                yield (", " if number else "") + text
            yield "]"
        yield "}\n"


# ``json.dumps`` with any option builds a new encoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


class _JsonWriter:
    """Matches and clusters as JSON text, the same as ``json.dumps`` of their
    ``to_dict()``: most of a report is locations, each named by many matches
    and a cluster, so each is formatted once and the rest is string joins
    instead of a dict per object. Locations, documents, matches and passages
    are formatted by the compiled report kernel where it was built (the
    f-strings here are its reference and fallback)."""

    def __init__(self) -> None:
        # Keyed by identity: the report holds every location while it is
        # written, and a dataclass's hash (of seven fields) cost more than
        # the lookup saved. An equal location made twice is encoded twice.
        self._locations: dict[int, str] = {}
        self._paths: dict[str, str] = {}
        from dedupe import differ  # which imports this module

        self._kinds = differ.KINDS
        self._difference = differ.Difference
        self._passage_difference = differ.PassageDifference

    def location(self, location: Location) -> str:
        text = self._locations.get(id(location))
        if text is None and _report_batch is not None:
            text = self._locations[id(location)] = _report_batch.location_json(location)
        elif text is None:
            path = self._paths.get(location.path)
            if path is None:
                path = self._paths[location.path] = encode_basestring(location.path)
            text = self._locations[id(location)] = (
                f'{{"path": {path}, "start": {location.start!r}, "end": {location.end!r}, '
                f'"line_start": {location.line_start!r}, "line_end": {location.line_end!r}, '
                f'"paragraph": {location.paragraph!r}}}'
            )
        return text

    def document(self, document: Document) -> str:
        # A scan of many small files has as many documents as matches.
        if _report_batch is not None:
            return _report_batch.document_json(document)
        warning = (
            f', "warning": {encode_basestring(document.warning)}' if document.warning else ""
        )
        return (
            f'{{"path": {encode_basestring(document.path)}, '
            f'"paragraphs": {document.paragraphs!r}, "chars": {document.chars!r}, '
            f'"encoding": {encode_basestring(document.encoding)}{warning}}}'
        )

    def exact_copy(self, a: str, b: str, words: int, edges: list[int], boilerplate: bool) -> str:
        """:meth:`match` of a row of :class:`ExactCopies`, given its
        locations' JSON."""
        start_a, end_a, start_b, end_b = edges
        # The span and the word count appear twice and three times: each is
        # formatted once (40% less time for the 50,356 rows at 50 MB).
        count = str(words)
        sides = f'"a": [{start_a!r}, {end_a!r}], "b": [{start_b!r}, {end_b!r}]'
        return (
            f'{{"kind": "exact", "similarity": 1.0, "boilerplate": {_BOOLEAN[boilerplate]}, '
            f'"a": {a}, "b": {b}, "spans": [{{{sides}}}], "matched_words": {count}, '
            f'"difference": {{"coverage_a": 1.0, "coverage_b": 1.0, "words_a": {count}, '
            f'"words_b": {count}, "common": {count}, "kinds": ["identical"], "changes": '
            f'[{{"kind": "identical", "where": null, {sides}, "old": "", "new": ""}}]}}}}'
        )

    def match(self, match: Match) -> str:
        if _report_batch is not None and (
            match.difference is None or type(match.difference) is self._difference
        ):
            a, b = self.location(match.a), self.location(match.b)
            return _report_batch.match_json(match, a, b, self._kinds)
        spans = ", ".join(
            f'{{"a": [{s.a[0]!r}, {s.a[1]!r}], "b": [{s.b[0]!r}, {s.b[1]!r}]}}' for s in match.spans
        )
        difference = "null" if match.difference is None else match.difference.to_json()
        return (
            f'{{"kind": {encode_basestring(match.kind)}, '
            f'"similarity": {round(match.similarity, 4)!r}, '
            f'"boilerplate": {_BOOLEAN[match.boilerplate]}, '
            f'"a": {self.location(match.a)}, "b": {self.location(match.b)}, '
            f'"spans": [{spans}], "matched_words": {match.matched_words!r}, '
            f'"difference": {difference}}}'
        )

    def passage(self, passage: Passage) -> str:
        if _report_batch is not None and (
            passage.difference is None or type(passage.difference) is self._passage_difference
        ):
            a, b = self.location(passage.a), self.location(passage.b)
            return _report_batch.passage_json(passage, a, b, self._kinds)
        difference = "null" if passage.difference is None else passage.difference.to_json()
        return (
            f'{{"a": {self.location(passage.a)}, "b": {self.location(passage.b)}, '
            f'"similarity": {round(passage.similarity, 4)!r}, '
            f'"matches": [{", ".join(map(repr, passage.matches))}], "difference": {difference}}}'
        )

    def cluster(self, cluster: Cluster) -> str:
        members = ", ".join(self.location(member) for member in cluster.members)
        return (
            f'{{"id": {cluster.id!r}, "boilerplate": {_BOOLEAN[cluster.boilerplate]}, '
            f'"size": {len(cluster.members)!r}, "members": [{members}]}}'
        )


_BOOLEAN = {False: "false", True: "true"}


def span_locations(locations: Sequence[Location]) -> Location:
    """The smallest location covering ``locations`` (all in one document)."""
    first = locations[0]
    return Location(
        path=first.path,
        start=min([loc.start for loc in locations]),
        end=max([loc.end for loc in locations]),
        line_start=min([loc.line_start for loc in locations]),
        line_end=max([loc.line_end for loc in locations]),
        document=first.document,
        paragraph=min([loc.paragraph for loc in locations]),
    )
