"""A fifth author's bills: e-bills as utilities' web portals serve them, HTML+CSS printed to PDF by Chromium.

Written without reading the extraction heuristics or the other generators' layouts. Each bill is drawn from
`random.Random(f"web:{seed}:{index}")`: first every layout decision (the `choices`, documented in CHOICE_KEYS),
then the values, from which both the page and its exact ground truth (a NormalizedBill) are made. Layouts
imitate portal downloads from US investor-owned utilities, municipal utilities and co-ops, Canadian, UK and
Australian retailers: header bands, "account at a glance" cards, definition lists, label-above-value tiles,
charges tables with service sections, subtotals and a details column, charge cards, meter tables or cards with
TOU and net-metering registers, and distractors (usage charts, last year's comparison, average daily use, late
fee notices, autopay dates, promotions, phone numbers) that must not end up in the truth.

    web_page(index, seed) -> (html, truth, choices)      # no browser needed
    web_bill(index, seed, folder) -> WildBill            # writes folder/<name>.html, prints it to PDF
    web_bills(count, seed, folder) -> list[WildBill]
"""

from __future__ import annotations

import random
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

from bench.extract.browser import printed
from common.connectors.billgen.truth import cents, fixed, metered, money_between, period, rate, summary, total
from common.connectors.billgen.wild import WildBill
from common.models import (
    Commodity,
    DemandRead,
    Direction,
    LineItem,
    LineItemCategory,
    NormalizedBill,
    ReadType,
    UsageRead,
)

# Every key of a bill's `choices`, with what it decides.
CHOICE_KEYS: dict[str, str] = {
    "locale": "US, CA, UK or AU: currency, date formats, address format, taxes",
    "kind": "elec, gas, dual (electricity and gas), muni (electric, water, sewer), commercial (demand, multiplier)",
    "meter.setup": "plain, tou (time-of-use registers) or net (delivered/received registers)",
    "provider": "the utility's name as printed in the header",
    "font": "the CSS font stack of the body",
    "font_size": "body font size in px (8-12)",
    "line_height": "body line-height",
    "page": "@page size: letter or A4",
    "margin": "@page margin",
    "pages": "one, or two (page-break-before on the meter or charges section)",
    "heading": "heading style: spaced (letter-spacing), upper (text-transform), smallcaps, plain",
    "header": "header band: band (coloured, logo left), split (logo left, statement facts right), centered",
    "mailing": "the customer's mailing address block: none, block (beside the header), top (above facts)",
    "address_lines": "service address printed on one line or two",
    "facts": "key facts: dl (two-column definition list), tiles (label above value), table, glance (card grid)",
    "date_format": "how dates are printed",
    "period_style": "billing period: range on one line (with its separator) or separate from/to facts",
    "label.account_number": "the account number's label",
    "label.statement_date": "the statement date's label",
    "label.due_date": "the due date's label",
    "label.amount_due": "the amount due's label",
    "summary.style": "account summary: table, dl, tiles, equation",
    "summary.payments": "one payment, several with their total, several without a total",
    "summary.pay_sign": "how a payment prints: minus, plain, parens, cr (equation: plain, after a minus sign)",
    "summary.adjustment": "none, late_fee or adjustment (account activity in the summary)",
    "hero": "a large amount-due box: none, box, banner",
    "charges.style": "table, details (a Details column: qty @ rate), columns (Quantity and Rate columns), cards",
    "charges.grouping": "flat or grouped (a section per service with a subtotal row)",
    "charges.align": "amounts right- or left-aligned",
    "charges.zebra": "zebra-striped rows or not",
    "charges.credit": "how a credit prints: minus, unicode_minus, parens, cr",
    "charges.total_label": "the new charges total row's label",
    "charges.card_detail": "cards only: a metered charge prints its quantity and rate under its name or not",
    "meter.style": "table, cards, or usage (usage only, no reads)",
    "meter.marks": "how a read type prints: column, badge, letter, none",
    "meter.mult": "the multiplier printed for residential meters or not (commercial meters always print it)",
    "chart": "usage history chart: none, svg, css",
    "distractors": "comma-separated distractors: compare, average, late_notice, autopay, promo, service",
    "footer": "footer: css (page numbers in @page margin boxes), fixed (a repeated footer), none",
}

MONTHS = tuple("January February March April May June July August September October November December".split())
FONTS = (
    "Arial, Helvetica, sans-serif",
    "Georgia, 'Times New Roman', serif",
    "Verdana, Geneva, sans-serif",
    "'Courier New', Courier, monospace",
    "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "Tahoma, 'Trebuchet MS', sans-serif",
)
COLOURS = ("#0b5394", "#1d6b3a", "#7a1f5c", "#c2561a", "#005f73", "#3c3c8c", "#8a1c1c")


@dataclass(frozen=True)
class Locale:
    currency: str
    symbol: str
    providers: tuple[str, ...]
    kinds: tuple[str, ...]
    date_formats: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[str, ...]  # the last address line
    taxes: tuple[tuple[str, str], ...]  # (description, percent)
    phone: str


LOCALES: dict[str, Locale] = {
    "US": Locale(
        "USD",
        "$",
        (
            "Cascade Valley Electric Co.",
            "Pinecrest Municipal Utilities",
            "Blue Ridge Electric Cooperative",
            "Northshore Gas & Electric",
            "City of Fairhaven Utilities",
            "Great Plains Power & Light",
            "Sandhill Rural Electric Membership Corp.",
        ),
        ("elec", "elec", "gas", "dual", "muni", "commercial"),
        ("mdy_slash", "month_d_y", "mon_d_y"),
        ("1420 Cedar Ave", "88 Old Mill Rd", "305 N Main St Apt 4B", "7712 Lakeview Dr", "19 Orchard Ln"),
        ("Springfield, OR 97477", "Fairhaven, WA 98225", "Bowling Green, KY 42101", "Ames, IA 50010"),
        (("State Sales Tax", "6.25"), ("City Utility Tax", "3.5"), ("County Franchise Fee", "2")),
        "1-800-555-0142",
    ),
    "CA": Locale(
        "CAD",
        "$",
        ("Maple Hydro", "Northern Lakes Energy", "Prairie Natural Gas", "Fraser Valley Power", "Town of Kingsford"),
        ("elec", "gas", "dual", "muni", "commercial"),
        ("iso", "month_d_y", "mon_d_y"),
        ("45 Queen St W", "1208 Birch Cres", "77 Rue Laurier Unit 12", "350 Lakeshore Blvd"),
        ("Toronto ON M5H 2N2", "Kingston, ON K7L 3N6", "Calgary AB T2P 1J9", "Halifax NS B3H 1A1"),
        (("HST", "13"),),
        "1-888-555-0199",
    ),
    "UK": Locale(
        "GBP",
        "£",
        ("Albion Energy", "Thistle Power", "Greenleaf Energy Supply Ltd", "Severn Gas & Power"),
        ("elec", "gas", "dual", "commercial"),
        ("dmy_slash", "d_month_y", "d_mon_y"),
        ("14 Harbour Road", "Flat 3, 22 Mill Lane", "9 Rosemary Close", "118 Station Road"),
        ("Bristol BS1 4QA", "Leeds LS6 2AB", "Cardiff CF10 1EP", "Norwich NR2 4TD"),
        (("VAT", "5"),),
        "0330 555 0177",
    ),
    "AU": Locale(
        "AUD",
        "$",
        ("Southern Cross Energy", "Coral Coast Power", "Eucalypt Energy Pty Ltd", "Murray River Electricity"),
        ("elec", "elec", "dual", "commercial"),
        ("dmy_slash", "d_mon_y", "d_month_y"),
        ("12 Harbour Road", "Unit 4, 27 Banksia St", "6 Wattle Grove", "140 Pacific Hwy"),
        ("Newtown NSW 2042", "Brunswick VIC 3056", "Paddington QLD 4064", "Fremantle WA 6160"),
        (("GST", "10"),),
        "13 15 55",
    ),
}

LABELS = {
    "label.account_number": ("Account number", "Account No.", "Account #", "Customer account", "Account"),
    "label.statement_date": ("Statement date", "Bill date", "Issue date", "Date issued", "Billing date"),
    "label.due_date": ("Due date", "Payment due", "Please pay by", "Pay by", "Due by"),
    "label.amount_due": ("Amount due", "Total amount due", "Total due", "Balance due", "Amount to pay"),
}
TOTAL_LABELS = ("Total current charges", "Total new charges", "Current charges", "Total charges this period")
PERIOD_SEPARATORS = (" - ", " to ", " – ", " through ")


@dataclass
class Row:
    item: LineItem
    detail: str = ""  # "1,234 kWh @ $0.1123/kWh" when the row prints quantity and rate
    quantity: str = ""
    rate: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    tax: bool = False


@dataclass
class Register:
    name: str  # "" for a plain meter
    read: UsageRead


@dataclass
class Meter:
    number: str
    commodity: Commodity
    label: str
    registers: list[Register]
    demand: DemandRead | None = None


def _choose(rng: random.Random) -> dict[str, str]:
    """Every layout decision, drawn up front."""
    c: dict[str, str] = {}
    c["locale"] = locale = rng.choice(tuple(LOCALES))
    loc = LOCALES[locale]
    c["kind"] = kind = rng.choice(loc.kinds)
    setups = ["plain", "plain", "tou", "net"] if kind in ("elec", "dual") else ["plain"]
    c["meter.setup"] = rng.choice(setups)
    c["provider"] = rng.choice(loc.providers)
    c["font"] = rng.choice(FONTS)
    c["font_size"] = str(rng.choice((8, 9, 9.5, 10, 10.5, 11, 12)))
    c["line_height"] = rng.choice(("1.15", "1.3", "1.45", "1.6"))
    c["page"] = rng.choice(("letter", "A4") if locale in ("US", "CA") else ("A4", "A4", "letter"))
    c["margin"] = rng.choice(("0.4in", "0.5in", "12mm", "18mm", "0.75in"))
    c["pages"] = rng.choice(("one", "one", "two_meters", "two_charges"))
    c["heading"] = rng.choice(("spaced", "upper", "smallcaps", "plain"))
    c["header"] = rng.choice(("band", "split", "centered"))
    c["mailing"] = rng.choice(("none", "block", "top"))
    c["address_lines"] = rng.choice(("one", "two"))
    c["facts"] = rng.choice(("dl", "tiles", "table", "glance"))
    c["date_format"] = rng.choice(loc.date_formats)
    c["period_style"] = rng.choice((*PERIOD_SEPARATORS, "from_to"))
    for key, labels in LABELS.items():
        c[key] = rng.choice(labels)
    c["summary.style"] = rng.choice(("table", "dl", "tiles", "equation"))
    c["summary.payments"] = rng.choice(("one", "one", "several_total", "several"))
    c["summary.pay_sign"] = rng.choice(("minus", "plain", "parens", "cr"))
    c["summary.adjustment"] = rng.choice(("none", "none", "late_fee", "adjustment"))
    c["hero"] = rng.choice(("none", "box", "banner"))
    c["charges.style"] = rng.choice(("table", "details", "columns", "cards"))
    c["charges.grouping"] = rng.choice(("flat", "grouped"))
    c["charges.align"] = rng.choice(("right", "right", "left"))
    c["charges.zebra"] = rng.choice(("yes", "no"))
    c["charges.credit"] = rng.choice(("minus", "unicode_minus", "parens", "cr"))
    c["charges.total_label"] = rng.choice(TOTAL_LABELS)
    c["charges.card_detail"] = rng.choice(("yes", "no"))
    c["meter.style"] = rng.choice(("table", "table", "cards", "usage"))
    c["meter.marks"] = rng.choice(("column", "badge", "letter", "none"))
    c["meter.mult"] = rng.choice(("printed", "omitted"))
    c["chart"] = rng.choice(("none", "svg", "css"))
    pool = ["compare", "average", "late_notice", "autopay", "promo", "service"]
    c["distractors"] = ",".join(sorted(d for d in pool if rng.random() < 0.5))
    c["footer"] = rng.choice(("css", "fixed", "none"))
    return c


# --- formatting ---------------------------------------------------------------------------------------------


def fmt_date(day: date, style: str) -> str:
    month = MONTHS[day.month - 1]
    return {
        "mdy_slash": f"{day.month:02d}/{day.day:02d}/{day.year}",
        "month_d_y": f"{month} {day.day}, {day.year}",
        "mon_d_y": f"{month[:3]} {day.day}, {day.year}",
        "iso": day.isoformat(),
        "dmy_slash": f"{day.day:02d}/{day.month:02d}/{day.year}",
        "d_month_y": f"{day.day} {month} {day.year}",
        "d_mon_y": f"{day.day} {month[:3]} {day.year}",
    }[style]


def fmt_money(value: Decimal, symbol: str, credit: str = "minus") -> str:
    text = f"{symbol}{abs(value):,.2f}"
    if value >= 0:
        return text
    return {"minus": f"-{text}", "unicode_minus": f"\u2212{text}", "parens": f"({text})", "cr": f"{text} CR"}[credit]


def fmt_number(value: Decimal) -> str:
    return f"{value:,}"


def snake(name: str) -> str:
    return name.lower().replace("-", "_").replace(" ", "_")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _account(rng: random.Random, locale: str) -> str:
    if locale == "US":
        forms = (
            f"{_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 2)}",
            f"{_digits(rng, 9)}-{_digits(rng, 1)}",
            f"{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 3)}",
        )
        return rng.choice(forms)
    if locale == "CA":
        return rng.choice((f"{_digits(rng, 4)} {_digits(rng, 3)} {_digits(rng, 3)}", _digits(rng, 10)))
    if locale == "UK":
        return rng.choice((f"A{_digits(rng, 8)}", _digits(rng, 10), f"{_digits(rng, 8)}/{_digits(rng, 2)}"))
    return rng.choice((f"{_digits(rng, 4)} {_digits(rng, 3)} {_digits(rng, 3)}", _digits(rng, 11)))


def _meter_number(rng: random.Random, commodity: Commodity) -> str:
    prefix = {Commodity.ELECTRICITY: "E", Commodity.GAS: "G", Commodity.WATER: "W"}.get(commodity, "M")
    return rng.choice((f"{prefix}{_digits(rng, 8)}", _digits(rng, 9), f"{prefix}{_digits(rng, 2)}-{_digits(rng, 5)}"))


# --- the values ---------------------------------------------------------------------------------------------


@dataclass
class Drawn:
    account: str
    customer: str
    service_lines: list[str]
    mailing_lines: list[str]
    start: date
    end: date
    statement: date
    due: date
    sections: list[Section]
    meters: list[Meter]
    previous: Decimal
    payments: list[tuple[date, Decimal]]
    adjustment: tuple[str, Decimal] | None
    history: list[tuple[str, int]]
    nmi: str


def _read_pair(rng: random.Random, used: Decimal, divisor: Decimal = Decimal(1)) -> tuple[Decimal, Decimal]:
    start = Decimal(rng.randint(1000, 98000))
    return start, start + used / divisor


def _detail(quantity: Decimal, unit: str, unit_rate: Decimal, symbol: str, per: str) -> str:
    return f"{fmt_number(quantity)} {unit} @ {symbol}{unit_rate}/{per}"


def _charge(
    c: dict[str, str],
    description: str,
    quantity: Decimal,
    unit: str,
    unit_rate: Decimal,
    per: str,
    credit: bool = False,
) -> Row:
    """A metered charge; the row prints its quantity and rate only in the details/columns styles (cards: half)."""
    symbol = LOCALES[c["locale"]].symbol
    item = metered(description, quantity, unit, unit_rate)
    if credit:
        item = item.model_copy(update={"amount": -item.amount})
    shows = c["charges.style"] in ("details", "columns") or (
        c["charges.style"] == "cards" and c["charges.card_detail"] == "yes"
    )
    if not shows:
        return Row(item.model_copy(update={"quantity": None, "unit": None, "rate": None}))
    return Row(
        item,
        detail=_detail(quantity, unit, unit_rate, symbol, per),
        quantity=f"{fmt_number(quantity)} {unit}",
        rate=f"{symbol}{unit_rate}/{per}",
    )


def _mark(c: dict[str, str], rng: random.Random) -> ReadType:
    if c["meter.marks"] == "none" or c["meter.style"] == "usage":
        return ReadType.ACTUAL
    return ReadType.ESTIMATED if rng.random() < 0.25 else ReadType.ACTUAL


def _electric(
    rng: random.Random, c: dict[str, str], days: int, commercial: bool
) -> tuple[Meter, Section, Decimal, list[Row]]:
    """The electric meter, its charges section, and the energy total; plus credits to add after the charges."""
    locale = c["locale"]
    number = _meter_number(rng, Commodity.ELECTRICITY)
    reads_printed = c["meter.style"] != "usage"
    multiplier = Decimal(rng.choice((20, 40, 80, 120))) if commercial else Decimal(1)
    mult_printed = reads_printed and (commercial or c["meter.mult"] == "printed")
    read_type = _mark(c, rng)
    registers: list[Register] = []

    def register(name: str, used: Decimal, period_name: str | None, direction: Direction) -> None:
        start, end = _read_pair(rng, used, multiplier)
        registers.append(
            Register(
                name,
                UsageRead(
                    commodity=Commodity.ELECTRICITY,
                    quantity=used,
                    unit="kWh",
                    meter_number=number,
                    read_type=read_type,
                    start_read=start if reads_printed else None,
                    end_read=end if reads_printed else None,
                    multiplier=multiplier if mult_printed else None,
                    period=period_name,
                    direction=direction,
                ),
            )
        )

    section = Section({"UK": "Electricity", "AU": "Electricity"}.get(locale, "Electric Service"))
    rows = section.rows
    credits: list[Row] = []
    if locale in ("UK", "AU"):
        standing = "Standing charge" if locale == "UK" else "Supply charge"
        rows.append(_charge(c, standing, Decimal(days), "days", rate(rng, 2500, 11000, 4), "day"))
    else:
        rows.append(
            Row(
                fixed(
                    rng.choice(("Customer Charge", "Basic Service Charge", "Monthly Service Fee")),
                    money_between(rng, 8, 35),
                )
            )
        )
    energy = Decimal(0)
    if commercial:
        per_unit = Decimal(rng.randint(300, 2400))
        used = per_unit * multiplier
        register("", used, None, Direction.DELIVERED)
        energy = used
        rows.append(
            _charge(
                c, "Energy Charge" if locale != "UK" else "Unit charge", used, "kWh", rate(rng, 4000, 12000, 5), "kWh"
            )
        )
        demand_kw = Decimal(rng.randint(150, 2500)).scaleb(-1)
        rows.append(_charge(c, "Demand Charge", demand_kw, "kW", rate(rng, 500, 1900, 2), "kW"))
        meter = Meter(
            number,
            Commodity.ELECTRICITY,
            "Electric",
            registers,
            DemandRead(meter_number=number, quantity=demand_kw, unit="kW"),
        )
    elif c["meter.setup"] == "tou":
        names = {
            "US": ("On-Peak", "Off-Peak"),
            "CA": ("On-Peak", "Mid-Peak", "Off-Peak"),
            "UK": ("Day", "Night"),
            "AU": ("Peak", "Shoulder", "Off-Peak"),
        }[locale]
        for name in names:
            used = Decimal(rng.randint(60, 700))
            register(name, used, snake(name), Direction.DELIVERED)
            energy += used
            label = f"{name} energy" if locale != "UK" else f"{name} rate"
            rows.append(
                _charge(
                    c,
                    label,
                    used,
                    "kWh",
                    rate(rng, 5000, 32000, 5) if locale in ("US", "CA") else rate(rng, 1200, 4500, 4),
                    "kWh",
                )
            )
        meter = Meter(number, Commodity.ELECTRICITY, "Electric", registers)
    else:
        used = Decimal(rng.randint(180, 1900))
        names = {
            "US": ("Delivered", "Received"),
            "CA": ("Delivered", "Received"),
            "UK": ("Import", "Export"),
            "AU": ("Import", "Export"),
        }[locale]
        net = c["meter.setup"] == "net"
        register(names[0] if net else "", used, None, Direction.DELIVERED)
        energy = used
        wording = {"US": "Energy Charge", "CA": "Electricity", "UK": "Electricity used", "AU": "General usage"}
        energy_rate = rate(rng, 6000, 16000, 5) if locale in ("US", "CA") else rate(rng, 1800, 3800, 4)
        rows.append(_charge(c, wording[locale], used, "kWh", energy_rate, "kWh"))
        if net:
            # what the panels sent back earns less than the energy bought costs: the bill stays a bill
            exported = Decimal(rng.randint(40, min(900, int(used) * 3 // 4)))
            credit_rate = min(rate(rng, 300, 1500, 4), cents(energy_rate * Decimal("0.8") * 100) / 100)
            register(names[1], exported, None, Direction.RECEIVED)
            label = {
                "US": "Net Metering Credit",
                "CA": "Net Metering Credit",
                "UK": "Export payment",
                "AU": "Solar feed-in credit",
            }[locale]
            credits.append(_charge(c, label, exported, "kWh", credit_rate, "kWh", credit=True))
        meter = Meter(number, Commodity.ELECTRICITY, "Electric", registers)
    if locale in ("US", "CA"):
        rider = rng.choice(("Transmission Charge", "Distribution Charge", "Delivery Charge"))
        rows.append(_charge(c, rider, energy, "kWh", rate(rng, 900, 4500, 5), "kWh"))
        if rng.random() < 0.6:
            adj = rng.choice(("Fuel Cost Adjustment", "Power Cost Adjustment", "Regulatory Charges"))
            rows.append(_charge(c, adj, energy, "kWh", rate(rng, 50, 900, 5), "kWh"))
        if locale == "CA" and rng.random() < 0.5:
            rebate = cents(total([row.item for row in rows if row.item.amount > 0]) * Decimal("0.117"))
            credits.append(Row(fixed("Ontario Electricity Rebate", -rebate)))
    return meter, section, energy, credits


def _gas(rng: random.Random, c: dict[str, str], days: int) -> tuple[Meter, Section]:
    locale = c["locale"]
    number = _meter_number(rng, Commodity.GAS)
    reads_printed = c["meter.style"] != "usage"
    read_type = _mark(c, rng)
    section = Section("Gas" if locale in ("UK", "AU") else "Natural Gas Service")
    start = Decimal(rng.randint(1000, 9000))
    if locale == "US":
        ccf = Decimal(rng.randint(12, 160))
        factor = Decimal(rng.randint(10150, 10600)).scaleb(-4)
        quantity = (ccf * factor).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        unit, read_unit = "therms", "CCF"
    elif locale == "UK":
        ccf = Decimal(rng.randint(40, 260))
        factor = (Decimal("1.02264") * Decimal(rng.randint(385, 402)).scaleb(-1) / Decimal("3.6")).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        quantity = (ccf * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        unit, read_unit = "kWh", "m³"
    else:
        ccf = Decimal(rng.randint(40, 260))
        factor = Decimal(1)
        quantity = ccf
        unit, read_unit = "m³", "m³"
    converted = factor != 1
    read = UsageRead(
        commodity=Commodity.GAS,
        quantity=quantity,
        unit=unit,
        meter_number=number,
        read_type=read_type,
        start_read=start if reads_printed else None,
        end_read=start + ccf if reads_printed else None,
        conversion_factor=factor if converted and reads_printed else None,
        read_unit=read_unit if converted and reads_printed else None,
    )
    if locale == "UK":
        section.rows.append(_charge(c, "Standing charge", Decimal(days), "days", rate(rng, 2500, 3600, 4), "day"))
        section.rows.append(_charge(c, "Gas used", quantity, "kWh", rate(rng, 550, 800, 4), "kWh"))
    else:
        section.rows.append(Row(fixed("Customer Charge", money_between(rng, 9, 28))))
        per = "therm" if unit == "therms" else unit
        section.rows.append(_charge(c, "Gas Supply Charge", quantity, unit, rate(rng, 25000, 90000, 5), per))
        section.rows.append(_charge(c, "Distribution Charge", quantity, unit, rate(rng, 15000, 60000, 5), per))
    return Meter(number, Commodity.GAS, "Gas", [Register("", read)]), section


def _water(rng: random.Random, c: dict[str, str]) -> tuple[Meter, list[Section]]:
    locale = c["locale"]
    number = _meter_number(rng, Commodity.WATER)
    reads_printed = c["meter.style"] != "usage"
    if locale == "US":
        used = Decimal(rng.randint(18, 140) * 100)
        unit = "gal"
        billed, billed_unit, per = used / 1000, "kgal", "kgal"
        water_rate, sewer_rate = rate(rng, 250, 900, 2), rate(rng, 300, 1100, 2)
    else:
        used = Decimal(rng.randint(8, 60))
        unit = "m³"
        billed, billed_unit, per = used, "m³", "m³"
        water_rate, sewer_rate = rate(rng, 120, 380, 2), rate(rng, 100, 420, 2)
    start = Decimal(rng.randint(10000, 900000)) * (100 if unit == "gal" else 1)
    read = UsageRead(
        commodity=Commodity.WATER,
        quantity=used,
        unit=unit,
        meter_number=number,
        read_type=_mark(c, rng),
        start_read=start if reads_printed else None,
        end_read=start + used if reads_printed else None,
    )
    water = Section("Water")
    water.rows.append(Row(fixed("Water Base Charge", money_between(rng, 8, 24))))
    water.rows.append(_charge(c, "Water Usage", billed, billed_unit, water_rate, per))
    sewer = Section("Sewer & Stormwater")
    sewer.rows.append(Row(fixed("Sewer Base Charge", money_between(rng, 10, 30))))
    sewer.rows.append(_charge(c, "Sewer Usage", billed, billed_unit, sewer_rate, per))
    sewer.rows.append(Row(fixed("Stormwater Fee", money_between(rng, 3, 12))))
    return Meter(number, Commodity.WATER, "Water", [Register("", read)]), [water, sewer]


def _draw(rng: random.Random, index: int, c: dict[str, str]) -> Drawn:
    locale = c["locale"]
    loc = LOCALES[locale]
    start, end, statement, due = period(rng, index, date(2024, 1, 3))
    days = (end - start).days
    sections: list[Section] = []
    meters: list[Meter] = []
    credits: list[Row] = []
    kind = c["kind"]
    if kind in ("elec", "dual", "muni", "commercial"):
        meter, section, _energy, more = _electric(rng, c, days, kind == "commercial")
        meters.append(meter)
        sections.append(section)
        credits += more
    if kind in ("gas", "dual"):
        meter, section = _gas(rng, c, days)
        meters.append(meter)
        sections.append(section)
    if kind == "muni":
        meter, more_sections = _water(rng, c)
        meters.append(meter)
        sections += more_sections
    if credits:
        sections[0].rows += credits
    if rng.random() < 0.3 and total([row.item for s in sections for row in s.rows]) > 30:
        name = rng.choice(("Paperless billing credit", "Bill credit", "Customer loyalty credit"))
        sections[-1].rows.append(Row(fixed(name, -money_between(rng, 1, 6))))
    taxable = [row.item for s in sections for row in s.rows if row.item.amount > 0]
    grouped = c["charges.grouping"] == "grouped"
    taxes = Section("Taxes & Fees" if locale == "US" else "Taxes", tax=True)
    drawn_taxes = loc.taxes if locale != "US" else tuple(t for t in loc.taxes if rng.random() < 0.6) or loc.taxes[:1]
    for description, percent in drawn_taxes:
        amount = cents(total(taxable) * Decimal(percent) / 100)
        # a section of taxes alone makes its rows taxes; in `Taxes & Fees` a row's name tells (a franchise fee)
        category = LineItemCategory.TAX if grouped and not taxes.title.endswith("Fees") else None
        taxes.rows.append(Row(fixed(description, amount, category)))
    sections.append(taxes)
    account = _account(rng, locale)
    customer = rng.choice(("Jordan Lee", "Priya Patel", "Sam O'Neill", "Maria Gonzalez", "Chen Wei", "Alex Morgan"))
    service_lines = [rng.choice(loc.streets), rng.choice(loc.towns)]
    mailing_lines = [
        rng.choice(("PO Box 4417", "PO Box 218", "55 Elm Court", "2 Kingfisher Way")),
        rng.choice(loc.towns),
    ]
    new_charges = total([row.item for s in sections for row in s.rows])
    previous, paid, _ = summary(rng, new_charges)
    payments: list[tuple[date, Decimal]]
    if c["summary.payments"] == "one" or paid < 2:
        payments = [(start + timedelta(days=rng.randint(2, 20)), paid)]
    else:
        first = cents(paid * Decimal(rng.randint(25, 75)) / 100)
        payments = [
            (start - timedelta(days=rng.randint(1, 5)), first),
            (start + timedelta(days=rng.randint(6, 20)), paid - first),
        ]
    adjustment: tuple[str, Decimal] | None = None
    if c["summary.adjustment"] == "late_fee":
        adjustment = (rng.choice(("Late payment charge", "Late fee")), money_between(rng, 2, 15))
    elif c["summary.adjustment"] == "adjustment":
        credit = min(money_between(rng, 1, 20), cents(new_charges / 3))
        adjustment = (rng.choice(("Account adjustment", "Billing adjustment")), -credit)
    history_start = end.month
    history = [(MONTHS[(history_start - 1 - k) % 12][:3], rng.randint(150, 1500)) for k in range(12, 0, -1)]
    return Drawn(
        account,
        customer,
        service_lines,
        mailing_lines,
        start,
        end,
        statement,
        due,
        [s for s in sections if s.rows],
        meters,
        previous,
        payments,
        adjustment,
        history,
        _digits(rng, 10),
    )


def _truth(c: dict[str, str], d: Drawn) -> NormalizedBill:
    loc = LOCALES[c["locale"]]
    items = [row.item for s in d.sections for row in s.rows]
    new_charges = total(items)
    paid = sum((amount for _, amount in d.payments), Decimal(0))
    adjustment = d.adjustment[1] if d.adjustment else None
    return NormalizedBill(
        provider=c["provider"],
        account_number=d.account,
        service_address=", ".join(d.service_lines),
        statement_date=d.statement,
        due_date=d.due,
        bill_period_start=d.start,
        bill_period_end=d.end,
        currency=loc.currency,
        total_amount=new_charges,
        amount_due=d.previous - paid + (adjustment or 0) + new_charges,
        previous_balance=d.previous,
        payments_and_credits=paid,
        adjustments=adjustment,
        line_items=items,
        usage=[register.read for meter in d.meters for register in meter.registers],
        demand=[meter.demand for meter in d.meters if meter.demand],
    )


# --- the page -----------------------------------------------------------------------------------------------


def _css(c: dict[str, str], colour: str) -> str:
    heading = {
        "spaced": "letter-spacing: 0.18em; text-transform: uppercase;",
        "upper": "text-transform: uppercase; letter-spacing: 0.04em;",
        "smallcaps": "font-variant: small-caps; letter-spacing: 0.05em;",
        "plain": "",
    }[c["heading"]]
    align = c["charges.align"]
    footer = ""
    if c["footer"] == "css":
        footer = (
            "@bottom-right { content: 'Page ' counter(page) ' of ' counter(pages); font-size: 8px; color: #666; }"
            "@bottom-left { content: 'Questions? Visit us online or call us.'; font-size: 8px; color: #666; }"
        )
    return f"""
@page {{ size: {c["page"]}; margin: {c["margin"]}; {footer} }}
* {{ box-sizing: border-box; }}
body {{ font-family: {c["font"]}; font-size: {c["font_size"]}px; line-height: {c["line_height"]}; color: #222;
  margin: 0; }}
h1, h2, h3 {{ margin: 0; }}
h2 {{ font-size: 1.25em; color: {colour}; {heading} margin: 14px 0 6px; border-bottom: 2px solid {colour};
  padding-bottom: 2px; }}
h3 {{ font-size: 1.05em; margin: 8px 0 4px; {heading} }}
.band {{ display: flex; justify-content: space-between; align-items: center; padding: 12px 16px;
  background: {colour}; color: #fff; border-radius: 6px; }}
.band .logo {{ font-size: 2.2em; font-weight: 800; border: 2px solid #fff; border-radius: 50%; width: 2.2em;
  height: 2.2em; display: inline-flex; align-items: center; justify-content: center; margin-right: 10px; }}
.split {{ display: grid; grid-template-columns: 1.3fr 1fr; gap: 16px; border-bottom: 3px solid {colour};
  padding-bottom: 8px; }}
.centered {{ text-align: center; border-bottom: 1px solid #bbb; padding-bottom: 8px; }}
.provider {{ font-size: 1.9em; font-weight: 700; letter-spacing: 0.02em; }}
.tagline {{ font-size: 0.85em; opacity: 0.85; }}
.muted {{ color: #666; font-size: 0.9em; }}
dl.facts {{ display: grid; grid-template-columns: max-content auto; gap: 3px 16px; margin: 6px 0; }}
dl.facts dt {{ font-weight: 600; {heading if c["heading"] != "spaced" else ""} }}
dl.facts dd {{ margin: 0; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }}
.tile {{ border: 1px solid #ccc; border-radius: 8px; padding: 6px 10px; min-width: 120px; }}
.tile .label {{ font-size: 0.8em; color: #555; text-transform: uppercase; letter-spacing: 0.06em; }}
.tile .value {{ font-size: 1.2em; font-weight: 700; }}
.glance {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; background: #f3f6f9; padding: 8px;
  border-radius: 10px; }}
.glance .card {{ background: #fff; border-radius: 6px; padding: 6px 8px; box-shadow: 0 0 0 1px #dde; }}
.glance .label {{ font-size: 0.8em; color: #556; }}
.glance .value {{ font-weight: 700; }}
table {{ border-collapse: collapse; width: 100%; margin: 4px 0; }}
th {{ text-align: left; background: #eef1f4; padding: 4px 6px; font-weight: 700; {heading} font-size: 0.9em; }}
td {{ padding: 3px 6px; border-bottom: 1px solid #e4e4e4; vertical-align: top; }}
td.amt, th.amt {{ text-align: {align}; white-space: nowrap; }}
td.num, th.num {{ text-align: right; }}
tr.subtotal td {{ font-weight: 700; border-top: 1px solid #999; }}
tr.total td {{ font-weight: 800; border-top: 2px solid #333; font-size: 1.1em; }}
tr.section td {{ background: #f7f7f7; font-weight: 700; color: {colour}; }}
{"tbody tr:nth-child(even) td { background: #f6f8fa; }" if c["charges.zebra"] == "yes" else ""}
.charges .line {{ display: flex; justify-content: space-between; padding: 4px 8px; border-bottom: 1px dotted #bbb; }}
.charges .line .detail {{ display: block; font-size: 0.85em; color: #666; }}
.charges .line.total {{ font-weight: 800; border-top: 2px solid #333; border-bottom: none; }}
.charges .line.subtotal {{ font-weight: 700; }}
.badge {{ display: inline-block; padding: 1px 6px; border-radius: 9px; background: #ffe9b3; color: #7a5200;
  font-size: 0.75em; font-weight: 700; letter-spacing: 0.05em; }}
.meters {{ display: grid; grid-template-columns: repeat(2, 1fr); gap: 10px; }}
.meter-card {{ border: 1px solid #ccd; border-radius: 10px; padding: 8px; }}
.hero {{ border: 2px solid {colour}; border-radius: 10px; padding: 10px 14px; margin: 10px 0; display: flex;
  justify-content: space-between; align-items: center; }}
.hero .big {{ font-size: 2em; font-weight: 800; color: {colour}; }}
.bannerdue {{ background: {colour}; color: #fff; padding: 8px 14px; margin: 10px 0; border-radius: 4px;
  font-size: 1.2em; }}
.promo {{ background: #fff4d6; border-left: 5px solid #f0a500; padding: 8px 12px; margin: 12px 0; border-radius: 4px; }}
.notice {{ border: 1px dashed #999; padding: 6px 10px; margin: 8px 0; font-size: 0.9em; }}
.chart {{ display: flex; align-items: flex-end; gap: 4px; height: 90px; border-bottom: 1px solid #999;
  margin-top: 6px; }}
.chart .bar {{ flex: 1; background: {colour}; opacity: 0.75; position: relative; }}
.chart-labels {{ display: flex; gap: 4px; font-size: 0.75em; }}
.chart-labels span {{ flex: 1; text-align: center; }}
.equation {{ display: flex; gap: 10px; align-items: flex-start; text-align: center; margin: 6px 0; }}
.equation .op {{ font-size: 1.4em; padding-top: 4px; }}
.equation .value {{ font-size: 1.3em; font-weight: 700; }}
.equation .label {{ font-size: 0.8em; color: #555; }}
.pagebreak {{ page-break-before: always; break-before: page; }}
.fixedfoot {{ position: fixed; bottom: 0; left: 0; right: 0; font-size: 8px; color: #777;
  border-top: 1px solid #ccc; padding-top: 2px; }}
.columns {{ display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }}
"""


class Page:
    """Builds the HTML of one bill from its choices and values."""

    def __init__(self, c: dict[str, str], d: Drawn, rng: random.Random) -> None:
        self.c, self.d, self.rng = c, d, rng
        self.loc = LOCALES[c["locale"]]
        self.colour = rng.choice(COLOURS)
        # the printed totals, worked out from the printed rows (not from the truth, which tests compare them to)
        self.new_charges = sum((row.item.amount for s in d.sections for row in s.rows), Decimal(0))
        self.paid = sum((amount for _, amount in d.payments), Decimal(0))
        self.due = d.previous - self.paid + (d.adjustment[1] if d.adjustment else 0) + self.new_charges

    def money(self, value: Decimal, credit: str | None = None) -> str:
        return fmt_money(value, self.loc.symbol, credit or self.c["charges.credit"])

    def date(self, day: date) -> str:
        return fmt_date(day, self.c["date_format"])

    def address(self, lines: list[str]) -> str:
        if self.c["address_lines"] == "one":
            return escape(", ".join(lines))
        return "<br>".join(escape(line) for line in lines)

    def facts(self) -> list[tuple[str, str]]:
        c, d = self.c, self.d
        out = [(c["label.account_number"], escape(d.account))]
        out.append(("Service address", self.address(d.service_lines)))
        out.append((c["label.statement_date"], self.date(d.statement)))
        if c["period_style"] == "from_to":
            out.append(("Service from", self.date(d.start)))
            out.append(("Service to", self.date(d.end)))
        else:
            out.append(("Billing period", f"{self.date(d.start)}{c['period_style']}{self.date(d.end)}"))
        if c["locale"] == "AU" and c["kind"] != "gas":
            out.append(("NMI", d.nmi))
        out.append((c["label.due_date"], self.date(d.due)))
        out.append((c["label.amount_due"], self.money(self.due)))
        return out

    def facts_html(self) -> str:
        facts = self.facts()
        style = self.c["facts"]
        if style == "dl":
            body = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
            return f'<dl class="facts">{body}</dl>'
        if style == "table":
            body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in facts)
            return f'<table class="facts" style="width:auto">{body}</table>'
        if style == "tiles":
            body = "".join(
                f'<div class="tile"><div class="label">{label}</div><div class="value">{value}</div></div>'
                for label, value in facts
            )
            return f'<div class="tiles">{body}</div>'
        body = "".join(
            f'<div class="card"><div class="label">{label}</div><div class="value">{value}</div></div>'
            for label, value in facts
        )
        return f'<h2>Your account at a glance</h2><div class="glance">{body}</div>'

    def header_html(self) -> str:
        c, d = self.c, self.d
        name = escape(c["provider"])
        initials = "".join(w[0] for w in c["provider"].split()[:2] if w[0].isalpha())
        tagline = self.rng.choice(
            (
                "Powering our community since 1923",
                "Your energy, simplified",
                "Reliable service, every day",
                "Member-owned. Community-focused.",
            )
        )
        mailing = ""
        if c["mailing"] == "block":
            mailing = (
                f'<div class="mailing"><div class="muted">Mail to</div>{escape(d.customer)}<br>'
                f"{'<br>'.join(escape(x) for x in d.mailing_lines)}</div>"
            )
        if c["header"] == "band":
            inner = (
                f'<div style="display:flex;align-items:center"><span class="logo">{escape(initials)}</span>'
                f'<div><div class="provider">{name}</div><div class="tagline">{tagline}</div></div></div>'
                f'<div style="text-align:right">Your {self.kind_word()} bill<br>'
                f'<span class="tagline">myaccount online</span></div>'
            )
            head = f'<header class="band">{inner}</header>'
            return head + (f'<div style="margin-top:8px">{mailing}</div>' if mailing else "")
        if c["header"] == "split":
            left = (
                f'<div><div class="provider" style="color:{self.colour}">{name}</div>'
                f'<div class="muted">{tagline}</div>{mailing}</div>'
            )
            right = (
                f'<div style="text-align:right"><div style="font-size:1.4em;font-weight:700">'
                f'Electronic Statement</div><div class="muted">Customer: {escape(d.customer)}</div></div>'
            )
            return f'<header class="split">{left}{right}</header>'
        return (
            f'<header class="centered"><div class="provider" style="color:{self.colour}">{name}</div>'
            f'<div class="muted">{tagline}</div></header>{mailing}'
        )

    def kind_word(self) -> str:
        return {
            "elec": "electricity",
            "gas": "gas",
            "dual": "energy",
            "muni": "utility",
            "commercial": "business energy",
        }[self.c["kind"]]

    def hero_html(self) -> str:
        due = self.money(self.due, "minus")
        label = self.c["label.amount_due"]
        if self.c["hero"] == "box":
            return (
                f'<div class="hero"><div><div class="muted">{label}</div><div class="big">{due}</div></div>'
                f"<div>{self.c['label.due_date']}<br><strong>{self.date(self.d.due)}</strong></div></div>"
            )
        if self.c["hero"] == "banner":
            return (
                f'<div class="bannerdue">{label}: <strong>{due}</strong> &nbsp;|&nbsp; '
                f"{self.c['label.due_date']}: <strong>{self.date(self.d.due)}</strong></div>"
            )
        return ""

    def payment(self, value: Decimal) -> str:
        text = f"{self.loc.symbol}{value:,.2f}"
        return {"minus": f"-{text}", "plain": text, "parens": f"({text})", "cr": f"{text} CR"}[
            self.c["summary.pay_sign"]
        ]

    def summary_rows(self) -> list[tuple[str, str]]:
        c, d = self.c, self.d
        rows = [("Previous balance", self.money(d.previous, "minus"))]
        paid = self.paid
        if c["summary.style"] == "equation":  # one payments term, printed plain after the minus sign
            rows.append(("Payments", f"{self.loc.symbol}{paid:,.2f}"))
        elif len(d.payments) == 1:
            rows.append(
                (
                    self.rng.choice(("Payment received - thank you", "Payments", "Payment received")),
                    self.payment(d.payments[0][1]),
                )
            )
        else:
            for day, amount in d.payments:
                rows.append((f"Payment {self.date(day)}", self.payment(amount)))
            if c["summary.payments"] == "several_total":
                rows.append(("Total payments", self.payment(paid)))
        if d.adjustment:
            rows.append((d.adjustment[0], self.money(d.adjustment[1], "minus")))
        rows.append(
            (
                self.rng.choice(("New charges", "Current charges", "Charges this period")),
                self.money(self.new_charges, "minus"),
            )
        )
        rows.append((c["label.amount_due"], self.money(self.due, "minus")))
        return rows

    def summary_html(self) -> str:
        rows = self.summary_rows()
        style = self.c["summary.style"]
        title = self.rng.choice(("Account summary", "Summary of your account", "Account activity"))
        if style == "table":
            body = "".join(
                f"<tr{' class=total' if i == len(rows) - 1 else ''}><td>{escape(label)}</td>"
                f'<td class="amt">{value}</td></tr>'
                for i, (label, value) in enumerate(rows)
            )
            return f'<h2>{title}</h2><table style="width:60%"><tbody>{body}</tbody></table>'
        if style == "dl":
            body = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in rows)
            return f'<h2>{title}</h2><dl class="facts">{body}</dl>'
        if style == "tiles":
            body = "".join(
                f'<div class="tile"><div class="label">{escape(label)}</div><div class="value">{value}</div></div>'
                for label, value in rows
            )
            return f'<h2>{title}</h2><div class="tiles">{body}</div>'
        parts = []
        for i, (label, value) in enumerate(rows):
            if i:
                op = (
                    "="
                    if i == len(rows) - 1
                    else ("+" if not label.startswith(("Payment", "Total pay")) else "&minus;")
                )
                parts.append(f'<div class="op">{op}</div>')
            parts.append(f'<div><div class="value">{value}</div><div class="label">{escape(label)}</div></div>')
        return f'<h2>{title}</h2><div class="equation">{"".join(parts)}</div>'

    def charges_html(self) -> str:
        c, d = self.c, self.d
        style, grouped = c["charges.style"], c["charges.grouping"] == "grouped"
        title = self.rng.choice(("Your charges", "Charge details", "Current charges", "Details of new charges"))
        total_row = (c["charges.total_label"], self.money(self.new_charges))
        if style == "cards":
            out = [f'<h2>{title}</h2><div class="charges">']
            for section in d.sections:
                if grouped:
                    out.append(f"<h3>{escape(section.title)}</h3>")
                for row in section.rows:
                    detail = f'<span class="detail">{escape(row.detail)}</span>' if row.detail else ""
                    out.append(
                        f'<div class="line"><span>{escape(row.item.description)}{detail}</span>'
                        f"<span>{self.money(row.item.amount)}</span></div>"
                    )
                if grouped:
                    sub = total([row.item for row in section.rows])
                    out.append(
                        f'<div class="line subtotal"><span>Total {escape(section.title.lower())}</span>'
                        f"<span>{self.money(sub)}</span></div>"
                    )
            out.append(f'<div class="line total"><span>{total_row[0]}</span><span>{total_row[1]}</span></div></div>')
            return "".join(out)
        heads = ["Description"]
        if style == "details":
            heads.append("Details")
        elif style == "columns":
            heads += ["Quantity", "Rate"]
        heads.append("Amount")
        width = len(heads)
        thead = "".join(
            f'<th class="{"amt" if i == width - 1 else ("num" if style == "columns" and i else "")}">{h}</th>'
            for i, h in enumerate(heads)
        )
        out = [f'<h2>{title}</h2><table class="charges"><thead><tr>{thead}</tr></thead>']

        def cells(row: Row) -> str:
            middle = ""
            if style == "details":
                middle = f"<td>{escape(row.detail)}</td>"
            elif style == "columns":
                middle = f'<td class="num">{escape(row.quantity)}</td><td class="num">{escape(row.rate)}</td>'
            return (
                f"<tr><td>{escape(row.item.description)}</td>{middle}"
                f'<td class="amt">{self.money(row.item.amount)}</td></tr>'
            )

        if grouped:
            for section in d.sections:
                out.append(f'<tbody><tr class="section"><td colspan="{width}">{escape(section.title)}</td></tr>')
                out += [cells(row) for row in section.rows]
                sub = total([row.item for row in section.rows])
                out.append(
                    f'<tr class="subtotal"><td colspan="{width - 1}">{escape(section.title)} subtotal</td>'
                    f'<td class="amt">{self.money(sub)}</td></tr></tbody>'
                )
        else:
            out.append("<tbody>")
            out += [cells(row) for s in d.sections for row in s.rows]
            out.append("</tbody>")
        out.append(
            f'<tfoot><tr class="total"><td colspan="{width - 1}">{total_row[0]}</td>'
            f'<td class="amt">{total_row[1]}</td></tr></tfoot></table>'
        )
        return "".join(out)

    def read_mark(self, read: UsageRead) -> tuple[str, str]:
        """(the read-type cell, the suffix after the current read) as this bill marks them."""
        marks = self.c["meter.marks"]
        estimated = read.read_type is ReadType.ESTIMATED
        if marks == "column":
            return ("Estimated" if estimated else "Actual"), ""
        if marks == "badge":
            return "", ' <span class="badge">ESTIMATED</span>' if estimated else ""
        if marks == "letter":
            return "", (" (E)" if estimated else " (A)")
        return "", ""

    def meters_html(self) -> str:
        c, d = self.c, self.d
        style = c["meter.style"]
        title = self.rng.choice(("Meter information", "Meter readings", "Your usage", "Usage details"))
        note = ""
        if c["meter.marks"] == "letter" and style != "usage":
            note = '<div class="muted">A = actual read, E = estimated read</div>'
        if style == "usage":
            rows = []
            for meter in d.meters:
                for reg in meter.registers:
                    name = f"{meter.label} {reg.name}".strip()
                    rows.append(
                        f"<tr><td>{escape(meter.number)}</td><td>{escape(name)}</td>"
                        f'<td class="num">{fmt_number(reg.read.quantity)} {escape(reg.read.unit)}</td></tr>'
                    )
                if meter.demand:
                    rows.append(
                        f"<tr><td>{escape(meter.number)}</td><td>Billed demand</td>"
                        f'<td class="num">{fmt_number(meter.demand.quantity)} kW</td></tr>'
                    )
            return (
                f"<h2>{title}</h2><table><thead><tr><th>Meter</th><th>Service</th>"
                f'<th class="num">Usage</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            )
        if style == "cards":
            cards = []
            for meter in d.meters:
                parts = [f"<h3>{escape(meter.label)} meter {escape(meter.number)}</h3>"]
                for reg in meter.registers:
                    r = reg.read
                    cell, suffix = self.read_mark(r)
                    badge = suffix if c["meter.marks"] == "badge" else ""
                    items = []
                    if reg.name:
                        items.append(("Register", escape(reg.name)))
                    items.append(("Previous read", fmt_number(r.start_read or Decimal(0))))
                    items.append(
                        (
                            "Current read",
                            fmt_number(r.end_read or Decimal(0)) + (suffix if c["meter.marks"] == "letter" else ""),
                        )
                    )
                    if cell:
                        items.append(("Read type", cell))
                    if r.read_unit:
                        items.append(("Read in", escape(r.read_unit)))
                    if r.multiplier is not None:
                        items.append(("Multiplier", fmt_number(r.multiplier)))
                    if r.conversion_factor is not None:
                        name = "Therm factor" if r.unit == "therms" else "Conversion factor"
                        items.append((name, fmt_number(r.conversion_factor)))
                    items.append(("Usage", f"{fmt_number(r.quantity)} {escape(r.unit)}"))
                    body = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in items)
                    parts.append(f'<div>{badge}<dl class="facts">{body}</dl></div>')
                if meter.demand:
                    parts.append(f"<div>Billed demand: <strong>{fmt_number(meter.demand.quantity)} kW</strong></div>")
                cards.append(f'<div class="meter-card">{"".join(parts)}</div>')
            return f'<h2>{title}</h2>{note}<div class="meters">{"".join(cards)}</div>'
        registers = any(reg.name for m in d.meters for reg in m.registers)
        multiplier = any(reg.read.multiplier is not None for m in d.meters for reg in m.registers)
        factor = any(reg.read.conversion_factor is not None for m in d.meters for reg in m.registers)
        demand = any(m.demand for m in d.meters)
        column = c["meter.marks"] == "column"
        heads = ["Meter", "Service"] + (["Register"] if registers else []) + ["Read dates", "Previous", "Current"]
        heads += (["Type"] if column else []) + (["Multiplier"] if multiplier else [])
        heads += (["Factor"] if factor else []) + (["Demand"] if demand else []) + ["Usage"]
        rows = []
        for meter in d.meters:
            for reg in meter.registers:
                r = reg.read
                cell, suffix = self.read_mark(r)
                read_unit = f" {escape(r.read_unit)}" if r.read_unit else ""
                tds = [escape(meter.number), escape(meter.label)]
                tds += [escape(reg.name)] if registers else []
                tds.append(f"{self.date(d.start)} &ndash; {self.date(d.end)}")
                tds.append(f"{fmt_number(r.start_read or Decimal(0))}{read_unit}")
                tds.append(f"{fmt_number(r.end_read or Decimal(0))}{read_unit}{suffix}")
                tds += [cell] if column else []
                tds += [fmt_number(r.multiplier) if r.multiplier is not None else ""] if multiplier else []
                tds += [fmt_number(r.conversion_factor) if r.conversion_factor is not None else ""] if factor else []
                tds += [f"{fmt_number(meter.demand.quantity)} kW" if meter.demand else ""] if demand else []
                tds.append(f"{fmt_number(r.quantity)} {escape(r.unit)}")
                rows.append("<tr>" + "".join(f"<td>{td}</td>" for td in tds) + "</tr>")
        thead = "".join(f"<th>{h}</th>" for h in heads)
        return f"<h2>{title}</h2>{note}<table><thead><tr>{thead}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def chart_html(self) -> str:
        chart = self.c["chart"]
        if chart == "none":
            return ""
        history = self.d.history
        unit = "kWh" if self.c["kind"] != "gas" else ("therms" if self.c["locale"] == "US" else "m³")
        top = max(v for _, v in history)
        if chart == "css":
            bars = "".join(
                f'<div class="bar" style="height:{round(80 * v / top)}px" title="{v}"></div>' for _, v in history
            )
            labels = "".join(f"<span>{m}</span>" for m, _ in history)
            return (
                f'<h3>Usage history ({unit})</h3><div class="chart">{bars}</div>'
                f'<div class="chart-labels">{labels}</div>'
            )
        width, height = 360, 110
        step = width / len(history)
        parts = []
        for i, (month, value) in enumerate(history):
            h = round(80 * value / top)
            x = round(i * step + 4, 1)
            parts.append(f'<rect x="{x}" y="{90 - h}" width="{round(step - 8, 1)}" height="{h}" fill="{self.colour}"/>')
            parts.append(
                f'<text x="{round(x + step / 2 - 4, 1)}" y="104" font-size="8" text-anchor="middle">{month}</text>'
            )
            parts.append(
                f'<text x="{round(x + step / 2 - 4, 1)}" y="{88 - h}" font-size="6" '
                f'text-anchor="middle">{value:,}</text>'
            )
        return (
            f"<h3>12-month usage history ({unit})</h3>"
            f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
        )

    def distractors_html(self) -> str:
        c, d = self.c, self.d
        picked = c["distractors"].split(",") if c["distractors"] else []
        rng = self.rng
        out = []
        sym = self.loc.symbol
        if "compare" in picked:
            last = rng.randint(150, 1500)
            out.append(
                f'<div class="notice">Compared to last year: same period {last:,} kWh, '
                f"{sym}{money_between(rng, 40, 300):,.2f}.</div>"
            )
        if "average" in picked:
            days = (d.end - d.start).days
            out.append(
                f'<div class="notice">Days in billing period: {days} &nbsp; Average daily use: '
                f"{Decimal(rng.randint(50, 600)).scaleb(-1)} &nbsp; Average daily cost: "
                f"{sym}{money_between(rng, 1, 12)}</div>"
            )
        if "late_notice" in picked:
            out.append(
                f'<div class="notice">A late payment charge of {sym}{money_between(rng, 3, 20)} will be '
                f"added if payment is not received by {self.date(d.due + timedelta(days=3))}.</div>"
            )
        if "autopay" in picked:
            auto = d.due - timedelta(days=rng.randint(1, 4))
            out.append(f'<div class="notice">Autopay scheduled for {self.date(auto)}. No action is needed.</div>')
        if "promo" in picked:
            out.append(
                f'<div class="promo"><strong>Save {sym}{rng.choice((25, 50, 75, 100))}</strong> with our '
                f"smart thermostat rebate. Plans from {sym}{money_between(rng, 5, 15)}/month.</div>"
            )
        if "service" in picked:
            out.append(
                f'<div class="muted">Customer service {self.loc.phone} (Mon-Fri 8am-6pm). '
                f"Emergencies and outages 24/7: 1-800-555-{rng.randint(1000, 9999)}.</div>"
            )
        return "".join(out)

    def html(self) -> str:
        c = self.c
        first = [self.header_html()]
        if c["mailing"] == "top":
            first.append(
                f'<div class="mailing" style="margin:8px 0">{escape(self.d.customer)}<br>'
                f"{'<br>'.join(escape(x) for x in self.d.mailing_lines)}</div>"
            )
        first.append(self.facts_html())
        first.append(self.hero_html())
        first.append(self.summary_html())
        charges = self.charges_html()
        meters = self.meters_html()
        body = first
        if c["pages"] == "two_charges":
            body.append(f'<div class="pagebreak">{charges}</div>')
        else:
            body.append(charges)
        body.append(f'<div class="pagebreak">{meters}</div>' if c["pages"] == "two_meters" else meters)
        body.append(self.chart_html())
        body.append(self.distractors_html())
        footer = ""
        if c["footer"] == "fixed":
            footer = (
                f'<div class="fixedfoot">{escape(c["provider"])} &middot; {self.loc.phone} &middot; '
                "Keep this statement for your records.</div>"
            )
        title = escape(f"{c['provider']} e-bill")
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{_css(c, self.colour)}</style></head><body>{''.join(body)}{footer}</body></html>"
        )


def web_page(index: int, seed: int) -> tuple[str, NormalizedBill, dict[str, str]]:
    """The bill's HTML, its ground truth and its layout choices, without a browser."""
    rng = random.Random(f"web:{seed}:{index}")
    choices = _choose(rng)
    drawn = _draw(rng, index, choices)
    truth = _truth(choices, drawn)
    return Page(choices, drawn, rng).html(), truth, choices


def web_bill(index: int, seed: int, folder: Path) -> WildBill:
    name = f"web-{seed}-{index:04d}"
    html, truth, choices = web_page(index, seed)
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{name}.html"
    if not page.exists() or page.read_text() != html:
        page.write_text(html)
        page.with_suffix(".pdf").unlink(missing_ok=True)  # a stale print of an older page
    return WildBill(name, printed(page), truth, choices)


def web_bills(count: int, seed: int = 1, folder: Path | None = None) -> list[WildBill]:
    where = folder or Path(tempfile.gettempdir()) / f"minimeter-web-{seed}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda i: web_bill(i, seed, where), range(count)))
