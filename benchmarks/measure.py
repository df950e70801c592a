"""Run a command as a child process and measure its wall time and peak memory.

Pure Python, no ``/usr/bin/time``. Two figures are taken:

* ``ru_maxrss`` of the tool, from ``os.wait4`` on it: the peak of its largest
  single process (Linux folds in the descendants it waited for).
* the peak *proportional* set size (PSS, from ``/proc/<pid>/smaps_rollup``) of
  its whole process tree, sampled every 50 ms at first and less often as the
  run goes on (up to once a second, so the sampling costs the tool next to
  no CPU): this catches worker pools, without counting pages that forked
  workers share once per worker. Sampling runs in a thread beside the
  ``wait4``, so the pause between samples never delays the end of the
  wall time.

The figure reported is the larger of the two; sampling alone could miss a
short spike.

Why a wrapper process: Linux carries a process's peak RSS across ``fork`` and
``exec``, so a tool started directly by the benchmark (which holds the
previous tools' reports in memory) would report at least the benchmark's
own size. ``run_measured`` therefore starts this module as a small
stdlib-only wrapper, which starts the tool and writes the measurement to a
JSON file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
FIRST_POLL_SECONDS = 0.05
LAST_POLL_SECONDS = 1.0
GRACE_SECONDS = 60  # extra time the wrapper gets beyond the tool's timeout


@dataclass(frozen=True)
class Measurement:
    """How one run went: exit status, seconds, and peak memory in bytes."""

    returncode: int
    wall_seconds: float
    max_rss_bytes: int  # largest single process (ru_maxrss)
    tree_pss_bytes: int  # largest sampled PSS sum over the process tree
    timed_out: bool

    @property
    def peak_rss_bytes(self) -> int:
        return max(self.max_rss_bytes, self.tree_pss_bytes)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def run_measured(
    command: Sequence[str],
    log: Path,
    timeout_seconds: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Run ``command`` (stdout and stderr to ``log``) through the measuring wrapper."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "measurement.json"
        wrapper = [
            sys.executable,
            __file__,
            "--result",
            str(result),
            "--timeout",
            str(timeout_seconds),
            "--",
            *command,
        ]
        with log.open("wb") as out:
            try:
                done = subprocess.run(
                    wrapper,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=cwd,
                    env=env,
                    timeout=timeout_seconds + GRACE_SECONDS,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return Measurement(-1, timeout_seconds + GRACE_SECONDS, 0, 0, True)
        if not result.exists():
            return Measurement(done.returncode or 1, 0.0, 0, 0, False)
        return Measurement(**json.loads(result.read_text()))


def measure(command: Sequence[str], timeout_seconds: float) -> Measurement:
    """Start ``command`` in its own process group and watch it until it exits.

    The wall time ends when ``wait4`` returns, not at the next memory sample:
    sampling runs in a thread, so the growing pause between samples (up to
    a second) never adds to a tool's time.
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, start_new_session=True)
    tree_peak = 0
    timed_out = False
    exited = threading.Event()

    def sample() -> None:
        nonlocal tree_peak, timed_out
        pause = FIRST_POLL_SECONDS
        while not exited.wait(pause):
            tree_peak = max(tree_peak, tree_memory(child.pid))
            if time.perf_counter() - started > timeout_seconds and not timed_out:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
            pause = min(LAST_POLL_SECONDS, pause * 1.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    exited.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)  # stray workers left in its group, if any
    return Measurement(child.returncode, wall, usage.ru_maxrss * 1024, tree_peak, timed_out)


def tree_memory(root: int) -> int:
    """PSS bytes of ``root`` and all its descendants, read from ``/proc``."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = _parent_pid(entry.name)
            if parent is not None:
                children[parent].append(int(entry.name))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _proportional_bytes(pid)
        stack.extend(children.get(pid, ()))
    return total


def _parent_pid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after it.
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _proportional_bytes(pid: int) -> int:
    """PSS of one process; its RSS where smaps_rollup is unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure one command (used by run_measured).")
    parser.add_argument("--result", type=Path, required=True, help="where to write the JSON")
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    measurement = measure(command, args.timeout)
    args.result.write_text(json.dumps(asdict(measurement)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
