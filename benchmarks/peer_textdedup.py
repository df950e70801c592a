"""Run text-dedup's MinHash deduplication on a corpus, one paragraph per record.

Runs inside ``benchmarks/.venvs/text-dedup`` (``peers.py`` creates it). Steps:
write the paragraphs as JSON lines, run ``text_dedup.minhash`` on them (the
Hugging Face ``datasets`` loader, ``--column text``) with the suite's shared
operating point (word n-gram size, permutations and LSH bands x rows), read the
union-find it dumps in ``--debug`` mode, and write a dedupe-shaped report (see
``peer_common.py`` for how clusters become pairs).

Settings left at text-dedup's defaults: ``--min_length 5`` (records with fewer
tokens are dropped before hashing) and ``--hash_func sha1``.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sys

from peer_common import adapter_arguments, clusters_to_report, read_paragraphs, write_jsonl


def main(argv: list[str] | None = None) -> int:
    args = adapter_arguments(__doc__.split("\n\n")[0]).parse_args(argv)
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from text_dedup.minhash import main as minhash  # after the environment is set

    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    paragraphs = read_paragraphs(args.folder)
    records = args.workdir / "paragraphs.jsonl"
    write_jsonl(paragraphs, records)
    output = args.workdir / "deduplicated"
    minhash.main(
        args=[
            "--path",
            "json",
            "--data_files",
            str(records),
            "--split",
            "train",
            "--cache_dir",
            str(args.workdir / "cache"),
            "--output",
            str(output),
            "--column",
            "text",
            "--num_proc",
            str(args.jobs),
            "--debug",
            "--ngram",
            str(args.ngram),
            "--num_perm",
            str(args.num_perm),
            "--threshold",
            str(args.threshold),
            "--b",
            str(args.bands),
            "--r",
            str(args.rows),
        ],
        standalone_mode=False,
    )
    with (output / "uf.pkl").open("rb") as f:
        union_find = pickle.load(f)  # written by text-dedup itself a moment ago
    labels = {int(i): int(union_find.find(i)) for i in list(union_find.parent)}
    settings = {
        "ngram": args.ngram,
        "num_perm": args.num_perm,
        "threshold": args.threshold,
        "bands": args.bands,
        "rows": args.rows,
        "min_length": 5,
    }
    report = clusters_to_report(paragraphs, labels, "text-dedup", settings)
    args.output.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
