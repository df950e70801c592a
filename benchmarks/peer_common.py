"""What the peer adapters share: paragraph records in, dedupe-shaped report out.

text-dedup and datatrove deduplicate *documents*: they answer "which records
are near-duplicates of which", as clusters, with no offsets. The adapters
therefore feed them one paragraph per record and map each cluster back to
pairs: every member is paired with the cluster's first paragraph in corpus
order (the copy such a tool would keep), and the pair's sides are the two
whole paragraphs. A cluster of n paragraphs thus yields n - 1 matches, which
is how many duplicates the tool would drop.

Stdlib only: this module runs inside the peers' virtual environments.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from textio import iter_paragraphs

Paragraph = tuple[str, int, int, str]


def read_paragraphs(folder: Path) -> list[Paragraph]:
    """All paragraphs of the corpus, in the order their record numbers refer to."""
    return list(iter_paragraphs(folder))


def write_jsonl(paragraphs: Iterable[Paragraph], path: Path, first_id: int = 0) -> int:
    """Write ``{"id", "text"}`` records, ids counting from ``first_id``; returns the count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for i, (_, _, _, text) in enumerate(paragraphs, first_id):
            out.write(json.dumps({"id": str(i), "text": text}) + "\n")
            count += 1
    return count


def clusters_to_report(
    paragraphs: list[Paragraph], labels: dict[int, int], tool: str, settings: dict
) -> dict:
    """Turn ``{paragraph index: cluster label}`` into a report with star-shaped pairs."""
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in labels.items():
        members[label].append(index)
    matches = []
    for group in members.values():
        if len(group) < 2:
            continue
        keep, *dropped = sorted(group)
        for other in dropped:
            matches.append(_pair(paragraphs[keep], paragraphs[other]))
    return {
        "schema": f"{tool}.report/1",
        "settings": settings,
        "stats": {
            "paragraphs": len(paragraphs),
            "clusters": sum(len(g) > 1 for g in members.values()),
        },
        "matches": matches,
    }


def _pair(a: Paragraph, b: Paragraph) -> dict:
    return {
        "kind": "near",
        "similarity": None,
        "boilerplate": False,
        "a": {"path": a[0], "start": a[1], "end": a[2]},
        "b": {"path": b[0], "start": b[1], "end": b[2]},
    }


def adapter_arguments(description: str) -> argparse.ArgumentParser:
    """Command-line options common to the adapters."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("folder", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True, help="scratch folder (emptied)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--ngram", type=int, default=3)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--bands", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    return parser
