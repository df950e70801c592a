"""The report: what repeats, where exactly, how similar.

Plain frozen dataclasses that every stage after alignment passes along, and
their JSON form (``dedupe.report/1``, documented in the README). Offsets are
Python string indices into the decoded document text, end exclusive; lines
are 1-based and inclusive; paths are as the user gave them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dedupe.differ import Difference, PassageDifference

SCHEMA = "dedupe.report/1"


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
    matches: tuple[Match, ...]
    passages: tuple[Passage, ...]
    clusters: tuple[Cluster, ...]
    skipped: tuple[Skipped, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)
    # Document text by index, for excerpts and side-by-side views; not data.
    text_of: Callable[[int], str] | None = field(default=None, compare=False, repr=False)

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
        return {
            "documents": len(self.documents),
            "paragraphs": sum(d.paragraphs for d in self.documents),
            "chars": sum(d.chars for d in self.documents),
            "skipped": len(self.skipped),
            "matches": len(self.copies),
            "boilerplate_matches": len(self.matches) - len(self.copies),
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
        head = {
            "schema": SCHEMA,
            "settings": self.settings,
            "summary": self.summary(),
            "documents": [d.to_dict() for d in self.documents],
            "skipped": [s.to_dict() for s in self.skipped],
        }
        yield _ENCODER.encode(head)[:-1]
        writer = _JsonWriter()
        for key, items, write in (
            ("matches", self.matches, writer.match),
            ("passages", self.passages, writer.passage),
            ("clusters", self.clusters, writer.cluster),
        ):
            yield f', "{key}": ['
            for number, item in enumerate(items):
                yield (", " if number else "") + write(item)
            yield "]"
        yield "}\n"


# ``json.dumps`` with any option builds a new encoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


class _JsonWriter:
    """Matches and clusters as JSON text, the same as ``json.dumps`` of their
    ``to_dict()``: most of a report is locations, each named by many matches
    and a cluster, so each is formatted once and the rest is string joins
    instead of a dict per object."""

    def __init__(self) -> None:
        # Keyed by identity: the report holds every location while it is
        # written, and a dataclass's hash (of seven fields) cost more than
        # the lookup saved. An equal location made twice is encoded twice.
        self._locations: dict[int, str] = {}

    def location(self, location: Location) -> str:
        text = self._locations.get(id(location))
        if text is None:
            text = self._locations[id(location)] = _ENCODER.encode(location.to_dict())
        return text

    def match(self, match: Match) -> str:
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
        # Few, and each has its own regions: the plain way.
        return _ENCODER.encode(passage.to_dict())

    def cluster(self, cluster: Cluster) -> str:
        members = ", ".join(self.location(member) for member in cluster.members)
        return (
            f'{{"id": {cluster.id!r}, "boilerplate": {_BOOLEAN[cluster.boilerplate]}, '
            f'"size": {len(cluster.members)!r}, "members": [{members}]}}'
        )


_BOOLEAN = {False: "false", True: "true"}


def span_locations(locations: Sequence[Location]) -> Location:
    """The smallest location covering ``locations`` (all in one document)."""
    first = min(locations, key=lambda loc: (loc.start, loc.paragraph))
    last = max(locations, key=lambda loc: (loc.end, loc.paragraph))
    return Location(
        path=first.path,
        start=first.start,
        end=last.end,
        line_start=min(loc.line_start for loc in locations),
        line_end=max(loc.line_end for loc in locations),
        document=first.document,
        paragraph=min(loc.paragraph for loc in locations),
    )
