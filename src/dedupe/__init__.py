"""dedupe: find duplicate and near-duplicate passages in syndicated text.

>>> import dedupe
>>> report = dedupe.scan("seeds")                     # doctest: +SKIP
>>> report = dedupe.find_duplicates({"a": "...", "b": "..."})
>>> report.matches, report.passages, report.clusters  # doctest: +SKIP
>>> report.to_json()                                  # doctest: +SKIP
"""

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
