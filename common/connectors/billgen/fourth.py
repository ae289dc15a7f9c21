"""Fourth bill generator: utility bill PDFs in the manner of real North American, UK, Irish and Australian bills.

A held-out test set for the generic layout heuristics, written by a fourth author without reading them (or
the other generators' layouts). Every bill is a seeded, byte-deterministic PDF with exact ground truth;
every random layout or wording decision is recorded in `choices` under one of the keys documented in
`CHOICE_KEYS`, so that a misread can be explained.

What the family draws (features a synthetic generator tends to leave out):
    page 1      a header with the account facts, the customer's window-envelope address and a labelled
                service address, an account summary (previous balance, dated payments, an occasional
                late charge or adjustment, balance forward, new charges, total due), a highlighted
                amount-due box, messages, a customer-service box and often a remittance stub behind a
                dashed tear line repeating account, due date and amount, with an "Amount Enclosed" box
                and an OCR scan line
    details     charges on page 2 or 3 grouped by section (delivery / supply / taxes) or by service,
                printed subtotals, rate changes that split a charge into two prorated rows, quantity x
                rate in one cell or in separate columns; a meter read table (multipliers, (A)/(E) or
                Actual/Estimated markers, therm factors, m3-to-kWh conversion, TOU registers, delivered
                and received registers of a net-metered solar account, kW demand)
    distractors a 13-month usage history table or bar chart, average daily use, average temperature,
                last year's usage, late payment notices, the amount due after the due date, phone
                numbers and web sites, MPRN/NMI supply numbers
Locales: US, Canada, UK, Ireland and Australia (USD, CAD, GBP, EUR, AUD); fonts Helvetica, Times or
Courier; LETTER or A4. Kinds: residential electric (flat, tiered, TOU, solar), gas, dual fuel, water and
sewer, small commercial electric with demand; any of them may carry a credit balance ("Do not pay").

Truth conventions: `provider` is the header name; `service_address` the service address lines joined by
", "; line items are the charge rows in printed order (never subtotal or total rows) with the description
as printed in the description cell; quantity/unit/rate are set only where the row prints them; usage is
one read per meter register (a TOU register's `period` is its printed name in snake case: on_peak,
mid_peak, off_peak, peak, shoulder, day, night; a solar meter's registers carry `direction`), with reads,
multiplier and conversion factor only where printed.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen.truth import cents, fixed, metered
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

__all__ = ["CHOICE_KEYS", "fourth_bill", "fourth_bills"]

T = TypeVar("T")
D = Decimal
Cat = LineItemCategory

# Every key a bill's `choices` may hold (a key ending in "*" stands for any key with that prefix).
CHOICE_KEYS: dict[str, str] = {
    "locale": "US, CA, UK, IE or AU: currency, addresses, date formats, taxes and wording",
    "kind": "elec_flat, elec_tiered, elec_tou, elec_solar, gas, dual, water or commercial",
    "balance": "normal, or credit (negative amount due with a 'Do not pay' note)",
    "payments": "none, one or two payments received since the last bill",
    "adjustment": "none, late_charge, returned_fee or credit_adjustment in the account activity",
    "page": "LETTER or A4",
    "font": "helvetica, times or courier",
    "font_size": "base font size in points",
    "margin": "page margin in points",
    "date_format": "how dates print (mdy, mon_d_y, month_d_y, iso, dmy, d_month_y, d_mon_y, dd_mon_yyyy)",
    "layout.header": "left (provider left, facts right), centered (facts in a grid band) or banner (dark band)",
    "layout.provider_size": "font size of the provider name",
    "label.account": "wording of the account number label",
    "label.statement": "wording of the statement date label",
    "label.due": "wording of the due date label",
    "label.period": "wording of the billing period label",
    "period_sep": "separator between the period's two dates",
    "period_days": "whether the number of days prints beside the period",
    "address.mailing": "window_same, window_po, labelled_both or service_only",
    "address.service_style": "block (one line per address line) or inline (one line joined by commas)",
    "label.service": "wording of the service address label",
    "summary.style": "box (ruled table) or lines (plain label/amount rows)",
    "summary.position": "left (beside the amount-due box) or full (amount-due box below it)",
    "summary.balance_forward": "whether a balance forward row prints",
    "summary.payment_dates": "whether each payment row prints its date",
    "summary.payment_sign": "credit (payments printed as credits) or plain (positive under a payments label)",
    "label.previous": "wording of the previous balance row",
    "label.payment": "wording of a payment row",
    "label.new_charges": "wording of the new charges row",
    "label.amount_due": "wording of the total amount due row and box",
    "amount_due_box": "fill colour of the highlighted amount due box",
    "credit_style": "minus (-$5.00), parens (($5.00)) or cr (5.00 CR) for negative amounts",
    "symbol.charges": "whether amounts in the charges table print a currency symbol",
    "amount_align": "right or left aligned amount columns",
    "p1_breakdown": "whether page 1 repeats the charges by service/section",
    "stub": "none, page1 (bottom of page 1) or last (bottom of the last page)",
    "stub.amount_box": "whether the stub prints an Amount Enclosed box",
    "details.order": "charges_first or meters_first on the detail pages",
    "details.break": "whether the second detail block starts on a new page",
    "charges.grouping": "type (delivery/supply/taxes sections), service (one section per service) or flat",
    "charges.subtotals": "whether each section prints a subtotal row",
    "charges.qty": "cell (quantity x rate in one details cell), columns (Quantity and Rate columns) or none",
    "charges.detail_fmt": "how a details cell joins quantity and rate (x, @, at ... per)",
    "charges.rate_symbol": "whether rates print a currency symbol",
    "charges.heading": "heading above the detailed charges",
    "charges.total_label": "wording of the total new charges row",
    "prorate": "none, fixed (customer charge split at a rate change) or metered (an energy charge split)",
    "credit_row": "whether a credit/rebate row is added to the charges",
    "tiers": "number of tiers of a tiered energy charge",
    "tou": "TOU register set",
    "solar": "how a solar account is billed (net or feed_in)",
    "gas.unit": "how gas is billed (therms from CCF, kWh from m3, MJ from m3, m3)",
    "water.unit": "how water is billed (gal, kGal, CCF, m3, kL)",
    "meter.style": "table (one row per register) or block (one block per meter)",
    "meter.marker": "suffix ((A)/(E) after the read), column (Actual/Estimated), letter (A/E + legend) or none",
    "meter.mult": "whether a residential meter prints its multiplier (1)",
    "meter.dates": "whether the meter table prints read dates",
    "meter.cv_note": "whether a gas meter prints the calorific value note beside the conversion factor",
    "meter.supply_id": "whether an MPRN/MPAN/NMI/ESI supply number prints",
    "estimated": "whether the meter reads are estimated",
    "history": "none, table or chart: a 13-month usage history",
    "comparison": "whether average daily use / temperature / last year's usage print",
    "notice.late": "whether a late payment charge notice prints",
    "notice.after_due": "whether the amount due after the due date prints",
    "messages": "how many marketing/service messages print",
    "service_box": "whether a customer service box (phone, web, hours) prints",
    "page_header": "whether pages 2+ repeat provider and account number at the top",
    "billing_cycle": "monthly or quarterly (water, and many Australian bills, are quarterly)",
    "tax.on_base": "UK/IE: whether the VAT row prints the amount it is charged on",
    "dual.tax_per_fuel": "UK/IE dual fuel: VAT inside each fuel's section instead of one tax section",
    "charges.subtotal_label": "wording of a section's subtotal row",
    "water.tiered": "whether water usage is charged in tiers",
    "water.tax": "US water: whether a utility tax section prints",
    "meter.heading": "heading above the meter reads",
}


def _num(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


class _Pick:
    def __init__(self, rng: random.Random, choices: dict[str, str]) -> None:
        self.rng = rng
        self.choices = choices

    def __call__(self, key: str, options: Sequence[T], weights: Sequence[float] | None = None) -> T:
        value = self.rng.choices(list(options), weights=weights)[0] if weights else self.rng.choice(list(options))
        self.choices[key] = str(value)
        return value

    def flag(self, key: str, p: float) -> bool:
        value = self.rng.random() < p
        self.choices[key] = "yes" if value else "no"
        return value


# --- locales -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loc:
    code: str
    currency: str
    symbol: str
    dates: tuple[str, ...]
    day_first: bool
    places: tuple[tuple[str, ...], ...]
    streets: tuple[str, ...]
    names: dict[str, tuple[str, ...]]


_LOCALES: dict[str, _Loc] = {
    "US": _Loc(
        "US",
        "USD",
        "$",
        ("mdy", "mon_d_y", "month_d_y"),
        False,
        (
            ("Springfield", "OR", "97477"),
            ("Dayton", "OH", "45402"),
            ("Fort Collins", "CO", "80521"),
            ("Raleigh", "NC", "27601"),
            ("Boise", "ID", "83702"),
            ("Burlington", "VT", "05401"),
        ),
        ("Oak St", "Maple Ave", "Ridgeview Dr", "N 5th St", "Lakeshore Blvd", "Willow Ct"),
        {
            "elec": ("Cascade Ridge Power", "Tri-County Light & Power", "Sunbelt Electric Cooperative"),
            "gas": ("Keystone Natural Gas", "Great Plains Gas Company"),
            "dual": ("Midstate Energy", "Riverbend Gas & Electric"),
            "water": ("City of Millbrook Public Utilities", "Clearwater Township Water & Sewer"),
        },
    ),
    "CA": _Loc(
        "CA",
        "CAD",
        "$",
        ("iso", "mon_d_y", "month_d_y"),
        False,
        (
            ("Guelph", "ON", "N1H 3K2"),
            ("Kelowna", "BC", "V1Y 6H2"),
            ("Red Deer", "AB", "T4N 1X5"),
            ("Moncton", "NB", "E1C 4B6"),
            ("Barrie", "ON", "L4M 3B9"),
        ),
        ("Maple Dr", "Queen St W", "Birch Cres", "Lakeview Rd", "Sumac Way"),
        {
            "elec": ("Northshore Hydro", "Fraser Valley Power"),
            "gas": ("Prairie Gas Co-operative", "Laurentian Gas Distribution"),
            "dual": ("Lakehead Energy", "Maritime Power & Gas"),
            "water": ("City of Kingsbridge Water Services", "Town of Elm Falls Utilities"),
        },
    ),
    "UK": _Loc(
        "UK",
        "GBP",
        "£",
        ("dmy", "d_month_y", "d_mon_y"),
        True,
        (("Harrogate", "HG1 2AB"), ("Taunton", "TA1 3PF"), ("Perth", "PH1 5RR"), ("Lincoln", "LN2 1HQ")),
        ("Mill Lane", "Station Road", "Church Street", "Victoria Terrace", "Kings Avenue"),
        {
            "elec": ("Albion Home Energy", "Thistle Power"),
            "gas": ("Northgate Gas Supply", "Pennine Gas"),
            "dual": ("Albion Home Energy", "Thistle Power & Gas", "Brightwater Energy"),
            "water": ("Severnside Water", "Fenland Water Services"),
        },
    ),
    "IE": _Loc(
        "IE",
        "EUR",
        "€",
        ("dmy", "d_month_y", "d_mon_y"),
        True,
        (("Salthill", "Galway", "H91 X2Y3"), ("Rathmines", "Dublin 6", "D06 F3K2"), ("Douglas", "Cork", "T12 R2K7")),
        ("Seaview Park", "Main Street", "Ashgrove Road", "Oakfield Lawn"),
        {
            "elec": ("Liffey Energy", "Atlantic Power"),
            "gas": ("Corrib Gas", "Atlantic Gas"),
            "dual": ("Liffey Energy", "Shannon Power & Gas"),
            "water": ("Liffey Energy",),
        },
    ),
    "AU": _Loc(
        "AU",
        "AUD",
        "$",
        ("dmy", "d_month_y", "d_mon_y", "dd_mon_yyyy"),
        True,
        (
            ("MOUNT LAWLEY", "WA", "6050"),
            ("BRUNSWICK", "VIC", "3056"),
            ("TOOWONG", "QLD", "4066"),
            ("NEWTOWN", "NSW", "2042"),
        ),
        ("Banksia Cres", "Walcott St", "Sydney Rd", "Jacaranda Ave", "Wattle Pl"),
        {
            "elec": ("Southern Cross Energy", "Coral Coast Power"),
            "gas": ("Southern Cross Gas", "Outback Gas Co"),
            "dual": ("Southern Cross Energy", "Harbourside Energy"),
            "water": ("Murray Basin Water", "Coastal Water Corporation"),
        },
    ),
}
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August")
_MONTHS += ("September", "October", "November", "December")


def _fmt_date(value: date, style: str) -> str:
    month = _MONTHS[value.month - 1]
    if style == "mdy":
        return f"{value.month:02d}/{value.day:02d}/{value.year}"
    if style == "mon_d_y":
        return f"{month[:3]} {value.day}, {value.year}"
    if style == "month_d_y":
        return f"{month} {value.day}, {value.year}"
    if style == "iso":
        return value.isoformat()
    if style == "dmy":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if style == "d_month_y":
        return f"{value.day} {month} {value.year}"
    if style == "d_mon_y":
        return f"{value.day} {month[:3]} {value.year}"
    return f"{value.day:02d}-{month[:3]}-{value.year}"  # dd_mon_yyyy


def _short_date(value: date, day_first: bool) -> str:
    return f"{value.day:02d}/{value.month:02d}" if day_first else f"{value.month:02d}/{value.day:02d}"


# --- the bill ----------------------------------------------------------------------------------------


@dataclass
class _Row:
    item: LineItem
    qty: str = ""  # "1,234 kWh" as printed, or ""
    rate: str = ""  # "$0.08765" as printed, or ""
    per: str = ""  # the unit a rate is per ("kWh", "day")


@dataclass
class _Section:
    title: str
    rows: list[_Row]
    subtotal: str


@dataclass
class _Register:
    label: str  # "Total", "On-Peak", "Delivered"...
    quantity: Decimal
    start: Decimal
    end: Decimal
    read_places: int
    qty_places: int
    period: str | None = None
    direction: Direction = Direction.DELIVERED


@dataclass
class _Meter:
    number: str
    commodity: Commodity
    service: str  # "Electric", "Gas", "Water"
    unit: str
    registers: list[_Register]
    read_unit: str | None = None
    multiplier: Decimal | None = None  # printed multiplier
    factor: Decimal | None = None  # printed conversion factor
    factor_note: str = ""
    demand: Decimal | None = None
    estimated: bool = False


@dataclass
class _Bill:
    loc: _Loc
    kind: str
    provider: str
    provider_lines: list[str]
    phone: str
    web: str
    account: str
    customer: str
    service_lines: list[str]
    mailing_lines: list[str]
    start: date
    end: date
    statement: date
    due: date
    sections: list[_Section] = field(default_factory=list)
    meters: list[_Meter] = field(default_factory=list)
    previous: Decimal = Decimal(0)
    payments: list[tuple[date, Decimal]] = field(default_factory=list)
    adjustment: tuple[str, Decimal] | None = None
    supply_id: str = ""
    prorate: str = "none"  # a rate change drawn for the bill, applied by the first charge that can take it
    prorated: bool = False
    print_mult: bool = False

    @property
    def items(self) -> list[LineItem]:
        return [row.item for sec in self.sections for row in sec.rows]

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), D(0))

    @property
    def paid(self) -> Decimal:
        return sum((amount for _, amount in self.payments), D(0))

    @property
    def forward(self) -> Decimal:
        return self.previous - self.paid + (self.adjustment[1] if self.adjustment else D(0))

    @property
    def amount_due(self) -> Decimal:
        return self.forward + self.total


@dataclass
class _Style:
    font: str
    bold: str
    size: float
    page: tuple[float, float]
    margin: float
    date_style: str
    credit_style: str
    symbol_charges: bool
    align: str
    qty: str
    detail_fmt: str
    rate_symbol: bool


_FONTS = {
    "helvetica": ("Helvetica", "Helvetica-Bold"),
    "times": ("Times-Roman", "Times-Bold"),
    "courier": ("Courier", "Courier-Bold"),
}


# --- planning: what the bill charges ------------------------------------------------------------------


class _Charges:
    """Builds rows; whether quantity and rate print decides whether the truth keeps them."""

    def __init__(self, loc: _Loc, st: _Style) -> None:
        self.loc = loc
        self.st = st

    def rate_text(self, value: Decimal) -> str:
        return f"{self.loc.symbol if self.st.rate_symbol else ''}{value:.{max(2, _places(value))}f}"

    def metered(
        self, desc: str, qty: Decimal, places: int, unit: str, rate: Decimal, cat: Cat | None = None, sign: int = 1
    ) -> _Row:
        item = metered(desc, qty, unit, rate, cat)
        if sign < 0:
            item = item.model_copy(update={"amount": -item.amount})
        if self.st.qty == "none":
            item = item.model_copy(update={"quantity": None, "unit": None, "rate": None})
            return _Row(item)
        return _Row(item, f"{_num(qty, places)} {unit}", self.rate_text(rate), "day" if unit == "days" else unit)

    def fixed(self, desc: str, amount: Decimal, cat: Cat | None = None) -> _Row:
        return _Row(fixed(desc, amount, cat))

    def days(self, desc: str, days: int, rate: Decimal) -> _Row:
        return self.metered(desc, D(days), 0, "days", rate)

    def tax(self, desc: str, base: Sequence[_Row], percent: Decimal) -> _Row:
        amount = cents(sum((r.item.amount for r in base), D(0)) * percent / 100)
        return _Row(fixed(desc, amount, Cat.TAX))


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def _pct(value: Decimal) -> str:
    text = f"{value:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _rate(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    return D(rng.randint(low, high)).scaleb(-places)


def _bump(rng: random.Random, rate: Decimal, low: int, high: int) -> Decimal:
    """A higher rate with as many decimals."""
    return rate + D(rng.randint(low, high)).scaleb(-_places(rate))


def _split_dates(bill: _Bill, rng: random.Random) -> tuple[date, date, int, int]:
    days = (bill.end - bill.start).days
    first = rng.randint(5, days - 5)
    mid = bill.start + timedelta(days=first)
    return mid, mid + timedelta(days=1), first, days - first


def _ranges(bill: _Bill, mid: date, nxt: date) -> tuple[str, str]:
    df = bill.loc.day_first
    return (
        f"{_short_date(bill.start, df)}-{_short_date(mid, df)}",
        f"{_short_date(nxt, df)}-{_short_date(bill.end, df)}",
    )


def _fixed_charge(cc: _Charges, bill: _Bill, rng: random.Random, desc: str, monthly: Decimal) -> list[_Row]:
    """A monthly fixed charge; a rate change within the period splits it into two prorated rows."""
    if bill.prorate != "fixed" or bill.prorated:
        return [cc.fixed(desc, monthly)]
    bill.prorated = True
    mid, nxt, d1, d2 = _split_dates(bill, rng)
    new = monthly + D(rng.randint(25, 250)) / 100
    r1, r2 = _ranges(bill, mid, nxt)
    return [
        cc.fixed(f"{desc} {r1}", cents(monthly * d1 / (d1 + d2))),
        cc.fixed(f"{desc} {r2}", cents(new * d2 / (d1 + d2))),
    ]


def _energy_charge(
    cc: _Charges, bill: _Bill, rng: random.Random, desc: str, qty: Decimal, places: int, unit: str, rate: Decimal
) -> list[_Row]:
    """A metered charge; a rate change within the period splits its quantity into two rows by days."""
    if bill.prorate != "metered" or bill.prorated:
        return [cc.metered(desc, qty, places, unit, rate)]
    bill.prorated = True
    mid, nxt, d1, d2 = _split_dates(bill, rng)
    q1 = _q(qty * d1 / (d1 + d2), places)
    r1, r2 = _ranges(bill, mid, nxt)
    return [
        cc.metered(f"{desc} {r1}", q1, places, unit, rate),
        cc.metered(f"{desc} {r2}", qty - q1, places, unit, _bump(rng, rate, 1, 90)),
    ]


def _reads(rng: random.Random, raw: Decimal, places: int) -> tuple[Decimal, Decimal]:
    start = D(rng.randint(1000, 89999))
    if places:
        start = D(rng.randint(100000, 899999)).scaleb(-places)
    return start, start + raw


def _meter_number(rng: random.Random, loc: _Loc, commodity: Commodity) -> str:
    if loc.code == "UK":
        prefix = {Commodity.ELECTRICITY: "E", Commodity.GAS: "G"}.get(commodity, "W")
        return f"{prefix}{rng.randint(10, 99)}{rng.choice('ABKLZ')}{rng.randint(100000, 999999)}"
    if loc.code == "AU":
        return f"{rng.randint(100000, 999999)}{rng.choice('ABWX')}"
    if loc.code == "IE":
        return f"{rng.randint(10000000, 99999999)}"
    forms = (
        f"{rng.randint(10**7, 10**8 - 1)}",
        f"M{rng.randint(10**8, 10**9 - 1)}",
        f"{rng.randint(100, 999)}-{rng.randint(100000, 999999)}",
    )
    return rng.choice(forms)


def _tiers(
    pick: _Pick,
    cc: _Charges,
    desc: str,
    qty: Decimal,
    unit: str,
    places: int,
    bounds_from: Sequence[int],
    rate: Decimal,
) -> list[_Row]:
    """An inclining block tariff: First N, Next M, Over K."""
    rng = pick.rng
    n = pick("tiers", (2, 3))
    bounds = sorted(rng.sample(list(bounds_from), n - 1))
    rows: list[_Row] = []
    left, prev = qty, 0
    for i, bound in enumerate([*bounds, None]):
        if left <= 0:
            break
        if bound is None:
            part, label = left, f"{desc} Over {prev:,} {unit}"
        else:
            part = min(left, D(bound - prev))
            label = f"{desc} First {bound:,} {unit}" if i == 0 else f"{desc} Next {bound - prev:,} {unit}"
            prev = bound
        rows.append(cc.metered(label, part, places, unit, rate))
        rate = _bump(rng, rate, 50, 400)
        left -= part
    return rows


_CA_TAX = {"ON": (("HST", "13"),), "NB": (("HST", "15"),)}


def _tax_rows(pick: _Pick, bill: _Bill, cc: _Charges, base: list[_Row], water: bool = False) -> list[_Row]:
    loc, rng = bill.loc, pick.rng
    taxes: tuple[tuple[str, str], ...]
    if water and loc.code != "US":
        return []
    if loc.code == "CA":
        taxes = _CA_TAX.get(bill.service_lines[-1].split()[-3], (("GST", "5"),))
    elif loc.code == "US":
        one = (("State Sales Tax", "6"), ("Sales Tax", "7.25"), ("Utility Users Tax", "5"), ("Utility Tax", "2.5"))
        taxes = (rng.choice(one[3:] if water else one[:3]),)
        if not water and rng.random() < 0.25:
            taxes = (("State Sales Tax", "6"), ("City Utility Tax", "3.5"))
    elif loc.code == "UK":
        taxes = (("VAT at", "20" if bill.kind == "commercial" else "5"),)
    elif loc.code == "IE":
        taxes = (("VAT @", "9"),)
    else:
        taxes = (("GST", "10"),)
    rows = []
    on = loc.code in ("UK", "IE") and pick.flag("tax.on_base", 0.5)
    for name, pct in taxes:
        percent = D(pct)
        label = f"{name} {_pct(percent)}" if name.endswith(("at", "@")) else f"{name} ({_pct(percent)})"
        if on:
            label += f" on {loc.symbol}{_num(sum((r.item.amount for r in base), D(0)), 2)}"
        rows.append(cc.tax(label, base, percent))
    return rows


_SERVICE_TITLES = {
    "Electric": ("Electric Service", "Electricity"),
    "Gas": ("Gas Service", "Gas"),
}


def _sections(
    pick: _Pick,
    bill: _Bill,
    cc: _Charges,
    service: str,
    parts: tuple[list[_Row], list[_Row], list[_Row]],
    grouping: str,
    taxed: bool,
) -> list[_Section]:
    """One service's rows in sections; `taxed`: its own tax rows follow (else the caller adds one tax block)."""
    delivery, supply, other = parts
    intl = bill.loc.code in ("UK", "IE", "AU")
    if grouping == "type":
        out = [
            _Section("Network & Supply Charges" if intl else "Delivery Charges", delivery, ""),
            _Section("Usage Charges" if intl else "Supply Charges", supply, ""),
            _Section("Other Charges & Credits", other, ""),
        ]
    else:
        out = [_Section(_SERVICE_TITLES[service][intl], delivery + supply + other, "")]
    if taxed:
        rows = _tax_rows(pick, bill, cc, [r for r in delivery + supply + other if r.item.category is not Cat.TAX])
        if grouping == "type":
            out.append(_Section("Taxes" if intl else "Taxes & Fees", rows, ""))
        else:
            out[-1].rows += rows
    return [s for s in out if s.rows]


def _electric(pick: _Pick, bill: _Bill, cc: _Charges, kind: str, grouping: str, taxed: bool) -> list[_Section]:
    """One electricity account (kind: flat, tiered, tou, solar, commercial)."""
    rng, loc = pick.rng, bill.loc
    days = (bill.end - bill.start).days
    commercial = kind == "commercial"
    scale = 3 if days > 60 else 1
    mult = D(rng.choice((40, 80, 120, 200))) if commercial else D(1)
    raw = D(rng.randint(60, 400)) if commercial else D(rng.randint(250, 1400) * scale)
    usage = raw * mult
    registers: list[_Register] = []
    delivery: list[_Row] = []
    supply: list[_Row] = []
    other: list[_Row] = []

    def register(
        label: str, part: Decimal, period: str | None = None, direction: Direction = Direction.DELIVERED
    ) -> None:
        start, end = _reads(rng, part, 0)
        registers.append(_Register(label, part * mult, start, end, 0, 0, period, direction))

    if kind == "tou":
        sets = {
            "US": (("On-Peak", "on_peak"), ("Off-Peak", "off_peak")),
            "CA": (("On-Peak", "on_peak"), ("Mid-Peak", "mid_peak"), ("Off-Peak", "off_peak")),
            "UK": (("Day", "day"), ("Night", "night")),
            "IE": (("Day", "day"), ("Night", "night")),
            "AU": (("Peak", "peak"), ("Shoulder", "shoulder"), ("Off Peak", "off_peak")),
        }[loc.code]
        pick.choices["tou"] = "/".join(label for label, _ in sets)
        shares = [rng.randint(15, 60) for _ in sets]
        parts = [D(int(raw * s / sum(shares))) for s in shares]
        parts[-1] = raw - sum(parts[:-1], D(0))
        for (label, period), part in zip(sets, parts, strict=True):
            register(label, part, period)
    elif kind == "solar":
        names = ("Delivered", "Received") if loc.code in ("US", "CA") else ("Import", "Export")
        register(names[0], raw)
        register(names[1], D(int(raw * D(rng.randint(10, 70)) / 100)), None, Direction.RECEIVED)
    else:
        register("Total", raw)

    if loc.code in ("UK", "IE", "AU"):
        desc = {"UK": "Standing charge", "IE": "Standing Charge", "AU": "Daily Supply Charge"}[loc.code]
        delivery.append(cc.days(desc, days, _rate(rng, 4000, 13000, 4) if commercial else _rate(rng, 3500, 11000, 4)))
    else:
        desc = rng.choice(("Customer Charge", "Basic Service Charge", "Basic Charge", "Monthly Service Charge"))
        delivery += _fixed_charge(cc, bill, rng, desc, D(rng.randint(900, 9000 if commercial else 2500)) / 100)

    if loc.code in ("US", "CA"):
        billed = registers[0].quantity - registers[1].quantity if kind == "solar" else usage
        dist = rng.choice(("Distribution Charge", "Delivery Charge", "Distribution Energy Charge"))
        delivery += _energy_charge(cc, bill, rng, dist, billed, 0, "kWh", _rate(rng, 2000, 6500, 5))
        if rng.random() < 0.6:
            delivery.append(cc.metered("Transmission Charge", billed, 0, "kWh", _rate(rng, 500, 2500, 5)))
        if kind == "tou":
            rates = sorted((_rate(rng, 6000, 32000, 5) for _ in registers), reverse=True)  # peak dearest
            for reg, rate in zip(registers, rates, strict=True):
                supply.append(cc.metered(f"{reg.label} Energy", reg.quantity, 0, "kWh", rate))
        elif kind == "tiered":
            supply += _tiers(
                pick, cc, "Energy Charge", billed, "kWh", 0, range(300, 1000, 50), _rate(rng, 700, 1600, 4)
            )
        else:
            word = "Net Energy Charge" if kind == "solar" else rng.choice(("Generation Charge", "Energy Supply Charge"))
            supply.append(cc.metered(word, billed, 0, "kWh", _rate(rng, 6000, 14000, 5)))
        if kind == "solar":
            pick.choices["solar"] = "net"
        if rng.random() < 0.5:
            supply.append(cc.metered("Fuel Cost Adjustment", billed, 0, "kWh", _rate(rng, 200, 1800, 5)))
        if loc.code == "CA" and rng.random() < 0.7:
            delivery.append(cc.metered("Regulatory Charges", billed, 0, "kWh", _rate(rng, 300, 900, 5)))
    else:
        word = {"UK": "Electricity used", "IE": "Units", "AU": "General Usage"}[loc.code]
        if kind == "tou":
            rates = sorted((_rate(rng, 1200, 4500, 4) for _ in registers), reverse=True)
            for reg, rate in zip(registers, rates, strict=True):
                label = {"UK": f"{reg.label} rate", "IE": f"{reg.label} Units", "AU": f"{reg.label} Usage"}[loc.code]
                supply.append(cc.metered(label, reg.quantity, 0, "kWh", rate))
        elif kind == "tiered":
            steps = range(300 * scale, 1000 * scale, 50 * scale)
            supply += _tiers(pick, cc, word, usage, "kWh", 0, steps, _rate(rng, 1500, 2600, 4))
        else:
            supply += _energy_charge(cc, bill, rng, word, registers[0].quantity, 0, "kWh", _rate(rng, 1800, 3800, 4))
        if kind == "solar":
            pick.choices["solar"] = "feed_in"
            fit = {"UK": "Export payment", "IE": "Microgeneration Export Credit", "AU": "Solar Feed-in Credit"}[
                loc.code
            ]
            credit = _rate(rng, 300, 2100, 4)
            other.append(cc.metered(fit, registers[1].quantity, 0, "kWh", credit, sign=-1))
        if loc.code == "IE" and rng.random() < 0.8:
            supply.append(cc.fixed("PSO Levy", D(rng.choice((193, 287, 360))) * scale / 100))

    demand: Decimal | None = None
    if commercial:
        demand = D(rng.randint(150, 1800)) / 10
        desc = rng.choice(("Demand Charge", "Distribution Demand Charge", "Capacity Charge"))
        delivery.append(cc.metered(desc, demand, 1, "kW", _rate(rng, 450, 1900, 2)))
        if loc.code == "UK" and rng.random() < 0.7:
            other.append(cc.metered("Climate Change Levy", usage, 0, "kWh", _rate(rng, 700, 800, 5)))

    if pick.flag("credit_row", 0.2):
        desc = {
            "US": "Low Income Assistance Credit",
            "CA": "Ontario Electricity Rebate",
            "UK": "Warm Home Discount",
            "IE": "Electricity Costs Emergency Benefit",
            "AU": "Energy Bill Relief Fund Rebate",
        }[loc.code]
        base = sum((r.item.amount for r in delivery + supply), D(0))
        amount = D(rng.choice((2500, 7500, 15000))) / 100
        if loc.code in ("US", "CA") or amount * 3 > base:
            amount = cents(base * D(rng.randint(8, 15)) / 100)
        other.append(cc.fixed(desc, -amount))

    meter = _Meter(_meter_number(rng, loc, Commodity.ELECTRICITY), Commodity.ELECTRICITY, "Electric", "kWh", registers)
    meter.demand = demand
    meter.multiplier = mult if commercial or bill.print_mult else None
    bill.meters.append(meter)
    return _sections(pick, bill, cc, "Electric", (delivery, supply, other), grouping, taxed)


def _gas(pick: _Pick, bill: _Bill, cc: _Charges, grouping: str, taxed: bool) -> list[_Section]:
    rng, loc = pick.rng, bill.loc
    days = (bill.end - bill.start).days
    raw = D(rng.randint(15, 160) * (3 if days > 60 else 1))
    unit = pick("gas.unit", {"US": ("therms",), "CA": ("m3",), "UK": ("kWh",), "IE": ("kWh",), "AU": ("MJ",)}[loc.code])
    meter = _Meter(_meter_number(rng, loc, Commodity.GAS), Commodity.GAS, "Gas", unit, [])
    places = 0
    if unit == "therms":
        meter.factor = D(rng.randint(10150, 10850)).scaleb(-4)
        places = rng.choice((0, 1))
        meter.read_unit, meter.factor_note = "CCF", "therm factor: heat content of the gas delivered"
    elif unit == "kWh":
        cv = D(rng.randint(385, 402)) / 10
        meter.factor = _q(D("1.02264") * cv / D("3.6"), 4)
        meter.read_unit, meter.factor_note = "m3", f"volume correction 1.02264 x calorific value {cv} MJ/m3 / 3.6"
    elif unit == "MJ":
        meter.factor = D(rng.randint(3750, 3950)).scaleb(-2)
        meter.read_unit, meter.factor_note = "m3", "heating value x pressure correction factor"
    qty = _q(raw * meter.factor, places) if meter.factor is not None else raw
    start, end = _reads(rng, raw, 0)
    meter.registers = [_Register("Total", qty, start, end, 0, places)]
    meter.multiplier = D(1) if bill.print_mult else None
    bill.meters.append(meter)

    delivery: list[_Row] = []
    supply: list[_Row] = []
    other: list[_Row] = []
    if loc.code in ("US", "CA"):
        desc = rng.choice(("Customer Charge", "Basic Service Charge", "Monthly Customer Charge"))
        delivery += _fixed_charge(cc, bill, rng, desc, D(rng.randint(1000, 2600)) / 100)
        therms = unit == "therms"
        dd = "Distribution Charge" if loc.code == "US" else "Delivery to You"
        drate = _rate(rng, 20000, 60000, 5 + 1) if therms else _rate(rng, 8000, 25000, 5)
        delivery += _energy_charge(cc, bill, rng, dd, qty, places, unit, drate)
        srate = _rate(rng, 30000, 90000, 6) if therms else _rate(rng, 9000, 22000, 5)
        word = rng.choice(("Gas Supply Charge", "Natural Gas Supply", "Commodity Charge"))
        supply.append(cc.metered(word, qty, places, unit, srate))
        if rng.random() < 0.5:
            word = "Purchased Gas Adjustment" if loc.code == "US" else "Transportation Charge"
            supply.append(cc.metered(word, qty, places, unit, _rate(rng, 5000, 40000, 6)))
        if loc.code == "CA" and bill.start.year == 2024 and rng.random() < 0.7:
            other.append(cc.metered("Federal Carbon Charge", qty, places, unit, _rate(rng, 9000, 15250, 6)))
    else:
        desc = {"UK": "Standing charge", "IE": "Standing Charge", "AU": "Daily Supply Charge"}[loc.code]
        delivery.append(cc.days(desc, days, _rate(rng, 2500, 9000, 4)))
        word = {"UK": "Gas used", "IE": "Gas Units", "AU": "Gas Usage"}[loc.code]
        rate = _rate(rng, 500, 1400, 4) if unit == "kWh" else _rate(rng, 2500, 6000, 5)
        if loc.code == "AU" and rng.random() < 0.5:
            supply += _tiers(pick, cc, word, qty, unit, 0, range(1000, 8000, 500), rate)
        else:
            supply += _energy_charge(cc, bill, rng, word, qty, 0, unit, rate)
        if loc.code == "IE" and rng.random() < 0.8:
            other.append(cc.metered("Carbon Tax", qty, 0, unit, _rate(rng, 7000, 9500, 6)))
    return _sections(pick, bill, cc, "Gas", (delivery, supply, other), grouping, taxed)


_WATER_RATES = {  # unit: (read/quantity decimals, rate low, rate high, rate decimals, tier bounds)
    "gal": (0, 4000, 12000, 6, range(2000, 10000, 1000)),
    "kGal": (1, 250, 900, 2, range(2, 10)),
    "CCF": (0, 200, 700, 2, range(4, 20, 2)),
    "m3": (0, 12000, 32000, 4, range(5, 30, 5)),
    "kL": (0, 18000, 34000, 4, range(20, 100, 10)),
}


def _water(pick: _Pick, bill: _Bill, cc: _Charges, grouping: str) -> list[_Section]:
    rng, loc = pick.rng, bill.loc
    scale = 3 if (bill.end - bill.start).days > 60 else 1
    unit = pick("water.unit", {"US": ("gal", "kGal", "CCF"), "CA": ("m3",), "UK": ("m3",), "AU": ("kL",)}[loc.code])
    places, low, high, rplaces, bounds = _WATER_RATES[unit]
    if unit == "gal":
        qty = D(rng.randint(1500, 12000) * scale)
    elif unit == "kGal":
        qty = D(rng.randint(15, 120) * scale) / 10
    else:
        qty = D(rng.randint(4, 40) * scale)
    start, end = _reads(rng, qty, places)
    register = _Register("Total", qty, start, end, places, places)
    meter = _Meter(_meter_number(rng, loc, Commodity.WATER), Commodity.WATER, "Water", unit, [register])
    meter.multiplier = D(1) if bill.print_mult else None
    bill.meters.append(meter)

    words = {
        "US": ("Water Base Charge", "Water Usage", "Sewer Base Charge", "Sewer Usage", "Stormwater Utility Fee"),
        "CA": (
            "Water Fixed Charge",
            "Water Consumption",
            "Wastewater Fixed Charge",
            "Wastewater Consumption",
            "Stormwater Charge",
        ),
        "UK": (
            "Water standing charge",
            "Water supply",
            "Wastewater standing charge",
            "Wastewater",
            "Surface water drainage",
        ),
        "AU": ("Water Service Charge", "Water Usage", "Sewerage Service Charge", "Sewerage Usage", "Drainage Charge"),
    }[loc.code]
    water_rows = [cc.fixed(words[0], D(rng.randint(800, 3500) * scale) / 100)]
    if pick.flag("water.tiered", 0.4):
        water_rows += _tiers(pick, cc, words[1], qty, unit, places, bounds, _rate(rng, low, high, rplaces))
    else:
        water_rows += _energy_charge(cc, bill, rng, words[1], qty, places, unit, _rate(rng, low, high, rplaces))
    sewer_rows = [cc.fixed(words[2], D(rng.randint(900, 4000) * scale) / 100)]
    if loc.code != "AU" or rng.random() < 0.5:
        sewer_rows.append(cc.metered(words[3], qty, places, unit, _rate(rng, low, high, rplaces)))
    storm_rows = [cc.fixed(words[4], D(rng.randint(300, 1500) * scale) / 100)]
    if loc.code == "US" and rng.random() < 0.5:
        storm_rows.append(cc.fixed("Refuse Collection", D(rng.randint(1500, 3500)) / 100))
    if grouping == "type":
        t = {"US": ("Water", "Sewer", "Stormwater & Refuse"), "CA": ("Water", "Wastewater", "Stormwater")}.get(
            loc.code, ("Water", "Wastewater" if loc.code == "UK" else "Sewerage", "Drainage")
        )
        out = [_Section(t[0], water_rows, ""), _Section(t[1], sewer_rows, ""), _Section(t[2], storm_rows, "")]
    else:
        title = "Water services" if loc.code == "UK" else "Water & Sewer Services"
        out = [_Section(title, water_rows + sewer_rows + storm_rows, "")]
    if loc.code == "US" and pick.flag("water.tax", 0.3):
        out.append(_Section("Taxes & Fees", _tax_rows(pick, bill, cc, water_rows + sewer_rows + storm_rows, True), ""))
    return out


# --- planning: the account ------------------------------------------------------------------------------


def _address(rng: random.Random, loc: _Loc) -> list[str]:
    n = rng.randint(2, 980)
    street = rng.choice(loc.streets)
    place = rng.choice(loc.places)
    if loc.code == "US":
        first = f"{n} {street}" + (f" Apt {rng.randint(1, 40)}{rng.choice('ABC')}" if rng.random() < 0.25 else "")
        return [first, f"{place[0]}, {place[1]} {place[2]}"]
    if loc.code == "CA":
        first = (f"{rng.randint(101, 1204)}-" if rng.random() < 0.25 else "") + f"{n} {street}"
        return [first, f"{place[0]} {place[1]} {place[2]}"]
    if loc.code == "UK":
        flat = [f"Flat {rng.randint(1, 12)}"] if rng.random() < 0.25 else []
        return [*flat, f"{n} {street}", place[0], place[1]]
    if loc.code == "IE":
        return [f"{n} {street}", place[0], place[1], place[2]]
    first = (f"Unit {rng.randint(1, 20)}/" if rng.random() < 0.25 else "") + f"{n} {street}"
    return [first, f"{place[0]} {place[1]} {place[2]}"]


def _account(rng: random.Random, loc: _Loc) -> str:
    def digits(n: int) -> str:
        return "".join(str(rng.randint(0, 9)) for _ in range(n))

    forms = {
        "US": (
            f"{digits(4)} {digits(4)} {digits(4)}",
            f"{digits(10)}-{digits(1)}",
            f"{digits(2)}-{digits(4)}-{digits(4)}",
        ),
        "CA": (f"{digits(9)} {digits(1)}", f"{digits(4)}-{digits(5)}-{digits(3)}", digits(12)),
        "UK": (digits(10), f"{digits(4)} {digits(4)} {digits(2)}", f"A-{digits(8)}"),
        "IE": (digits(10), f"{digits(3)} {digits(3)} {digits(3)}"),
        "AU": (f"{digits(4)} {digits(3)} {digits(3)}", digits(11), f"{digits(5)} {digits(5)}"),
    }[loc.code]
    return rng.choice(forms)


_CUSTOMERS: tuple[str, ...] = (
    "JORDAN A MILLER",
    "Priya Natarajan",
    "MR D O'SULLIVAN",
    "Ms Chloe Turner",
    "Liam & Ava Chen",
)
_CUSTOMERS += ("SAMUEL OKAFOR", "Margaret Fitzgerald", "HOLLOWAY BAKERY LLC", "Nguyen Family Trust")
_KINDS = ("elec_flat", "elec_tiered", "elec_tou", "elec_solar", "gas", "dual", "water", "commercial")
_KIND_WEIGHTS = {
    "US": (14, 10, 10, 8, 12, 12, 12, 10),
    "CA": (14, 10, 10, 6, 12, 10, 10, 10),
    "UK": (16, 4, 10, 3, 12, 16, 8, 8),
    "IE": (16, 4, 12, 5, 12, 14, 0, 8),
    "AU": (14, 8, 12, 12, 10, 8, 10, 8),
}


def _plan(pick: _Pick, index: int) -> tuple[_Bill, _Style]:
    rng = pick.rng
    code = pick("locale", tuple(_LOCALES))
    loc = _LOCALES[code]
    kind = pick("kind", _KINDS, _KIND_WEIGHTS[code])
    balance = pick("balance", ("normal", "credit"), (88, 12))
    page_name = pick("page", ("LETTER", "A4"), (85, 15) if code in ("US", "CA") else (10, 90))
    font = pick("font", tuple(_FONTS), (50, 30, 20))
    st = _Style(
        font=_FONTS[font][0],
        bold=_FONTS[font][1],
        size=pick("font_size", (8.0, 8.5, 9.0, 9.5) if font != "courier" else (7.5, 8.0, 8.5)),
        page=LETTER if page_name == "LETTER" else A4,
        margin=pick("margin", (30.0, 36.0, 42.0, 50.0)),
        date_style=pick("date_format", loc.dates),
        credit_style=pick("credit_style", ("minus", "parens", "cr")),
        symbol_charges=pick.flag("symbol.charges", 0.6),
        align=pick("amount_align", ("right", "left"), (75, 25)),
        qty=pick("charges.qty", ("cell", "columns", "none"), (40, 40, 20)),
        detail_fmt=pick("charges.detail_fmt", ("x", "@", "at_per")),
        rate_symbol=pick.flag("charges.rate_symbol", 0.7),
    )
    family = {"gas": "gas", "dual": "dual", "water": "water"}.get(kind, "elec")
    provider = rng.choice(loc.names[family])
    cycle = pick(
        "billing_cycle",
        ("quarterly",) if kind == "water" else ("monthly", "quarterly"),
        None if kind == "water" else ((40, 60) if code == "AU" else (100, 0)),
    )
    start = date(2024, 1, 1) + timedelta(days=30 * (index % 18) + rng.randint(0, 3))
    end = start + timedelta(days=rng.randint(88, 92) if cycle == "quarterly" else rng.randint(27, 33))
    statement = end + timedelta(days=rng.randint(1, 6))
    due = statement + timedelta(days=rng.choice((14, 15, 20, 21, 25)))
    service = _address(rng, loc)
    mailing = pick("address.mailing", ("window_same", "window_po", "labelled_both", "service_only"))
    if mailing == "window_po" or (mailing == "labelled_both" and rng.random() < 0.6):
        mail_lines = [f"PO Box {rng.randint(10, 9999)}", *service[-1 if code in ("US", "CA", "AU") else -2 :]]
    else:
        mail_lines = list(service)
    slug = "".join(ch for ch in provider.lower().split()[0] if ch.isalpha())
    tld = {"US": ".com", "CA": ".ca", "UK": ".co.uk", "IE": ".ie", "AU": ".com.au"}[code]
    phone = {
        "US": f"1-800-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        "CA": f"1-888-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        "UK": f"0345 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        "IE": f"1800 {rng.randint(100, 999)} {rng.randint(100, 999)}",
        "AU": f"13 {rng.randint(10, 99)} {rng.randint(10, 99)}",
    }[code]
    hq = _address(rng, loc)
    bill = _Bill(
        loc=loc,
        kind=kind,
        provider=provider,
        provider_lines=[
            hq[-3] if code in ("UK", "IE") and len(hq) > 3 else hq[0],
            ", ".join(hq[-2:]) if code in ("UK", "IE") else hq[-1],
        ],
        phone=phone,
        web=f"www.{slug}{tld}",
        account=_account(rng, loc),
        customer=rng.choice(_CUSTOMERS),
        service_lines=service,
        mailing_lines=mail_lines,
        start=start,
        end=end,
        statement=statement,
        due=due,
    )
    bill.prorate = pick("prorate", ("none", "fixed", "metered"), (70, 15, 15))
    bill.print_mult = pick.flag("meter.mult", 0.35)
    estimated = pick.flag("estimated", 0.2)
    cc = _Charges(loc, st)
    grouping = pick("charges.grouping", ("type", "service", "flat"), (45, 40, 15))
    g = "service" if grouping == "flat" else grouping
    if kind == "gas":
        bill.sections = _gas(pick, bill, cc, g, True)
    elif kind == "water":
        bill.sections = _water(pick, bill, cc, g)
    elif kind == "dual":
        vat_per_fuel = code in ("UK", "IE") and pick.flag("dual.tax_per_fuel", 0.5)
        elec = _electric(pick, bill, cc, "flat", "service", vat_per_fuel)
        gas = _gas(pick, bill, cc, "service", vat_per_fuel)
        bill.sections = elec + gas
        if not vat_per_fuel:
            taxes = _tax_rows(
                pick, bill, cc, [r for s in bill.sections for r in s.rows if r.item.category is not Cat.TAX]
            )
            bill.sections.append(_Section("Taxes" if code in ("UK", "IE", "AU") else "Taxes & Fees", taxes, ""))
    else:
        bill.sections = _electric(pick, bill, cc, kind.removeprefix("elec_"), g, True)
    if bill.prorate != "none" and not bill.prorated:
        pick.choices["prorate"] = f"{bill.prorate} (not applicable)"
    for m in bill.meters:
        m.estimated = estimated
    if grouping == "flat":
        bill.sections = [_Section("", [r for s in bill.sections for r in s.rows], "")]
    subtotals = pick.flag("charges.subtotals", 0.8) and grouping != "flat"
    label = pick("charges.subtotal_label", ("Total {}", "{} Subtotal", "Subtotal"))
    for sec in bill.sections:
        if subtotals:
            sec.subtotal = label.format(sec.title)

    # account activity
    total = bill.total
    if balance == "credit":
        pick.choices["adjustment"] = "none"
        if rng.random() < 0.5:
            bill.previous = -(total + D(rng.randint(500, 20000)) / 100)
            pick.choices["payments"] = "none"
        else:
            bill.previous = D(rng.randint(3000, 30000)) / 100
            paid = bill.previous + total + D(rng.randint(500, 15000)) / 100
            bill.payments = [(statement - timedelta(days=rng.randint(8, 25)), paid)]
            pick.choices["payments"] = "one (overpaid)"
    else:
        bill.previous = D(rng.randint(2000, 40000)) / 100
        n = pick("payments", ("none", "one", "two"), (10, 70, 20))
        paid = bill.previous if rng.random() < 0.75 else cents(bill.previous * D(rng.randint(20, 90)) / 100)
        d1 = start + timedelta(days=rng.randint(3, 20))
        if n == "one":
            bill.payments = [(d1, paid)]
        elif n == "two":
            part = cents(paid * D(rng.randint(30, 70)) / 100)
            bill.payments = [(d1, part), (d1 + timedelta(days=rng.randint(2, 9)), paid - part)]
        adj = pick("adjustment", ("none", "late_charge", "returned_fee", "credit_adjustment"), (84, 8, 3, 5))
        if adj == "late_charge":
            bill.adjustment = ("Late Payment Charge", max(D("1.50"), cents(bill.previous * D("0.015"))))
        elif adj == "returned_fee":
            bill.adjustment = ("Returned Payment Fee", D(rng.choice((1500, 2500, 3000))) / 100)
        elif adj == "credit_adjustment":
            bill.adjustment = ("Account Adjustment", -D(rng.randint(200, 4000)) / 100)
        if bill.amount_due <= 0:  # a normal bill stays a bill to pay
            bill.adjustment = None
            pick.choices["adjustment"] = "none (dropped)"
    if code == "UK":
        bill.supply_id = (
            f"MPAN {rng.randint(10, 30)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(100, 999)}"
        )
    elif code == "IE":
        bill.supply_id = f"MPRN {rng.randint(10000000000, 10099999999)}"
    elif code == "AU":
        bill.supply_id = f"NMI {rng.randint(6000000000, 6999999999)}"
    elif code == "US" and rng.random() < 0.5:
        bill.supply_id = f"ESI ID {rng.randint(10**16, 10**17 - 1)}"
    return bill, st


# --- truth ----------------------------------------------------------------------------------------------


def _truth(bill: _Bill) -> NormalizedBill:
    usage: list[UsageRead] = []
    demand: list[DemandRead] = []
    for m in bill.meters:
        for reg in m.registers:
            usage.append(
                UsageRead(
                    commodity=m.commodity,
                    quantity=reg.quantity,
                    unit=m.unit,
                    meter_number=m.number,
                    read_type=ReadType.ESTIMATED if m.estimated else ReadType.ACTUAL,
                    start_read=reg.start,
                    end_read=reg.end,
                    multiplier=m.multiplier,
                    period=reg.period,
                    conversion_factor=m.factor,
                    read_unit=m.read_unit,
                    direction=reg.direction,
                )
            )
        if m.demand is not None:
            demand.append(DemandRead(meter_number=m.number, quantity=m.demand, unit="kW"))
    return NormalizedBill(
        provider=bill.provider,
        account_number=bill.account,
        service_address=", ".join(bill.service_lines),
        statement_date=bill.statement,
        due_date=bill.due,
        bill_period_start=bill.start,
        bill_period_end=bill.end,
        currency=bill.loc.currency,
        total_amount=bill.total,
        amount_due=bill.amount_due,
        previous_balance=bill.previous,
        payments_and_credits=bill.paid,
        adjustments=bill.adjustment[1] if bill.adjustment else None,
        line_items=bill.items,
        usage=usage,
        demand=demand,
    )


# --- drawing ----------------------------------------------------------------------------------------------


class _Pen:
    """Draws on a canvas, or only measures and paginates when there is none."""

    def __init__(self, canvas: Canvas | None, st: _Style) -> None:
        self.canvas = canvas
        self.st = st
        self.page = 1

    def text(
        self, x: float, y: float, s: str, size: float | None = None, bold: bool = False, align: str = "left"
    ) -> None:
        if self.canvas is None or not s:
            return
        font = self.st.bold if bold else self.st.font
        size = size or self.st.size
        self.canvas.setFont(font, size)
        if align == "right":
            self.canvas.drawRightString(x, y, s)
        elif align == "center":
            self.canvas.drawCentredString(x, y, s)
        else:
            self.canvas.drawString(x, y, s)

    def width(self, s: str, size: float | None = None, bold: bool = False) -> float:
        return stringWidth(s, self.st.bold if bold else self.st.font, size or self.st.size)

    def line(self, x1: float, y1: float, x2: float, y2: float, dash: bool = False, w: float = 0.5) -> None:
        if self.canvas is None:
            return
        self.canvas.setLineWidth(w)
        if dash:
            self.canvas.setDash(4, 3)
        self.canvas.line(x1, y1, x2, y2)
        self.canvas.setDash()

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: tuple[float, float, float] | None = None,
        stroke: bool = True,
    ) -> None:
        if self.canvas is None:
            return
        if fill:
            self.canvas.setFillColorRGB(*fill)
        self.canvas.setLineWidth(0.6)
        self.canvas.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)
        self.canvas.setFillColorRGB(0, 0, 0)

    def mono(self, x: float, y: float, s: str, size: float) -> None:
        if self.canvas is not None:
            self.canvas.setFont("Courier", size)
            self.canvas.drawString(x, y, s)

    def fit(self, s: str, room: float, size: float, bold: bool = False) -> float:
        """The largest size up to `size` at which s fits in `room` points."""
        while self.width(s, size, bold) > room and size > 5.5:
            size -= 0.5
        return size

    def fill_color(self, rgb: tuple[float, float, float]) -> None:
        if self.canvas is not None:
            self.canvas.setFillColorRGB(*rgb)

    def new_page(self) -> None:
        if self.canvas is not None:
            self.canvas.showPage()
        self.page += 1


_FILLS = {"grey": (0.88, 0.88, 0.88), "yellow": (1.0, 0.95, 0.7), "blue": (0.85, 0.91, 1.0), "none": None}


class _Doc:
    def __init__(self, bill: _Bill, st: _Style, pick: _Pick, canvas: Canvas | None, pages: int) -> None:
        self.b = bill
        self.st = st
        self.c = pick.choices
        self.pen = _Pen(canvas, st)
        self.pages = pages
        self.w, self.h = st.page
        self.left = st.margin
        self.right = self.w - st.margin
        self.y = self.h - st.margin
        self.lead = st.size * 1.45

    # formatting
    def d(self, value: date) -> str:
        return _fmt_date(value, self.st.date_style)

    def money(self, value: Decimal, symbol: bool = True) -> str:
        text = f"{self.b.loc.symbol if symbol else ''}{abs(value):,.2f}"
        if value >= 0:
            return text
        style = self.st.credit_style
        return f"-{text}" if style == "minus" else f"({text})" if style == "parens" else f"{text} CR"

    # page furniture
    def footer(self) -> None:
        pen = self.pen
        size = self.st.size - 1.5
        pen.text(self.right, self.st.margin - 14, f"Page {pen.page} of {self.pages}", size, align="right")
        if self.c.get("service_box") == "no" or pen.page > 1:
            pen.text(self.left, self.st.margin - 14, f"{self.b.provider}  |  {self.b.web}", size)

    def next_page(self) -> None:
        self.footer()
        self.pen.new_page()
        self.y = self.h - self.st.margin
        if self.c.get("page_header") == "yes":
            self.pen.text(self.left, self.y, self.b.provider, self.st.size + 1, bold=True)
            self.pen.text(self.right, self.y, f"Account {self.b.account}", align="right")
            self.y -= 8
            self.pen.line(self.left, self.y, self.right, self.y)
            self.y -= self.lead * 1.5

    def need(self, height: float, bottom: float | None = None) -> bool:
        """Starts a new page when fewer than height points are left; True when it did."""
        if self.y - height < (bottom if bottom is not None else self.st.margin + 4):
            self.next_page()
            return True
        return False

    # page 1
    def header(self, pick: _Pick) -> None:
        b, pen, st = self.b, self.pen, self.st
        style = pick("layout.header", ("left", "centered", "banner"))
        psize = pick("layout.provider_size", (14.0, 16.0, 18.0, 22.0))
        la = pick("label.account", ("Account Number", "Account No.", "Account #", "Customer Account"))
        ls = pick("label.statement", ("Statement Date", "Bill Date", "Date of Bill", "Issue Date"))
        ld = pick("label.due", ("Due Date", "Payment Due Date", "Please Pay By", "Pay By"))
        lp = pick("label.period", ("Billing Period", "Service Period", "Billing Period From", "Period"))
        sep = pick("period_sep", ("-", "to", "through") if b.loc.code == "US" else ("-", "to"))
        days = pick.flag("period_days", 0.4)
        period = f"{self.d(b.start)} {sep} {self.d(b.end)}"
        if days:
            period += f" ({(b.end - b.start).days} days)"
        facts = [(la, b.account), (ls, self.d(b.statement)), (lp, period), (ld, self.d(b.due))]
        top = self.y
        if style == "banner":
            band = psize + 16
            pen.rect(0, self.h - band - 8, self.w, band + 8, fill=(0.12, 0.25, 0.45), stroke=False)
            pen.fill_color((1, 1, 1))
            pen.text(self.left, self.h - band + 2, b.provider, psize, bold=True)
            pen.text(self.right, self.h - band + 2, f"{b.phone}  {b.web}", st.size, align="right")
            pen.fill_color((0, 0, 0))
            self.y = self.h - band - 8 - self.lead * 1.6
            fy = self.y
            for label, value in facts:
                pen.text(self.left, fy, f"{label}:", bold=True)
                pen.text(self.left + 120, fy, value)
                fy -= self.lead
            self.y = fy - self.lead * 0.5
        elif style == "centered":
            pen.text(self.w / 2, top - psize, b.provider, psize, bold=True, align="center")
            pen.text(
                self.w / 2,
                top - psize - self.lead,
                f"{b.provider_lines[0]}, {b.provider_lines[1]}",
                st.size - 0.5,
                align="center",
            )
            y = top - psize - self.lead * 2 - 4
            pen.line(self.left, y, self.right, y)
            y -= self.lead
            cols = len(facts)
            cw = (self.right - self.left) / cols
            for i, (label, value) in enumerate(facts):
                x = self.left + i * cw + 2
                pen.text(x, y, label, pen.fit(label, cw - 6, st.size - 0.5, True), bold=True)
                pen.text(x, y - self.lead, value, pen.fit(value, cw - 6, st.size))
            y -= self.lead * 1.5
            pen.line(self.left, y, self.right, y)
            self.y = y - self.lead * 1.2
        else:
            pen.text(self.left, top - psize, b.provider, psize, bold=True)
            y = top - psize - self.lead
            for line in [*b.provider_lines, b.phone]:
                pen.text(self.left, y, line, st.size - 0.5)
                y -= self.lead * 0.9
            x0 = self.left + (self.right - self.left) * 0.5
            fy = top - 4
            for label, value in facts:
                pen.text(x0, fy, label, bold=True)
                room = self.right - x0 - pen.width(label, bold=True) - 10
                pen.text(self.right, fy, value, pen.fit(value, room, st.size), align="right")
                fy -= self.lead
            self.y = min(y, fy) - self.lead

    def addresses(self, pick: _Pick) -> None:
        b, pen = self.b, self.pen
        mode = self.c["address.mailing"]
        inline = pick("address.service_style", ("block", "inline"), (60, 40)) == "inline"
        ls = pick("label.service", ("Service Address", "Service Location", "Premises Address", "Supply Address"))
        y0 = self.y
        y = y0
        if mode in ("window_same", "window_po"):
            for line in [b.customer, *b.mailing_lines]:
                pen.text(self.left + 18, y, line)
                y -= self.lead
        elif mode == "labelled_both":
            pen.text(self.left, y, "Mailing Address", bold=True)
            y -= self.lead
            for line in [b.customer, *b.mailing_lines]:
                pen.text(self.left, y, line)
                y -= self.lead
        else:
            pen.text(self.left, y, f"Customer: {b.customer}")
            y -= self.lead
        x = self.left + (self.right - self.left) * 0.5 if mode != "service_only" else self.left
        sy = y0 if mode != "service_only" else y - 2
        if inline:
            text = f"{ls}: {', '.join(b.service_lines)}"
            pen.text(x, sy, text, pen.fit(text, self.right - x, self.st.size))
            sy -= self.lead
        else:
            pen.text(x, sy, ls, bold=True)
            sy -= self.lead
            for line in b.service_lines:
                pen.text(x, sy, line)
                sy -= self.lead
        if b.supply_id and pick.flag("meter.supply_id", 0.6):
            pen.text(x, sy, b.supply_id)
            sy -= self.lead
        self.y = min(y, sy) - self.lead * 0.8

    def summary(self, pick: _Pick) -> None:
        b, pen, st = self.b, self.pen, self.st
        style = pick("summary.style", ("box", "lines"))
        position = pick("summary.position", ("left", "full"))
        fwd = pick.flag("summary.balance_forward", 0.6)
        dates = pick.flag("summary.payment_dates", 0.7)
        sign = pick("summary.payment_sign", ("credit", "plain"), (70, 30))
        uk = b.loc.code in ("UK", "IE", "AU")
        lprev = pick(
            "label.previous",
            ("Previous Balance", "Balance from Last Bill", "Opening Balance" if uk else "Last Bill Amount"),
        )
        lpay = pick("label.payment", ("Payment Received", "Payment - Thank You", "Payments Received", "Payment"))
        lnew = pick(
            "label.new_charges", ("New Charges", "Current Charges", "Total New Charges", "This Period's Charges")
        )
        ldue = pick(
            "label.amount_due", ("Total Amount Due", "Amount Due", "Total Due", "Total to Pay" if uk else "Please Pay")
        )
        rows: list[tuple[str, str, bool]] = [(lprev, self.money(b.previous), False)]
        if not b.payments:
            rows.append((lpay if sign == "credit" else "Payments", self.money(D(0)), False))
        for when, paid in b.payments:
            label = lpay if sign == "credit" else "Payments"
            if dates:
                label = f"{label} {self.d(when)}"
            rows.append((label, self.money(-paid if sign == "credit" else paid), False))
        if b.adjustment:
            rows.append((b.adjustment[0], self.money(b.adjustment[1]), False))
        if fwd:
            rows.append(("Balance Forward", self.money(b.forward), False))
        rows.append((lnew, self.money(b.total), False))
        rows.append((ldue, self.money(b.amount_due), True))
        box_w = (self.right - self.left) * (0.56 if position == "left" else 1.0)
        x0, x1 = self.left, self.left + box_w
        top = self.y
        pen.text(x0 + 4, top, "Account Summary" if not uk else "Your Account Summary", st.size + 1.5, bold=True)
        y = top - self.lead * 1.3
        if style == "box":
            height = self.lead * len(rows) + 6
            pen.rect(x0, y - height + self.lead - 2, box_w, height)
        for label, amount, bold in rows:
            if bold and style == "box":
                pen.line(x0, y + self.lead - 3, x1, y + self.lead - 3)
            pen.text(x0 + 6, y, label, bold=bold)
            pen.text(x1 - 6, y, amount, bold=bold, align="right")
            y -= self.lead
        bottom = y
        # amount due box
        fill = _FILLS[pick("amount_due_box", tuple(_FILLS))]
        if position == "left":
            bx, bw, by_top = x1 + 14, self.right - x1 - 14, top
        else:
            bx, bw, by_top = self.left + (self.right - self.left) * 0.4, (self.right - self.left) * 0.6, bottom - 6
        bh = st.size * 6.4
        pen.rect(bx, by_top - bh, bw, bh, fill=fill)
        credit = b.amount_due < 0
        title = "Credit Balance" if credit else ldue
        pen.text(bx + bw / 2, by_top - st.size * 1.6, title, st.size + 1, bold=True, align="center")
        pen.text(bx + bw / 2, by_top - st.size * 3.7, self.money(b.amount_due), st.size + 7, bold=True, align="center")
        note = (
            "Do not pay. Your credit will be applied to your next bill."
            if credit
            else f"{self.c['label.due']} {self.d(b.due)}"
        )
        pen.text(bx + bw / 2, by_top - st.size * 5.4, note, pen.fit(note, bw - 6, st.size - 0.5), align="center")
        self.y = min(bottom, by_top - bh) - self.lead

    def breakdown(self, pick: _Pick) -> None:
        if not pick.flag("p1_breakdown", 0.35):
            return
        b, pen = self.b, self.pen
        pen.text(self.left, self.y, "Summary of New Charges", bold=True)
        self.y -= self.lead
        for sec in b.sections:
            amount = sum((r.item.amount for r in sec.rows), D(0))
            pen.text(self.left + 8, self.y, sec.title or "Current charges")
            pen.text(self.left + 250, self.y, self.money(amount), align="right")
            self.y -= self.lead
        self.y -= self.lead * 0.5

    def notices(self, pick: _Pick, limit: float) -> None:
        b, pen, st = self.b, self.pen, self.st
        sym = b.loc.symbol
        lines: list[str] = []
        fee = max(D("5.00"), cents(b.total * D("0.015")))
        if b.amount_due > 0 and pick.flag("notice.late", 0.45):
            when = self.d(b.due)
            lines.append(
                f"A late payment charge of {sym}{_num(fee, 2)} will apply if payment is not received by {when}."
            )
        if b.amount_due > 0 and pick.flag("notice.after_due", 0.35):
            lines.append(f"Amount due after {self.d(b.due)}: {sym}{_num(b.amount_due + fee, 2)}")
        pool = [
            f"Thank you for your payment of {sym}{_num(b.payments[-1][1], 2)}."
            if b.payments
            else "Pay online, by phone or by mail.",
            f"Go paperless and manage your account online at {b.web}.",
            "Call before you dig: dial 811 at least two business days before any excavation."
            if b.loc.code in ("US", "CA")
            else "Set up Direct Debit and never miss a payment.",
            f"Your next meter reading is scheduled on or about {self.d(b.end + timedelta(days=30))}.",
            "Report outages or emergencies 24 hours a day.",
            f"Payment plans are available. Call {b.phone} to speak with us.",
        ]
        n = pick("messages", (0, 1, 2, 3))
        lines += pick.rng.sample(pool, n)
        if pick.flag("service_box", 0.6):
            lines += [
                f"Customer Service: {b.phone}   Mon-Fri 8am-6pm",
                f"Online: {b.web}",
                f"Emergencies: {b.phone.rsplit(' ', 1)[0]} 9999",
            ]
        for line in lines:
            if self.y - self.lead < limit:
                break
            pen.text(self.left, self.y, line, pen.fit(line, self.right - self.left, st.size - 0.5))
            self.y -= self.lead

    def stub(self, bottom: float) -> None:
        """The remittance stub below a dashed tear line, from `bottom` upward."""
        b, pen, st = self.b, self.pen, self.st
        top = bottom + _STUB_H
        pen.line(0, top, self.w, top, dash=True)
        pen.text(
            self.w / 2,
            top - self.lead,
            "Please detach and return this portion with your payment",
            st.size - 1,
            align="center",
        )
        y = top - self.lead * 2.5
        pen.text(self.left, y, b.provider, st.size + 1, bold=True)
        rows = [
            (self.c["label.account"], b.account),
            (self.c["label.due"], self.d(b.due)),
            ("Amount Due", self.money(b.amount_due)),
        ]
        x = self.left + (self.right - self.left) * 0.52
        yy = y
        for label, value in rows:
            pen.text(x, yy, label)
            pen.text(self.right, yy, value, align="right")
            yy -= self.lead
        if self.c.get("stub.amount_box") == "yes":
            pen.rect(x, yy - self.lead - 4, self.right - x, self.lead + 10)
            pen.text(x + 4, yy - self.lead + 1, f"Amount Enclosed {b.loc.symbol}______________")
        ly = y - self.lead * 1.5
        for line in [b.customer, *b.mailing_lines]:
            pen.text(self.left, ly, line, st.size - 0.5)
            ly -= self.lead * 0.95
        digits = "".join(ch for ch in b.account if ch.isdigit())
        due_cents = int(abs(b.amount_due) * 100)
        check = sum(int(ch) for ch in digits + str(due_cents)) % 10
        scan = f"{digits:0>14} {b.due:%m%d%y} {due_cents:0>10} {check}"
        pen.mono(self.left + 20, bottom + 8, scan, 10)

    # detail pages
    def charges(self, pick: _Pick) -> None:
        b, pen, st = self.b, self.pen, self.st
        heading = pick(
            "charges.heading",
            ("Detail of Current Charges", "Your Charges in Detail", "Charges This Period", "Itemized Charges"),
        )
        total_label = pick(
            "charges.total_label",
            ("Total New Charges", "Total Current Charges", "Total Charges This Period", "Total Amount of This Bill"),
        )
        sym = st.symbol_charges
        qty = st.qty
        cols: list[tuple[str, str]] = [("Description", "left")]
        if qty == "cell":
            cols.append(("Details", "left"))
        elif qty == "columns":
            cols += [("Quantity", "right"), ("Rate", "right")]
        cols.append(("Amount", st.align))

        def cells(row: _Row) -> list[str]:
            out = [row.item.description]
            if qty == "cell":
                if row.qty:
                    fmt = st.detail_fmt
                    if fmt == "x":
                        out.append(f"{row.qty} x {row.rate}")
                    elif fmt == "@":
                        out.append(f"{row.qty} @ {row.rate}")
                    else:
                        out.append(f"{row.qty} at {row.rate} per {row.per or row.qty.split()[-1]}")
                else:
                    out.append("")
            elif qty == "columns":
                out += [row.qty, row.rate]
            out.append(self.money(row.item.amount, sym))
            return out

        body: list[tuple[str, list[str]]] = []
        for sec in b.sections:
            if sec.title:
                body.append(("section", [sec.title]))
            body += [("item", cells(r)) for r in sec.rows]
            if sec.subtotal:
                amount = sum((r.item.amount for r in sec.rows), D(0))
                body.append(("subtotal", [sec.subtotal, *[""] * (len(cols) - 2), self.money(amount, sym)]))
        body.append(("total", [total_label, *[""] * (len(cols) - 2), self.money(b.total, True)]))
        self.need(self.lead * 5)
        pen.text(self.left, self.y, heading, st.size + 2, bold=True)
        self.y -= self.lead * 1.5
        self.table(cols, body)

    def table(self, cols: list[tuple[str, str]], body: list[tuple[str, list[str]]]) -> None:
        pen, st = self.pen, self.st
        size = st.size
        avail = self.right - self.left
        while True:
            widths = [pen.width(h, size, True) for h, _ in cols]
            for kind, row in body:
                if kind == "section":
                    continue
                for i, cell in enumerate(row):
                    if kind in ("subtotal", "total") and i == 0:
                        continue
                    widths[i] = max(widths[i], pen.width(cell, size, kind != "item"))
            widths = [w + 12 for w in widths]
            if sum(widths) <= avail or size <= 5.5:
                break
            size -= 0.5
        # the first column takes what is left
        widths[0] += avail - sum(widths)
        xs = [self.left]
        for w in widths[:-1]:
            xs.append(xs[-1] + w)
        lead = size * 1.45

        def draw_header() -> None:
            for (h, align), x, w in zip(cols, xs, widths, strict=True):
                pen.text(
                    x + w - 4 if align == "right" else x + 2,
                    self.y,
                    h,
                    size,
                    True,
                    "right" if align == "right" else "left",
                )
            pen.line(self.left, self.y - 3, self.right, self.y - 3)
            self.y -= lead * 1.2

        draw_header()
        for kind, row in body:
            if self.need(lead * (2 if kind == "section" else 1)):
                draw_header()
            if kind == "section":
                self.y -= lead * 0.3
                pen.text(self.left + 2, self.y, row[0], size + 0.5, True)
            else:
                bold = kind != "item"
                if kind == "total":
                    pen.line(self.left, self.y + lead - 3, self.right, self.y + lead - 3, w=0.8)
                for i, ((_, align), x, w, cell) in enumerate(zip(cols, xs, widths, row, strict=True)):
                    indent = 10 if i == 0 and kind == "item" else 2
                    if align == "right":
                        pen.text(x + w - 4, self.y, cell, size, bold, "right")
                    else:
                        pen.text(x + indent, self.y, cell, size, bold)
            self.y -= lead
        self.y -= lead * 0.8

    def meters(self, pick: _Pick) -> None:
        b, pen, st = self.b, self.pen, self.st
        style = pick("meter.style", ("table", "block"))
        marker = pick("meter.marker", ("suffix", "column", "letter", "none"))
        if marker == "none":
            for m in b.meters:
                m.estimated = False
        show_dates = pick.flag("meter.dates", 0.6)
        cv = pick.flag("meter.cv_note", 0.5)
        self.need(self.lead * 6)
        heading = pick("meter.heading", ("Meter Reading Information", "Meter Readings", "Your Meter Details"))
        pen.text(self.left, self.y, heading, st.size + 2, bold=True)
        self.y -= self.lead * 1.5
        word = "Estimated" if any(m.estimated for m in b.meters) else "Actual"

        def read(value: Decimal, places: int, m: _Meter) -> str:
            text = _num(value, places)
            if marker == "suffix":
                return f"{text} ({'E' if m.estimated else 'A'})"
            return text

        if style == "table":
            registers = any(reg.label != "Total" for m in b.meters for reg in m.registers)
            cols: list[tuple[str, str]] = [("Meter", "left"), ("Service", "left")]
            if registers:
                cols.append(("Register", "left"))
            if show_dates:
                cols += [("From", "left"), ("To", "left")]
            cols += [("Previous Read", "right"), ("Current Read", "right")]
            if marker in ("column", "letter"):
                cols.append(("Read Type", "left"))
            if any(m.multiplier is not None for m in b.meters):
                cols.append(("Multiplier", "right"))
            if any(m.factor is not None for m in b.meters):
                cols.append(("Factor", "right"))
            cols.append(("Usage", "right"))
            body: list[tuple[str, list[str]]] = []
            for m in b.meters:
                for reg in m.registers:
                    cells = [m.number, m.service]
                    if registers:
                        cells.append(reg.label if reg.label != "Total" else "")
                    if show_dates:
                        cells += [
                            _fmt_date(b.start, "mdy" if not b.loc.day_first else "dmy"),
                            _fmt_date(b.end, "mdy" if not b.loc.day_first else "dmy"),
                        ]
                    cells += [read(reg.start, reg.read_places, m), read(reg.end, reg.read_places, m)]
                    if marker == "column":
                        cells.append("Estimated" if m.estimated else "Actual")
                    elif marker == "letter":
                        cells.append("E" if m.estimated else "A")
                    if any(x.multiplier is not None for x in b.meters):
                        cells.append(_num(m.multiplier, 0) if m.multiplier is not None else "")
                    if any(x.factor is not None for x in b.meters):
                        cells.append(f"{m.factor}" if m.factor is not None else "")
                    cells.append(f"{_num(reg.quantity, reg.qty_places)} {m.unit}")
                    body.append(("item", cells))
            self.table(cols, body)
            for m in b.meters:
                if m.read_unit:
                    note = f"Meter {m.number} reads in {m.read_unit}: {m.read_unit} x {m.factor} = {m.unit}"
                    if cv:
                        note += f" ({m.factor_note})"
                    pen.text(self.left, self.y, note, st.size - 1)
                    self.y -= self.lead
                if m.demand is not None:
                    pen.text(self.left, self.y, f"Maximum Demand (meter {m.number}): {_num(m.demand, 1)} kW")
                    self.y -= self.lead
        else:
            for m in b.meters:
                for reg in m.registers:
                    lines = [f"{m.service} meter {m.number}" + (f" - {reg.label}" if reg.label != "Total" else "")]
                    d0, d1 = (f" {self.d(b.start)}", f" {self.d(b.end)}") if show_dates else ("", "")
                    prev = f"Previous reading{d0}: {read(reg.start, reg.read_places, m)}"
                    cur = f"Current reading{d1}: {read(reg.end, reg.read_places, m)}"
                    if marker == "column":
                        cur += f"  {'Estimated' if m.estimated else 'Actual'}"
                    elif marker == "letter":
                        cur += f"  {'E' if m.estimated else 'A'}"
                    lines += [prev, cur]
                    if m.multiplier is not None:
                        lines.append(f"Multiplier: {_num(m.multiplier, 0)}")
                    diff = reg.end - reg.start
                    if m.read_unit:
                        billed = f"{_num(reg.quantity, reg.qty_places)} {m.unit}"
                        lines.append(f"Usage: {_num(diff, reg.read_places)} {m.read_unit} x {m.factor} = {billed}")
                        if cv:
                            lines.append(f"({m.factor_note})")
                    else:
                        lines.append(f"Usage: {_num(reg.quantity, reg.qty_places)} {m.unit}")
                    self.need(self.lead * (len(lines) + 1))
                    for i, line in enumerate(lines):
                        pen.text(self.left + (0 if i == 0 else 12), self.y, line, bold=i == 0)
                        self.y -= self.lead
                    self.y -= self.lead * 0.4
                if m.demand is not None:
                    pen.text(self.left + 12, self.y, f"Maximum Demand: {_num(m.demand, 1)} kW")
                    self.y -= self.lead * 1.4
        if marker == "letter":
            pen.text(self.left, self.y, "Read type: A = Actual, E = Estimated", st.size - 1)
            self.y -= self.lead
        if word == "Estimated":
            pen.text(self.left, self.y, "Your meter was not read this period. Usage has been estimated.", st.size - 1)
            self.y -= self.lead
        self.y -= self.lead * 0.6

    def history(self, pick: _Pick) -> None:
        b, pen, st = self.b, self.pen, self.st
        mode = pick("history", ("none", "table", "chart"), (30, 35, 35))
        comparison = pick.flag("comparison", 0.55)
        m = b.meters[0]
        qty = sum((r.quantity for r in m.registers if r.direction is Direction.DELIVERED), D(0))
        rng = pick.rng
        days = (b.end - b.start).days
        if mode != "none":
            months = []
            for i in range(12, -1, -1):
                month = (b.end.month - 1 - i) % 12
                year = b.end.year + (b.end.month - 1 - i) // 12
                value = qty if i == 0 else _q(qty * D(rng.randint(60, 140)) / 100, 0)
                months.append((f"{_MONTHS[month][:3]} {str(year)[2:]}", value))
            height = 110 if mode == "chart" else self.lead * 4
            self.need(height + self.lead * 2)
            pen.text(self.left, self.y, f"Your Usage History ({m.unit})", st.size + 1, bold=True)
            self.y -= self.lead * 1.4
            avail = self.right - self.left
            cw = avail / 13
            size = st.size - 1.5
            if mode == "table":
                for i, (label, value) in enumerate(months):
                    x = self.left + i * cw + cw - 3
                    pen.text(x, self.y, label, size, True, "right")
                    pen.text(x, self.y - self.lead, _num(value, 0), size, False, "right")
                self.y -= self.lead * 2.6
            else:
                top = max(v for _, v in months) or D(1)
                base = self.y - 90
                for i, (label, value) in enumerate(months):
                    x = self.left + i * cw + 3
                    h = float(value / top) * 70
                    pen.rect(x, base, cw - 6, h, fill=(0.55, 0.6, 0.7) if i < 12 else (0.1, 0.3, 0.6), stroke=False)
                    pen.text(x + (cw - 6) / 2, base + h + 2, _num(value, 0), size - 0.5, False, "center")
                    pen.text(x + (cw - 6) / 2, base - size - 2, label, size - 0.5, False, "center")
                self.y = base - size * 2 - self.lead
        if comparison:
            last = _q(qty * D(rng.randint(70, 130)) / 100, 0)
            temp = rng.randint(28, 85) if b.loc.code == "US" else rng.randint(-5, 28)
            unit = "F" if b.loc.code == "US" else "C"
            rows = [
                ("", "This Period", "Last Year"),
                ("Days in period", str(days), str(days + rng.choice((-1, 0, 1)))),
                (f"Average daily use ({m.unit})", _num(_q(qty / days, 1), 1), _num(_q(last / days, 1), 1)),
                (f"Average temperature ({unit})", str(temp), str(temp + rng.randint(-6, 6))),
                (f"Total use ({m.unit})", _num(qty, 0), _num(last, 0)),
            ]
            self.need(self.lead * 7)
            for i, (a, c1, c2) in enumerate(rows):
                pen.text(self.left, self.y, a, bold=i == 0)
                pen.text(self.left + 260, self.y, c1, bold=i == 0, align="right")
                pen.text(self.left + 340, self.y, c2, bold=i == 0, align="right")
                self.y -= self.lead
            self.y -= self.lead * 0.6

    def render(self, pick: _Pick) -> None:
        stub = self.c["stub"]
        stub_bottom = self.st.margin + 2
        page1_floor = stub_bottom + _STUB_H + 6 if stub == "page1" else self.st.margin + 4
        self.header(pick)
        self.addresses(pick)
        self.summary(pick)
        self.breakdown(pick)
        self.notices(pick, page1_floor)
        if stub == "page1":
            self.stub(stub_bottom)
        self.next_page()
        order = self.c["details.order"]
        brk = self.c["details.break"] == "yes"
        if order == "charges_first":
            self.charges(pick)
            if brk:
                self.next_page()
            self.meters(pick)
            self.history(pick)
        else:
            self.meters(pick)
            self.history(pick)
            if brk:
                self.next_page()
            self.charges(pick)
        if stub == "last":
            if self.y - _STUB_H - 10 < self.st.margin:
                self.next_page()
            self.stub(stub_bottom)
        self.footer()


_STUB_H = 118.0


def _layout_pick(bill: _Bill, st: _Style, choices: dict[str, str], seed: str) -> Callable[[Canvas | None, int], _Doc]:
    def make(canvas: Canvas | None, pages: int) -> _Doc:
        pick = _Pick(random.Random(seed), choices)  # noqa: S311 - reproducible test data
        doc = _Doc(bill, st, pick, canvas, pages)
        doc.render(pick)
        return doc

    return make


def fourth_bill(index: int, seed: int = 1) -> WildBill:
    rng = random.Random(f"fourth:{seed}:{index}")  # noqa: S311 - reproducible test data, not secrets
    choices: dict[str, str] = {}
    pick = _Pick(rng, choices)
    bill, st = _plan(pick, index)
    pick("stub", ("none", "page1", "last"), (25, 45, 30))
    pick.flag("stub.amount_box", 0.7)
    pick("details.order", ("charges_first", "meters_first"), (65, 35))
    pick.flag("details.break", 0.3)
    pick.flag("page_header", 0.5)
    layout_seed = f"fourth-layout:{seed}:{index}"
    make = _layout_pick(bill, st, choices, layout_seed)
    pages = make(None, 1).pen.page
    truth = _truth(bill)  # after the layout: a bill whose meter prints no read marker reads as actual
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=st.page, invariant=1, pageCompression=1)
    canvas.setTitle(f"{bill.provider} statement")
    canvas.setAuthor(bill.provider)
    make(canvas, pages)
    canvas.save()
    return WildBill(name=f"fourth-{seed}-{index:04d}", pdf=buffer.getvalue(), truth=truth, choices=choices)


def fourth_bills(count: int, seed: int = 1) -> list[WildBill]:
    return [fourth_bill(index, seed) for index in range(count)]
