"""Read the JSONL and CSV reports back, validating as strictly as they are written.

Reports travel: a scan on one machine, cleaning on another, a spreadsheet in
between. These readers turn a report file back into plain records and reject
anything else with :class:`ReportFormatError` naming the line, never with a
stray ``KeyError`` deep inside the caller.

Example::

    >>> records = read_jsonl(render_jsonl(report))          # doctest: +SKIP
    >>> [r for r in records if r["type"] == "match"][0]["kind"]
    'near'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from dedupe.align import KINDS
from dedupe.formats import CSV_COLUMNS, FORMULA_START
from dedupe.report import SCHEMA

RECORD_TYPES = ("header", "document", "skipped", "match", "passage", "cluster")


class ReportFormatError(ValueError):
    """The input is not a report of this version; ``line`` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def read_jsonl(text: str) -> list[dict[str, Any]]:
    """Records of a ``--format jsonl`` report, in file order."""
    records: list[dict[str, Any]] = []
    # Only "\n" ends a record: the writer escapes every other line separator.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            raise ReportFormatError(number, f"not JSON ({error})") from None
        _check_record(record, number, first=not records)
        records.append(record)
    if not records:
        raise ReportFormatError(1, "empty report")
    return records


def _check_record(record: Any, number: int, *, first: bool) -> None:
    if not isinstance(record, dict):
        raise ReportFormatError(number, "a record must be a JSON object")
    kind = record.get("type")
    if kind not in RECORD_TYPES:
        raise ReportFormatError(number, f"unknown record type {kind!r}")
    if first != (kind == "header"):
        raise ReportFormatError(number, "the header must come first, and only once")
    if kind == "header" and record.get("schema") != SCHEMA:
        raise ReportFormatError(number, f"schema is {record.get('schema')!r}, not {SCHEMA!r}")
    if kind == "match":
        _check_match(record, number)


def _check_match(record: dict[str, Any], number: int) -> None:
    _require(record, "kind", lambda v: v in KINDS, number)
    _require(record, "similarity", lambda v: _number(v) and 0 <= v <= 1, number)
    _require(record, "boilerplate", lambda v: isinstance(v, bool), number)
    for side in ("a", "b"):
        _require(record, side, lambda v: isinstance(v, dict), number)
        location = record[side]
        _require(location, "path", lambda v: isinstance(v, str), number)
        for field in ("start", "end", "line_start", "line_end"):
            _require(location, field, lambda v: _integer(v) and v >= 0, number)
        if location["start"] > location["end"]:
            raise ReportFormatError(number, f"{side}: start is after end")
    _require(record, "spans", lambda v: isinstance(v, list), number)
    for span in record["spans"]:
        ok = isinstance(span, dict) and all(
            isinstance(span.get(side), list)
            and len(span[side]) == 2
            and all(_integer(v) for v in span[side])
            and span[side][0] <= span[side][1]
            for side in ("a", "b")
        )
        if not ok:
            raise ReportFormatError(number, "a span must be {'a': [s, e], 'b': [s, e]}")


def _require(record: dict[str, Any], key: str, valid: Callable[[Any], bool], number: int) -> None:
    if key not in record:
        raise ReportFormatError(number, f"missing {key!r}")
    if not valid(record[key]):
        raise ReportFormatError(number, f"invalid {key!r}: {record[key]!r}")


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_INTEGER_COLUMNS = (
    "match", "a_line_start", "a_line_end", "a_start", "a_end",
    "b_line_start", "b_line_end", "b_start", "b_end", "matched_words",
)  # fmt: skip


def read_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a ``--format csv`` report as dicts keyed by column, with
    numbers as numbers and the writer's formula guard removed."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ReportFormatError(1, f"not CSV ({error})") from None
    if not rows or tuple(rows[0]) != CSV_COLUMNS:
        raise ReportFormatError(1, "the header row is not dedupe's CSV header")
    records = []
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(CSV_COLUMNS):
            raise ReportFormatError(number, f"{len(row)} cells, expected {len(CSV_COLUMNS)}")
        record: dict[str, Any] = dict(zip(CSV_COLUMNS, row, strict=True))
        for column in _INTEGER_COLUMNS:
            try:
                record[column] = int(record[column])
            except ValueError:
                raise ReportFormatError(number, f"{column} is not a whole number") from None
        if record["kind"] not in KINDS:
            raise ReportFormatError(number, f"unknown kind {record['kind']!r}")
        try:
            record["similarity"] = float(record["similarity"])
        except ValueError:
            raise ReportFormatError(number, "similarity is not a number") from None
        if record["boilerplate"] not in ("true", "false"):
            raise ReportFormatError(number, "boilerplate must be true or false")
        record["boilerplate"] = record["boilerplate"] == "true"
        for column in ("a_path", "b_path", "how_it_differs"):
            value = record[column]
            if value.startswith("'") and value[1:].startswith(FORMULA_START):
                record[column] = value[1:]
        records.append(record)
    return records
