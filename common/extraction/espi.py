"""Green Button (NAESB REQ.21 ESPI) Atom feeds → interval columns, series summaries and audits.

Speed and memory: ``lxml.etree.iterparse`` reports only IntervalBlocks, Atom entries and the few
resource kinds, never single readings; a block's readings are read as whole columns by compiled
XPath in C (``IntervalReading/timePeriod/start/text()`` …) and turned into integer lists, so Python
does a handful of operations per block, not per reading. Every element is cleared once read, so the
tree never grows. A block whose shape is unusual (a missing field, ReadingQuality on duplicate
starts, costs on only some readings, foreign namespaces) falls back to a per-reading loop that
validates every field. Blocks go to a *sink*: :class:`MemorySink` keeps compact columns for the
pipeline (one file, a few hundred thousand rows at most), :class:`ParquetSpillSink` writes row groups
to disk as they come for feeds of any size in bounded memory.

Resources are tied together by their Atom ``link`` hrefs, never by document order: a ReadingType may
arrive after the IntervalBlocks it describes, so blocks are kept as raw ESPI integers per
MeterReading and resolved to units, directions and meters only at the end. Stats (count, exact
total, estimated count, coverage runs) are accumulated per block as they stream.

Semantics: ESPI instants are UTC epoch seconds, so every row is an exact instant; the fall-back
hour is simply two distinct instants and the spring-forward hour cannot appear. LocalTimeParameters
become a zone label (common.intervals.localtime) kept on every row. ``uom`` and
``powerOfTenMultiplier`` become an exact decimal exponent in the normalised unit (Wh → kWh), with the
source unit and factor kept. UsageSummary / ElectricPowerUsageSummary are kept and compared with the
intervals, never trusted.

meter_id choice: the UsagePoint id (the path segment after ``UsagePoint`` in the hrefs). When one
UsagePoint has several MeterReadings with the same direction and unit (e.g. a 15-minute and an
hourly channel), each becomes ``"<usage point id>:<meter reading id>"`` so series never mix.
"""

from __future__ import annotations

import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from lxml import etree

from common.errors import RejectedInput
from common.intervals.coverage import Coverage
from common.intervals.localtime import espi_zone_label
from common.intervals.table import (
    COST_EXPONENT,
    ROW_GROUP_ROWS,
    SCHEMA,
    VALUE_SCALE,
    IntervalTable,
    SeriesMeta,
    SeriesRows,
)
from common.intervals.units import ESPI_UOM, normalise
from common.models import (
    AuditResult,
    Commodity,
    CoverageSpan,
    Direction,
    IntervalReading,
    IntervalSeriesSummary,
    Severity,
)

# --- ESPI code tables --------------------------------------------------------------------------

COMMODITY_BY_CODE: dict[int, Commodity] = {
    1: Commodity.ELECTRICITY,  # electricity SecondaryMetered
    2: Commodity.ELECTRICITY,  # electricity PrimaryMetered
    4: Commodity.OTHER,  # air
    7: Commodity.GAS,  # naturalGas
    8: Commodity.OTHER,  # propane
    9: Commodity.WATER,  # potableWater
    10: Commodity.OTHER,  # steam
    11: Commodity.SEWER,  # wastewater
    12: Commodity.OTHER,  # heatingFluid
    13: Commodity.OTHER,  # coolingFluid
}
# UsagePoint ServiceCategory kind, used when the ReadingType has no (or a "none") commodity.
COMMODITY_BY_SERVICE_KIND: dict[int, Commodity] = {
    0: Commodity.ELECTRICITY,
    1: Commodity.GAS,
    2: Commodity.WATER,
    6: Commodity.SEWER,
}
DIRECTION_BY_FLOW: dict[int, Direction] = {
    1: Direction.DELIVERED,
    19: Direction.RECEIVED,
    4: Direction.NET,
}
# QualityOfReading: 8 estimated (reference day), 9 estimated (interpolation), 12 projected.
ESTIMATED_QUALITY_CODES = frozenset({8, 9, 12})

RESOURCE_KINDS = (
    "UsagePoint",
    "MeterReading",
    "ReadingType",
    "LocalTimeParameters",
    "UsageSummary",
    "ElectricPowerUsageSummary",
)
SUMMARY_KINDS = ("UsageSummary", "ElectricPowerUsageSummary")
_DTD_MARKERS = tuple(
    marker.encode(codec) for marker in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
_PROLOG_SCAN = 1 << 20  # a DTD can only sit in the prolog, before the root element
_BLOCK_COLLECTION = re.compile(r"/IntervalBlock(?:/[^/]*)?/?$")
_SAMPLE_LIMIT = 10  # how many gap/overlap locations an audit lists
_COVERAGE_SPANS = 100

Source = bytes | str | os.PathLike[str] | IO[bytes]
ChannelKey = tuple[str | None, str]  # (usage point id, meter reading id)


@dataclass
class RawBlock:
    """One IntervalBlock as ESPI integers, column by column."""

    starts: list[int]
    durations: list[int]
    values: list[int]
    costs: list[int | None] | None  # None: no reading has a cost
    estimated: list[bool] | None  # None: no reading is estimated
    regular: bool  # one duration, sorted, contiguous: coverage is a single run

    def __len__(self) -> int:
        return len(self.starts)


@dataclass
class EspiResult:
    table: IntervalTable = field(default_factory=IntervalTable)
    series: list[IntervalSeriesSummary] = field(default_factory=list)
    audits: list[AuditResult] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    row_count: int = 0

    @property
    def readings(self) -> list[IntervalReading]:
        """One model per row: for tests and the CLI's ``--rows``, never on the hot path."""
        return list(self.table.readings())


# --- small helpers -----------------------------------------------------------------------------


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: object) -> str:
    """Namespace-free element name; ESPI files vary in prefixes, never in local names."""
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2]
    return name


def _int(text: str | None, what: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise RejectedInput(f"ESPI {what} is not an integer: {text!r}", "invalid_espi_value") from None


def _segment_after(href: str, name: str) -> str | None:
    """Id following the last ``name`` segment of an href path (hrefs differ only in their prefix)."""
    segments = [s for s in urlsplit(href).path.split("/") if s]
    for index in range(len(segments) - 2, -1, -1):
        if segments[index] == name:
            return unquote(segments[index + 1])
    return None


def _utc(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC)


def _children_text(elem: Any) -> dict[str, str]:
    return {_local(child.tag): (child.text or "").strip() for child in elem}


def _reject_dtd(head: bytes) -> None:
    """A DTD is the door to entity expansion and external fetches; ESPI never needs one."""
    if any(marker in head for marker in _DTD_MARKERS):
        raise RejectedInput("XML with a DOCTYPE or ENTITY declaration is refused", "xml_dtd_forbidden")


# --- reading one IntervalBlock -------------------------------------------------------------------


class _BlockPaths:
    """Compiled XPaths reading a block's readings column by column, for one namespace."""

    def __init__(self, namespace: str) -> None:
        p = "e:" if namespace else ""
        ns = {"e": namespace} if namespace else None

        def texts(path: str) -> etree.XPath:
            return etree.XPath(f"{p}IntervalReading/{path}/text()", namespaces=ns, smart_strings=False)

        codes = " or ".join(f"normalize-space(.)='{code}'" for code in sorted(ESTIMATED_QUALITY_CODES))
        self._count = etree.XPath(f"count({p}IntervalReading)", namespaces=ns)
        self._has_quality = etree.XPath(f"boolean({p}IntervalReading/{p}ReadingQuality)", namespaces=ns)
        self._columns = {
            "start": texts(f"{p}timePeriod/{p}start"),
            "duration": texts(f"{p}timePeriod/{p}duration"),
            "value": texts(f"{p}value"),
            "cost": texts(f"{p}cost"),
            "estimated_start": etree.XPath(
                f"{p}IntervalReading[{p}ReadingQuality/{p}quality[{codes}]]/{p}timePeriod/{p}start/text()",
                namespaces=ns,
                smart_strings=False,
            ),
        }

    def count(self, block: Any) -> int:
        return int(cast(float, self._count(block)))

    def has_quality(self, block: Any) -> bool:
        return bool(self._has_quality(block))

    def texts(self, column: str, block: Any) -> list[str]:
        return cast(list[str], self._columns[column](block))


_PATHS: dict[str, _BlockPaths] = {}


def _paths_for(tag: str) -> _BlockPaths:
    namespace = tag[1 : tag.index("}")] if tag.startswith("{") else ""
    paths = _PATHS.get(namespace)
    if paths is None:
        paths = _PATHS[namespace] = _BlockPaths(namespace)
    return paths


def _read_block(block: Any) -> RawBlock:
    """Columns of one block in a few C calls; the careful per-reading path when the shape is odd."""
    paths = _paths_for(block.tag)
    count = paths.count(block)
    start_texts, duration_texts, value_texts = (paths.texts(c, block) for c in ("start", "duration", "value"))
    if not (len(start_texts) == len(duration_texts) == len(value_texts) == count):
        return _read_block_slowly(block)
    cost_texts = paths.texts("cost", block)
    if cost_texts and len(cost_texts) != count:
        return _read_block_slowly(block)
    try:
        starts = list(map(int, start_texts))
        durations = list(map(int, duration_texts))
        values = list(map(int, value_texts))
        costs: list[int | None] | None = list(map(int, cost_texts)) if cost_texts else None
    except ValueError:
        return _read_block_slowly(block)  # it names the offending field
    estimated = None
    if paths.has_quality(block):
        flagged = paths.texts("estimated_start", block)
        if flagged:
            if len(set(start_texts)) != count:
                return _read_block_slowly(block)
            flagged_set = set(flagged)
            estimated = [text in flagged_set for text in start_texts]
    return make_block(starts, durations, values, costs, estimated)


def make_block(
    starts: list[int],
    durations: list[int],
    values: list[int],
    costs: list[int | None] | None,
    estimated: list[bool] | None,
) -> RawBlock:
    if not starts:
        return RawBlock(starts, durations, values, costs, estimated, regular=True)
    first = durations[0]
    if durations.count(first) == len(durations):
        if first <= 0:
            raise RejectedInput(f"IntervalReading duration must be positive, got {first}", "invalid_espi_value")
        regular = starts == list(range(starts[0], starts[0] + first * len(starts), first))
    else:
        shortest = min(durations)
        if shortest <= 0:
            raise RejectedInput(f"IntervalReading duration must be positive, got {shortest}", "invalid_espi_value")
        regular = False
    return RawBlock(starts, durations, values, costs, estimated, regular)


def _read_block_slowly(block: Any) -> RawBlock:
    starts: list[int] = []
    durations: list[int] = []
    values: list[int] = []
    costs: list[int | None] = []
    estimated: list[bool] = []
    for reading in block:
        if _local(reading.tag) != "IntervalReading":
            continue
        start, duration, value, cost, is_estimated = _parse_interval_reading(reading)
        starts.append(start)
        durations.append(duration)
        values.append(value)
        costs.append(cost)
        estimated.append(is_estimated)
    return make_block(
        starts,
        durations,
        values,
        costs if any(c is not None for c in costs) else None,
        estimated if any(estimated) else None,
    )


def _parse_interval_reading(elem: Any) -> tuple[int, int, int, int | None, bool]:
    start = duration = value = cost = None
    estimated = False
    try:
        for child in elem:
            name = _local(child.tag)
            if name == "timePeriod":
                for part in child:
                    part_name = _local(part.tag)
                    if part_name == "start":
                        start = int(part.text)
                    elif part_name == "duration":
                        duration = int(part.text)
            elif name == "value":
                value = int(child.text)
            elif name == "cost":
                cost = int(child.text)
            elif name == "ReadingQuality":
                for part in child:
                    if _local(part.tag) == "quality" and _int(part.text, "quality") in ESTIMATED_QUALITY_CODES:
                        estimated = True
    except (TypeError, ValueError):
        raise RejectedInput("IntervalReading has a non-integer field", "invalid_espi_value") from None
    if start is None or duration is None or value is None:
        raise RejectedInput(
            "IntervalReading without timePeriod start/duration or value",
            "invalid_espi_value",
        )
    return (start, duration, value, cost, estimated)


# --- sinks: where blocks go while the feed streams --------------------------------------------------


@dataclass
class SeriesStats:
    """Per MeterReading, updated block by block: everything the summary and audits need."""

    coverage: Coverage = field(default_factory=Coverage)
    durations: Counter[int] = field(default_factory=Counter)
    count: int = 0
    raw_total: int = 0
    estimated: int = 0
    negatives: int = 0

    def add(self, block: RawBlock) -> None:
        count = len(block)
        self.count += count
        self.raw_total += sum(block.values)
        if block.estimated is not None:
            self.estimated += sum(block.estimated)
        if min(block.values) < 0:
            self.negatives += sum(1 for v in block.values if v < 0)
        if block.regular:
            self.durations[block.durations[0]] += count
            self.coverage.add_run(block.starts[0], block.durations[0], count)
        else:
            self.durations.update(block.durations)
            self.coverage.add_rows(block.starts, block.durations)


@dataclass
class Channel:
    """One MeterReading resolved against its ReadingType, UsagePoint and local time."""

    key: ChannelKey
    meta: SeriesMeta
    usage_point: str | None
    stats: SeriesStats


class BlockSink(ABC):
    """Receives blocks as they stream; builds the rows' final form once channels are resolved."""

    @abstractmethod
    def add(self, key: ChannelKey, block: RawBlock) -> None: ...

    @abstractmethod
    def finish(self, channels: list[Channel]) -> IntervalTable:
        """Called once, channels sorted; returns the in-memory table (empty for sinks that spill)."""

    @abstractmethod
    def window_total(self, channel: Channel, start: int, end: int) -> tuple[int, int]:
        """(raw value sum, covered seconds) of the channel's rows lying inside [start, end)."""


class MemorySink(BlockSink):
    """Compact integer columns per MeterReading: what the pipeline uses for one file."""

    def __init__(self) -> None:
        self._rows: dict[ChannelKey, SeriesRows] = {}

    def add(self, key: ChannelKey, block: RawBlock) -> None:
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = SeriesRows(SeriesMeta("", Commodity.OTHER, "", Direction.DELIVERED, 0))
        before = len(rows.starts)
        rows.starts.extend(block.starts)
        rows.durations.extend(block.durations)
        rows.values.extend(block.values)
        if block.costs is not None or rows.costs is not None:
            if rows.costs is None:
                rows.costs = [None] * before
            rows.costs.extend(block.costs if block.costs is not None else [None] * len(block))
        if block.estimated is not None or rows.estimated is not None:
            if rows.estimated is None:
                rows.estimated = [False] * before
            rows.estimated.extend(block.estimated if block.estimated is not None else [False] * len(block))

    def finish(self, channels: list[Channel]) -> IntervalTable:
        table = IntervalTable()
        for channel in channels:
            rows = self._rows[channel.key]
            rows.meta = channel.meta
            if not channel.stats.coverage.in_order:
                rows.sort()
            table.series.append(rows)
        return table

    def window_total(self, channel: Channel, start: int, end: int) -> tuple[int, int]:
        rows = self._rows[channel.key]
        total = covered = 0
        for row_start, duration, value in zip(rows.starts, rows.durations, rows.values, strict=True):
            if row_start >= start and row_start + duration <= end:
                total += value
                covered += duration
        return total, covered


_SPILL_SCHEMA = pa.schema(
    [
        ("key", pa.int32()),
        ("start", pa.int64()),
        ("duration", pa.int32()),
        ("value", pa.int64()),
        ("cost", pa.int64()),
        ("estimated", pa.bool_()),
    ]
)


class ParquetSpillSink(BlockSink):
    """Bounded memory for feeds of any size: raw row groups spill to a temporary Parquet file as they
    stream, and ``finish`` rewrites them group by group into the intervals layout at ``path``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        handle, spill = tempfile.mkstemp(suffix=".spill.parquet", dir=self.path.parent)
        os.close(handle)
        self._spill_path = Path(spill)
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(spill, _SPILL_SCHEMA, compression="none")
        self._keys: dict[ChannelKey, int] = {}
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self.rows_written = 0

    def add(self, key: ChannelKey, block: RawBlock) -> None:
        index = self._keys.setdefault(key, len(self._keys))
        count = len(block)
        self._pending.append(
            pa.record_batch(
                [
                    pa.repeat(pa.scalar(index, pa.int32()), count),
                    pa.array(block.starts, pa.int64()),
                    pa.array(block.durations, pa.int32()),
                    pa.array(block.values, pa.int64()),
                    pa.array(block.costs, pa.int64()) if block.costs is not None else pa.nulls(count, pa.int64()),
                    pa.array(block.estimated, pa.bool_()) if block.estimated is not None else pa.repeat(False, count),
                ],
                schema=_SPILL_SCHEMA,
            )
        )
        self._pending_rows += count
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending and self._writer is not None:
            self._writer.write_table(pa.Table.from_batches(self._pending), row_group_size=ROW_GROUP_ROWS)
        self._pending, self._pending_rows = [], 0

    def finish(self, channels: list[Channel]) -> IntervalTable:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        metas = {self._keys[c.key]: c.meta for c in channels if c.key in self._keys}
        spill = pq.ParquetFile(self._spill_path)
        with pq.ParquetWriter(self.path, SCHEMA, compression="zstd") as out:
            for group in range(spill.num_row_groups):
                raw = spill.read_row_group(group)
                for index, meta in metas.items():
                    part = raw.filter(pc.equal(raw["key"], index))
                    if part.num_rows:
                        out.write_table(_final_rows(part, meta))
                        self.rows_written += part.num_rows
        return IntervalTable()

    def window_total(self, channel: Channel, start: int, end: int) -> tuple[int, int]:
        index = self._keys.get(channel.key)
        if index is None:
            return 0, 0
        total = covered = 0
        spill = pq.ParquetFile(self._spill_path)
        for group in range(spill.num_row_groups):
            raw = spill.read_row_group(group, columns=["key", "start", "duration", "value"])
            inside = pc.and_(
                pc.and_(pc.equal(raw["key"], index), pc.greater_equal(raw["start"], start)),
                pc.less_equal(pc.add(raw["start"], raw["duration"].cast(pa.int64())), end),
            )
            part = raw.filter(inside)
            total += int(pc.sum(part["value"]).as_py() or 0)
            covered += int(pc.sum(part["duration"].cast(pa.int64())).as_py() or 0)
        return total, covered

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._spill_path.unlink(missing_ok=True)


def _final_rows(raw: pa.Table, meta: SeriesMeta) -> pa.Table:
    count = raw.num_rows
    estimated = raw["estimated"].combine_chunks().cast(pa.int8())
    quality = pa.DictionaryArray.from_arrays(estimated, pa.array(["actual", "estimated"])).cast(pa.string())
    costs = raw["cost"].combine_chunks()
    columns: list[Any] = [
        pa.repeat(meta.meter_id, count),
        pa.repeat(meta.commodity.value, count),
        pa.repeat(meta.unit, count),
        pa.repeat(meta.direction.value, count),
        raw["start"].combine_chunks().cast(SCHEMA.field("start").type),
        raw["duration"].combine_chunks(),
        _scale_int64(raw["value"].combine_chunks(), meta.exponent),
        quality,
        _scale_int64(costs, meta.cost_exponent),
        pa.repeat(pa.scalar(meta.local_zone, pa.string()), count),
        pa.repeat(pa.scalar(meta.source_unit or meta.unit, pa.string()), count),
        pa.repeat(pa.scalar(Decimal(1).scaleb(meta.unit_exponent), SCHEMA.field("unit_factor").type), count),
    ]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _scale_int64(raw: pa.Array, exponent: int) -> pa.Array:
    """Like table.scaled_decimals, for an int64 column already in Arrow."""
    if exponent + VALUE_SCALE < 0:
        raise RejectedInput(f"values with exponent {exponent} are finer than 1e-{VALUE_SCALE}", "value_precision")
    cast = raw.cast(pa.decimal128(38, VALUE_SCALE + exponent))
    return pa.Array.from_buffers(SCHEMA.field("value").type, len(cast), cast.buffers(), cast.null_count)


# --- streaming pass ----------------------------------------------------------------------------


@dataclass
class _MeterReadingInfo:
    usage_point: str | None
    reading_type: str | None


@dataclass
class _FeedIndex:
    """What the streaming pass learned: small resource dicts plus per-MeterReading stats."""

    usage_points: dict[str, dict[str, Any]] = field(default_factory=dict)
    meter_readings: dict[ChannelKey, _MeterReadingInfo] = field(default_factory=dict)
    reading_types: dict[str, dict[str, str]] = field(default_factory=dict)
    time_parameters: dict[str, dict[str, str]] = field(default_factory=dict)
    stats: dict[ChannelKey, SeriesStats] = field(default_factory=dict)
    summaries: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    reading_count: int = 0


def _measurement(elem: Any) -> dict[str, Any] | None:
    """A SummaryMeasurement (value × 10^multiplier in uom) → normalized quantity and unit."""
    fields = _children_text(elem)
    if not fields.get("value"):
        return None
    uom = _int(fields.get("uom") or "0", "uom")
    rule = normalise(ESPI_UOM.get(uom, f"uom:{uom}"))
    exponent = _int(fields.get("powerOfTenMultiplier") or "0", "powerOfTenMultiplier") + rule.exponent
    return {
        "quantity": Decimal(_int(fields["value"], "summary value")).scaleb(exponent),
        "unit": rule.unit,
    }


def _parse_summary(kind: str, elem: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"kind": kind}
    for child in elem:
        name = _local(child.tag)
        if name == "billingPeriod":
            period = _children_text(child)
            start = _int(period.get("start"), "billingPeriod start")
            summary["billing_period_start"] = _utc(start)
            summary["billing_period_end"] = _utc(start + _int(period.get("duration"), "billingPeriod duration"))
        elif name in (
            "currentBillingPeriodOverAllConsumption",
            "overallConsumptionLastPeriod",
        ):
            key = "current_consumption" if name.startswith("current") else "last_period_consumption"
            summary[key] = _measurement(child)
        elif name in ("billLastPeriod", "billToDate", "costAdditionalLastPeriod"):
            key = {
                "billLastPeriod": "bill_last_period",
                "billToDate": "bill_to_date",
            }.get(name, "cost_additional")
            summary[key] = Decimal(_int(child.text, name)).scaleb(COST_EXPONENT)
        elif name in ("currency", "qualityOfReading", "commodity"):
            summary[name] = (child.text or "").strip()
        elif name == "statusTimeStamp":
            summary["status_timestamp"] = _utc(_int(child.text, name))
    return summary


def _links(entry: Any) -> dict[str, list[str]]:
    links: dict[str, list[str]] = defaultdict(list)
    for child in entry:
        if _local(child.tag) == "link" and child.get("href"):
            links[child.get("rel", "alternate")].append(child.get("href"))
    return links


def _meter_reading_key(href: str) -> ChannelKey | None:
    reading_id = _segment_after(href, "MeterReading")
    return None if reading_id is None else (_segment_after(href, "UsagePoint"), reading_id)


def _file_entry(
    index: _FeedIndex,
    sink: BlockSink,
    links: dict[str, list[str]],
    resources: list[tuple[str, Any]],
    blocks: list[RawBlock],
) -> None:
    """Record one entry's resources and send its interval blocks on, under the keys its links give."""
    self_href = (links.get("self") or [""])[0]
    related = links.get("related", [])
    for kind, payload in resources:
        if kind == "UsagePoint":
            point_id = _segment_after(self_href, "UsagePoint") or f"usage-point-{len(index.usage_points) + 1}"
            time_links = [_segment_after(h, "LocalTimeParameters") for h in related]
            index.usage_points[point_id] = {
                "service_kind": payload,
                "time_parameters": next((t for t in time_links if t is not None), None),
            }
        elif kind == "MeterReading":
            key = _meter_reading_key(self_href) or (
                None,
                f"meter-reading-{len(index.meter_readings) + 1}",
            )
            type_ids = [_segment_after(h, "ReadingType") for h in related]
            index.meter_readings[key] = _MeterReadingInfo(key[0], next((t for t in type_ids if t), None))
        elif kind == "ReadingType":
            index.reading_types[_segment_after(self_href, "ReadingType") or ""] = payload
        elif kind == "LocalTimeParameters":
            index.time_parameters[_segment_after(self_href, "LocalTimeParameters") or ""] = payload
        else:
            summary_point = _segment_after(self_href or (links.get("up") or [""])[0], "UsagePoint")
            index.summaries.append((kind, summary_point, payload))
    if blocks:
        block_href = next(
            (h for h in links.get("up", []) + links.get("self", []) if _BLOCK_COLLECTION.search(h)),
            self_href,
        )
        key = _meter_reading_key(block_href) or (None, "")
        stats = index.stats.get(key)
        if stats is None:
            stats = index.stats[key] = SeriesStats()
        for block in blocks:
            stats.add(block)
            sink.add(key, block)


def _drop_read(elem: Any) -> None:
    """Free an element and the siblings already handled so the tree never grows."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _open_source(source: Source) -> tuple[Any, bytes]:
    """(what iterparse reads, the prolog bytes to scan for a DTD)."""
    if isinstance(source, bytes):
        return BytesIO(source), source[:_PROLOG_SCAN]
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            head = handle.read(_PROLOG_SCAN)
        return os.fspath(source), head
    head = source.read(_PROLOG_SCAN)
    source.seek(0)
    return source, head


# Matching is by namespace URI, never by prefix; an element with an ESPI name in any other namespace
# is a different vocabulary (or a forgery) and is refused rather than guessed at.
ESPI_NAMESPACE = "{http://naesb.org/espi}"
ATOM_NAMESPACE = "{http://www.w3.org/2005/Atom}"


def _stream(source: Source, sink: BlockSink) -> _FeedIndex:
    target, head = _open_source(source)
    if not head or not head.strip():
        raise RejectedInput("the XML document is empty", "malformed_xml")
    _reject_dtd(head)
    index = _FeedIndex()
    entry_blocks: list[RawBlock] = []
    entry_resources: list[tuple[str, Any]] = []
    tags = ["{*}IntervalBlock", "{*}entry"] + [f"{{*}}{k}" for k in RESOURCE_KINDS]
    events = etree.iterparse(
        target,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
    checked_doctype = False
    try:
        for _, elem in events:
            if not checked_doctype:
                # Second line of defence, e.g. for encodings the byte scan cannot see.
                docinfo = elem.getroottree().docinfo
                if docinfo.doctype or docinfo.internalDTD is not None:
                    raise RejectedInput("XML with a DOCTYPE declaration is refused", "xml_dtd_forbidden")
                checked_doctype = True
            name = _local(elem.tag)
            expected_namespace = ATOM_NAMESPACE if name == "entry" else ESPI_NAMESPACE
            if not elem.tag.startswith(expected_namespace):
                found = elem.tag.partition("}")[0].lstrip("{")
                raise RejectedInput(
                    f"{name} is in namespace {found!r}, not {expected_namespace[1:-1]}", "wrong_namespace"
                )
            if name == "IntervalBlock":
                block = _read_block(elem)
                if len(block):
                    index.reading_count += len(block)
                    entry_blocks.append(block)
                _drop_read(elem)
            elif name == "entry":
                _file_entry(index, sink, _links(elem), entry_resources, entry_blocks)
                entry_resources, entry_blocks = [], []
                _drop_read(elem)
            elif name == "UsagePoint":
                kinds = [_children_text(c).get("kind") for c in elem if _local(c.tag) == "ServiceCategory"]
                entry_resources.append((name, _int(kinds[0], "ServiceCategory kind") if kinds else None))
            elif name in ("ReadingType", "LocalTimeParameters"):
                entry_resources.append((name, _children_text(elem)))
            elif name in SUMMARY_KINDS:
                entry_resources.append((name, _parse_summary(name, elem)))
            else:
                entry_resources.append((name, None))
    except etree.XMLSyntaxError as exc:
        raise RejectedInput(f"malformed XML: {exc}", "malformed_xml") from None
    # Resources outside any Atom entry (a bare ESPI document) still count.
    if entry_blocks or entry_resources:
        _file_entry(index, sink, {}, entry_resources, entry_blocks)
    return index


# --- resolving channels and summarising -----------------------------------------------------------


def _only(values: Iterable[str]) -> str | None:
    items = list(values)
    return items[0] if len(items) == 1 else None


def _zone_label(params: dict[str, str] | None) -> str | None:
    if not params or not params.get("tzOffset"):
        return None
    rules = [params.get(k) for k in ("dstStartRule", "dstEndRule")]
    try:
        start, end = (int(r, 16) if r else None for r in rules)
    except ValueError:
        raise RejectedInput(f"ESPI DST rules are not hexadecimal: {rules}", "invalid_espi_value") from None
    return espi_zone_label(
        _int(params["tzOffset"], "tzOffset"), _int(params.get("dstOffset") or "0", "dstOffset"), start, end
    )


def _resolve_channels(index: _FeedIndex) -> list[Channel]:
    channels: list[Channel] = []
    for key, stats in index.stats.items():
        if not stats.count:
            continue
        info = index.meter_readings.get(key)
        type_id = info.reading_type if info else None
        reading_type = index.reading_types.get(type_id or "")
        if reading_type is None and len(index.reading_types) == 1:
            reading_type = next(iter(index.reading_types.values()))
        if reading_type is None:
            raise RejectedInput(
                f"IntervalBlock of MeterReading {key[1]!r} has no ReadingType",
                "missing_reading_type",
            )
        uom = _int(reading_type.get("uom") or "0", "uom")
        source_unit = ESPI_UOM.get(uom, f"uom:{uom}")
        rule = normalise(source_unit)
        power_of_ten = _int(reading_type.get("powerOfTenMultiplier") or "0", "powerOfTenMultiplier")
        usage_point = key[0] or _only(index.usage_points)
        point = index.usage_points.get(usage_point or "", {})
        commodity = COMMODITY_BY_CODE.get(_int(reading_type.get("commodity") or "0", "commodity"))
        if commodity is None and point.get("service_kind") is not None:
            commodity = COMMODITY_BY_SERVICE_KIND.get(point["service_kind"])
        commodity = commodity or rule.commodity or Commodity.OTHER
        flow = _int(reading_type.get("flowDirection") or "1", "flowDirection")
        time_params = index.time_parameters.get(point.get("time_parameters") or "")
        if time_params is None and len(index.time_parameters) == 1:
            time_params = next(iter(index.time_parameters.values()))
        meta = SeriesMeta(
            meter_id=usage_point or key[1],
            commodity=commodity,
            unit=rule.unit,
            direction=DIRECTION_BY_FLOW.get(flow, Direction.DELIVERED),
            exponent=power_of_ten + rule.exponent,
            local_zone=_zone_label(time_params),
            source_unit=source_unit,
            unit_exponent=rule.exponent,
            cost_exponent=COST_EXPONENT,
        )
        channels.append(Channel(key=key, meta=meta, usage_point=usage_point, stats=stats))
    # Two channels of one UsagePoint with the same direction and unit must not share a series.
    clashes = Counter((c.meta.meter_id, c.meta.direction, c.meta.unit) for c in channels)
    for channel in channels:
        if clashes[(channel.meta.meter_id, channel.meta.direction, channel.meta.unit)] > 1:
            channel.meta.meter_id = f"{channel.meta.meter_id}:{channel.key[1]}"
    channels.sort(key=lambda c: (c.meta.meter_id, c.meta.direction.value, c.meta.unit))
    return channels


def series_summary(meta: SeriesMeta, stats: SeriesStats) -> IntervalSeriesSummary:
    coverage = stats.coverage
    top = max(stats.durations.values())
    spans = coverage.spans()
    return IntervalSeriesSummary(
        meter_id=meta.meter_id,
        commodity=meta.commodity,
        unit=meta.unit,
        direction=meta.direction,
        interval_seconds=min(d for d, n in stats.durations.items() if n == top),
        first_start=_utc(coverage.first_start),
        last_end=_utc(coverage.last_end),
        count=stats.count,
        total=Decimal(stats.raw_total).scaleb(meta.exponent),
        estimated_count=stats.estimated,
        gaps=len(coverage.gaps()),
        local_zone=meta.local_zone,
        source_unit=meta.source_unit,
        unit_factor=Decimal(1).scaleb(meta.unit_exponent),
        overlaps=coverage.overlaps,
        resolution_changes=len(coverage.resolution_changes()),
        coverage=[CoverageSpan(start=_utc(s), end=_utc(e), interval_seconds=r) for s, e, r in spans[:_COVERAGE_SPANS]],
    )


def series_audits(summary: IntervalSeriesSummary, stats: SeriesStats) -> list[AuditResult]:
    where = {"meter_id": summary.meter_id, "direction": summary.direction.value, "unit": summary.unit}
    coverage = stats.coverage
    audits = []
    gaps = coverage.gaps()
    if gaps:
        audits.append(
            AuditResult(
                code="interval_gaps",
                severity=Severity.WARNING,
                message=f"{len(gaps)} gap(s) in the {summary.unit} series of meter {summary.meter_id}",
                details={
                    **where,
                    "count": len(gaps),
                    "missing_seconds": sum(b - a for a, b in gaps),
                    "samples": [
                        {"from": _utc(a).isoformat(), "to": _utc(b).isoformat()} for a, b in gaps[:_SAMPLE_LIMIT]
                    ],
                },
            )
        )
    if coverage.overlaps:
        audits.append(
            AuditResult(
                code="interval_overlap",
                severity=Severity.WARNING,
                message=f"{coverage.overlaps} overlapping interval(s) in meter {summary.meter_id}",
                details={**where, "count": coverage.overlaps, "overlap_seconds": coverage.overlap_seconds},
            )
        )
    changes = coverage.resolution_changes()
    if changes:
        audits.append(
            AuditResult(
                code="resolution_change",
                severity=Severity.INFO,
                message=f"meter {summary.meter_id} changes resolution {len(changes)} time(s)",
                details={
                    **where,
                    "count": len(changes),
                    "samples": [
                        {"at": _utc(at).isoformat(), "from_seconds": a, "to_seconds": b}
                        for at, a, b in changes[:_SAMPLE_LIMIT]
                    ],
                },
            )
        )
    if stats.negatives and summary.direction is not Direction.NET:
        audits.append(
            AuditResult(
                code="negative_values",
                severity=Severity.WARNING,
                message=f"{stats.negatives} negative {summary.direction.value} reading(s) in meter {summary.meter_id}",
                details={**where, "count": stats.negatives},
            )
        )
    return audits


def _summary_audits(summary: dict[str, Any], channels: list[Channel], sink: BlockSink) -> list[AuditResult]:
    """Reconcile a utility's own usage summary with the interval sum over its billing period."""
    measured = summary.get("current_consumption")
    if not measured or "billing_period_start" not in summary:
        return []
    period_start = int(summary["billing_period_start"].timestamp())
    period_end = int(summary["billing_period_end"].timestamp())
    same_meter = [
        c
        for c in channels
        if c.meta.unit == measured["unit"]
        and (summary["usage_point"] is None or c.usage_point == summary["usage_point"])
    ]
    # Billed consumption is the delivered channel; a net channel stands in only when alone.
    candidates = [c for c in same_meter if c.meta.direction is Direction.DELIVERED] or [
        c for c in same_meter if c.meta.direction is Direction.NET
    ]
    details: dict[str, Any] = {
        "usage_point": summary["usage_point"],
        "billing_period_start": summary["billing_period_start"].isoformat(),
        "billing_period_end": summary["billing_period_end"].isoformat(),
        "summary_total": str(measured["quantity"]),
        "unit": measured["unit"],
    }
    interval_total, covered = Decimal(0), 0
    for channel in candidates:
        raw, seconds = sink.window_total(channel, period_start, period_end)
        interval_total += Decimal(raw).scaleb(channel.meta.exponent)
        covered += seconds
    if not covered:
        return [
            AuditResult(
                code="summary_unverified",
                severity=Severity.INFO,
                message="no interval data covers the usage summary's billing period",
                details=details,
            )
        ]
    details.update(
        interval_total=str(interval_total),
        difference=str(measured["quantity"] - interval_total),
        covered_seconds=covered,
        period_seconds=period_end - period_start,
    )
    # Exact equality: both sides are integers in the same base unit, so any difference is real.
    if interval_total == measured["quantity"]:
        return []
    return [
        AuditResult(
            code="summary_mismatch",
            severity=Severity.WARNING,
            message=(
                f"usage summary reports {measured['quantity']} {measured['unit']} for its billing period "
                f"but the intervals sum to {interval_total}"
            ),
            details=details,
        )
    ]


def parse_espi(source: Source, sink: BlockSink | None = None) -> EspiResult:
    """Parse a Green Button feed (bytes, a path or a binary file); raises RejectedInput with a
    stable reason code when unreadable. With the default sink the rows come back as ``table``."""
    sink = sink or MemorySink()
    index = _stream(source, sink)
    if index.reading_count == 0 and not index.summaries:
        raise RejectedInput("no IntervalReading or UsageSummary in the document", "no_interval_data")
    channels = _resolve_channels(index)
    result = EspiResult(row_count=index.reading_count)
    for channel in channels:
        summary = series_summary(channel.meta, channel.stats)
        result.series.append(summary)
        result.audits.extend(series_audits(summary, channel.stats))
    result.table = sink.finish(channels)
    for kind, usage_point, summary_fields in index.summaries:
        fields = {**summary_fields, "kind": kind, "usage_point": usage_point}
        result.summaries.append(fields)
        result.audits.extend(_summary_audits(fields, channels, sink))
    return result


def stream_espi_to_parquet(source: Source, path: str | os.PathLike[str]) -> EspiResult:
    """Parse a feed of any size into an intervals Parquet file at ``path`` in bounded memory."""
    sink = ParquetSpillSink(path)
    try:
        return parse_espi(source, sink)
    finally:
        sink.close()
