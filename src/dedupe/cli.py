"""The ``dedupe`` command: a thin layer over :func:`dedupe.scan`.

Every scan option is a keyword argument of :func:`dedupe.scan` with the same
name (``--min-words`` is ``min_words``); the options of
:class:`dedupe.settings.Settings` are generated from its fields, so the two
cannot drift apart.

Exit status: 0 when the scan ran (copies or not); 1 with ``--fail-on-copies``
when copies were found, or with ``--strict`` when any input was skipped; 2 for
usage errors (including a path that does not exist).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import fields
from typing import Any

import click

from dedupe.formats import FORMATS
from dedupe.settings import Settings

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
# Set by run(), which ends the process: what a command keeps here is never
# freed (see run). None when the commands are called otherwise (tests).
_KEPT_TO_EXIT: list[object] | None = None


class ByteSize(click.ParamType):
    """Sizes like ``1G``, ``500MB``, ``64k`` or plain bytes (powers of 1024)."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a size like 500M or 1G", param, ctx)
        number, unit = match.groups()
        return int(float(number) * _UNITS[(unit or "")[:1].lower()])


def _settings_options(command: Any) -> Any:
    """Add one option per :class:`Settings` field, typed by its default."""
    for spec in reversed(fields(Settings)):
        command = click.option(
            "--" + spec.name.replace("_", "-"),
            spec.name,
            type=type(spec.default),
            default=spec.default,
            show_default=True,
            help=spec.metadata.get("help"),
        )(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dedupe-passages", prog_name="dedupe")
def main() -> None:
    """Find duplicate and near-duplicate passages in text files."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--glob",
    "glob",
    multiple=True,
    metavar="PATTERN",
    help="File name pattern to scan inside folders (repeatable). [default: *.txt, *.md]",
)
@click.option("--follow-links", is_flag=True, help="Follow symbolic links.")
@click.option(
    "--max-file-size",
    type=ByteSize(),
    default="1G",
    show_default=True,
    help="Skip larger files.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes working at once. [default: all cores]",
)
@_settings_options
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=str), help="Write the report here."
)
@click.option("--fail-on-copies", is_flag=True, help="Exit with status 1 when copies are found.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any input was skipped.")
@click.option("--quiet", "-q", is_flag=True, help="No progress line and no warnings on stderr.")
def scan(
    paths: tuple[str, ...],
    format_: str,
    output: str | None,
    fail_on_copies: bool,
    strict: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Scan PATHS (files or folders, recursively) and report what repeats."""
    from dedupe import api, formats, sources
    from dedupe import output as output_stage
    from dedupe.progress import ProgressLine

    arguments = {k: v for k, v in options.items() if v is not None}
    setting_names = {spec.name for spec in fields(Settings)}
    try:
        Settings.from_kwargs(**{k: v for k, v in arguments.items() if k in setting_names})
    except ValueError as error:
        raise click.UsageError(str(error)) from None

    progress = ProgressLine(enabled=not quiet)
    try:
        report = api.scan(list(paths), progress=progress, **arguments)
    except sources.InputError as error:
        click.echo(f"dedupe: error: {error}", err=True)
        sys.exit(2)
    except api.InputChangedError as error:
        click.echo(f"dedupe: error: {error}", err=True)
        sys.exit(1)
    finally:
        progress.close()

    if _KEPT_TO_EXIT is not None:
        _KEPT_TO_EXIT.append(report)
    rendered = formats.render_chunks(report, format_)
    if output:
        output_stage.write_atomic(output, rendered)
    else:
        for piece in rendered:
            click.echo(piece, nl=False)
    if not quiet:
        for document in report.documents:
            if document.warning:
                click.echo(f"dedupe: warning: {document.path}: {document.warning}", err=True)
        for skipped in report.skipped:
            click.echo(f"dedupe: skipped {skipped.path}: {skipped.reason}", err=True)
    if (fail_on_copies and report.copies) or (strict and report.skipped):
        sys.exit(1)


def run() -> None:
    """The ``dedupe`` command once :func:`dedupe.__main__.main` has set up
    the process (the console script and ``python -m dedupe``): :func:`main`,
    then an immediate exit.

    Tearing the interpreter down frees every object of the run and collects
    them once more, for nothing: by then the report is written and its file
    closed. On the BBC corpus that took 0.05-0.08 s of a 0.8 s scan, against
    0.02 s this way. Output is flushed first; an error other than the exit
    itself leaves the normal way, with its traceback.

    For the same reason the cycle collector stays off for the whole command
    (``dedupe.__main__`` turns it off before the imports), not only during
    the scan (as :func:`dedupe.scan` pauses it): the first
    collections after the scan walked every object it made while the report
    was written, 0.06 and 0.03 s at 50 MB, and found nothing. And the report
    is kept to the end: freeing it when the command returned took 0.03 s.

    And freed memory is kept for reuse (:func:`_keep_freed_memory`)."""
    global _KEPT_TO_EXIT
    _keep_freed_memory()
    _KEPT_TO_EXIT = []
    try:
        main()
        code: int | str | None = 0
    except SystemExit as done:  # how click's standalone mode always ends
        code = done.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    status = 0 if code is None else code
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        status = status or 120  # what Python exits with when stdout cannot be flushed
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(status)


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _keep_freed_memory() -> None:
    """Have glibc's malloc keep freed blocks of up to 4 MiB, and up to
    32 MiB free at the top of its heap, for the next allocations.

    A scan makes and frees arrays of a few MB per batch of files. By default
    glibc raises its mmap threshold only as far as the largest block freed
    so far and hands memory back above a trim threshold of twice that, so
    many of those arrays were fresh pages from the kernel, each page a fault
    when first written: ~240,000 faults at 50 MB, 0.7-0.9 s of system time
    on two cores. With these thresholds: ~175,000 and 0.6-0.7 s, the same
    peak memory (a larger threshold, 256 MiB, added ~90 MB to it). Process
    wide, hence set by the command, not by the library. Elsewhere than glibc
    on Linux (musl's mallopt does nothing; macOS and Windows lack it) this
    does nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # numpy has imported it already

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt(_M_MMAP_THRESHOLD, 4 << 20)
    mallopt(_M_TRIM_THRESHOLD, 32 << 20)

