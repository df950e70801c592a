"""Group matched paragraphs into clusters and tell boilerplate from copy.

Every match links two paragraphs; the connected components of those links
are the clusters (union-find, so a line repeated 100,000 times and linked as
a chain is one cluster of 100,000). A cluster is **boilerplate** when at least
``min_count`` of its members are short lines (at most ``max_words`` words) and
short lines are most of it: "Please use Chrome browser for a more accessible
video player" on every page, not a wire story reprinted three times.

Example::

    >>> groups = connected_components([(0, 1), (1, 2), (5, 6)])
    >>> groups
    [[0, 1, 2], [5, 6]]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)


def connected_components(edges: Iterable[tuple[K, K]]) -> list[list[K]]:
    """Components of the graph given by ``edges``, each sorted, ordered by
    their smallest member."""
    parent: dict[K, K] = {}

    def find(item: K) -> K:
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    for left, right in edges:
        parent.setdefault(left, left)
        parent.setdefault(right, right)
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            # The smaller key becomes the root, so results do not depend on
            # the order in which edges arrive.
            if root_right < root_left:  # type: ignore[operator]
                root_left, root_right = root_right, root_left
            parent[root_right] = root_left

    groups: dict[K, list[K]] = {}
    for item in parent:
        groups.setdefault(find(item), []).append(item)
    return sorted((sorted(group) for group in groups.values()), key=lambda g: g[0])  # type: ignore[arg-type, return-value]


def id_components(left: np.ndarray, right: np.ndarray) -> list[list[int]]:
    """:func:`connected_components` of the edges ``(left[i], right[i])`` between
    integer ids, by array operations: each id points to the smallest id it is
    linked to, then to that one's, until nothing changes (a chain of n links
    settles in about log2(n) rounds). Same result, as Python ints."""
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    if len(left) == 0:
        return []
    ids, ends = np.unique(np.concatenate((left, right)), return_inverse=True)
    a, b = ends[: len(left)], ends[len(left) :]
    root = np.arange(len(ids))
    while True:
        low = np.minimum(root[a], root[b])
        np.minimum.at(root, root[a], low)
        np.minimum.at(root, root[b], low)
        while True:  # point every id at its root's root
            jumped = root[root]
            if np.array_equal(jumped, root):
                break
            root = jumped
        if np.array_equal(root[a], root[b]):
            break
    # Roots are each component's smallest id: sorting by (root, id) lists the
    # components in order of their smallest member, each sorted.
    order = np.lexsort((ids, root))
    cuts = np.flatnonzero(np.diff(root[order])) + 1
    members = ids[order].tolist()
    bounds = [0, *cuts.tolist(), len(members)]
    return [members[x:y] for x, y in itertools.pairwise(bounds)]


def is_boilerplate(
    members: Sequence[K], *, word_count: Callable[[K], int], max_words: int, min_count: int
) -> bool:
    """Short lines repeated at least ``min_count`` times make up the cluster."""
    short = sum(1 for member in members if word_count(member) <= max_words)
    return short >= min_count and 2 * short > len(members)
