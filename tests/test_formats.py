"""Every report format, on the seeds and on inputs written to break them."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedupe
from dedupe import formats
from dedupe import html as html_format
from dedupe.cli import main

ROOT = Path(__file__).resolve().parent.parent

LEAD = (
    "Officials said the convoy of 40 trucks reached the Kerem Shalom crossing at dawn on "
    "Monday, after a week of delays at the border."
)
AID = (
    "Aid workers unloaded flour, rice and medical supplies for the clinic in the north, "
    "where families had waited for days."
)
# Ids are the report's paths: each one attacks a different format.
WIRE = 'wire, "quoted"\n<script>alert(1)</script>\u2028.txt'
SPOOF = "javascript:alert(1)//\u202etxt.exe"
FORMULA = '=HYPERLINK("http://evil.example/x")'
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = {
    WIRE: f"{LEAD} <script>alert(1)</script>\n\n{AID} {IMG}\n",
    SPOOF: LEAD.replace("40", "42") + f" <script>alert(1)</script>\n\n{AID} {IMG} | a, b\u2028c\n",
    FORMULA: f"An unrelated opening line about something else entirely.\n\n{AID}\n",
    IMG: f'Intro: “{AID}”\n\n<a href="https://evil.example/">{LEAD}</a>\n',
}
# Where a match's locations and scores are written in grep and text formats.
GREP_LINE = re.compile(
    r"^(?P<a>.+):(?P<a_lines>\d+(?:-\d+)?) ~ (?P<b>.+):(?P<b_lines>\d+(?:-\d+)?) "
    r"(?P<similarity>[01]\.\d\d) (?P<kind>exact|near|contained)(?P<boilerplate> boilerplate)?$"
)
# Characters that must never reach a terminal, a line-based file or a page raw.
RAW_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def seeds() -> Iterator[dedupe.Report]:
    """The seeds report, with the working directory its relative paths need
    (texts are re-read from disk when a format shows them)."""
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        yield dedupe.scan("seeds")
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def hostile() -> dedupe.Report:
    report = dedupe.find_duplicates(HOSTILE)
    paths = {p for m in report.matches for p in (m.a.path, m.b.path)}
    assert paths == set(HOSTILE), "every hostile id must take part in a match"
    return report


@pytest.fixture(params=["seeds", "hostile"])
def report(request: pytest.FixtureRequest) -> dedupe.Report:
    return request.getfixturevalue(request.param)


def test_formats_are_the_cli_choices() -> None:
    assert set(formats.FORMATS) == {"text", "json", "jsonl", "csv", "grep", "markdown", "html"}
    option = next(p for p in main.commands["scan"].params if p.name == "format_")
    assert tuple(option.type.choices) == formats.FORMATS


@pytest.mark.parametrize("name", formats.FORMATS)
def test_every_format_is_deterministic_and_runs_from_the_cli(
    seeds: dedupe.Report, name: str
) -> None:
    rendered = formats.render(seeds, name)
    assert rendered == formats.render(seeds, name)
    result = CliRunner().invoke(main, ["scan", "seeds", "--format", name])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == rendered.encode("utf-8")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        formats.render(dedupe.find_duplicates([]), "yaml")


# -- text and grep -------------------------------------------------------------


def test_text_says_how_each_copy_differs(seeds: dedupe.Report, hostile: dedupe.Report) -> None:
    text = formats.render_text(seeds)
    assert "6 paragraphs dropped" in text and "merged: A 52+53 → B 68" in text
    assert "quote changed: “my” → “the”" in text
    assert "numbers changed: 40 → 42" in formats.render_text(hostile)


@pytest.mark.parametrize("name", ["text", "grep", "markdown"])
def test_line_formats_show_unsafe_characters_as_escapes(hostile: dedupe.Report, name: str) -> None:
    rendered = formats.render(hostile, name)
    assert not RAW_UNSAFE.search(rendered)
    assert "\\u202e" in rendered  # visible, not obeyed


def test_grep_one_line_per_match(report: dedupe.Report) -> None:
    lines = formats.render_grep(report).splitlines()
    assert len(lines) == len(report.matches)
    for line, match in zip(lines, report.matches, strict=True):
        found = GREP_LINE.match(line)
        assert found, line
        assert found["a"] == formats.visible(match.a.path)
        assert found["b"] == formats.visible(match.b.path)
        assert found["similarity"] == f"{match.similarity:.2f}"
        assert found["kind"] == match.kind
        assert bool(found["boilerplate"]) == match.boilerplate
        assert found["a_lines"].split("-")[0] == str(match.a.line_start)


# -- jsonl ---------------------------------------------------------------------


def test_jsonl_lines_each_parse(report: dedupe.Report) -> None:
    rendered = formats.render_jsonl(report)
    # str.splitlines also breaks at U+2028 and U+0085: the records must not contain them raw.
    lines = rendered.splitlines()
    assert rendered.endswith("\n") and len(lines) == rendered.count("\n")
    records = [json.loads(line) for line in lines]
    assert records[0] == {
        "type": "header",
        "schema": "dedupe.report/1",
        "settings": report.settings,
        "summary": report.summary(),
    }
    full = report.to_dict()
    by_type: dict[str, list[dict]] = {}
    for record in records[1:]:
        by_type.setdefault(record.pop("type"), []).append(record)
    matches = by_type.get("match", [])
    assert [m.pop("index") for m in matches] == list(range(len(report.matches)))
    assert matches == full["matches"]
    assert [p.pop("index") for p in by_type.get("passage", [])] == list(
        range(len(full["passages"]))
    )
    assert by_type.get("passage", []) == full["passages"]
    assert by_type.get("cluster", []) == full["clusters"]
    assert [d.pop("index") for d in by_type["document"]] == list(range(len(full["documents"])))
    assert by_type["document"] == full["documents"]


# -- csv -----------------------------------------------------------------------


def test_csv_parses_back_to_the_same_matches(report: dedupe.Report) -> None:
    rendered = formats.render_csv(report)
    rows = list(csv.reader(io.StringIO(rendered, newline="")))
    assert tuple(rows[0]) == formats.CSV_COLUMNS
    assert len(rows) == len(report.matches) + 1
    for index, (row, match) in enumerate(zip(rows[1:], report.matches, strict=True)):
        cell = dict(zip(formats.CSV_COLUMNS, row, strict=True))
        assert int(cell["match"]) == index
        assert cell["kind"] == match.kind
        assert float(cell["similarity"]) == round(match.similarity, 4)
        assert cell["boilerplate"] == str(match.boilerplate).lower()
        for side, location in (("a", match.a), ("b", match.b)):
            expected = "'" + location.path if location.path.startswith("=") else location.path
            assert cell[f"{side}_path"] == expected
            for field in ("line_start", "line_end", "start", "end"):
                assert int(cell[f"{side}_{field}"]) == getattr(location, field)
        assert int(cell["matched_words"]) == match.matched_words
        assert match.difference is not None
        assert cell["changes"].split() == list(match.difference.kinds)
        assert float(cell["coverage_a"]) == round(match.difference.coverage_a, 4)


def test_csv_keeps_spreadsheets_from_running_formulas(hostile: dedupe.Report) -> None:
    rows = list(csv.DictReader(io.StringIO(formats.render_csv(hostile), newline="")))
    cells = [value for row in rows for value in row.values()]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in cells)
    assert "'" + FORMULA in cells
    assert WIRE in cells  # commas, quotes and a line break survive intact


# -- markdown ------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    """Cells of a GitHub table row: split at pipes not escaped by a backslash."""
    assert row.startswith("| ") and row.endswith(" |"), row
    return re.split(r"(?<!\\) \| ", row[2:-2])


def test_markdown_tables_have_the_right_column_count(report: dedupe.Report) -> None:
    rendered = formats.render_markdown(report)
    tables: list[list[str]] = []
    previous = ""
    for line in rendered.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    titles = ["summary"] + [
        t for t, present in (("passages", report.passages), ("matches", report.copies)) if present
    ]
    assert len(tables) == len(titles) + (1 if report.boilerplate else 0)
    for table in tables:
        header, separator, *rows = table
        width = len(_cells(header))
        assert separator.count("|") == width + 1
        assert all(len(_cells(row)) == width for row in rows), table
    matches = tables[titles.index("matches")] if report.copies else []
    assert len(matches) == 2 + len(report.copies)


def test_markdown_escapes_markup(hostile: dedupe.Report) -> None:
    rendered = formats.render_markdown(hostile)
    assert not re.search(r"(?<!\\)<", rendered)  # every < is escaped
    assert "\\<script\\>alert(1)\\</script\\>" in rendered
    assert formats.markdown_cell("a | b *c* [x](javascript:y) & <i>") == (
        "a \\| b \\*c\\* \\[x\\](javascript:y) &amp; \\<i\\>"
    )


# -- html ----------------------------------------------------------------------

REMOTE_ATTRIBUTE = re.compile(
    r"""\b(?:src|href|action|formaction|poster|srcset|data|background|xlink:href)\s*=\s*["']?"""
    r"""\s*(?:https?:|//|javascript:)""",
    re.IGNORECASE,
)


def test_html_is_self_contained_with_only_its_own_script(report: dedupe.Report) -> None:
    page = html_format.render_html(report)
    assert page.count("<script") == 1
    assert f"<script>{html_format.SCRIPT}</script>" in page
    assert not REMOTE_ATTRIBUTE.search(page)
    assert not re.search(r"<(?:link|img|iframe|object|embed|base)\b(?![^>]*href=\"data:)", page)
    assert 'http-equiv="Content-Security-Policy"' in page
    assert f'content="{html_format.CSP}"' in page
    assert "default-src 'none'" in html_format.CSP


def test_html_script_hash_matches_the_csp() -> None:
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(html_format.SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html_format.CSP
    assert "unsafe-inline" not in html_format.CSP.split("script-src")[1]


def test_html_escapes_every_piece_of_corpus_text(hostile: dedupe.Report) -> None:
    page = html_format.render_html(hostile)
    assert "<script>alert" not in page
    assert "<img" not in page and '<a href="https' not in page
    assert not re.search(r"<[^>]*\son\w+\s*=", page)  # no event handler attribute anywhere
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert not RAW_UNSAFE.search(page)
    assert "U+202E" in page  # the override is shown, not obeyed
    # Paths only ever appear inside <bdi>, and never in an attribute.
    assert page.count('<bdi class="path">javascript:alert(1)//') >= 1
    assert not re.search(r"=\"[^\"]*javascript:", page)


def test_html_side_by_side_marks_spans_and_differences(seeds: dedupe.Report) -> None:
    page = html_format.render_html(seeds)
    passage = page[page.index('<tbody id="passage-1"') : page.index("</tbody>")]
    assert 'seeds/000_0ca4ebad92ee63ed.txt</bdi><span class="lines">:37-61' in passage
    assert passage.count("<mark>") >= 16
    assert '<del class="reworded">reportedly</del>' in passage
    assert '<ins class="reworded">organisation</ins>' in passage
    assert '<del class="quote">my</del>' in page and '<ins class="quote">the</ins>' in page
    assert '<details id="boilerplate">' in page
    assert 'id="cluster-0"' in page and 'href="#cluster-0"' in page


def test_highlight_nests_edits_inside_marks() -> None:
    source = "0123456789"
    out = html_format.highlight(
        source, 0, 10, marks=[(2, 6)], edits=[(4, 8, "numbers"), (5, 6, "reworded")], tag="del"
    )
    assert out == '01<mark>23<del class="numbers">45</del></mark><del class="numbers">67</del>89'


def test_html_without_texts_still_renders(seeds: dedupe.Report) -> None:
    import dataclasses

    page = html_format.render_html(dataclasses.replace(seeds, text_of=None))
    assert "the texts are not part of this report" in page
    assert '<div class="sbs">' not in page
