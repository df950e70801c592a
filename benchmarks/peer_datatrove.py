"""Run datatrove's four-stage MinHash deduplication on a corpus, one paragraph per record.

Runs inside ``benchmarks/.venvs/datatrove`` (``peers.py`` creates it). The
paragraphs are written as ``--jobs`` JSON-lines shards, then datatrove's
documented pipeline runs on them with ``LocalPipelineExecutor``: signatures,
LSH buckets, clustering (``save_cluster_id=True``) and the filter that writes
kept and removed records. Cluster membership is read from the ``.clusters``
files the clustering stage writes (record index within its shard, cluster
id), and turned into pairs as ``peer_common.py`` describes.

datatrove's own defaults are 5-grams with 14 bands x 8 rows (a threshold near
0.72); here it runs at the suite's shared operating point instead (word n-gram
size and bands x rows), with its default text normalisation and 64-bit hashes.
"""

from __future__ import annotations

import json
import shutil
import struct
import sys
from pathlib import Path

from peer_common import (
    Paragraph,
    adapter_arguments,
    clusters_to_report,
    read_paragraphs,
    write_jsonl,
)


def write_shards(paragraphs: list[Paragraph], folder: Path, shards: int) -> list[int]:
    """Split the paragraphs into contiguous shards; returns each shard's first index."""
    folder.mkdir(parents=True)
    size = -(-len(paragraphs) // shards)
    firsts = []
    for rank in range(shards):
        first = rank * size
        firsts.append(first)
        write_jsonl(paragraphs[first : first + size], folder / f"{rank:05d}.jsonl", first)
    return firsts


def read_clusters(folder: Path, firsts: list[int]) -> dict[int, int]:
    """``{paragraph index: cluster id}`` from the clustering stage's ``.clusters`` files."""
    labels = {}
    for rank, first in enumerate(firsts):
        path = folder / f"{rank:06d}.clusters"
        if not path.exists():
            continue
        data = path.read_bytes()
        for doc, cluster in struct.iter_unpack("<II", data):
            labels[first + doc] = cluster
    return labels


def main(argv: list[str] | None = None) -> int:
    args = adapter_arguments(__doc__.split("\n\n")[0]).parse_args(argv)
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.dedup.minhash import MinhashConfig
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    paragraphs = read_paragraphs(args.folder)
    shards = max(1, min(args.jobs, len(paragraphs)))
    firsts = write_shards(paragraphs, work / "input", shards)
    config = MinhashConfig(n_grams=args.ngram, num_buckets=args.bands, hashes_per_bucket=args.rows)

    def stage(pipeline: list, tasks: int, name: str) -> None:
        LocalPipelineExecutor(
            pipeline=pipeline, tasks=tasks, workers=args.jobs, logging_dir=str(work / "logs" / name)
        ).run()

    stage(
        [
            JsonlReader(str(work / "input")),
            MinhashDedupSignature(output_folder=str(work / "signatures"), config=config),
        ],
        shards,
        "signatures",
    )
    stage(
        [
            MinhashDedupBuckets(
                input_folder=str(work / "signatures"),
                output_folder=str(work / "buckets"),
                config=config,
            )
        ],
        config.num_buckets,
        "buckets",
    )
    stage(
        [
            MinhashDedupCluster(
                input_folder=str(work / "buckets"),
                output_folder=str(work / "remove_ids"),
                config=config,
                save_cluster_id=True,
            )
        ],
        1,
        "clusters",
    )
    stage(
        [
            JsonlReader(str(work / "input")),
            MinhashDedupFilter(
                input_folder=str(work / "remove_ids"),
                exclusion_writer=JsonlWriter(str(work / "removed")),
            ),
            JsonlWriter(str(work / "kept")),
        ],
        shards,
        "filter",
    )

    labels = read_clusters(work / "remove_ids", firsts)
    settings = {
        "ngram": args.ngram,
        "bands": args.bands,
        "rows": args.rows,
        "num_perm": args.bands * args.rows,
    }
    report = clusters_to_report(paragraphs, labels, "datatrove", settings)
    args.output.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
