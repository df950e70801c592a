"""The report as one self-contained HTML page, for reading copies side by side.

One file that works offline and can be mailed or attached to a ticket: CSS
and a small script are inline, nothing is fetched (a Content-Security-Policy
forbids it, so a mistake here cannot phone home either). Everything is
rendered on the server side; the script only sorts and filters rows, so the
page reads fine with scripts off.

Layout: the summary (files, paragraphs, copies, boilerplate), a filter box,
the passages and the paragraph matches in tables sortable by size and
similarity, each row followed by its two texts side by side with the
aligned spans marked (``<mark>``) and the differences in them marked
(``<del>`` in A, ``<ins>`` in B, a class per kind: ``numbers``, ``quote``,
``reworded``, ``added``, ``dropped``), then the clusters (anchors
``#cluster-N``) and the boilerplate, collapsed.

Untrusted input is everything that comes from the corpus: document text and
paths. All of it goes through :func:`text`, which escapes HTML and shows
control and bidirectional-override characters as visible ``U+202E`` badges;
paths are also wrapped in ``<bdi>`` so a right-to-left name cannot reorder
what stands next to it. No corpus text is ever placed in a URL, an event
handler or the script. The CSP allows the one inline script by its hash, so
even markup that slipped through could not run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from dedupe import differ
from dedupe.report import Cluster, Location, Match, Report

_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_PATH_UNSAFE = re.compile("[\t\n\r\u2028\u2029]")
_MAX_MEMBERS = 50
_EXCERPT = 90
# Kinds of change drawn inside the aligned text, strongest first: a number
# inside a reworded stretch is shown as a number.
_DRAWN = (differ.NUMBERS, differ.QUOTE, differ.DROPPED, differ.ADDED, differ.REWORDED)

SCRIPT = """
"use strict";
(() => {
  const items = () => document.querySelectorAll("[data-filter]");
  for (const button of document.querySelectorAll("th button[data-key]")) {
    button.addEventListener("click", () => {
      const table = button.closest("table");
      const header = button.closest("th");
      const descending = header.getAttribute("aria-sort") !== "descending";
      for (const th of table.querySelectorAll("th[aria-sort]")) th.removeAttribute("aria-sort");
      header.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const key = button.dataset.key;
      const rows = Array.from(table.tBodies);
      rows.sort((x, y) => {
        const d = Number(x.dataset[key]) - Number(y.dataset[key]);
        return (descending ? -d : d) || Number(x.dataset.order) - Number(y.dataset.order);
      });
      for (const row of rows) table.appendChild(row);
    });
  }
  const box = document.getElementById("filter");
  const count = document.getElementById("shown");
  const apply = () => {
    const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items()) {
      const text = item.textContent.toLowerCase();
      item.hidden = !words.every((word) => text.includes(word));
      if (!item.hidden) shown += 1;
    }
    count.textContent = words.length ? `${shown} of ${items().length} shown` : "";
  };
  box.addEventListener("input", apply);
  apply();
})();
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)

_STYLE = """
:root { color-scheme: light dark; --mark: #fff2a8; --del: #ffd7d5; --ins: #d4f5d9;
  --num: #ffb86b; --quote: #e3d1ff; --line: #8884; --muted: #666; }
@media (prefers-color-scheme: dark) { :root { --mark: #5c5200; --del: #6b2a27; --ins: #1f5128;
  --num: #8a4b00; --quote: #4b2f7a; --muted: #aaa; } }
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 90rem;
  padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.summary { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0; padding: 0; }
.summary div { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .8rem; }
.summary dt { font-size: .8rem; color: var(--muted); } .summary dd { margin: 0;
  font-size: 1.2rem; font-weight: 600; }
.tools { position: sticky; top: 0; background: Canvas; padding: .6rem 0; z-index: 1;
  display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
#filter { font: inherit; padding: .3rem .5rem; width: 24rem; max-width: 100%; }
.legend span { margin-right: .6rem; } #shown { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; }
thead th { border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody { border-bottom: 1px solid var(--line); }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0;
  cursor: pointer; color: inherit; text-decoration: underline dotted; }
th[aria-sort=descending] button::after { content: " \\25BE"; }
th[aria-sort=ascending] button::after { content: " \\25B4"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.path { font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.how { color: var(--muted); font-size: .9rem; }
.sbs { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; }
.side { white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate;
  border: 1px solid var(--line); border-radius: 6px; padding: .5rem .7rem; margin: 0;
  max-height: 30rem; overflow: auto; font-family: Georgia, serif; }
.side h3 { font: 600 .8rem system-ui, sans-serif; margin: 0 0 .3rem; white-space: normal; }
mark { background: var(--mark); color: inherit; }
del { background: var(--del); text-decoration: line-through; }
ins { background: var(--ins); text-decoration: underline; }
del.numbers, ins.numbers { background: var(--num); font-weight: 700; }
del.quote, ins.quote { background: var(--quote); }
.ctl { font: .75rem ui-monospace, monospace; border: 1px solid currentColor;
  border-radius: 3px; padding: 0 2px; color: #c00; }
details { margin: .5rem 0; } summary { cursor: pointer; }
.cluster { border-left: 3px solid var(--line); padding-left: .7rem; margin: .8rem 0; }
.cluster ul { margin: .2rem 0; padding-left: 1.2rem; }
:target { outline: 2px solid #f80; outline-offset: 2px; }
tbody, .cluster, h2 { scroll-margin-top: 4rem; }
td.loc { min-width: 15rem; } .lines { white-space: nowrap; }
"""


def text(value: str) -> str:
    """Corpus text as HTML text: escaped, invisible controls made visible."""
    return _UNSAFE.sub(_badge, html.escape(value, quote=True))


def _badge(match: re.Match[str]) -> str:
    code = f"U+{ord(match.group()):04X}"
    return f'<span class="ctl" title="invisible character {code}">{code}</span>'


def path(value: str) -> str:
    """A path as HTML: like :func:`text`, line breaks and tabs shown as badges
    too (a file name has no lines), isolated from its neighbours by ``<bdi>``."""
    return f'<bdi class="path">{_PATH_UNSAFE.sub(_badge, text(value))}</bdi>'


def _loc(location: Location) -> str:
    return f'<td class="loc">{_where(location)}</td>'


def _where(location: Location) -> str:
    lines = (
        str(location.line_start)
        if location.line_start == location.line_end
        else f"{location.line_start}-{location.line_end}"
    )
    return f'{path(location.path)}<span class="lines">:{lines}</span>'


def _excerpt(report: Report, location: Location, width: int = _EXCERPT) -> str:
    if report.text_of is None:
        return ""
    words = " ".join(report.text(location.document)[location.start : location.end].split())
    return text(words if len(words) <= width else words[: width - 1].rstrip() + "…")


# -- side by side ------------------------------------------------------------


def highlight(
    source: str,
    start: int,
    end: int,
    *,
    marks: Iterable[tuple[int, int]],
    edits: Iterable[tuple[int, int, str]],
    tag: str,
) -> str:
    """``source[start:end]`` as HTML, ``<mark>`` around the ``marks`` and
    ``<tag class=kind>`` around the ``edits`` (document offsets).

    Marks are the outer layer and edits are cut at mark edges, so the output
    always nests; where edits overlap the strongest kind (``_DRAWN`` order)
    is drawn.
    """
    # A sweep over the interval ends: a passage can carry thousands of spans.
    events: dict[int, list[tuple[int, str | None]]] = {start: [], end: []}
    for a, b in marks:
        if a < end and b > start:
            events.setdefault(max(a, start), []).append((1, None))
            events.setdefault(min(b, end), []).append((-1, None))
    for a, b, kind in edits:
        if a < end and b > start:
            events.setdefault(max(a, start), []).append((1, kind))
            events.setdefault(min(b, end), []).append((-1, kind))
    open_marks = 0
    open_edits = Counter[str]()
    pieces: list[tuple[bool, str | None, str]] = []
    for left, right in itertools.pairwise(sorted(events)):
        for delta, what in events[left]:
            if what is None:
                open_marks += delta
            else:
                open_edits[what] += delta
        marked = open_marks > 0
        kind = next((k for k in _DRAWN if open_edits[k] > 0), None)
        piece = source[left:right]
        if pieces and pieces[-1][0] == marked and pieces[-1][1] == kind:
            pieces[-1] = (marked, kind, pieces[-1][2] + piece)
        else:
            pieces.append((marked, kind, piece))
    out: list[str] = []
    open_mark = False
    for marked, kind, piece in pieces:
        if marked != open_mark:
            out.append("<mark>" if marked else "</mark>")
            open_mark = marked
        body = text(piece)
        out.append(f'<{tag} class="{kind}">{body}</{tag}>' if kind else body)
    if open_mark:
        out.append("</mark>")
    return "".join(out)


def _edits(matches: Iterable[Match], side: str) -> list[tuple[int, int, str]]:
    found = []
    for match in matches:
        if match.difference is None:
            continue
        for change in match.difference.changes:
            span = change.a if side == "a" else change.b
            if span is not None and change.kind in _DRAWN:
                found.append((span[0], span[1], change.kind))
    return found


def _side_by_side(report: Report, a: Location, b: Location, members: Sequence[Match]) -> str:
    if report.text_of is None:
        return '<p class="how">(the texts are not part of this report)</p>'
    sides = []
    for side, location, tag in (("a", a, "del"), ("b", b, "ins")):
        marks = [span.a if side == "a" else span.b for m in members for span in m.spans]
        body = highlight(
            report.text(location.document),
            location.start,
            location.end,
            marks=marks,
            edits=_edits(members, side),
            tag=tag,
        )
        sides.append(
            f'<div class="side {side}"><h3>{side.upper()} · {_where(location)}</h3>{body}</div>'
        )
    return f'<div class="sbs">{"".join(sides)}</div>'


# -- sections ----------------------------------------------------------------


def _summary(report: Report) -> str:
    s = report.summary()
    items = [
        ("files", s["documents"]),
        ("paragraphs", s["paragraphs"]),
        ("characters", f"{s['chars']:,}"),
        ("copies", s["matches"]),
        ("passages", s["passages"]),
        ("clusters", s["clusters"]),
        ("boilerplate", s["boilerplate_clusters"]),
        ("skipped", s["skipped"]),
    ]
    cells = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in items)
    return f'<dl class="summary" id="summary">{cells}</dl>'


def _tools() -> str:
    legend = (
        '<span><mark>shared</mark></span><span><del class="reworded">A only</del> '
        '<ins class="reworded">B only</ins></span><span><del class="numbers">number</del></span>'
        '<span><del class="quote">quoted speech</del></span>'
    )
    return (
        '<div class="tools"><input id="filter" type="search" autocomplete="off" '
        'placeholder="Filter by text or path" aria-label="Filter rows by text or path">'
        f'<span id="shown" aria-live="polite"></span><span class="legend">{legend}</span></div>'
    )


def _sort_header(label: str, key: str) -> str:
    return f'<th><button type="button" data-key="{key}">{label}</button></th>'


def _item(kind: str, number: int, order: int, size: int, similarity: float) -> str:
    return (
        f'<tbody id="{kind}-{number}" class="{kind}" data-filter data-order="{order}" '
        f'data-size="{size}" data-similarity="{similarity:.4f}">'
    )


def _size(location: Location) -> int:
    return location.end - location.start


def _passages(report: Report, number_of: dict[int, int]) -> str:
    if not report.passages:
        return ""
    head = (
        "<thead><tr><th>#</th><th>A</th><th>B</th><th>Matches</th>"
        + _sort_header("Size", "size")
        + _sort_header("Similarity", "similarity")
        + "<th>How B differs</th></tr></thead>"
    )
    rows = []
    for n, passage in enumerate(report.passages, 1):
        members = [report.matches[i] for i in passage.matches]
        links = " ".join(
            f'<a href="#match-{number_of[i]}">{number_of[i]}</a>'
            for i in passage.matches
            if i in number_of
        )
        size = _size(passage.a) + _size(passage.b)
        how = "" if passage.difference is None else differ.describe_passage(passage.difference)
        rows.append(
            _item("passage", n, n, size, passage.similarity)
            + f'<tr><td><a href="#passage-{n}">{n}</a></td>{_loc(passage.a)}{_loc(passage.b)}'
            f"<td>{links}</td>"
            f'<td class="num">{size:,}</td><td class="num">{passage.similarity:.2f}</td>'
            f'<td class="how">{text(how)}</td></tr>'
            f'<tr><td colspan="7">{_side_by_side(report, passage.a, passage.b, members)}</td></tr>'
            "</tbody>"
        )
    return (
        f'<section><h2 id="passages">Passages ({len(report.passages)})</h2>'
        f'<table class="sortable">{head}{"".join(rows)}</table></section>'
    )


def _matches(
    report: Report, number_of: dict[int, int], cluster_of: dict[tuple[int, int], int]
) -> str:
    if not number_of:
        return "<section><h2>Copies</h2><p>No copies found.</p></section>"
    passage_of = {m: p for p, passage in enumerate(report.passages, 1) for m in passage.matches}
    head = (
        "<thead><tr><th>#</th><th>Kind</th><th>A</th><th>B</th>"
        + _sort_header("Size", "size")
        + _sort_header("Similarity", "similarity")
        + "<th>In</th><th>How B differs</th></tr></thead>"
    )
    rows = []
    for index, n in number_of.items():
        match = report.matches[index]
        size = _size(match.a) + _size(match.b)
        places = []
        if index in passage_of:
            places.append(f'<a href="#passage-{passage_of[index]}">passage {passage_of[index]}</a>')
        cluster = cluster_of.get((match.a.document, match.a.paragraph))
        if cluster is not None:
            places.append(f'<a href="#cluster-{cluster}">cluster {cluster}</a>')
        how = "" if match.difference is None else differ.describe(match.difference)
        rows.append(
            _item("match", n, n, size, match.similarity)
            + f'<tr><td><a href="#match-{n}">{n}</a></td><td>{text(match.kind)}</td>'
            f"{_loc(match.a)}{_loc(match.b)}"
            f'<td class="num">{size:,}</td><td class="num">{match.similarity:.2f}</td>'
            f"<td>{' '.join(places)}</td>"
            f'<td class="how">{text(how)}</td></tr>'
            f'<tr><td colspan="8">{_side_by_side(report, match.a, match.b, [match])}</td></tr>'
            "</tbody>"
        )
    return (
        f'<section><h2 id="matches">Paragraph copies ({len(number_of)})</h2>'
        f'<table class="sortable">{head}{"".join(rows)}</table></section>'
    )


def _cluster(report: Report, cluster: Cluster, matches_of: dict[tuple[int, int], list[int]]) -> str:
    items = []
    for member in cluster.members[:_MAX_MEMBERS]:
        links = " ".join(
            f'<a href="#match-{n}">match {n}</a>'
            for n in matches_of.get((member.document, member.paragraph), [])
        )
        items.append(
            f'<li>{_where(member)} <span class="how">{_excerpt(report, member)}</span> {links}</li>'
        )
    more = len(cluster.members) - _MAX_MEMBERS
    if more > 0:
        items.append(f"<li>and {more:,} more</li>")
    return (
        f'<div class="cluster" id="cluster-{cluster.id}" data-filter>'
        f'<a href="#cluster-{cluster.id}">Cluster {cluster.id}</a>: '
        f"{len(cluster.members)} places<ul>{''.join(items)}</ul></div>"
    )


def _clusters(report: Report, number_of: dict[int, int]) -> str:
    matches_of: dict[tuple[int, int], list[int]] = {}
    for index, n in number_of.items():
        match = report.matches[index]
        for location in (match.a, match.b):
            matches_of.setdefault((location.document, location.paragraph), []).append(n)
    copies = [c for c in report.clusters if not c.boilerplate]
    boilerplate = report.boilerplate
    out = []
    if copies:
        out.append(
            f'<section><h2 id="clusters">Clusters ({len(copies)})</h2>'
            + "".join(_cluster(report, c, matches_of) for c in copies)
            + "</section>"
        )
    if boilerplate:
        repeats = sum(len(c.members) for c in boilerplate)
        out.append(
            '<section><details id="boilerplate"><summary>'
            f"Boilerplate: {len(boilerplate)} short line(s) repeated {repeats:,} times "
            "(not counted as copies)</summary>"
            + "".join(_cluster(report, c, matches_of) for c in boilerplate)
            + "</details></section>"
        )
    return "".join(out)


def _documents(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{path(d.path)}</td><td class='num'>{d.paragraphs:,}</td>"
        f"<td class='num'>{d.chars:,}</td><td>{text(d.encoding)}</td>"
        f"<td>{text(d.warning or '')}</td></tr>"
        for d in report.documents
    )
    skipped = "".join(f"<li>{path(s.path)}: {text(s.reason)}</li>" for s in report.skipped)
    settings = ", ".join(f"{text(k)}={text(str(v))}" for k, v in report.settings.items())
    return (
        '<section><details id="documents"><summary>Files, skipped inputs and settings</summary>'
        "<table><thead><tr><th>Path</th><th>Paragraphs</th><th>Characters</th>"
        f"<th>Encoding</th><th>Warning</th></tr></thead><tbody>{rows}</tbody></table>"
        + (f"<h3>Skipped</h3><ul>{skipped}</ul>" if skipped else "")
        + f'<p class="how">{settings}</p></details></section>'
    )


def render_html(report: Report) -> str:
    """The whole page (UTF-8 text); byte-identical for the same report."""
    number_of = {
        index: n
        for n, index in enumerate((i for i, m in enumerate(report.matches) if not m.boilerplate), 1)
    }
    cluster_of = {
        (member.document, member.paragraph): cluster.id
        for cluster in report.clusters
        for member in cluster.members
    }
    body = "".join(
        [
            "<header><h1>dedupe: copies found</h1>",
            _summary(report),
            "</header>",
            _tools(),
            _passages(report, number_of),
            _matches(report, number_of, cluster_of),
            _clusters(report, number_of),
            _documents(report),
        ]
    )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        "<title>dedupe report</title>\n"
        f"<style>{_STYLE}</style></head>\n"
        f"<body>{body}\n<script>{SCRIPT}</script></body></html>\n"
    )
