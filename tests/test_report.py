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
from dedupe.differ import (
    AFTER,
    BEFORE,
    KINDS,
    Change,
    Difference,
    ParagraphChange,
    PassageDifference,
    identical,
)
from dedupe.report import (
    Document,
    ExactCopies,
    Location,
    Match,
    Matches,
    Passage,
    Report,
    Skipped,
    Span,
    _JsonWriter,
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


# Evidence as documents hold it: quotes, backslashes, every kind of control
# character, non-ASCII, astral and the lone surrogates of undecodable bytes.
_TEXTS = st.text(
    alphabet=st.sampled_from(
        ["a", " ", '"', "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "é",
         "’", "字", "😀", "\ud83d", "\ude00", "\udce9"]
    ),
    max_size=10,
)  # fmt: skip
_NUMBERS = st.integers(0, 2**62)
_SPANS = st.none() | st.tuples(_NUMBERS, _NUMBERS)
_CHANGES = st.builds(
    Change,
    kind=st.sampled_from(KINDS) | _TEXTS,
    a=_SPANS,
    b=_SPANS,
    old=_TEXTS,
    new=_TEXTS,
    where=st.none() | st.sampled_from([BEFORE, AFTER]) | _TEXTS,
)
_DIFFERENCES = st.builds(
    Difference,
    words_a=st.integers(0, 2**53),
    words_b=st.integers(0, 2**53),
    common=st.integers(0, 2**53),
    changes=st.lists(_CHANGES, max_size=6).map(tuple),
)
_LOCATIONS = st.builds(
    Location,
    path=_PATHS,
    start=_NUMBERS,
    end=_NUMBERS,
    line_start=_NUMBERS,
    line_end=_NUMBERS,
    document=_NUMBERS,
    paragraph=_NUMBERS,
)
_MATCHES = st.builds(
    Match,
    kind=st.sampled_from(["near", "contained"]) | _TEXTS,
    similarity=st.floats(allow_nan=False, allow_infinity=False) | st.integers(0, 1),
    a=_LOCATIONS,
    b=_LOCATIONS,
    spans=st.lists(st.builds(Span, st.tuples(_NUMBERS, _NUMBERS), st.tuples(_NUMBERS, _NUMBERS)),
                   max_size=3).map(tuple),
    matched_words=_NUMBERS,
    boilerplate=st.booleans(),
    difference=st.none() | _DIFFERENCES,
)  # fmt: skip


@given(match=_MATCHES)
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_matches_and_their_locations_are_written_as_json_dumps_would(
    path: str, match: Match
) -> None:
    writer = _JsonWriter()
    assert writer.match(match) == json.dumps(match.to_dict(), ensure_ascii=False)
    assert writer.location(match.a) == json.dumps(match.a.to_dict(), ensure_ascii=False)


_PARAGRAPH_CHANGES = st.builds(
    ParagraphChange,
    kind=st.sampled_from(KINDS) | _TEXTS,
    a=st.lists(_LOCATIONS, max_size=3).map(tuple),
    b=st.lists(_LOCATIONS, max_size=3).map(tuple),
)
_PASSAGES = st.builds(
    Passage,
    a=_LOCATIONS,
    b=_LOCATIONS,
    similarity=st.floats(allow_nan=False, allow_infinity=False),
    matches=st.lists(_NUMBERS, max_size=4).map(tuple),
    difference=st.none()
    | st.builds(
        PassageDifference,
        words_a=st.integers(0, 2**53),
        words_b=st.integers(0, 2**53),
        common_a=st.integers(0, 2**53),
        common_b=st.integers(0, 2**53),
        changes=st.lists(_PARAGRAPH_CHANGES, max_size=4).map(tuple),
    ),
)
_DOCUMENTS = st.builds(
    Document,
    path=_PATHS,
    paragraphs=_NUMBERS,
    chars=_NUMBERS,
    encoding=st.sampled_from(["utf-8", "cp1252 (guessed)"]) | _TEXTS,
    warning=st.none() | _TEXTS,
)


@given(passage=_PASSAGES, document=_DOCUMENTS)
@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_passages_and_documents_are_written_as_json_dumps_would(
    path: str, passage: Passage, document: Document
) -> None:
    writer = _JsonWriter()
    assert writer.passage(passage) == json.dumps(passage.to_dict(), ensure_ascii=False)
    assert writer.document(document) == json.dumps(document.to_dict(), ensure_ascii=False)


def test_the_compiled_match_writer_refuses_fields_of_other_types() -> None:
    kernel = report_module._report_batch
    if kernel is None:
        pytest.skip("dedupe._report_batch was not built (no C compiler at install)")
    here = Location("a.txt", 0, 10, 1, 1, 0, 0)
    change = Change("reworded", (0, 4), (0, 5), "was", "is")
    match = Match("near", 0.8, here, here, (Span((0, 10), (0, 10)),), 8, False,
                  Difference(10, 10, 8, (change,)))  # fmt: skip
    a = kernel.location_json(here)
    assert kernel.match_json(match, a, a, KINDS) == json.dumps(match.to_dict())
    for bad in [
        dataclasses.replace(match, similarity="0.8"),
        dataclasses.replace(match, matched_words=8.0),
        dataclasses.replace(match, spans=[Span((0, 10), (0, 10))]),
        dataclasses.replace(match, spans=(Span([0, 10], (0, 10)),)),
        dataclasses.replace(match, spans=(Span((0, 1, 2), (0, 10)),)),
        dataclasses.replace(match, kind=None),
        dataclasses.replace(match, difference=Difference(10, 10, True, (change,))),
        dataclasses.replace(match, difference=Difference(10, 10, 8, [change])),
        dataclasses.replace(match, difference=Difference(10, 10, 8, (Change(1, None, None),))),
    ]:
        with pytest.raises(TypeError):
            kernel.match_json(bad, a, a, KINDS)
    with pytest.raises(OverflowError):
        kernel.match_json(dataclasses.replace(match, matched_words=2**63), a, a, KINDS)
    with pytest.raises(TypeError):
        kernel.match_json(match, a, None, KINDS)
    with pytest.raises(TypeError):
        kernel.match_json(match, a, a, list(KINDS))
    with pytest.raises(TypeError):
        kernel.match_json(match, a, a)
    with pytest.raises(AttributeError):
        kernel.location_json(match)
    with pytest.raises(TypeError):
        kernel.location_json(dataclasses.replace(here, start=1.0))
    passage = Passage(here, here, 0.5, (0, 1), None)
    assert kernel.passage_json(passage, a, a, KINDS) == json.dumps(passage.to_dict())
    listed = ParagraphChange("merged", [here], ())  # a list, not a tuple
    for bad_passage in [
        dataclasses.replace(passage, matches=[0, 1]),
        dataclasses.replace(passage, matches=(0, "1")),
        dataclasses.replace(passage, difference=PassageDifference(1, 1, 1, 1, (listed,))),
    ]:
        with pytest.raises(TypeError):
            kernel.passage_json(bad_passage, a, a, KINDS)
    with pytest.raises(TypeError):
        kernel.document_json(Document("a.txt", "3", 10))
