"""Benchmark dedupe against a hand-written pipeline, peers and exhaustive comparison.

Usage: ``python benchmarks/run.py [--sizes 10,100,1000] [--skip-peers] [--skip-bbc]
[--jobs N] [--out benchmarks/out] [--timeout 3600]``

For each size it generates (or reuses) a planted-copy corpus, runs every
tool on it as a measured subprocess, scores the output against the planted
truth and prints Markdown tables; then it measures recall on the real BBC
News corpus. The printout, ready to paste into RESULTS.md, is also written
to ``<out>/results.md``. README.md explains the metrics.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from datasketch import MinHashLSH

import bbc
from corpusgen import DEFAULT_DATA, MB, Manifest, ensure_corpus
from measure import Measurement
from peers import PEERS
from report import fmt, header, table
from scoring import Score, Truth, parse_matches, score
from tools import Dedupe, PeerTool, Script, Tool, ToolResult, run_tool

BENCH_DIR = Path(__file__).resolve().parent
KINDS = ("light_edit", "reword", "truncation", "lede", "merge_split", "reorder", "contained")
TOOL_KEYS = ("dedupe", "baseline", "text-dedup", "datatrove", "allpairs")
SHINGLE, NUM_PERM, THRESHOLD = 3, 128, 0.5  # the baseline's operating point, shared by peers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10,100,1000", help="comma-separated corpus sizes in MB (10^6 bytes)"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus generator seed")
    parser.add_argument(
        "--jobs",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="worker processes for the tools that take them",
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip-peers", action="store_true", help="no text-dedup / datatrove")
    parser.add_argument("--skip-bbc", action="store_true", help="no BBC News recall section")
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds before a tool run is killed and reported as timed out",
    )
    parser.add_argument(
        "--allpairs-budget",
        type=float,
        default=900,
        help="seconds the exhaustive comparison may take before stopping",
    )
    parser.add_argument(
        "--allpairs-max-mb",
        type=int,
        default=10,
        help="run the exhaustive comparison only on corpora up to this size",
    )
    parser.add_argument(
        "--tools",
        default=",".join(TOOL_KEYS),
        help=f"comma-separated subset of {','.join(TOOL_KEYS)} (to rerun some of them)",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(args.tools) - set(TOOL_KEYS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    return args


def planted_tools(args: argparse.Namespace, size: int) -> list[Tool]:
    """The line-up for one planted corpus, in table order."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    shared = [
        "--jobs",
        str(args.jobs),
        "--ngram",
        str(SHINGLE),
        "--num-perm",
        str(NUM_PERM),
        "--threshold",
        str(THRESHOLD),
        "--bands",
        str(lsh.b),
        "--rows",
        str(lsh.r),
    ]
    tools: dict[str, Tool] = {
        "dedupe": dedupe_tool(args),
        "baseline": baseline_tool(),
        **{p.name: PeerTool(p.name, peer=p, logs=args.out, options=shared) for p in PEERS},
        "allpairs": Script(
            "exhaustive all-pairs (recall ceiling)",
            script="allpairs.py",
            options=["--budget", str(args.allpairs_budget)],
        ),
    }
    wanted = set(args.tools)
    if args.skip_peers:
        wanted -= {p.name for p in PEERS}
    if size > args.allpairs_max_mb:
        wanted.discard("allpairs")
    return [tool for key, tool in tools.items() if key in wanted]


def dedupe_tool(args: argparse.Namespace) -> Tool:
    return Dedupe("dedupe", options=["--jobs", str(args.jobs)])


def baseline_tool() -> Tool:
    return Script("hand-written (datasketch + rapidfuzz)", script="baseline_pipeline.py")


@dataclass
class Outcome:
    """What is kept of one tool's run once its report is scored (reports can be large)."""

    name: str
    problem: str | None = None
    measurement: Measurement | None = None
    candidates: int | None = None
    score: Score | None = None
    incomplete: str | None = None  # why a budget-limited run's recall is a lower bound


def outcome(result: ToolResult, truth: Truth, docs: Path) -> Outcome:
    tool = result.tool
    name = tool.name + (f" {tool.version}" if tool.version else "")
    if result.report is None or result.measurement is None:
        return Outcome(name, problem=result.problem)
    stats = result.report.get("stats", {})
    incomplete = None
    if stats.get("complete") is False:
        incomplete = (
            f"stopped at its time budget after {stats['rows_done']:,} of "
            f"{stats['paragraphs']:,} rows; its recall is a lower bound"
        )
    return Outcome(
        name,
        None,
        result.measurement,
        result.candidates,
        score(parse_matches(result.report, docs), truth),
        incomplete,
    )


def planted_section(
    size: int, manifest: Manifest, truth: Truth, outcomes: list[Outcome]
) -> tuple[str, list[dict]]:
    """Markdown for one planted corpus, plus the raw numbers for results.json."""
    mb = manifest.bytes / MB
    lines = [
        f"## Planted corpus, {size} MB",
        "",
        f"{manifest.files:,} files, {mb:.1f} MB, {manifest.paragraphs:,} paragraphs, "
        f"{len(truth.pairs):,} planted paragraph pairs in {sum(manifest.events.values()):,} "
        f"copy events, {len(truth.boilerplate):,} boilerplate/byline lines "
        f"(seed {manifest.seed}, generated in {manifest.seconds} s).",
        "",
    ]
    columns = [
        "tool",
        "wall s",
        "MB/s",
        "paragraphs/s",
        "peak RSS MB",
        "candidates",
        "matches",
        "pair P",
        "pair R",
        "pair F1",
        "span P",
        "span R",
        "boilerplate R",
        "flag P",
    ]
    rows, kind_rows, notes, raw = [], [], [], []
    for o in outcomes:
        if o.score is None or o.measurement is None:
            notes.append(f"- {o.name}: {o.problem}")
            raw.append({"tool": o.name, "problem": o.problem})
            continue
        m, s = o.measurement, o.score
        rows.append(
            [
                o.name,
                fmt(m.wall_seconds, 1),
                fmt(mb / m.wall_seconds, 2),
                fmt(round(manifest.paragraphs / m.wall_seconds)),
                fmt(m.peak_rss_bytes / 1e6, 0),
                fmt(o.candidates),
                fmt(s.reported),
                fmt(s.precision),
                fmt(s.recall),
                fmt(s.f1),
                fmt(s.span_precision),
                fmt(s.span_recall),
                fmt(s.boilerplate_recall),
                fmt(s.flag_precision),
            ]
        )
        kind_rows.append([o.name, *(fmt(s.recall_by_kind.get(k)) for k in KINDS)])
        if o.incomplete:
            notes.append(f"- {o.name}: {o.incomplete}")
        raw.append(
            {"tool": o.name, "measurement": asdict(m), "candidates": o.candidates, **s.as_dict()}
        )
    lines += [
        table(columns, rows),
        "",
        "Pair recall by planted kind:",
        "",
        table(["tool", *KINDS], kind_rows),
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines), raw


def run_planted(args: argparse.Namespace, size: int) -> tuple[str, list[dict]]:
    root, manifest = ensure_corpus(size, args.seed, args.data)
    docs = root / "docs"
    truth = Truth.load(root / "truth.jsonl")
    out_dir = args.out / f"planted-{size}mb"
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Planted corpus, {size} MB:", flush=True)
    outcomes = [
        outcome(run_tool(tool, docs, out_dir, args.timeout), truth, docs)
        for tool in planted_tools(args, size)
    ]
    return planted_section(size, manifest, truth, outcomes)


def run_bbc(args: argparse.Namespace) -> str:
    if not bbc.BBC.is_dir():
        return f"## BBC News corpus\n\nNot found at {bbc.BBC}; skipped."
    out_dir = args.out / "bbc"
    out_dir.mkdir(parents=True, exist_ok=True)
    print("BBC News corpus:", flush=True)
    reference = run_tool(
        Script(
            "exhaustive all-pairs (reference)",
            script="allpairs.py",
            options=[
                "--min-words",
                str(bbc.REFERENCE_MIN_WORDS),
                "--cutoff",
                str(bbc.CUTOFF),
                "--budget",
                str(args.allpairs_budget),
            ],
        ),
        bbc.BBC,
        out_dir,
        args.timeout,
    )
    tools = [dedupe_tool(args)] if "dedupe" in args.tools else []
    tools += [baseline_tool()] if "baseline" in args.tools else []
    results = [run_tool(tool, bbc.BBC, out_dir, args.timeout) for tool in tools]
    return bbc.section(results, reference, bbc.ParagraphIndex(bbc.BBC))


def compile_dedupe() -> None:
    """Compile dedupe's modules to bytecode, as any installed copy has them
    (pip compiles a wheel's modules when it installs them). An editable
    install run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every
    changed module again in each timed run, ~40 ms of start-up that no user
    pays. Peers and the baseline come from site-packages, compiled already."""
    spec = importlib.util.find_spec("dedupe")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    compile_dedupe()
    command = sys.argv if argv is None else [__file__, *argv]
    sections = ["# dedupe benchmark results", "", header(command)]
    raw: dict[str, list[dict]] = {}
    print("\n".join(sections), flush=True)
    for size in args.sizes:
        text, raw[f"planted-{size}mb"] = run_planted(args, size)
        sections += ["", text]
        print("\n" + text + "\n", flush=True)
    if not args.skip_bbc:
        text = run_bbc(args)
        sections += ["", text]
        print("\n" + text + "\n", flush=True)
    (args.out / "results.md").write_text("\n".join(sections) + "\n")
    (args.out / "results.json").write_text(json.dumps(raw, indent=2, default=str) + "\n")
    print(f"written {args.out / 'results.md'} and results.json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
