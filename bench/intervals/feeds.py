"""A generated Green Button feed: N meters x D days of 15-minute readings, written as it is built.

The layout is the standard Subscription feed (UsagePoint, MeterReading, ReadingType, one
IntervalBlock entry per meter-day, LocalTimeParameters for US Pacific time) so that every parser
under test, greenbutton-objects included, links it the usual way. Values are seeded and varied.
"""

from __future__ import annotations

import random
from pathlib import Path

BASE = "https://bench.minimeter.invalid/DataCustodian/espi/1_1/resource"
START = 1672560000  # 2023-01-01T08:00:00Z, local midnight in Los Angeles
INTERVAL = 900


def _entry(self_href: str, content: str, up: str | None = None, related: tuple[str, ...] = ()) -> str:
    links = [f'<link rel="self" href="{self_href}"/>']
    if up:
        links.append(f'<link rel="up" href="{up}"/>')
    links += [f'<link rel="related" href="{r}"/>' for r in related]
    return (
        f"<entry><id>urn:uuid:{abs(hash(self_href)) % 10**12:012d}</id>{''.join(links)}"
        f"<title>bench</title><content>{content}</content>"
        "<published>2024-01-01T00:00:00Z</published><updated>2024-01-01T00:00:00Z</updated></entry>\n"
    )


def write_feed(path: Path, meters: int, days: int, seed: int = 7) -> int:
    """Write the feed; returns the number of IntervalReadings."""
    rng = random.Random(seed)
    per_day = 86400 // INTERVAL
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">\n'
            "<id>urn:uuid:bench</id><title>bench feed</title><updated>2024-01-01T00:00:00Z</updated>\n"
        )
        out.write(
            _entry(
                f"{BASE}/LocalTimeParameters/1",
                "<espi:LocalTimeParameters><espi:dstEndRule>B40E2000</espi:dstEndRule>"
                "<espi:dstOffset>3600</espi:dstOffset><espi:dstStartRule>360E2000</espi:dstStartRule>"
                "<espi:tzOffset>-28800</espi:tzOffset></espi:LocalTimeParameters>",
            )
        )
        for meter in range(1, meters + 1):
            point = f"{BASE}/RetailCustomer/1/UsagePoint/{meter}"
            reading = f"{point}/MeterReading/1"
            out.write(
                _entry(
                    point,
                    "<espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind></espi:ServiceCategory>"
                    "</espi:UsagePoint>",
                    up=f"{BASE}/RetailCustomer/1/UsagePoint",
                    related=(f"{point}/MeterReading", f"{BASE}/LocalTimeParameters/1"),
                )
            )
            out.write(
                _entry(
                    reading,
                    "<espi:MeterReading/>",
                    up=f"{point}/MeterReading",
                    related=(f"{reading}/IntervalBlock", f"{BASE}/ReadingType/{meter}"),
                )
            )
            out.write(
                _entry(
                    f"{BASE}/ReadingType/{meter}",
                    "<espi:ReadingType><espi:accumulationBehaviour>4</espi:accumulationBehaviour>"
                    "<espi:commodity>1</espi:commodity><espi:currency>840</espi:currency>"
                    "<espi:dataQualifier>12</espi:dataQualifier><espi:flowDirection>1</espi:flowDirection>"
                    f"<espi:intervalLength>{INTERVAL}</espi:intervalLength><espi:kind>12</espi:kind>"
                    "<espi:phase>769</espi:phase><espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier>"
                    "<espi:timeAttribute>0</espi:timeAttribute><espi:uom>72</espi:uom></espi:ReadingType>",
                    up=f"{BASE}/ReadingType",
                )
            )
            for day in range(days):
                day_start = START + day * 86400
                rows = []
                for i in range(per_day):
                    start = day_start + i * INTERVAL
                    value = rng.randrange(40, 900)
                    quality = (
                        "<espi:ReadingQuality><espi:quality>8</espi:quality></espi:ReadingQuality>"
                        if rng.random() < 0.01
                        else ""
                    )
                    rows.append(
                        f"<espi:IntervalReading><espi:cost>{value * 31}</espi:cost>{quality}"
                        f"<espi:timePeriod><espi:duration>{INTERVAL}</espi:duration><espi:start>{start}</espi:start>"
                        f"</espi:timePeriod><espi:value>{value}</espi:value></espi:IntervalReading>\n"
                    )
                count += per_day
                out.write(
                    _entry(
                        f"{reading}/IntervalBlock/{day + 1}",
                        f"<espi:IntervalBlock><espi:interval><espi:duration>86400</espi:duration>"
                        f"<espi:start>{day_start}</espi:start></espi:interval>\n{''.join(rows)}</espi:IntervalBlock>",
                        up=f"{reading}/IntervalBlock",
                    )
                )
        out.write("</feed>\n")
    return count
