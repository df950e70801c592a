"""Tests for dedupe.pipeline.drop_lone_short_contained: a few words contained
in a paragraph of another document count only where context makes chance
unlikely (see its docstring for the reasoning)."""

from __future__ import annotations

import dedupe
from conftest import PlantedCorpus

ITEM = "Stick to the narrative"  # 4 words: below the default bar of 7


def _texts(*documents: list[str]) -> dict[str, str]:
    return {f"doc{i}.txt": "\n\n".join(paragraphs) + "\n" for i, paragraphs in enumerate(documents)}


def _kinds(report: dedupe.Report) -> set[tuple[str, int, str, int, str]]:
    return {(m.a.path, m.a.paragraph, m.b.path, m.b.paragraph, m.kind) for m in report.copies}


def _around(corpus: PlantedCorpus, item: str) -> str:
    """A long paragraph of unrelated words with ``item`` in its middle."""
    return f"{corpus.paragraph(30)[:-1]} {item.lower()} {corpus.paragraph(20)}"


def test_short_item_in_another_document_alone_is_dropped() -> None:
    corpus = PlantedCorpus()
    texts = _texts([corpus.paragraph(), _around(corpus, ITEM)], [corpus.paragraph(), ITEM])
    assert dedupe.find_duplicates(texts).matches == ()
    # The rule is what removes it: without it the item is contained.
    found = _kinds(dedupe.find_duplicates(texts, contained_context_words=0))
    assert found == {("doc0.txt", 1, "doc1.txt", 1, "contained")}


def test_short_item_within_one_document_is_kept() -> None:
    corpus = PlantedCorpus()
    texts = _texts([ITEM, corpus.paragraph(), _around(corpus, ITEM), corpus.paragraph()])
    assert _kinds(dedupe.find_duplicates(texts)) == {("doc0.txt", 0, "doc0.txt", 2, "contained")}


def test_short_item_beside_a_copy_of_the_same_documents_is_kept() -> None:
    corpus = PlantedCorpus()
    shared = corpus.paragraph(40)
    texts = _texts(
        [corpus.paragraph(), shared, _around(corpus, ITEM)],
        [corpus.paragraph(), corpus.paragraph(), shared, ITEM],
    )
    assert _kinds(dedupe.find_duplicates(texts)) == {
        ("doc0.txt", 1, "doc1.txt", 2, "exact"),
        ("doc0.txt", 2, "doc1.txt", 3, "contained"),
    }


def test_a_copy_too_far_away_is_no_context() -> None:
    corpus = PlantedCorpus()
    shared = corpus.paragraph(40)
    between = [corpus.paragraph() for _ in range(8)]  # more than max_gap=6
    texts = _texts(
        [shared, *between, _around(corpus, ITEM)],
        [shared, ITEM],
    )
    assert _kinds(dedupe.find_duplicates(texts)) == {("doc0.txt", 0, "doc1.txt", 0, "exact")}
    kept = _kinds(dedupe.find_duplicates(texts, max_gap=8))
    assert ("doc0.txt", 9, "doc1.txt", 1, "contained") in kept


def test_a_short_neighbour_is_no_context() -> None:
    # Two pages by one reporter share a byline: as weak as the item itself.
    corpus = PlantedCorpus()
    byline = "By Anna Holt, Politics desk"
    texts = _texts(
        [byline, _around(corpus, ITEM), corpus.paragraph()],
        [byline, ITEM, corpus.paragraph()],
    )
    assert _kinds(dedupe.find_duplicates(texts)) == {("doc0.txt", 0, "doc1.txt", 0, "exact")}


def test_longer_item_needs_no_context() -> None:
    corpus = PlantedCorpus()
    item = "If I have to I will go to jail"  # 9 words
    texts = _texts([corpus.paragraph(), _around(corpus, item)], [corpus.paragraph(), item])
    assert _kinds(dedupe.find_duplicates(texts)) == {("doc0.txt", 1, "doc1.txt", 1, "contained")}
    # Raising the bar above its matched words asks for context again.
    assert dedupe.find_duplicates(texts, contained_context_words=10).matches == ()
