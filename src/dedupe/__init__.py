"""dedupe: find duplicate and near-duplicate passages in syndicated text.

>>> import dedupe
>>> report = dedupe.scan("seeds")                     # doctest: +SKIP
>>> report = dedupe.find_duplicates({"a": "...", "b": "..."})
>>> report.matches, report.passages, report.clusters  # doctest: +SKIP
>>> report.to_json()                                  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dedupe.api import InputChangedError, find_duplicates, scan
    from dedupe.report import Cluster, Document, Location, Match, Passage, Report, Span
    from dedupe.settings import Settings

__all__ = [
    "Cluster",
    "Document",
    "InputChangedError",
    "Location",
    "Match",
    "Passage",
    "Report",
    "Settings",
    "Span",
    "find_duplicates",
    "scan",
]
__version__ = "0.1.0"

# The module of each public name, imported when the name is first used:
# ``import dedupe`` loads nothing else, so the command can set up its
# process before numpy loads (see dedupe.__main__).
_HOMES = {
    "InputChangedError": "dedupe.api",
    "find_duplicates": "dedupe.api",
    "scan": "dedupe.api",
    "Settings": "dedupe.settings",
    **dict.fromkeys(
        ["Cluster", "Document", "Location", "Match", "Passage", "Report", "Span"], "dedupe.report"
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'dedupe' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
