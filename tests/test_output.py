"""Tests for dedupe.output.write_atomic: all or nothing, with ordinary permissions."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedupe import output
from dedupe.output import write_atomic


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test changes it."""
    previous = os.umask(0o022)
    os.umask(previous)
    try:
        yield
    finally:
        os.umask(previous)


def leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_writes_utf8_content(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomic(target, '{"a": "café ✓"}\n')
    assert target.read_bytes() == '{"a": "café ✓"}\n'.encode()
    assert leftovers(tmp_path, "report.json") == []


def test_newlines_are_written_as_given(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_atomic(target, "a\nb\r\nc\r")
    assert target.read_bytes() == b"a\nb\r\nc\r"


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old content that is longer than the new one\n")
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert leftovers(tmp_path, "report.txt") == []


def test_accepts_str_path_and_relative_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_atomic(str(tmp_path / "a.txt"), "one")
    assert (tmp_path / "a.txt").read_text() == "one"
    monkeypatch.chdir(tmp_path)
    write_atomic("b.txt", "two")
    assert (tmp_path / "b.txt").read_text() == "two"
    assert leftovers(tmp_path, "") == ["a.txt", "b.txt"]


def test_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "report.txt", "x")
    assert list(tmp_path.iterdir()) == []


def test_failing_rename_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")

    def refuse(source: str, destination: str) -> None:
        raise OSError(errno.EXDEV, "simulated rename failure")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="simulated rename failure"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path, "report.txt") == []


def test_failing_disk_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_atomic(target, "new content\n" * 1000)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path, "report.txt") == []


def test_failing_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    real_fdopen = os.fdopen

    class FailingHandle:
        def __init__(self, handle):  # type: ignore[no-untyped-def]
            self.handle = handle

        def __enter__(self):  # type: ignore[no-untyped-def]
            self.handle.__enter__()
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            return self.handle.__exit__(*exc)

        def write(self, text: str) -> int:
            self.handle.write(text[: len(text) // 2])  # half of it reaches the file
            raise OSError(errno.EIO, "simulated write failure")

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: FailingHandle(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="simulated write failure"):
        write_atomic(target, "new content\n" * 100)
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path, "report.txt") == []


def test_unencodable_content_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "fine text " * 1000 + "\ud800")  # a lone surrogate
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path, "report.txt") == []


def test_interrupt_during_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.txt"

    def interrupted(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "umask") or os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_permissions_follow_the_umask(tmp_path: Path, umask: None, mask: int, mode: int) -> None:
    os.umask(mask)
    target = tmp_path / "report.txt"
    write_atomic(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    # The same as any other file created with open().
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert stat.S_IMODE(plain.stat().st_mode) == mode
    # Replacing a file gives the new one the same ordinary permissions.
    write_atomic(target, "y")
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_no_descriptor_leaks_when_chmod_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(descriptor: int, mode: int) -> None:
        raise PermissionError(errno.EPERM, "simulated chmod failure")

    monkeypatch.setattr(os, "fchmod", refuse)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        with pytest.raises(PermissionError):
            write_atomic(tmp_path / "report.txt", "x")
    assert list(tmp_path.iterdir()) == []
    assert len(os.listdir("/proc/self/fd")) == before


def test_module_uses_a_temporary_in_the_target_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rename is atomic only within one file system: the temporary file
    # must be created next to the target, not in /tmp.
    seen: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(source: str, destination: str) -> None:
        seen.append((str(source), str(destination)))
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", spy)
    output.write_atomic(tmp_path / "r.txt", "x")
    assert len(seen) == 1
    assert Path(seen[0][0]).parent == tmp_path
    assert Path(seen[0][1]) == tmp_path / "r.txt"


def test_a_large_output_is_synced_in_parts_and_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def counting(descriptor: int) -> None:
        synced.append(os.fstat(descriptor).st_size)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", counting)
    monkeypatch.setattr(output._EarlySync, "EVERY", 1000)
    pieces = [f"piece {i} é\n" for i in range(2000)]
    target = tmp_path / "report.txt"
    write_atomic(target, pieces)
    assert target.read_text(encoding="utf-8") == "".join(pieces)
    assert len(synced) >= 2  # at least one early sync, and the final one
    assert synced[-1] == target.stat().st_size


def test_a_failing_early_sync_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    real_fsync = os.fsync
    calls: list[int] = []

    def first_fails(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 1:  # the early sync, in its thread
            raise OSError(errno.EIO, "simulated write-back failure")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", first_fails)
    monkeypatch.setattr(output._EarlySync, "EVERY", 1000)
    with pytest.raises(OSError, match="simulated write-back failure"):
        write_atomic(target, ["new content\n"] * 1000)
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path, "report.txt") == []
