"""The hand-written pipeline dedupe has to beat: what one would write in an afternoon.

Usage: ``python benchmarks/baseline_pipeline.py FOLDER -o OUT.json``

Per paragraph: lower-cased word 3-gram shingles, one ``MinHash.update`` per
shingle (128 permutations); a ``MinHashLSH(threshold=0.5)`` is queried before
each insert, and every candidate is confirmed with ``rapidfuzz.fuzz.ratio >= 50``
on the normalised (lower-cased, word-joined) paragraph texts. Paragraphs with
fewer than three words have no shingle and are skipped.

Exact duplicates (same normalised text) are linked to their first occurrence
and kept out of the index, as anyone would after the first run: otherwise a
boilerplate line repeated n times costs n^2/2 candidate checks and as many
reported pairs (tens of millions, and a 12 GB process, on the 100 MB corpus).

The output has the shape of dedupe's JSON report (whole paragraphs as spans,
nothing flagged as boilerplate) plus ``stats.candidates``, so the benchmark
scores it with the same code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from textio import iter_paragraphs, words

SHINGLE = 3
NUM_PERM = 128
LSH_THRESHOLD = 0.5
RATIO_CUTOFF = 50.0


def minhash(tokens: list[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM)
    for i in range(len(tokens) - SHINGLE + 1):
        m.update(" ".join(tokens[i : i + SHINGLE]).encode("utf-8"))
    return m


def run(folder: Path) -> dict:
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    paragraphs: list[tuple[str, int, int]] = []
    normalised: list[str] = []
    first_seen: dict[str, int] = {}
    matches = []
    candidates = 0
    total = 0
    for path, start, end, text in iter_paragraphs(folder):
        total += 1
        tokens = words(text)
        if len(tokens) < SHINGLE:
            continue
        key = len(paragraphs)
        paragraphs.append((path, start, end))
        normalised.append(" ".join(tokens))
        earlier = first_seen.setdefault(normalised[key], key)
        if earlier != key:
            matches.append(_match(paragraphs[earlier], paragraphs[key], 100.0))
            continue
        signature = minhash(tokens)
        for other in lsh.query(signature):
            candidates += 1
            similarity = fuzz.ratio(normalised[other], normalised[key])
            if similarity >= RATIO_CUTOFF:
                matches.append(_match(paragraphs[other], paragraphs[key], similarity))
        lsh.insert(key, signature)
    return {
        "schema": "baseline.report/1",
        "settings": {
            "shingle": SHINGLE,
            "num_perm": NUM_PERM,
            "lsh_threshold": LSH_THRESHOLD,
            "ratio_cutoff": RATIO_CUTOFF,
        },
        "stats": {"paragraphs": total, "indexed": len(first_seen), "candidates": candidates},
        "matches": matches,
    }


def _match(a: tuple[str, int, int], b: tuple[str, int, int], similarity: float) -> dict:
    return {
        "kind": "exact" if similarity == 100 else "near",
        "similarity": similarity / 100,
        "boilerplate": False,
        "a": {"path": a[0], "start": a[1], "end": a[2]},
        "b": {"path": b[0], "start": b[1], "end": b[2]},
        "spans": [{"a": [a[1], a[2]], "b": [b[1], b[2]]}],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    report = run(args.folder)
    args.output.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
