"""Tests for dedupe.sources: finding input files and decoding them to text.

Every file is generated in tmp_path. Permission problems are simulated by
patching os.scandir / os.open, so they run as root too; the chmod versions
run where the user is not root.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import inspect
import os
import random
import shutil
import signal
import stat
import struct
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dedupe.sources import (
    DEFAULT_GLOBS,
    Decoded,
    InputError,
    Skip,
    SourceFile,
    decode,
    discover,
    display_path,
    format_size,
    read_document,
)

LINK_SKIP = "symbolic link (not followed; use --follow-links)"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def found(results: list[SourceFile | Skip]) -> list[str]:
    return [r.path for r in results if isinstance(r, SourceFile)]


def skipped(results: list[SourceFile | Skip]) -> dict[str, str]:
    return {r.path: r.reason for r in results if isinstance(r, Skip)}


def read_bytes_as_document(path: Path, data: bytes) -> Decoded | Skip:
    write(path, data)
    return read_document(SourceFile(str(path), len(data)))


def tiny_png() -> bytes:
    """A real 1x1 PNG: signature, IHDR, IDAT, IEND, with correct CRCs."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


class Blocked(Exception):
    """Not an OSError, so code under test cannot swallow it as a Skip."""


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail instead of hanging if something blocks (opening a FIFO would)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Blocked("blocked for 5 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(5)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def fail_for(path: Path, real, exc_type: type[OSError], code: int):
    """A stand-in for os.scandir / os.open that fails for one path only."""

    def fake(target, *args, **kwargs):
        if os.fspath(target) == str(path):
            raise exc_type(code, os.strerror(code), os.fspath(target))
        return real(target, *args, **kwargs)

    return fake


# --------------------------------------------------------------------------
# Binary and text detection


def test_binary_files_among_text_are_skipped_with_their_kind(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "plain text\n")
    write(tmp_path / "b.txt", tiny_png())
    write(tmp_path / "c.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    write(tmp_path / "d.txt", gzip.compress(b"compressed words\n" * 10))
    write(tmp_path / "e.txt", bytes(range(256)) * 4)
    results = list(discover([tmp_path]))
    # discover only stats; the content is judged when the file is read.
    assert len(found(results)) == 5
    reasons = {Path(r.path).name: read_document(r) for r in results}
    assert reasons["a.txt"] == Decoded("plain text\n", "utf-8", None)
    assert reasons["b.txt"] == Skip(str(tmp_path / "b.txt"), "binary file (PNG image)")
    assert reasons["c.txt"] == Skip(str(tmp_path / "c.txt"), "binary file (PDF document)")
    assert reasons["d.txt"] == Skip(str(tmp_path / "d.txt"), "binary file (gzip archive)")
    assert reasons["e.txt"] == Skip(str(tmp_path / "e.txt"), "binary file")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "GIF image"),
        (b"PK\x03\x04\x14\x00\x00\x00", "zip archive"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF executable"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "WAV audio"),
    ],
)
def test_magic_numbers_name_the_kind(tmp_path: Path, data: bytes, kind: str) -> None:
    result = read_bytes_as_document(tmp_path / "x.txt", data + bytes(64))
    assert result == Skip(str(tmp_path / "x.txt"), f"binary file ({kind})")


def test_every_signature_is_recognised_at_its_offset(tmp_path: Path) -> None:
    # The table is looked up by (offset, first byte): each entry must still
    # be found, with text before the offset and after the signature.
    from dedupe.sources import _MAGIC

    for signature, offset, kind in _MAGIC:
        data = b"x" * offset + signature + b"plain text after it\n" * 20
        result = read_bytes_as_document(tmp_path / "x.txt", data)
        assert result == Skip(str(tmp_path / "x.txt"), f"binary file ({kind})"), kind


def test_nul_byte_without_utf16_pattern_is_binary(tmp_path: Path) -> None:
    result = read_bytes_as_document(tmp_path / "x.txt", b"mostly text\n" * 50 + b"\x00\xff\x00")
    assert result == Skip(str(tmp_path / "x.txt"), "binary file")


def test_text_with_a_few_control_characters_is_still_text(tmp_path: Path) -> None:
    data = "Page one.\f\nPage two \x1b[1mbold\x1b[0m.\x01 end\x07\n" * 20
    result = read_bytes_as_document(tmp_path / "x.txt", data.encode())
    assert result == Decoded(data, "utf-8", None)


def test_mostly_control_bytes_is_binary(tmp_path: Path) -> None:
    result = read_bytes_as_document(tmp_path / "x.txt", b"ab\x01\x02\x03\x04cd\x05\x06" * 100)
    assert result == Skip(str(tmp_path / "x.txt"), "binary file")


# --------------------------------------------------------------------------
# Encodings


def test_utf8_without_bom(tmp_path: Path) -> None:
    text = "Grüße, 日本語, emoji 🎉\n"
    assert read_bytes_as_document(tmp_path / "x.txt", text.encode()) == Decoded(text, "utf-8")


def test_utf8_with_bom_drops_only_the_bom(tmp_path: Path) -> None:
    text = "\ufeffGrüße\n  indented\n"
    result = read_bytes_as_document(tmp_path / "x.txt", text.encode("utf-8"))
    assert result == Decoded("Grüße\n  indented\n", "utf-8-sig")


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_utf16_with_bom(tmp_path: Path, bom: bytes, codec: str) -> None:
    text = "Wire copy, “quoted”, 日本\r\nsecond line\n"
    result = read_bytes_as_document(tmp_path / "x.txt", bom + text.encode(codec))
    assert result == Decoded(text, codec)


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    text = "four bytes a character ✓\n"
    data = "\ufeff".encode(codec) + text.encode(codec)
    assert read_bytes_as_document(tmp_path / "x.txt", data) == Decoded(text, codec)


def test_utf16_without_bom_is_recognised_with_a_warning(tmp_path: Path) -> None:
    text = "Exported by an old Windows tool.\r\nSecond line.\r\n" * 10
    result = read_bytes_as_document(tmp_path / "x.txt", text.encode("utf-16-le"))
    assert isinstance(result, Decoded)
    assert (result.text, result.encoding) == (text, "utf-16-le")
    assert result.warning is not None
    assert "no byte order mark" in result.warning
    big_endian = read_bytes_as_document(tmp_path / "y.txt", text.encode("utf-16-be"))
    assert isinstance(big_endian, Decoded)
    assert (big_endian.text, big_endian.encoding) == (text, "utf-16-be")


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    data = b"He said \x93hello\x94 and \x91bye\x92 \x96 for \x80 5\n"
    result = read_bytes_as_document(tmp_path / "x.txt", data)
    assert isinstance(result, Decoded)
    assert result.text == "He said “hello” and ‘bye’ – for € 5\n"
    assert result.encoding == "cp1252"
    assert result.warning == "not valid UTF-8; decoded as cp1252"


def test_cp1252_undefined_bytes_fall_back_to_latin1() -> None:
    result = decode(b"\x93quote\x94 \x81\x8d\x8f\x90\x9d")
    assert result.text == "“quote” \x81\x8d\x8f\x90\x9d"
    assert result.encoding == "cp1252"
    assert result.warning is not None
    assert "5 byte(s) undefined in cp1252" in result.warning


def test_latin1(tmp_path: Path) -> None:
    text = "Café, naïve, façade, Ærø, ½ price\n"
    result = read_bytes_as_document(tmp_path / "x.txt", text.encode("latin-1"))
    assert result == Decoded(text, "latin-1", "not valid UTF-8; decoded as latin-1")


def test_invalid_bytes_in_the_middle_of_utf8_are_replaced(tmp_path: Path) -> None:
    data = "Première ligne, déjà vu.\n".encode() + b"bad \xff\xfe here\n" + "Fin — été.\n".encode()
    result = read_bytes_as_document(tmp_path / "x.txt", data)
    assert isinstance(result, Decoded)
    assert result.text == "Première ligne, déjà vu.\nbad \ufffd\ufffd here\nFin — été.\n"
    assert result.encoding == "utf-8 (with replacement)"
    assert result.warning == "2 invalid UTF-8 byte(s) replaced with U+FFFD"


def test_legacy_text_with_an_accidental_utf8_pair_stays_legacy() -> None:
    # "Ã©" in cp1252 is C3 A9, a valid UTF-8 "é"; three stray legacy bytes
    # outvote it, so the file is read as cp1252, not as damaged UTF-8.
    data = "Ã© déjà vu à".encode("cp1252")
    assert decode(data) == Decoded("Ã© déjà vu à", "latin-1", "not valid UTF-8; decoded as latin-1")


@pytest.mark.parametrize(
    "text",
    [
        "one\ntwo\n",
        "one\r\ntwo\r\n",
        "one\rtwo\r",
        "one\x85two\x85",
        "a\nb\r\nc\rd\x85e\u2028f\r\n\r\n",
    ],
    ids=["LF", "CRLF", "CR", "NEL", "mixed"],
)
def test_line_endings_are_kept_exactly(tmp_path: Path, text: str) -> None:
    assert read_bytes_as_document(tmp_path / "x.txt", text.encode()) == Decoded(text, "utf-8")
    assert decode(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).text == text


def test_empty_and_whitespace_only_files_are_yielded_and_read(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.txt", b" \n\t\r\n  \n")
    results = list(discover([tmp_path]))
    assert results == [SourceFile(str(blank), 8), SourceFile(str(empty), 0)]
    assert read_document(results[0]) == Decoded(" \n\t\r\n  \n", "utf-8")
    assert read_document(results[1]) == Decoded("", "utf-8")


def test_one_long_line_and_a_million_short_lines(tmp_path: Path) -> None:
    long_line = "word " * 4_000_000
    lines = "word\n" * 1_000_000
    assert read_bytes_as_document(tmp_path / "a.txt", long_line.encode()).text == long_line
    assert read_bytes_as_document(tmp_path / "b.txt", lines.encode()).text == lines


# --------------------------------------------------------------------------
# Names and paths


def test_awkward_file_names(tmp_path: Path) -> None:
    names = [
        "with space.txt",
        'it\'s "quoted".txt',
        "two\nlines.txt",
        "café-日本.md",
        "report\u202etxt.md",
    ]
    for name in names:
        write(tmp_path / name, f"body of {name}\n")
    results = list(discover([tmp_path]))
    assert found(results) == [str(tmp_path / n) for n in sorted(names)]
    for source in results:
        name = Path(source.path).name
        assert read_document(source) == Decoded(f"body of {name}\n", "utf-8")
    assert display_path(str(tmp_path / "two\nlines.txt")).count("\n") == 0
    assert "\u202e" not in display_path("report\u202etxt.md")
    assert display_path("plain name.txt") == "plain name.txt"


def test_undecodable_byte_names_are_kept_surrogate_escaped(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/bad\xff\xfe.txt"
    try:
        with open(raw, "wb") as handle:
            handle.write(b"bytes name\n")
    except (OSError, ValueError):
        pytest.skip("this file system rejects names that are not valid UTF-8")
    results = list(discover([tmp_path]))
    assert found(results) == [os.fsdecode(raw)]
    assert results[0].path.endswith("bad\udcff\udcfe.txt")
    assert read_document(results[0]) == Decoded("bytes name\n", "utf-8")
    assert "\n" not in display_path(results[0].path)


def test_relative_paths_stay_relative_and_spelling_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "corpus" / "a.txt", "a\n")
    write(tmp_path / "corpus" / "sub" / "b.md", "b\n")
    write(tmp_path / "data.bin", "given directly\n")
    monkeypatch.chdir(tmp_path)
    assert found(list(discover(["corpus"]))) == ["corpus/a.txt", "corpus/sub/b.md"]
    assert found(list(discover(["./corpus/"]))) == ["./corpus/a.txt", "./corpus/sub/b.md"]
    assert found(list(discover([Path("corpus") / "sub"]))) == ["corpus/sub/b.md"]
    # A file named directly is taken whatever its name, spelled as given.
    assert found(list(discover(["corpus/../data.bin"]))) == ["corpus/../data.bin"]
    absolute = found(list(discover([tmp_path / "corpus"])))
    assert absolute == [str(tmp_path / "corpus" / "a.txt"), str(tmp_path / "corpus/sub/b.md")]


def test_nonexistent_path_raises_before_anything_is_yielded(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a\n")
    with pytest.raises(InputError) as caught:
        discover([tmp_path, tmp_path / "missing"])
    assert str(caught.value) == f"no such file or directory: {tmp_path / 'missing'}"
    with pytest.raises(InputError, match=r"^no such file or directory: "):
        discover([tmp_path / "a.txt" / "below-a-file"])
    with pytest.raises(InputError) as caught:
        discover([str(tmp_path / "typo\nwith newline")])
    assert "\n" not in str(caught.value)


def test_globs_match_names_case_sensitively_and_accept_one_string(tmp_path: Path) -> None:
    for name in ["a.txt", "b.TXT", "c.md", "d.rst", "e.txt.bak"]:
        write(tmp_path / name, "x\n")
    assert DEFAULT_GLOBS == ("*.txt", "*.md")
    names = [Path(p).name for p in found(list(discover([tmp_path])))]
    if os.path.normcase("A") == "A":
        assert names == ["a.txt", "c.md"]
    assert [Path(p).name for p in found(list(discover([tmp_path], globs="*.rst")))] == ["d.rst"]
    assert found(list(discover([tmp_path], globs=()))) == []


# --------------------------------------------------------------------------
# Order and duplicates


def test_order_is_sorted_by_path_components_not_by_listing_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    relative = ["a.txt", "a/z.txt", "a/b/c.txt", "a-b.txt", "B.txt", "b.txt", "é.txt", "z/a.txt"]
    shuffled = relative[:]
    random.Random(7).shuffle(shuffled)
    for rel in shuffled:
        write(tmp_path / rel, rel)
    expected = [str(tmp_path / rel) for rel in sorted(relative, key=lambda r: tuple(r.split("/")))]
    assert found(list(discover([tmp_path]))) == expected

    real_scandir = os.scandir

    class Reversed:
        """os.scandir listing its entries in the reverse of the usual order."""

        def __init__(self, path: str) -> None:
            with real_scandir(path) as entries:
                self.entries = list(entries)[::-1]

        def __enter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(os, "scandir", Reversed)
    assert found(list(discover([tmp_path]))) == expected


def test_roots_in_given_order_and_each_file_once(tmp_path: Path) -> None:
    write(tmp_path / "x" / "1.txt", "1")
    write(tmp_path / "y" / "2.txt", "2")
    write(tmp_path / "y" / "sub" / "3.txt", "3")
    os.link(tmp_path / "y" / "2.txt", tmp_path / "y" / "hardlink.txt")
    results = list(
        discover([tmp_path / "y", tmp_path / "x", tmp_path / "y" / "sub", tmp_path / "x/1.txt"])
    )
    assert results == [
        SourceFile(str(tmp_path / "y" / "2.txt"), 1),
        SourceFile(str(tmp_path / "y" / "sub" / "3.txt"), 1),
        SourceFile(str(tmp_path / "x" / "1.txt"), 1),
    ]


# --------------------------------------------------------------------------
# Symbolic links


@needs_symlinks
def test_symlinks_are_reported_not_followed_by_default(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "target.txt", "target\n")
    write(outside / "inner" / "deep.txt", "deep\n")
    root = tmp_path / "root"
    write(root / "own.txt", "own\n")
    (root / "file-link.txt").symlink_to(outside / "target.txt")
    (root / "dir-link").symlink_to(outside / "inner", target_is_directory=True)
    (root / "image-link.png").symlink_to(outside / "target.txt")
    results = list(discover([root]))
    assert found(results) == [str(root / "own.txt")]
    # A link whose name no glob matches would not be read anyway: not reported.
    assert skipped(results) == {
        str(root / "dir-link"): LINK_SKIP,
        str(root / "file-link.txt"): LINK_SKIP,
    }


@needs_symlinks
def test_symlinks_are_followed_with_follow_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "target.txt", "target\n")
    write(outside / "inner" / "deep.txt", "deep\n")
    root = tmp_path / "root"
    write(root / "own.txt", "own\n")
    (root / "file-link.txt").symlink_to(outside / "target.txt")
    (root / "dir-link").symlink_to(outside / "inner", target_is_directory=True)
    (root / "zz-again").symlink_to(root / "dir-link", target_is_directory=True)
    results = list(discover([root], follow_links=True))
    assert results == [
        SourceFile(str(root / "dir-link" / "deep.txt"), 5),
        SourceFile(str(root / "file-link.txt"), 7),
        SourceFile(str(root / "own.txt"), 4),
    ]
    assert read_document(results[0]) == Decoded("deep\n", "utf-8")


@needs_symlinks
def test_a_linked_root_is_followed(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.txt", "a\n")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    assert found(list(discover([tmp_path / "alias"]))) == [str(tmp_path / "alias" / "a.txt")]


@needs_symlinks
def test_symlink_loop_terminates_with_a_skip(tmp_path: Path, no_hang: None) -> None:
    root = tmp_path / "root"
    write(root / "a" / "file.txt", "x\n")
    (root / "a" / "up").symlink_to(root, target_is_directory=True)
    (root / "a" / "self").symlink_to(root / "a" / "self")
    (root / "self.txt").symlink_to(root / "self.txt")
    results = list(discover([root], follow_links=True))
    assert found(results) == [str(root / "a" / "file.txt")]
    assert skipped(results) == {
        str(root / "a" / "self"): "symlink loop",
        str(root / "a" / "up"): "symlink loop",
        str(root / "self.txt"): "symlink loop",
    }


@needs_symlinks
@pytest.mark.parametrize("follow_links", [False, True])
def test_broken_symlink(tmp_path: Path, follow_links: bool) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    write(tmp_path / "ok.txt", "ok\n")
    results = list(discover([tmp_path], follow_links=follow_links))
    assert results == [
        Skip(str(tmp_path / "gone.txt"), "broken symbolic link"),
        SourceFile(str(tmp_path / "ok.txt"), 3),
    ]
    # Named directly, a dangling link exists (it is not a typo): reported, not raised.
    assert list(discover([tmp_path / "gone.txt"])) == [
        Skip(str(tmp_path / "gone.txt"), "broken symbolic link")
    ]


# --------------------------------------------------------------------------
# Permissions, special files, races


def test_unreadable_folder_is_skipped_and_the_scan_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.txt", "a\n")
    write(tmp_path / "locked" / "secret.txt", "s\n")
    write(tmp_path / "z.txt", "z\n")
    locked = tmp_path / "locked"
    monkeypatch.setattr(os, "scandir", fail_for(locked, os.scandir, PermissionError, errno.EACCES))
    assert list(discover([tmp_path])) == [
        SourceFile(str(tmp_path / "a.txt"), 2),
        Skip(str(locked), "permission denied"),
        SourceFile(str(tmp_path / "z.txt"), 2),
    ]
    assert list(discover([locked])) == [Skip(str(locked), "permission denied")]


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.txt", "s\n")
    monkeypatch.setattr(os, "open", fail_for(path, os.open, PermissionError, errno.EACCES))
    assert read_document(SourceFile(str(path), 2)) == Skip(str(path), "permission denied")


def test_other_os_errors_become_skips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "flaky.txt", "s\n")
    monkeypatch.setattr(os, "open", fail_for(path, os.open, OSError, errno.EIO))
    assert read_document(SourceFile(str(path), 2)) == Skip(str(path), "input/output error")


@pytest.mark.skipif(IS_ROOT or not hasattr(os, "geteuid"), reason="root can read chmod 000 files")
def test_chmod_000_file_and_folder(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "s\n")
    locked = tmp_path / "locked"
    write(locked / "inner.txt", "i\n")
    secret.chmod(0)
    locked.chmod(0)
    try:
        results = list(discover([tmp_path]))
        assert skipped(results) == {str(locked): "permission denied"}
        assert read_document(SourceFile(str(secret), 2)) == Skip(str(secret), "permission denied")
    finally:
        locked.chmod(stat.S_IRWXU)
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)


@needs_fifo
def test_fifo_is_skipped_without_blocking(tmp_path: Path, no_hang: None) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    write(tmp_path / "real.txt", "r\n")
    assert list(discover([tmp_path])) == [
        Skip(str(fifo), "not a regular file"),
        SourceFile(str(tmp_path / "real.txt"), 2),
    ]
    assert list(discover([fifo])) == [Skip(str(fifo), "not a regular file")]
    # Replaced by a FIFO after discovery: read_document must not block either.
    assert read_document(SourceFile(str(fifo), 2)) == Skip(str(fifo), "not a regular file")


def test_read_document_on_a_folder_or_a_vanished_file(tmp_path: Path) -> None:
    assert read_document(SourceFile(str(tmp_path), 0)) == Skip(str(tmp_path), "is a directory")
    gone = str(tmp_path / "gone.txt")
    assert read_document(SourceFile(gone, 3)) == Skip(gone, "vanished during scan")
    assert read_document(gone) == Skip(gone, "vanished during scan")


def test_folder_removed_during_the_scan(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a\n")
    write(tmp_path / "b" / "c.txt", "c\n")
    write(tmp_path / "d.txt", "d\n")
    results = discover([tmp_path])
    first = next(results)
    shutil.rmtree(tmp_path / "b")
    assert [first, *results] == [
        SourceFile(str(tmp_path / "a.txt"), 2),
        Skip(str(tmp_path / "b"), "vanished during scan"),
        SourceFile(str(tmp_path / "d.txt"), 2),
    ]


def test_folder_removed_between_stat_and_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "b" / "c.txt", "c\n")
    write(tmp_path / "d.txt", "d\n")
    gone = tmp_path / "b"
    monkeypatch.setattr(os, "scandir", fail_for(gone, os.scandir, FileNotFoundError, errno.ENOENT))
    assert list(discover([tmp_path])) == [
        Skip(str(gone), "vanished during scan"),
        SourceFile(str(tmp_path / "d.txt"), 2),
    ]


def test_file_removed_during_the_scan(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a\n")
    write(tmp_path / "b.txt", "b\n")
    results = discover([tmp_path])
    first = next(results)
    (tmp_path / "b.txt").unlink()
    assert [first, *results] == [
        SourceFile(str(tmp_path / "a.txt"), 2),
        Skip(str(tmp_path / "b.txt"), "vanished during scan"),
    ]


# --------------------------------------------------------------------------
# Size limits


def test_files_over_max_file_size_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "big.txt", "x" * 2000)
    write(tmp_path / "small.txt", "x" * 10)
    results = list(discover([tmp_path], max_file_size=1024))
    assert results == [
        Skip(str(tmp_path / "big.txt"), "larger than --max-file-size (1.0 KB)"),
        SourceFile(str(tmp_path / "small.txt"), 10),
    ]
    big = SourceFile(str(tmp_path / "big.txt"), 2000)
    assert read_document(big, max_file_size=1024) == Skip(big.path, results[0].reason)
    assert isinstance(read_document(big, max_file_size=None), Decoded)
    assert list(discover([tmp_path / "big.txt"], max_file_size=None)) == [big]


def test_limit_holds_for_a_file_that_grew_after_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "growing.txt", "y" * 20_000)
    real_fstat = os.fstat

    def stale_fstat(fd: int) -> os.stat_result:
        # What fstat said before the file grew: 100 bytes.
        values = list(real_fstat(fd))
        values[stat.ST_SIZE] = 100
        return os.stat_result(values)

    monkeypatch.setattr(os, "fstat", stale_fstat)
    expected = Skip(str(path), "larger than --max-file-size (9.8 KB)")
    assert read_document(SourceFile(str(path), 100), max_file_size=10_000) == expected
    assert read_document(str(path), max_file_size=30_000) == Decoded("y" * 20_000, "utf-8")


def test_format_size() -> None:
    assert format_size(1 << 30) == "1.0 GB"
    assert format_size(0) == "0 B"
    assert format_size(1023) == "1023 B"
    assert format_size(1536) == "1.5 KB"
    assert format_size(5 << 40) == "5.0 TB"


# --------------------------------------------------------------------------
# Scale


def test_deep_tree_needs_no_recursion(tmp_path: Path) -> None:
    folder = tmp_path
    for _ in range(300):
        folder = folder / "d"
        folder.mkdir()
    write(folder / "bottom.txt", "deep\n")
    write(tmp_path / "d" / "top.txt", "top\n")
    # Leave only ~80 frames of head room: a recursive walk of 300 levels
    # would hit RecursionError, an iterative one does not notice.
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 80)
    try:
        results = list(discover([tmp_path]))
    finally:
        sys.setrecursionlimit(old_limit)
    assert found(results) == [str(folder / "bottom.txt"), str(tmp_path / "d" / "top.txt")]


def test_many_files_are_fast_and_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for group in range(50):
        folder = tmp_path / f"g{group:02d}"
        folder.mkdir()
        for index in range(100):
            (folder / f"f{index:03d}.txt").write_bytes(b"x\n")

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("discover must not open files")

    monkeypatch.setattr(os, "open", no_open)
    started = time.perf_counter()
    results = list(discover([tmp_path]))
    elapsed = time.perf_counter() - started
    assert len(results) == 5000
    assert all(isinstance(r, SourceFile) and r.size == 2 for r in results)
    assert [r.path for r in results] == sorted(r.path for r in results)
    assert elapsed < 5.0


# --------------------------------------------------------------------------
# Properties


@given(st.binary())
def test_decode_never_raises(data: bytes) -> None:
    result = decode(data)
    assert isinstance(result.text, str)
    assert isinstance(result.encoding, str)
    assert result.warning is None or "\n" not in result.warning


@given(st.text())
def test_decode_round_trips_utf8(text: str) -> None:
    assume(not text.startswith("\ufeff"))
    assert decode(text.encode("utf-8")) == Decoded(text, "utf-8")


BOMS = {
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


@given(st.text(), st.sampled_from(sorted(BOMS)))
def test_decode_round_trips_utf16_and_utf32_with_bom(text: str, codec: str) -> None:
    data = BOMS[codec] + text.encode(codec)
    # FF FE 00 00 starts both UTF-32 LE text and UTF-16 LE text that begins
    # with U+0000; decode prefers UTF-32 when the data is valid UTF-32, so
    # that one case cannot be told apart and is left out.
    assume(not (codec == "utf-16-le" and text.startswith("\x00")))
    assert decode(data) == Decoded(text, codec)


LATIN1_WITHOUT_CONTINUATION_BYTES = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    | st.characters(min_codepoint=0xC0, max_codepoint=0xFF),
)


@given(LATIN1_WITHOUT_CONTINUATION_BYTES)
def test_decode_round_trips_latin1_text(text: str) -> None:
    # Without bytes 0x80-0xBF no valid multi-byte UTF-8 can form, so any
    # non-ASCII text here is unambiguously legacy.
    assume(any(ord(c) > 0x7F for c in text))
    assert decode(text.encode("latin-1")) == Decoded(
        text, "latin-1", "not valid UTF-8; decoded as latin-1"
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.binary(max_size=20_000),
        st.builds(lambda b: b"\x89PNG\r\n\x1a\n" + b, st.binary()),
        st.builds(lambda t: t.encode("utf-16-le"), st.text()),
        st.builds(lambda t: t.encode("cp1252", errors="replace"), st.text()),
    )
)
def test_read_document_never_raises(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "fuzz.txt", data)
    result = read_document(SourceFile(str(path), len(data)))
    assert isinstance(result, Decoded | Skip)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        assert result == Skip(str(path), "binary file (PNG image)")
    if isinstance(result, Skip):
        assert result.reason.startswith("binary file")
