"""Tests for dedupe.passages.group_matches: paragraph matches merged into passages."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.passages import group_matches


def test_docstring_example() -> None:
    assert group_matches([(0, 10), (1, 11), (2, 13), (40, 90)], max_gap=1) == [[0, 1, 2]]


def test_consecutive_matches_form_one_passage() -> None:
    positions = [(i, i + 5) for i in range(10)]
    assert group_matches(positions, max_gap=0) == [list(range(10))]


@pytest.mark.parametrize(("skip_a", "skip_b"), [(2, 2), (4, 0), (0, 4), (1, 3)])
def test_gap_counts_both_sides_together(skip_a: int, skip_b: int) -> None:
    positions = [(0, 0), (1 + skip_a, 1 + skip_b)]
    assert group_matches(positions, max_gap=4) == [[0, 1]]
    assert group_matches(positions, max_gap=3) == []


def test_paragraphs_dropped_on_one_side() -> None:
    # The copy drops five paragraphs of the original: five skipped on A, none on B.
    positions = [(0, 0), (1, 1), (7, 2), (8, 3)]
    assert group_matches(positions, max_gap=5) == [[0, 1, 2, 3]]
    assert group_matches(positions, max_gap=4) == [[0, 1], [2, 3]]


def test_paragraphs_inserted_in_the_copy() -> None:
    positions = [(0, 0), (1, 1), (2, 8), (3, 9)]
    assert group_matches(positions, max_gap=6) == [[0, 1, 2, 3]]
    assert group_matches(positions, max_gap=5) == [[0, 1], [2, 3]]


def test_merged_and_split_paragraphs() -> None:
    # A1 was split into B1 and B2; A3 and A4 were merged into B4.
    positions = [(0, 0), (1, 1), (1, 2), (2, 3), (3, 4), (4, 4), (5, 5)]
    assert group_matches(positions, max_gap=0) == [list(range(7))]


def test_same_position_twice_is_one_passage() -> None:
    assert group_matches([(3, 3), (3, 3)], max_gap=0) == [[0, 1]]


def test_moved_block_within_reach_stays_in_the_passage() -> None:
    # B has paragraphs 2-3 of A moved after 4-5.
    positions = [(0, 0), (1, 1), (2, 4), (3, 5), (4, 2), (5, 3), (6, 6)]
    assert group_matches(positions, max_gap=2) == [list(range(7))]


def test_block_moved_far_away_is_a_separate_passage() -> None:
    positions = [(0, 0), (1, 1), (2, 60), (3, 61), (4, 2), (5, 3)]
    assert group_matches(positions, max_gap=3) == [[0, 1, 4, 5], [2, 3]]


def test_lone_matches_are_not_passages() -> None:
    assert group_matches([], max_gap=6) == []
    assert group_matches([(5, 5)], max_gap=6) == []
    assert group_matches([(0, 0), (50, 50), (100, 3)], max_gap=6) == []


def test_distant_matches_are_separate_passages() -> None:
    positions = [(0, 0), (1, 1), (30, 30), (31, 31), (32, 32), (100, 5), (101, 6)]
    assert group_matches(positions, max_gap=6) == [[0, 1], [2, 3, 4], [5, 6]]


def test_close_on_a_but_far_on_b_is_separate() -> None:
    positions = [(0, 0), (1, 1), (2, 40), (3, 41)]
    assert group_matches(positions, max_gap=6) == [[0, 1], [2, 3]]


def test_groups_are_sorted_and_ordered_by_first_index() -> None:
    positions = [(50, 50), (0, 0), (51, 51), (1, 1)]
    assert group_matches(positions, max_gap=0) == [[0, 2], [1, 3]]


# --------------------------------------------------------------------------- properties

position_lists = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40)),
    max_size=25,
)


def oracle(positions: list[tuple[int, int]], max_gap: int) -> set[frozenset[int]]:
    """Components of "skipped on A + skipped on B <= max_gap", by brute force."""
    n = len(positions)
    neighbours: dict[int, set[int]] = {i: set() for i in range(n)}
    for i in range(n):
        for j in range(i + 1, n):
            (a_i, b_i), (a_j, b_j) = positions[i], positions[j]
            if max(abs(a_i - a_j) - 1, 0) + max(abs(b_i - b_j) - 1, 0) <= max_gap:
                neighbours[i].add(j)
                neighbours[j].add(i)
    seen: set[int] = set()
    groups: set[frozenset[int]] = set()
    for start in range(n):
        if start in seen:
            continue
        stack, component = [start], set()
        while stack:
            node = stack.pop()
            if node in component:
                continue
            component.add(node)
            stack.extend(neighbours[node] - component)
        seen |= component
        if len(component) >= 2:
            groups.add(frozenset(component))
    return groups


@settings(max_examples=200, deadline=None)
@given(position_lists, st.integers(min_value=0, max_value=8))
def test_groups_are_components_of_the_gap_relation(
    positions: list[tuple[int, int]], max_gap: int
) -> None:
    groups = group_matches(positions, max_gap=max_gap)
    assert {frozenset(g) for g in groups} == oracle(positions, max_gap)
    assert all(len(g) >= 2 and g == sorted(g) for g in groups)
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)
    flat = [i for g in groups for i in g]
    assert len(flat) == len(set(flat))  # each match in at most one passage


@settings(max_examples=200, deadline=None)
@given(position_lists, st.integers(min_value=0, max_value=8), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(
    positions: list[tuple[int, int]], max_gap: int, rng: random.Random
) -> None:
    permutation = list(range(len(positions)))
    rng.shuffle(permutation)
    shuffled = [positions[p] for p in permutation]
    original = {frozenset(g) for g in group_matches(positions, max_gap=max_gap)}
    mapped = {
        frozenset(permutation[i] for i in g) for g in group_matches(shuffled, max_gap=max_gap)
    }
    assert mapped == original


@settings(max_examples=200, deadline=None)
@given(position_lists, st.integers(min_value=0, max_value=6))
def test_a_larger_max_gap_only_merges_passages(
    positions: list[tuple[int, int]], max_gap: int
) -> None:
    small = group_matches(positions, max_gap=max_gap)
    large = [set(g) for g in group_matches(positions, max_gap=max_gap + 1)]
    for group in small:
        assert any(set(group) <= bigger for bigger in large)
