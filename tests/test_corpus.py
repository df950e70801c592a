"""Tests for dedupe.pipeline.Corpus: gathering sketches into flat arrays."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import PlantedCorpus
from dedupe import pipeline
from dedupe.report import Document
from dedupe.settings import Settings

FIELDS = ("starts", "ends", "line_starts", "line_ends", "word_counts", "keys",
          "shingle_values", "signatures", "shingle_offsets", "doc_first", "doc_of")  # fmt: skip


def frozen_of(texts: list[str], settings: Settings) -> pipeline.FrozenCorpus:
    corpus = pipeline.Corpus(settings)
    for number, sketch in enumerate(pipeline.sketch_documents(texts, settings)):
        corpus.add(Document(f"d{number}", sketch.paragraphs, len(texts[number])), sketch)
    return corpus.freeze()


def test_merging_in_batches_gives_the_same_arrays(
    monkeypatch: pytest.MonkeyPatch, planted: PlantedCorpus
) -> None:
    texts = list(planted.texts().values())
    texts[3:3] = ["", "   \n\n", "one two three four five six"]
    settings = Settings()
    whole = frozen_of(texts, settings)
    monkeypatch.setattr(pipeline, "_MERGE_DOCUMENTS", 2)
    merged = frozen_of(texts, settings)
    monkeypatch.setattr(pipeline, "_MERGE_PARAGRAPHS", 1)
    one_by_one = frozen_of(texts, settings)
    for name in FIELDS:
        assert np.array_equal(getattr(whole, name), getattr(merged, name)), name
        assert np.array_equal(getattr(whole, name), getattr(one_by_one, name)), name
    assert np.array_equal(whole.representatives, merged.representatives)
    assert whole.repeats == merged.repeats
    assert len(merged) == int(merged.doc_first[-1]) == sum(d.paragraphs for d in merged.documents)


def test_freeze_hands_the_sketches_over() -> None:
    settings = Settings()
    corpus = pipeline.Corpus(settings)
    sketch = pipeline.sketch_document("alpha beta gamma delta\n\nepsilon zeta eta theta", settings)
    corpus.add(Document("a", sketch.paragraphs, 40), sketch)
    frozen = corpus.freeze()
    assert len(frozen) == 2 and frozen.signatures.shape == (2, settings.num_perm)
    empty = corpus.freeze()
    assert len(empty) == 0 and empty.signatures.shape == (0, settings.num_perm)


def test_a_document_must_agree_with_its_sketch() -> None:
    settings = Settings()
    corpus = pipeline.Corpus(settings)
    sketch = pipeline.sketch_document("one paragraph of words here", settings)
    with pytest.raises(ValueError, match="has 3 paragraphs, its sketch 1"):
        corpus.add(Document("a", 3, 10), sketch)


def test_a_large_document_sketched_in_pieces_equals_it_sketched_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings()
    text = "\n\n".join(
        f"Paragraph {i} repeats some words, and {i % 7} of them vary." for i in range(500)
    )
    whole = pipeline.sketch_documents([text, "a short one, four words"], settings)
    monkeypatch.setattr(pipeline, "_SKETCH_CHARS", 2000)
    pieces = pipeline.sketch_documents([text, "a short one, four words"], settings)
    for one, other in zip(whole, pieces, strict=True):
        for name in pipeline._SKETCH_FIELDS:
            assert np.array_equal(getattr(one, name), getattr(other, name)), name


def test_a_batch_of_documents_is_sketched_as_each_alone(planted: PlantedCorpus) -> None:
    # The batch shares its hashing and cuts its arrays into documents at the
    # end: empty documents, ones with nothing matchable and paragraphs
    # repeated across documents must each get exactly their own sketch.
    texts = list(planted.texts().values())[:40]
    texts[5:5] = ["", "   \n\n", "short\n\nlines only", texts[2], "one two three four five six"]
    settings = Settings()
    batch = pipeline.sketch_documents(texts, settings)
    assert len(batch) == len(texts)
    for text, sketch in zip(texts, batch, strict=True):
        alone = pipeline.sketch_document(text, settings)
        for name in pipeline._SKETCH_FIELDS:
            one, other = getattr(sketch, name), getattr(alone, name)
            assert one.dtype == other.dtype and np.array_equal(one, other), name
    assert batch[5].paragraphs == 0 and len(batch[7].signatures) == 0
    assert batch[7].paragraphs == 2


def test_documents_added_together_equal_documents_added_one_by_one(
    planted: PlantedCorpus,
) -> None:
    texts = list(planted.texts().values())[:30]
    texts[4:4] = ["", "short\n\nlines only"]
    settings = Settings()
    one_by_one = frozen_of(texts, settings)
    together = pipeline.Corpus(settings)
    sketch, counts = pipeline.sketch_together(texts, settings)
    together.add_many([Document(f"d{i}", n, len(texts[i])) for i, n in enumerate(counts)], sketch)
    frozen = together.freeze()
    for name in FIELDS:
        assert np.array_equal(getattr(one_by_one, name), getattr(frozen, name)), name
    rejoined = pipeline.DocumentSketch.concatenate(sketch.split(counts))
    for name in pipeline._SKETCH_FIELDS:
        assert np.array_equal(getattr(rejoined, name), getattr(sketch, name)), name


def test_a_sketch_splits_only_into_its_own_paragraph_count() -> None:
    settings = Settings()
    sketch, counts = pipeline.sketch_together(["one two three four\n\nfive six seven eight"] * 2,
                                              settings)  # fmt: skip
    assert counts == [2, 2]
    with pytest.raises(ValueError, match="5 paragraphs asked for, the sketch has 4"):
        sketch.split([2, 3])
    corpus = pipeline.Corpus(settings)
    with pytest.raises(ValueError, match="2 documents have 3 paragraphs, their sketch 4"):
        corpus.add_many([Document("a", 2, 10), Document("b", 1, 10)], sketch)


@pytest.mark.parametrize("overlap_limit", [0, 1_000_000])
def test_candidates_are_the_same_with_threads_or_without(
    monkeypatch: pytest.MonkeyPatch, planted: PlantedCorpus, overlap_limit: int
) -> None:
    # jobs > 1 overlaps LSH with the postings lookups below a corpus size
    # and runs them in turn above it; neither may change a candidate.
    frozen = frozen_of(list(planted.texts().values()), Settings())
    serial = pipeline.find_candidates(frozen, jobs=1)
    monkeypatch.setattr(pipeline, "_OVERLAP_MAX_REPRESENTATIVES", overlap_limit)
    threaded = pipeline.find_candidates(frozen, jobs=2)
    assert np.array_equal(serial.pairs, threaded.pairs) and len(serial.pairs) > 0
    assert (serial.lsh, serial.contained, serial.reworded) == (
        threaded.lsh, threaded.contained, threaded.reworded
    )


def test_confirmation_finds_the_same_pairs_with_the_compiled_filter_or_without(
    monkeypatch: pytest.MonkeyPatch, planted: PlantedCorpus
) -> None:
    # may_align drops candidates align() would reject; without the kernel
    # every candidate is aligned. Either way the same pairs come out.
    from dedupe import align as align_stage

    texts = list(planted.texts().values())
    frozen = frozen_of(texts, Settings())
    text = pipeline.ParagraphText(frozen, texts.__getitem__)
    found = pipeline.find_candidates(frozen).pairs
    # And pairs of unrelated paragraphs, as LSH proposes by the thousand.
    reps = frozen.representatives
    unrelated = np.stack((reps[:20], reps[-20:]), axis=1)
    candidates = np.unique(np.concatenate((found, unrelated)), axis=0)
    rows = frozen.row_of[candidates]

    def kept() -> np.ndarray:
        return align_stage.may_align(
            frozen.word_hashes, frozen.word_offsets, rows[:, 0], rows[:, 1]
        )

    if align_stage.COMPILED:
        assert 0 < kept().sum() < len(candidates)
    filtered = pipeline.confirm(frozen, candidates, text)
    monkeypatch.setattr(align_stage, "_align_batch", None)
    assert kept().all()
    unfiltered = pipeline.confirm(frozen, candidates, text)
    assert filtered == unfiltered and len(filtered) > 0


@pytest.mark.parametrize("shape", [(), (3,)])
def test_a_growing_array_holds_what_was_appended(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(5)
    parts = [rng.integers(0, 99, size=(n, *shape)) for n in (0, 1, 7, 0, 40, 3, 200)]
    growing = pipeline._GrowingArray()
    for part in parts:
        growing.append(part)
    whole = growing.take()
    assert whole is not None
    assert np.array_equal(whole, np.concatenate(parts)) and whole.shape[1:] == shape
    assert growing.take() is None
    parts[2][0] = -1  # the array holds copies, not the parts
    assert not np.array_equal(whole, np.concatenate(parts))
