"""Generate news-like corpora with planted copies of known character spans.

Usage: ``python benchmarks/corpusgen.py --size 10 [--seed 1] [--verify]``
(``run.py`` calls :func:`ensure_corpus` itself).

Layout of a generated corpus, under ``benchmarks/data/planted-<size>mb-seed<seed>/``:

* ``docs/NNNN/NNNNNNN.txt`` - one article per file: a title line, a blank
  line, then paragraphs (one line each) separated by blank lines;
* ``truth.jsonl`` - one record per planted paragraph pair (which source
  paragraph reappears in which copy paragraph, with the copied characters'
  spans in both files) and one per boilerplate or byline occurrence;
* ``manifest.json`` - parameters and counts; written last, so a corpus
  without it is incomplete and gets regenerated.

Everything is derived from the seed: the same seed, size and vocabulary
source give byte-identical corpora. Background prose comes from a bigram
model (see ``markov.py``) trained at run time on the BBC News corpus in
``../shared``, whose texts are never copied into the repository. Generation
streams article by article, keeping only a bounded pool of recent originals
to copy from, so the 1 GB corpus needs no more memory than the 10 MB one.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO

import numpy as np

from markov import BigramModel
from plants import Block, Editor, edited, lede, merge_split, reorder, roundup, truncation
from textio import corpus_files, read_text, words

MB = 1_000_000
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_DATA = BENCH_DIR / "data"
DEFAULT_VOCAB = BENCH_DIR.parent.parent / "shared" / "corpora" / "bbc-news"
FALLBACK_VOCAB = BENCH_DIR.parent / "seeds"

# Share of articles that are planted copies, by kind; the rest are originals.
PLANT_RATES = {
    "light_edit": 0.03,
    "reword": 0.03,
    "truncation": 0.03,
    "lede": 0.03,
    "merge_split": 0.03,
    "reorder": 0.03,
    "contained": 0.02,
}
BRIEF_RATE = 0.06  # originals with one or two short paragraphs, quoted by round-ups
WARM_UP = 30  # originals written before the first copy, so there is something to copy
FILES_PER_FOLDER = 1000
MIN_PARAGRAPH_WORDS = 10
TITLE_WORD_RANKS = (150, 3000)  # skip function words, which would make titles look alike

# Lines that web scrapes repeat verbatim across pages: (text, share of articles).
BOILERPLATE = {
    "chrome-video": ("Please use Chrome browser for a more accessible video player", 0.10),
    "js-video": (
        "This video can not be played. To play this video you need to enable JavaScript "
        "in your browser.",
        0.06,
    ),
    "newsletter": ("Sign up for our morning newsletter and get BBC News in your inbox.", 0.05),
    "live-page": ("Follow the latest updates on our live page and across social media", 0.04),
}
BYLINE_RATE = 0.35
_FIRST = [
    "Anna",
    "Ben",
    "Chloe",
    "Daniel",
    "Emma",
    "Farhan",
    "Grace",
    "Hugo",
    "Isla",
    "Jonah",
    "Katya",
    "Liam",
    "Maya",
    "Nadia",
    "Oscar",
    "Priya",
    "Rory",
    "Sofia",
    "Tom",
    "Zara",
]
_LAST = [
    "Ahmed",
    "Brennan",
    "Carter",
    "Dawson",
    "Evans",
    "Fischer",
    "Gupta",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lowe",
    "Murray",
    "Novak",
    "Okafor",
    "Patel",
    "Quinn",
    "Reid",
]
_DESKS = [
    "BBC News",
    "Business reporter, BBC News",
    "Political correspondent",
    "Technology reporter",
    "Sports news correspondent",
    "Entertainment reporter",
    "Economics editor",
    "Home affairs correspondent",
]
BYLINES = 60


@dataclass(frozen=True)
class SourceDoc:
    """An original article as written: its body paragraphs and their absolute spans."""

    path: str
    paragraphs: list[str]
    spans: list[tuple[int, int]]


@dataclass
class Article:
    """An article to write: title, paragraphs, and the documents its copies come from."""

    kind: str
    title: str
    blocks: list[Block]
    sources: list[SourceDoc] = field(default_factory=list)


@dataclass
class Manifest:
    """What was generated, and from what; ``run.py`` reads sizes and counts from it."""

    seed: int
    size_mb: int
    generator: str
    vocabulary: str
    files: int = 0
    bytes: int = 0
    chars: int = 0
    paragraphs: int = 0
    events: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class Prose:
    """Background text with the paragraph and article lengths of the training corpus."""

    def __init__(
        self, model: BigramModel, text_rng: np.random.Generator, plan_rng: np.random.Generator
    ) -> None:
        self.model = model
        self.rng = plan_rng
        self._sentences = model.sentences(text_rng)
        self._title_trigrams: set[int] = set()

    def sentence(self) -> str:
        return next(self._sentences)

    def paragraph(self, max_words: int | None = None) -> str:
        """Sentences up to a target length drawn from the training paragraph lengths."""
        # Below ten words a paragraph is too short for any shingle-based tool to
        # find, and short enough to recur by chance; neither helps a benchmark.
        target = max(MIN_PARAGRAPH_WORDS, int(self.rng.choice(self.model.paragraph_words)))
        if max_words is not None:
            target = min(target, max_words)
        parts, count = [], 0
        while count < target:
            parts.append(self.sentence())
            count += parts[-1].count(" ") + 1
        return " ".join(parts)

    def paragraph_count(self) -> int:
        return int(min(30, self.rng.choice(self.model.article_paragraphs)))

    def title(self) -> str:
        """A headline of 5-8 content words drawn independently of each other.

        Not a window of generated prose: a bigram chain replays rare phrases
        of its training text verbatim, so such a title would often reappear
        inside some unrelated paragraph, a real containment the truth file
        does not know about. Independent mid-frequency words avoid that, and
        a title sharing a word trigram with an earlier one is redrawn.
        """
        pool = self.model.frequent_words[TITLE_WORD_RANKS[0] : TITLE_WORD_RANKS[1]]
        while True:
            picked = [str(w) for w in self.rng.choice(pool, size=int(self.rng.integers(5, 9)))]
            trigrams = {hash(tuple(picked[i : i + 3])) for i in range(len(picked) - 2)}
            if trigrams.isdisjoint(self._title_trigrams):
                self._title_trigrams |= trigrams
                title = " ".join(picked)
                return title[:1].upper() + title[1:]


class Planner:
    """Decides what each next article is, and builds it."""

    def __init__(self, prose: Prose, rng: np.random.Generator) -> None:
        self.prose = prose
        self.rng = rng
        self.editor = Editor(rng, prose.model.frequent_words)
        self.originals: deque[SourceDoc] = deque(maxlen=2000)
        self.briefs: deque[SourceDoc] = deque(maxlen=500)
        self.bylines = _make_bylines(rng)
        weights = 1.0 / np.arange(1, BYLINES + 1)  # a few prolific reporters
        self.byline_weights = weights / weights.sum()
        self.written = 0

    def next_article(self) -> Article:
        kind = self._draw_kind()
        builders = {
            "original": self._original,
            "brief": self._brief,
            "contained": self._contained,
        }
        article = builders.get(kind, self._copy)(kind)
        article.blocks = self._decorate(article.blocks)
        self.written += 1
        return article

    def remember(self, article: Article, doc: SourceDoc) -> None:
        """Make a written original available as a source for later copies."""
        if article.kind == "original" and doc.paragraphs:
            self.originals.append(doc)
        elif article.kind == "brief":
            self.briefs.append(doc)

    def _draw_kind(self) -> str:
        if self.written < WARM_UP or len(self.briefs) < 3:
            return "brief" if self.rng.random() < 0.3 else "original"
        u = self.rng.random()
        for kind, rate in PLANT_RATES.items():
            if u < rate:
                return kind
            u -= rate
        return "brief" if u < BRIEF_RATE else "original"

    def _original(self, kind: str) -> Article:
        body = [Block(self.prose.paragraph()) for _ in range(self.prose.paragraph_count())]
        return Article(kind, self.prose.title(), body)

    def _brief(self, kind: str) -> Article:
        count = int(self.rng.integers(1, 3))
        body = [Block(self.prose.paragraph(max_words=45)) for _ in range(count)]
        return Article(kind, self.prose.title(), body)

    def _copy(self, kind: str) -> Article:
        source = self._pick_source(min_paragraphs=1 if kind == "lede" else 2)
        paragraphs = source.paragraphs
        size = int(self.rng.integers(2, 9))
        start = int(self.rng.integers(0, max(1, len(paragraphs) - size + 1)))
        window = range(start, min(len(paragraphs), start + size))
        if kind == "light_edit":
            few = int(self.rng.integers(1, 4))
            body = edited(paragraphs, window, lambda t: self.editor.substitute(t, 0.0, few), kind)
        elif kind == "reword":
            body = edited(paragraphs, window, lambda t: self.editor.substitute(t, 0.2, 3), kind)
        elif kind == "truncation":
            body = truncation(paragraphs, self.rng)
        elif kind == "lede":
            body = lede(paragraphs, self.rng, self.prose.paragraph(), self.prose.sentence())
        elif kind == "merge_split":
            body = _shift(merge_split(paragraphs[window.start : window.stop], self.rng), start)
        elif kind == "reorder":
            body = _shift(reorder(paragraphs[window.start : window.stop], self.rng), start)
        else:
            raise ValueError(f"unknown plant kind {kind!r}")
        return Article(kind, self.prose.title(), body, [source])

    def _contained(self, kind: str) -> Article:
        count = int(self.rng.integers(1, 4))
        picks = self.rng.choice(len(self.briefs), size=count, replace=False)
        sources = [self.briefs[int(i)] for i in picks]
        items = [(0, doc.paragraphs[0]) for doc in sources]
        fillers = [self.prose.sentence() for _ in range(count + 1)]
        body = [Block(self.prose.paragraph()), roundup(items, fillers)]
        body += [Block(self.prose.paragraph()) for _ in range(int(self.rng.integers(0, 3)))]
        return Article(kind, self.prose.title(), body, sources)

    def _pick_source(self, min_paragraphs: int) -> SourceDoc:
        for _ in range(50):
            doc = self.originals[int(self.rng.integers(len(self.originals)))]
            if len(doc.paragraphs) >= min_paragraphs:
                return doc
        return max(self.originals, key=lambda d: len(d.paragraphs))

    def _decorate(self, blocks: list[Block]) -> list[Block]:
        """Add a byline on top and boilerplate lines at random positions."""
        blocks = list(blocks)
        for family, (text, rate) in BOILERPLATE.items():
            if self.rng.random() < rate:
                at = int(self.rng.integers(0, len(blocks) + 1))
                blocks.insert(at, Block(text, "boilerplate", family=family))
        if self.rng.random() < BYLINE_RATE:
            i = int(self.rng.choice(BYLINES, p=self.byline_weights))
            blocks.insert(0, Block(self.bylines[i], "byline", family=f"byline-{i:02d}"))
        return blocks


def _shift(blocks: list[Block], offset: int) -> list[Block]:
    """Re-index slices made on a window of paragraphs to the whole article."""
    for block in blocks:
        block.slices = [replace(s, para=s.para + offset) for s in block.slices]
    return blocks


def _make_bylines(rng: np.random.Generator) -> list[str]:
    names: list[str] = []
    while len(names) < BYLINES:
        name = f"{_FIRST[rng.integers(len(_FIRST))]} {_LAST[rng.integers(len(_LAST))]}"
        if name not in names:
            names.append(name)
    return [f"By {name}, {_DESKS[rng.integers(len(_DESKS))]}" for name in names]


class CorpusWriter:
    """Lays articles out as files and records the truth about their planted parts."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.docs = root / "docs"
        self.manifest = manifest
        self.truth: IO[str] = (root / "truth.jsonl").open("w", encoding="utf-8")
        self.events = 0

    def close(self) -> None:
        self.truth.close()

    def write(self, article: Article) -> SourceDoc:
        m = self.manifest
        rel = f"{m.files // FILES_PER_FOLDER:04d}/{m.files:07d}.txt"
        text, spans = _layout(article)
        path = self.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        m.files += 1
        m.bytes += len(data)
        m.chars += len(text)
        m.paragraphs += len(article.blocks) + 1
        if article.sources:
            m.events[article.kind] = m.events.get(article.kind, 0) + 1
            self.events += 1
        for block, span in zip(article.blocks, spans, strict=True):
            self._record(article, rel, block, span)
        body = [
            (b.text, s)
            for b, s in zip(article.blocks, spans, strict=True)
            if b.kind == "background"
        ]
        return SourceDoc(rel, [t for t, _ in body], [s for _, s in body])

    def _record(self, article: Article, rel: str, block: Block, span: tuple[int, int]) -> None:
        if block.family is not None:
            self._emit({"kind": block.kind, "family": block.family, "path": rel, "span": span})
        for piece in block.slices:
            source = article.sources[piece.source]
            para = source.spans[piece.para]
            self._emit(
                {
                    "kind": block.kind,
                    "event": self.events,
                    "source": {
                        "path": source.path,
                        "para": para,
                        "span": (para[0] + piece.src[0], para[0] + piece.src[1]),
                    },
                    "copy": {
                        "path": rel,
                        "para": span,
                        "span": (span[0] + piece.dst[0], span[0] + piece.dst[1]),
                    },
                }
            )

    def _emit(self, record: dict) -> None:
        kind = record["kind"]
        self.manifest.pairs[kind] = self.manifest.pairs.get(kind, 0) + 1
        self.truth.write(json.dumps(record) + "\n")


def _layout(article: Article) -> tuple[str, list[tuple[int, int]]]:
    """Title, blank line, blank-line separated paragraphs; returns text and block spans."""
    spans = []
    offset = len(article.title) + 2
    for block in article.blocks:
        spans.append((offset, offset + len(block.text)))
        offset += len(block.text) + 2
    body = "\n\n".join(block.text for block in article.blocks)
    return f"{article.title}\n\n{body}\n", spans


def training_articles(folder: Path) -> Iterator[list[str]]:
    """Body paragraphs of each file of the vocabulary corpus (one paragraph per line)."""
    for path in corpus_files(folder):
        lines = [line.strip() for line in read_text(path).splitlines()]
        yield [line for line in lines[1:] if line]


def generator_fingerprint() -> str:
    """Hash of the generator's code: a cached corpus made by other code is stale.

    The syntax trees are hashed, not the bytes, so reformatting or editing
    comments does not throw away a gigabyte corpus.
    """
    digest = hashlib.sha256()
    for name in ("corpusgen.py", "plants.py", "markov.py", "textio.py"):
        tree = ast.parse((BENCH_DIR / name).read_text(encoding="utf-8"))
        digest.update(ast.dump(tree).encode("utf-8"))
    return digest.hexdigest()[:12]


def corpus_dir(data: Path, size_mb: int, seed: int) -> Path:
    return data / f"planted-{size_mb}mb-seed{seed}"


def generate(root: Path, size_mb: int, seed: int, vocabulary: Path) -> Manifest:
    """Write a corpus of at least ``size_mb`` MB (10^6 bytes) under ``root``."""
    started = time.perf_counter()
    if root.exists():
        shutil.rmtree(root)
    (root / "docs").mkdir(parents=True)
    model = BigramModel.train(training_articles(vocabulary))
    text_seed, plan_seed = np.random.SeedSequence(seed).spawn(2)
    plan_rng = np.random.default_rng(plan_seed)
    prose = Prose(model, np.random.default_rng(text_seed), plan_rng)
    planner = Planner(prose, plan_rng)
    manifest = Manifest(seed, size_mb, generator_fingerprint(), vocabulary.name)
    writer = CorpusWriter(root, manifest)
    try:
        while manifest.bytes < size_mb * MB:
            article = planner.next_article()
            planner.remember(article, writer.write(article))
    finally:
        writer.close()
    manifest.seconds = round(time.perf_counter() - started, 1)
    (root / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def load_manifest(root: Path) -> Manifest | None:
    """The manifest of a complete corpus, or None (missing, or from an older generator)."""
    try:
        return Manifest(**json.loads((root / "manifest.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def ensure_corpus(
    size_mb: int, seed: int = 1, data: Path = DEFAULT_DATA, vocabulary: Path | None = None
) -> tuple[Path, Manifest]:
    """Return the corpus folder for (size, seed), generating it unless already complete."""
    root = corpus_dir(data, size_mb, seed)
    manifest = load_manifest(root)
    if manifest is not None and manifest.generator == generator_fingerprint():
        return root, manifest
    source = vocabulary or (DEFAULT_VOCAB if DEFAULT_VOCAB.is_dir() else FALLBACK_VOCAB)
    print(f"generating {size_mb} MB corpus (seed {seed}, vocabulary {source}) ...", flush=True)
    manifest = generate(root, size_mb, seed, source)
    print(
        f"  {manifest.files} files, {manifest.bytes / MB:.1f} MB in {manifest.seconds} s",
        flush=True,
    )
    return root, manifest


def verify(root: Path) -> list[str]:
    """Check every truth record against the files; returns human-readable problems.

    Verbatim kinds must reproduce the source characters exactly; edited kinds
    must keep most of the words; boilerplate must repeat its family's text.
    """
    docs = root / "docs"
    cache: dict[str, str] = {}

    def text(rel: str) -> str:
        if rel not in cache:
            cache[rel] = read_text(docs / rel)
        return cache[rel]

    problems = []
    family_text: dict[str, str] = {}
    with (root / "truth.jsonl").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            record = json.loads(line)
            if "family" in record:
                s, e = record["span"]
                seen = family_text.setdefault(record["family"], text(record["path"])[s:e])
                if text(record["path"])[s:e] != seen:
                    problems.append(f"line {number}: boilerplate text differs")
                continue
            src = text(record["source"]["path"])[slice(*record["source"]["span"])]
            dst = text(record["copy"]["path"])[slice(*record["copy"]["span"])]
            if record["kind"] in ("light_edit", "reword"):
                if SequenceMatcher(None, words(src), words(dst)).ratio() < 0.6:
                    problems.append(f"line {number}: edited copy too far from source")
            elif src != dst:
                problems.append(f"line {number}: {record['kind']} copy differs from source")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10, help="corpus size in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--vocabulary",
        type=Path,
        default=None,
        help="folder of .txt articles to train the word model on",
    )
    parser.add_argument("--verify", action="store_true", help="check truth.jsonl against files")
    args = parser.parse_args(argv)
    root, manifest = ensure_corpus(args.size, args.seed, args.data, args.vocabulary)
    print(json.dumps(asdict(manifest), indent=2))
    if args.verify:
        problems = verify(root)
        print("\n".join(problems[:20]) or "truth verified: no problems")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
