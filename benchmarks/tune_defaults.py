"""Measure dedupe's accuracy across settings, so package defaults come from data.

Usage: ``python benchmarks/tune_defaults.py [--size 10] [--shingle-sizes 2,3,4,5]
[--min-words 3,4,5] [--thresholds 0.3,0.4,0.5,0.6,0.7]``

Two stages on the planted corpus (the 10 MB one unless ``--size`` says
otherwise):

1. every ``--shingle-size`` x ``--min-words`` combination at dedupe's own
   default threshold;
2. every ``--threshold`` at the combination with the best pair F1 in stage 1.

A full three-way grid would be 60 scans for little extra insight: the
threshold mostly trades precision for recall along the same curve, which
stage 2 traces. Each scan is a measured subprocess, scored exactly as
``run.py`` scores it. Prints a Markdown table (also written to
``<out>/tune.md``).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from corpusgen import DEFAULT_DATA, ensure_corpus
from report import fmt, header, table
from scoring import Score, Truth, parse_matches, score
from tools import Dedupe, run_tool

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Setting:
    shingle: int
    min_words: int
    threshold: float | None  # None: dedupe's default

    def options(self) -> list[str]:
        opts = ["--shingle-size", str(self.shingle), "--min-words", str(self.min_words)]
        return opts + (["--threshold", str(self.threshold)] if self.threshold is not None else [])

    def label(self) -> str:
        threshold = "default" if self.threshold is None else f"{self.threshold:g}"
        return f"shingle {self.shingle}, min words {self.min_words}, threshold {threshold}"


@dataclass
class Trial:
    setting: Setting
    seconds: float | None
    score: Score | None
    problem: str | None = None


def numbers(text: str, kind: type) -> list:
    return [kind(x) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10, help="planted corpus size in MB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shingle-sizes", default="2,3,4,5")
    parser.add_argument("--min-words", default="3,4,5")
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out" / "tune")
    return parser.parse_args(argv)


def trial(setting: Setting, docs: Path, truth: Truth, args: argparse.Namespace) -> Trial:
    tool = Dedupe("dedupe", options=[*setting.options(), "--jobs", str(args.jobs)])
    print(setting.label(), flush=True)
    result = run_tool(tool, docs, args.out, args.timeout)
    if result.report is None or result.measurement is None:
        return Trial(setting, None, None, result.problem)
    return Trial(
        setting, result.measurement.wall_seconds, score(parse_matches(result.report, docs), truth)
    )


def f1_of(t: Trial) -> float:
    """Pair F1 for ranking settings; failed scans rank last."""
    if t.score is None:
        return -1.0
    return t.score.f1 or 0.0


def render(trials: list[Trial]) -> str:
    best = max(trials, key=f1_of)
    columns = [
        "shingle",
        "min words",
        "threshold",
        "wall s",
        "matches",
        "pair P",
        "pair R",
        "pair F1",
        "span P",
        "span R",
        "boilerplate R",
    ]
    rows = []
    for t in trials:
        s = t.setting
        threshold = "default" if s.threshold is None else f"{s.threshold:g}"
        mark = " **best F1**" if t is best else ""
        if t.score is None:
            problem = t.problem or ""
            rows.append([str(s.shingle), str(s.min_words), threshold, "–", problem, *[""] * 6])
            continue
        c = t.score
        rows.append(
            [
                str(s.shingle),
                str(s.min_words),
                threshold + mark,
                fmt(t.seconds, 1),
                fmt(c.reported),
                fmt(c.precision),
                fmt(c.recall),
                fmt(c.f1),
                fmt(c.span_precision),
                fmt(c.span_recall),
                fmt(c.boilerplate_recall),
            ]
        )
    return table(columns, rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    root, _ = ensure_corpus(args.size, args.seed, args.data)
    docs, truth = root / "docs", Truth.load(root / "truth.jsonl")
    grid = [
        Setting(k, w, None)
        for k in numbers(args.shingle_sizes, int)
        for w in numbers(args.min_words, int)
    ]
    trials = [trial(s, docs, truth, args) for s in grid]
    best = max(trials, key=f1_of).setting
    trials += [
        trial(Setting(best.shingle, best.min_words, x), docs, truth, args)
        for x in numbers(args.thresholds, float)
    ]
    command = sys.argv if argv is None else [__file__, *argv]
    text = "\n".join(
        [
            f"# dedupe settings on the {args.size} MB planted corpus",
            "",
            header(command),
            "",
            render(trials),
        ]
    )
    print("\n" + text)
    (args.out / "tune.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
