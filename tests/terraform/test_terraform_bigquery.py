"""The BigQuery tables are the warehouse tables of the code, with schemas generated from it."""

from __future__ import annotations

import json
import re

import pytest
import tfconfig
import warehouse_schemas
from tfconfig import block, dynamic, expr

ROOT = tfconfig.root()
GENERATED = warehouse_schemas.generate()
TABLES = warehouse_schemas.warehouse_tables()
# The legacy and standard SQL spellings of the same BigQuery type.
SAME_TYPE = {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN"}


def committed(table: str) -> list[dict[str, str]]:
    path = warehouse_schemas.SCHEMA_DIR / f"{table}.json"
    assert path.exists(), f"{path} is missing: run `make terraform-schemas`"
    loaded: list[dict[str, str]] = json.loads(path.read_text())
    return loaded


def test_there_is_a_schema_file_for_each_table_and_no_other() -> None:
    files = {p.stem for p in warehouse_schemas.SCHEMA_DIR.glob("*.json")}
    assert files == set(TABLES), "run `make terraform-schemas` (and delete schema files of dropped tables)"


@pytest.mark.parametrize("table", TABLES)
def test_schema_files_are_what_the_code_generates(table: str) -> None:
    source, _ = warehouse_schemas.schema_source()
    path = warehouse_schemas.SCHEMA_DIR / f"{table}.json"
    assert path.exists(), f"{path} is missing: run `make terraform-schemas`"
    assert path.read_text() == warehouse_schemas.render(GENERATED[table]), (
        f"{path.relative_to(tfconfig.REPO_ROOT)} differs from what {source} generates: run `make terraform-schemas`"
    )


@pytest.mark.parametrize("table", TABLES)
def test_bigquery_and_duckdb_warehouses_have_the_same_columns(table: str) -> None:
    bigquery = {c["name"]: SAME_TYPE.get(c["type"], c["type"]) for c in committed(table)}
    duckdb = {c["name"]: c["type"] for c in warehouse_schemas.schema_from_duckdb_ddl(table)}
    assert set(bigquery) == set(duckdb), (
        f"{table}: only in BigQuery {set(bigquery) - set(duckdb)}, only in DuckDB {set(duckdb) - set(bigquery)}"
    )


def test_terraform_creates_every_warehouse_table_from_its_schema_file() -> None:
    tables = ROOT.local("warehouse_tables")
    assert set(tables) == set(TABLES)
    resource = ROOT.resource("google_bigquery_table", "warehouse")
    assert expr(resource["for_each"]) == "local.warehouse_tables"
    assert expr(resource["table_id"]) == "each.key"
    assert resource["schema"] == '${file("${path.module}/schemas/${each.key}.json")}'
    assert expr(resource["deletion_protection"]) == "var.deletion_protection"
    assert expr(resource["clustering"]) == "each.value.clustering"
    partitioning = block(dynamic(resource, "time_partitioning"), "content")
    assert partitioning["type"] == "DAY"
    assert expr(partitioning["field"]) == "time_partitioning.value"


def test_partitioning_and_clustering_are_the_code_s() -> None:
    tables = ROOT.local("warehouse_tables")
    try:
        from common.warehouse_schema import CLUSTERING, PARTITION_FIELD
    except ImportError:  # before common/warehouse_schema.py: the design's layout
        CLUSTERING, PARTITION_FIELD = {"interval_usage": ("utility_account_id", "meter_id")}, {"interval_usage": "ts"}
    for table, layout in tables.items():
        if table in CLUSTERING:
            assert layout["clustering"] == list(CLUSTERING[table]), table
        assert layout["partition_field"] == PARTITION_FIELD.get(table), table
        columns = {c["name"]: c for c in committed(table)}
        for field in layout["clustering"]:
            assert field in columns, f"{table}: clustering field {field} is not a column"
        if layout["partition_field"]:
            assert columns[layout["partition_field"]]["type"] in {"TIMESTAMP", "DATE"}, table
    # The design: interval usage by day on ts, clustered by account and meter.
    assert tables["interval_usage"]["partition_field"] == "ts"
    assert tables["interval_usage"]["clustering"][:2] == ["utility_account_id", "meter_id"]


def test_the_dataset_is_the_one_the_functions_use() -> None:
    env = ROOT.local("function_env")
    assert expr(env["BQ_DATASET"]) == "google_bigquery_dataset.warehouse.dataset_id"
    assert expr(env["BQ_LOCATION"]) == "google_bigquery_dataset.warehouse.location"
    assert re.fullmatch(r"[A-Za-z0-9_]+", ROOT.resource("google_bigquery_dataset", "warehouse")["dataset_id"])
