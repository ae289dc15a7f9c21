"""Sandbox Green Button data: realistic interval readings and the ESPI Atom feed a utility would serve.

Everything is a pure function of its arguments (seeded randomness, no clock), so a sandbox account
returns byte-identical files on every fetch and the pipeline's content-hash idempotency holds.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any
from urllib.parse import quote

from lxml import etree

from common.models import Commodity, Direction, IntervalReading, Quality

ATOM_NS = "http://www.w3.org/2005/Atom"
ESPI_NS = "http://naesb.org/espi"
# Default-namespace maps: lxml wants a None key, which its type stubs do not allow.
ATOM_DEFAULT_NS: Any = {None: ATOM_NS}
ESPI_DEFAULT_NS: Any = {None: ESPI_NS}
SANDBOX_BASE = "https://sandbox.minimeter.invalid/DataCustodian/espi/1_1/resource"
RETAIL_CUSTOMER = "RetailCustomer/1"

# unit → (ESPI uom, powerOfTenMultiplier, power of ten from the unit to the uom's base: kWh → Wh)
ESPI_UNITS: dict[str, tuple[int, int, int]] = {"kWh": (72, 0, 3), "therm": (169, -3, 0)}
ESPI_COMMODITY = {Commodity.ELECTRICITY: 1, Commodity.GAS: 7}
SERVICE_KIND = {Commodity.ELECTRICITY: 0, Commodity.GAS: 1}
FLOW_DIRECTION = {Direction.DELIVERED: 1, Direction.RECEIVED: 19, Direction.NET: 4}
ESTIMATED_QUALITY = 8  # QualityOfReading "estimated using reference day"
COST_PLACES = 5  # ESPI costs are integers in hundred-thousandths of the currency
# North American DST rules as Green Button publishers encode them (second Sunday in March, first
# Sunday in November, 02:00 local).
DST_START_RULE, DST_END_RULE, DST_OFFSET = "360E2000", "B40E2000", 3600


def _zone_label(offset_seconds: int) -> str:
    sign = "-" if offset_seconds < 0 else "+"
    hours, rest = divmod(abs(offset_seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


# --- readings ----------------------------------------------------------------------------------


def _hourly_load_kw(local: datetime, rng: random.Random) -> float:
    """A multi-family home: night base load, a morning bump, an evening peak, seasonal HVAC."""
    hour = local.hour + local.minute / 60
    morning = 0.45 * math.exp(-(((hour - 7.5) / 1.5) ** 2))
    evening = 0.95 * math.exp(-(((hour - 19.0) / 2.5) ** 2))
    daytime = 0.15 if 9 <= hour < 17 else 0.0
    seasonal = 0.35 * math.cos(2 * math.pi * (local.timetuple().tm_yday - 200) / 365) ** 2
    weekend = 1.12 if local.weekday() >= 5 else 1.0
    base = 0.32 + morning + evening + daytime + seasonal * (0.5 + evening)
    return max(0.05, base * weekend * rng.uniform(0.88, 1.12))


def _price_per_kwh(local: datetime) -> Decimal:
    """A simple time-of-use tariff: on-peak 16:00-21:00 local on weekdays."""
    if local.weekday() < 5 and 16 <= local.hour < 21:
        return Decimal("0.32150")
    return Decimal("0.14870")


def make_sandbox_intervals(
    meter_id: str,
    start: datetime,
    days: int,
    *,
    seed: int,
    interval_seconds: int = 3600,
    estimated_every: int = 0,
    tz_offset_seconds: int = -18000,
) -> list[IntervalReading]:
    """Delivered electricity in kWh (3 decimals) with TOU costs; every n-th reading estimated if asked.

    ``tz_offset_seconds`` places the load shape in local time and is recorded as ``local_zone``;
    pass the same value to ``render_espi_xml`` for an exact round trip.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if days <= 0 or interval_seconds <= 0 or 86400 % interval_seconds:
        raise ValueError("days must be positive and interval_seconds must divide a day")
    rng = random.Random(seed)
    start_utc = start.astimezone(UTC)
    local_offset = timedelta(seconds=tz_offset_seconds)
    zone = _zone_label(tz_offset_seconds)
    hours_per_interval = interval_seconds / 3600
    readings = []
    for index in range(days * 86400 // interval_seconds):
        begins = start_utc + timedelta(seconds=index * interval_seconds)
        local = (begins + local_offset).replace(tzinfo=None)
        kwh = Decimal(str(round(_hourly_load_kw(local, rng) * hours_per_interval, 3))).quantize(Decimal("0.001"))
        estimated = estimated_every > 0 and index % estimated_every == estimated_every - 1
        readings.append(
            IntervalReading(
                meter_id=meter_id,
                commodity=Commodity.ELECTRICITY,
                unit="kWh",
                direction=Direction.DELIVERED,
                start=begins,
                duration_seconds=interval_seconds,
                value=kwh,
                quality=Quality.ESTIMATED if estimated else Quality.ACTUAL,
                cost=(kwh * _price_per_kwh(local)).quantize(Decimal(1).scaleb(-COST_PLACES)),
                local_zone=zone,
            )
        )
    return readings


# --- ESPI rendering ----------------------------------------------------------------------------


def _scaled_integer(value: Decimal, places: int, what: str) -> str:
    """ESPI carries integers; refuse rather than round, so render → parse is exact."""
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} {value} has more than {places} decimal places")
    return str(int(scaled))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _atom(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _espi_fields(parent: etree._Element, resource: str, fields: Sequence[tuple[str, object]]) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ESPI_NS}}}{resource}", nsmap=ESPI_DEFAULT_NS)
    for name, value in fields:
        _sub(element, f"{{{ESPI_NS}}}{name}", value)
    return element


def _entry(
    feed: etree._Element,
    self_path: str,
    links: Sequence[tuple[str, str]],
    title: str,
    stamp: str,
) -> etree._Element:
    """An Atom entry with a deterministic id derived from its href; returns its content element."""
    entry = _sub(feed, _atom("entry"))
    self_href = f"{SANDBOX_BASE}/{self_path}"
    _sub(entry, _atom("id"), f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self_href)}")
    for rel, href in [
        ("self", self_path),
        ("up", self_path.rpartition("/")[0]),
        *links,
    ]:
        etree.SubElement(entry, _atom("link"), rel=rel, href=f"{SANDBOX_BASE}/{href}")
    _sub(entry, _atom("title"), title)
    content = _sub(entry, _atom("content"))
    _sub(entry, _atom("published"), stamp)
    _sub(entry, _atom("updated"), stamp)
    return content


def render_espi_xml(
    meter_id: str,
    readings: Sequence[IntervalReading],
    *,
    title: str = "Sandbox Utility Green Button Data",
    tz_offset_seconds: int = -18000,
) -> bytes:
    """A direct-entry ESPI feed: one MeterReading/ReadingType per direction, one IntervalBlock per local day."""
    if not readings:
        raise ValueError("cannot render a Green Button feed without readings")
    commodities = {r.commodity for r in readings}
    units = {r.unit for r in readings}
    if len(commodities) != 1 or len(units) != 1:
        raise ValueError("a sandbox feed carries one commodity in one unit")
    commodity, unit = commodities.pop(), units.pop()
    if unit not in ESPI_UNITS or commodity not in ESPI_COMMODITY:
        raise ValueError(f"no ESPI encoding for {commodity} in {unit}")
    uom, power_of_ten, to_base = ESPI_UNITS[unit]
    value_places = to_base - power_of_ten  # raw value = reading × 10^value_places
    ordered = sorted(readings, key=lambda r: (list(FLOW_DIRECTION).index(r.direction), r.start))
    stamp = _iso(ordered[0].start)
    point_id = quote(meter_id, safe="")
    point_path = f"{RETAIL_CUSTOMER}/UsagePoint/{point_id}"
    time_path = "LocalTimeParameters/1"

    feed = etree.Element(_atom("feed"), nsmap=ATOM_DEFAULT_NS)
    _sub(
        feed,
        _atom("id"),
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{SANDBOX_BASE}/{point_path}/feed')}",
    )
    _sub(feed, _atom("title"), title)
    _sub(feed, _atom("updated"), stamp)
    etree.SubElement(feed, _atom("link"), rel="self", href=f"{SANDBOX_BASE}/Subscription/{point_id}")

    content = _entry(
        feed,
        point_path,
        [("related", f"{point_path}/MeterReading"), ("related", time_path)],
        f"Meter {meter_id}",
        stamp,
    )
    point = _espi_fields(content, "UsagePoint", [])
    _sub(
        _sub(point, f"{{{ESPI_NS}}}ServiceCategory"),
        f"{{{ESPI_NS}}}kind",
        SERVICE_KIND[commodity],
    )
    _espi_fields(
        _entry(feed, time_path, [], "Local time", stamp),
        "LocalTimeParameters",
        [
            ("dstEndRule", DST_END_RULE),
            ("dstOffset", DST_OFFSET),
            ("dstStartRule", DST_START_RULE),
            ("tzOffset", tz_offset_seconds),
        ],
    )

    local_offset = timedelta(seconds=tz_offset_seconds)
    for number, (direction, group) in enumerate(groupby(ordered, key=lambda r: r.direction), start=1):
        channel = list(group)
        reading_path = f"{point_path}/MeterReading/{number}"
        type_path = f"ReadingType/{number}"
        interval_length = min(r.duration_seconds for r in channel)
        _espi_fields(
            _entry(
                feed,
                reading_path,
                [("related", f"{reading_path}/IntervalBlock"), ("related", type_path)],
                f"{direction.value.capitalize()} {unit}",
                stamp,
            ),
            "MeterReading",
            [],
        )
        _espi_fields(
            _entry(feed, type_path, [], "Type of Meter Reading Data", stamp),
            "ReadingType",
            [
                ("accumulationBehaviour", 4),
                ("commodity", ESPI_COMMODITY[commodity]),
                ("currency", 840),
                ("dataQualifier", 12),
                ("flowDirection", FLOW_DIRECTION[direction]),
                ("intervalLength", interval_length),
                ("kind", 12),
                ("phase", 769),
                ("powerOfTenMultiplier", power_of_ten),
                ("timeAttribute", 0),
                ("uom", uom),
            ],
        )
        days = groupby(channel, key=lambda r: (r.start + local_offset).date())
        for block_number, (_, day) in enumerate(days, start=1):
            block_readings = list(day)
            first, last = block_readings[0], block_readings[-1]
            block_end = int(last.start.timestamp()) + last.duration_seconds
            block_start = int(first.start.timestamp())
            block = _espi_fields(
                _entry(
                    feed,
                    f"{reading_path}/IntervalBlock/{block_number}",
                    [],
                    "",
                    _iso(first.start),
                ),
                "IntervalBlock",
                [],
            )
            interval = _sub(block, f"{{{ESPI_NS}}}interval")
            _sub(interval, f"{{{ESPI_NS}}}duration", block_end - block_start)
            _sub(interval, f"{{{ESPI_NS}}}start", block_start)
            for reading in block_readings:
                _render_reading(block, reading, value_places)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(feed, encoding="UTF-8", pretty_print=True)


def _render_reading(block: etree._Element, reading: IntervalReading, value_places: int) -> None:
    element = _sub(block, f"{{{ESPI_NS}}}IntervalReading")
    if reading.cost is not None:
        _sub(
            element,
            f"{{{ESPI_NS}}}cost",
            _scaled_integer(reading.cost, COST_PLACES, "cost"),
        )
    if reading.quality is Quality.ESTIMATED:
        _sub(
            _sub(element, f"{{{ESPI_NS}}}ReadingQuality"),
            f"{{{ESPI_NS}}}quality",
            ESTIMATED_QUALITY,
        )
    period = _sub(element, f"{{{ESPI_NS}}}timePeriod")
    _sub(period, f"{{{ESPI_NS}}}duration", reading.duration_seconds)
    _sub(period, f"{{{ESPI_NS}}}start", int(reading.start.timestamp()))
    _sub(
        element,
        f"{{{ESPI_NS}}}value",
        _scaled_integer(reading.value, value_places, "value"),
    )
