"""The warehouse tables' columns, declared once and derived from the pydantic models where they can be.

``bigquery_schema(table)`` is the BigQuery JSON schema (``[{"name", "type", "mode"}, ...]``) that the
BigQuery adapter creates tables with and that ``make terraform-schemas`` writes to
``terraform/schemas/<table>.json``. A column taken from a model gets its BigQuery type and mode from
the field's annotation (``Decimal`` → NUMERIC, aware ``datetime`` → TIMESTAMP, enums → STRING,
``X | None`` → NULLABLE, ...); the other columns (keys, load bookkeeping) are declared beside them.
Column order and types equal the DuckDB warehouse DDL (tests check both declarations agree).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from common.models import IntervalReading, NormalizedBill
from common.ports import ReconciliationRecord

BILLS_TABLE = "normalized_bills"
INTERVALS_TABLE = "interval_usage"
RECONCILIATION_TABLE = "interval_reconciliation"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # BigQuery standard SQL type
    mode: str  # REQUIRED | NULLABLE
    source: str | None = None  # "Model.field" the column is derived from

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type, "mode": self.mode}


def _scalar_type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _scalar_type(typing.get_args(annotation)[0])
    if origin in (list, dict, tuple) or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return "JSON"
    if isinstance(annotation, type):
        if issubclass(annotation, Enum) or issubclass(annotation, str):
            return "STRING"
        if issubclass(annotation, bool):
            return "BOOL"
        if issubclass(annotation, int):
            return "INT64"
        if issubclass(annotation, float):
            return "FLOAT64"
        if issubclass(annotation, Decimal):
            return "NUMERIC"
        if issubclass(annotation, datetime):
            return "TIMESTAMP"
        if issubclass(annotation, date):
            return "DATE"
    raise TypeError(f"no BigQuery type for {annotation!r}")


def bigquery_type(annotation: Any) -> tuple[str, bool]:
    """(BigQuery type, nullable) of a Python/pydantic annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            raise TypeError(f"no BigQuery type for the union {annotation!r}")
        kind, inner_nullable = bigquery_type(args[0])
        return kind, nullable or inner_nullable
    return _scalar_type(annotation), False


def from_field(model: type[BaseModel], field: str, name: str | None = None, *, nullable: bool | None = None) -> Column:
    """A column typed like ``model.field``; NULLABLE when the annotation admits None (or when told)."""
    info = model.model_fields[field]
    kind, optional = bigquery_type(info.annotation)
    if nullable is not None:
        optional = nullable
    return Column(name or field, kind, "NULLABLE" if optional else "REQUIRED", f"{model.__name__}.{field}")


def from_dataclass(cls: type, field: str, name: str | None = None) -> Column:
    hints = typing.get_type_hints(cls)
    kind, optional = bigquery_type(hints[field])
    return Column(name or field, kind, "NULLABLE" if optional else "REQUIRED", f"{cls.__name__}.{field}")


def _required(name: str, kind: str) -> Column:
    return Column(name, kind, "REQUIRED")


def _nullable(name: str, kind: str) -> Column:
    return Column(name, kind, "NULLABLE")


TABLES: dict[str, tuple[Column, ...]] = {
    BILLS_TABLE: (
        _required("bill_id", "STRING"),
        _required("customer_id", "STRING"),
        _required("utility_account_id", "STRING"),
        from_field(NormalizedBill, "provider"),
        from_field(NormalizedBill, "bill_period_start"),
        from_field(NormalizedBill, "bill_period_end"),
        from_field(NormalizedBill, "total_amount"),
        from_field(NormalizedBill, "amount_due"),
        from_field(NormalizedBill, "currency"),
        from_field(NormalizedBill, "status"),
        Column("json_payload", "JSON", "REQUIRED", "NormalizedBill"),  # the whole bill
        _required("created_at", "TIMESTAMP"),
    ),
    INTERVALS_TABLE: (
        _required("customer_id", "STRING"),
        _required("utility_account_id", "STRING"),
        from_field(IntervalReading, "meter_id"),
        from_field(IntervalReading, "direction"),
        from_field(IntervalReading, "start", "ts"),
        from_field(IntervalReading, "duration_seconds", "interval_seconds"),
        from_field(IntervalReading, "value"),
        from_field(IntervalReading, "unit"),
        from_field(IntervalReading, "commodity"),
        Column("kwh", "NUMERIC", "NULLABLE", "IntervalReading.value"),  # value when the unit is kWh
        from_field(IntervalReading, "quality"),
        from_field(IntervalReading, "cost"),
        from_field(IntervalReading, "local_zone"),
        _nullable("source_unit", "STRING"),  # the file's own unit (common.intervals.table)
        _nullable("unit_factor", "BIGNUMERIC"),  # value = source number × unit_factor; scale 12 > NUMERIC's 9
        _nullable("artifact_id", "STRING"),  # the file the row was loaded from last
        _required("created_at", "TIMESTAMP"),
        _required("updated_at", "TIMESTAMP"),
    ),
    RECONCILIATION_TABLE: (
        from_dataclass(ReconciliationRecord, "customer_id"),
        _required("utility_account_id", "STRING"),
        from_dataclass(ReconciliationRecord, "bill_id"),
        from_dataclass(ReconciliationRecord, "commodity"),
        from_dataclass(ReconciliationRecord, "unit"),
        from_dataclass(ReconciliationRecord, "period_start"),
        from_dataclass(ReconciliationRecord, "period_end"),
        from_dataclass(ReconciliationRecord, "billed"),
        from_dataclass(ReconciliationRecord, "interval_total"),
        from_dataclass(ReconciliationRecord, "difference"),
        from_dataclass(ReconciliationRecord, "coverage_ratio"),
        from_dataclass(ReconciliationRecord, "status"),
        from_dataclass(ReconciliationRecord, "likely_cause"),
        Column("details", "JSON", "REQUIRED", "ReconciliationRecord.details"),
        _required("computed_at", "TIMESTAMP"),
    ),
}

# Natural keys (MERGE conditions) and the physical layout BigQuery gives each table.
KEYS: dict[str, tuple[str, ...]] = {
    BILLS_TABLE: ("bill_id",),
    INTERVALS_TABLE: ("utility_account_id", "meter_id", "direction", "ts"),
    RECONCILIATION_TABLE: ("utility_account_id", "bill_id", "commodity", "unit"),
}
PARTITION_FIELD: dict[str, str] = {INTERVALS_TABLE: "ts"}  # DAY partitions on the reading's instant
CLUSTERING: dict[str, tuple[str, ...]] = {
    BILLS_TABLE: ("customer_id", "utility_account_id"),
    INTERVALS_TABLE: ("utility_account_id", "meter_id"),
    RECONCILIATION_TABLE: ("customer_id", "utility_account_id"),
}


def columns(table: str) -> tuple[Column, ...]:
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown warehouse table {table!r}; expected one of {sorted(TABLES)}") from None


def bigquery_schema(table: str) -> list[dict[str, str]]:
    """The table's BigQuery JSON schema, as ``bq mk --schema`` and Terraform's ``schema`` take it."""
    return [column.as_json() for column in columns(table)]
