"""Invariants of a whole scan, over generated corpora (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.differ import Change, Difference
from dedupe.normalize import words

_WORDS = st.sampled_from(
    [
        "gaza",
        "aid",
        "convoy",
        "office",
        "figures",
        "killed",
        "people",
        "weeks",
        "sources",
        "hospitals",
        "families",
        "said",
        "military",
        "sites",
        "distribution",
        "centres",
        "southern",
        "strip",
        "media",
        "guarded",
        "private",
        "security",
        "Ünïcödé",
        "naïve",
        "café",
        "798",
        "615",
        "183",
        "—",
        "“quoted”",
        "‘single’",
        "don’t",
        "Israel‘s",
    ]
)
_NOISE = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
_PARAGRAPH = st.lists(_WORDS, min_size=1, max_size=30).map(" ".join)


@st.composite
def corpora(draw: st.DrawFn) -> dict[str, str]:
    """Documents drawn from a small pool of paragraphs, so copies are common,
    with edits, noise and assorted line endings."""
    pool = draw(st.lists(_PARAGRAPH, min_size=1, max_size=6))
    documents = {}
    for number in range(draw(st.integers(1, 4))):
        paragraphs = []
        for _ in range(draw(st.integers(0, 6))):
            text = draw(st.sampled_from(pool))
            if draw(st.booleans()):
                text = text + " " + draw(_NOISE)
            paragraphs.append(text)
        separator = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n", "\r\r", "\x85\x85"]))
        documents[f"d{number}.txt"] = separator.join(paragraphs)
    return documents


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(corpora())
def test_locations_and_spans_stay_inside_their_paragraphs(texts: dict[str, str]) -> None:
    report = dedupe.find_duplicates(texts)
    for match in report.matches:
        for side, spans in (
            (match.a, [s.a for s in match.spans]),
            (match.b, [s.b for s in match.spans]),
        ):
            text = texts[side.path]
            assert 0 <= side.start < side.end <= len(text)
            assert text[side.start : side.end] == text[side.start : side.end].strip()
            previous = side.start
            for start, end in spans:
                assert previous <= start < end <= side.end
                previous = end
        for span in match.spans:
            piece_a = words(texts[match.a.path][span.a[0] : span.a[1]])
            piece_b = words(texts[match.b.path][span.b[0] : span.b[1]])
            assert piece_a and piece_b
            assert set(piece_a) & set(piece_b)


@_SETTINGS
@given(corpora())
def test_scans_are_deterministic(texts: dict[str, str]) -> None:
    assert dedupe.find_duplicates(texts).to_json() == dedupe.find_duplicates(dict(texts)).to_json()


@_SETTINGS
@given(corpora())
def test_each_pair_is_reported_once_in_corpus_order(texts: dict[str, str]) -> None:
    report = dedupe.find_duplicates(texts)
    keys = [(m.a.document, m.a.paragraph, m.b.document, m.b.paragraph) for m in report.matches]
    assert len(keys) == len(set(keys))
    assert all((ad, ap) < (bd, bp) for ad, ap, bd, bp in keys)
    assert keys == sorted(keys)


@_SETTINGS
@given(corpora())
def test_document_order_does_not_change_what_is_found(texts: dict[str, str]) -> None:
    def found(report: dedupe.Report) -> set[frozenset[tuple[str, int, int]]]:
        return {
            frozenset({(m.a.path, m.a.start, m.a.end), (m.b.path, m.b.start, m.b.end)})
            for m in report.matches
        }

    forward = dedupe.find_duplicates(texts)
    backward = dedupe.find_duplicates(dict(reversed(list(texts.items()))))
    assert found(forward) == found(backward)


@_SETTINGS
@given(corpora())
def test_clusters_partition_the_matched_paragraphs(texts: dict[str, str]) -> None:
    report = dedupe.find_duplicates(texts)
    members = [(m.path, m.start) for c in report.clusters for m in c.members]
    assert len(members) == len(set(members))
    matched = {(loc.path, loc.start) for m in report.matches for loc in (m.a, m.b)}
    assert set(members) == matched


@_SETTINGS
@given(corpora())
def test_json_chunks_are_json_dumps_of_to_dict(texts: dict[str, str]) -> None:
    # Exact copies are written from columns, the rest by hand: both must
    # stay what json.dumps makes of the objects.
    report = dedupe.find_duplicates(texts)
    expected = json.dumps(report.to_dict(), ensure_ascii=False) + "\n"
    assert "".join(report.json_chunks()) == expected


@_SETTINGS
@given(corpora())
def test_an_exact_match_spans_the_same_words_on_both_sides(texts: dict[str, str]) -> None:
    report = dedupe.find_duplicates(texts)
    for match in (m for m in report.matches if m.kind == "exact"):
        (span,) = match.spans
        seen_a = words(texts[match.a.path][span.a[0] : span.a[1]])
        seen_b = words(texts[match.b.path][span.b[0] : span.b[1]])
        assert seen_a == seen_b == words(texts[match.a.path][match.a.start : match.a.end])
        assert match.similarity == 1.0 and match.matched_words == len(seen_a)
        assert match.difference == Difference(
            len(seen_a), len(seen_a), len(seen_a), (Change("identical", span.a, span.b),)
        )
