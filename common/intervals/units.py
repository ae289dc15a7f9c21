"""Unit normalisation by exact powers of ten: kWh for energy, kW for demand, therm for gas energy.

Values travel as integers with a decimal exponent, so normalising is adding to the exponent and never
rounds. Only exact conversions are applied (Wh → kWh, kBtu → therm). Gas *volume* (CCF, ft³, m³) is
kept in its own unit: turning it into therms needs the utility's heat-content factor for the billing
month, which an interval file does not carry — reconciliation reports that as the likely cause when
a bill in therms and volume intervals differ by a plausible factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.models import Commodity


@dataclass(frozen=True)
class UnitRule:
    unit: str  # the normalised unit
    exponent: int  # normalised value = source value × 10**exponent
    commodity: Commodity | None  # what the unit implies when the file does not say


_RULES: dict[str, UnitRule] = {
    "wh": UnitRule("kWh", -3, Commodity.ELECTRICITY),
    "kwh": UnitRule("kWh", 0, Commodity.ELECTRICITY),
    "mwh": UnitRule("kWh", 3, Commodity.ELECTRICITY),
    "w": UnitRule("kW", -3, Commodity.ELECTRICITY),
    "kw": UnitRule("kW", 0, Commodity.ELECTRICITY),
    "therm": UnitRule("therm", 0, Commodity.GAS),
    "therms": UnitRule("therm", 0, Commodity.GAS),
    "thm": UnitRule("therm", 0, Commodity.GAS),
    "kbtu": UnitRule("therm", -2, Commodity.GAS),  # 1 therm = 100,000 Btu exactly
    "btu": UnitRule("therm", -5, Commodity.GAS),
    "ccf": UnitRule("CCF", 0, Commodity.GAS),
    "ft3": UnitRule("ft3", 0, Commodity.GAS),
    "cf": UnitRule("ft3", 0, Commodity.GAS),
    "m3": UnitRule("m3", 0, None),
    "gal": UnitRule("gal", 0, Commodity.WATER),
}
# ESPI ReadingType uom codes (UnitSymbolKind) → the unit they name.
ESPI_UOM: dict[int, str] = {72: "Wh", 38: "W", 169: "therm", 42: "m3", 119: "ft3"}


def normalise(source_unit: str) -> UnitRule:
    """Rule for a unit as a file spells it; unknown units are kept as they are (factor 1)."""
    return _RULES.get(source_unit.strip().lower()) or UnitRule(source_unit.strip(), 0, None)


def factor(exponent: int) -> Decimal:
    """The conversion factor as an exact Decimal (10**exponent)."""
    return Decimal(1).scaleb(exponent)
