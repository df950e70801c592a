"""The JSONL and CSV readers: round trips, and fuzzing with arbitrary input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.formats import CSV_COLUMNS, render_csv, render_jsonl
from dedupe.readers import ReportFormatError, read_csv, read_jsonl

HOSTILE = {
    'a "quoted", =HYPERLINK("x") path\n.txt': "Ten children were killed in an airstrike near "
    "a clinic in Deir al Balah, aid workers said.\u2028Second line.",
    "-rm\u202eexe.txt": "Ten children were killed in an airstrike near a clinic in Deir al "
    "Balah, the aid workers said on Friday.",
}


@pytest.fixture(scope="module")
def hostile_report() -> dedupe.Report:
    return dedupe.find_duplicates(HOSTILE)


def test_jsonl_round_trip(seeds_report: dedupe.Report) -> None:
    records = read_jsonl(render_jsonl(seeds_report))
    matches = [r for r in records if r["type"] == "match"]
    assert [r["index"] for r in matches] == list(range(len(seeds_report.matches)))
    expected = json.loads(seeds_report.to_json())["matches"]
    assert [{k: v for k, v in r.items() if k not in ("type", "index")} for r in matches] == expected


def test_csv_round_trip_keeps_hostile_paths(hostile_report: dedupe.Report) -> None:
    rows = read_csv(render_csv(hostile_report))
    assert len(rows) == len(hostile_report.matches) == 1
    match = hostile_report.matches[0]
    assert (rows[0]["a_path"], rows[0]["b_path"]) == (match.a.path, match.b.path)
    assert (rows[0]["a_start"], rows[0]["b_end"]) == (match.a.start, match.b.end)


def test_jsonl_round_trip_keeps_line_separators(hostile_report: dedupe.Report) -> None:
    text = render_jsonl(hostile_report)
    records = read_jsonl(text)
    assert len(records) == len(text.split("\n")) - 1
    paths = {r["path"] for r in records if r["type"] == "document"}
    assert paths == set(HOSTILE)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty report"),
        ('{"type": "match"}\n', "header must come first"),
        ('{"type": "header", "schema": "other/9"}\n', "schema"),
        ('{"type": "header", "schema": "dedupe.report/1"}\n[1, 2]\n', "JSON object"),
        ('{"type": "header", "schema": "dedupe.report/1"}\n{"type": "match"}\n', "missing"),
        ('{"type": "header", "schema": "dedupe.report/1"}\n{not json\n', "not JSON"),
    ],
)
def test_jsonl_errors_name_the_line(text: str, reason: str) -> None:
    with pytest.raises(ReportFormatError, match=reason):
        read_jsonl(text)


def test_csv_errors_name_the_line(seeds_report: dedupe.Report) -> None:
    text = render_csv(seeds_report)
    header, first, *_ = text.split("\r\n")
    with pytest.raises(ReportFormatError, match="header"):
        read_csv("a,b,c\r\n")
    with pytest.raises(ReportFormatError, match=r"line 2: .*cells"):
        read_csv(header + "\r\n" + first + ",extra\r\n")
    broken = first.replace("contained", "copied", 1)
    with pytest.raises(ReportFormatError, match="line 2: unknown kind"):
        read_csv(header + "\r\n" + broken + "\r\n")


# Fuzz targets: whatever the input, a reader returns records or raises
# ReportFormatError. Run briefly here; raise max_examples to fuzz longer.
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_read_jsonl_with_arbitrary_text(text: str) -> None:
    try:
        records = read_jsonl(text)
    except ReportFormatError as error:
        assert error.line >= 1
    else:
        assert records[0]["type"] == "header"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.sampled_from(
    ["type", "schema", "kind", "similarity", "boilerplate", "a", "b", "spans", "path", "start"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(_KEYS, _JSON_VALUES), max_size=5))
def test_fuzz_read_jsonl_with_json_shaped_records(records: list[dict]) -> None:
    text = "\n".join(json.dumps(r) for r in records)
    try:
        records = read_jsonl(text)
    except ReportFormatError as error:
        assert error.line >= 1
    else:
        assert records[0]["type"] == "header"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_read_csv_with_arbitrary_text(text: str) -> None:
    try:
        rows = read_csv(text)
    except ReportFormatError as error:
        assert error.line >= 1
    else:
        assert all(set(row) == set(CSV_COLUMNS) for row in rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=8), min_size=0, max_size=25), max_size=4))
def test_fuzz_read_csv_rows_under_the_real_header(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    try:
        parsed = read_csv(buffer.getvalue())
    except ReportFormatError as error:
        assert error.line >= 1
    else:
        assert len(parsed) == len(rows)
