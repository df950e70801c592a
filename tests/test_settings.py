"""Tests for dedupe.settings: validation, keyword construction and the LSH threshold."""

from __future__ import annotations

import dataclasses
import math

import pytest

from dedupe import find_duplicates
from dedupe.settings import Settings

STORY = (
    "The river burst its banks on Tuesday night, flooding the lower town and forcing "
    "hundreds of families to leave their homes before dawn."
)
EDITED = STORY.replace("Tuesday night", "late on Tuesday").replace("hundreds", "scores")


def test_defaults_are_valid_and_documented() -> None:
    settings = Settings()
    assert (settings.bands, settings.rows, settings.num_perm) == (63, 2, 128)
    assert settings.bands * settings.rows <= settings.num_perm
    for field in dataclasses.fields(Settings):
        assert field.metadata.get("help"), f"{field.name} has no help text"


@pytest.mark.parametrize(
    "changes",
    [
        {"shingle_size": 0},
        {"min_words": 0},
        {"num_perm": 1},
        {"bands": 0},
        {"rows": 0},
        {"bands": -3},
        {"bands": 43, "rows": 3},  # 129 > 128 permutations
        {"num_perm": 64, "bands": 42, "rows": 3},
        {"threshold": 0.0},
        {"threshold": 1.01},
        {"threshold": -0.5},
        {"threshold": math.nan},
        {"contained_threshold": 0.0},
        {"contained_threshold": 1.5},
        {"contained_threshold": math.nan},
        {"contained_max_words": -1},
        {"contained_context_words": -1},
        {"reworded_max_words": -1},
        {"max_gap": -1},
        {"boilerplate_min_count": 1},
        {"max_bucket": 1},
        {"wrap_width": 0},
    ],
)
def test_invalid_values_raise_value_error(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Settings(**changes)
    with pytest.raises(ValueError):
        Settings.from_kwargs(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"threshold": 1.0},
        {"contained_threshold": 1.0},
        {"contained_max_words": 0},
        {"contained_context_words": 0},
        {"reworded_max_words": 0},
        {"max_gap": 0},
        {"boilerplate_min_count": 2},
        {"max_bucket": 2},
        {"wrap_width": 1},
        {"num_perm": 2, "bands": 1, "rows": 2},
        {"num_perm": 256, "bands": 64, "rows": 4},
        {"bands": 128, "rows": 1},
        {"shingle_size": 1, "min_words": 1},
    ],
)
def test_boundary_values_are_accepted_and_scan(changes: dict[str, float]) -> None:
    settings = Settings(**changes)
    for name, value in changes.items():
        assert getattr(settings, name) == value
    # Whatever validation lets through, a scan must be able to run with.
    report = find_duplicates({"a.txt": STORY, "b.txt": STORY}, **changes)
    assert report.matches
    assert report.settings == settings.to_dict()


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_outside_numpy_range_is_rejected(seed: int) -> None:
    with pytest.raises(ValueError):
        Settings(seed=seed)


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1])
def test_any_numpy_seed_scans(seed: int) -> None:
    report = find_duplicates({"a": STORY, "b": EDITED}, seed=seed)
    assert [m.kind for m in report.matches] == ["near"]


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.threshold = 0.9  # type: ignore[misc]


def test_from_kwargs_builds_settings() -> None:
    assert Settings.from_kwargs() == Settings()
    settings = Settings.from_kwargs(min_words=6, threshold=0.7)
    assert settings == Settings(min_words=6, threshold=0.7)


def test_from_kwargs_rejects_unknown_names() -> None:
    with pytest.raises(TypeError, match=r"unknown setting.*thresold"):
        Settings.from_kwargs(thresold=0.7)
    with pytest.raises(TypeError, match="bogus, nope"):
        Settings.from_kwargs(nope=1, bogus=2, min_words=5)


def test_scan_entry_point_rejects_unknown_settings() -> None:
    with pytest.raises(TypeError, match="unknown setting"):
        find_duplicates({"a": STORY}, min_wrods=3)


def test_to_dict_round_trips() -> None:
    settings = Settings(threshold=0.6, max_gap=2)
    data = settings.to_dict()
    assert data["threshold"] == 0.6 and data["max_gap"] == 2
    assert set(data) == {f.name for f in dataclasses.fields(Settings)}
    assert Settings.from_kwargs(**data) == settings


@pytest.mark.parametrize(
    ("bands", "rows", "expected"),
    [(42, 3, 0.2876), (25, 5, 0.5253), (1, 4, 1.0), (16, 8, 0.7071), (128, 1, 1 / 128)],
)
def test_lsh_threshold_is_the_s_curve_midpoint(bands: int, rows: int, expected: float) -> None:
    settings = Settings(num_perm=max(128, bands * rows), bands=bands, rows=rows)
    assert settings.lsh_threshold == pytest.approx(expected, abs=1e-4)
    assert settings.lsh_threshold == pytest.approx((1 / bands) ** (1 / rows))
    # At that similarity one band out of ``bands`` agrees on average: s**rows == 1/bands.
    assert settings.lsh_threshold**rows * bands == pytest.approx(1.0)


def test_default_s_curve_matches_the_documented_probabilities() -> None:
    settings = Settings()

    def probability(s: float) -> float:
        return 1 - (1 - s**settings.rows) ** settings.bands

    assert settings.lsh_threshold == pytest.approx(0.126, abs=0.005)
    assert probability(0.2) == pytest.approx(0.92, abs=0.01)
    assert probability(0.3) == pytest.approx(0.997, abs=0.001)


def test_settings_change_what_a_scan_reports() -> None:
    assert [m.kind for m in find_duplicates({"a": STORY, "b": EDITED}).matches] == ["near"]
    # Paragraphs under min_words are not matched at all.
    assert find_duplicates({"a": STORY, "b": EDITED}, min_words=40).matches == ()
    # A reworded second half: 15 of 23 words in common, similarity 0.65.
    reworded = " ".join(STORY.split()[:15]) + " different words entirely in this final part here"
    loose = find_duplicates({"a": STORY, "b": reworded}, threshold=0.5)
    assert [(m.kind, round(m.similarity, 2)) for m in loose.matches] == [("near", 0.65)]
    assert find_duplicates({"a": STORY, "b": reworded}, threshold=0.7).matches == ()
