"""Score a tool's reported matches against a planted corpus's truth file.

Every tool's output is first put into the shape of dedupe's JSON report
(``matches`` with ``a``/``b`` = ``{path, start, end}``, optional ``spans`` and
``boilerplate``), so one scorer serves them all.

Definitions (README.md explains the reasoning):

* Truth paragraphs are the source and copy paragraphs of planted pairs and
  the boilerplate/byline occurrences. A match side *touches* every truth
  paragraph its ``[start, end)`` range overlaps.
* Each truth paragraph has *origins*: a source paragraph is its own origin, a
  copy paragraph inherits the origins of the source paragraphs it was made
  from, a boilerplate line's origin is its family. A match is *correct* when
  a paragraph it touches on one side shares an origin with one it touches on
  the other (so a copy-to-copy match of one story counts as correct too).
* Pair precision is over matches not flagged as boilerplate, leaving out
  those that correctly link boilerplate (they are scored separately).
* Pair recall: a planted pair is found when its two paragraphs are connected
  through the tool's (non-boilerplate) matches: directly, or via other
  paragraphs, which credits tools that report clusters instead of pairs.
  ``direct recall`` counts only pairs a single match links.
* Span precision/recall are character-level, over both sides: the planted
  regions are the copied characters in source and copy; reported characters
  are the union of match ``spans`` (or the a/b ranges where a tool gives no
  spans); characters of boilerplate lines count for neither.
* Boilerplate recall: the share of boilerplate/byline occurrences that some
  match links to another occurrence of the same line.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

Interval = tuple[int, int]
BOILERPLATE_KINDS = ("boilerplate", "byline")


@dataclass(frozen=True)
class Side:
    """One side of a reported match, with the path relative to the corpus root."""

    path: str
    start: int
    end: int


@dataclass(frozen=True)
class Match:
    a: Side
    b: Side
    boilerplate: bool
    spans_a: tuple[Interval, ...]
    spans_b: tuple[Interval, ...]


@dataclass
class PlantedPair:
    kind: str
    source: int  # truth paragraph ids
    copy: int


class Truth:
    """The truth file indexed for overlap queries."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, int, int], int] = {}
        self.origins: list[set[int | str]] = []
        self.pairs: list[PlantedPair] = []
        self.boilerplate: dict[int, str] = {}  # paragraph id -> family
        self.regions: dict[str, list[Interval]] = defaultdict(list)
        self.neutral: dict[str, list[Interval]] = defaultdict(list)
        self._index: dict[str, tuple[list[int], list[int], list[int]]] = {}

    @classmethod
    def load(cls, path: Path) -> Truth:
        truth = cls()
        copies: list[tuple[int, int]] = []
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                truth._add(json.loads(line), copies)
        for copy, source in copies:
            truth.origins[copy] |= truth.origins[source]
        truth._build_index()
        return truth

    def _node(self, path: str, span: list[int]) -> int:
        key = (path, span[0], span[1])
        node = self.keys.get(key)
        if node is None:
            node = self.keys[key] = len(self.origins)
            self.origins.append(set())
        return node

    def _add(self, record: dict, copies: list[tuple[int, int]]) -> None:
        if "family" in record:
            node = self._node(record["path"], record["span"])
            # Bylines differ only in the name: two of them are boilerplate
            # alike, whoever wrote the pieces; other lines repeat verbatim.
            family = record["kind"] if record["kind"] == "byline" else record["family"]
            self.origins[node].add("bp:" + family)
            self.boilerplate[node] = record["family"]
            self.neutral[record["path"]].append(tuple(record["span"]))
            return
        src, dst = record["source"], record["copy"]
        source = self._node(src["path"], src["para"])
        copy = self._node(dst["path"], dst["para"])
        self.origins[source].add(source)
        copies.append((copy, source))
        self.pairs.append(PlantedPair(record["kind"], source, copy))
        self.regions[src["path"]].append(tuple(src["span"]))
        self.regions[dst["path"]].append(tuple(dst["span"]))

    def _build_index(self) -> None:
        by_path: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for (path, start, end), node in self.keys.items():
            by_path[path].append((start, end, node))
        for path, rows in by_path.items():
            rows.sort()
            self._index[path] = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        self.regions = {p: merge(v) for p, v in self.regions.items()}
        self.neutral = {p: merge(v) for p, v in self.neutral.items()}

    def touched(self, side: Side) -> list[int]:
        """Truth paragraphs overlapping ``side`` (paragraphs of one file never overlap)."""
        index = self._index.get(side.path)
        if index is None:
            return []
        starts, ends, nodes = index
        lo = bisect_right(ends, side.start)
        hi = bisect_left(starts, side.end)
        return nodes[lo:hi]


@dataclass
class Score:
    """Everything the tables show for one tool on one corpus."""

    reported: int = 0
    flagged: int = 0
    copy_correct: int = 0
    wrong: int = 0
    boilerplate_unflagged: int = 0
    flagged_correct: int = 0
    planted: int = 0
    found: int = 0
    found_direct: int = 0
    span_hit: int = 0
    span_reported: int = 0
    span_planted: int = 0
    boilerplate_total: int = 0
    boilerplate_found: int = 0
    recall_by_kind: dict[str, float] = field(default_factory=dict)
    wrong_examples: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        judged = self.copy_correct + self.wrong
        return self.copy_correct / judged if judged else None

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None

    @property
    def direct_recall(self) -> float | None:
        return self.found_direct / self.planted if self.planted else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)

    @property
    def span_precision(self) -> float | None:
        return self.span_hit / self.span_reported if self.span_reported else None

    @property
    def span_recall(self) -> float | None:
        return self.span_hit / self.span_planted if self.span_planted else None

    @property
    def boilerplate_recall(self) -> float | None:
        return self.boilerplate_found / self.boilerplate_total if self.boilerplate_total else None

    @property
    def flag_precision(self) -> float | None:
        return self.flagged_correct / self.flagged if self.flagged else None

    def as_dict(self) -> dict:
        names = (
            "precision",
            "recall",
            "direct_recall",
            "f1",
            "span_precision",
            "span_recall",
            "boilerplate_recall",
            "flag_precision",
        )
        data = {k: v for k, v in self.__dict__.items()}
        data.update({name: getattr(self, name) for name in names})
        return data


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of half-open intervals as a sorted list of disjoint ones."""
    out: list[list[int]] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def overlap(a: list[Interval], b: list[Interval]) -> int:
    """Total length shared by two sorted lists of disjoint intervals."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


class PathNormaliser:
    """Maps report paths (absolute, cwd-relative or root-relative) to root-relative posix."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        cached = self._cache.get(raw)
        if cached is None:
            path = Path(raw)
            candidates = [path] if path.is_absolute() else [Path.cwd() / path, self.root / path]
            cached = raw
            for candidate in candidates:
                try:
                    cached = candidate.resolve().relative_to(self.root).as_posix()
                    break
                except ValueError:
                    continue
            self._cache[raw] = cached
        return cached


def parse_matches(report: dict, root: Path) -> list[Match]:
    """Read the matches of a dedupe-style report, paths made relative to ``root``."""
    norm = PathNormaliser(root)
    matches = []
    for m in report.get("matches", []):
        a, b = m["a"], m["b"]
        spans = m.get("spans") or [{"a": [a["start"], a["end"]], "b": [b["start"], b["end"]]}]
        matches.append(
            Match(
                Side(norm(a["path"]), a["start"], a["end"]),
                Side(norm(b["path"]), b["start"], b["end"]),
                bool(m.get("boilerplate", False)),
                tuple((s["a"][0], s["a"][1]) for s in spans),
                tuple((s["b"][0], s["b"][1]) for s in spans),
            )
        )
    return matches


class _Components:
    """Union-find over truth paragraph ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, x: int, y: int) -> None:
        self.parent[self.find(x)] = self.find(y)


def score(matches: list[Match], truth: Truth, examples: int = 5) -> Score:
    """Compare reported matches with the planted truth (see the module docstring)."""
    result = Score(reported=len(matches), planted=len(truth.pairs))
    links = _Components()
    direct: set[tuple[int, int]] = set()
    linked_boilerplate: set[int] = set()
    reported: dict[str, list[Interval]] = defaultdict(list)
    for match in matches:
        left, right = truth.touched(match.a), truth.touched(match.b)
        shared = _shared_origins(truth, left, right)
        is_copy = any(not isinstance(o, str) for o in shared)
        is_boilerplate = any(isinstance(o, str) for o in shared)
        if is_boilerplate:
            linked_boilerplate.update(n for n in (*left, *right) if truth.boilerplate.get(n))
        if match.boilerplate:
            result.flagged += 1
            result.flagged_correct += is_boilerplate and not is_copy
            continue
        if is_copy:
            result.copy_correct += 1
        elif is_boilerplate:
            result.boilerplate_unflagged += 1
        else:
            result.wrong += 1
            if len(result.wrong_examples) < examples:
                result.wrong_examples.append({"a": match.a.__dict__, "b": match.b.__dict__})
        for x in left:
            for y in right:
                links.union(x, y)
                direct.add((x, y))
                direct.add((y, x))
        reported[match.a.path].extend(match.spans_a)
        reported[match.b.path].extend(match.spans_b)
    _score_pairs(result, truth, links, direct)
    _score_spans(result, truth, reported)
    families: dict[str, int] = defaultdict(int)
    for family in truth.boilerplate.values():
        families[family] += 1
    # A line that occurs once has nothing to be linked to.
    repeated = [n for n, f in truth.boilerplate.items() if families[f] > 1]
    result.boilerplate_total = len(repeated)
    result.boilerplate_found = sum(n in linked_boilerplate for n in repeated)
    return result


def _shared_origins(truth: Truth, left: list[int], right: list[int]) -> set[int | str]:
    shared: set[int | str] = set()
    for x in left:
        for y in right:
            shared |= truth.origins[x] & truth.origins[y]
    return shared


def _score_pairs(
    result: Score, truth: Truth, links: _Components, direct: set[tuple[int, int]]
) -> None:
    found_by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pair in truth.pairs:
        found = links.find(pair.source) == links.find(pair.copy)
        result.found += found
        result.found_direct += (pair.source, pair.copy) in direct
        found_by_kind[pair.kind][0] += found
        found_by_kind[pair.kind][1] += 1
    result.recall_by_kind = {k: hit / total for k, (hit, total) in sorted(found_by_kind.items())}


def _score_spans(result: Score, truth: Truth, reported: dict[str, list[Interval]]) -> None:
    result.span_planted = sum(e - s for spans in truth.regions.values() for s, e in spans)
    for path, spans in reported.items():
        merged = merge(spans)
        planted = truth.regions.get(path, [])
        neutral = truth.neutral.get(path, [])
        result.span_hit += overlap(merged, planted)
        result.span_reported += sum(e - s for s, e in merged) - overlap(merged, neutral)


def score_report(report_path: Path, corpus_root: Path) -> Score:
    """Convenience: load a report and the corpus truth, and score."""
    report = json.loads(report_path.read_text(encoding="utf-8"))
    truth = Truth.load(corpus_root / "truth.jsonl")
    return score(parse_matches(report, corpus_root / "docs"), truth)
