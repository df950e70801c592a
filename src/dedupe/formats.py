"""Render a :class:`~dedupe.report.Report` for people and for programs.

Every renderer is a pure function ``render_<format>(report) -> str``;
:func:`render` picks one by name, and :data:`FORMATS` lists the names (the
command line's ``--format`` choices come from it).

=========  ==================================================================
text       for the terminal: passages, matches, how each copy differs
json       the whole report, ``dedupe.report/1``
jsonl      one JSON object per line; see :func:`render_jsonl`
csv        one row per match; see :func:`render_csv`
grep       ``path:lines ~ path:lines similarity kind``, one match per line
markdown   tables to paste into an issue or a pull request
html       one self-contained page, side by side; see :mod:`dedupe.html`
=========  ==================================================================

Paths and document text are data from outside: line-oriented formats show
control and bidirectional-override characters as visible escapes
(:func:`visible`), so a file name cannot end a line, move the cursor or
reverse what follows it on screen.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

from dedupe import differ
from dedupe.report import SCHEMA, Location, Match, Passage, Report

_EXCERPT = 72
_MAX_PLACES = 8
# C0/C1 controls, line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates (U+202E makes "txt.exe" read "exe.txt").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with unsafe characters written as escapes: ``\\n``, ``\\u202e``."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
        return named or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")

    return _UNSAFE.sub(escape, text)


def render_json(report: Report) -> str:
    return report.to_json()


def where(location: Location) -> str:
    """``path:line`` or ``path:first-last``: the form editors and grep use."""
    path = visible(location.path)
    if location.line_start == location.line_end:
        return f"{path}:{location.line_start}"
    return f"{path}:{location.line_start}-{location.line_end}"


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
        by_path.setdefault(visible(location.path), []).append(lines(location))
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
    return f'"{visible(text)}"'


def how(match: Match) -> str:
    """How the copy differs, in one line ("" when the report has no differences)."""
    return "" if match.difference is None else visible(differ.describe(match.difference))


def how_passage(passage: Passage) -> str:
    if passage.difference is None:
        return ""
    return visible(differ.describe_passage(passage.difference))


def _match_line(report: Report, match: Match, indent: str) -> str:
    line = (
        f"{indent}{match.kind:<9} {match.similarity:4.2f}  {where_pair(match.a, match.b)}\n"
        f"{indent}{'':15}{excerpt(report, match.a)}"
    )
    difference = how(match)
    return line + (f"\n{indent}{'':15}{difference}" if difference else "")


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
            difference = how_passage(passage)
            out.append(
                f"  {number}. {where_pair(passage.a, passage.b)}\n"
                f"     similarity {passage.similarity:.2f}"
                + (f"; {difference}" if difference else "")
                + f"\n     {len(passage.matches)} paragraph matches:"
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
        out.extend(f"  {visible(d.path)}: {d.warning}" for d in warnings)
    if report.skipped:
        out.append("\nSkipped")
        out.extend(f"  {visible(s.path)}: {visible(s.reason)}" for s in report.skipped)
    if not report.matches:
        out.append("\nNo copies found.")
    return "\n".join(out) + "\n"


def render_grep(report: Report) -> str:
    """``a_path:lines ~ b_path:lines similarity kind``, one match per line, in
    report order; boilerplate matches end with `` boilerplate``. Both paths are
    always written in full, so every line stands alone for grep, sort and
    editors' "jump to file:line"."""
    return "".join(
        f"{where(m.a)} ~ {where(m.b)} {m.similarity:.2f} {m.kind}"
        + (" boilerplate" if m.boilerplate else "")
        + "\n"
        for m in report.matches
    )


def _json_line(record: dict[str, Any]) -> str:
    """One JSON object on one line. JSON leaves U+0085, U+2028 and U+2029 raw
    in strings, and ``str.splitlines`` (and JavaScript before ES2019) would
    break the line there; escaping them keeps one record per line."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_jsonl(report: Report) -> str:
    """JSON Lines: one self-describing record per line, every one with a ``type``.

    1. ``{"type": "header", "schema", "settings", "summary"}`` (always first);
    2. ``document`` and ``skipped`` records;
    3. ``match`` records: a match object of the JSON report plus its ``index``
       (what passages' ``matches`` refer to);
    4. ``passage`` and ``cluster`` records, likewise.

    A consumer that wants matches only reads lines until the passages start
    (or filters on ``type``); no line depends on a later one.
    """
    header = {
        "type": "header",
        "schema": SCHEMA,
        "settings": report.settings,
        "summary": report.summary(),
    }
    records: list[dict[str, Any]] = [header]
    records.extend(
        {"type": "document", "index": i, **d.to_dict()} for i, d in enumerate(report.documents)
    )
    records.extend({"type": "skipped", **s.to_dict()} for s in report.skipped)
    records.extend(
        {"type": "match", "index": i, **m.to_dict()} for i, m in enumerate(report.matches)
    )
    records.extend(
        {"type": "passage", "index": i, **p.to_dict()} for i, p in enumerate(report.passages)
    )
    records.extend({"type": "cluster", **c.to_dict()} for c in report.clusters)
    return "".join(_json_line(record) + "\n" for record in records)


CSV_COLUMNS = (
    "match",
    "kind",
    "similarity",
    "boilerplate",
    "a_path",
    "a_line_start",
    "a_line_end",
    "a_start",
    "a_end",
    "b_path",
    "b_line_start",
    "b_line_end",
    "b_start",
    "b_end",
    "matched_words",
    "coverage_a",
    "coverage_b",
    "changes",
    "passage",
    "cluster",
    "how_it_differs",
)
# A cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets ("=HYPERLINK(...)" in a file name would run when opened).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """A text cell that spreadsheets show as text: a leading apostrophe
    before a formula character (OWASP's advice), nothing else changed."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _passage_of(report: Report) -> dict[int, int]:
    return {m: p for p, passage in enumerate(report.passages) for m in passage.matches}


def _cluster_of(report: Report) -> dict[tuple[int, int], int]:
    """(document, paragraph) -> cluster id."""
    return {
        (member.document, member.paragraph): cluster.id
        for cluster in report.clusters
        for member in cluster.members
    }


def _csv_rows(report: Report) -> Iterator[list[object]]:
    passage_of = _passage_of(report)
    cluster_of = _cluster_of(report)
    for index, m in enumerate(report.matches):
        d = m.difference
        yield [
            index,
            m.kind,
            f"{m.similarity:.4f}",
            "true" if m.boilerplate else "false",
            _cell(m.a.path),
            m.a.line_start,
            m.a.line_end,
            m.a.start,
            m.a.end,
            _cell(m.b.path),
            m.b.line_start,
            m.b.line_end,
            m.b.start,
            m.b.end,
            m.matched_words,
            "" if d is None else f"{d.coverage_a:.4f}",
            "" if d is None else f"{d.coverage_b:.4f}",
            "" if d is None else " ".join(d.kinds),
            passage_of.get(index, ""),
            cluster_of.get((m.a.document, m.a.paragraph), ""),
            "" if d is None else _cell(differ.describe(d)),
        ]


def render_csv(report: Report) -> str:
    """One row per match (all of them; ``boilerplate`` says which are), after
    a header row of :data:`CSV_COLUMNS`. ``match`` and ``passage`` are the
    indices of the JSON report (0-based); ``changes`` lists the difference
    kinds. RFC 4180 quoting (paths with commas, quotes or line breaks come
    back intact); text cells that a spreadsheet would run as a formula get a
    leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_rows(report))
    return buffer.getvalue()


# The characters that are markup inside a table cell: the escape itself, code,
# emphasis, links and images, strikethrough, HTML and autolinks, the cell end.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~<>])")


def markdown_cell(text: str) -> str:
    """``text`` safe inside a GitHub table cell: one line, no markup, no HTML.

    Pipes would end the cell and ``<script>`` or ``[x](javascript:...)`` would
    be markup; every character that is markup inside a cell is
    backslash-escaped, and ``&`` written as an entity so ``&lt;`` stays text.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text).replace("&", "&amp;"))


def _markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]
) -> list[str]:
    out = ["| " + " | ".join(header) + " |"]
    out.append("|" + "|".join("---:" if i in numeric else "---" for i in range(len(header))) + "|")
    for row in rows:
        out.append("| " + " | ".join(markdown_cell(str(cell)) for cell in row) + " |")
    return out


def _short_excerpt(report: Report, location: Location) -> str:
    return excerpt(report, location, width=60).strip('"')


def render_markdown(report: Report) -> str:
    """A summary table, then passages, matches and boilerplate as tables: for
    pasting into an issue. Matches are numbered from 1 as in the HTML report."""
    summary = report.summary()
    out = ["## dedupe report", ""]
    out += _markdown_table(
        [
            "documents",
            "paragraphs",
            "characters",
            "copies",
            "passages",
            "clusters",
            "boilerplate",
            "skipped",
        ],
        [
            [
                summary["documents"],
                summary["paragraphs"],
                f"{summary['chars']:,}",
                summary["matches"],
                summary["passages"],
                summary["clusters"],
                summary["boilerplate_clusters"],
                summary["skipped"],
            ]
        ],
        numeric=set(range(8)),
    )
    number_of = {index: n for n, index in enumerate(_copy_indices(report), 1)}
    if report.passages:
        out += ["", "### Passages", ""]
        out += _markdown_table(
            ["#", "A", "B", "paragraph matches", "similarity", "matches", "how it differs"],
            [
                [
                    n,
                    where(p.a),
                    where(p.b),
                    len(p.matches),
                    f"{p.similarity:.2f}",
                    ", ".join(str(number_of[i]) for i in p.matches if i in number_of),
                    how_passage(p),
                ]
                for n, p in enumerate(report.passages, 1)
            ],
            numeric={0, 3, 4},
        )
    if report.copies:
        passage_of = _passage_of(report)
        out += ["", "### Matches", ""]
        out += _markdown_table(
            ["#", "kind", "similarity", "A", "B", "passage", "text", "how it differs"],
            [
                [
                    number_of[i],
                    m.kind,
                    f"{m.similarity:.2f}",
                    where(m.a),
                    where(m.b),
                    passage_of[i] + 1 if i in passage_of else "",
                    _short_excerpt(report, m.a),
                    how(m),
                ]
                for i, m in enumerate(report.matches)
                if i in number_of
            ],
            numeric={0, 2, 5},
        )
    if report.boilerplate:
        out += ["", "### Boilerplate (not counted as copies)", ""]
        out += _markdown_table(
            ["copies", "line", "places"],
            [
                [len(c.members), _short_excerpt(report, c.members[0]), places(c.members)]
                for c in report.boilerplate
            ],
            numeric={0},
        )
    if not report.matches:
        out += ["", "No copies found."]
    return "\n".join(out) + "\n"


def _copy_indices(report: Report) -> list[int]:
    return [i for i, m in enumerate(report.matches) if not m.boilerplate]


def _html_format() -> ModuleType:
    # Imported when first asked for: html, html.entities and base64 are 4 ms
    # of every scan's start-up otherwise (on BBC News, a hundredth of it).
    from dedupe import html

    return html


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
    "grep": render_grep,
    "markdown": render_markdown,
    "html": lambda report: _html_format().render_html(report),
}
FORMATS = tuple(RENDERERS)


def render(report: Report, format: str = "text") -> str:
    try:
        renderer = RENDERERS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}") from None
    return renderer(report)


def render_chunks(report: Report, format: str = "text") -> Iterator[str]:
    """:func:`render` in pieces where the format allows (JSON), so large
    reports stream to their destination."""
    if format == "json":
        yield from report.json_chunks()
    else:
        yield render(report, format)
