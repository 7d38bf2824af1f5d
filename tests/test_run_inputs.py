"""The inputs record that lets a run with nothing new skip the build (pipelines/load/inputs.py).

What it protects: a run may skip the build only when every input equals the last published build's and the
warehouse files are still the ones that build wrote. A false "unchanged" would leave a new delivery, a new
reference file, new code or a new as-of date unpublished, so each input is changed here one at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.load.inputs import (
    AsOfWindow,
    FileHashes,
    checked_by_last_build,
    input_parts,
    only_as_of_moved_within_window,
    read_record,
    record_path,
    unchanged_since_last_build,
    write_record,
)
from pipelines.load.inputs import (
    fingerprint_of as fingerprint_of_parts,
)

AS_OF = date(2026, 11, 23)


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    inbox = tmp_path / "inbox" / "police_haervaerk"
    inbox.mkdir(parents=True)
    delivery = inbox / "police_haervaerk_2025_20260214.csv"
    delivery.write_text("area;year;count\nmotalavej;2025;3\n", encoding="utf-8")
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "areas.csv").write_text("area_key\nmotalavej\n", encoding="utf-8")
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    published, internal = warehouse / "kpi.duckdb", warehouse / "kpi.internal.duckdb"
    published.write_bytes(b"published")
    internal.write_bytes(b"internal")
    return {"delivery": delivery, "reference": reference, "published": published, "internal": internal}


def fingerprint_of(s: dict, *, as_of: date = AS_OF, plan: str = "slagelse", key: str = "k1",
                   hashes: FileHashes | None = None) -> str:
    files = [("police_haervaerk", p) for p in sorted(s["delivery"].parent.iterdir())]
    reference = {p.name: p for p in s["reference"].iterdir()}
    return fingerprint_of_parts(input_parts(files, reference, as_of, plan, key, hashes or FileHashes()))


def test_the_same_inputs_give_the_same_fingerprint(setup: dict) -> None:
    assert fingerprint_of(setup) == fingerprint_of(setup)


@pytest.mark.parametrize("change", ["content", "new file", "rename", "reference", "as_of", "plan", "key"])
def test_every_input_changes_the_fingerprint(setup: dict, change: str) -> None:
    before = fingerprint_of(setup)
    kwargs = {}
    delivery: Path = setup["delivery"]
    if change == "content":
        delivery.write_text("area;year;count\nmotalavej;2025;4\n", encoding="utf-8")
    elif change == "new file":
        (delivery.parent / "police_haervaerk_2025_20261101.csv").write_text("x", encoding="utf-8")
    elif change == "rename":
        delivery.rename(delivery.with_name("police_haervaerk_2025_20260215.csv"))
    elif change == "reference":
        (setup["reference"] / "areas.csv").write_text("area_key\nmotalavej\nskaelskoer\n", encoding="utf-8")
    elif change == "as_of":
        kwargs["as_of"] = date(2026, 11, 24)
    elif change == "plan":
        kwargs["plan"] = "eksempelby"
    else:
        kwargs["key"] = "k2"
    assert fingerprint_of(setup, **kwargs) != before


def test_a_cached_hash_is_used_while_the_file_is_untouched_and_dropped_when_it_changes(setup: dict) -> None:
    delivery: Path = setup["delivery"]
    real = hashlib.sha256(delivery.read_bytes()).hexdigest()
    first = FileHashes()
    assert first.sha256(delivery) == real
    stat, _ = first.used[str(delivery.resolve())]
    poisoned = FileHashes({str(delivery.resolve()): (stat, "cached")})
    assert poisoned.sha256(delivery) == "cached"  # not read again: the stat key matched
    delivery.write_text("area;year;count\nmotalavej;2025;99\n", encoding="utf-8")
    assert poisoned.sha256(delivery) == hashlib.sha256(delivery.read_bytes()).hexdigest()


def test_unchanged_only_after_the_record_is_written_for_these_warehouse_files(setup: dict) -> None:
    published, internal = setup["published"], setup["internal"]
    files = [internal, published]
    current = fingerprint_of(setup)
    assert not unchanged_since_last_build(read_record(published), current, files)  # no record yet
    write_record(published, current, files, FileHashes())
    assert unchanged_since_last_build(read_record(published), current, files)
    assert not unchanged_since_last_build(read_record(published), "another", files)


@pytest.mark.parametrize("tamper", ["internal rewritten", "published replaced", "internal removed", "record damaged"])
def test_a_changed_warehouse_file_or_a_damaged_record_means_a_full_build(setup: dict, tamper: str) -> None:
    published, internal = setup["published"], setup["internal"]
    files = [internal, published]
    current = fingerprint_of(setup)
    write_record(published, current, files, FileHashes())
    if tamper == "internal rewritten":
        internal.write_bytes(b"internal, another build")
    elif tamper == "published replaced":
        scratch = published.with_name("scratch")
        scratch.write_bytes(b"published")
        os.utime(scratch, ns=(1, 1))
        os.replace(scratch, published)
    elif tamper == "internal removed":
        internal.unlink()
    else:
        record_path(published).write_text("{not json", encoding="utf-8")
    assert not unchanged_since_last_build(read_record(published), current, files)


def test_a_faithful_copy_of_the_warehouse_folder_keeps_its_record(setup: dict, tmp_path: Path) -> None:
    import shutil

    published, internal = setup["published"], setup["internal"]
    current = fingerprint_of(setup)
    write_record(published, current, [internal, published], FileHashes())
    copy = shutil.copytree(published.parent, tmp_path / "copy")
    assert unchanged_since_last_build(read_record(copy / published.name), current,
                                      [copy / internal.name, copy / published.name])


def test_the_record_holds_no_file_content(setup: dict) -> None:
    published = setup["published"]
    hashes = FileHashes()
    write_record(published, fingerprint_of(setup, hashes=hashes), [setup["internal"], published], hashes)
    text = record_path(published).read_text(encoding="utf-8")
    assert "motalavej" not in text and json.loads(text)["version"] == 1


def parts_of(s: dict, *, as_of: date = AS_OF, key: str = "k1") -> dict[str, str]:
    files = [("police_haervaerk", p) for p in sorted(s["delivery"].parent.iterdir())]
    reference = {p.name: p for p in s["reference"].iterdir()}
    return input_parts(files, reference, as_of, "slagelse", key, FileHashes())


WINDOW = AsOfWindow(date(2026, 9, 30), date(2026, 12, 31))


def recorded_build(s: dict, window: AsOfWindow | None = WINDOW):
    """The record a build as of AS_OF with `window` leaves."""
    built = parts_of(s)
    write_record(s["published"], fingerprint_of_parts(built), [s["internal"], s["published"]], FileHashes(), built,
                 window)
    return read_record(s["published"])


@pytest.mark.parametrize(("as_of", "same"), [
    (date(2026, 9, 30), True), (date(2026, 11, 24), True), (date(2026, 12, 30), True), (date(2026, 11, 1), True),
    (date(2026, 9, 29), False), (date(2026, 12, 31), False), (date(2027, 6, 30), False)])
def test_a_new_date_inside_the_builds_window_needs_no_build(setup: dict, as_of: date, same: bool) -> None:
    record = recorded_build(setup)
    files = [setup["internal"], setup["published"]]
    assert only_as_of_moved_within_window(record, parts_of(setup, as_of=as_of), files) is same
    assert not unchanged_since_last_build(record, fingerprint_of_parts(parts_of(setup, as_of=as_of)), files)


def test_a_new_date_with_any_other_change_or_no_window_means_a_build(setup: dict) -> None:
    files = [setup["internal"], setup["published"]]
    next_day = date(2026, 11, 24)
    assert not only_as_of_moved_within_window(recorded_build(setup), parts_of(setup, as_of=next_day, key="k2"),
                                              files)
    setup["delivery"].write_text("area;year;count\nmotalavej;2025;4\n", encoding="utf-8")
    assert not only_as_of_moved_within_window(recorded_build(setup, WINDOW), parts_of(setup, as_of=next_day)
                                              | {"inbox": "other"}, files)
    assert not only_as_of_moved_within_window(recorded_build(setup, None), parts_of(setup, as_of=next_day), files)
    record = recorded_build(setup)
    setup["internal"].write_bytes(b"internal, changed by hand")
    assert not only_as_of_moved_within_window(record, parts_of(setup, as_of=next_day), files)


def test_the_window_survives_the_record(setup: dict) -> None:
    assert recorded_build(setup).as_of_window == WINDOW
    assert recorded_build(setup, AsOfWindow(None, date(2027, 1, 1))).as_of_window == AsOfWindow(None, date(2027, 1, 1))
    assert recorded_build(setup, None).as_of_window is None


@given(st.dates(), st.one_of(st.none(), st.dates()), st.one_of(st.none(), st.dates()))
def test_a_window_holds_from_its_start_up_to_not_including_its_end(day: date, start: date | None,
                                                                  end: date | None) -> None:
    window = AsOfWindow(start, end)
    assert window.holds(day) == ((start is None or start <= day) and (end is None or day < end))
    assert AsOfWindow.from_json(window.as_json()) == window


def test_the_catalog_check_is_skipped_only_for_the_reference_files_and_code_of_the_recorded_run(setup: dict) -> None:
    reference = {p.name: p for p in setup["reference"].iterdir()}
    assert not checked_by_last_build(None, reference)
    record = recorded_build(setup)
    assert checked_by_last_build(record, reference)
    (setup["reference"] / "areas.csv").write_text("area_key\nmotalavej\nother\n", encoding="utf-8")
    assert not checked_by_last_build(record, reference)
    assert not checked_by_last_build(record, {**reference, "readings.yaml": setup["delivery"]})
