"""Exhaustive all-pairs paragraph comparison: the recall ceiling and the BBC reference.

Usage: ``python benchmarks/allpairs.py FOLDER -o OUT.json [--cutoff 50]
[--min-words 3] [--budget 600]``

Every paragraph with at least ``--min-words`` word tokens is compared with
every other one by ``rapidfuzz.process.cdist`` (``workers=-1``) using
``fuzz.ratio`` on *word-token sequences*: each paragraph is lower-cased, cut
into ``\\w+`` words, and each distinct word becomes one integer, so the score
is the normalised Indel (LCS-based) similarity of the two word sequences,
x100. Pairs scoring at least ``--cutoff`` are reported.

Why words and not characters: the character-level ratio of two unrelated
English paragraphs of similar length is itself around 50 (common letters and
function words line up), so a character cutoff of 50 would call most of the
corpus duplicates. Word level keeps unrelated paragraphs near 20.

The comparison is quadratic, so it stops after ``--budget`` seconds; the
report's ``stats.complete`` and ``stats.rows_done`` then say how far it got.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from textio import iter_paragraphs, words

BLOCK_ROWS = 256


def encode(folder: Path, min_words: int) -> tuple[list[tuple[str, int, int]], list[list[int]]]:
    """Paragraph locations and their word sequences as integer lists."""
    vocabulary: dict[str, int] = {}
    where, sequences = [], []
    for path, start, end, text in iter_paragraphs(folder):
        tokens = words(text)
        if len(tokens) >= min_words:
            where.append((path, start, end))
            sequences.append([vocabulary.setdefault(t, len(vocabulary)) for t in tokens])
    return where, sequences


def similar_pairs(
    sequences: list[list[int]], cutoff: float, budget: float
) -> tuple[list[tuple[int, int, int]], int]:
    """All ``(i, j, score)`` with ``i < j`` and score >= cutoff; stops after ``budget`` s.

    Returns the pairs and the number of rows (``i`` values) fully compared.
    Each block of rows is compared only with the rows from its own first row
    on, which halves the work of a full matrix.
    """
    started = time.perf_counter()
    pairs: list[tuple[int, int, int]] = []
    rows = 0
    for first in range(0, len(sequences), BLOCK_ROWS):
        if time.perf_counter() - started > budget:
            break
        block = sequences[first : first + BLOCK_ROWS]
        scores = process.cdist(
            block,
            sequences[first:],
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        for r, c in zip(*np.nonzero(scores), strict=True):
            if c > r:  # column c is sequence first + c; keep the upper triangle
                pairs.append((first + int(r), first + int(c), int(scores[r, c])))
        rows = first + len(block)
    return pairs, rows


def report(
    where: list[tuple[str, int, int]], pairs: list[tuple[int, int, int]], rows: int, settings: dict
) -> dict:
    matches = []
    for i, j, score in pairs:
        (pa, sa, ea), (pb, sb, eb) = where[i], where[j]
        matches.append(
            {
                "kind": "exact" if score == 100 else "near",
                "similarity": score / 100,
                "boilerplate": False,
                "a": {"path": pa, "start": sa, "end": ea},
                "b": {"path": pb, "start": sb, "end": eb},
            }
        )
    stats = {
        "paragraphs": len(where),
        "rows_done": rows,
        "complete": rows == len(where),
        "comparisons": rows * len(where) - rows * (rows + 1) // 2,
    }
    return {"schema": "allpairs.report/1", "settings": settings, "stats": stats, "matches": matches}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--cutoff", type=float, default=50.0, help="fuzz.ratio cutoff, 0-100")
    parser.add_argument("--min-words", type=int, default=3)
    parser.add_argument("--budget", type=float, default=600.0, help="seconds before stopping")
    args = parser.parse_args(argv)
    where, sequences = encode(args.folder, args.min_words)
    pairs, rows = similar_pairs(sequences, args.cutoff, args.budget)
    settings = {
        "scorer": "fuzz.ratio on word-id sequences",
        "cutoff": args.cutoff,
        "min_words": args.min_words,
        "budget_s": args.budget,
    }
    args.output.write_text(json.dumps(report(where, pairs, rows, settings)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
