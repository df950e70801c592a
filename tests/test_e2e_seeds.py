"""End to end on the seed documents: what a reader of these five pages would
call copies, and nothing else."""

from __future__ import annotations

import json

import dedupe
from dedupe.normalize import words

GAZA = "seeds/000_0ca4ebad92ee63ed.txt"
MOBILISATION = "seeds/003_dc1485344ad45eb0.txt"
VOTE = "seeds/004_3b22578681327961.txt"


def _pairs(report: dedupe.Report) -> set[tuple[str, int, str, int]]:
    return {(m.a.path, m.a.line_start, m.b.path, m.b.line_start) for m in report.copies}


def test_the_repeated_gaza_block_is_one_passage(seeds_report: dedupe.Report) -> None:
    gaza = [p for p in seeds_report.passages if p.a.path == GAZA]
    assert len(gaza) == 1
    passage = gaza[0]
    assert (passage.a.line_start, passage.a.line_end) == (37, 61)
    assert (passage.b.line_start, passage.b.line_end) == (62, 79)
    assert len(passage.matches) >= 14
    members = [seeds_report.matches[i] for i in passage.matches]
    assert all(passage.a.start <= m.a.start and m.a.end <= passage.a.end for m in members)
    assert all(passage.b.start <= m.b.start and m.b.end <= passage.b.end for m in members)
    assert not any(m.boilerplate for m in members)
    # The reworded lede and the merged paragraph are inside, with their kinds.
    kinds = {(m.a.line_start, m.b.line_start): m.kind for m in members}
    assert kinds[(37, 62)] == "near"
    assert kinds[(52, 68)] == kinds[(53, 68)] == "contained"
    assert kinds[(54, 69)] == "exact"


def test_the_video_player_line_is_boilerplate_apart_from_copy(seeds_report: dedupe.Report) -> None:
    clusters = seeds_report.boilerplate
    assert len(clusters) == 1
    lines = [m.line_start for m in clusters[0].members]
    assert lines == [14, 26, 49, 70, 95]
    text = seeds_report.text(clusters[0].members[0].document)
    first = clusters[0].members[0]
    assert text[first.start : first.end] == (
        "Please use Chrome browser for a more accessible video player"
    )
    flagged = [m for m in seeds_report.matches if m.boilerplate]
    assert len(flagged) == 10  # all pairs of five
    assert all(m.a.line_start in lines and m.b.line_start in lines for m in flagged)
    assert not any(
        i for p in seeds_report.passages for i in p.matches if seeds_report.matches[i].boilerplate
    )


def test_no_copy_across_the_five_different_stories(seeds_report: dedupe.Report) -> None:
    assert seeds_report.matches
    assert all(m.a.path == m.b.path for m in seeds_report.matches)


def test_the_other_copies_hidden_in_the_seeds_are_found(seeds_report: dedupe.Report) -> None:
    found = _pairs(seeds_report)
    expected = {
        # The headline repeated inside the credit line at the bottom.
        (MOBILISATION, 1, MOBILISATION, 75),
        # Photo captions printed twice, once shortened.
        (MOBILISATION, 15, MOBILISATION, 16),
        (MOBILISATION, 36, MOBILISATION, 37),
        # Pull quotes that repeat a sentence of the story.
        (GAZA, 6, GAZA, 11),
        (GAZA, 17, GAZA, 21),
        (GAZA, 25, GAZA, 28),
        (GAZA, 29, GAZA, 36),
        # The lede restated further down.
        (VOTE, 3, VOTE, 14),
    }
    assert expected <= found
    kinds = {(m.a.path, m.a.line_start, m.b.line_start): m.kind for m in seeds_report.copies}
    assert kinds[(MOBILISATION, 1, 75)] == "contained"
    assert kinds[(GAZA, 6, 11)] == "contained"


def test_spans_point_at_alike_text_in_the_original(seeds_report: dedupe.Report) -> None:
    for match in seeds_report.matches:
        text_a = seeds_report.text(match.a.document)
        text_b = seeds_report.text(match.b.document)
        assert match.spans
        for span in match.spans:
            assert match.a.start <= span.a[0] < span.a[1] <= match.a.end
            assert match.b.start <= span.b[0] < span.b[1] <= match.b.end
            piece_a = words(text_a[span.a[0] : span.a[1]])
            piece_b = words(text_b[span.b[0] : span.b[1]])
            common = len(set(piece_a) & set(piece_b))
            assert common >= 0.6 * min(len(set(piece_a)), len(set(piece_b)))


def test_json_report_has_the_documented_shape(seeds_report: dedupe.Report) -> None:
    data = json.loads(seeds_report.to_json())
    assert data["schema"] == "dedupe.report/1"
    assert data["settings"]["shingle_size"] == seeds_report.settings["shingle_size"]
    assert [d["path"] for d in data["documents"]] == [
        "seeds/000_0ca4ebad92ee63ed.txt",
        "seeds/001_3d79957fde3194e0.txt",
        "seeds/002_ca1c824ad2e9e857.txt",
        "seeds/003_dc1485344ad45eb0.txt",
        "seeds/004_3b22578681327961.txt",
    ]
    match = data["matches"][0]
    assert set(match) >= {"kind", "similarity", "boilerplate", "a", "b", "spans"}
    assert set(match["a"]) >= {"path", "start", "end", "line_start", "line_end"}
    assert set(data["passages"][0]) >= {"a", "b", "similarity", "matches"}
    assert set(data["clusters"][0]) >= {"id", "boilerplate", "members"}
    for passage in data["passages"]:
        assert all(0 <= i < len(data["matches"]) for i in passage["matches"])


def test_same_input_gives_byte_identical_json() -> None:
    first = dedupe.scan("seeds").to_json()
    second = dedupe.scan("seeds", jobs=1).to_json()
    assert first == second


def test_each_within_file_match_is_reported_once(seeds_report: dedupe.Report) -> None:
    keys = [
        (m.a.document, m.a.paragraph, m.b.document, m.b.paragraph) for m in seeds_report.matches
    ]
    assert len(keys) == len(set(keys))
    assert all((a_doc, a_par) < (b_doc, b_par) for a_doc, a_par, b_doc, b_par in keys)


def test_json_chunks_are_json_dumps_of_to_dict(seeds_report: dedupe.Report) -> None:
    # The chunks are formatted by hand for speed: they must stay json.dumps.
    expected = json.dumps(seeds_report.to_dict(), ensure_ascii=False) + "\n"
    assert "".join(seeds_report.json_chunks()) == expected
    assert any(m.boilerplate for m in seeds_report.matches)
    assert any(not m.boilerplate for m in seeds_report.matches)
