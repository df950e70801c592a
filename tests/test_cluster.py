"""Tests for dedupe.cluster: connected components and the boilerplate rule."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.cluster import connected_components, id_components, is_boilerplate


def test_components_sorted_and_ordered_by_smallest_member() -> None:
    assert connected_components([(0, 1), (1, 2), (5, 6)]) == [[0, 1, 2], [5, 6]]
    assert connected_components([(9, 7), (3, 8), (8, 1)]) == [[1, 3, 8], [7, 9]]


def test_no_edges_no_components() -> None:
    assert connected_components([]) == []


def test_transitive_links_join_components() -> None:
    edges = [(0, 1), (2, 3), (4, 5), (1, 2), (3, 4)]
    assert connected_components(edges) == [[0, 1, 2, 3, 4, 5]]


def test_keys_need_only_be_hashable_and_ordered() -> None:
    edges = [("b", "c"), ("x", "y"), ("a", "c")]
    assert connected_components(edges) == [["a", "b", "c"], ["x", "y"]]
    assert connected_components([((1, 2), (0, 5))]) == [[(0, 5), (1, 2)]]


def test_long_chain_is_one_component_without_recursion() -> None:
    n = 100_000
    edges = [(i, i + 1) for i in range(n - 1)]
    random.Random(0).shuffle(edges)
    components = connected_components(edges)
    assert len(components) == 1
    assert components[0] == list(range(n))


def test_accepts_a_generator() -> None:
    assert connected_components((i, i + 1) for i in range(0, 6, 2)) == [[0, 1], [2, 3], [4, 5]]


edge_lists = st.lists(
    st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=30)),
    max_size=40,
)


def oracle(edges: list[tuple[int, int]]) -> list[list[int]]:
    nodes = {n for edge in edges for n in edge}
    neighbours: dict[int, set[int]] = {n: set() for n in nodes}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seen: set[int] = set()
    result = []
    for start in sorted(nodes):
        if start in seen:
            continue
        stack, component = [start], set()
        while stack:
            node = stack.pop()
            if node not in component:
                component.add(node)
                stack.extend(neighbours[node])
        seen |= component
        result.append(sorted(component))
    return result


@settings(max_examples=200, deadline=None)
@given(edge_lists)
def test_components_match_a_graph_search(edges: list[tuple[int, int]]) -> None:
    assert connected_components(edges) == oracle(edges)


@settings(max_examples=200, deadline=None)
@given(edge_lists, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_edge_order_or_direction(
    edges: list[tuple[int, int]], rng: random.Random
) -> None:
    shuffled = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in edges]
    rng.shuffle(shuffled)
    assert connected_components(shuffled) == connected_components(edges)


# --------------------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Three short lines: boilerplate.
        ({0: 5, 1: 5, 2: 5}, True),
        # Two short lines are not enough (min_count=3).
        ({0: 5, 1: 5}, False),
        # Three short lines, two long paragraphs: short ones are most of it.
        ({0: 5, 1: 5, 2: 5, 3: 80, 4: 80}, True),
        # Three short lines among three long ones: not a majority.
        ({0: 5, 1: 5, 2: 5, 3: 80, 4: 80, 5: 80}, False),
        # A story reprinted three times is not boilerplate.
        ({0: 120, 1: 118, 2: 121}, False),
        # max_words is inclusive.
        ({0: 15, 1: 15, 2: 15}, True),
        ({0: 16, 1: 15, 2: 15}, False),
    ],
)
def test_boilerplate_rule(counts: dict[int, int], expected: bool) -> None:
    members = sorted(counts)
    assert (
        is_boilerplate(members, word_count=counts.__getitem__, max_words=15, min_count=3)
        is expected
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=2, max_value=6),
)
def test_boilerplate_means_enough_short_lines_and_a_majority(
    counts: list[int], max_words: int, min_count: int
) -> None:
    members = list(range(len(counts)))
    short = sum(1 for c in counts if c <= max_words)
    result = is_boilerplate(
        members, word_count=counts.__getitem__, max_words=max_words, min_count=min_count
    )
    assert result == (short >= min_count and short > len(counts) / 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=60))
def test_id_components_are_the_connected_components(edges: list[tuple[int, int]]) -> None:
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    assert id_components(left, right) == connected_components(edges)


def test_id_components_settle_a_long_chain_given_backwards() -> None:
    ids = np.arange(100_000, dtype=np.int64)
    found = id_components(ids[:0:-1], ids[-2::-1])
    assert len(found) == 1 and found[0] == list(range(100_000))
