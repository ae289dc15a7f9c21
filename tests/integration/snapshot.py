"""What a run left in Postgres and the warehouse, with generated ids and load timestamps normalized away.

Two runs of the same inputs in different modes create different ids (customers, accounts, jobs, bills,
API keys) and different load times; everything else must be equal. Each id is replaced by a stable
name derived from natural keys (an account by its provider and number, a bill by its account and
period, an artifact by its account and content hash), wherever it appears: in columns, in object
names, inside JSON. Rows are then compared as sorted multisets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from common.adapters.postgres import connect_url
from common.ports import Warehouse

# Columns whose values are when something happened, not what: they differ from run to run.
VOLATILE = frozenset(
    {"created_at", "updated_at", "started_at", "finished_at", "computed_at", "at", "last_used_at", "duration_ms"}
)
# Delivery counts: the platforms' budgets differ by design (the local router dead-letters after 3
# deliveries, Pub/Sub after its minimum of 5), and a FAILED item counts the deliveries it refuses.
DELIVERY_COUNTS = frozenset({"attempts", "stage_attempts"})
# Operational tables compared between modes (api_keys and agent_runs hold per-run secrets and ids only).
TABLES = (
    "customers",
    "utility_accounts",
    "ingestion_jobs",
    "artifacts",
    "job_artifacts",
    "bills",
    "bill_line_items",
    "bill_usage",
    "interval_series",
)
WAREHOUSE_TABLES = ("normalized_bills", "interval_usage", "interval_reconciliation")


def _fetch(db_url: str, sql: str) -> list[dict[str, Any]]:
    conn = connect_url(db_url)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        conn.close()


def id_names(db_url: str) -> dict[str, str]:
    """Every generated id of the run → a name made of natural keys."""
    names: dict[str, str] = {}
    for row in _fetch(db_url, "SELECT id, name FROM customers"):
        names[row["id"]] = f"<customer {row['name']}>"
    for row in _fetch(db_url, "SELECT id, provider, account_number FROM utility_accounts"):
        names[row["id"]] = f"<account {row['provider']}/{row['account_number']}>"
    for row in _fetch(db_url, "SELECT id, utility_account_id, sha256 FROM artifacts"):
        names[row["id"]] = f"<artifact {names[row['utility_account_id']]}/{row['sha256'][:12]}>"
    for row in _fetch(db_url, "SELECT id, utility_account_id, bill_period_start, bill_period_end FROM bills"):
        names[row["id"]] = (
            f"<bill {names[row['utility_account_id']]} {row['bill_period_start']}..{row['bill_period_end']}>"
        )
    jobs = _fetch(db_url, "SELECT id, utility_account_id, job_type, since_date FROM ingestion_jobs")
    for row in jobs:
        names[row["id"]] = f"<job {names[row['utility_account_id']]} {row['job_type']} {row['since_date']}>"
    return names


def _plain(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        if value in names:
            return names[value]
        for generated, name in names.items():
            if generated in value:
                value = value.replace(generated, name)
        return value
    if isinstance(value, dict):
        return {k: _plain(v, names) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_plain(v, names) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def normalized(rows: Iterable[Mapping[str, Any]], names: Mapping[str, str], drop: Iterable[str] = ()) -> list[str]:
    """Rows as sorted canonical JSON strings: ids named, volatile columns and `drop` removed."""
    dropped = VOLATILE | set(drop)
    out = []
    for row in rows:
        plain = {
            k: _plain(json.loads(v) if k in _JSON_COLUMNS and isinstance(v, str) else v, names) for k, v in row.items()
        }
        out.append(json.dumps({k: v for k, v in plain.items() if k not in dropped}, sort_keys=True, default=str))
    return sorted(out)


_JSON_COLUMNS = frozenset({"errors", "payload", "stage_attempts", "json_payload", "details", "plan"})


def snapshot(db_url: str, warehouse: Warehouse) -> dict[str, list[str]]:
    names = id_names(db_url)
    result = {
        table: normalized(_fetch(db_url, f"SELECT * FROM {table}"), names, drop=DELIVERY_COUNTS) for table in TABLES
    }
    for table in WAREHOUSE_TABLES:
        result[f"warehouse.{table}"] = normalized(warehouse.rows(table), names)
    return result
