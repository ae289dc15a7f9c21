"""Third bill generator: realistic utility bill PDFs drawn without knowledge of the extractor.

A held-out test set for the generic layout heuristics. Every bill is a seeded, byte-deterministic PDF
with exact ground truth; every random layout or wording decision is recorded in `choices`.

Locales: US, Canada, UK, Australia, New Zealand and Ireland (currency, address and postcode formats,
date formats, tax names). Commodities: electricity (flat, tiered, time-of-use, commercial with demand),
gas (therms from ccf, m³, GJ, MJ, kWh from m³), water with sewer/stormwater/refuse, dual fuel and
US municipal multi-service bills.

Categories used in the truth:
    supply    energy, gas or water consumed, and volumetric wastewater/sewer charges
    delivery  distribution, transmission, network, and fixed account charges (customer, basic,
              standing, daily supply/fixed, service, administration) and demand charges
    tax       taxes and government levies (VAT, GST, HST, PST, sales tax, carbon tax, PSO levy, CCL)
    fee       other fees and surcharges (franchise fee, stormwater/drainage, refuse, late payment)
    credit    credits, rebates and discounts (negative amounts)
    other     riders and adjustments that fit nowhere (fuel/cost adjustments, regulatory charges)
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import TypeVar

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from common.connectors.billgen.wild import WildBill
from common.models import Commodity, DemandRead, LineItem, LineItemCategory, NormalizedBill, ReadType, UsageRead

__all__ = ["third_bill", "third_bills"]

T = TypeVar("T")
D = Decimal
Cat = LineItemCategory
CENT = D("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _num(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


# --- fonts -------------------------------------------------------------------------------------------

_STANDARD_FAMILIES = (
    ("helvetica", "Helvetica", "Helvetica-Bold"),
    ("times", "Times-Roman", "Times-Bold"),
    ("courier", "Courier", "Courier-Bold"),
)
_TTF_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/usr/share/fonts/TTF"))


@cache
def _families() -> tuple[tuple[str, str, str], ...]:
    """The standard families and embedded TrueType ones (real bills embed fonts), where the machine has DejaVu;
    registered on the first bill drawn, not at import (reading the fonts takes about 0.15 s).

    The family list is the same everywhere, so that a seed draws the same choices on every machine; where a
    font file is missing its family is drawn in the standard font of the same style instead.
    """
    families = list(_STANDARD_FAMILIES)
    wanted = (
        ("dejavu-sans", "DejaVuSans", "DejaVuSans-Bold", "Helvetica"),
        ("dejavu-serif", "DejaVuSerif", "DejaVuSerif-Bold", "Times-Roman"),
        ("dejavu-condensed", "DejaVuSansCondensed", "DejaVuSansCondensed-Bold", "Helvetica"),
    )
    for key, regular, bold, fallback in wanted:
        family = (key, fallback, "Times-Bold" if fallback == "Times-Roman" else "Helvetica-Bold")
        for folder in _TTF_DIRS:
            reg_path, bold_path = folder / f"{regular}.ttf", folder / f"{bold}.ttf"
            if not (reg_path.is_file() and bold_path.is_file()):
                continue
            try:
                pdfmetrics.registerFont(TTFont(f"Third-{regular}", str(reg_path)))
                pdfmetrics.registerFont(TTFont(f"Third-{bold}", str(bold_path)))
            except (TTFError, OSError):
                break
            family = (key, f"Third-{regular}", f"Third-{bold}")
            break
        families.append(family)
    return tuple(families)


# --- locales ------------------------------------------------------------------------------------------

# fmt: off
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", )
# fmt: on


def _fmt_date(d: date, style: str) -> str:
    month = _MONTHS[d.month - 1]
    mon = month[:3]
    # fmt: off
    formats = {"mdy": f"{d.month:02d}/{d.day:02d}/{d.year}", "mdy_short": f"{d.month}/{d.day}/{d.year}",
        "mon_d_y": f"{mon} {d.day}, {d.year}", "month_d_y": f"{month} {d.day}, {d.year}",
        "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}", "d_mon_y": f"{d.day} {mon} {d.year}",
        "dd_mon_y": f"{d.day:02d} {mon} {d.year}", "d_month_y": f"{d.day} {month} {d.year}", "iso": d.isoformat(),
        "dmy_dash": f"{d.day:02d}-{mon}-{d.year}", "mon_d_y_upper": f"{mon.upper()} {d.day}, {d.year}", }
    # fmt: on
    return formats[style]


@dataclass(frozen=True)
class _Loc:
    code: str
    currency: str
    symbol: str
    minor: str
    page: tuple[float, float]
    dates: tuple[str, ...]
    tld: str
    phone: str


# fmt: off
_LOCALES = {"US": _Loc("US", "USD", "$", "¢", LETTER, ("mdy", "mdy_short", "mon_d_y", "month_d_y", "mon_d_y_upper"),
    ".com", "1-800-555-01{0:02d}", ), "CA": _Loc("CA", "CAD", "$", "¢", LETTER, ("iso", "mon_d_y", "month_d_y",
    "mon_d_y_upper"), ".ca", "1-888-555-01{0:02d}"), "UK": _Loc("UK", "GBP", "£", "p", A4, ("dmy", "d_mon_y",
    "d_month_y", "dd_mon_y"), ".co.uk", "0800 0{0:02d} 4471"), "AU": _Loc("AU", "AUD", "$", "c", A4, ("dmy", "d_mon_y",
    "d_month_y", "dmy_dash"), ".com.au", "13 {0:02d} 81"), "NZ": _Loc("NZ", "NZD", "$", "c", A4, ("dmy", "d_mon_y",
    "d_month_y"), ".co.nz", "0800 {0:02d}8 642"), "IE": _Loc("IE", "EUR", "€", "c", A4, ("dmy", "d_mon_y", "d_month_y",
    "dmy_dash"), ".ie", "1850 {0:02d}2 911"), }
# fmt: on

# fmt: off
_PROVIDERS: dict[str, dict[str, tuple[str, ...]]] = {"US": {"electric": ("Tri-County Electric Cooperative",
    "Great Plains Power & Light", "Bayshore Electric Company", "Mohawk Valley Energy", "Sierra Foothills Electric",
    "Piedmont Light & Power Co.", ), "gas": ("Keystone Natural Gas", "Prairie Gas Service Company",
    "Lakeshore Gas & Fuel", "Ozark Natural Gas Co."), "water": ("City of Millbrook Utilities",
    "Cedar Falls Water Works", "Brazos Valley Water District"), "muni": ("Northfield Municipal Utilities",
    "City of Pine Bluff Utility Billing", "Village of Elm Grove Utilities", ), }, "CA": {"electric": ("Lakehead Hydro",
    "Fraser Coast Hydro", "Maritime Power Ltd.", "Bow River Electric"), "gas": ("Laurentian Gas Distribution",
    "Pacific Rim Gas Utility", "Prairie Natural Gas Inc."), "water": ("Town of Millhaven",
    "City of Kenora Falls Water Services", "Region of Birch Lake"), }, "UK": {"electric": ("Brightwater Energy",
    "Albion Power Supply Ltd", "Heron Energy", "Thistle Gas & Power"), "gas": ("Brightwater Energy", "Heron Energy",
    "Thistle Gas & Power", "Greenfield Home Energy"), "dual": ("Brightwater Energy", "Albion Power Supply Ltd",
    "Greenfield Home Energy", "Heron Energy"), "water": ("Severn Vale Water", "Pennine Water Services",
    "Wessex Downs Water"), }, "AU": {"electric": ("Southern Cross Energy", "Eastcoast Power", "Wattle Energy",
    "Outback Gas & Electricity"), "gas": ("Southern Cross Energy", "Outback Gas & Electricity", "Bluegum Gas"),
    "water": ("Coastal Water Corporation", "Hunter Basin Water", "Riverina Water"), },
    "NZ": {"electric": ("Kowhai Energy", "Harbour City Power", "Southern Lakes Electricity", "Tui Energy Limited"),
    "gas": ("Kowhai Energy", "Harbour City Power", "Tui Energy Limited"), "dual": ("Kowhai Energy",
    "Harbour City Power", "Tui Energy Limited"), "water": ("Waitemata Water Services", "Kapiti Coast Water"), },
    "IE": {"electric": ("Shannon Energy", "Liffey Power", "Atlantic Gas & Electric DAC"), "gas": ("Shannon Energy",
    "Atlantic Gas & Electric DAC", "Corrib Gas Supply"), "dual": ("Shannon Energy", "Atlantic Gas & Electric DAC"), }
    }
# fmt: on

# fmt: off
_KINDS: dict[str, tuple[str, ...]] = {"US": ("electric", "electric", "electric_com", "gas", "water", "muni"),
    "CA": ("electric", "electric", "electric_com", "gas", "water"), "UK": ("electric", "gas", "dual", "dual",
    "electric_com", "water"), "AU": ("electric", "electric", "electric_com", "gas", "water"), "NZ": ("electric", "gas",
    "dual", "water"), "IE": ("electric", "gas", "dual"), }
# fmt: on

# fmt: off
_US_CITIES = (("Springfield", "IL", "627"), ("Dayton", "OH", "454"), ("Boise", "ID", "837"), ("Raleigh", "NC", "276"),
    ("Fresno", "CA", "937"), ("Albany", "NY", "122"), ("Tulsa", "OK", "741"), ("Madison", "WI", "537"), ("Waco", "TX",
    "767"), ("Bangor", "ME", "044"), )
# fmt: on
# fmt: off
_US_STREETS = ("Maple", "Oak", "Cedar", "Willow", "Lincoln", "Jefferson", "Prospect", "Highland", "Lakeview",
    "Sycamore", "Ridge", "Mill", "Walnut", "Church", )
# fmt: on
# fmt: off
_US_SUFFIX = ("St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Street", "Avenue", "Road")
# fmt: on
# fmt: off
_CA_CITIES = (("Thunder Bay", "ON", "P7B"), ("Kamloops", "BC", "V2C"), ("Red Deer", "AB", "T4N"), ("Halifax", "NS",
    "B3H"), ("Kingston", "ON", "K7L"), ("Saskatoon", "SK", "S7K"), ("Nanaimo", "BC", "V9R"), )
# fmt: on
# fmt: off
_CA_TAX = {"ON": ("HST", D(13)), "NS": ("HST", D(15)), "BC": ("GST", D(5)), "AB": ("GST", D(5)), "SK": ("GST", D(5))}
# fmt: on
# fmt: off
_UK_TOWNS = (("Leeds", "LS"), ("Norwich", "NR"), ("Bristol", "BS"), ("Swindon", "SN"), ("Durham", "DH"), ("Exeter",
    "EX"), ("Perth", "PH"), ("Cardiff", "CF"), ("Harrogate", "HG"), )
# fmt: on
# fmt: off
_UK_STREETS = ("Church Lane", "Station Road", "High Street", "Mill Close", "Victoria Terrace", "Orchard Way",
    "The Green", "Kings Avenue", "Beech Grove", "Queens Road", )
# fmt: on
# fmt: off
_AU_SUBURBS = (("PARRAMATTA", "NSW", "2150"), ("GEELONG", "VIC", "3220"), ("TOOWONG", "QLD", "4066"), ("NORWOOD", "SA",
    "5067"), ("FREMANTLE", "WA", "6160"), ("BELCONNEN", "ACT", "2617"), ("NEWTOWN", "NSW", "2042"), ("BALLARAT", "VIC",
    "3350"), )
# fmt: on
# fmt: off
_AU_STREETS = ("Smith Street", "Banksia Avenue", "Wattle Road", "Ocean Parade", "Bottlebrush Crescent",
    "Station Street", "Jacaranda Drive", "King Street", )
# fmt: on
# fmt: off
_NZ_SUBURBS = (("Ponsonby", "Auckland", "1011"), ("Karori", "Wellington", "6012"), ("Riccarton", "Christchurch",
    "8041"), ("Frankton", "Hamilton", "3204"), ("Roslyn", "Dunedin", "9010"), ("Mount Maunganui", "Tauranga", "3116")
    )
# fmt: on
# fmt: off
_NZ_STREETS = ("Queen Street", "Rata Street", "Pohutukawa Avenue", "Beach Road", "Totara Crescent", "Hill Road")
# fmt: on
# fmt: off
_IE_TOWNS = (("Rathmines", "Dublin 6", "D06"), ("Ballincollig", "Co. Cork", "P31"), ("Salthill", "Co. Galway", "H91"),
    ("Naas", "Co. Kildare", "W91"), ("Tralee", "Co. Kerry", "V92"), ("Athlone", "Co. Westmeath", "N37"), )
# fmt: on
# fmt: off
_IE_STREETS = ("Main Street", "Castle Road", "Seafield Avenue", "Church View", "Abbey Park", "Greenfield Road")
# fmt: on
# fmt: off
_PEOPLE = ("J SMITH", "MARIA GONZALEZ", "Mr D Patel", "Mrs A O'Brien", "ROBERT & LINDA CHEN", "Ms K Nguyen",
    "T WILLIAMS", "Aroha Parata", "Sean Murphy", "Priya Raman", "H. LINDQVIST", "Mr G Thompson", )
# fmt: on
# fmt: off
_BUSINESSES = ("Riverside Bakery", "Harbourview Motel", "Oakwood Dental Practice", "Summit Auto Repair",
    "Greenleaf Garden Centre", "Bluewater Fish Supply", )
# fmt: on
# fmt: off
_BIZ_SUFFIX = {"US": " LLC", "CA": " Inc.", "UK": " Ltd", "AU": " Pty Ltd", "NZ": " Limited", "IE": " Ltd"}
# fmt: on


# fmt: off
_WORDS: dict[str, tuple[str, ...]] = {
    "gas_section": ("Gas charges", "Natural gas service", "Your gas charges", "GAS", "Gas"),
    "water_section": ("Water and sewer", "Water & wastewater charges", "Water services", "WATER / SEWER",
        "Your water charges"),
    "demand": ("Demand charge", "Distribution demand charge", "Maximum demand charge", "Billed demand",
        "Capacity charge"),
    "us_tax": ("State sales tax", "Sales tax", "Gross receipts tax", "City utility tax", "State & local tax"),
    "fixed": ("Customer charge", "Basic service charge", "Monthly customer charge", "Basic charge",
        "Service availability charge", "Customer service charge"),
    "cl": ("Controlled load usage", "Controlled load", "Off peak hot water"),
    "delivery": ("Distribution charge", "Delivery charge", "Distribution service", "Energy delivery charge"),
    "regulatory": ("Regulatory charges", "Regulatory"),
    "rider": ("Fuel adjustment charge", "Energy cost adjustment", "Power cost adjustment",
        "Purchased power adjustment"),
    "surcharge": ("Energy efficiency surcharge", "Renewable energy surcharge", "System benefits charge"),
    "levy": ("Electricity Authority levy", "EA levy"),
    "pso": ("PSO levy", "Public Service Obligation levy"),
    "solar": ("Solar feed-in credit", "Feed-in tariff credit", "Solar credit"),
    "delivery_section": ("Delivery services", "Delivery charges"),
    "supply_section": ("Supply services", "Supply charges"),
    "gas_fixed": ("Customer charge", "Basic service charge", "Monthly customer charge"),
    "gas_delivery": ("Distribution charge", "Delivery charge", "Gas delivery charge"),
    "gas_supply": ("Gas supply charge", "Natural gas cost", "Purchased gas cost", "Gas cost"),
    "gas_credit": ("Loyalty credit", "Bill credit", "Dual fuel discount"),
    "water_fixed": ("Water base charge", "Water service charge", "Water meter charge", "Water fixed charge"),
    "sewer_fixed": ("Sewer base charge", "Wastewater fixed charge", "Sewer service charge"),
    "sewer_use": ("Sewer usage", "Wastewater volume charge", "Sewer volume charge"),
    "tax_section": ("Taxes", "Taxes and levies", "Government taxes", "Tax"),
    "late_fee": ("Late payment charge", "Late fee", "Late payment fee"),
    "transmission": ("Transmission charge", "Transmission service"),
    "ccl": ("Climate Change Levy", "Climate change levy (CCL)"),
    "therm_factor": ("Therm factor", "BTU factor", "Therm multiplier"),
    "gas_surcharge": ("Pipeline replacement surcharge", "System safety surcharge"),
    "water_use": ("Water usage", "Water consumption", "Water volume charge"),
    "storm": ("Stormwater fee", "Stormwater management fee", "Drainage fee"),
    "refuse": ("Refuse collection", "Solid waste service", "Trash and recycling"),
    "water_fixed2": ("Water service charge", "Water supply service charge"),
    "sewer_fixed2": ("Sewerage service charge", "Wastewater service charge"),
    "franchise": ("Franchise fee", "Municipal franchise fee"),
    "other_section": ("Other charges", "Other charges and credits", "Account charges"),
    "subtotal_word": ("Total", "Subtotal", "Total for"),
    "fixed2": ("Basic charge", "Customer charge", "Administration charge"),
    "fixed3": ("Customer charge", "Monthly service charge", "Administration charge"),
    "gj_factor": ("Conversion factor", "Energy content", "GJ conversion"),
    "gas_fixed2": ("Basic charge", "Basic charge (daily)"),
    "gas_delivery2": ("Delivery charge", "Delivery"),
    "gas_transport": ("Storage and transport", "Midstream charge"),
    "gas_supply2": ("Cost of gas", "Commodity charge", "Gas supply"),
    "gas_fixed3": ("Customer charge", "Monthly customer charge"),
    "gas_delivery3": ("Delivery to you", "Delivery charge"),
    "gas_transport2": ("Transportation to us", "Transportation charge"),
    "gas_supply3": ("Gas supply charge", "Gas supply", "Commodity"),
    "carbon": ("Carbon tax", "Natural gas carbon tax"),
    "gas_levy": ("Gas industry levy", "Gas levy"),
    "water_use2": ("Water usage", "Water usage charge"),
    "storm2": ("Drainage charge", "Stormwater charge"),
    "water_fixed3": ("Water standing charge", "Water: standing charge", "Clean water standing charge"),
    "water_use3": ("Water volume charge", "Water: volume", "Clean water used"),
    "sewer_fixed3": ("Sewerage standing charge", "Wastewater: standing charge"),
    "sewer_use2": ("Used water volume charge", "Sewerage: volume (95% returned)", "Wastewater volume"),
    "water_use4": ("Water supply", "Water usage"),
    "sewer_use3": ("Wastewater", "Wastewater usage (78.5%)"),
    "sewer_fixed4": ("Wastewater fixed charge", "Wastewater fixed"),
    "carbon2": ("Carbon tax", "Carbon levy"),
    "carbon3": ("Federal carbon charge", "Carbon charge"),
    "gas_adjust": ("Cost adjustment", "Gas cost adjustment"),
    "uk_factor": ("Conversion factor", "kWh conversion factor"),
    "uk_vc": ("Volume correction", "Correction factor"),
    "uk_cv": ("Calorific value", "CV"),
    "au_hv": ("Heating value", "Heating value (MJ/m3)"),
    "au_pcf": ("Pressure factor", "Pressure correction factor"),
    "kwh_factor": ("Conversion factor", "kWh conversion factor", "Conversion to kWh"),
    "storm3": ("Surface water drainage", "Highway drainage"),
    "gst": ("GST", "GST (10%)", "Total GST"),
    "gst2": ("GST", "GST at 15%", "GST (15%)"),
}
# fmt: on


class _Pick:
    """Random decisions, each recorded under a key so failures can be explained."""

    def __init__(self, rng: random.Random, choices: dict[str, str]) -> None:
        self.rng = rng
        self.choices = choices

    def __call__(self, key: str, options: Sequence[T]) -> T:
        value = self.rng.choice(options)
        self.choices[key] = str(value)
        return value

    def chance(self, key: str, p: float) -> bool:
        value = self.rng.random() < p
        self.choices[key] = "yes" if value else "no"
        return value

    def label(self, key: str, options: Sequence[str], case: str, colon: bool) -> str:
        text = self(f"label.{key}", options)
        if case == "upper":
            text = text.upper()
        elif case == "title":
            text = " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in text.split(" "))
        return text + (":" if colon else "")


def _postcode_uk(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randint(1, 19)} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _address(rng: random.Random, loc: str) -> list[str]:
    if loc == "US":
        city, state, zip3 = rng.choice(_US_CITIES)
        zipcode = f"{zip3}{rng.randint(1, 99):02d}" + (f"-{rng.randint(1000, 9999)}" if rng.random() < 0.3 else "")
        prefix = rng.choice(("N ", "S ", "E ", "W ", "", "", ""))
        street = f"{rng.randint(12, 9899)} {prefix}{rng.choice(_US_STREETS)} {rng.choice(_US_SUFFIX)}"
        if rng.random() < 0.2:
            street += f" Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"
        return [street, f"{city}, {state} {zipcode}"]
    if loc == "CA":
        city, prov, fsa = rng.choice(_CA_CITIES)
        postal = f"{fsa} {rng.randint(0, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(0, 9)}"
        unit = f"{rng.randint(100, 1200)}-" if rng.random() < 0.2 else ""
        return [
            f"{unit}{rng.randint(10, 4999)} {rng.choice(_US_STREETS)} {rng.choice(('St', 'Ave', 'Cres', 'Dr'))}",
            f"{city}, {prov} {postal}",
        ]
    if loc == "UK":
        town, area = rng.choice(_UK_TOWNS)
        first = f"{rng.randint(1, 220)} {rng.choice(_UK_STREETS)}"
        if rng.random() < 0.2:
            first = f"Flat {rng.randint(1, 12)}, {first}"
        return [first, town.upper() if rng.random() < 0.5 else town, _postcode_uk(rng, area)]
    if loc == "AU":
        suburb, state, pc = rng.choice(_AU_SUBURBS)
        unit = f"{rng.randint(1, 24)}/" if rng.random() < 0.35 else ""
        return [f"{unit}{rng.randint(1, 320)} {rng.choice(_AU_STREETS)}", f"{suburb} {state} {pc}"]
    if loc == "NZ":
        suburb, city, pc = rng.choice(_NZ_SUBURBS)
        return [f"{rng.randint(1, 250)} {rng.choice(_NZ_STREETS)}", suburb, f"{city} {pc}"]
    town, county, key = rng.choice(_IE_TOWNS)
    chars = "ACDEFHKNPRTVWXY0123456789"
    eircode = key + " " + "".join(rng.choice(chars) for _ in range(4))
    return [f"{rng.randint(1, 120)} {rng.choice(_IE_STREETS)}", town, county, eircode]


def _account_number(rng: random.Random, loc: str) -> str:
    def digits(n: int) -> str:
        return "".join(str(rng.randint(0, 9)) for _ in range(n))

    # fmt: off
    styles: dict[str, tuple[Callable[[], str], ...]] = {"US": (lambda: f"{digits(4)} {digits(4)} {digits(2)}",
        lambda: f"{digits(9)}-{digits(1)}", lambda: f"{digits(3)}-{digits(4)}-{digits(3)}", lambda: digits(10), ),
        "CA": (lambda: f"{digits(4)} {digits(3)} {digits(3)} {digits(3)}",
        lambda: f"{digits(2)}-{digits(4)}-{digits(4)}", lambda: digits(12), ),
        "UK": (lambda: f"{rng.choice('ABKM')}{digits(8)}", lambda: digits(10),
        lambda: f"{digits(4)} {digits(4)} {digits(2)}", ), "AU": (lambda: f"{digits(4)} {digits(3)} {digits(3)}",
        lambda: f"2{digits(8)}", lambda: f"{digits(5)} {digits(5)}", ), "NZ": (lambda: f"1{digits(9)}",
        lambda: f"{digits(3)}-{digits(3)}-{digits(3)}", lambda: f"A{digits(7)}"), "IE": (lambda: f"9{digits(8)}",
        lambda: f"{digits(3)} {digits(3)} {digits(3)}"), }
    # fmt: on
    return rng.choice(styles[loc])()


# --- the bill plan -----------------------------------------------------------------------------------


@dataclass
class _Row:
    item: LineItem
    qty: str = ""
    rate: str = ""
    note: str = ""


@dataclass
class _Section:
    title: str
    rows: list[_Row]
    subtotal: str | None = None


@dataclass
class _Meter:
    commodity: Commodity
    number: str | None
    register: str | None
    period: str | None
    start: Decimal | None
    end: Decimal | None
    read_places: int
    mult: Decimal | None
    factor: Decimal | None
    factor_note: str | None
    read_unit: str | None
    qty: Decimal
    qty_places: int
    unit: str
    estimated: bool

    def usage(self) -> UsageRead:
        return UsageRead(
            commodity=self.commodity,
            quantity=self.qty,
            unit=self.unit,
            meter_number=self.number,
            read_type=ReadType.ESTIMATED if self.estimated else ReadType.ACTUAL,
            start_read=self.start,
            end_read=self.end,
            multiplier=self.mult,
            period=self.period,
            conversion_factor=self.factor,
            read_unit=self.read_unit,
        )


@dataclass
class _Service:
    sections: list[_Section] = field(default_factory=list)
    meters: list[_Meter] = field(default_factory=list)
    demand: list[DemandRead] = field(default_factory=list)
    demand_meter: str | None = None
    history_unit: str = "kWh"


class _Gen:
    """Builds the charges, meters and taxes of one bill."""

    def __init__(self, pick: _Pick, loc: _Loc, days: int) -> None:
        self.p = pick
        self.rng = pick.rng
        self.loc = loc
        self.days = days
        self.sym = loc.symbol
        self.rate_minor = pick.chance("rate.minor_units", 0.5 if loc.code in ("US", "CA", "AU", "NZ") else 0.8)
        self.rate_per = pick("rate.per_style", ("slash", "per", "bare"))
        self.m3 = pick("unit.m3", ("m³", "m3"))
        self.sym_tables = False  # set by the renderer choices; notes use the symbol anyway

    def rate(self, lo: float, hi: float, k: int) -> Decimal:
        """A rate in major units drawn in minor units [lo, hi] with k printed decimals."""
        return D(self.rng.randint(round(lo * 10**k), round(hi * 10**k))).scaleb(-(k + 2))

    def rate_text(self, r: Decimal, k: int, per: str, minor: bool | None = None) -> str:
        minor = self.rate_minor if minor is None else minor
        text = f"{r * 100:.{k}f}{self.loc.minor}" if minor else f"{self.sym}{r:.{k + 2}f}"
        if self.rate_per == "slash":
            return f"{text}/{per}"
        if self.rate_per == "per":
            return f"{text} per {per}"
        return text

    def metered(
        self,
        desc: str,
        cat: Cat,
        qty: Decimal,
        qp: int,
        unit: str,
        r: Decimal,
        k: int,
        per: str | None = None,
        minor: bool | None = None,
    ) -> _Row:
        amount = _cents(qty * r)
        if cat == Cat.CREDIT:
            amount = -amount
        item = LineItem(description=desc, amount=amount, category=cat, quantity=qty, unit=unit, rate=r)
        per_text = per or ("day" if unit == "days" else unit)
        return _Row(item, qty=f"{_num(qty, qp)} {unit}", rate=self.rate_text(r, k, per_text, minor))

    def daily(self, desc: str, lo: float, hi: float, k: int, minor: bool | None = None) -> _Row:
        return self.metered(desc, Cat.DELIVERY, D(self.days), 0, "days", self.rate(lo, hi, k), k, minor=minor)

    def fixed(self, desc: str, cat: Cat, lo: float, hi: float) -> _Row:
        amount = D(self.rng.randint(round(lo * 100), round(hi * 100))).scaleb(-2)
        return _Row(LineItem(description=desc, amount=-amount if cat == Cat.CREDIT else amount, category=cat))

    def percent(self, desc: str, cat: Cat, base: Decimal, pct: Decimal) -> _Row:
        amount = _cents(base * pct / 100)
        style = self.p("tax.note_style", ("of", "on", "none", "pct"))
        pct_text = f"{pct.normalize():f}%"
        note = {
            "of": f"{pct_text} of {self.sym}{_num(base, 2)}",
            "on": f"on {self.sym}{_num(base, 2)}",
            "none": "",
            "pct": "" if "%" in desc else pct_text,
        }[style]
        return _Row(LineItem(description=desc, amount=amount, category=cat), note=note)

    def meter_no(self) -> str:
        r = self.rng
        # fmt: off
        styles = (f"{r.randint(10, 99)}{r.randint(100000, 999999)}", f"M{r.randint(1000000, 9999999)}",
            f"{r.choice('EGKS')}{r.randint(10, 99)}{r.choice('KPW')}{r.randint(10000, 99999)}",
            f"{r.randint(100000000, 999999999)}", )
        # fmt: on
        return self.p("meter.number_style", styles)

    def reads(self, diff: int, places: int = 0) -> tuple[Decimal, Decimal]:
        start = D(self.rng.randint(1000, 89999))
        if places:
            start += D(self.rng.randint(0, 9)).scaleb(-places)
        return start, start + D(diff).scaleb(-places)

    def label(self, key: str, options: Sequence[str]) -> str:
        return self.p(f"wording.{key}", options)

    def word(self, key: str) -> str:
        return self.p(f"wording.{key}", _WORDS[key])


def _split_tiers(total: Decimal, limit: Decimal) -> list[Decimal]:
    return [total] if total <= limit else [limit, total - limit]


# --- electricity -----------------------------------------------------------------------------------


def _electric(g: _Gen, commercial: bool) -> _Service:
    loc = g.loc.code
    p = g.p
    r = g.rng
    scale = D(g.days) / 30
    svc = _Service()
    meter = g.meter_no()
    has_reads = p.chance("elec.has_reads", 0.8)
    estimated = p.chance("elec.estimated", 0.15)
    # fmt: off
    tou_sets = {"US": (("On-peak", "on_peak"), ("Off-peak", "off_peak")), "CA": (("On-peak", "on_peak"), ("Mid-peak",
        "mid_peak"), ("Off-peak", "off_peak")), "UK": (("Day", "day"), ("Night", "night")), "AU": (("Peak", "peak"),
        ("Shoulder", "shoulder"), ("Off peak", "off_peak")), "NZ": (("Day", "day"), ("Night", "night")), "IE": (("Day",
        "day"), ("Night", "night")), }
    # fmt: on
    structure = p("elec.structure", ("flat", "tiered", "tou") if loc in ("US", "CA", "AU") else ("flat", "tou"))
    if commercial:
        structure = p("elec.structure", ("flat", "tou"))
    mult = D(p("elec.multiplier", (20, 40, 80, 120, 160))) if commercial else None
    if not commercial and p.chance("elec.print_mult_one", 0.3):
        mult = D(1)
    registers: list[tuple[str | None, str | None]] = [(None, None)]
    if structure == "tou":
        registers = list(tou_sets[loc])
    meters: list[_Meter] = []
    for label, period in registers:
        share = r.randint(150, 900) if structure == "tou" else r.randint(350, 1500)
        diff_raw = int(share * scale * (6 if commercial else 1))
        m = mult or D(1)
        diff = max(3, diff_raw // int(m)) if commercial else diff_raw
        start, end = g.reads(diff)
        qty = D(diff) * m
        meters.append(
            _Meter(
                Commodity.ELECTRICITY,
                meter,
                label,
                period,
                start if has_reads else None,
                end if has_reads else None,
                0,
                mult if has_reads else None,
                None,
                None,
                None,
                qty,
                0,
                "kWh",
                estimated,
            )
        )
    svc.meters = meters
    total_kwh = sum((m.qty for m in meters), D(0))
    rows: list[_Row] = []
    minor_energy = None if loc in ("US", "CA") else True
    k = p("rate.decimals", (2, 3))

    # fixed charge
    if loc == "US":
        rows.append(g.fixed(g.word("fixed"), Cat.DELIVERY, 60 if commercial else 7.5, 140 if commercial else 24))
    elif loc == "CA":
        if p.chance("ca.fixed_daily", 0.5):
            rows.append(g.daily(g.word("fixed2"), 20, 90, 2, minor=False))
        else:
            rows.append(g.fixed(g.word("fixed3"), Cat.DELIVERY, 9, 45))
    else:
        fixed_names = {
            "UK": ("Standing charge", "Daily standing charge", "Standing charge (electricity)"),
            "AU": ("Daily supply charge", "Supply charge", "Daily service charge"),
            "NZ": ("Daily fixed charge", "Daily charge", "Fixed daily charge", "Lines and fixed charge"),
            "IE": ("Standing charge", "Standing charge (urban)", "Standing charge (rural)"),
        }[loc]
        rows.append(g.daily(g.label("fixed", fixed_names), 45 if loc != "NZ" else 30, 140 if commercial else 120, 2))

    # energy
    # fmt: off
    energy_names = {"US": ("Energy charge", "Electric supply", "Generation service", "Energy supply charge",
        "Electricity supply"), "CA": ("Energy charge", "Electricity", "Electricity used", "Energy"),
        "UK": ("Electricity used", "Unit charge", "Energy used", "Electricity"), "AU": ("General usage",
        "Anytime usage", "Peak usage", "Electricity usage"), "NZ": ("Anytime usage", "Uncontrolled",
        "Electricity used", "Anytime"), "IE": ("Standard units", "Electricity units", "Units used", "Energy charge"), }
    # fmt: on
    lo, hi = {
        "US": (8.0, 17.0),
        "CA": (7.0, 16.0),
        "UK": (21.0, 29.0),
        "AU": (22.0, 38.0),
        "NZ": (18.0, 34.0),
        "IE": (28.0, 42.0),
    }[loc]
    if structure == "flat":
        rows.append(
            g.metered(
                g.label("energy", energy_names[loc]),
                Cat.SUPPLY,
                total_kwh,
                0,
                "kWh",
                g.rate(lo, hi, k),
                k,
                minor=minor_energy,
            )
        )
    elif structure == "tiered":
        pairs = {
            "US": (
                ("Tier 1 energy", "Tier 2 energy"),
                ("Energy - first block", "Energy - over first block"),
                ("Baseline usage", "Above baseline usage"),
                ("Energy charge, first tier", "Energy charge, second tier"),
            ),
            "CA": (("Step 1 energy", "Step 2 energy"), ("First block energy", "Second block energy")),
            "AU": (("First step usage", "Second step usage"), ("Usage - block one", "Usage - block two")),
        }[loc]
        names = p("wording.tiers", pairs)
        limit = D(p("elec.tier_limit", (500, 600, 750, 1000)))
        r1 = g.rate(lo, hi, k)
        r2 = r1 + g.rate(1.0, 4.0, k)
        for tier_name, tier_qty, rr in zip(names, _split_tiers(total_kwh, limit), (r1, r2), strict=False):
            rows.append(g.metered(tier_name, Cat.SUPPLY, tier_qty, 0, "kWh", rr, k, minor=minor_energy))
    else:
        fmt = p("wording.tou_format", ("{} energy", "{} usage", "Energy - {}", "{} units", "{} kWh"))
        tou_rates = sorted((g.rate(lo * 0.6, hi * 1.4, k) for _ in meters), reverse=True)
        for reg, rate in zip(meters, tou_rates, strict=True):
            label = reg.register or ""
            tou_name = fmt.format(label.lower() if fmt.startswith("Energy") else label)
            if fmt == "{} kWh":
                tou_name = f"{label} rate"
            rows.append(g.metered(tou_name, Cat.SUPPLY, reg.qty, 0, "kWh", rate, k, minor=minor_energy))
    if loc == "AU" and not commercial and p.chance("au.controlled_load", 0.3):
        diff = r.randint(80, 400)
        start, end = g.reads(diff)
        cl = _Meter(
            Commodity.ELECTRICITY,
            g.meter_no(),
            "Controlled load",
            "controlled_load",
            start if has_reads else None,
            end if has_reads else None,
            0,
            None,
            None,
            None,
            None,
            D(diff),
            0,
            "kWh",
            estimated,
        )
        svc.meters.append(cl)
        rows.append(g.metered(g.word("cl"), Cat.SUPPLY, cl.qty, 0, "kWh", g.rate(12, 22, k), k, minor=True))

    # network / delivery per kWh (North America)
    all_kwh = sum((m.qty for m in svc.meters), D(0))
    if loc in ("US", "CA") and p.chance("elec.delivery_per_kwh", 0.75):
        rows.append(g.metered(g.word("delivery"), Cat.DELIVERY, all_kwh, 0, "kWh", g.rate(2.5, 6.5, k), k))
        if p.chance("elec.transmission", 0.45):
            rows.append(g.metered(g.word("transmission"), Cat.DELIVERY, all_kwh, 0, "kWh", g.rate(0.6, 2.2, k), k))
    if loc == "CA" and p.chance("ca.regulatory", 0.5):
        rows.append(g.fixed(g.word("regulatory"), Cat.OTHER, 3, 14))
    if loc == "US" and p.chance("us.rider", 0.5):
        rows.append(g.metered(g.word("rider"), Cat.OTHER, all_kwh, 0, "kWh", g.rate(0.2, 1.8, k), k))
    if loc == "US" and p.chance("us.surcharge", 0.3):
        rows.append(g.fixed(g.word("surcharge"), Cat.FEE, 0.8, 6))
    if loc == "NZ" and p.chance("nz.ea_levy", 0.6):
        rows.append(g.metered(g.word("levy"), Cat.TAX, all_kwh, 0, "kWh", g.rate(0.1, 0.2, 3), 3, minor=True))
    if loc == "IE" and p.chance("ie.pso", 0.7):
        rows.append(g.fixed(g.word("pso"), Cat.TAX, 1.2, 3.8))

    # commercial demand
    if commercial:
        kw = _round(D(r.randint(150, 2500)) / 10, 1)
        unit = "kVA" if loc == "UK" else "kW"
        svc.demand = [DemandRead(meter_number=meter, quantity=kw, unit=unit)]
        svc.demand_meter = meter
        dname = g.word("demand")
        rows.append(g.metered(dname, Cat.DELIVERY, kw, 1, unit, g.rate(450, 1800, 0), 0, minor=False))
        if loc == "UK":
            rows.append(g.metered(g.word("ccl"), Cat.TAX, all_kwh, 0, "kWh", g.rate(0.775, 0.775, 3), 3, minor=True))

    # credits
    # fmt: off
    credit_names = {"US": ("Paperless billing credit", "Autopay discount", "Community solar credit"),
        "CA": ("Ontario Electricity Rebate", "Paperless billing credit", "Low-income rebate"),
        "UK": ("Warm Home Discount", "Goodwill credit", "Direct Debit discount"), "AU": ("Pay on time discount",
        "Energy Bill Relief Fund rebate", "Concession rebate"), "NZ": ("Prompt payment discount", "Loyalty credit",
        "Online account discount"), "IE": ("Government electricity credit", "Loyalty discount",
        "Direct debit discount"), }[loc]
    # fmt: on
    if p.chance("elec.credit", 0.25):
        rows.append(g.fixed(g.label("credit", credit_names), Cat.CREDIT, 2, 60))
    if loc == "AU" and not commercial and p.chance("au.solar", 0.3):
        export = D(r.randint(60, 900))
        rows.append(g.metered(g.word("solar"), Cat.CREDIT, export, 0, "kWh", g.rate(3.0, 12.0, 2), 2, minor=True))
    title = g.label(
        "elec_section",
        {
            "US": ("Electric service", "Electricity charges", "ELECTRIC CHARGES", "Current electric charges"),
            "CA": ("Electricity charges", "Your electricity charges", "Electricity"),
            "UK": ("Electricity charges", "Your electricity", "Electricity"),
            "AU": ("Electricity charges", "Your electricity charges", "Electricity usage and supply"),
            "NZ": ("Electricity charges", "Power", "Electricity"),
            "IE": ("Electricity charges", "Your electricity charges", "Electricity"),
        }[loc],
    )
    svc.sections = [_Section(title, rows)]
    if loc == "US" and len(rows) > 3 and p.chance("us.split_supply_delivery", 0.35):
        supply = [row for row in rows if row.item.category == Cat.SUPPLY]
        rest = [row for row in rows if row.item.category != Cat.SUPPLY]
        svc.sections = [
            _Section(g.word("delivery_section"), rest, "Total delivery charges"),
            _Section(g.word("supply_section"), supply, "Total supply charges"),
        ]
    return svc


# --- gas ---------------------------------------------------------------------------------------------


def _gas(g: _Gen) -> _Service:
    loc = g.loc.code
    p = g.p
    r = g.rng
    scale = D(g.days) / 30
    svc = _Service()
    meter = g.meter_no()
    estimated = p.chance("gas.estimated", 0.2)
    diff = max(8, int(r.randint(20, 260) * scale))
    start, end = g.reads(diff)
    m3 = g.m3
    factor: Decimal | None = None
    note: str | None = None
    read_unit: str | None = None
    rows: list[_Row] = []
    if loc == "US":
        if p.chance("gas.us_ccf_billing", 0.3):
            unit, qp, qty = "CCF", 0, D(diff)
        else:
            factor = D(r.randint(10150, 10650)).scaleb(-4)
            qp = p("gas.therm_places", (0, 1))
            qty = _round(D(diff) * factor, qp)
            unit, read_unit = "therms", "CCF"
            note = f"{g.word('therm_factor')} {factor}"
        k = p("rate.decimals", (2, 3))
        rows.append(g.fixed(g.word("gas_fixed"), Cat.DELIVERY, 9, 28))
        rows.append(g.metered(g.word("gas_delivery"), Cat.DELIVERY, qty, qp, unit, g.rate(20, 70, k), k, minor=False))
        rows.append(g.metered(g.word("gas_supply"), Cat.SUPPLY, qty, qp, unit, g.rate(30, 95, k), k))
        if p.chance("gas.us_surcharge", 0.35):
            rows.append(g.fixed(g.word("gas_surcharge"), Cat.FEE, 1, 6))
    elif loc == "CA":
        if p.chance("gas.ca_gj", 0.5):
            factor = D(r.randint(3700, 3950)).scaleb(-5)
            qty = _round(D(diff) * factor, 1)
            qp, unit, read_unit = 1, "GJ", m3
            note = f"{g.word('gj_factor')} {factor} GJ/{m3}"
            rows.append(g.daily(g.word("gas_fixed2"), 30, 60, 2, minor=False))
            rows.append(
                g.metered(g.word("gas_delivery2"), Cat.DELIVERY, qty, 1, "GJ", g.rate(500, 700, 1), 1, minor=False)
            )
            rows.append(
                g.metered(g.word("gas_transport"), Cat.DELIVERY, qty, 1, "GJ", g.rate(100, 200, 1), 1, minor=False)
            )
            rows.append(g.metered(g.word("gas_supply2"), Cat.SUPPLY, qty, 1, "GJ", g.rate(200, 450, 1), 1, minor=False))
            if p.chance("gas.carbon", 0.6):
                rows.append(g.metered(g.word("carbon2"), Cat.TAX, qty, 1, "GJ", g.rate(250, 420, 1), 1, minor=False))
        else:
            qty, qp, unit = D(diff), 0, m3
            k = 4
            rows.append(g.fixed(g.word("gas_fixed3"), Cat.DELIVERY, 22, 26))
            rows.append(g.metered(g.word("gas_delivery3"), Cat.DELIVERY, qty, 0, unit, g.rate(5, 14, k), k))
            rows.append(g.metered(g.word("gas_transport2"), Cat.DELIVERY, qty, 0, unit, g.rate(3, 6, k), k))
            rows.append(g.metered(g.word("gas_supply3"), Cat.SUPPLY, qty, 0, unit, g.rate(11, 22, k), k))
            if p.chance("gas.carbon", 0.5):
                rows.append(g.metered(g.word("carbon3"), Cat.TAX, qty, 0, unit, g.rate(9, 17, k), k))
            if p.chance("gas.ca_adjust", 0.3):
                rows.append(g.fixed(g.word("gas_adjust"), Cat.OTHER, 1, 9))
    else:
        read_unit = m3
        cv = D(0)
        if loc == "UK":
            combined = p.chance("gas.uk_combined_factor", 0.3)
            vc, cv = D("1.02264"), D(r.randint(385, 401)).scaleb(-1)
            factor = _round(vc * cv / D("3.6"), 6)
            if combined:
                factor = _round(vc * cv / D("3.6"), 4)
                note = f"{g.word('uk_factor')} {factor}"
            else:
                note = f"{g.word('uk_vc')} {vc} x {g.word('uk_cv')} {cv} ÷ 3.6"
            qp = 0
        elif loc == "AU":
            hv, pcf = D(r.randint(3780, 3920)).scaleb(-2), D(r.randint(9800, 10100)).scaleb(-4)
            factor = hv * pcf
            note = f"{g.word('au_hv')} {hv} x {g.word('au_pcf')} {pcf}"
            qp = 0
        else:
            factor = D(r.randint(10900, 11600)).scaleb(-3)
            note = f"{g.word('kwh_factor')} {factor}"
            qp = 0
        qty = _round(D(diff) * factor, qp)
        for _ in range(20):  # keep the printed factors and the rounded product in agreement
            if loc != "UK" or qty == _round(D(diff) * D("1.02264") * cv / D("3.6"), 0):
                break
            diff += 1
            end += 1
            qty = _round(D(diff) * factor, qp)
        unit = "MJ" if loc == "AU" else "kWh"
        k = 2 if loc == "AU" else p("rate.decimals", (2, 3))
        fixed_name = {
            "UK": ("Standing charge", "Daily standing charge", "Standing charge (gas)"),
            "AU": ("Daily supply charge", "Supply charge"),
            "NZ": ("Daily fixed charge", "Daily charge"),
            "IE": ("Standing charge", "Gas standing charge"),
        }[loc]
        rows.append(g.daily(g.label("gas_fixed", fixed_name), 25, 110, 2))
        lo, hi = {"UK": (5.5, 8.0), "AU": (2.5, 4.5), "NZ": (9.0, 16.0), "IE": (9.5, 14.5)}[loc]
        supply = {
            "UK": ("Gas used", "Unit charge", "Gas", "Energy used"),
            "AU": ("Gas usage", "Peak gas usage"),
            "NZ": ("Gas usage", "Gas used"),
            "IE": ("Gas units", "Units used", "Gas usage"),
        }[loc]
        if loc == "AU" and p.chance("gas.au_steps", 0.5):
            limit = D(p("gas.au_step_limit", (1500, 2000, 3500)))
            r1 = g.rate(lo, hi, k)
            for name, part, rr in zip(
                ("First step usage", "Second step usage"),
                _split_tiers(qty, limit),
                (r1, r1 - g.rate(0.3, 0.9, k)),
                strict=False,
            ):
                rows.append(g.metered(name, Cat.SUPPLY, part, 0, unit, rr, k, minor=True))
        else:
            rows.append(
                g.metered(g.label("gas_supply", supply), Cat.SUPPLY, qty, qp, unit, g.rate(lo, hi, k), k, minor=True)
            )
        if loc == "IE" and p.chance("gas.ie_carbon", 0.8):
            rows.append(g.metered(g.word("carbon"), Cat.TAX, qty, 0, unit, g.rate(0.8, 1.3, 3), 3, minor=True))
        if loc == "NZ" and p.chance("gas.nz_levy", 0.5):
            rows.append(g.fixed(g.word("gas_levy"), Cat.TAX, 0.2, 1.5))
    svc.meters = [
        _Meter(Commodity.GAS, meter, None, None, start, end, 0, None, factor, note, read_unit, qty, qp, unit, estimated)
    ]
    svc.history_unit = unit
    if p.chance("gas.credit", 0.15):
        rows.append(g.fixed(g.word("gas_credit"), Cat.CREDIT, 2, 25))
    title = g.word("gas_section")
    svc.sections = [_Section(title, rows)]
    return svc


# --- water -------------------------------------------------------------------------------------------


def _water(g: _Gen) -> _Service:
    loc = g.loc.code
    p = g.p
    r = g.rng
    svc = _Service()
    meter = g.meter_no()
    estimated = p.chance("water.estimated", 0.1)
    scale = D(g.days) / 30
    factor: Decimal | None = None
    read_unit: str | None = None
    m3 = g.m3
    if loc == "US":
        if p.chance("water.us_gallons", 0.5):
            diff = int(r.randint(20, 140) * scale) * 100
            factor, read_unit, unit, qp = D("0.001"), "gal", "kgal", 1
            qty = _round(D(diff) * factor, qp)
        else:
            diff = max(2, int(r.randint(3, 20) * scale))
            unit, qp, qty = p("water.us_unit", ("CCF", "HCF")), 0, D(diff)
    elif loc == "AU":
        diff, unit, qp = max(5, int(r.randint(12, 60) * scale)), "kL", 0
        qty = D(diff)
    else:
        diff, unit, qp = max(3, int(r.randint(5, 25) * scale)), m3, 0
        qty = D(diff)
    start, end = g.reads(diff)
    svc.meters = [
        _Meter(
            Commodity.WATER, meter, None, None, start, end, 0, None, factor, None, read_unit, qty, qp, unit, estimated
        )
    ]
    svc.history_unit = unit
    minor = False
    k = 2
    rows: list[_Row] = []
    if loc in ("US", "CA"):
        rows.append(g.fixed(g.word("water_fixed"), Cat.DELIVERY, 8, 36))
        lo, hi = (300, 900) if unit != m3 else (150, 320)
        if p.chance("water.tiered", 0.4) and qty > 4:
            limit = D(p("water.tier_limit", (4, 6, 8)))
            r1 = g.rate(lo, hi, k)
            names = p(
                "wording.water_tiers",
                (
                    ("Water usage - tier one", "Water usage - tier two"),
                    ("Water consumption block A", "Water consumption block B"),
                ),
            )
            for name, part, rr in zip(names, _split_tiers(qty, limit), (r1, r1 + g.rate(40, 150, k)), strict=False):
                rows.append(g.metered(name, Cat.SUPPLY, part, qp, unit, rr, k, minor=minor))
        else:
            rows.append(g.metered(g.word("water_use"), Cat.SUPPLY, qty, qp, unit, g.rate(lo, hi, k), k, minor=minor))
        rows.append(g.fixed(g.word("sewer_fixed"), Cat.DELIVERY, 10, 40))
        rows.append(g.metered(g.word("sewer_use"), Cat.SUPPLY, qty, qp, unit, g.rate(lo, hi, k), k, minor=minor))
        if p.chance("water.storm", 0.7):
            rows.append(g.fixed(g.word("storm"), Cat.FEE, 3, 15))
        if loc == "US" and p.chance("water.refuse", 0.5):
            rows.append(g.fixed(g.word("refuse"), Cat.FEE, 14, 38))
    elif loc == "AU":
        rows.append(g.fixed(g.word("water_fixed2"), Cat.DELIVERY, 45, 95))
        r1 = g.rate(230, 330, k)
        if p.chance("water.au_steps", 0.5) and qty > 30:
            for name, part, rr in zip(
                ("Water usage - step one", "Water usage - step two"),
                _split_tiers(qty, D(p("water.au_limit", (30, 40, 50)))),
                (r1, r1 + g.rate(30, 80, k)),
                strict=False,
            ):
                rows.append(g.metered(name, Cat.SUPPLY, part, 0, "kL", rr, k, minor=False))
        else:
            rows.append(g.metered(g.word("water_use2"), Cat.SUPPLY, qty, 0, "kL", r1, k, minor=False))
        rows.append(g.fixed(g.word("sewer_fixed2"), Cat.DELIVERY, 120, 230))
        if p.chance("water.storm", 0.6):
            rows.append(g.fixed(g.word("storm2"), Cat.FEE, 8, 35))
    elif loc == "UK":
        rows.append(g.daily(g.word("water_fixed3"), 8, 20, 2))
        rows.append(g.metered(g.word("water_use3"), Cat.SUPPLY, qty, 0, m3, g.rate(150, 260, 2), 2, minor=False))
        sewer_qty = _round(qty * D("0.95"), 2)
        rows.append(g.daily(g.word("sewer_fixed3"), 6, 18, 2))
        rows.append(g.metered(g.word("sewer_use2"), Cat.SUPPLY, sewer_qty, 2, m3, g.rate(130, 260, 2), 2, minor=False))
        if p.chance("water.storm", 0.6):
            rows.append(g.fixed(g.word("storm3"), Cat.FEE, 4, 14))
    else:  # NZ
        rows.append(g.metered(g.word("water_use4"), Cat.SUPPLY, qty, 0, m3, g.rate(180, 260, 2), 2, minor=False))
        ww = _round(qty * D("0.785"), 3)
        rows.append(g.metered(g.word("sewer_use3"), Cat.SUPPLY, ww, 3, m3, g.rate(300, 460, 2), 2, minor=False))
        rows.append(g.daily(g.word("sewer_fixed4"), 60, 90, 2, minor=False))
    title = g.word("water_section")
    svc.sections = [_Section(title, rows)]
    return svc


def _taxes(g: _Gen, rows: list[_Row], province: str | None, kind: str) -> list[_Row]:
    """Tax rows computed on the given rows (water is zero-rated in most places)."""
    loc = g.loc.code
    p = g.p
    base = sum((row.item.amount for row in rows), D(0))
    positive = sum((row.item.amount for row in rows if row.item.amount > 0), D(0))
    out: list[_Row] = []
    if kind == "water" and loc in ("UK", "AU", "CA", "US"):
        return out
    if loc == "US":
        if p.chance(f"tax.us_{kind}", 0.6):
            name = g.word("us_tax")
            out.append(g.percent(name, Cat.TAX, base, D(p("tax.us_pct", ("4", "5.5", "6", "6.25", "7")))))
        if p.chance(f"tax.us_franchise_{kind}", 0.3):
            out.append(g.percent(g.word("franchise"), Cat.FEE, base, D(p("tax.franchise_pct", ("2", "3", "4.5")))))
    elif loc == "CA":
        name, pct = _CA_TAX[province or "ON"]
        out.append(g.percent(g.label("ca_tax", (name, f"{name} ({pct}%)", f"{name} on charges")), Cat.TAX, base, pct))
        if province == "SK" and kind != "water":
            out.append(g.percent("PST", Cat.TAX, base, D(6)))
    elif loc == "UK":
        pct = D(20) if kind == "electric_com" else D(5)
        out.append(
            g.percent(g.label("vat", ("VAT", f"VAT at {pct}%", f"VAT @ {pct}%", "Value Added Tax")), Cat.TAX, base, pct)
        )
    elif loc == "AU":
        out.append(g.percent(g.word("gst"), Cat.TAX, positive, D(10)))
    elif loc == "NZ":
        out.append(g.percent(g.word("gst2"), Cat.TAX, base, D(15)))
    else:
        pct = D(9)
        out.append(g.percent(g.label("vat", ("VAT", f"VAT @ {pct}%", "VAT (9%)")), Cat.TAX, positive, pct))
    return out


# --- the whole bill --------------------------------------------------------------------------------


@dataclass
class _Bill:
    loc: _Loc
    kind: str
    provider: str
    account: str
    customer: str
    service_lines: list[str]
    mailing_lines: list[str]
    start: date
    end: date
    statement: date | None
    due: date | None
    sections: list[_Section]
    meters: list[_Meter]
    demand: list[DemandRead]
    total: Decimal
    previous: Decimal | None
    payments: Decimal | None
    amount_due: Decimal
    pay_date: date
    history_unit: str
    history: list[tuple[date, int]]
    distractors: list[tuple[str, str]]
    web: str
    phone: str
    truth: NormalizedBill | None = None


def _distractors(rng: random.Random, loc: str, kind: str) -> list[tuple[str, str]]:
    def digits(n: int) -> str:
        return "".join(str(rng.randint(0, 9)) for _ in range(n))

    out = [("Invoice number", f"{rng.choice(('INV', '', ''))}{digits(8)}")]
    gas = kind in ("gas", "dual")
    elec = kind.startswith("electric") or kind in ("dual", "muni")
    if loc == "UK":
        if elec:
            out.append(("MPAN", f"{digits(2)} {digits(4)} {digits(4)} {digits(3)}"))
        if gas:
            out.append(("MPRN", digits(10)))
        out.append(("VAT reg no.", f"GB {digits(3)} {digits(4)} {digits(2)}"))
    elif loc == "AU":
        out.append(("NMI" if elec else "MIRN" if gas else "Property number", digits(10 if elec else 8)))
        out.append(("ABN", f"{digits(2)} {digits(3)} {digits(3)} {digits(3)}"))
    elif loc == "NZ":
        out.append(("ICP", f"000{digits(7)}{rng.choice(('UN', 'WE', 'CK'))}{rng.randint(1, 9)}A{rng.randint(1, 9)}"))
        out.append(("GST no.", f"{digits(2)}-{digits(3)}-{digits(3)}"))
    elif loc == "IE":
        out.append(("MPRN" if elec else "GPRN", f"10{digits(9)}" if elec else digits(7)))
        out.append(("VAT no.", f"IE {digits(7)}{rng.choice('ABCDEFW')}"))
    elif loc == "US":
        out.append(("Premise number", digits(9)))
    else:
        out.append(("Premise ID", digits(10)))
    return out


def _plan(pick: _Pick) -> _Bill:
    rng = pick.rng
    code = pick("locale", tuple(_LOCALES))
    loc = _LOCALES[code]
    kind = pick("kind", _KINDS[code])
    provider = pick("provider", _PROVIDERS[code]["electric" if kind == "electric_com" else kind])
    quarterly = (kind == "water" and code in ("AU", "UK", "CA")) or (code == "AU" and pick.chance("au.quarterly", 0.3))
    bimonthly = code == "CA" and kind == "electric" and pick.chance("ca.bimonthly", 0.3)
    first = date(2023, 9, 1) + timedelta(days=rng.randint(0, 640))
    length = rng.randint(88, 92) if quarterly else rng.randint(58, 62) if bimonthly else rng.randint(27, 33)
    start = first
    end = start + timedelta(days=length - 1)
    days = length
    pick.choices["period.days"] = str(days)
    statement = end + timedelta(days=rng.randint(1, 7))
    due = statement + timedelta(days=rng.choice((10, 14, 15, 18, 21, 24, 28)))
    g = _Gen(pick, loc, days)
    province = None
    service_lines = _address(rng, code)
    if code == "CA":
        province = service_lines[-1].split(", ")[-1][:2]
    services: list[tuple[str, _Service]] = []
    if kind in ("electric", "electric_com"):
        services.append((kind, _electric(g, kind == "electric_com")))
    elif kind == "gas":
        services.append(("gas", _gas(g)))
    elif kind == "water":
        services.append(("water", _water(g)))
    elif kind == "dual":
        services.append(("electric", _electric(g, False)))
        services.append(("gas", _gas(g)))
    else:  # US municipal: electric, water, sewer, refuse on one bill
        services.append(("electric", _electric(g, False)))
        services.append(("water", _water(g)))
    sections: list[_Section] = []
    tax_place = (
        pick("tax.placement", ("in_section", "own_section"))
        if code not in ("AU", "NZ")
        else pick("tax.placement", ("own_section", "in_section"))
    )
    deferred: list[_Row] = []
    for service_kind, svc in services:
        rows = [row for sec in svc.sections for row in sec.rows]
        taxes = _taxes(g, rows, province, service_kind)
        if tax_place == "in_section" or len(services) > 1:
            svc.sections[-1].rows.extend(taxes)
        else:
            deferred.extend(taxes)
        sections.extend(svc.sections)
    if deferred:
        sections.append(_Section(g.word("tax_section"), deferred))
    previous: Decimal | None = None
    payments: Decimal | None = None
    total = sum((row.item.amount for sec in sections for row in sec.rows), D(0))
    summary = pick("summary.mode", ("full", "full", "full", "minimal"))
    if summary == "full":
        previous = _cents(total * D(rng.randint(60, 140)) / 100)
        how = pick("summary.payment", ("full", "full", "full", "partial", "none", "over"))
        payments = {
            "full": previous,
            "partial": _cents(previous * D(rng.randint(20, 80)) / 100),
            "none": D("0.00"),
            "over": previous + D(rng.randint(500, 5000)).scaleb(-2),
        }[how]
        if how in ("partial", "none") and pick.chance("summary.late_fee", 0.6):
            fee = g.fixed(g.word("late_fee"), Cat.FEE, 5, 25)
            sections.append(_Section(g.word("other_section"), [fee]))
            total += fee.item.amount
    for sec in sections:
        if sec.subtotal is None and pick.chance("section.subtotal", 0.5):
            sec.subtotal = f"{g.word('subtotal_word')} {sec.title.lower()}"
    amount_due = (previous or D(0)) - (payments or D(0)) + total
    meters = [m for _, svc in services for m in svc.meters]
    demand = [d for _, svc in services for d in svc.demand]
    customer = (rng.choice(_BUSINESSES) + _BIZ_SUFFIX[code]) if kind == "electric_com" else rng.choice(_PEOPLE)
    mailing = service_lines
    if pick.chance("mailing.po_box", 0.25):
        box = {"US": "PO Box", "CA": "PO Box", "UK": "PO Box", "AU": "PO Box", "NZ": "PO Box", "IE": "P.O. Box"}[code]
        mailing = [f"{box} {rng.randint(10, 9999)}", *service_lines[1:]]
    base = meters[0].qty if meters else D(300)
    hist = []
    month = date(start.year, start.month, 1)
    for back in range(12, 0, -1):
        y, mth = divmod(month.year * 12 + month.month - 1 - back, 12)
        hist.append((date(y, mth + 1, 1), max(1, int(base * D(rng.randint(55, 150)) / 100))))
    hist.append((month, int(base)))
    slug = provider.lower().replace("&", "and").replace(".", "").split(" ")
    web = f"www.{''.join(slug[:2])}{loc.tld}"
    return _Bill(
        loc,
        kind,
        provider,
        _account_number(rng, code),
        customer,
        service_lines,
        mailing,
        start,
        end,
        statement if pick.chance("print.statement_date", 0.9) else None,
        due,
        sections,
        meters,
        demand,
        total,
        previous,
        payments,
        amount_due,
        statement - timedelta(days=rng.randint(12, 30)),
        services[0][1].history_unit,
        hist,
        _distractors(rng, code, kind),
        web,
        loc.phone.format(rng.randint(10, 99)),
    )


# --- rendering ---------------------------------------------------------------------------------------

_COLORS = ((0.05, 0.25, 0.5), (0.0, 0.4, 0.3), (0.45, 0.1, 0.1), (0.2, 0.2, 0.2), (0.35, 0.15, 0.45), (0.0, 0.35, 0.55))


def _money(value: Decimal, sym: str, use_sym: bool, neg: str) -> str:
    text = f"{sym if use_sym else ''}{abs(value):,.2f}"
    if value < 0:
        return {"minus": f"-{text}", "paren": f"({text})", "cr": f"{text} CR"}[neg]
    return text


@dataclass
class _Style:
    family: str
    reg: str
    bold: str
    size: float
    color: tuple[float, float, float]
    header: str
    title: str
    facts: str
    labels: dict[str, str]
    addr_pos: str
    period_pos: str
    period_sep: str
    show_days: bool
    date_style: str
    summary: str
    callout: bool
    payments_negative: bool
    charges: str
    col_heads: tuple[str, str, str, str] | None
    sym_tables: bool
    neg: str
    meter_style: str
    read_type_style: str
    history: str
    messages: list[str]
    slip: bool
    details_p2: bool
    page_label: str
    # fmt: off
    headings: dict[str, str]
    # fmt: on


class _Pen:
    def __init__(self, canvas: Canvas | None, style: _Style) -> None:
        self.c = canvas
        self.reg = style.reg
        self.bold = style.bold
        self.color = style.color

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return float(pdfmetrics.stringWidth(text, self.bold if bold else self.reg, size))

    def fit(self, text: str, size: float, maxw: float, bold: bool = False) -> float:
        while size > 5 and self.width(text, size, bold) > maxw:
            size -= 0.25
        return size

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        bold: bool = False,
        align: str = "l",
        color: tuple[float, float, float] | None = None,
        maxw: float | None = None,
    ) -> None:
        if maxw is not None:
            size = self.fit(text, size, maxw, bold)
        if self.c is None or not text:
            return
        self.c.setFont(self.bold if bold else self.reg, size)
        self.c.setFillColorRGB(*(color or (0, 0, 0)))
        if align == "r":
            self.c.drawRightString(x, y, text)
        elif align == "c":
            self.c.drawCentredString(x, y, text)
        else:
            self.c.drawString(x, y, text)

    def hline(self, x1: float, x2: float, y: float, lw: float = 0.5, gray: float = 0.0, dash: bool = False) -> None:
        if self.c is None:
            return
        self.c.setLineWidth(lw)
        self.c.setStrokeGray(gray)
        self.c.setDash(3, 2) if dash else self.c.setDash()
        self.c.line(x1, y, x2, y)
        self.c.setDash()

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: tuple[float, float, float] | None = None,
        stroke: bool = True,
    ) -> None:
        if self.c is None:
            return
        self.c.setLineWidth(0.7)
        self.c.setStrokeGray(0.3)
        if fill:
            self.c.setFillColorRGB(*fill)
        self.c.rect(x, y, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def wrap(self, text: str, size: float, maxw: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split(" "):
            trial = f"{current} {word}".strip()
            if current and self.width(trial, size) > maxw:
                lines.append(current)
                current = word
            else:
                current = trial
        return [*lines, current] if current else lines


def _light(color: tuple[float, float, float]) -> tuple[float, float, float]:
    return (0.85 + color[0] * 0.15, 0.85 + color[1] * 0.15, 0.85 + color[2] * 0.15)


class _Doc:
    """Draws one bill; run once without a canvas to count pages, then for real."""

    def __init__(self, bill: _Bill, st: _Style, canvas: Canvas | None, pages: int) -> None:
        self.b = bill
        self.st = st
        self.pen = _Pen(canvas, st)
        self.c = canvas
        self.pages = pages
        self.page = 1
        self.w, self.h = bill.loc.page
        self.left, self.right = 40.0, self.w - 40
        self.y = self.h - 40
        self.bottom = 48.0
        self.s = st.size

    # helpers
    def d(self, value: date) -> str:
        return _fmt_date(value, self.st.date_style)

    def m(self, value: Decimal, sym: bool | None = None) -> str:
        return _money(value, self.b.loc.symbol, self.st.sym_tables if sym is None else sym, self.st.neg)

    def lab(self, key: str) -> str:
        return self.st.labels[key]

    def period_text(self) -> str:
        text = f"{self.d(self.b.start)} {self.st.period_sep} {self.d(self.b.end)}"
        if self.st.show_days:
            text += f" ({(self.b.end - self.b.start).days + 1} days)"
        return text

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.break_page()

    def footer(self) -> None:
        pen = self.pen
        label = self.st.page_label.format(self.page, self.pages)
        pen.text(self.right, 24, label, self.s - 1.5, align="r", color=(0.3, 0.3, 0.3))
        # fmt: off
        legal = {"UK": f"{self.b.provider} is registered in England and Wales. Registered office: 1 Riverside Way.",
            "AU": f"{self.b.provider}. Tax invoice. Prices include GST where shown.",
            "NZ": f"{self.b.provider}. This is a tax invoice.", "IE": f"{self.b.provider}. Registered in Ireland.",
            "CA": f"{self.b.provider}. Questions? Call {self.b.phone}.",
            "US": f"{self.b.provider}. Customer service {self.b.phone}.", }[self.b.loc.code]
        # fmt: on
        pen.text(self.left, 24, legal, self.s - 2.5, color=(0.4, 0.4, 0.4), maxw=self.right - self.left - 80)

    def break_page(self) -> None:
        self.footer()
        if self.c is not None:
            self.c.showPage()
        self.page += 1
        top = self.h - 40
        self.pen.text(self.left, top - 8, self.b.provider, self.s + 3, bold=True, color=self.st.color)
        self.pen.text(self.right, top - 6, f"{self.lab('account')} {self.b.account}", self.s, align="r")
        if self.b.statement is not None:
            self.pen.text(
                self.right,
                top - 6 - self.s * 1.4,
                f"{self.lab('statement')} {self.d(self.b.statement)}",
                self.s - 1,
                align="r",
            )
        self.pen.hline(self.left, self.right, top - 28, 0.8)
        self.y = top - 44
        self.bottom = 48

    # blocks
    def header(self) -> None:
        pen, st, b = self.pen, self.st, self.b
        top = self.h - 40
        contact = f"{st.headings['contact']} {b.phone}"
        if st.header == "bar":
            pen.rect(self.left, top - 34, self.right - self.left, 34, fill=st.color, stroke=False)
            pen.text(self.left + 10, top - 23, b.provider, 17, bold=True, color=(1, 1, 1), maxw=300)
            pen.text(self.right - 10, top - 22, st.title, 12, bold=True, align="r", color=(1, 1, 1))
            pen.text(self.left, top - 46, f"{contact}   {b.web}", self.s - 1)
            self.y = top - 66
        elif st.header == "centered":
            pen.text(self.w / 2, top - 16, b.provider, 19, bold=True, align="c", color=st.color)
            pen.text(self.w / 2, top - 30, f"{b.web}  |  {contact}", self.s - 1, align="c")
            pen.hline(self.left, self.right, top - 37, 1.0, 0.3)
            pen.text(self.left, top - 54, st.title, 13, bold=True)
            self.y = top - 70
        elif st.header == "right":
            pen.text(self.right, top - 16, b.provider, 18, bold=True, align="r", color=st.color)
            pen.text(self.right, top - 30, contact, self.s - 1, align="r")
            pen.text(self.right, top - 30 - self.s * 1.3, b.web, self.s - 1, align="r")
            pen.text(self.left, top - 14, st.title, 14, bold=True)
            self.y = top - 64
        else:
            pen.text(self.left, top - 16, b.provider, 18, bold=True, color=st.color, maxw=320)
            pen.text(self.left, top - 29, b.web, self.s - 1)
            pen.text(self.right, top - 14, st.title, 13, bold=True, align="r")
            pen.text(self.right, top - 28, contact, self.s - 1, align="r")
            self.y = top - 60

    def fact_list(self) -> list[tuple[str, list[str]]]:
        b, st = self.b, self.st
        facts: list[tuple[str, list[str]]] = [(self.lab("account"), [b.account])]
        if b.statement is not None:
            facts.append((self.lab("statement"), [self.d(b.statement)]))
        if st.period_pos == "facts":
            facts.append((self.lab("period"), [self.period_text()]))
        elif st.period_pos == "split":
            facts.append((self.lab("period_from"), [self.d(b.start)]))
            facts.append((self.lab("period_to"), [self.d(b.end)]))
        if b.due is not None and st.labels.get("due_in_facts") == "yes":
            facts.append((self.lab("due"), [self.d(b.due)]))
        if st.addr_pos == "facts":
            facts.append((self.lab("service"), list(b.service_lines)))
        for name, value in b.distractors[: int(st.labels["n_distractors"])]:
            facts.append((name, [value]))
        return facts

    def parties(self) -> None:
        pen, st, b = self.pen, self.st, self.b
        s = self.s
        facts = self.fact_list()
        top = self.y
        if st.facts == "inline":
            parts = [f"{name} {' '.join(vals) if len(vals) == 1 else ', '.join(vals)}" for name, vals in facts]
            line = ""
            for part in parts:
                trial = f"{line}     {part}" if line else part
                if pen.width(trial, s) > self.right - self.left:
                    pen.text(self.left, self.y, line, s)
                    self.y -= s * 1.5
                    line = part
                else:
                    line = trial
            pen.text(self.left, self.y, line, s)
            self.y -= s * 1.5
            pen.hline(self.left, self.right, self.y + s * 0.5, 0.4, 0.5)
            top = self.y - 8
        # mailing address (window envelope position)
        ay = top - 14
        pen.text(self.left + 12, ay, b.customer.upper() if st.labels["upper_name"] == "yes" else b.customer, s + 1)
        for line in b.mailing_lines:
            ay -= (s + 1) * 1.25
            pen.text(self.left + 12, ay, line, s + 1)
        if st.addr_pos == "block":
            ay -= s * 2.2
            pen.text(self.left + 12, ay, self.lab("service"), s - 0.5, bold=True)
            for line in b.service_lines:
                ay -= s * 1.3
                pen.text(self.left + 12, ay, line, s)
        fy = top
        x0 = self.w * 0.53
        if st.facts == "label_left":
            lw = max(pen.width(name, s, True) for name, _ in facts) + 8
            for name, vals in facts:
                pen.text(x0, fy - 10, name, s, bold=True)
                for val in vals:
                    pen.text(x0 + lw, fy - 10, val, s, maxw=self.right - x0 - lw)
                    fy -= s * 1.4
                fy -= s * 0.2
        elif st.facts == "label_above":
            for name, vals in facts:
                pen.text(x0, fy - 8, name, s - 1.5, color=(0.35, 0.35, 0.35))
                fy -= (s - 1.5) * 1.2
                for val in vals:
                    pen.text(x0, fy - 9, val, s + 0.5, bold=True, maxw=self.right - x0)
                    fy -= s * 1.35
                fy -= s * 0.4
        elif st.facts == "grid":
            ay = min(ay, top - 10)
            fy = ay - 18
            n = min(len(facts), 4)
            rows = [facts[i : i + n] for i in range(0, len(facts), n)]
            cw = (self.right - self.left) / n
            for row in rows:
                hgt = max(len(v) for _, v in row) * s * 1.3 + s * 1.6
                for i, (name, vals) in enumerate(row):
                    x = self.left + i * cw
                    pen.rect(x, fy - hgt, cw, hgt, fill=_light(st.color) if i % 2 == 0 else None)
                    pen.text(x + 5, fy - s, name, s - 1.5, color=(0.3, 0.3, 0.3), maxw=cw - 10)
                    vy = fy - s * 2.2
                    for val in vals:
                        pen.text(x + 5, vy, val, s, bold=True, maxw=cw - 10)
                        vy -= s * 1.3
                fy -= hgt
        self.y = min(ay, fy) - 26
        if st.addr_pos == "line":
            pen.text(
                self.left, self.y, f"{self.lab('service')} {', '.join(b.service_lines)}", s, maxw=self.right - self.left
            )
            self.y -= s * 2

    def summary(self) -> None:
        pen, st, b = self.pen, self.st, self.b
        s = self.s
        sym = True
        pay = b.payments if b.payments is not None else D(0)
        pay_value = -pay if st.payments_negative else pay
        self.need(s * 12)
        head = st.headings["summary"]
        if st.summary == "boxes" and b.previous is not None:
            pen.text(self.left, self.y, head, s + 2, bold=True, color=st.color)
            self.y -= s * 1.2
            cells = [
                (self.lab("previous"), self.m(b.previous, sym)),
                (self.lab("payments"), self.m(pay_value, sym)),
                (self.lab("new"), self.m(b.total, sym)),
                (self.lab("due_amount"), self.m(b.amount_due, sym)),
            ]
            gap = 14
            cw = (self.right - self.left - gap * 3) / 4
            for i, (name, value) in enumerate(cells):
                x = self.left + i * (cw + gap)
                pen.rect(x, self.y - 40, cw, 40, fill=_light(st.color) if i == 3 else None)
                pen.text(x + cw / 2, self.y - 13, name, s - 1, align="c", maxw=cw - 6)
                pen.text(x + cw / 2, self.y - 31, value, s + 3, bold=True, align="c", maxw=cw - 6)
                if i < 3:
                    pen.text(x + cw + gap / 2, self.y - 24, ("-", "+", "=")[i], s + 2, bold=True, align="c")
            self.y -= 56
        elif st.summary == "ledger" and b.previous is not None:
            pen.text(self.left, self.y, head, s + 2, bold=True, color=st.color)
            self.y -= s * 1.8
            ledger = [
                (self.d(b.pay_date - timedelta(days=20)), self.lab("previous"), self.m(b.previous)),
                (self.d(b.pay_date), self.lab("payments"), self.m(pay_value)),
                ("", self.lab("balance_forward"), self.m(b.previous - pay)),
                (self.d(b.statement or b.end), self.lab("new"), self.m(b.total)),
            ]
            for when, name, value in ledger:
                pen.text(self.left + 4, self.y, when, s)
                pen.text(self.left + 90, self.y, name, s)
                pen.text(self.right - 4, self.y, value, s, align="r")
                self.y -= s * 1.5
            pen.hline(self.left, self.right, self.y + s * 0.9, 0.6)
            pen.text(self.left + 90, self.y - 3, self.lab("due_amount"), s + 1, bold=True)
            pen.text(self.right - 4, self.y - 3, self.m(b.amount_due, True), s + 1, bold=True, align="r")
            self.y -= s * 2.8
        else:
            width = (self.right - self.left) * (0.55 if st.callout else 1.0)
            x2 = self.left + width
            pen.text(self.left, self.y, head, s + 2, bold=True, color=st.color)
            self.y -= s * 0.8
            pen.hline(self.left, x2, self.y, 0.8)
            self.y -= s * 1.4
            rows: list[tuple[str, str]] = []
            if b.previous is not None:
                rows += [
                    (self.lab("previous"), self.m(b.previous, sym)),
                    (self.lab("payments"), self.m(pay_value, sym)),
                ]
                if st.labels["show_balance_forward"] == "yes":
                    rows.append((self.lab("balance_forward"), self.m(b.previous - pay, sym)))
            rows.append((self.lab("new"), self.m(b.total, sym)))
            for name, value in rows:
                pen.text(self.left + 4, self.y, name, s)
                pen.text(x2 - 4, self.y, value, s, align="r")
                self.y -= s * 1.45
            pen.hline(self.left, x2, self.y + s * 0.9, 0.6)
            pen.text(self.left + 4, self.y - 3, self.lab("due_amount"), s + 1.5, bold=True)
            pen.text(x2 - 4, self.y - 3, self.m(b.amount_due, True), s + 1.5, bold=True, align="r")
            if st.callout and b.due is not None:
                bx = x2 + 18
                top = self.y + s * 1.45 * len(rows) + s * 2
                pen.rect(bx, self.y - 10, self.right - bx, top - self.y + 10, fill=_light(st.color))
                pen.text((bx + self.right) / 2, top - 18, st.headings["callout"], s, align="c")
                pen.text((bx + self.right) / 2, top - 40, self.m(b.amount_due, True), 18, bold=True, align="c")
                pen.text((bx + self.right) / 2, top - 58, f"{self.lab('due')} {self.d(b.due)}", s, align="c")
            self.y -= s * 3.2
        if b.due is not None and st.labels.get("due_in_facts") != "yes" and not (st.callout and st.summary == "table"):
            pen.text(self.left, self.y, f"{self.lab('due')} {self.d(b.due)}", s + 1, bold=True)
            self.y -= s * 2.4

    def messages(self) -> None:
        if not self.st.messages:
            return
        pen, s = self.pen, self.s - 0.5
        lines = [w for msg in self.st.messages for w in pen.wrap(msg, s, self.right - self.left - 20)]
        height = len(lines) * s * 1.35 + s * 3
        self.need(height + 10)
        pen.rect(self.left, self.y - height, self.right - self.left, height, fill=None)
        pen.text(self.left + 8, self.y - s * 1.5, self.st.headings["messages"], s + 0.5, bold=True)
        yy = self.y - s * 3
        for line in lines:
            pen.text(self.left + 10, yy, line, s)
            yy -= s * 1.35
        self.y -= height + 18

    def charges(self) -> None:
        pen, st, b = self.pen, self.st, self.b
        s = self.s
        self.need(s * 8)
        heading = st.headings["charges"]
        if st.period_pos == "heading":
            heading = f"{heading} {self.lab('period')} {self.period_text()}"
        pen.text(self.left, self.y, heading, s + 2, bold=True, color=st.color, maxw=self.right - self.left)
        self.y -= s * 1.6
        if st.addr_pos == "section":
            pen.text(
                self.left, self.y, f"{self.lab('service')} {', '.join(b.service_lines)}", s, maxw=self.right - self.left
            )
            self.y -= s * 1.6
        amount_x = self.right - 4
        rate_x = self.right - 95
        qty_x = self.right - 195
        if st.charges == "columns" and st.col_heads:
            pen.hline(self.left, self.right, self.y + s * 0.2, 0.5, 0.4)
            self.y -= s * 1.1
            h = st.col_heads
            pen.text(self.left + 4, self.y, h[0], s - 0.5, bold=True)
            pen.text(qty_x, self.y, h[1], s - 0.5, bold=True, align="r")
            pen.text(rate_x, self.y, h[2], s - 0.5, bold=True, align="r")
            pen.text(amount_x, self.y, h[3], s - 0.5, bold=True, align="r")
            self.y -= s * 0.7
            pen.hline(self.left, self.right, self.y, 0.5, 0.4)
            self.y -= s * 1.3
        for sec in b.sections:
            self.need(s * 5)
            if st.labels["section_band"] == "yes":
                pen.rect(
                    self.left, self.y - s * 0.45, self.right - self.left, s * 1.5, fill=_light(st.color), stroke=False
                )
            pen.text(self.left + 2, self.y, sec.title, s + 0.5, bold=True)
            self.y -= s * 1.5
            for row in sec.rows:
                self.charge_row(row, qty_x, rate_x, amount_x)
            if sec.subtotal:
                self.need(s * 2)
                pen.hline(amount_x - 70, amount_x, self.y + s * 0.9, 0.5)
                pen.text(self.left + 12, self.y, sec.subtotal, s, bold=True)
                sub = sum((row.item.amount for row in sec.rows), D(0))
                pen.text(amount_x, self.y, self.m(sub), s, bold=True, align="r")
                self.y -= s * 1.6
            self.y -= s * 0.5
        self.need(s * 3)
        pen.hline(self.left, self.right, self.y + s * 0.8, 0.9)
        pen.text(self.left + 2, self.y - 4, self.lab("new_total"), s + 1, bold=True)
        pen.text(amount_x, self.y - 4, self.m(b.total, True), s + 1, bold=True, align="r")
        self.y -= s * 3.5

    def charge_row(self, row: _Row, qty_x: float, rate_x: float, amount_x: float) -> None:
        pen, st = self.pen, self.st
        s = self.s
        it = row.item
        amount = self.m(it.amount)
        desc_x = self.left + 12
        detail = row.note
        if row.qty:
            joiner = st.labels["detail_joiner"]
            detail = f"{row.qty} {joiner} {row.rate}" if joiner else f"{row.qty} {row.rate}"
        self.need(s * (2.8 if st.charges == "leader" and detail else 1.5))
        if st.charges == "columns":
            pen.text(desc_x, self.y, it.description, s, maxw=qty_x - 75 - desc_x)
            pen.text(qty_x, self.y, row.qty, s, align="r", maxw=95)
            pen.text(rate_x, self.y, row.rate or row.note, s, align="r", maxw=95)
            pen.text(amount_x, self.y, amount, s, align="r")
        elif st.charges == "detail":
            pen.text(desc_x, self.y, it.description, s, maxw=qty_x - 60 - desc_x)
            pen.text(qty_x - 50, self.y, detail, s, maxw=amount_x - 70 - (qty_x - 50))
            pen.text(amount_x, self.y, amount, s, align="r")
        elif st.charges == "inline":
            text = f"{it.description} {detail}".rstrip()
            pen.text(desc_x, self.y, text, s, maxw=amount_x - 70 - desc_x)
            pen.text(amount_x, self.y, amount, s, align="r")
        else:
            size = pen.fit(it.description, s, amount_x - 90 - desc_x)
            pen.text(desc_x, self.y, it.description, size)
            start = desc_x + pen.width(it.description, size) + 4
            end = amount_x - pen.width(amount, s) - 4
            dots = max(0, int((end - start) / max(pen.width(".", s), 1.0)))
            pen.text(start, self.y, "." * dots, s, color=(0.5, 0.5, 0.5))
            pen.text(amount_x, self.y, amount, s, align="r")
            if detail:
                self.y -= s * 1.25
                pen.text(desc_x + 14, self.y, detail, s - 1.5, color=(0.3, 0.3, 0.3))
        self.y -= s * 1.5

    def meters(self) -> None:
        pen, st, b = self.pen, self.st, self.b
        s = self.s
        if not b.meters:
            return
        self.need(s * 9)
        pen.text(self.left, self.y, st.headings["meters"], s + 1.5, bold=True, color=st.color)
        self.y -= s * 1.8
        has_reads = any(m.start is not None for m in b.meters)
        has_reg = any(m.register for m in b.meters)
        has_mult = any(m.mult is not None for m in b.meters)

        def read_text(mt: _Meter, value: Decimal | None, end: bool) -> str:
            if value is None:
                return ""
            text = (
                _num(value, mt.read_places).replace(",", "")
                if st.labels["read_commas"] == "no"
                else _num(value, mt.read_places)
            )
            if end and st.read_type_style == "suffix":
                text += " (E)" if mt.estimated else " (A)"
            return text

        if st.meter_style == "table":
            cols: list[tuple[str, Callable[[_Meter], str], str]] = [
                (self.lab("meter"), lambda mt: mt.number or "", "l")
            ]
            if has_reg:
                cols.append((st.headings["register"], lambda mt: mt.register or "", "l"))
            if has_reads:
                unit = next((mt.read_unit for mt in b.meters if mt.read_unit), None)
                suffix = f" ({unit})" if unit and st.labels["read_unit_in_head"] == "yes" else ""
                cols.append((self.lab("prev_read") + suffix, lambda mt: read_text(mt, mt.start, False), "r"))
                cols.append((self.lab("curr_read") + suffix, lambda mt: read_text(mt, mt.end, True), "r"))
                if st.read_type_style == "column":
                    cols.append((st.headings["read_type"], lambda mt: "Estimated" if mt.estimated else "Actual", "l"))
            if has_mult:
                cols.append((self.lab("mult"), lambda mt: "" if mt.mult is None else str(mt.mult), "r"))
            cols.append((self.lab("usage"), lambda mt: f"{_num(mt.qty, mt.qty_places)} {mt.unit}", "r"))
            cw = (self.right - self.left) / len(cols)
            for i, (name, _, align) in enumerate(cols):
                x = self.left + i * cw + (cw - 6 if align == "r" else 4)
                pen.text(x, self.y, name, s - 1, bold=True, align=align, maxw=cw - 8)
            pen.hline(self.left, self.right, self.y - s * 0.5, 0.5, 0.4)
            self.y -= s * 1.7
            for mt in b.meters:
                for i, (_, getter, align) in enumerate(cols):
                    x = self.left + i * cw + (cw - 6 if align == "r" else 4)
                    pen.text(x, self.y, getter(mt), s, align=align, maxw=cw - 8)
                self.y -= s * 1.4
        else:
            for mt in b.meters:
                self.need(s * 6)
                head = f"{self.lab('meter')} {mt.number}" if mt.number else st.headings["meters"]
                if mt.register:
                    head += f" - {mt.register}"
                pen.text(self.left + 4, self.y, head, s, bold=True)
                self.y -= s * 1.4
                ru = f" {mt.read_unit}" if mt.read_unit else ""
                lines = []
                if mt.start is not None:
                    lines.append(f"{self.lab('prev_read')} {self.d(b.start)}: {read_text(mt, mt.start, False)}{ru}")
                    lines.append(f"{self.lab('curr_read')} {self.d(b.end)}: {read_text(mt, mt.end, True)}{ru}")
                if st.read_type_style == "column":
                    lines.append(f"{st.headings['read_type']}: {'Estimated' if mt.estimated else 'Actual'}")
                if mt.mult is not None:
                    lines.append(f"{self.lab('mult')} {mt.mult}")
                lines.append(f"{self.lab('usage')} {_num(mt.qty, mt.qty_places)} {mt.unit}")
                for line in lines:
                    pen.text(self.left + 16, self.y, line, s)
                    self.y -= s * 1.3
        if st.read_type_style in ("suffix", "code"):
            if st.read_type_style == "code" and any(m.start is not None for m in b.meters):
                codes = ", ".join(f"{m.register or m.number}: {'E' if m.estimated else 'A'}" for m in b.meters)
                pen.text(self.left + 4, self.y, f"{st.headings['read_type']} - {codes}", s - 1)
                self.y -= s * 1.3
            pen.text(
                self.left + 4, self.y, "A = Actual reading   E = Estimated reading", s - 1.5, color=(0.3, 0.3, 0.3)
            )
            self.y -= s * 1.3
        for mt in b.meters:
            if mt.factor_note and mt.start is not None and mt.end is not None:
                diff = _num(mt.end - mt.start, 0)
                pen.text(
                    self.left + 4,
                    self.y,
                    f"{diff} {mt.read_unit} x {mt.factor_note} = {_num(mt.qty, mt.qty_places)} {mt.unit}",
                    s - 0.5,
                    maxw=self.right - self.left - 8,
                )
                self.y -= s * 1.4
        for dm in b.demand:
            pen.text(self.left + 4, self.y, f"{st.headings['demand']} {_num(dm.quantity, 1)} {dm.unit}", s, bold=True)
            self.y -= s * 1.4
        self.y -= s

    def history(self) -> None:
        pen, st, b = self.pen, self.st, self.b
        s = self.s
        if st.history == "none":
            return
        self.need(110)
        pen.text(self.left, self.y, f"{st.headings['history']} ({b.history_unit})", s + 1, bold=True, color=st.color)
        self.y -= s * 1.6
        n = len(b.history)
        cw = (self.right - self.left) / n
        if st.history == "table":
            for i, (month, value) in enumerate(b.history):
                x = self.left + i * cw + cw / 2
                pen.text(x, self.y, f"{_MONTHS[month.month - 1][:3]} {month.year % 100:02d}", s - 2, align="c")
                pen.text(x, self.y - s * 1.3, f"{value:,}", s - 1.5, align="c")
            self.y -= s * 3.5
        else:
            top = max(v for _, v in b.history)
            base_y = self.y - 70
            for i, (month, value) in enumerate(b.history):
                x = self.left + i * cw
                hgt = 55 * value / top
                pen.rect(x + 4, base_y, cw - 8, hgt, fill=st.color if i == n - 1 else (0.7, 0.7, 0.7), stroke=False)
                pen.text(x + cw / 2, base_y + hgt + 2, f"{value:,}", s - 2.5, align="c")
                pen.text(x + cw / 2, base_y - s, _MONTHS[month.month - 1][:3], s - 2.5, align="c")
            self.y = base_y - s * 2.8
        avg = D(b.history[-1][1]) / D((b.end - b.start).days + 1)
        pen.text(self.left, self.y, f"{st.headings['avg']} {_num(avg, 1)} {b.history_unit}", s - 0.5)
        self.y -= s * 2.2

    def slip(self) -> float:
        """The remittance slip at the bottom of page 1; returns its top."""
        pen, st, b = self.pen, self.st, self.b
        s = self.s
        top = 40.0 + 140
        pen.hline(self.left - 10, self.right + 10, top, 0.6, 0.2, dash=True)
        pen.text(self.w / 2, top - 11, st.headings["slip"], s - 2, align="c", color=(0.3, 0.3, 0.3))
        pen.text(self.left, top - 30, b.provider, s + 2, bold=True)
        pen.text(self.left, top - 30 - s * 1.5, st.headings["payto"], s - 1)
        pen.text(
            self.left,
            top - 30 - s * 2.8,
            f"{st.headings['pobox']} {''.join(ch for ch in b.account if ch.isdigit())[-3:]}4",
            s - 1,
        )
        x0 = self.w * 0.52
        rows = [(self.lab("account"), b.account)]
        if b.due is not None:
            rows.append((self.lab("due"), self.d(b.due)))
        rows.append((self.lab("due_amount"), self.m(b.amount_due, True)))
        rows.append((st.headings["enclosed"], f"{b.loc.symbol}__________"))
        y = top - 30
        for name, value in rows:
            pen.rect(x0, y - 5, self.right - x0, s * 1.7, fill=None)
            pen.text(x0 + 4, y, name, s - 0.5)
            pen.text(self.right - 4, y, value, s, bold=True, align="r")
            y -= s * 1.7
        digits = "".join(ch for ch in b.account if ch.isdigit())
        ocr = {
            "AU": f"Biller code: {len(digits) * 1117 + 20000}   Ref: {digits}",
            "UK": f"Bank giro credit   Sort code 40-12-{len(digits) + 10}   Ref {digits}",
            "NZ": f"Internet banking: 12-3{len(digits)}45-0123456-00   Particulars: {digits}",
            "IE": f"IBAN IE29 AIBK 9311 52{len(digits)}1 2345 67   Ref: {digits}",
        }.get(b.loc.code, f"{digits}{(b.amount_due * 100).to_integral_value():0>10} {len(digits) % 10}")
        pen.text(self.left, 52, ocr, s - 0.5, color=(0.2, 0.2, 0.2))
        return top

    def render(self) -> int:
        self.header()
        if self.st.slip:
            self.bottom = self.slip() + 14
        self.parties()
        self.summary()
        self.messages()
        if self.st.details_p2:
            self.history()
            self.break_page()
        self.charges()
        self.meters()
        if not self.st.details_p2:
            self.history()
        self.footer()
        return self.page


# fmt: off
_LABELS: dict[str, tuple[str, ...]] = {
    "account": ("Account number", "Account No.", "Account #", "Acct. No.", "Customer number", "Account",
        "Your account number", "Customer No.", "Account reference"),
    "statement": ("Statement date", "Bill date", "Date of bill", "Invoice date", "Issue date", "Billing date",
        "Date issued", "Date prepared", "Issued"),
    "due": ("Due date", "Payment due", "Please pay by", "Due by", "Pay by", "Payment due date", "Amount due by",
        "Due"),
    "period": ("Billing period", "Service period", "Supply period", "Bill period", "Period of service", "Charges for",
        "Period covered", "Billing dates", "For the period"),
    "period_from": ("Service from", "Period start", "From", "Billing from"),
    "period_to": ("Service to", "Period end", "To", "Billing to"),
    "service": ("Service address", "Service location", "Supply address", "Premises address", "Property address",
        "Site address", "Address of supply", "Service at"),
    "previous": ("Previous balance", "Balance from last bill", "Opening balance", "Balance brought forward",
        "Last bill amount", "Previous statement balance", "Your last bill", "Amount of last bill"),
    "payments": ("Payment received - thank you", "Payments", "Payments received", "Less payments",
        "Payments since last bill", "Paid - thank you", "Payments and credits", "Your payments"),
    "balance_forward": ("Balance forward", "Remaining balance", "Balance carried forward", "Unpaid balance"),
    "new": ("Current charges", "New charges", "Total current charges", "This bill's charges", "Charges this period",
        "Total new charges", "Current bill", "This period's charges"),
    "new_total": ("Total current charges", "Total new charges", "Total charges this period", "Total of this bill",
        "Total charges", "Current charges total"),
    "due_amount": ("Amount due", "Total amount due", "Total due", "Please pay", "Balance due", "Amount to pay",
        "Total to pay", "Amount payable", "Total balance due"),
    "meter": ("Meter number", "Meter no.", "Meter", "Meter ID", "Meter serial"),
    "prev_read": ("Previous reading", "Previous read", "Prior reading", "Start reading", "Last reading"),
    "curr_read": ("Current reading", "Present reading", "Current read", "End reading", "This reading"),
    "mult": ("Multiplier", "Mult.", "Meter constant", "Constant"),
    "usage": ("Usage", "Consumption", "Total used", "Units used", "Amount used", "Billed usage"),
}
# fmt: on

# fmt: off
_HEADINGS: dict[str, tuple[str, ...]] = {
    "contact": ("Customer service:", "Questions? Call", "Phone", "Call us on", "Tel."),
    "summary": ("Account summary", "Summary of your account", "Your account at a glance", "ACCOUNT SUMMARY",
        "Bill summary", "Account Activity"),
    "callout": ("Total amount due", "Amount due", "Please pay", "Your balance"),
    "messages": ("Important information", "Messages", "News and notices", "Things you should know",
        "IMPORTANT MESSAGES"),
    "charges": ("Details of your charges", "Charge details", "Current charges", "Your charges explained",
        "DETAIL OF CURRENT CHARGES", "Itemised charges"),
    "meters": ("Meter readings", "Your meter details", "Meter information", "Usage details", "METER READING DETAILS"),
    "register": ("Register", "Rate period", "Time period", "Tariff"),
    "read_type": ("Read type", "Reading type", "Type"),
    "demand": ("Maximum demand", "Peak demand", "Max demand (billed)", "Demand"),
    "history": ("Your usage history", "Usage over the last 13 months", "Monthly usage", "Consumption history",
        "How your usage compares"),
    "avg": ("Average daily usage:", "Average per day:", "Daily average"),
    "slip": ("Please detach and return this portion with your payment", "Return this stub with your payment",
        "PAYMENT SLIP - tear along dotted line", "Payment advice"),
    "payto": ("Make cheques payable to the company name above", "Remit to:", "Mail to:", "Pay by mail to"),
    "enclosed": ("Amount enclosed", "Amount paid", "Enclosed"),
}
# fmt: on


def _style(pick: _Pick, bill: _Bill) -> _Style:
    code = bill.loc.code
    families = _families()
    family, reg, bold = families[[f[0] for f in families].index(pick("font", [f[0] for f in families]))]
    size = pick("font.size", (7.5, 8.0, 8.5) if family == "courier" else (8.0, 8.5, 9.0, 9.5))
    case = pick("label.case", ("sentence", "sentence", "upper", "title"))
    colon = pick.chance("label.colon", 0.55)
    words = _LABELS
    labels = {key: pick.label(key, opts, case, colon) for key, opts in words.items()}
    labels["n_distractors"] = str(pick("distractors", (0, 1, 1, 2)))
    labels["due_in_facts"] = "yes" if pick.chance("facts.due_in_facts", 0.6) else "no"
    labels["upper_name"] = "yes" if pick.chance("address.upper_name", 0.5) else "no"
    labels["show_balance_forward"] = "yes" if pick.chance("summary.balance_forward", 0.4) else "no"
    labels["section_band"] = "yes" if pick.chance("charges.section_band", 0.4) else "no"
    labels["detail_joiner"] = pick("charges.detail_joiner", ("@", "x", "at", "×", ""))
    labels["read_commas"] = "yes" if pick.chance("meter.read_commas", 0.3) else "no"
    labels["read_unit_in_head"] = "yes" if pick.chance("meter.read_unit_in_head", 0.7) else "no"
    kind_word = {
        "electric": "electricity",
        "electric_com": "electricity",
        "gas": "gas",
        "water": "water",
        "dual": "energy",
        "muni": "utility",
    }[bill.kind]
    titles: tuple[str, ...] = (
        "Statement",
        "Invoice",
        "Utility Bill",
        "Account Statement",
        f"Your {kind_word} bill",
        f"{kind_word.title()} Statement",
        "Monthly Statement",
    )
    if code in ("AU", "NZ"):
        titles = ("Tax invoice", f"Tax invoice - {kind_word}", f"Your {kind_word} bill (tax invoice)")
    if code == "UK" and bill.kind != "water":
        titles = (f"Your {kind_word} bill", f"Your {kind_word} statement", "Energy account statement", "Bill")
    # fmt: off
    heads = pick("charges.col_heads", (("Description", "Quantity", "Rate", "Amount"), ("Charge", "Usage", "Price",
        "Total"), ("Details", "Units", "Unit price", "Cost"), ("ITEM", "QTY", "RATE", "AMOUNT"), None, ), )
    # fmt: on
    headings = {key: pick(f"heading.{key}", opts) for key, opts in _HEADINGS.items()}
    headings["pobox"] = "PO Box"
    date_style = pick("date_style", bill.loc.dates)
    summary = "minimal" if bill.previous is None else pick("summary.style", ("table", "table", "boxes", "ledger"))
    st = _Style(
        family=family,
        reg=reg,
        bold=bold,
        size=size,
        color=pick("color", _COLORS),
        header=pick("header", ("left", "bar", "centered", "right")),
        title=pick("title", titles),
        facts=pick("facts", ("label_left", "label_above", "grid", "inline")),
        labels=labels,
        addr_pos=pick("service_address.position", ("facts", "block", "line", "section")),
        period_pos=pick("period.position", ("facts", "facts", "heading", "split")),
        period_sep=pick("period.separator", ("to", "-", "–", "through"))
        if code in ("US", "CA")
        else pick("period.separator", ("to", "-", "–")),
        show_days=pick.chance("period.show_days", 0.5),
        date_style=date_style,
        summary=summary,
        callout=pick.chance("summary.callout", 0.5),
        payments_negative=pick.chance("summary.payments_negative", 0.6),
        charges=pick("charges.style", ("columns", "detail", "inline", "leader")),
        col_heads=heads,
        sym_tables=pick.chance("money.symbol_in_tables", 0.5),
        neg=pick("money.negative", ("minus", "paren", "cr")),
        meter_style=pick("meter.style", ("table", "table", "blocks")),
        read_type_style=pick("meter.read_type_style", ("column", "suffix", "code")),
        history=pick("history", ("table", "bars", "none")),
        messages=[],
        slip=pick.chance("slip", 0.6),
        details_p2=pick.chance("details_on_page2", 0.35),
        page_label=pick("page_label", ("Page {} of {}", "Page {}/{}", "{} of {}")),
        headings=headings,
    )
    st.messages = _messages(pick, bill, st)
    return st


def _messages(pick: _Pick, bill: _Bill, st: _Style) -> list[str]:
    b = bill
    sym = b.loc.symbol

    def d(value: date) -> str:
        return _fmt_date(value, st.date_style)

    pool = [
        f"Payments received after {d((b.statement or b.end) - timedelta(days=1))} may not be reflected on this bill.",
        f"Your next meter reading is scheduled on or about {d(b.end + timedelta(days=30))}.",
        f"Switch to paperless billing and save {sym}2.00 a month. Visit {b.web} to sign up.",
        f"From {d(date(b.end.year + 1, 1, 1))} our prices will change. Details are available at {b.web}.",
        "A late payment charge of 1.5% per month may apply to amounts unpaid after the due date.",
        f"Need help paying? Call us on {b.phone}. Payment plans from {sym}10.00 a week are available.",
        "Emergencies and outages: call 24 hours a day, 7 days a week.",
    ]
    if b.payments:
        pool.append(f"Thank you for your payment of {sym}{_num(b.payments, 2)} received on {d(b.pay_date)}.")
    if b.loc.code in ("AU", "NZ", "UK", "IE"):
        pool.append(f"Set up Direct Debit and your payment will be collected on the due date. Save {sym}5.00 per year.")
    n = pick("messages.count", (0, 1, 2, 3))
    chosen = pick.rng.sample(pool, n)
    pick.choices["messages"] = " | ".join(m[:30] for m in chosen)
    return chosen


def _truth(bill: _Bill) -> NormalizedBill:
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
        payments_and_credits=bill.payments,
        line_items=[row.item for sec in bill.sections for row in sec.rows],
        usage=[m.usage() for m in bill.meters],
        demand=bill.demand,
    )


def _render(bill: _Bill, st: _Style) -> bytes:
    pages = _Doc(bill, st, None, 1).render()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=bill.loc.page, invariant=1, pageCompression=1)
    canvas.setTitle(f"{bill.provider} bill")
    canvas.setAuthor(bill.provider)
    _Doc(bill, st, canvas, pages).render()
    canvas.save()
    return buffer.getvalue()


def third_bill(index: int, seed: int = 1) -> WildBill:
    rng = random.Random(f"third:{seed}:{index}")  # noqa: S311 - reproducible test data, not secrets
    choices: dict[str, str] = {}
    pick = _Pick(rng, choices)
    bill = _plan(pick)
    st = _style(pick, bill)
    truth = _truth(bill)
    return WildBill(name=f"third-{seed}-{index:04d}", pdf=_render(bill, st), truth=truth, choices=choices)


def third_bills(count: int, seed: int = 1) -> list[WildBill]:
    return [third_bill(index, seed) for index in range(count)]
