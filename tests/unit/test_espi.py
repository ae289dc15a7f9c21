"""Green Button parsing against real corpus files, checked by an independent computation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from common.connectors.sandbox_greenbutton import (
    make_sandbox_intervals,
    render_espi_xml,
)
from common.errors import RejectedInput
from common.extraction.espi import parse_espi
from common.models import Commodity, Direction, IntervalReading, Quality

CORPUS = Path(__file__).resolve().parents[2].parent / "shared/corpus/greenbutton"
CORPUS_FILES = sorted(CORPUS.glob("*.xml"))
COASTAL_HOURLY = CORPUS / "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
NGMA_GAS = CORPUS / "ngma_natural_gas_billing_billing_data_Service_1_1_2021-05-26_to_2024-04-25.xml"
NS = {"espi": "http://naesb.org/espi"}

pytestmark = pytest.mark.skipif(not CORPUS_FILES, reason="shared corpus not present beside the clone")


@dataclass
class Expected:
    count: int
    total: Decimal
    unit: str
    interval_seconds: int
    gaps: int


def texts(tree: etree._ElementTree, path: str) -> list[str]:
    found = tree.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [str(item) for item in found]


def independent_expectation(path: Path) -> Expected:
    """Whole-tree lxml + XPath, deliberately sharing no code with the streaming parser."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    multipliers = texts(tree, "//espi:ReadingType/espi:powerOfTenMultiplier/text()")
    uoms = texts(tree, "//espi:ReadingType/espi:uom/text()")
    assert len(set(multipliers)) == 1 and len(set(uoms)) == 1, "corpus files carry one ReadingType"
    exponent = int(multipliers[0])
    unit = {"72": "kWh", "169": "therm"}[uoms[0]]
    if unit == "kWh":
        exponent -= 3  # Wh → kWh
    values = [int(v) for v in texts(tree, "//espi:IntervalReading/espi:value/text()")]
    starts = texts(tree, "//espi:IntervalReading/espi:timePeriod/espi:start/text()")
    durations = texts(tree, "//espi:IntervalReading/espi:timePeriod/espi:duration/text()")
    periods = sorted((int(s), int(d)) for s, d in zip(starts, durations, strict=True))
    holes = 0
    reach = periods[0][0] + periods[0][1]
    for start, duration in periods[1:]:
        holes += start > reach
        reach = max(reach, start + duration)
    return Expected(
        count=len(values),
        total=sum((Decimal(v) * Decimal(10) ** exponent for v in values), Decimal(0)),
        unit=unit,
        interval_seconds=Counter(int(d) for d in durations).most_common(1)[0][0],
        gaps=holes,
    )


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:40])
def test_series_totals_and_counts_match_an_independent_computation(path: Path) -> None:
    expected = independent_expectation(path)
    result = parse_espi(path.read_bytes())
    assert len(result.series) == 1
    series = result.series[0]
    assert series.count == expected.count == len(result.readings)
    assert series.total == expected.total
    assert sum((r.value for r in result.readings), Decimal(0)) == expected.total
    assert series.unit == expected.unit
    assert series.gaps == expected.gaps
    if series.gaps:
        assert any(a.code == "interval_gaps" and a.details["count"] == series.gaps for a in result.audits)
    assert all(r.start.tzinfo is not None and r.start.utcoffset() == timedelta(0) for r in result.readings)


def test_coastal_hourly_year() -> None:
    result = parse_espi(COASTAL_HOURLY.read_bytes())
    assert len(result.readings) == 8760
    first = result.readings[0]
    assert first.start == datetime(2011, 1, 1, 8, tzinfo=UTC)
    assert first.value == Decimal("0.450") and first.unit == "kWh"
    assert first.commodity is Commodity.ELECTRICITY and first.direction is Direction.DELIVERED
    # tzOffset -28800 with the North American DST rules: the zone is named, not just an offset.
    assert first.local_zone == "America/Los_Angeles" and first.meter_id == "1"
    series = result.series[0]
    assert (series.interval_seconds, series.gaps, series.estimated_count) == (
        3600,
        0,
        0,
    )
    assert series.last_end == datetime(2012, 1, 1, 8, tzinfo=UTC)


def test_coastal_usage_summary_mismatch_is_reported_not_hidden() -> None:
    result = parse_espi(COASTAL_HOURLY.read_bytes())
    assert [s["kind"] for s in result.summaries] == ["ElectricPowerUsageSummary"]
    summary = result.summaries[0]
    assert summary["current_consumption"] == {
        "quantity": Decimal("413.894"),
        "unit": "kWh",
    }
    (mismatch,) = [a for a in result.audits if a.code == "summary_mismatch"]
    assert mismatch.severity == "warning"
    november = [
        r.value for r in result.readings if summary["billing_period_start"] <= r.start < summary["billing_period_end"]
    ]
    assert Decimal(mismatch.details["interval_total"]) == sum(november, Decimal(0)) != Decimal("413.894")


def test_ngma_gas_is_in_therms_with_costs_and_dst_boundary_audits() -> None:
    result = parse_espi(NGMA_GAS.read_bytes())
    first = result.readings[0]
    assert first.commodity is Commodity.GAS and first.unit == "therm"
    assert first.value == Decimal(37) and first.cost == Decimal("51.00")
    assert first.start == datetime.fromtimestamp(1621987200, tz=UTC)
    assert len(result.readings) == 35
    codes = {a.code: a.details["count"] for a in result.audits}
    # Six period boundaries are off by an hour around DST: overlaps in November, gaps in March.
    assert codes["interval_gaps"] + codes["interval_overlap"] == 6


def test_direct_and_containerized_layouts_resolve_their_links() -> None:
    gas = parse_espi((CORPUS / "gas_direct.xml").read_bytes())
    assert {(r.meter_id, r.unit, r.commodity) for r in gas.readings} == {("NET_USAGE", "therm", Commodity.GAS)}
    electric = parse_espi((CORPUS / "electric_containerized.xml").read_bytes())
    assert {(r.meter_id, r.unit, r.local_zone) for r in electric.readings} == {("1", "kWh", "America/Los_Angeles")}


def test_reading_type_after_interval_blocks_and_quality_codes() -> None:
    """Link resolution must not depend on document order; quality 9 means estimated."""
    blocks = "".join(
        f"""<entry><link rel="self" href="/UsagePoint/7/MeterReading/2/IntervalBlock/{n}"/>
        <content><IntervalBlock xmlns="http://naesb.org/espi"><IntervalReading>
        <ReadingQuality><quality>{quality}</quality></ReadingQuality>
        <timePeriod><duration>900</duration><start>{1700000000 + 900 * n}</start></timePeriod>
        <value>{value}</value></IntervalReading></IntervalBlock></content></entry>"""
        for n, (quality, value) in enumerate([(0, 250), (9, 300), (17, -5)])
    )
    feed = f"""<feed xmlns="http://www.w3.org/2005/Atom">{blocks}
      <entry><link rel="self" href="/UsagePoint/7/MeterReading/2"/><link rel="related" href="/ReadingType/3"/>
        <content><MeterReading xmlns="http://naesb.org/espi"/></content></entry>
      <entry><link rel="self" href="/ReadingType/3"/><content><ReadingType xmlns="http://naesb.org/espi">
        <commodity>1</commodity><flowDirection>19</flowDirection><powerOfTenMultiplier>-1</powerOfTenMultiplier>
        <uom>72</uom></ReadingType></content></entry></feed>"""
    result = parse_espi(feed.encode())
    assert [r.value for r in result.readings] == [
        Decimal("0.025"),
        Decimal("0.030"),
        Decimal("-0.0005"),
    ]
    assert [r.quality for r in result.readings] == [
        Quality.ACTUAL,
        Quality.ESTIMATED,
        Quality.ACTUAL,
    ]
    assert {r.direction for r in result.readings} == {Direction.RECEIVED}
    assert result.series[0].estimated_count == 1
    assert [a.code for a in result.audits] == ["negative_values"]


# --- sandbox generator ---------------------------------------------------------------------------


def sandbox_readings(**overrides: object) -> list[IntervalReading]:
    arguments: dict = {"seed": 42, "estimated_every": 5, **overrides}
    return make_sandbox_intervals("SBX-0042", datetime(2026, 3, 1, 5, tzinfo=UTC), 10, **arguments)


def test_sandbox_round_trip_is_exact() -> None:
    readings = sandbox_readings()
    parsed = parse_espi(render_espi_xml("SBX-0042", readings))
    # The sandbox labels rows with the bare offset; the feed's DST rules name the zone.
    assert parsed.readings == [r.model_copy(update={"local_zone": "America/New_York"}) for r in readings]
    assert parsed.series[0].estimated_count == sum(r.quality is Quality.ESTIMATED for r in readings) > 0
    assert parsed.audits == []


def test_sandbox_round_trip_with_fifteen_minute_data_and_two_directions() -> None:
    delivered = sandbox_readings(interval_seconds=900, tz_offset_seconds=-28800)
    received = [r.model_copy(update={"direction": Direction.RECEIVED}) for r in delivered[:96]]
    xml = render_espi_xml("SBX-0042", delivered + received, tz_offset_seconds=-28800)
    parsed = parse_espi(xml)
    expected = [r.model_copy(update={"local_zone": "America/Los_Angeles"}) for r in delivered + received]
    assert sorted(parsed.readings, key=lambda r: (r.direction, r.start)) == sorted(
        expected, key=lambda r: (r.direction, r.start)
    )
    assert {(s.direction, s.count) for s in parsed.series} == {
        (Direction.DELIVERED, 960),
        (Direction.RECEIVED, 96),
    }


def test_sandbox_renderer_is_deterministic_and_realistic() -> None:
    first = render_espi_xml("SBX-0042", sandbox_readings())
    assert first == render_espi_xml("SBX-0042", sandbox_readings())
    assert first != render_espi_xml("SBX-0042", sandbox_readings(seed=43))
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    tree = etree.ElementTree(etree.fromstring(first))
    assert len(texts(tree, "//espi:IntervalBlock")) == 10  # one per local day
    assert texts(tree, "//espi:ReadingType/espi:uom/text()") == ["72"]
    assert texts(tree, "//espi:ReadingType/espi:powerOfTenMultiplier/text()") == ["0"]
    assert b"2026-03-01T05:00:00Z" in first  # updated/published come from the data, not the clock
    daily = sum(r.value for r in sandbox_readings()) / 10
    assert Decimal(5) < daily < Decimal(60)
    assert all(r.value.as_tuple().exponent == -3 and r.value > 0 for r in sandbox_readings())


def test_renderer_refuses_values_espi_cannot_carry_exactly() -> None:
    reading = sandbox_readings()[0].model_copy(update={"value": Decimal("0.0005")})
    with pytest.raises(ValueError):
        render_espi_xml("SBX-0042", [reading])


# --- hostile and foreign input ---------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&e;</title></feed>"""

BAD_NUMBER = (
    b'<IntervalBlock xmlns="http://naesb.org/espi"><IntervalReading><timePeriod>'
    b"<duration>x</duration><start>1</start></timePeriod><value>1</value></IntervalReading></IntervalBlock>"
)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (BILLION_LAUGHS, "xml_dtd_forbidden"),
        (EXTERNAL_ENTITY, "xml_dtd_forbidden"),
        (EXTERNAL_ENTITY.decode().encode("utf-16"), "xml_dtd_forbidden"),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content>',
            "malformed_xml",
        ),
        (b"\x00\x01 not xml at all", "malformed_xml"),
        (b"", "malformed_xml"),
        (b"<html><body><p>Your session expired</p></body></html>", "no_interval_data"),
        (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>empty</title></feed>',
            "no_interval_data",
        ),
        (
            BAD_NUMBER,
            "invalid_espi_value",
        ),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "external-entity-utf16",
        "truncated",
        "binary",
        "empty",
        "html",
        "empty-feed",
        "bad-number",
    ],
)
def test_hostile_and_foreign_inputs_are_rejected_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(RejectedInput) as caught:
        parse_espi(data)
    assert caught.value.reason_code == code
