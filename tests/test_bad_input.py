"""Bad, hostile and big input, scanned end to end: a clear message, nothing
lost, nothing modified, no traceback (the project's issue #5).

The ``slow`` tests generate 100 MB or a million lines; they run in CI too.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedupe
from conftest import planted_corpus
from dedupe import formats, pipeline, sources
from dedupe.cli import main
from dedupe.normalize import words

STORY = (
    "The humanitarian medical charity said food prices were at extreme levels, with sugar at "
    "“$766” per kilo and flour $30 per kilo, and many families surviving on one meal a day."
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + bytes(40)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dedupe", *args], capture_output=True, text=True, check=False
    )


def scan_json(*args: str) -> dict:
    result = cli("scan", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_binary_files_are_skipped_with_one_warning_each(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(STORY)
    (tmp_path / "copy.txt").write_text(STORY + " More.")
    (tmp_path / "photo.txt").write_bytes(PNG)
    (tmp_path / "paper.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (tmp_path / "archive.txt").write_bytes(gzip.compress(STORY.encode() * 10))
    result = cli("scan", str(tmp_path), "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert sorted(Path(s["path"]).name for s in report["skipped"]) == [
        "archive.txt", "paper.txt", "photo.txt",
    ]  # fmt: skip
    warnings = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(warnings) == 3
    assert any("PNG" in line for line in warnings)
    assert len(report["matches"]) == 1  # the readable files are still reported


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", STORY.encode("utf-8")),
        ("utf-8-sig", STORY.encode("utf-8-sig")),
        ("utf-16-le", b"\xff\xfe" + STORY.encode("utf-16-le")),
        ("utf-16-be", b"\xfe\xff" + STORY.encode("utf-16-be")),
        ("cp1252", STORY.encode("cp1252")),
        ("latin-1", STORY.replace("“", '"').replace("”", '"').replace("$", "£").encode("latin-1")),
    ],
)
def test_every_encoding_is_read_and_matched_at_the_right_offsets(
    tmp_path: Path, encoding: str, data: bytes
) -> None:
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(data)
    report = dedupe.scan(str(tmp_path))
    (match,) = report.matches
    text_b = report.text(match.b.document)
    assert words(text_b[match.b.start : match.b.end])[:6] == words(STORY)[:6]
    assert match.similarity > 0.9


def test_invalid_bytes_in_the_middle_are_replaced_and_reported(tmp_path: Path) -> None:
    # A UTF-8 file (many valid multi-byte characters) with stray bytes inside.
    broken = (STORY + " Café, naïve résumé — “déjà vu”.").encode("utf-8")
    broken = broken[:40] + b"\xff\xfe\xc3" + broken[40:]
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(broken)
    result = cli("scan", str(tmp_path), "--format", "json")
    report = json.loads(result.stdout)
    assert "replaced" in report["documents"][1]["warning"]
    assert "warning" in result.stderr
    assert len(report["matches"]) == 1


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\x85", "mixed"])
def test_line_endings_give_the_same_paragraphs_and_lines(tmp_path: Path, newline: str) -> None:
    corpus = planted_corpus()
    paragraphs = [corpus.paragraph() for _ in range(4)]
    separators = ["\n\n", "\r\n\r\n", "\r\r", "\x85\x85"]
    if newline == "mixed":
        body = "".join(p + separators[i % 4] for i, p in enumerate(paragraphs))
    else:
        body = "".join(p + newline * 2 for p in paragraphs)
    (tmp_path / "a.txt").write_text("\n\n".join(paragraphs), encoding="utf-8", newline="")
    (tmp_path / "b.txt").write_text(body, encoding="utf-8", newline="")
    report = dedupe.scan(str(tmp_path))
    assert [(m.a.line_start, m.b.line_start) for m in report.matches] == [
        (1, 1), (3, 3), (5, 5), (7, 7),
    ]  # fmt: skip
    for match in report.matches:
        assert report.text(1)[match.b.start : match.b.end] == paragraphs[match.b.paragraph]


def test_empty_and_blank_files_are_documents_without_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\r\n  \n")
    (tmp_path / "bom-only.txt").write_bytes(b"\xef\xbb\xbf")
    report = scan_json(str(tmp_path))
    assert sorted((Path(d["path"]).name, d["paragraphs"]) for d in report["documents"]) == [
        ("blank.txt", 0), ("bom-only.txt", 0), ("empty.txt", 0),
    ]  # fmt: skip
    assert report["skipped"] == []


def test_awkward_file_names_come_out_exactly(tmp_path: Path) -> None:
    names = ["with space.txt", "quote'\"s.txt", "new\nline.txt", "naïve – ünïcode.txt",
             "\u202eexe.txt"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_text(STORY)
    report = dedupe.scan(str(tmp_path))
    assert sorted(Path(d.path).name for d in report.documents) == sorted(names)
    assert len(report.matches) == 10
    text = formats.render(report, "text")
    assert "\u202e" not in text and "new\nline" not in text  # shown, not obeyed


def test_symlinks_are_not_followed_unless_asked(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "story.txt").write_text(STORY)
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "copy.txt").write_text(STORY)
    (scanned / "link.txt").symlink_to(real / "story.txt")
    (scanned / "loop").symlink_to(scanned)
    plain = dedupe.scan(str(scanned))
    assert [Path(d.path).name for d in plain.documents] == ["copy.txt"]
    assert {Path(s.path).name for s in plain.skipped} == {"link.txt", "loop"}
    followed = dedupe.scan(str(scanned), follow_links=True)
    assert sorted(Path(d.path).name for d in followed.documents) == ["copy.txt", "link.txt"]
    assert len(followed.matches) == 1


def test_unreadable_file_is_skipped_and_strict_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY)
    (tmp_path / "secret.txt").write_text(STORY)
    real_open = os.open

    def guarded(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    relaxed = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert relaxed.exit_code == 0
    assert "secret.txt: permission denied" in relaxed.output
    assert "1 skipped" in relaxed.output
    strict = CliRunner().invoke(main, ["scan", str(tmp_path), "--strict"])
    assert strict.exit_code == 1


def test_a_file_that_vanishes_before_it_is_read_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.txt", "b.txt", "gone.txt"):
        (tmp_path / name).write_text(STORY)
    real_read = sources.read_document

    def read_after_delete(source: sources.SourceFile, **kwargs: object) -> object:
        if source.path.endswith("gone.txt"):
            Path(source.path).unlink(missing_ok=True)
        return real_read(source, **kwargs)

    monkeypatch.setattr(sources, "read_document", read_after_delete)
    report = dedupe.scan(str(tmp_path), jobs=1)
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("gone.txt", "vanished during scan")
    ]
    assert len(report.matches) == 1


def test_a_file_changed_during_the_scan_is_an_error_not_a_wrong_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY)
    real = pipeline.find_candidates

    def edit_then_find(corpus: pipeline.FrozenCorpus, *, jobs: int = 1) -> pipeline.Candidates:
        (tmp_path / "b.txt").write_text("Edited. " + STORY)
        return real(corpus, jobs=jobs)

    monkeypatch.setattr(pipeline, "find_candidates", edit_then_find)
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 1
    assert "changed while it was being scanned" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_crash_while_writing_leaves_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    target.write_text("previous report")

    def explode(report: dedupe.Report, format: str = "text") -> str:
        raise MemoryError("simulated crash while rendering")

    monkeypatch.setattr(formats, "render", explode)
    result = CliRunner().invoke(main, ["scan", "seeds", "-o", str(target)])
    assert result.exit_code != 0
    assert target.read_text() == "previous report"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_max_file_size_skips_with_a_clear_reason(tmp_path: Path) -> None:
    (tmp_path / "small.txt").write_text(STORY)
    (tmp_path / "large.txt").write_text(STORY * 100)
    report = scan_json(str(tmp_path), "--max-file-size", "4k")
    (skipped,) = report["skipped"]
    assert Path(skipped["path"]).name == "large.txt"
    assert "--max-file-size" in skipped["reason"]


# -- big input: bounded time and memory ---------------------------------------------


def _peak_scan(folder: Path, *extra: str) -> tuple[dict, int]:
    """Scan in a fresh process; return the summary and its peak RSS in MiB."""
    script = textwrap.dedent(
        f"""
        import json, resource, sys
        import dedupe
        report = dedupe.scan({str(folder)!r}, {", ".join(extra)})
        summary = report.summary()
        summary["largest_cluster"] = max((len(c.members) for c in report.clusters), default=0)
        summary["boilerplate_members"] = sum(len(c.members) for c in report.boilerplate)
        print(json.dumps(summary))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout), int(result.stderr.strip().splitlines()[-1])


def _vocabulary() -> list[str]:
    corpus = planted_corpus()
    return corpus.vocabulary


@pytest.mark.slow
def test_one_100_mb_line(tmp_path: Path) -> None:
    vocabulary = _vocabulary()
    rng = random.Random(5)
    written = 0
    with (tmp_path / "one-line.txt").open("w") as handle:
        while written < 100_000_000:
            block = " ".join(rng.choices(vocabulary, k=50_000)) + " "
            handle.write(block)
            written += len(block)
    summary, peak_mib = _peak_scan(tmp_path)
    assert summary["documents"] == 1
    assert summary["paragraphs"] > 1000  # cut into bounded pieces
    assert peak_mib < 1024


@pytest.mark.slow
def test_a_million_one_word_lines(tmp_path: Path) -> None:
    vocabulary = _vocabulary()
    lines = (vocabulary[i % len(vocabulary)] for i in range(1_000_000))
    (tmp_path / "lines.txt").write_text("\n".join(lines))
    summary, peak_mib = _peak_scan(tmp_path)
    assert summary["paragraphs"] == 1_000_000
    assert summary["matches"] == 0  # one word is below min_words: debris, not copy
    assert peak_mib < 1024


@pytest.mark.slow
def test_a_line_repeated_100000_times_across_files(tmp_path: Path) -> None:
    corpus = planted_corpus()
    line = "Please use Chrome browser for a more accessible video player"
    for number in range(1000):
        (tmp_path / f"page{number:04d}.txt").write_text(
            corpus.paragraph() + "\n" + "\n".join([line] * 100) + "\n"
        )
    summary, peak_mib = _peak_scan(tmp_path)
    assert summary["boilerplate_clusters"] == 1
    assert summary["boilerplate_members"] == 100_000
    assert summary["boilerplate_matches"] == 99_999  # a chain, not 5e9 pairs
    assert peak_mib < 1024


@pytest.mark.slow
def test_50000_small_files_in_a_deep_tree(tmp_path: Path) -> None:
    corpus = planted_corpus()
    for number in range(50_000):
        folder = tmp_path.joinpath(*[f"d{(number >> shift) & 7}" for shift in (0, 3, 6, 9, 12)])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{number}.txt").write_text(corpus.paragraph(15))
    summary, peak_mib = _peak_scan(tmp_path)
    assert summary["documents"] == 50_000
    assert summary["skipped"] == 0
    assert peak_mib < 1024
