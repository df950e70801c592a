"""Tests for the candidate stage of dedupe.pipeline: the rare-word lookup for
short paragraphs reworded beyond what word 3-grams can see."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe import pipeline, shingle
from dedupe.normalize import words
from dedupe.shingle import distinct_sets, word_hashes, word_sets

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
@given(st.lists(st.lists(st.sampled_from(["a", "b", "ça", "é", "1", "rugby"]), max_size=8)))
def test_word_sets_are_each_paragraphs_distinct_word_hashes(
    paragraphs: list[list[str]],
) -> None:
    values, counts = word_sets(paragraphs)
    assert values.dtype == np.uint32
    assert counts.tolist() == [len(set(p)) for p in paragraphs]
    hash_of = {w: int(h) for w, h in zip(*_words_and_hashes(paragraphs), strict=True)}
    offsets = np.concatenate(([0], np.cumsum(counts)))
    for i, paragraph in enumerate(paragraphs):
        expected = sorted({hash_of[w] for w in paragraph})
        assert values[offsets[i] : offsets[i + 1]].tolist() == expected


def _words_and_hashes(paragraphs: list[list[str]]) -> tuple[list[str], list[int]]:
    values, _ = word_hashes(paragraphs)
    return [w for p in paragraphs for w in p], values.tolist()


# Words hold no white space.
_ANY_WORD = st.text(min_size=1, max_size=90).map(lambda w: "".join(w.split()) or "x")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(_ANY_WORD)))
def test_equal_words_and_only_equal_words_share_a_hash(paragraphs: list[list[str]]) -> None:
    words_in_order, hashes = _words_and_hashes(paragraphs)
    # Words of every length take every path (8-byte chunks, the one-by-one
    # path past 64 bytes); a collision among these few would be a bug.
    assert len({(w, h) for w, h in zip(words_in_order, hashes, strict=True)}) == len(
        set(words_in_order)
    ) == len(set(hashes))


def test_sequence_keys_depend_on_order_and_length() -> None:
    words_in_order = ["a", "b", "a", "b", "b", "a", "a", "b", "a", "b", "a", "b"]
    keys, _ = word_hashes([words_in_order])
    buffer, starts, ends, _ = shingle._joined([words_in_order])
    word_keys = shingle.word_keys(buffer, starts, ends)
    # [a b] [a b] [b a] [a b a] [b a b]: the first two equal, the rest not.
    sequences = shingle.sequence_keys(word_keys, np.array([2, 2, 2, 3, 3]))
    assert sequences[0] == sequences[1]
    assert len(set(sequences.tolist())) == 4
    assert 0 not in sequences.tolist()
    assert shingle.sequence_keys(word_keys[:0], np.array([0])).tolist() != [0]
    assert np.array_equal(shingle.fold32(word_keys), keys)


def test_sketches_hold_the_word_hashes_of_matchable_paragraphs() -> None:
    settings = dedupe.Settings()
    text = f"{STORY}\n\n{BARE}\n\ntoo short\n\n{BARE}"
    sketch = pipeline.sketch_document(text, settings)
    expected = [word_hashes([words(part)])[0] for part in (STORY, BARE, BARE)]
    assert np.array_equal(sketch.word_hashes, np.concatenate(expected))
    frozen = pipeline.Corpus(settings)
    frozen.add(dedupe.report.Document("d", sketch.paragraphs, len(text)), sketch)
    corpus = frozen.freeze()
    assert np.array_equal(corpus.word_sequence(3), expected[2])
    with pytest.raises(ValueError, match="too short"):
        corpus.word_sequence(2)


def test_word_hashes_are_in_order_with_repeats() -> None:
    values, counts = word_hashes([["b", "a", "b"], [], ["a"]])
    assert counts.tolist() == [3, 0, 1]
    b, a = word_hashes([["b", "a"]])[0].tolist()
    assert values.tolist() == [b, a, b, a]
    assert distinct_sets(values, counts)[1].tolist() == [2, 0, 1]


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
