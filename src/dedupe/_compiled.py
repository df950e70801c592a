"""The optional compiled kernels (``setup.py`` builds them where a C compiler
is at hand): each module that has one falls back to numpy without it."""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def load(name: str) -> ModuleType | None:
    """The extension module ``dedupe.<name>``, or ``None`` when it was not
    built or the environment variable ``DEDUPE_NO_COMPILED`` is set (to
    compare with, or to rule out, the compiled code)."""
    if os.environ.get("DEDUPE_NO_COMPILED"):
        return None
    try:
        return importlib.import_module(f"dedupe.{name}")
    except ImportError:
        return None
