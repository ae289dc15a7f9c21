"""Utility CSV layouts on real-shaped fixtures (tests/data/csv, see its README), checked independently."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from common.errors import RejectedInput
from common.extraction.classify import classify
from common.extraction.csvfmt import fingerprint, parse_utility_csv
from common.extraction.dispatch import extract_file
from common.intervals.localtime import zone_from_label
from common.models import ArtifactKind, Direction

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"


def column_total(name: str, column: str) -> Decimal:
    """Sum a column straight from the file with the csv module: no code shared with the parser."""
    text = (DATA / name).read_text(encoding="utf-8-sig").replace("\xa0", " ")
    rows = list(csv.reader(text.splitlines()))
    at = next(i for i, r in enumerate(rows) if r and column in r)
    index = rows[at].index(column)
    return sum((Decimal(r[index]) for r in rows[at + 1 :] if len(r) > index and r[index].strip()), Decimal(0))


def local_hours(series_rows: object, zone_label: str, starts: list[int]) -> Counter[date]:
    zone = zone_from_label(zone_label)
    assert zone is not None
    return Counter(datetime.fromtimestamp(s, tz=UTC).astimezone(zone).date() for s in starts)


def test_every_fixture_is_recognised_as_csv() -> None:
    for path in DATA.glob("*.csv"):
        assert classify(path.read_bytes()) is ArtifactKind.UTILITY_CSV, path.name


def test_opower_fifteen_minute_fall_back_keeps_both_repeated_hours() -> None:
    result = parse_utility_csv((DATA / "opower_electric_15min_fallback.csv").read_bytes())
    assert result.layout == "opower"
    [series] = result.series
    [rows] = result.table.series
    assert (series.meter_id, series.unit, series.interval_seconds, series.gaps) == ("Service 1", "kWh", 900, 0)
    assert series.count == 28 == len(set(rows.starts))  # 6 wall-clock hours + the repeated one, no instant doubled
    assert series.total == column_total("opower_electric_15min_fallback.csv", "USAGE")
    assert series.last_end.timestamp() - series.first_start.timestamp() == 7 * 3600
    assert rows.costs is not None and all(c is not None for c in rows.costs)
    assert [a.code for a in result.audits] == ["zone_assumed"]


def test_opower_without_cost_daily_gas_across_spring_forward() -> None:
    result = parse_utility_csv((DATA / "opower_gas_daily_nocost.csv").read_bytes())
    [series] = result.series
    [rows] = result.table.series
    assert (series.commodity.value, series.unit, series.source_unit) == ("gas", "therm", "therms")
    assert series.total == column_total("opower_gas_daily_nocost.csv", "USAGE")
    assert rows.costs is None and series.estimated_count == 1
    # 2024-03-10 is a 23-hour local day: its row lasts 23 h, the others 24 h, no gap, no resolution change
    assert sorted(Counter(rows.durations).items()) == [(82800, 1), (86400, 4)]
    assert (series.gaps, series.resolution_changes) == (0, 0)


def test_opower_solar_spring_forward_does_not_invent_the_missing_hour() -> None:
    result = parse_utility_csv((DATA / "opower_solar_hourly_springforward.csv").read_bytes())
    by_direction = {s.direction: s for s in result.series}
    assert set(by_direction) == {Direction.DELIVERED, Direction.RECEIVED}
    assert by_direction[Direction.DELIVERED].total == column_total(
        "opower_solar_hourly_springforward.csv", "IMPORT (kWh)"
    )
    assert by_direction[Direction.RECEIVED].total == column_total(
        "opower_solar_hourly_springforward.csv", "EXPORT (kWh)"
    )
    for rows in result.table.series:
        assert local_hours(rows, "America/Los_Angeles", rows.starts) == {date(2024, 3, 10): 23}
        assert rows.starts == list(range(rows.starts[0], rows.starts[0] + 23 * 3600, 3600))


def test_sdge_twelve_hour_times_fall_back_and_solar_series() -> None:
    result = parse_utility_csv((DATA / "sdge_hourly_fallback.csv").read_bytes())
    assert result.layout == "sdge"
    by_direction = {s.direction: s for s in result.series}
    assert set(by_direction) == {Direction.DELIVERED, Direction.RECEIVED, Direction.NET}
    assert by_direction[Direction.DELIVERED].total == column_total("sdge_hourly_fallback.csv", "Consumption")
    assert by_direction[Direction.RECEIVED].total == column_total("sdge_hourly_fallback.csv", "Generation")
    assert by_direction[Direction.NET].total == column_total("sdge_hourly_fallback.csv", "Net")
    for rows in result.table.series:
        assert local_hours(rows, "America/Los_Angeles", rows.starts) == {date(2023, 11, 5): 25}
        assert len(set(rows.starts)) == 25 and rows.meta.meter_id == "05512345"


def test_sce_sections_bom_and_non_breaking_spaces() -> None:
    data = (DATA / "sce_sectioned_fallback.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\xc2\xa0" in data
    result = parse_utility_csv(data)
    assert result.layout == "sce"
    by_direction = {s.direction: s for s in result.series}
    assert set(by_direction) == {Direction.DELIVERED, Direction.RECEIVED}
    assert {s.meter_id for s in result.series} == {"222012345678"}
    assert by_direction[Direction.DELIVERED].estimated_count == 1
    for rows in result.table.series:
        assert local_hours(rows, "America/Los_Angeles", rows.starts) == {date(2023, 11, 5): 25}
        assert len(set(rows.starts)) == 25
    text = data.decode("utf-8-sig").replace("\xa0", " ")
    delivered_part = text.split('"Received"')[0]
    values = [Decimal(r[1]) for r in csv.reader(delivered_part.splitlines()) if len(r) == 3 and " to " in r[0]]
    assert by_direction[Direction.DELIVERED].total == sum(values, Decimal(0))


def test_the_zone_comes_from_the_file_then_the_account_then_the_layout() -> None:
    data = (DATA / "opower_electric_15min_fallback.csv").read_bytes()
    account = parse_utility_csv(data, default_zone="America/New_York")
    assert account.series[0].local_zone == "America/New_York"
    assert account.audits[-1].details == {"zone": "America/New_York", "source": "account default"}
    named = parse_utility_csv(b"Time Zone,America/Chicago\n" + data)
    assert named.series[0].local_zone == "America/Chicago"
    assert "zone_assumed" not in [a.code for a in named.audits]
    shift = account.series[0].first_start - parse_utility_csv(data).series[0].first_start
    assert shift.total_seconds() == -3 * 3600


def test_a_nonexistent_local_time_is_dropped_with_an_audit() -> None:
    header = "TYPE,DATE,START TIME,END TIME,USAGE,UNITS,NOTES\n"
    rows = "".join(
        f"Electric usage,2024-03-10,{h:02d}:00,{h:02d}:59,{'0.00' if h == 2 else '1.00'},kWh,\n" for h in range(4)
    )
    result = parse_utility_csv((header + rows).encode())
    assert result.series[0].count == 3
    [dropped] = [a for a in result.audits if a.code == "nonexistent_local_time"]
    assert dropped.severity == "info" and dropped.details["nonzero"] == 0


def test_unknown_layout_is_rejected_with_its_fingerprint() -> None:
    with pytest.raises(RejectedInput) as caught:
        extract_file((DATA / "unknown_layout.csv").read_bytes(), "usage.csv")
    assert caught.value.reason_code == "unknown_csv_layout"
    assert fingerprint(["Read Date", "Meter", "kWh Used"]) in caught.value.message
    assert "Read Date,Meter,kWh Used" in caught.value.message


def test_csv_goes_through_dispatch_like_espi() -> None:
    result = extract_file((DATA / "sdge_hourly_fallback.csv").read_bytes(), "sdge.csv")
    assert result.kind is ArtifactKind.UTILITY_CSV and result.status.value == "ok"
    assert len(result.intervals) == 75 and len(result.readings) == 75
    assert result.readings[0].local_zone == "America/Los_Angeles"
