"""How a copy differs: each change class on crafted pairs, then passages."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import dedupe
from dedupe import differ
from dedupe.differ import (
    ADDED,
    DROPPED,
    EXTENDED,
    IDENTICAL,
    MERGED,
    NUMBERS,
    QUOTE,
    REORDERED,
    REWORDED,
    SPLIT,
    TRUNCATED,
    Change,
    Difference,
    RegionParagraph,
    compare,
    compare_passage,
    compare_texts,
    describe,
    describe_passage,
    quoted_spans,
)
from dedupe.normalize import normalize
from dedupe.report import Location, Match

ROOT = Path(__file__).resolve().parent.parent

GAZA = (
    "The UN human rights office said 615 of the deaths were in the vicinity of sites run by "
    "the foundation."
)


def evidence(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


# -- word level ----------------------------------------------------------------


def test_identical_words_ignore_case_and_punctuation() -> None:
    a = "The cat sat on the mat."
    b = "the cat, sat on the MAT"
    d = compare_texts(a, b)
    assert d.kinds == (IDENTICAL,)
    assert (d.coverage_a, d.coverage_b) == (1.0, 1.0)
    assert d.changes == (Change(IDENTICAL, (0, 22), (0, 23)),)
    assert describe(d) == "identical words"


def test_numbers_changed_615_to_183() -> None:
    b = GAZA.replace("615", "183")
    d = compare_texts(GAZA, b)
    assert d.kinds == (NUMBERS,)
    (change,) = d.changes
    assert (change.old, change.new) == ("615", "183")
    assert evidence(GAZA, change.a) == "615" and evidence(b, change.b) == "183"
    assert "numbers changed: 615 → 183" in describe(d)


def test_number_evidence_spans_the_whole_number_as_written() -> None:
    # "10,000" is two words to the matcher ("10", "000"); the change is one number.
    d = compare_texts("The UN said 10,000 people fled.", "The UN said 10,500 people fled.")
    assert [(c.kind, c.old, c.new) for c in d.changes] == [(NUMBERS, "10,000", "10,500")]


def test_number_inside_a_rewording_gives_both_facts() -> None:
    a = "Police said the gunman, who was 34, fled on foot towards the river."
    b = "Police said the gunman, aged 43 and unemployed, fled on foot towards the river."
    d = compare_texts(a, b)
    assert [(c.kind, c.old, c.new) for c in d.changes] == [
        (NUMBERS, "34", "43"),
        (REWORDED, "who was 34", "aged 43 and unemployed"),
    ]


def test_number_dropped_has_no_new_side() -> None:
    a = "Cases at its clinic tripled between 27 May and early July, the charity said."
    b = "Cases at its clinic tripled between May and early July, the charity said."
    (change,) = compare_texts(a, b).changes
    assert (change.kind, change.old, change.new, change.b) == (NUMBERS, "27", "", None)


def test_truncated_tail_says_which_side_lost_its_end() -> None:
    a = (
        "Aid workers said the convoy reached the crossing at dawn, "
        "and that more trucks were expected on Friday."
    )
    b = "Aid workers said the convoy reached the crossing at dawn."
    d = compare_texts(a, b)
    assert d.kinds == (TRUNCATED,)
    (change,) = d.changes
    assert change.where == "after" and change.b is None  # B lost A's end
    assert evidence(a, change.a) == "and that more trucks were expected on Friday"
    assert d.coverage_b == 1.0 and d.coverage_a == pytest.approx(10 / 18)
    assert "B lacks A's last 8 words" in describe(d)


def test_truncated_lead() -> None:
    a = "According to the Russian military, at least 10,000 people have volunteered."
    b = "The Russian military, at least 10,000 people have volunteered."
    (change,) = compare_texts(a, b).changes
    assert (change.kind, change.where, change.old) == (TRUNCATED, "before", "According to")


def test_extended_before() -> None:
    a = "Ten children were killed in an airstrike near a clinic, aid workers said."
    b = "GAZA CITY (Reuters) - " + a
    d = compare_texts(a, b)
    (change,) = d.changes
    assert (change.kind, change.where, change.a) == (EXTENDED, "before", None)
    assert evidence(b, change.b) == "GAZA CITY (Reuters"
    assert d.coverage_a == 1.0 and d.coverage_b < 1.0


def test_extended_after() -> None:
    a = "Ten children were killed in an airstrike near a clinic, aid workers said."
    b = a + " Reporting by Nidal al-Mughrabi; editing by Alex Richardson."
    (change,) = compare_texts(a, b).changes
    assert (change.kind, change.where) == (EXTENDED, "after")
    assert change.new == "Reporting by Nidal al-Mughrabi; editing by Alex Richardson"


def test_reworded_substitution_with_spans_on_both_sides() -> None:
    a = "In response, a GHF spokesperson said the attacks were linked to UN convoys."
    b = "In response, a GHF spokesperson told reporters the attacks were linked to UN convoys."
    d = compare_texts(a, b)
    (change,) = d.changes
    assert (change.kind, change.old, change.new) == (REWORDED, "said", "told reporters")
    assert evidence(a, change.a) == "said" and evidence(b, change.b) == "told reporters"
    assert "reworded: “said” → “told reporters”" in describe(d)


def test_short_deletion_is_a_rewording_long_insertion_is_added() -> None:
    a = "At least 798 people in Gaza have reportedly been killed while receiving aid."
    b = "At least 798 people in Gaza have been killed while receiving aid."
    (change,) = compare_texts(a, b).changes
    assert (change.kind, change.old, change.b) == (REWORDED, "reportedly", None)

    a = "The minister said the plan would cut costs for every family in the region."
    b = (
        "The minister said on Tuesday evening in a long televised address that the plan "
        "would cut costs for every family in the region."
    )
    (change,) = compare_texts(a, b).changes
    assert change.kind == ADDED and change.a is None
    assert change.new == "on Tuesday evening in a long televised address that"
    (change,) = compare_texts(b, a).changes
    assert change.kind == DROPPED and change.b is None


def test_quote_changed_inside_quoted_speech() -> None:
    a = "He said: “We will never surrender our city to them.” Then he left the hall."
    b = "He said: “We will never give up our city to them.” Then he left the hall."
    (change,) = compare_texts(a, b).changes
    assert (change.kind, change.old, change.new) == (QUOTE, "surrender", "give up")


def test_edit_outside_the_quote_is_a_rewording() -> None:
    a = "In response, a spokesperson said: “The most deadly attacks were linked to convoys.”"
    b = a.replace("said", "told Reuters")
    (change,) = compare_texts(a, b).changes
    assert change.kind == REWORDED


def test_pull_quote_misquoted_in_single_quotes() -> None:
    a = "“I feel patriotism for my motherland, that’s why I enlisted,” says Andrey."
    b = "‘I feel patriotism for the motherland’"
    d = compare_texts(a, b)
    assert [(c.kind, c.old, c.new) for c in d.changes] == [
        (QUOTE, "my", "the"),
        (TRUNCATED, "that’s why I enlisted,” says Andrey", ""),
    ]


def test_quoted_spans_skip_apostrophes_and_run_to_the_end_when_open() -> None:
    text = "Israel’s army said ‘no’ and “we will go on"
    spans = quoted_spans(text, base=100)
    assert [text[s - 100 : e - 100] for s, e in spans] == ["‘no’", "“we will go on"]
    assert quoted_spans('He said "fine" twice') == [(8, 14)]


def test_coverage_both_ways_for_a_headline_inside_a_paragraph() -> None:
    a = "Stick to the narrative"
    b = "The minister said that the men must stick to the narrative and never talk about the war"
    d = compare_texts(a, b)
    assert d.coverage_a == 1.0
    assert d.coverage_b == pytest.approx(4 / 17)
    # "the" and "said" occur in B's lead too; the changes are clean extensions.
    assert [(c.kind, c.where) for c in d.changes] == [(EXTENDED, "before"), (EXTENDED, "after")]
    assert describe(d).startswith("B contains 100% of A; A is 24% of B")


def test_document_offsets_when_paragraphs_are_normalized_with_a_base() -> None:
    document = "Headline\n\nPolice said the gunman fled on foot.\n"
    other = "Police said the gunman escaped on foot."
    start = document.index("Police")
    end = document.index(".", start)
    a = normalize(document[start:end], base=start)
    d = compare(a, normalize(other), text_a=document, text_b=other)
    (change,) = d.changes
    assert evidence(document, change.a) == "fled" and evidence(other, change.b) == "escaped"


def test_without_texts_the_evidence_is_the_folded_words() -> None:
    d = compare(normalize("Aid reached GAZA’s north"), normalize("Aid reached Gaza’s south"))
    (change,) = d.changes
    assert (change.old, change.new) == ("north", "south")


def test_to_dict_is_json_with_rounded_floats() -> None:
    d = compare_texts("one two three", "one two three four")
    data = d.to_dict()
    assert data["coverage_b"] == 0.75 and data["coverage_a"] == 1.0
    assert json.loads(json.dumps(data)) == data
    assert data["changes"] == [
        {
            "kind": EXTENDED,
            "where": "after",
            "a": None,
            "b": [14, 18],
            "old": "",
            "new": "four",
        }
    ]
    assert compare_texts("a b c", "a b d e f g").to_dict()["coverage_a"] == 0.6667


def test_percent_never_rounds_a_partial_share_to_all_or_nothing() -> None:
    assert differ.percent(0.996) == "99%"
    assert differ.percent(0.001) == "<1%"
    assert differ.percent(1.0) == "100%" and differ.percent(0.0) == "0%"


# -- passage level -------------------------------------------------------------


def location(paragraph: int, document: int = 0) -> Location:
    line = paragraph + 1
    return Location(
        f"doc{document}", paragraph * 100, paragraph * 100 + 90, line, line, document, paragraph
    )


def member(a: int, b: int, words: int = 10, common: int = 10) -> Match:
    difference = Difference(words, words, common, ())
    return Match("near", 0.9, location(a), location(b, 1), (), common, difference=difference)


def region(paragraphs: range, document: int = 0, words: int = 10) -> list[RegionParagraph]:
    return [RegionParagraph(location(p, document), words) for p in paragraphs]


def test_passage_in_order_has_no_changes() -> None:
    d = compare_passage([member(0, 0), member(1, 1), member(2, 2)])
    assert d.changes == () and (d.coverage_a, d.coverage_b) == (1.0, 1.0)


def test_passage_reordered_names_the_pair_out_of_order() -> None:
    d = compare_passage([member(0, 0), member(1, 2), member(2, 1), member(3, 3)])
    assert d.kinds == (REORDERED,)
    # B order 0, 2, 1, 3: the longest in-order run keeps 0, 1, 3; A 1 -> B 2 moved.
    (change,) = d.changes
    assert ([x.paragraph for x in change.a], [x.paragraph for x in change.b]) == ([1], [2])


def test_passage_merged_and_split() -> None:
    merged = compare_passage([member(0, 0), member(1, 0), member(2, 1)])
    assert [
        (c.kind, [x.paragraph for x in c.a], [x.paragraph for x in c.b]) for c in merged.changes
    ] == [(MERGED, [0, 1], [0])]
    split = compare_passage([member(0, 0), member(0, 1), member(1, 2)])
    assert [
        (c.kind, [x.paragraph for x in c.a], [x.paragraph for x in c.b]) for c in split.changes
    ] == [(SPLIT, [0], [0, 1])]


def test_passage_dropped_and_added_paragraphs_and_coverage() -> None:
    members = [member(0, 0), member(1, 1), member(4, 3)]
    d = compare_passage(members, region_a=region(range(5)), region_b=region(range(4), 1))
    assert [
        (c.kind, [x.paragraph for x in c.a], [x.paragraph for x in c.b]) for c in d.changes
    ] == [
        (ADDED, [], [2]),
        (DROPPED, [2, 3], []),
    ]
    assert (d.words_a, d.words_b) == (50, 40)
    assert d.coverage_a == pytest.approx(30 / 50) and d.coverage_b == pytest.approx(30 / 40)
    assert "2 paragraphs dropped (A lines 3-4)" in describe_passage(d)
    assert "1 paragraph added (B line 3)" in describe_passage(d)


def test_merged_paragraph_counts_its_words_once() -> None:
    # Two A paragraphs of 10 words make one B paragraph of 20: all of B is covered.
    members = [
        Match(
            "contained",
            1.0,
            location(0),
            location(0, 1),
            (),
            10,
            difference=Difference(10, 20, 10, ()),
        ),
        Match(
            "contained",
            1.0,
            location(1),
            location(0, 1),
            (),
            10,
            difference=Difference(10, 20, 10, ()),
        ),
    ]
    d = compare_passage(members)
    assert (d.words_a, d.words_b, d.coverage_a, d.coverage_b) == (20, 20, 1.0, 1.0)


# -- on the seeds --------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds() -> Iterator[dedupe.Report]:
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        yield dedupe.scan("seeds")
    finally:
        os.chdir(previous)


def test_gaza_passage_on_the_seeds(seeds: dedupe.Report) -> None:
    (passage,) = [p for p in seeds.passages if p.a.line_start == 37 and p.b.line_end == 79]
    d = passage.difference
    assert d is not None
    summary = [
        (c.kind, [x.line_start for x in c.a], [x.line_start for x in c.b]) for c in d.changes
    ]
    assert summary == [
        (DROPPED, [41], []),
        (DROPPED, [43, 44, 45, 46, 47], []),
        (REORDERED, [51], [72]),  # the video caption moved
        (MERGED, [52, 53], [68]),  # two paragraphs joined into one
    ]
    assert 0 < d.coverage_a < d.coverage_b < 1


def test_every_seed_match_has_a_difference(seeds: dedupe.Report) -> None:
    for match in seeds.matches:
        assert match.difference is not None
        assert (match.kind == "exact") == (match.difference.kinds == (IDENTICAL,))
        data = match.to_dict()["difference"]
        assert data["kinds"] == list(match.difference.kinds)
    quote = [m for m in seeds.matches if m.a.line_start == 25 and m.b.line_start == 28]
    assert quote and quote[0].difference is not None
    assert QUOTE in quote[0].difference.kinds


def test_word_counts_in_summaries_are_the_matchers_words() -> None:
    a = "Witnesses say forces opened fire towards crowds going to receive aid. <b>alert(1)</b>"
    b = "Witnesses say forces opened fire towards crowds going to receive aid."
    d = compare_texts(a, b)
    assert d.words_a - d.common == 4  # b, alert, 1, b
    assert "B lacks A's last 4 words" in describe(d)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("one two three", "one two three four"),
        ("The office said 615 people died.", "The office said 183 people died."),
        ("He said “we will not leave” today.", "He said “we shall never leave” today."),
        ("Ünïcödé «text» with a \\ backslash", 'Ünïcödé «text» with "quotes" and more'),
        ("Police said the gunman fled", "Police said the gunman fled"),
        ("nothing shared here", "entirely other words"),
    ],
)
def test_to_json_is_json_dumps_of_to_dict(a: str, b: str) -> None:
    d = compare_texts(a, b)
    assert d.to_json() == json.dumps(d.to_dict(), ensure_ascii=False)
    for change in d.changes:
        assert change.to_json() == json.dumps(change.to_dict(), ensure_ascii=False)


def test_identical_says_what_compare_says_of_the_same_words() -> None:
    a, b = "Police said: the gunman FLED.", "police said the gunman fled"
    d = compare_texts(a, b)
    assert differ.identical(5, (0, len(a) - 1), (0, len(b))) == d


def test_passage_to_json_is_json_dumps_of_to_dict() -> None:
    members = [member(0, 0), member(1, 0), member(2, 2), member(4, 1), member(5, 3)]
    d = compare_passage(members, region_a=region(range(7)), region_b=region(range(5), 1))
    assert {c.kind for c in d.changes} >= {MERGED, REORDERED, DROPPED, ADDED}
    assert d.to_json() == json.dumps(d.to_dict(), ensure_ascii=False)
    for change in d.changes:
        assert change.to_json() == json.dumps(change.to_dict(), ensure_ascii=False)
    assert compare_passage(members[:1]).to_json() == json.dumps(
        compare_passage(members[:1]).to_dict()
    )
