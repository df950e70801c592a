"""Builds the optional compiled SHA-1 (``dedupe._sha1_batch``).

Everything else about the package is in pyproject.toml. The extension is
optional: where no C compiler is at hand, the install still succeeds and
``dedupe.sha1`` hashes with numpy instead (same digests, ~10x slower).
"""

import sys

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "dedupe._sha1_batch",
            sources=["src/dedupe/_sha1_batch.c"],
            # -O3 lets GCC and Clang keep the 16 lanes in vector registers.
            extra_compile_args=[] if sys.platform == "win32" else ["-O3"],
            optional=True,
        )
    ]
)
