"""Tests for dedupe.segment: paragraphs, their exact offsets and their line numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from dedupe import segment as segment_module
from dedupe.segment import Paragraph, segment, segment_bounds

# Every line boundary str.splitlines() knows.
BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
SPACES = [" ", "\t", "\xa0", "\u3000", "\x1f", "\u2003"]


def texts(text: str, paragraphs: list[Paragraph]) -> list[str]:
    return [text[p.start : p.end] for p in paragraphs]


def lines_of(text: str, paragraphs: list[Paragraph]) -> list[tuple[int, int]]:
    return [(p.line_start, p.line_end) for p in paragraphs]


def breaks_before(text: str, offset: int) -> int:
    """Number of line breaks in ``text[:offset]``, as str.splitlines counts them."""
    pieces = text[:offset].splitlines(keepends=True)
    return sum(1 for piece in pieces if piece.splitlines()[0] != piece)


# --------------------------------------------------------------------------- examples


def test_blank_lines_separate_paragraphs() -> None:
    text = "Title\n\nOne.\nTwo.\n\n\n  Three, indented.  \n"
    paragraphs = segment(text)
    assert texts(text, paragraphs) == ["Title", "One.\nTwo.", "Three, indented."]
    assert lines_of(text, paragraphs) == [(1, 1), (3, 4), (7, 7)]


def test_whitespace_only_line_counts_as_blank() -> None:
    text = "First block\nstill first\n \t \nSecond block"
    assert texts(text, segment(text)) == ["First block\nstill first", "Second block"]


def test_no_blank_line_gives_one_paragraph_per_line() -> None:
    text = "Headline here\nFirst paragraph.\n   Second paragraph.\nThird."
    paragraphs = segment(text)
    assert texts(text, paragraphs) == [
        "Headline here",
        "First paragraph.",
        "Second paragraph.",
        "Third.",
    ]
    assert lines_of(text, paragraphs) == [(1, 1), (2, 2), (3, 3), (4, 4)]


@pytest.mark.parametrize("before", ["", "\n", "\n\n  \n", "  \r\n\r\n"])
@pytest.mark.parametrize("after", ["", "\n", "\n\n\n", " \n\t\n"])
def test_outer_blank_lines_do_not_change_the_mode(before: str, after: str) -> None:
    text = before + "Line one\nLine two\nLine three" + after
    assert texts(text, segment(text)) == ["Line one", "Line two", "Line three"]
    offset = len(before.splitlines()) if before else 0
    assert lines_of(text, segment(text)) == [(offset + i, offset + i) for i in (1, 2, 3)]


def test_outer_blank_lines_keep_block_mode() -> None:
    text = "\n\nA one\nA two\n\nB one\n\n"
    assert texts(text, segment(text)) == ["A one\nA two", "B one"]
    assert lines_of(text, segment(text)) == [(3, 4), (6, 6)]


def test_hard_wrapped_prose_stays_one_paragraph() -> None:
    wrapped = "\n".join(["word " * 14 + "end"] * 5)  # 73-character lines
    text = wrapped + "\n\nNext paragraph."
    paragraphs = segment(text, wrap_width=100)
    assert texts(text, paragraphs) == [wrapped, "Next paragraph."]
    assert lines_of(text, paragraphs) == [(1, 5), (7, 7)]


def test_long_line_before_the_last_splits_the_block() -> None:
    headline = "A headline"
    body = "x" * 150
    credit = "Photo: Someone"
    text = f"{headline}\n{body}\n{credit}\n\nOther"
    paragraphs = segment(text, wrap_width=100)
    assert texts(text, paragraphs) == [headline, body, credit, "Other"]
    assert lines_of(text, paragraphs) == [(1, 1), (2, 2), (3, 3), (5, 5)]


def test_long_last_line_alone_does_not_split() -> None:
    text = "Short one\nShort two\n" + "y" * 300 + "\n\nOther"
    paragraphs = segment(text, wrap_width=100)
    assert len(paragraphs) == 2
    assert (paragraphs[0].line_start, paragraphs[0].line_end) == (1, 3)


@pytest.mark.parametrize(("width", "split"), [(40, False), (39, True)])
def test_wrap_width_is_a_strict_limit(width: int, split: bool) -> None:
    line = "z" * 40
    text = f"{line}\nlast\n\nother"
    assert len(segment(text, wrap_width=width)) == (3 if split else 2)


def test_wrap_width_measures_stripped_lines() -> None:
    # Indentation and trailing spaces are not part of a line's length.
    text = " " * 80 + "a" * 30 + " " * 80 + "\nb\n\nc"
    assert texts(text, segment(text, wrap_width=50)) == ["a" * 30 + " " * 80 + "\nb", "c"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", " \r\n\t\u2028\x85 "])
def test_empty_or_blank_document_has_no_paragraphs(text: str) -> None:
    assert segment(text) == []


LF_DOC = "Title line\n\nFirst para line one\nline two\n\n\nSecond para\n"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\x85", "\u2028", "\u2029", "\x0c"])
def test_other_line_endings_match_lf(newline: str) -> None:
    expected = segment(LF_DOC)
    text = LF_DOC.replace("\n", newline)
    paragraphs = segment(text)
    assert lines_of(text, paragraphs) == lines_of(LF_DOC, expected)
    assert [t.replace(newline, "\n") for t in texts(text, paragraphs)] == texts(LF_DOC, expected)


def test_mixed_line_endings_match_lf() -> None:
    lf_lines = LF_DOC.split("\n")
    endings = ["\r\n", "\n", "\r", "\x85", "\u2028", "\r\n", "\n", "\r"]
    mixed = "".join(line + endings[i] for i, line in enumerate(lf_lines[:-1])) + lf_lines[-1]
    expected = segment(LF_DOC)
    paragraphs = segment(mixed)
    assert lines_of(mixed, paragraphs) == lines_of(LF_DOC, expected)
    assert [" ".join(t.split()) for t in texts(mixed, paragraphs)] == [
        " ".join(t.split()) for t in texts(LF_DOC, expected)
    ]


def test_crlf_is_one_line_break_but_lf_cr_is_two() -> None:
    # "\r\n" is one break; "\n\r" is two, so it makes a blank line.
    assert lines_of("a\r\nb", segment("a\r\nb")) == [(1, 1), (2, 2)]
    text = "a\n\rb"
    assert lines_of(text, segment(text)) == [(1, 1), (3, 3)]


def test_line_numbers_follow_splitlines_not_just_lf() -> None:
    # grep counts only "\n"; Python (and the report) count every splitlines break.
    text = "one\x0btwo\n\nthree\u2028four"
    paragraphs = segment(text)
    assert texts(text, paragraphs) == ["one\x0btwo", "three\u2028four"]
    assert lines_of(text, paragraphs) == [(1, 2), (4, 5)]


# --------------------------------------------------------------------------- properties

line_texts = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="ab \t", max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
)
documents = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(
            line_texts,
            st.sampled_from(BREAKS),
            st.sampled_from(SPACES),
            st.sampled_from(["\n\n", "\r\n\r\n", " \n ", "word", "Word word.", "x" * 30]),
        ),
        max_size=40,
    ).map("".join),
)


def oracle_lines(text: str, wrap_width: int) -> list[tuple[int, int]]:
    """Paragraph line ranges computed from str.splitlines() alone."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)]
    content = [number for number, line in lines if line]
    if not content:
        return []
    inner = lines[content[0] - 1 : content[-1]]
    if all(line for _, line in inner):
        return [(number, number) for number, _ in inner]
    result: list[tuple[int, int]] = []
    block: list[tuple[int, str]] = []
    for number, line in [*inner, (0, "")]:
        if line:
            block.append((number, line))
            continue
        if not block:
            continue
        if len(block) > 1 and max(len(line) for _, line in block[:-1]) > wrap_width:
            result.extend((number, number) for number, _ in block)
        else:
            result.append((block[0][0], block[-1][0]))
        block = []
    return result


@settings(max_examples=150, deadline=None)
@given(documents, st.integers(min_value=1, max_value=40))
def test_paragraph_offsets_properties(text: str, wrap_width: int) -> None:
    paragraphs = segment(text, wrap_width=wrap_width)
    previous_end = 0
    previous_line = 0
    for p in paragraphs:
        assert 0 <= p.start < p.end <= len(text)
        assert p.start >= previous_end  # in order, not overlapping
        chunk = text[p.start : p.end]
        assert chunk == chunk.strip()
        assert p.line_start <= p.line_end
        assert p.line_start > previous_line  # paragraphs never share a line
        # Line numbers are 1 + the line breaks before the paragraph (splitlines breaks).
        assert p.line_start == breaks_before(text, p.start) + 1
        assert p.line_end == breaks_before(text, p.end) + 1
        assert p.line_end - p.line_start == len(chunk.splitlines()) - 1
        # No blank line inside a paragraph.
        assert all(line.strip() for line in chunk.splitlines())
        # First and last line agree with the document's own lines.
        doc_lines = text.splitlines()
        assert chunk.splitlines()[0].strip() == doc_lines[p.line_start - 1].strip()
        assert chunk.splitlines()[-1].strip() == doc_lines[p.line_end - 1].strip()
        previous_end, previous_line = p.end, p.line_end


@settings(max_examples=150, deadline=None)
@given(documents)
def test_every_non_space_character_is_in_a_paragraph(text: str) -> None:
    covered = [False] * len(text)
    for p in segment(text):
        for i in range(p.start, p.end):
            covered[i] = True
    for i, char in enumerate(text):
        if not char.isspace():
            assert covered[i], (i, char)


@settings(max_examples=150, deadline=None)
@given(documents, st.integers(min_value=1, max_value=40))
def test_line_ranges_agree_with_a_splitlines_oracle(text: str, wrap_width: int) -> None:
    assert lines_of(text, segment(text, wrap_width=wrap_width)) == oracle_lines(text, wrap_width)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="abc .", max_size=10), min_size=1, max_size=12),
    st.lists(st.sampled_from(BREAKS), min_size=12, max_size=12),
)
def test_any_line_break_gives_the_same_paragraphs_as_lf(
    lines: list[str], newlines: list[str]
) -> None:
    lf = "\n".join(lines)
    other = "".join(line + newlines[i] for i, line in enumerate(lines[:-1])) + lines[-1]
    assume(other.splitlines() == lf.splitlines())  # "\r" + "" + "\n" would be one CRLF
    expected = segment(lf)
    got = segment(other)
    assert lines_of(other, got) == lines_of(lf, expected)
    assert [t.splitlines() for t in texts(other, got)] == [
        t.splitlines() for t in texts(lf, expected)
    ]


# --------------------------------------------------------------------------- max_chars


def test_long_paragraph_is_cut_at_white_space() -> None:
    words = [f"word{i:03d}" for i in range(300)]
    text = "Intro\n\n" + " ".join(words) + "\n\nOutro"
    paragraphs = segment(text, max_chars=100)
    pieces = texts(text, paragraphs)
    assert pieces[0] == "Intro" and pieces[-1] == "Outro"
    assert all(len(piece) <= 100 for piece in pieces)
    assert " ".join(pieces[1:-1]).split() == words  # no word is cut
    assert all((p.line_start, p.line_end) == (3, 3) for p in paragraphs[1:-1])
    assert (paragraphs[-1].line_start, paragraphs[-1].line_end) == (5, 5)


def test_long_wrapped_paragraph_pieces_keep_their_line_numbers() -> None:
    lines = [f"line {i:02d} of a hard wrapped paragraph" for i in range(40)]
    text = "\n".join(lines) + "\n\nLast"
    paragraphs = segment(text, max_chars=150)
    assert len(paragraphs) > 2
    document_lines = text.splitlines()
    for p in paragraphs:
        assert p.end - p.start <= 150
        chunk = text[p.start : p.end]
        assert chunk.splitlines()[0] in document_lines[p.line_start - 1]
        assert chunk.splitlines()[-1] in document_lines[p.line_end - 1]
    assert " ".join(texts(text, paragraphs)).split() == " ".join([*lines, "Last"]).split()


def test_paragraph_without_white_space_is_cut_hard() -> None:
    text = "x" * 250
    assert [(p.start, p.end) for p in segment(text, max_chars=100)] == [
        (0, 100),
        (100, 200),
        (200, 250),
    ]


def test_cut_pieces_of_a_crlf_paragraph_keep_their_line_numbers() -> None:
    text = "aaaa bbbb\r\ncccc dddd\r\neeee ffff\r\n\r\nnext"
    paragraphs = segment(text, max_chars=12)
    assert texts(text, paragraphs) == ["aaaa bbbb", "cccc dddd", "eeee ffff", "next"]
    assert lines_of(text, paragraphs) == [(1, 1), (2, 2), (3, 3), (5, 5)]


@settings(max_examples=300, deadline=None)
@given(documents, st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=30))
@example("a\r\nb\r\nc\n\nd", 100, 2)
def test_cut_pieces_keep_the_paragraph_properties(
    text: str, wrap_width: int, max_chars: int
) -> None:
    paragraphs = segment(text, wrap_width=wrap_width, max_chars=max_chars)
    previous_end = 0
    for p in paragraphs:
        assert 0 <= p.start < p.end <= len(text)
        assert p.end - p.start <= max_chars
        assert p.start >= previous_end
        chunk = text[p.start : p.end]
        assert chunk == chunk.strip()
        assert p.line_start == breaks_before(text, p.start) + 1
        assert p.line_end == breaks_before(text, p.end) + 1
        previous_end = p.end
    # Cutting loses no text: every non-space character is in a piece.
    covered = {i for p in paragraphs for i in range(p.start, p.end)}
    assert all(i in covered for i, char in enumerate(text) if not char.isspace())


# --------------------------------------------------------------------------- compiled


@pytest.fixture
def python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment_module, "_segment_batch", None)


compiled_only = pytest.mark.skipif(
    not segment_module.COMPILED, reason="dedupe._segment_batch was not built"
)


@compiled_only
@settings(max_examples=500, deadline=None)
@given(documents, st.integers(min_value=-1, max_value=40))
@example("a\r\n\r\nb\r", 1)
@example(" \u2028x\x85\x85y\u3000\n", 0)
@example("\n\n\n", 3)
@example("one line, no break", 5)
def test_compiled_bounds_equal_the_python_rules(text: str, wrap_width: int) -> None:
    packed = segment_module._segment_batch.paragraph_bounds(text, wrap_width)
    compiled = np.frombuffer(packed, dtype=np.int64).reshape(-1, 4).tolist()
    python = [
        [p.start, p.end, p.line_start, p.line_end]
        for p in segment_module._segment(text, wrap_width)
    ]
    assert compiled == python


@pytest.mark.usefixtures("python_only")
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(documents, st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=30))
def test_python_path_gives_the_same_paragraphs(text: str, wrap_width: int, max_chars: int) -> None:
    # Run with the compiled module set aside: segment() and segment_bounds()
    # agree with each other and with the line oracle there too.
    got = segment(text, wrap_width=wrap_width, max_chars=max_chars)
    bounds = segment_bounds(text, wrap_width=wrap_width, max_chars=max_chars)
    assert bounds.dtype == np.int64 and bounds.shape == (len(got), 4)
    assert bounds.tolist() == [[p.start, p.end, p.line_start, p.line_end] for p in got]
    if max_chars >= len(text):
        assert lines_of(text, got) == oracle_lines(text, wrap_width)
