"""The Warehouse port on a DuckDB file (embedded mode).

Several processes touch the file (the load function writes, the CLI reads afterwards) and DuckDB
lets only one process open it at a time, so every operation opens a connection, does its work in
one transaction and closes it; while another process holds the file lock the open is retried for a
few seconds (then :class:`RetryableError`). Within the process a lock per file serialises callers.

Extensions are never installed or auto-loaded (nothing may reach the network); the wheel's
built-in ``icu`` and ``json`` are enough. DuckDB needs ``pytz`` to hand TIMESTAMPTZ values to
Python, which is not a dependency: reads convert them to UTC in SQL and attach ``timezone.utc``.

Interval rows arrive as the extract stage's Parquet object (common.intervals.table) and are loaded
the way a warehouse wants them: the file is read with ``read_parquet`` into a TEMP stage, deduplicated
within the file and merged with one ``INSERT … ON CONFLICT DO UPDATE`` (DuckDB's MERGE) on
(utility_account_id, meter_id, direction, ts). Conflict policy, recorded on every row by
``artifact_id``: an actual reading is never replaced by an estimated one; otherwise the file loaded
last wins (within one file: actual first, then the later row). ``created_at`` is kept, ``updated_at``
moves only when a row is replaced. The row path (``upsert_intervals``) stages an Arrow table and uses
the same merge. Rows are inserted sorted by account, meter and time, so DuckDB's zone maps cluster
them the way BigQuery's partitioning by day and clustering by account and meter do.

``interval_reconciliation`` holds the bill-period reconciliation of common.intervals.reconcile, one
row per (account, bill, commodity, unit), replaced whenever a load recomputes it.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_delay, wait_random

from common.errors import RetryableError
from common.intervals.table import FACTOR_TYPE, VALUE_TYPE, read_parquet
from common.intervals.table import SCHEMA as INTERVALS_SCHEMA
from common.models import IntervalReading
from common.ports import BillRecord, IntervalBucket, IntervalLoad, ReconciliationRecord, Warehouse

T = TypeVar("T")

BILLS_TABLE = "normalized_bills"
INTERVALS_TABLE = "interval_usage"
RECONCILIATION_TABLE = "interval_reconciliation"
BUCKET_SECONDS = 900

_INTERVALS_DDL = f"""CREATE TABLE IF NOT EXISTS {INTERVALS_TABLE} (
        customer_id VARCHAR NOT NULL,
        utility_account_id VARCHAR NOT NULL,
        meter_id VARCHAR NOT NULL,
        direction VARCHAR NOT NULL,
        ts TIMESTAMPTZ NOT NULL,
        interval_seconds INTEGER NOT NULL,
        value DECIMAL(38,9) NOT NULL,
        unit VARCHAR NOT NULL,
        commodity VARCHAR NOT NULL,
        kwh DECIMAL(38,9),
        quality VARCHAR NOT NULL,
        cost DECIMAL(38,9),
        local_zone VARCHAR,
        source_unit VARCHAR,
        unit_factor DECIMAL(38,12),
        artifact_id VARCHAR,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (utility_account_id, meter_id, direction, ts)
    )"""

SCHEMA: tuple[str, ...] = (
    f"""CREATE TABLE IF NOT EXISTS {BILLS_TABLE} (
        bill_id VARCHAR PRIMARY KEY,
        customer_id VARCHAR NOT NULL,
        utility_account_id VARCHAR NOT NULL,
        provider VARCHAR NOT NULL,
        bill_period_start DATE NOT NULL,
        bill_period_end DATE NOT NULL,
        total_amount DECIMAL(14,2) NOT NULL,
        amount_due DECIMAL(14,2),
        currency VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        json_payload JSON NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    _INTERVALS_DDL,
    f"""CREATE TABLE IF NOT EXISTS {RECONCILIATION_TABLE} (
        customer_id VARCHAR NOT NULL,
        utility_account_id VARCHAR NOT NULL,
        bill_id VARCHAR NOT NULL,
        commodity VARCHAR NOT NULL,
        unit VARCHAR NOT NULL,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        billed DECIMAL(38,9) NOT NULL,
        interval_total DECIMAL(38,9),
        difference DECIMAL(38,9),
        coverage_ratio DECIMAL(12,6) NOT NULL,
        status VARCHAR NOT NULL,
        likely_cause VARCHAR,
        details JSON NOT NULL,
        computed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (utility_account_id, bill_id, commodity, unit)
    )""",
)

# Stable order of rows(): the natural key first, so two modes with different ids compare well.
ORDER_BY = {
    BILLS_TABLE: "customer_id, utility_account_id, bill_period_start, bill_period_end, bill_id",
    INTERVALS_TABLE: "customer_id, utility_account_id, meter_id, direction, ts",
    RECONCILIATION_TABLE: "customer_id, utility_account_id, period_start, commodity, unit, bill_id",
}
# Load bookkeeping that differs from run to run: left out of rows().
_VOLATILE_COLUMNS = frozenset({"created_at", "updated_at", "computed_at"})

_MERGE_COLUMNS = (
    "meter_id, direction, ts, interval_seconds, value, unit, commodity, kwh, quality, cost,"
    " local_zone, source_unit, unit_factor, artifact_id"
)
# Rank inside one file: an actual row before an estimated one, then the later row.
_STAGE_SELECT = (
    "SELECT meter_id, direction, start AS ts, duration_seconds AS interval_seconds, value, unit, commodity,"
    " CASE WHEN unit = 'kWh' THEN value END AS kwh, quality, cost, local_zone, source_unit, unit_factor,"
    " ? AS artifact_id"
    " FROM {source}"
    " QUALIFY row_number() OVER (PARTITION BY meter_id, direction, start"
    "   ORDER BY (quality = 'actual') DESC, {order} DESC) = 1"
)

_file_locks: dict[str, threading.Lock] = {}
_file_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    key = str(path.resolve())
    with _file_locks_guard:
        return _file_locks.setdefault(key, threading.Lock())


def _is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class DuckDBWarehouse(Warehouse):
    """normalized_bills, interval_usage and interval_reconciliation in one DuckDB file."""

    def __init__(self, path: Path | str, *, lock_timeout_seconds: float = 5.0) -> None:
        self.path = Path(path)
        self._lock_timeout = lock_timeout_seconds
        self._lock = _lock_for(self.path)
        self._schema_ready = False

    # --- plumbing -------------------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        def open_() -> duckdb.DuckDBPyConnection:
            return duckdb.connect(
                str(self.path),
                config={
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                },
            )

        retrying = Retrying(
            stop=stop_after_delay(self._lock_timeout),
            wait=wait_random(0.02, 0.2),
            retry=retry_if_exception(_is_lock_conflict),
        )
        try:
            con = retrying(open_)
        except RetryError as exc:
            raise RetryableError(
                f"warehouse file {self.path} is locked by another process",
                "warehouse_locked",
            ) from exc.last_attempt.exception()
        con.execute("SET TimeZone = 'UTC'")
        return con

    def _run(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = self._connect()
            try:
                if not self._schema_ready:
                    self._create_schema(con)
                con.execute("BEGIN TRANSACTION")
                try:
                    result = fn(con)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                return result
            finally:
                con.close()

    def _create_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        _migrate_interval_usage(con)
        for statement in SCHEMA:
            con.execute(statement)
        self._schema_ready = True

    # --- the port -------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        self._schema_ready = False
        self._run(lambda con: None)

    def upsert_bill(self, record: BillRecord) -> None:
        bill = record.bill

        def work(con: duckdb.DuckDBPyConnection) -> None:
            con.execute(
                f"INSERT INTO {BILLS_TABLE} (bill_id, customer_id, utility_account_id, provider,"
                " bill_period_start, bill_period_end, total_amount, amount_due, currency, status,"
                " json_payload, created_at) VALUES (?, ?, ?, ?, ?::DATE, ?::DATE,"
                " ?::DECIMAL(14,2), ?::DECIMAL(14,2), ?, ?, ?::JSON, now())"
                " ON CONFLICT (bill_id) DO UPDATE SET customer_id = excluded.customer_id,"
                " utility_account_id = excluded.utility_account_id, provider = excluded.provider,"
                " bill_period_start = excluded.bill_period_start,"
                " bill_period_end = excluded.bill_period_end,"
                " total_amount = excluded.total_amount, amount_due = excluded.amount_due,"
                " currency = excluded.currency, status = excluded.status,"
                " json_payload = excluded.json_payload",
                [
                    record.id,
                    record.customer_id,
                    record.utility_account_id,
                    bill.provider,
                    bill.bill_period_start.isoformat(),
                    bill.bill_period_end.isoformat(),
                    _dec(bill.total_amount),
                    _dec(bill.amount_due),
                    bill.currency,
                    bill.status.value,
                    bill.model_dump_json(),
                ],
            )

        self._run(work)

    def load_intervals(
        self, customer_id: str, utility_account_id: str, artifact_id: str, parquet: bytes
    ) -> IntervalLoad:
        """A file load: the Parquet object is read by DuckDB itself, then merged (see the module doc)."""
        rows = read_parquet(parquet).num_rows  # also refuses objects that are not this layout
        if rows == 0:
            return IntervalLoad(rows=0, inserted=0, replaced=0, kept=0)
        handle, name = tempfile.mkstemp(suffix=".parquet", dir=self.path.parent if self.path.parent.exists() else None)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(parquet)
            source = f"read_parquet('{_sql_path(name)}', file_row_number = true)"

            def work(con: duckdb.DuckDBPyConnection) -> IntervalLoad:
                return _merge(con, customer_id, utility_account_id, artifact_id, source, "file_row_number", rows)

            return self._run(work)
        finally:
            Path(name).unlink(missing_ok=True)

    def upsert_intervals(self, customer_id: str, utility_account_id: str, rows: Iterable[IntervalReading]) -> int:
        """Rows as models (the port's original path): staged as an Arrow table, merged like a file."""
        table = _arrow_from_readings(rows)
        if table.num_rows == 0:
            return 0

        def work(con: duckdb.DuckDBPyConnection) -> None:
            con.register("interval_rows_arrow", table)
            try:
                _merge(con, customer_id, utility_account_id, None, "interval_rows_arrow", "seq", table.num_rows)
            finally:
                con.unregister("interval_rows_arrow")

        self._run(work)
        return table.num_rows

    def interval_buckets(self, utility_account_id: str, start: datetime, end: datetime) -> list[IntervalBucket]:
        def work(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
            return con.execute(
                f"SELECT CAST(floor(epoch(ts) / {BUCKET_SECONDS}) * {BUCKET_SECONDS} AS BIGINT) AS bucket,"
                " direction, commodity, unit, sum(value), count(*), count(*) FILTER (WHERE quality = 'estimated'),"
                " sum(interval_seconds), max(CAST(epoch(ts) AS BIGINT) + interval_seconds), min(local_zone)"
                f" FROM {INTERVALS_TABLE} WHERE utility_account_id = ?"
                " AND ts >= to_timestamp(?) AND ts < to_timestamp(?)"
                " GROUP BY ALL ORDER BY 1, 2, 3, 4",
                [utility_account_id, int(start.timestamp()), int(end.timestamp())],
            ).fetchall()

        return [
            IntervalBucket(
                start=datetime.fromtimestamp(bucket, tz=UTC),
                direction=direction,
                commodity=commodity,
                unit=unit,
                total=Decimal(total),
                rows=int(count),
                estimated_rows=int(estimated),
                covered_seconds=int(covered),
                last_end=datetime.fromtimestamp(last_end, tz=UTC),
                local_zone=zone,
            )
            for bucket, direction, commodity, unit, total, count, estimated, covered, last_end, zone in self._run(work)
        ]

    def record_reconciliation(self, utility_account_id: str, results: Sequence[ReconciliationRecord]) -> None:
        if not results:
            return

        def work(con: duckdb.DuckDBPyConnection) -> None:
            bills = sorted({r.bill_id for r in results})
            con.execute(
                f"DELETE FROM {RECONCILIATION_TABLE} WHERE utility_account_id = ? AND list_contains(?, bill_id)",
                [utility_account_id, bills],
            )
            con.executemany(
                f"INSERT INTO {RECONCILIATION_TABLE} (customer_id, utility_account_id, bill_id, commodity, unit,"
                " period_start, period_end, billed, interval_total, difference, coverage_ratio, status,"
                " likely_cause, details, computed_at) VALUES (?, ?, ?, ?, ?, ?::DATE, ?::DATE, ?::DECIMAL(38,9),"
                " ?::DECIMAL(38,9), ?::DECIMAL(38,9), ?::DECIMAL(12,6), ?, ?, ?::JSON, now())",
                [
                    [
                        r.customer_id,
                        utility_account_id,
                        r.bill_id,
                        r.commodity,
                        r.unit,
                        r.period_start.isoformat(),
                        r.period_end.isoformat(),
                        _dec(r.billed),
                        _dec(r.interval_total),
                        _dec(r.difference),
                        _dec(r.coverage_ratio),
                        r.status,
                        r.likely_cause,
                        json.dumps(r.details, default=str),
                    ]
                    for r in results
                ],
            )

        self._run(work)

    def count(self, table: str, customer_id: str | None = None) -> int:
        _check_table(table)

        def work(con: duckdb.DuckDBPyConnection) -> int:
            if customer_id is None:
                row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            else:
                row = con.execute(f"SELECT count(*) FROM {table} WHERE customer_id = ?", [customer_id]).fetchone()
            return int(row[0]) if row else 0

        return self._run(work)

    def rows(self, table: str) -> list[dict[str, Any]]:
        """All rows ordered by natural key, WITHOUT load timestamps (they differ from run to run).

        Timestamps are aware UTC datetimes, money/values Decimal, JSON columns parsed.
        """
        _check_table(table)

        def work(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
            described = con.execute(f"DESCRIBE {table}").fetchall()
            names = [str(d[0]) for d in described if d[0] not in _VOLATILE_COLUMNS]
            types = {str(d[0]): str(d[1]) for d in described}
            select = []
            for name in names:
                if types[name] == "TIMESTAMP WITH TIME ZONE":
                    select.append(f"timezone('UTC', {name}) AS {name}")
                elif types[name] == "JSON":
                    select.append(f"CAST({name} AS VARCHAR) AS {name}")
                else:
                    select.append(name)
            fetched = con.execute(f"SELECT {', '.join(select)} FROM {table} ORDER BY {ORDER_BY[table]}").fetchall()
            out = []
            for values in fetched:
                row: dict[str, Any] = {}
                for name, value in zip(names, values, strict=True):
                    if types[name] == "TIMESTAMP WITH TIME ZONE" and isinstance(value, datetime):
                        value = value.replace(tzinfo=UTC)
                    elif types[name] == "JSON" and isinstance(value, str):
                        value = json.loads(value)
                    row[name] = value
                out.append(row)
            return out

        return self._run(work)


def _merge(
    con: duckdb.DuckDBPyConnection,
    customer_id: str,
    utility_account_id: str,
    artifact_id: str | None,
    source: str,
    order_column: str,
    rows: int,
) -> IntervalLoad:
    """Stage, count what the policy will do, then one INSERT … ON CONFLICT DO UPDATE."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE interval_stage AS "
        + _STAGE_SELECT.format(source=source, order=order_column)
        + " ORDER BY meter_id, direction, ts",
        [artifact_id],
    )
    counted = con.execute(
        f"SELECT count(*) FILTER (WHERE t.ts IS NULL),"
        " count(*) FILTER (WHERE t.ts IS NOT NULL AND NOT (t.quality = 'actual' AND s.quality = 'estimated')),"
        " count(*) FILTER (WHERE t.quality = 'actual' AND s.quality = 'estimated')"
        f" FROM interval_stage s LEFT JOIN {INTERVALS_TABLE} t ON t.utility_account_id = ?"
        " AND t.meter_id = s.meter_id AND t.direction = s.direction AND t.ts = s.ts",
        [utility_account_id],
    ).fetchone()
    inserted, replaced, kept = (int(v) for v in counted) if counted else (0, 0, 0)
    con.execute(
        f"INSERT INTO {INTERVALS_TABLE} (customer_id, utility_account_id, {_MERGE_COLUMNS}, created_at, updated_at)"
        f" SELECT ?, ?, {_MERGE_COLUMNS}, now(), now() FROM interval_stage"
        " ON CONFLICT (utility_account_id, meter_id, direction, ts) DO UPDATE SET"
        " customer_id = excluded.customer_id, interval_seconds = excluded.interval_seconds,"
        " value = excluded.value, unit = excluded.unit, commodity = excluded.commodity, kwh = excluded.kwh,"
        " quality = excluded.quality, cost = excluded.cost, local_zone = excluded.local_zone,"
        " source_unit = excluded.source_unit, unit_factor = excluded.unit_factor,"
        " artifact_id = excluded.artifact_id, updated_at = excluded.updated_at"
        " WHERE NOT (interval_usage.quality = 'actual' AND excluded.quality = 'estimated')",
        [customer_id, utility_account_id],
    )
    con.execute("DROP TABLE interval_stage")
    return IntervalLoad(rows=rows, inserted=inserted, replaced=replaced, kept=kept)


def _arrow_from_readings(rows: Iterable[IntervalReading]) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name in (*INTERVALS_SCHEMA.names, "seq")}
    for seq, r in enumerate(rows):
        columns["meter_id"].append(r.meter_id)
        columns["commodity"].append(r.commodity.value)
        columns["unit"].append(r.unit)
        columns["direction"].append(r.direction.value)
        columns["start"].append(r.start.astimezone(UTC))
        columns["duration_seconds"].append(r.duration_seconds)
        columns["value"].append(r.value)
        columns["quality"].append(r.quality.value)
        columns["cost"].append(r.cost)
        columns["local_zone"].append(r.local_zone)
        columns["source_unit"].append(r.unit)
        columns["unit_factor"].append(Decimal(1))
        columns["seq"].append(seq)
    schema = INTERVALS_SCHEMA.append(pa.field("seq", pa.int64()))
    try:
        return pa.Table.from_pydict(columns, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ValueError(f"interval rows do not fit {VALUE_TYPE} / {FACTOR_TYPE}: {exc}") from exc


def _migrate_interval_usage(con: duckdb.DuckDBPyConnection) -> None:
    """Files made before the Parquet load keep their rows: the old table is rebuilt in the new shape."""
    columns = {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [INTERVALS_TABLE]
        ).fetchall()
    }
    if not columns or "artifact_id" in columns:
        return
    con.execute(f"ALTER TABLE {INTERVALS_TABLE} RENAME TO {INTERVALS_TABLE}_v0")
    con.execute(_INTERVALS_DDL)
    con.execute(
        f"INSERT INTO {INTERVALS_TABLE} (customer_id, utility_account_id, meter_id, direction, ts, interval_seconds,"
        " value, unit, commodity, kwh, quality, cost, source_unit, unit_factor, created_at, updated_at)"
        " SELECT customer_id, utility_account_id, meter_id, direction, ts, interval_seconds, value, unit,"
        f" commodity, kwh, quality, cost, unit, 1, created_at, created_at FROM {INTERVALS_TABLE}_v0"
    )
    con.execute(f"DROP TABLE {INTERVALS_TABLE}_v0")


def _sql_path(name: str) -> str:
    return name.replace("'", "''")


def _check_table(table: str) -> None:
    if table not in ORDER_BY:
        raise ValueError(f"unknown warehouse table {table!r}; expected one of {sorted(ORDER_BY)}")
