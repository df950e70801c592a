"""Every knob of a scan, in one frozen dataclass, with the reason for each default.

The defaults were chosen from measurements on planted corpora (see
``benchmarks/tune_defaults.py`` and ``benchmarks/RESULTS.md``), not guessed.

LSH banding
-----------
A pair of paragraphs whose shingle sets have Jaccard similarity ``s`` becomes a
candidate when at least one of ``bands`` bands of ``rows`` MinHash values agree
completely, which happens with probability::

    P(candidate | s) = 1 - (1 - s**rows) ** bands

With ``bands=63, rows=2`` (126 of the 128 permutations) the S-curve's midpoint
``(1/bands) ** (1/rows)`` sits at s = 0.13, and P = 0.92 at s = 0.2, 0.997 at
s = 0.3. RapidFuzz confirms every candidate, so the banding errs on the side
of proposing too many pairs: a false candidate costs a few microseconds, a
lost one is a copy nobody sees. Measured on the 10 MB planted corpus
(``benchmarks/RESULTS.md``): 42 x 3 found 98.3% of the planted pairs, 63 x 2
found 99.85% at the same precision (0.9997) in the same time; word 2-grams
instead of 3-grams found 99.8% but ran 1.6x slower (common bigrams such as
"of the" make many more candidates). datasketch's own choice for
``threshold=0.5`` (25 bands of 5 rows) proposes a pair at s = 0.4 with
P = 0.23: edited copies of short paragraphs often sit there.

No banding reaches pairs whose shingle sets barely meet: at s = 0 the curve
is 0 for every ``bands`` and ``rows``. On BBC News (recall against an
exhaustive word-level comparison, ``benchmarks/bbc.py``) half the missed
pairs were team sheets printed with and without the clubs ("J Yapp
(Cardiff)" / "J Yapp"), whose 3-gram Jaccard is 0 to 0.03 while 40-80% of
their words agree; the rest were ledes rewritten around the same names
(s = 0.05-0.2). Even 126 x 1 (P = 0.98 at s = 0.03) left 17 of those pairs
out, for 75 times the candidates (341,645 against 4,545). Paragraphs of 10
to ``reworded_max_words`` words are therefore also looked up by the rare
words they share (:func:`dedupe.index.shared_word_candidates`): recall
0.945 -> 0.994 for 572 more candidates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


def _option(default: Any, help: str) -> Any:
    """A setting with the one-line help the command line shows for it."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    """What a scan matches and how it reports. Everything that can change the
    report is here; nothing here depends on the machine (the number of worker
    processes is not a setting: the report is the same for any number)."""

    # 3 words keep "of the said" coincidences out of the sets, while one
    # edited word still leaves most shingles of a 20-word paragraph intact.
    shingle_size: int = _option(3, "Words per shingle (word n-gram).")
    # "1:01", "Follow The World" and similar debris would otherwise pair
    # with everything.
    min_words: int = _option(4, "Paragraphs with fewer words are not matched.")
    # datasketch's defaults, so signatures can be handed to it unchanged.
    num_perm: int = _option(128, "MinHash permutations.")
    seed: int = _option(1, "MinHash seed (datasketch's default is 1).")
    # See the module docstring for the S-curve.
    bands: int = _option(63, "LSH bands.")
    rows: int = _option(2, "LSH rows per band.")
    # Lightly reworded wire copy scores 0.6-0.9; unrelated news paragraphs
    # that LSH proposes mostly score below 0.35.
    threshold: float = _option(
        0.5, "Word-level similarity 2*LCS/(len_a+len_b) that confirms a near copy."
    )
    contained_threshold: float = _option(
        0.8, "Share of a short paragraph's words found in a longer one to call it contained."
    )
    # Headlines, captions, pull quotes, single paragraphs merged into others.
    contained_max_words: int = _option(
        80, "Longest paragraph (in words) looked up as a contained item; 0 turns it off."
    )
    # A few common words recur by chance across a big corpus ("this week she
    # said"), but rarely inside one document or beside another copy: see
    # dedupe.pipeline.drop_lone_short_contained.
    contained_context_words: int = _option(
        7,
        "Contained matches of fewer matched words count only within one document "
        "or next to another match of the same two documents; 0 turns this off.",
    )
    # Team sheets with and without clubs, ledes rewritten around the same
    # names: many words kept, hardly a 3-gram (see above). Such pairs are
    # short (on BBC News at most 54 words a side); a longer pair that reaches
    # the threshold keeps runs of words, which LSH finds. The same bound as
    # contained items keeps the lookup's postings to short paragraphs.
    reworded_max_words: int = _option(
        80, "Longest paragraph (in words) looked up by shared rare words; 0 turns it off."
    )
    # Wire copy often drops a few paragraphs of the original, or inserts some.
    max_gap: int = _option(
        6, "Paragraphs (both sides together) that may lie between matches of one passage."
    )
    boilerplate_max_words: int = _option(15, "Longest line (in words) that can be boilerplate.")
    boilerplate_min_count: int = _option(3, "Copies of a short line that make it boilerplate.")
    # One line repeated 100,000 times must stay linear, not 5e9 pairs.
    max_bucket: int = _option(
        64, "Groups larger than this are linked as a chain instead of all pairs."
    )
    # Headline + first paragraph, caption + credit line: long lines in one
    # block; hard-wrapped prose keeps its lines under ~80 characters.
    wrap_width: int = _option(
        100, "A block is split into its lines when a line before the last is longer."
    )
    # A 100 MB line of scraped text must not become one 17-million-word
    # paragraph: memory per paragraph stays bounded, and so does the cost of
    # aligning two of them (quadratic in words: 20,000 characters is about
    # 3,300 words, a fraction of a millisecond per pair).
    max_paragraph_chars: int = _option(
        20_000, "Longer paragraphs are cut into pieces of at most this many characters."
    )

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            expected = type(spec.default)
            wrong = isinstance(value, bool) or not isinstance(
                value, (int, float) if expected is float else expected
            )
            if wrong:
                raise ValueError(f"{spec.name} must be {expected.__name__}, got {value!r}")
        checks = [
            (0 <= self.seed < 2**32, "seed must be between 0 and 2**32 - 1"),
            (self.shingle_size >= 1, "shingle_size must be at least 1"),
            (self.min_words >= 1, "min_words must be at least 1"),
            (self.num_perm >= 2, "num_perm must be at least 2"),
            (self.bands >= 1 and self.rows >= 1, "bands and rows must be positive"),
            (self.bands * self.rows <= self.num_perm, "bands * rows must not exceed num_perm"),
            (0.0 < self.threshold <= 1.0, "threshold must be in (0, 1]"),
            (0.0 < self.contained_threshold <= 1.0, "contained_threshold must be in (0, 1]"),
            (self.contained_max_words >= 0, "contained_max_words must not be negative"),
            (self.contained_context_words >= 0, "contained_context_words must not be negative"),
            (self.reworded_max_words >= 0, "reworded_max_words must not be negative"),
            (self.max_gap >= 0, "max_gap must not be negative"),
            (self.boilerplate_min_count >= 2, "boilerplate_min_count must be at least 2"),
            (self.max_bucket >= 2, "max_bucket must be at least 2"),
            (self.wrap_width >= 1, "wrap_width must be positive"),
            (self.max_paragraph_chars >= 100, "max_paragraph_chars must be at least 100"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    @property
    def lsh_threshold(self) -> float:
        """The Jaccard similarity at the steepest point of the banding S-curve."""
        return (1.0 / self.bands) ** (1.0 / self.rows)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> Settings:
        """Build settings from keyword arguments, rejecting unknown names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(unknown)}")
        return cls(**kwargs)
