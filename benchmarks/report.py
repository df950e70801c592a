"""Markdown for RESULTS.md: the run's context and the result tables.

Numbers are only comparable with the machine and the command that produced
them, so every printout starts with both.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path

Cell = str | int | float | None


def machine() -> dict[str, str]:
    """CPU model, cores available, RAM and Python, read from /proc where possible."""
    model = "unknown CPU"
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    ram = "unknown"
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal"):
            ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
            break
    return {
        "cpu": model,
        "nproc": str(len(os.sched_getaffinity(0))),
        "ram": ram,
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def versions(distributions: Iterable[str]) -> dict[str, str]:
    found = {}
    for name in distributions:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def header(argv: Sequence[str]) -> str:
    """Command, date and machine, as Markdown."""
    m = machine()
    command = shlex.join(["python", *argv])
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    packages = versions(["dedupe-passages", "datasketch", "rapidfuzz", "numpy"])
    lines = [
        f"Command: `{command}`",
        "",
        f"Date: {date}",
        "",
        f"Machine: {m['cpu']}, {m['nproc']} cores available (nproc), {m['ram']} RAM, "
        f"{m['os']}, Python {m['python']}",
        "",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in packages.items()),
    ]
    return "\n".join(lines)


def fmt(value: Cell, digits: int = 3) -> str:
    """A table cell: '–' for missing, fixed decimals for floats, thousands for ints."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; the first column left-aligned, the others right-aligned."""
    align = [":--"] + ["--:"] * (len(columns) - 1)
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def bytes_to_mb(value: int | None) -> float | None:
    return None if value is None else value / 1e6
