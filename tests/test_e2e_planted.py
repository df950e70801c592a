"""End to end on generated corpora whose copies are known."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

import dedupe
from conftest import PlantedCorpus, planted_corpus
from dedupe import api
from dedupe.report import Document


def _found(report: dedupe.Report) -> set[tuple[str, int, str, int]]:
    return {(m.a.path, m.a.paragraph, m.b.path, m.b.paragraph) for m in report.copies}


def _truth(corpus: PlantedCorpus) -> set[tuple[str, int, str, int]]:
    return {(p.a, p.source, p.b, p.copy) for p in corpus.plants}


def test_every_planted_copy_is_found_and_nothing_else(planted: PlantedCorpus) -> None:
    report = dedupe.find_duplicates(planted.texts())
    assert _found(report) == _truth(planted)


def test_planted_kinds_are_reported(planted: PlantedCorpus) -> None:
    report = dedupe.find_duplicates(planted.texts())
    kind_of = {(m.a.path, m.a.paragraph, m.b.path, m.b.paragraph): m.kind for m in report.copies}
    for plant in planted.plants:
        expected = {"light": "near", "reworded": "near"}.get(plant.kind, plant.kind)
        if plant.kind == "truncated":
            expected = "contained"
        assert kind_of[(plant.a, plant.source, plant.b, plant.copy)] == expected, plant


def test_the_reprinted_run_is_one_passage(planted: PlantedCorpus) -> None:
    report = dedupe.find_duplicates(planted.texts())
    assert len(report.passages) == 1
    passage = report.passages[0]
    assert (passage.a.path, passage.b.path) == ("doc000.txt", "doc001.txt")
    assert len(passage.matches) == 4
    assert passage.similarity > 0.85


def test_boilerplate_on_five_pages_is_one_flagged_cluster(planted: PlantedCorpus) -> None:
    report = dedupe.find_duplicates(planted.texts())
    (cluster,) = report.boilerplate
    assert len(cluster.members) == 5
    assert {m.path for m in cluster.members} == {f"doc{d:03d}.txt" for d in range(11, 16)}
    assert all(not c.boilerplate for c in report.clusters if c is not cluster)


def test_scanning_files_equals_scanning_texts(tmp_path: Path, planted: PlantedCorpus) -> None:
    planted.write(tmp_path)
    from_files = dedupe.scan(str(tmp_path))
    from_texts = dedupe.find_duplicates(
        {str(tmp_path / name): text for name, text in planted.texts().items()}
    )
    assert from_files.to_dict()["matches"] == from_texts.to_dict()["matches"]
    assert from_files.to_dict()["passages"] == from_texts.to_dict()["passages"]


def test_worker_processes_do_not_change_the_report(
    tmp_path: Path, planted: PlantedCorpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted.write(tmp_path)
    single = dedupe.scan(str(tmp_path), jobs=1).to_json()
    # Force the process pool even on this small corpus, in small batches.
    monkeypatch.setattr(api, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(api, "_TASK_BYTES", 2000)
    assert dedupe.scan(str(tmp_path), jobs=2).to_json() == single
    # And confirm candidates in forked workers, in small chunks.
    from dedupe import pipeline

    monkeypatch.setattr(pipeline, "_PARALLEL_MIN_CANDIDATES", 0)
    monkeypatch.setattr(pipeline, "_CANDIDATE_CHUNK", 2)
    assert dedupe.scan(str(tmp_path), jobs=2).to_json() == single
    # And compute spans and differences in forked workers, in small chunks.
    monkeypatch.setattr(pipeline, "_PARALLEL_MIN_MATCHES", 0)
    monkeypatch.setattr(pipeline, "_MATCH_CHUNK", 3)
    assert dedupe.scan(str(tmp_path), jobs=2).to_json() == single


def _gap_corpus() -> dict[str, str]:
    """Two files sharing a lightly edited run of paragraphs with, in its
    middle, a short paragraph reworded word for word in turn: too short for
    the rare-word lookup and without a shingle in common, it is found only
    by gap filling, between matches found before it."""
    corpus = PlantedCorpus(seed=3, documents=2, paragraphs=1)
    run = [corpus.paragraph() for _ in range(4)]
    short = corpus.paragraph(9).rstrip(".").split()
    vocabulary = corpus.vocabulary
    reworded = [w if i % 2 == 0 else corpus.rng.choice(vocabulary) for i, w in enumerate(short)]
    a = [corpus.paragraph(), *run[:2], " ".join(short) + ".", *run[2:], corpus.paragraph()]
    edited = [corpus.edit(paragraph, 2) for paragraph in run]
    b = [corpus.paragraph(), *edited[:2], " ".join(reworded) + ".", *edited[2:], corpus.paragraph()]
    return {"a.txt": "\n\n".join(a), "b.txt": "\n\n".join(b)}


def test_gap_matches_join_the_matches_workers_started_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedupe import pipeline

    for name, text in _gap_corpus().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    single = dedupe.scan(str(tmp_path), jobs=1)
    assert single.stats["gap_matches"] == 1
    kinds = [(m.kind, m.a.paragraph, m.b.paragraph) for m in single.matches]
    assert kinds == [("near", p, p) for p in range(1, 6)]
    # The gap's match is a cluster of its own and a part of the one passage.
    members = [[(m.path, m.paragraph) for m in c.members] for c in single.clusters]
    assert [(str(tmp_path / "a.txt"), 3), (str(tmp_path / "b.txt"), 3)] in members
    (passage,) = single.passages
    assert passage.matches == (0, 1, 2, 3, 4)
    # Workers start on the confirmed matches before gap filling; the gap's
    # match is computed here and slotted between theirs.
    monkeypatch.setattr(pipeline, "_PARALLEL_MIN_MATCHES", 0)
    monkeypatch.setattr(pipeline, "_MATCH_CHUNK", 1)
    assert dedupe.scan(str(tmp_path), jobs=2).to_json() == single.to_json()


def test_parts_in_order_passes_over_a_replaced_match(monkeypatch: pytest.MonkeyPatch) -> None:
    from dedupe import align, pipeline

    def pair(a: int, b: int, similarity: float) -> pipeline.Pair:
        return pipeline.Pair(a, b, align.Alignment(align.NEAR, similarity, ((0, 5, 0, 5),), 5))

    started = [pair(0, 1, 0.6), pair(2, 3, 0.6), pair(4, 5, 0.6)]
    stronger, found = pair(2, 3, 0.9), pair(3, 4, 0.7)
    final = [started[0], stronger, found, started[2]]
    computed: list[pipeline.Pair] = []

    def match_parts(pair: pipeline.Pair, text: object) -> str:
        computed.append(pair)
        return f"here {pair.a}-{pair.b}"

    monkeypatch.setattr(pipeline, "_match_parts", match_parts)
    drained: list[str] = []

    def parts() -> Iterator[str]:
        for number in range(len(started)):
            drained.append(f"started {number}")
            yield f"started {number}"

    got = list(pipeline._parts_in_order(final, started, parts(), text=None))  # type: ignore[arg-type]
    assert got == ["started 0", "here 2-3", "here 3-4", "started 2"]
    assert computed == [stronger, found]
    assert drained == ["started 0", "started 1", "started 2"]


def test_packed_matches_unpack_to_the_serial_matches(
    planted: PlantedCorpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dedupe import pipeline

    monkeypatch.setattr(pipeline, "_PARALLEL_MIN_MATCHES", 0)
    monkeypatch.setattr(pipeline, "_MATCH_CHUNK", 4)
    report = dedupe.find_duplicates(planted.texts())
    serial = [m.to_dict() for m in report.matches]
    texts = list(planted.texts().values())
    settings = dedupe.Settings()
    corpus = pipeline.Corpus(settings)
    for number, sketch in enumerate(pipeline.sketch_documents(texts, settings)):
        name = list(planted.texts())[number]
        corpus.add(Document(name, sketch.paragraphs, len(texts[number])), sketch)
    frozen = corpus.freeze()
    text = pipeline.ParagraphText(frozen, texts.__getitem__)
    pairs = pipeline.confirm(frozen, pipeline.find_candidates(frozen).pairs, text)

    def in_chunks(
        final: list[pipeline.Pair], chunks: list[list[int]]
    ) -> Iterator[list[pipeline.PackedMatch]]:
        fresh = pipeline.ParagraphText(frozen, texts.__getitem__)
        return iter([pipeline.pack_matches(fresh, [final[i] for i in chunk]) for chunk in chunks])

    mapped = pipeline.build_report(frozen, pairs, text, stats={}, map_matches=in_chunks)
    assert [m.to_dict() for m in mapped.matches] == serial
    assert {m.kind for m in mapped.matches} >= {"exact", "near", "contained"}


def test_a_line_repeated_many_times_stays_linear() -> None:
    corpus = planted_corpus()
    line = "Follow our live coverage of the summit on every platform today"
    texts = {f"page{i:04d}": f"{corpus.paragraph()}\n\n{line}\n" for i in range(600)}
    report = dedupe.find_duplicates(texts, max_bucket=64)
    (cluster,) = report.boilerplate
    assert len(cluster.members) == 600
    # Linked as a chain: one match per extra copy, not 600 * 599 / 2.
    assert len([m for m in report.matches if m.boilerplate]) == 599


def test_iterable_of_texts_gets_positional_ids() -> None:
    corpus = planted_corpus()
    paragraph = corpus.paragraph(40)
    report = dedupe.find_duplicates([paragraph, corpus.paragraph(), paragraph])
    assert [(m.a.path, m.b.path, m.kind) for m in report.matches] == [("0", "2", "exact")]


def test_sketches_store_and_reload_to_the_same_report(
    tmp_path: Path, planted: PlantedCorpus
) -> None:
    from dedupe import pipeline
    from dedupe.report import Document
    from dedupe.settings import Settings

    settings = Settings()
    texts = planted.texts()
    corpus = pipeline.Corpus(settings)
    for number, (name, text) in enumerate(texts.items()):
        stored = tmp_path / f"{number}.npz"
        pipeline.sketch_document(text, settings).save(stored)
        sketch = pipeline.DocumentSketch.load(stored)
        corpus.add(Document(name, sketch.paragraphs, len(text)), sketch)
    frozen = corpus.freeze()
    bodies = list(texts.values())
    text = pipeline.ParagraphText(frozen, bodies.__getitem__)
    candidates = pipeline.find_candidates(frozen)
    pairs = pipeline.confirm(frozen, candidates.pairs, text)
    reloaded = pipeline.build_report(frozen, pairs, text, stats={})
    direct = dedupe.find_duplicates(texts)
    assert [m.to_dict() for m in reloaded.matches] == [m.to_dict() for m in direct.matches]


def test_short_copies_count_in_context_and_chance_fragments_do_not() -> None:
    corpus = planted_corpus()
    names = sorted(corpus.docs)
    docs = corpus.docs
    # Chance: five words of a short paragraph also occur in an unrelated
    # paragraph of another document, as common phrases do in a big corpus.
    fragment = corpus.paragraph(5)
    docs[names[16]][3] = fragment
    long = f"{corpus.paragraph(30)[:-1]} {fragment[:-1].lower()} {corpus.paragraph(20)}"
    docs[names[17]][5] = long
    # A wire story cut short: the first paragraph whole, the second cut to a
    # five-word sentence, which on its own would be as weak as the fragment.
    corpus.plant("exact", names[18], 1, names[19], 1, docs[names[18]][1])
    head = " ".join(docs[names[18]][2].split()[:5]).rstrip(".") + "."
    corpus.plant("truncated", names[18], 2, names[19], 2, head)
    # A pull quote: five words of a paragraph printed again in its document.
    quote = " ".join(docs[names[20]][4].split()[10:15]).capitalize()
    corpus.plant("contained", names[20], 4, names[20], 9, quote)
    report = dedupe.find_duplicates(corpus.texts())
    assert _found(report) == _truth(corpus)
    chance = (names[16], 3, names[17], 5)
    assert chance in _found(dedupe.find_duplicates(corpus.texts(), contained_context_words=0))


def test_paragraph_edges_are_the_normalized_span(planted: PlantedCorpus) -> None:
    from dedupe import pipeline
    from dedupe.settings import Settings

    odd = "“Ünïcödé” ﬁnal — Ⅻ ＦＵＬＬ words’ end.\n\n'quoted' _x_ 10,000\n\n‼ ⑴ mid ‼!\n\n_"
    texts = [*planted.texts().values(), odd]
    # Every paragraph with a word is matchable, so every one has edges.
    settings = Settings(min_words=1)
    corpus = pipeline.Corpus(settings)
    for number, sketch in enumerate(pipeline.sketch_documents(texts, settings)):
        corpus.add(Document(str(number), sketch.paragraphs, len(texts[number])), sketch)
    frozen = corpus.freeze()
    full = pipeline.ParagraphText(frozen, texts.__getitem__)
    # The edges the sketches keep (exact copies' spans are made of them).
    edges = zip(frozen.first_word_starts.tolist(), frozen.last_word_ends.tolist(), strict=True)
    checked = 0
    for pid, kept in enumerate(edges):
        norm = full.normalized(pid)
        if len(norm):
            assert kept == norm.original_span(0, len(norm)), pid
            checked += 1
    assert checked > 100


def test_the_report_stage_lets_go_of_cached_words(planted: PlantedCorpus) -> None:
    from dedupe import pipeline

    texts = list(planted.texts().values())
    settings = dedupe.Settings()
    corpus = pipeline.Corpus(settings)
    for number, sketch in enumerate(pipeline.sketch_documents(texts, settings)):
        corpus.add(Document(str(number), sketch.paragraphs, len(texts[number])), sketch)
    frozen = corpus.freeze()
    text = pipeline.ParagraphText(frozen, texts.__getitem__)
    pairs = pipeline.confirm(frozen, pipeline.find_candidates(frozen).pairs, text)
    report = pipeline.build_report(frozen, pairs, text, stats={})
    assert any(m.kind != "exact" for m in report.matches)
    # Each paragraph's words were dropped after the last match that used them.
    assert text._normalized == {}


def test_progress_counts_every_file_byte_and_paragraph(
    tmp_path: Path, planted: PlantedCorpus
) -> None:
    for number, text in enumerate(planted.texts().values()):
        (tmp_path / f"{number:03}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    calls: list[tuple[int, int, int, int, int]] = []
    report = dedupe.scan(tmp_path, jobs=1, progress=lambda *call: calls.append(call))
    files = len(planted.texts()) + 1
    total = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert calls[-1] == (files, files, total, total, sum(d.paragraphs for d in report.documents))
    assert all(a[0] <= b[0] and a[2] <= b[2] and a[4] <= b[4] for a, b in itertools.pairwise(calls))
