"""Install the peer tools (text-dedup, datatrove) into their own virtual environments.

Each peer gets ``benchmarks/.venvs/<name>`` (gitignored) so its dependency
pins (pyspark, datasets, spaCy, ...) never touch the environment dedupe is
measured in. Installation is via ``pip`` from the package index; when it
fails (no network, no wheel for this Python, a dependency conflict), the
reason is returned and the benchmark skips that peer instead of failing.
A marker file records a successful install so later runs skip pip.

Versions are pinned because the adapters (``peer_textdedup.py``,
``peer_datatrove.py``) drive internal APIs that change between releases.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
VENVS = BENCH_DIR / ".venvs"


@dataclass(frozen=True)
class Peer:
    """A peer tool: how to install it, check it, and which adapter drives it."""

    name: str
    distribution: str  # for reporting the installed version
    requirements: tuple[str, ...]
    check: str  # Python code that fails when the install is unusable
    adapter: str  # script in benchmarks/ run with the venv's Python


PEERS = (
    Peer(
        name="text-dedup",
        distribution="text-dedup",
        requirements=("text-dedup==0.4.0",),
        check="import text_dedup.minhash",
        adapter="peer_textdedup.py",
    ),
    Peer(
        name="datatrove",
        distribution="datatrove",
        # The MinHash steps import the "processing" extra; the JSONL reader needs
        # orjson and the English word tokenizer needs spaCy (a blank model).
        requirements=("datatrove[processing]==0.10.1", "orjson", "spacy"),
        check="import orjson, spacy; from datatrove.pipeline.dedup import MinhashDedupSignature",
        adapter="peer_datatrove.py",
    ),
)


@dataclass(frozen=True)
class Installed:
    python: Path | None  # None when unavailable
    version: str
    why: str  # reason it is unavailable, or how it was obtained


def ensure_installed(peer: Peer, log: Path, venvs: Path = VENVS) -> Installed:
    """Create ``venvs/<name>`` and pip-install the peer there unless already done."""
    venv = venvs / peer.name
    python = venv / "bin" / "python"
    marker = venv / ".benchmark-requirements"
    wanted = "\n".join(peer.requirements)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return Installed(python, _version(python, peer), "already installed")
    log.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            *peer.requirements,
        ],
        [str(python), "-c", peer.check],
    ]
    with log.open("w") as out:
        for step in steps:
            out.write("$ " + " ".join(step) + "\n")
            out.flush()
            done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, check=False)
            if done.returncode != 0:
                return Installed(None, "", f"`{' '.join(step[2:4])}` failed: {_last_error(log)}")
    marker.write_text(wanted)
    return Installed(python, _version(python, peer), "installed now")


def _version(python: Path, peer: Peer) -> str:
    code = f"import importlib.metadata as m; print(m.version({peer.distribution!r}))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "?"


def _last_error(log: Path) -> str:
    """The last meaningful line of an install log (pip ends with the actual error)."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    useful = [line for line in lines if line and not line.startswith("WARNING: Location")]
    return useful[-1][:200] if useful else "no output"
