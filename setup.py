"""Builds the optional compiled kernels: the batched SHA-1 of shingles
(``dedupe._sha1_batch``) and MinHash signatures (``dedupe._minhash_batch``).

Everything else about the package is in pyproject.toml. The extensions are
optional: where no C compiler is at hand, the install still succeeds and
``dedupe.sha1`` and ``dedupe.minhash`` compute the same values with numpy
(10-20x slower for those two steps).
"""

import sys

from setuptools import Extension, setup

# -O3 lets GCC and Clang keep the lanes in vector registers.
OPTIMISE = [] if sys.platform == "win32" else ["-O3"]

setup(
    ext_modules=[
        Extension(
            f"dedupe.{name}",
            sources=[f"src/dedupe/{name}.c"],
            extra_compile_args=OPTIMISE,
            optional=True,
        )
        for name in ("_sha1_batch", "_minhash_batch")
    ]
)
