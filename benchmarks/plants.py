"""Text transformations that turn an original article into a planted copy.

Each function here models one way syndicated news gets reused (see the kinds
below) and returns the copy's body as ``Block`` objects whose ``Slice`` records
say exactly which characters of which source paragraph ended up where. The
corpus writer turns those relative offsets into the absolute character spans
of the truth file, so every scoring decision traces back to this module.

Kinds:

* ``light_edit``  a few words substituted per paragraph (house style, typo fixes)
* ``reword``      about a fifth of the words substituted, synonyms where known
* ``truncation``  wire copy cut from the bottom, the last kept paragraph maybe mid-way
* ``lede``        a local paragraph (and maybe a local opening sentence) added on top
* ``merge_split`` adjacent paragraphs merged, long ones split at a sentence
* ``reorder``     the copied paragraphs shuffled
* ``contained``   a short item quoted inside a long round-up paragraph
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from markov import is_sentence_end

# Substitutes a sub-editor might plausibly use; anything else is swapped for a
# random common word, which is harsher than a synonym but keeps lengths realistic.
SYNONYMS = {
    "said": "stated",
    "says": "states",
    "told": "informed",
    "company": "firm",
    "firm": "company",
    "rose": "climbed",
    "fell": "dropped",
    "rise": "increase",
    "increase": "rise",
    "big": "large",
    "large": "big",
    "new": "fresh",
    "also": "additionally",
    "help": "assist",
    "show": "reveal",
    "shows": "reveals",
    "showed": "revealed",
    "chief": "head",
    "plans": "proposals",
    "plan": "proposal",
    "buy": "purchase",
    "start": "begin",
    "started": "began",
    "began": "started",
    "end": "finish",
    "make": "produce",
    "get": "obtain",
    "expected": "anticipated",
    "major": "leading",
    "important": "significant",
    "children": "youngsters",
    "people": "individuals",
    "government": "administration",
    "country": "nation",
    "cut": "reduce",
    "cuts": "reductions",
    "think": "believe",
    "believe": "think",
    "added": "continued",
    "however": "but",
    "would": "could",
    "could": "would",
    "will": "would",
    "many": "numerous",
    "group": "organisation",
    "market": "sector",
    "figures": "statistics",
    "week": "fortnight",
    "quickly": "rapidly",
    "around": "about",
    "about": "around",
    "before": "prior to",
    "after": "following",
    "move": "step",
    "deal": "agreement",
    "agreement": "deal",
    "boss": "chief",
    "firms": "companies",
    "companies": "firms",
    "sales": "revenues",
    "profits": "earnings",
    "warned": "cautioned",
    "claimed": "alleged",
    "announced": "unveiled",
    "hit": "struck",
    "want": "wish",
    "wanted": "wished",
    "need": "require",
    "needed": "required",
    "used": "utilised",
    "use": "utilise",
    "very": "extremely",
    "key": "crucial",
}

_TOKEN = re.compile(r"^(\W*)(\w[\w'\u2019-]*?)(\W*)$")


@dataclass(frozen=True)
class Slice:
    """Characters ``src`` of source paragraph ``para`` reappear as characters ``dst`` of a block.

    ``source`` indexes the copying article's list of source documents: it is 0
    except in round-ups, which quote several sources.
    """

    para: int
    src: tuple[int, int]
    dst: tuple[int, int]
    source: int = 0


@dataclass
class Block:
    """One paragraph of a generated article, with where its characters came from.

    ``family`` is set for boilerplate and bylines (lines repeated verbatim
    across files); ``slices`` for paragraphs derived from a source article.
    """

    text: str
    kind: str = "background"
    slices: list[Slice] = field(default_factory=list)
    family: str | None = None


def whole(para: int, text: str, dst_start: int = 0, source: int = 0) -> Slice:
    """The slice for a paragraph copied whole into a block at ``dst_start``."""
    return Slice(para, (0, len(text)), (dst_start, dst_start + len(text)), source)


def sentence_cuts(text: str) -> list[int]:
    """Character offsets of the spaces that follow sentence ends inside ``text``."""
    cuts, offset = [], 0
    tokens = text.split(" ")
    for token in tokens[:-1]:
        offset += len(token)
        if is_sentence_end(token):
            cuts.append(offset)
        offset += 1
    return cuts


class Editor:
    """Word substitutions that preserve capitalisation and punctuation."""

    def __init__(self, rng: np.random.Generator, substitutes: np.ndarray) -> None:
        self.rng = rng
        self.substitutes = substitutes

    def substitute(self, text: str, fraction: float, at_least: int) -> str:
        """Replace ``max(at_least, fraction * words)`` word tokens of ``text``."""
        tokens = text.split(" ")
        editable = [i for i, t in enumerate(tokens) if _TOKEN.match(t) and not t[0].isdigit()]
        if not editable:
            return text
        count = min(len(editable), max(at_least, round(fraction * len(tokens))))
        for i in self.rng.choice(editable, size=count, replace=False):
            tokens[i] = self._replace(tokens[i])
        return " ".join(tokens)

    def _replace(self, token: str) -> str:
        match = _TOKEN.match(token)
        assert match is not None
        before, core, after = match.groups()
        new = SYNONYMS.get(core.lower())
        while new is None or new == core.lower():
            new = str(self.substitutes[self.rng.integers(len(self.substitutes))])
        if core[0].isupper():
            new = new[0].upper() + new[1:]
        return before + new + after


def edited(
    paragraphs: list[str], window: range, edit: Callable[[str], str], kind: str
) -> list[Block]:
    """Copy ``window`` with every paragraph passed through ``edit``; whole-paragraph truth."""
    blocks = []
    for i in window:
        text = edit(paragraphs[i])
        blocks.append(Block(text, kind, [Slice(i, (0, len(paragraphs[i])), (0, len(text)))]))
    return blocks


def verbatim(paragraphs: list[str], window: list[int], kind: str) -> list[Block]:
    """Copy the paragraphs listed in ``window`` unchanged, in that order."""
    return [Block(paragraphs[i], kind, [whole(i, paragraphs[i])]) for i in window]


def truncation(paragraphs: list[str], rng: np.random.Generator) -> list[Block]:
    """Keep the first paragraphs; maybe cut the last kept one after a sentence."""
    keep = int(rng.integers(1, len(paragraphs)))
    blocks = verbatim(paragraphs, list(range(keep)), "truncation")
    last = paragraphs[keep - 1]
    cuts = sentence_cuts(last)
    if cuts and rng.random() < 0.5:
        cut = cuts[int(rng.integers(len(cuts)))]
        blocks[-1] = Block(last[:cut], "truncation", [Slice(keep - 1, (0, cut), (0, cut))])
    return blocks


def lede(
    paragraphs: list[str], rng: np.random.Generator, local_paragraph: str, local_sentence: str
) -> list[Block]:
    """A locally written opening paragraph, then the copy; maybe a local first sentence too."""
    keep = int(rng.integers(1, len(paragraphs) + 1))
    blocks = [Block(local_paragraph), *verbatim(paragraphs, list(range(keep)), "lede")]
    if rng.random() < 0.5:
        first = paragraphs[0]
        text = f"{local_sentence} {first}"
        blocks[1] = Block(text, "lede", [whole(0, first, len(local_sentence) + 1)])
    return blocks


def merge_split(paragraphs: list[str], rng: np.random.Generator) -> list[Block]:
    """Merge neighbours and split long paragraphs, at least one of either."""
    plan = _merge_split_plan(paragraphs, rng)
    blocks: list[Block] = []
    i = 0
    while i < len(paragraphs):
        text = paragraphs[i]
        if plan.get(i) == "merge":
            after = paragraphs[i + 1]
            slices = [whole(i, text), whole(i + 1, after, len(text) + 1)]
            blocks.append(Block(f"{text} {after}", "merge_split", slices))
            i += 2
            continue
        if plan.get(i) == "split":
            cuts = sentence_cuts(text)
            cut = cuts[len(cuts) // 2]
            blocks.append(Block(text[:cut], "merge_split", [Slice(i, (0, cut), (0, cut))]))
            rest = text[cut + 1 :]
            tail = Slice(i, (cut + 1, len(text)), (0, len(rest)))
            blocks.append(Block(rest, "merge_split", [tail]))
        else:
            blocks.append(Block(text, "merge_split", [whole(i, text)]))
        i += 1
    return blocks


def _merge_split_plan(paragraphs: list[str], rng: np.random.Generator) -> dict[int, str]:
    """Decide which paragraphs to merge with their successor and which to split."""
    plan: dict[int, str] = {}
    feasible: list[tuple[int, str]] = []
    i = 0
    while i < len(paragraphs):
        options = []
        if i + 1 < len(paragraphs):
            options.append("merge")
        if sentence_cuts(paragraphs[i]):
            options.append("split")
        feasible.extend((i, op) for op in options)
        if options and rng.random() < 0.4:
            plan[i] = options[int(rng.integers(len(options)))]
        i += 2 if plan.get(i) == "merge" else 1
    if not plan and feasible:
        i, op = feasible[int(rng.integers(len(feasible)))]
        plan[i] = op
    return plan


def reorder(paragraphs: list[str], rng: np.random.Generator) -> list[Block]:
    """The copied paragraphs in a different order (never the original one)."""
    order = list(range(len(paragraphs)))
    while order == sorted(order):
        order = [int(i) for i in rng.permutation(len(paragraphs))]
    return verbatim(paragraphs, order, "reorder")


def roundup(items: list[tuple[int, str]], fillers: list[str]) -> Block:
    """One long round-up paragraph quoting each short item between filler sentences.

    ``items`` are ``(paragraph index in its source, text)``, one per source
    document in order; ``fillers`` must hold ``len(items) + 1`` sentences. The
    result reads filler, item, filler, item, ..., filler.
    """
    parts: list[str] = []
    slices = []
    offset = 0
    for i, (para, item) in enumerate(items):
        parts.append(fillers[i])
        offset += len(fillers[i]) + 1
        slices.append(whole(para, item, offset, source=i))
        parts.append(item)
        offset += len(item) + 1
    parts.append(fillers[-1])
    return Block(" ".join(parts), "contained", slices)
