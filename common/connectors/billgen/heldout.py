"""Held-out layouts: bills by a second author, to measure whether the generic heuristics generalise.

The heuristics were tuned on wild.py's layouts, so their score there says little about bills nobody tuned
on. This generator was written apart from them, without reading the heuristics or the wild renderer,
from what bills of the US, Canada, the UK, Ireland and Australia print: their tariffs (standing charges
per day in pence or cents, stepped and time-of-use energy, demand, m³ gas converted to kWh, water billed
in kgal or kL with sewer on the same volume), taxes (sales tax, GST/HST, VAT, carbon levies, rebates),
fonts (Helvetica, Times, Courier print-outs), page sizes, and the numbers that sit near the real ones
(bill and meter point numbers, last payment, usage history, price notices, bank details, scan lines).

The truth is built first and is consistent (items sum to the new charges, the summary balances, reads
times multiplier and factor give the usage as printed) and says only what the page prints. Every
decision is drawn up front into `choices`, so the page is a pure function of (truth, choices) and a
misread can be reproduced and explained. Line-item categories are this author's judgement (fixed daily
or monthly charges are fees, sewer billed on water volume is other), not `categorize()`: a disagreement
there is a question of taxonomy before it is a misread.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen.truth import cents
from common.connectors.billgen.wild import WildBill
from common.models import Commodity, DemandRead, LineItem, NormalizedBill, ReadType, UsageRead
from common.models import LineItemCategory as Cat

# --- what each country's bills are like ---------------------------------------------------------------


@dataclass(frozen=True)
class _Locale:
    currency: str
    symbol: str
    minor: str  # how a rate in hundredths of the currency is written: 12.345¢, 24.50p, 105.600c
    page: tuple[float, float]
    dates: tuple[str, ...]
    kinds: tuple[str, ...]
    names: dict[str, tuple[str, ...]]  # provider names by service group
    towns: tuple[str, ...]
    streets: tuple[str, ...]
    people: tuple[str, ...]
    firms: tuple[str, ...]


_LOCALES: dict[str, _Locale] = {
    "US": _Locale(
        "USD",
        "$",
        "¢",
        LETTER,
        ("mon", "mon0", "month", "mdy", "mdy_short", "caps"),
        ("elec_res", "elec_tou", "elec_com", "gas", "water", "dual"),
        {
            "power": ("Cascade Valley Power", "Bluestem Rural Electric Cooperative", "Harbor City Light Department"),
            "gas": ("Great Lakes Gas Company", "Piedmont Valley Natural Gas", "Three Rivers Gas Service"),
            "water": ("City of Alder Springs Utilities", "Westbrook Water & Sewer Authority", "Town of Millbury DPW"),
            "dual": ("Consolidated Hudson Energy", "Sierra Foothill Gas & Electric", "Mid-State Energy Services"),
        },
        ("Fairview, OR 97024", "Millbury, MA 01527", "Alder Springs, CO 80439", "Dunmore, PA 18512"),
        ("Alder Creek Rd", "N Maple Ave", "Sycamore Ln", "E 4th St", "Old Mill Pike"),
        ("JANE Q MORRISON", "Dana Kowalski", "ROBERT T HALE", "Luis & Marta Ortega"),
        ("Riverside Auto Repair LLC", "Blue Door Cafe Inc", "Tri-State Storage Co"),
    ),
    "CA": _Locale(
        "CAD",
        "$",
        "¢",
        LETTER,
        ("iso", "mon", "mon0", "month", "ymd_slash"),
        ("elec_res", "elec_tou", "elec_com", "gas", "water"),
        {
            "power": ("Laurentian Hydro", "Fraser Coast Hydro", "Georgian Bay Hydro Distribution Inc."),
            "gas": ("Prairie Natural Gas Co.", "Lakeshore Gas Distribution", "Okanagan Gas Utility"),
            "water": ("City of Kingsbridge Water Services", "Region of Halden Water"),
        },
        ("Kingston, ON K7L 3N6", "Kelowna, BC V1Y 2K4", "Gatineau, QC J8X 2K3", "Red Deer, AB T4N 1X5"),
        ("Princess St", "Rue Principale", "Lakeshore Blvd W", "Sumac Cres", "Concession Rd 4"),
        ("Genevieve Tremblay", "MR A. MACDONALD", "Harpreet Sandhu", "Olivia Chen"),
        ("Northern Lights Dental Corp.", "Maple Leaf Hardware Ltd.", "Boulangerie Saint-Roch"),
    ),
    "UK": _Locale(
        "GBP",
        "£",
        "p",
        A4,
        ("dmon", "dmonth", "dmy", "dmy_short", "ordinal"),
        ("elec_res", "elec_com", "gas", "water", "dual"),
        {
            "power": ("Albion Energy Supply Ltd", "Kestrel Power", "Brightwater Energy"),
            "gas": ("Fenland Gas Ltd", "Brightwater Energy", "Hearth & Home Energy"),
            "water": ("Wessex Vale Water", "Tamar Water Services plc"),
            "dual": ("Hearth & Home Energy", "Albion Energy Supply Ltd", "Brightwater Energy"),
        },
        ("Harrogate HG1 5QT", "Norwich NR2 4AB", "Truro TR1 2HE", "Stockport SK4 3EL"),
        ("Mill Lane", "Wellington Road", "Church Walk", "The Crescent", "Victoria Terrace"),
        ("Mr D Pritchard", "MRS S OKONKWO", "Ms Hannah Blake", "The Occupier"),
        ("Grove Street Launderette Ltd", "Pennyworth Books", "Harbour View Guest House"),
    ),
    "IE": _Locale(
        "EUR",
        "€",
        "c",
        A4,
        ("dmon", "dmonth", "dmy", "dmon_dash", "dmon_caps", "dmy_dot"),
        ("elec_res", "elec_com", "gas", "dual"),
        {
            "power": ("Shannon Electric", "Liffey Energy DAC", "Atlantic Home Energy"),
            "gas": ("Corrib Gas Supply", "Liffey Energy DAC"),
            "dual": ("Liffey Energy DAC", "Atlantic Home Energy"),
        },
        ("Salthill, Galway H91 X2Y3", "Rathmines, Dublin 6 D06 F2K7", "Ennis, Co. Clare V95 R8T3"),
        ("Seaview Park", "Main Street", "Ashgrove Lawn", "Bothar na Tra", "Church Road"),
        ("Mr Ciaran O'Sullivan", "SIOBHAN MURPHY", "Aoife Ni Bhriain", "Mr P. Walsh"),
        ("Tigh Neachtain Ltd", "Ennis Pharmacy Ltd", "Salthill Surf School"),
    ),
    "AU": _Locale(
        "AUD",
        "$",
        "c",
        A4,
        ("dmy", "dmon", "dmonth", "dmon_dash", "dmy_short"),
        ("elec_res", "elec_tou", "elec_com", "gas", "water"),
        {
            "power": ("Southern Cross Energy", "Murray River Power", "Red Gum Electricity"),
            "gas": ("Bayside Gas", "Southern Cross Energy"),
            "water": ("Harbourside Water", "Coastal Water Corporation", "Yarra Ranges Water"),
        },
        ("Brunswick VIC 3056", "Newtown NSW 2042", "Fremantle WA 6160", "Toowong QLD 4066"),
        ("Banksia St", "Sydney Rd", "Wattle Grove", "Esplanade", "Jacaranda Ave"),
        ("MS K NGUYEN", "Tom Papadopoulos", "Mr B & Mrs L Fitzgerald", "Aroha Wiremu"),
        ("Bondi Bean Roasters Pty Ltd", "Westside Physio Pty Ltd", "Kookaburra Motors"),
    ),
}

_GROUP = {
    "elec_res": "power",
    "elec_tou": "power",
    "elec_com": "power",
    "gas": "gas",
    "water": "water",
    "dual": "dual",
}

_LABELS: dict[str, tuple[str, ...]] = {
    "account_number": (
        "Account number",
        "Account No",
        "Your account number",
        "Account",
        "Acct #",
        "Customer account no.",
        "Account reference",
        "Account ID",
        "Billing account",
    ),
    "statement_date": (
        "Bill date",
        "Statement date",
        "Date of bill",
        "Issue date",
        "Date issued",
        "Bill issued",
        "Invoice date",
        "Date of issue",
        "Billing date",
    ),
    "due_date": (
        "Due date",
        "Payment due",
        "Please pay by",
        "Pay by",
        "Amount due by",
        "Due by",
        "Payment due date",
        "Pay on or before",
        "Please pay before",
    ),
    "amount_due": (
        "Amount due",
        "Total amount due",
        "Please pay",
        "Balance due",
        "Amount to pay",
        "Total to pay",
        "Pay this amount",
        "Amount payable",
        "Total due",
        "Balance to pay",
        "New balance",
    ),
    "previous_balance": (
        "Previous balance",
        "Balance forward",
        "Balance from last bill",
        "Opening balance",
        "Balance brought forward",
        "Amount of last bill",
        "Previous bill amount",
        "Your last bill",
    ),
    "payments_and_credits": (
        "Payments",
        "Payment received",
        "Payments received - thank you",
        "Less payments",
        "Thank you for your payment",
        "Payments/credits",
        "Payments since last bill",
        "Paid since last bill",
    ),
    "total_amount": (
        "New charges",
        "Current charges",
        "Total new charges",
        "This bill",
        "Charges this period",
        "Charges for this period",
        "Total current charges",
        "Cost of this bill",
        "Your charges this bill",
    ),
    "bill_period": (
        "Billing period",
        "Service period",
        "Bill period",
        "Period",
        "Supply period",
        "Service dates",
        "For the period",
        "Period of supply",
        "This bill covers",
    ),
    "service_address": (
        "Service address",
        "Supply address",
        "Premises address",
        "Property address",
        "Service location",
        "Address of supply",
        "Site address",
        "Premises",
    ),
}
_TABLE_TOTALS = (
    "Total current charges",
    "Total charges this period",
    "Total of this bill",
    "Total new charges",
    "TOTAL CHARGES",
    "Total charges for this bill",
    "Total amount of this bill",
)
_CHARGES_HEADERS = (
    "Your charges in detail",
    "Breakdown of charges",
    "Details of your bill",
    "Account charges",
    "What you are paying for",
    "Charges for this billing period",
    "Current billing detail",
    "Your bill explained",
)
_SUMMARY_TITLES = (
    "Account summary",
    "Bill summary",
    "Your account at a glance",
    "Summary of your account",
    "Account activity",
    "Your balance",
)
_METER_TITLES = ("Meter readings", "Your meter reads", "Usage details", "Metering information", "Your usage")

# --- formats ------------------------------------------------------------------------------------------


def _date(value: date, style: str) -> str:
    day, month, mon, year = value.day, value.strftime("%B"), value.strftime("%b"), value.year
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return {
        "mon": f"{mon} {day}, {year}",
        "mon0": f"{mon} {day:02d}, {year}",
        "month": f"{month} {day}, {year}",
        "mdy": value.strftime("%m/%d/%Y"),
        "mdy_short": f"{value.month}/{day}/{value.strftime('%y')}",
        "caps": f"{mon.upper()} {day:02d} {year}",
        "iso": value.isoformat(),
        "ymd_slash": value.strftime("%Y/%m/%d"),
        "dmon": f"{day:02d} {mon} {year}",
        "dmonth": f"{day} {month} {year}",
        "dmy": value.strftime("%d/%m/%Y"),
        "dmy_short": value.strftime("%d/%m/%y"),
        "ordinal": f"{day}{suffix} {month} {year}",
        "dmon_dash": f"{day:02d}-{mon}-{year}",
        "dmon_caps": f"{day:02d} {mon.upper()} {year}",
        "dmy_dot": value.strftime("%d.%m.%Y"),
    }[style]


def _period(start: date, end: date, c: dict[str, str]) -> str:
    """The billing period the way the bill's country writes it, compact forms sharing the year."""
    style, fmt = c["period_sep"], c["date_format"]
    s, e = _date(start, fmt), _date(end, fmt)
    if style == "compact" and start.year == end.year and fmt in ("mon", "mon0", "month"):
        head = _date(start, fmt).rsplit(",", 1)[0]
        text = f"{head} - {e}"
    elif style == "compact" and start.year == end.year and fmt in ("dmon", "dmonth"):
        text = f"{s.rsplit(' ', 1)[0]} to {e}"
    else:
        joiner = {"dash": " - ", "endash": " – ", "to": " to ", "through": " through ", "compact": " to "}[style]
        text = f"{s}{joiner}{e}"
    if c["period_days"] == "yes":
        text += f" ({(end - start).days + 1} days)"
    return text


def _money(value: Decimal, c: dict[str, str], *, symbol: bool = True) -> str:
    text = f"{c['symbol'] if symbol else ''}{abs(value):,.2f}"
    if value >= 0:
        return text
    return {"cr": f"{text} CR", "parens": f"({text})", "trailing": f"{text}-"}.get(c["credit"], f"-{text}")


def _qty(value: Decimal) -> str:
    return f"{value:,f}"


def _read(value: Decimal, c: dict[str, str]) -> str:
    if c["read_fmt"] == "zeros":
        return f"{int(value):06d}"
    return f"{value:,f}" if c["read_fmt"] == "grouped" else f"{value:f}"


_PER = {"days": "day", "therms": "therm", "kWh": "kWh"}


def _rate(rate: Decimal, unit: str, c: dict[str, str]) -> str:
    per = _PER.get(unit, unit)
    if c["rate_unit"] == "minor":
        body = f"{rate.scaleb(2):f}{c['minor']}"
    else:
        body = f"{c['symbol']}{rate:f}"
    return {"slash": f"{body}/{per}", "per": f"{body} per {per}", "bare": body}[c["rate_suffix"]]


def _detail(item: LineItem, c: dict[str, str]) -> str:
    """`444 kWh @ 12.345¢/kWh`, as a line of the charges table prints it (empty for a plain amount)."""
    if item.quantity is None or item.unit is None:
        return ""
    amount = f"{_qty(item.quantity)} {item.unit}"
    if item.rate is None:
        return amount
    return {
        "at": f"{amount} @ {_rate(item.rate, item.unit, c)}",
        "x": f"{amount} x {_rate(item.rate, item.unit, c)}",
        "word": f"{amount} at {_rate(item.rate, item.unit, c)}",
        "paren": f"{amount} ({_rate(item.rate, item.unit, c)})",
    }[c["detail_fmt"]]


def _label(name: str, c: dict[str, str]) -> str:
    text = c[f"label.{name}"]
    return text.upper() if c["caps"] == "yes" else text


# --- the truth ----------------------------------------------------------------------------------------


@dataclass
class _Section:
    title: str
    items: list[LineItem] = field(default_factory=list)


@dataclass
class _Meter:
    read: UsageRead
    service: str  # Electric, Gas, Water
    register: str  # printed register name (Peak, Night...), or ""
    raw: Decimal  # end - start, in read units
    prev: date
    curr: date


@dataclass
class _Model:
    truth: NormalizedBill
    sections: list[_Section]
    tail: list[LineItem]  # bill-level lines after the sections (taxes, rebates)
    meters: list[_Meter]
    customer: str
    mailing: list[str]
    service_lines: list[str]
    extras: dict[str, str]  # distractor values: bill number, meter point numbers, bank details...
    history: list[tuple[str, int]]
    gst_included: Decimal | None


def _r(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    return Decimal(rng.randint(low, high)).scaleb(-places)


def _up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class _Builder:
    """Accumulates a bill's charges and meters as its tariff prescribes; the truth is taken from it."""

    def __init__(self, rng: random.Random, c: dict[str, str], start: date, end: date) -> None:
        self.rng, self.c, self.start, self.end = rng, c, start, end
        self.days = (end - start).days + 1  # standing charges count both the first and the last day
        self.sections: list[_Section] = []
        self.tail: list[LineItem] = []
        self.meters: list[_Meter] = []
        self.demand: list[DemandRead] = []
        self.prev_read = start - timedelta(days=1) if c["read_dates"] == "day_before" else start

    def section(self, title: str) -> _Section:
        self.sections.append(_Section(title))
        return self.sections[-1]

    def name(self, prefix: str, description: str) -> str:
        """Descriptions carry their service when no section heading says it (dual-fuel bills)."""
        text = (
            f"{prefix} {description[0].lower()}{description[1:]}"
            if prefix and self.c["sections"] == "flat" and not description.lower().startswith(prefix.lower())
            else description
        )
        return text.upper() if self.c["caps_items"] == "yes" else text

    def metered(
        self,
        sec: _Section | None,
        description: str,
        qty: Decimal,
        unit: str,
        rate: Decimal,
        cat: Cat,
        third_party: str | None = None,
        credit: bool = False,
    ) -> None:
        amount = cents(qty * rate)
        item = LineItem(
            description=description,
            amount=-amount if credit else amount,
            category=cat,
            quantity=qty,
            unit=unit,
            rate=rate,
            third_party=third_party,
        )
        (sec.items if sec is not None else self.tail).append(item)

    def fixed(self, sec: _Section | None, description: str, amount: Decimal, cat: Cat) -> None:
        (sec.items if sec is not None else self.tail).append(
            LineItem(description=description, amount=amount, category=cat)
        )

    def daily(self, sec: _Section, description: str, rate: Decimal, cat: Cat = Cat.FEE) -> None:
        self.metered(sec, description, Decimal(self.days), "days", rate, cat)

    def meter(
        self,
        commodity: Commodity,
        unit: str,
        service: str,
        raw_range: tuple[int, int],
        *,
        number: str,
        register: str = "",
        period: str | None = None,
        multiplier: int | None = None,
        factor: Decimal | None = None,
        read_unit: str | None = None,
        places: int = 0,
    ) -> Decimal:
        """One register read: reads, multiplier and conversion factor give the usage as printed."""
        rng = self.rng
        start_read = Decimal(rng.randint(1000, 89999))
        raw = Decimal(rng.randint(*raw_range))
        if read_unit == "gal":
            raw *= 10
        exact = raw * (multiplier or 1) * (factor if factor is not None else 1)
        used = _up(exact, places) if factor is not None else exact
        estimated = rng.random() < 0.18
        read = UsageRead(
            commodity=commodity,
            quantity=used,
            unit=unit,
            meter_number=number,
            read_type=ReadType.ESTIMATED if estimated else ReadType.ACTUAL,
            start_read=start_read,
            end_read=start_read + raw,
            multiplier=Decimal(multiplier) if multiplier else None,
            period=period,
            conversion_factor=factor,
            read_unit=read_unit,
        )
        self.meters.append(_Meter(read, service, register, raw, self.prev_read, self.end))
        return used


def _meter_number(rng: random.Random, locale: str, service: str) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(8))
    if locale == "UK":
        return f"{rng.choice(('E', 'G', 'K', 'S'))}{rng.randint(10, 99)}{rng.choice('ABCKLMZ')}{digits}"
    if locale == "AU":
        return f"{rng.randint(100, 999)}{digits[:5]}"
    if locale == "IE":
        return digits[:7] if service == "Gas" else f"{rng.randint(10, 99)}{digits}"
    prefix = {"Electric": rng.choice(("", "E", "1ND")), "Gas": rng.choice(("", "G")), "Water": rng.choice(("", "W"))}
    return f"{prefix[service]}{digits}"


def _tax(b: _Builder, label: str, percent: Decimal, base_items: list[LineItem], sec: _Section | None = None) -> None:
    base = sum((item.amount for item in base_items), Decimal(0))
    text = label
    if b.c["tax_base"] == "yes" and b.c["locale"] in ("UK", "IE"):
        text = f"{label} on {_money(base, b.c)}"
    b.fixed(sec, b.name("", text), cents(base * percent / 100), Cat.TAX)


def _all_items(b: _Builder) -> list[LineItem]:
    return [item for sec in b.sections for item in sec.items] + b.tail


def _elec(b: _Builder, prefix: str = "", sec_title: str = "") -> None:
    """Electricity: fixed charge, energy (flat, stepped or time-of-use), delivery, demand for business."""
    c, rng, loc = b.c, b.rng, b.c["locale"]
    kind = c["make"] if c["make"] != "dual" else "elec_res"
    com = kind == "elec_com"
    number = _meter_number(rng, loc, "Electric")
    mult = rng.choice((20, 40, 80, 120)) if com else (1 if c["mult_one"] == "yes" else None)
    low, high = (80, 900) if com else (150, 1400)
    n = b.name
    if loc == "US":
        delivery = b.section(sec_title or rng.choice(("Delivery services", "Delivery charges", "Distribution")))
        supply = delivery if c["sections"] == "flat" else b.section(rng.choice(("Supply services", "Generation")))
        if kind == "elec_tou":
            periods = [("On-peak", "on_peak"), ("Off-peak", "off_peak")]
            if rng.random() < 0.4:
                periods.insert(1, ("Part-peak", "part_peak"))
            kwh = Decimal(0)
            for label, period in periods:
                used = b.meter(
                    Commodity.ELECTRICITY, "kWh", "Electric", (60, 700), number=number, register=label, period=period
                )
                b.metered(supply, n(prefix, f"{label} energy"), used, "kWh", _r(rng, 7000, 32000, 5), Cat.SUPPLY)
                kwh += used
        else:
            kwh = b.meter(Commodity.ELECTRICITY, "kWh", "Electric", (low, high), number=number, multiplier=mult)
        b.fixed(
            delivery,
            n(prefix, rng.choice(("Customer charge", "Basic service charge", "Monthly service charge"))),
            _r(rng, 600, 2500, 2),
            Cat.FEE,
        )
        b.metered(delivery, n(prefix, "Distribution charge"), kwh, "kWh", _r(rng, 3000, 9000, 5), Cat.DELIVERY)
        if rng.random() < 0.5:
            b.metered(delivery, n(prefix, "Transmission charge"), kwh, "kWh", _r(rng, 800, 2500, 5), Cat.DELIVERY)
        if com:
            kw = _r(rng, 150, 2400, 1)
            b.demand.append(DemandRead(meter_number=number, quantity=kw, unit="kW"))
            b.metered(delivery, n(prefix, "Demand charge"), kw, "kW", _r(rng, 600, 1900, 2), Cat.DELIVERY)
        if kind != "elec_tou":
            # a retail supplier billed through the utility is named by its section's heading
            esco = c["esco"] if c["esco"] != "none" else None
            if esco:
                supply.title = f"Supply services from {esco}"
            if kind == "elec_res" and rng.random() < 0.5 and esco is None:
                base = min(kwh, Decimal(rng.randint(25, 50) * 10))
                b.metered(supply, n(prefix, "Generation - Tier 1"), base, "kWh", _r(rng, 7000, 11000, 5), Cat.SUPPLY)
                if kwh > base:
                    b.metered(
                        supply,
                        n(prefix, "Generation - Tier 2"),
                        kwh - base,
                        "kWh",
                        _r(rng, 11000, 16000, 5),
                        Cat.SUPPLY,
                    )
            else:
                b.metered(supply, n(prefix, "Energy charge"), kwh, "kWh", _r(rng, 6000, 15000, 5), Cat.SUPPLY, esco)
        if rng.random() < 0.4:
            b.metered(delivery, n(prefix, "Energy efficiency surcharge"), kwh, "kWh", _r(rng, 100, 600, 5), Cat.FEE)
    elif loc == "CA":
        sec = b.section(sec_title or rng.choice(("Electricity charges", "Your electricity", "Electricity")))
        if kind == "elec_tou":
            for label, period in (("On-peak", "on_peak"), ("Mid-peak", "mid_peak"), ("Off-peak", "off_peak")):
                used = b.meter(
                    Commodity.ELECTRICITY, "kWh", "Electric", (50, 500), number=number, register=label, period=period
                )
                b.metered(sec, n(prefix, f"{label} electricity"), used, "kWh", _r(rng, 7000, 20000, 5), Cat.SUPPLY)
            other = b.section("Delivery and regulatory") if c["sections"] != "flat" else sec
            b.fixed(other, n(prefix, "Delivery"), _r(rng, 3000, 9000, 2), Cat.DELIVERY)
            b.fixed(other, n(prefix, "Regulatory charges"), _r(rng, 300, 900, 2), Cat.FEE)
        else:
            kwh = b.meter(Commodity.ELECTRICITY, "kWh", "Electric", (low, high), number=number, multiplier=mult)
            b.daily(sec, n(prefix, "Basic charge"), _r(rng, 1900, 4500, 4))
            step = min(kwh, Decimal(rng.randint(30, 70) * 10))
            b.metered(sec, n(prefix, "Step 1 energy charge"), step, "kWh", _r(rng, 9000, 11000, 5), Cat.SUPPLY)
            if kwh > step:
                b.metered(
                    sec, n(prefix, "Step 2 energy charge"), kwh - step, "kWh", _r(rng, 13000, 15000, 5), Cat.SUPPLY
                )
            if com:
                kw = _r(rng, 150, 2400, 1)
                b.demand.append(DemandRead(meter_number=number, quantity=kw, unit="kW"))
                b.metered(sec, n(prefix, "Demand charge"), kw, "kW", _r(rng, 500, 1400, 2), Cat.DELIVERY)
            if rng.random() < 0.5:
                b.fixed(
                    sec,
                    n(prefix, "Rate rider"),
                    cents(sum((i.amount for i in sec.items), Decimal(0)) * Decimal("0.05")),
                    Cat.FEE,
                )
    elif loc in ("UK", "IE"):
        sec = b.section(sec_title or rng.choice(("Electricity charges", "Your electricity", "Electricity")))
        b.daily(sec, n(prefix, "Standing charge"), _r(rng, 3800, 7200, 4) if loc == "UK" else _r(rng, 5000, 9000, 4))
        night = rng.random() < 0.45
        if night:
            for label, period, rate_range in (("Day", "day", (2600, 4200)), ("Night", "night", (1200, 2200))):
                used = b.meter(
                    Commodity.ELECTRICITY, "kWh", "Electric", (80, 700), number=number, register=label, period=period
                )
                b.metered(sec, n(prefix, f"{label} units"), used, "kWh", _r(rng, *rate_range, 4), Cat.SUPPLY)
            kwh = sum((m.read.quantity for m in b.meters if m.service == "Electric"), Decimal(0))
        else:
            kwh = b.meter(Commodity.ELECTRICITY, "kWh", "Electric", (low, high), number=number, multiplier=mult)
            b.metered(
                sec,
                n(prefix, rng.choice(("Electricity used", "Unit charge", "Energy used"))),
                kwh,
                "kWh",
                _r(rng, 2200, 3600, 4),
                Cat.SUPPLY,
            )
        if loc == "IE":
            b.fixed(sec, n(prefix, "PSO levy"), _r(rng, 150, 650, 2), Cat.FEE)
        if com and loc == "UK":
            b.metered(sec, n(prefix, "Climate Change Levy"), kwh, "kWh", _r(rng, 700, 800, 5), Cat.TAX)
        if not com and rng.random() < 0.15:
            credit = "Warm Home Discount" if loc == "UK" else "Electricity Costs Emergency Benefit"
            b.fixed(sec, n(prefix, credit), -Decimal(rng.choice((150, 100, 66))), Cat.CREDIT)
    else:  # AU
        sec = b.section(
            sec_title or rng.choice(("Electricity charges", "Your energy charges", "Electricity usage and supply"))
        )
        if kind == "elec_tou" or rng.random() < 0.3:
            for label, period in (("Peak", "peak"), ("Shoulder", "shoulder"), ("Off peak", "off_peak")):
                used = b.meter(
                    Commodity.ELECTRICITY, "kWh", "Electric", (60, 600), number=number, register=label, period=period
                )
                b.metered(sec, n(prefix, f"{label} usage"), used, "kWh", _r(rng, 18000, 52000, 5), Cat.SUPPLY)
        else:
            kwh = b.meter(Commodity.ELECTRICITY, "kWh", "Electric", (low, high), number=number, multiplier=mult)
            b.metered(
                sec,
                n(prefix, rng.choice(("General usage", "Anytime usage", "Usage"))),
                kwh,
                "kWh",
                _r(rng, 22000, 42000, 5),
                Cat.SUPPLY,
            )
        if not com and rng.random() < 0.3:
            cl = b.meter(
                Commodity.ELECTRICITY,
                "kWh",
                "Electric",
                (40, 300),
                number=_meter_number(rng, loc, "Electric"),
                register="Controlled load",
                period="controlled_load",
            )
            b.metered(sec, n(prefix, "Controlled load 1"), cl, "kWh", _r(rng, 14000, 24000, 5), Cat.SUPPLY)
        if com:
            kva = _r(rng, 200, 3000, 1)
            b.demand.append(DemandRead(meter_number=number, quantity=kva, unit="kVA"))
            b.metered(sec, n(prefix, "Demand charge"), kva, "kVA", _r(rng, 800, 2600, 2), Cat.DELIVERY)
        b.daily(sec, n(prefix, "Supply charge"), _r(rng, 85000, 135000, 5))
        if not com and rng.random() < 0.35:
            b.metered(
                sec,
                n(prefix, "Solar feed-in credit"),
                Decimal(rng.randint(40, 400)),
                "kWh",
                _r(rng, 3000, 12000, 5),
                Cat.CREDIT,
                credit=True,
            )


def _gas(b: _Builder, prefix: str = "", sec_title: str = "") -> None:
    """Gas: the meter reads volume; most countries bill energy through a printed conversion factor."""
    c, rng, loc, n = b.c, b.rng, b.c["locale"], b.name
    number = _meter_number(rng, loc, "Gas")
    sec = b.section(sec_title or rng.choice(("Gas charges", "Natural gas", "Your gas")))
    if loc == "US":
        factor = _r(rng, 1010, 1090, 3)
        therms = b.meter(
            Commodity.GAS,
            "therms",
            "Gas",
            (15, 140),
            number=number,
            factor=factor,
            read_unit="ccf",
            places=int(c["therm_places"]),
        )
        b.fixed(sec, n(prefix, rng.choice(("Customer charge", "Basic service charge"))), _r(rng, 800, 2200, 2), Cat.FEE)
        b.metered(sec, n(prefix, "Gas delivery charge"), therms, "therms", _r(rng, 30000, 70000, 5), Cat.DELIVERY)
        b.metered(sec, n(prefix, "Gas supply charge"), therms, "therms", _r(rng, 35000, 90000, 5), Cat.SUPPLY)
    elif loc == "CA":
        if rng.random() < 0.5:  # Ontario: billed in m³ as read
            m3 = b.meter(Commodity.GAS, "m³", "Gas", (40, 350), number=number)
            b.fixed(sec, n(prefix, "Customer charge"), _r(rng, 2200, 2600, 2), Cat.FEE)
            b.metered(sec, n(prefix, "Delivery to you"), m3, "m³", _r(rng, 8000, 14000, 5), Cat.DELIVERY)
            b.metered(sec, n(prefix, "Transportation"), m3, "m³", _r(rng, 4000, 7000, 5), Cat.DELIVERY)
            b.metered(sec, n(prefix, "Gas supply charge"), m3, "m³", _r(rng, 10000, 18000, 5), Cat.SUPPLY)
            b.metered(sec, n(prefix, "Federal carbon charge"), m3, "m³", _r(rng, 9000, 12000, 5), Cat.TAX)
        else:  # British Columbia: m³ converted to GJ
            factor = _r(rng, 37500, 39500, 6)
            gj = b.meter(Commodity.GAS, "GJ", "Gas", (60, 400), number=number, factor=factor, read_unit="m³", places=1)
            b.daily(sec, n(prefix, "Basic charge"), _r(rng, 4000, 5000, 4))
            b.metered(sec, n(prefix, "Delivery charge"), gj, "GJ", _r(rng, 5000, 6500, 3), Cat.DELIVERY)
            b.metered(sec, n(prefix, "Cost of gas"), gj, "GJ", _r(rng, 2000, 3500, 3), Cat.SUPPLY)
            b.metered(sec, n(prefix, "Carbon tax"), gj, "GJ", _r(rng, 2500, 3800, 3), Cat.TAX)
    elif loc in ("UK", "IE"):
        factor = _r(rng, 109000, 115000, 4)
        kwh = b.meter(
            Commodity.GAS,
            "kWh",
            "Gas",
            (40, 260),
            number=number,
            factor=factor,
            read_unit="m³",
            places=int(c["kwh_places"]),
        )
        b.daily(sec, n(prefix, "Standing charge"), _r(rng, 2600, 3400, 4) if loc == "UK" else _r(rng, 3800, 4600, 4))
        b.metered(
            sec,
            n(prefix, rng.choice(("Gas used", "Gas units", "Unit charge"))),
            kwh,
            "kWh",
            _r(rng, 500, 1100, 4),
            Cat.SUPPLY,
        )
        if loc == "IE":
            b.metered(sec, n(prefix, "Carbon tax"), kwh, "kWh", _r(rng, 700, 900, 5), Cat.TAX)
    else:  # AU: m³ x heating value x pressure factor = MJ
        factor = _r(rng, 370000, 395000, 4)
        mj = b.meter(Commodity.GAS, "MJ", "Gas", (20, 180), number=number, factor=factor, read_unit="m³", places=0)
        b.daily(sec, n(prefix, "Supply charge"), _r(rng, 60000, 95000, 5))
        step = min(mj, Decimal(rng.randint(10, 25) * 100))
        b.metered(sec, n(prefix, "Gas usage - step 1"), step, "MJ", _r(rng, 2800, 4200, 5), Cat.SUPPLY)
        if mj > step:
            b.metered(sec, n(prefix, "Gas usage - step 2"), mj - step, "MJ", _r(rng, 2000, 2800, 5), Cat.SUPPLY)


def _water(b: _Builder) -> None:
    """Water and sewer: a meter in gallons, cubic feet or kL; sewer billed on the same (or a share of) volume."""
    c, rng, loc, n = b.c, b.rng, b.c["locale"], b.name
    number = _meter_number(rng, loc, "Water")
    water = b.section(rng.choice(("Water", "Water services", "Water supply")))
    sewer = water if c["sections"] == "flat" else b.section(rng.choice(("Sewer", "Wastewater", "Sewerage")))
    if loc == "US":
        style = rng.choice(("gal", "cuft", "ccf"))
        if style == "gal":
            used = b.meter(
                Commodity.WATER,
                "kgal",
                "Water",
                (150, 1200),
                number=number,
                factor=Decimal("0.001"),
                read_unit="gal",
                places=2,
            )
            unit = "kgal"
        elif style == "cuft":
            used = b.meter(
                Commodity.WATER,
                "ccf",
                "Water",
                (300, 2000),
                number=number,
                factor=Decimal("0.01"),
                read_unit="cu ft",
                places=2,
            )
            unit = "ccf"
        else:
            used = b.meter(Commodity.WATER, "ccf", "Water", (3, 25), number=number)
            unit = "ccf"
        b.fixed(
            water,
            n("", rng.choice(("Water base charge", 'Water service charge 5/8" meter', "Water meter charge"))),
            _r(rng, 1200, 3500, 2),
            Cat.FEE,
        )
        first = min(used, Decimal(rng.randint(3, 6)))
        b.metered(water, n("", "Water usage tier 1"), first, unit, _r(rng, 200, 450, 2), Cat.SUPPLY)
        if used > first:
            b.metered(water, n("", "Water usage tier 2"), used - first, unit, _r(rng, 450, 800, 2), Cat.SUPPLY)
        b.fixed(sewer, n("", "Sewer base charge"), _r(rng, 1500, 4000, 2), Cat.FEE)
        b.metered(sewer, n("", "Sewer usage"), used, unit, _r(rng, 300, 900, 2), Cat.OTHER)
        other = (
            b.section(rng.choice(("Other services", "Solid waste & stormwater"))) if c["sections"] != "flat" else water
        )
        b.metered(other, n("", "Stormwater fee"), Decimal(rng.choice((1, 1, 2))), "ERU", _r(rng, 500, 1200, 2), Cat.FEE)
        b.fixed(
            other,
            n("", rng.choice(("Refuse collection", "Solid waste - 64 gal cart", "Trash & recycling"))),
            _r(rng, 1800, 3200, 2),
            Cat.FEE,
        )
    elif loc == "CA":
        used = b.meter(Commodity.WATER, "m³", "Water", (8, 45), number=number)
        b.fixed(water, n("", "Water fixed charge"), _r(rng, 1500, 3000, 2), Cat.FEE)
        b.metered(water, n("", "Water consumption"), used, "m³", _r(rng, 15000, 30000, 4), Cat.SUPPLY)
        b.fixed(sewer, n("", "Wastewater fixed charge"), _r(rng, 1500, 3000, 2), Cat.FEE)
        b.metered(sewer, n("", "Wastewater charge"), used, "m³", _r(rng, 15000, 30000, 4), Cat.OTHER)
    elif loc == "UK":
        used = b.meter(Commodity.WATER, "m³", "Water", (6, 30), number=number)
        b.daily(water, n("", "Water standing charge"), _r(rng, 1500, 2500, 4))
        b.metered(water, n("", "Water volume charge"), used, "m³", _r(rng, 15000, 25000, 4), Cat.SUPPLY)
        b.daily(sewer, n("", "Sewerage standing charge"), _r(rng, 1500, 2500, 4))
        b.metered(
            sewer, n("", "Used water charge"), _up(used * Decimal("0.95"), 2), "m³", _r(rng, 15000, 30000, 4), Cat.OTHER
        )
        b.fixed(sewer, n("", "Surface water drainage"), _r(rng, 300, 900, 2), Cat.FEE)
    else:  # AU
        used = b.meter(Commodity.WATER, "kL", "Water", (8, 60), number=number)
        b.fixed(water, n("", "Water service charge"), _r(rng, 1800, 2800, 2), Cat.FEE)
        first = min(used, Decimal(rng.randint(15, 30)))
        b.metered(water, n("", "Water usage tier 1"), first, "kL", _r(rng, 20000, 26000, 4), Cat.SUPPLY)
        if used > first:
            b.metered(water, n("", "Water usage tier 2"), used - first, "kL", _r(rng, 26000, 34000, 4), Cat.SUPPLY)
        b.fixed(sewer, n("", "Sewerage service charge"), _r(rng, 5000, 7000, 2), Cat.FEE)
        b.fixed(sewer, n("", rng.choice(("Drainage charge", "Parks charge"))), _r(rng, 600, 1200, 2), Cat.FEE)


def _taxes(b: _Builder) -> Decimal | None:
    """Bill-level taxes and rebates; Australian bills may fold GST into the lines and only state it."""
    c, rng, loc = b.c, b.rng, b.c["locale"]
    items = _all_items(b)
    if c["make"] == "water" and loc != "US":
        return None
    pct = Decimal(c["tax_rate"])
    if loc == "US":
        if c["make"] != "water":
            b.fixed(
                None,
                b.name("", f"{c['tax_name']} {pct}%"),
                cents(sum((i.amount for i in items), Decimal(0)) * pct / 100),
                Cat.TAX,
            )
            if rng.random() < 0.4:
                b.fixed(
                    None,
                    b.name("", "Franchise fee"),
                    cents(sum((i.amount for i in items), Decimal(0)) * Decimal("0.02")),
                    Cat.FEE,
                )
        return None
    if loc == "CA":
        _tax(b, f"{c['tax_name']} ({pct}%)" if rng.random() < 0.5 else f"{c['tax_name']} {pct}%", pct, items)
        if c["tax_name"] == "HST" and c["make"] in ("elec_res", "elec_tou"):
            b.fixed(
                None,
                b.name("", "Ontario Electricity Rebate"),
                -cents(sum((i.amount for i in items), Decimal(0)) * Decimal("0.131")),
                Cat.CREDIT,
            )
        return None
    if loc in ("UK", "IE"):
        label = {"at": f"VAT at {pct}%", "at_sign": f"VAT @ {pct}%", "plain": "VAT"}[c["vat_style"]]
        if c["make"] == "dual" and c["sections"] != "flat" and c["vat_style"] != "plain":
            for sec in b.sections:
                _tax(b, label, pct, list(sec.items), sec)
        else:
            _tax(b, label, pct, items)
        return None
    # AU
    if c["gst_style"] == "included":
        return cents(sum((i.amount for i in items if i.amount > 0), Decimal(0)) / 11)
    _tax(b, "GST" if rng.random() < 0.5 else "GST 10%", Decimal(10), [i for i in items if i.amount > 0])
    return None


def _account_number(rng: random.Random, locale: str) -> str:
    d = "".join(rng.choice("0123456789") for _ in range(13))
    return rng.choice(
        {
            "US": (
                f"{d[:10]}-{d[10]}",
                f"{d[:2]} {d[2:6]} {d[6:10]}",
                f"{d[:4]}-{d[4:7]}-{d[7:9]}",
                f"{d[:4]} {d[4:8]} {d[8:12]} {d[12]}",
            ),
            "CA": (f"{d[:4]} {d[4:7]} {d[7:10]}", f"{d[:9]}", f"{d[:8]}-{d[8]}", f"{d[:4]} {d[4:8]} {d[8:12]}"),
            "UK": (f"{d[:4]} {d[4:8]} {d[8:12]}", f"A-{d[:2]}B{d[2:4]}C{d[4:6]}", f"{d[:8]}", f"{d[:3]}/{d[3:10]}"),
            "IE": (f"{d[:3]} {d[3:6]} {d[6:9]}", f"{d[:10]}", f"{d[:2]}-{d[2:9]}"),
            "AU": (f"{d[:4]} {d[4:7]} {d[7:10]}", f"{d[0]} {d[1:5]} {d[5:9]}", f"{d[:12]}"),
        }[locale]
    )


def _extras(rng: random.Random, c: dict[str, str], b: _Builder) -> dict[str, str]:
    """Numbers a bill prints near the real ones: bill and meter point numbers, phones, bank details."""
    d = "".join(rng.choice("0123456789") for _ in range(24))
    loc = c["locale"]
    extras = {
        "bill_no": f"{d[:9]}",
        "phone": {
            "US": f"1-800-{d[9:12]}-{d[12:16]}",
            "CA": f"1-888-{d[9:12]}-{d[12:16]}",
            "UK": f"0800 {d[9:12]} {d[12:16]}",
            "IE": f"1850 {d[9:11]} {d[11:13]} {d[13:15]}",
            "AU": f"13 {d[9:11]} {d[11:13]}",
        }[loc],
        "last_payment": _money(Decimal(rng.randint(2000, 30000)).scaleb(-2), c),
    }
    if loc == "US":
        extras["id_label"], extras["id_value"] = rng.choice(
            (("Service agreement ID", d[:10]), ("Customer ID", d[2:9]), ("Premise #", d[5:13]))
        )
    elif loc == "CA":
        extras["id_label"], extras["id_value"] = rng.choice((("Customer number", d[3:10]), ("Premise ID", d[1:9])))
    elif loc == "UK":
        extras["id_label"], extras["id_value"] = ("Bill number", d[:9])
        if any(m.service == "Electric" for m in b.meters):
            extras["mpan"] = f"S 01 801 100 {d[10:12]} {d[12:16]} {d[16:20]} {d[20:23]}"
    elif loc == "IE":
        extras["id_label"], extras["id_value"] = ("Invoice no.", d[3:11])
        extras["mprn"] = f"10{d[10:19]}"
    else:
        extras["id_label"], extras["id_value"] = ("Customer number", d[4:14])
        extras["nmi"] = f"{rng.choice(('6102', '4102', 'VCCC'))}{d[12:18]}"
        extras["abn"] = f"ABN {d[:2]} {d[2:5]} {d[5:8]} {d[8:11]}"
    return extras


def _build(rng: random.Random, index: int, c: dict[str, str]) -> _Model:
    loc = _LOCALES[c["locale"]]
    start = date(2024, 1, 3) + timedelta(days=30 * (index % 28) + rng.randint(0, 6))
    end = start + timedelta(days=rng.randint(25, 35))
    statement = end + timedelta(days=rng.randint(1, 10))
    due = statement + timedelta(days=rng.randint(10, 25))
    b = _Builder(rng, c, start, end)
    kind = c["make"]
    if kind == "dual":
        elec_title = "Electricity" if c["locale"] != "US" else "Electric charges"
        _elec(b, "Electricity", elec_title)
        _gas(b, "Gas", "Gas" if c["locale"] != "US" else "Gas charges")
    elif kind == "gas":
        _gas(b)
    elif kind == "water":
        _water(b)
    else:
        _elec(b)
    gst_included = _taxes(b)
    items = _all_items(b)
    new_charges = sum((i.amount for i in items), Decimal(0))
    if new_charges <= 0:  # rebates beyond the charges: keep the bill a bill
        b.fixed(b.sections[0], b.name("", "Minimum charge"), -new_charges + _r(rng, 500, 2000, 2), Cat.FEE)
        items = _all_items(b)
        new_charges = sum((i.amount for i in items), Decimal(0))
    # the account summary
    big = 3000 if kind == "elec_com" else 400
    previous = Decimal(rng.randint(0, big * 100)).scaleb(-2)
    if rng.random() < 0.1:
        previous = -Decimal(rng.randint(500, 9000)).scaleb(-2)
    roll = rng.random()
    if previous <= 0 or roll < 0.1:
        payments = Decimal("0.00")
    elif roll < 0.7:
        payments = previous
    elif roll < 0.9:
        payments = cents(previous * Decimal(rng.randint(20, 90)) / 100)
    else:
        payments = previous + Decimal(rng.randint(100, 5000)).scaleb(-2)
    due_amount = previous - payments + new_charges
    summary = c["summary_fields"] == "full"
    # what is printed, and therefore true
    detail = c["detail"]
    printed_items = [
        i.model_copy(update={"rate": None} if detail == "qty" else {"quantity": None, "unit": None, "rate": None})
        if detail != "full"
        else i
        for i in items
    ]
    by_id = {id(i): p for i, p in zip(items, printed_items, strict=True)}
    for sec in b.sections:
        sec.items = [by_id[id(i)] for i in sec.items]
    b.tail = [by_id[id(i)] for i in b.tail]
    meter_style = c["meter_style"]
    for meter in b.meters:
        read = meter.read
        update: dict[str, object] = {}
        if meter_style == "totals":
            update = {
                "start_read": None,
                "end_read": None,
                "multiplier": None,
                "conversion_factor": None,
                "read_unit": None,
            }
            if c["totals_meter"] == "no":
                update["meter_number"] = None
        meter.read = read.model_copy(update=update)
    demand = (
        [d.model_copy(update={"meter_number": None}) for d in b.demand]
        if meter_style == "totals" and c["totals_meter"] == "no"
        else b.demand
    )
    town = rng.choice(loc.towns)
    street = f"{rng.randint(2, 4800)} {rng.choice(loc.streets)}"
    if c["locale"] in ("UK", "AU") and rng.random() < 0.3:
        street = (
            f"{'Flat' if c['locale'] == 'UK' else 'Unit'} {rng.randint(1, 12)}, {street}"
            if c["locale"] == "UK"
            else f"Unit {rng.randint(1, 12)}/{street}"
        )
    service_lines = (
        [street, town] if c["address_lines"] == "2" else [f"{street}, {town}"] if c["address_lines"] == "1" else []
    )
    customer = rng.choice(loc.firms if kind == "elec_com" or rng.random() < 0.1 else loc.people)
    mailing = (
        [customer, *(service_lines or [street, town])]
        if c["mailing_same"] == "yes"
        else [customer, f"PO Box {rng.randint(100, 9999)}", rng.choice(loc.towns)]
    )
    truth = NormalizedBill(
        provider=c["provider"],
        account_number=c["account_number"],
        service_address=", ".join(service_lines) if service_lines else None,
        statement_date=statement if c["print_statement_date"] == "yes" else None,
        due_date=due if c["print_due_date"] == "yes" else None,
        bill_period_start=start,
        bill_period_end=end,
        currency=loc.currency,
        total_amount=new_charges,
        amount_due=due_amount if summary else new_charges,
        previous_balance=previous if summary else None,
        payments_and_credits=payments if summary else None,
        line_items=[*(i for sec in b.sections for i in sec.items), *b.tail],
        usage=[m.read for m in b.meters],
        demand=demand,
    )
    history_unit = b.meters[0].read.unit
    base = int(b.meters[0].read.quantity) or 10
    history = [
        ((start - timedelta(days=30 * k)).strftime("%b"), max(1, base + rng.randint(-base // 2, base // 2)))
        for k in range(6, 0, -1)
    ]
    c["history_unit"] = history_unit
    return _Model(
        truth, b.sections, b.tail, b.meters, customer, mailing, service_lines, _extras(rng, c, b), history, gst_included
    )


# --- the choices --------------------------------------------------------------------------------------


def _pick(rng: random.Random, options: tuple[str, ...], weights: tuple[float, ...] | None = None) -> str:
    return rng.choices(options, weights=weights)[0] if weights else rng.choice(options)


def _choose(rng: random.Random) -> dict[str, str]:
    """Every decision about the bill and its page, drawn before anything is built or drawn."""
    c: dict[str, str] = {}
    c["locale"] = locale = _pick(rng, tuple(_LOCALES))
    loc = _LOCALES[locale]
    c["make"] = kind = _pick(rng, loc.kinds)
    c["provider"] = _pick(rng, loc.names[_GROUP[kind]])
    c["account_number"] = _account_number(rng, locale)
    c["symbol"], c["minor"] = loc.symbol, loc.minor
    c["font"] = _pick(rng, ("helvetica", "times", "courier"), (0.65, 0.22, 0.13))
    c["margin"] = str(rng.randint(30, 56))
    c["date_format"] = _pick(rng, loc.dates)
    c["period_sep"] = _pick(
        rng,
        ("dash", "endash", "to", "through", "compact")
        if locale in ("US", "CA")
        else ("dash", "endash", "to", "compact"),
    )
    c["period_days"] = _pick(rng, ("yes", "no"), (0.3, 0.7))
    c["period_place"] = _pick(rng, ("field", "title", "split"), (0.6, 0.25, 0.15))
    c["read_dates"] = _pick(rng, ("same", "day_before"), (0.75, 0.25))
    for name, options in _LABELS.items():
        c[f"label.{name}"] = _pick(rng, options)
    c["caps"] = _pick(rng, ("yes", "no"), (0.25, 0.75))
    c["caps_items"] = _pick(rng, ("yes", "no"), (0.15, 0.85))
    c["header"] = _pick(rng, ("colon", "tab", "leaders", "under", "grid", "table"))
    c["tab"] = str(rng.choice((88, 100, 112, 124)))
    c["address_lines"] = _pick(rng, ("1", "2", "0"), (0.45, 0.45, 0.1))
    c["mailing_block"] = _pick(rng, ("yes", "no"), (0.8, 0.2))
    c["mailing_same"] = _pick(rng, ("yes", "no"), (0.7, 0.3))
    c["print_statement_date"] = _pick(rng, ("yes", "no"), (0.9, 0.1))
    c["print_due_date"] = _pick(rng, ("yes", "no"), (0.9, 0.1))
    c["summary_fields"] = _pick(rng, ("full", "due_only"), (0.85, 0.15))
    c["summary"] = _pick(rng, ("rows", "leaders", "boxes", "ledger", "statement", "sentence", "sidebar"))
    c["adjustments_row"] = _pick(rng, ("yes", "no"), (0.25, 0.75))
    c["summary_title"] = _pick(rng, _SUMMARY_TITLES)
    c["credit"] = _pick(rng, ("minus", "cr", "parens", "trailing") if locale == "US" else ("minus", "cr", "parens"))
    c["payments_sign"] = _pick(rng, ("negative", "plain"))
    c["headline"] = _pick(rng, ("none", "amount", "sentence"), (0.45, 0.35, 0.2))
    c["headline_size"] = str(rng.choice((14, 18, 24))) if c["headline"] != "none" else "0"
    c["provider_size"] = str(rng.choice((12, 15, 19, 24)))
    c["provider_place"] = _pick(rng, ("left", "right", "center", "band"))
    c["title"] = _pick(rng, ("Your bill", "STATEMENT", "Tax invoice", "Utility bill", "Your energy statement", "none"))
    c["table_symbol"] = _pick(rng, ("yes", "no"))
    c["num_align"] = _pick(rng, ("right", "left"), (0.85, 0.15))
    c["charges_style"] = _pick(rng, ("columns", "inline", "stacked", "leaders", "mono"), (0.3, 0.2, 0.2, 0.15, 0.15))
    c["charges_header"] = _pick(rng, _CHARGES_HEADERS)
    c["charges_columns_header"] = _pick(rng, ("yes", "no"), (0.7, 0.3))
    c["charges_total"] = _pick(rng, (*_TABLE_TOTALS, "none"))
    c["sections"] = _pick(rng, ("headings", "flat"), (0.65, 0.35))
    c["subtotals"] = _pick(rng, ("yes", "no"))
    c["detail"] = _pick(rng, ("full", "qty", "none"), (0.65, 0.15, 0.2))
    c["detail_fmt"] = _pick(rng, ("at", "x", "word", "paren"))
    c["stack_amount"] = _pick(rng, ("top", "bottom"))
    c["rate_unit"] = _pick(rng, ("major", "minor"), (0.35, 0.65) if locale in ("UK", "AU") else (0.7, 0.3))
    c["rate_suffix"] = _pick(rng, ("slash", "per", "bare"))
    c["esco"] = (
        _pick(
            rng,
            ("none", "Bright Choice Energy LLC", "Keystone Power Partners", "Green Mountain Supply Co."),
            (0.7, 0.1, 0.1, 0.1),
        )
        if locale == "US" and kind in ("elec_res", "elec_com") and c["sections"] == "headings"
        else "none"
    )
    c["tax_name"], c["tax_rate"] = {
        "US": _pick_pair(
            rng,
            (
                ("Sales tax", "6.25"),
                ("State sales tax", "4.5"),
                ("Utility users tax", "7.5"),
                ("Gross receipts tax", "2.5"),
            ),
        ),
        "CA": _pick_pair(rng, (("GST", "5"), ("HST", "13"), ("GST/HST", "15"))),
        "UK": ("VAT", "20" if kind == "elec_com" else "5"),
        "IE": ("VAT", "13.5" if kind == "elec_com" else "9"),
        "AU": ("GST", "10"),
    }[locale]
    c["vat_style"] = _pick(rng, ("at", "at_sign", "plain"))
    c["tax_base"] = _pick(rng, ("yes", "no"), (0.3, 0.7))
    c["gst_style"] = _pick(rng, ("line", "included"), (0.7, 0.3)) if locale == "AU" else "n/a"
    c["therm_places"] = _pick(rng, ("0", "1"))
    c["kwh_places"] = _pick(rng, ("0", "1", "2"))
    c["mult_one"] = _pick(rng, ("yes", "no"), (0.15, 0.85))
    c["meter_style"] = _pick(rng, ("columns", "blocks", "sentence", "totals"), (0.45, 0.25, 0.15, 0.15))
    c["totals_meter"] = _pick(rng, ("yes", "no"))
    c["meter_title"] = _pick(rng, _METER_TITLES)
    c["service_column"] = _pick(rng, ("yes", "no"))
    c["unit_style"] = _pick(rng, ("column", "suffix", "header"))
    c["est_style"] = _pick(rng, ("letter", "paren", "word", "asterisk", "column"))
    c["extra_columns"] = _pick(rng, ("none", "days", "avg_daily"))
    c["read_fmt"] = _pick(rng, ("plain", "grouped", "zeros"), (0.4, 0.4, 0.2))
    c["read_date_col"] = _pick(rng, ("one", "two", "none"))
    c["demand_label"] = _pick(rng, ("Maximum demand", "Billed demand", "Peak demand", "Demand"))
    c["pages"] = _pick(rng, ("one", "split", "details"), (0.5, 0.3, 0.2))
    c["split_after"] = str(rng.randint(2, 6))
    c["page_numbers"] = _pick(rng, ("of", "plain", "none"))
    c["stub"] = _pick(rng, ("yes", "no"), (0.6, 0.4))
    c["scan_line"] = _pick(rng, ("yes", "no"))
    c["messages"] = str(rng.randint(0, 3))
    c["message_pick"] = ",".join(str(rng.randint(0, 99)) for _ in range(3))
    distractors = [
        d
        for d in ("bill_no", "ids", "last_payment", "history", "next_read", "avg_cost", "price_notice")
        if rng.random() < 0.4
    ]
    c["distractors"] = ",".join(distractors) or "none"
    c["field_order"] = ",".join(rng.sample(("statement_date", "due_date", "bill_period"), 3))
    return c


def _pick_pair(rng: random.Random, options: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    return options[rng.randrange(len(options))]


# --- the page -----------------------------------------------------------------------------------------

_FONTS = {
    "helvetica": ("Helvetica", "Helvetica-Bold"),
    "times": ("Times-Roman", "Times-Bold"),
    "courier": ("Courier", "Courier-Bold"),
}
_ACCENTS = ("#1f4e79", "#2e7d32", "#b71c1c", "#4a148c", "#e65100", "#006064")


class _Doc:
    """A flowing page: y grows downwards; blocks ask for room and continue on a new page when short."""

    def __init__(self, canvas: Canvas, model: _Model, c: dict[str, str], total_pages: int) -> None:
        self.cv, self.model, self.c, self.total = canvas, model, c, total_pages
        self.width, self.height = _LOCALES[c["locale"]].page
        self.left = float(c["margin"])
        self.right = self.width - self.left
        self.page = 1
        self.y = 40.0
        self.regular, self.bold = _FONTS[c["font"]]
        self.accent = _ACCENTS[sum(map(ord, c["provider"])) % len(_ACCENTS)]
        self.bottom = self.height - 60

    def font(self, size: float, bold: bool = False, mono: bool = False) -> str:
        name = ("Courier-Bold" if bold else "Courier") if mono else (self.bold if bold else self.regular)
        self.cv.setFont(name, size)
        return name

    def text(self, x: float, y: float, s: str, size: float = 9, bold: bool = False, mono: bool = False) -> None:
        self.font(size, bold, mono)
        self.cv.drawString(x, self.height - y, s)

    def rtext(self, x: float, y: float, s: str, size: float = 9, bold: bool = False, mono: bool = False) -> None:
        self.font(size, bold, mono)
        self.cv.drawRightString(x, self.height - y, s)

    def ctext(self, x: float, y: float, s: str, size: float = 9, bold: bool = False) -> None:
        self.font(size, bold)
        self.cv.drawCentredString(x, self.height - y, s)

    def amount(self, x_right: float, y: float, s: str, size: float = 9, bold: bool = False, col: float = 70) -> None:
        """An amount in a column: right-aligned, or left-aligned in the column when the layout says so."""
        if self.c["num_align"] == "left":
            self.text(x_right - col, y, s, size, bold)
        else:
            self.rtext(x_right, y, s, size, bold)

    def measure(self, s: str, size: float = 9, bold: bool = False) -> float:
        return stringWidth(s, self.bold if bold else self.regular, size)

    def rule(self, x1: float, y: float, x2: float, dashed: bool = False, width: float = 0.5) -> None:
        self.cv.setLineWidth(width)
        if dashed:
            self.cv.setDash(4, 3)
        self.cv.line(x1, self.height - y, x2, self.height - y)
        self.cv.setDash()

    def box(self, x: float, y: float, w: float, h: float, fill: str | None = None, stroke: bool = True) -> None:
        if fill:
            self.cv.setFillColor(colors.HexColor(fill))
        self.cv.rect(x, self.height - y - h, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)
        self.cv.setFillColor(colors.black)

    def leaders(self, x1: float, x2: float, y: float, size: float = 9) -> None:
        """Dots between a label and its amount, as a run of '.' characters the way print drivers set them."""
        dot = stringWidth(".", self.regular, size)
        count = int((x2 - x1 - 6) / dot)
        if count > 2:
            self.text(x1 + 3, y, "." * count, size)

    def wrap(self, s: str, width: float, size: float, bold: bool = False) -> list[str]:
        lines, line = [], ""
        for word in s.split():
            trial = f"{line} {word}".strip()
            if self.measure(trial, size, bold) > width and line:
                lines.append(line)
                line = word
            else:
                line = trial
        return [*lines, line] if line else lines

    def need(self, height: float, again: Callable[[], None] | None = None) -> bool:
        """Room for `height` points, or a new page (on which `again` re-draws a table's headings)."""
        if self.y + height <= self.bottom:
            return False
        self.new_page()
        if again is not None:
            again()
        return True

    def footer(self) -> None:
        c = self.c
        if c["page_numbers"] == "of" and self.total:
            self.ctext(self.width / 2, self.height - 28, f"Page {self.page} of {self.total}", 7)
        elif c["page_numbers"] == "plain":
            self.rtext(self.right, self.height - 28, f"Page {self.page}", 7)
        legal = {
            "US": f"{c['provider']} - customer service {self.model.extras['phone']} - www.example-utility.com",
            "CA": f"{c['provider']} - GST/HST registration no. 81234 5678 RT0001",
            "UK": f"{c['provider']} is registered in England and Wales no. 04123456. VAT reg no. GB 123 4567 89",
            "IE": f"{c['provider']} - registered in Ireland no. 512345 - VAT no. IE 9876543K",
            "AU": f"{c['provider']} {self.model.extras.get('abn', '')}",
        }[c["locale"]]
        self.text(self.left, self.height - 40, legal, 6.5)

    def new_page(self) -> None:
        self.footer()
        self.cv.showPage()
        self.page += 1
        self.text(self.left, 36, self.c["provider"], 10, bold=True)
        self.rtext(self.right, 36, f"{_label('account_number', self.c)}: {self.c['account_number']}", 8)
        self.rule(self.left, 44, self.right)
        self.y = 64.0


def _header(doc: _Doc) -> None:
    """Provider name (or a coloured band with it), the document's title and contact lines."""
    c, m = doc.c, doc.model
    size = float(c["provider_size"])
    name = c["provider"]
    top = 34.0
    if c["provider_place"] == "band":
        doc.box(0, 0, doc.width, size + 30, fill=doc.accent, stroke=False)
        doc.cv.setFillColor(colors.white)
        doc.text(doc.left, 14 + size, name, size, bold=True)
        doc.cv.setFillColor(colors.black)
        top = size + 44
    elif c["provider_place"] == "right":
        doc.rtext(doc.right, top + size, name, size, bold=True)
        top += size + 10
    elif c["provider_place"] == "center":
        doc.ctext(doc.width / 2, top + size, name, size, bold=True)
        top += size + 10
    else:
        doc.cv.setFillColor(colors.HexColor(doc.accent))
        doc.cv.circle(doc.left + 14, doc.height - top - 10, 12, stroke=0, fill=1)
        doc.cv.setFillColor(colors.black)
        doc.text(doc.left + 34, top + size * 0.6, name, size, bold=True)
        top += max(size, 24) + 6
    if c["title"] != "none":
        title = c["title"] if c["title"] != "Tax invoice" or c["locale"] == "AU" else "Invoice"
        if c["make"] == "water" and title == "Your energy statement":
            title = "Your water and sewer bill"
        if c["provider_place"] == "right":
            doc.text(doc.left, 40, title, 13, bold=True)
        else:
            doc.rtext(doc.right, top + 10, title, 12, bold=True)
    contact = f"Questions? Call {m.extras['phone']}"
    if c["locale"] == "AU":
        contact += f"   {m.extras['abn']}"
    doc.text(doc.left, top + 8, contact, 7)
    doc.y = top + 28


def _fields(m: _Model, c: dict[str, str]) -> list[tuple[str, str]]:
    """The header's label/value pairs, in this bill's order."""
    t = m.truth
    out: list[tuple[str, str]] = [(_label("account_number", c), t.account_number)]
    for name in c["field_order"].split(","):
        if name == "statement_date" and t.statement_date:
            out.append((_label("statement_date", c), _date(t.statement_date, c["date_format"])))
        elif name == "due_date" and t.due_date:
            out.append((_label("due_date", c), _date(t.due_date, c["date_format"])))
        elif name == "bill_period" and c["period_place"] == "field":
            out.append((_label("bill_period", c), _period(t.bill_period_start, t.bill_period_end, c)))
        elif name == "bill_period" and c["period_place"] == "split":
            words = ("FROM", "TO") if c["caps"] == "yes" else ("Period from", "Period to")
            out.append((words[0], _date(t.bill_period_start, c["date_format"])))
            out.append((words[1], _date(t.bill_period_end, c["date_format"])))
    distractors = c["distractors"].split(",")
    if "bill_no" in distractors:
        out.insert(1, ("Bill number" if c["locale"] != "AU" else "Invoice no.", m.extras["bill_no"]))
    if "ids" in distractors:
        out.append((m.extras["id_label"], m.extras["id_value"]))
        for key, label in (("mpan", "MPAN"), ("mprn", "MPRN"), ("nmi", "NMI")):
            if key in m.extras:
                out.append((label, m.extras[key]))
    return out


def _field_column(doc: _Doc, x: float, width: float, y: float, pairs: list[tuple[str, str]]) -> float:
    """Label/value pairs stacked in a column, in the header style; returns the y below them."""
    c = doc.c
    style = c["header"] if c["header"] in ("colon", "tab", "leaders", "under") else "under"
    tab = float(c["tab"])
    for label, value in pairs:
        fits = doc.measure(value, 9) + tab + 6 <= width
        if style == "colon":
            joined = f"{label}: {value}"
            if doc.measure(joined, 9) <= width:
                doc.text(x, y, joined)
                y += 13
                continue
        if style in ("tab", "colon") and fits:
            doc.text(x, y, label, 9, bold=style == "tab")
            doc.text(x + tab, y, value)
            y += 13
        elif style == "leaders" and doc.measure(label + value, 9) + 20 <= width:
            doc.text(x, y, label)
            doc.leaders(x + doc.measure(label), x + width - doc.measure(value), y)
            doc.rtext(x + width, y, value)
            y += 13
        else:
            doc.text(x, y, label, 7, bold=True)
            doc.text(x, y + 10, value, 10)
            y += 24
    return y


def _grid(doc: _Doc, pairs: list[tuple[str, str]], boxed: bool) -> None:
    """Header values in a row of boxes (or a two-row table) across the page."""
    per_row = 4 if len(pairs) > 4 else len(pairs)
    width = (doc.right - doc.left) / per_row
    for start in range(0, len(pairs), per_row):
        row = pairs[start : start + per_row]
        for i, (label, value) in enumerate(row):
            x = doc.left + i * width
            if boxed:
                doc.box(x, doc.y, width, 30)
            doc.text(x + 4, doc.y + 10, label, 7, bold=True)
            size = 10.0
            while doc.measure(value, size) > width - 8 and size > 6:
                size -= 0.5
            doc.text(x + 4, doc.y + 24, value, size)
        if not boxed:
            doc.rule(doc.left, doc.y + 13, doc.right)
        doc.y += 36


def _address_block(doc: _Doc, x: float, y: float) -> float:
    c, m = doc.c, doc.model
    if m.service_lines:
        label = _label("service_address", c)
        if (
            c["header"] in ("colon", "tab")
            and len(m.service_lines) == 1
            and doc.measure(f"{label}: {m.service_lines[0]}") < 260
        ):
            doc.text(x, y, f"{label}: {m.service_lines[0]}")
            return y + 15
        doc.text(x, y, label, 7.5, bold=True)
        for i, line in enumerate(m.service_lines):
            doc.text(x, y + 11 + 11 * i, line)
        return y + 16 + 11 * len(m.service_lines)
    return y


def _top(doc: _Doc) -> None:
    """Mailing address on the left, account details on the right (or a grid across the page)."""
    c, m = doc.c, doc.model
    y0 = doc.y
    left_y = y0
    if c["mailing_block"] == "yes":
        for i, line in enumerate(m.mailing):
            doc.text(doc.left + 8, y0 + 12 * i, line.upper() if c["locale"] in ("US", "CA") and i else line, 9.5)
        left_y = y0 + 12 * len(m.mailing) + 10
    pairs = _fields(m, c)
    mid = doc.left + (doc.right - doc.left) * 0.5
    if c["header"] in ("grid", "table"):
        if c["headline"] != "none":
            left_y = max(left_y, _headline(doc, mid + 10, y0, doc.right - mid - 10))
        doc.y = max(left_y, y0) + 6
        _grid(doc, pairs, boxed=c["header"] == "grid")
        doc.y = _address_block(doc, doc.left, doc.y + 4)
        right_y = doc.y
    else:
        right_y = _field_column(doc, mid + 10, doc.right - mid - 10, y0, pairs)
        right_y = _address_block(doc, mid + 10, right_y + 4)
    if c["summary"] == "sidebar":
        right_y = _sidebar(doc, mid + 10, doc.right, right_y + 6)
    if c["headline"] != "none" and c["header"] not in ("grid", "table"):
        left_y = _headline(doc, doc.left, left_y + 6, mid - 10 - doc.left)
    doc.y = max(left_y, right_y, doc.y) + 10
    if c["period_place"] == "title":
        t = m.truth
        words = {
            "Your bill": "Your bill for",
            "STATEMENT": "Statement for",
            "Tax invoice": "Tax invoice for the period",
        }
        lead = words.get(c["title"], "Charges for")
        if c["caps"] == "yes":
            lead = lead.upper()
        doc.text(doc.left, doc.y, f"{lead} {_period(t.bill_period_start, t.bill_period_end, c)}", 11, bold=True)
        doc.y += 20


def _headline(doc: _Doc, x: float, y: float, width: float) -> float:
    """The big figure real bills lead with: the amount due, and when."""
    c, t = doc.c, doc.model.truth
    size = float(c["headline_size"])
    due = t.amount_due if t.amount_due is not None else t.total_amount
    label = _label("amount_due", c)
    if c["headline"] == "amount":
        doc.box(x, y, width, size + 26, fill="#eeeeee", stroke=False)
        doc.text(x + 6, y + 12, label, 8, bold=True)
        doc.text(x + 6, y + 14 + size, _money(due, c), size, bold=True)
        y += size + 30
    else:
        if due < 0:
            lines = [f"Your account is {_money(-due, c)} in credit.", "There is nothing to pay."]
        else:
            lines = [f"{label}: {_money(due, c)}"]
            if t.due_date:
                lines.append(f"by {_date(t.due_date, c['date_format'])}")
        for line in lines:
            doc.text(x, y + size, line, size * 0.75, bold=True)
            y += size + 4
        y += 6
    return y


def _summary_rows(m: _Model, c: dict[str, str]) -> list[tuple[str, Decimal, bool]]:
    """(label, amount as printed, is the bottom line) of the account summary."""
    t = m.truth
    rows: list[tuple[str, Decimal, bool]] = []
    if t.previous_balance is not None and t.payments_and_credits is not None:
        rows.append((_label("previous_balance", c), t.previous_balance, False))
        pay = -t.payments_and_credits if c["payments_sign"] == "negative" else t.payments_and_credits
        rows.append((_label("payments_and_credits", c), pay, False))
        if c["adjustments_row"] == "yes":
            rows.append(("ADJUSTMENTS" if c["caps"] == "yes" else "Adjustments", Decimal("0.00"), False))
    rows.append((_label("total_amount", c), t.total_amount, False))
    if t.amount_due is not None:
        rows.append((_label("amount_due", c), t.amount_due, True))
    return rows


def _sidebar(doc: _Doc, x: float, right: float, y: float) -> float:
    c = doc.c
    doc.box(x - 4, y - 2, right - x + 8, 16 + 14 * len(_summary_rows(doc.model, c)), fill="#f1f4f8", stroke=False)
    doc.text(x, y + 10, c["summary_title"], 9, bold=True)
    y += 24
    for label, value, last in _summary_rows(doc.model, c):
        doc.text(x, y, label, 8.5, bold=last)
        doc.rtext(right, y, _money(value, c), 8.5, bold=last)
        y += 14
    return y


def _summary(doc: _Doc) -> None:
    c, t = doc.c, doc.model.truth
    style = c["summary"]
    if style == "sidebar":
        return
    rows = _summary_rows(doc.model, c)
    doc.need(40 + 16 * len(rows))
    doc.text(doc.left, doc.y, c["summary_title"].upper() if c["caps"] == "yes" else c["summary_title"], 11, bold=True)
    doc.y += 16
    if style in ("rows", "leaders"):
        width = (doc.right - doc.left) * 0.62
        right = doc.left + width
        for label, value, last in rows:
            if last:
                doc.rule(doc.left, doc.y - 9, right)
            doc.text(doc.left, doc.y, label, 9, bold=last)
            if style == "leaders":
                doc.leaders(
                    doc.left + doc.measure(label, 9, last), right - doc.measure(_money(value, c), 9, last), doc.y
                )
            doc.amount(right, doc.y, _money(value, c), 9, bold=last)
            doc.y += 14
    elif style in ("boxes", "ledger"):
        n = len(rows)
        width = (doc.right - doc.left) / n
        ops = ["-", "+", "="] if n == 4 else ["-", "+", "+", "="] if n == 5 else ["="]
        for i, (label, value, last) in enumerate(rows):
            x = doc.left + i * width
            if style == "boxes":
                doc.box(x + 4, doc.y, width - 12, 40, fill="#f3f3f3" if last else None)
            lines = doc.wrap(label, width - 18, 7.5, bold=True)
            for k, line in enumerate(lines[:2]):
                doc.text(x + 8, doc.y + 11 + 9 * k, line, 7.5, bold=True)
            doc.text(x + 8, doc.y + 33, _money(value, c), 10, bold=last)
            if i < n - 1 and style == "boxes" and i < len(ops):
                doc.ctext(x + width - 2, doc.y + 24, ops[i], 11, bold=True)
        doc.y += 50
    elif style == "statement":
        doc.rule(doc.left, doc.y - 9, doc.right)
        doc.text(doc.left, doc.y, "Description", 8, bold=True)
        doc.rtext(doc.right, doc.y, "Amount", 8, bold=True)
        doc.rule(doc.left, doc.y + 4, doc.right)
        doc.y += 16
        for label, value, last in rows:
            doc.text(doc.left + 4, doc.y, label, 9, bold=last)
            doc.amount(doc.right, doc.y, _money(value, c), 9, bold=last)
            doc.y += 14
        doc.rule(doc.left, doc.y - 8, doc.right)
    else:  # sentence
        parts = []
        if t.previous_balance is not None and t.payments_and_credits is not None:
            parts.append(f"{rows[0][0]} was {_money(t.previous_balance, c)}.")
            parts.append(f"{rows[1][0]}: {_money(rows[1][1], c)}.")
        parts.append(f"{rows[-2][0] if t.amount_due is not None else rows[-1][0]} come to {_money(t.total_amount, c)}.")
        if t.amount_due is not None:
            parts.append(f"{rows[-1][0]}: {_money(t.amount_due, c)}.")
        for line in doc.wrap(" ".join(parts), doc.right - doc.left, 9.5):
            doc.text(doc.left, doc.y, line, 9.5)
            doc.y += 13
    doc.y += 12


def _est(read: UsageRead, c: dict[str, str], value: str, current: bool) -> str:
    """A reading with its estimated/actual mark in this bill's style."""
    estimated = current and read.read_type is ReadType.ESTIMATED
    style = c["est_style"]
    if style == "letter":
        return f"{value} {'E' if estimated else 'A'}"
    if style == "paren":
        return f"{value} ({'E' if estimated else 'A'})"
    if style == "word":
        return f"{value} {'estimated' if estimated else 'actual'}"
    if style == "asterisk":
        return f"{value}*" if estimated else value
    return value


def _meters(doc: _Doc) -> None:
    c, m = doc.c, doc.model
    style = c["meter_style"]
    doc.need(70)
    doc.text(doc.left, doc.y, c["meter_title"].upper() if c["caps"] == "yes" else c["meter_title"], 11, bold=True)
    doc.y += 16
    fmt = c["date_format"]
    units = {meter.read.unit for meter in m.meters}
    unit_style = c["unit_style"] if len(units) == 1 or c["unit_style"] != "header" else "column"
    any_est = any(meter.read.read_type is ReadType.ESTIMATED for meter in m.meters)
    if style == "columns":
        mult = any(meter.read.multiplier is not None for meter in m.meters)
        factor = any(meter.read.conversion_factor is not None for meter in m.meters)
        tou = any(meter.register for meter in m.meters)
        cols: list[tuple[str, str, float]] = [("meter", "Meter no.", 1.3)]
        if c["service_column"] == "yes":
            cols.append(("service", "Service", 0.9))
        if tou:
            cols.append(("register", "Register", 1.1))
        if c["read_date_col"] == "one":
            cols.append(("dates", "Read dates", 1.7))
        prev_title = "Previous reading" if c["read_date_col"] != "two" else "Previous"
        if c["read_date_col"] == "two":
            cols.append(("prev_date", "Prev. read date", 1.25))
        cols.append(("prev", prev_title, 1.1))
        if c["read_date_col"] == "two":
            cols.append(("curr_date", "Read date", 1.1))
        cols.append(("curr", "Current reading" if c["read_date_col"] != "two" else "Current", 1.1))
        if c["est_style"] == "column":
            cols.append(("type", "Read type", 0.9))
        if factor:
            cols.append(("raw", "Volume", 0.9))
            cols.append(("factor", "Conv. factor", 1.0))
        if mult:
            cols.append(("mult", "Multiplier", 0.85))
        cols.append(("usage", f"Usage ({next(iter(units))})" if unit_style == "header" else "Usage", 1.1))
        if unit_style == "column":
            cols.append(("unit", "Units", 0.6))
        if c["extra_columns"] != "none":
            cols.append(("extra", "Days" if c["extra_columns"] == "days" else "Avg/day", 0.7))
        rows: list[dict[str, str]] = []
        for meter in m.meters:
            r = meter.read
            days = (meter.curr - meter.prev).days
            rows.append(
                {
                    "meter": r.meter_number or "",
                    "service": meter.service,
                    "register": meter.register,
                    "dates": f"{_date(meter.prev, fmt)} - {_date(meter.curr, fmt)}",
                    "prev_date": _date(meter.prev, fmt),
                    "curr_date": _date(meter.curr, fmt),
                    "prev": _est(r, c, _read(r.start_read, c), False) if r.start_read is not None else "",
                    "curr": _est(r, c, _read(r.end_read, c), True) if r.end_read is not None else "",
                    "type": "Estimated" if r.read_type is ReadType.ESTIMATED else "Actual",
                    "raw": f"{_qty(meter.raw)} {r.read_unit}" if r.read_unit else "",
                    "factor": f"{r.conversion_factor:f}" if r.conversion_factor is not None else "",
                    "mult": f"{r.multiplier:f}" if r.multiplier is not None else "",
                    "usage": _qty(r.quantity) + (f" {r.unit}" if unit_style == "suffix" else ""),
                    "unit": r.unit,
                    "extra": str(days) if c["extra_columns"] == "days" else f"{r.quantity / max(days, 1):.1f}",
                }
            )
        size = 8.0
        span = doc.right - doc.left

        def widths(at: float) -> list[float]:
            out = []
            for key, title, _ in cols:
                word = max(doc.measure(w, at - 0.5, True) for w in title.split())
                cell = max(doc.measure(row[key], at) for row in rows)
                out.append(max(word, cell, doc.measure(title, at - 0.5, True) / 2) + 10)
            return out

        while sum(widths(size)) > span and size > 6:
            size -= 0.5
        col_w = widths(size)
        spare = max(0.0, span - sum(col_w)) / len(cols)
        xs: list[float] = []
        x = doc.left
        for w in col_w:
            xs.append(x)
            x += w + spare

        def headings() -> None:
            deepest = 1
            for (_, title, _), cx, w in zip(cols, xs, col_w, strict=True):
                lines = doc.wrap(title, w - 6 + spare, size - 0.5, bold=True)
                deepest = max(deepest, len(lines))
                for k, line in enumerate(lines[:2]):
                    doc.text(cx, doc.y + 9 * k, line, size - 0.5, bold=True)
            doc.rule(doc.left, doc.y + 9 * min(deepest, 2) - 5, doc.right)
            doc.y += 9 * min(deepest, 2) + 8

        headings()
        for cells in rows:
            doc.need(14, headings)
            for (key, _, _), cx in zip(cols, xs, strict=True):
                doc.text(cx, doc.y, cells[key], size)
            doc.y += 13
    elif style == "blocks":
        for meter in m.meters:
            r = meter.read
            doc.need(90)
            head = f"{meter.service} meter {r.meter_number}" + (f" - {meter.register}" if meter.register else "")
            doc.text(doc.left, doc.y, head, 9.5, bold=True)
            doc.y += 13
            pairs = [
                (
                    f"Previous reading ({_date(meter.prev, fmt)})",
                    _est(r, c, _read(r.start_read or Decimal(0), c), False),
                ),
                (f"Current reading ({_date(meter.curr, fmt)})", _est(r, c, _read(r.end_read or Decimal(0), c), True)),
            ]
            if c["est_style"] == "column":
                pairs.append(("Reading type", "Estimated" if r.read_type is ReadType.ESTIMATED else "Actual"))
            if r.multiplier is not None:
                pairs.append(("Meter multiplier", f"{r.multiplier:f}"))
            if r.conversion_factor is not None:
                pairs.append((f"Volume used ({r.read_unit})", _qty(meter.raw)))
                pairs.append(("Conversion factor", f"{r.conversion_factor:f}"))
            pairs.append(("Units used" if r.unit == "kWh" else "Consumption", f"{_qty(r.quantity)} {r.unit}"))
            for label, value in pairs:
                doc.text(doc.left + 12, doc.y, label, 8.5)
                doc.text(doc.left + 220, doc.y, value, 8.5)
                doc.y += 11.5
            doc.y += 6
    elif style == "sentence":
        for meter in m.meters:
            r = meter.read
            kind = "an estimated" if r.read_type is ReadType.ESTIMATED else "an actual"
            times = f" x {r.multiplier:f}" if r.multiplier is not None else ""
            conv = f" {r.read_unit} x {r.conversion_factor:f}" if r.conversion_factor is not None else ""
            reg = f" ({meter.register})" if meter.register else ""
            end, begin = _read(r.end_read or Decimal(0), c), _read(r.start_read or Decimal(0), c)
            text = (
                f"Meter {r.meter_number}{reg}: {kind} reading of {end} on {_date(meter.curr, fmt)}, previous reading"
                f" {begin} on {_date(meter.prev, fmt)}. ({end} - {begin}){times}{conv} = {_qty(r.quantity)} {r.unit}."
            )
            lines = doc.wrap(text, doc.right - doc.left, 8.5)
            doc.need(12 * len(lines) + 4)
            for line in lines:
                doc.text(doc.left, doc.y, line, 8.5)
                doc.y += 11.5
            doc.y += 4
    else:  # totals: usage per service/register, no reads
        for meter in m.meters:
            r = meter.read
            doc.need(14)
            what = {"Electric": "Electricity used", "Gas": "Gas used", "Water": "Water used"}[meter.service]
            if meter.register:
                what = f"{what} - {meter.register}"
            if r.meter_number:
                what = f"{what} (meter {r.meter_number})"
            flag = " (estimated)" if r.read_type is ReadType.ESTIMATED else ""
            doc.text(doc.left, doc.y, what, 9)
            doc.text(doc.left + 300, doc.y, f"{_qty(r.quantity)} {r.unit}{flag}", 9)
            doc.y += 13
    for d in m.truth.demand:
        doc.need(14)
        label = c["demand_label"]
        doc.text(doc.left, doc.y, f"{label} ({d.unit})" if style == "columns" else label, 9)
        doc.text(
            doc.left + 300, doc.y, f"{_qty(d.quantity)}" if style == "columns" else f"{_qty(d.quantity)} {d.unit}", 9
        )
        doc.y += 13
    if c["est_style"] == "asterisk" and any_est and style in ("columns", "blocks"):
        doc.text(doc.left, doc.y, "* Estimated reading", 7)
        doc.y += 10
    elif c["est_style"] in ("letter", "paren") and style in ("columns", "blocks"):
        doc.text(doc.left, doc.y, "A = actual reading, E = estimated reading", 7)
        doc.y += 10
    doc.y += 10


def _charges(doc: _Doc) -> None:
    """The itemised charges: sections, subtotals, taxes, a total line; continued on a new page if asked."""
    c, m = doc.c, doc.model
    style = c["charges_style"]
    mono = style == "mono"
    detail = c["detail"]
    span = doc.right - doc.left
    amount_x = doc.right
    qty_x, unit_x, rate_x = doc.left + span * 0.58, doc.left + span * 0.6, doc.left + span * 0.8
    title = c["charges_header"].upper() if c["caps"] == "yes" else c["charges_header"]
    items = [*(i for sec in m.sections for i in sec.items), *m.tail]
    desc_w = max(30, *(len(i.description) + 2 for i in items))
    detail_w = max(20, *(len(_detail(i, c)) + 2 for i in items))
    count = 0
    split_after = min(int(c["split_after"]), len(items) - 1) if c["pages"] == "split" else -1

    def headings() -> None:
        if doc.page > 1 and count:
            doc.text(doc.left, doc.y, f"{title} (continued)", 10, bold=True)
            doc.y += 16
        if style == "columns" and c["charges_columns_header"] == "yes":
            doc.text(doc.left, doc.y, "Description", 8, bold=True)
            if detail != "none":
                doc.rtext(qty_x, doc.y, "Quantity", 8, bold=True)
                doc.text(unit_x, doc.y, "Unit", 8, bold=True)
            if detail == "full":
                doc.rtext(rate_x, doc.y, "Rate", 8, bold=True)
            doc.rtext(
                amount_x, doc.y, f"Amount ({c['symbol']})" if c["table_symbol"] == "no" else "Amount", 8, bold=True
            )
            doc.rule(doc.left, doc.y + 4, doc.right)
            doc.y += 15
        elif style == "mono" and c["charges_columns_header"] == "yes":
            doc.text(doc.left, doc.y, f"{'DESCRIPTION':<{desc_w}}{'DETAIL':<{detail_w}}{'AMOUNT':>12}", 8, mono=True)
            doc.y += 13

    def money(value: Decimal) -> str:
        return _money(value, c, symbol=c["table_symbol"] == "yes")

    def row(item: LineItem, indent: float) -> None:
        nonlocal count
        if count == split_after:
            doc.text(doc.left, doc.y + 4, "Continued on next page", 8)
            doc.new_page()
            headings()
        doc.need(26, headings)
        count += 1
        x = doc.left + indent
        text = _detail(item, c)
        if mono:
            doc.text(x, doc.y, f"{item.description:<{desc_w}}{text:<{detail_w}}{money(item.amount):>12}", 8, mono=True)
            doc.y += 12
        elif style == "columns":
            doc.text(x, doc.y, item.description)
            if item.quantity is not None:
                doc.rtext(qty_x, doc.y, _qty(item.quantity))
                doc.text(unit_x, doc.y, item.unit or "")
            if item.rate is not None and item.unit:
                doc.rtext(
                    rate_x, doc.y, _rate(item.rate, item.unit, c) if c["rate_suffix"] != "bare" else f"{item.rate:f}"
                )
            doc.amount(amount_x, doc.y, money(item.amount))
            doc.y += 13
        elif style == "inline":
            doc.text(x, doc.y, f"{item.description}  {text}".rstrip())
            doc.amount(amount_x, doc.y, money(item.amount))
            doc.y += 13
        elif style == "leaders":
            label = f"{item.description} ({text})" if text else item.description
            doc.text(x, doc.y, label)
            doc.leaders(x + doc.measure(label), amount_x - doc.measure(money(item.amount)), doc.y)
            doc.rtext(amount_x, doc.y, money(item.amount))
            doc.y += 13
        else:  # stacked: detail under the description
            doc.text(x, doc.y, item.description)
            below = c["stack_amount"] == "bottom" and bool(text)
            if text:
                doc.text(x + 10, doc.y + 10, text, 7.5)
            doc.amount(amount_x, doc.y + (10 if below else 0), money(item.amount))
            doc.y += 23 if text else 13

    def subtotal(label: str, value: Decimal) -> None:
        doc.need(16, headings)
        if mono:
            doc.text(
                doc.left, doc.y, f"{label.upper():<{desc_w + detail_w}}{money(value):>12}", 8, bold=True, mono=True
            )
        else:
            doc.rule(doc.right - 90, doc.y - 9, doc.right)
            doc.text(doc.left + 12, doc.y, label, 9, bold=True)
            doc.amount(amount_x, doc.y, money(value), 9, bold=True)
        doc.y += 16

    doc.need(60)
    doc.text(doc.left, doc.y, title, 11, bold=True)
    doc.y += 16
    headings()
    headed = c["sections"] == "headings"
    for sec in m.sections:
        if headed:
            doc.need(30, headings)
            heading = sec.title
            if c["caps"] == "yes":  # a supplier's name keeps its own spelling in a capitalised heading
                head, sep, supplier = heading.partition(" from ")
                heading = f"{head.upper()}{sep.upper()}{supplier}"
            doc.text(doc.left, doc.y, heading, 9.5, bold=True, mono=mono)
            doc.y += 13
        for item in sec.items:
            row(item, 10 if headed else 0)
        if headed and c["subtotals"] == "yes":
            subtotal(f"Total {sec.title[0].lower()}{sec.title[1:]}", sum((i.amount for i in sec.items), Decimal(0)))
    if m.tail:
        if c["subtotals"] == "yes":
            base = sum((i.amount for s in m.sections for i in s.items), Decimal(0))
            subtotal("Subtotal" if c["locale"] != "UK" else "Total before VAT", base)
        for item in m.tail:
            row(item, 0)
    if c["charges_total"] != "none":
        doc.need(20, headings)
        doc.rule(doc.left, doc.y - 8, doc.right, width=1)
        label = c["charges_total"]
        if m.gst_included is not None:
            label = f"{label} (incl. GST)"
        if mono:
            doc.text(
                doc.left,
                doc.y + 2,
                f"{label.upper():<{desc_w + detail_w}}{money(m.truth.total_amount):>12}",
                8.5,
                bold=True,
                mono=True,
            )
        else:
            doc.text(doc.left, doc.y + 2, label, 10, bold=True)
            doc.amount(amount_x, doc.y + 2, money(m.truth.total_amount), 10, bold=True)
        doc.y += 18
    if m.gst_included is not None:
        doc.text(doc.left, doc.y, f"The total includes GST of {_money(m.gst_included, c)}", 8)
        doc.y += 12
    doc.y += 10


_MESSAGES = (
    "Go paperless and save a tree: switch to e-billing in the app and get a {sym}2.00 credit.",
    "Did you know? Washing at 30 degrees uses around 40% less energy than at 60 degrees.",
    "Winter tip: setting your thermostat 1 degree lower can cut heating costs by up to 10%.",
    "Spread the cost with equal monthly payments - call us on {phone} to set it up.",
    "Report a power cut or gas leak 24 hours a day on {phone}.",
    "Having trouble paying? We can help. Payment plans and hardship support are available.",
    "Rebates of up to {sym}500 are available for heat pump water heaters. Visit our website.",
)


def _messages(doc: _Doc) -> None:
    c, m, t = doc.c, doc.model, doc.model.truth
    distractors = c["distractors"].split(",")
    lines: list[str] = []
    picks = [int(p) for p in c["message_pick"].split(",")]
    for k in sorted({p % len(_MESSAGES) for p in picks[: int(c["messages"])]}):
        lines.append(_MESSAGES[k].format(sym=c["symbol"], phone=m.extras["phone"]))
    fmt = c["date_format"]
    if "last_payment" in distractors:
        paid = t.payments_and_credits if t.payments_and_credits else None
        shown = _money(paid, c) if paid else m.extras["last_payment"]
        received = _date(t.bill_period_start + timedelta(days=12), fmt)
        lines.append(f"Your last payment of {shown} was received on {received}. Thank you.")
    if "next_read" in distractors:
        lines.append(
            f"Your next meter reading is scheduled on or about {_date(t.bill_period_end + timedelta(days=30), fmt)}."
        )
    if "avg_cost" in distractors:
        days = (t.bill_period_end - t.bill_period_start).days + 1
        lines.append(f"Average daily cost: {_money(cents(t.total_amount / days), c)}   Days in period: {days}")
    if "price_notice" in distractors:
        when = _date(t.statement_date or t.bill_period_end, fmt)
        sym = c["symbol"]
        lines.append(
            f"Price change: from {when} our standing charge will change to {sym}0.6125 per day"
            f" and the unit rate to {sym}0.2874 per kWh."
        )
    if lines:
        doc.need(20)
        doc.text(doc.left, doc.y, "MESSAGES" if c["caps"] == "yes" else "News and information", 10, bold=True)
        doc.y += 14
        for text in lines:
            for line in doc.wrap(text, doc.right - doc.left, 8.5):
                doc.need(12)
                doc.text(doc.left, doc.y, line, 8.5)
                doc.y += 11
            doc.y += 3
    if "history" in distractors:
        doc.need(50)
        doc.text(doc.left, doc.y + 6, f"Your usage history ({c['history_unit']})", 9, bold=True)
        doc.y += 18
        width = (doc.right - doc.left) / len(m.history)
        for i, (month, value) in enumerate(m.history):
            doc.ctext(doc.left + width * (i + 0.5), doc.y, month, 8)
            doc.ctext(doc.left + width * (i + 0.5), doc.y + 11, f"{value:,}", 8)
        doc.y += 26


def _stub(doc: _Doc) -> None:
    """The remittance slip: detach-and-return with the account, amount due and payment details again."""
    c, m, t = doc.c, doc.model, doc.model.truth
    if doc.y > doc.bottom - 130:
        doc.new_page()
    y = doc.bottom - 120
    doc.rule(doc.left, y, doc.right, dashed=True)
    doc.ctext(doc.width / 2, y + 10, "Please detach and return this portion with your payment", 7)
    y += 26
    doc.text(doc.left, y, c["provider"], 10, bold=True)
    pay_to = {
        "US": "PO Box 6600, Lockbox Processing",
        "CA": "Pay at your bank using your account number",
        "UK": f"Bank Giro Credit - sort code 40-{m.extras['bill_no'][:2]}-{m.extras['bill_no'][2:4]}",
        "IE": f"IBAN IE29 AIBK 9311 52{m.extras['bill_no'][:8]}",
        "AU": f"BPAY Biller code {m.extras['bill_no'][:5]}  Ref {m.extras['bill_no']}",
    }[c["locale"]]
    doc.text(doc.left, y + 12, pay_to, 8)
    doc.text(doc.left, y + 30, f"{_label('account_number', c)}", 7.5, bold=True)
    doc.text(doc.left, y + 41, t.account_number, 10)
    x = doc.left + (doc.right - doc.left) * 0.55
    due = t.amount_due if t.amount_due is not None else t.total_amount
    doc.text(x, y, _label("amount_due", c), 8, bold=True)
    doc.rtext(doc.right, y, _money(due, c), 10, bold=True)
    if t.due_date:
        doc.text(x, y + 14, _label("due_date", c), 8)
        doc.rtext(doc.right, y + 14, _date(t.due_date, c["date_format"]), 9)
    doc.text(x, y + 30, "Amount enclosed", 8)
    doc.rtext(doc.right, y + 30, f"{c['symbol']}__________", 9)
    if c["scan_line"] == "yes":
        digits = "".join(ch for ch in t.account_number if ch.isdigit())
        doc.text(
            doc.left,
            y + 62,
            f"{digits}  {int(max(due, Decimal(0)) * 100):010d}  {m.extras['bill_no'][:4]}",
            10,
            mono=True,
        )


def _render(model: _Model, c: dict[str, str], total_pages: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=_LOCALES[c["locale"]].page, invariant=1)
    canvas.setTitle(f"{c['provider']} bill")
    doc = _Doc(canvas, model, c, total_pages)
    _header(doc)
    _top(doc)
    _summary(doc)
    if c["pages"] == "details":
        doc.text(doc.left, doc.y, "Details of your charges and meter readings are overleaf.", 8.5)
        doc.new_page()
    _meters(doc)
    _charges(doc)
    _messages(doc)
    if c["stub"] == "yes":
        _stub(doc)
    doc.footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), doc.page


def heldout_bill(index: int, seed: int = 1, overrides: dict[str, str] | None = None) -> WildBill:
    """The index-th held-out bill of a seed: the same (index, seed) always gives the same bytes.

    `overrides` replaces some choices (e.g. `{"charges_header": "Current charges"}`) to ask what one
    decision costs, all others kept: an ablation tool for diagnosis, not part of the held-out sample.
    """
    rng = random.Random(f"heldout:{seed}:{index}")  # noqa: S311 - reproducible test data, not secrets
    choices = {**_choose(rng), **(overrides or {})}
    model = _build(rng, index, choices)
    _, pages = _render(model, choices, 0)
    pdf, _ = _render(model, choices, pages)
    choices["pages_drawn"] = str(pages)
    return WildBill(name=f"heldout-{seed}-{index:04d}", pdf=pdf, truth=model.truth, choices=choices)


def heldout_bills(count: int, seed: int = 1) -> list[WildBill]:
    return [heldout_bill(index, seed) for index in range(count)]
