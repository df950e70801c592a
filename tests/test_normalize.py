"""Tests for dedupe.normalize: folded words and the way back to original offsets."""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dedupe import normalize as normalize_module
from dedupe.normalize import WORD, fold, fold_paragraphs, normalize, word_edges, words

# `path` (conftest): each test that asks for it runs with the compiled words
# of marked text and with the numpy ones.
KERNEL = (normalize_module, "_normalize_batch")
# The fixture's patch holds for every example of a test.
UNDER_FIXTURE = [HealthCheck.function_scoped_fixture]

# Characters that stress folding: apostrophes, combining marks, ligatures,
# fullwidth and mathematical letters, characters NFKC expands into several
# words or into punctuation, special casings, Hangul jamo, digits of other scripts.
TRICKY = (
    "'’‘`ʼ\"“”-–—‐…,.;:!?()[]/\\ \t\n\xa0\u2009\u3000\u200b"
    "\u0301\u0308\u0327\u093f\u094d\u0e31\u302a"
    "ﬁﬂﬃﬆ"
    "ＡＢＣａｂｃ１２３"
    "𝐇𝐞𝐥𝐨ℌℍℕ"
    "ﷺ⑴⒜½¼²ʰ㎏㍻ⅻⅫ"
    "İıßẞΣσςΐǅǰŉ"
    "ᄀ\u1161\u11a8가"
    "٣۳߃३৩"
    "aeiouAEIOU0129_"
)
tricky_text = st.text(alphabet=TRICKY, max_size=40)
any_text = st.one_of(
    st.text(max_size=60), tricky_text, st.text(alphabet=TRICKY + "xyz", max_size=80)
)


def is_sublist(part: list[str], whole: list[str]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


# --------------------------------------------------------------------------- folding


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello WORLD", ["hello", "world"]),
        ("ＦＵＬＬ ｗｉｄｔｈ", ["full", "width"]),
        ("ﬁnal ﬂow", ["final", "flow"]),
        ("Straße", ["strasse"]),
        ("don't", ["dont"]),
        ("Israel’s", ["israels"]),
        ("rock‘n‘roll", ["rocknroll"]),
        ("it`s", ["its"]),
        ("Don’t  PANIC,” it said.", ["dont", "panic", "it", "said"]),
        ("well—known – state-of-the-art", ["well", "known", "state", "of", "the", "art"]),
        ("‘quoted’ 'single' \"double\"", ["quoted", "single", "double"]),
        ("a\t\tb\n\n  c\u3000d", ["a", "b", "c", "d"]),
        ("...!!! ??? --- ", []),
        ("", []),
        ("caf\u00e9 cafe\u0301", ["café", "café"]),  # NFKC composes the combining accent
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # combining marks stay inside the word
        ("ﷺ", ["صلى", "الله", "عليه", "وسلم"]),  # one character, four words
        ("'tis ’twas", ["tis", "twas"]),  # a leading apostrophe is not inside a word
        ("3.14 1,000", ["3", "14", "1", "000"]),
    ],
)
def test_words_fold_case_width_ligatures_apostrophes_and_drop_punctuation(
    text: str, expected: list[str]
) -> None:
    assert words(text) == expected
    assert list(normalize(text).words) == expected


def test_normalized_text_joins_words_with_single_spaces() -> None:
    n = normalize("  “Don’t  PANIC,”\n\tit   said.  ")
    assert n.text == "dont panic it said"
    assert len(n) == 4


def test_fold_is_casefold_plus_nfkc_without_apostrophes() -> None:
    assert fold("ÉCOLE") == "école"
    assert fold("ＡＢＣ") == "abc"
    assert fold("O’Brien") == "obrien"
    assert fold("plain ascii") == "plain ascii"


def test_mathematical_and_letterlike_capitals_fold_to_lower_case() -> None:
    assert words("𝐇𝐞𝐥𝐥𝐨 ℌello ℍotel") == ["hello", "hello", "hotel"]
    assert fold(fold("𝐇")) == fold("𝐇")  # folding is idempotent


def test_folded_words_hold_no_punctuation() -> None:
    # NFKC turns some word characters into punctuation: "⑴" -> "(1)", "½" -> "1⁄2".
    assert words("⑴ first ½") == words("(1) first 1/2") == ["1", "first", "1", "2"]
    assert list(normalize("⑴ first ½").words) == ["1", "first", "1", "2"]


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_folded_words_are_made_of_word_characters(text: str) -> None:
    for word in words(text):
        assert all(
            char.isalnum() or char == "_" or unicodedata.category(char)[0] == "M" for char in word
        ), word


# ------------------------------------------------------------ fast path == offset path


@settings(max_examples=200, deadline=None)
@given(any_text)
@example("𝐇𝐞𝐥𝐥𝐨 ﬁnal ⑴ ﷺ İstanbul don’t")
@example("e\u0301'\u0301x ᄀ ᅡ ㍻")
@example("it''s a’’b x’ ’y")
def test_fast_path_and_offset_path_give_the_same_words(text: str) -> None:
    assert words(text) == list(normalize(text).words)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
@example("Don't 'quote' rock`n`roll __init__ O'Neil's 4'11\" A_b-C.d\x0b\x1fe")
def test_ascii_fast_path_is_the_word_pattern_after_dropping_apostrophes(text: str) -> None:
    assert words(text) == WORD.findall(text.lower().replace("'", "").replace("`", ""))
    offsets = normalize(text)
    assert len(offsets.starts) == len(offsets.ends) == len(offsets.words)


@settings(max_examples=200, deadline=None)
@given(any_text, st.integers(min_value=0, max_value=10_000))
def test_every_word_maps_back_to_its_original_characters(text: str, base: int) -> None:
    n = normalize(text, base=base)
    assert len(n.words) == len(n.starts) == len(n.ends)
    previous_start = base
    for word, start, end in zip(n.words, n.starts, n.ends, strict=True):
        assert word  # no empty words
        assert word == word.strip() and " " not in word
        assert base <= start < end <= base + len(text)
        assert start >= previous_start  # in document order
        original = text[start - base : end - base]
        assert word in fold(original)
        # A word starts and ends on a word character, never on space or punctuation.
        assert original[0].isalnum() or original[0] == "_"
        previous_start = start


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_original_span_of_a_range_covers_its_words(text: str) -> None:
    n = normalize(text)
    for first in range(len(n)):
        for last in range(first + 1, len(n) + 1):
            start, end = n.original_span(first, last)
            assert (start, end) == (n.starts[first], n.ends[last - 1])
            assert start < end
            # Re-reading the original range gives those words back (plus, at
            # most, the other pieces of a raw word NFKC split into several).
            assert is_sublist(list(n.words[first:last]), words(text[start:end]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["alpha", "Beta", "GAMMA", "don't", "ﬁve", "x"]), max_size=12))
def test_words_joined_by_punctuation_and_space_are_recovered(parts: list[str]) -> None:
    text = " — ".join(parts) + "."
    n = normalize(text)
    assert list(n.words) == [fold(p) for p in parts]
    for i, part in enumerate(parts):
        assert text[n.starts[i] : n.ends[i]] == part


# --------------------------------------------------------------------------- offsets API


def test_original_span_maps_word_ranges_to_original_offsets() -> None:
    text = "“Don’t  PANIC,” it said."
    n = normalize(text)
    assert n.original_span(0, 2) == (1, 13)
    assert text[slice(*n.original_span(0, 2))] == "Don’t  PANIC"
    assert text[slice(*n.original_span(2, 4))] == "it said"
    assert text[slice(*n.original_span(0, 4))] == "Don’t  PANIC,” it said"


def test_base_shifts_every_offset() -> None:
    plain = normalize("one, two")
    shifted = normalize("one, two", base=100)
    assert shifted.words == plain.words
    assert shifted.starts == (100, 105)
    assert shifted.ends == (103, 108)
    assert shifted.original_span(0, 2) == (100, 108)


def test_word_split_by_nfkc_keeps_the_raw_word_span() -> None:
    text = "x ﷺ y"
    n = normalize(text)
    assert n.words[1:5] == ("صلى", "الله", "عليه", "وسلم")
    assert all((n.starts[i], n.ends[i]) == (2, 3) for i in range(1, 5))


@pytest.mark.parametrize(("first", "last"), [(0, 0), (2, 2), (-1, 1), (0, 4), (3, 2), (1, 0)])
def test_original_span_rejects_ranges_outside_the_words(first: int, last: int) -> None:
    n = normalize("one two three")
    with pytest.raises(IndexError):
        n.original_span(first, last)


def test_original_span_of_empty_text_always_fails() -> None:
    with pytest.raises(IndexError):
        normalize("...").original_span(0, 1)


def test_word_at_maps_normalized_offsets_to_word_indices() -> None:
    n = normalize("Hello, wide  world")
    assert n.text == "hello wide world"
    expected = [0] * 6 + [1] * 5 + [2] * 5  # a space belongs to the word before it
    assert [n.word_at(i) for i in range(len(n.text))] == expected


@pytest.mark.parametrize("offset", [-1, 16, 100])
def test_word_at_rejects_offsets_outside_the_normalized_text(offset: int) -> None:
    n = normalize("Hello, wide  world")
    with pytest.raises(IndexError):
        n.word_at(offset)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_word_at_agrees_with_the_normalized_text(text: str) -> None:
    n = normalize(text)
    for offset, char in enumerate(n.text):
        index = n.word_at(offset)
        position = sum(len(w) + 1 for w in n.words[:index])
        assert position <= offset <= position + len(n.words[index])
        if char != " ":
            assert n.text[position : position + len(n.words[index])] == n.words[index]


def test_nfkc_composition_is_applied_to_words() -> None:
    decomposed = unicodedata.normalize("NFD", "Ångström café")
    assert words(decomposed) == words("Ångström café") == ["ångström", "café"]


@settings(max_examples=300, deadline=None)
@given(any_text)
@example("‼ ⑴ mid ‼!")
@example("“Ünïcödé” ﬁnal — Ⅻ ＦＵＬＬ words’ end.")
def test_word_edges_are_the_span_of_all_words(text: str) -> None:
    n = normalize(text)
    assert word_edges(text) == (n.original_span(0, len(n)) if len(n) else None)


# English news is ASCII but for typographic punctuation, which takes the
# ASCII paths after a one-for-one replacement: they must agree with the
# offset-keeping path character for character.
news_text = st.text(alphabet=st.sampled_from("aZ9_ '`.,-\n’‘“”–—…\xa0£€"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(news_text)
@example("“Don’t” – ’tis £5m… it’’s ‘x’")
@example("’’ “” —")
def test_typographic_punctuation_takes_the_ascii_paths_unchanged(text: str) -> None:
    n = normalize(text)
    assert words(text) == list(n.words)
    assert word_edges(text) == (n.original_span(0, len(n)) if len(n) else None)


@settings(max_examples=300, deadline=None, suppress_health_check=UNDER_FIXTURE)
@given(st.lists(st.tuples(st.one_of(news_text, any_text), st.data()), max_size=4))
@example([("“Don’t” – ’tis\n\ncafé’s £5m", None), ("", None)])
@example([("it's a cut-off word", (0, 9, 19))])
@example([("ab'", (0, 3)), ("'", (0, 1)), ("cd", (0, 2))])
def test_folded_paragraphs_hold_the_words_and_edges_of_each_slice(
    path: str, documents: list[tuple[str, st.DataObject | tuple[int, ...] | None]]
) -> None:
    # Pieces that can be are marked whole and folded by array operations;
    # each slice must still get exactly what words() and word_edges() give
    # it alone, in one buffer where its words are joined by single spaces,
    # even where one slice ends in mid-word and the next starts there.
    pieces = []
    for text, data in documents:
        if data is None:
            cuts = [0, min(14, len(text)), min(16, len(text)), len(text)]
        elif isinstance(data, tuple):
            cuts = list(data)
        else:
            cut = st.integers(min_value=0, max_value=len(text))
            cuts = sorted(data.draw(st.lists(cut, max_size=8)))
        pieces.append((text, list(itertools.pairwise(cuts))))
    folded = fold_paragraphs(pieces)
    slices = [text[a:b] for text, bounds in pieces for a, b in bounds]
    assert folded.word_counts.tolist() == [len(words(piece)) for piece in slices]
    joined = folded.buffer.decode("utf-8")
    assert joined == "".join(w + " " for piece in slices for w in words(piece))
    bounds = zip(folded.word_starts.tolist(), folded.word_ends.tolist(), strict=True)
    found = [folded.buffer[a:b].decode("utf-8") for a, b in bounds]
    assert found == [w for piece in slices for w in words(piece)]
    starts = [a for _, bounds in pieces for a, _ in bounds]
    expected_edges = [
        (0, 0) if (edges := word_edges(piece)) is None else (start + edges[0], start + edges[1])
        for start, piece in zip(starts, slices, strict=True)
    ]
    found_edges = list(zip(folded.first_word_starts.tolist(), folded.last_word_ends.tolist(),
                           strict=True))  # fmt: skip
    assert found_edges == expected_edges


@settings(max_examples=300, deadline=None)
@given(st.one_of(news_text, st.text(alphabet=st.characters(max_codepoint=127), max_size=80)),
       st.integers(min_value=0, max_value=1_000))  # fmt: skip
@example("'tis the dogs' don''t `x` ’’ ‘quoted’ it’s", 7)
def test_offsets_of_ascii_and_typographic_text_are_the_word_pattern_matches(
    text: str, base: int
) -> None:
    # Such text is normalized from its marked bytes, without the regular
    # expression: every span must still be exactly a WORD match.
    n = normalize(text, base=base)
    matches = list(WORD.finditer(text))
    assert list(zip(n.starts, n.ends, strict=True)) == [
        (base + m.start(), base + m.end()) for m in matches
    ]
    assert list(n.words) == [
        m.group().lower().translate(str.maketrans("", "", "'`’‘")) for m in matches
    ]


# Letters, spaces, both apostrophes and the bytes of "é" (as non-ASCII
# paragraphs' folded words come).
_MARKED_BYTES = st.lists(st.sampled_from(list(b"ab '`\xc3\xa9")), max_size=60).map(bytes)


@settings(max_examples=300, deadline=None)
@given(_MARKED_BYTES, st.data())
@example(b"ab'cd", None)
@example(b"'' ab`` c", None)
def test_the_compiled_words_of_marked_text_equal_the_numpy_ones(
    marked: bytes, data: st.DataObject | None
) -> None:
    if normalize_module._normalize_batch is None:
        pytest.skip("dedupe._normalize_batch was not built (no C compiler at install)")
    if data is None:
        cuts = [0, 2, 2, 3]
    else:
        inner = st.lists(st.integers(min_value=0, max_value=len(marked)), max_size=6)
        cuts = [0, *sorted(data.draw(inner))]
    starts = np.array(cuts, dtype=np.int64)
    shifts = np.arange(len(cuts), dtype=np.int64) * 7
    args = (np.frombuffer(marked, dtype=np.uint8), starts, shifts, {})
    compiled = normalize_module._fold_marked(*args, paragraphs=len(cuts))
    saved = normalize_module._normalize_batch
    try:
        normalize_module._normalize_batch = None
        reference = normalize_module._fold_marked(*args, paragraphs=len(cuts))
    finally:
        normalize_module._normalize_batch = saved
    assert compiled.buffer == reference.buffer
    for name in ("word_starts", "word_ends", "word_counts", "first_word_starts", "last_word_ends"):
        assert getattr(compiled, name).tolist() == getattr(reference, name).tolist(), name


@pytest.mark.parametrize(
    ("starts", "message"),
    [([1, 2], "begin at 0"), ([0, 3, 2], "begin at 0 and rise"), ([0, 9], "inside the marked")],
)
def test_the_compiled_words_refuse_paragraphs_outside_the_text(
    starts: list[int], message: str
) -> None:
    kernel = normalize_module._normalize_batch
    if kernel is None:
        pytest.skip("dedupe._normalize_batch was not built (no C compiler at install)")
    shifts, counts, firsts, lasts = (np.zeros(len(starts), dtype=np.int64) for _ in range(4))
    word_starts, word_ends = np.zeros(8, dtype=np.int64), np.zeros(8, dtype=np.int64)
    with pytest.raises(ValueError, match=message):
        kernel.fold_marked_into(b"ab cd", np.array(starts, dtype=np.int64), shifts,
                                word_starts, word_ends, counts, firsts, lasts)  # fmt: skip


def test_the_compiled_words_refuse_arrays_too_small() -> None:
    kernel = normalize_module._normalize_batch
    if kernel is None:
        pytest.skip("dedupe._normalize_batch was not built (no C compiler at install)")
    one = np.zeros(1, dtype=np.int64)
    with pytest.raises(ValueError, match="too small"):
        kernel.fold_marked_into(b"a b c d", one, one, np.zeros(2, dtype=np.int64),
                                np.zeros(2, dtype=np.int64), one, one, one)  # fmt: skip
    with pytest.raises(ValueError, match="shifts must be an int64 array of 1"):
        kernel.fold_marked_into(b"a", one, np.zeros(2, dtype=np.int64), one, one, one, one, one)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(b"ab1_ '`")), max_size=60).map(bytes), st.integers(0, 99))
@example(b"''tis the dogs' don''t `x` '' a'b'", 5)
def test_the_compiled_offsets_of_marked_text_equal_the_python_ones(
    marked: bytes, base: int
) -> None:
    kernel = normalize_module._normalize_batch
    if kernel is None:
        pytest.skip("dedupe._normalize_batch was not built (no C compiler at install)")
    saved = normalize_module._normalize_batch
    try:
        normalize_module._normalize_batch = None
        reference = normalize_module._marked_normalized(marked, base)
    finally:
        normalize_module._normalize_batch = saved
    assert normalize_module._marked_normalized(marked, base) == reference


def test_the_compiled_offsets_refuse_text_that_is_not_marked() -> None:
    kernel = normalize_module._normalize_batch
    if kernel is None:
        pytest.skip("dedupe._normalize_batch was not built (no C compiler at install)")
    with pytest.raises(ValueError, match="must be ASCII"):
        kernel.marked_words("café".encode(), 0)
