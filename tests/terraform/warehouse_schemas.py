"""BigQuery JSON schemas of the warehouse tables, written to terraform/schemas/<table>.json.

`make terraform-schemas` runs this file; tests/terraform/test_terraform_bigquery.py fails when the files
differ from what it generates. The schemas come from ``common.warehouse_schema.bigquery_schema(table)``
(derived from the pydantic models by the cloud-adapter work). Until that module exists they are derived
from the DuckDB warehouse DDL (common/adapters/duckdb_warehouse.py), the other declaration of the same
tables, so the files are never hand-written.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "terraform" / "schemas"

# DuckDB column types of the warehouse DDL -> BigQuery types, spelled as the BigQuery API returns them
# (INTEGER, not INT64), so Terraform sees no difference between the file and the live table.
_DUCKDB_TO_BIGQUERY = {
    "VARCHAR": "STRING",
    "DATE": "DATE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "INTEGER": "INTEGER",
    "BIGINT": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "DOUBLE": "FLOAT",
    "JSON": "JSON",
}


def _bigquery_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        precision, _, scale = duckdb_type[len("DECIMAL(") : -1].partition(",")
        # NUMERIC holds 29 integer and 9 fractional digits; anything wider needs BIGNUMERIC.
        return "NUMERIC" if int(scale) <= 9 and int(precision) - int(scale) <= 29 else "BIGNUMERIC"
    try:
        return _DUCKDB_TO_BIGQUERY[duckdb_type]
    except KeyError:
        raise ValueError(f"no BigQuery type for DuckDB type {duckdb_type!r}") from None


def warehouse_tables() -> tuple[str, ...]:
    """The warehouse tables, as the code declares them (the DuckDB warehouse when nothing else does)."""
    if importlib.util.find_spec("common.warehouse_schema") is not None:
        module = importlib.import_module("common.warehouse_schema")
        return tuple(module.TABLES)
    from common.adapters.duckdb_warehouse import ORDER_BY

    return tuple(ORDER_BY)


def schema_from_duckdb_ddl(table: str) -> list[dict[str, Any]]:
    """The table's columns as the DuckDB warehouse creates them, in BigQuery JSON schema form."""
    import duckdb

    from common.adapters.duckdb_warehouse import SCHEMA

    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        for statement in SCHEMA:
            con.execute(statement)
        described = con.execute(f"DESCRIBE {table}").fetchall()
    finally:
        con.close()
    return [
        {"name": str(name), "type": _bigquery_type(str(typ)), "mode": "NULLABLE" if null == "YES" else "REQUIRED"}
        for name, typ, null, *_ in described
    ]


def schema_source() -> tuple[str, Callable[[str], list[dict[str, Any]]]]:
    """Which generator is in use (for messages) and the generator itself."""
    if importlib.util.find_spec("common.warehouse_schema") is not None:
        module = importlib.import_module("common.warehouse_schema")
        generator: Callable[[str], list[dict[str, Any]]] = module.bigquery_schema
        return "common.warehouse_schema.bigquery_schema", generator
    return "the DuckDB warehouse DDL (common.warehouse_schema not present)", schema_from_duckdb_ddl


def generate() -> dict[str, list[dict[str, Any]]]:
    _, generator = schema_source()
    return {table: generator(table) for table in warehouse_tables()}


def render(schema: list[dict[str, Any]]) -> str:
    return json.dumps(schema, indent=2) + "\n"


def main() -> int:
    source, _ = schema_source()
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for table, schema in generate().items():
        path = SCHEMA_DIR / f"{table}.json"
        path.write_text(render(schema))
        print(f"{path.relative_to(REPO_ROOT)}: {len(schema)} columns from {source}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    raise SystemExit(main())
