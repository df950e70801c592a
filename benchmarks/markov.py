"""A word-bigram model of news prose, trained at run time and sampled with numpy.

The planted-copy corpora need background text that reads like news (so
tokenisers, shingles and fuzzy matchers see realistic word and length
statistics) but whose paragraphs are *independent*, so any similarity a tool
reports between two background paragraphs is a false positive.

A first-order (bigram) chain gives both: it reproduces local word statistics
while forgetting everything beyond one word. Sentences are made fully
independent by routing every sentence end through a single boundary state, so
a sentence never inherits anything from the one before it.

Sampling is vectorised across many independent chains ("lanes"): each step
draws the next word for every lane at once from flattened alias tables
(Walker/Vose), a constant number of array gathers per step. That keeps a
gigabyte of text to a few minutes instead of the hours a per-word Python loop
would take.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

BOUNDARY = 0
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
MIN_SENTENCE_WORDS = 4
MAX_SENTENCE_WORDS = 60


def is_sentence_end(token: str) -> bool:
    """True for tokens that close a sentence ("said.", "won?", 'go."')."""
    return bool(_SENTENCE_END.search(token))


@dataclass(frozen=True)
class BigramModel:
    """Transition table of a word bigram chain plus the length statistics of its source.

    The successors of state ``s`` occupy ``row_start[s] : row_start[s] + row_size[s]``
    of the flat arrays. To step, pick a slot ``j`` of the row uniformly, then
    keep ``successor[j]`` with probability ``keep[j]`` or take ``alias[j]``:
    an alias table, so each draw costs a few gathers whatever the row size.
    """

    vocab: np.ndarray  # object array of tokens; index BOUNDARY is the sentence boundary
    row_start: np.ndarray  # int64 offset of each state's row in the flat arrays
    row_size: np.ndarray  # int64 number of successors of each state (>= 1)
    successor: np.ndarray  # int32 successor state of each slot
    keep: np.ndarray  # float64 probability of keeping the slot's own successor
    alias: np.ndarray  # int32 successor taken otherwise
    paragraph_words: np.ndarray  # empirical words-per-paragraph of the training text
    article_paragraphs: np.ndarray  # empirical body paragraphs per article
    frequent_words: np.ndarray  # common lower-case words, used as substitutes in edits

    @classmethod
    def train(cls, articles: Iterable[list[str]]) -> BigramModel:
        """Fit the chain on articles given as lists of body paragraphs."""
        index: dict[str, int] = {"": BOUNDARY}
        sequence: list[int] = [BOUNDARY]
        paragraph_words: list[int] = []
        article_paragraphs: list[int] = []
        for paragraphs in articles:
            article_paragraphs.append(len(paragraphs))
            for paragraph in paragraphs:
                tokens = paragraph.split()
                paragraph_words.append(len(tokens))
                if sequence[-1] != BOUNDARY:
                    sequence.append(BOUNDARY)
                for token in tokens:
                    sequence.append(index.setdefault(token, len(index)))
                    if is_sentence_end(token):
                        sequence.append(BOUNDARY)
        if sequence[-1] != BOUNDARY:
            sequence.append(BOUNDARY)
        ids = np.asarray(sequence, dtype=np.int64)
        vocab = np.empty(len(index), dtype=object)
        for token, i in index.items():
            vocab[i] = token
        row_start, row_size, successor, keep, alias = _alias_tables(ids, len(index))
        return cls(
            vocab=vocab,
            row_start=row_start,
            row_size=row_size,
            successor=successor,
            keep=keep,
            alias=alias,
            paragraph_words=np.asarray([n for n in paragraph_words if n > 0], dtype=np.int32),
            article_paragraphs=np.asarray([n for n in article_paragraphs if n > 0], dtype=np.int32),
            frequent_words=_frequent_words(ids, vocab),
        )

    def sample_states(self, rng: np.random.Generator, lanes: int, steps: int) -> np.ndarray:
        """Run ``lanes`` independent chains for ``steps`` steps; returns a (lanes, steps) array."""
        out = np.empty((lanes, steps), dtype=np.int32)
        state = np.full(lanes, BOUNDARY, dtype=np.int64)
        for t in range(steps):
            pick, coin = rng.random((2, lanes))
            slot = self.row_start[state] + (pick * self.row_size[state]).astype(np.int64)
            state = np.where(coin < self.keep[slot], self.successor[slot], self.alias[slot])
            out[:, t] = state
        return out

    def sentences(
        self, rng: np.random.Generator, lanes: int = 1024, steps: int = 1000
    ) -> Iterator[str]:
        """Yield an endless stream of independent sentences of plausible length.

        A block of states is rendered to one string in which every word is
        spelled with a leading space and every boundary as a newline, so its
        lines are sentences and a sentence's word count is its space count.
        """
        spellings = ["\n" if i == BOUNDARY else " " + str(w) for i, w in enumerate(self.vocab)]
        spellings.append("")  # "drop": masks the unfinished tail of a lane
        drop = len(spellings) - 1
        while True:
            states = self.sample_states(rng, lanes, steps)
            # Words after a lane's last boundary belong to an unfinished sentence.
            last_cut = steps - 1 - np.argmax(states[:, ::-1] == BOUNDARY, axis=1)
            states[np.arange(steps) > last_cut[:, None]] = drop
            text = "".join(itemgetter(*states.ravel().tolist())(spellings))
            for sentence in text.split("\n"):
                if MIN_SENTENCE_WORDS <= sentence.count(" ") <= MAX_SENTENCE_WORDS:
                    yield sentence[1:]


def _alias_tables(
    ids: np.ndarray, n_states: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count the bigrams of a state sequence and build one alias table per state."""
    pair_keys = ids[:-1] * n_states + ids[1:]
    unique, counts = np.unique(pair_keys, return_counts=True)
    rows = unique // n_states
    successor = (unique % n_states).astype(np.int32)
    row_size = np.bincount(rows, minlength=n_states).astype(np.int64)
    row_start = np.concatenate(([0], np.cumsum(row_size)[:-1]))
    keep = np.ones(len(unique), dtype=np.float64)
    alias = successor.copy()
    for state in np.flatnonzero(row_size > 1):
        lo, hi = row_start[state], row_start[state] + row_size[state]
        _vose(counts[lo:hi], successor[lo:hi], keep[lo:hi], alias[lo:hi])
    return row_start, row_size, successor, keep, alias


def _vose(counts: np.ndarray, successor: np.ndarray, keep: np.ndarray, alias: np.ndarray) -> None:
    """Fill one row's alias table in place (Vose's method)."""
    scaled = (counts * (len(counts) / counts.sum())).tolist()
    small = [j for j, p in enumerate(scaled) if p < 1.0]
    large = [j for j, p in enumerate(scaled) if p >= 1.0]
    while small and large:
        j, k = small.pop(), large[-1]
        keep[j] = scaled[j]
        alias[j] = successor[k]
        scaled[k] -= 1.0 - scaled[j]
        if scaled[k] < 1.0:
            small.append(large.pop())
    # Leftovers are 1.0 up to rounding: they keep their own successor (keep == 1).


def _frequent_words(ids: np.ndarray, vocab: np.ndarray, count: int = 3000) -> np.ndarray:
    """The most frequent purely alphabetic lower-case tokens, as edit substitutes."""
    freq = np.bincount(ids, minlength=len(vocab))
    order = np.argsort(-freq, kind="stable")
    picked = [vocab[i] for i in order if i != BOUNDARY and str(vocab[i]).isalpha()]
    picked = [w for w in picked if w.islower() and len(w) > 2][:count]
    return np.asarray(picked, dtype=object)
