"""Interval semantics: instants and zones, DST days, units, coverage, Parquet, reconciliation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from common.extraction.espi import parse_espi, stream_espi_to_parquet
from common.intervals.coverage import Coverage
from common.intervals.localtime import DstRule, espi_zone_label, local_day_bounds, zone_from_label
from common.intervals.reconcile import audits, reconcile
from common.intervals.table import read_parquet, readings_from_parquet
from common.intervals.units import normalise
from common.models import (
    Commodity,
    Direction,
    NormalizedBill,
    UsageRead,
    energy_billed,
    energy_exported,
    energy_used,
)
from common.ports import BillRecord, IntervalBucket

CORPUS = Path(__file__).resolve().parents[2].parent / "shared/corpus/greenbutton"
COASTAL_HOURLY = CORPUS / "Coastal_Multi_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_5.xml"
COASTAL_DAILY_BLOCKS = CORPUS / "Coastal_Multi_Family_Daily_Jan_1_2011_to_Jan_1_2012_RetailCustomer_4.xml"
needs_corpus = pytest.mark.skipif(not COASTAL_HOURLY.exists(), reason="shared corpus not present beside the clone")


# --- zones and DST ---------------------------------------------------------------------------------


def test_espi_rules_decode_to_the_north_american_transitions() -> None:
    start, end = DstRule.decode(0x360E2000), DstRule.decode(0xB40E2000)
    assert start.local_moment(2011) == datetime(2011, 3, 13, 2)  # second Sunday of March
    assert end.local_moment(2011) == datetime(2011, 11, 6, 2)  # first Sunday of November
    assert espi_zone_label(-28800, 3600, 0x360E2000, 0xB40E2000) == "America/Los_Angeles"
    assert espi_zone_label(-25200, 0, 0xFFFFFFFF, 0xFFFFFFFF) == "America/Phoenix"
    assert espi_zone_label(-12600, 0, None, None) == "UTC-03:30"
    assert espi_zone_label(-18000, 3600, 0x360E2000, 0xB70E2000) == "ESPI:-18000:3600:360E2000:B70E2000"


def test_a_rule_zone_agrees_with_the_tz_database_instant_by_instant() -> None:
    rules = zone_from_label("ESPI:-28800:3600:360E2000:B40E2000")
    named = ZoneInfo("America/Los_Angeles")
    assert rules is not None
    start = datetime(2022, 1, 1, tzinfo=UTC)
    for quarter in range(0, 2 * 365 * 24 * 4):
        instant = start + timedelta(minutes=15 * quarter)
        ours, theirs = instant.astimezone(rules), instant.astimezone(named)
        assert (ours.replace(tzinfo=None), ours.fold, ours.utcoffset()) == (
            theirs.replace(tzinfo=None),
            theirs.fold,
            theirs.utcoffset(),
        )
        assert ours.astimezone(UTC) == instant


def test_last_sunday_rules_for_a_european_zone() -> None:
    # EU: last Sunday of March 01:00 UTC = 02:00 CET, last Sunday of October 03:00 CEST
    label = espi_zone_label(
        3600, 3600, (3 << 28) | (7 << 25) | (7 << 17) | (2 << 12), (10 << 28) | (7 << 25) | (7 << 17) | (3 << 12)
    )
    zone = zone_from_label(label)
    assert zone is not None
    for day in (date(2024, 3, 31), date(2024, 10, 27)):
        ours = local_day_bounds(day, zone)
        theirs = local_day_bounds(day, ZoneInfo("Europe/Berlin"))
        assert ours == theirs


@needs_corpus
@pytest.mark.parametrize("path", [COASTAL_HOURLY, COASTAL_DAILY_BLOCKS], ids=["monthly-blocks", "daily-blocks"])
def test_dst_days_have_23_and_25_local_hours_and_no_instant_is_lost_or_doubled(path: Path) -> None:
    result = parse_espi(path)
    [rows] = result.table.series
    zone = zone_from_label(rows.meta.local_zone)
    assert zone is not None and rows.meta.local_zone == "America/Los_Angeles"
    hours = Counter(datetime.fromtimestamp(s, tz=UTC).astimezone(zone).date() for s in rows.starts)
    assert hours[date(2011, 3, 13)] == 23
    assert hours[date(2011, 11, 6)] == 25
    assert set(hours.values()) == {23, 24, 25} and len(hours) == 365
    assert len(set(rows.starts)) == len(rows.starts) == 8760
    assert all(b - a == 3600 for a, b in zip(rows.starts, rows.starts[1:], strict=False))
    # the fall-back day's repeated 01:00 is two instants an hour apart, first daylight then standard
    repeated = [
        datetime.fromtimestamp(s, tz=UTC).astimezone(zone)
        for s in rows.starts
        if datetime.fromtimestamp(s, tz=UTC).astimezone(zone).replace(tzinfo=None) == datetime(2011, 11, 6, 1)
    ]
    assert [r.fold for r in repeated] == [0, 1]
    assert [r.utcoffset() for r in repeated] == [timedelta(hours=-7), timedelta(hours=-8)]


# --- units and coverage ----------------------------------------------------------------------------


def test_units_normalise_by_exact_powers_of_ten() -> None:
    assert (normalise("Wh").unit, normalise("Wh").exponent) == ("kWh", -3)
    assert (normalise("kBtu").unit, normalise("kBtu").exponent) == ("therm", -2)
    assert (normalise("therms").unit, normalise("CCF").unit) == ("therm", "CCF")  # volume stays volume
    assert normalise("furlongs").unit == "furlongs"


def test_coverage_finds_gaps_overlaps_and_resolution_changes_in_any_order() -> None:
    coverage = Coverage()
    coverage.add_run(7200, 3600, 2)  # 02:00-04:00 hourly
    coverage.add_run(0, 3600, 1)  # out of order: 00:00-01:00
    coverage.add_run(14400, 900, 8)  # 04:00-06:00 at 15 minutes: a resolution change, no gap
    coverage.add_run(7200, 3600, 1)  # a duplicate
    assert not coverage.in_order
    assert coverage.gaps() == [(3600, 7200)]
    assert coverage.resolution_changes() == [(14400, 3600, 900)]
    assert (coverage.overlaps, coverage.overlap_seconds) == (1, 3600)
    assert coverage.spans() == [(0, 3600, 3600), (7200, 14400, 3600), (14400, 21600, 900)]


# --- columns and Parquet -----------------------------------------------------------------------------


@needs_corpus
def test_parquet_object_round_trips_every_row_exactly() -> None:
    result = parse_espi(COASTAL_HOURLY.read_bytes())
    data = result.table.to_parquet()
    table = read_parquet(data)
    assert table.num_rows == 8760
    assert str(table.schema.field("value").type) == "decimal128(38, 9)"
    assert list(readings_from_parquet(data)) == result.readings


@needs_corpus
def test_streaming_to_parquet_gives_the_same_rows_and_totals(tmp_path: Path) -> None:
    memory = parse_espi(COASTAL_HOURLY)
    streamed = stream_espi_to_parquet(COASTAL_HOURLY, tmp_path / "rows.parquet")
    assert streamed.series == memory.series
    assert streamed.audits == memory.audits  # the usage-summary audit reads the spill, not memory
    table = pq.read_table(tmp_path / "rows.parquet")
    assert table.num_rows == 8760
    assert sum(table.column("value").to_pylist()) == memory.series[0].total
    assert not list(tmp_path.glob("*.spill.parquet"))


# --- reconciliation ----------------------------------------------------------------------------------


def _bill(
    start: date, end: date, kwh: str, unit: str = "kWh", commodity: Commodity = Commodity.ELECTRICITY
) -> BillRecord:
    bill = NormalizedBill(
        provider="test",
        account_number="1",
        bill_period_start=start,
        bill_period_end=end,
        total_amount=Decimal("10"),
        usage=[UsageRead(commodity=commodity, quantity=Decimal(kwh), unit=unit)],
    )
    return BillRecord(f"bill-{start}", "art", "cus", "acc", bill)


def _hourly_buckets(
    first: datetime, hours: int, kwh: str = "1", skip: int | None = None, direction: str = "delivered"
) -> list[IntervalBucket]:
    out = []
    for h in range(hours):
        if h == skip:
            continue
        start = first + timedelta(hours=h)
        out.append(
            IntervalBucket(
                start,
                direction,
                "electricity",
                "kWh",
                Decimal(kwh),
                1,
                0,
                3600,
                start + timedelta(hours=1),
                "America/Los_Angeles",
            )
        )
    return out


def test_reconciliation_uses_local_days_and_names_the_likely_cause() -> None:
    # March 2024 in Los Angeles: 31 local days, one of 23 hours = 743 hours from 08:00Z on the 1st.
    buckets = _hourly_buckets(datetime(2024, 3, 1, 8, tzinfo=UTC), 743, kwh="2")
    [match] = reconcile([_bill(date(2024, 3, 1), date(2024, 3, 31), "1486")], buckets)
    assert (match.status, match.difference, match.coverage_ratio) == ("match", Decimal(0), Decimal(1))
    [dst] = reconcile([_bill(date(2024, 3, 1), date(2024, 3, 31), "1488")], buckets)  # billed as 31 x 24 h
    assert (dst.status, dst.likely_cause) == ("mismatch", "dst")
    [factor] = reconcile([_bill(date(2024, 3, 1), date(2024, 3, 31), "1.486", unit="MWh")], buckets)
    assert factor.status == "match" and factor.billed == Decimal("1486")  # MWh normalised exactly
    [kilo] = reconcile([_bill(date(2024, 3, 1), date(2024, 3, 31), "1486000")], buckets)  # Wh billed as kWh
    assert kilo.likely_cause == "conversion_factor"
    holes = _hourly_buckets(datetime(2024, 3, 1, 8, tzinfo=UTC), 743, kwh="2", skip=100)
    [partial] = reconcile([_bill(date(2024, 3, 1), date(2024, 3, 31), "1486")], holes)
    assert (partial.status, partial.likely_cause, partial.details["missing_hours"]) == (
        "partial_coverage",
        "missing_intervals",
        1,
    )
    assert reconcile([_bill(date(2023, 1, 1), date(2023, 1, 31), "10")], buckets) == []  # no coverage, no record
    assert [a.code for a in audits([match, dst])] == ["interval_bill_match", "interval_bill_mismatch"]


def _read(
    quantity: str, direction: Direction = Direction.DELIVERED, period: str | None = None, meter: str = "E1"
) -> UsageRead:
    return UsageRead(
        commodity=Commodity.ELECTRICITY,
        quantity=Decimal(quantity),
        unit="kWh",
        meter_number=meter,
        period=period,
        direction=direction,
    )


@pytest.mark.parametrize(
    ("reads", "used", "billed", "exported"),
    [
        ([_read("500")], "500", "500", "0"),
        # a net-metered meter: what it sent back is no usage, and the bill charges the difference
        ([_read("500"), _read("200", Direction.RECEIVED)], "500", "300", "200"),
        ([_read("500"), _read("200", Direction.RECEIVED), _read("300", Direction.NET)], "500", "300", "200"),
        ([_read("-40", Direction.NET)], "-40", "-40", "0"),  # a meter that prints only its net, here a month of surplus
        ([_read("200", Direction.RECEIVED)], None, "-200", "200"),
        # a meter's total where it prints one, else its registers; each meter counted
        ([_read("200", period="on_peak"), _read("300", period="off_peak"), _read("500")], "500", "500", "0"),
        ([_read("200", period="on_peak"), _read("300", period="off_peak")], "500", "500", "0"),
        ([_read("200", period="on_peak", meter="E1"), _read("700", meter="E2")], "900", "900", "0"),
        (
            [
                _read("200", period="on_peak"),
                _read("300", period="off_peak"),
                _read("50", Direction.RECEIVED, period="on_peak"),
                _read("70", Direction.RECEIVED, period="off_peak"),
            ],
            "500",
            "380",
            "120",
        ),
    ],
)
def test_energy_used_billed_and_exported(reads: list[UsageRead], used: str | None, billed: str, exported: str) -> None:
    assert energy_used(reads) == (Decimal(used) if used is not None else None)
    assert energy_billed(reads) == Decimal(billed)
    assert energy_exported(reads) == Decimal(exported)


def test_a_net_metered_bill_reconciles_with_delivered_less_received_intervals() -> None:
    """The received register was added to the billed quantity (1486 + 743), and the bill read as a mismatch."""
    first = datetime(2024, 3, 1, 8, tzinfo=UTC)
    buckets = _hourly_buckets(first, 743, kwh="2") + _hourly_buckets(first, 743, kwh="1", direction="received")
    record = _bill(date(2024, 3, 1), date(2024, 3, 31), "1486")
    record.bill.usage.append(_read("743", Direction.RECEIVED))
    [net] = reconcile([record], buckets)
    assert (net.status, net.billed, net.difference) == ("match", Decimal(743), Decimal(0))
