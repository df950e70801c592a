"""The tools the benchmark runs side by side, each as a measured subprocess.

A tool turns a corpus folder into a dedupe-shaped JSON report. Running every
tool as its own process (start-up included) makes the wall time and the peak
memory figures comparable, and keeps a crash or a runaway in one tool from
taking the benchmark down.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from measure import Measurement, run_measured
from peers import Peer, ensure_installed

BENCH_DIR = Path(__file__).resolve().parent
# dedupe's optional compiled kernels: one per src/dedupe/_<stage>_batch.c,
# as setup.py builds them.
KERNELS = tuple(
    sorted(path.stem for path in (BENCH_DIR.parent / "src" / "dedupe").glob("_*_batch.c"))
)

@dataclass
class Tool(ABC):
    """A named command producing a report; ``unavailable`` explains a skip."""

    name: str
    version: str = ""

    def unavailable(self) -> str | None:
        return None

    @abstractmethod
    def command(self, folder: Path, output: Path, workdir: Path) -> list[str]:
        """The argv that reads ``folder`` and writes the report to ``output``."""


def dedupe_invocation() -> list[str]:
    """The ``dedupe`` console script, or ``python -m dedupe`` where it is not installed."""
    script = shutil.which("dedupe")
    return [script] if script else [sys.executable, "-m", "dedupe"]


def dedupe_missing() -> str | None:
    """Why dedupe (this project's, not the unrelated PyPI 'dedupe') cannot run, or None."""
    try:
        importlib.metadata.version("dedupe-passages")
    except importlib.metadata.PackageNotFoundError:
        return "dedupe-passages is not installed (pip install -e .)"
    probe = subprocess.run(
        [sys.executable, "-c", "import dedupe; dedupe.scan"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return "`import dedupe; dedupe.scan` fails: " + probe.stderr.strip().splitlines()[-1]
    return None


@dataclass
class Dedupe(Tool):
    """``dedupe scan FOLDER --format json -o OUT`` with extra options (``--jobs`` etc.)."""

    options: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        try:
            self.version = importlib.metadata.version("dedupe-passages")
        except importlib.metadata.PackageNotFoundError:
            self.version = ""
            return
        # Which kernels ran: the compiled ones or numpy's (no C compiler at
        # install, or DEDUPE_NO_COMPILED set). Tables must say.
        compiled = not os.environ.get("DEDUPE_NO_COMPILED") and all(
            importlib.util.find_spec(f"dedupe.{name}") is not None
            for name in KERNELS
        )
        self.version += ", compiled kernels" if compiled else ", numpy kernels"

    def unavailable(self) -> str | None:
        return dedupe_missing()

    def command(self, folder: Path, output: Path, workdir: Path) -> list[str]:
        return [
            *dedupe_invocation(),
            "scan",
            str(folder),
            "--format",
            "json",
            "-o",
            str(output),
            *self.options,
        ]


@dataclass
class Script(Tool):
    """A script of this suite run with the current Python (baseline, all-pairs)."""

    script: str = ""
    options: list[str] = field(default_factory=list)

    def command(self, folder: Path, output: Path, workdir: Path) -> list[str]:
        return [
            sys.executable,
            str(BENCH_DIR / self.script),
            str(folder),
            "-o",
            str(output),
            *self.options,
        ]


@dataclass
class PeerTool(Tool):
    """A peer in its own venv, driven by its adapter script at a shared LSH operating point."""

    peer: Peer | None = None
    logs: Path = BENCH_DIR / "out"
    options: list[str] = field(default_factory=list)
    _python: Path | None = field(default=None, init=False, repr=False)
    _why: str | None = field(default=None, init=False, repr=False)

    def unavailable(self) -> str | None:
        if self._python is None and self._why is None:
            assert self.peer is not None
            installed = ensure_installed(self.peer, self.logs / f"install-{self.name}.log")
            self._python, self.version = installed.python, installed.version
            self._why = None if installed.python else installed.why
        return self._why

    def command(self, folder: Path, output: Path, workdir: Path) -> list[str]:
        assert self.peer is not None and self._python is not None
        return [
            str(self._python),
            str(BENCH_DIR / self.peer.adapter),
            str(folder),
            "-o",
            str(output),
            "--workdir",
            str(workdir),
            *self.options,
        ]


@dataclass
class ToolResult:
    """One tool's run on one corpus: its measurement and report, or why there is none."""

    tool: Tool
    measurement: Measurement | None = None
    report: dict | None = None
    problem: str | None = None  # "skipped: ..." or "failed: ..."

    @property
    def candidates(self) -> int | None:
        """Candidate pairs checked, where the tool's report says (dedupe, baseline)."""
        if self.report is None:
            return None
        for holder in (self.report.get("stats"), self.report.get("summary"), self.report):
            if isinstance(holder, dict) and isinstance(holder.get("candidates"), int):
                return holder["candidates"]
        return None


def run_tool(tool: Tool, folder: Path, out_dir: Path, timeout: float) -> ToolResult:
    """Run ``tool`` on ``folder`` as a measured subprocess and load its report."""
    why = tool.unavailable()
    if why:
        return ToolResult(tool, problem=f"skipped: {why}")
    warm_files(folder)
    slug = re.sub(r"[^a-z0-9]+", "-", tool.name.lower()).strip("-")
    output, log, work = out_dir / f"{slug}.json", out_dir / f"{slug}.log", out_dir / f"{slug}.work"
    output.unlink(missing_ok=True)
    print(f"  running {tool.name} ...", flush=True)
    measurement = run_measured(tool.command(folder, output, work), log, timeout)
    shutil.rmtree(work, ignore_errors=True)
    if measurement.timed_out:
        return ToolResult(tool, measurement, problem=f"failed: timed out after {timeout:.0f} s")
    if measurement.returncode != 0 or not output.exists():
        return ToolResult(
            tool,
            measurement,
            problem=f"failed: exit {measurement.returncode}, {_last_line(log)} (log: {log})",
        )
    print(f"    {measurement.wall_seconds:.1f} s", flush=True)
    return ToolResult(tool, measurement, json.loads(output.read_text(encoding="utf-8")))


def warm_files(folder: Path) -> None:
    """Read every file under ``folder`` once before a tool is timed, so each
    tool finds the corpus in the page cache, not only those after the first.
    On the development machine the cache does not keep a corpus between runs
    reliably: the first tool on a cold 50 MB corpus paid 2 s (11.4 against
    9.4-9.8 s warm), and 11 s right after a 1 GB run."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 20):
                    pass


def _last_line(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"
