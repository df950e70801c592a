"""Tests for the candidate stage of dedupe.pipeline: the rare-word lookup for
short paragraphs reworded beyond what word 3-grams can see."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe import pipeline
from dedupe.shingle import shingle_hashes

# Two BBC News team sheets of one side: with and without the clubs. They share
# no word 3-gram, so neither LSH nor the containment lookup can propose them.
WITH_CLUBS = (
    "A Titterrell (Sale Sharks), D Bell (Bath), S Borthwick (Bath), A Hazell (Gloucester), "
    "M Dawson (Wasps), A Goode (Leicester), O Smith (Leicester)."
)
BARE = "A Titterrell, D Bell, S Borthwick, A Hazell, M Dawson, A Goode, O Smith."
STORY = (
    "The Welsh Rugby Union said on Monday that ticket prices for the autumn internationals "
    "would rise by five pounds, blaming the cost of the new roof."
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "ça", "x y", "é", "1"]), max_size=8)))
def test_word_hash_sets_are_the_one_word_shingle_sets(paragraphs: list[list[str]]) -> None:
    got = pipeline.word_hash_sets(iter(paragraphs))
    assert len(got) == len(paragraphs)
    for found, words in zip(got, paragraphs, strict=True):
        assert found.dtype == np.uint32
        assert np.array_equal(found, shingle_hashes(words, size=1))


def test_word_hash_sets_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # A word first seen in a later batch keeps one id: the sets equal the
    # one-batch answer.
    paragraphs = [[f"w{i % 4}", f"v{i}", "common"] for i in range(10)] + [[]]
    whole = pipeline.word_hash_sets(paragraphs)
    monkeypatch.setattr(pipeline, "_WORD_BATCH", 3)
    batched = pipeline.word_hash_sets(iter(paragraphs))
    assert len(batched) == len(whole) == 11
    for got, words, expected in zip(batched, paragraphs, whole, strict=True):
        assert np.array_equal(got, expected)
        assert np.array_equal(got, shingle_hashes(words, size=1))


def test_a_reworded_team_sheet_is_reported() -> None:
    texts = {"with": f"{STORY}\n\n{WITH_CLUBS}", "bare": BARE}
    report = dedupe.find_duplicates(texts)
    pairs = {(m.a.path, m.b.path, m.kind) for m in report.matches}
    assert pairs == {("with", "bare", "contained")}
    assert report.stats["reworded_candidates"] == 1
    assert report.stats["lsh_candidates"] == report.stats["containment_candidates"] == 0


@pytest.mark.parametrize("limit", [0, 13])
def test_reworded_max_words_bounds_the_lookup(limit: int) -> None:
    # The bare sheet has 14 words: a limit below that leaves it unseen.
    report = dedupe.find_duplicates({"with": WITH_CLUBS, "bare": BARE}, reworded_max_words=limit)
    assert report.matches == ()
    assert report.stats["reworded_candidates"] == 0


def test_rewording_alone_does_not_make_a_copy() -> None:
    # The lookup proposes candidates only: the word-level confirmation still
    # decides. These line-ups share half their rare words (Dice 0.5), but
    # only 6 of 14 + 12 words line up: 2 * 6 / 26 = 0.46 < 0.5.
    other = "A Titterrell, D Bell, S Borthwick, K Jones, L Brown, P White."
    report = dedupe.find_duplicates({"a": BARE, "b": other})
    assert report.stats["reworded_candidates"] == 1
    assert report.matches == ()


def test_lines_under_ten_words_are_left_to_the_shingle_stages() -> None:
    # Two reporters of one desk: 3 of 5 words in common would pass the 0.5
    # bar, but a shared form is not a copy.
    bylines = {"a": "By Rory Carter, Economics editor", "b": "By Maya Murray, Economics editor"}
    report = dedupe.find_duplicates(bylines)
    assert report.stats["reworded_candidates"] == 0
    assert report.matches == ()
