"""Recall on real news: the BBC News corpus against an exhaustive reference.

The corpus (``../shared/corpora/bbc-news``, 2,225 articles, one cp1252 file)
ships no labels but does contain real copies: re-posted and updated
articles. The reference is every pair of its paragraphs with

* at least ``REFERENCE_MIN_WORDS`` word tokens (``\\w+``, lower-cased), and
* word-level similarity >= 0.5: ``rapidfuzz.fuzz.ratio`` on the two word
  sequences (each distinct word one symbol), i.e. the normalised Indel/LCS
  similarity, computed for all pairs by ``allpairs.py``.

A tool recalls a reference pair when its matches connect the two paragraphs,
directly or through other paragraphs (cluster-style output); "direct" counts
only pairs one match links. The reference does not know boilerplate, so all
matches count, including those a tool flags as boilerplate (a repeated line
found is a repeated line found); "copy-only recall" leaves flagged matches out.
Precision is not scored here: a tool may rightly report pairs below the
reference's cut-off (a contained quote, say).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from report import fmt, table
from scoring import PathNormaliser
from textio import corpus_files, paragraph_spans, read_text
from tools import ToolResult

BBC = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "bbc-news"
REFERENCE_MIN_WORDS = 10
CUTOFF = 50
BANDS = ((0.5, 0.7), (0.7, 0.9), (0.9, 1.01))


class ParagraphIndex:
    """Every paragraph of a folder, numbered, and findable by overlapping range."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ids: dict[tuple[str, int, int], int] = {}
        self._spans: dict[str, tuple[list[int], list[int], list[int]]] = {}
        for path in corpus_files(root):
            rel = path.relative_to(root).as_posix()
            starts, ends, ids = [], [], []
            for start, end in paragraph_spans(read_text(path)):
                ids.append(self.ids.setdefault((rel, start, end), len(self.ids)))
                starts.append(start)
                ends.append(end)
            self._spans[rel] = (starts, ends, ids)

    def overlapping(self, path: str, start: int, end: int) -> list[int]:
        starts, ends, ids = self._spans.get(path, ([], [], []))
        return ids[bisect_right(ends, start) : bisect_left(starts, end)]


@dataclass
class Recall:
    linked: float | None
    direct: float | None
    by_band: list[float | None]
    matches: int


def recall(
    result: ToolResult, reference: ToolResult, index: ParagraphIndex, boilerplate: bool = True
) -> Recall:
    """Share of reference pairs a tool's matches connect (see module docstring).

    ``boilerplate=False`` ignores the matches the tool flags as boilerplate.
    """
    assert result.report is not None and reference.report is not None
    norm = PathNormaliser(index.root)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    direct: set[tuple[int, int]] = set()
    for m in result.report.get("matches", []):
        if m.get("boilerplate") and not boilerplate:
            continue
        left = index.overlapping(norm(m["a"]["path"]), m["a"]["start"], m["a"]["end"])
        right = index.overlapping(norm(m["b"]["path"]), m["b"]["start"], m["b"]["end"])
        for x in left:
            for y in right:
                parent[find(x)] = find(y)
                direct.update(((x, y), (y, x)))
    hits: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    linked = found_direct = total = 0
    for m in reference.report.get("matches", []):
        x = index.ids[(m["a"]["path"], m["a"]["start"], m["a"]["end"])]
        y = index.ids[(m["b"]["path"], m["b"]["start"], m["b"]["end"])]
        band = next(i for i, (lo, hi) in enumerate(BANDS) if lo <= m["similarity"] < hi)
        found = find(x) == find(y)
        total += 1
        linked += found
        found_direct += (x, y) in direct
        hits[band][0] += found
        hits[band][1] += 1
    by_band = [hits[i][0] / hits[i][1] if hits[i][1] else None for i in range(len(BANDS))]
    return Recall(
        linked / total if total else None,
        found_direct / total if total else None,
        by_band,
        len(result.report.get("matches", [])),
    )


def section(results: list[ToolResult], reference: ToolResult, index: ParagraphIndex) -> str:
    """The Markdown section for the BBC corpus."""
    lines = ["## BBC News corpus (real text): recall against exhaustive all-pairs", ""]
    if reference.report is None:
        return "\n".join([*lines, f"Reference not available: {reference.problem}"])
    stats = reference.report["stats"]
    ref_time = reference.measurement.wall_seconds if reference.measurement else None
    lines += [
        f"Reference: {stats['paragraphs']:,} paragraphs with >= {REFERENCE_MIN_WORDS} words, "
        f"{len(reference.report['matches']):,} pairs with word-level fuzz.ratio >= {CUTOFF} "
        f"(exhaustive, {fmt(ref_time, 1)} s{'' if stats['complete'] else ', INCOMPLETE'}).",
        "",
    ]
    columns = [
        "tool",
        "whole-process s",
        "peak RSS MB",
        "matches",
        "recall",
        "direct recall",
        "copy-only recall",
        *(f"R sim [{lo:.1f},{min(hi, 1.0):.1f}{']' if hi > 1 else ')'}" for lo, hi in BANDS),
    ]
    rows, notes = [], []
    for result in results:
        if result.report is None:
            notes.append(f"- {result.tool.name}: {result.problem}")
            continue
        r = recall(result, reference, index)
        copy_only = recall(result, reference, index, boilerplate=False)
        m = result.measurement
        assert m is not None
        rows.append(
            [
                result.tool.name,
                fmt(m.wall_seconds, 1),
                fmt(m.peak_rss_bytes / 1e6, 0),
                fmt(r.matches),
                fmt(r.linked),
                fmt(r.direct),
                fmt(copy_only.linked),
                *(fmt(b) for b in r.by_band),
            ]
        )
    lines.append(table(columns, rows))
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)
