"""The report's matches: exact copies kept as rows, read as Match objects."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pytest

import dedupe
from conftest import PlantedCorpus
from dedupe.differ import identical
from dedupe.report import (
    Document,
    ExactCopies,
    Location,
    Match,
    Matches,
    Report,
    Skipped,
    Span,
)


@pytest.fixture
def report(planted: PlantedCorpus) -> dedupe.Report:
    found = dedupe.find_duplicates(planted.texts())
    kinds = {m.kind for m in found.matches}
    assert "exact" in kinds and kinds - {"exact"}, "the corpus must hold both sorts"
    return found


def test_matches_read_the_same_by_index_slice_and_iteration(report: dedupe.Report) -> None:
    matches = report.matches
    listed = list(matches)
    assert len(listed) == len(matches)
    assert [matches[i] for i in range(len(matches))] == listed
    assert matches[-1] == listed[-1]
    assert matches[1:4] == tuple(listed[1:4])
    assert matches == tuple(listed) and tuple(listed) == matches
    assert matches != tuple(listed[:-1])
    assert matches != "not matches"
    with pytest.raises(IndexError):
        matches[len(matches)]


def test_a_report_of_plain_matches_equals_the_one_with_rows(report: dedupe.Report) -> None:
    plain = dataclasses.replace(report, matches=tuple(report.matches))
    assert isinstance(plain.matches, Matches)
    assert plain == report
    assert plain.to_json() == report.to_json()
    assert plain.summary() == report.summary()
    assert plain.matches.documents() == report.matches.documents()


def test_summary_counts_and_documents_agree_with_the_matches(report: dedupe.Report) -> None:
    matches = list(report.matches)
    boilerplate = sum(m.boilerplate for m in matches)
    assert boilerplate and report.summary()["boilerplate_matches"] == boilerplate
    assert report.summary()["matches"] == len(matches) - boilerplate
    named = {m.a.document for m in matches} | {m.b.document for m in matches}
    assert report.matches.documents() == named


def test_a_report_pickles_whole(report: dedupe.Report) -> None:
    restored = pickle.loads(pickle.dumps(dataclasses.replace(report, text_of=None)))
    assert restored == report
    assert restored.to_json() == report.to_json()


def test_a_row_reads_as_the_exact_match_it_stands_for() -> None:
    here = Location("a.txt", 0, 20, 1, 1, 0, 0)
    there = Location("b.txt", 5, 26, 3, 3, 1, 2)
    rows = ExactCopies(
        locations=(here, there),
        a=np.array([0]),
        b=np.array([1]),
        words=np.array([4]),
        edges=np.array([[0, 19, 5, 25]]),
        boilerplate=np.array([True]),
    )
    (match,) = Matches([0], rows)
    assert match == Match(
        kind="exact",
        similarity=1.0,
        a=here,
        b=there,
        spans=(Span((0, 19), (5, 25)),),
        matched_words=4,
        boilerplate=True,
        difference=identical(4, (0, 19), (5, 25)),
    )


@pytest.mark.parametrize("item", [1, -1, "0", 0.0])
def test_an_item_that_is_no_match_nor_row_is_refused(item: object) -> None:
    here = Location("a.txt", 0, 20, 1, 1, 0, 0)
    one_row = ExactCopies(
        (here,), np.array([0]), np.array([0]), np.array([4]), np.zeros((1, 4)), np.array([False])
    )
    with pytest.raises(ValueError, match="neither a Match nor a row"):
        Matches([item], one_row)  # type: ignore[list-item]


def test_documents_and_skipped_files_are_written_as_json_dumps_would() -> None:
    report = Report(
        settings={"min_words": 4},
        documents=(
            Document("naïve/“quoted”.txt", 2, 10),
            Document('back\\slash "and" tab\t.txt', 0, 0, "cp1252", "decoded as cp1252: ü"),
        ),
        matches=(),
        passages=(),
        clusters=(),
        skipped=(Skipped("photo.txt", "binary file (PNG image)"),),
    )
    expected = json.dumps(report.to_dict(), ensure_ascii=False) + "\n"
    assert "".join(report.json_chunks()) == expected


def test_rows_in_any_order_are_written_as_json_dumps_would(report: dedupe.Report) -> None:
    # A Matches built by hand may name its rows in any order, and more than once.
    rows = report.matches._exact
    assert rows is not None and len(rows) >= 2
    shuffled = Matches([len(rows) - 1, 0, *report.matches[:1], 0], rows)
    changed = dataclasses.replace(report, matches=shuffled, passages=(), clusters=())
    expected = json.dumps(changed.to_dict(), ensure_ascii=False) + "\n"
    assert "".join(changed.json_chunks()) == expected
