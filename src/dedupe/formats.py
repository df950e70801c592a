"""Render a :class:`~dedupe.report.Report` for people and for programs.

Every renderer is a pure function ``render_<format>(report) -> str``;
:func:`render` picks one by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dedupe.report import Location, Match, Report

_EXCERPT = 72
_MAX_PLACES = 8


def render_json(report: Report) -> str:
    return report.to_json()


def where(location: Location) -> str:
    """``path:line`` or ``path:first-last``: the form editors and grep use."""
    if location.line_start == location.line_end:
        return f"{location.path}:{location.line_start}"
    return f"{location.path}:{location.line_start}-{location.line_end}"


def lines(location: Location) -> str:
    if location.line_start == location.line_end:
        return str(location.line_start)
    return f"{location.line_start}-{location.line_end}"


def where_pair(a: Location, b: Location) -> str:
    """``a ~ b``, naming the path once when both are in one file."""
    if a.path == b.path:
        return f"{where(a)} ~ :{lines(b)}"
    return f"{where(a)} ~ {where(b)}"


def places(locations: Sequence[Location], limit: int = _MAX_PLACES) -> str:
    """``path: lines 3, 9; other: line 4`` for up to ``limit`` locations."""
    by_path: dict[str, list[str]] = {}
    for location in locations[:limit]:
        by_path.setdefault(location.path, []).append(lines(location))
    text = "; ".join(
        f"{path}: line{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"
        for path, numbers in by_path.items()
    )
    more = len(locations) - limit
    return text + (f" and {more} more" if more > 0 else "")


def excerpt(report: Report, location: Location, width: int = _EXCERPT) -> str:
    """The start of a location's text on one line, quoted; empty without texts."""
    if report.text_of is None:
        return ""
    text = " ".join(report.text(location.document)[location.start : location.end].split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f'"{text}"'


def _match_line(report: Report, match: Match, indent: str) -> str:
    return (
        f"{indent}{match.kind:<9} {match.similarity:4.2f}  {where_pair(match.a, match.b)}\n"
        f"{indent}{'':15}{excerpt(report, match.a)}"
    )


def render_text(report: Report) -> str:
    summary = report.summary()
    out: list[str] = []
    out.append(
        f"dedupe: {summary['documents']} documents, {summary['paragraphs']} paragraphs, "
        f"{summary['chars']:,} characters"
        + (f", {summary['skipped']} skipped" if summary["skipped"] else "")
    )
    in_passage = {i for passage in report.passages for i in passage.matches}
    loose = [m for i, m in enumerate(report.matches) if not m.boilerplate and i not in in_passage]
    out.append(
        f"found {summary['passages']} passage(s), {summary['matches']} paragraph match(es) "
        f"({len(loose)} outside passages), {summary['boilerplate_clusters']} boilerplate "
        "cluster(s)"
    )

    if report.passages:
        out.append("\nPassages, largest first")
        for number, passage in enumerate(report.passages, 1):
            out.append(
                f"  {number}. {where_pair(passage.a, passage.b)}\n"
                f"     similarity {passage.similarity:.2f}, {len(passage.matches)} paragraph "
                "matches:"
            )
            for index in passage.matches:
                out.append(_match_line(report, report.matches[index], "       "))

    if loose:
        out.append("\nParagraph matches")
        for match in loose:
            out.append(_match_line(report, match, "  "))

    if report.boilerplate:
        out.append("\nBoilerplate (short lines repeated across the corpus; not counted as copies)")
        for cluster in report.boilerplate:
            out.append(
                f"  {len(cluster.members)}x {excerpt(report, cluster.members[0])}\n"
                f"      {places(cluster.members)}"
            )

    warnings = [d for d in report.documents if d.warning]
    if warnings:
        out.append("\nWarnings")
        out.extend(f"  {d.path}: {d.warning}" for d in warnings)
    if report.skipped:
        out.append("\nSkipped")
        out.extend(f"  {s.path}: {s.reason}" for s in report.skipped)
    if not report.matches:
        out.append("\nNo copies found.")
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
}
FORMATS = tuple(RENDERERS)


def render(report: Report, format: str = "text") -> str:
    try:
        renderer = RENDERERS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}") from None
    return renderer(report)
