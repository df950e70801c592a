"""The command line: options, formats, outputs and exit statuses."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedupe
from conftest import planted_corpus
from dedupe.cli import main
from dedupe.settings import Settings


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dedupe", *args], capture_output=True, text=True, check=False
    )


def test_text_report_lists_the_passage_first_and_boilerplate_apart() -> None:
    result = CliRunner().invoke(main, ["scan", "seeds"])
    assert result.exit_code == 0, result.output
    out = result.output
    passages = out.index("Passages, largest first")
    matches = out.index("Paragraph matches")
    boilerplate = out.index("Boilerplate")
    assert passages < matches < boilerplate
    assert "seeds/000_0ca4ebad92ee63ed.txt:37-61 ~ :62-79" in out
    assert '5x "Please use Chrome browser for a more accessible video player"' in out


def test_json_to_stdout_equals_the_library_report() -> None:
    result = CliRunner().invoke(main, ["scan", "seeds", "--format", "json"])
    assert result.exit_code == 0
    assert result.output == dedupe.scan("seeds").to_json()


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report")
    result = CliRunner().invoke(main, ["scan", "seeds", "--format", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert result.output == ""
    assert json.loads(target.read_text())["schema"] == "dedupe.report/1"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_exit_status_zero_with_or_without_copies(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Nothing in this folder repeats anywhere else at all.\n")
    assert CliRunner().invoke(main, ["scan", str(tmp_path)]).exit_code == 0
    assert CliRunner().invoke(main, ["scan", "seeds"]).exit_code == 0


def test_fail_on_copies_is_for_ci(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Nothing in this folder repeats anywhere else at all.\n")
    assert CliRunner().invoke(main, ["scan", str(tmp_path), "--fail-on-copies"]).exit_code == 0
    assert CliRunner().invoke(main, ["scan", "seeds", "--fail-on-copies"]).exit_code == 1


def test_missing_path_is_a_one_line_usage_error() -> None:
    result = run("scan", "no/such/folder")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dedupe: error: no such file or directory: no/such/folder"
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [["scan"], ["scan", "seeds", "--threshold", "2"], ["scan", "seeds", "--format", "pdf"],
     ["scan", "seeds", "--jobs", "0"], ["scan", "seeds", "--max-file-size", "lots"]],
)  # fmt: skip
def test_usage_errors_exit_two(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_strict_turns_a_skipped_file_into_failure(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("A story that is here once and only once, plainly.\n")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    relaxed = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert relaxed.exit_code == 0
    assert "image.txt" in relaxed.output  # listed under Skipped
    assert CliRunner().invoke(main, ["scan", str(tmp_path), "--strict"]).exit_code == 1


def test_every_setting_is_an_option_with_the_same_name() -> None:
    command = main.commands["scan"]
    options = {param.name for param in command.params}
    for spec in dataclasses.fields(Settings):
        assert spec.name in options
    # And scan-level options are keyword arguments of dedupe.scan.
    import inspect

    scan_arguments = set(inspect.signature(dedupe.scan).parameters)
    assert {"glob", "follow_links", "max_file_size", "jobs"} <= scan_arguments & options


def test_settings_options_reach_the_scan(tmp_path: Path) -> None:
    corpus = planted_corpus()
    corpus.write(tmp_path)
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path), "--format", "json", "--min-words", "9", "--shingle-size", "4"]
    )
    settings = json.loads(result.output)["settings"]
    assert (settings["min_words"], settings["shingle_size"]) == (9, 4)


def test_glob_chooses_the_files(tmp_path: Path) -> None:
    text = planted_corpus().paragraph(40)
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.text").write_text(text)
    default = json.loads(
        CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json"]).output
    )
    assert [d["path"] for d in default["documents"]] == [str(tmp_path / "a.txt")]
    chosen = CliRunner().invoke(
        main, ["scan", str(tmp_path), "--glob", "*.txt", "--glob", "*.text", "--format", "json"]
    )
    assert len(json.loads(chosen.output)["matches"]) == 1


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    corpus = planted_corpus()
    corpus.write(tmp_path)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert CliRunner().invoke(main, ["scan", str(tmp_path)]).exit_code == 0
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert before == after


def test_console_script_runs_as_module() -> None:
    result = run("scan", "seeds", "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["passages"] == 1


def test_the_command_writes_all_its_output_before_its_quick_exit(tmp_path: Path) -> None:
    # The command leaves with os._exit (no interpreter teardown): stdout and
    # stderr must be flushed first, and the exit status kept.
    planted_corpus().write(tmp_path)
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    result = run("scan", str(tmp_path), "--format", "json", "--strict")
    assert result.returncode == 1  # --strict, and an input was skipped
    report = json.loads(result.stdout)
    expected = dedupe.scan(tmp_path)
    assert report == json.loads(expected.to_json())
    assert "skipped" in result.stderr and "photo.txt" in result.stderr


class _RecordingLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

        def mallopt(parameter: int, value: int) -> int:
            self.calls.append((parameter, value))
            return 1

        self.mallopt = mallopt


def test_the_command_has_malloc_keep_freed_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    from dedupe import cli

    libc = _RecordingLibc()
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: libc)
    cli._keep_freed_memory()
    # glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD (malloc.h)
    assert libc.calls == [(-3, 4 << 20), (-1, 32 << 20)]


def test_without_mallopt_the_command_runs_all_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    from dedupe import cli

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # a libc without mallopt
    cli._keep_freed_memory()
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: pytest.fail("only asked for on Linux"))
    cli._keep_freed_memory()


def test_importing_the_package_loads_nothing_until_a_name_is_used() -> None:
    # The command sets up its process before numpy loads (dedupe.__main__).
    code = (
        "import sys, dedupe, dedupe.__main__\n"
        "assert 'numpy' not in sys.modules and 'dedupe.api' not in sys.modules\n"
        "from dedupe import Report, Settings\n"
        "assert dedupe.scan.__module__ == 'dedupe.api' and Report.__module__ == 'dedupe.report'\n"
        "assert set(dedupe.__all__) <= set(dir(dedupe))\n"
        "namespace = {}\n"
        "exec('from dedupe import *', namespace)\n"
        "assert set(dedupe.__all__) <= set(namespace)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_unknown_package_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'scna'"):
        dedupe.scna  # noqa: B018
    assert not hasattr(dedupe, "pipeline_of_nothing")


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_the_command_sets_blas_threads_and_the_collector_before_importing(
    monkeypatch: pytest.MonkeyPatch, given: str | None, expected: str
) -> None:
    from dedupe import __main__ as command
    from dedupe import cli

    # Set first, so that monkeypatch restores whatever was there before.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", given or "")
    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    seen: list[tuple[str | None, bool]] = []
    monkeypatch.setattr(
        cli, "run", lambda: seen.append((os.environ.get("OPENBLAS_NUM_THREADS"), gc.isenabled()))
    )
    collecting = gc.isenabled()
    try:
        command.main()
    finally:
        if collecting:
            gc.enable()
    assert seen == [(expected, False)]  # and the collector already off
