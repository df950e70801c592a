"""Shared fixtures: the seed corpus, a generator of corpora with planted copies,
and each way a module with a compiled kernel computes."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import dedupe

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def _run_from_project_root() -> Iterator[None]:
    """Reports keep paths as given: tests give them relative to the project."""
    previous = Path.cwd()
    os.chdir(ROOT)
    yield
    os.chdir(previous)


@pytest.fixture(params=["compiled", "numpy"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test once with a module's compiled kernel, where the install
    built it, and once with its numpy fallback. The test module names the
    kernel as ``KERNEL = (module, "_name_batch")``: the module attribute that
    holds the extension, or None."""
    module, attribute = request.module.KERNEL
    if request.param == "compiled":
        if getattr(module, attribute) is None:
            pytest.skip(f"dedupe.{attribute} was not built (no C compiler at install)")
    else:
        monkeypatch.setattr(module, attribute, None)
    return request.param


@pytest.fixture(scope="session")
def seeds_report() -> dedupe.Report:
    return dedupe.scan("seeds")


@dataclass(frozen=True)
class Plant:
    """A planted copy: paragraph ``source`` of document ``a`` reappears as
    paragraph ``copy`` of document ``b`` (indices into the documents' paragraph
    lists), made by ``kind``."""

    kind: str
    a: str
    source: int
    b: str
    copy: int


_SYLLABLES = [
    "ka", "lo", "mi", "ne", "ra", "tu", "vo", "shi", "den", "gar", "pol", "tem", "bri", "sto",
    "win", "mar", "qua", "zel", "fen", "dor", "lia", "sun", "pra", "mek",
]  # fmt: skip


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))))
    return sorted(words)


class PlantedCorpus:
    """Documents of independent random paragraphs, with copies planted between
    and within them. Random words from a 3,000-word vocabulary make unrelated
    paragraphs truly unrelated, so every match found must be a planted one."""

    def __init__(self, seed: int = 7, documents: int = 24, paragraphs: int = 12) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = _vocabulary(self.rng, 3000)
        self.docs: dict[str, list[str]] = {
            f"doc{d:03d}.txt": [self.paragraph() for _ in range(paragraphs)]
            for d in range(documents)
        }
        self.plants: list[Plant] = []
        self.boilerplate = "Please use Chrome browser for a more accessible video player"

    def paragraph(self, words: int | None = None) -> str:
        count = words if words is not None else self.rng.randint(25, 60)
        return " ".join(self.rng.choice(self.vocabulary) for _ in range(count)).capitalize() + "."

    def edit(self, text: str, substitutions: int) -> str:
        words = text.split()
        for _ in range(substitutions):
            words[self.rng.randrange(len(words))] = self.rng.choice(self.vocabulary)
        return " ".join(words)

    def plant(self, kind: str, a: str, source: int, b: str, copy: int, text: str) -> None:
        self.docs[b][copy] = text
        self.plants.append(Plant(kind, a, source, b, copy))

    def texts(self) -> dict[str, str]:
        return {name: "\n\n".join(paragraphs) + "\n" for name, paragraphs in self.docs.items()}

    def write(self, folder: Path) -> None:
        for name, text in self.texts().items():
            (folder / name).write_text(text, encoding="utf-8")


def planted_corpus() -> PlantedCorpus:
    corpus = PlantedCorpus()
    names = sorted(corpus.docs)
    docs = corpus.docs
    # A run of four paragraphs reprinted with light edits in another file.
    for i in range(4):
        corpus.plant(
            "light", names[0], 2 + i, names[1], 5 + i, corpus.edit(docs[names[0]][2 + i], 2)
        )
    # Exact copies, across files and within one.
    corpus.plant("exact", names[2], 0, names[3], 9, docs[names[2]][0])
    corpus.plant("exact", names[4], 1, names[4], 10, docs[names[4]][1])
    # Truncation: a wire paragraph cut short.
    source = docs[names[5]][3]
    corpus.plant("truncated", names[5], 3, names[6], 2, " ".join(source.split()[:20]))
    # A headline-like short item contained in a long round-up paragraph.
    short = corpus.paragraph(8)
    docs[names[7]][0] = short
    roundup = corpus.paragraph(30)[:-1] + " " + short[:-1].lower() + " " + corpus.paragraph(20)
    corpus.plant("contained", names[7], 0, names[8], 4, roundup)
    # Rewording: more substitutions, still recognisably the same.
    corpus.plant("reworded", names[9], 6, names[10], 7, corpus.edit(docs[names[9]][6], 6))
    # Boilerplate on five pages.
    for d in range(11, 16):
        docs[names[d]][11] = corpus.boilerplate
    return corpus


@pytest.fixture
def planted() -> PlantedCorpus:
    return planted_corpus()
