"""Builds the optional compiled kernels of the sketch stage: paragraph
bounds (``dedupe._segment_batch``), the words of marked paragraphs
(``dedupe._normalize_batch``), the batched SHA-1 of shingles
(``dedupe._sha1_batch``), MinHash signatures (``dedupe._minhash_batch``),
word keys and per-paragraph shingle sets (``dedupe._shingle_batch``), of
the candidate stage: the containment lookup (``dedupe._index_batch``), of
confirmation: longest common subsequences (``dedupe._align_batch``), and of
the report: exact copies as JSON (``dedupe._report_batch``).

Everything else about the package is in pyproject.toml. The extensions are
optional: where no C compiler is at hand, the install still succeeds and
``dedupe.segment``, ``dedupe.normalize``, ``dedupe.sha1``, ``dedupe.minhash``,
``dedupe.shingle``, ``dedupe.index`` and ``dedupe.report`` compute the same
values in Python and numpy (the sketch stage then takes about twice as long), and confirmation
aligns every candidate pair with RapidFuzz instead of skipping the hopeless.
"""

import sys
from pathlib import Path

from setuptools import Extension, setup

# Each src/dedupe/_<stage>_batch.c is one kernel.
SOURCES = Path(__file__).parent / "src" / "dedupe"
KERNELS = sorted(path.stem for path in SOURCES.glob("_*_batch.c"))
# -O3 lets GCC and Clang keep the lanes in vector registers.
OPTIMISE = [] if sys.platform == "win32" else ["-O3"]

setup(
    ext_modules=[
        Extension(
            f"dedupe.{name}",
            sources=[f"src/dedupe/{name}.c"],
            depends=["src/dedupe/_kernels.h"],
            extra_compile_args=OPTIMISE,
            optional=True,
        )
        for name in KERNELS
    ]
)
