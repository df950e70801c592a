"""Find the input files of a scan and turn their bytes into text.

Corpora come from scrapers, mail exports, old Windows tools and backups, so
this module expects the worst: files that are not text, text that is not
UTF-8, names no shell quotes cleanly, symbolic links that point at their own
folder, folders nobody may read, FIFOs that would block a naive ``open`` and
trees that change while they are walked. None of these stop a scan: each
problem file becomes a :class:`Skip` with a one-line reason, and only a path
that does not exist at all (almost always a typo) is an :class:`InputError`.

Two rules keep reports reproducible and offsets exact:

* :func:`discover` yields files in an order fixed by their paths, never by the
  order the operating system lists a folder;
* :func:`decode` changes nothing but a byte order mark, so every character
  offset computed on the text refers to the file's own line endings.

Decoding rule (:func:`decode`)
------------------------------
1. A byte order mark decides: UTF-8, UTF-16 LE/BE or UTF-32 LE/BE; the mark is
   removed. UTF-32 LE is chosen over UTF-16 LE (their marks share two bytes)
   only when the whole input is valid UTF-32.
2. Otherwise strict UTF-8.
3. Otherwise the non-ASCII bytes are sorted into those that form valid
   multi-byte UTF-8 characters and those that do not. When valid characters
   outnumber invalid bytes, the file is UTF-8 with some damage (a truncated
   copy, a stray byte from a bad paste): it is decoded as UTF-8 with U+FFFD for
   each bad run. Otherwise it is a single-byte legacy file: cp1252, whose
   0x80-0x9F are the curly quotes, dashes and euro sign real files contain,
   with the five bytes cp1252 leaves undefined taken as Latin-1 so that
   decoding cannot fail. Valid UTF-8 pairs appear by chance in legacy text
   only when an accented capital is followed by a symbol, so a legacy file
   rarely has more of them than invalid bytes.

UTF-16 without a byte order mark is not guessed by :func:`decode` (any UTF-16
text is also valid UTF-8 when it is ASCII-only), only by :func:`read_document`
when NUL bytes would otherwise mark the file as binary.
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_GLOBS",
    "DEFAULT_MAX_FILE_SIZE",
    "Decoded",
    "InputError",
    "Skip",
    "SourceFile",
    "decode",
    "discover",
    "display_path",
    "format_size",
    "read_document",
]

DEFAULT_GLOBS: tuple[str, ...] = ("*.txt", "*.md")
# A 1 GiB text file is already an outlier; beyond that a corrupt or misnamed
# file (a disk image called notes.txt) is far likelier than a real document.
DEFAULT_MAX_FILE_SIZE = 1 << 30

LINK_NOT_FOLLOWED = "symbolic link (not followed; use --follow-links)"
SYMLINK_LOOP = "symlink loop"
BROKEN_LINK = "broken symbolic link"
VANISHED = "vanished during scan"
NOT_REGULAR = "not a regular file"

# Binary sniffing looks at the start of a file only, like git and grep do:
# enough to see NULs and magic numbers without reading a large file twice.
_SNIFF_BYTES = 8192
# Share of control bytes above which a file is binary. Real text carries a few
# (form feeds in old RFCs, an escape sequence in a log); binary data is about
# 1 in 8 control bytes even without NULs.
_MAX_CONTROL_SHARE = 0.1
# Once a file turns out larger than stat said, it is read in pieces this size.
_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A regular file to read. ``path`` is spelled as the user gave it (the
    root joined with the path below it), so reports show paths the user
    recognises; ``size`` is the stat size at discovery time."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class Skip:
    """A path left out of the scan, with a short reason for the user."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decoded:
    """A document's text, exactly as in the file but for a byte order mark,
    the encoding used, and one line for the user when a fallback was needed."""

    text: str
    encoding: str
    warning: str | None = None
    # (size, modification time in ns) when the file was opened: what a later
    # look can compare to tell that the file changed since. Not part of what
    # the document *is*, so not compared.
    stamp: tuple[int, int] | None = field(default=None, compare=False)


class InputError(Exception):
    """A usage problem with the paths given, such as one that does not exist.
    The message is a single line meant for the person who typed the path."""


PathArg = str | os.PathLike[str]


# --------------------------------------------------------------------------
# Small shared helpers


def display_path(path: str) -> str:
    """A path as one safe line of output.

    Names may contain newlines (which would forge extra report lines),
    bidirectional overrides such as U+202E (which make ``txt.exe`` look like
    ``exe.txt``) or undecodable bytes. Those are shown as a Python string
    literal, with every such character escaped; ordinary names are unchanged.
    """
    if path and path.isprintable():
        return path
    return repr(path)


def format_size(size: int) -> str:
    """A byte count in binary units, e.g. ``format_size(1 << 30) == "1.0 GB"``."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} PB"


def _too_large(limit: int) -> str:
    return f"larger than --max-file-size ({format_size(limit)})"


def _os_error_reason(exc: OSError) -> str:
    """Turn an OSError into a reason without the path, which the Skip already
    carries (and which may be too long or unprintable to repeat)."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return VANISHED
    if isinstance(exc, NotADirectoryError):
        return "changed during scan (a folder on its path is no longer a folder)"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if exc.errno == errno.ELOOP:
        return SYMLINK_LOOP
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _as_str_path(path: PathArg | bytes) -> str:
    # bytes paths become str with surrogateescape, as os.scandir's str names
    # do, so every path handed out has one type.
    value = os.fspath(path)
    return os.fsdecode(value) if isinstance(value, bytes) else value


def _check_limit(max_file_size: int | None) -> None:
    if max_file_size is not None and max_file_size < 0:
        raise ValueError("max_file_size must not be negative")


def _exceeds(size: int, limit: int | None) -> bool:
    return limit is not None and size > limit


# --------------------------------------------------------------------------
# Discovery


def _compile_globs(globs: Iterable[str] | str) -> Callable[[str], bool]:
    """One compiled regex for all patterns, so each name costs one match
    rather than one fnmatch call (with its normcase) per pattern. Case
    follows the platform, as fnmatch.fnmatch does: sensitive on POSIX."""
    patterns = (globs,) if isinstance(globs, str) else tuple(globs)
    if not patterns:
        return lambda name: False
    flags = re.IGNORECASE if os.path.normcase("A") == "a" else 0
    regex = re.compile("|".join(fnmatch.translate(p) for p in patterns), flags)
    return lambda name: regex.match(name) is not None


# (st_dev, st_ino), or the resolved path where the platform reports no inode.
_Identity = tuple[int, int] | str


def _identity(path: str, st: os.stat_result) -> _Identity:
    """What makes two paths the same file or folder. DirEntry.stat() leaves
    st_ino at 0 on Windows; os.stat() fills it in, and where even that fails
    the resolved path still catches links and overlapping roots, so loops
    cannot hang the walk on any platform."""
    if st.st_ino:
        return (st.st_dev, st.st_ino)
    full = os.stat(path)
    if full.st_ino:
        return (full.st_dev, full.st_ino)
    return os.path.realpath(path)


@dataclass(frozen=True, slots=True)
class _Frame:
    """A folder on the current walk path; the chain of parents tells a link
    back to an ancestor (a loop) from a second way into a finished folder."""

    key: _Identity
    parent: _Frame | None


@dataclass(frozen=True, slots=True)
class _Walk:
    """The settings and memory of one discover() call. The sets are shared by
    all roots so that overlapping roots yield each file once."""

    matches: Callable[[str], bool]
    follow_links: bool
    limit: int | None
    seen_files: set[_Identity]
    seen_dirs: set[_Identity]


def discover(
    paths: Iterable[PathArg] | PathArg,
    *,
    globs: Iterable[str] | str = DEFAULT_GLOBS,
    follow_links: bool = False,
    max_file_size: int | None = DEFAULT_MAX_FILE_SIZE,
) -> Iterator[SourceFile | Skip]:
    """Yield the files to scan below ``paths``, and a :class:`Skip` for each
    path left out.

    Folders are walked recursively and only names matching one of ``globs``
    are taken; a file named directly is taken whatever its name, because the
    user chose it. Every given path is checked before anything is yielded, so
    a typo fails fast with :class:`InputError` rather than after a long scan.

    Order is by path components within each root, roots in the order given,
    so two runs over the same tree report the same way on any file system.
    A file reached twice (overlapping roots, hard or symbolic links) is
    yielded once, under the first path.

    Symbolic links found inside folders are reported, not followed, unless
    ``follow_links``; links named directly are followed (like ``find -H``).
    Files are only stat-ed here, never opened, so special files cannot block
    and large trees stay fast. ``max_file_size=None`` means no limit.
    """
    if isinstance(paths, str | bytes | os.PathLike):
        paths = [paths]
    roots = [_as_str_path(p) for p in paths]
    _check_limit(max_file_size)
    walk = _Walk(
        matches=_compile_globs(globs),
        follow_links=follow_links,
        limit=max_file_size,
        seen_files=set(),
        seen_dirs=set(),
    )
    for root in roots:
        _require_exists(root)
    return _walk_roots(roots, walk)


def _require_exists(path: str) -> None:
    """Raise InputError for a path that names nothing. A path that exists but
    cannot be examined (permissions, a broken link) is left to the walk,
    which reports it as a Skip like any other unreadable input."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        if not os.path.lexists(path):
            raise InputError(f"no such file or directory: {display_path(path)}") from exc
    except ValueError as exc:
        # An embedded NUL or an unencodable surrogate: no file can have it.
        raise InputError(f"invalid path: {display_path(path)}") from exc
    except OSError:
        pass


def _walk_roots(roots: list[str], walk: _Walk) -> Iterator[SourceFile | Skip]:
    for root in roots:
        yield from _walk_root(root, walk)


def _walk_root(root: str, walk: _Walk) -> Iterator[SourceFile | Skip]:
    try:
        outcome = _examine_root(root, walk)
    except OSError as exc:
        outcome = Skip(root, _missing_reason(root, exc))
    except ValueError:
        outcome = Skip(root, "invalid path")
    if isinstance(outcome, _Frame):
        yield from _walk_tree(root, outcome, walk)
    elif outcome is not None:
        yield outcome


def _examine_root(root: str, walk: _Walk) -> SourceFile | Skip | _Frame | None:
    """Like _examine, for a path the user named: a link is followed and the
    globs do not apply, because the user chose this path explicitly."""
    st = os.stat(root)
    if stat.S_ISDIR(st.st_mode):
        return _enter_dir(root, st, None, walk, is_link=False)
    if stat.S_ISREG(st.st_mode):
        return _accept_file(root, st, walk)
    return Skip(root, NOT_REGULAR)


def _missing_reason(path: str, exc: OSError) -> str:
    """A stat that follows links failed: say whether the link or the file is
    the problem, since "vanished" for a dangling link would mislead."""
    if isinstance(exc, FileNotFoundError) and os.path.islink(path):
        return BROKEN_LINK
    return _os_error_reason(exc)


def _walk_tree(root: str, root_frame: _Frame, walk: _Walk) -> Iterator[SourceFile | Skip]:
    """Depth-first walk with an explicit stack, so depth is limited by the
    file system, not by Python's recursion limit. Entries are pushed in
    reverse name order, which makes the output sorted by path components."""
    stack: list[tuple[os.DirEntry[str], _Frame]] = []
    listing = _list_dir(root)
    if isinstance(listing, Skip):
        yield listing
        return
    stack.extend((entry, root_frame) for entry in reversed(listing))
    while stack:
        entry, parent = stack.pop()
        try:
            outcome = _examine(entry, parent, walk)
        except OSError as exc:
            outcome = Skip(entry.path, _os_error_reason(exc))
        if isinstance(outcome, _Frame):
            listing = _list_dir(entry.path)
            if isinstance(listing, Skip):
                yield listing
            else:
                stack.extend((child, outcome) for child in reversed(listing))
        elif outcome is not None:
            yield outcome


def _list_dir(path: str) -> list[os.DirEntry[str]] | Skip:
    """A folder's entries sorted by name, or a Skip if it cannot be listed.
    A listing that fails half-way is dropped whole: a partial folder would be
    reported as complete."""
    try:
        with os.scandir(path) as entries:
            listing = list(entries)
    except OSError as exc:
        return Skip(path, _os_error_reason(exc))
    listing.sort(key=lambda entry: entry.name)
    return listing


def _examine(
    entry: os.DirEntry[str], parent: _Frame, walk: _Walk
) -> SourceFile | Skip | _Frame | None:
    """Decide what one folder entry is: a file to yield, a Skip, a folder to
    descend into (a new _Frame), or None for a name the globs leave out.
    The stat happens here, when the entry is reached, so a file or folder
    removed after its parent was listed is noticed and reported."""
    is_link = entry.is_symlink()
    if is_link and not walk.follow_links:
        return _unfollowed_link(entry, walk)
    wanted = walk.matches(entry.name)
    # d_type from the listing answers is_dir without a system call, so names
    # the globs reject are never stat-ed.
    if not wanted and not is_link and not entry.is_dir(follow_symlinks=False):
        return None
    try:
        st = entry.stat(follow_symlinks=True)
    except FileNotFoundError:
        if is_link and os.path.lexists(entry.path):
            return Skip(entry.path, BROKEN_LINK) if wanted else None
        raise
    if stat.S_ISDIR(st.st_mode):
        return _enter_dir(entry.path, st, parent, walk, is_link=is_link)
    if not wanted:
        return None
    if stat.S_ISREG(st.st_mode):
        return _accept_file(entry.path, st, walk)
    return Skip(entry.path, NOT_REGULAR)


def _unfollowed_link(entry: os.DirEntry[str], walk: _Walk) -> Skip | None:
    """Report a link that is not followed when following it could matter: a
    link to a folder (it may hold matching files) or a link whose own name
    matches. A link called ``logo.png`` would not be read anyway."""
    path = entry.path
    if os.path.isdir(path):
        return Skip(path, LINK_NOT_FOLLOWED)
    if not walk.matches(entry.name):
        return None
    if not os.path.exists(path):
        return Skip(path, BROKEN_LINK)
    return Skip(path, LINK_NOT_FOLLOWED)


def _enter_dir(
    path: str, st: os.stat_result, parent: _Frame | None, walk: _Walk, *, is_link: bool
) -> _Frame | Skip | None:
    """A frame for a folder not seen before. A folder already seen is either
    an ancestor (a loop: reported, never entered, so the walk ends) or was
    walked through another path (nothing new below it: silently left out)."""
    key = _identity(path, st)
    if key in walk.seen_dirs:
        frame = parent
        while frame is not None:
            if frame.key == key:
                return Skip(path, SYMLINK_LOOP if is_link else "folder loop (bind mount?)")
            frame = frame.parent
        return None
    walk.seen_dirs.add(key)
    return _Frame(key, parent)


def _accept_file(path: str, st: os.stat_result, walk: _Walk) -> SourceFile | Skip | None:
    key = _identity(path, st)
    if key in walk.seen_files:
        return None
    walk.seen_files.add(key)
    if _exceeds(st.st_size, walk.limit):
        return Skip(path, _too_large(walk.limit or 0))
    return SourceFile(path, st.st_size)


# --------------------------------------------------------------------------
# Decoding

# Longest marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_BOM_FIRST_BYTES = frozenset(bom[:1] for bom, _ in _BOMS)

_HIGH_BYTES = bytes(range(0x80, 0x100))
_C1_BYTES = bytes(range(0x80, 0xA0))
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"


def _legacy_table() -> str:
    # cp1252 where it defines a byte, Latin-1 (the byte's own code point)
    # for the five it does not, so every byte decodes to exactly one char.
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_LEGACY_TABLE = _legacy_table()


def _sniff_bom(data: bytes) -> tuple[str, int] | None:
    """The codec named by a byte order mark and the mark's length."""
    if data[:1] not in _BOM_FIRST_BYTES:
        # Most files: one lookup, where trying five marks took ~1.5 us a call.
        return None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec == "utf-32-le" and not _valid(data[len(bom) :], codec):
                # FF FE 00 00 is also UTF-16 LE text starting with U+0000.
                return "utf-16-le", len(codecs.BOM_UTF16_LE)
            return codec, len(bom)
    return None


def _valid(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes; never raises. See the module docstring for the
    rule. Line endings and all other characters are kept as they are, so
    offsets into the text match the file."""
    bom = _sniff_bom(data)
    if bom is not None:
        codec, skip = bom
        if codec == "utf-8-sig":
            return _decode_utf8(data[skip:], label="utf-8-sig", legacy_allowed=False)
        return _decode_unicode(data[skip:], codec)
    return _decode_utf8(data, label="utf-8", legacy_allowed=True)


def _decode_unicode(data: bytes, codec: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), codec)
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        warning = f"invalid {codec.upper()} data; undecodable bytes replaced with U+FFFD"
        return Decoded(text, f"{codec} (with replacement)", warning)


def _decode_utf8(data: bytes, *, label: str, legacy_allowed: bool) -> Decoded:
    """Strict UTF-8, else damaged UTF-8 or a legacy code page, by the counts
    of valid multi-byte characters and invalid bytes. The counts come from
    whole-buffer C operations, so a 100 MB legacy file costs a few passes,
    not a Python loop per byte."""
    try:
        return Decoded(data.decode("utf-8"), label)
    except UnicodeDecodeError:
        pass
    ascii_count = len(data.translate(None, _HIGH_BYTES))
    # errors="ignore" drops exactly the invalid bytes; ASCII bytes are never
    # swallowed by an invalid sequence, so what remains beyond the ASCII are
    # the valid multi-byte characters.
    kept = data.decode("utf-8", errors="ignore")
    valid_chars = len(kept) - ascii_count
    valid_bytes = len(kept.encode("utf-8")) - ascii_count
    invalid_bytes = len(data) - ascii_count - valid_bytes
    if legacy_allowed and valid_chars <= invalid_bytes:
        return _decode_legacy(data)
    text = data.decode("utf-8", errors="replace")
    warning = f"{invalid_bytes} invalid UTF-8 byte(s) replaced with U+FFFD"
    return Decoded(text, f"{label} (with replacement)", warning)


def _decode_legacy(data: bytes) -> Decoded:
    """cp1252 with Latin-1 for its undefined bytes. The label says latin-1
    when no byte in 0x80-0x9F occurs, because then the two agree and
    ISO 8859-1 is the plainer claim."""
    text = codecs.charmap_decode(data, "strict", _LEGACY_TABLE)[0]
    has_c1 = len(data.translate(None, _C1_BYTES)) != len(data)
    label = "cp1252" if has_c1 else "latin-1"
    warning = f"not valid UTF-8; decoded as {label}"
    undefined = sum(data.count(byte) for byte in _CP1252_UNDEFINED)
    if undefined:
        warning += f" ({undefined} byte(s) undefined in cp1252 kept as Latin-1 controls)"
    return Decoded(text, label, warning)


# --------------------------------------------------------------------------
# Binary sniffing

# (signature, offset, kind). Only signatures a text file cannot plausibly
# start with: each contains a control byte or is a distinctive ASCII tag.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "PNG image"),
    (b"\xff\xd8\xff", 0, "JPEG image"),
    (b"GIF87a", 0, "GIF image"),
    (b"GIF89a", 0, "GIF image"),
    (b"II*\x00", 0, "TIFF image"),
    (b"MM\x00*", 0, "TIFF image"),
    (b"%PDF-", 0, "PDF document"),
    (b"\x1f\x8b", 0, "gzip archive"),
    (b"PK\x03\x04", 0, "zip archive"),
    (b"PK\x05\x06", 0, "zip archive"),
    (b"PK\x07\x08", 0, "zip archive"),
    (b"\xfd7zXZ\x00", 0, "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"(\xb5/\xfd", 0, "zstd archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"ustar", 257, "tar archive"),
    (b"\x7fELF", 0, "ELF executable"),
    (b"\xcf\xfa\xed\xfe", 0, "Mach-O executable"),
    (b"\xce\xfa\xed\xfe", 0, "Mach-O executable"),
    (b"\xca\xfe\xba\xbe", 0, "Java class or Mach-O executable"),
    (b"\x00asm", 0, "WebAssembly module"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "MS Office document"),
    (b"SQLite format 3\x00", 0, "SQLite database"),
    (b"\x1a\x45\xdf\xa3", 0, "Matroska/WebM video"),
    (b"ftyp", 4, "MP4/QuickTime media"),
    (b"OggS\x00", 0, "Ogg media"),
    (b"fLaC", 0, "FLAC audio"),
    (b"ID3\x02", 0, "MP3 audio"),
    (b"ID3\x03", 0, "MP3 audio"),
    (b"ID3\x04", 0, "MP3 audio"),
)

_RIFF_KINDS = {b"WAVE": "WAV audio", b"AVI ": "AVI video", b"WEBP": "WebP image"}

# Control bytes that ordinary text uses: backspace (man page overstrike),
# tab, LF, VT, FF, CR, escape (terminal colours in logs).
_TEXT_CONTROLS = "\b\t\n\x0b\x0c\r\x1b"
_BINARY_CONTROLS = bytes(b for b in [*range(0x20), 0x7F] if chr(b) not in _TEXT_CONTROLS)
_BINARY_CONTROL_CHARS = re.compile(
    "[" + re.escape("".join(map(chr, _BINARY_CONTROLS))) + "\x80-\x9f]"
)


def _magic_index() -> dict[tuple[int, int], list[tuple[bytes, str]]]:
    """_MAGIC's signatures by (offset, first byte), in _MAGIC's order: every
    file is sniffed, mostly text, which one lookup per offset turns away
    (30 ``startswith`` calls per file were a tenth of reading a corpus)."""
    index: dict[tuple[int, int], list[tuple[bytes, str]]] = {}
    for signature, offset, kind in _MAGIC:
        index.setdefault((offset, signature[0]), []).append((signature, kind))
    return index


_MAGIC_INDEX = _magic_index()
_MAGIC_OFFSETS = sorted({offset for _, offset, _ in _MAGIC})


def _magic_kind(head: bytes) -> str | None:
    # No file matches signatures at two offsets, so the order of offsets
    # does not change the answer.
    for offset in _MAGIC_OFFSETS:
        if offset < len(head):
            for signature, kind in _MAGIC_INDEX.get((offset, head[offset]), ()):
                if head.startswith(signature, offset):
                    return kind
    if head.startswith(b"RIFF") and head[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[head[8:12]]
    if head.startswith(b"BZh") and head[3:4].isdigit() and head.startswith(b"1AY&SY", 4):
        return "bzip2 archive"
    return None


def _binary_reason(head: bytes) -> str | None:
    """Why the first bytes of a file say it is not text, or None if text.

    NUL bytes are binary unless a byte order mark or the BOM-less UTF-16
    pattern explains them; otherwise too many control bytes are.
    """
    kind = _magic_kind(head)
    if kind is not None:
        return f"binary file ({kind})"
    bom = _sniff_bom(head)
    if bom is not None:
        codec, skip = bom
        sample = head[skip:].decode(codec.removesuffix("-sig"), errors="replace")
        return "binary file" if _binary_text(sample) else None
    if b"\x00" in head:
        return None if _bomless_utf16(head) else "binary file"
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    return "binary file" if controls > _MAX_CONTROL_SHARE * len(head) else None


def _binary_text(sample: str) -> bool:
    """The decoded-text version of the control-byte rule, for BOM and UTF-16
    input, where C1 controls (U+0080-U+009F) are real controls too."""
    if "\x00" in sample:
        return True
    controls = len(_BINARY_CONTROL_CHARS.findall(sample))
    return controls > _MAX_CONTROL_SHARE * len(sample)


def _bomless_utf16(head: bytes) -> str | None:
    """The UTF-16 codec that explains the NULs in ``head``, if one does.

    Mostly-ASCII UTF-16 puts a NUL in the high byte of nearly every code
    unit. Required: at least half the high bytes are NUL, and the text
    decodes with at most one bad code unit (a surrogate pair cut at the end
    of the sample), no U+0000 and few controls. Little-endian is tried first
    because Windows, the main source of such files, writes it.
    """
    even_length = len(head) - len(head) % 2
    if even_length < 4:
        return None
    units = even_length // 2
    for codec, high_bytes in (
        ("utf-16-le", head[1:even_length:2]),
        ("utf-16-be", head[0:even_length:2]),
    ):
        if high_bytes.count(0) * 2 < units:
            continue
        sample = head[:even_length].decode(codec, errors="replace")
        if sample.count("\ufffd") <= 1 and not _binary_text(sample):
            return codec
    return None


def _decode_guessed_utf16(data: bytes, codec: str) -> Decoded:
    text = data.decode(codec, errors="replace")
    warning = f"no byte order mark; decoded as {codec.upper()} from its NUL byte pattern"
    return Decoded(text, codec, warning)


def _decode_file(data: bytes) -> Decoded:
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head and _sniff_bom(head) is None:
        codec = _bomless_utf16(head)
        if codec is not None:
            return _decode_guessed_utf16(data, codec)
    return decode(data)


# --------------------------------------------------------------------------
# Reading

# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
# forever; the fstat below then rejects it. O_NOCTTY: a terminal device named
# as input must not become this process's controlling terminal. O_BINARY:
# Windows would otherwise translate line endings.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_document(
    source: SourceFile | PathArg, *, max_file_size: int | None = DEFAULT_MAX_FILE_SIZE
) -> Decoded | Skip:
    """Read and decode one file, or say why it was skipped; never raises.

    The file is checked again when opened (it may have been replaced by a
    FIFO or a folder, or have grown past ``max_file_size`` since discovery),
    and reading stops one byte past the limit, so a file that keeps growing
    cannot exhaust memory. Binary files are recognised from their first
    8 KiB and not read further.
    """
    path = source.path if isinstance(source, SourceFile) else _as_str_path(source)
    try:
        _check_limit(max_file_size)
        return _read_and_decode(path, max_file_size)
    except OSError as exc:
        return Skip(path, _os_error_reason(exc))
    except ValueError:
        # An embedded NUL or unencodable surrogate in the path, or a bad limit.
        return Skip(path, "invalid path or size limit")
    except MemoryError:
        return Skip(path, "too large to load into memory")


def _read_and_decode(path: str, limit: int | None) -> Decoded | Skip:
    # A descriptor, not a file object: open() builds a raw and a buffered
    # file around it, which took most of the time of reading a news story
    # (a scan reads each file once, and again for the report's differences).
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(descriptor)
        if not stat.S_ISREG(st.st_mode):
            return Skip(path, "is a directory" if stat.S_ISDIR(st.st_mode) else NOT_REGULAR)
        if _exceeds(st.st_size, limit):
            return Skip(path, _too_large(limit or 0))
        head = _read_at_most(descriptor, _SNIFF_BYTES, _SNIFF_BYTES)
        reason = _binary_reason(head)
        if reason is not None:
            return Skip(path, reason)
        if len(head) < _SNIFF_BYTES:
            data = head
        else:
            os.lseek(descriptor, 0, os.SEEK_SET)
            # The stat size plus one: an unchanged file is one read into an
            # exactly sized buffer, and growth shows as the extra byte.
            data = _read_at_most(descriptor, st.st_size + 1, None if limit is None else limit + 1)
    finally:
        os.close(descriptor)
    if _exceeds(len(data), limit):
        return Skip(path, _too_large(limit or 0))
    decoded = _decode_file(data)
    # Not dataclasses.replace, which took 4 us a file (a tenth of reading one).
    return Decoded(decoded.text, decoded.encoding, decoded.warning, (st.st_size, st.st_mtime_ns))


def _read_at_most(descriptor: int, first: int, cap: int | None) -> bytes:
    """Read to the end, but never more than ``cap`` bytes; the first read asks
    for ``first`` (a read may return less than asked before the end)."""
    parts: list[bytes] = []
    total = 0
    want = first
    while cap is None or total < cap:
        chunk = os.read(descriptor, want if cap is None else min(want, cap - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = _READ_CHUNK
    return b"".join(parts)
