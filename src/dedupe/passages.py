"""Merge neighbouring paragraph matches into passages.

Two matches between the same two documents belong to one passage when few
paragraphs lie between them: at most ``max_gap`` skipped paragraphs on the A
side and the B side together. A copy that drops five paragraphs of the
original skips five on one side and none on the other, as does an original
whose copy inserts five. The passages are the connected components of that
relation, so a passage survives gaps (inserted or dropped paragraphs, a video
caption),
paragraphs merged or split (one paragraph matching two neighbours), and blocks
moved within the run (order is not required, only nearness). A passage has at
least two paragraph matches; a lone match stays a paragraph match.

Example::

    >>> group_matches([(0, 10), (1, 11), (2, 13), (40, 90)], max_gap=1)
    [[0, 1, 2]]
"""

from __future__ import annotations

from collections.abc import Sequence

from dedupe.cluster import connected_components


def group_matches(positions: Sequence[tuple[int, int]], *, max_gap: int) -> list[list[int]]:
    """Indices of ``positions`` (paragraph index in A, in B) grouped into
    passages of two or more, each sorted, ordered by their first index."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    edges: list[tuple[int, int]] = []
    for rank, i in enumerate(order):
        a_i, b_i = positions[i]
        for j in order[rank + 1 :]:
            a_j, b_j = positions[j]
            skipped_a = max(a_j - a_i - 1, 0)
            if skipped_a > max_gap:
                break
            if skipped_a + max(abs(b_j - b_i) - 1, 0) <= max_gap:
                edges.append((i, j))
    return [group for group in connected_components(edges) if len(group) >= 2]
