"""The entry points' own promises, apart from what they find."""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

import numpy as np
import pytest

import dedupe
from conftest import PlantedCorpus
from dedupe import api, pipeline, sources
from dedupe.settings import Settings
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


def _one_job_then_small_tasks(
    planted: PlantedCorpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, task_bytes: int
) -> str:
    """The planted corpus written to ``tmp_path`` and its one-job report's
    JSON; from then on the pool sketches even this small corpus, in tasks
    of ``task_bytes``."""
    planted.write(tmp_path)
    single = dedupe.scan(tmp_path, jobs=1).to_json()
    monkeypatch.setattr(api, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(api, "_TASK_BYTES", task_bytes)
    return single


def test_sketches_come_back_through_shared_slots_or_pickled(
    planted: PlantedCorpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    single = _one_job_then_small_tasks(planted, tmp_path, monkeypatch, task_bytes=3000)
    # The tasks given slot 0 send their arrays pickled, as those too large
    # for a slot do.
    real_put, real_take = api._ResultSlots.put, api._ResultSlots.take
    through_slots: list[bool] = []

    def put(self: api._ResultSlots, slot: int, sketched: api._SketchedBatch) -> object:
        return sketched if slot == 0 else real_put(self, slot, sketched)

    def take(self: api._ResultSlots, slot: int, sketched: api._SketchedBatch) -> object:
        through_slots.append(isinstance(sketched.sketch, api._SlotLayout))
        return real_take(self, slot, sketched)

    monkeypatch.setattr(api._ResultSlots, "put", put)
    monkeypatch.setattr(api._ResultSlots, "take", take)
    for jobs in (2, 3):
        through_slots.clear()
        assert dedupe.scan(tmp_path, jobs=jobs).to_json() == single
        assert True in through_slots and False in through_slots


def test_workers_start_while_the_walk_goes_on(
    planted: PlantedCorpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tasks small enough that the first few files fill all of them.
    single = _one_job_then_small_tasks(planted, tmp_path, monkeypatch, task_bytes=1000)
    found = [f for f in sources.discover(tmp_path) if isinstance(f, sources.SourceFile)]
    taken: list[int] = []

    def walk() -> object:
        for number, source in enumerate(found):
            taken.append(number)
            yield source

    # The result slots are mapped just before the workers fork.
    taken_at_fork: list[int] = []
    real_slots = api._ResultSlots

    def slots(count: int, size: int) -> api._ResultSlots:
        taken_at_fork.append(len(taken))
        return real_slots(count, size)

    monkeypatch.setattr(api, "_ResultSlots", slots)
    batches = list(api._map_sketches(walk(), Settings(), 1 << 30, 2))
    assert taken_at_fork and taken_at_fork[0] < len(found), "workers forked mid-walk"
    assert len(taken) == len(found)
    assert [item[0].path for b in batches for item in b.items] == [f.path for f in found]
    # And a scan whose walk outlasts its first tasks reports the same.
    assert dedupe.scan(tmp_path, jobs=2).to_json() == single


def test_a_sketch_survives_its_result_slot() -> None:
    sketch, _ = pipeline.sketch_together(
        ["A short line.\n\nTen children were killed in an airstrike near a clinic, aid "
         "workers said on Friday, and more were hurt.", "", "One more paragraph of enough "
         "words to be matched by the scan."],
        Settings(),
    )
    batch = api._SketchedBatch([], sketch)
    slots = api._ResultSlots(3, 1 << 16)
    try:
        for slot in (2, 0):
            stored = slots.put(slot, batch)
            assert isinstance(stored.sketch, api._SlotLayout)
            back = slots.take(slot, stored).sketch
            for field in dataclasses.fields(sketch):
                before, after = getattr(sketch, field.name), getattr(back, field.name)
                assert after.dtype == before.dtype and after.shape == before.shape
                assert np.array_equal(after, before)
                assert after.flags.owndata  # a copy: the slot is reused at once
        # Arrays larger than a slot are left in the batch.
        small = api._ResultSlots(1, 64)
        try:
            assert small.put(0, batch) is batch
        finally:
            small.close()
    finally:
        slots.close()
