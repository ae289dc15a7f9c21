"""The Warehouse port on BigQuery (google-cloud-bigquery), in the cloud and against bqemulator.

Every write is a load job into a fresh staging table followed by one MERGE on the table's natural key
(common.warehouse_schema.KEYS), so a redelivered load changes nothing and no streaming buffer is
involved:

- bills: one NDJSON row → ``MERGE … ON bill_id``;
- intervals: the extract stage's Parquet object (common.intervals.table) with a row-order column
  added → ``MERGE … ON (account, meter, direction, ts)`` with the DuckDB warehouse's conflict policy —
  within a file an actual row beats an estimated one, then the later row wins; across files an actual
  reading is never replaced by an estimated one, otherwise the last file loaded wins;
- reconciliation: the account's results replace the earlier ones for the same bills.

Load jobs and queries are waited for and their ``errors`` checked; staging tables expire after an hour
even if a function dies before it drops them. Table schemas come from common.warehouse_schema (the
same JSON schemas Terraform deploys). The client is built on first use and cached. Against the emulator
(``BIGQUERY_EMULATOR_HOST``) it uses anonymous credentials, no client-side retries (the emulator answers
a bad row with HTTP 500, which must fail at once) and NUMERIC where BigQuery has BIGNUMERIC (the
emulator's DuckDB has no 76-digit decimals).
"""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from common.errors import PermanentError, RetryableError
from common.models import IntervalReading
from common.ports import BillRecord, IntervalBucket, IntervalLoad, ReconciliationRecord, Warehouse
from common.warehouse_schema import (
    BILLS_TABLE,
    CLUSTERING,
    INTERVALS_TABLE,
    PARTITION_FIELD,
    RECONCILIATION_TABLE,
    TABLES,
    columns,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from google.cloud.bigquery import Client, SchemaField

JOB_TIMEOUT_SECONDS = 300.0
STAGING_TTL = timedelta(hours=1)
BUCKET_SECONDS = 900
VOLATILE_COLUMNS = frozenset({"created_at", "updated_at", "computed_at"})
ORDER_BY = {
    BILLS_TABLE: "customer_id, utility_account_id, bill_period_start, bill_period_end, bill_id",
    INTERVALS_TABLE: "customer_id, utility_account_id, meter_id, direction, ts",
    RECONCILIATION_TABLE: "customer_id, utility_account_id, period_start, commodity, unit, bill_id",
}
_INTERVAL_VALUES = "interval_seconds, value, unit, commodity, kwh, quality, cost, local_zone, source_unit, unit_factor"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _translate(exc: Exception, what: str) -> Exception:
    from google.api_core import exceptions as gexc

    transient = (
        gexc.TooManyRequests,
        gexc.InternalServerError,
        gexc.BadGateway,
        gexc.ServiceUnavailable,
        gexc.GatewayTimeout,
        gexc.RetryError,
        ConnectionError,
        TimeoutError,
    )
    if isinstance(exc, transient) or type(exc).__module__.startswith("requests"):
        return RetryableError(f"BigQuery unavailable during {what}: {exc}", "warehouse_unavailable")
    if isinstance(exc, gexc.BadRequest):
        return PermanentError(f"BigQuery rejected {what}: {exc}", "warehouse_rejected")
    return exc


class BigQueryWarehouse(Warehouse):
    def __init__(self, project: str, dataset: str, *, location: str = "US", emulator_host: str | None = None) -> None:
        self.project = project
        self.dataset = dataset
        self.location = location
        self.emulator_host = emulator_host
        self._client_: Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BigQueryWarehouse({self.project}.{self.dataset}, emulator_host={self.emulator_host!r})"

    # --- plumbing -------------------------------------------------------------------------------

    def _client(self) -> Client:
        with self._lock:
            if self._client_ is None:
                from google.cloud import bigquery

                if self.emulator_host:
                    from google.auth.credentials import AnonymousCredentials

                    url = self.emulator_host.rstrip("/")
                    self._client_ = bigquery.Client(
                        project=self.project,
                        location=self.location,
                        credentials=AnonymousCredentials(),
                        client_options={"api_endpoint": url if "://" in url else f"http://{url}"},
                    )
                else:
                    self._client_ = bigquery.Client(project=self.project, location=self.location)
            return self._client_

    def _retry(self) -> Any:
        if self.emulator_host:
            return None
        from google.cloud.bigquery import DEFAULT_RETRY

        return DEFAULT_RETRY.with_deadline(120)

    def table_id(self, table: str) -> str:
        return f"{self.project}.{self.dataset}.{table}"

    def _schema(self, table: str, *, skip: frozenset[str] = frozenset()) -> list[SchemaField]:
        from google.cloud.bigquery import SchemaField

        fields = []
        for column in columns(table):
            if column.name in skip:
                continue
            kind = column.type
            if kind == "BIGNUMERIC" and self.emulator_host:
                kind = "NUMERIC"
            fields.append(SchemaField(column.name, kind, mode=column.mode))
        return fields

    def _query(self, sql: str, params: Sequence[Any] = (), what: str = "a query") -> list[Any]:
        from google.cloud.bigquery import QueryJobConfig

        try:
            config = QueryJobConfig(query_parameters=list(params))
            job = self._client().query(sql, job_config=config, retry=self._retry())
            rows = list(job.result(timeout=JOB_TIMEOUT_SECONDS, retry=self._retry()))
        except Exception as exc:
            raise _translate(exc, what) from exc
        if job.errors:
            raise PermanentError(f"BigQuery {what} failed: {job.errors}", "warehouse_rejected")
        return rows

    def _stage(self, name: str, schema: list[SchemaField], data: bytes, source_format: str) -> str:
        """Load `data` into a new staging table (expiring in an hour) and return its id."""
        from google.cloud.bigquery import LoadJobConfig, Table

        staging = self.table_id(f"_stage_{name}_{uuid.uuid4().hex[:16]}")
        client = self._client()
        try:
            table = Table(staging, schema=schema)
            table.expires = datetime.now(UTC) + STAGING_TTL
            client.create_table(table, retry=self._retry())
            config = LoadJobConfig(schema=schema, source_format=source_format, write_disposition="WRITE_APPEND")
            job = client.load_table_from_file(io.BytesIO(data), staging, job_config=config, timeout=JOB_TIMEOUT_SECONDS)
            job.result(timeout=JOB_TIMEOUT_SECONDS, retry=self._retry())
        except Exception as exc:
            self._drop(staging)
            raise _translate(exc, f"the load of {name}") from exc
        if job.errors:
            self._drop(staging)
            raise PermanentError(f"BigQuery load of {name} failed: {job.errors}", "warehouse_rejected")
        return staging

    def _drop(self, table_id: str) -> None:
        try:
            self._client().delete_table(table_id, not_found_ok=True, retry=self._retry())
        except Exception:  # noqa: BLE001 - staging tables expire by themselves
            return

    # --- the port -------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the dataset and tables unless they exist (Terraform creates them in the cloud)."""
        from google.cloud.bigquery import Dataset, Table, TimePartitioning

        client = self._client()
        dataset = Dataset(f"{self.project}.{self.dataset}")
        dataset.location = self.location
        try:
            client.create_dataset(dataset, exists_ok=True, retry=self._retry())
            for name in TABLES:
                table = Table(self.table_id(name), schema=self._schema(name))
                if name in PARTITION_FIELD:
                    table.time_partitioning = TimePartitioning(field=PARTITION_FIELD[name])
                if name in CLUSTERING:
                    table.clustering_fields = list(CLUSTERING[name])
                client.create_table(table, exists_ok=True, retry=self._retry())
        except Exception as exc:
            raise _translate(exc, "schema creation") from exc

    def upsert_bill(self, record: BillRecord) -> None:
        bill = record.bill
        row = {
            "bill_id": record.id,
            "customer_id": record.customer_id,
            "utility_account_id": record.utility_account_id,
            "provider": bill.provider,
            "bill_period_start": bill.bill_period_start.isoformat(),
            "bill_period_end": bill.bill_period_end.isoformat(),
            "total_amount": _dec(bill.total_amount),
            "amount_due": _dec(bill.amount_due),
            "currency": bill.currency,
            "status": bill.status.value,
            "json_payload": json.loads(bill.model_dump_json()),
        }
        schema = self._schema(BILLS_TABLE, skip=frozenset({"created_at"}))
        staging = self._stage("bill", schema, json.dumps(row).encode() + b"\n", "NEWLINE_DELIMITED_JSON")
        names = [f.name for f in schema if f.name != "bill_id"]
        try:
            self._query(
                f"MERGE `{self.table_id(BILLS_TABLE)}` T USING `{staging}` S ON T.bill_id = S.bill_id"
                " WHEN MATCHED THEN UPDATE SET " + ", ".join(f"{n} = S.{n}" for n in names) + " WHEN NOT MATCHED THEN"
                f" INSERT (bill_id, {', '.join(names)}, created_at)"
                f" VALUES (S.bill_id, {', '.join('S.' + n for n in names)}, CURRENT_TIMESTAMP())",
                what=f"the merge of bill {record.id}",
            )
        finally:
            self._drop(staging)

    def load_intervals(
        self, customer_id: str, utility_account_id: str, artifact_id: str, parquet: bytes
    ) -> IntervalLoad:
        from common.intervals.table import read_parquet

        return self._merge_intervals(customer_id, utility_account_id, artifact_id, read_parquet(parquet))

    def upsert_intervals(self, customer_id: str, utility_account_id: str, rows: Iterable[IntervalReading]) -> int:
        return self._merge_intervals(customer_id, utility_account_id, None, _arrow_from_readings(rows)).rows

    def _merge_intervals(
        self, customer_id: str, utility_account_id: str, artifact_id: str | None, table: pa.Table
    ) -> IntervalLoad:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
        from google.cloud.bigquery import ScalarQueryParameter, SchemaField

        rows = table.num_rows
        if rows == 0:
            return IntervalLoad(rows=0)
        staged = table.append_column("seq", pa.array(range(rows), pa.int64()))
        buffer = io.BytesIO()
        pq.write_table(staged, buffer)
        factor = "NUMERIC" if self.emulator_host else "BIGNUMERIC"
        kinds = {"start": "TIMESTAMP", "duration_seconds": "INT64", "seq": "INT64", "value": "NUMERIC"}
        kinds |= {"cost": "NUMERIC", "unit_factor": factor}
        schema = [SchemaField(name, kinds.get(name, "STRING")) for name in staged.schema.names]
        staging = self._stage("intervals", schema, buffer.getvalue(), "PARQUET")
        starts = pc.min_max(table.column("start"))
        params = [
            ScalarQueryParameter("customer", "STRING", customer_id),
            ScalarQueryParameter("account", "STRING", utility_account_id),
            ScalarQueryParameter("artifact", "STRING", artifact_id),
            ScalarQueryParameter("min_ts", "TIMESTAMP", starts["min"].as_py()),
            ScalarQueryParameter("max_ts", "TIMESTAMP", starts["max"].as_py()),
        ]
        values = _INTERVAL_VALUES.split(", ")
        try:
            self._query(
                f"MERGE `{self.table_id(INTERVALS_TABLE)}` T USING ("
                " SELECT meter_id, direction, start AS ts, duration_seconds AS interval_seconds, value, unit,"
                " commodity, IF(unit = 'kWh', value, NULL) AS kwh, quality, cost, local_zone, source_unit,"
                f" unit_factor FROM `{staging}` WHERE TRUE"
                " QUALIFY ROW_NUMBER() OVER (PARTITION BY meter_id, direction, start"
                "  ORDER BY IF(quality = 'actual', 1, 0) DESC, seq DESC) = 1"
                ") S ON T.utility_account_id = @account AND T.meter_id = S.meter_id AND T.direction = S.direction"
                " AND T.ts = S.ts AND T.ts BETWEEN @min_ts AND @max_ts"
                " WHEN MATCHED AND NOT (T.quality = 'actual' AND S.quality = 'estimated') THEN UPDATE SET"
                " customer_id = @customer, " + ", ".join(f"{v} = S.{v}" for v in values) + ","
                " artifact_id = @artifact, updated_at = CURRENT_TIMESTAMP()"
                " WHEN NOT MATCHED THEN INSERT (customer_id, utility_account_id, meter_id, direction, ts,"
                f" {_INTERVAL_VALUES}, artifact_id, created_at, updated_at) VALUES (@customer, @account,"
                " S.meter_id, S.direction, S.ts, " + ", ".join(f"S.{v}" for v in values) + ","
                " @artifact, CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP())",
                params,
                what=f"the interval merge for {utility_account_id}",
            )
        finally:
            self._drop(staging)
        return IntervalLoad(rows=rows)

    def interval_buckets(self, utility_account_id: str, start: datetime, end: datetime) -> list[IntervalBucket]:
        from google.cloud.bigquery import ScalarQueryParameter

        fetched = self._query(
            f"SELECT DIV(UNIX_SECONDS(ts), {BUCKET_SECONDS}) * {BUCKET_SECONDS} AS bucket, direction, commodity,"
            " unit, SUM(value) AS total, COUNT(*) AS n, COUNTIF(quality = 'estimated') AS estimated,"
            " SUM(interval_seconds) AS covered, MAX(UNIX_SECONDS(ts) + interval_seconds) AS last_end,"
            " MIN(local_zone) AS zone"
            f" FROM `{self.table_id(INTERVALS_TABLE)}` WHERE utility_account_id = @account"
            " AND ts >= @start AND ts < @end"
            " GROUP BY bucket, direction, commodity, unit ORDER BY bucket, direction, commodity, unit",
            [
                ScalarQueryParameter("account", "STRING", utility_account_id),
                ScalarQueryParameter("start", "TIMESTAMP", start),
                ScalarQueryParameter("end", "TIMESTAMP", end),
            ],
            what="the interval buckets",
        )
        return [
            IntervalBucket(
                start=datetime.fromtimestamp(int(r["bucket"]), tz=UTC),
                direction=r["direction"],
                commodity=r["commodity"],
                unit=r["unit"],
                total=Decimal(r["total"]),
                rows=int(r["n"]),
                estimated_rows=int(r["estimated"]),
                covered_seconds=int(r["covered"]),
                last_end=datetime.fromtimestamp(int(r["last_end"]), tz=UTC),
                local_zone=r["zone"],
            )
            for r in fetched
        ]

    def record_reconciliation(self, utility_account_id: str, results: Sequence[ReconciliationRecord]) -> None:
        if not results:
            return
        schema = self._schema(RECONCILIATION_TABLE, skip=frozenset({"computed_at"}))
        lines = [
            json.dumps(
                {
                    "customer_id": r.customer_id,
                    "utility_account_id": utility_account_id,
                    "bill_id": r.bill_id,
                    "commodity": r.commodity,
                    "unit": r.unit,
                    "period_start": r.period_start.isoformat(),
                    "period_end": r.period_end.isoformat(),
                    "billed": _dec(r.billed),
                    "interval_total": _dec(r.interval_total),
                    "difference": _dec(r.difference),
                    "coverage_ratio": _dec(r.coverage_ratio),
                    "status": r.status,
                    "likely_cause": r.likely_cause,
                    "details": json.loads(json.dumps(r.details, default=str)),
                }
            )
            for r in results
        ]
        staging = self._stage("reconciliation", schema, "\n".join(lines).encode() + b"\n", "NEWLINE_DELIMITED_JSON")
        names = [f.name for f in schema]
        key = ("utility_account_id", "bill_id", "commodity", "unit")
        target = self.table_id(RECONCILIATION_TABLE)
        # One MERGE, not DELETE then INSERT: two loads of the same account may reconcile the same bill at
        # once, and two separate statements interleave into a doubled row; one statement cannot.
        try:
            self._query(
                f"MERGE `{target}` T USING `{staging}` S ON "
                + " AND ".join(f"T.{k} = S.{k}" for k in key)
                + " WHEN MATCHED THEN UPDATE SET "
                + ", ".join(f"{n} = S.{n}" for n in names if n not in key)
                + ", computed_at = CURRENT_TIMESTAMP()"
                + f" WHEN NOT MATCHED THEN INSERT ({', '.join(names)}, computed_at)"
                + f" VALUES ({', '.join('S.' + n for n in names)}, CURRENT_TIMESTAMP())",
                what="the reconciliation merge",
            )
        finally:
            self._drop(staging)

    def count(self, table: str, customer_id: str | None = None) -> int:
        from google.cloud.bigquery import ScalarQueryParameter

        columns(table)  # refuses unknown tables before they reach SQL
        if customer_id is None:
            rows = self._query(f"SELECT COUNT(*) AS n FROM `{self.table_id(table)}`", what=f"a count of {table}")
        else:
            rows = self._query(
                f"SELECT COUNT(*) AS n FROM `{self.table_id(table)}` WHERE customer_id = @customer",
                [ScalarQueryParameter("customer", "STRING", customer_id)],
                what=f"a count of {table}",
            )
        return int(rows[0]["n"]) if rows else 0

    def rows(self, table: str) -> list[dict[str, Any]]:
        """All rows ordered by natural key, without load timestamps; the same Python types as DuckDB's."""
        names = [c.name for c in columns(table) if c.name not in VOLATILE_COLUMNS]
        fetched = self._query(
            f"SELECT {', '.join(names)} FROM `{self.table_id(table)}` ORDER BY {ORDER_BY[table]}",
            what=f"a read of {table}",
        )
        kinds = {c.name: c.type for c in columns(table)}
        out = []
        for record in fetched:
            row: dict[str, Any] = {}
            for name in names:
                value = record[name]
                if kinds[name] == "JSON" and isinstance(value, str):
                    value = json.loads(value)
                elif kinds[name] == "TIMESTAMP" and isinstance(value, datetime):
                    value = value.astimezone(UTC)
                elif kinds[name] == "DATE" and isinstance(value, datetime):
                    value = value.date()
                row[name] = value
            out.append(row)
        return out


def _arrow_from_readings(rows: Iterable[IntervalReading]) -> pa.Table:
    """IntervalReading models → the Parquet layout of common.intervals.table (already in their unit)."""
    import pyarrow as pa

    from common.intervals.table import SCHEMA

    columns_: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for r in rows:
        columns_["meter_id"].append(r.meter_id)
        columns_["commodity"].append(r.commodity.value)
        columns_["unit"].append(r.unit)
        columns_["direction"].append(r.direction.value)
        columns_["start"].append(r.start.astimezone(UTC))
        columns_["duration_seconds"].append(r.duration_seconds)
        columns_["value"].append(r.value)
        columns_["quality"].append(r.quality.value)
        columns_["cost"].append(r.cost)
        columns_["local_zone"].append(r.local_zone)
        columns_["source_unit"].append(r.unit)  # as the DuckDB warehouse records model rows
        columns_["unit_factor"].append(Decimal(1))
    return pa.Table.from_pydict(columns_, schema=SCHEMA)
