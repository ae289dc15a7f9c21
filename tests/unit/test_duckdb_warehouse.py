"""DuckDBWarehouse against a real DuckDB file."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from common.adapters.duckdb_warehouse import DuckDBWarehouse
from common.errors import RetryableError
from common.models import (
    Commodity,
    Direction,
    IntervalReading,
    NormalizedBill,
    Quality,
)
from common.ports import BillRecord

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _hours(n: int, *, meter: str = "m1", unit: str = "kWh", offset: Decimal = Decimal(0)) -> list[IntervalReading]:
    return [
        IntervalReading(
            meter_id=meter,
            commodity=Commodity.ELECTRICITY if unit == "kWh" else Commodity.GAS,
            unit=unit,
            start=T0 + timedelta(hours=i),
            duration_seconds=3600,
            value=Decimal(i % 97) / Decimal(8) + offset,
            quality=Quality.ESTIMATED if i % 50 == 0 else Quality.ACTUAL,
            cost=Decimal("0.0123") if i % 2 else None,
        )
        for i in range(n)
    ]


def _created_at(path: Path, table: str) -> list[str]:
    con = duckdb.connect(str(path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        return [r[0] for r in con.execute(f"SELECT created_at::VARCHAR FROM {table} ORDER BY ALL").fetchall()]
    finally:
        con.close()


def _record(bill_id: str = "bill_1", total: str = "120.50") -> BillRecord:
    bill = NormalizedBill(
        provider="sandbox",
        account_number="123",
        bill_period_start=date(2024, 1, 1),
        bill_period_end=date(2024, 1, 31),
        total_amount=Decimal(total),
        amount_due=Decimal("150.00"),
    )
    return BillRecord(id=bill_id, artifact_id="acc_1:ab", customer_id="cus_1", utility_account_id="acc_1", bill=bill)


def test_year_of_hourly_rows_upserts_fast_and_reruns_change_nothing(
    warehouse: DuckDBWarehouse,
) -> None:
    rows = _hours(8760)
    started = time.perf_counter()
    assert warehouse.upsert_intervals("cus_1", "acc_1", rows) == 8760
    elapsed = time.perf_counter() - started
    print(f"\nupsert_intervals of 8,760 rows took {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0  # ~0.5 s on an idle machine; the pipeline itself loads Parquet files
    before_rows = warehouse.rows("interval_usage")
    before_created = _created_at(warehouse.path, "interval_usage")

    started = time.perf_counter()
    assert warehouse.upsert_intervals("cus_1", "acc_1", rows) == 8760
    print(f"re-upsert of 8,760 rows took {(time.perf_counter() - started) * 1000:.0f} ms")
    assert warehouse.count("interval_usage") == 8760
    assert warehouse.count("interval_usage", "cus_1") == 8760
    assert warehouse.count("interval_usage", "cus_other") == 0
    assert warehouse.rows("interval_usage") == before_rows
    assert _created_at(warehouse.path, "interval_usage") == before_created


def test_interval_row_values_and_types(warehouse: DuckDBWarehouse) -> None:
    warehouse.upsert_intervals("cus_1", "acc_1", _hours(3))
    warehouse.upsert_intervals("cus_1", "acc_1", _hours(2, meter="g1", unit="therm"))
    rows = warehouse.rows("interval_usage")
    assert [(r["meter_id"], r["ts"]) for r in rows] == [
        ("g1", T0),
        ("g1", T0 + timedelta(hours=1)),
        ("m1", T0),
        ("m1", T0 + timedelta(hours=1)),
        ("m1", T0 + timedelta(hours=2)),
    ]
    elec = rows[3]
    assert elec == {
        "customer_id": "cus_1",
        "utility_account_id": "acc_1",
        "meter_id": "m1",
        "direction": "delivered",
        "ts": T0 + timedelta(hours=1),
        "interval_seconds": 3600,
        "value": Decimal("0.125000"),
        "unit": "kWh",
        "commodity": "electricity",
        "kwh": Decimal("0.125000"),
        "quality": "actual",
        "cost": Decimal("0.012300"),
        "local_zone": None,
        "source_unit": "kWh",
        "unit_factor": Decimal(1),
        "artifact_id": None,  # the row path has no file to name
    }
    assert rows[0]["kwh"] is None and rows[0]["unit"] == "therm"  # kwh only for kWh rows
    assert rows[0]["cost"] is None
    assert rows[0]["ts"].tzinfo is UTC


def test_overlapping_files_merge_on_the_interval_start(warehouse: DuckDBWarehouse) -> None:
    warehouse.upsert_intervals("cus_1", "acc_1", _hours(48))
    # a later file overlapping the second day, with corrected values and a new third day
    later = [r.model_copy(update={"start": r.start + timedelta(hours=24)}) for r in _hours(48)]
    later = [r.model_copy(update={"value": Decimal("9.5")}) for r in later]
    warehouse.upsert_intervals("cus_1", "acc_1", later)
    rows = warehouse.rows("interval_usage")
    assert len(rows) == 72
    assert {r["value"] for r in rows[25:]} == {Decimal("9.5")}
    # conflict policy: the later file's ESTIMATED reading at hour 24 does not replace an actual one
    assert (rows[24]["value"], rows[24]["quality"]) == (Decimal(3), "actual")
    # net and received are distinct series at the same instant
    solar = [r.model_copy(update={"direction": Direction.RECEIVED}) for r in _hours(24)]
    warehouse.upsert_intervals("cus_1", "acc_1", solar)
    assert warehouse.count("interval_usage") == 96


def test_duplicate_rows_in_one_batch_last_wins(warehouse: DuckDBWarehouse) -> None:
    first, second = _hours(1), _hours(1, offset=Decimal(5))
    # the same instant written with another offset is the same key
    shifted = second[0].model_copy(update={"start": second[0].start.astimezone(timezone(timedelta(hours=-5)))})
    assert warehouse.upsert_intervals("cus_1", "acc_1", [first[0], shifted]) == 2
    [row] = warehouse.rows("interval_usage")
    assert row["value"] == Decimal("5.000000") and row["ts"] == T0


def test_empty_batch(warehouse: DuckDBWarehouse) -> None:
    assert warehouse.upsert_intervals("cus_1", "acc_1", iter([])) == 0
    assert warehouse.count("interval_usage") == 0


def test_bill_upsert_is_idempotent_on_bill_id(warehouse: DuckDBWarehouse) -> None:
    warehouse.upsert_bill(_record())
    created = _created_at(warehouse.path, "normalized_bills")
    warehouse.upsert_bill(_record(total="99.99"))
    warehouse.upsert_bill(_record(total="99.99"))
    assert warehouse.count("normalized_bills") == 1
    assert warehouse.count("normalized_bills", "cus_1") == 1
    assert _created_at(warehouse.path, "normalized_bills") == created
    [row] = warehouse.rows("normalized_bills")
    assert row["total_amount"] == Decimal("99.99")
    assert row["bill_period_end"] == date(2024, 1, 31)
    assert NormalizedBill.model_validate(row["json_payload"]) == _record(total="99.99").bill
    assert "created_at" not in row
    warehouse.upsert_bill(_record("bill_2"))
    assert [r["bill_id"] for r in warehouse.rows("normalized_bills")] == ["bill_1", "bill_2"]


def test_unknown_table_is_rejected(warehouse: DuckDBWarehouse) -> None:
    with pytest.raises(ValueError):
        warehouse.count("customers; DROP TABLE interval_usage")
    with pytest.raises(ValueError):
        warehouse.rows("nope")


def test_threads_share_the_file(warehouse: DuckDBWarehouse, tmp_path: Path) -> None:
    second = DuckDBWarehouse(warehouse.path)  # another instance in the same process
    errors: list[BaseException] = []

    def load(wh: DuckDBWarehouse, meter: str) -> None:
        try:
            wh.upsert_intervals("cus_1", "acc_1", _hours(500, meter=meter))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(wh, f"m{i}")) for i, wh in enumerate([warehouse, second] * 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert warehouse.count("interval_usage") == 3000


_HOLD_LOCK = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold_file(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_waits_for_another_process_holding_the_file(warehouse: DuckDBWarehouse) -> None:
    proc = _hold_file(warehouse.path, 1.0)
    try:
        started = time.perf_counter()
        assert warehouse.upsert_intervals("cus_1", "acc_1", _hours(10)) == 10
        assert time.perf_counter() - started > 0.3  # it really waited for the lock
    finally:
        proc.wait(10)
    assert warehouse.count("interval_usage") == 10


def test_lock_held_too_long_is_retryable(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb", lock_timeout_seconds=0.5)
    wh.ensure_schema()
    proc = _hold_file(wh.path, 3.0)
    try:
        with pytest.raises(RetryableError):
            wh.count("interval_usage")
    finally:
        proc.kill()
        proc.wait(10)


# --- file loads, the conflict policy, buckets and reconciliation -----------------------------------


def _parquet(rows: list[IntervalReading]) -> bytes:
    from common.intervals.table import IntervalTable, SeriesMeta, SeriesRows

    first = rows[0]
    series = SeriesRows(
        SeriesMeta(first.meter_id, first.commodity, first.unit, first.direction, -3, "America/Los_Angeles", "Wh", -3),
        starts=[int(r.start.timestamp()) for r in rows],
        durations=[r.duration_seconds for r in rows],
        values=[int(r.value * 1000) for r in rows],
        estimated=[r.quality is Quality.ESTIMATED for r in rows],
    )
    return IntervalTable([series]).to_parquet()


def test_parquet_file_load_merges_with_the_recorded_conflict_policy(warehouse: DuckDBWarehouse) -> None:
    # the first file: two days, its last 8 hours estimated
    original = [r.model_copy(update={"quality": Quality.ESTIMATED}) if i >= 40 else r for i, r in enumerate(_hours(48))]
    first = warehouse.load_intervals("cus_1", "acc_1", "acc_1:aaa", _parquet(original))
    assert (first.rows, first.inserted, first.replaced, first.kept) == (48, 48, 0, 0)
    again = warehouse.load_intervals("cus_1", "acc_1", "acc_1:aaa", _parquet(original))
    assert (again.inserted, again.replaced, again.kept) == (0, 48, 0)
    # a later file, all estimated, overlapping the second day: actual rows are kept, estimated ones replaced
    later = [
        r.model_copy(
            update={"start": r.start + timedelta(hours=24), "value": Decimal("9.5"), "quality": Quality.ESTIMATED}
        )
        for r in _hours(48)
    ]
    merged = warehouse.load_intervals("cus_1", "acc_1", "acc_1:bbb", _parquet(later))
    assert (merged.inserted, merged.kept, merged.replaced) == (24, 16, 8)
    rows = warehouse.rows("interval_usage")
    assert len(rows) == 72
    assert [r["artifact_id"] for r in rows] == ["acc_1:aaa"] * 40 + ["acc_1:bbb"] * 32
    assert {(r["quality"], r["value"]) for r in rows[40:]} == {("estimated", Decimal("9.5"))}
    assert rows[0]["local_zone"] == "America/Los_Angeles" and rows[0]["source_unit"] == "Wh"
    assert rows[0]["unit_factor"] == Decimal("0.001")


def test_buckets_and_reconciliation_rows(warehouse: DuckDBWarehouse) -> None:
    from common.ports import ReconciliationRecord

    warehouse.load_intervals("cus_1", "acc_1", "acc_1:aaa", _parquet(_hours(48)))
    buckets = warehouse.interval_buckets("acc_1", T0, T0 + timedelta(hours=24))
    assert len(buckets) == 24 and buckets[0].start == T0 and buckets[0].last_end == T0 + timedelta(hours=1)
    assert sum((b.total for b in buckets), Decimal(0)) == sum((r.value for r in _hours(24)), Decimal(0))
    assert buckets[0].estimated_rows == 1 and buckets[0].local_zone == "America/Los_Angeles"
    record = ReconciliationRecord(
        "bill_1", "cus_1", "electricity", "kWh", date(2024, 1, 1), date(2024, 1, 1), Decimal(10), Decimal(9),
        Decimal(1), Decimal(1), "mismatch", "unexplained", {"note": "x"},
    )  # fmt: skip
    warehouse.record_reconciliation("acc_1", [record])
    warehouse.record_reconciliation("acc_1", [record])  # replaced, not duplicated
    [row] = warehouse.rows("interval_reconciliation")
    assert (row["bill_id"], row["status"], row["difference"], row["details"]) == (
        "bill_1",
        "mismatch",
        Decimal(1),
        {"note": "x"},
    )


def test_an_old_interval_table_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE interval_usage (customer_id VARCHAR NOT NULL, utility_account_id VARCHAR NOT NULL,"
        " meter_id VARCHAR NOT NULL, direction VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL,"
        " interval_seconds INTEGER NOT NULL, value DECIMAL(18,6) NOT NULL, unit VARCHAR NOT NULL,"
        " commodity VARCHAR NOT NULL, kwh DECIMAL(18,6), quality VARCHAR NOT NULL, cost DECIMAL(18,6),"
        " created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (utility_account_id, meter_id, direction, ts))"
    )
    con.execute(
        "INSERT INTO interval_usage VALUES ('c', 'a', 'm', 'delivered', '2024-01-01 00:00:00+00', 3600, 1.5,"
        " 'kWh', 'electricity', 1.5, 'actual', NULL, now())"
    )
    con.close()
    wh = DuckDBWarehouse(path)
    wh.ensure_schema()
    [row] = wh.rows("interval_usage")
    assert (row["value"], row["source_unit"], row["artifact_id"]) == (Decimal("1.5"), "kWh", None)
