"""Printed values to typed ones: money, dates, numbers, categories, commodities.

Formats are data (a template names its date formats and decimal marks), so one parser serves every
provider; the defaults cover the US and UK conventions the generic path meets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from common.models import Commodity, Direction, LineItemCategory, ReadType

DEFAULT_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b. %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %b. %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
)

# strptime directives as regex fragments, to turn a template's date formats into one pattern.
_DIRECTIVES = {
    "%m": r"\d{1,2}",
    "%d": r"\d{1,2}(?:st|nd|rd|th)?",  # `6th January 2025`: parse_date drops the suffix
    "%Y": r"\d{4}",
    "%y": r"\d{2}(?!\d)",  # never the first half of a four-digit year
    "%b": r"[A-Z][a-z]{2}",
    "%B": r"[A-Z][a-z]{2,8}",
}
# A date may be printed after its weekday (`Friday 7 February 2025`, `Fri, 7 Feb 2025`): read with it, parsed without.
WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?[ \t]+)"


def date_regex(formats: tuple[str, ...]) -> str:
    parts = []
    for fmt in formats:
        pattern = re.escape(fmt)
        for directive, fragment in _DIRECTIVES.items():
            pattern = pattern.replace(re.escape(directive), fragment)
        parts.append(pattern)
    # longest first, ties in the formats' order: the order of a set's strings changes with each process's hash
    # seed, and the first alternative that matches is the one a search takes
    return f"(?:{WEEKDAY}?(?:" + "|".join(sorted(dict.fromkeys(parts), key=len, reverse=True)) + "))"


CURRENCY_CODES = r"(?:USD|CAD|AUD|NZD|GBP|EUR)"
# the letters that say which dollar a `$` is, printed against it (`C$`, `US$`), and the currency they say; in the
# order a pattern tries them (`CA` before `C`). The pattern first looks for one of their first letters, which fails
# at most places in a text sooner than the look-behind does.
DOLLAR_PREFIXES = {"US": "USD", "CDN": "CAD", "CA": "CAD", "C": "CAD", "AU": "AUD", "A": "AUD", "NZ": "NZD"}
_DOLLAR_INITIALS = "".join(sorted({prefix[0] for prefix in DOLLAR_PREFIXES}))
DOLLAR_PREFIX = rf"(?=[{_DOLLAR_INITIALS}])(?<![A-Za-z])(?:{'|'.join(DOLLAR_PREFIXES)})(?=\$)"
_CURRENCY_CODE = re.compile(rf"\b{CURRENCY_CODES}\b\s?")


@dataclass(frozen=True)
class NumberFormat:
    """Decimal marks and how credits are printed: `-$5.00`, `($5.00)`, `$5.00 CR`, `$5.00-`."""

    thousands: str = ","
    point: str = "."
    symbols: str = "$£€"

    @property
    def number(self) -> str:
        t, p = re.escape(self.thousands), re.escape(self.point)
        return rf"\d{{1,3}}(?:{t}\d{{3}})+(?:{p}\d+)?|\d+(?:{p}\d+)?"

    @property
    def money(self) -> str:
        t, p = re.escape(self.thousands), re.escape(self.point)
        amount = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+){p}\d{{2}}"
        # a currency's code before the amount or after it (`USD 38.68`, `38.68 CAD`) or a symbol, or none; a dollar
        # sign may carry its country's letters (`C$38.68`, `US$38.68`)
        symbol = rf"(?:{CURRENCY_CODES}\s?|{DOLLAR_PREFIX})?[{re.escape(self.symbols)}]?"
        code_after = rf"(?:\s?{CURRENCY_CODES}\b)?"
        return (
            rf"(?:\(\s*-?{symbol}\s?{amount}{code_after}\s*\)"
            rf"|[-−]\s?{symbol}\s?{amount}{code_after}(?:\s?CR\b)?"
            rf"|{symbol}\s?[-−]?\s?{amount}{code_after}(?:\s?(?:CR|cr|Cr)\b|[-−](?![\d{re.escape(self.symbols)}]))?)"
        )

    def parse_number(self, text: str) -> Decimal:
        cleaned = text.strip().replace(self.thousands, "").replace(self.point, ".")
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"not a number: {text!r}") from None

    @cached_property
    def _not_digits(self) -> re.Pattern[str]:
        return re.compile(r"[^\d" + re.escape(self.point) + "]")

    def parse_money(self, text: str) -> Decimal:
        """Signed amount: a leading or trailing minus, parentheses or a trailing CR make it a credit."""
        cleaned = _CURRENCY_CODE.sub("", text).strip()
        upper = cleaned.upper()
        negative = cleaned.startswith(("(", "-", "−")) or upper.endswith(("CR", "-", "−")) or "-" in cleaned[:3]
        value = self.parse_number(self._not_digits.sub("", upper.removesuffix("CR")))
        return -value if negative else value


US = NumberFormat()


def parse_money(text: str) -> Decimal:
    return US.parse_money(text)


def parse_number(text: str) -> Decimal:
    return US.parse_number(text)


_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_LEADING_WEEKDAY = re.compile(WEEKDAY, re.IGNORECASE)
_SEPT = re.compile(r"\bSept\b", re.IGNORECASE)  # the one month short name strptime does not know


@lru_cache(maxsize=4096)
def parse_date(text: str, formats: tuple[str, ...] = DEFAULT_DATE_FORMATS) -> date:
    """Memoised: strptime is slow and a bill prints the same dates several times (dates are immutable)."""
    cleaned = _ORDINAL.sub("", " ".join(text.replace(",", ", ").split()).replace(" ,", ","))
    if (weekday := _LEADING_WEEKDAY.match(cleaned)) is not None:
        cleaned = cleaned[weekday.end() :]
    cleaned = _SEPT.sub("Sep", cleaned)
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


# Keyword rules in priority order: a "tax surcharge" is a tax, a "supply credit" is a credit.
CATEGORY_RULES: list[tuple[LineItemCategory, re.Pattern[str]]] = [
    # The UK's Climate Change Levy and Canada's federal carbon charge are taxes whatever they are called.
    (
        LineItemCategory.TAX,
        re.compile(r"\b(tax(es)?|VAT|GST|HST|PST|QST|climate change levy|carbon charge)\b", re.IGNORECASE),
    ),
    (LineItemCategory.CREDIT, re.compile(r"\b(credit|rebate|discount|benefit)\b", re.IGNORECASE)),
    # Municipal services billed beside water, like the stormwater fee; charges for paying late or for the account.
    (
        LineItemCategory.FEE,
        re.compile(
            r"\b(fee|surcharge|levy|drainage|storm ?water|refuse|solid waste|trash|recycling|late payment|"
            r"administration|system benefits? charge)s?\b",
            re.IGNORECASE,
        ),
    ),
    # Sewer is a service of taking away, even when billed by the volume of water used. Carrying energy is
    # delivery whatever else the name says (`Energy delivery charge`), as is a charge by the day, not the unit.
    (
        LineItemCategory.DELIVERY,
        re.compile(
            r"\b(sewer|sewerage|wastewater|sewage|delivery|distribution|transmission|transportation|midstream|"
            r"storage and transport|capacity charge|(?:fixed )?daily (?:supply )?charge|service charge)\b",
            re.IGNORECASE,
        ),
    ),
    # What was consumed, by whatever name: units (UK/IE kWh), time-of-use blocks and their rates, a controlled
    # or uncontrolled load, a volume, the cost of the gas, or a line named for the commodity alone.
    (
        LineItemCategory.SUPPLY,
        re.compile(
            r"\b(supply|generation|energy|commodity|usage|used|consumption|units?|(?:on|off|mid)[- ]?peak "
            r"electricity|(?:day|night|peak|on[- ]?peak|off[- ]?peak|mid[- ]?peak|shoulder) rate|"
            r"(?:un)?controlled(?: load)?|cost of gas|(?:purchased )?gas cost|volume(?: charge)?)\b|"
            r"^(?:electricity|gas)$",
            re.IGNORECASE,
        ),
    ),
    (
        LineItemCategory.DELIVERY,
        re.compile(
            r"\b(demand|(?:customer|standing|basic|basic service|facility|service availability|fixed|meter|base) "
            r"charge)\b",
            re.IGNORECASE,
        ),
    ),
]


@lru_cache(maxsize=4096)
def categorize(description: str) -> LineItemCategory:
    """Memoised: a provider prints the same few descriptions on every bill."""
    for category, pattern in CATEGORY_RULES:
        if pattern.search(description):
            return category
    return LineItemCategory.OTHER


_COMMODITY_WORDS = (
    ("electric", Commodity.ELECTRICITY),
    ("power", Commodity.ELECTRICITY),
    ("kwh", Commodity.ELECTRICITY),
    ("gas", Commodity.GAS),
    ("storm", Commodity.STORMWATER),
    ("sewer", Commodity.SEWER),
    ("wastewater", Commodity.SEWER),
    ("water", Commodity.WATER),
    ("irrigation", Commodity.WATER),
)
# Fuels a utility may bill that are none of the commodities above: a meter of one is `other`, whatever its unit
# (`Propane | 40 gal` was read as water by its gallons).
_OTHER_FUEL = re.compile(r"\b(?:propane|LPG|LP gas|heating oil|fuel oil|diesel|kerosene|steam|chilled water)\b", re.I)


def names_another_fuel(text: str) -> bool:
    return _OTHER_FUEL.search(text) is not None


@lru_cache(maxsize=4096)
def commodity_of(text: str) -> Commodity:
    """Memoised: the same few service names and charge descriptions recur on every bill."""
    lowered = text.lower()
    for keyword, commodity in _COMMODITY_WORDS:
        if keyword in lowered:
            return commodity
    return Commodity.OTHER


def read_type_of(text: str) -> ReadType:
    cleaned = text.strip().strip("()").lower()
    return ReadType.ESTIMATED if cleaned.startswith("est") or cleaned == "e" else ReadType.ACTUAL


# The words a net-metered (solar) meter's register names its direction with: `Delivered`, `kWh Received`, `Export`,
# `To grid`, `Generation`, `Net`.
_FLOW_WORDS = re.compile(
    r"\b(?:(?P<received>received|export(?:ed)?|to(?: the)? grid|(?:excess |solar )?generat(?:ion|ed)|returned)"
    r"|(?P<delivered>delivered|import(?:ed)?|from(?: the)? grid)"
    r"|(?P<net>net))\b",
    re.IGNORECASE,
)
_FLOW_PUNCTUATION = re.compile(r"[\s()/,-]+")


def names_a_flow(text: str) -> bool:
    return _FLOW_WORDS.search(text) is not None


def flow_of(register: str) -> tuple[Direction | None, str]:
    """The direction a meter's register names, and what else it names (`On-peak delivered`: on-peak energy taken from
    the grid). A net register may say what it nets (`Net (delivered - received)`); one naming both other ways and
    no net is read as naming none, and kept whole."""
    found = {match.lastgroup or "" for match in _FLOW_WORDS.finditer(register)}
    if not found or (len(found) > 1 and "net" not in found):
        return None, register
    direction = Direction.NET if "net" in found else Direction(found.pop())
    rest = _FLOW_PUNCTUATION.sub(" ", _FLOW_WORDS.sub(" ", register)).strip()
    return direction, rest


# A time-of-use period named in a service's or a charge's words: `Electricity On-Peak`, `Super Off-Peak Energy`,
# `Shoulder usage`.
TOU_PERIOD_NAMED = re.compile(r"\b(?:Super[- ]?)?(?:On|Off|Mid|Part)[- ]?Peak\b|\bShoulder\b", re.IGNORECASE)


def tou_period_of(text: str) -> str | None:
    """`On-Peak` → `on_peak`; the canonical names downstream code groups by."""
    cleaned = re.sub(r"[^a-z]+", "_", text.strip().lower()).strip("_")
    return cleaned or None
