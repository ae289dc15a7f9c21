"""Green Button (NAESB REQ.21 ESPI) Atom feeds → normalized interval readings, series and audits.

The parser streams with ``lxml.etree.iterparse`` and clears every element once read, so memory
stays bounded by one IntervalBlock plus the compact per-reading tuples. Resources are tied together
by their Atom ``link`` hrefs, never by document order: a ReadingType may arrive after the
IntervalBlocks it describes, so raw integer tuples are buffered per MeterReading and converted to
models only at the end.

meter_id choice: the UsagePoint id (the path segment after ``UsagePoint`` in the hrefs). When one
UsagePoint has several MeterReadings with the same direction and unit (e.g. a 15-minute and an
hourly channel), each becomes ``"<usage point id>:<meter reading id>"`` so series never mix.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

from common.errors import RejectedInput
from common.models import (
    AuditResult,
    Commodity,
    Direction,
    IntervalReading,
    IntervalSeriesSummary,
    Quality,
    Severity,
)

# --- ESPI code tables --------------------------------------------------------------------------

# uom code → (normalized unit, extra power of ten applied to reach that unit)
UNIT_BY_UOM: dict[int, tuple[str, int]] = {
    72: ("kWh", -3),  # Wh
    38: ("kW", -3),  # W (demand)
    169: ("therm", 0),
    42: ("m3", 0),
    119: ("ft3", 0),
}
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
COMMODITY_BY_UNIT: dict[str, Commodity] = {
    "kWh": Commodity.ELECTRICITY,
    "kW": Commodity.ELECTRICITY,
    "therm": Commodity.GAS,
    "ft3": Commodity.GAS,
    "m3": Commodity.GAS,
}
DIRECTION_BY_FLOW: dict[int, Direction] = {
    1: Direction.DELIVERED,
    19: Direction.RECEIVED,
    4: Direction.NET,
}
# QualityOfReading: 8 estimated (reference day), 9 estimated (interpolation), 12 projected.
ESTIMATED_QUALITY_CODES = frozenset({8, 9, 12})
COST_EXPONENT = -5  # cost and bill amounts are in hundred-thousandths of the currency

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
_BLOCK_COLLECTION = re.compile(r"/IntervalBlock(?:/[^/]*)?/?$")
_SAMPLE_LIMIT = 10  # how many gap/overlap locations an audit lists

# (start epoch s, duration s, raw value, raw cost or None, estimated?)
RawRow = tuple[int, int, int, int | None, bool]


@dataclass
class EspiResult:
    readings: list[IntervalReading] = field(default_factory=list)
    series: list[IntervalSeriesSummary] = field(default_factory=list)
    audits: list[AuditResult] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)


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


def _zone_label(offset_seconds: int) -> str:
    sign = "-" if offset_seconds < 0 else "+"
    hours, rest = divmod(abs(offset_seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


def _children_text(elem: Any) -> dict[str, str]:
    return {_local(child.tag): (child.text or "").strip() for child in elem}


def _reject_dtd(data: bytes) -> None:
    """A DTD is the door to entity expansion and external fetches; ESPI never needs one."""
    if any(marker in data for marker in _DTD_MARKERS):
        raise RejectedInput("XML with a DOCTYPE or ENTITY declaration is refused", "xml_dtd_forbidden")


# --- streaming pass ----------------------------------------------------------------------------


@dataclass
class _MeterReadingInfo:
    usage_point: str | None
    reading_type: str | None


@dataclass
class _FeedIndex:
    """What the streaming pass learned: small resource dicts plus buffered raw rows."""

    usage_points: dict[str, dict[str, Any]] = field(default_factory=dict)
    meter_readings: dict[tuple[str | None, str], _MeterReadingInfo] = field(default_factory=dict)
    reading_types: dict[str, dict[str, str]] = field(default_factory=dict)
    time_parameters: dict[str, dict[str, str]] = field(default_factory=dict)
    rows_by_meter_reading: dict[tuple[str | None, str], list[RawRow]] = field(default_factory=lambda: defaultdict(list))
    summaries: list[tuple[str, str | None, dict[str, Any]]] = field(default_factory=list)
    reading_count: int = 0


def _parse_interval_reading(elem: Any) -> RawRow:
    start = duration = value = cost = None
    estimated = False
    local_names = _LOCAL_NAMES
    try:
        for child in elem:
            name = local_names.get(child.tag) or _local(child.tag)
            if name == "timePeriod":
                for part in child:
                    part_name = local_names.get(part.tag) or _local(part.tag)
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
    if duration <= 0:
        raise RejectedInput(
            f"IntervalReading duration must be positive, got {duration}",
            "invalid_espi_value",
        )
    return (start, duration, value, cost, estimated)


def _measurement(elem: Any) -> dict[str, Any] | None:
    """A SummaryMeasurement (value × 10^multiplier in uom) → normalized quantity and unit."""
    fields = _children_text(elem)
    if not fields.get("value"):
        return None
    uom = _int(fields.get("uom") or "0", "uom")
    unit, shift = UNIT_BY_UOM.get(uom, (f"uom:{uom}", 0))
    exponent = _int(fields.get("powerOfTenMultiplier") or "0", "powerOfTenMultiplier") + shift
    return {
        "quantity": Decimal(_int(fields["value"], "summary value")).scaleb(exponent),
        "unit": unit,
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


def _meter_reading_key(href: str) -> tuple[str | None, str] | None:
    reading_id = _segment_after(href, "MeterReading")
    return None if reading_id is None else (_segment_after(href, "UsagePoint"), reading_id)


def _file_entry(
    index: _FeedIndex,
    links: dict[str, list[str]],
    resources: list[tuple[str, Any]],
    blocks: list[list[RawRow]],
) -> None:
    """Record one entry's resources and interval blocks under the keys its links give."""
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
        target = index.rows_by_meter_reading[key]
        for rows in blocks:
            target.extend(rows)


def _drop_read(elem: Any) -> None:
    """Free an element and the siblings already handled so the tree never grows."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _stream(data: bytes) -> _FeedIndex:
    index = _FeedIndex()
    block_rows: list[RawRow] = []
    entry_blocks: list[list[RawRow]] = []
    entry_resources: list[tuple[str, Any]] = []
    tags = ["{*}IntervalReading", "{*}IntervalBlock", "{*}entry"] + [f"{{*}}{k}" for k in RESOURCE_KINDS]
    events = etree.iterparse(
        BytesIO(data),
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
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
            if name == "IntervalReading":
                block_rows.append(_parse_interval_reading(elem))
                _drop_read(elem)
            elif name == "IntervalBlock":
                index.reading_count += len(block_rows)
                entry_blocks.append(block_rows)
                block_rows = []
                _drop_read(elem)
            elif name == "entry":
                _file_entry(index, _links(elem), entry_resources, entry_blocks)
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
        _file_entry(index, {}, entry_resources, entry_blocks)
    return index


# --- building models ---------------------------------------------------------------------------


@dataclass
class _Channel:
    """One MeterReading resolved against its ReadingType, UsagePoint and local time."""

    meter_id: str
    usage_point: str | None
    commodity: Commodity
    unit: str
    direction: Direction
    exponent: int
    local_zone: str | None
    rows: list[RawRow]


def _only(values: Iterable[str]) -> str | None:
    items = list(values)
    return items[0] if len(items) == 1 else None


def _resolve_channels(index: _FeedIndex) -> list[_Channel]:
    channels: list[_Channel] = []
    for key, rows in index.rows_by_meter_reading.items():
        if not rows:
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
        unit, shift = UNIT_BY_UOM.get(uom, (f"uom:{uom}", 0))
        exponent = _int(reading_type.get("powerOfTenMultiplier") or "0", "powerOfTenMultiplier") + shift
        usage_point = key[0] or _only(index.usage_points)
        point = index.usage_points.get(usage_point or "", {})
        commodity = COMMODITY_BY_CODE.get(_int(reading_type.get("commodity") or "0", "commodity"))
        if commodity is None and point.get("service_kind") is not None:
            commodity = COMMODITY_BY_SERVICE_KIND.get(point["service_kind"])
        commodity = commodity or COMMODITY_BY_UNIT.get(unit, Commodity.OTHER)
        flow = _int(reading_type.get("flowDirection") or "1", "flowDirection")
        time_params = index.time_parameters.get(point.get("time_parameters") or "")
        if time_params is None and len(index.time_parameters) == 1:
            time_params = next(iter(index.time_parameters.values()))
        tz_offset = time_params.get("tzOffset") if time_params else None
        channels.append(
            _Channel(
                meter_id=usage_point or key[1],
                usage_point=usage_point,
                commodity=commodity,
                unit=unit,
                direction=DIRECTION_BY_FLOW.get(flow, Direction.DELIVERED),
                exponent=exponent,
                local_zone=_zone_label(_int(tz_offset, "tzOffset")) if tz_offset else None,
                rows=rows,
            )
        )
    # Two channels of one UsagePoint with the same direction and unit must not share a series.
    clashes = Counter((c.meter_id, c.direction, c.unit) for c in channels)
    for channel, key in zip(channels, [k for k, r in index.rows_by_meter_reading.items() if r], strict=True):
        if clashes[(channel.meter_id, channel.direction, channel.unit)] > 1:
            channel.meter_id = f"{channel.meter_id}:{key[1]}"
    return channels


@dataclass
class _SeriesStats:
    summary: IntervalSeriesSummary
    gap_samples: list[dict[str, str]]
    overlaps: int
    overlap_samples: list[dict[str, str]]
    negatives: int


def _series_stats(channel: _Channel) -> _SeriesStats:
    rows = channel.rows
    durations = Counter(r[1] for r in rows)
    top = max(durations.values())
    gaps = overlaps = 0
    gap_samples: list[dict[str, str]] = []
    overlap_samples: list[dict[str, str]] = []
    previous_end = rows[0][0] + rows[0][1]
    for start, duration, *_ in rows[1:]:
        if start > previous_end:
            gaps += 1
            if len(gap_samples) < _SAMPLE_LIMIT:
                gap_samples.append(
                    {
                        "from": _utc(previous_end).isoformat(),
                        "to": _utc(start).isoformat(),
                    }
                )
        elif start < previous_end:
            overlaps += 1
            if len(overlap_samples) < _SAMPLE_LIMIT:
                overlap_samples.append(
                    {
                        "start": _utc(start).isoformat(),
                        "previous_end": _utc(previous_end).isoformat(),
                    }
                )
        previous_end = max(previous_end, start + duration)
    summary = IntervalSeriesSummary(
        meter_id=channel.meter_id,
        commodity=channel.commodity,
        unit=channel.unit,
        direction=channel.direction,
        interval_seconds=min(d for d, n in durations.items() if n == top),
        first_start=_utc(rows[0][0]),
        last_end=_utc(max(r[0] + r[1] for r in rows)),
        count=len(rows),
        total=Decimal(sum(r[2] for r in rows)).scaleb(channel.exponent),
        estimated_count=sum(1 for r in rows if r[4]),
        gaps=gaps,
    )
    negatives = 0 if channel.direction is Direction.NET else sum(1 for r in rows if r[2] < 0)
    return _SeriesStats(summary, gap_samples, overlaps, overlap_samples, negatives)


def _series_audits(stats: _SeriesStats) -> list[AuditResult]:
    series = stats.summary
    where = {
        "meter_id": series.meter_id,
        "direction": series.direction.value,
        "unit": series.unit,
    }
    audits = []
    if series.gaps:
        audits.append(
            AuditResult(
                code="interval_gaps",
                severity=Severity.WARNING,
                message=f"{series.gaps} gap(s) in the {series.unit} series of meter {series.meter_id}",
                details={**where, "count": series.gaps, "samples": stats.gap_samples},
            )
        )
    if stats.overlaps:
        audits.append(
            AuditResult(
                code="interval_overlap",
                severity=Severity.WARNING,
                message=f"{stats.overlaps} overlapping interval(s) in meter {series.meter_id}",
                details={
                    **where,
                    "count": stats.overlaps,
                    "samples": stats.overlap_samples,
                },
            )
        )
    if stats.negatives:
        audits.append(
            AuditResult(
                code="negative_values",
                severity=Severity.WARNING,
                message=f"{stats.negatives} negative {series.direction.value} reading(s) in meter {series.meter_id}",
                details={**where, "count": stats.negatives},
            )
        )
    return audits


def _summary_audits(summary: dict[str, Any], channels: list[_Channel]) -> list[AuditResult]:
    """Reconcile a utility's own usage summary with the interval sum over its billing period."""
    measured = summary.get("current_consumption")
    if not measured or "billing_period_start" not in summary:
        return []
    period_start = int(summary["billing_period_start"].timestamp())
    period_end = int(summary["billing_period_end"].timestamp())
    same_meter = [
        c
        for c in channels
        if c.unit == measured["unit"] and (summary["usage_point"] is None or c.usage_point == summary["usage_point"])
    ]
    # Billed consumption is the delivered channel; a net channel stands in only when alone.
    candidates = [c for c in same_meter if c.direction is Direction.DELIVERED] or [
        c for c in same_meter if c.direction is Direction.NET
    ]
    details: dict[str, Any] = {
        "usage_point": summary["usage_point"],
        "billing_period_start": summary["billing_period_start"].isoformat(),
        "billing_period_end": summary["billing_period_end"].isoformat(),
        "summary_total": str(measured["quantity"]),
        "unit": measured["unit"],
    }
    inside = [
        (channel, row)
        for channel in candidates
        for row in channel.rows
        if row[0] >= period_start and row[0] + row[1] <= period_end
    ]
    if not inside:
        return [
            AuditResult(
                code="summary_unverified",
                severity=Severity.INFO,
                message="no interval data covers the usage summary's billing period",
                details=details,
            )
        ]
    interval_total = sum(
        (Decimal(row[2]).scaleb(channel.exponent) for channel, row in inside),
        Decimal(0),
    )
    covered = sum(row[1] for _, row in inside)
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


def parse_espi(data: bytes) -> EspiResult:
    """Parse a Green Button feed; raises RejectedInput with a stable reason code when unreadable."""
    if not data or not data.strip():
        raise RejectedInput("the XML document is empty", "malformed_xml")
    _reject_dtd(data)
    index = _stream(data)
    if index.reading_count == 0 and not index.summaries:
        raise RejectedInput("no IntervalReading or UsageSummary in the document", "no_interval_data")

    channels = _resolve_channels(index)
    channels.sort(key=lambda c: (c.meter_id, c.direction.value, c.unit))
    result = EspiResult()
    for channel in channels:
        channel.rows.sort(key=lambda r: r[0])
        stats = _series_stats(channel)
        result.series.append(stats.summary)
        result.audits.extend(_series_audits(stats))
        result.readings.extend(
            IntervalReading(
                meter_id=channel.meter_id,
                commodity=channel.commodity,
                unit=channel.unit,
                direction=channel.direction,
                start=_utc(start),
                duration_seconds=duration,
                value=Decimal(value).scaleb(channel.exponent),
                quality=Quality.ESTIMATED if estimated else Quality.ACTUAL,
                cost=None if cost is None else Decimal(cost).scaleb(COST_EXPONENT),
                local_zone=channel.local_zone,
            )
            for start, duration, value, cost, estimated in channel.rows
        )
    for kind, usage_point, summary in index.summaries:
        summary = {**summary, "kind": kind, "usage_point": usage_point}
        result.summaries.append(summary)
        result.audits.extend(_summary_audits(summary, channels))
    return result
