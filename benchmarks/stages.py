"""Time and peak memory of each stage of one dedupe scan, to see where it goes.

Usage: ``python benchmarks/stages.py FOLDER [--jobs N]``. Calls the stages of
:mod:`dedupe.pipeline` in the order :func:`dedupe.scan` does and prints, per
stage, the seconds it took and the process's peak RSS so far.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import time


def peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    started = time.perf_counter()
    gc.disable()  # as dedupe.scan runs its stages
    from dedupe import api, pipeline, sources
    from dedupe.settings import Settings

    rows: list[tuple[str, float, str]] = []
    last = started

    def lap(stage: str, detail: str = "") -> None:
        nonlocal last
        now = time.perf_counter()
        rows.append((stage, now - last, f"{detail}; peak {peak_mib():,} MiB".lstrip("; ")))
        last = now

    lap("import")
    settings = Settings()
    found = [f for f in sources.discover([args.folder]) if isinstance(f, sources.SourceFile)]
    corpus = pipeline.Corpus(settings)
    fingerprints = []
    for batch in api._map_sketches(found, settings, 1 << 30, args.jobs):
        read = [item for item in batch.items if isinstance(item, tuple)]
        corpus.add_many([document for document, _ in read], batch.sketch)
        fingerprints.extend(fingerprint for _, fingerprint in read)
    lap("read + sketch", f"{len(found):,} files")
    frozen = corpus.freeze()
    lap("freeze", f"{len(frozen):,} paragraphs")
    paths = [os.path.abspath(d.path) for d in frozen.documents]
    text_of = api._FileTexts(frozen.documents, paths, fingerprints, 1 << 30)
    text = pipeline.ParagraphText(frozen, text_of)
    candidates = pipeline.find_candidates(frozen, jobs=args.jobs)
    lap("candidates", f"{len(candidates.pairs):,} pairs")
    forked = api._can_fork(args.jobs)
    confirmer = api._forked_confirmation(frozen, text_of, args.jobs) if forked else None
    pairs = pipeline.confirm(frozen, candidates.pairs, text, map_chunks=confirmer)
    lap("confirm", f"{len(pairs):,} pairs")
    matcher = api._forked_matches(frozen, text_of, args.jobs) if forked else None
    report = pipeline.build_report(frozen, pairs, text, stats={}, map_matches=matcher)
    lap("report", f"{len(report.matches):,} matches")
    size = sum(len(piece) for piece in report.json_chunks())
    lap("json", f"{size / 1e6:.1f} MB")

    print("| stage | seconds | detail |\n| :-- | --: | :-- |")
    for stage, seconds, detail in rows:
        print(f"| {stage} | {seconds:.2f} | {detail} |")
    print(f"\ntotal {time.perf_counter() - started:.1f} s, peak RSS {peak_mib():,} MiB")


if __name__ == "__main__":
    main()
