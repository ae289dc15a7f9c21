"""Interval rows as columns, from parser to warehouse: no model object per row.

A :class:`SeriesRows` holds one series (meter, direction, unit) as parallel integer lists — instants
in UTC epoch seconds, durations in seconds, values and costs as integers with a decimal exponent —
so sums are exact and nothing is rounded. An :class:`IntervalTable` is the rows of one file; it
becomes the Parquet object written beside the normalized JSON (schema below, version in the file
metadata), which the warehouse loads as a file. ``IntervalReading`` models are made only on request
(the CLI's ``--rows``, tests, adapters without a file load).

Parquet layout (``minimeter.intervals`` = ``1``): meter_id, commodity, unit, direction (strings,
dictionary-encoded), start (timestamp[s, UTC]), duration_seconds (int32), value and cost
(decimal128(38, 9): BigQuery NUMERIC), quality ("actual" | "estimated"), local_zone (see
common.intervals.localtime), source_unit and unit_factor (decimal128(38, 12)): value = the source's
number in source_unit × unit_factor.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from common.errors import RejectedInput
from common.models import Commodity, Direction, IntervalReading, Quality

VALUE_SCALE = 9
FACTOR_SCALE = 12
COST_EXPONENT = -5  # ESPI costs are hundred-thousandths of the currency; CSV costs are rescaled to it
FORMAT_KEY, FORMAT_VERSION = b"minimeter.intervals", b"1"
VALUE_TYPE = pa.decimal128(38, VALUE_SCALE)
FACTOR_TYPE = pa.decimal128(38, FACTOR_SCALE)
SCHEMA = pa.schema(
    [
        ("meter_id", pa.string()),
        ("commodity", pa.string()),
        ("unit", pa.string()),
        ("direction", pa.string()),
        ("start", pa.timestamp("s", tz="UTC")),
        ("duration_seconds", pa.int32()),
        ("value", VALUE_TYPE),
        ("quality", pa.string()),
        ("cost", VALUE_TYPE),
        ("local_zone", pa.string()),
        ("source_unit", pa.string()),
        ("unit_factor", FACTOR_TYPE),
    ],
    metadata={FORMAT_KEY: FORMAT_VERSION},
)
ROW_GROUP_ROWS = 1 << 17


@dataclass
class SeriesMeta:
    meter_id: str
    commodity: Commodity
    unit: str
    direction: Direction
    exponent: int  # value in `unit` = raw integer × 10**exponent
    local_zone: str | None = None
    source_unit: str | None = None
    unit_exponent: int = 0  # unit_factor = 10**unit_exponent
    cost_exponent: int = COST_EXPONENT


@dataclass
class SeriesRows:
    meta: SeriesMeta
    starts: list[int] = field(default_factory=list)
    durations: list[int] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    costs: list[int | None] | None = None  # None: no row has a cost
    estimated: list[bool] | None = None  # None: every row is actual

    def __len__(self) -> int:
        return len(self.starts)

    def sort(self) -> None:
        """Order rows by start, stably (equal starts keep file order: the later one wins a merge)."""
        order = sorted(range(len(self.starts)), key=self.starts.__getitem__)
        self.starts = [self.starts[i] for i in order]
        self.durations = [self.durations[i] for i in order]
        self.values = [self.values[i] for i in order]
        if self.costs is not None:
            self.costs = [self.costs[i] for i in order]
        if self.estimated is not None:
            self.estimated = [self.estimated[i] for i in order]

    def is_sorted(self) -> bool:
        starts = self.starts
        return all(a <= b for a, b in itertools.pairwise(starts))

    def readings(self) -> Iterator[IntervalReading]:
        meta = self.meta
        costs = self.costs or [None] * len(self.starts)
        estimated = self.estimated or [False] * len(self.starts)
        for start, duration, value, cost, est in zip(
            self.starts, self.durations, self.values, costs, estimated, strict=True
        ):
            yield IntervalReading(
                meter_id=meta.meter_id,
                commodity=meta.commodity,
                unit=meta.unit,
                direction=meta.direction,
                start=datetime.fromtimestamp(start, tz=UTC),
                duration_seconds=duration,
                value=Decimal(value).scaleb(meta.exponent),
                quality=Quality.ESTIMATED if est else Quality.ACTUAL,
                cost=None if cost is None else Decimal(cost).scaleb(meta.cost_exponent),
                local_zone=meta.local_zone,
            )

    def to_arrow(self) -> pa.Table:
        meta, count = self.meta, len(self.starts)
        if self.estimated is None:
            quality = pa.repeat(Quality.ACTUAL.value, count)
        else:
            codes = pa.array(self.estimated, pa.bool_()).cast(pa.int8())
            quality = pa.DictionaryArray.from_arrays(codes, pa.array([Quality.ACTUAL.value, Quality.ESTIMATED.value]))
            quality = quality.cast(pa.string())
        if self.costs is None:
            cost = pa.nulls(count, VALUE_TYPE)
        else:
            cost = scaled_decimals(self.costs, meta.cost_exponent)
        columns: list[Any] = [
            pa.repeat(meta.meter_id, count),
            pa.repeat(meta.commodity.value, count),
            pa.repeat(meta.unit, count),
            pa.repeat(meta.direction.value, count),
            pa.array(self.starts, pa.int64()).cast(SCHEMA.field("start").type),
            pa.array(self.durations, pa.int32()),
            scaled_decimals(self.values, meta.exponent),
            quality,
            cost,
            pa.repeat(pa.scalar(meta.local_zone, pa.string()), count),
            pa.repeat(pa.scalar(meta.source_unit or meta.unit, pa.string()), count),
            pa.repeat(pa.scalar(Decimal(1).scaleb(meta.unit_exponent), FACTOR_TYPE), count),
        ]
        return pa.Table.from_arrays(columns, schema=SCHEMA)


def scaled_decimals(raw: list[int] | list[int | None], exponent: int) -> pa.Array:
    """Integers × 10**exponent as decimal128(38, 9), exactly and without a Decimal per value.

    Casting int64 to a decimal of scale ``9 + exponent`` stores raw × 10**(9 + exponent) as the
    unscaled integer; read at scale 9 that is raw × 10**exponent.
    """
    scale = VALUE_SCALE + exponent
    if scale < 0:
        raise RejectedInput(f"values with exponent {exponent} are finer than 1e-{VALUE_SCALE}", "value_precision")
    try:
        cast = pa.array(raw, pa.int64()).cast(pa.decimal128(38, scale))
    except (pa.ArrowInvalid, OverflowError) as exc:
        raise RejectedInput(f"interval value out of range: {exc}", "value_out_of_range") from None
    return pa.Array.from_buffers(VALUE_TYPE, len(cast), cast.buffers(), cast.null_count)


@dataclass
class IntervalTable:
    """The interval rows of one file, one :class:`SeriesRows` per series."""

    series: list[SeriesRows] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(s) for s in self.series)

    def readings(self) -> Iterator[IntervalReading]:
        for rows in self.series:
            yield from rows.readings()

    def to_arrow(self) -> pa.Table:
        if not self.series:
            return SCHEMA.empty_table()
        return pa.concat_tables([rows.to_arrow() for rows in self.series])

    def to_parquet(self) -> bytes:
        buffer = BytesIO()
        pq.write_table(self.to_arrow(), buffer, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        return buffer.getvalue()


def read_parquet(data: bytes) -> pa.Table:
    """Read an intervals object, refusing anything that is not this layout."""
    try:
        table = pq.read_table(BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise RejectedInput(f"not an intervals Parquet object: {exc}", "bad_intervals_object") from None
    if (table.schema.metadata or {}).get(FORMAT_KEY) != FORMAT_VERSION:
        raise RejectedInput("Parquet object is not minimeter.intervals version 1", "bad_intervals_object")
    return table


def readings_from_parquet(data: bytes) -> Iterator[IntervalReading]:
    """Models from an intervals object, for adapters that can only take rows."""
    table = read_parquet(data)
    for batch in table.to_batches(max_chunksize=8192):
        for row in batch.to_pylist():
            yield IntervalReading(
                meter_id=row["meter_id"],
                commodity=Commodity(row["commodity"]),
                unit=row["unit"],
                direction=Direction(row["direction"]),
                start=row["start"].astimezone(UTC),
                duration_seconds=row["duration_seconds"],
                value=row["value"],
                quality=Quality(row["quality"]),
                cost=row["cost"],
                local_zone=row["local_zone"],
            )
