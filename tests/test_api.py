"""The entry points' own promises, apart from what they find."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import dedupe
from conftest import PlantedCorpus
from dedupe.sources import InputError


@pytest.mark.parametrize("enabled", [True, False])
def test_a_scan_leaves_the_cycle_collector_as_it_found_it(
    planted: PlantedCorpus, tmp_path: Path, enabled: bool
) -> None:
    planted.write(tmp_path)
    was_enabled = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        dedupe.scan(tmp_path, jobs=2)
        assert gc.isenabled() is enabled
        dedupe.find_duplicates(planted.texts())
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was_enabled else gc.disable()


def test_the_cycle_collector_runs_again_after_a_failed_scan(tmp_path: Path) -> None:
    assert gc.isenabled()
    with pytest.raises(InputError):
        dedupe.scan(tmp_path / "missing")
    assert gc.isenabled()


def test_a_scan_leaves_no_garbage_cycles_behind(planted: PlantedCorpus, tmp_path: Path) -> None:
    # Cycles are not collected during a scan: it must make none to collect.
    planted.write(tmp_path)
    gc.collect()
    report = dedupe.scan(tmp_path, jobs=2)
    assert report.matches
    del report
    assert gc.collect() == 0
