"""Alternating timings: dedupe against one other tool, a run of each in turn.

Usage: ``python benchmarks/alternate.py FOLDER [--against baseline] [--pairs 7]
[--jobs N] [--target 20]``

The issue's speed targets are ratios of whole-process wall times (BBC News:
dedupe at least 20x faster than the hand-written pipeline; 50 MB: at least
10x faster than text-dedup). The machine's speed drifts by several percent
within minutes, so the two tools are timed one after the other, and the ratio
is taken between the medians. Prints every pair, the medians, their ratio and
how many pairs reach ``--target``; the reports are not scored (``run.py``
does). The commands are the suite's; the clock is ``perf_counter`` around the
child process, start included, without the suite's wrapper process and memory
sampling (``run_measured``), which take CPU from a tool using both cores (BBC
News, seven runs each: medians 0.389 s through it, 0.378 s without).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import TOOL_KEYS, compile_dedupe, planted_tools
from run import parse_args as suite_args
from tools import Tool, warm_files


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the corpus (e.g. ../shared/corpora/bbc-news)")
    others = [key for key in TOOL_KEYS if key not in ("dedupe", "allpairs")]
    parser.add_argument("--against", default="baseline", choices=others)
    parser.add_argument("--pairs", type=int, default=7, help="runs of each tool")
    parser.add_argument("--jobs", type=int, default=None, help="as in run.py (default: all cores)")
    parser.add_argument("--target", type=float, default=20.0, help="the ratio to count pairs at")
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    return args


def line_up(against: str, jobs: int | None, logs: Path) -> tuple[Tool, Tool]:
    """dedupe and the other tool, set up exactly as the suite runs them."""
    argv = ["--tools", f"dedupe,{against}", "--out", str(logs)]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    dedupe, other = planted_tools(suite_args(argv), size=0)
    return dedupe, other


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.folder.is_dir():
        print(f"no such folder: {args.folder}", file=sys.stderr)
        return 2
    compile_dedupe()
    with tempfile.TemporaryDirectory(prefix="alternate-") as scratch:
        work = Path(scratch)
        tools = line_up(args.against, args.jobs, work)
        for tool in tools:
            why = tool.unavailable()
            if why:
                print(f"{tool.name}: {why}", file=sys.stderr)
                return 1
        warm_files(args.folder)
        times: list[list[float]] = [[], []]
        for pair in range(1, args.pairs + 1):
            for tool, taken in zip(tools, times, strict=True):
                command = tool.command(args.folder, work / "report.json", work / "work")
                with (work / "log").open("wb") as log:
                    started = time.perf_counter()
                    # No timeout: with one, Popen.wait polls, and the end of
                    # the run is seen up to 50 ms late.
                    done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT)
                    taken.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(f"{tool.name} failed (exit {done.returncode})", file=sys.stderr)
                    return 1
            ours, theirs = times[0][-1], times[1][-1]
            print(f"pair {pair}: dedupe {ours:.3f} s, {tools[1].name} {theirs:.3f} s, "
                  f"{theirs / ours:.2f}x", flush=True)  # fmt: skip
    ours, theirs = statistics.median(times[0]), statistics.median(times[1])
    reached = sum(b / a >= args.target for a, b in zip(*times, strict=True))
    print(
        f"medians: dedupe {ours:.3f} s, {tools[1].name} {theirs:.3f} s: {theirs / ours:.2f}x; "
        f"{reached} of {args.pairs} pairs at {args.target:g}x or more"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
