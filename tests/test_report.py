"""The report's matches: exact copies kept as rows, read as Match objects."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dedupe
from conftest import PlantedCorpus
from dedupe import report as report_module
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

# `path` (conftest): each test that asks for it runs with the compiled
# exact-copy writer and with the plain one.
KERNEL = (report_module, "_report_batch")


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


# Paths as a report may hold them: quotes, backslashes, control and non-ASCII
# characters, and the lone surrogates of undecodable file names.
_PATHS = st.text(
    alphabet=st.sampled_from(['a', 'é', '“', '"', "\\", "\t", "\x00", "\udce9", "字", "/"]),
    max_size=8,
)


@given(data=st.data())
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_exact_rows_mixed_with_matches_are_written_as_json_dumps_would(
    path: str, data: st.DataObject
) -> None:
    paths = data.draw(st.lists(_PATHS, min_size=1, max_size=4))
    known = tuple(
        Location(p, 7 * i, 7 * i + 5, i + 1, i + 2, i % len(paths), i)
        for i, p in enumerate(paths * 2)
    )
    count = data.draw(st.integers(1, 6))

    def column(elements: st.SearchStrategy[object]) -> np.ndarray:
        return np.array(data.draw(st.lists(elements, min_size=count, max_size=count)))

    numbers = st.integers(0, 2**62)
    rows = ExactCopies(
        locations=known,
        a=column(st.integers(0, len(known) - 1)),
        b=column(st.integers(0, len(known) - 1)),
        words=column(numbers),
        edges=column(st.lists(numbers, min_size=4, max_size=4)),
        boilerplate=column(st.booleans()),
    )
    other = Match(
        kind="near",
        similarity=0.75,
        a=known[0],
        b=known[-1],
        spans=(Span((1, 4), (2, 5)),),
        matched_words=3,
        boilerplate=False,
        difference=None,
    )
    items = data.draw(st.lists(st.integers(0, count - 1) | st.just(other), max_size=12))
    written = Report({}, (), Matches(items, rows), (), ())
    expected = json.dumps(written.to_dict(), ensure_ascii=False) + "\n"
    assert "".join(written.json_chunks()) == expected


def test_the_compiled_exact_writer_checks_its_arguments() -> None:
    kernel = report_module._report_batch
    if kernel is None:
        pytest.skip("dedupe._report_batch was not built (no C compiler at install)")
    one = np.array([0], dtype=np.int64)

    def call(**changed: object) -> object:
        arguments = {
            "locations": b"{}",
            "offsets": np.array([0, 2], dtype=np.int64),
            "a": one,
            "b": one,
            "words": one,
            "edges": np.zeros((1, 4), dtype=np.int64),
            "boilerplate": np.array([False]),
            "rows": one,
            "run_ends": np.array([1], dtype=np.int64),
        }
        arguments.update(changed)
        return kernel.exact_rows_json(*arguments.values())

    assert call() == ['{"kind": "exact", "similarity": 1.0, "boilerplate": false, "a": {}, '
                      '"b": {}, "spans": [{"a": [0, 0], "b": [0, 0]}], "matched_words": 0, '
                      '"difference": {"coverage_a": 1.0, "coverage_b": 1.0, "words_a": 0, '
                      '"words_b": 0, "common": 0, "kinds": ["identical"], "changes": '
                      '[{"kind": "identical", "where": null, "a": [0, 0], "b": [0, 0], '
                      '"old": "", "new": ""}]}}']  # fmt: skip
    with pytest.raises(ValueError, match="fit together"):
        call(edges=np.zeros((1, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="inside locations"):
        call(offsets=np.array([0, 3], dtype=np.int64))
    with pytest.raises(IndexError, match="out of range"):
        call(rows=np.array([1], dtype=np.int64))
    with pytest.raises(IndexError, match="out of range"):
        call(a=np.array([1], dtype=np.int64))
    with pytest.raises(ValueError, match="rise within rows"):
        call(run_ends=np.array([2], dtype=np.int64))
    with pytest.raises(ValueError, match="end with the rows"):
        call(run_ends=np.array([0], dtype=np.int64))
    assert call(rows=np.array([], dtype=np.int64), run_ends=np.array([], dtype=np.int64)) == []
